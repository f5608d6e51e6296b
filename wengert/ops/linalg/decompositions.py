"""Decompositions: det (with its cofactor matrix), slogdet, cholesky, qr, svd (eigh and eig:
eigen.py), and the one-triangle and eigen-gap helpers eigen.py shares.

Rules are written in NumPy vocabulary, so with ``create_graph=True`` they record wengert ops
and differentiate again (every op here is checked to second order); every rule accepts
cotangents/tangents with extra leading (batch) axes. Multi-output JVPs return one tangent
per output, None where it is zero (slogdet's sign).

Conventions:
* det: ∂det/∂A = adj(A)ᵀ = cof(A), the cofactor matrix, which exists everywhere (det is a
  polynomial). It is computed from the SVD A = U S Vᵀ as cof(A) = σ U diag(πᵢ) Vᵀ with
  πᵢ = ∏_{j≠i} sⱼ and σ = det(U)·det(Vᵀ) = ±1: no inverse, so it is exact at singular and
  near-singular matrices. cof is an op of its own ("cofactor") whose derivative is
  polynomial too: with P = Uᵀ dA V and πᵢⱼ = ∏_{l∉{i,j}} sₗ (πᵢᵢ = 0),
  d cof = σ U M Vᵀ, Mᵢⱼ = −Pⱼᵢ πᵢⱼ (i ≠ j), Mᵢᵢ = Σ_k Pₖₖ πᵢₖ. That map is self-adjoint,
  so the VJP is the same formula applied to H = Uᵀ Ḡ V. Second derivatives of det are
  therefore exact at singular matrices; third ones go through svd's rule (distinct singular
  values needed there).
* slogdet: ∂log|det A|/∂A = A⁻ᵀ, infinite at a singular matrix (logabsdet = −inf): the
  backward pass raises a ValueError there (unless the cotangent is exactly 0); sign is
  piecewise constant (gradient 0).
* cholesky reads only the lower triangle of A (upper=True: the upper one), as NumPy does:
  f(A) = chol(Aₑ), Aₑ = tril(A) + tril(A, −1)ᵀ. With X = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (Φ: the lower
  triangle, diagonal halved) the gradient on Aₑ is sym(X), and on A it is
  tril(X + Xᵀ, −1) + diag(X), as for eigh; the JVP is dL = L Φ(L⁻¹ dAₑ L⁻ᵀ) with dAₑ the
  tangent's lower triangle, mirrored.
* qr: the derivative exists for full-rank inputs only (at rank deficiency Q is not unique):
  there the backward and forward-mode rules raise a ValueError.
* svd with hermitian=True reads only the lower triangle of its input (NumPy calls eigh with
  UPLO='L'), so it is svd(Aₑ) with Aₑ = tril(A) + tril(A, −1)ᵀ: with X the gradient on Aₑ,
  Ā = tril(X + Xᵀ, −1) + diag(X) (zero on the strict upper triangle, both symmetric
  contributions below it), and the JVP pushes the tangent's lower triangle, mirrored.
* svd (and eigh, eigen.py): the 1/(sⱼ² − sᵢ²) (resp. 1/(λⱼ − λᵢ)) factor is taken as 0 where
  two singular values (eigenvalues) are exactly equal. That is the right limit for losses
  that do not depend on the choice of basis inside a degenerate eigenspace (anything built
  from the eigenvalues, or from v vᵀ summed over the degenerate block); for other losses the
  gradient at a degenerate point is not defined and the one returned is only finite.
"""
from collections import namedtuple

import numpy as np

from ...tensor import Tensor, _make
from .._primitive import primitive
from ..shape import swapaxes
from .._operands import array_of, detached
from ._common import LinAlgError, _mT, _records, _square, _as_tensor


SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


QRResult = namedtuple("QRResult", ["Q", "R"])


SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])


_PAIR_BATCH = 48        # up to this n the pair-exclusion products are one (…, n, n, n) prod


# ---- helpers (shared with eigen.py) -------------------------------------------------------

def _inv_gaps(w):
    """F with F_ij = 1/(w_j − w_i) off the diagonal, and 0 where w_i = w_j (diagonal too)."""
    d = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    tie = d == 0
    return np.where(tie, 0.0, 1 / np.where(tie, 1.0, d))


