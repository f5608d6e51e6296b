"""PyTorch's arithmetic functions without a NumPy namesake (API §10): lerp, rsqrt, clamp_min,
clamp_max, std_mean, var_mean, addmm, cdist, broadcast_tensors.

Each is a composite of existing ops and inherits their derivatives to every order and in both
modes:

    lerp(a, b, w)       a + w·(b − a)          ∂/∂a = 1 − w, ∂/∂b = w, ∂/∂w = b − a
    rsqrt(x)            x^(−1/2)               d/dx = −x^(−3/2) / 2
    addmm(c, A, B)      β·c + α·A@B
    cdist(x, y, p)      ‖xᵢ − yⱼ‖_p            subgradient 0 where xᵢ = yⱼ
"""
import numpy as np

from .assemble import broadcast_arrays
from .elementwise import add, multiply, power, sqrt, subtract
from .linalg.norms import vector_norm
from .linalg.products import matmul
from .reduction import mean as _mean, var as _var
from .shape import expand_dims
from .torch_ops import _tensor, clamp

__all__ = ["lerp", "rsqrt", "clamp_min", "clamp_max", "std_mean", "var_mean", "addmm", "cdist",
           "broadcast_tensors"]


def lerp(input, end, weight):
    """Linear interpolation input + weight·(end − input); weight a number or a tensor
    (all three broadcast). ∂/∂input = 1 − weight, ∂/∂end = weight, ∂/∂weight = end − input.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.lerp(wg.tensor([0., 10.]), wg.tensor([1., 20.]), 0.25)
    tensor([ 0.25, 12.5 ])
    """
    a = _tensor(input, "lerp")
    return add(a, multiply(weight, subtract(end, a)))


def rsqrt(input):
    """1/√x elementwise. d/dx x^(−1/2) = −x^(−3/2) / 2.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.rsqrt(wg.tensor([4., 0.25]))
    tensor([0.5, 2. ])
    """
    return power(_tensor(input, "rsqrt"), -0.5)


def clamp_min(input, min):
    """max(input, min) elementwise: clamp(input, min=min). d/dx = 1 above min, 0 below.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.clamp_min(wg.tensor([-1., 2.]), 0.)
    tensor([0., 2.])
    """
    return clamp(input, min=min)


def clamp_max(input, max):
    """min(input, max) elementwise: clamp(input, max=max). d/dx = 1 below max, 0 above.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.clamp_max(wg.tensor([-1., 2.]), 1.)
    tensor([-1.,  1.])
    """
    return clamp(input, max=max)


def _correction(fname, correction, unbiased):
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"wengert.{fname}: give correction= or unbiased=, not both")
        return 1 if unbiased else 0
    return 1 if correction is None else correction


def var_mean(input, dim=None, *, correction=None, keepdim=False, unbiased=None):
    """(variance, mean) over `dim` (all elements when None), PyTorch's var_mean.

    var = Σ (x − mean)² / (n − correction). As in PyTorch the default correction is 1
    (the unbiased estimate), unlike wengert.var / wengert.std, which keep NumPy's ddof=0;
    unbiased=False is correction=0.

    Examples
    --------
    >>> import wengert as wg
    >>> v, m = wg.var_mean(wg.tensor([1., 2., 3., 4.]))
    >>> float(v), float(m)
    (1.6666666666666667, 2.5)
    """
    a = _tensor(input, "var_mean")
    c = _correction("var_mean", correction, unbiased)
    axis = tuple(dim) if isinstance(dim, list) else dim
    return (_var(a, axis=axis, ddof=c, keepdims=keepdim),
            _mean(a, axis=axis, keepdims=keepdim))


