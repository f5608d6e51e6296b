"""The layers: shapes, dtypes, initialisation, train/eval behaviour, against NumPy and torch."""
import math
from collections import OrderedDict

import numpy as np
import pytest

import wengert as wg
from wengert import nn

RNG = np.random.default_rng(1)


def f32(*shape):
    return wg.tensor(RNG.standard_normal(shape), dtype=wg.float32)


def _torch_copy(ours, theirs):
    """Load our module's state into a torch module (float64 on both sides)."""
    import torch
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    return theirs.double()


# ---- Linear ------------------------------------------------------------------------------------

def test_linear_shapes_dtype_and_init_bounds():
    lin = nn.Linear(400, 30)
    assert lin.weight.shape == (30, 400) and lin.bias.shape == (30,)
    assert lin.weight.dtype == np.float32 and lin.bias.dtype == np.float32
    bound = 1 / math.sqrt(400)
    for p in (lin.weight, lin.bias):
        assert np.abs(p.numpy(force=True)).max() <= bound
    # U(−b, b) has standard deviation b/√3
    assert abs(lin.weight.numpy(force=True).std() - bound / math.sqrt(3)) < 0.05 * bound
    assert nn.Linear(3, 2, bias=False).bias is None
    assert len(list(nn.Linear(3, 2, bias=False).parameters())) == 1
    assert nn.Linear(3, 2, dtype=wg.float64).weight.dtype == np.float64


def test_linear_forward_and_backward_match_numpy():
    lin = nn.Linear(3, 2)
    x = f32(4, 3)
    y = lin(x)
    assert y.dtype == np.float32
    w, b = lin.weight.numpy(force=True), lin.bias.numpy(force=True)
    np.testing.assert_allclose(y.numpy(force=True), x.numpy(force=True) @ w.T + b, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(lin.weight.grad.numpy(), np.ones((2, 4)) @ x.numpy(force=True), rtol=1e-6)
    np.testing.assert_allclose(lin.bias.grad.numpy(), [4, 4])
    assert lin(f32(2, 5, 3)).shape == (2, 5, 2)


def test_manual_seed_makes_models_reproducible():
    wg.manual_seed(0)
    a = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2), nn.Embedding(5, 2))
    wg.manual_seed(0)
    b = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2), nn.Embedding(5, 2))
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa.numpy(force=True), pb.numpy(force=True))
    c = nn.Linear(3, 4)
    assert not np.array_equal(c.weight.numpy(force=True), a[0].weight.numpy(force=True))


# ---- Conv and pooling --------------------------------------------------------------------------

def test_conv2d_shapes_init_and_torch():
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    assert conv.weight.shape == (3, 2, 3, 3) and conv.weight.dtype == np.float32
    bound = 1 / math.sqrt(2 * 9)
    assert np.abs(conv.weight.numpy(force=True)).max() <= bound and np.abs(conv.bias.numpy(force=True)).max() <= bound
    x = f32(2, 2, 7, 6)
    y = conv(x)
    assert y.shape == (2, 3, 4, 3) and y.dtype == np.float32
    torch = pytest.importorskip("torch")
    tc = _torch_copy(conv, torch.nn.Conv2d(2, 3, 3, stride=2, padding=1))
    x64 = x.numpy(force=True).astype(np.float64)
    np.testing.assert_allclose(conv.double()(wg.tensor(x64)).numpy(force=True),
                               tc(torch.tensor(x64)).detach().numpy(), rtol=1e-10, atol=1e-12)
    nb = nn.Conv2d(1, 1, (2, 3), bias=False)
    assert nb.bias is None and nb.weight.shape == (1, 1, 2, 3)


def test_conv2d_matches_direct_numpy():
    conv = nn.Conv2d(1, 2, 2).double()
    x = RNG.standard_normal((1, 1, 3, 3))
    w, b = conv.weight.numpy(force=True), conv.bias.numpy(force=True)
    exp = np.empty((1, 2, 2, 2))
    for o in range(2):
        for i in range(2):
            for j in range(2):
                exp[0, o, i, j] = (x[0, 0, i:i + 2, j:j + 2] * w[o, 0]).sum() + b[o]
    np.testing.assert_allclose(conv(wg.tensor(x)).numpy(force=True), exp, rtol=1e-12)


