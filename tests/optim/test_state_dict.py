"""state_dict / load_state_dict of every optimizer: PyTorch's layout, and a loaded optimizer
continues the trajectory exactly."""
import numpy as np
import pytest

import wengert as wg
from wengert.optim import SGD, Adagrad, Adam, AdamW, RMSprop

RNG = np.random.default_rng(4)
P0 = [RNG.standard_normal((2, 3)), RNG.standard_normal(3), RNG.standard_normal(())]
GRADS = [[RNG.standard_normal(a.shape) for a in P0] for _ in range(20)]

CASES = [
    (SGD, dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    (SGD, dict(lr=0.05, momentum=0.8, nesterov=True)),
    (Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    (AdamW, dict(lr=0.05, betas=(0.8, 0.95))),
    (RMSprop, dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    (Adagrad, dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1)),
]


def make(cls, opts, arrays):
    ps = [wg.tensor(a.copy(), requires_grad=True) for a in arrays]
    # two groups, the second with its own lr, so indices run across groups
    return ps, cls([{"params": ps[:2]}, {"params": ps[2:], "lr": opts["lr"] / 2}], **opts)


def steps(ps, opt, grads):
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = wg.tensor(g)
        opt.step()


@pytest.mark.parametrize("cls, opts", CASES)
def test_loaded_optimizer_continues_identically(cls, opts):
    ps, opt = make(cls, opts, P0)
    steps(ps, opt, GRADS[:10])
    sd = opt.state_dict()
    saved = [p.numpy(force=True).copy() for p in ps]
    steps(ps, opt, GRADS[10:])
    # a fresh optimizer, built with other options, takes them and the state from the save
    qs, opt2 = make(cls, dict(opts, lr=1.0), saved)
    opt2.load_state_dict(sd)
    steps(qs, opt2, GRADS[10:])
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.numpy(force=True), q.numpy(force=True))


@pytest.mark.parametrize("cls, opts", CASES)
def test_layout(cls, opts):
    ps, opt = make(cls, opts, P0)
    steps(ps, opt, GRADS[:3])
    sd = opt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sd["param_groups"][1]["lr"] == opts["lr"] / 2
    assert sorted(sd["state"]) == [0, 1, 2]
    for st in sd["state"].values():
        for v in st.values():
            assert isinstance(v, (np.ndarray, int, float))
    # the saved state is a copy: more steps leave it alone
    before = {i: {k: np.copy(v) for k, v in st.items()} for i, st in sd["state"].items()}
    steps(ps, opt, GRADS[3:5])
    for i, st in sd["state"].items():
        for k, v in st.items():
            np.testing.assert_array_equal(v, before[i][k])


def test_expected_state_names():
    names = {SGD: {"momentum_buffer"}, Adam: {"step", "exp_avg", "exp_avg_sq",
                                             "max_exp_avg_sq"},
             AdamW: {"step", "exp_avg", "exp_avg_sq"},
             RMSprop: {"step", "square_avg", "momentum_buffer", "grad_avg"},
             Adagrad: {"step", "sum"}}
    for cls, opts in CASES:
        ps, opt = make(cls, opts, P0)
        steps(ps, opt, GRADS[:1])
        assert set(opt.state_dict()["state"][0]) == names[cls]


@pytest.mark.parametrize("cls, opts", CASES)
def test_loads_json_style_values(cls, opts):
    # what a checkpoint's JSON/safetensors halves give back: string keys, lists, Tensors,
    # a 0-d array for the step count
    ps, opt = make(cls, opts, P0)
    steps(ps, opt, GRADS[:10])
    sd = opt.state_dict()
    saved = [p.numpy(force=True).copy() for p in ps]
    steps(ps, opt, GRADS[10:])
    state = {str(i): {k: (np.array(v) if k == "step" else wg.tensor(v)) for k, v in st.items()}
             for i, st in sd["state"].items()}
    groups = [{k: list(v) if isinstance(v, tuple) else v for k, v in g.items()}
              for g in sd["param_groups"]]
    qs, opt2 = make(cls, opts, saved)
    opt2.load_state_dict({"state": state, "param_groups": groups})
    steps(qs, opt2, GRADS[10:])
    for p, q in zip(ps, qs):
        np.testing.assert_array_equal(p.numpy(force=True), q.numpy(force=True))


def test_load_errors():
    ps, opt = make(Adagrad, dict(lr=0.1), P0)
    steps(ps, opt, GRADS[:1])
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": sd["param_groups"][:1]})
    with pytest.raises(ValueError, match="which no parameter group lists"):
        opt.load_state_dict({"state": {7: {"step": 1}}, "param_groups": sd["param_groups"]})
    with pytest.raises(ValueError, match="shape"):
        opt.load_state_dict({"state": {0: {"step": 1, "sum": np.zeros(5)}},
                             "param_groups": sd["param_groups"]})
    with pytest.raises(ValueError, match="Invalid lr_decay value"):
        bad = [dict(g, lr_decay=-1.0) for g in sd["param_groups"]]
        opt.load_state_dict({"state": {}, "param_groups": bad})
    with pytest.raises(TypeError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
