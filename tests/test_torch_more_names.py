"""More of the names a PyTorch user types: narrow, index_add(_), scatter(_), masked_select,
nonzero(as_tuple=), lerp, rsqrt, clamp_min/max, std_mean/var_mean, addmm, cdist,
broadcast_tensors, the in-place elementwise methods, uniform_/normal_, the new_* factories and
the optimizers' maximize=. Values against PyTorch where it is installed (derivatives: the op
table in tests/ops/test_torch_more_ops.py), conventions and errors always."""
import numpy as np
import pytest

import wengert as wg
from wengert import nn, optim
from wengert.checking import gradcheck
from tests.helpers import torch_trajectory

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((4, 4))
IDX = np.array([0, 2, 0, 1])
SIDX = np.array([[0, 2, 1, 0], [2, 0, 0, 1]])


def _v(t):
    return t.numpy(force=True) if isinstance(t, wg.Tensor) else np.asarray(t)


# ---- against PyTorch: the functions and their gradients ------------------------------------

def _cases(torch):
    T = torch.tensor
    return [
        ("narrow", lambda m, a: m.narrow(a, 1, 1, 2)),
        ("narrow-method", lambda m, a: a.narrow(0, -2, 2)),
        ("index_add", lambda m, a: m.index_add(a, 0, m.tensor(np.array([0, 2])),
                                               a[:2] * 3.0, alpha=0.5)),
        ("scatter", lambda m, a: m.scatter(a, 0, m.tensor(SIDX), a[:2] * 2.0)),
        ("scatter-value", lambda m, a: a.scatter(1, m.tensor(SIDX[:, :2]), 1.5)),
        ("masked_select", lambda m, a: m.masked_select(a, a > 0)),
        ("lerp", lambda m, a: m.lerp(a, a * a, 0.3)),
        ("lerp-tensor-weight", lambda m, a: a.lerp(a.exp(), a.sigmoid())),
        ("rsqrt", lambda m, a: m.rsqrt(a * a + 1.0)),
        ("clamp_min", lambda m, a: m.clamp_min(a, 0.1)),
        ("clamp_max-method", lambda m, a: a.clamp_max(-0.1)),
        ("std_mean", lambda m, a: m.std_mean(a, dim=1)),
        ("var_mean", lambda m, a: m.var_mean(a, dim=0, keepdim=True)),
        ("var_mean-all", lambda m, a: m.var_mean(a)),
        ("var_mean-unbiased-False", lambda m, a: m.var_mean(a, 1, unbiased=False)),
        ("std_mean-correction", lambda m, a: m.std_mean(a, dim=1, correction=0)),
        ("addmm", lambda m, a: m.addmm(a[0], a.T, a, beta=0.5, alpha=2.0)),
        ("addmm-method", lambda m, a: a[:, :3].addmm(a, a.T)),
        ("cdist", lambda m, a: m.cdist(a, a[:2] * 2.0)),
        ("cdist-p1", lambda m, a: m.cdist(a, a[1:] + 1.0, p=1.0)),
        ("broadcast_tensors", lambda m, a: m.broadcast_tensors(a[:, :1], a[0])),
    ], T


@pytest.mark.parametrize("k", range(21))
def test_values_and_gradients_equal_pytorch(k):
    torch = pytest.importorskip("torch")
    cases, _ = _cases(torch)
    name, f = cases[k]
    x = wg.tensor(A, requires_grad=True)
    t = torch.tensor(A, requires_grad=True)
    ours, theirs = f(wg, x), f(torch, t)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs), name
    total_o, total_t = 0, 0
    for i, (o, th) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(_v(o), th.detach().numpy(), rtol=1e-12, atol=1e-14,
                                   err_msg=name)
        w = np.random.default_rng(i).standard_normal(th.shape)
        total_o = total_o + (o * w).sum()
        total_t = total_t + (th * torch.tensor(w)).sum()
    total_o.backward()
    total_t.backward()
    np.testing.assert_allclose(_v(x.grad), t.grad.numpy(), rtol=1e-10, atol=1e-12,
                               err_msg=name)


def test_scatter_with_a_repeated_place_keeps_the_last_entry_and_only_it_gets_a_gradient():
    s = wg.tensor([1., 2., 3.], requires_grad=True)
    out = wg.scatter(wg.zeros(2), 0, np.array([1, 1, 0]), s)
    np.testing.assert_array_equal(_v(out), [3., 2.])
    out.sum().backward()
    np.testing.assert_array_equal(_v(s.grad), [0., 1., 1.])


