"""NumPy 2's where= and initial= on sum mean prod max min amax amin var std: the op table
(forward vs NumPy, gradients to second order, float32, batched rules), the conventions
(masked entries get gradient 0, initial takes part in max/min) and the errors."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

S3 = [((2, 3, 4),)]
M4 = np.array([True, False, True, True])
M34 = np.array([[True, False, True, True], [False, True, True, False], [True, True, False, True]])


def away_from_zero(rng, shape, i):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)


MASKS = [{"where": M4}, {"axis": -1, "where": M4}, {"axis": (0, 2), "where": M34},
         {"axis": 1, "keepdims": True, "where": M34}]
INITIAL = [{"initial": 0.5}, {"axis": 1, "initial": 0.5}, {"axis": -1, "initial": -3.0},
           {"axis": 0, "where": M34, "initial": 0.5}, {"where": M4, "initial": 0.25}]

ROWS = [
    Row(wg.sum, np.sum, id="sum-where", shapes=S3, kwargs=MASKS + [{"axis": 0, "initial": 2.0},
                                                                    {"where": M34, "initial": 1.0}]),
    Row(wg.mean, np.mean, id="mean-where", shapes=S3, kwargs=MASKS),
    Row(wg.prod, np.prod, id="prod-where", shapes=S3, sample=away_from_zero,
        kwargs=MASKS + [{"axis": -1, "initial": 2.0, "where": M4}]),
    Row(wg.max, np.max, id="max-initial-where", shapes=S3, kwargs=INITIAL),
    Row(wg.min, np.min, id="min-initial-where", shapes=S3,
        kwargs=[{"initial": -0.5}, {"axis": 1, "initial": -0.5},
                {"axis": 0, "where": M34, "initial": -0.5}]),
    Row(wg.amax, np.amax, id="amax-where", shapes=S3, kwargs=INITIAL[3:]),
    Row(wg.amin, np.amin, id="amin-where", shapes=S3, kwargs=[{"where": M4, "initial": 9.0}]),
    Row(wg.var, np.var, id="var-where", shapes=S3,
        kwargs=[{"axis": -1, "where": M4}, {"axis": (0, 2), "where": M34, "ddof": 1}]),
    Row(wg.std, np.std, id="std-where", shapes=S3,
        kwargs=[{"axis": -1, "where": M4}, {"where": M34, "keepdims": True}]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_masked_entries_get_gradient_zero():
    x = wg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    m = np.array([True, False, True])
    wg.mean(x, axis=1, where=m).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [[0.5, 0, 0.5], [0.5, 0, 0.5]])


def test_initial_takes_part_in_max():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.max(x, initial=5.0)
    assert y.item() == 5.0
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [0.0, 0.0])
    x = wg.tensor([1.0, 5.0], requires_grad=True)       # a tie with initial: x takes it all
    wg.max(x, initial=5.0).backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [0.0, 1.0])


def test_numpy_calls_route_here():
    x = wg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    m = np.array([True, False, True])
    y = np.sum(x, axis=1, where=m, initial=1.0)
    np.testing.assert_array_equal(y.numpy(force=True), np.sum(np.arange(6.0).reshape(2, 3), axis=1,
                                                    where=m, initial=1.0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [[1, 0, 1], [1, 0, 1]])
    assert np.max(x, where=m, initial=-1.0).item() == 5.0
    assert np.all(x > -1, where=m).item() and not np.any(x > 10, where=m).item()


def test_where_errors():
    with pytest.raises(ValueError, match="does not have an identity.*initial"):
        wg.max(np.ones(3), where=np.array([True, False, True]))
    with pytest.raises(ValueError, match="does not broadcast"):
        wg.sum(np.ones(3), where=np.ones((2, 3), dtype=bool))
    with pytest.raises(TypeError, match="boolean mask"):
        wg.mean(np.ones(3), where=np.array([1, 0, 1]))
    with pytest.warns(RuntimeWarning, match="Mean of empty slice"):
        assert np.isnan(wg.mean(np.ones(3), where=np.zeros(3, dtype=bool)).item())
