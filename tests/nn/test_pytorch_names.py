"""Issue 15's torch.nn names: losses, activations, layers, nn.utils, one_hot and pad, each
against its documented formula in NumPy, gradcheck in float64 (first and second order where
smooth), float32 in → float32 out, and every error with its type and message."""
import math

import numpy as np
import pytest

import wengert as wg
from wengert import nn
from wengert.nn import functional as F

RNG = np.random.default_rng(15)


def _t(a, rg=False):
    return wg.tensor(a, requires_grad=rg)


def _away(shape, lo=0.2):
    """Random values kept at least `lo` away from 0 (away from the kinks)."""
    x = RNG.standard_normal(shape)
    return np.where(np.abs(x) < lo, np.sign(x + 1e-12) * lo + x, x)


# ---- activations --------------------------------------------------------------------------

def _np_softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)


ACTS = [
    (lambda x: F.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x), False),
    (lambda x: F.elu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * np.expm1(x)), False),
    (F.silu, lambda x: x / (1 + np.exp(-x)), True),
    (lambda x: F.softplus(x, 2.0, 5.0), lambda x: _np_softplus(x, 2.0, 5.0), False),
    (F.softplus, _np_softplus, True),
    (lambda x: F.hardtanh(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), False),
]


@pytest.mark.parametrize("f, ref, smooth", ACTS)
def test_activation_values_gradcheck_float32(f, ref, smooth):
    x = _away((3, 4)) * 2
    x = np.where(np.abs(x - 2.5) < 0.1, 2.0, x)        # away from softplus's threshold 5/2
    x = np.where(np.abs(np.abs(x - 0.1) - 0.6) < 0.05, 0.3, x)   # and hardtanh's ends
    np.testing.assert_allclose(f(_t(x)).numpy(), ref(x), rtol=1e-12, atol=1e-12)
    assert wg.gradcheck(f, (x,), order=2)
    y = f(_t(x.astype(np.float32)))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), ref(x), rtol=1e-5, atol=1e-6)


def test_activation_kinks_follow_pytorch():
    x = _t(np.array([0.0, -0.5, 0.7, 1.0]), True)
    F.leaky_relu(x, 0.2).sum().backward()
    assert x.grad.numpy()[0] == 0.2
    x.grad = None
    F.elu(x, 1.5).sum().backward()
    assert x.grad.numpy()[0] == 1.5
    x.grad = None
    F.hardtanh(x, -0.5, 0.7).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1, 0, 0, 0])


def test_activations_stable_at_extremes():
    x = _t(np.array([-1000.0, 1000.0]), True)
    for f in (F.elu, F.silu, F.softplus, lambda v: F.softplus(v, 3.0, None)):
        x.grad = None
        y = f(x)
        y.sum().backward()
        assert np.isfinite(y.detach().numpy()).all() and np.isfinite(x.grad.numpy()).all()


def test_activation_modules_defaults():
    x = _t(_away((2, 5)) * 30)
    xn = x.numpy()
    np.testing.assert_allclose(nn.LeakyReLU()(x).numpy(), np.where(xn > 0, xn, 0.01 * xn))
    np.testing.assert_allclose(nn.ELU()(x).numpy(), np.where(xn > 0, xn, np.expm1(xn)))
    np.testing.assert_allclose(nn.SiLU()(x).numpy(), xn / (1 + np.exp(-xn)))
    np.testing.assert_allclose(nn.Softplus()(x).numpy(), _np_softplus(xn))
    np.testing.assert_allclose(nn.Hardtanh()(x).numpy(), np.clip(xn, -1, 1))
    assert "negative_slope=0.01" in repr(nn.LeakyReLU())
    assert "beta=1.0, threshold=20.0" in repr(nn.Softplus())


