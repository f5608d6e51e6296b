"""Polynomial arithmetic on coefficient vectors (highest power first, as np.poly*):

    polyadd(a, b), polysub(a, b)   the shorter padded with leading zeros, then ±      (linear)
    polymul(a, b)                  convolve(a, b), leading zeros dropped first       (bilinear)
    polyder(p, m)                  pᵢ·(n − i) for the m-th derivative, m times     (linear)
    polyint(p, m, k)               pᵢ/(n − i + 1), then the constant k, m times  (linear in p, k)
    poly(roots)                    Π (x − rᵢ) as coefficients: repeated convolve with [1, −rᵢ]

All are composites of wengert ops (their gradients are inherited). np.poly1d objects are not
Tensors: call these on coefficient arrays.
"""
import numpy as np

from ..tensor import Tensor
from ._operands import array_of
from .fallback import fallback as _fallback
from .elementwise import isnan, where
from .shape import concatenate, reshape, stack
from .signal import convolve
from .reduction import argmax

__all__ = ["polyadd", "polysub", "polymul", "polyder", "polyint", "poly"]


def _at_least_1d(a):
    """a as a 1-D Tensor or ndarray (a list's + would join the lists, not add them)."""
    if not isinstance(a, Tensor):
        a = np.asarray(a)
    return reshape(a, (-1,)) if np.ndim(array_of(a)) == 0 else a


def _pad_front(a, n):
    if n <= 0:
        return a
    return concatenate([np.zeros(n, dtype=array_of(a).dtype), a])


def polyadd(a1, a2):
    """a1 + a2 as polynomials (np.polyadd).

    Examples
    --------
    >>> p, q = wg.tensor([1.0, 2.0]), wg.tensor([1.0, 0.0, 3.0])
    >>> wg.polyadd(p, q)
    tensor([1., 1., 5.])
    >>> wg.grad(lambda p: wg.sum(wg.polyadd(p, q)))(p)
    tensor([1., 1.])
    """
    a1, a2 = _at_least_1d(a1), _at_least_1d(a2)
    n1, n2 = len(array_of(a1)), len(array_of(a2))
    return _pad_front(a1, n2 - n1) + _pad_front(a2, n1 - n2)


def polysub(a1, a2):
    """a1 − a2 as polynomials (np.polysub).

    Examples
    --------
    >>> p, q = wg.tensor([1.0, 2.0]), wg.tensor([1.0, 0.0, 3.0])
    >>> wg.polysub(p, q)
    tensor([-1.,  1., -1.])
    >>> wg.grad(lambda q: wg.sum(wg.polysub(p, q)))(q)
    tensor([-1., -1., -1.])
    """
    a1, a2 = _at_least_1d(a1), _at_least_1d(a2)
    n1, n2 = len(array_of(a1)), len(array_of(a2))
    return _pad_front(a1, n2 - n1) - _pad_front(a2, n1 - n2)


def polymul(a1, a2):
    """a1·a2 as polynomials (np.polymul): their convolution, leading zeros dropped first.
    d out/d a1[i] = a2 at the matching power, for a dropped zero too.

    Examples
    --------
    >>> p, q = wg.tensor([1.0, 2.0]), wg.tensor([1.0, 3.0])
    >>> wg.polymul(p, q)
    tensor([1., 5., 6.])
    >>> wg.grad(lambda p: wg.sum(wg.polymul(p, q)))(p)
    tensor([4., 4.])
    """
    a1, a2 = _at_least_1d(a1), _at_least_1d(a2)
    k1, k2 = _leading_zeros(a1), _leading_zeros(a2)
    out = convolve(a1[k1:], a2[k2:])
    if k1 + k2 == 0 or not (isinstance(a1, Tensor) or isinstance(a2, Tensor)):
        return out
    # the dropped zeros still move the product: d out[k]/d a1[i] = a2[k + k1 + k2 − i] there
    # too. Their products (0 in value, NaN beside an inf: set to 0) are added as ops.
    lead = [concatenate([a[:k], np.zeros(len(array_of(a)) - k, dtype=array_of(a).dtype)])
            for a, k in ((a1, k1), (a2, k2))]
    extra = (convolve(lead[0], a2) + convolve(a1, lead[1]))[k1 + k2:]
    return out + where(isnan(extra.detach()), np.zeros((), array_of(extra).dtype), extra)


def _leading_zeros(a):
    """How many leading zeros np.polymul's poly1d drops from a (all but the last, if all are
    zero); read by int() (a guard when compiled)."""
    nonzero = concatenate([(a != 0)[:-1], np.ones(1, dtype=bool)])
    return int(argmax(nonzero))


def polyder(p, m=1):
    """The m-th derivative of p (np.polyder).

    Examples
    --------
    >>> p = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.polyder(p)
    tensor([2., 2.])
    >>> wg.grad(lambda p: wg.sum(wg.polyder(p)))(p)
    tensor([2., 1., 0.])
    """
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    for _ in range(m):
        n = len(array_of(p)) - 1
        p = p[:-1] * np.arange(n, 0, -1, dtype=np.result_type(array_of(p).dtype, np.int8))
    return p


def polyint(p, m=1, k=None):
    """The m-th antiderivative of p with integration constants k (np.polyint: one per
    integration, 0 by default; a scalar is used for all).

    Examples
    --------
    >>> p = wg.tensor([3.0, 2.0])
    >>> wg.polyint(p)
    tensor([1.5, 2. , 0. ])
    >>> wg.grad(lambda p: wg.sum(wg.polyint(p)))(p)
    tensor([0.5, 1. ])
    """
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = np.zeros(m)
    if np.ndim(array_of(k)) == 0:
        k = stack([k] * m) if isinstance(k, Tensor) else np.full(m, k)
    if len(array_of(k)) < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _at_least_1d(p)
    for i in range(m):
        n = len(array_of(p))
        p = concatenate([p / np.arange(n, 0, -1), reshape(k[i], (1,))])
    return p


def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given real roots (np.poly). A square
    matrix's characteristic polynomial needs its (complex) eigenvalues: not differentiable.

    Examples
    --------
    >>> r = wg.tensor([1.0, 2.0])
    >>> wg.poly(r)
    tensor([ 1., -3.,  2.])
    >>> wg.grad(lambda r: wg.poly(r)[2])(r)
    tensor([2., 1.])
    """
    d = array_of(seq_of_zeros)
    if d.ndim == 2 and d.shape[0] == d.shape[1] and d.shape[0] != 0 or d.ndim > 1:
        return _fallback(np.poly, (seq_of_zeros,), {}, "np.poly")
    a = np.ones(1, dtype=np.result_type(d.dtype, np.float64) if d.dtype.kind != "f" else d.dtype)
    for i in range(len(d)):
        a = convolve(a, stack([np.ones((), a.dtype if not isinstance(a, Tensor) else a.dtype),
                               -seq_of_zeros[i]]))
    return a
