"""Every layer and loss against PyTorch: forward values, the input's gradient and every
parameter's gradient, in float64, with the same parameters loaded into both (skips without
torch; the finite-difference checks elsewhere run always)."""
import numpy as np
import pytest

import wengert as wg
from wengert import nn

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-9, 1e-11


def _np(t):
    return t.numpy(force=True) if isinstance(t, wg.Tensor) else t.detach().numpy()


def _flat(out):
    """The tensors in a module's output (nested tuples, None left out)."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [] if out is None else [out]


def _pair(ours, theirs):
    """Our module in float64, and torch's with the same state loaded."""
    ours = ours.double()
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.tensor(_np(v)) for k, v in ours.state_dict().items()})
    return ours, theirs


def _compare(ours, theirs, inputs, grad_inputs=(0,), train=True, **kw):
    """Forward values, gradients of sum(out·g) for the inputs listed and every parameter."""
    ours, theirs = _pair(ours, theirs)
    ours.train(train), theirs.train(train)
    ws = [wg.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    ts = [torch.tensor(a, requires_grad=i in grad_inputs) for i, a in enumerate(inputs)]
    out_w, out_t = _flat(ours(*ws, **kw)), _flat(theirs(*ts, **kw))
    assert len(out_w) == len(out_t)
    rng = np.random.default_rng(7)
    loss_w, loss_t = 0, 0
    for a, b in zip(out_w, out_t):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(_np(a), _np(b), rtol=RTOL, atol=ATOL)
        if b.requires_grad:
            g = rng.standard_normal(tuple(b.shape))
            loss_w = loss_w + (a * wg.tensor(g)).sum()
            loss_t = loss_t + (b * torch.tensor(g)).sum()
    loss_w.backward()
    loss_t.backward()
    for i in grad_inputs:
        np.testing.assert_allclose(_np(ws[i].grad), _np(ts[i].grad), rtol=RTOL, atol=ATOL)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert set(ours_params) == set(theirs_params)
    for name, p in ours_params.items():
        tp = theirs_params[name]
        if tp.grad is None:
            assert p.grad is None or not _np(p.grad).any(), name
            continue
        np.testing.assert_allclose(_np(p.grad), _np(tp.grad), rtol=RTOL, atol=ATOL,
                                   err_msg=name)
    for name, buf in theirs.state_dict().items():   # running statistics after the step
        np.testing.assert_allclose(_np(ours.state_dict()[name]), buf.numpy(), rtol=RTOL,
                                   atol=ATOL, err_msg=name)


R = np.random.default_rng(0)


def x(*shape):
    return R.standard_normal(shape)


TN = torch.nn
LAYERS = [
    ("Identity", lambda: nn.Identity(), lambda: TN.Identity(), [x(3, 4)]),
    ("Linear", lambda: nn.Linear(4, 3), lambda: TN.Linear(4, 3), [x(2, 5, 4)]),
    ("Linear-nobias", lambda: nn.Linear(4, 3, bias=False), lambda: TN.Linear(4, 3, bias=False),
     [x(5, 4)]),
    ("Conv2d", lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1),
     lambda: TN.Conv2d(2, 3, 3, stride=2, padding=1), [x(2, 2, 7, 6)]),
    ("Conv2d-rect", lambda: nn.Conv2d(1, 2, (2, 3), bias=False),
     lambda: TN.Conv2d(1, 2, (2, 3), bias=False), [x(1, 1, 5, 5)]),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), lambda: TN.MaxPool2d(2), [x(2, 3, 6, 5)]),
    ("MaxPool2d-pad", lambda: nn.MaxPool2d(3, 2, 1), lambda: TN.MaxPool2d(3, 2, 1),
     [x(1, 2, 7, 7)]),
    ("AvgPool2d", lambda: nn.AvgPool2d(2, 1), lambda: TN.AvgPool2d(2, 1), [x(2, 3, 5, 4)]),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d((3, 2)),
     lambda: TN.AdaptiveAvgPool2d((3, 2)), [x(2, 3, 7, 5)]),
    ("AdaptiveAvgPool2d-1", lambda: nn.AdaptiveAvgPool2d(1), lambda: TN.AdaptiveAvgPool2d(1),
     [x(2, 3, 4, 4)]),
    ("Flatten", lambda: nn.Flatten(), lambda: TN.Flatten(), [x(2, 3, 4)]),
    ("LayerNorm", lambda: nn.LayerNorm((3, 4)), lambda: TN.LayerNorm((3, 4)), [x(2, 3, 4)]),
    ("LayerNorm-plain", lambda: nn.LayerNorm(4, elementwise_affine=False),
     lambda: TN.LayerNorm(4, elementwise_affine=False), [x(3, 4)]),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(3), lambda: TN.BatchNorm1d(3), [x(6, 3) * 2 + 1]),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3, momentum=None),
     lambda: TN.BatchNorm2d(3, momentum=None), [x(4, 3, 2, 2)]),
    ("ReLU", lambda: nn.ReLU(), lambda: TN.ReLU(), [x(4, 5)]),
    ("Tanh", lambda: nn.Tanh(), lambda: TN.Tanh(), [x(4, 5)]),
    ("Sigmoid", lambda: nn.Sigmoid(), lambda: TN.Sigmoid(), [x(4, 5)]),
    ("GELU", lambda: nn.GELU(), lambda: TN.GELU(), [x(4, 5)]),
    ("GELU-tanh", lambda: nn.GELU("tanh"), lambda: TN.GELU("tanh"), [x(4, 5)]),
    ("Softmax", lambda: nn.Softmax(dim=1), lambda: TN.Softmax(dim=1), [x(3, 4, 2)]),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=-1), lambda: TN.LogSoftmax(dim=-1), [x(3, 4)]),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), lambda: TN.LeakyReLU(0.2), [x(4, 5)]),
    ("ELU", lambda: nn.ELU(0.7), lambda: TN.ELU(0.7), [x(4, 5)]),
    ("SiLU", lambda: nn.SiLU(), lambda: TN.SiLU(), [x(4, 5)]),
    ("Softplus", lambda: nn.Softplus(beta=2.0, threshold=1.5),
     lambda: TN.Softplus(beta=2.0, threshold=1.5), [x(4, 5)]),
    ("Hardtanh", lambda: nn.Hardtanh(-0.5, 0.8), lambda: TN.Hardtanh(-0.5, 0.8), [x(4, 5)]),
    ("Sequential", lambda: nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)),
     lambda: TN.Sequential(TN.Linear(3, 4), TN.Tanh(), TN.Linear(4, 2)), [x(5, 3)]),
    ("RNN", lambda: nn.RNN(3, 4, num_layers=2), lambda: TN.RNN(3, 4, num_layers=2),
     [x(5, 2, 3)]),
    ("RNN-relu-batch_first", lambda: nn.RNN(3, 4, nonlinearity="relu", batch_first=True),
     lambda: TN.RNN(3, 4, nonlinearity="relu", batch_first=True), [x(2, 5, 3), x(1, 2, 4)],
     (0, 1)),
    ("LSTM", lambda: nn.LSTM(3, 4, num_layers=2, batch_first=True),
     lambda: TN.LSTM(3, 4, num_layers=2, batch_first=True), [x(2, 5, 3)]),
    ("LSTM-unbatched-nobias", lambda: nn.LSTM(3, 2, bias=False),
     lambda: TN.LSTM(3, 2, bias=False), [x(6, 3)]),
    ("GRU", lambda: nn.GRU(3, 4, num_layers=2), lambda: TN.GRU(3, 4, num_layers=2),
     [x(5, 2, 3), x(2, 2, 4)], (0, 1)),
    ("RNN-bidirectional", lambda: nn.RNN(3, 4, num_layers=2, bidirectional=True),
     lambda: TN.RNN(3, 4, num_layers=2, bidirectional=True), [x(5, 2, 3), x(4, 2, 4)], (0, 1)),
    ("LSTM-bidirectional", lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True,
                                           batch_first=True),
     lambda: TN.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True),
     [x(2, 5, 3)]),
    ("LSTM-bidirectional-unbatched", lambda: nn.LSTM(3, 2, bidirectional=True, bias=False),
     lambda: TN.LSTM(3, 2, bidirectional=True, bias=False), [x(6, 3)]),
    ("GRU-bidirectional", lambda: nn.GRU(3, 4, num_layers=3, bidirectional=True),
     lambda: TN.GRU(3, 4, num_layers=3, bidirectional=True), [x(4, 2, 3)]),
    ("MultiheadAttention", lambda: nn.MultiheadAttention(8, 2),
     lambda: TN.MultiheadAttention(8, 2), [x(4, 2, 8), x(5, 2, 8), x(5, 2, 8)], (0, 1, 2)),
    ("MultiheadAttention-batch_first", lambda: nn.MultiheadAttention(6, 3, batch_first=True),
     lambda: TN.MultiheadAttention(6, 3, batch_first=True), [x(2, 4, 6)] * 3, (0,)),
    ("TransformerEncoderLayer",
     lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0),
     lambda: TN.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0), [x(5, 2, 8)]),
    ("TransformerEncoderLayer-prenorm-gelu",
     lambda: nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.0,
                                        activation="gelu", norm_first=True, batch_first=True),
     lambda: TN.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.0,
                                        activation="gelu", norm_first=True, batch_first=True),
     [x(2, 5, 8)]),
]