def test_hardtanh_bounds_error():
    with pytest.raises(ValueError, match="min_val .* cannot be greater than max_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="cannot be greater"):
        F.hardtanh(wg.ones(2), 2.0, 1.0)


def test_softmax_dim_none():
    x = _t(RNG.standard_normal((2, 3)))
    np.testing.assert_allclose(nn.LogSoftmax()(x).numpy(), F.log_softmax(x, -1).numpy())
    for m in (nn.Softmax(), nn.LogSoftmax()):
        with pytest.raises(ValueError, match="dim=None.*3-d.*give dim="):
            m(wg.ones((2, 3, 4)))


# ---- losses -------------------------------------------------------------------------------

def _np_huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def test_smooth_l1_and_huber_formulas_and_gradcheck():
    x, y = RNG.standard_normal((4, 3)) * 2, RNG.standard_normal((4, 3))
    d = x - y
    np.testing.assert_allclose(F.smooth_l1_loss(_t(x), _t(y), beta=0.5).numpy(),
                               (_np_huber(d, 0.5) / 0.5).mean())
    np.testing.assert_allclose(F.smooth_l1_loss(_t(x), _t(y), beta=0.0).numpy(),
                               np.abs(d).mean())
    np.testing.assert_allclose(F.huber_loss(_t(x), _t(y), reduction="sum", delta=0.7).numpy(),
                               _np_huber(d, 0.7).sum())
    np.testing.assert_allclose(nn.SmoothL1Loss(reduction="none")(_t(x), _t(y)).numpy(),
                               _np_huber(d, 1.0))
    np.testing.assert_allclose(nn.HuberLoss(delta=2.0)(_t(x), _t(y)).numpy(),
                               _np_huber(d, 2.0).mean())
    assert wg.gradcheck(lambda a, b: F.smooth_l1_loss(a, b, beta=0.5), (x, y), order=2)
    assert wg.gradcheck(lambda a, b: F.huber_loss(a, b, delta=0.7), (x, y), order=2)
    y32 = F.huber_loss(_t(x.astype(np.float32)), _t(y.astype(np.float32)))
    assert y32.dtype == np.float32


def _np_kl(logq, t, log_target):
    if log_target:
        return np.exp(t) * (t - logq)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0) - t * logq


@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_formula_gradcheck(log_target):
    logq = RNG.standard_normal((3, 4))
    p = RNG.random((3, 4))
    p[0, 1] = 0.0                                     # a zero target contributes 0
    t = np.log(p + 0.1) if log_target else p
    ref = _np_kl(logq, t, log_target)
    for red, want in (("none", ref), ("sum", ref.sum()), ("mean", ref.mean()),
                      ("batchmean", ref.sum() / 3)):
        got = F.kl_div(_t(logq), _t(t), reduction=red, log_target=log_target).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12)
        got = nn.KLDivLoss(reduction=red, log_target=log_target)(_t(logq), _t(t)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12)
    f = lambda a: F.kl_div(a, t, reduction="batchmean", log_target=log_target)
    assert wg.gradcheck(f, (logq,), order=2)
    if log_target:
        assert wg.gradcheck(lambda a, b: F.kl_div(a, b, log_target=True), (logq, t), order=2)
    else:
        assert wg.gradcheck(lambda b: F.kl_div(logq, b), (p + 0.1,), order=2)
    out = F.kl_div(_t(logq.astype(np.float32)), _t(t.astype(np.float32)),
                   log_target=log_target)
    assert out.dtype == np.float32


