import math

import numpy as np
import pytest

import wengert as wg
from wengert.optim import Adam, AdamW

RNG = np.random.default_rng(1)
P0 = [RNG.standard_normal((3, 4)), RNG.standard_normal(4)]
GRADS = [[RNG.standard_normal(a.shape) for a in P0] for _ in range(5)]


def hand_adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
              decoupled=False):
    """Adam/AdamW as torch.optim's documentation writes them, in NumPy."""
    b1, b2 = betas
    ps = [a.copy() for a in P0]
    m = [np.zeros_like(a) for a in ps]
    v = [np.zeros_like(a) for a in ps]
    vmax = [np.zeros_like(a) for a in ps]
    for t, grads in enumerate(GRADS, start=1):
        for i, g in enumerate(grads):
            if decoupled:
                ps[i] = ps[i] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * ps[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            mhat = m[i] / (1 - b1 ** t)
            vmax[i] = np.maximum(vmax[i], v[i])
            vhat = (vmax[i] if amsgrad else v[i]) / (1 - b2 ** t)
            ps[i] = ps[i] - lr * mhat / (np.sqrt(vhat) + eps)
    return ps


def run(cls, **opts):
    ps = [wg.tensor(a, requires_grad=True) for a in P0]
    opt = cls(ps, **opts)
    for grads in GRADS:
        for p, g in zip(ps, grads):
            p.grad = wg.tensor(g)
        opt.step()
    return ps, opt


OPTIONS = [dict(), dict(lr=0.1), dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3),
           dict(lr=0.1, weight_decay=0.1), dict(lr=0.1, amsgrad=True),
           dict(lr=0.01, betas=(0.0, 0.5), weight_decay=0.3, amsgrad=True)]


@pytest.mark.parametrize("opts", OPTIONS)
@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_matches_the_documented_rule(cls, opts):
    ps, _ = run(cls, **opts)
    if cls is AdamW:
        opts = dict(opts, weight_decay=opts.get("weight_decay", 1e-2))
    for p, e in zip(ps, hand_adam(decoupled=cls is AdamW, **opts)):
        np.testing.assert_allclose(p.numpy(force=True), e, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("opts", OPTIONS)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_matches_torch(name, opts):
    torch = pytest.importorskip("torch")
    tp = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in P0]
    opt = getattr(torch.optim, name)(tp, **opts)
    for grads in GRADS:
        for p, g in zip(tp, grads):
            p.grad = torch.tensor(g)
        opt.step()
    ps, mine = run(Adam if name == "Adam" else AdamW, **opts)
    for p, e in zip(ps, tp):
        np.testing.assert_allclose(p.numpy(force=True), e.detach().numpy(), rtol=1e-12, atol=1e-14)
    for i, e in enumerate(tp):
        np.testing.assert_allclose(mine.state[ps[i]]["exp_avg_sq"],
                                   opt.state[e]["exp_avg_sq"].numpy(), rtol=1e-12, atol=1e-300)


def test_complex_parameters_match_torch():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
    gs = [RNG.standard_normal(3) + 1j * RNG.standard_normal(3) for _ in range(3)]
    # a complex tensor cannot require grad (API §9): the gradients are set by hand, and what
    # is compared is the optimizer's complex arithmetic
    p, tp = wg.tensor(a), torch.tensor(a, requires_grad=True)
    opt, topt = Adam([p], lr=0.1, weight_decay=0.1), torch.optim.Adam([tp], lr=0.1, weight_decay=0.1)
    for g in gs:
        p.grad, tp.grad = wg.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    np.testing.assert_allclose(p.numpy(force=True), tp.detach().numpy(), rtol=1e-12)


def test_first_step_moves_every_coordinate_by_about_lr():
    # m̂ = g and v̂ = g² on step 1, so the step is lr·g/(|g| + eps) ≈ lr·sign(g)
    p = wg.tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    p.grad = wg.tensor(np.float32([3.0, -0.5, 1e-3, -200.0]))
    Adam([p], lr=0.01).step()
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.numpy(force=True), [-0.01, 0.01, -0.01, 0.01], rtol=1e-4)


