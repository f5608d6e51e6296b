"""wg.func.functional_call: a Module run with a dict of tensors in place of its parameters
(and buffers), differentiable with respect to that dict, leaving the module as it was."""
import numpy as np
import pytest

import wengert as wg
import wengert.nn.functional as F
from wengert import nn
from wengert.func import functional_call


def mlp(seed=0):
    """Sequential(Linear, ReLU, Linear, Tanh, Linear) in float64."""
    wg.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4), nn.Tanh(),
                         nn.Linear(4, 2)).double()


def batch(n=6, seed=1):
    rng = np.random.default_rng(seed)
    return wg.tensor(rng.standard_normal((n, 3))), wg.tensor(rng.integers(0, 2, n))


def other_params(model, seed=2):
    """Fresh float64 arrays, one per parameter name, differing from the module's."""
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(p.shape) for k, p in model.named_parameters()}


def snapshot(model):
    return [(k, id(t), t.numpy(force=True).copy()) for k, t in model.state_dict(keep_vars=True).items()]


def assert_unchanged(model, before):
    after = snapshot(model)
    assert [(k, i) for k, i, _ in after] == [(k, i) for k, i, _ in before]
    for (_, _, a), (_, _, b) in zip(after, before):
        np.testing.assert_array_equal(a, b)
    for m in model.modules():
        for name, p in m._parameters.items():
            assert p is None or (isinstance(p, nn.Parameter) and m.__dict__[name] is p)
        for name, b in m._buffers.items():
            assert m.__dict__[name] is b


def loss_of(model, x, y):
    return lambda p: F.cross_entropy(functional_call(model, p, x), y)


# ---- values -----------------------------------------------------------------------------------

def test_own_parameters_give_the_modules_own_forward():
    model = mlp()
    x, _ = batch()
    out = functional_call(model, dict(model.named_parameters()), x)
    np.testing.assert_array_equal(out.numpy(force=True), model(x).numpy(force=True))


def test_other_parameters_give_the_forward_of_a_module_holding_them():
    model, twin = mlp(), mlp(seed=5)
    x, _ = batch()
    p = other_params(model)
    twin.load_state_dict(p)
    before = snapshot(model)
    out = functional_call(model, {k: wg.tensor(v) for k, v in p.items()}, x)
    np.testing.assert_allclose(out.numpy(force=True), twin(x).numpy(force=True), rtol=1e-14)
    assert_unchanged(model, before)
    # arrays are accepted and converted
    out2 = functional_call(model, p, x)
    np.testing.assert_array_equal(out2.numpy(force=True), out.numpy(force=True))


