"""Views that write through, as NumPy's do: an in-place change made through a view (or to
its base) reaches the base and every other view of it, in values, gradients and tangents.

A view (``t[basic index]``, reshape when NumPy gives a view, transpose / permute_dims / .T,
swapaxes, moveaxis, squeeze, expand_dims, flip and ``[::-1]``, ravel when NumPy gives a view,
views of views) and a detached alias (``detach()``) remember their base and the chain of view
ops that gives their value from the base's (``tensor._View``, set up by ``tensor.alias`` when
the view is made). While nothing is recorded, NumPy's own views share the memory.

A write that must be recorded (it needs a gradient or carries a tangent) never writes the
base's memory, which a graph node may hold. Through a view v with flat positions P in the
base (P = the chain applied to arange(base.size)), the base gets the new value

    base' = base with base'.flat[P] = v'        (one op: `setitem` on the flattened base)

whose VJP sends the cotangent ḡ[P] to v' and ḡ with zeros at P to the old base, and whose
JVP is the same assignment on tangents; so it differentiates again. Then every alias whose
region the write touched gets its value, grad_fn and tangents re-derived from base' through
its chain and moves to a new version (a node that saved it refuses its backward); the others
keep theirs (their values did not change) and only follow the new memory. Each write thus
costs O(base size + the live aliases), and ordinary ops pay nothing.

A write that is not recorded goes into the base's memory when the base owns it (a constant,
a leaf under no_grad), else into a copy of it (a graph node's output keeps its value; the
base keeps its grad_fn, as any write under no_grad does); every alias follows and moves to a
new version.
"""
import weakref

import numpy as np


# Nothing here imports the tensor or an op: the tensor (detach) and the view ops use `alias`.
# The writes themselves, which run ops, are ops/inplace.py.

def by_value(a):
    """A constant operand as a node keeps it: an ndarray whose values could still change (a
    writable one, or a view of another array) is copied; anything else is kept as it is."""
    if type(a) is np.ndarray and (a.flags.writeable or a.base is not None):
        return a.copy()
    return a


class _View:
    """How an alias was made from its base (a tensor that is no alias itself): the chain of
    view ops ((op, params), ...) that gives the alias's value from the base's, as NumPy's
    views give its memory. detached: made through detach() (shares memory, not the graph);
    shared: its data is a view of the base's current memory; pos: the flat (C-order)
    position in the base of each of its elements, computed when first needed (read-only
    when a view op in the chain gives read-only views: broadcast_to, diagonal); primal: made
    through .primal (detached from the base's tangent, not from its graph: a recorded write
    to the base gives it the base's new node)."""
    __slots__ = ("base", "chain", "detached", "shared", "pos", "primal")

    def __init__(self, base, chain, detached, primal=False):
        self.base = base
        self.chain = chain
        self.detached = detached
        self.shared = True
        self.pos = None
        self.primal = primal


class _Group(list):
    """A base's weak references to its aliases; pruned of dead ones as it grows."""
    __slots__ = ("limit",)
    limit: int


def alias(src, t, op=None, params=None, primal=False):
    """Record that t shares src's memory: t = op(src, **params) for a view op whose result
    NumPy made a view, or t = src.detach() (op None), or t = src.primal (op None, primal).
    t joins the aliases of src's base (src itself, or the base src is a view of), with the
    chain of view ops from that base."""
    if op is not None:
        d = t.data
        s = src.data
        b = d.base          # (NumPy's base is the array owning the memory: mostly s or s.base)
        if b is not s and (b is not s.base or b is None) and not np.may_share_memory(d, s):
            return          # NumPy copied after all (reshape of a non-contiguous array)
    e = src._extra
    v = None if e is None else e.view
    if v is None:
        base = src
        rec = _View(src, () if op is None else ((op, params),), op is None, primal)
    else:
        base = v.base
        rec = _View(base, v.chain if op is None else v.chain + ((op, params),),
                    op is None or v.detached, v.primal if op is not None else
                    primal and (not v.detached or v.primal))
    be = base._get_extra()
    group = be.aliases
    if group is None:
        group = be.aliases = _Group()
        group.limit = 32
    elif len(group) > group.limit:
        group[:] = [r for r in group if r() is not None]    # views come and go: prune the dead
        group.limit = max(32, 2 * len(group))
    group.append(weakref.ref(t))
    t._get_extra().view = rec


def _root(t):
    e = t._extra
    return t if e is None or e.view is None else e.view.base


def _derive_data(d, chain):
    for op, params in chain:
        d = op.forward(d, **params)
    return d


def _all_positions(base):
    d = base.data
    return np.arange(np.size(d), dtype=np.intp).reshape(np.shape(d))


def _positions(v):
    """The flat position in the base of each element of the alias described by v."""
    if v.pos is None:
        v.pos = _derive_data(_all_positions(v.base), v.chain)
    return v.pos