def test_index_add_accumulates_repeats_and_is_second_order_differentiable():
    assert gradcheck(lambda x, s: wg.index_add(x, 0, IDX, s, alpha=1.5) ** 2, (A, B), order=2)


def test_nonzero_keeps_numpys_tuple_and_gives_pytorchs_rows_with_as_tuple_false():
    x = np.array([[0, 3, 0], [4, 0, 5]])
    got = wg.nonzero(wg.tensor(x))
    assert isinstance(got, tuple) and len(got) == 2
    for g, w in zip(got, np.nonzero(x)):
        np.testing.assert_array_equal(_v(g), w)
    rows = wg.tensor(x).nonzero(as_tuple=False)
    np.testing.assert_array_equal(_v(rows), np.argwhere(x))
    assert rows.dtype == np.int64 and not rows.requires_grad
    np.testing.assert_array_equal(_v(wg.nonzero(wg.tensor(7), as_tuple=False)), [[0]])
    torch = pytest.importorskip("torch")
    np.testing.assert_array_equal(_v(rows), torch.nonzero(torch.tensor(x)).numpy())
    for g, w in zip(got, torch.nonzero(torch.tensor(x), as_tuple=True)):
        np.testing.assert_array_equal(_v(g), w.numpy())


def test_narrow_is_a_view_that_writes_through():
    x = wg.zeros((3, 4))
    x.narrow(1, 1, 2).fill_(1.0)
    np.testing.assert_array_equal(_v(x), [[0, 1, 1, 0]] * 3)


def test_std_mean_defaults_to_pytorchs_unbiased_estimate_unlike_std():
    x = wg.tensor([1., 2., 3., 4.])
    s, m = wg.std_mean(x)
    assert float(s) == pytest.approx(np.std([1, 2, 3, 4], ddof=1))
    assert float(x.std()) == pytest.approx(np.std([1, 2, 3, 4]))       # NumPy's stays


def test_addmm_with_beta_zero_ignores_nan_in_input():
    out = wg.addmm(wg.tensor([[np.nan]]), wg.ones((1, 2)), wg.ones((2, 1)), beta=0)
    np.testing.assert_array_equal(_v(out), [[2.0]])


# ---- in-place methods ----------------------------------------------------------------------

INPLACE = [("exp_", (), np.exp), ("neg_", (), np.negative), ("abs_", (), np.abs),
           ("sqrt_", (), lambda a: np.sqrt(np.abs(a))), ("rsqrt_", (), lambda a: np.abs(a) ** -0.5),
           ("sigmoid_", (), lambda a: 1 / (1 + np.exp(-a))), ("pow_", (3,), lambda a: a ** 3),
           ("div_", (2.0,), lambda a: a / 2), ("sub_", (1.0,), lambda a: a - 1),
           ("clamp_min_", (0.2,), lambda a: np.maximum(a, 0.2)),
           ("clamp_max_", (0.2,), lambda a: np.minimum(a, 0.2)),
           ("lerp_", (1.0, 0.25), lambda a: a + 0.25 * (1 - a))]