def test_conv2d_gradcheck_through_module():
    conv = nn.Conv2d(1, 2, 2).double()
    w, b = conv.weight.numpy(force=True).copy(), conv.bias.numpy(force=True).copy()
    x = RNG.standard_normal((1, 1, 3, 3))
    assert wg.gradcheck(lambda x, w, b: nn.functional.conv2d(x, w, b), (x, w, b), order=2)


def test_pool_modules():
    x = wg.tensor(np.arange(16.0).reshape(1, 1, 4, 4))
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).numpy(), [[[[5, 7], [13, 15]]]])
    np.testing.assert_array_equal(nn.AvgPool2d(2)(x).numpy(), [[[[2.5, 4.5], [10.5, 12.5]]]])
    assert nn.MaxPool2d(3, stride=1, padding=1)(x).shape == (1, 1, 4, 4)
    assert nn.AvgPool2d(2, stride=1)(x).shape == (1, 1, 3, 3)


def test_small_cnn_runs_forward_and_backward():
    wg.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    x = f32(5, 1, 8, 8)
    loss = nn.functional.cross_entropy(net(x), np.array([0, 1, 2, 1, 0]))
    loss.backward()
    assert loss.dtype == np.float32
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in net.parameters())


# ---- containers ------------------------------------------------------------------------------

def test_sequential_indexing_len_iteration():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and list(seq) == [a, b, c]
    assert seq[0] is a and seq[-1] is c
    sub = seq[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(TypeError):
        seq["0"]
    x = f32(4, 2)
    np.testing.assert_allclose(seq(x).numpy(force=True), c(b(a(x))).numpy(force=True))
    seq.append(nn.Tanh())
    assert len(seq) == 4
    d = nn.Linear(2, 3)
    seq[0] = d
    assert seq[0] is d
    del seq[1]
    assert len(seq) == 3


def test_sequential_from_ordered_dict():
    seq = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert seq.fc is seq[0]
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]


def test_module_list():
    ml = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 2)])
    ml.append(nn.ReLU())
    ml.extend([nn.Tanh()])
    ml.insert(0, nn.Sigmoid())
    assert len(ml) == 5 and isinstance(ml[0], nn.Sigmoid) and isinstance(ml[-1], nn.Tanh)
    assert [n for n, _ in ml.named_parameters()] == ["1.weight", "1.bias", "2.weight", "2.bias"]
    assert isinstance(ml[1:3], nn.ModuleList) and len(ml[1:3]) == 2
    del ml[0]
    assert isinstance(ml[0], nn.Linear) and len(ml) == 4
    ml[3] = nn.GELU()
    assert isinstance(ml[3], nn.GELU)
    ml += [nn.ReLU()]
    assert len(ml) == 5
    with pytest.raises(IndexError):
        ml[7]


# ---- Embedding, Dropout, LayerNorm, BatchNorm ----------------------------------------------------

def test_embedding_module():
    emb = nn.Embedding(10, 4, padding_idx=0)
    assert emb.weight.shape == (10, 4) and emb.weight.dtype == np.float32
    assert not emb.weight.numpy(force=True)[0].any()
    idx = np.array([[0, 3, 3], [9, 0, 1]])
    out = emb(idx)
    assert out.shape == (2, 3, 4)
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [0, 1, 0, 2] + [0] * 5 + [1])
    with pytest.raises(ValueError):
        nn.Embedding(3, 2, padding_idx=3)


def test_dropout_module_train_and_eval():
    drop = nn.Dropout(0.5)
    x = wg.ones((50, 40), dtype=wg.float32)
    y = drop(x)
    assert set(np.unique(y.numpy())) == {0.0, 2.0}
    drop.eval()
    assert drop(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.2)


