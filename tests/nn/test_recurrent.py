"""nn.RNN, nn.LSTM, nn.GRU: shapes, names, values against a NumPy transcription of PyTorch's
documented equations, gradients against finite differences, and a tiny training run."""
import itertools

import numpy as np
import pytest

import wengert as wg
from wengert import nn
from wengert.nn.recurrent import rnn_forward

MODULES = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _np(t):
    return t.numpy(force=True) if hasattr(t, "numpy") else np.asarray(t)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _reference(name, nonlin, x, h0, c0, params, num_layers, bias):
    """PyTorch's documented equations, in NumPy, for (seq, batch, feature) input."""
    seq = x
    hs, cs = [], []
    for k in range(num_layers):
        w_ih, w_hh = params[f"weight_ih_l{k}"], params[f"weight_hh_l{k}"]
        b_ih = params[f"bias_ih_l{k}"] if bias else 0
        b_hh = params[f"bias_hh_l{k}"] if bias else 0
        h, c = h0[k], c0[k]
        outs = []
        for xt in seq:
            gi = xt @ w_ih.T + b_ih
            gh = h @ w_hh.T + b_hh
            H = h.shape[-1]
            if name == "RNN":
                pre = gi + gh
                h = np.tanh(pre) if nonlin == "tanh" else np.maximum(pre, 0)
            elif name == "LSTM":
                g = gi + gh
                i, f = _sig(g[:, :H]), _sig(g[:, H:2 * H])
                gg, o = np.tanh(g[:, 2 * H:3 * H]), _sig(g[:, 3 * H:])
                c = f * c + i * gg
                h = o * np.tanh(c)
            else:
                r = _sig(gi[:, :H] + gh[:, :H])
                z = _sig(gi[:, H:2 * H] + gh[:, H:2 * H])
                n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
                h = (1 - z) * n + z * h
            outs.append(h)
        hs.append(h)
        cs.append(c)
        seq = np.stack(outs)
    return seq, np.stack(hs), np.stack(cs)


@pytest.mark.parametrize("name,num_layers,bias,batch_first", list(itertools.product(
    ["RNN", "LSTM", "GRU"], [1, 2], [True, False], [False, True])))
def test_shapes_names_dtype(name, num_layers, bias, batch_first):
    wg.manual_seed(0)
    m = MODULES[name](3, 5, num_layers=num_layers, bias=bias, batch_first=batch_first)
    names = []
    for k in range(num_layers):
        names += [f"weight_ih_l{k}", f"weight_hh_l{k}"]
        if bias:
            names += [f"bias_ih_l{k}", f"bias_hh_l{k}"]
    assert list(m.state_dict()) == names
    G = GATES[name] * 5
    for k in range(num_layers):
        assert m.state_dict()[f"weight_ih_l{k}"].shape == (G, 3 if k == 0 else 5)
        assert m.state_dict()[f"weight_hh_l{k}"].shape == (G, 5)
        if bias:
            assert m.state_dict()[f"bias_ih_l{k}"].shape == (G,)
    assert all(p.dtype == np.float32 for p in m.parameters())
    bound = 1 / np.sqrt(5)
    assert all(np.abs(_np(p)).max() <= bound for p in m.parameters())
    x = np.random.default_rng(0).standard_normal((7, 2, 3)).astype(np.float32)
    if batch_first:
        x = x.transpose(1, 0, 2)
    out, h = m(x)
    assert out.shape == ((2, 7, 5) if batch_first else (7, 2, 5))
    assert out.dtype == np.float32
    if name == "LSTM":
        assert h[0].shape == h[1].shape == (num_layers, 2, 5)
    else:
        assert h.shape == (num_layers, 2, 5)
    # unbatched (seq, feature)
    out1, h1 = m(x[0] if batch_first else x[:, 0])
    assert out1.shape == (7, 5)
    np.testing.assert_allclose(_np(out1), _np(out)[0] if batch_first else _np(out)[:, 0],
                               rtol=1e-5, atol=1e-6)
    hh = h1[0] if name == "LSTM" else h1
    assert hh.shape == (num_layers, 5)


def test_manual_seed_reproducible():
    wg.manual_seed(3)
    a = nn.LSTM(2, 3, 2)
    wg.manual_seed(3)
    b = nn.LSTM(2, 3, 2)
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(_np(p1), _np(p2))


@pytest.mark.parametrize("name,nonlin,num_layers,bias", [
    ("RNN", "tanh", 2, True), ("RNN", "relu", 1, True), ("RNN", "tanh", 1, False),
    ("LSTM", None, 2, True), ("LSTM", None, 1, False), ("GRU", None, 2, True),
    ("GRU", None, 1, False)])
