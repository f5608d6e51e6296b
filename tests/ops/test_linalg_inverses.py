"""Inverses and solves (inv solve matrix_power pinv lstsq tensorinv tensorsolve): the op
table (rank-deficient pinv/lstsq at constant rank included) and lstsq's residuals."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import (inv_tensor, L, low_rank_lstsq, low_rank_pinv, lstsq_xr,
    _named, np_low_rank_lstsq, np_low_rank_pinv, np_lstsq_xr, np_pinv_of_sym, pinv_of_sym,
    solve_tensor, SQUARE, wc_then_uniform, well_conditioned)
from tests.ops.op_table import generic_tests, Row


ROWS = [
    # wg.linalg: inverse, determinant, solve
    Row(wg.linalg.inv, np.linalg.inv, shapes=SQUARE + [((1, 1),)], sample=well_conditioned),
    Row(wg.linalg.solve, np.linalg.solve, nargs=2, sample=wc_then_uniform,
        shapes=[((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3, 1)),
                ((2, 3, 3), (1, 3, 2)), ((3, 3), (2, 3, 2))]),
    Row(wg.linalg.matrix_power, np.linalg.matrix_power, shapes=SQUARE,
        sample=well_conditioned, kwargs=[{"n": 3}, {"n": -2}, {"n": 1}, {"n": 0}]),
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
    Row(L.tensorinv, np.linalg.tensorinv, id="tensorinv", shapes=[((6, 2, 3),)],
        sample=inv_tensor, kwargs=[{"ind": 1}]),
    Row(L.tensorsolve, np.linalg.tensorsolve, id="tensorsolve", nargs=2,
        shapes=[((2, 3, 6), (2, 3))], sample=solve_tensor),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_lstsq_residuals_are_empty_when_underdetermined_or_rank_deficient():
    a = np.ones((4, 3))
    r = L.lstsq(wg.tensor(a, requires_grad=True), np.arange(4.0))
    want = np.linalg.lstsq(a, np.arange(4.0))
    assert r.residuals.shape == (0,) and r.rank == want[2] == 1
    np.testing.assert_allclose(r.x.numpy(force=True), want[0], rtol=1e-10)


def test_pinv_and_lstsq_refuse_complex_gradients():
    with pytest.raises(TypeError, match="complex"):
        t = wg.tensor(np.eye(2) * (1 + 1j))
        t.requires_grad = True
        L.pinv(t)
    with pytest.raises(TypeError, match="complex"):
        t = wg.tensor(np.eye(2) * (1 + 1j))
        t.requires_grad = True
        L.lstsq(t, np.ones(2))


def test_pinv_hermitian_differentiates_the_lower_triangle_numpy_reads():
    rng = np.random.default_rng(11)
    s = rng.standard_normal((3, 3))
    for a in (s @ s.T + np.eye(3), s):     # symmetric, and not: NumPy reads tril either way
        np.testing.assert_allclose(L.pinv(wg.tensor(a), hermitian=True).numpy(),
                                   np.linalg.pinv(a, hermitian=True), rtol=1e-10, atol=1e-12)
        assert wg.gradcheck(lambda x: L.pinv(x, hermitian=True), (a,), order=2)
        g = wg.grad(lambda x: L.pinv(x, hermitian=True).sum())(a)
        np.testing.assert_array_equal(np.triu(g, 1), 0.0)     # the upper triangle is unread