def std_mean(input, dim=None, *, correction=None, keepdim=False, unbiased=None):
    """(standard deviation, mean) over `dim`, PyTorch's std_mean: √ of var_mean's variance
    (default correction 1, as in PyTorch; wengert.std keeps NumPy's ddof=0).

    Examples
    --------
    >>> import wengert as wg
    >>> s, m = wg.std_mean(wg.tensor([[1., 3.], [2., 6.]]), dim=1)
    >>> s, m
    (tensor([1.41421356, 2.82842712]), tensor([2., 4.]))
    """
    v, m = var_mean(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased)
    return sqrt(v), m


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta·input + alpha·(mat1 @ mat2) for 2-D mat1 (n, k) and mat2 (k, m); input broadcasts
    to (n, m). With beta = 0 input is ignored (NaN in it does not propagate), as in PyTorch.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.addmm(wg.ones(2), wg.eye(2), wg.tensor([[1., 2.], [3., 4.]]), alpha=2)
    tensor([[3., 5.],
            [7., 9.]])
    """
    m1, m2 = _tensor(mat1, "addmm"), _tensor(mat2, "addmm")
    if m1.ndim != 2 or m2.ndim != 2:
        raise ValueError(f"wengert.addmm: mat1 and mat2 must be 2-D, got shapes "
                         f"{tuple(m1.shape)} and {tuple(m2.shape)}")
    if m1.shape[1] != m2.shape[0]:
        raise ValueError(f"wengert.addmm: mat1 {tuple(m1.shape)} and mat2 {tuple(m2.shape)} "
                         "cannot be multiplied (mat1's columns must equal mat2's rows)")
    c = _tensor(input, "addmm")
    out_shape = (m1.shape[0], m2.shape[1])
    try:
        fits = np.broadcast_shapes(c.shape, out_shape) == out_shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"wengert.addmm: input of shape {tuple(c.shape)} does not broadcast "
                         f"to the product's shape {out_shape}")
    prod = matmul(m1, m2)
    if alpha != 1:
        prod = multiply(prod, alpha)
    if beta == 0:
        return add(prod, np.zeros(out_shape, dtype=prod.dtype)) if c.shape != out_shape \
            else prod
    return add(c if beta == 1 else multiply(c, beta), prod)


def cdist(x1, x2, p=2.0, compute_mode=None):
    """The p-norm distance between each row of x1 (…, P, M) and each row of x2 (…, R, M):
    out[…, i, j] = ‖x1[…, i, :] − x2[…, j, :]‖_p, shape (…, P, R). p ≥ 0 or inf.

    The gradient is that of vector_norm: (x − y)·|x − y|^(p−2) / ‖x − y‖^(p−1), and the
    subgradient 0 where two rows coincide. compute_mode is accepted for PyTorch's signature;
    the distances are always computed directly (not through matrix products).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.cdist(wg.tensor([[0., 0.], [1., 1.]]), wg.tensor([[3., 4.]]))
    tensor([[5.        ],
            [3.60555128]])
    """
    a, b = _tensor(x1, "cdist"), _tensor(x2, "cdist")
    if a.ndim < 2 or b.ndim < 2:
        raise ValueError(f"wengert.cdist: x1 and x2 need at least 2 dims (…, rows, M), got "
                         f"shapes {tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"wengert.cdist: x1 and x2 must have the same number of columns, "
                         f"got {a.shape[-1]} and {b.shape[-1]}")
    if not (p >= 0):
        raise ValueError(f"wengert.cdist: p must be ≥ 0 (or inf), got {p}")
    if compute_mode not in (None, "use_mm_for_euclid_dist_if_necessary",
                            "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"wengert.cdist: unknown compute_mode {compute_mode!r}")
    diff = subtract(expand_dims(a, -2), expand_dims(b, -3))
    return vector_norm(diff, axis=-1, ord=p)


def broadcast_tensors(*tensors):
    """The tensors broadcast against each other, as a tuple (NumPy's broadcast_arrays). The
    gradient of each is g summed over the axes it was broadcast along.

    Examples
    --------
    >>> import wengert as wg
    >>> a, b = wg.broadcast_tensors(wg.zeros((2, 1)), wg.ones(3))
    >>> a.shape, b.shape
    ((2, 3), (2, 3))
    """
    return broadcast_arrays(*tensors)
