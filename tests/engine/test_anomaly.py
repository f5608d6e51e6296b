"""detect_anomaly(): the first op, forward or backward, whose output holds NaN raises."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


def test_forward_nan_raises_naming_the_op():
    x = leaf([-1.0, 1.0])
    with wg.detect_anomaly(), np.errstate(invalid="ignore"):
        with pytest.raises(RuntimeError, match=r"Anomaly detected.*'log'"):
            wg.log(x)


def test_forward_infinity_is_allowed():
    x = leaf([0.0, 1.0])
    with wg.detect_anomaly(), np.errstate(divide="ignore"):
        y = wg.log(x)
    assert np.isneginf(y.numpy(force=True)[0])


def test_backward_nan_raises_naming_backward_and_forward_op():
    x, y = leaf(0.0), leaf(0.0)
    with wg.detect_anomaly():
        z = wg.arctan2(y, x)               # forward is fine: arctan2(0, 0) = 0
        with pytest.raises(RuntimeError, match=r"Anomaly detected.*Arctan2Backward.*"
                                               r"created by the forward op 'arctan2'"):
            z.backward()


def test_without_anomaly_mode_nan_just_flows():
    x, y = leaf(0.0), leaf(0.0)
    wg.arctan2(y, x).backward()
    assert np.isnan(x.grad.item())


def test_anomaly_checks_second_order_backward():
    x = leaf(0.0)
    with wg.detect_anomaly():
        (g,) = wg.autograd.grad(x * x, x, create_graph=True)
        h = wg.hypot(g, g)                 # hypot′(0, 0) is 0/0
        with pytest.raises(RuntimeError, match="HypotBackward"):
            h.backward()


def test_anomaly_mode_is_restored_on_exit_and_on_error():
    from wengert.engine.anomaly import state
    assert not state.enabled
    with wg.detect_anomaly():
        assert state.enabled
    assert not state.enabled
    with pytest.raises(ValueError):
        with wg.detect_anomaly():
            raise ValueError
    assert not state.enabled


def test_detect_anomaly_as_decorator():
    @wg.detect_anomaly()
    def f(x):
        return wg.sqrt(x)

    with np.errstate(invalid="ignore"):
        with pytest.raises(RuntimeError, match="'sqrt'"):
            f(leaf(-1.0))
        f(wg.tensor(-1.0))                 # a constant records nothing and is not checked


def test_detect_anomaly_check_nan_false_is_off():
    with wg.detect_anomaly(check_nan=False), np.errstate(invalid="ignore"):
        y = wg.log(leaf(-1.0))
    assert np.isnan(y.item())


def test_autograd_detect_anomaly_is_the_same():
    assert wg.autograd.detect_anomaly is wg.detect_anomaly


def test_anomaly_in_a_custom_function():
    class Bad(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * np.nan

    x = leaf(1.0)
    with wg.detect_anomaly():
        y = Bad.apply(x)
        with pytest.raises(RuntimeError, match="BadBackward.*'Bad'"):
            y.backward()
