"""Reductions: sum mean prod max min var std cumsum cumprod logsumexp argmax argmin all any.

Each rule is batch-polymorphic: axes are normalised to negative numbers from the input
shape known at forward time, so cotangents with leading batch axes pass through.
"""
import builtins

import numpy as np

from ..tensor import Tensor, _make
from ._primitive import linear
from ._shapes import negative_axes

__all__ = ["sum", "mean"]


def _sum_transpose(g, x_shape, axis=None, keepdims=False):
    """Σ copies each input element into one output, so the transpose copies g back."""
    if not keepdims:
        g = np.expand_dims(g, negative_axes(axis, len(x_shape)))
    return np.broadcast_to(g, g.shape[:g.ndim - len(x_shape)] + tuple(x_shape))


_sum = linear("sum", lambda x, axis=None, keepdims=False: np.sum(x, axis=axis, keepdims=keepdims),
              _sum_transpose)


def _no_extras(fname, out=None, initial=None, where=None):
    if out is not None or initial is not None or where is not None:
        raise TypeError(f"wengert.{fname} does not support out=, initial= or where=; "
                        f"compute the result and combine it explicitly")


def _is_float(a):
    return isinstance(a, Tensor) and a.data.dtype.kind in "fc"


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Σ a over `axis`. ∂/∂a = 1: the gradient is broadcast back."""
    _no_extras("sum", out, initial, where)
    if dtype is not None:
        a = a.astype(dtype) if isinstance(a, Tensor) else np.asarray(a, dtype=dtype)
    if isinstance(axis, list):
        axis = tuple(axis)
    return _sum(a, axis=axis, keepdims=keepdims)


def _count(shape, axis):
    n = 1
    for ax in negative_axes(axis, len(shape)):
        n *= shape[ax]
    return n


def mean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """Σ a / n over `axis`. ∂/∂a = 1/n."""
    _no_extras("mean", out, None, where)
    if isinstance(axis, list):
        axis = tuple(axis)
    shape = np.shape(a)
    s = sum(a, axis=axis, dtype=dtype, keepdims=keepdims)
    if not _is_float(s):
        s = s.astype(np.float64)
    return s / _count(shape, axis)
