"""wg.linalg extras (pinv lstsq eig eigvals cond cross matrix_rank tensorinv tensorsolve):
the op table (forward vs NumPy, gradients to second order in both modes, float32, batched
rules), rank-deficient pinv/lstsq at constant rank, NumPy's names, and the errors."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

L = wg.linalg


def well_conditioned(rng, s, i):
    eye = np.broadcast_to(np.eye(s[-1]), s) if len(s) >= 2 and s[-1] == s[-2] else 0.0
    return rng.uniform(-1, 1, s) + 3 * eye


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


ROWS = [
    Row(L.pinv, np.linalg.pinv, id="pinv", ops=("pinv",),
        shapes=[((3, 3),), ((4, 3),), ((2, 4),), ((2, 3, 2),)]),
    Row(L.pinv, np.linalg.pinv, id="pinv-rtol", ops=("pinv",), shapes=[((3, 2),)],
        kwargs=[{"rtol": None}, {"rcond": 1e-10}, {"rtol": 1e-8}]),
    Row(_named(pinv_of_sym, "pinv"), np_pinv_of_sym, id="pinv-hermitian",
        shapes=[((3, 3),), ((2, 2, 2),)], sample=well_conditioned),
    # rank 2 (and 1) at every perturbation of the factors: the constant-rank derivative
    Row(_named(low_rank_pinv, "pinv"), np_low_rank_pinv, id="pinv-rank-deficient", nargs=2,
        shapes=[((4, 2), (2, 3)), ((3, 1), (1, 3)), ((2, 3, 2), (2, 2, 4))]),
    Row(lstsq_xr, np_lstsq_xr, id="lstsq", nargs=2,
        shapes=[((4, 3), (4,)), ((4, 3), (4, 2)), ((3, 4), (3, 2)), ((3, 3), (3,))],
        sample=well_conditioned),
    Row(low_rank_lstsq, np_low_rank_lstsq, id="lstsq-rank-deficient", nargs=3,
        shapes=[((4, 2), (2, 3), (4,)), ((3, 1), (1, 3), (3, 2))]),
    Row(_named(eig_sign_free, "eig"), np_eig_sign_free, id="eig",
        shapes=[((3, 3),), ((2, 2, 2),), ((1, 1),)], sample=real_spectrum),
    Row(L.eigvals, np.linalg.eigvals, id="eigvals", shapes=[((3, 3),), ((2, 4, 4),)],
        sample=real_spectrum),
    Row(L.cond, np.linalg.cond, id="cond", shapes=[((3, 3),), ((2, 3, 3),)],
        sample=well_conditioned,
        kwargs=[{}, {"p": -2}, {"p": 2}, {"p": "fro"}, {"p": 1}, {"p": -np.inf}, {"p": "nuc"}]),
    Row(L.cond, np.linalg.cond, id="cond-rectangular", shapes=[((4, 2),)]),
    Row(L.cross, np.linalg.cross, id="cross", nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))]),
    Row(L.cross, np.linalg.cross, id="cross-axis", nargs=2, shapes=[((3, 2), (3, 2))],
        kwargs=[{"axis": 0}]),
    Row(L.tensorinv, np.linalg.tensorinv, id="tensorinv", shapes=[((6, 2, 3),)],
        sample=inv_tensor, kwargs=[{"ind": 1}]),
    Row(L.tensorsolve, np.linalg.tensorsolve, id="tensorsolve", nargs=2,
        shapes=[((2, 3, 6), (2, 3))], sample=solve_tensor),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_numpy_linalg_names_dispatch():
    rng = np.random.default_rng(2)
    a = rng.uniform(-1, 1, (4, 3))
    b = rng.uniform(-1, 1, (4,))
    m = real_spectrum(rng, (3, 3), 0)
    t = wg.tensor(a, requires_grad=True)
    p = np.linalg.pinv(t)
    assert isinstance(p, wg.Tensor) and p.requires_grad
    np.testing.assert_allclose(p.numpy(force=True), np.linalg.pinv(a), rtol=1e-12)
    x, res, rank, s = np.linalg.lstsq(t, b)
    want = np.linalg.lstsq(a, b)
    np.testing.assert_allclose(x.numpy(force=True), want[0], rtol=1e-10)
    np.testing.assert_allclose(res.numpy(force=True), want[1], rtol=1e-10)
    assert rank == want[2] and res.shape == (1,)
    np.testing.assert_allclose(s.numpy(force=True), want[3])
    assert not s.requires_grad and x.requires_grad
    w, v = np.linalg.eig(wg.tensor(m, requires_grad=True))
    np.testing.assert_allclose(w.numpy(force=True), np.linalg.eig(m)[0], rtol=1e-12)
    assert np.linalg.eigvals(wg.tensor(m)).shape == (3,)
    assert np.linalg.cond(wg.tensor(m)).item() == pytest.approx(np.linalg.cond(m))
    assert np.linalg.matrix_rank(wg.tensor(a)).item() == 3
    c = np.linalg.cross(wg.tensor([1.0, 0, 0], requires_grad=True), np.array([0.0, 1, 0]))
    np.testing.assert_array_equal(c.numpy(force=True), [0, 0, 1])


def test_lstsq_residuals_are_empty_when_underdetermined_or_rank_deficient():
    a = np.ones((4, 3))
    r = L.lstsq(wg.tensor(a, requires_grad=True), np.arange(4.0))
    want = np.linalg.lstsq(a, np.arange(4.0))
    assert r.residuals.shape == (0,) and r.rank == want[2] == 1
    np.testing.assert_allclose(r.x.numpy(force=True), want[0], rtol=1e-10)


def test_eig_without_gradient_returns_numpys_complex_result():
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])
    w, v = L.eig(wg.tensor(rot))
    np.testing.assert_allclose(w.numpy(force=True), np.linalg.eig(rot)[0])
    assert w.dtype.kind == "c" and not w.requires_grad
    assert L.eigvals(rot).dtype.kind == "c"


def test_eig_with_complex_eigenvalues_and_a_gradient_is_a_type_error():
    rot = wg.tensor([[0.0, -1.0], [1.0, 0.0]], requires_grad=True)
    with pytest.raises(TypeError, match="complex numbers"):
        L.eig(rot)
    with pytest.raises(TypeError, match="complex numbers"):
        L.eigvals(rot)
    with pytest.raises(TypeError, match="complex numbers"):
        wg.jvp(lambda a: L.eigvals(a), (rot.detach(),), (np.eye(2),))


def test_pinv_and_lstsq_refuse_complex_gradients():
    with pytest.raises(TypeError, match="complex"):
        t = wg.tensor(np.eye(2) * (1 + 1j))
        t.requires_grad = True
        L.pinv(t)
    with pytest.raises(TypeError, match="complex"):
        t = wg.tensor(np.eye(2) * (1 + 1j))
        t.requires_grad = True
        L.lstsq(t, np.ones(2))


def test_errors():
    with pytest.raises(ValueError, match="`rtol` and `rcond` can't be both set"):
        L.pinv(np.eye(2), rcond=1e-3, rtol=1e-3)
    with pytest.raises(L.LinAlgError, match="pinv: expected a matrix"):
        L.pinv(np.ones(3))
    with pytest.raises(L.LinAlgError, match="a must be 2-D"):
        L.lstsq(np.ones(3), np.ones(3))
    with pytest.raises(L.LinAlgError, match="incompatible dimensions"):
        L.lstsq(np.ones((3, 2)), np.ones(4))
    with pytest.raises(L.LinAlgError, match="square"):
        L.eig(np.ones((2, 3)))
    with pytest.raises(L.LinAlgError, match="empty"):
        L.cond(np.ones((0, 0)))
    with pytest.raises(ValueError, match="3 elements along axis"):
        L.cross(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="ind argument"):
        L.tensorinv(np.eye(4).reshape(4, 2, 2), ind=0)
    with pytest.raises(L.LinAlgError, match="prod"):
        L.tensorsolve(np.ones((2, 3, 4)), np.ones((2, 3)))


def test_pinv_hermitian_differentiates_the_lower_triangle_numpy_reads():
    rng = np.random.default_rng(11)
    s = rng.standard_normal((3, 3))
    for a in (s @ s.T + np.eye(3), s):     # symmetric, and not: NumPy reads tril either way
        np.testing.assert_allclose(L.pinv(wg.tensor(a), hermitian=True).numpy(),
                                   np.linalg.pinv(a, hermitian=True), rtol=1e-10, atol=1e-12)
        assert wg.gradcheck(lambda x: L.pinv(x, hermitian=True), (a,), order=2)
        g = wg.grad(lambda x: L.pinv(x, hermitian=True).sum())(a)
        np.testing.assert_array_equal(np.triu(g, 1), 0.0)     # the upper triangle is unread
