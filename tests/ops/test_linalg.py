"""Linear algebra: the op table (forward vs NumPy, gradients to order 2 vs finite differences,
float32), the conventions, the errors, and each primitive's JVP rule and batched cotangents /
tangents (leading batch axes) checked directly."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops._primitive import Cotangents, LinearOp
from wengert.tensor import Tensor

INF = np.inf


# ---- samplers: sample(rng, shape, arg_index) ---------------------------------------------------

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


# ---- helpers used by rows ------------------------------------------------------------------

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

ROWS = [
    # top level
    Row(wg.matmul, np.matmul, nargs=2, shapes=MATMUL_SHAPES),
    Row(wg.dot, np.dot, nargs=2, shapes=[((), (3,)), ((3,), (3,)), ((2, 3), (3,)),
                                         ((2, 3), (3, 4)), ((2, 2, 3), (4, 3, 2)),
                                         ((3,), (2, 3, 4)), ((2, 3), ())]),
    Row(wg.vdot, np.vdot, nargs=2, shapes=[((3,), (3,)), ((2, 3), (3, 2)), ((2, 3), (6,))]),
    Row(wg.inner, np.inner, nargs=2, shapes=[((), (2, 3)), ((3,), (3,)), ((2, 3), (4, 3)),
                                             ((2, 2, 3), (3,))]),
    Row(wg.outer, np.outer, nargs=2, shapes=[((3,), (4,)), ((2, 2), (3,)), ((), (3,))]),
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((2, 3, 4), (3, 4, 2))], id="tensordot2"),
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((2, 3, 4), (4, 3, 5))],
        kwargs=[{"axes": ([1, 2], [1, 0])}, {"axes": ([-1], [0])}, {"axes": 0},
                {"axes": ((), ())}], id="tensordot"),
    Row(wg.tensordot, np.tensordot, nargs=2, shapes=[((3,), (3,)), ((2, 3), (3, 2))],
        kwargs=[{"axes": 1}], id="tensordot1"),
    einsum_row("ij,jk->ik", [((2, 3), (3, 4))]),
    einsum_row("ij,jk", [((2, 3), (3, 4))]),
    einsum_row("ba,ac", [((2, 3), (3, 4))]),
    einsum_row("...ij,...jk->...ik", [((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (4, 2))]),
    einsum_row("ij,ij->ij", [((1, 3), (2, 3)), ((2, 3), (2, 1))]),
    einsum_row("ij,ij->j", [((1, 3), (2, 3)), ((2, 3), (2, 1))]),
    einsum_row("ij,jk->k", [((1, 3), (3, 2)), ((2, 1), (3, 2))]),
    einsum_row("ii->i", [((3, 3),)]),
    einsum_row("ii", [((3, 3),)]),
    einsum_row("iij->ji", [((3, 3, 2),)]),
    einsum_row("iji->j", [((2, 3, 2),)]),
    einsum_row("ij->", [((2, 3),)]),
    einsum_row("ij->j", [((2, 3),)]),
    einsum_row("ij->ji", [((2, 3),)]),
    einsum_row("i,j->ij", [((2,), (3,))]),
    einsum_row("i,i,i->", [((3,), (3,), (3,))]),
    einsum_row("bij,bjk,bkl->bil", [((2, 2, 3), (2, 3, 2), (2, 2, 2))],
               kwargs=[{}]),
    einsum_row("i...,i->...", [((3, 2, 2), (3,))]),
    einsum_row("ii,i->i", [((3, 3), (3,))]),
    Row(lambda a, b: wg.einsum(a, [0, 1], b, [1, 2], [0, 2]),
        lambda a, b: np.einsum(a, [0, 1], b, [1, 2], [0, 2]), ops=("einsum",), nargs=2,
        shapes=[((2, 3), (3, 4))], id="einsum[sublists]"),
    einsum_row(",i->i", [((), (3,))]),
    einsum_row("i,i", [((3,), (3,))]),
    Row(lambda a: wg.einsum(a, [Ellipsis, 0, 0], [0, Ellipsis]),
        lambda a: np.einsum(a, [Ellipsis, 0, 0], [0, Ellipsis]), ops=("einsum",),
        shapes=[((2, 3, 3),)], id="einsum[sublist...]"),
    Row(lambda a, b: wg.einsum("ij,jk->ik", a, b, optimize=True),
        lambda a, b: np.einsum("ij,jk->ik", a, b, optimize=True), ops=("einsum",), nargs=2,
        shapes=[((2, 3), (3, 4))], id="einsum[optimize]"),
    Row(wg.trace, np.trace, ops=("trace", "diagonal", "diagonal_embed"),
        shapes=[((3, 3),), ((3, 4),), ((2, 3, 4),)],
        kwargs=[{}, {"offset": 1}, {"offset": -1}, {"axis1": 1, "axis2": 0}]),
    Row(wg.trace, np.trace, shapes=[((2, 3, 4),)], id="trace3d",
        kwargs=[{"axis1": 1, "axis2": 2}, {"offset": 1, "axis1": -1, "axis2": 0}]),
    Row(wg.diagonal, np.diagonal, ops=("diagonal", "diagonal_embed"),
        shapes=[((3, 3),), ((3, 4),), ((2, 3, 4),)],
        kwargs=[{}, {"offset": 1}, {"offset": -2}, {"axis1": 1, "axis2": 0}]),
    Row(wg.diagonal, np.diagonal, shapes=[((2, 3, 4),)], id="diagonal3d",
        kwargs=[{"axis1": 2, "axis2": 0}, {"offset": 1, "axis1": -1, "axis2": -2}]),
    # wg.linalg: inverse, determinant, solve
    Row(wg.linalg.inv, np.linalg.inv, shapes=SQUARE + [((1, 1),)], sample=well_conditioned),
    Row(wg.linalg.det, np.linalg.det, shapes=SQUARE + [((2, 2),)], sample=well_conditioned),
    Row(wg.linalg.slogdet, np.linalg.slogdet, shapes=SQUARE, sample=well_conditioned),
    Row(lambda a: wg.linalg.slogdet(-a), lambda a: np.linalg.slogdet(-a), ops=("slogdet",),
        shapes=[((3, 3),)], sample=well_conditioned, id="slogdet[negative]"),
    Row(wg.linalg.solve, np.linalg.solve, nargs=2, sample=wc_then_uniform,
        shapes=[((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3, 1)),
                ((2, 3, 3), (1, 3, 2)), ((3, 3), (2, 3, 2))]),
    # decompositions
    Row(lambda a, **kw: wg.linalg.cholesky(wsym(a), **kw),
        lambda a, **kw: np.linalg.cholesky(nsym(a), **kw), ops=("cholesky",),
        shapes=SQUARE, sample=spd, kwargs=[{}, {"upper": True}], id="cholesky"),
    Row(w_eigh, n_eigh, ops=("eigh",), shapes=SQUARE, sample=distinct_sym,
        kwargs=[{}, {"UPLO": "U"}], id="eigh"),
    Row(lambda a: wg.linalg.eigvalsh(wsym(a)), lambda a: np.linalg.eigvalsh(nsym(a)),
        ops=("eigh",), shapes=SQUARE, sample=distinct_sym, id="eigvalsh"),
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
    Row(wg.linalg.svdvals, np.linalg.svdvals, shapes=[((4, 3),)], sample=distinct_sv),
    # norms
    Row(wg.linalg.vector_norm, np.linalg.vector_norm, sample=away_from_zero,
        shapes=[((3,),), ((2, 3),)],
        kwargs=[{}, {"ord": 1}, {"ord": 3}, {"ord": 0.5}, {"ord": INF}, {"ord": -INF},
                {"ord": 0}, {"axis": -1}, {"axis": 0, "keepdims": True},
                {"ord": INF, "axis": -1, "keepdims": True}]),
    Row(wg.linalg.vector_norm, np.linalg.vector_norm, sample=away_from_zero,
        shapes=[((2, 3, 4),)], kwargs=[{"axis": (0, 2)}, {"axis": (2, 1), "ord": 3}],
        id="vector_norm3d"),
    Row(wg.linalg.matrix_norm, np.linalg.matrix_norm, ops=("vector_norm", "svd"),
        sample=distinct_sv, shapes=[((3, 4),), ((2, 3, 3),)],
        kwargs=[{"ord": o} for o in MNORM_ORDS] + [{"keepdims": True},
                                                    {"ord": 1, "keepdims": True},
                                                    {"ord": "nuc", "keepdims": True}]),
    Row(wg.linalg.norm, np.linalg.norm, sample=away_from_zero, shapes=[((3,),), ((2, 3),)],
        kwargs=[{}, {"ord": 1}, {"ord": INF}, {"keepdims": True}, {"axis": 0},
                {"axis": -1, "ord": 3}]),
    Row(wg.linalg.norm, np.linalg.norm, sample=distinct_sv, shapes=[((3, 4),)], id="norm2d",
        kwargs=[{"ord": o} for o in MNORM_ORDS] + [{"axis": (1, 0), "ord": 1}]),
    Row(wg.linalg.norm, np.linalg.norm, sample=distinct_sv, shapes=[((2, 3, 4),)],
        id="norm3d", kwargs=[{"axis": (2, 0), "ord": o} for o in ("fro", 1, INF, "nuc", 2)]
        + [{"axis": (0, 2), "ord": -1, "keepdims": True}, {"axis": (2, 1), "keepdims": True,
                                                            "ord": 2}]),
    # small wg.linalg extras
    Row(wg.linalg.matmul, np.linalg.matmul, nargs=2, shapes=MATMUL_SHAPES[:4],
        id="linalg.matmul"),
    Row(wg.linalg.matrix_transpose, np.linalg.matrix_transpose, shapes=[((2, 3),), ((2, 3, 4),)]),
    Row(wg.linalg.outer, np.linalg.outer, nargs=2, shapes=[((3,), (4,))], id="linalg.outer"),
    Row(wg.linalg.trace, np.linalg.trace, shapes=[((3, 4),), ((2, 3, 3),)],
        kwargs=[{}, {"offset": 1}], id="linalg.trace"),
    Row(wg.linalg.diagonal, np.linalg.diagonal, shapes=[((3, 4),), ((2, 3, 3),)],
        kwargs=[{}, {"offset": -1}], id="linalg.diagonal"),
    Row(wg.linalg.tensordot, np.linalg.tensordot, nargs=2, shapes=[((2, 3), (3, 4))],
        kwargs=[{"axes": 1}], id="linalg.tensordot"),
    Row(wg.linalg.vecdot, np.linalg.vecdot, nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (3,)), ((2, 1, 3), (4, 3))],
        kwargs=[{}]),
    Row(wg.linalg.vecdot, np.linalg.vecdot, nargs=2, shapes=[((3, 2), (3, 1))],
        kwargs=[{"axis": 0}], id="vecdot[axis]"),
    Row(wg.linalg.matrix_power, np.linalg.matrix_power, shapes=SQUARE,
        sample=well_conditioned, kwargs=[{"n": 3}, {"n": -2}, {"n": 1}, {"n": 0}]),
    Row(lambda a, b, c: wg.linalg.multi_dot([a, b, c]),
        lambda a, b, c: np.linalg.multi_dot([a, b, c]), ops=("matmul",), nargs=3,
        shapes=[((3,), (3, 4), (4, 2)), ((2, 5), (5, 3), (3,)), ((4, 2), (2, 5), (5, 3))],
        id="multi_dot"),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def _leaf(a):
    return wg.tensor(a, requires_grad=True)


def _grad_of(f, a):
    x = _leaf(a)
    f(x).backward()
    return x.grad.numpy()


# ---- conventions ---------------------------------------------------------------------------

@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, INF, -INF])
def test_vector_norm_gradient_at_zero_is_zero(ord):
    g = _grad_of(lambda x: wg.linalg.vector_norm(x, ord=ord), np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros(3))


def test_norms_at_zero_rows_are_nan_free():
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    g = _grad_of(lambda x: wg.linalg.norm(x, axis=1).sum(), a)
    np.testing.assert_allclose(g, [[0, 0], [0.6, 0.8]])
    g = _grad_of(lambda x: wg.linalg.matrix_norm(x), np.zeros((2, 2)))
    np.testing.assert_array_equal(g, np.zeros((2, 2)))


def test_inf_norm_splits_ties_evenly():
    g = _grad_of(lambda x: wg.linalg.vector_norm(x, ord=INF), np.array([1.0, -3.0, 3.0, 2.0]))
    np.testing.assert_allclose(g, [0, -0.5, 0.5, 0])


def test_eigh_degenerate_eigenvalues_give_finite_correct_gradient():
    # λ(I) = (1, 1, 1): Σλ = trace, whose gradient is I; v vᵀ summed is I (basis-free)
    a = np.eye(3)
    np.testing.assert_allclose(_grad_of(lambda x: wg.linalg.eigh(x)[0].sum(), a), np.eye(3))
    g = _grad_of(lambda x: (wg.linalg.eigh(x)[1] ** 2).sum(), a)
    assert np.isfinite(g).all()


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


def test_singular_values_gradient_is_u_vt():
    a = distinct_sv(np.random.default_rng(4), (4, 3), 0)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    g = _grad_of(lambda x: wg.linalg.svd(x, compute_uv=False).sum(), a)
    np.testing.assert_allclose(g, u @ vh)


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


def test_einsum_implicit_output_order_and_spaces():
    a, b = np.ones((2, 3)), np.arange(6.0).reshape(3, 2)
    for subs in ("bA,Ab", "Ba", "a b , b c", "...a,ab"):
        ops = (a, b) if "," in subs else (a,)
        np.testing.assert_allclose(wg.einsum(subs, *ops).numpy(), np.einsum(subs, *ops))


def test_einsum_dtype_and_int_operands():
    a = np.arange(6).reshape(2, 3)
    assert wg.einsum("ij->j", a).dtype == np.int64
    r = wg.einsum("ij->j", a, dtype=np.float32, casting="same_kind")
    assert r.dtype == np.float32
    with pytest.raises(TypeError, match="cast"):
        wg.einsum("ij->j", np.ones(3, dtype=np.float64)[None], dtype=np.int64)


# ---- NumPy dispatch ------------------------------------------------------------------------

def test_numpy_functions_on_tensors_stay_differentiable():
    rng = np.random.default_rng(0)
    a = well_conditioned(rng, (3, 3), 0)
    b = rng.standard_normal((3, 2))
    x = _leaf(a)
    y = (np.linalg.inv(x) @ b).sum() + np.trace(x) + np.einsum("ij,jk->", x, b) \
        + np.linalg.norm(x) + np.linalg.slogdet(x)[1] + np.tensordot(x, b, 1).sum() \
        + (b.T @ x).sum() + np.dot(x, b).sum() + x.diagonal().sum() + x.trace() + x.dot(b).sum()
    assert isinstance(y, Tensor)
    y.backward()
    ones = np.ones((3, 2))
    want = (-np.linalg.inv(a).T @ ones @ b.T @ np.linalg.inv(a).T + np.eye(3)
            + np.ones((3, 1)) * b.sum(1)[None, :]
            + a / np.linalg.norm(a) + np.linalg.inv(a).T + ones @ b.T
            + b @ ones.T + ones @ b.T + np.eye(3) + np.eye(3) + ones @ b.T)
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-10)


@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "eigh", "eigvalsh",
                                  "qr", "svd", "svdvals", "norm", "vector_norm", "matrix_norm",
                                  "matrix_transpose", "trace", "diagonal", "matmul",
                                  "matrix_power", "multi_dot", "solve", "outer", "vecdot",
                                  "tensordot"])
def test_np_linalg_names_dispatch_to_wengert(name):
    a = spd(np.random.default_rng(0), (3, 3), 0)
    x = _leaf(a)
    args = {"matrix_power": (x, 2), "multi_dot": ([x, x, x],), "solve": (x, a[0]),
            "outer": (x[0], x[1]), "vecdot": (x, x), "tensordot": (x, x), "matmul": (x, x)}
    r = getattr(np.linalg, name)(*args.get(name, (x,)))
    outs = tuple(r) if isinstance(r, tuple) else (r,)
    assert all(isinstance(o, Tensor) for o in outs)
    assert any(o.grad_fn is not None for o in outs)


def test_ndarray_matmul_tensor():
    a = np.arange(6.0).reshape(2, 3)
    x = _leaf(np.ones((3, 2)))
    y = a @ x
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a.T @ np.ones((2, 2)))


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


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("f,shapes", [
    (wg.matmul, ((2, 3), (4, 5))),
    (wg.matmul, ((2, 2, 3), (3, 3, 4))),
    (wg.matmul, ((), (3,))),
    (wg.dot, ((2, 3), (4, 5))),
    (wg.inner, ((2, 3), (4,))),
    (wg.vdot, ((2, 3), (5,))),
    (wg.tensordot, ((2, 3), (4, 5))),
    (lambda a, b: wg.tensordot(a, b, axes=([0], [1])), ((2, 3), (4, 5))),
    (wg.linalg.solve, ((3, 3), (4,))),
    (wg.linalg.solve, ((3, 3), (4, 2))),
    (wg.linalg.solve, ((2, 3, 3), (4, 3, 1))),
    (lambda a, b: wg.einsum("ij,jk->ik", a, b), ((2, 3), (4, 5))),
    (lambda a, b: wg.einsum("...i,...i", a, b), ((2, 3), (4, 3))),
    (wg.linalg.vecdot, ((2, 3), (2, 4))),
    (wg.linalg.outer, ((2, 3), (4,))),
])
def test_shape_mismatch_names_both_shapes(f, shapes):
    args = [np.ones(s) for s in shapes]
    with pytest.raises(ValueError) as info:
        f(*args)
    msg = str(info.value)
    for s in shapes:
        assert str(s) in msg, msg


@pytest.mark.parametrize("f,shape", [
    (wg.linalg.inv, (2, 3)), (wg.linalg.det, (3,)), (wg.linalg.slogdet, (2, 3)),
    (wg.linalg.cholesky, (3, 2)), (wg.linalg.eigh, (2, 3)), (wg.linalg.svd, (3,)),
    (wg.linalg.qr, (3,)), (lambda a: wg.linalg.matrix_power(a, 2), (2, 3)),
])
def test_non_square_or_non_matrix_is_a_linalg_error(f, shape):
    with pytest.raises(np.linalg.LinAlgError, match=str(shape).replace("(", r"\(")
                       .replace(")", r"\)")):
        f(np.ones(shape))


def test_svd_full_matrices_gradient_error():
    x = _leaf(distinct_sv(np.random.default_rng(0), (4, 3), 0))
    u, s, vh = wg.linalg.svd(x)                 # forward is fine
    assert u.shape == (4, 4)
    with pytest.raises(ValueError, match="full_matrices=False"):
        (s.sum() + u[:, :3].sum()).backward()


def test_qr_complete_gradient_error_and_raw_mode():
    x = _leaf(distinct_sv(np.random.default_rng(0), (4, 3), 0))
    q, r = wg.linalg.qr(x, mode="complete")
    with pytest.raises(ValueError, match="mode='reduced'"):
        r.sum().backward()
    with pytest.raises(ValueError, match="not differentiable"):
        wg.linalg.qr(x, mode="raw")
    with pytest.raises(ValueError, match="mode"):
        wg.linalg.qr(x, mode="full")


def test_singular_matrix_raises():
    with pytest.raises(np.linalg.LinAlgError):
        wg.linalg.inv(np.zeros((2, 2)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: wg.einsum("ij,jk->ik", np.ones((2, 3))), ValueError, "2 subscript terms"),
    (lambda: wg.einsum("ij->iij", np.ones((2, 3))), ValueError, "repeat"),
    (lambda: wg.einsum("ij->k", np.ones((2, 3))), ValueError, "'k'"),
    (lambda: wg.einsum("i1", np.ones((2, 3))), ValueError, "invalid subscript"),
    (lambda: wg.einsum("ijk", np.ones((2, 3))), ValueError, r"\(2, 3\)"),
    (lambda: wg.einsum("...i->i", np.ones((2, 3))), ValueError, "'...'"),
    (lambda: wg.einsum("i->i->i", np.ones(3)), ValueError, "'->'"),
    (lambda: wg.einsum(np.ones(3), [52]), ValueError, "sublist"),
    (lambda: wg.einsum("i", np.ones(3), out=np.ones(3)), TypeError, "out="),
    (lambda: wg.dot(np.ones(2), np.ones(2), out=np.ones(())), TypeError, "out="),
    (lambda: wg.diagonal(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.diagonal(np.ones((2, 2)), 0, 1, -1), ValueError, "same"),
    (lambda: wg.trace(np.ones((2, 2)), axis1=0, axis2=2), ValueError, "out of bounds"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=3), ValueError, "axes=3"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=([0], [0, 0])), ValueError, "paired"),
    (lambda: wg.tensordot(np.ones(2), np.ones(2), axes=None), TypeError, "axes"),
    (lambda: wg.linalg.vector_norm(np.ones(3), ord="fro"), ValueError, "invalid norm order"),
    (lambda: wg.linalg.norm(np.ones(3), ord="fro", axis=0), ValueError, "invalid norm order"),
    (lambda: wg.linalg.norm(np.ones((2, 2)), ord=3), ValueError, "for matrices"),
    (lambda: wg.linalg.norm(np.ones((2, 2, 2)), ord=1), ValueError, "dimensions"),
    (lambda: wg.linalg.norm(np.ones((2, 2)), axis=(0, 0)), ValueError, "duplicate"),
    (lambda: wg.linalg.norm(np.ones((2, 2, 2)), axis=(0, 1, 2)), ValueError, "axes"),
    (lambda: wg.linalg.matrix_norm(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.linalg.matrix_transpose(np.ones(3)), ValueError, "two dimensions"),
    (lambda: wg.linalg.eigh(np.eye(2), UPLO="X"), ValueError, "UPLO"),
    (lambda: wg.linalg.matrix_power(np.eye(2), 1.5), TypeError, "integer"),
    (lambda: wg.linalg.multi_dot([np.ones(2)]), ValueError, "two arrays"),
    (lambda: wg.linalg.multi_dot([np.ones((2, 3)), np.ones((4, 2))]), ValueError, r"\(4, 2\)"),
    (lambda: wg.linalg.multi_dot([np.ones((2, 3)), np.ones((3, 2, 1))]), ValueError, "2-D"),
])
def test_argument_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---- the rules themselves: JVPs vs finite differences, batched tangents and cotangents ------

def _node_of(out):
    first = out[0] if isinstance(out, tuple) else out
    node = first.grad_fn
    return node.parents[0] if isinstance(out, tuple) else node


def _saved(node):
    if isinstance(node.op, LinearOp):
        return []
    return [s.data if isinstance(s, Tensor) else s for s in node.saved]


def _params(node):
    return node.params[1] if isinstance(node.op, LinearOp) else node.params


def _as_tuple(x):
    return tuple(x) if isinstance(x, tuple) else (x,)


def _zero_if_none(t, like):
    return np.zeros_like(like) if t is None else t


SYM = "sym"          # tangents must be symmetric (the op reads one triangle)

RULE_CASES = [
    ("matmul", lambda a, b: wg.matmul(a, b), [(2, 3), (3, 4)], None),
    ("matmul-vec-mat", lambda a, b: wg.matmul(a, b), [(3,), (2, 3, 4)], None),
    ("matmul-mat-vec", lambda a, b: wg.matmul(a, b), [(2, 2, 3), (3,)], None),
    ("matmul-vec-vec", lambda a, b: wg.matmul(a, b), [(3,), (3,)], None),
    # matrix·vector: a batch of (co)tangents goes through one gemm, not a matvec per entry
    ("matmul-2d-vec", lambda a, b: wg.matmul(a, b), [(2, 3), (3,)], None),
    ("matmul-vec-2d", lambda a, b: wg.matmul(a, b), [(3,), (3, 4)], None),
    ("matmul-bcast", lambda a, b: wg.matmul(a, b), [(2, 1, 2, 3), (3, 3, 2)], None),
    ("tensordot", lambda a, b: wg.tensordot(a, b, axes=([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 5)],
     None),
    ("einsum", lambda a, b: wg.einsum("...ij,jk->...ik", a, b), [(2, 2, 3), (3, 4)], None),
    ("einsum-diag", lambda a, b: wg.einsum("iij,i->ji", a, b), [(3, 3, 2), (3,)], None),
    ("einsum-bcast", lambda a, b: wg.einsum("ij,ij->j", a, b), [(1, 3), (2, 3)], None),
    ("diagonal", lambda a: wg.diagonal(a, 1, 2, 0), [(3, 2, 4)], None),
    ("inv", wg.linalg.inv, [(2, 3, 3)], well_conditioned),
    ("det", wg.linalg.det, [(2, 3, 3)], well_conditioned),
    ("slogdet", lambda a: tuple(wg.linalg.slogdet(a)), [(2, 3, 3)], well_conditioned),
    ("solve", wg.linalg.solve, [(2, 3, 3), (3, 2)], wc_then_uniform),
    ("solve-vec", wg.linalg.solve, [(2, 3, 3), (3,)], wc_then_uniform),
    ("cholesky", wg.linalg.cholesky, [(2, 3, 3)], spd),
    ("eigh", lambda a: tuple(wg.linalg.eigh(a)), [(2, 3, 3)], distinct_sym),
    ("qr-tall", lambda a: tuple(wg.linalg.qr(a)), [(2, 4, 3)], distinct_sv),
    ("qr-wide", lambda a: tuple(wg.linalg.qr(a)), [(3, 5)], distinct_sv),
    ("svd-tall", lambda a: tuple(wg.linalg.svd(a, full_matrices=False)), [(2, 4, 3)],
     distinct_sv),
    ("svd-wide", lambda a: tuple(wg.linalg.svd(a, full_matrices=False)), [(3, 4)], distinct_sv),
    ("vector_norm", lambda a: wg.linalg.vector_norm(a, axis=-1), [(2, 3)], away_from_zero),
    ("vector_norm-p", lambda a: wg.linalg.vector_norm(a, ord=3, axis=0, keepdims=True),
     [(2, 3)], away_from_zero),
    ("vector_norm-inf", lambda a: wg.linalg.vector_norm(a, ord=INF), [(2, 3)], away_from_zero),
]
SYMMETRIC_INPUT = {"cholesky", "eigh"}


def _case_args(name, shapes, sample, rng):
    if sample is None:
        return [rng.standard_normal(s) for s in shapes]
    return [np.asarray(sample(rng, s, i), dtype=float) for i, s in enumerate(shapes)]


def _tangent(name, shape, rng, lead=()):
    t = rng.standard_normal(lead + shape)
    if name in SYMMETRIC_INPUT:
        t = (t + np.swapaxes(t, -1, -2)) / 2
    return t


@pytest.mark.parametrize("name,f,shapes,sample", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_jvp_rule_matches_finite_differences(name, f, shapes, sample):
    rng = np.random.default_rng(0)
    args = _case_args(name, shapes, sample, rng)
    out = f(*[_leaf(a) for a in args])
    node = _node_of(out)
    op = node.op
    tangents = [_tangent(name, np.shape(a), rng) for a in args]
    got = _as_tuple(op.jvp(tuple(tangents), *_saved(node), **_params(node)))
    h = 1e-6

    def fwd(sign):
        return _as_tuple(op.forward(*[a + sign * h * t for a, t in zip(args, tangents)],
                                    **_params(node)))
    want = [(p - m) / (2 * h) for p, m in zip(fwd(1), fwd(-1))]
    for g, w, o in zip(got, want, _as_tuple(out)):
        g = _zero_if_none(g, w)
        assert np.shape(g) == np.shape(o.numpy(force=True))
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    # one tangent at a time (the others None) adds up to the same
    if len(args) > 1:
        total = None
        for i in range(len(args)):
            ts = tuple(t if j == i else None for j, t in enumerate(tangents))
            part = _as_tuple(op.jvp(ts, *_saved(node), **_params(node)))
            total = part if total is None else tuple(a + b for a, b in zip(total, part))
        for a, b in zip(total, got):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,f,shapes,sample", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rules_accept_leading_batch_axes(name, f, shapes, sample):
    """A batch of tangents (cotangents) in front gives the batch of single results."""
    rng = np.random.default_rng(1)
    args = _case_args(name, shapes, sample, rng)
    out = f(*[_leaf(a) for a in args])
    node = _node_of(out)
    op, saved = node.op, _saved(node)
    outs = [o.numpy(force=True) for o in _as_tuple(out)]
    lead = (2,)
    # forward mode
    tangents = [_tangent(name, np.shape(a), rng, lead) for a in args]
    batched = _as_tuple(op.jvp(tuple(tangents), *saved, **_params(node)))
    for k in range(lead[0]):
        single = _as_tuple(op.jvp(tuple(t[k] for t in tangents), *saved, **_params(node)))
        for b, s, o in zip(batched, single, outs):
            if b is None:
                assert s is None
                continue
            assert np.shape(b) == lead + o.shape
            np.testing.assert_allclose(np.asarray(b)[k], s, rtol=1e-10, atol=1e-12)
    # reverse mode
    cots = [rng.standard_normal(lead + o.shape) for o in outs]

    def backward(gs):
        g = Cotangents(gs) if isinstance(out, tuple) else gs[0]
        return node.op.backward(node, g, False)
    batched = backward(cots)
    for k in range(lead[0]):
        single = backward([c[k] for c in cots])
        for b, s, a in zip(batched, single, args):
            assert np.shape(b) == lead + np.shape(a)
            np.testing.assert_allclose(np.asarray(b)[k], s, rtol=1e-10, atol=1e-12)


def test_linear_layer_weight_gradient_is_c_ordered_and_private():
    """x @ W.T: W.grad comes out C-ordered without a copy, and is not shared with anything."""
    W = wg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    x = wg.tensor(np.ones((2, 4)))
    (x @ W.T).sum().backward()
    g = W.grad.data
    assert g.flags.c_contiguous and g.flags.writeable
    np.testing.assert_array_equal(g, np.full((3, 4), 2.0))
    g += 1                                              # the user's in-place change touches
    np.testing.assert_array_equal(W.data, np.arange(12.0).reshape(3, 4))   # nothing else


def test_view_gradient_sharing_a_base_is_copied():
    """Two leaves receiving views of one array each get a private copy."""
    a = wg.tensor(np.ones(3), requires_grad=True)
    b = wg.tensor(np.ones(3), requires_grad=True)
    s = wg.stack([a, b])                                # backward hands out views of one g
    (s * 2.0).sum().backward()
    a.grad.data[...] = 7.0
    np.testing.assert_array_equal(b.grad.data, np.full(3, 2.0))