def test_values_match_numpy_reference(name, nonlin, num_layers, bias):
    wg.manual_seed(1)
    kw = {"nonlinearity": nonlin} if nonlin else {}
    m = MODULES[name](3, 4, num_layers=num_layers, bias=bias, **kw).double()
    params = {k: _np(v) for k, v in m.state_dict().items()}
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2, 3))
    h0 = rng.standard_normal((num_layers, 2, 4))
    c0 = rng.standard_normal((num_layers, 2, 4))
    ref_out, ref_h, ref_c = _reference(name, nonlin, x, h0, c0, params, num_layers, bias)
    if name == "LSTM":
        out, (h, c) = m(x, (h0, c0))
        np.testing.assert_allclose(_np(c), ref_c, rtol=1e-12, atol=1e-12)
    else:
        out, h = m(x, h0)
    np.testing.assert_allclose(_np(out), ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_np(h), ref_h, rtol=1e-12, atol=1e-12)
    # hx=None means zeros
    z = np.zeros((num_layers, 2, 4))
    ref0 = _reference(name, nonlin, x, z, z, params, num_layers, bias)[0]
    np.testing.assert_allclose(_np(m(x)[0]), ref0, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
def test_gradients_of_every_parameter_and_input(mode):
    rng = np.random.default_rng(2)
    G = {"RNN_TANH": 1, "LSTM": 4, "GRU": 3}[mode] * 2
    x = rng.standard_normal((3, 2, 2))
    h0 = rng.standard_normal((2, 2, 2))
    c0 = rng.standard_normal((2, 2, 2))
    ws = [rng.standard_normal(s) * 0.7 for s in [(G, 2), (G, 2), (G,), (G,),
                                                 (G, 2), (G, 2), (G,), (G,)]]

    def f(x, h0, c0, *w):
        hx = (h0, c0) if mode == "LSTM" else h0
        out, h = rnn_forward(mode, x, hx, [tuple(w[:4]), tuple(w[4:])], 2)
        return (out, h) if mode != "LSTM" else (out, h[0], h[1])

    assert wg.gradcheck(f, (x, h0, c0, *ws))


def test_gradients_second_order_gru():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 1, 2))
    h0 = rng.standard_normal((1, 1, 2))
    ws = [rng.standard_normal(s) * 0.7 for s in [(6, 2), (6, 2), (6,), (6,)]]

    def f(x, h0, *w):
        return rnn_forward("GRU", x, h0, [tuple(w)], 1)[0]

    assert wg.gradcheck(f, (x, h0, *ws), order=2)


def test_module_backward_fills_every_parameter():
    wg.manual_seed(0)
    m = nn.LSTM(3, 4, 2, batch_first=True)
    x = wg.tensor(np.ones((2, 3, 3), np.float32), requires_grad=True)
    out, (h, c) = m(x)
    (out.sum() + c.sum()).backward()
    for n, p in m.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, n
    assert x.grad.shape == x.shape


def test_dropout_only_between_layers_in_training():
    wg.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
    m.eval()
    a, b = _np(m(x)[0]), _np(m(x)[0])
    np.testing.assert_array_equal(a, b)
    m.train()
    assert not np.allclose(_np(m(x)[0]), a)
    one = nn.GRU(3, 4, num_layers=1, dropout=0.5)
    np.testing.assert_array_equal(_np(one(x)[0]), _np(one(x)[0]))


