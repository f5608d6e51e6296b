"""The Wengert list itself: every op applied inside ``with record() as tape:``, in order.

A graph built normally keeps only what its derivative rules need, so intermediate values,
constant operands and intermediate gradients are gone once they have been used. Inside
`record()` each op application is written down — op, inputs (Tensors or constants),
parameters, output — and every output that requires grad retains its gradient, so drawings
(`wg.viz`) and symbolic views (`wg.symbolic`) can show each node's value and, after backward,
its gradient. Outside `record()` ops pay nothing for this.
"""
import contextlib
import weakref

from .ops._primitive import observe
from .tensor import Tensor

__all__ = ["Entry", "Tape", "record", "entry_for"]

# node → Entry for every tape still alive, so a drawing of `y` finds what was recorded
# without being handed the tape
_by_node = weakref.WeakKeyDictionary()


class Entry:
    """One op application: `op` (with `.name`), `inputs` as passed (Tensors or constants),
    the op's keyword `params`, and `output` (a Tensor; for an op with several outputs, the
    one at `index`)."""
    __slots__ = ("op", "inputs", "params", "output", "index")

    def __init__(self, op, inputs, params, output, index):
        self.op, self.inputs, self.params, self.output, self.index = op, inputs, params, output, index

    @property
    def node(self):
        return self.output.grad_fn

    def __repr__(self):
        return f"<Entry {self.op.name}{'' if self.index is None else f'[{self.index}]'}>"


class Tape:
    """The recorded op applications, in the order they ran (`entries`)."""

    def __init__(self):
        self.entries = []
        self._nodes = {}

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
            e = Entry(op, args, params, o, i if isinstance(out, tuple) else None)
            self.entries.append(e)
            node = o.grad_fn
            if node is not None:
                if o._requires_grad:
                    o.retain_grad()
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
