"""Inverses and solves: inv solve matrix_power pinv lstsq tensorinv tensorsolve.

Primitives (rules beside their forwards, written in NumPy vocabulary so that they record
and differentiate again; every rule accepts cotangents/tangents with extra leading batch
axes):

inv    Y = A⁻¹:  Ā = −Yᵀ Ḡ Yᵀ,  dY = −Y dA Y.
solve  x = A⁻¹ b:  b̄ = A⁻ᵀ Ḡ, Ā = −b̄ xᵀ (each summed back over broadcast batch axes);
       dx = A⁻¹ (db − dA x).
       inv and solve differentiate through A⁻¹: at a singular matrix the backward pass
       raises LinAlgError (as the forward pass does).
pinv   X = A⁺ (m×n A, n×m X). For A of locally constant rank (Golub & Pereyra):
           dX = −X dA X + X Xᵀ dAᵀ (I − A X) + (I − X A) dAᵀ Xᵀ X
       so  Ā = −Xᵀ Ḡ Xᵀ + (I − A X) Ḡᵀ X Xᵀ + Xᵀ X Ḡᵀ (I − X A).
       Correct for rank-deficient A as long as perturbations keep the rank (the singular
       values NumPy's cutoff drops stay dropped); where the rank changes, A⁺ jumps and has
       no derivative. hermitian=True reads the lower triangle, as NumPy does: A is
       S = tril(A) + tril(A, −1)ᵀ, the formulas hold for S, and Ā is S̄ folded back onto
       the lower triangle (zero on the strict upper one, as eigh and cholesky).

The rest are composites: matrix_power is repeated matmul (of inv(A) for n < 0), lstsq's
solution is pinv(A) b (the minimum-norm least-squares solution NumPy returns, with A⁺'s
derivative), its residuals Σ(b − A x)², tensorinv/tensorsolve are reshapes, inv and solve.
"""
from collections import namedtuple
from typing import Any

import numpy as np

from ...tensor import Tensor, _make
from .._primitive import primitive
from .._shapes import sum_to
from ..elementwise import square, subtract, where
from ..reduction import sum as _sum
from ..shape import reshape, transpose
from .._operands import array_of
from ._common import LinAlgError, _complex_error, _mT, _pad_batch, _records, _square, _as_tensor
from .decompositions import _triangle_grad, _used_triangle
from .products import matmul


LstsqResult = namedtuple("LstsqResult", ["x", "residuals", "rank", "singular_values"])


_NOT_GIVEN = object()


# ---- inv, solve ---------------------------------------------------------------------------

def _inv_vjp(g, needs, y):
    """Y = A⁻¹: Ā = −Yᵀ g Yᵀ."""
    yt = _mT(y)
    return (-(yt @ g @ yt),)


def _inv_jvp(tangents, y):
    return -(y @ tangents[0] @ y)


_inv = primitive("inv", np.linalg.inv, _inv_vjp, _inv_jvp, save=(), save_out=True)


def inv(a):
    """A⁻¹ (batched over leading axes). ∂: Ā = −A⁻ᵀ g A⁻ᵀ.

    Examples
    --------
    >>> A = wg.tensor([[2.0, 0.0], [0.0, 4.0]], requires_grad=True)
    >>> wg.linalg.inv(A)
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]], grad_fn=<InvBackward>)
    >>> wg.linalg.inv(A)[0, 0].backward()
    >>> A.grad                      # −(A⁻ᵀ e₀ e₀ᵀ A⁻ᵀ)
    tensor([[-0.25, -0.  ],
            [-0.  , -0.  ]])
    """
    _square("inv", a)
    return _inv(a)


def _solve_vjp(g, needs, a, b, x):
    """x = A⁻¹b: b̄ = A⁻ᵀ g, Ā = −b̄ xᵀ, each summed back over broadcast batch axes."""
    vec = np.ndim(b) == 1
    if vec:                       # work with columns, so leading batch axes of g stay batch
        g = np.expand_dims(g, -1)
        x = np.expand_dims(x, -1)
    out_core = np.shape(x)        # broadcast batch + (M, K)
    gb: Any = np.linalg.solve(_mT(a), g)
    ga = None
    if needs[0]:
        ga = sum_to(-(gb @ _mT(x)), np.shape(a), out_core[:-1] + out_core[-2:-1])
    if not needs[1]:
        gb = None
    elif vec:
        gb = sum_to(np.reshape(gb, np.shape(gb)[:-1]), np.shape(b), out_core[:-1])
    else:
        gb = sum_to(gb, np.shape(b), out_core)
    return ga, gb


