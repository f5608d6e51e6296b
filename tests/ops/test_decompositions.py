"""det at singular matrices (its cofactor op), slogdet's and qr's errors where the derivative
does not exist, and eigh, cholesky and svd(hermitian=True) differentiated on the one triangle
they read (non-symmetric inputs), against central finite differences to second order, float64
and float32."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops.decompositions import _cofactor

SQUARE = [((1, 1),), ((2, 2),), ((3, 3),), ((2, 3, 3),)]


def well_conditioned(rng, s, i):
    return rng.uniform(-1, 1, s) + 3 * np.broadcast_to(np.eye(s[-1]), s)


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


ROWS = [
    Row(_cofactor, n_cofactor, ops=("cofactor",), shapes=SQUARE, sample=well_conditioned),
    Row(wg.linalg.det, np.linalg.det, shapes=[((2, 2),), ((3, 3),), ((2, 4, 4),)],
        sample=low_rank(1), id="det[singular]"),
    Row(wg.linalg.det, np.linalg.det, shapes=[((3, 3),), ((4, 4),)], sample=low_rank(2),
        id="det[rank n-2]"),
    Row(wg.linalg.det, np.linalg.det, shapes=[((3, 3),), ((2, 2, 2),)],
        sample=lambda rng, s, i: low_rank(1)(rng, s, i) + 1e-9 * rng.uniform(-1, 1, s),
        id="det[near-singular]"),
    Row(w_eigh_ns, n_eigh_ns, ops=("eigh",), shapes=SQUARE[1:], sample=nonsymmetric,
        kwargs=[{}, {"UPLO": "L"}, {"UPLO": "U"}], id="eigh[nonsymmetric]"),
    Row(lambda a, **kw: wg.linalg.eigvalsh(a, **kw), lambda a, **kw: np.linalg.eigvalsh(a, **kw),
        ops=("eigh",), shapes=[((3, 3),)], sample=nonsymmetric,
        kwargs=[{"UPLO": "L"}, {"UPLO": "U"}], id="eigvalsh[nonsymmetric]"),
    # nonsymmetric: the mirrored triangle has eigenvalues ≳ 1 (positive definite)
    Row(wg.linalg.cholesky, np.linalg.cholesky, shapes=SQUARE, sample=nonsymmetric,
        kwargs=[{}, {"upper": True}], id="cholesky[nonsymmetric]"),
    Row(w_svd_ns, n_svd_ns, ops=("svd",), shapes=SQUARE, sample=nonsymmetric_indefinite,
        kwargs=[{}, {"full_matrices": False}], id="svd[hermitian,nonsymmetric]"),
    Row(lambda a: wg.linalg.svd(a, hermitian=True, compute_uv=False),
        lambda a: np.linalg.svd(a, hermitian=True, compute_uv=False), ops=("svd",),
        shapes=SQUARE, sample=nonsymmetric_indefinite, id="svd[hermitian,S,nonsymmetric]"),
]

generic_tests(ROWS)


def _grad(f, a):
    x = wg.tensor(a, requires_grad=True)
    f(x).backward()
    return x.grad.numpy(force=True)


# ---- det ---------------------------------------------------------------------------------------

def test_det_gradient_at_singular_matrix_is_the_adjugate_transpose():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(_grad(wg.linalg.det, a), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-14)
    z = np.zeros((2, 3, 3))
    np.testing.assert_array_equal(_grad(lambda x: wg.linalg.det(x).sum(), z), 0.0)
    one = np.ones((3, 3))               # rank 1: every 2×2 minor is 0
    np.testing.assert_allclose(_grad(wg.linalg.det, one), 0.0, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_det_gradient_batched_singular_matches_finite_differences(dtype):
    rng = np.random.default_rng(3)
    a = low_rank(1)(rng, (3, 4, 4), 0).astype(dtype)
    g = _grad(lambda x: wg.linalg.det(x).sum(), a)
    assert g.dtype == dtype
    want = wg.numerical_grad(lambda x: np.linalg.det(x).sum(), a.astype(np.float64))
    np.testing.assert_allclose(g, want, rtol=1e-3 if dtype == np.float32 else 1e-6,
                               atol=1e-4 if dtype == np.float32 else 1e-8)


def test_det_hessian_at_singular_matrix():
    # det of 2×2 is ad − bc: its Hessian is constant, singular or not
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    h = wg.hessian(lambda x: wg.linalg.det(x))(a).reshape(4, 4)
    want = np.zeros((4, 4))
    want[0, 3] = want[3, 0] = 1.0
    want[1, 2] = want[2, 1] = -1.0
    np.testing.assert_allclose(h, want, atol=1e-12)


def test_large_det_gradient_uses_the_row_loop():
    rng = np.random.default_rng(0)
    a = low_rank(1)(rng, (60, 60), 0) * 0.9
    x = wg.tensor(a, requires_grad=True)
    (g,) = wg.autograd.grad(wg.linalg.det(x), [x], create_graph=True)
    (h,) = wg.autograd.grad((g * g).sum(), [x])
    assert np.isfinite(h.numpy(force=True)).all()
    t = rng.standard_normal(a.shape)
    _, jt = wg.jvp(lambda y: wg.linalg.det(y), (a,), (t,))
    np.testing.assert_allclose(jt, (g.numpy(force=True) * t).sum(), rtol=1e-8, atol=1e-300)


# ---- slogdet -------------------------------------------------------------------------------------

def test_slogdet_at_singular_matrix_is_a_clear_error():
    x = wg.tensor(np.ones((2, 2)), requires_grad=True)
    sign, lad = wg.linalg.slogdet(x)
    assert lad.item() == -np.inf
    with pytest.raises(ValueError, match="slogdet.*infinite at a singular matrix"):
        lad.backward()
    with pytest.raises(ValueError, match="slogdet.*infinite"):
        wg.jvp(lambda y: wg.linalg.slogdet(y)[1], (np.ones((2, 2)),), (np.ones((2, 2)),))


def test_slogdet_masked_singular_matrix_contributes_zero():
    a = np.stack([np.ones((2, 2)), 2 * np.eye(2)])
    x = wg.tensor(a, requires_grad=True)
    lad = wg.linalg.slogdet(x)[1]
    lad[1].backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True)[0], 0.0)
    np.testing.assert_allclose(x.grad.numpy(force=True)[1], 0.5 * np.eye(2))


# ---- qr --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a", [np.ones((3, 2)), np.zeros((2, 2)), np.ones((2, 4)),
                               np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]])])
def test_qr_at_rank_deficient_input_is_a_clear_error(a):
    x = wg.tensor(a, requires_grad=True)
    q, r = wg.linalg.qr(x)
    with pytest.raises(ValueError, match="qr: the gradient does not exist at a rank-deficient"):
        (q.sum() + r.sum()).backward()
    with pytest.raises(ValueError, match="qr: the derivative does not exist.*full rank"):
        wg.jvp(lambda y: wg.linalg.qr(y)[1], (a,), (np.ones_like(a),))


def test_qr_full_rank_gradient_unchanged():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4, 3))
    f = lambda x: (wg.linalg.qr(x)[0] ** 2 * np.arange(3.0)).sum() + wg.linalg.qr(x)[1].sum()
    np.testing.assert_allclose(wg.grad(f)(a), wg.numerical_grad(f, a), rtol=1e-6, atol=1e-8)


# ---- eigh on a non-symmetric input ------------------------------------------------------------------

@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_gradient_lives_on_the_triangle_it_reads(uplo):
    rng = np.random.default_rng(1)
    a = nonsymmetric(rng, (4, 4), 0)
    c = rng.standard_normal(4)
    cv = rng.standard_normal((4, 4))

    def f(x):
        w, v = wg.linalg.eigh(x, UPLO=uplo)
        return (w * c).sum() + (v * v * cv).sum()
    g = wg.grad(f)(a)
    np.testing.assert_allclose(g, wg.numerical_grad(f, a), rtol=1e-6, atol=1e-8)
    unused = np.triu(np.ones((4, 4)), 1) if uplo == "L" else np.tril(np.ones((4, 4)), -1)
    np.testing.assert_array_equal(g[unused == 1], 0.0)
    t = rng.standard_normal((4, 4))
    _, jt = wg.jvp(f, (a,), (t,))
    np.testing.assert_allclose(jt, (g * t).sum(), rtol=1e-8)


# ---- cholesky and svd(hermitian=True) on a non-symmetric input --------------------------------------

def _cholesky_loss(upper, w):
    return lambda x: (wg.linalg.cholesky(x, upper=upper) * w).sum()


def _svd_herm_loss(w):
    def f(x):
        u, s, vh = wg.linalg.svd(x, hermitian=True)
        return (s * w[0]).sum() + (u * u * w).sum() + (vh * vh * w.T).sum()
    return f


@pytest.mark.parametrize("which", ["cholesky", "cholesky[upper]", "svd[hermitian]"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_triangle_gradient_and_jvp_match_finite_differences(which, dtype):
    rng = np.random.default_rng(5)
    w = rng.standard_normal((4, 4))
    if which == "svd[hermitian]":
        a, f, upper = nonsymmetric_indefinite(rng, (2, 4, 4), 0), _svd_herm_loss(w), False
    else:
        upper = which.endswith("[upper]")
        a, f = nonsymmetric(rng, (2, 4, 4), 0), _cholesky_loss(upper, w)
    g = wg.grad(f)(a.astype(dtype))
    assert g.dtype == dtype
    want = wg.numerical_grad(f, a)
    tol = dict(rtol=2e-3, atol=2e-3) if dtype == np.float32 else dict(rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g, want, **tol)
    unread = np.tril(np.ones((4, 4)), -1) if upper else np.triu(np.ones((4, 4)), 1)
    np.testing.assert_array_equal(g[..., unread == 1], 0.0)
    # forward mode reads the same triangle: a tangent on the unread one has no effect
    t = rng.standard_normal(a.shape)
    _, jt = wg.jvp(f, (a,), (t,))
    np.testing.assert_allclose(jt, (want * t).sum(), rtol=1e-6)
    _, j0 = wg.jvp(f, (a,), (t * unread,))
    assert abs(float(np.asarray(j0))) < 1e-12


@pytest.mark.parametrize("which", ["cholesky", "svd[hermitian]"])
def test_one_triangle_second_order_matches_finite_differences(which):
    rng = np.random.default_rng(6)
    w = rng.standard_normal((3, 3))
    if which == "cholesky":
        a, f = nonsymmetric(rng, (3, 3), 0), _cholesky_loss(False, w)
    else:
        a, f = nonsymmetric_indefinite(rng, (3, 3), 0), _svd_herm_loss(w)
    h = wg.hessian(f)(a).reshape(9, 9)
    gf = wg.grad(f)
    want = np.stack([wg.numerical_grad(lambda x, k=k: gf(x).reshape(-1)[k], a).reshape(-1)
                     for k in range(9)])
    np.testing.assert_allclose(h, want, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("which", ["cholesky", "svd[hermitian]"])
def test_one_triangle_gradient_of_a_symmetrised_input_is_unchanged(which):
    # A = ½(B + Bᵀ): the gradient on B is sym(X), as the symmetric rule always gave
    rng = np.random.default_rng(7)
    b = (nonsymmetric if which == "cholesky" else nonsymmetric_indefinite)(rng, (3, 3), 0)
    w = rng.standard_normal((3, 3))
    inner = _cholesky_loss(False, w) if which == "cholesky" else _svd_herm_loss(w)
    f = lambda x: inner((x + wg.swapaxes(x, -1, -2)) / 2)
    g = wg.grad(f)(b)
    np.testing.assert_allclose(g, g.T, atol=1e-12)
    np.testing.assert_allclose(g, wg.numerical_grad(f, b), rtol=1e-6, atol=1e-8)
    a = (b + b.T) / 2                   # at a symmetric point, the rule on A itself folds it
    ga = wg.grad(inner)(a)
    np.testing.assert_allclose(ga, np.tril(g + g.T, -1) + np.diag(np.diag(g)), atol=1e-12)


def test_np_linalg_names_on_tensors_use_the_same_rules():
    rng = np.random.default_rng(8)
    a = nonsymmetric(rng, (3, 3), 0)
    w = rng.standard_normal((3, 3))
    f = lambda x: (np.linalg.cholesky(x) * w).sum() + np.linalg.svd(x, hermitian=True,
                                                                   compute_uv=False).sum()
    np.testing.assert_allclose(wg.grad(f)(a), wg.numerical_grad(f, a), rtol=1e-6, atol=1e-8)
