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

from .grad_mode import state as _grad

# (tensor and the ops are imported where used: the ops import this module for `alias`)

_LEAF = ("a view of a leaf tensor that requires grad is being used in an in-place operation; "
         "do the update inside `with wg.no_grad():` (as optimizers do) or write it out of "
         "place (for example x = wg.where(mask, new, x), or build the result with "
         "wg.concatenate / wg.stack)")
_LEAF_SELF = ("a leaf tensor that requires grad is being used in an in-place operation; "
              "do the update inside `with wg.no_grad():` (as optimizers do) or write it out "
              "of place (x = x + 1)")
_DETACHED = ("an in-place operation that needs a gradient (or carries a tangent) writes into "
             "a tensor made by .detach(), which shares memory with its source but not its "
             "graph, so the source could not record the change; write into a copy "
             "(t.detach().copy()) or compute out of place")
_READONLY = ("assignment destination is read-only: this tensor is a read-only view of "
             "another (NumPy's broadcast_to and diagonal give read-only views too); write into "
             "a copy (t.copy()) instead")


class _View:
    """How an alias was made from its base (a tensor that is no alias itself): the chain of
    view ops ((op, params), ...) that gives the alias's value from the base's, as NumPy's
    views give its memory. detached: made through detach() (shares memory, not the graph);
    shared: its data is a view of the base's current memory; pos: the flat (C-order)
    position in the base of each of its elements, computed when first needed (read-only
    when a view op in the chain gives read-only views: broadcast_to, diagonal)."""
    __slots__ = ("base", "chain", "detached", "shared", "pos")

    def __init__(self, base, chain, detached):
        self.base = base
        self.chain = chain
        self.detached = detached
        self.shared = True
        self.pos = None


class _Group(list):
    """A base's weak references to its aliases; pruned of dead ones as it grows."""
    __slots__ = ("limit",)


def alias(src, t, op=None, params=None):
    """Record that t shares src's memory: t = op(src, **params) for a view op whose result
    NumPy made a view, or t = src.detach() (op None). t joins the aliases of src's base (src
    itself, or the base src is a view of), with the chain of view ops from that base."""
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
        rec = _View(src, () if op is None else ((op, params),), op is None)
    else:
        base = v.base
        rec = _View(base, v.chain if op is None else v.chain + ((op, params),),
                    op is None or v.detached)
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


def inplace(t, op, other, index=None):
    """t ← op(t, other) for a tensor t that shares memory with others (see the module
    docstring); `index` names the places a setitem writes (None: all of t)."""
    from .tensor import Tensor
    v = t._extra.view
    if v is not None and v.chain and not _positions(v).flags.writeable:
        raise ValueError(_READONLY)         # (a view op in the chain gives read-only views)
    base = t if v is None else v.base
    detached = v is not None and v.detached
    ot = isinstance(other, Tensor)
    enabled = _grad.enabled
    graph = enabled and (t._requires_grad or (ot and other._requires_grad)
                         or (not detached and base._requires_grad))
    dual = (t._tangents is not None or (ot and other._tangents is not None)
            or (not detached and base._tangents is not None))
    if graph or dual:
        if enabled and t.grad_fn is None and t._requires_grad:
            raise RuntimeError(_LEAF_SELF)
        if detached:
            raise RuntimeError(_DETACHED)
        if enabled and base is not t and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(_LEAF)
        _recorded(t, v, base, op, other, index, graph)
    else:
        _unrecorded(t, v, base, op, other)
    return t


def _recorded(t, v, base, op, other, index, record):
    from .tensor import Tensor, _check_cast, _check_shape
    cur = _shadow(base) if v is None else _derive(_shadow(base), v.chain)
    if isinstance(other, Tensor) and _root(other) is base:
        # (the operand reads the memory being written: the op saves a tensor that keeps
        # the old value and never moves to a new version)
        other = cur if other is t else _shadow(other)
    r = op(cur, other)
    _check_shape(r.data, t.data)
    if r.data.dtype != t.data.dtype:
        from .ops.elementwise import astype
        _check_cast(r.data.dtype, t.data.dtype)
        r = astype(r, t.data.dtype)
    if v is None:
        new = r
        region = None if index is None else _all_positions(base)[index]
    else:
        pos = _positions(v)
        new = _replace(_shadow(base), r, pos)
        region = pos if index is None else pos[index]
    base.data = new.data
    base._tangents = new._tangents
    if new.grad_fn is not None:
        base.grad_fn, base._requires_grad = new.grad_fn, True
    base._version += 1
    _follow(base, region, t, derive=True, record=record)


