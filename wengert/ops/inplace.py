"""In-place updates of tensors: `t += v`, `t[i] = v`, `np.add(a, b, out=t)` and the like.

A write is recorded like the out-of-place op when it needs a gradient or carries a tangent:
the tensor is rebound to the op's result (a fresh array), so no value a graph node saved ever
changes under it. Otherwise it goes into the tensor's own memory when the tensor owns it
(NumPy semantics, shared by detach() and views), else into a fresh array. Every write moves
the tensor to a new version, so a node that saved it refuses its backward.

A tensor that shares memory with others (a view, its base, a detached alias: wengert.views)
is updated through `_shared_update`, which keeps them all in step as NumPy's views are.
`Tensor._inplace` is `update`, installed here: the tensor itself knows no op.
"""
import numpy as np

from ..exits import marks as _marks
from ..grad_mode import state as _grad
from ..tensor import Tensor, _make
from ..views import _all_positions, _derive_data, _positions, _root
from .elementwise import astype
from .fallback import Rerun
from .indexing import _setitem
from .shape import reshape

_LEAF = ("a view of a leaf tensor that requires grad is being used in an in-place operation; "
         "do the update inside `with wg.no_grad():` (as optimizers do) or write it out of "
         "place (for example x = wg.where(mask, new, x), or build the result with "
         "wg.concatenate / wg.stack)")
_LEAF_SELF = ("a leaf tensor that requires grad is being used in an in-place operation; "
              "do the update inside `with wg.no_grad():` (as optimizers do) or write it out "
              "of place (x = x + 1)")
_INPUT = ("an input of a function under wg.grad (or vjp, jacrev, hessian ...) is a leaf that "
          "requires grad, and an in-place operation on it (or on a view of it) cannot be "
          "differentiated; write it out of place (x = x * 2, x = wg.where(mask, new, x)). "
          "(Under no_grad the write would go unseen by the gradient, which would be wrong.)")
_DETACHED = ("an in-place operation that needs a gradient (or carries a tangent) writes into "
             "a tensor made by .detach() or .primal, which shares memory with its source but "
             "not all of its graph and tangent, so the source could not record the change; "
             "write into a copy (t.detach().copy(), t.primal.copy()) or compute out of place")
_READONLY = ("assignment destination is read-only: this tensor is a read-only view of "
             "another (NumPy's broadcast_to and diagonal give read-only views too); write into "
             "a copy (t.copy()) instead")


def _leaf_error(leaf, message):
    """The error for an in-place write to `leaf` (a leaf that requires grad, or the base of
    the view written): inside a reverse transform, a leaf that is one of its inputs gets
    advice that keeps the gradient right (no_grad would hide the write from it)."""
    if any(k is leaf for k in _marks.keys):
        return RuntimeError(_INPUT)
    return RuntimeError(message)


def _layout_of(old, new):
    """new's values in old's memory layout (axis order): NumPy's in-place ops keep an array's
    layout, and whether a later reshape or ravel of it is a view depends on that layout."""
    if type(new) is np.ndarray and new.ndim > 1 and type(old) is np.ndarray and \
            new.strides != old.strides and new.shape == old.shape:
        out = np.empty_like(old, dtype=new.dtype)
        if out.strides != new.strides:
            out[...] = new
            return out
    return new


def _check_shape(r, d):
    if np.shape(r) != np.shape(d):
        raise ValueError(f"non-broadcastable output operand with shape {np.shape(d)} doesn't "
                         f"match the broadcast shape {np.shape(r)}")


def _check_cast(src, dst):
    if not np.can_cast(src, dst, casting="same_kind"):
        raise TypeError(f"cannot write a {src} result into a {dst} tensor in place "
                        f"(it would lose precision); compute out of place instead")


