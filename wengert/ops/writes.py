"""NumPy's in-place writers on Tensors: copyto, put, place, putmask, fill_diagonal,
put_along_axis.

Each is an in-place update of its target, recorded by the Tensor's in-place machinery (as
`dst[...] = ...` is: versions, the leaf rule, saved-tensor checks, dtype casts), as

    dst ← where(hit, v[src], dst)

where `hit` marks the entries the call writes and `src` says which entry of the values lands
there. Both come from NumPy itself: the same function runs on integer arrays of positions, so
cyclic repetition of short values, broadcasting, `mode=`, repeated indices (the last write
wins) and every error are NumPy's own. Derivatives: ∂/∂dst is g where nothing was written and
0 where something was; ∂/∂values gathers g from the entries each value landed in (summed
over repeats of a value, 0 for a value overwritten by a later one).

Into a NumPy array, with values that need a gradient, the value would leave the graph: a
TypeError (API.md §9). On values that need no gradient each is NumPy's own call.
"""
import numpy as np

from ..grad_mode import state as _grad
from ..tensor import Tensor, _has_tangents, _needs_grad, _strip
from .elementwise import astype, where
from .indexing import take
from .shape import ravel, reshape

__all__ = ["copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis"]


def _needs(obj):
    return (_grad.enabled and _needs_grad(obj)) or _has_tangents(obj)


def _values(v):
    """The values as a Tensor (kept) or an ndarray."""
    if isinstance(v, Tensor):
        return v
    if isinstance(v, (list, tuple)) and any(isinstance(e, Tensor) for e in v):
        from .shape import stack
        return stack(list(v))
    return np.asarray(v)


def _into_array(name, values, instead):
    """Writing into an ndarray: fine for values that need no gradient, else the §9 error."""
    if _needs(values):
        raise TypeError(
            f"np.{name}(ndarray, ...) would write a value that requires grad into a NumPy "
            f"array, where the graph cannot follow it (the value would leave the graph). "
            f"{instead}, or call it on .detach()ed tensors if no gradient is needed")


def _write(dst, values, placed):
    """dst ← the values placed where `placed(positions, value_indices)` (NumPy's own
    function on integer arrays) puts them."""
    v = _values(values)
    vd = v.data if isinstance(v, Tensor) else v
    shape = dst.data.shape
    pos = np.full(shape, -1, dtype=np.intp)
    placed(pos, np.arange(vd.size, dtype=np.intp).reshape(vd.shape))
    hit = pos >= 0
    if not hit.any():
        return None
    src = np.where(hit, pos, 0).reshape(-1)

    def op(old, val):
        dt = old.data.dtype if isinstance(old, Tensor) else old.dtype
        got = reshape(take(ravel(val), src), shape)
        gd = got.data if isinstance(got, Tensor) else np.asarray(got)
        if gd.dtype != dt:
            got = astype(got, dt)
        return where(hit, got, old)

    dst._inplace(op, v)
    return None


def _plain(x):
    return x.data if isinstance(x, Tensor) else x


_TENSOR_FIRST = "Make the array a Tensor first (t = wg.tensor(a)) and update that"


def copyto(dst, src, casting="same_kind", where=True):
    """dst ← src (broadcast to dst's shape) where `where` holds, in place (np.copyto).
    ∂/∂dst: g where not copied, 0 where copied; ∂/∂src: g where copied, summed over src's
    broadcasting. NumPy's casting rule applies to src's dtype (checked by NumPy).

    Examples
    --------
    >>> b = wg.tensor(9.0, requires_grad=True)
    >>> a = wg.zeros(3)
    >>> wg.copyto(a, b, where=[True, False, True])
    >>> a.detach()
    tensor([9., 0., 9.])
    >>> wg.sum(a).backward()
    >>> b.grad
    tensor(2.)
    """
    mask = _plain(where)
    src = _values(src)
    if not isinstance(dst, Tensor):
        _into_array("copyto", src, "Make the destination a Tensor (t = wg.tensor(a)) and "
                                   "copy into that, or write `wg.where(where, src, dst)`")
        return np.copyto(dst, _plain(src), casting=casting, where=mask)
    np.copyto(np.empty_like(dst.data), _plain(src), casting=casting, where=mask)  # NumPy's checks
    return _write(dst, src, lambda p, i: np.copyto(p, i, casting="unsafe", where=mask))