def _tril_mask(n, dtype, k=0):
    return np.tril(np.ones((n, n), dtype=dtype), k)


def _copyltu(m):
    """Lower triangle of m mirrored onto the upper one: tril(m) + tril(m, −1)ᵀ."""
    n = np.shape(m)[-1]
    return m * _tril_mask(n, m.dtype) + _mT(m * _tril_mask(n, m.dtype, -1))


def _used_triangle(t, UPLO="L"):
    """The symmetric matrix a one-triangle routine (eigh, cholesky, hermitian svd) sees: the
    UPLO triangle of t, mirrored. Also the JVP's tangent map of such a routine."""
    return _copyltu(t) if UPLO == "L" else _mT(_copyltu(_mT(t)))


def _triangle_grad(x, UPLO="L"):
    """The adjoint of _used_triangle: X, the gradient on the mirrored matrix, becomes
    tril(X + Xᵀ, −1) + diag(X) on A ('U': the triu), zero on the triangle not read."""
    n = np.shape(x)[-1]
    strict = _tril_mask(n, x.dtype, -1)
    return (x + _mT(x)) * (strict if UPLO == "L" else strict.T) + x * np.eye(n, dtype=x.dtype)


def _diag(v, n):
    """diag(v) for v of shape (..., n): the vector on the diagonal of (..., n, n)."""
    return np.expand_dims(v, -1) * np.eye(n, dtype=v.dtype)


# ---- det and its cofactor matrix ----------------------------------------------------------

def _svd_sigma(a):
    """(U, s, Vᵀ, σ = det U · det Vᵀ as (…, 1, 1)). σ = ±1 is piecewise constant: taken from
    the values (no gradient); U and Vᵀ are recorded when `a` is. A matrix holding an infinity
    or a NaN gets s = NaN (LAPACK's SVD may never return on an infinity: 0 is decomposed in
    its place); the test is made of ops on a Tensor (a guard when compiled)."""
    bad = ~np.isfinite(a).all(axis=(-2, -1))
    if bool(bad.any()):
        a = np.where(np.expand_dims(bad, (-2, -1)), 0.0, a)
    u, s, vh = np.linalg.svd(a)
    if bool(bad.any()):
        s = np.where(np.expand_dims(bad, -1), np.nan, s)
    ud, vd = u, vh
    if isinstance(u, Tensor):       # (steps of their own, so a compiled program takes σ of
        ud, vd = u.detach(), vh.detach()   # each call's SVD: its signs vary with the input)
    sigma = np.sign(np.linalg.det(ud) * np.linalg.det(vd))
    return u, s, vh, np.expand_dims(sigma, (-2, -1))


def _excl_one(s):
    """πᵢ = ∏_{j≠i} sⱼ, by products (no division: exact when some sⱼ = 0)."""
    n = np.shape(s)[-1]
    eye = np.eye(n, dtype=bool)
    return np.prod(np.where(eye, 1.0, np.expand_dims(s, -2)), axis=-1)


def _excl_two(s):
    """πᵢⱼ = ∏_{l∉{i,j}} sₗ for i ≠ j, and 0 on the diagonal."""
    n = np.shape(s)[-1]
    idx = np.arange(n)
    off = (1.0 - np.eye(n)).astype(array_of(s).dtype)
    if n <= _PAIR_BATCH:
        mask = (idx[:, None, None] == idx) | (idx[None, :, None] == idx)
        return np.prod(np.where(mask, 1.0, s[..., None, None, :]), axis=-1) * off
    rows = []
    for i in range(n):          # one row at a time: O(n²) memory for large n
        mask = (idx[:, None] == idx) | (idx == i)
        rows.append(np.prod(np.where(mask, 1.0, np.expand_dims(s, -2)), axis=-1))
    return np.stack(rows, axis=-2) * off


def _cofactor_fwd(a):
    n = np.shape(a)[-1]
    if n == 0:
        return np.zeros_like(a)
    u, s, vh, sigma = _svd_sigma(a)
    return sigma * ((u * np.expand_dims(_excl_one(s), -2)) @ vh)