def test_positional_and_keyword_arguments_reach_forward():
    class Affine(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(wg.ones(2))

        def forward(self, x, shift=0.0, *, scale=1.0):
            return scale * (self.w * x) + shift

    m = Affine()
    out = functional_call(m, {"w": wg.tensor([2.0, 3.0])}, wg.tensor([1.0, 1.0]), 1.0, scale=10.0)
    np.testing.assert_array_equal(out.numpy(), [21.0, 31.0])


# ---- gradients --------------------------------------------------------------------------------

def test_grad_with_respect_to_the_dict_equals_eager_backward():
    model = mlp()
    x, y = batch()
    before = snapshot(model)
    g = wg.grad(loss_of(model, x, y))(dict(model.named_parameters()))
    assert set(g) == {k for k, _ in model.named_parameters()}
    assert all(p.grad is None for p in model.parameters())     # the module was not touched
    assert_unchanged(model, before)
    F.cross_entropy(model(x), y).backward()
    for k, p in model.named_parameters():
        np.testing.assert_allclose(g[k].detach().numpy(), p.grad.numpy(), rtol=1e-12,
                                   atol=1e-15)


def test_grad_against_finite_differences():
    model = mlp()
    x, y = batch()
    p = other_params(model)
    loss = loss_of(model, x, y)
    g = wg.grad(loss)(p)
    for k in p:
        fd = wg.numerical_grad(lambda v, k=k: loss({**p, k: v}), p[k])
        np.testing.assert_allclose(g[k], fd, rtol=1e-6, atol=1e-8)


def test_value_and_grad_and_second_order():
    model = mlp()
    x, y = batch()
    p = other_params(model)
    loss = loss_of(model, x, y)
    value, g = wg.value_and_grad(loss)(p)
    assert value == pytest.approx(float(loss(p).detach().numpy()), rel=1e-14)
    # d/dε ⟨∇L(p + εv), v⟩ = vᵀHv: forward over reverse through functional_call
    v = {k: np.ones_like(a) for k, a in p.items()}
    _, hv = wg.jvp(lambda q: wg.grad(loss)(q), (p,), (v,))
    vhv = sum(float(np.sum(hv[k] * v[k])) for k in p)
    h = 1e-4
    fd = sum(float(np.sum((wg.grad(loss)({k: a + h * v[k] for k, a in p.items()})[k]
                           - wg.grad(loss)({k: a - h * v[k] for k, a in p.items()})[k])
                          * v[k])) for k in p) / (2 * h)
    assert vhv == pytest.approx(fd, rel=1e-5)


def test_float32_module_stays_float32():
    wg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = wg.tensor(np.ones((2, 3), dtype=np.float32))
    y = wg.tensor(np.array([0, 1]))
    g = wg.grad(loss_of(model, x, y))(dict(model.named_parameters()))
    assert all(t.dtype == np.float32 for t in g.values())


def test_tied_parameter_takes_the_value_and_sums_the_gradient():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.Linear(3, 3, bias=False)
            self.dec = nn.Linear(3, 3, bias=False)
            self.dec.weight = self.enc.weight

        def forward(self, x):
            return self.dec(self.enc(x))

    m = Tied().double()
    assert [k for k, _ in m.named_parameters()] == ["enc.weight"]
    x = wg.tensor(np.arange(3.0))
    w = np.random.default_rng(0).standard_normal((3, 3))
    out = functional_call(m, {"enc.weight": w}, x)
    np.testing.assert_allclose(out.numpy(), w @ (w @ np.arange(3.0)), rtol=1e-14)
    # the alias name alone works too, and both names with the same tensor
    wt = wg.tensor(w)
    for p in ({"dec.weight": wt}, {"enc.weight": wt, "dec.weight": wt}):
        np.testing.assert_allclose(functional_call(m, p, x).numpy(), out.numpy(), rtol=1e-14)
    g = wg.grad(lambda p: functional_call(m, p, x).sum())({"enc.weight": w})
    fd = wg.numerical_grad(lambda v: functional_call(m, {"enc.weight": v}, x).sum(), w)
    np.testing.assert_allclose(g["enc.weight"], fd, rtol=1e-6)
    with pytest.raises(ValueError, match='"enc.weight" and "dec.weight".*tied'):
        functional_call(m, {"enc.weight": w, "dec.weight": w.copy()}, x)


# ---- buffers (BatchNorm) ----------------------------------------------------------------------

def bn_model():
    wg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2)).double()


def test_buffers_may_be_given_and_are_updated_in_place_in_training():
    model = bn_model()
    x, y = batch(8)
    own_mean = model[1].running_mean.numpy().copy()
    bufs = {k: b.detach().numpy().copy() for k, b in model.named_buffers()}
    bufs = {k: wg.tensor(v) for k, v in bufs.items()}
    params = dict(model.named_parameters())
    out = functional_call(model, {**params, **bufs}, x)
    np.testing.assert_array_equal(model[1].running_mean.numpy(), own_mean)   # untouched
    assert not np.array_equal(bufs["1.running_mean"].numpy(), own_mean)      # updated
    assert int(model[1].num_batches_tracked.numpy()) == 0
    twin = bn_model()
    np.testing.assert_allclose(out.numpy(force=True), twin(x).numpy(force=True), rtol=1e-14)
    np.testing.assert_allclose(bufs["1.running_mean"].numpy(), twin[1].running_mean.numpy(),
                               rtol=1e-14)