def test_loss_classes_match_functional():
    x = RNG.standard_normal((5, 3))
    tgt = np.array([0, 2, 1, 2, 0])
    w = np.array([1.0, 2.0, 0.5])
    y = RNG.standard_normal((5, 3))
    prob = RNG.random((5, 3)) * 0.8 + 0.1
    b = (RNG.random((5, 3)) > 0.5).astype(float)
    cases = [
        (nn.MSELoss(), F.mse_loss(_t(x), _t(y)), (x, y)),
        (nn.L1Loss(reduction="sum"), F.l1_loss(_t(x), _t(y), reduction="sum"), (x, y)),
        (nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, ignore_index=1),
         F.cross_entropy(_t(x), tgt, weight=w, label_smoothing=0.1, ignore_index=1), (x, tgt)),
        (nn.NLLLoss(weight=w), F.nll_loss(F.log_softmax(_t(x)), tgt, weight=w),
         (F.log_softmax(_t(x)), tgt)),
        (nn.BCELoss(weight=w), F.binary_cross_entropy(_t(prob), b, weight=w), (prob, b)),
        (nn.BCEWithLogitsLoss(pos_weight=w),
         F.binary_cross_entropy_with_logits(_t(x), b, pos_weight=w), (x, b)),
    ]
    for mod, want, args in cases:
        np.testing.assert_allclose(mod(*[a if isinstance(a, wg.Tensor) else
                                         (_t(a) if a.dtype.kind == "f" else a)
                                         for a in args]).numpy(), want.numpy(), rtol=1e-12)
    ce = nn.CrossEntropyLoss()
    assert ce.reduction == "mean" and ce.ignore_index == -100 and ce.label_smoothing == 0.0
    assert list(nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert wg.gradcheck(lambda a: nn.CrossEntropyLoss(weight=w)(a, tgt), (x,), order=2)


def test_loss_legacy_reduction_arguments():
    assert nn.MSELoss(reduce=False).reduction == "none"
    assert nn.MSELoss(size_average=False).reduction == "sum"
    assert nn.L1Loss(size_average=True, reduce=True).reduction == "mean"


def test_loss_errors():
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="batchmean"):
        F.kl_div(wg.ones(2), wg.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="negative values for beta"):
        nn.SmoothL1Loss(beta=-1.0)
    with pytest.raises(ValueError, match="negative values for beta"):
        F.smooth_l1_loss(wg.ones(2), wg.ones(2), beta=-1.0)
    with pytest.raises(ValueError, match="non-positive values for delta"):
        nn.HuberLoss(delta=0.0)
    with pytest.raises(ValueError, match="non-positive values for delta"):
        F.huber_loss(wg.ones(2), wg.ones(2), delta=-1.0)
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        nn.HuberLoss()(wg.ones(2), wg.ones(3))
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        F.kl_div(wg.ones(2), wg.ones(3))


# ---- layers -------------------------------------------------------------------------------