def test_errors():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="dropout"):
        nn.GRU(2, 3, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(2, 0)
    m = nn.RNN(2, 3)
    with pytest.raises(ValueError, match="input_size"):
        m(np.zeros((4, 1, 5), np.float32))
    with pytest.raises(ValueError, match="3-D"):
        m(np.zeros((4, 1, 2, 1), np.float32))
    with pytest.raises(ValueError, match="hx of shape"):
        m(np.zeros((4, 1, 2), np.float32), np.zeros((1, 2, 3), np.float32))
    with pytest.raises(ValueError, match=r"tuple \(h_0, c_0\)"):
        nn.LSTM(2, 3)(np.zeros((4, 1, 2), np.float32), np.zeros((1, 1, 3), np.float32))
    bi = nn.GRU(2, 3, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match=r"Expected hx of shape \(4, 1, 3\), got \(2, 1, 3\)"):
        bi(np.zeros((4, 1, 2), np.float32), np.zeros((2, 1, 3), np.float32))


def test_learns_a_tiny_sequence_task_with_adam():
    # Predict the running sum of the inputs: needs memory across time steps.
    wg.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (16, 6, 1)).astype(np.float32)
    y = np.cumsum(x, axis=1).astype(np.float32)
    for cls in (nn.RNN, nn.LSTM, nn.GRU):
        rnn, head = cls(1, 8, batch_first=True), nn.Linear(8, 1)
        opt = wg.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=0.03)
        losses = []
        for _ in range(60):
            out, _ = rnn(x)
            loss = nn.functional.mse_loss(head(out), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert losses[-1] < 0.3 * losses[0], (cls.__name__, losses[0], losses[-1])


# ---- bidirectional ---------------------------------------------------------------------------

def _bidirectional_reference(name, nonlin, x, h0, c0, params, num_layers, bias):
    """Each layer: the one-direction reference forwards, and on the reversed steps with the
    `_reverse` weights, outputs re-reversed and concatenated; states layer by layer."""
    seq, hs, cs = x, [], []
    for k in range(num_layers):
        outs = []
        for d, sfx in enumerate(("", "_reverse")):
            p = {key.replace(f"_l{k}{sfx}", "_l0"): v for key, v in params.items()
                 if key.endswith(f"_l{k}{sfx}")}
            j = 2 * k + d
            steps = seq if d == 0 else seq[::-1]
            out, h, c = _reference(name, nonlin, steps, h0[j:j + 1], c0[j:j + 1], p, 1, bias)
            outs.append(out if d == 0 else out[::-1])
            hs.append(h[0])
            cs.append(c[0])
        seq = np.concatenate(outs, axis=-1)
    return seq, np.stack(hs), np.stack(cs)


def test_bidirectional_names_shapes_and_order():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    names = [n for n, _ in m.named_parameters()]
    per = ["weight_ih_l{}", "weight_hh_l{}", "bias_ih_l{}", "bias_hh_l{}"]
    assert names == [p.format(k) + sfx for k in range(2) for sfx in ("", "_reverse")
                     for p in per]
    assert m.weight_ih_l0_reverse.shape == (16, 3)
    assert m.weight_ih_l1.shape == m.weight_ih_l1_reverse.shape == (16, 8)
    assert m.bidirectional is True and "bidirectional=True" in repr(m)
    out, (h, c) = m(np.ones((2, 5, 3), np.float32))
    assert out.shape == (2, 5, 8) and h.shape == c.shape == (4, 2, 4)
    out, h = nn.GRU(3, 4, bidirectional=True)(np.ones((5, 3), np.float32))   # unbatched
    assert out.shape == (5, 8) and h.shape == (2, 4)


@pytest.mark.parametrize("name,nonlin,num_layers,bias", [
    ("RNN", "tanh", 2, True), ("RNN", "relu", 1, False), ("LSTM", None, 2, True),
    ("LSTM", None, 1, False), ("GRU", None, 2, False), ("GRU", None, 1, True)])
def test_bidirectional_values_match_numpy_reference(name, nonlin, num_layers, bias):
    wg.manual_seed(2)
    kw = {"nonlinearity": nonlin} if nonlin else {}
    m = MODULES[name](3, 4, num_layers=num_layers, bias=bias, bidirectional=True, **kw).double()
    params = {k: _np(v) for k, v in m.state_dict().items()}
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2, 3))
    h0 = rng.standard_normal((2 * num_layers, 2, 4))
    c0 = rng.standard_normal((2 * num_layers, 2, 4))
    ref_out, ref_h, ref_c = _bidirectional_reference(name, nonlin, x, h0, c0, params,
                                                     num_layers, bias)
    if name == "LSTM":
        out, (h, c) = m(x, (h0, c0))
        np.testing.assert_allclose(_np(c), ref_c, rtol=1e-12, atol=1e-12)
    else:
        out, h = m(x, h0)
    np.testing.assert_allclose(_np(out), ref_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_np(h), ref_h, rtol=1e-12, atol=1e-12)
    # the reverse direction's final state is its output at step 0, the forward one's at the end
    np.testing.assert_allclose(_np(out)[0, :, 4:], _np(h)[-1], rtol=1e-12)
    np.testing.assert_allclose(_np(out)[-1, :, :4], _np(h)[-2], rtol=1e-12)


@pytest.mark.parametrize("mode", ["RNN_TANH", "LSTM", "GRU"])
def test_bidirectional_gradients_finite_differences(mode):
    rng = np.random.default_rng(5)
    G = {"RNN_TANH": 1, "LSTM": 4, "GRU": 3}[mode] * 2
    x = rng.standard_normal((3, 1, 2))
    h0 = rng.standard_normal((4, 1, 2))
    c0 = rng.standard_normal((4, 1, 2))
    shapes = [(G, 2), (G, 2), (G,), (G,)] * 2 + [(G, 4), (G, 2), (G,), (G,)] * 2
    ws = [rng.standard_normal(s) * 0.6 for s in shapes]

    def f(x, h0, c0, *w):
        hx = (h0, c0) if mode == "LSTM" else h0
        layers = [tuple(w[i:i + 4]) for i in range(0, 16, 4)]
        out, h = rnn_forward(mode, x, hx, layers, 2, bidirectional=True)
        return (out, h) if mode != "LSTM" else (out, h[0], h[1])

    assert wg.gradcheck(f, (x, h0, c0, *ws))


def test_bidirectional_second_order_and_float32():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 1, 2))
    h0 = rng.standard_normal((2, 1, 2))
    ws = [rng.standard_normal(s) * 0.6 for s in [(6, 2), (6, 2), (6,), (6,)] * 2]

    def f(x, h0, *w):
        return rnn_forward("GRU", x, h0, [tuple(w[:4]), tuple(w[4:])], 1,
                           bidirectional=True)[0]

    assert wg.gradcheck(f, (x, h0, *ws), order=2)
    wg.manual_seed(0)
    m = nn.LSTM(2, 3, bidirectional=True)
    x32 = wg.tensor(rng.standard_normal((4, 2, 2)), dtype=wg.float32, requires_grad=True)
    out, _ = m(x32)
    out.sum().backward()
    assert out.dtype == np.float32 and x32.grad.dtype == np.float32
    for n, p in m.named_parameters():
        assert p.grad is not None and p.grad.dtype == np.float32, n