def _solve_jvp(tangents, a, b, x):
    """dx = A⁻¹ (db − dA x); a tangent's leading batch axes are kept apart from the batch
    axes that A and b broadcast over."""
    ta, tb = tangents
    vec = np.ndim(b) == 1
    if vec:
        x = np.expand_dims(x, -1)
        tb = None if tb is None else np.expand_dims(tb, -1)
    nd = np.ndim(x)
    if tb is not None:
        tb = _pad_batch(tb, max(np.ndim(b), 2), nd)
    if ta is not None:
        ta = _pad_batch(ta, np.ndim(a), nd) @ x
    rhs = tb if ta is None else (-ta if tb is None else tb - ta)
    dx = np.linalg.solve(a, rhs)
    return np.reshape(dx, np.shape(dx)[:-1]) if vec else dx


_solve = primitive("solve", np.linalg.solve, _solve_vjp, _solve_jvp, save_out=True)


def solve(a, b):
    """x with A x = b (NumPy 2: b is a vector only when 1-D, else a stack of (M, K)
    matrices; batch axes broadcast). ∂: b̄ = A⁻ᵀ g, Ā = −b̄ xᵀ.

    Examples
    --------
    >>> A = wg.tensor([[2.0, 0.0], [0.0, 4.0]])
    >>> wg.linalg.solve(A, wg.tensor([2.0, 2.0]))
    tensor([1. , 0.5])
    """
    sa, sb = np.shape(a), np.shape(b)
    _square("solve", a)
    m = sa[-1]
    ok = len(sb) >= 1 and (sb[0] == m if len(sb) == 1 else sb[-2] == m)
    if ok and len(sb) > 1:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"solve: shapes {sa} and {sb} do not fit: b must be (M,) or "
                         f"(..., M, K) with M = {m} and batch axes that broadcast with a's")
    return _solve(a, b)


# ---- matrix_power -------------------------------------------------------------------------

