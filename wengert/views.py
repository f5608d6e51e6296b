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

def by_value(a):
    """A constant operand as a node keeps it: an ndarray whose values could still change (a
    writable one, or a view of another array) is copied; anything else is kept as it is."""
    if type(a) is np.ndarray and (a.flags.writeable or a.base is not None):
        return a.copy()
    return a


_LEAF = ("a view of a leaf tensor that requires grad is being used in an in-place operation; "
         "do the update inside `with wg.no_grad():` (as optimizers do) or write it out of "
         "place (for example x = wg.where(mask, new, x), or build the result with "
         "wg.concatenate / wg.stack)")
_LEAF_SELF = ("a leaf tensor that requires grad is being used in an in-place operation; "
              "do the update inside `with wg.no_grad():` (as optimizers do) or write it out "
              "of place (x = x + 1)")
_DETACHED = ("an in-place operation that needs a gradient (or carries a tangent) writes into "
             "a tensor made by .detach() or .primal, which shares memory with its source but "
             "not all of its graph and tangent, so the source could not record the change; "
             "write into a copy (t.detach().copy(), t.primal.copy()) or compute out of place")
_READONLY = ("assignment destination is read-only: this tensor is a read-only view of "
             "another (NumPy's broadcast_to and diagonal give read-only views too); write into "
             "a copy (t.copy()) instead")


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
    dual = (bool(t._tangents) or (ot and bool(other._tangents))   # ({}: a mark, no tangent)
            or (not detached and bool(base._tangents)))
    if graph or dual:
        if enabled and t.grad_fn is None and t._requires_grad:
            raise RuntimeError(_LEAF_SELF)
        if detached:
            raise RuntimeError(_DETACHED)
        if enabled and base is not t and base.grad_fn is None and base._requires_grad:
            raise RuntimeError(_LEAF)
        _check_rerun(base)
        _recorded(t, v, base, op, other, index, graph)
    else:
        _unrecorded(t, v, base, op, other)
    return t


def _check_rerun(base):
    """Refuse (before anything changes) a recorded write to a base that a result of a NumPy
    function wengert does not implement is a view of: that view could not follow it."""
    be = base._extra
    for ref in (be.aliases if be is not None and be.aliases else ()):
        w = ref()
        rv = None if w is None or w._extra is None else w._extra.view
        if rv is not None and rv.base is base:
            for op, _ in rv.chain:
                if type(op) is Rerun:
                    raise op.error()


def _recorded(t, v, base, op, other, index, record):
    from .tensor import Tensor, _check_cast, _check_shape, _layout_of
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
    base.data = _layout_of(base.data, new.data)
    base._tangents = new._tangents
    if new.grad_fn is not None:
        base.grad_fn, base._requires_grad = new.grad_fn, True
    base._version += 1
    if t is not base:
        t._version += 1             # (a node may have saved the view that was written)
    _follow(base, region, t, derive=True, record=record)


def _unrecorded(t, v, base, op, other):
    from .tensor import Tensor, _check_cast, _check_shape, _layout_of
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
            base.data = _layout_of(d, np.asarray(r, dtype=d.dtype))
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
        elif hit and derive and rv.primal:
            # the value part of the base: its new value and node, without the base's tangent
            if src is None:
                src = _shadow(base)
            n = _derive(src, rv.chain)
            w.data = n.data
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


class Rerun:
    """The view op of a NumPy function that wengert does not implement, run on constants
    (ops/fallback.py), when NumPy's result is a view of a tensor argument's memory: it gives
    that view again from the tensor's data, so the result is an alias like any other (a write
    into it reaches the tensor and moves it to a new version, and the other way round). It
    has no derivative: re-deriving it for a tensor in a graph is a TypeError."""
    __slots__ = ("func", "what")

    def __init__(self, func, what):
        self.func = func
        self.what = what

    def forward(self, d, args, kwargs, slot, item):
        if type(slot) is int:
            args = args[:slot] + (d,) + args[slot + 1:]
        else:
            kwargs = {**kwargs, slot: d}
        out = self.func(*args, **kwargs)
        return out if item is None else out[item]

    def __call__(self, x, **params):
        from .tensor import _make
        if (x._requires_grad and _grad.enabled) or x._tangents:
            raise self.error()
        return _make(self.forward(x.data, **params), None)

    def error(self):
        return TypeError(f"the result of {self.what} shares memory with a tensor that an "
                         f"in-place operation would put into a graph, but {self.what} is not "
                         f"differentiable in wengert; call it on a copy (t.copy()) or use a "
                         f"wengert function")


def fallback_result(func, what, args, kwargs, out, item=None):
    """out (an ndarray that func(*args, **kwargs) returned, entry `item` of its tuple),
    registered as an alias of the tensor argument whose memory it shares; a copy when it
    shares memory with a tensor nested in a list."""
    from .tensor import Tensor, _make, _strip
    t = _make(out, None)
    for slot, a in list(enumerate(args)) + list(kwargs.items()):
        if isinstance(a, Tensor) and np.may_share_memory(out, a.data):
            params = {"args": tuple(_strip(args)), "kwargs": _strip(kwargs), "slot": slot,
                      "item": item}
            alias(a, t, Rerun(func, what), params)
            return t
    if _shares(out, (args, kwargs)):
        t.data = out.copy()
    return t


def _shares(out, obj):
    from .tensor import Tensor
    if isinstance(obj, Tensor):
        return np.may_share_memory(out, obj.data)
    if isinstance(obj, (list, tuple)):
        return any(_shares(out, o) for o in obj)
    if isinstance(obj, dict):
        return any(_shares(out, o) for o in obj.values())
    return False
