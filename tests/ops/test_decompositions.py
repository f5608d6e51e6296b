"""det at singular matrices (its cofactor op), slogdet's and qr's errors where the derivative
does not exist, and eigh differentiated on the one triangle it reads (non-symmetric inputs),
against central finite differences to second order, float64 and float32."""
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
]

generic_tests(ROWS)


def _grad(f, a):
    x = wg.tensor(a, requires_grad=True)
    f(x).backward()
    return x.grad.numpy()


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
    assert np.isfinite(h.numpy()).all()
    t = rng.standard_normal(a.shape)
    _, jt = wg.jvp(lambda y: wg.linalg.det(y), (a,), (t,))
    np.testing.assert_allclose(jt, (g.numpy() * t).sum(), rtol=1e-8, atol=1e-300)


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
    np.testing.assert_array_equal(x.grad.numpy()[0], 0.0)
    np.testing.assert_allclose(x.grad.numpy()[1], 0.5 * np.eye(2))


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
