"""Norms and spectra: vector_norm matrix_norm norm svdvals cond matrix_rank.

Primitive: vector_norm (VJP and JVP beside it, in NumPy vocabulary so they differentiate
again). The rest are composites: matrix norms of vector norms ('fro', ±1, ±inf) or of the
singular values (2, −2, 'nuc': svd's rule, distinct singular values needed), cond a ratio of
singular values (p = None, ±2) or ‖A‖·‖A⁻¹‖, matrix_rank an integer constant.

Conventions:
* vector_norm: at x = 0 the gradient of every p-norm is the subgradient 0 (never NaN); for
  ord=±inf the gradient is split evenly among entries tied for the max (min) |x|; ord=0 (a
  count) has gradient 0.
"""
import numpy as np

from ...tensor import _make
from .._primitive import primitive
from .._shapes import negative_axes
from ..elementwise import divide, multiply
from ..reduction import sum as _sum
from ..shape import expand_dims, permute_dims, reshape
from .._operands import array_of
from ._common import LinAlgError, _square, _as_tensor
from .decompositions import svd
from .inverses import inv


# ---- vector_norm --------------------------------------------------------------------------

def _vnorm_fwd(x, ord, axis, keepdims):
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _vnorm_grad_factor(x, n, ord, axes):
    """The local derivative, n already expanded to keepdims form."""
    if ord == np.inf or ord == -np.inf:
        hit = (np.abs(x) == n).astype(x.dtype)
        count = np.sum(hit, axis=axes, keepdims=True)
        return np.sign(x) * hit / np.where(count == 0, 1.0, count)
    if ord == 2:
        return x / np.where(n == 0, 1.0, n)
    a = np.abs(x)
    r = np.where(a == 0, 1.0, a / np.where(n == 0, 1.0, n))
    return np.sign(x) * r ** (ord - 1)


def _vnorm_vjp(g, needs, x, n, ord, axis, keepdims):
    """‖x‖_p = (Σ|x|^p)^(1/p): ∂/∂x = sign(x) (|x|/‖x‖)^(p−1); x/‖x‖ for p = 2; for ±inf
    sign(x) on the entries attaining the max (min) |x|, split evenly."""
    if ord == 0:
        return (None,)
    axes = negative_axes(axis, np.ndim(x))
    if not keepdims:
        g = np.expand_dims(g, axes)
        n = np.expand_dims(n, axes)
    return (g * _vnorm_grad_factor(x, n, ord, axes),)


def _vnorm_jvp(tangents, x, n, ord, axis, keepdims):
    t = tangents[0]
    axes = negative_axes(axis, np.ndim(x))
    if ord == 0:
        return np.sum(t * 0.0, axis=axes, keepdims=keepdims)
    nk = n if keepdims else np.expand_dims(n, axes)
    return np.sum(t * _vnorm_grad_factor(x, nk, ord, axes), axis=axes, keepdims=keepdims)


_vector_norm = primitive("vector_norm", _vnorm_fwd, _vnorm_vjp, _vnorm_jvp, save_out=True)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """‖x‖_p over `axis` (all axes when None): (Σ|x|^p)^(1/p); ord=inf/−inf: max/min |x|;
    ord=0: the number of nonzeros. Gradient sign(x)(|x|/‖x‖)^(p−1) (x/‖x‖ for p = 2), the
    subgradient 0 at x = 0, ties split evenly for ±inf.

    Examples
    --------
    >>> wg.linalg.vector_norm(wg.tensor([3.0, -4.0]), ord=1)
    tensor(7.)
    """
    if isinstance(ord, str) or ord is None:
        raise ValueError(f"vector_norm: invalid norm order {ord!r} for vectors")
    if isinstance(axis, list):
        axis = tuple(axis)
    negative_axes(axis, np.ndim(x))            # validates
    ord = float(ord)
    if ord.is_integer():
        ord = int(ord)          # a Python number: keeps float32 rules float32
    return _vector_norm(x, ord=ord, axis=axis, keepdims=bool(keepdims))


# ---- matrix norms -------------------------------------------------------------------------

def _drop_axes(y, axes, keepdims):
    """Remove the kept size-1 axes `axes` (non-negative) unless keepdims."""
    if keepdims:
        return y
    s = np.shape(y)
    return reshape(y, tuple(d for i, d in enumerate(s) if i not in axes))