def _np_adaptive(x, oh, ow):
    h, w = x.shape[-2:]
    out = np.empty(x.shape[:-2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            r0, r1 = math.floor(i * h / oh), math.ceil((i + 1) * h / oh)
            c0, c1 = math.floor(j * w / ow), math.ceil((j + 1) * w / ow)
            out[..., i, j] = x[..., r0:r1, c0:c1].mean(axis=(-2, -1))
    return out


@pytest.mark.parametrize("shape, size", [((2, 3, 5, 7), (2, 3)), ((3, 6, 4), 3),
                                         ((1, 2, 7, 5), (None, 4)), ((1, 1, 3, 3), 5)])
def test_adaptive_avg_pool2d(shape, size):
    x = RNG.standard_normal(shape)
    oh, ow = (size, size) if isinstance(size, int) else size
    oh = shape[-2] if oh is None else oh
    ow = shape[-1] if ow is None else ow
    np.testing.assert_allclose(nn.AdaptiveAvgPool2d(size)(_t(x)).numpy(),
                               _np_adaptive(x, oh, ow), rtol=1e-12)
    assert wg.gradcheck(lambda a: F.adaptive_avg_pool2d(a, size), (x,), order=2)
    assert nn.AdaptiveAvgPool2d(size)(_t(x.astype(np.float32))).dtype == np.float32


def test_adaptive_avg_pool2d_errors():
    with pytest.raises(ValueError, match="3-d .* or 4-d"):
        F.adaptive_avg_pool2d(wg.ones((3, 3)), 2)
    with pytest.raises(ValueError, match="positive ints"):
        F.adaptive_avg_pool2d(wg.ones((1, 3, 3)), 0)


def test_containers_register_parameters():
    m = nn.Module()
    m.pl = nn.ParameterList([wg.ones(2), nn.Parameter(wg.zeros(3))])
    m.pd = nn.ParameterDict({"a": wg.ones(1)})
    m.md = nn.ModuleDict({"lin": nn.Linear(2, 3)})
    names = [n for n, _ in m.named_parameters()]
    assert names == ["pl.0", "pl.1", "pd.a", "md.lin.weight", "md.lin.bias"]
    assert list(m.state_dict()) == names
    assert len(list(m.parameters())) == 5
    assert isinstance(m.pl[0], nn.Parameter) and isinstance(m.pd["a"], nn.Parameter)
    m.pl.append(wg.ones(4))
    m.pd["b"] = wg.ones(2)
    m.md["act"] = nn.ReLU()
    assert len(m.pl) == 3 and "b" in m.pd and list(m.md) == ["lin", "act"]
    assert [n for n, _ in m.named_parameters()][2:5] == ["pl.2", "pd.a", "pd.b"]
    sd = {k: v.detach().numpy() + 1 for k, v in m.state_dict().items()}
    m.load_state_dict(sd)
    np.testing.assert_array_equal(m.pd["b"].detach().numpy(), [2, 2])
    del m.pd["a"]
    assert "pd.a" not in m.state_dict()
    assert m.md.pop("act").__class__ is nn.ReLU


def test_container_errors():
    with pytest.raises(IndexError, match="out of range for ParameterList"):
        nn.ParameterList([wg.ones(1)])[3]
    with pytest.raises(TypeError, match="integers or slices"):
        nn.ParameterList([wg.ones(1)])["a"]
    with pytest.raises(KeyError, match="contain"):
        nn.ParameterDict({"a.b": wg.ones(1)})
    with pytest.raises(TypeError, match="not a Module"):
        nn.ModuleDict({"a": 3})
    with pytest.raises(TypeError, match=r"\(key, value\) pair"):
        nn.ParameterDict([wg.ones(1)])


# ---- nn.utils -----------------------------------------------------------------------------

def _with_grads(*grads):
    ps = []
    for g in grads:
        p = nn.Parameter(wg.zeros(np.shape(g)))
        p.grad = wg.tensor(np.array(g, dtype=np.float64))
        ps.append(p)
    return ps


def test_clip_grad_norm_by_hand():
    ps = _with_grads([3.0, 0.0], [[4.0]])             # total 2-norm 5
    total = nn.utils.clip_grad_norm_(ps, 1.0)
    assert float(total) == 5.0
    c = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(ps[0].grad.numpy(), [3 * c, 0])
    np.testing.assert_allclose(ps[1].grad.numpy(), [[4 * c]])
    ps = _with_grads([3.0, 0.0], [[4.0]])
    assert float(nn.utils.clip_grad_norm_(ps, 10.0)) == 5.0
    np.testing.assert_array_equal(ps[0].grad.numpy(), [3, 0])     # coefficient clamped to 1
    ps = _with_grads([3.0, -6.0], [[4.0]])
    assert float(nn.utils.clip_grad_norm_(ps, 3.0, norm_type=math.inf)) == 6.0
    np.testing.assert_allclose(ps[0].grad.numpy(), np.array([3.0, -6.0]) * 3 / (6 + 1e-6))
    ps = _with_grads([1.0, -2.0], [[3.0]])
    assert float(nn.utils.clip_grad_norm_(ps, 100.0, norm_type=1)) == 6.0
    assert float(nn.utils.clip_grad_norm_([nn.Parameter(wg.ones(2))], 1.0)) == 0.0
    p = nn.Parameter(wg.ones(2, dtype=np.float32))
    p.grad = wg.ones(2, dtype=np.float32) * 10
    total = nn.utils.clip_grad_norm_(p, 1.0)
    assert total.dtype == np.float32 and p.grad.dtype == np.float32


def test_clip_grad_norm_nonfinite_and_errors():
    ps = _with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    with pytest.raises(ValueError, match="norm_type must be positive"):
        nn.utils.clip_grad_norm_(_with_grads([1.0]), 1.0, norm_type=0)


def test_clip_grad_value():
    ps = _with_grads([3.0, -0.5, -7.0])
    nn.utils.clip_grad_value_(ps, 1.0)
    np.testing.assert_array_equal(ps[0].grad.numpy(), [1.0, -0.5, -1.0])


def test_parameters_vector_roundtrip_and_errors():
    lin = nn.Linear(3, 2)
    v = nn.utils.parameters_to_vector(lin.parameters())
    assert v.shape == (8,)
    np.testing.assert_array_equal(v.detach().numpy()[:6], lin.weight.detach().numpy().ravel())
    v.sum().backward()
    np.testing.assert_array_equal(lin.bias.grad.numpy(), [1, 1])
    nn.utils.vector_to_parameters(wg.arange(8.0), lin.parameters())
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [6, 7])
    assert lin.weight.dtype == np.float32
    with pytest.raises(TypeError, match="expected a Tensor"):
        nn.utils.vector_to_parameters(np.arange(8.0), lin.parameters())
    with pytest.raises(ValueError, match="8 elements"):
        nn.utils.vector_to_parameters(wg.arange(7.0), lin.parameters())
    with pytest.raises(ValueError, match="no parameters"):
        nn.utils.parameters_to_vector([])


# ---- one_hot and pad ------------------------------------------------------------------------

def test_one_hot():
    out = F.one_hot(wg.tensor([[0, 2], [1, 1]]))
    assert out.dtype == np.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[[[0, 2], [1, 1]]])
    assert F.one_hot(np.array([1]), num_classes=4).numpy().tolist() == [[0, 1, 0, 0]]