def test_given_buffers_are_used_in_eval_and_missing_ones_are_the_modules():
    model = bn_model().eval()
    x, y = batch(8)
    mean = wg.tensor(np.full(4, 0.5))
    p = dict(model.named_parameters())
    out = functional_call(model, {**p, "1.running_mean": mean}, x)
    twin = bn_model().eval()
    twin[1].running_mean[...] = 0.5
    np.testing.assert_allclose(out.numpy(force=True), twin(x).numpy(force=True), rtol=1e-14)
    # a buffer not given is the module's own (strict mode asks only for the parameters)
    np.testing.assert_array_equal(functional_call(model, p, x).numpy(force=True),
                                  model(x).numpy(force=True))


def test_grad_through_batchnorm_equals_eager_backward():
    model = bn_model()
    x, y = batch(8)
    g = wg.grad(loss_of(model, x, y))(other_params(model))
    twin = bn_model()
    twin.load_state_dict(other_params(model), strict=False)
    F.cross_entropy(twin(x), y).backward()
    for k, p in twin.named_parameters():
        np.testing.assert_allclose(g[k], p.grad.numpy(), rtol=1e-10, atol=1e-13)


# ---- errors and restoring ---------------------------------------------------------------------

def test_missing_and_unexpected_keys_are_listed_at_once():
    model = mlp()
    p = dict(model.named_parameters())
    del p["0.weight"], p["4.bias"]
    p["0.wieght"] = wg.ones(3)
    p["extra"] = wg.ones(1)
    with pytest.raises(RuntimeError) as err:
        functional_call(model, p, batch()[0])
    msg = str(err.value)
    assert 'Missing key(s) in the parameter dict: "0.weight", "4.bias".' in msg
    assert 'Unexpected key(s) in the parameter dict: "0.wieght", "extra".' in msg
    assert "strict=False" in msg and "Sequential" in msg


def test_strict_false_keeps_missing_and_ignores_unexpected():
    model = mlp()
    x, _ = batch()
    p = other_params(model)
    own = model[0].weight.numpy(force=True).copy()
    out = functional_call(model, {"0.weight": p["0.weight"], "junk": 1.0}, x, strict=False)
    with wg.no_grad():
        model[0].weight[...] = p["0.weight"]
    np.testing.assert_allclose(out.numpy(force=True), model(x).numpy(force=True), rtol=1e-14)
    with wg.no_grad():
        model[0].weight[...] = own
    g = wg.grad(lambda w: F.cross_entropy(
        functional_call(model, {"0.weight": w}, x, strict=False), batch()[1]))(p["0.weight"])
    assert g.shape == (5, 3)


def test_shape_mismatch_is_an_error_naming_every_key():
    model = mlp()
    p = dict(model.named_parameters())
    p["0.bias"] = wg.ones(1)
    p["2.weight"] = wg.ones((5, 4))
    with pytest.raises(ValueError, match=r'"0.bias": the module\'s is \(5,\), the dict\'s is '
                                         r'\(1,\); "2.weight"'):
        functional_call(model, p, batch()[0])


def test_bad_arguments_are_type_errors():
    model = mlp()
    with pytest.raises(TypeError, match="expected an nn.Module, got function"):
        functional_call(lambda x: x, {}, 1.0)
    with pytest.raises(TypeError, match="params must be a dict"):
        functional_call(model, list(model.parameters()), batch()[0])
    with pytest.raises(TypeError, match="names are strings.*got int"):
        functional_call(model, {0: wg.ones(1)}, batch()[0])


def test_parameters_are_restored_when_forward_raises():
    class Boom(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            self.fc(x)
            raise KeyError("inside forward")

    m = Boom()
    before = snapshot(m)
    with pytest.raises(KeyError, match="inside forward"):
        functional_call(m, {"fc.weight": wg.zeros((2, 3)), "fc.bias": wg.zeros(2)},
                        wg.ones((1, 3), dtype=wg.float32))
    assert_unchanged(m, before)
    model = mlp()
    before = snapshot(model)
    with pytest.raises(ValueError):          # a bad input shape, raised inside Linear
        functional_call(model, other_params(model), wg.ones((2, 7)))
    assert_unchanged(model, before)