def put(a, ind, v, mode="raise"):
    """a.flat[ind] = v in place (np.put): v repeats cyclically, the last of repeated indices
    wins, mode 'raise'/'wrap'/'clip' as NumPy. ∂ as an index assignment.

    Examples
    --------
    >>> v = wg.tensor([5.0, 6.0], requires_grad=True)
    >>> a = wg.zeros(3)
    >>> wg.put(a, [0, 2], v)
    >>> a.detach()
    tensor([5., 0., 6.])
    >>> wg.sum(a * wg.tensor([1.0, 2.0, 3.0])).backward()
    >>> v.grad
    tensor([1., 3.])
    """
    ind = _plain(ind)
    if not isinstance(a, Tensor):
        _into_array("put", v, _TENSOR_FIRST)
        return np.put(a, ind, _plain(v), mode=mode)
    return _write(a, v, lambda p, i: np.put(p, ind, i, mode=mode))


def place(arr, mask, vals):
    """arr[mask] = the first N of vals, repeated cyclically (np.place), in place.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> a = x * 1.0
    >>> wg.place(a, a > 1.5, [9.0])
    >>> a.detach()
    tensor([1., 9., 9.])
    >>> wg.sum(a).backward()
    >>> x.grad
    tensor([1., 0., 0.])
    """
    mask = _plain(mask)
    if not isinstance(arr, Tensor):
        _into_array("place", vals, _TENSOR_FIRST)
        return np.place(arr, mask, _plain(vals))
    return _write(arr, vals, lambda p, i: np.place(p, mask, i))


def putmask(a, mask, values):
    """a.flat[n] = values[n % len(values)] where mask.flat[n] (np.putmask), in place.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> a = x * 1.0
    >>> wg.putmask(a, a > 1.5, [8.0, 9.0])
    >>> a.detach()
    tensor([1., 9., 8.])
    >>> wg.sum(a).backward()
    >>> x.grad
    tensor([1., 0., 0.])
    """
    mask = _plain(mask)
    if not isinstance(a, Tensor):
        _into_array("putmask", values, _TENSOR_FIRST + ", or write `wg.where(mask, values, a)`")
        return np.putmask(a, mask, _plain(values))
    return _write(a, values, lambda p, i: np.putmask(p, mask, i))


def fill_diagonal(a, val, wrap=False):
    """The main diagonal of a (all axes equal beyond 2-D; tall matrices wrap when `wrap`)
    set to val, repeated cyclically (np.fill_diagonal), in place.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> a = x * 1.0
    >>> wg.fill_diagonal(a, 0.0)
    >>> a.detach()
    tensor([[0., 2.],
            [3., 0.]])
    >>> wg.sum(a).backward()
    >>> x.grad
    tensor([[0., 1.],
            [1., 0.]])
    """
    if not isinstance(a, Tensor):
        _into_array("fill_diagonal", val, _TENSOR_FIRST)
        return np.fill_diagonal(a, _plain(val), wrap=wrap)
    return _write(a, val, lambda p, i: np.fill_diagonal(p, i, wrap=wrap))


def put_along_axis(arr, indices, values, axis):
    """arr[…, indices, …] = values along `axis` (np.put_along_axis; values broadcast to the
    indices), in place; the last of repeated indices wins.

    Examples
    --------
    >>> v = wg.tensor([[5.0], [6.0]], requires_grad=True)
    >>> a = wg.zeros((2, 2))
    >>> wg.put_along_axis(a, wg.tensor([[1], [0]]), v, axis=1)
    >>> a.detach()
    tensor([[0., 5.],
            [6., 0.]])
    >>> wg.sum(a * wg.tensor([[1.0, 2.0], [3.0, 4.0]])).backward()
    >>> v.grad
    tensor([[2.],
            [3.]])
    """
    indices = _plain(indices)
    if not isinstance(arr, Tensor):
        _into_array("put_along_axis", values, _TENSOR_FIRST)
        return np.put_along_axis(arr, indices, _plain(values), axis)
    return _write(arr, values, lambda p, i: np.put_along_axis(p, indices, i, axis))
