import numpy as np
import pytest

from tests.helpers import torch_trajectory

import wengert as wg
from wengert.optim import RMSprop

RNG = np.random.default_rng(2)
P0 = [RNG.standard_normal((3, 4)), RNG.standard_normal(4)]
GRADS = [[RNG.standard_normal(a.shape) for a in P0] for _ in range(20)]


def hand_rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    """torch.optim.RMSprop's documented algorithm, in NumPy."""
    ps = [a.copy() for a in P0]
    v = [np.zeros_like(a) for a in ps]
    gbar = [np.zeros_like(a) for a in ps]
    b = [np.zeros_like(a) for a in ps]
    for grads in GRADS:
        for i, g in enumerate(grads):
            g = g + weight_decay * ps[i]
            v[i] = alpha * v[i] + (1 - alpha) * g * g
            vt = v[i]
            if centered:
                gbar[i] = alpha * gbar[i] + (1 - alpha) * g
                vt = vt - gbar[i] ** 2
            if momentum > 0:
                b[i] = momentum * b[i] + g / (np.sqrt(vt) + eps)
                ps[i] = ps[i] - lr * b[i]
            else:
                ps[i] = ps[i] - lr * g / (np.sqrt(vt) + eps)
    return ps


def run(**opts):
    ps = [wg.tensor(a, requires_grad=True) for a in P0]
    opt = RMSprop(ps, **opts)
    for grads in GRADS:
        for p, g in zip(ps, grads):
            p.grad = wg.tensor(g)
        opt.step()
    return ps, opt


OPTIONS = [dict(), dict(lr=0.05, alpha=0.9), dict(lr=0.01, eps=1e-3, weight_decay=0.1),
           dict(lr=0.01, momentum=0.9), dict(lr=0.01, centered=True),
           dict(lr=0.02, alpha=0.8, eps=1e-4, weight_decay=0.05, momentum=0.5, centered=True)]


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_the_documented_rule(opts):
    ps, _ = run(**opts)
    for p, e in zip(ps, hand_rmsprop(**opts)):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("opts", OPTIONS)
def test_matches_torch(opts):
    want = torch_trajectory("RMSprop", P0, GRADS, opts)
    for p, e in zip(run(**opts)[0], want):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-12)


def test_state_names():
    _, opt = run(momentum=0.5, centered=True)
    assert set(opt.state_dict()["state"][0]) == {"step", "square_avg", "momentum_buffer",
                                                 "grad_avg"}
    assert opt.state_dict()["state"][1]["step"] == 20


def test_float32_stays_float32_and_trains():
    x = wg.tensor(np.linspace(-1, 1, 8, dtype=np.float32))
    w = wg.tensor(np.float32([0.0]), requires_grad=True)
    opt = RMSprop([w], lr=0.05, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        ((w * x - 3 * x) ** 2).mean().backward()
        opt.step()
    assert w.dtype == np.float32 and opt.state[w]["square_avg"].dtype == np.float32
    assert abs(w.item() - 3) < 0.05


def test_complex_parameter_is_updated_as_pairs_of_reals():
    z0 = np.array([1 + 2j, -0.5 + 0.25j])
    gs = [np.array([0.3 - 0.1j, 0.2 + 0.7j]), np.array([-0.4 + 0.2j, 0.1 - 0.3j])]
    z = wg.tensor(z0)          # a complex leaf (complex requires_grad is refused)
    opt = RMSprop([z], lr=0.1, momentum=0.3, centered=True, weight_decay=0.1)
    for g in gs:
        z.grad = wg.tensor(g)
        opt.step()
    r = z0.view(np.float64).copy()
    v, gb, b = np.zeros(4), np.zeros(4), np.zeros(4)
    for g in gs:
        g = g.view(np.float64) + 0.1 * r
        v = 0.99 * v + 0.01 * g * g
        gb = 0.99 * gb + 0.01 * g
        b = 0.3 * b + g / (np.sqrt(v - gb ** 2) + 1e-8)
        r = r - 0.1 * b
    np.testing.assert_allclose(z.numpy(force=True), r.view(np.complex128), rtol=1e-12)


def test_skips_parameters_without_grad():
    a, b = wg.tensor([1.0], requires_grad=True), wg.tensor([2.0], requires_grad=True)
    a.grad = wg.tensor([1.0])
    opt = RMSprop([a, b])
    opt.step()
    assert b.item() == 2.0 and b not in opt.state and a.item() != 1.0


def test_defaults():
    g = RMSprop([wg.tensor([1.0], requires_grad=True)]).param_groups[0]
    assert (g["lr"], g["alpha"], g["eps"], g["weight_decay"], g["momentum"], g["centered"]) == \
        (0.01, 0.99, 1e-08, 0, 0, False)


@pytest.mark.parametrize("opts, match", [
    (dict(lr=-1.0), "Invalid learning rate: -1.0"), (dict(eps=-1.0), "Invalid epsilon value"),
    (dict(momentum=-0.1), "Invalid momentum value"), (dict(alpha=-0.5), "Invalid alpha value"),
    (dict(weight_decay=-1.0), "Invalid weight_decay value"),
])
def test_invalid_options(opts, match):
    with pytest.raises(ValueError, match=match):
        RMSprop([wg.tensor([1.0], requires_grad=True)], **opts)