def _cofactor_map(x, pi):
    """M(X) = −(X ∘ Π)ᵀ + diag(Π · diag X): the derivative of cof in SVD coordinates."""
    d = np.diagonal(x, 0, -2, -1)
    return _diag((pi @ np.expand_dims(d, -1))[..., 0], np.shape(pi)[-1]) - _mT(x * pi)


def _cofactor_push(t, a):
    if np.shape(a)[-1] == 0:
        return t * 0.0
    u, s, vh, sigma = _svd_sigma(a)
    return sigma * (u @ _cofactor_map(_mT(u) @ t @ _mT(vh), _excl_two(s)) @ vh)


_cofactor = primitive(
    "cofactor", _cofactor_fwd,
    lambda g, needs, a: (_cofactor_push(g, a),),
    lambda tangents, a: _cofactor_push(tangents[0], a),
    doc="cof(A) = adj(A)ᵀ = ∂det/∂A, from the SVD (exact at singular A). "
        "d cof = σ U M(Uᵀ dA V) Vᵀ (see the module docstring); the VJP is the same map.")


def _cofactor_matrix(a):
    return _cofactor(a) if isinstance(a, Tensor) else _cofactor_fwd(a)


def _det_vjp(g, needs, a):
    """∂det/∂A = cof(A) = adj(A)ᵀ (det·A⁻ᵀ where A is invertible)."""
    return (np.expand_dims(g, (-2, -1)) * _cofactor_matrix(a),)


def _det_jvp(tangents, a):
    return np.sum(_cofactor_matrix(a) * tangents[0], axis=(-2, -1))


_det = primitive("det", np.linalg.det, _det_vjp, _det_jvp, save=(0,))


def det(a):
    """det A (batched). ∂: Ā = g · adj(A)ᵀ, the cofactor matrix, computed from the SVD so it
    is exact at singular and near-singular A (det·A⁻ᵀ where A is invertible); differentiable
    again (see the module docstring).

    Examples
    --------
    >>> A = wg.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> wg.linalg.det(A)
    tensor(5., grad_fn=<DetBackward>)
    >>> wg.linalg.det(A).backward()
    >>> A.grad                      # det(A)·A⁻ᵀ
    tensor([[ 3., -1.],
            [-1.,  2.]])
    """
    _square("det", a)
    return _det(a)


# ---- slogdet ------------------------------------------------------------------------------

def _slogdet_fwd(a):
    return tuple(np.linalg.slogdet(a))


def _singular_logdet(what):
    return ValueError(f"slogdet: the {what} of log|det A| is infinite at a singular matrix "
                      f"(det A = 0, logabsdet = -inf); differentiate det(A) instead, whose "
                      f"gradient exists everywhere, or keep A away from singular (e.g. add "
                      f"a small multiple of the identity)")


def _inv_t(a, sing):
    """A⁻ᵀ, with singular matrices of the batch (whose cotangent is exactly 0) replaced by I."""
    if sing.any():
        eye = np.eye(np.shape(a)[-1], dtype=array_of(a).dtype)
        a = np.where(np.expand_dims(sing, (-2, -1)), eye, a)
    try:
        return _mT(np.linalg.inv(a))
    except LinAlgError:
        raise _singular_logdet("gradient") from None


def _slogdet_vjp(g, needs, a, out):
    """log|det A| has gradient A⁻ᵀ; the sign is piecewise constant (gradient 0)."""
    gl = g[1]
    if gl is None:
        return (None,)
    # (ops, not values, when recording: a compiled program tests them on every call)
    sing = out[1] == -np.inf
    if (sing & (gl != 0)).any():
        raise _singular_logdet("gradient")
    return (np.expand_dims(gl, (-2, -1)) * _inv_t(a, sing),)


def _slogdet_jvp(tangents, a, out):
    if (out[1] == -np.inf).any():
        raise _singular_logdet("derivative")
    return (None, np.sum(_inv_t(a, np.zeros((), bool)) * tangents[0], axis=(-2, -1)))


_slogdet = primitive("slogdet", _slogdet_fwd, _slogdet_vjp, _slogdet_jvp, save=(0,),
                     save_out=True, nout=2)


