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
from .tape_table import format_table, rows
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
    __slots__ = ("op", "inputs", "params", "output", "index", "_node", "_produced",
                 "__weakref__")

    def __init__(self, op, inputs, params, output, index, node, produced=None):
        self.op, self.inputs, self.params, self.index = op, inputs, params, index
        self.output = output
        self._node = None if node is None else weakref.ref(node)
        self._produced = None if produced is None else weakref.ref(produced)

    @property
    def node(self):
        """The output's grad_fn, while the graph is alive (else None)."""
        return None if self._node is None else self._node()

    def produced(self):
        """The Tensor the op returned, while it is alive (else None)."""
        return None if self._produced is None else self._produced()

    def __repr__(self):
        return f"<Entry {self.op.name}{'' if self.index is None else f'[{self.index}]'}>"


def _grad_catcher(record):
    def catch(g):
        record.grad = g if type(g) is Tensor else _make(np.asarray(g), None)
    setattr(catch, "retains_grad", True)    # runs after the user's hooks: it sees what flows on
    return catch


class Tape:
    """The recorded op applications, in the order they ran (`entries`): the Wengert list.

    ``print(tape)`` or ``tape.table()`` shows it as the textbooks do: inputs v-1, v0, …,
    then each op application v1, v2, … with its inputs, its value and, after a backward
    pass, its adjoint (∂y/∂vᵢ). See `wengert.tape_table`.

    Examples
    --------
    >>> import wengert as wg
    >>> from wengert.tape import record
    >>> x = wg.tensor(3.0, requires_grad=True, name="x")
    >>> y = wg.tensor(4.0, requires_grad=True, name="y")
    >>> with record() as tape:
    ...     f = x**2 * y + y + 2
    >>> f.backward()
    >>> print(tape)
    v    name  op        inputs  value  adjoint
    v-1  x     input             3      24
    v0   y     input             4      10
    v1         power     v-1, 2  9      4
    v2         multiply  v1, v0  36     1
    v3         add       v2, v0  40     1
    v4         add       v3, 2   42     1
    """

    def __init__(self):
        self.entries = []
        self._nodes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def entry_for(self, node):
        """The entry whose output `node` is the grad_fn of, or None."""
        return self._nodes.get(node)

    def __len__(self):
        return len(self.entries)

    def table(self, max_rows=None):
        """The Wengert list as text: index, name, op, inputs, value and (after backward)
        adjoint, one row per input and per op application; at most `max_rows` rows.

        Parameters
        ----------
        max_rows : int, optional
            Show only the first rows and count the rest (default: all).

        Returns
        -------
        str
        """
        return format_table(self, max_rows)

    def rows(self):
        """The table's rows as dicts (v, name, op, inputs, value, adjoint)."""
        return rows(self)

    __str__ = table

    def __repr__(self):
        return f"<Tape of {len(self.entries)} op applications: print(tape) shows the table>"

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
            e = Entry(op, args, params, record, i if isinstance(out, tuple) else None, node, o)
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