def update(t, op, other, index=None):
    """t ← op(t, other) (`index`: the places a setitem writes). Recorded like the
    out-of-place op; a leaf or constant outside the graph is updated in its own memory
    (NumPy semantics, shared by detach()), anything in the graph gets a fresh array so no
    saved value changes under a node. A tensor sharing memory with others (a view, its
    base, a detached alias) goes through `_shared_update`, which keeps them all in step."""
    e = t._extra
    if e is not None and (e.view is not None or e.aliases):
        return _shared_update(t, op, other, index)
    other_rg = isinstance(other, Tensor) and other._requires_grad
    dual = t._tangents is not None or (isinstance(other, Tensor) and
                                           other._tangents is not None)
    if (_grad.enabled and (t._requires_grad or other_rg)) or dual:
        if t.grad_fn is None and t._requires_grad and _grad.enabled:
            raise _leaf_error(t, _LEAF_SELF)
        old = _make(t.data, t.grad_fn)
        old._requires_grad = t._requires_grad
        old._tangents = t._tangents
        r = op(old, old if other is t else other)    # (x *= x: both read the old x)
        _check_shape(r.data, t.data)
        if r.data.dtype != t.data.dtype:
            _check_cast(r.data.dtype, t.data.dtype)
            r = r.astype(t.data.dtype)
        t.data, t._tangents = _layout_of(t.data, r.data), r._tangents
        if r.grad_fn is not None:
            t.grad_fn, t._requires_grad = r.grad_fn, True
    else:
        r = op(t.data, other.data if isinstance(other, Tensor) else other).data
        d = t.data
        if r.dtype != d.dtype:
            _check_cast(r.dtype, d.dtype)
        if t._writable():
            np.copyto(d, r, casting="unsafe")
        else:
            _check_shape(r, d)
            t.data = _layout_of(d, np.asarray(r, dtype=d.dtype))
    t._version += 1
    return t


Tensor._inplace = update


def _shared_update(t, op, other, index=None):
    """t ← op(t, other) for a tensor t that shares memory with others (see the module
    docstring); `index` names the places a setitem writes (None: all of t)."""
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
            raise _leaf_error(t, _LEAF_SELF)
        if detached:
            raise RuntimeError(_DETACHED)
        if enabled and base is not t and base.grad_fn is None and base._requires_grad:
            raise _leaf_error(base, _LEAF)
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
    cur = _snapshot(base) if v is None else _derive(_snapshot(base), v.chain)
    if isinstance(other, Tensor) and _root(other) is base:
        # (the operand reads the memory being written: the op saves a tensor that keeps
        # the old value and never moves to a new version)
        other = cur if other is t else _snapshot(other)
    r = op(cur, other)
    _check_shape(r.data, t.data)
    if r.data.dtype != t.data.dtype:
        _check_cast(r.data.dtype, t.data.dtype)
        r = astype(r, t.data.dtype)
    if v is None:
        new = r
        region = None if index is None else _all_positions(base)[index]
    else:
        pos = _positions(v)
        new = _replace(_snapshot(base), r, pos)
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
                src = _snapshot(base)
            n = _derive(src, rv.chain)
            w.data = n.data
            w._tangents = n._tangents
            if record:
                w.grad_fn, w._requires_grad = n.grad_fn, n._requires_grad
            rv.shared = bool(np.may_share_memory(w.data, base.data))
        elif hit and derive and rv.primal:
            # the value part of the base: its new value and node, without the base's tangent
            if src is None:
                src = _snapshot(base)
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
    shape = np.shape(b.data)
    n = int(np.size(b.data))
    flat = reshape(b, (n,))
    out = _setitem(flat, r, index=(pos,), x_shape=(n,), v_shape=tuple(np.shape(r.data)),
                   sel_shape=tuple(np.shape(pos)), repeats=False)
    return reshape(out, shape)


def _snapshot(t):
    """A new tensor with t's value, node and tangents: an op that saves it saves a tensor
    that never moves to a new version when t does."""
    s = _make(t.data, t.grad_fn)
    s._requires_grad = t._requires_grad
    s._tangents = t._tangents
    return s


def _derive(x, chain):
    for op, params in chain:
        x = op(x, **params)
    return x