def test_one_hot_errors():
    with pytest.raises(TypeError, match="index tensors"):
        F.one_hot(wg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="non-negative"):
        F.one_hot(wg.tensor([-1, 1]))
    with pytest.raises(ValueError, match="smaller than num_classes"):
        F.one_hot(wg.tensor([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match="empty"):
        F.one_hot(wg.tensor(np.zeros(0, dtype=np.int64)))


@pytest.mark.parametrize("mode, np_mode", [("constant", "constant"), ("reflect", "reflect"),
                                           ("replicate", "edge"), ("circular", "wrap")])
def test_pad_values_and_gradient(mode, np_mode):
    x = RNG.standard_normal((2, 3, 4))
    p = (1, 2, 2, 0)                   # last axis (1, 2), the one before (2, 0)
    want = np.pad(x, ((0, 0), (2, 0), (1, 2)), mode=np_mode)
    np.testing.assert_allclose(F.pad(_t(x), p, mode=mode).numpy(), want)
    assert wg.gradcheck(lambda a: F.pad(a, p, mode=mode), (x,), order=2)
    assert F.pad(_t(x.astype(np.float32)), p, mode=mode).dtype == np.float32


def test_pad_constant_value_and_gradient_by_hand():
    x = _t(np.ones((2, 2)), True)
    y = F.pad(x, (1, 1), value=5.0)
    np.testing.assert_array_equal(y.detach().numpy(), [[5, 1, 1, 5], [5, 1, 1, 5]])
    (y * _t(np.arange(8.0).reshape(2, 4))).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 2], [5, 6]])


def test_pad_errors():
    x = wg.ones((2, 3))
    with pytest.raises(ValueError, match="divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(ValueError, match="too large"):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(ValueError, match="negative padding"):
        F.pad(x, (-1, 0))
    with pytest.raises(ValueError, match="not supported"):
        F.pad(x, (1, 1), mode="symmetric")
    with pytest.raises(ValueError, match="at most 2"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="does not take a value"):
        F.pad(x, (1, 0), mode="replicate", value=2.0)
    with pytest.raises(TypeError, match="tuple of ints"):
        F.pad(x, 1)
