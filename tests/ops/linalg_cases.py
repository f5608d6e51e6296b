"""Shared by the linear-algebra test modules (test_linalg_*.py): samplers of well-behaved
matrices, gauge-free wrappers of the decompositions, and small helpers."""
import numpy as np

import wengert as wg
from tests.helpers import leaf as _leaf
from tests.ops.op_table import Row
from wengert.ops.linalg.decompositions import _cofactor  # noqa: F401  (a row of its own)

INF = np.inf


def _eye_like(s):
    return np.broadcast_to(np.eye(s[-1]), s) if len(s) >= 2 and s[-1] == s[-2] else 0.0


def well_conditioned(rng, s, i):
    """Uniform entries plus 3·I on square matrices: far from singular."""
    return rng.uniform(-1, 1, s) + 3 * _eye_like(s)


def spd(rng, s, i):
    """Symmetric positive definite: M Mᵀ / n + I."""
    m = rng.uniform(-1, 1, s)
    return m @ np.swapaxes(m, -1, -2) / s[-1] + np.broadcast_to(np.eye(s[-1]), s)


def _orthogonal(rng, s):
    q, r = np.linalg.qr(rng.standard_normal(s))
    return q * np.sign(np.diagonal(r, 0, -2, -1))[..., None, :]


def distinct_sym(rng, s, i):
    """Symmetric with eigenvalues ≈ 1, 2.5, 4, … (well separated)."""
    n = s[-1]
    q = _orthogonal(rng, s)
    w = 1 + 1.5 * np.arange(n) + rng.uniform(-0.2, 0.2, s[:-1])
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def distinct_sv(rng, s, i):
    """A matrix with singular values ≈ k, k − 0.7, … ≥ 1 (distinct, away from 0)."""
    m, n = s[-2:]
    k = min(m, n)
    u = _orthogonal(rng, s[:-2] + (m, m))[..., :, :k]
    v = _orthogonal(rng, s[:-2] + (n, n))[..., :, :k]
    sv = 1 + 0.7 * np.arange(k)[::-1] + rng.uniform(-0.1, 0.1, s[:-2] + (k,))
    return (u * sv[..., None, :]) @ np.swapaxes(v, -1, -2)


def away_from_zero(rng, s, i):
    """|x| in [0.3, 2] with random signs: no kinks of |x| near the samples."""
    return rng.uniform(0.3, 2, s) * rng.choice([-1.0, 1.0], s)


def wc_then_uniform(rng, s, i):
    return well_conditioned(rng, s, i) if i == 0 else rng.uniform(-2, 2, s)


def wsym(a):
    return (a + wg.swapaxes(a, -1, -2)) / 2


def nsym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def w_eigh(a, **kw):
    w, v = wg.linalg.eigh(wsym(a), **kw)
    return w, v * v                        # v² is independent of each eigenvector's sign


def n_eigh(a, **kw):
    w, v = np.linalg.eigh(nsym(a), **kw)
    return w, v * v


def _svd_views(u, s, vh, einsum):
    # gauge-invariant: u², vh², and uᵢ vᵢᵀ for each i
    return u * u, s, vh * vh, einsum("...ik,...kj->...kij", u, vh)


def w_svd(a, **kw):
    return _svd_views(*wg.linalg.svd(a, full_matrices=False, **kw), wg.einsum)


def n_svd(a, **kw):
    return _svd_views(*np.linalg.svd(a, full_matrices=False, **kw), np.einsum)


def w_svd_herm(a):
    return w_svd(wsym(a), hermitian=True)


def n_svd_herm(a):
    return n_svd(nsym(a), hermitian=True)


def einsum_row(subs, shapes, **extra):
    nargs = len(shapes[0])
    return Row(lambda *xs: wg.einsum(subs, *xs), lambda *xs: np.einsum(subs, *xs),
               ops=("einsum",), nargs=nargs, shapes=shapes, id=f"einsum[{subs}]", **extra)


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)),
                 ((2, 2, 3), (3, 4)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 4)),
                 ((2, 3, 4), (4,))]


SQUARE = [((3, 3),), ((2, 3, 3),)]


MNORM_ORDS = ["fro", "nuc", 2, -2, 1, -1, INF, -INF]


def _grad_of(f, a):
    x = _leaf(a)
    f(x).backward()
    return x.grad.numpy()


SQUARE_FROM_1 = [((1, 1),), ((2, 2),), ((3, 3),), ((2, 3, 3),)]


