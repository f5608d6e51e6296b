"""Decompositions (det slogdet cholesky qr svd): the op table, det at singular matrices (its
cofactor op), slogdet's and qr's errors where the derivative does not exist, and cholesky
and svd(hermitian=True) differentiated on the one triangle they read."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import (_cholesky_loss, distinct_sv, distinct_sym, _grad, _grad_of,
    _leaf, low_rank, n_cofactor, n_svd, n_svd_herm, n_svd_ns, nonsymmetric,
    nonsymmetric_indefinite, nsym, spd, SQUARE, SQUARE_FROM_1, _svd_herm_loss, w_svd, w_svd_herm,
    w_svd_ns, well_conditioned, wsym)
from tests.ops.op_table import generic_tests, Row
from wengert.ops.linalg.decompositions import _cofactor
from wengert.tensor import Tensor


ROWS = [
    Row(wg.linalg.det, np.linalg.det, shapes=SQUARE + [((2, 2),)], sample=well_conditioned),
    Row(wg.linalg.slogdet, np.linalg.slogdet, shapes=SQUARE, sample=well_conditioned),
    Row(lambda a: wg.linalg.slogdet(-a), lambda a: np.linalg.slogdet(-a), ops=("slogdet",),
        shapes=[((3, 3),)], sample=well_conditioned, id="slogdet[negative]"),
    # decompositions
    Row(lambda a, **kw: wg.linalg.cholesky(wsym(a), **kw),
        lambda a, **kw: np.linalg.cholesky(nsym(a), **kw), ops=("cholesky",),
        shapes=SQUARE, sample=spd, kwargs=[{}, {"upper": True}], id="cholesky"),
    Row(wg.linalg.qr, np.linalg.qr, shapes=[((3, 3),), ((4, 3),), ((3, 5),), ((2, 4, 3),),
                                           ((2, 2, 3),)], sample=distinct_sv),
    Row(wg.linalg.qr, np.linalg.qr, shapes=[((3, 3),), ((3, 4),)], sample=distinct_sv,
        kwargs=[{"mode": "r"}, {"mode": "complete"}], id="qr[modes]"),
    Row(w_svd, n_svd, ops=("svd",), shapes=[((3, 3),), ((4, 3),), ((3, 4),), ((2, 4, 3),)],
        sample=distinct_sv, id="svd"),
    Row(w_svd_herm, n_svd_herm, ops=("svd",), shapes=[((3, 3),)], sample=distinct_sym,
        id="svd[hermitian]"),
    Row(lambda a: wg.linalg.svd(a, compute_uv=False),
        lambda a: np.linalg.svd(a, compute_uv=False), ops=("svd",),
        shapes=[((3, 3),), ((4, 3),), ((2, 3, 4),)], sample=distinct_sv, id="svd[S]"),
    Row(_cofactor, n_cofactor, ops=("cofactor",), shapes=SQUARE_FROM_1, sample=well_conditioned),
    Row(wg.linalg.det, np.linalg.det, shapes=[((2, 2),), ((3, 3),), ((2, 4, 4),)],
        sample=low_rank(1), id="det[singular]"),
    Row(wg.linalg.det, np.linalg.det, shapes=[((3, 3),), ((4, 4),)], sample=low_rank(2),
        id="det[rank n-2]"),
    Row(wg.linalg.det, np.linalg.det, shapes=[((3, 3),), ((2, 2, 2),)],
        sample=lambda rng, s, i: low_rank(1)(rng, s, i) + 1e-9 * rng.uniform(-1, 1, s),
        id="det[near-singular]"),
    # nonsymmetric: the mirrored triangle has eigenvalues ≳ 1 (positive definite)
    Row(wg.linalg.cholesky, np.linalg.cholesky, shapes=SQUARE_FROM_1, sample=nonsymmetric,
        kwargs=[{}, {"upper": True}], id="cholesky[nonsymmetric]"),
    Row(w_svd_ns, n_svd_ns, ops=("svd",), shapes=SQUARE_FROM_1, sample=nonsymmetric_indefinite,
        kwargs=[{}, {"full_matrices": False}], id="svd[hermitian,nonsymmetric]"),
    Row(lambda a: wg.linalg.svd(a, hermitian=True, compute_uv=False),
        lambda a: np.linalg.svd(a, hermitian=True, compute_uv=False), ops=("svd",),
        shapes=SQUARE_FROM_1, sample=nonsymmetric_indefinite, id="svd[hermitian,S,nonsymmetric]"),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_cholesky_gradient_lives_on_the_lower_triangle():
    # NumPy reads only the lower triangle; through A = ½(B + Bᵀ) the gradient is symmetric
    a = spd(np.random.default_rng(1), (3, 3), 0)
    w = np.random.default_rng(2).standard_normal((3, 3))
    g = _grad_of(lambda x: (wg.linalg.cholesky(x) * w).sum(), a)
    np.testing.assert_array_equal(np.triu(g, 1), 0.0)
    gs = _grad_of(lambda x: (wg.linalg.cholesky(wsym(x)) * w).sum(), a)
    np.testing.assert_allclose(gs, gs.T, atol=1e-12)


def test_slogdet_sign_carries_no_gradient():
    a = well_conditioned(np.random.default_rng(0), (3, 3), 0)
    x = _leaf(a)
    wg.linalg.slogdet(x).sign.backward()
    assert x.grad is None or not x.grad.numpy().any()
    x = _leaf(a)
    wg.linalg.slogdet(x).logabsdet.backward()
    np.testing.assert_allclose(x.grad.numpy(), np.linalg.inv(a).T)


def test_det_gradient_is_det_times_inverse_transpose():
    a = well_conditioned(np.random.default_rng(3), (2, 3, 3), 0)
    g = _grad_of(lambda x: wg.linalg.det(x).sum(), a)
    want = np.linalg.det(a)[:, None, None] * np.swapaxes(np.linalg.inv(a), -1, -2)
    np.testing.assert_allclose(g, want)


def test_svd_full_matrices_square_is_differentiable():
    a = distinct_sv(np.random.default_rng(5), (3, 3), 0)
    g = _grad_of(lambda x: wg.linalg.svd(x)[1].sum(), a)
    u, s, vh = np.linalg.svd(a)
    np.testing.assert_allclose(g, u @ vh)


def test_result_types_follow_numpy():
    a = spd(np.random.default_rng(0), (3, 3), 0)
    assert wg.linalg.slogdet(a)._fields == ("sign", "logabsdet")
    assert wg.linalg.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    assert wg.linalg.qr(a)._fields == ("Q", "R")
    assert wg.linalg.svd(a)._fields == ("U", "S", "Vh")
    for r in (wg.linalg.qr(a), wg.linalg.svd(a)):
        assert all(isinstance(o, Tensor) for o in r)
    raw = wg.linalg.qr(a, mode="raw")
    for got, want in zip(raw, np.linalg.qr(a, mode="raw")):
        np.testing.assert_allclose(got.numpy(), want)


def test_hessian_of_logdet_through_create_graph():
    # d/dA ⟨∇ log det A, V⟩ = −A⁻ᵀ Vᵀ A⁻ᵀ: the VJP of inv differentiates again
    rng = np.random.default_rng(0)
    a = well_conditioned(rng, (3, 3), 0)
    v = rng.standard_normal((3, 3))
    x = _leaf(a)
    (g,) = wg.autograd.grad(wg.linalg.slogdet(x)[1], [x], create_graph=True)
    (h,) = wg.autograd.grad((g * v).sum(), [x])
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(h.numpy(), -(ai @ v @ ai).T, rtol=1e-10)


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


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_det_gradient_of_a_matrix_holding_an_infinity_or_nan_is_nan(bad):
    # (LAPACK's SVD may never return on an infinity: the cofactor matrix is NaN there, and
    # the other matrices of a batch keep theirs)
    a = np.array([[bad, 0.6, -1.0], [0.7, 2.1, 0.5], [-0.6, 0.7, 3.1]])
    x = wg.tensor(np.stack([a, 2 * np.eye(3)]), requires_grad=True)
    with np.errstate(all="ignore"):
        wg.sum(wg.linalg.det(x)).backward()
    g = x.grad.numpy(force=True)
    assert np.isnan(g[0]).all()
    np.testing.assert_allclose(g[1], 4 * np.eye(3))
    c = wg.compile(wg.grad(lambda m: wg.linalg.det(m)))
    np.testing.assert_allclose(c(2 * np.eye(3)), 4 * np.eye(3))
    with np.errstate(all="ignore"):
        assert np.isnan(c(a)).all()