@pytest.mark.parametrize("name,args,ref", INPLACE, ids=[c[0] for c in INPLACE])
def test_inplace_methods_write_in_place_and_are_differentiable(name, args, ref):
    base = np.abs(A) if name in ("sqrt_", "rsqrt_") else A
    t = wg.tensor(base)
    data = t.data
    assert getattr(t, name)(*args) is t
    np.testing.assert_allclose(_v(t), ref(A), rtol=1e-12)
    assert t.data is data                       # the tensor's own memory
    # in the graph: recorded like the out-of-place op (derivatives by finite differences)
    assert gradcheck(lambda x: getattr(x * 1.0, name)(*args), (base + 0.5 * (base > 0),),
                     order=2)
    leaf = wg.tensor(base, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        getattr(leaf, name)(*args)


def test_inplace_index_add_and_scatter_match_the_functions():
    x = wg.tensor(A)
    x.index_add_(1, np.array([3, 3]), wg.ones((3, 2)), alpha=2.0)
    np.testing.assert_allclose(_v(x), _v(wg.index_add(wg.tensor(A), 1, np.array([3, 3]),
                                                      wg.ones((3, 2)), alpha=2.0)))
    y = wg.tensor(A)
    y.scatter_(0, SIDX, wg.tensor(B[:2]))
    np.testing.assert_allclose(_v(y), _v(wg.scatter(wg.tensor(A), 0, SIDX, wg.tensor(B[:2]))))
    z = wg.tensor(A)
    z.scatter_(0, SIDX, value=0.0)
    assert (_v(z) == 0).sum() == 8           # every place SIDX names


# ---- random fills --------------------------------------------------------------------------

def test_uniform_and_normal_fill_parameters_under_no_grad_from_a_generator():
    w = nn.Parameter(wg.zeros((200, 50), dtype=wg.float32))
    with wg.no_grad():
        assert w.uniform_(-2, 3, generator=wg.Generator().manual_seed(1)) is w
    assert w.dtype == np.float32 and w.requires_grad
    assert _v(w).min() >= -2 and _v(w).max() < 3 and abs(_v(w).mean() - 0.5) < 0.05
    first = _v(w).copy()
    with wg.no_grad():
        w.uniform_(-2, 3, generator=wg.Generator().manual_seed(1))
    np.testing.assert_array_equal(_v(w), first)
    with wg.no_grad():
        w.normal_(1.0, 0.5)
    assert abs(_v(w).mean() - 1.0) < 0.02 and abs(_v(w).std() - 0.5) < 0.02
    _ = wg.manual_seed(3)
    a = wg.zeros(5).normal_()
    _ = wg.manual_seed(3)
    np.testing.assert_array_equal(_v(a), _v(wg.zeros(5).normal_()))
    t = wg.zeros(4)
    t.uniform_(**{"from": 5.0, "to": 6.0})
    assert (_v(t) >= 5).all() and (_v(t) < 6).all()


def test_random_fill_errors():
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        nn.Parameter(wg.zeros(3)).normal_()
    with pytest.raises(TypeError, match="make it floating first"):
        wg.zeros(3, dtype=wg.int64).uniform_()
    with pytest.raises(ValueError, match="std must be ≥ 0"):
        wg.zeros(3).normal_(0, -1)
    with pytest.raises(TypeError, match="unexpected keyword"):
        wg.zeros(3).uniform_(low=1)


# ---- new_* ---------------------------------------------------------------------------------

def test_new_factories_take_the_tensors_dtype_unless_told():
    t = wg.zeros(2, dtype=wg.float32)
    for got, want in [(t.new_zeros(2, 3), np.zeros((2, 3))), (t.new_ones((4,)), np.ones(4)),
                      (t.new_full((2, 2), 7), np.full((2, 2), 7.0)),
                      (t.new_tensor([1, 2]), np.array([1., 2.])), (t.new_empty(3), np.zeros(3))]:
        assert got.dtype == np.float32 and not got.requires_grad
        np.testing.assert_array_equal(_v(got), want)
    assert t.new_zeros(2, dtype=wg.int64).dtype == np.int64
    src = wg.tensor([1., 2.], requires_grad=True)
    copy = t.new_tensor(src, requires_grad=True)
    assert copy.requires_grad and copy.grad_fn is None and copy.dtype == np.float32
    copy.data[0] = 9
    assert float(src[0]) == 1.0                 # a copy, not a view
    with pytest.raises(TypeError):
        t.new_ones(2, dtype=wg.int64, requires_grad=True)


# ---- errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,words", [
    (lambda: wg.narrow(wg.zeros(4), 0, 3, 2), ValueError, "exceeds dim 0 of size 4"),
    (lambda: wg.narrow(wg.zeros(4), 0, 5, 0), IndexError, "start 5 is out of range"),
    (lambda: wg.narrow(wg.tensor(1.), 0, 0, 1), ValueError, "0-d"),
    (lambda: wg.index_add(wg.zeros((3, 2)), 0, np.array([[0]]), wg.ones((1, 2))), TypeError,
     "1-D integer"),
    (lambda: wg.index_add(wg.zeros((3, 2)), 0, np.array([0, 1]), wg.ones((2, 3))), ValueError,
     "source must have shape (2, 2)"),
    (lambda: wg.index_add(wg.zeros(3), 0, np.array([3]), wg.ones(1)), IndexError,
     "out of range"),
    (lambda: wg.scatter(wg.zeros(3), 0, np.array([0])), TypeError, "give src"),
    (lambda: wg.scatter(wg.zeros(3), 0, np.array([0]), wg.ones(1), value=1.), TypeError,
     "not both"),
    (lambda: wg.scatter(wg.zeros((2, 2)), 0, np.array([0, 1]), wg.ones((2, 2))), ValueError,
     "index has 1 dimensions"),
    (lambda: wg.scatter(wg.zeros(3), 0, np.array([0.5]), wg.ones(1)), TypeError,
     "integer tensor"),
    (lambda: wg.masked_select(wg.zeros(3), np.array([1, 0, 1])), TypeError, "bool tensor"),
    (lambda: wg.masked_select(wg.zeros(3), np.array([True, False])), ValueError,
     "do not broadcast"),
    (lambda: wg.addmm(wg.zeros((2, 2)), wg.ones((2, 3)), wg.ones((2, 2))), ValueError,
     "cannot be multiplied"),
    (lambda: wg.addmm(wg.zeros(3), wg.ones((2, 2)), wg.ones((2, 2))), ValueError,
     "does not broadcast"),
    (lambda: wg.addmm(wg.zeros(2), wg.ones(2), wg.ones((2, 2))), ValueError, "must be 2-D"),
    (lambda: wg.cdist(wg.ones((2, 3)), wg.ones((2, 4))), ValueError, "same number of columns"),
    (lambda: wg.cdist(wg.ones(3), wg.ones((2, 3))), ValueError, "at least 2 dims"),
    (lambda: wg.cdist(wg.ones((2, 3)), wg.ones((2, 3)), p=-1), ValueError, "p must be ≥ 0"),
    (lambda: wg.cdist(wg.ones((2, 3)), wg.ones((2, 3)), compute_mode="fast"), ValueError,
     "unknown compute_mode"),
    (lambda: wg.var_mean(wg.ones(3), correction=1, unbiased=True), TypeError, "not both"),
])
def test_errors(call, exc, words):
    with pytest.raises(exc, match=words.replace("(", r"\(").replace(")", r"\)")):
        call()


