"""Running reductions: cumsum cumprod — NumPy 2 signatures (axis=None works on the
flattened array, dtype=).

    cumsum     linear       transpose: reversed cumsum of g
    cumprod    ∂yₖ/∂xᵢ = Πⱼ≤ₖ,ⱼ≠ᵢ xⱼ for i ≤ k     (never divides by a zero: exact with zeros)

Both rules are batch-polymorphic and use only inputs, outputs and params, so with
create_graph=True they are recorded and differentiated again.
"""
import numpy as np

from ..tensor import Tensor
from ._primitive import linear, primitive
from .reduction import _cast, _input, _no_extras, _one_axis, _revcumsum
from .shape import reshape

__all__ = ["cumsum", "cumprod"]


def _cumsum_transpose(g, x_shape, axis):
    """yₖ = Σ_{i≤k} xᵢ, so ∂L/∂xᵢ = Σ_{k≥i} gₖ: a reversed cumsum."""
    return _revcumsum(g, axis)


_cumsum = linear("cumsum", lambda x, axis: np.cumsum(x, axis=axis), _cumsum_transpose)


def _flat_axis(a, axis, fname):
    """NumPy's cumulative convention: axis=None works on the flattened array."""
    if axis is None:
        if np.ndim(a) != 1:
            a = reshape(a, (-1,)) if isinstance(a, Tensor) else np.reshape(a, (-1,))
        return a, -1
    return a, _one_axis(axis, np.shape(a), fname)


def cumsum(a, axis=None, dtype=None, out=None):
    """Running sum along `axis` (the flattened array when None). Linear; its transpose is
    the reversed running sum: ∂L/∂aᵢ = Σ_{k≥i} gₖ.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> wg.cumsum(x)
    tensor([1., 3., 6.], grad_fn=<CumsumBackward>)
    >>> wg.cumsum(x).sum().backward()
    >>> x.grad
    tensor([3., 2., 1.])
    """
    _no_extras("cumsum", out)
    a = _cast(_input(a, "cumsum"), dtype)
    a, ax = _flat_axis(a, axis, "cumsum")
    return _cumsum(a, axis=ax)


def _cumprod_grad(g, x, y, ax):
    """Σ_{k≥i} gₖ ∂yₖ/∂xᵢ for y = cumprod(x) along ax, where ∂yₖ/∂xᵢ = Πⱼ≤ₖ,ⱼ≠ᵢ xⱼ (i ≤ k).

    No zeros: revcumsum(g·y)/x. Otherwise, with z the first zero of a slice: before z the
    same formula holds; at z, Σ_{k≥z} gₖ·cumprod(x′)ₖ with x′ = x with x_z set to 1; after
    z, 0. On Tensors (recording, for higher order) the part after z is kept as the exact
    polynomial instead, x_z·(gradient of cumprod(x′)), recursing on x′, so the recorded
    rule has the true derivatives at zeros too.
    """
    zero = x == 0           # (a Tensor for a Tensor x: a compiling trace guards on it)
    if not zero.any():
        return _revcumsum(g * y, ax) / x
    seen = np.cumsum(zero, axis=ax)
    first = zero & (seen == 1)
    x1 = np.where(first, 1, x)
    y1 = np.cumprod(x1, axis=ax)
    at_first = _revcumsum(g * y1, ax)
    if isinstance(x, Tensor):
        xz = np.sum(np.where(first, x, 0), axis=ax, keepdims=True)
        rest = _cumprod_grad(g * np.where(seen > 0, xz, 1), x1, y1, ax)
    else:
        before = seen == 0
        rest = np.where(before, _revcumsum(g * y, ax) / np.where(before, x, 1), 0)
    return np.where(first, at_first, rest)


def _cumprod_tangent(t, x, y, ax):
    """Σ_{i≤k} tᵢ ∂yₖ/∂xᵢ: y·cumsum(t/x) without zeros; the same split at the first zero."""
    zero = x == 0
    if not zero.any():
        return y * np.cumsum(t / x, axis=ax)
    seen = np.cumsum(zero, axis=ax)
    first = zero & (seen == 1)
    x1 = np.where(first, 1, x)
    y1 = np.cumprod(x1, axis=ax)
    tz = np.sum(np.where(first, t, 0), axis=ax, keepdims=True)
    if isinstance(x, Tensor):
        xz = np.sum(np.where(first, x, 0), axis=ax, keepdims=True)
        return (_cumprod_tangent(np.where(first, 0, t), x1, y1, ax) * np.where(seen > 0, xz, 1)
                + y1 * np.where(seen > 0, tz, 0))
    before = seen == 0
    return np.where(before, y * np.cumsum(t / np.where(before, x, 1), axis=ax), tz * y1)


_cumprod = primitive("cumprod", lambda x, axis: np.cumprod(x, axis=axis),
                     lambda g, needs, x, y, axis: (_cumprod_grad(g, x, y, axis),),
                     lambda tangents, x, y, axis: _cumprod_tangent(tangents[0], x, y, axis),
                     save=(0,), save_out=True)


def cumprod(a, axis=None, dtype=None, out=None):
    """Running product along `axis` (the flattened array when None).
    ∂yₖ/∂aᵢ = Πⱼ≤ₖ,ⱼ≠ᵢ aⱼ for i ≤ k, computed without dividing by zeros: the gradient is
    exact where a contains zeros (first order always; higher orders too, by recursion on
    the zeros when the backward pass is recorded).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> wg.cumprod(x)
    tensor([1., 2., 6.], grad_fn=<CumprodBackward>)
    >>> wg.cumprod(x)[-1].backward()
    >>> x.grad
    tensor([6., 3., 2.])
    """
    _no_extras("cumprod", out)
    a = _cast(_input(a, "cumprod"), dtype)
    a, ax = _flat_axis(a, axis, "cumprod")
    return _cumprod(a, axis=ax)