def low_rank(drop):
    """Matrices of rank n − drop (exactly singular: their det is 0)."""
    def sample(rng, s, i):
        n = s[-1]
        u = rng.uniform(-1, 1, s[:-1] + (max(n - drop, 0),))
        v = rng.uniform(-1, 1, s[:-2] + (max(n - drop, 0), n))
        return u @ v
    sample.__name__ = f"rank_minus_{drop}"
    return sample


def nonsymmetric(rng, s, i):
    """Far from symmetric, yet each triangle mirrored has well-separated eigenvalues."""
    n = s[-1]
    q, r = np.linalg.qr(rng.standard_normal(s))
    w = 1 + 1.5 * np.arange(n)
    sym = (q * w) @ np.swapaxes(q, -1, -2)
    return sym + 0.15 * rng.standard_normal(s)


def nonsymmetric_indefinite(rng, s, i):
    """Far from symmetric; each triangle mirrored has eigenvalues ≈ 1, −2.5, 4, … (distinct
    absolute values, so the hermitian SVD is differentiable there)."""
    n = s[-1]
    q, r = np.linalg.qr(rng.standard_normal(s))
    w = (1 + 1.5 * np.arange(n)) * (-1.0) ** np.arange(n)
    return (q * w) @ np.swapaxes(q, -1, -2) + 0.15 * rng.standard_normal(s)


def w_svd_ns(a, **kw):
    u, s, vh = wg.linalg.svd(a, hermitian=True, **kw)
    return u * u, s, vh * vh, wg.einsum("...ik,...kj->...kij", u, vh)


def n_svd_ns(a, **kw):
    u, s, vh = np.linalg.svd(a, hermitian=True, **kw)
    return u * u, s, vh * vh, np.einsum("...ik,...kj->...kij", u, vh)


def n_cofactor(a):
    return np.linalg.det(a)[..., None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)


def w_eigh_ns(a, **kw):
    w, v = wg.linalg.eigh(a, **kw)
    return w, v * v


def n_eigh_ns(a, **kw):
    w, v = np.linalg.eigh(a, **kw)
    return w, v * v


def _grad(f, a):
    x = wg.tensor(a, requires_grad=True)
    f(x).backward()
    return x.grad.numpy(force=True)


def _cholesky_loss(upper, w):
    return lambda x: (wg.linalg.cholesky(x, upper=upper) * w).sum()


def _svd_herm_loss(w):
    def f(x):
        u, s, vh = wg.linalg.svd(x, hermitian=True)
        return (s * w[0]).sum() + (u * u * w).sum() + (vh * vh * w.T).sum()
    return f


L = wg.linalg


def real_spectrum(rng, s, i):
    """A non-symmetric matrix P diag(λ) P⁻¹ with real eigenvalues ≈ 1, 2.5, 4, …"""
    n = s[-1]
    p = rng.uniform(-1, 1, s) + 2 * np.eye(n)
    lam = 1 + 1.5 * np.arange(n) + rng.uniform(-0.2, 0.2, s[:-1])
    return (p * lam[..., None, :]) @ np.linalg.inv(p)


def sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def _named(f, name):
    f.__name__ = name
    return f


def pinv_of_sym(a, **kw):
    return L.pinv(sym(a), hermitian=True, **kw)


def np_pinv_of_sym(a, **kw):
    return np.linalg.pinv(sym(a), hermitian=True, **kw)


def low_rank_pinv(b, c, **kw):
    return L.pinv(b @ c, **kw)


def np_low_rank_pinv(b, c, **kw):
    return np.linalg.pinv(b @ c, **kw)


def lstsq_xr(a, b):
    r = L.lstsq(a, b)
    return r[0], r[1]


def np_lstsq_xr(a, b):
    r = np.linalg.lstsq(a, b)
    return r[0], r[1]


def low_rank_lstsq(b, c, y):
    return L.lstsq(b @ c, y)[0]


def np_low_rank_lstsq(b, c, y):
    return np.linalg.lstsq(b @ c, y)[0]


def eig_sign_free(a):
    """Eigenvalues, and the squared entries of the eigenvectors (independent of each
    eigenvector's sign, which NumPy leaves open)."""
    w, v = L.eig(a)
    return w, v * v


def np_eig_sign_free(a):
    w, v = np.linalg.eig(a)
    return w, v * v


def inv_tensor(rng, s, i):
    n = int(np.prod(s[1:]))
    return (rng.uniform(-1, 1, (s[0], n)) + 3 * np.eye(n)).reshape(s)


def solve_tensor(rng, s, i):
    if i == 1:
        return rng.uniform(-1, 1, s)
    n = int(np.prod(s[:2]))
    return (rng.uniform(-1, 1, (n, n)) + 3 * np.eye(n)).reshape(s)
