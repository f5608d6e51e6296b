import numpy as np
import pytest

from tests.helpers import torch_trajectory

import wengert as wg
from wengert.optim import Adagrad

RNG = np.random.default_rng(3)
P0 = [RNG.standard_normal((3, 4)), RNG.standard_normal(4)]
GRADS = [[RNG.standard_normal(a.shape) for a in P0] for _ in range(20)]


def hand_adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
    """torch.optim.Adagrad's documented algorithm, in NumPy."""
    ps = [a.copy() for a in P0]
    s = [np.full_like(a, initial_accumulator_value) for a in ps]
    for t, grads in enumerate(GRADS, start=1):
        clr = lr / (1 + (t - 1) * lr_decay)
        for i, g in enumerate(grads):
            g = g + weight_decay * ps[i]
            s[i] = s[i] + g * g
            ps[i] = ps[i] - clr * g / (np.sqrt(s[i]) + eps)
    return ps


def run(**opts):
    ps = [wg.tensor(a, requires_grad=True) for a in P0]
    opt = Adagrad(ps, **opts)
    for grads in GRADS:
        for p, g in zip(ps, grads):
            p.grad = wg.tensor(g)
        opt.step()
    return ps, opt


OPTIONS = [dict(), dict(lr=0.1), dict(lr=0.1, lr_decay=0.05), dict(lr=0.05, weight_decay=0.2),
           dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3),
           dict(lr=0.3, lr_decay=0.1, weight_decay=0.01, initial_accumulator_value=0.1,
                eps=1e-6)]


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_the_documented_rule(opts):
    ps, _ = run(**opts)
    for p, e in zip(ps, hand_adagrad(**opts)):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_torch(opts):
    want = torch_trajectory("Adagrad", P0, GRADS, opts)
    for p, e in zip(run(**opts)[0], want):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-12)


def test_state_names_and_float32():
    _, opt = run()
    assert set(opt.state_dict()["state"][0]) == {"step", "sum"}
    w = wg.tensor(np.float32([1.0, 2.0]), requires_grad=True)
    o = Adagrad([w], lr=0.5)
    w.grad = wg.tensor(np.float32([1.0, -1.0]))
    o.step()
    assert w.dtype == np.float32 and o.state[w]["sum"].dtype == np.float32
    np.testing.assert_allclose(w.numpy(force=True), [0.5, 2.5], rtol=1e-6)


def test_complex_parameter_follows_pytorch():
    # the accumulator starts at initial_accumulator_value + 0j: its imaginary half at 0
    z = wg.tensor(np.array([1 + 1j]))
    opt = Adagrad([z], lr=0.1, initial_accumulator_value=3.0, eps=0.0)
    z.grad = wg.tensor(np.array([1 + 1j]))
    opt.step()
    np.testing.assert_allclose(z.numpy(force=True), [1 - 0.1 / 2 + (1 - 0.1) * 1j], rtol=1e-14)


def test_defaults():
    g = Adagrad([wg.tensor([1.0], requires_grad=True)]).param_groups[0]
    assert (g["lr"], g["lr_decay"], g["weight_decay"], g["initial_accumulator_value"],
            g["eps"]) == (0.01, 0, 0, 0, 1e-10)


@pytest.mark.parametrize("opts, match", [
    (dict(lr=-1.0), "Invalid learning rate: -1.0"), (dict(eps=-1.0), "Invalid epsilon value"),
    (dict(lr_decay=-0.1), "Invalid lr_decay value"),
    (dict(weight_decay=-1.0), "Invalid weight_decay value"),
    (dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value"),
])
def test_invalid_options(opts, match):
    with pytest.raises(ValueError, match=match):
        Adagrad([wg.tensor([1.0], requires_grad=True)], **opts)
