"""The Wengert list itself: every op applied inside ``with record() as tape:``, in order.

A graph built normally keeps only what its derivative rules need, so intermediate values,
constant operands and intermediate gradients are gone once they have been used. Inside
`record()` each op application is written down — op, inputs (Tensors or constants),
parameters, output — and every output that requires grad retains its gradient, so drawings
(`wg.viz`) and symbolic views (`wg.symbolic`) can show each node's value and, after backward,
its gradient. The tape keeps values, not the graph: dropping the graph's last Tensor still
frees it at once. Outside `record()` ops pay nothing for this.
"""
import contextlib
import weakref

import numpy as np

from .engine.node import _add_hook
from .ops.observe import observe
from .tensor import Tensor, _make

__all__ = ["Entry", "Tape", "record", "entry_for"]

# node → Entry for every tape still alive, so a drawing of `y` finds what was recorded without
# being handed the tape. Nothing an Entry holds leads back to its node (its output is a
# detached record of the value, the node is held weakly), so a value here never keeps its own
# key, or the graph, alive.
_by_node: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Entry:
    """One op application: `op` (with `.name`), `inputs` as passed (Tensors or constants),
    the op's keyword `params`, and `output`: a detached Tensor holding the output's value (and
    name) whose `.grad` is the gradient the latest backward pass brought to it (None before).
    For an op with several outputs there is one entry per output, `index` telling which."""
    __slots__ = ("op", "inputs", "params", "output", "index", "_node", "__weakref__")

    def __init__(self, op, inputs, params, output, index, node):
        self.op, self.inputs, self.params, self.index = op, inputs, params, index
        self.output = output
        self._node = None if node is None else weakref.ref(node)

    @property
    def node(self):
        """The output's grad_fn, while the graph is alive (else None)."""
        return None if self._node is None else self._node()

    def __repr__(self):
        return f"<Entry {self.op.name}{'' if self.index is None else f'[{self.index}]'}>"


def _grad_catcher(record):
    def catch(g):
        record.grad = g if type(g) is Tensor else _make(np.asarray(g), None)
    setattr(catch, "retains_grad", True)    # runs after the user's hooks: it sees what flows on
    return catch


class Tape:
    """The recorded op applications, in the order they ran (`entries`)."""

    def __init__(self):
        self.entries = []
        self._nodes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def entry_for(self, node):
        """The entry whose output `node` is the grad_fn of, or None."""
        return self._nodes.get(node)

    def __len__(self):
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def _add(self, op, args, params, out):
        outs = out if isinstance(out, tuple) else (out,)
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                continue
            node = o.grad_fn
            record = _make(o.data, None)
            if o.name is not None:
                record.name = o.name
            e = Entry(op, args, params, record, i if isinstance(out, tuple) else None, node)
            self.entries.append(e)
            if node is not None:
                _add_hook(node, _grad_catcher(record))
                self._nodes[node] = e
                _by_node[node] = e


@contextlib.contextmanager
def record():
    """Record every op application inside the block on a new `Tape` (yielded)."""
    tape = Tape()
    with observe(tape._add):
        yield tape


def entry_for(node):
    """What a live tape recorded for `node` (a grad_fn), or None."""
    return _by_node.get(node)