def _matrix_norm_axes(x, ord, r, c, keepdims):
    """Matrix norm over axes (r, c) (non-negative, distinct) of x."""
    nd = np.ndim(x)
    if ord in (None, "fro", "f"):
        return vector_norm(x, axis=(r, c), keepdims=keepdims, ord=2)
    if ord in (1, -1, np.inf, -np.inf):
        inner_ax, outer_ax = (r, c) if ord in (1, -1) else (c, r)
        sums = vector_norm(x, axis=inner_ax, keepdims=True, ord=1)
        y = vector_norm(sums, axis=outer_ax, keepdims=True, ord=np.inf if ord > 0 else -np.inf)
        return _drop_axes(y, (r, c), keepdims)
    if ord in (2, -2, "nuc"):
        rest = [i for i in range(nd) if i not in (r, c)]
        s = svdvals(permute_dims(x, tuple(rest) + (r, c)))
        y = _sum(s, axis=-1) if ord == "nuc" else s[..., 0] if ord == 2 else s[..., -1]
        return expand_dims(y, tuple(sorted((r, c)))) if keepdims else y
    raise ValueError(f"invalid norm order {ord!r} for matrices")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Norm of the matrices in the last two axes: 'fro', 'nuc' (Σ singular values),
    2/−2 (largest/smallest singular value), 1/−1 (max/min column Σ|x|), inf/−inf (rows).

    Examples
    --------
    >>> wg.linalg.matrix_norm(wg.tensor([[3.0, 0.0], [0.0, 4.0]]))    # Frobenius
    tensor(5.)
    """
    x = _as_tensor(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_norm: expected at least two dimensions, got shape {x.shape}")
    return _matrix_norm_axes(x, ord, x.ndim - 2, x.ndim - 1, keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's norm: a vector norm over one axis, a matrix norm over two; with axis=None the
    2-norm of the flattened array when ord is None, else by x.ndim (1: vector, 2: matrix).

    Examples
    --------
    >>> x = wg.tensor([3.0, 4.0], requires_grad=True)
    >>> wg.linalg.norm(x)
    tensor(5., grad_fn=<VectorNormBackward>)
    >>> wg.linalg.norm(x).backward()
    >>> x.grad                      # x/‖x‖
    tensor([0.6, 0.8])
    """
    x = _as_tensor(x)
    nd = x.ndim
    if axis is None:
        if ord is None:
            return vector_norm(x, axis=None, keepdims=keepdims, ord=2)
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError(f"norm: improper number of dimensions to norm (shape {x.shape}); "
                             f"give axis= with one or two axes")
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axis = tuple(int(a) for a in axis)
    if len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
        return vector_norm(x, axis=axis, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axis) == 2:
        r, c = (a % nd for a in negative_axes(axis, nd))
        if r == c:
            raise ValueError(f"norm: duplicate axes given: {axis}")
        return _matrix_norm_axes(x, ord, r, c, keepdims)
    raise ValueError(f"norm: improper number of axes {axis} (give one or two)")


# ---- singular values and what they measure ------------------------------------------------

def svdvals(x, /):
    """Singular values, descending. ∂: Ā = U diag(s̄) Vh.

    Examples
    --------
    >>> wg.linalg.svdvals(wg.tensor([[3.0, 0.0], [0.0, 4.0]]))
    tensor([4., 3.])
    """
    return svd(x, compute_uv=False)


def cond(x, p=None):
    """The condition number: s_max/s_min for p = None or 2 (s_min/s_max for −2), else
    ‖x‖_p ‖x⁻¹‖_p ('fro', 'nuc', ±1, ±inf). Differentiable where the singular values used
    are distinct (p = ±2) or x is invertible.

    Examples
    --------
    >>> wg.linalg.cond(wg.tensor([[1.0, 0.0], [0.0, 4.0]]))
    tensor(4.)
    """
    if np.ndim(array_of(x)) < 2 or np.size(array_of(x)) == 0:
        raise LinAlgError("cond is not defined on empty arrays or on fewer than two axes")
    if p is None or p in (2, -2):
        s = svdvals(x)
        with np.errstate(all="ignore"):
            if p == -2:
                return divide(s[..., -1], s[..., 0])
            return divide(s[..., 0], s[..., -1])
    _square("cond", x)
    return multiply(matrix_norm(x, ord=p), matrix_norm(inv(x), ord=p))


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The number of singular values above the tolerance (np.linalg.matrix_rank): an integer
    tensor that never requires grad.

    Examples
    --------
    >>> wg.linalg.matrix_rank(wg.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(1)
    """
    return _make(np.asarray(np.linalg.matrix_rank(array_of(A), tol=tol, hermitian=hermitian,
                                                  rtol=rtol)), None)
