"""Eigen-decompositions: eigh eigvalsh (symmetric: one triangle read) and eig eigvals
(general square matrices with a real spectrum).

Rules are written in NumPy vocabulary, so with ``create_graph=True`` they record wengert ops
and differentiate again; every rule accepts cotangents/tangents with extra leading (batch)
axes.

Conventions:
* eigh reads only one triangle of its input (UPLO='L': the lower one, diagonal included), so
  f(A) = h(Aₑ) with Aₑ = tril(A) + tril(A, −1)ᵀ. With X = V (diag(λ̄) + F ∘ VᵀV̄) Vᵀ
  (F_ij = 1/(λⱼ − λᵢ), 0 at exact ties), the gradient is tril(X + Xᵀ, −1) + diag(X): zero on
  the strict triangle it does not read, both symmetric contributions on the one it reads
  (for a symmetric input built as ½(B + Bᵀ) this gives the usual ½(X + Xᵀ) on B). The JVP
  pushes the tangent's used triangle, mirrored, through the same formula.
* ties: F is taken as 0 where two eigenvalues are exactly equal. That is the right limit for
  losses that do not depend on the choice of basis inside a degenerate eigenspace (anything
  built from the eigenvalues, or from v vᵀ summed over the degenerate block); for other
  losses the gradient at a degenerate point is not defined and the one returned is only
  finite.
* eig: A = V Λ V⁻¹ with real eigenvalues (NumPy's real result) and unit-norm columns of V.
  With M = V⁻¹ dA V and F_ij = 1/(λⱼ − λᵢ) (0 on the diagonal and at exact ties):
      dλ = diag(M),  dV = V (F∘M) − V diag(diag(Vᵀ V (F∘M)))   (keeps ‖vᵢ‖ = 1)
  so  Ā = V⁻ᵀ [diag(λ̄) + F ∘ (Vᵀ V̄ − Vᵀ V diag(diag(Vᵀ V̄)))] Vᵀ.
  Eigenvectors are defined up to sign: differentiate losses that do not depend on it.
  Where NumPy's result is complex, a gradient or tangent is a TypeError (wengert does not
  differentiate complex numbers yet); without one the complex result is returned.
"""
from collections import namedtuple

import numpy as np

from ...tensor import _make
from .._primitive import primitive
from .._operands import array_of
from ..complex import _imag
from ._common import _complex_error, _mT, _records, _square
from .decompositions import _diag, _inv_gaps, _triangle_grad, _used_triangle


EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])


EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])


# ---- eigh ---------------------------------------------------------------------------------

def _eigh_fwd(a, UPLO):
    return tuple(np.linalg.eigh(a, UPLO))


def _eigh_vjp(g, needs, out, UPLO):
    """X = V (diag(λ̄) + F ∘ Vᵀ V̄) Vᵀ; Ā = tril(X + Xᵀ, −1) + diag(X) for UPLO='L' (triu for
    'U'): the gradient lives on the triangle eigh reads."""
    w, v = out
    gw, gv = g
    n = np.shape(w)[-1]
    mid = None if gw is None else _diag(gw, n)
    if gv is not None:
        term = _inv_gaps(w) * (_mT(v) @ gv)
        mid = term if mid is None else mid + term
    return (_triangle_grad(v @ mid @ _mT(v), UPLO),)


def _eigh_jvp(tangents, out, UPLO):
    w, v = out
    m = _mT(v) @ _used_triangle(tangents[0], UPLO) @ v
    return (np.diagonal(m, 0, -2, -1), v @ (_inv_gaps(w) * m))


_eigh = primitive("eigh", _eigh_fwd, _eigh_vjp, _eigh_jvp, save=(), save_out=True, nout=2)


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, reading only the UPLO
    triangle (diagonal included), as NumPy does. Gradient: with X = V (diag(λ̄) + F ∘ Vᵀ V̄) Vᵀ,
    F_ij = 1/(λⱼ − λᵢ) (0 for exactly equal eigenvalues, see the module docstring),
    Ā = tril(X + Xᵀ, −1) + diag(X) for 'L' (triu for 'U'), zero on the triangle not read.
    Eigenvectors are defined up to sign: differentiate functions that do not depend on it
    (v vᵀ, v², …).

    Examples
    --------
    >>> w, V = wg.linalg.eigh(wg.tensor([[2.0, 0.0], [0.0, 1.0]]))
    >>> w
    tensor([1., 2.])
    """
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    _square("eigh", a)
    return EighResult(*_eigh(a, UPLO=UPLO))


def eigvalsh(a, UPLO="L"):
    """Eigenvalues of a symmetric matrix (the UPLO triangle), ascending.
    ∂: X = V diag(λ̄) Vᵀ on the triangle read, as for eigh.

    Examples
    --------
    >>> wg.linalg.eigvalsh(wg.tensor([[2.0, 1.0], [1.0, 2.0]]))
    tensor([1., 3.])
    """
    return eigh(a, UPLO)[0]


# ---- eig ----------------------------------------------------------------------------------

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
    otherwise, and then without gradient (a TypeError when one is needed).

    Examples
    --------
    >>> a = wg.tensor([[2.0, 1.0], [0.0, 3.0]])
    >>> wg.linalg.eig(a).eigenvalues
    tensor([2., 3.])
    >>> wg.grad(lambda a: wg.sum(wg.linalg.eig(a).eigenvalues))(a)
    tensor([[1., 0.],
            [0., 1.]])
    """
    _square("eig", a)
    av = array_of(a)
    if av.dtype.kind not in "fc":
        av = av.astype(np.float64)
        a = av
    w, v = np.linalg.eig(av)
    if not _records(a):
        return EigResult(_make(w, None), _make(v, None))
    if np.iscomplexobj(w) or np.iscomplexobj(v):
        raise _complex_error("eig")
    w, v = _eig(a)
    # (whether the result is complex, asked again of the recorded step's own result: a
    # compiled program runs that step on every call's matrix and checks the answer)
    if (_imag(w.detach()) != 0).any():
        raise _complex_error("eig")
    return EigResult(w, v)


def eigvals(a):
    """The eigenvalues of a square matrix (see eig): ∂λᵢ/∂A = uᵢ vᵢᵀ with uᵢ the i-th
    column of V⁻ᵀ (real eigenvalues only).

    Examples
    --------
    >>> wg.linalg.eigvals(wg.tensor([[2.0, 0.0], [0.0, 3.0]]))
    tensor([2., 3.])
    """
    _square("eigvals", a)
    if not _records(a):
        return _make(np.linalg.eigvals(array_of(a)), None)
    return eig(a)[0]
