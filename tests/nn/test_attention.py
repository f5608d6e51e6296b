"""MultiheadAttention and TransformerEncoderLayer: shapes, names, values against a NumPy
implementation of the documented equations, masks, finite-difference gradients, training."""
import numpy as np
import pytest

import wengert as wg
from wengert import nn
from wengert.nn import functional as F

RNG = np.random.default_rng(15)


def _np(t):
    return t.numpy(force=True) if isinstance(t, wg.Tensor) else np.asarray(t)


def _softmax(z):
    z = z - z.max(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def ref_mha(sd, q, k, v, H, mask=None, batch_first=False):
    """The docstring's equations in NumPy. q (L, N, E) or (N, L, E); mask additive, broadcast
    to (N, H, L, S)."""
    if not batch_first:
        q, k, v = (x.swapaxes(0, 1) for x in (q, k, v))
    W, b = sd["in_proj_weight"], sd["in_proj_bias"]
    E = q.shape[-1]
    d = E // H
    n, L, _ = q.shape

    def heads(x, i):
        y = x @ W[i * E:(i + 1) * E].T + b[i * E:(i + 1) * E]
        return y.reshape(n, -1, H, d).transpose(0, 2, 1, 3)

    Q, K, V = heads(q, 0), heads(k, 1), heads(v, 2)
    z = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(d)
    if mask is not None:
        z = z + mask
    A = _softmax(z)
    out = (A @ V).transpose(0, 2, 1, 3).reshape(n, L, E)
    out = out @ sd["out_proj.weight"].T + sd["out_proj.bias"]
    if not batch_first:
        out = out.swapaxes(0, 1)
    return out, A


def _layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def ref_encoder(sd, x, H, norm_first, mask=None, batch_first=False):
    att = {k[len("self_attn."):]: v for k, v in sd.items() if k.startswith("self_attn.")}

    def sa(y):
        return ref_mha(att, y, y, y, H, mask, batch_first)[0]

    def ff(y):
        h = np.maximum(y @ sd["linear1.weight"].T + sd["linear1.bias"], 0)
        return h @ sd["linear2.weight"].T + sd["linear2.bias"]

    def n1(y):
        return _layer_norm(y, sd["norm1.weight"], sd["norm1.bias"])

    def n2(y):
        return _layer_norm(y, sd["norm2.weight"], sd["norm2.bias"])

    if norm_first:
        x = x + sa(n1(x))
        return x + ff(n2(x))
    x = n1(x + sa(x))
    return n2(x + ff(x))


def _randomise(module):
    """Non-trivial values everywhere (biases start at zero, LayerNorm at 1/0)."""
    module.load_state_dict({k: RNG.standard_normal(v.shape) * 0.5
                            for k, v in module.state_dict().items()})
    return {k: _np(v).astype(np.float64) for k, v in module.state_dict().items()}


# ---- construction, names, shapes ---------------------------------------------------------------

def test_mha_parameters_names_shapes_dtype():
    m = nn.MultiheadAttention(8, 2)
    sd = m.state_dict()
    assert list(sd) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert sd["in_proj_weight"].shape == (24, 8) and sd["in_proj_bias"].shape == (24,)
    assert sd["out_proj.weight"].shape == (8, 8) and sd["out_proj.bias"].shape == (8,)
    assert isinstance(m.out_proj, nn.Linear)
    assert all(p.dtype == np.float32 for p in m.parameters())
    assert m.head_dim == 4 and m.batch_first is False
    # torch's initialisation: zero biases, Xavier-uniform in_proj_weight
    assert not _np(m.in_proj_bias).any() and not _np(m.out_proj.bias).any()
    assert np.abs(_np(m.in_proj_weight)).max() <= np.sqrt(6 / (8 + 24))
    assert list(nn.MultiheadAttention(4, 1, bias=False).state_dict()) == ["in_proj_weight",
                                                                         "out_proj.weight"]


def test_encoder_layer_names():
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
    names = dict(layer.named_children())
    for n in ("self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1",
              "dropout2"):
        assert n in names
    assert list(layer.state_dict()) == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight",
        "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    assert layer.linear1.weight.shape == (16, 8) and layer.linear2.weight.shape == (8, 16)
    assert layer.dropout.p == 0.1


@pytest.mark.parametrize("batch_first", [False, True])
def test_shapes(batch_first):
    L, S, N, E, H = 5, 3, 2, 8, 2
    m = nn.MultiheadAttention(E, H, batch_first=batch_first)

    def mk(T):
        shape = (N, T, E) if batch_first else (T, N, E)
        return wg.tensor(RNG.standard_normal(shape), dtype=wg.float32)

    q, kv = mk(L), mk(S)
    out, w = m(q, kv, kv)
    assert out.shape == q.shape and out.dtype == np.float32
    assert w.shape == (N, L, S)
    _, w = m(q, kv, kv, average_attn_weights=False)
    assert w.shape == (N, H, L, S)
    out, w = m(q, kv, kv, need_weights=False)
    assert w is None and out.shape == q.shape
    layer = nn.TransformerEncoderLayer(E, H, 16, batch_first=batch_first)
    assert layer(q).shape == q.shape
    # unbatched input
    out, w = m(q[0] if batch_first else q[:, 0], kv[0] if batch_first else kv[:, 0],
               kv[0] if batch_first else kv[:, 0])
    assert out.shape == (L, E) and w.shape == (L, S)


# ---- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_values_match_numpy(batch_first):
    L, S, N, E, H = 4, 3, 2, 6, 3
    m = nn.MultiheadAttention(E, H, batch_first=batch_first, dtype=wg.float64)
    sd = _randomise(m)
    shp = (lambda T: (N, T, E)) if batch_first else (lambda T: (T, N, E))
    q, k, v = RNG.standard_normal(shp(L)), RNG.standard_normal(shp(S)), RNG.standard_normal(shp(S))
    out, w = m(wg.tensor(q), wg.tensor(k), wg.tensor(v), average_attn_weights=False)
    ro, ra = ref_mha(sd, q, k, v, H, batch_first=batch_first)
    np.testing.assert_allclose(_np(out), ro, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(w), ra, rtol=1e-10, atol=1e-12)
    _, wa = m(wg.tensor(q), wg.tensor(k), wg.tensor(v))
    np.testing.assert_allclose(_np(wa), ra.mean(1), rtol=1e-10, atol=1e-12)


def test_float32_close_to_float64():
    m = nn.MultiheadAttention(8, 2)
    sd = _randomise(m)
    x = RNG.standard_normal((5, 2, 8))
    out, _ = m(wg.tensor(x, dtype=wg.float32), wg.tensor(x, dtype=wg.float32),
               wg.tensor(x, dtype=wg.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(_np(out), ref_mha(sd, x, x, x, 2)[0], rtol=1e-4, atol=1e-4)


def test_masks_bool_and_float():
    L, S, N, E, H = 3, 4, 2, 4, 2
    m = nn.MultiheadAttention(E, H, dtype=wg.float64)
    sd = _randomise(m)
    q, kv = RNG.standard_normal((L, N, E)), RNG.standard_normal((S, N, E))
    bool_attn = np.triu(np.ones((L, S), bool), k=2)           # True = masked out
    kpm = np.array([[False, False, False, True], [False, True, False, False]])
    want = np.where(bool_attn, -np.inf, 0.0) + np.where(kpm, -np.inf, 0.0)[:, None, None, :]
    out, w = m(wg.tensor(q), wg.tensor(kv), wg.tensor(kv), attn_mask=bool_attn,
               key_padding_mask=kpm, average_attn_weights=False)
    ro, ra = ref_mha(sd, q, kv, kv, H, want)
    np.testing.assert_allclose(_np(out), ro, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(w), ra, rtol=1e-10, atol=1e-12)
    assert np.all(_np(w)[np.broadcast_to(want == -np.inf, w.shape)] == 0)
    # the same masks given as float, plus a 3-d (N·H, L, S) float attn_mask
    fmask = RNG.standard_normal((N * H, L, S))
    out, w = m(wg.tensor(q), wg.tensor(kv), wg.tensor(kv), attn_mask=fmask,
               key_padding_mask=np.where(kpm, -np.inf, 0.0), average_attn_weights=False)
    ro, ra = ref_mha(sd, q, kv, kv, H, fmask.reshape(N, H, L, S)
                     + np.where(kpm, -np.inf, 0.0)[:, None, None, :])
    np.testing.assert_allclose(_np(out), ro, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_np(w), ra, rtol=1e-10, atol=1e-12)


def test_fully_masked_row_is_an_error_not_nan():
    m = nn.MultiheadAttention(4, 2)
    x = wg.tensor(RNG.standard_normal((3, 2, 4)), dtype=wg.float32)
    kpm = np.array([[True, True, True], [False, False, False]])
    with pytest.raises(ValueError, match="every key masked out"):
        m(x, x, x, key_padding_mask=kpm)
    causal_wrong = np.ones((3, 3), bool)
    causal_wrong[1, 0] = False
    with pytest.raises(ValueError, match="every key masked out"):
        m(x, x, x, attn_mask=causal_wrong)
    with pytest.raises(ValueError, match="every key masked out"):
        m(x, x, x, attn_mask=np.full((3, 3), -np.inf))
    # rows that keep one key are fine, and finite
    out, w = m(x, x, x, attn_mask=np.triu(np.ones((3, 3), bool), k=1))
    assert np.isfinite(_np(out)).all() and np.isfinite(_np(w)).all()


def test_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="kdim"):
        nn.MultiheadAttention(4, 2, kdim=3)
    with pytest.raises(ValueError, match="add_bias_kv"):
        nn.MultiheadAttention(4, 2, add_bias_kv=True)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerEncoderLayer(4, 2, activation="swish")
    m = nn.MultiheadAttention(4, 2)
    x = wg.tensor(RNG.standard_normal((3, 2, 4)), dtype=wg.float32)
    with pytest.raises(ValueError, match="embed_dim=4"):
        m(x, x[..., :3], x[..., :3])
    with pytest.raises(ValueError, match="batch sizes"):
        m(x, x[:, :1], x[:, :1])
    with pytest.raises(ValueError, match="attn_mask must have shape"):
        m(x, x, x, attn_mask=np.zeros((2, 3), bool))
    with pytest.raises(ValueError, match="key_padding_mask must have shape"):
        m(x, x, x, key_padding_mask=np.zeros((3, 2), bool))
    with pytest.raises(TypeError, match="boolean mask"):
        m(x, x, x, attn_mask=np.zeros((3, 3), int))
    with pytest.raises(ValueError, match="is_causal"):
        m(x, x, x, is_causal=True)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_values_match_numpy(norm_first, batch_first):
    E, H = 6, 2
    layer = nn.TransformerEncoderLayer(E, H, dim_feedforward=10, norm_first=norm_first,
                                       batch_first=batch_first, dtype=wg.float64)
    layer.eval()
    sd = _randomise(layer)
    x = RNG.standard_normal((2, 4, E) if batch_first else (4, 2, E))
    mask = np.triu(np.ones((4, 4), bool), k=1)
    got = layer(wg.tensor(x), src_mask=mask)
    want = ref_encoder(sd, x, H, norm_first, np.where(mask, -np.inf, 0.0), batch_first)
    np.testing.assert_allclose(_np(got), want, rtol=1e-9, atol=1e-10)


def test_dropout_only_in_training():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = wg.tensor(RNG.standard_normal((4, 2, 8)), dtype=wg.float32)
    layer.eval()
    a, b = _np(layer(x)), _np(layer(x))
    np.testing.assert_array_equal(a, b)
    layer.train()
    assert not np.allclose(_np(layer(x)), a)
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    _, w = m(x, x, x, average_attn_weights=False)
    assert (_np(w) == 0).any()          # weights are returned after dropout, as torch


# ---- gradients against central finite differences ----------------------------------------------

def _fd_check(module, inputs, loss_fn, h=1e-6):
    """Every parameter's and input's gradient against central differences, float64."""
    loss = loss_fn(*inputs)
    module.zero_grad()
    for t in inputs:
        t.grad = None
    loss.backward()
    targets = [(n, p) for n, p in module.named_parameters()] + \
              [(f"input{i}", t) for i, t in enumerate(inputs)]
    for name, t in targets:
        g = _np(t.grad)
        base = _np(t).copy()
        num = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            vals = []
            for s in (h, -h):
                x = base.copy()
                x[idx] += s
                with wg.no_grad():
                    t[...] = x
                    vals.append(float(_np(loss_fn(*inputs))))
            num[idx] = (vals[0] - vals[1]) / (2 * h)
        with wg.no_grad():
            t[...] = base
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7, err_msg=name)


def test_mha_gradients_finite_differences():
    m = nn.MultiheadAttention(4, 2, dtype=wg.float64)
    _randomise(m)
    q = wg.tensor(RNG.standard_normal((3, 2, 4)), requires_grad=True)
    kv = wg.tensor(RNG.standard_normal((2, 2, 4)), requires_grad=True)
    kpm = np.array([[False, True], [False, False]])
    fm = RNG.standard_normal((3, 2))
    c = RNG.standard_normal((3, 2, 4))

    def loss(q, kv):
        out, w = m(q, kv, kv, key_padding_mask=kpm, attn_mask=fm)
        return (out * c).sum() + (w * w).sum()

    _fd_check(m, [q, kv], loss)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_gradients_finite_differences(norm_first):
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=6, dropout=0.0, activation="gelu",
                                       norm_first=norm_first, batch_first=True,
                                       dtype=wg.float64)
    _randomise(layer)
    x = wg.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    c = RNG.standard_normal((2, 3, 4))
    mask = np.triu(np.ones((3, 3), bool), k=1)
    _fd_check(layer, [x], lambda x: (layer(x, src_mask=mask) * c).sum())


# ---- a tiny task -------------------------------------------------------------------------------

def test_tiny_task_loss_decreases():
    """Copy the token at position 0 to every position: needs attention to learn."""
    wg.manual_seed(0)
    rng = np.random.default_rng(0)
    V, E, T = 4, 8, 5

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(V, E)
            self.pos = nn.Parameter(wg.tensor(rng.standard_normal((T, E)) * 0.1,
                                              dtype=wg.float32))
            self.enc = nn.TransformerEncoderLayer(E, 2, 16, dropout=0.0, batch_first=True)
            self.head = nn.Linear(E, V)

        def forward(self, tok):
            return self.head(self.enc(self.emb(tok) + self.pos))

    net = Net()
    opt = wg.optim.Adam(net.parameters(), lr=0.01)
    tok = rng.integers(0, V, (32, T))
    target = np.repeat(tok[:, :1], T, axis=1)
    losses = []
    for _ in range(60):
        logits = net(wg.tensor(tok))
        loss = F.cross_entropy(logits.reshape(-1, V), target.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.isfinite(losses).all()
    assert losses[-1] < 0.5 * losses[0]
