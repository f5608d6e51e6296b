"""More of wg.linalg: pinv lstsq eig eigvals cond cross matrix_rank tensorinv tensorsolve.

Primitives (rules beside their forwards, written in NumPy vocabulary so that they record
and differentiate again):

pinv   X = A⁺ (m×n A, n×m X). For A of locally constant rank (Golub & Pereyra):
           dX = −X dA X + X Xᵀ dAᵀ (I − A X) + (I − X A) dAᵀ Xᵀ X
       so  Ā = −Xᵀ Ḡ Xᵀ + (I − A X) Ḡᵀ X Xᵀ + Xᵀ X Ḡᵀ (I − X A).
       Correct for rank-deficient A as long as perturbations keep the rank (the singular
       values NumPy's cutoff drops stay dropped); where the rank changes, A⁺ jumps and has
       no derivative. hermitian=True reads the lower triangle, as NumPy does: A is
       S = tril(A) + tril(A, −1)ᵀ, the formulas hold for S, and Ā is S̄ folded back onto
       the lower triangle (zero on the strict upper one, as eigh and cholesky).
eig    A = V Λ V⁻¹ with real eigenvalues (NumPy's real result) and unit-norm columns of V.
       With M = V⁻¹ dA V and F_ij = 1/(λⱼ − λᵢ) (0 on the diagonal and at exact ties):
           dλ = diag(M),  dV = V (F∘M) − V diag(diag(Vᵀ V (F∘M)))   (keeps ‖vᵢ‖ = 1)
       so  Ā = V⁻ᵀ [diag(λ̄) + F ∘ (Vᵀ V̄ − Vᵀ V diag(diag(Vᵀ V̄)))] Vᵀ.
       Eigenvectors are defined up to sign: differentiate losses that do not depend on it.
       Where NumPy's result is complex, a gradient or tangent is a TypeError (wengert does
       not differentiate complex numbers yet); without one the complex result is returned.

The rest are composites: lstsq's solution is pinv(A) b (the minimum-norm least-squares
solution NumPy returns, with A⁺'s derivative), its residuals Σ(b − A x)², cond is a ratio of
singular values (p = None, ±2) or ‖A‖·‖A⁻¹‖, cross and tensorinv/tensorsolve are indexing,
reshapes, inv and solve.
"""
from collections import namedtuple

import numpy as np

from ..tensor import Tensor, _make
from ._primitive import primitive
from .elementwise import divide, multiply, square, subtract
from .indexing import getitem
from .linalg import (LinAlgError, _diag, _inv_gaps, _mT, _records, _square, _triangle_grad,
                     _used_triangle, inv, matmul, matrix_norm, solve, svdvals)
from .reduction import sum as _sum
from .shape import moveaxis, reshape, stack

__all__ = ["pinv", "lstsq", "eig", "eigvals", "cond", "cross", "matrix_rank", "tensorinv",
           "tensorsolve", "EigResult", "LstsqResult"]

EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
LstsqResult = namedtuple("LstsqResult", ["x", "residuals", "rank", "singular_values"])

_NO = object()


def _val(a):
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def _complex_error(fname):
    return TypeError(f"wengert.linalg.{fname}: the result is complex here, and wengert does "
                     f"not differentiate complex numbers yet; call it on a .detach()ed tensor "
                     f"(no gradient), or use eigh for a symmetric matrix")


# ---- pinv -----------------------------------------------------------------------------------

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


def pinv(a, rcond=None, hermitian=False, *, rtol=_NO):
    """The Moore–Penrose pseudo-inverse (batched), NumPy 2's signature: singular values at
    most rcond (or rtol; default 1e-15 for rcond, max(m, n)·eps for rtol=None) times the
    largest are dropped. Derivative: see the module docstring (constant rank)."""
    if rcond is None:
        if rtol is _NO:
            rcond = 1e-15
        elif rtol is None:
            rcond = max(np.shape(_val(a))[-2:]) * np.finfo(np.result_type(_val(a), 1.0)).eps
        else:
            rcond = rtol
    elif rtol is not _NO:
        raise ValueError("pinv: `rtol` and `rcond` can't be both set")
    if np.ndim(_val(a)) < 2:
        raise LinAlgError(f"pinv: expected a matrix (or a stack of them), got shape "
                          f"{np.shape(_val(a))}")
    if np.result_type(_val(a)).kind == "c" and _records(a):
        raise _complex_error("pinv")
    if isinstance(rcond, Tensor):
        rcond = rcond.data
    if np.ndim(rcond):
        rcond = np.asarray(rcond)
    else:
        rcond = float(rcond)
    return _pinv(a, rcond=rcond, hermitian=bool(hermitian))


# ---- lstsq ----------------------------------------------------------------------------------

def lstsq(a, b, rcond=None):
    """(x, residuals, rank, singular values) as NumPy: x the minimum-norm minimiser of
    ‖b − A x‖ (singular values at most rcond·s_max dropped; rcond=None: eps·max(m, n)),
    computed as pinv(A, rcond) b, so x is differentiable in A and b (constant rank);
    residuals Σ(b − A x)² per column (empty unless rank = n < m), differentiable; rank and
    the singular values are constants (use wg.linalg.svdvals for differentiable ones)."""
    av, bv = _val(a), _val(b)
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


# ---- eig ------------------------------------------------------------------------------------

def _eig_fwd(a):
    w, v = np.linalg.eig(a)
    return w, v


