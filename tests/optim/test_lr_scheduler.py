"""Schedulers' rate sequences against PyTorch's documented closed forms, state round trips,
errors."""
import math
import warnings

import numpy as np
import pytest

import wengert as wg
from wengert.optim import SGD, Adam, lr_scheduler as L

N = 25


def opt(lr=0.1, groups=1, cls=SGD, **kw):
    ps = [wg.tensor([1.0], requires_grad=True) for _ in range(groups)]
    return cls([{"params": [p], "lr": lr * (i + 1)} for i, p in enumerate(ps)], lr=lr, **kw)


def seq(sched, n=N):
    out = [sched.get_last_lr()]
    for _ in range(n - 1):
        sched.optimizer.step()
        sched.step()
        out.append(sched.get_last_lr())
    return np.array(out)


def expect(f, bases, n=N):
    return np.array([[f(b, e) for b in bases] for e in range(n)])


CASES = [
    (lambda o: L.StepLR(o, step_size=3, gamma=0.5), lambda b, e: b * 0.5 ** (e // 3)),
    (lambda o: L.StepLR(o, 4), lambda b, e: b * 0.1 ** (e // 4)),
    (lambda o: L.MultiStepLR(o, milestones=[10, 2, 5, 5], gamma=0.3),
     lambda b, e: b * 0.3 ** sum(m <= e for m in [2, 5, 5, 10])),
    (lambda o: L.ExponentialLR(o, gamma=0.9), lambda b, e: b * 0.9 ** e),
    (lambda o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
     lambda b, e: 0.001 + (b - 0.001) * (1 + math.cos(math.pi * e / 10)) / 2),
    (lambda o: L.CosineAnnealingLR(o, T_max=7),
     lambda b, e: b * (1 + math.cos(math.pi * e / 7)) / 2),
    (lambda o: L.LinearLR(o), lambda b, e: b * (1 / 3 + (1 - 1 / 3) * min(e, 5) / 5)),
    (lambda o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=12),
     lambda b, e: b * (1.0 - 0.9 * min(e, 12) / 12)),
    (lambda o: L.LambdaLR(o, lambda e: 0.95 ** e + 1 / (e + 1)),
     lambda b, e: b * (0.95 ** e + 1 / (e + 1))),
]


@pytest.mark.parametrize("make, formula", CASES)
def test_sequences_match_the_documented_closed_forms(make, formula):
    o = opt(groups=2)
    s = make(o)
    assert s.last_epoch == 0
    got = seq(s)
    np.testing.assert_allclose(got, expect(formula, [0.1, 0.2]), rtol=1e-12, atol=1e-15)
    assert s.last_epoch == N - 1
    assert [g["lr"] for g in o.param_groups] == list(got[-1])
    assert [g["initial_lr"] for g in o.param_groups] == [0.1, 0.2]


def test_lambda_lr_one_function_per_group():
    o = opt(groups=2)
    got = seq(L.LambdaLR(o, [lambda e: 1.0 / (e + 1), lambda e: 0.5 ** e]), 20)
    want = np.array([[0.1 / (e + 1), 0.2 * 0.5 ** e] for e in range(20)])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def anneal_cos(a, z, f):
    return z + (a - z) / 2 * (math.cos(math.pi * f) + 1)


def one_cycle_expected(total, max_lr, pct=0.3, div=25.0, final=1e4, three=False, cos=True,
                       mmax=0.95, mbase=0.85):
    an = anneal_cos if cos else (lambda a, z, f: (z - a) * f + a)
    init = max_lr / div
    lo = init / final
    if three:
        phases = [(pct * total - 1, init, max_lr, mmax, mbase),
                  (2 * pct * total - 2, max_lr, init, mbase, mmax),
                  (total - 1, init, lo, mmax, mmax)]
    else:
        phases = [(pct * total - 1, init, max_lr, mmax, mbase),
                  (total - 1, max_lr, lo, mbase, mmax)]
    lrs, moms = [], []
    for e in range(total):
        start = 0
        for i, (end, a, z, ma, mz) in enumerate(phases):
            if e <= end or i == len(phases) - 1:
                f = (e - start) / (end - start)
                lrs.append(an(a, z, f))
                moms.append(an(ma, mz, f))
                break
            start = end
    return np.array(lrs), np.array(moms)


@pytest.mark.parametrize("kw", [dict(), dict(three_phase=True), dict(anneal_strategy="linear"),
                                dict(pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                                     three_phase=True, anneal_strategy="linear")])
def test_one_cycle(kw):
    o = opt(momentum=0.9)
    s = L.OneCycleLR(o, max_lr=1.0, total_steps=30, **kw)
    lrs, moms = [], []
    for _ in range(30):
        lrs.append(s.get_last_lr()[0])
        moms.append(o.param_groups[0]["momentum"])
        o.step()
        s.step() if len(lrs) < 30 else None
    cos = kw.get("anneal_strategy", "cos") == "cos"
    want_lr, want_m = one_cycle_expected(30, 1.0, pct=kw.get("pct_start", 0.3),
                                         div=kw.get("div_factor", 25.0),
                                         final=kw.get("final_div_factor", 1e4),
                                         three=kw.get("three_phase", False), cos=cos)
    np.testing.assert_allclose(lrs, want_lr, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(moms, want_m, rtol=1e-12)
    s.step()                                       # step total_steps is still allowed
    with pytest.raises(ValueError, match="Tried to step 31 times"):
        s.step()


def test_one_cycle_cycles_adams_beta1_and_epochs_form():
    o = opt(cls=Adam)
    s = L.OneCycleLR(o, max_lr=[0.5], epochs=4, steps_per_epoch=5)
    assert s.total_steps == 20
    assert o.param_groups[0]["betas"] == (0.95, 0.999)
    _, moms = one_cycle_expected(20, 0.5)
    o.step()
    s.step()
    assert o.param_groups[0]["betas"][0] == pytest.approx(moms[1], rel=1e-12)
    assert o.param_groups[0]["lr"] == pytest.approx(one_cycle_expected(20, 0.5)[0][1], rel=1e-12)


def test_reduce_on_plateau_min_rel():
    o = opt(lr=1.0, groups=2)
    s = L.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=[0.1, 0.3])
    metrics = [10, 9, 9, 9, 9, 9, 9, 8.9995, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    got = []
    for m in metrics:
        s.step(m)
        got.append(s.get_last_lr())
    # hand-traced: the 3rd bad step in a row (> patience=2) reduces (steps 4, 8, 12, 16, 20),
    # the step after a reduction is cooldown; 8.9995 is no improvement under the rel
    # threshold 1e-4 (it needs < 9·(1 − 1e-4) = 8.9991); min_lr floors each group
    lr1 = [1.0] * 4 + [0.5] * 4 + [0.25] * 4 + [0.125] * 4 + [0.1] * 5
    lr2 = [2.0] * 4 + [1.0] * 4 + [0.5] * 4 + [0.3] * 9
    np.testing.assert_allclose(np.array(got), np.array([lr1, lr2]).T, rtol=1e-15)
    assert s.last_epoch == len(metrics)


def test_reduce_on_plateau_max_abs_and_eps():
    o = opt(lr=1.0)
    s = L.ReduceLROnPlateau(o, mode="max", threshold=0.5, threshold_mode="abs", patience=0,
                            factor=0.9, eps=0.2)
    s.step(1.0)        # improves on -inf
    s.step(1.4)        # not better than 1.0 + 0.5 → bad; patience 0 → 1 − 0.9 = 0.1 ≤ eps: kept
    assert s.get_last_lr() == [1.0] and s.best == 1.0
    s.step(wg.tensor(2.0))
    assert s.best == 2.0


def test_sequential_lr():
    o = opt(lr=0.1, groups=2)
    warm = L.LinearLR(o, start_factor=0.1, total_iters=4)
    cos = L.CosineAnnealingLR(o, T_max=10)
    step = L.StepLR(o, step_size=2, gamma=0.5)
    s = L.SequentialLR(o, [warm, cos, step], milestones=[5, 12])
    got = seq(s, 22)

    def f(b, e):
        if e < 5:
            return b * (0.1 + 0.9 * min(e, 4) / 4)
        if e < 12:
            return b * (1 + math.cos(math.pi * (e - 5) / 10)) / 2
        return b * 0.5 ** ((e - 12) // 2)
    np.testing.assert_allclose(got, expect(f, [0.1, 0.2], 22), rtol=1e-12, atol=1e-15)


def test_state_dict_round_trips_resume_the_sequence():
    def build(o):
        return L.SequentialLR(o, [L.ExponentialLR(o, 0.9), L.MultiStepLR(o, [3, 6])], [4])
    for make in [lambda o: L.StepLR(o, 3), lambda o: L.CosineAnnealingLR(o, 9),
                 lambda o: L.OneCycleLR(o, 1.0, total_steps=30), build,
                 lambda o: L.LambdaLR(o, lambda e: 1 / (e + 1))]:
        o1 = opt(momentum=0.9)
        s1 = make(o1)
        for _ in range(10):
            o1.step()
            s1.step()
        osd, ssd = o1.state_dict(), s1.state_dict()
        rest1 = seq(s1, 15)
        o2 = opt(lr=7.0, momentum=0.9)
        o2.load_state_dict(osd)
        s2 = make(o2)
        s2.load_state_dict(ssd)
        np.testing.assert_allclose(seq(s2, 15), rest1, rtol=1e-15)


def test_plateau_state_round_trip():
    o = opt()
    s = L.ReduceLROnPlateau(o, mode="max", patience=1)
    for m in [1, 2, 2, 2]:
        s.step(m)
    s2 = L.ReduceLROnPlateau(opt(), patience=5)
    s2.load_state_dict(s.state_dict())
    assert (s2.mode, s2.patience, s2.best, s2.num_bad_epochs, s2.mode_worse) == \
        ("max", 1, 2.0, s.num_bad_epochs, -math.inf)


def test_resuming_with_last_epoch():
    o = opt()
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(o, 2, last_epoch=5)
    o.param_groups[0]["initial_lr"] = 1.0
    s = L.StepLR(o, 2, gamma=0.5, last_epoch=5)     # PyTorch: the first step runs epoch 6
    assert s.last_epoch == 6 and s.get_last_lr() == [0.125]


def test_step_with_epoch_warns_and_jumps():
    s = L.ExponentialLR(opt(), gamma=0.5)
    s.optimizer.step()
    with pytest.warns(UserWarning, match="deprecated"):
        s.step(3)
    assert s.get_last_lr() == [0.1 * 0.125]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()


@pytest.mark.parametrize("make, exc, match", [
    (lambda o: L.StepLR([1], 2), TypeError, "list is not an Optimizer"),
    (lambda o: L.StepLR(o, 0), ValueError, "step_size must be a positive integer"),
    (lambda o: L.StepLR(o, 2.5), ValueError, "step_size must be a positive integer"),
    (lambda o: L.MultiStepLR(o, 5), TypeError, "milestones must be a list"),
    (lambda o: L.MultiStepLR(o, [2, -1]), ValueError, "non-negative integers"),
    (lambda o: L.MultiStepLR(o, [2, 3.5]), ValueError, "non-negative integers"),
    (lambda o: L.CosineAnnealingLR(o, 0), ValueError, "T_max must be a positive integer"),
    (lambda o: L.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda o: L.LinearLR(o, start_factor=1.5), ValueError, "Starting multiplicative factor"),
    (lambda o: L.LinearLR(o, end_factor=-0.1), ValueError, "Ending multiplicative factor"),
    (lambda o: L.LinearLR(o, total_iters=0), ValueError, "total_iters must be a positive"),
    (lambda o: L.LambdaLR(o, [abs, abs]), ValueError, "Expected 1 lr_lambdas, but got 2"),
    (lambda o: L.LambdaLR(o, 3.0), TypeError, "lr_lambda must be a function"),
    (lambda o: L.OneCycleLR(o, 1.0), ValueError, "either total_steps OR"),
    (lambda o: L.OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive integer total_steps"),
    (lambda o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=0), ValueError, "steps_per_epoch"),
    (lambda o: L.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "between 0 and 1 pct_start"),
    (lambda o: L.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "anneal_strategy"),
    (lambda o: L.OneCycleLR(o, [1.0, 2.0], 10), ValueError, "expected 1 values for max_lr"),
    (lambda o: L.OneCycleLR(o, 1.0, 10, pct_start=0.1), ValueError, "phase 0 of the cycle"),
    (lambda o: L.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
    (lambda o: L.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown"),
    (lambda o: L.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x"),
    (lambda o: L.ReduceLROnPlateau(o, min_lr=[0, 0]), ValueError, "expected 1 min_lrs, got 2"),
    (lambda o: L.SequentialLR(o, [], []), ValueError, "at least one scheduler"),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3)], []), ValueError,
     "number of milestones"),
    (lambda o: L.SequentialLR(o, [L.StepLR(o, 2), L.StepLR(o, 3), L.StepLR(o, 3)], [5, 2]),
     ValueError, "increasing order"),
    (lambda o: L.SequentialLR(o, [L.ReduceLROnPlateau(o)], []), ValueError,
     "does not support `ReduceLROnPlateau`"),
    (lambda o: L.SequentialLR(o, [L.StepLR(opt(), 2)], []), ValueError, "same optimizer"),
    (lambda o: L.SequentialLR(o, ["x"], []), TypeError, "not a learning-rate scheduler"),
])
def test_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        s = make(opt(momentum=0.9))
        s.step()


def test_one_cycle_needs_momentum():
    from wengert.optim import Adagrad
    o = Adagrad([wg.tensor([1.0], requires_grad=True)])
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        L.OneCycleLR(o, 1.0, 10)
    o.step()
    L.OneCycleLR(o, 1.0, 10, cycle_momentum=False).step()


# ---- the order of optimizer.step() and scheduler.step() ----------------------------------------

ORDER_CASES = [lambda o: L.StepLR(o, 2), lambda o: L.LambdaLR(o, lambda e: 0.9 ** e),
               lambda o: L.OneCycleLR(o, max_lr=1.0, total_steps=10),
               lambda o: L.SequentialLR(o, [L.StepLR(o, 2), L.ExponentialLR(o, 0.9)], [3])]


@pytest.mark.parametrize("make", ORDER_CASES)
def test_scheduler_step_before_optimizer_step_warns_once(make):
    o = opt(cls=SGD, momentum=0.9)
    s = make(o)
    with pytest.warns(UserWarning, match=r"scheduler.step\(\) was called before "
                                         r"optimizer.step\(\)"):
        s.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()                      # only the first step warns, as in PyTorch
        o.step()
        s.step()


@pytest.mark.parametrize("make", ORDER_CASES)
def test_optimizer_step_first_does_not_warn(make):
    o = opt(cls=Adam)
    s = make(o)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            o.step()
            s.step()


def test_plateau_does_not_warn_and_a_replaced_step_is_named():
    o = opt()
    s = L.ReduceLROnPlateau(o)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step(1.0)
    o = opt()
    s = L.StepLR(o, 2)
    o.step = lambda closure=None: None
    with pytest.warns(UserWarning, match=r"replaced on the optimizer instance"):
        s.step()


def test_warning_matches_torch_when_installed():
    torch = pytest.importorskip("torch")
    for first_opt in (False, True):
        p = torch.nn.Parameter(torch.ones(1))
        to = torch.optim.SGD([p], lr=0.1)
        ts = torch.optim.lr_scheduler.StepLR(to, 2)
        o = opt()
        s = L.StepLR(o, 2)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            if first_opt:
                to.step()
            ts.step()
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            if first_opt:
                o.step()
            s.step()
        assert [w.category for w in ours] == [w.category for w in theirs]