@pytest.mark.parametrize("case", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(case):
    _, ours, theirs, inputs, *grad_inputs = case
    _compare(ours(), theirs(), inputs, *grad_inputs)


def test_layers_in_eval_mode_match_torch():
    bn_w, bn_t = _pair(nn.BatchNorm1d(3), TN.BatchNorm1d(3))
    for _ in range(3):
        a = x(5, 3) * 3 + 2
        bn_w(wg.tensor(a)), bn_t(torch.tensor(a))
    _compare(bn_w, bn_t, [x(4, 3)], train=False)
    _compare(nn.Dropout(0.4), TN.Dropout(0.4), [x(3, 4)], train=False)


def test_attention_masks_match_torch():
    causal = np.triu(np.ones((4, 4), bool), 1)
    pad = np.zeros((2, 4), bool)
    pad[1, 3] = True
    m_w, m_t = _pair(nn.MultiheadAttention(4, 2), TN.MultiheadAttention(4, 2))
    q = x(4, 2, 4)
    qw, qt = wg.tensor(q, requires_grad=True), torch.tensor(q, requires_grad=True)
    ow, ww = m_w(qw, qw, qw, attn_mask=wg.tensor(causal), key_padding_mask=wg.tensor(pad),
                 average_attn_weights=False)
    ot, wt = m_t(qt, qt, qt, attn_mask=torch.tensor(causal), key_padding_mask=torch.tensor(pad),
                 average_attn_weights=False)
    np.testing.assert_allclose(_np(ow), _np(ot), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(ww), _np(wt), rtol=RTOL, atol=ATOL)
    g = x(4, 2, 4)
    (ow * wg.tensor(g)).sum().backward()
    ot.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(qw.grad), _np(qt.grad), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(_np(m_w.in_proj_weight.grad), _np(m_t.in_proj_weight.grad),
                               rtol=RTOL, atol=ATOL)


def test_embedding_matches_torch():
    ours, theirs = _pair(nn.Embedding(6, 3, padding_idx=2), TN.Embedding(6, 3, padding_idx=2))
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    yw, yt = ours(wg.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(_np(yw), _np(yt))
    g = x(2, 3, 3)
    (yw * wg.tensor(g)).sum().backward()
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(ours.weight.grad), _np(theirs.weight.grad), rtol=RTOL)


# ---- losses ------------------------------------------------------------------------------------

def _probs(*shape):
    return 1 / (1 + np.exp(-x(*shape)))


def _logp(n, c):
    z = x(n, c)
    return z - np.log(np.exp(z).sum(1, keepdims=True))


LOSSES = [
    ("L1Loss", {}, lambda: [x(3, 4), x(3, 4)]),
    ("MSELoss", {"reduction": "sum"}, lambda: [x(3, 4), x(3, 4)]),
    ("MSELoss", {"reduction": "none"}, lambda: [x(5), x(5)]),
    ("SmoothL1Loss", {"beta": 0.5}, lambda: [x(4, 3), x(4, 3)]),
    ("HuberLoss", {"delta": 0.7, "reduction": "sum"}, lambda: [x(4, 3), x(4, 3)]),
    ("NLLLoss", {}, lambda: [_logp(5, 3), np.array([0, 2, 1, 1, 0])]),
    ("NLLLoss", {"weight": np.array([0.2, 1.0, 3.0]), "ignore_index": 1},
     lambda: [_logp(5, 3), np.array([0, 2, 1, 1, 0])]),
    ("CrossEntropyLoss", {}, lambda: [x(5, 4), np.array([0, 3, 1, 1, 2])]),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": np.array([1.0, 2.0, 0.5, 1.0])},
     lambda: [x(5, 4), np.array([0, 3, 1, 1, 2])]),
    ("CrossEntropyLoss", {"reduction": "none"},
     lambda: [x(2, 3, 4), np.array([[0, 2, 1, 1], [2, 2, 0, 1]])]),
    ("CrossEntropyLoss", {}, lambda: [x(4, 3), _probs(4, 3)]),
    ("BCELoss", {}, lambda: [_probs(4, 3), (x(4, 3) > 0).astype(float)]),
    ("BCELoss", {"weight": np.array([0.5, 1.0, 2.0]), "reduction": "sum"},
     lambda: [_probs(4, 3), _probs(4, 3)]),
    ("BCEWithLogitsLoss", {}, lambda: [x(4, 3) * 3, (x(4, 3) > 0).astype(float)]),
    ("BCEWithLogitsLoss", {"pos_weight": np.array([0.5, 2.0, 1.0])},
     lambda: [x(4, 3) * 3, _probs(4, 3)]),
    ("KLDivLoss", {"reduction": "batchmean"}, lambda: [_logp(4, 3), np.exp(_logp(4, 3))]),
    ("KLDivLoss", {"reduction": "sum", "log_target": True}, lambda: [_logp(4, 3), _logp(4, 3)]),
]