# ---- maximize= -----------------------------------------------------------------------------

P0 = [RNG.standard_normal((3,)), RNG.standard_normal((2, 2))]
GRADS = [[RNG.standard_normal((3,)), RNG.standard_normal((2, 2))] for _ in range(20)]


def _trajectory(cls, opts):
    ps = [nn.Parameter(wg.tensor(p.copy())) for p in P0]
    opt = cls(ps, **opts)
    for gs in GRADS:
        for p, g in zip(ps, gs):
            p.grad = wg.tensor(g)
        opt.step()
    return [_v(p) for p in ps]


@pytest.mark.parametrize("cls,opts", [
    (optim.SGD, {"lr": 0.1, "maximize": True}),
    (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1,
                 "maximize": True}),
    (optim.Adam, {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    (optim.Adam, {"lr": 0.05, "amsgrad": True, "maximize": True}),
    (optim.AdamW, {"lr": 0.05, "maximize": True}),
], ids=["sgd", "sgd-nesterov-decay", "adam-decay", "adam-amsgrad", "adamw"])
def test_maximize_equals_pytorchs_trajectory_and_descends_the_negated_gradient(cls, opts):
    got = _trajectory(cls, opts)
    plain = {k: v for k, v in opts.items() if k != "maximize"}
    if "weight_decay" not in opts:             # maximize(g) is minimize(−g) without decay
        GRADS_NEG = [[-g for g in gs] for gs in GRADS]
        ps = [nn.Parameter(wg.tensor(p.copy())) for p in P0]
        opt = cls(ps, **plain)
        for gs in GRADS_NEG:
            for p, g in zip(ps, gs):
                p.grad = wg.tensor(g)
            opt.step()
        for a, b in zip(got, ps):
            np.testing.assert_allclose(a, _v(b), rtol=1e-13)
    assert opt_state_keeps_maximize(cls, opts)
    want = torch_trajectory(cls.__name__, P0, GRADS, opts)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def opt_state_keeps_maximize(cls, opts):
    opt = cls([nn.Parameter(wg.zeros(2))], **opts)
    again = cls([nn.Parameter(wg.zeros(2))], **{k: v for k, v in opts.items()
                                                if k != "maximize"})
    again.load_state_dict(opt.state_dict())
    return again.param_groups[0]["maximize"] is True