def _unrecorded(t, v, base, op, other):
    from .tensor import Tensor, _check_cast, _check_shape
    d = t.data
    r = op(d, other.data if isinstance(other, Tensor) else other).data
    if r.dtype != d.dtype:
        _check_cast(r.dtype, d.dtype)
    repoint = False
    if t._writable():                        # NumPy: the memory itself, seen by every view
        np.copyto(d, r, casting="unsafe")
    else:
        _check_shape(r, d)
        if v is None:
            base.data = np.asarray(r, dtype=d.dtype)
            repoint = True
        else:
            r = np.asarray(np.broadcast_to(r, np.shape(d)), base.data.dtype)
            if base._writable():             # (t's data is no view of it: see _follow)
                np.put(base.data, _positions(v), r)
            else:                            # copy-on-write of the base
                new = np.array(base.data, copy=True, order="K")
                np.put(new, _positions(v), r)
                base.data = new
                repoint = True
    if base is not t:
        base._version += 1
    _follow(base, None, t, derive=False, record=False, repoint=repoint)
    t._version += 1


def _follow(base, region, written, derive, record, repoint=True):
    """Bring every live alias of `base` up to date after a write to `region` (flat positions;
    None: everywhere) made through `written`: those the write touched move to a new version
    and, with `derive`, get value, grad_fn (when `record`) and tangents re-derived from the
    base; the rest (and, with `derive` off, all) point their data at the base's memory."""
    be = base._extra
    refs = None if be is None else be.aliases
    if not refs:
        return
    mask = None
    if region is not None:
        mask = np.zeros(np.size(base.data), dtype=bool)
        mask[np.ravel(region)] = True
    src = None
    live = []
    for ref in refs:
        w = ref()
        if w is None:
            continue
        we = w._extra
        rv = None if we is None else we.view
        if rv is None or rv.base is not base:
            continue                         # no longer an alias (an optimizer copied it)
        live.append(ref)
        hit = w is written or mask is None or bool(mask[_positions(rv)].any())
        if hit and derive and not rv.detached:
            if src is None:
                src = _shadow(base)
            n = _derive(src, rv.chain)
            w.data = n.data
            w._tangents = n._tangents
            if record:
                w.grad_fn, w._requires_grad = n.grad_fn, n._requires_grad
            rv.shared = bool(np.may_share_memory(w.data, base.data))
        elif repoint or not rv.shared:       # (else the memory was written in place)
            w.data = _derive_data(base.data, rv.chain)
            rv.shared = bool(np.may_share_memory(w.data, base.data))
        if hit and w is not written:
            w._version += 1
        if not rv.shared and w.data.size:
            # the base's new memory has another layout, on which a reshape in the chain
            # copies: the base now copies on write, so that every write re-points its aliases
            be.cow = True
    refs[:] = live


def _replace(b, r, pos):
    """b with b.flat[pos] = r, recorded: setitem on the flattened b (positions never repeat:
    they come from a view)."""
    from .ops.indexing import _setitem
    from .ops.shape import reshape
    shape = np.shape(b.data)
    n = int(np.size(b.data))
    flat = reshape(b, (n,))
    out = _setitem(flat, r, index=(pos,), x_shape=(n,), v_shape=tuple(np.shape(r.data)),
                   sel_shape=tuple(np.shape(pos)), repeats=False)
    return reshape(out, shape)


def _shadow(t):
    """A new tensor with t's value, node and tangents: an op that saves it saves a tensor
    that never moves to a new version when t does."""
    from .tensor import _make
    s = _make(t.data, t.grad_fn)
    s._requires_grad = t._requires_grad
    s._tangents = t._tangents
    return s


def _root(t):
    e = t._extra
    return t if e is None or e.view is None else e.view.base


def _derive(x, chain):
    for op, params in chain:
        x = op(x, **params)
    return x


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
