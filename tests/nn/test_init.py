"""nn.init: in-place fills with the right distributions, gains and fans."""
import math

import numpy as np
import pytest

import wengert as wg
from wengert import nn
from wengert.nn import init


def test_fills_in_place_and_return_the_tensor():
    p = nn.Parameter(wg.empty((3, 4), dtype=wg.float32))
    v = p._version
    for fn, args in [(init.zeros_, ()), (init.ones_, ()), (init.constant_, (2.5,)),
                     (init.uniform_, (-1, 1)), (init.normal_, (0, 1)),
                     (init.xavier_uniform_, ()), (init.xavier_normal_, ()),
                     (init.kaiming_uniform_, ()), (init.kaiming_normal_, ())]:
        assert fn(p, *args) is p
        assert p.dtype == np.float32 and p.requires_grad and p.grad_fn is None
    assert p._version > v                  # in place: a saved copy of p would be caught
    init.constant_(p, 2.5)
    assert (p.numpy(force=True) == 2.5).all()
    init.zeros_(p)
    assert not p.numpy(force=True).any()
    init.ones_(p)
    assert (p.numpy(force=True) == 1).all()


def test_calculate_gain_matches_torch_values():
    assert init.calculate_gain("linear") == 1 and init.calculate_gain("conv2d") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="unsupported"):
        init.calculate_gain("swish")
    torch = pytest.importorskip("torch")
    for nl, a in [("tanh", None), ("relu", None), ("leaky_relu", 0.3), ("selu", None)]:
        assert init.calculate_gain(nl, a) == pytest.approx(torch.nn.init.calculate_gain(nl, a))


def test_distributions_have_the_documented_spread():
    wg.manual_seed(0)
    t = wg.empty((200, 300))                         # fan_in 300, fan_out 200
    init.uniform_(t, -2, 3)
    assert t.numpy().min() >= -2 and t.numpy().max() < 3
    init.normal_(t, 1.0, 0.5)
    assert abs(t.numpy().mean() - 1) < 0.01 and abs(t.numpy().std() - 0.5) < 0.01
    init.xavier_uniform_(t, gain=2.0)
    a = 2.0 * math.sqrt(6 / 500)
    assert np.abs(t.numpy()).max() <= a and abs(t.numpy().std() - a / math.sqrt(3)) < 0.02 * a
    init.xavier_normal_(t)
    assert abs(t.numpy().std() - math.sqrt(2 / 500)) < 0.02 * math.sqrt(2 / 500)
    init.kaiming_uniform_(t, nonlinearity="relu")
    b = math.sqrt(2) * math.sqrt(3 / 300)
    assert np.abs(t.numpy()).max() <= b
    init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert abs(t.numpy().std() - math.sqrt(2 / 200)) < 0.02 * math.sqrt(2 / 200)
    init.kaiming_uniform_(t, a=math.sqrt(5))           # Linear's default: U(±1/√fan_in)
    assert np.abs(t.numpy()).max() <= 1 / math.sqrt(300)


def test_conv_fans_include_the_receptive_field():
    w = wg.empty((8, 4, 3, 3))
    init.kaiming_uniform_(w, a=math.sqrt(5))
    assert np.abs(w.numpy()).max() <= 1 / math.sqrt(4 * 9)
    assert np.abs(w.numpy()).max() > 0.8 / math.sqrt(4 * 9)


def test_seed_reproducibility():
    wg.manual_seed(5)
    a = init.normal_(wg.empty(10)).numpy().copy()
    wg.manual_seed(5)
    np.testing.assert_array_equal(init.normal_(wg.empty(10)).numpy(), a)


def test_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(wg.empty(5))
    with pytest.raises(ValueError, match="fan_in"):
        init.kaiming_normal_(wg.empty((2, 2)), mode="fan")
    with pytest.raises(TypeError, match="Tensor"):
        init.zeros_(np.zeros(3))