def matrix_power(a, n):
    """A^n by repeated squaring (n < 0: of A⁻¹; n = 0: the identity, gradient 0).

    Examples
    --------
    >>> wg.linalg.matrix_power(wg.tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
    tensor([[1., 3.],
            [0., 1.]])
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"matrix_power: exponent must be an integer, got {n!r}")
    a = _as_tensor(a)
    _square("matrix_power", a)
    n = int(n)
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return where(np.ones(a.shape, dtype=bool), eye, a)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


# ---- pinv ---------------------------------------------------------------------------------

def _pinv_vjp(g, needs, a, x, rcond, hermitian):
    if hermitian:                       # X = (tril(A) mirrored)⁺: the chain rule through it
        a = _used_triangle(a)
    gt = _mT(g)
    xt = _mT(x)
    ga = -(xt @ g @ xt) + (gt - a @ (x @ gt)) @ (x @ xt) + (xt @ x) @ (gt - (gt @ x) @ a)
    if hermitian:
        ga = _triangle_grad(ga)
    return (ga,)


def _pinv_jvp(tangents, a, x, rcond, hermitian):
    t = tangents[0]
    if hermitian:
        a, t = _used_triangle(a), _used_triangle(t)
    tt = _mT(t)
    return -(x @ t @ x) + (x @ _mT(x)) @ (tt - (tt @ a) @ x) + (tt - (x @ a) @ tt) @ (_mT(x) @ x)


_pinv = primitive("pinv", lambda a, rcond, hermitian: np.linalg.pinv(a, rcond, hermitian),
                  _pinv_vjp, _pinv_jvp, save=(0,), save_out=True)


def pinv(a, rcond=None, hermitian=False, *, rtol=_NOT_GIVEN):
    """The Moore–Penrose pseudo-inverse (batched), NumPy 2's signature: singular values at
    most rcond (or rtol; default 1e-15 for rcond, max(m, n)·eps for rtol=None) times the
    largest are dropped. Derivative: see the module docstring (constant rank).

    Examples
    --------
    >>> wg.linalg.pinv(wg.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5, 0. ],
            [0. , 0. ]])
    """
    if rcond is None:
        if rtol is _NOT_GIVEN:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(np.shape(array_of(a))[-2:]) * np.finfo(np.result_type(array_of(a), 1.0)).eps
        else:
            rcond = rtol
    elif rtol is not _NOT_GIVEN:
        raise ValueError("pinv: `rtol` and `rcond` can't be both set")
    if np.ndim(array_of(a)) < 2:
        raise LinAlgError(f"pinv: expected a matrix (or a stack of them), got shape "
                          f"{np.shape(array_of(a))}")
    if np.result_type(array_of(a)).kind == "c" and _records(a):
        raise _complex_error("pinv")
    if isinstance(rcond, Tensor):
        rcond = rcond.data
    if np.ndim(rcond):
        rcond = np.asarray(rcond)
    else:
        rcond = float(rcond)
    return _pinv(a, rcond=rcond, hermitian=bool(hermitian))


# ---- lstsq --------------------------------------------------------------------------------

def lstsq(a, b, rcond=None):
    """(x, residuals, rank, singular values) as NumPy: x the minimum-norm minimiser of
    ‖b − A x‖ (singular values at most rcond·s_max dropped; rcond=None: eps·max(m, n)),
    computed as pinv(A, rcond) b, so x is differentiable in A and b (constant rank);
    residuals Σ(b − A x)² per column (empty unless rank = n < m), differentiable; rank and
    the singular values are constants (use wg.linalg.svdvals for differentiable ones).

    Examples
    --------
    >>> x, res, rank, sv = wg.linalg.lstsq(wg.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]), wg.tensor([1.0, 2.0, 1.0]))
    >>> x, rank
    (tensor([1., 1.]), 2)
    """
    av, bv = array_of(a), array_of(b)
    if av.ndim != 2 or bv.ndim not in (1, 2):
        raise LinAlgError(f"lstsq: a must be 2-D and b 1-D or 2-D, got shapes {av.shape} and "
                          f"{bv.shape}")
    m, n = av.shape
    if bv.shape[0] != m:
        raise LinAlgError(f"lstsq: incompatible dimensions: a {av.shape}, b {bv.shape}")
    if np.result_type(av, bv).kind == "c" and (_records(a) or _records(b)):
        raise _complex_error("lstsq")
    dt = np.result_type(av, bv, 1.0)
    if rcond is None:
        rcond = np.finfo(dt).eps * max(m, n)
    elif rcond < 0:
        rcond = np.finfo(dt).eps
    _, _, rank, s = np.linalg.lstsq(av, bv, rcond=rcond)
    x = matmul(pinv(a, rcond=rcond), b)
    if x.dtype != dt:
        x = x.astype(dt)
    if rank == n and m > n:
        r = subtract(b, matmul(a, x))
        res = _sum(square(r), axis=0)
        if bv.ndim == 1:
            res = reshape(res, (1,))
    else:
        res = _make(np.array([], dtype=np.result_type(s)), None)
    return LstsqResult(x, res, int(rank), _make(np.asarray(s), None))


# ---- tensorinv, tensorsolve ---------------------------------------------------------------

def tensorinv(a, ind=2):
    """The inverse of a as a linear map from its first `ind` axes to the rest (reshape, inv,
    reshape): ∂ as inv's.

    Examples
    --------
    >>> a = wg.tensor([[2.0, 0.0], [0.0, 4.0]])
    >>> wg.linalg.tensorinv(a, ind=1)
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    >>> wg.grad(lambda a: wg.sum(wg.linalg.tensorinv(a, ind=1)))(a)
    tensor([[-0.25  , -0.125 ],
            [-0.125 , -0.0625]])
    """
    s = np.shape(array_of(a))
    if ind <= 0:
        raise ValueError("tensorinv: invalid ind argument (must be positive)")
    inv_shape = s[ind:] + s[:ind]
    rows = int(np.prod(s[:ind], dtype=np.int64))
    return reshape(inv(reshape(a, (rows, -1))), inv_shape)


def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b (reshape, solve, reshape): ∂ as solve's.

    Examples
    --------
    >>> a, b = wg.tensor([[2.0, 0.0], [0.0, 4.0]]), wg.tensor([2.0, 8.0])
    >>> wg.linalg.tensorsolve(a, b)
    tensor([1., 2.])
    >>> wg.grad(lambda b: wg.sum(wg.linalg.tensorsolve(a, b)))(b)
    tensor([0.5 , 0.25])
    """
    an = np.ndim(array_of(a))
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, tuple(order))
    sa = np.shape(array_of(a))
    old = sa[-(an - np.ndim(array_of(b))):]
    n = int(np.prod(old, dtype=np.int64))
    if np.size(array_of(a)) != n * n:
        raise LinAlgError("tensorsolve: input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return reshape(solve(reshape(a, (n, n)), reshape(b, (-1,))), old)
