"""Norms and spectra (vector_norm matrix_norm norm svdvals cond): the op table, the
subgradient at zero, ties of the inf-norm, the singular values' gradient."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import (away_from_zero, distinct_sv, _grad_of, INF, L, MNORM_ORDS,
    well_conditioned)
from tests.ops.op_table import generic_tests, Row


ROWS = [
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
    Row(L.cond, np.linalg.cond, id="cond", shapes=[((3, 3),), ((2, 3, 3),)],
        sample=well_conditioned,
        kwargs=[{}, {"p": -2}, {"p": 2}, {"p": "fro"}, {"p": 1}, {"p": -np.inf}, {"p": "nuc"}]),
    Row(L.cond, np.linalg.cond, id="cond-rectangular", shapes=[((4, 2),)]),
]


test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


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


def test_singular_values_gradient_is_u_vt():
    a = distinct_sv(np.random.default_rng(4), (4, 3), 0)
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    g = _grad_of(lambda x: wg.linalg.svd(x, compute_uv=False).sum(), a)
    np.testing.assert_allclose(g, u @ vh)