@pytest.mark.parametrize("name, kw, data", LOSSES, ids=[f"{c[0]}-{i}" for i, c in
                                                      enumerate(LOSSES)])
def test_loss_matches_torch(name, kw, data):
    inp, target = data()
    ours = getattr(nn, name)(**{k: (wg.tensor(v) if isinstance(v, np.ndarray) else v)
                                for k, v in kw.items()})
    theirs = getattr(TN, name)(**{k: (torch.tensor(v) if isinstance(v, np.ndarray) else v)
                                  for k, v in kw.items()})
    xw, xt = wg.tensor(inp, requires_grad=True), torch.tensor(inp, requires_grad=True)
    lw, lt = ours(xw, wg.tensor(target)), theirs(xt, torch.tensor(target))
    np.testing.assert_allclose(_np(lw), _np(lt), rtol=RTOL, atol=ATOL)
    g = np.random.default_rng(3).standard_normal(tuple(lt.shape))
    (lw * wg.tensor(g)).sum().backward()
    lt.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(xw.grad), _np(xt.grad), rtol=RTOL, atol=ATOL)


# ---- functional helpers and nn.utils ----------------------------------------------------------

@pytest.mark.parametrize("pad, mode", [((1, 2), "constant"), ((1, 0, 2, 1), "reflect"),
                                       ((2, 1, 0, 3), "replicate"), ((1, 2, 2, 0), "circular")])