def test_layer_norm_module_against_torch():
    ln = nn.LayerNorm((3, 4))
    assert ln.weight.shape == (3, 4) and ln.weight.dtype == np.float32
    assert nn.LayerNorm(4, elementwise_affine=False).weight is None
    assert nn.LayerNorm(4, bias=False).bias is None
    x = RNG.standard_normal((2, 3, 4))
    with wg.no_grad():
        ln.weight += wg.tensor(RNG.standard_normal((3, 4)), dtype=wg.float32)
    torch = pytest.importorskip("torch")
    tl = _torch_copy(ln, torch.nn.LayerNorm((3, 4)))
    ln.double()
    np.testing.assert_allclose(ln(wg.tensor(x)).detach().numpy(), tl(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)


def test_batchnorm_train_updates_buffers_and_eval_uses_them():
    bn = nn.BatchNorm1d(3, momentum=0.1)
    x = RNG.standard_normal((16, 3)) * 2 + 5
    y = bn(wg.tensor(x, dtype=wg.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(force=True).mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(bn.running_mean.numpy(force=True), 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.numpy(force=True), 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1
    assert bn.running_mean.dtype == np.float32
    bn.eval()
    z = RNG.standard_normal((4, 3))
    out = bn(wg.tensor(z, dtype=wg.float32))
    exp = (z - bn.running_mean.numpy(force=True)) / np.sqrt(bn.running_var.numpy(force=True) + 1e-5)
    np.testing.assert_allclose(out.numpy(force=True), exp, rtol=1e-5)
    assert bn.num_batches_tracked.item() == 1          # eval leaves the statistics alone
    bn(wg.tensor(RNG.standard_normal((1, 3)), dtype=wg.float32))   # a batch of 1 is fine in eval


def test_batchnorm_against_torch_over_several_steps():
    torch = pytest.importorskip("torch")
    for momentum in (0.1, None):
        ours = nn.BatchNorm2d(3, momentum=momentum).double()
        theirs = torch.nn.BatchNorm2d(3, momentum=momentum).double()
        for _ in range(3):
            x = RNG.standard_normal((4, 3, 2, 2)) * 3 + 1
            np.testing.assert_allclose(ours(wg.tensor(x)).detach().numpy(),
                                       theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
        for k, v in theirs.state_dict().items():
            np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), rtol=1e-12)
        ours.eval(), theirs.eval()
        x = RNG.standard_normal((2, 3, 2, 2))
        np.testing.assert_allclose(ours(wg.tensor(x)).detach().numpy(),
                                   theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)


def test_batchnorm_without_running_stats_and_errors():
    bn = nn.BatchNorm1d(2, track_running_stats=False, affine=False)
    assert list(bn.state_dict()) == [] and list(bn.parameters()) == []
    x = RNG.standard_normal((5, 2, 3))
    bn.eval()                                  # no running stats: batch statistics always
    y = bn(wg.tensor(x)).numpy()
    np.testing.assert_allclose(y, (x - x.mean((0, 2), keepdims=True)) /
                               np.sqrt(x.var((0, 2), keepdims=True) + 1e-5), rtol=1e-10)
    with pytest.raises(ValueError, match="2-d or 3-d"):
        nn.BatchNorm1d(2)(wg.ones((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="4-d"):
        nn.BatchNorm2d(2)(wg.ones((2, 2)))
    with pytest.raises(ValueError, match="more than 1 value"):
        nn.BatchNorm1d(2)(wg.ones((1, 2)))


def test_batchnorm_module_gradcheck():
    bn = nn.BatchNorm1d(3).double()
    x = RNG.standard_normal((4, 3))
    assert wg.gradcheck(lambda x: bn(x), (x,), order=2)


# ---- activations ------------------------------------------------------------------------------

def test_activation_modules():
    x = wg.tensor(RNG.standard_normal((3, 4)))
    xn = x.numpy()
    np.testing.assert_allclose(nn.ReLU()(x).numpy(), np.maximum(xn, 0))
    np.testing.assert_allclose(nn.Tanh()(x).numpy(), np.tanh(xn))
    np.testing.assert_allclose(nn.Sigmoid()(x).numpy(), 1 / (1 + np.exp(-xn)))
    e = np.exp(xn - xn.max(0))
    np.testing.assert_allclose(nn.Softmax(dim=0)(x).numpy(), e / e.sum(0))
    np.testing.assert_allclose(nn.LogSoftmax(dim=0)(x).numpy(), np.log(e / e.sum(0)))
    np.testing.assert_allclose(nn.Softmax()(x).numpy().sum(-1), 1)
    assert nn.Identity()(x) is x
    assert nn.Flatten()(wg.ones((2, 3, 4))).shape == (2, 12)
    torch = pytest.importorskip("torch")
    tx = torch.tensor(xn)
    np.testing.assert_allclose(nn.GELU()(x).numpy(), torch.nn.GELU()(tx).numpy(), rtol=1e-10)
    np.testing.assert_allclose(nn.GELU("tanh")(x).numpy(), torch.nn.GELU("tanh")(tx).numpy(),
                               rtol=1e-10)
    with pytest.raises(ValueError):
        nn.GELU("fast")
