"""Structured products: kron and cross.

Both are composites of reshape, slicing, multiply and subtract (bilinear), so they inherit
rules of every order and register no primitive:

* kron(a, b)[i·B + k] = a[i]·b[k] per axis (B = b's length there): a broadcast product of a
  with unit axes interleaved and b, reshaped. ∂/∂a = Σ over each block of g·b, ∂/∂b = Σ over
  the blocks of g·a.
* cross(a, b) = (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀); a 2-vector is a 3-vector with z = 0
  (and two 2-vectors give the z component alone, a scalar per pair). ∂/∂a = b × g,
  ∂/∂b = g × a.
"""
import warnings

import numpy as np

from ..tensor import Tensor
from ._shapes import negative_axes
from .elementwise import astype
from .indexing import getitem
from .shape import broadcast_to, moveaxis, reshape, stack

__all__ = ["kron", "cross"]


def _input(a):
    return a if isinstance(a, Tensor) else np.asarray(a)


def _shape(a):
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)


def kron(a, b):
    """The Kronecker product (np.kron): blocks a[i]·b, for inputs of any number of axes (the
    one with fewer gets leading unit axes).

    Examples
    --------
    >>> wg.kron(wg.tensor([1.0, 2.0]), wg.tensor([1.0, 10.0]))
    tensor([ 1., 10.,  2., 20.])
    """
    a, b = _input(a), _input(b)
    sa, sb = _shape(a), _shape(b)
    if len(sa) < len(sb):                       # NumPy: a gets b's ndim at least
        sa = (1,) * (len(sb) - len(sa)) + sa
        a = reshape(a, sa)
    if not sa or not sb:
        return a * b
    sb = (1,) * (len(sa) - len(sb)) + sb
    spread_a = tuple(v for s in sa for v in (s, 1))
    spread_b = tuple(v for s in sb for v in (1, s))
    out = reshape(a, spread_a) * reshape(b, spread_b)
    return reshape(out, tuple(x * y for x, y in zip(sa, sb)))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (or 2-vectors, as NumPy: deprecated there, warned here
    too) along axisa of a and axisb of b, broadcast over the other axes, put on axisc
    (np.cross; `axis` sets all three).

    Examples
    --------
    >>> wg.cross(wg.tensor([1.0, 0.0, 0.0]), wg.tensor([0.0, 1.0, 0.0]))
    tensor([0., 0., 1.])
    """
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _input(a), _input(b)
    if len(_shape(a)) < 1 or len(_shape(b)) < 1:
        raise ValueError("At least one array has zero dimension")
    a = moveaxis(a, negative_axes(int(axisa), len(_shape(a)))[0], -1)
    b = moveaxis(b, negative_axes(int(axisb), len(_shape(b)))[0], -1)
    na, nb = _shape(a)[-1], _shape(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n"
                         "(dimension must be 2 or 3)")
    if na == 2 or nb == 2:
        warnings.warn("Arrays of 2-dimensional vectors are deprecated. Use arrays of "
                      "3-dimensional vectors instead. (deprecated in NumPy 2.0)",
                      DeprecationWarning, stacklevel=2)
    dtype = np.promote_types(a.dtype, b.dtype)
    a = a if a.dtype == dtype else astype(a, dtype)
    b = b if b.dtype == dtype else astype(b, dtype)
    a0, a1 = getitem(a, (Ellipsis, 0)), getitem(a, (Ellipsis, 1))
    b0, b1 = getitem(b, (Ellipsis, 0)), getitem(b, (Ellipsis, 1))
    z = a0 * b1 - a1 * b0
    if na == 2 and nb == 2:
        return z
    if na == 3 and nb == 3:
        a2, b2 = getitem(a, (Ellipsis, 2)), getitem(b, (Ellipsis, 2))
        x = a1 * b2 - a2 * b1
        y = a2 * b0 - a0 * b2
    elif na == 2:
        b2 = getitem(b, (Ellipsis, 2))
        x = a1 * b2
        y = -(a0 * b2)
    else:
        a2 = getitem(a, (Ellipsis, 2))
        x = -(a2 * b1)
        y = a2 * b0
    shape = np.broadcast_shapes(_shape(x), _shape(y), _shape(z))
    parts = [p if _shape(p) == shape else broadcast_to(p, shape) for p in (x, y, z)]
    nd = len(shape) + 1
    axisc = negative_axes(int(axisc), nd)[0]
    out = stack(parts, axis=-1)
    return out if axisc == -1 else moveaxis(out, -1, axisc)