def test_adamw_decays_a_parameter_with_zero_gradient_and_adam_does_not_decouple():
    p = wg.tensor([2.0], requires_grad=True)
    p.grad = wg.tensor([0.0])
    AdamW([p], lr=0.1, weight_decay=0.5).step()
    assert p.item() == pytest.approx(2.0 * (1 - 0.05))
    q = wg.tensor([2.0], requires_grad=True)
    q.grad = wg.tensor([0.0])
    Adam([q], lr=0.1, weight_decay=0.5).step()     # gradient 1.0 after decay: a full lr step
    assert q.item() == pytest.approx(1.9, abs=1e-7)


def test_skips_none_grads_and_counts_steps_per_parameter():
    a = wg.tensor([1.0], requires_grad=True)
    b = wg.tensor([1.0], requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.grad = wg.tensor([1.0])
    opt.step()
    opt.step()
    assert b.item() == 1.0 and b not in opt.state and opt.state[a]["step"] == 2


def test_param_groups():
    a = wg.tensor([1.0], requires_grad=True)
    b = wg.tensor([1.0], requires_grad=True)
    opt = Adam([{"params": [a], "lr": 0.5}, {"params": [b], "betas": (0.5, 0.5)}], lr=0.1)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999) and opt.param_groups[1]["lr"] == 0.1
    a.grad = wg.tensor([1.0])
    b.grad = wg.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.5) and b.item() == pytest.approx(0.9)


def test_saved_parameter_check_fires_after_step():
    p = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.sin(p).sum()                    # SinBackward saves p
    z = (p + 1).sum()                      # saves nothing: unaffected by the step
    p.grad = wg.tensor([1.0, 1.0])
    AdamW([p]).step()
    with pytest.raises(RuntimeError, match="version"):
        y.backward()
    z.backward()


def test_state_dict_round_trip_continues_identically():
    ps, opt = run(Adam, lr=0.1, amsgrad=True)
    sd = opt.state_dict()
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    qs = [wg.tensor(p.numpy(force=True), requires_grad=True) for p in ps]
    opt2 = Adam(qs)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["amsgrad"] and opt2.param_groups[0]["lr"] == 0.1
    for o, group in ((opt, ps), (opt2, qs)):
        for p, g in zip(group, GRADS[0]):
            p.grad = wg.tensor(g)
        o.step()
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.numpy(force=True), q.numpy(force=True))


def test_load_state_dict_rejects_invalid_options():
    p = wg.tensor([1.0], requires_grad=True)
    opt = Adam([p])
    with pytest.raises(ValueError, match="beta"):
        opt.load_state_dict({"state": {}, "param_groups": [dict(opt.param_groups[0], params=[0],
                                                                betas=(1.0, 0.9))]})
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)


@pytest.mark.parametrize("cls", [Adam, AdamW])
@pytest.mark.parametrize("opts, match", [
    (dict(lr=-1e-3), "learning rate"), (dict(eps=-1.0), "epsilon"),
    (dict(betas=(1.0, 0.9)), "index 0"), (dict(betas=(0.9, -0.1)), "index 1"),
    (dict(betas=(0.9, 1.0)), "index 1"), (dict(weight_decay=-1.0), "weight_decay"),
])
def test_invalid_options(cls, opts, match):
    with pytest.raises(ValueError, match=match):
        cls([wg.tensor([1.0], requires_grad=True)], **opts)


def test_defaults():
    p = wg.tensor([1.0], requires_grad=True)
    g = Adam([p]).param_groups[0]
    assert (g["lr"], g["betas"], g["eps"], g["weight_decay"], g["amsgrad"]) == \
        (1e-3, (0.9, 0.999), 1e-8, 0, False)
    assert AdamW([p]).param_groups[0]["weight_decay"] == 1e-2
    assert math.isclose(AdamW([p]).defaults["lr"], 1e-3)