def _eig_mid(gw, gv, w, v):
    """diag(λ̄) + F ∘ (Vᵀ V̄ − Vᵀ V diag(diag(Vᵀ V̄)))."""
    n = np.shape(w)[-1]
    mid = None if gw is None else _diag(gw, n)
    if gv is not None:
        vtg = _mT(v) @ gv
        c = np.diagonal(vtg, 0, -2, -1)
        term = _inv_gaps(w) * (vtg - (_mT(v) @ v) * np.expand_dims(c, -2))
        mid = term if mid is None else mid + term
    return mid


def _eig_vjp(g, needs, out):
    w, v = out
    gw, gv = g
    mid = _eig_mid(gw, gv, w, v)
    return (None if mid is None else np.linalg.solve(_mT(v), mid @ _mT(v)),)


def _eig_jvp(tangents, out):
    w, v = out
    m = np.linalg.solve(v, tangents[0] @ v)
    dv = v @ (_inv_gaps(w) * m)
    norm = np.diagonal(_mT(v) @ dv, 0, -2, -1)
    return np.diagonal(m, 0, -2, -1), dv - v * np.expand_dims(norm, -2)


_eig = primitive("eig", _eig_fwd, _eig_vjp, _eig_jvp, save=(), save_out=True, nout=2)


def eig(a):
    """Eigenvalues and right eigenvectors (unit-norm columns) of a square matrix (batched),
    NumPy's EigResult. Real arrays when every eigenvalue is real, and then differentiable
    (see the module docstring; eigenvalues must be distinct where V is used); complex
    otherwise, and then without gradient (a TypeError when one is needed)."""
    _square("eig", a)
    av = _val(a)
    if av.dtype.kind not in "fc":
        av = av.astype(np.float64)
        a = av
    w, v = np.linalg.eig(av)
    if not _records(a):
        return EigResult(_make(w, None), _make(v, None))
    if np.iscomplexobj(w) or np.iscomplexobj(v):
        raise _complex_error("eig")
    return EigResult(*_eig(a))


def eigvals(a):
    """The eigenvalues of a square matrix (see eig): ∂λᵢ/∂A = uᵢ vᵢᵀ with uᵢ the i-th
    column of V⁻ᵀ (real eigenvalues only)."""
    _square("eigvals", a)
    if not _records(a):
        return _make(np.linalg.eigvals(_val(a)), None)
    return eig(a)[0]


# ---- composites ---------------------------------------------------------------------------

def cond(x, p=None):
    """The condition number: s_max/s_min for p = None or 2 (s_min/s_max for −2), else
    ‖x‖_p ‖x⁻¹‖_p ('fro', 'nuc', ±1, ±inf). Differentiable where the singular values used
    are distinct (p = ±2) or x is invertible."""
    if np.ndim(_val(x)) < 2 or np.size(_val(x)) == 0:
        raise LinAlgError("cond is not defined on empty arrays or on fewer than two axes")
    if p is None or p in (2, -2):
        s = svdvals(x)
        with np.errstate(all="ignore"):
            if p == -2:
                return divide(s[..., -1], s[..., 0])
            return divide(s[..., 0], s[..., -1])
    _square("cond", x)
    return multiply(matrix_norm(x, ord=p), matrix_norm(inv(x), ord=p))


def cross(x1, x2, /, *, axis=-1):
    """np.linalg.cross: the cross product of 3-vectors along `axis` (broadcasting the other
    axes). Bilinear: ∂/∂x1 = x2 × ḡ, ∂/∂x2 = ḡ × x1."""
    s1, s2 = np.shape(_val(x1)), np.shape(_val(x2))
    try:
        if s1[axis] != 3 or s2[axis] != 3:
            raise ValueError
    except (IndexError, ValueError):
        raise ValueError(f"cross: both inputs must have 3 elements along axis {axis}, got "
                         f"shapes {s1} and {s2}") from None
    a = moveaxis(x1, axis, -1)
    b = moveaxis(x2, axis, -1)
    c = [getitem(a, (Ellipsis, i)) for i in range(3)]
    d = [getitem(b, (Ellipsis, i)) for i in range(3)]
    r = stack([c[1] * d[2] - c[2] * d[1], c[2] * d[0] - c[0] * d[2],
               c[0] * d[1] - c[1] * d[0]], axis=-1)
    return moveaxis(r, -1, axis)


def matrix_rank(A, tol=None, hermitian=False, *, rtol=None):
    """The number of singular values above the tolerance (np.linalg.matrix_rank): an integer
    tensor that never requires grad."""
    return _make(np.asarray(np.linalg.matrix_rank(_val(A), tol=tol, hermitian=hermitian,
                                                  rtol=rtol)), None)


def tensorinv(a, ind=2):
    """The inverse of a as a linear map from its first `ind` axes to the rest (reshape, inv,
    reshape): ∂ as inv's."""
    s = np.shape(_val(a))
    if ind <= 0:
        raise ValueError("tensorinv: invalid ind argument (must be positive)")
    inv_shape = s[ind:] + s[:ind]
    rows = int(np.prod(s[:ind], dtype=np.int64))
    return reshape(inv(reshape(a, (rows, -1))), inv_shape)


def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b (reshape, solve, reshape): ∂ as solve's."""
    an = np.ndim(_val(a))
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        from .shape import transpose
        a = transpose(a, tuple(order))
    sa = np.shape(_val(a))
    old = sa[-(an - np.ndim(_val(b))):]
    n = int(np.prod(old, dtype=np.int64))
    if np.size(_val(a)) != n * n:
        raise LinAlgError("tensorsolve: input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return reshape(solve(reshape(a, (n, n)), reshape(b, (-1,))), old)
