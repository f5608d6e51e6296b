"""Every optimiser and scheduler against PyTorch over 20 training steps of the same small
model on the same data: parameters, optimiser state and learning rates equal at every step
(float64; skips without torch)."""
import numpy as np
import pytest

import wengert as wg
from wengert import nn, optim
from wengert.optim import lr_scheduler as L

torch = pytest.importorskip("torch")

STEPS = 20
RNG = np.random.default_rng(5)
DATA = [(RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))) for _ in range(STEPS)]


def _np(t):
    return t.numpy(force=True) if isinstance(t, wg.Tensor) else t.detach().numpy()


def _models():
    ours = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)).double()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(),
                                 torch.nn.Linear(5, 2)).double()
    theirs.load_state_dict({k: torch.tensor(_np(v)) for k, v in ours.state_dict().items()})
    return ours, theirs


def _groups(model, lib_opts, two_groups):
    if not two_groups:
        return model.parameters()
    ps = list(model.parameters())
    return [{"params": ps[:2]}, {"params": ps[2:], "lr": lib_opts.get("lr", 0.01) * 0.5}]


def _train(ours, theirs, opt_w, opt_t, sched_w=None, sched_t=None, plateau=False):
    """Run both for STEPS steps; compare parameters and rates after each step."""
    for step, (xb, yb) in enumerate(DATA):
        losses = []
        for model, opt, lib in ((ours, opt_w, wg), (theirs, opt_t, torch)):
            opt.zero_grad()
            loss = ((model(lib.tensor(xb)) - lib.tensor(yb)) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-10)
        if sched_w is not None:
            if plateau:
                # a metric that stalls, so the plateau logic acts within 20 steps
                metric = 1.0 if step > 4 else 2.0 - step * 0.1
                sched_w.step(metric), sched_t.step(metric)
            else:
                sched_w.step(), sched_t.step()
            np.testing.assert_allclose(sched_w.get_last_lr(), sched_t.get_last_lr(),
                                       rtol=1e-12, atol=1e-15, err_msg=f"step {step}")
        for gw, gt in zip(opt_w.param_groups, opt_t.param_groups):
            for key in ("lr", "momentum", "betas"):
                if key in gt:
                    np.testing.assert_allclose(gw[key], gt[key], rtol=1e-12, err_msg=key)
        for (name, p), q in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(_np(p), _np(q), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} after step {step}")


OPTIMISERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.2)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.03, weight_decay=0.2, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2)),
]


@pytest.mark.parametrize("two_groups", [False, True])
@pytest.mark.parametrize("name, opts", OPTIMISERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                        enumerate(OPTIMISERS)])
def test_optimiser_trajectory_matches_torch(name, opts, two_groups):
    ours, theirs = _models()
    opt_w = getattr(optim, name)(_groups(ours, opts, two_groups), **opts)
    opt_t = getattr(torch.optim, name)(_groups(theirs, opts, two_groups), **opts)
    _train(ours, theirs, opt_w, opt_t)


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=30)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.1, total_iters=12)),
    ("LambdaLR", dict(lr_lambda=lambda e: 0.95 ** e + 1 / (e + 1))),
    ("OneCycleLR", dict(max_lr=0.2, total_steps=STEPS + 1)),
    ("OneCycleLR", dict(max_lr=[0.3, 0.1], total_steps=25, anneal_strategy="linear",
                        three_phase=True, pct_start=0.25)),
    ("OneCycleLR", dict(max_lr=0.1, epochs=3, steps_per_epoch=7, cycle_momentum=False)),
    ("ReduceLROnPlateau", dict(factor=0.5, patience=2, cooldown=1)),
    ("ReduceLROnPlateau", dict(mode="max", factor=0.2, patience=1, threshold=0.01,
                               threshold_mode="abs", min_lr=[0.001, 0.002])),
]


@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
@pytest.mark.parametrize("name, kw", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(SCHEDULERS)])
def test_scheduler_trajectory_matches_torch(name, kw, opt_name):
    opts = dict(lr=0.05, momentum=0.9) if opt_name == "SGD" else dict(lr=0.01)
    ours, theirs = _models()
    opt_w = getattr(optim, opt_name)(_groups(ours, opts, True), **opts)
    opt_t = getattr(torch.optim, opt_name)(_groups(theirs, opts, True), **opts)
    sched_w = getattr(L, name)(opt_w, **kw)
    sched_t = getattr(torch.optim.lr_scheduler, name)(opt_t, **kw)
    if name != "ReduceLROnPlateau":
        np.testing.assert_allclose(sched_w.get_last_lr(), sched_t.get_last_lr(), rtol=1e-12)
    _train(ours, theirs, opt_w, opt_t, sched_w, sched_t, plateau=name == "ReduceLROnPlateau")


def test_sequential_lr_matches_torch():
    ours, theirs = _models()
    opt_w = optim.SGD(ours.parameters(), lr=0.1, momentum=0.5)
    opt_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.5)

    def chain(mod, o):
        return mod.SequentialLR(o, [mod.LinearLR(o, start_factor=0.1, total_iters=4),
                                    mod.StepLR(o, step_size=3, gamma=0.5),
                                    mod.ExponentialLR(o, gamma=0.9)], milestones=[4, 10])

    _train(ours, theirs, opt_w, opt_t, chain(L, opt_w), chain(torch.optim.lr_scheduler, opt_t))


def test_optimiser_state_dict_resume_matches_torch():
    """Ten steps straight equal five, state_dict through torch's layout, five more."""
    ours, theirs = _models()
    opt_w = optim.Adam(ours.parameters(), lr=0.01, weight_decay=0.1)
    opt_t = torch.optim.Adam(theirs.parameters(), lr=0.01, weight_decay=0.1)
    sw, st = opt_w.state_dict(), opt_t.state_dict()
    assert sw["param_groups"][0].keys() >= {"lr", "betas", "eps", "weight_decay", "params"}
    assert sw["param_groups"][0]["params"] == st["param_groups"][0]["params"]
    _train(ours, theirs, opt_w, opt_t)
    sw, st = opt_w.state_dict(), opt_t.state_dict()
    assert sorted(sw["state"]) == sorted(st["state"])
    for k in st["state"]:
        for name, v in st["state"][k].items():
            np.testing.assert_allclose(np.asarray(_np(sw["state"][k][name])
                                                  if isinstance(sw["state"][k][name], wg.Tensor)
                                                  else sw["state"][k][name]),
                                       _np(v), rtol=1e-10, err_msg=name)