def slogdet(a):
    """(sign, log|det A|), batched. ∂log|det A|/∂A = A⁻ᵀ; sign has no gradient. At a singular
    A (logabsdet = −inf) the gradient is infinite: backward raises a ValueError.

    Examples
    --------
    >>> wg.linalg.slogdet(wg.tensor([[2.0, 0.0], [0.0, 3.0]]))
    SlogdetResult(sign=tensor(1.), logabsdet=tensor(1.79175947))
    """
    _square("slogdet", a)
    return SlogdetResult(*_slogdet(a))


# ---- cholesky -----------------------------------------------------------------------------

def _tril_half_diag_mask(n, dtype):
    """Φ as a mask: the lower triangle, diagonal halved."""
    return _tril_mask(n, dtype) - 0.5 * np.eye(n, dtype=dtype)


def _cholesky_vjp(g, needs, L):
    """A = L Lᵀ: X = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹; Ā = tril(X + Xᵀ, −1) + diag(X) (the lower triangle)."""
    li = np.linalg.inv(L)
    x = _mT(li) @ ((_mT(L) @ g) * _tril_half_diag_mask(np.shape(L)[-1], L.dtype)) @ li
    return (_triangle_grad(x),)


def _cholesky_jvp(tangents, L):
    li = np.linalg.inv(L)
    t = _used_triangle(tangents[0])
    return L @ ((li @ t @ _mT(li)) * _tril_half_diag_mask(np.shape(L)[-1], L.dtype))


_cholesky = primitive("cholesky", np.linalg.cholesky, _cholesky_vjp, _cholesky_jvp,
                      save=(), save_out=True)


