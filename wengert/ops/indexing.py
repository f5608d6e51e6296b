"""Indexing: getitem (basic, integer-array, boolean) and setitem; take, take_along_axis.

getitem is linear; its transpose scatters g into zeros, adding at repeated indices (so
repeated indices accumulate). That scatter is itself a linear op whose transpose is getitem,
so gradients of any order stay inside this pair.
"""
import numpy as np

from ..tensor import Tensor, _make
from ._primitive import linear, primitive
from ._shapes import sum_to

__all__ = ["getitem", "setitem"]


def _normalize(index):
    """Tensors inside an index become arrays; the result is always a tuple."""
    if not isinstance(index, tuple):
        index = (index,)
    return tuple(i.data if isinstance(i, Tensor) else
                 np.asarray(i) if isinstance(i, list) else i for i in index)


def _is_basic(index):
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               for i in index)


def _scatter_fwd(g, index, x_shape):
    """zeros(x_shape) with g added at `index` (repeats accumulate)."""
    lead = np.ndim(g) - _index_out_ndim(index, x_shape)
    out = np.zeros(np.shape(g)[:lead] + tuple(x_shape), dtype=np.result_type(g))
    full = (slice(None),) * lead + index
    if _is_basic(index):
        out[full] = g
    else:
        np.add.at(out, full, g)
    return out


def _index_out_ndim(index, x_shape):
    return len(np.empty(x_shape, dtype=np.bool_)[index].shape) if x_shape else \
        len(np.empty((), dtype=np.bool_)[index].shape)


def _getitem_fwd(x, index):
    return x[index]


def _getitem_transpose(g, x_shape, index):
    return _scatter(g, index=index, x_shape=tuple(x_shape))


def _scatter_transpose(g, g_shape, index, x_shape):
    lead = np.ndim(g) - len(x_shape)
    return g[(slice(None),) * lead + index]


_getitem = linear("getitem", _getitem_fwd, _getitem_transpose, grad_name="Index")
_scatter = linear("scatter_add", _scatter_fwd, _scatter_transpose)


def getitem(x, index):
    """x[index]: basic slicing, integer arrays, boolean masks; differentiable in x."""
    return _getitem(x, index=_normalize(index))


def _setitem_fwd(x, v, index):
    out = np.array(x, copy=True, dtype=np.result_type(x))
    out[index] = v
    return out


def _setitem_vjp(g, needs, x, v, index):
    """x[index] = v: x's gradient is g with the overwritten places zeroed; v's is g[index]
    summed back to v's shape."""
    gx = gv = None
    if needs[0]:
        gx = _setitem(g, 0.0, index=index)
    if needs[1]:
        picked = g[index]
        gv = sum_to(picked, np.shape(v), np.shape(picked))
    return gx, gv


def _setitem_jvp(tangents, x, v, index):
    tx, tv = tangents
    return _setitem(np.zeros(np.shape(x)) if tx is None else tx, 0.0 if tv is None else tv, index=index)


_setitem = primitive("setitem", _setitem_fwd, _setitem_vjp, _setitem_jvp, save=(0, 1))


def setitem(x, index, value):
    """A copy of x with x[index] = value (the functional form of `x[index] = value`)."""
    return _setitem(x, value, index=_normalize(index))