def test_pad_matches_torch(pad, mode):
    a = x(2, 3, 4, 5)
    aw, at = wg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    yw = nn.functional.pad(aw, pad, mode=mode)
    yt = torch.nn.functional.pad(at, pad, mode=mode)
    np.testing.assert_allclose(_np(yw), _np(yt))
    g = x(*yt.shape)
    (yw * wg.tensor(g)).sum().backward()
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(aw.grad), _np(at.grad), rtol=RTOL, atol=ATOL)


def test_one_hot_matches_torch():
    idx = np.array([[0, 3], [2, 1]])
    np.testing.assert_array_equal(_np(nn.functional.one_hot(wg.tensor(idx))),
                                  torch.nn.functional.one_hot(torch.tensor(idx)).numpy())
    np.testing.assert_array_equal(_np(nn.functional.one_hot(wg.tensor(idx), 6)),
                                  torch.nn.functional.one_hot(torch.tensor(idx), 6).numpy())


@pytest.mark.parametrize("max_norm, norm_type", [(0.5, 2.0), (10.0, 2.0), (0.3, 1.0),
                                                 (0.2, float("inf"))])
def test_clip_grad_norm_matches_torch(max_norm, norm_type):
    grads = [x(3, 4), x(5)]
    ws = [wg.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    ts = [torch.tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    for w, t, g in zip(ws, ts, grads):
        w.grad, t.grad = wg.tensor(g), torch.tensor(g)
    nw = nn.utils.clip_grad_norm_(ws, max_norm, norm_type)
    nt = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type)
    np.testing.assert_allclose(_np(nw) if isinstance(nw, wg.Tensor) else nw, _np(nt), rtol=1e-12)
    for w, t in zip(ws, ts):
        np.testing.assert_allclose(_np(w.grad), _np(t.grad), rtol=1e-12)
    nn.utils.clip_grad_value_(ws, 0.1)
    torch.nn.utils.clip_grad_value_(ts, 0.1)
    for w, t in zip(ws, ts):
        np.testing.assert_allclose(_np(w.grad), _np(t.grad), rtol=1e-12)


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = _pair(nn.Linear(3, 2), TN.Linear(3, 2))
    vw = nn.utils.parameters_to_vector(ours.parameters())
    vt = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_allclose(_np(vw), _np(vt))
    new = x(8)
    nn.utils.vector_to_parameters(wg.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (k, p), q in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_allclose(_np(p), _np(q), err_msg=k)


def test_containers_state_dict_keys_and_values_match_torch():
    def build(lib):
        class Net(lib.Module):
            def __init__(self):
                super().__init__()
                self.blocks = lib.ModuleDict({"a": lib.Linear(2, 3), "b": lib.Linear(3, 1)})
                self.extra = lib.ParameterList([lib.Parameter(lib_zeros(lib, 3)),
                                                lib.Parameter(lib_zeros(lib, 1))])
                self.named = lib.ParameterDict({"scale": lib.Parameter(lib_zeros(lib, 1))})

            def forward(self, x):
                h = self.blocks["a"](x) * (1 + self.extra[0])
                return self.blocks["b"](h) * (1 + self.named["scale"]) + self.extra[1]
        return Net()

    def lib_zeros(lib, n):
        return torch.zeros(n) if lib is TN else wg.zeros(n, dtype=wg.float32)

    ours, theirs = build(nn), build(TN)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _compare(ours, theirs, [x(4, 2)])