def cholesky(a, /, *, upper=False):
    """L lower triangular with A = L Lᵀ (or U = Lᵀ with upper=True), reading only the lower
    (upper) triangle of A like NumPy. Gradient: X = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ (Φ: lower triangle,
    diagonal halved), Ā = tril(X + Xᵀ, −1) + diag(X) (upper=True: the triu), zero on the
    triangle not read; for a symmetric A = ½(B + Bᵀ) this is the usual B̄ = sym(X).

    Examples
    --------
    >>> wg.linalg.cholesky(wg.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    _square("cholesky", a)
    if upper:
        return swapaxes(_cholesky(swapaxes(a, -1, -2)), -1, -2)
    return _cholesky(a)


# ---- qr -----------------------------------------------------------------------------------

def _full_rank(r, what):
    """Refuse a derivative at a rank-deficient input: some |R_kk| ≤ max(m, n)·eps·max|R_ii|
    (NumPy's matrix_rank tolerance on R's diagonal)."""
    m, n = np.shape(r)[-2:]
    k = min(m, n)
    if k == 0:
        return
    # (ops on a recorded R, not its values: a compiled program tests the rank on every call)
    d = np.abs(np.diagonal(detached(r), 0, -2, -1))
    tol = max(m, n) * np.finfo(r.dtype).eps * d.max(axis=-1, keepdims=True)
    if (d <= tol).any():
        raise ValueError(
            f"qr: the {what} does not exist at a rank-deficient matrix (R has a zero diagonal "
            f"entry, so Q is not unique there); make the input full rank (e.g. add a small "
            f"multiple of the identity or of noise), or differentiate through wg.linalg.svd "
            f"instead")


def _qr_square_vjp(gq, gr, q, r):
    """Ā for A = QR with R square (m ≥ n): (Q̄ + Q copyltu(R R̄ᵀ − Q̄ᵀ Q)) R⁻ᵀ."""
    m = None if gr is None else r @ _mT(gr)
    if gq is not None:
        m = -(_mT(gq) @ q) if m is None else m - _mT(gq) @ q
    b = q @ _copyltu(m)
    if gq is not None:
        b = b + gq
    return _mT(np.linalg.solve(r, _mT(b)))


def _qr_vjp(g, needs, a, out, mode):
    q, r = out
    gq, gr = g
    rows, cols = np.shape(a)[-2:]
    _full_rank(r, "gradient")
    if rows >= cols:
        if mode == "complete" and rows > cols:
            raise ValueError("qr: the gradient is defined for mode='reduced' (or 'r'), not "
                             "'complete' with more rows than columns; call qr(a, "
                             "mode='reduced')")
        return (_qr_square_vjp(gq, gr, q, r),)
    # wide: A = [X | Y], R = [U | V] with X = QU square and V = Qᵀ Y
    x_r, y = r[..., :, :rows], a[..., :, rows:]
    gu = gv = None
    if gr is not None:
        gu, gv = gr[..., :, :rows], gr[..., :, rows:]
        extra = y @ _mT(gv)
        gq = extra if gq is None else gq + extra
    gx = _qr_square_vjp(gq, gu, q, x_r)
    ga = gx @ np.eye(rows, cols, dtype=gx.dtype)
    if gv is not None:
        ga = ga + (q @ gv) @ np.eye(cols - rows, cols, rows, dtype=gx.dtype)
    return (ga,)


def _qr_square_jvp(t, q, r):
    n = np.shape(r)[-1]
    tr = _mT(np.linalg.solve(_mT(r), _mT(t)))          # dA R⁻¹
    x = _mT(q) @ tr
    low = x * _tril_mask(n, x.dtype, -1)
    c = low - _mT(low)                                  # Qᵀ dQ (skew)
    dr = (x - c) @ r
    dq = tr - q @ (x - c)
    return dq, dr


def _qr_jvp(tangents, a, out, mode):
    q, r = out
    t = tangents[0]
    rows, cols = np.shape(a)[-2:]
    _full_rank(r, "derivative")
    if rows >= cols:
        if mode == "complete" and rows > cols:
            raise ValueError("qr: forward-mode derivatives need mode='reduced' when the "
                             "matrix has more rows than columns")
        return _qr_square_jvp(t, q, r)
    dq, du = _qr_square_jvp(t[..., :, :rows], q, r[..., :, :rows])
    dv = _mT(dq) @ a[..., :, rows:] + _mT(q) @ t[..., :, rows:]
    dr = du @ np.eye(rows, cols, dtype=du.dtype) + dv @ np.eye(cols - rows, cols, rows,
                                                             dtype=du.dtype)
    return dq, dr


def _qr_fwd(a, mode):
    return tuple(np.linalg.qr(a, mode))


_qr = primitive("qr", _qr_fwd, _qr_vjp, _qr_jvp, save=(0,), save_out=True, nout=2)


def qr(a, mode="reduced"):
    """A = QR (batched): Q with orthonormal columns, R upper triangular. Differentiable for
    mode='reduced' and 'r' (any shape; wide matrices split as A = [X | Y]) and for
    'complete' when rows ≤ columns, at full-rank A (rank deficiency: a ValueError, Q is not
    unique there). For m ≥ n: Ā = (Q̄ + Q copyltu(R R̄ᵀ − Q̄ᵀQ)) R⁻ᵀ.

    Examples
    --------
    >>> Q, R = wg.linalg.qr(wg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    >>> bool(np.allclose((Q @ R).numpy(), [[1.0, 2.0], [3.0, 4.0]]))
    True
    """
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(f"qr: unrecognized mode {mode!r} (use 'reduced', 'complete', 'r' "
                         f"or 'raw')")
    if np.ndim(a) < 2:
        raise LinAlgError(f"qr: expected a matrix (or a stack of them), got shape "
                          f"{np.shape(a)}")
    if mode == "raw":
        if _records(a):
            raise ValueError("qr: mode='raw' (Householder reflectors) is not differentiable; "
                             "use mode='reduced'")
        return tuple(_make(o, None) for o in np.linalg.qr(_as_tensor(a).data, mode="raw"))
    if mode == "r":
        return _qr(a, mode="reduced")[1]
    return QRResult(*_qr(a, mode=mode))


# ---- svd ----------------------------------------------------------------------------------

def _svd_fwd(a, full_matrices, hermitian):
    return tuple(np.linalg.svd(a, full_matrices=full_matrices, hermitian=hermitian))


def _svd_check(a, full_matrices, what):
    m, n = np.shape(a)[-2:]
    if full_matrices and m != n:
        raise ValueError(f"svd: {what} needs full_matrices=False for a non-square matrix "
                         f"(shape {np.shape(a)}): call wg.linalg.svd(a, full_matrices=False)")
    return m, n


def _svd_vjp(g, needs, a, out, full_matrices, hermitian):
    """A = U diag(s) Vh (Townsend's formula), F_ij = 1/(sⱼ² − sᵢ²):
    Ā = U [(F∘(UᵀŪ − ŪᵀU)) S + diag(s̄) + S (F∘(VᵀV̄ − V̄ᵀV))] Vᵀ
        + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)."""
    m, n = _svd_check(a, full_matrices, "the gradient")
    u, s, vh = out
    gu, gs, gvh = g
    k = min(m, n)
    mid = None if gs is None else _diag(gs, k)
    s_row = np.expand_dims(s, -2)          # X * s_row = X S;  X * s_col = S X
    s_col = np.expand_dims(s, -1)
    if gu is not None or gvh is not None:
        f = _inv_gaps(s * s)
        if gu is not None:
            j = _mT(u) @ gu
            term = (f * (j - _mT(j))) * s_row
            mid = term if mid is None else mid + term
        if gvh is not None:
            kk = vh @ _mT(gvh)
            term = s_col * (f * (kk - _mT(kk)))
            mid = term if mid is None else mid + term
    ga = None if mid is None else u @ mid @ vh
    if gu is not None and m > k:
        term = ((gu - u @ (_mT(u) @ gu)) / s_row) @ vh
        ga = term if ga is None else ga + term
    if gvh is not None and n > k:
        term = u @ ((gvh - (gvh @ _mT(vh)) @ vh) / s_col)
        ga = term if ga is None else ga + term
    return (_triangle_grad(ga) if hermitian else ga,)


def _svd_jvp(tangents, a, out, full_matrices, hermitian):
    m, n = _svd_check(a, full_matrices, "forward mode")
    u, s, vh = out
    t = _used_triangle(tangents[0]) if hermitian else tangents[0]
    v = _mT(vh)
    p = _mT(u) @ t @ v
    ds = np.diagonal(p, 0, -2, -1)
    f = _inv_gaps(s * s)
    s_row = np.expand_dims(s, -2)
    s_col = np.expand_dims(s, -1)
    ps = p * s_row                                   # dP S
    sp = s_col * p                                   # S dP
    du = u @ (f * (ps + _mT(ps)))
    dv = v @ (f * (sp + _mT(sp)))
    if m > n:
        tv = t @ v
        du = du + (tv - u @ (_mT(u) @ tv)) / s_row
    if n > m:
        tu = _mT(t) @ u
        dv = dv + (tu - v @ (vh @ tu)) / s_row
    return du, ds, _mT(dv)


_svd = primitive("svd", _svd_fwd, _svd_vjp, _svd_jvp, save=(0,), save_out=True, nout=3)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """A = U diag(S) Vh (batched), NumPy's signature. The gradient needs
    full_matrices=False for non-square A (else a ValueError at backward), distinct nonzero
    singular values where U or Vh are used (ties: see the module docstring), and a loss that
    does not depend on the sign of each (uᵢ, vᵢ) pair. compute_uv=False returns S, with
    gradient U diag(s̄) Vh. hermitian=True reads only the lower triangle, as NumPy does: the
    gradient X on the mirrored matrix becomes tril(X + Xᵀ, −1) + diag(X).

    Examples
    --------
    >>> U, S, Vh = wg.linalg.svd(wg.tensor([[3.0, 0.0], [0.0, 4.0]]))
    >>> S
    tensor([4., 3.])
    """
    if np.ndim(a) < 2:
        raise LinAlgError(f"svd: expected a matrix (or a stack of them), got shape "
                          f"{np.shape(a)}")
    if not compute_uv:
        if not _records(a):
            x = _as_tensor(a).data
            return _make(np.asarray(np.linalg.svd(x, compute_uv=False, hermitian=hermitian)),
                         None)
        return _svd(a, full_matrices=False, hermitian=hermitian)[1]
    return SVDResult(*_svd(a, full_matrices=bool(full_matrices), hermitian=bool(hermitian)))
