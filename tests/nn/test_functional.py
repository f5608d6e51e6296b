"""nn.functional against direct NumPy formulas, torch where installed, and gradcheck."""
import numpy as np
import pytest

import wengert as wg
from wengert.nn import functional as F

RNG = np.random.default_rng(0)


def _t(a, rg=False):
    return wg.tensor(a, requires_grad=rg)


def _np_log_softmax(x, axis):
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


# ---- activations and simple layers ----------------------------------------------------------

def test_linear_matches_numpy_and_keeps_float32():
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    w = RNG.standard_normal((2, 3)).astype(np.float32)
    b = RNG.standard_normal(2).astype(np.float32)
    y = F.linear(_t(x), _t(w), _t(b))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), x @ w.T + b, rtol=1e-6)
    np.testing.assert_allclose(F.linear(_t(x), _t(w)).numpy(), x @ w.T, rtol=1e-6)


def test_linear_shape_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(2, 5\)"):
        F.linear(wg.ones((4, 3)), wg.ones((2, 5)))


def test_linear_gradcheck_order2():
    x, w, b = RNG.standard_normal((3, 4)), RNG.standard_normal((2, 4)), RNG.standard_normal(2)
    assert wg.gradcheck(lambda x, w, b: F.linear(x, w, b), (x, w, b), order=2)


@pytest.mark.parametrize("name,ref", [
    ("relu", lambda x: np.maximum(x, 0)),
    ("tanh", np.tanh),
    ("sigmoid", lambda x: 1 / (1 + np.exp(-x))),
])
def test_activations(name, ref):
    x = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(getattr(F, name)(_t(x)).numpy(), ref(x), rtol=1e-12)


def test_gelu_and_softmax_against_torch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((3, 5))
    tx = torch.tensor(x)
    np.testing.assert_allclose(F.gelu(_t(x)).numpy(), torch.nn.functional.gelu(tx).numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(F.gelu(_t(x), approximate="tanh").numpy(),
                               torch.nn.functional.gelu(tx, approximate="tanh").numpy(), rtol=1e-10)
    for dim in (0, 1, -1):
        np.testing.assert_allclose(F.softmax(_t(x), dim=dim).numpy(),
                                   torch.softmax(tx, dim=dim).numpy(), rtol=1e-12)
        np.testing.assert_allclose(F.log_softmax(_t(x), dim=dim).numpy(),
                                   torch.log_softmax(tx, dim=dim).numpy(), rtol=1e-12)


def test_softmax_default_dim_is_last():
    x = RNG.standard_normal((2, 3))
    e = np.exp(x - x.max(-1, keepdims=True))
    np.testing.assert_allclose(F.softmax(_t(x)).numpy(), e / e.sum(-1, keepdims=True))
    np.testing.assert_allclose(F.log_softmax(_t(x)).numpy(), _np_log_softmax(x, -1))


def test_flatten():
    x = wg.ones((2, 3, 4, 5))
    assert F.flatten(x).shape == (120,)
    assert F.flatten(x, 1).shape == (2, 60)
    assert F.flatten(x, 1, 2).shape == (2, 12, 5)
    assert F.flatten(x, -2).shape == (2, 3, 20)
    with pytest.raises(ValueError, match="out of range"):
        F.flatten(x, 4)
    with pytest.raises(ValueError, match="after"):
        F.flatten(x, 2, 1)


# ---- dropout --------------------------------------------------------------------------------------

def test_dropout_is_inverted_and_reproducible():
    x = wg.ones((200, 50), dtype=wg.float32)
    wg.manual_seed(3)
    y = F.dropout(x, p=0.25)
    assert y.dtype == np.float32
    vals = np.unique(y.numpy())
    np.testing.assert_allclose(vals, [0, 1 / 0.75], rtol=1e-6)
    assert abs((y.numpy() == 0).mean() - 0.25) < 0.02
    wg.manual_seed(3)
    np.testing.assert_array_equal(F.dropout(x, p=0.25).numpy(), y.numpy())


def test_dropout_gradient_is_the_mask():
    x = wg.ones((10, 10), requires_grad=True)
    y = F.dropout(x, p=0.5)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), y.numpy(force=True))


def test_dropout_identity_cases_and_p_one():
    x = wg.ones((3, 3))
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), np.zeros((3, 3)))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(wg.ones(3), p)


# ---- regression losses ----------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1(reduction):
    x, y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    red = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction]
    np.testing.assert_allclose(F.mse_loss(_t(x), _t(y), reduction).numpy(), red((x - y) ** 2))
    np.testing.assert_allclose(F.l1_loss(_t(x), _t(y), reduction).numpy(), red(np.abs(x - y)))


def test_regression_losses_gradcheck_order2():
    x, y = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    assert wg.gradcheck(lambda a, b: F.mse_loss(a, b), (x, y), order=2)
    assert wg.gradcheck(lambda a, b: F.l1_loss(a, b, reduction="sum"), (x, y), order=2)


@pytest.mark.parametrize("fn", [F.mse_loss, F.l1_loss, F.binary_cross_entropy,
                                F.binary_cross_entropy_with_logits])
def test_shape_mismatch_names_both_shapes(fn):
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\)"):
        fn(wg.full((3, 1), 0.5), wg.full((3,), 0.5))


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(wg.ones(2), wg.ones(2), reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(wg.ones((2, 3)), np.array([0, 1]), reduction="avg")


# ---- classification losses ------------------------------------------------------------------------

def _np_ce(x, t, axis=1):
    lp = _np_log_softmax(x, axis)
    return -np.take_along_axis(lp, np.expand_dims(t, axis), axis).squeeze(axis)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll_match_numpy(reduction):
    x = RNG.standard_normal((5, 4))
    t = np.array([0, 3, 1, 1, 2])
    red = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction]
    expected = red(_np_ce(x, t))
    np.testing.assert_allclose(F.cross_entropy(_t(x), t, reduction=reduction).numpy(), expected)
    np.testing.assert_allclose(
        F.nll_loss(_t(_np_log_softmax(x, 1)), wg.tensor(t), reduction=reduction).numpy(), expected)


def test_cross_entropy_spatial_and_unbatched():
    x = RNG.standard_normal((2, 3, 4, 5))
    t = RNG.integers(0, 3, (2, 4, 5))
    np.testing.assert_allclose(F.cross_entropy(_t(x), t, reduction="none").numpy(), _np_ce(x, t))
    x1 = RNG.standard_normal(4)
    np.testing.assert_allclose(F.cross_entropy(_t(x1), np.array(2)).numpy(),
                               -_np_log_softmax(x1, 0)[2])


def test_cross_entropy_against_torch_all_options():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((6, 4))
    t = np.array([0, 3, 1, -100, 2, 1])
    w = np.array([0.5, 1.0, 2.0, 1.5])
    tf = torch.nn.functional
    for kw in [{}, {"weight": w}, {"label_smoothing": 0.2},
               {"weight": w, "label_smoothing": 0.1}]:
        for reduction in ("mean", "sum", "none"):
            got = F.cross_entropy(_t(x), t, reduction=reduction, **kw).numpy()
            tkw = {k: (torch.tensor(v) if k == "weight" else v) for k, v in kw.items()}
            exp = tf.cross_entropy(torch.tensor(x), torch.tensor(t), reduction=reduction, **tkw)
            np.testing.assert_allclose(got, exp.numpy(), rtol=1e-10, err_msg=f"{kw} {reduction}")
    # probability targets
    p = np.abs(RNG.standard_normal((6, 4)))
    p /= p.sum(1, keepdims=True)
    for kw in [{}, {"label_smoothing": 0.3}]:
        got = F.cross_entropy(_t(x), _t(p), **kw).numpy()
        exp = tf.cross_entropy(torch.tensor(x), torch.tensor(p), **kw).numpy()
        np.testing.assert_allclose(got, exp, rtol=1e-10)
    # nll with weight and ignore_index
    lp = _np_log_softmax(x, 1)
    np.testing.assert_allclose(
        F.nll_loss(_t(lp), t, weight=w).numpy(),
        tf.nll_loss(torch.tensor(lp), torch.tensor(t), weight=torch.tensor(w)).numpy(), rtol=1e-10)


def test_cross_entropy_gradcheck_order2():
    x = RNG.standard_normal((3, 4))
    t = np.array([1, 0, 3])
    assert wg.gradcheck(lambda x: F.cross_entropy(x, t), (x,), order=2)
    assert wg.gradcheck(lambda x: F.cross_entropy(x, t, label_smoothing=0.1, reduction="sum"),
                        (x,), order=2)
    assert wg.gradcheck(lambda x: F.nll_loss(x, t, weight=np.array([1., 2., 3., 4.])), (x,),
                        order=2)


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    t = np.array([2, 0, 1, 1])
    xt = _t(x, True)
    F.cross_entropy(xt, t).backward()
    sm = np.exp(_np_log_softmax(x.astype(np.float64), 1))
    assert xt.grad.dtype == np.float32
    np.testing.assert_allclose(xt.grad.numpy(), (sm - np.eye(3)[t]) / 4, rtol=1e-5, atol=1e-7)


def test_cross_entropy_stable_at_extreme_logits():
    x = _t(np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]]), True)
    loss = F.cross_entropy(x, np.array([1, 2]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(2)) / 2)


def test_class_target_errors():
    x = wg.ones((3, 4))
    with pytest.raises(TypeError, match="integers"):
        F.nll_loss(x, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"\(2,\).*\(3, 4\)"):
        F.cross_entropy(x, np.array([0, 1]))
    with pytest.raises(ValueError, match="out of bounds"):
        F.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, np.array([0, 1, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="weight"):
        F.nll_loss(x, np.array([0, 1, 1]), weight=np.ones(3))


# ---- binary losses ------------------------------------------------------------------------------

def test_bce_matches_numpy_and_torch():
    p = RNG.uniform(0.05, 0.95, (3, 4))
    y = RNG.uniform(0, 1, (3, 4))
    w = RNG.uniform(0.5, 2, (4,))
    exp = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(F.binary_cross_entropy(_t(p), _t(y)).numpy(), exp.mean())
    np.testing.assert_allclose(F.binary_cross_entropy(_t(p), _t(y), weight=_t(w),
                                                      reduction="none").numpy(), exp * w)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(
        F.binary_cross_entropy(_t(p), _t(y), reduction="sum").numpy(),
        torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y),
                                                 reduction="sum").numpy(), rtol=1e-12)


def test_bce_clamps_log_at_minus_100():
    p = _t(np.array([0.0, 1.0, 0.0]), True)
    y = _t(np.array([1.0, 0.0, 0.0]))
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(force=True), [100.0, 100.0, 0.0])
    loss.sum().backward()
    assert np.isfinite(p.grad.numpy()).all()


def test_bce_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(wg.tensor([0.5, 1.5]), wg.tensor([0.0, 1.0]))


def test_bce_gradcheck_order2():
    p, y = RNG.uniform(0.1, 0.9, (2, 3)), RNG.uniform(0, 1, (2, 3))
    assert wg.gradcheck(lambda p, y: F.binary_cross_entropy(p, y), (p, y), order=2)


def test_bce_with_logits_matches_numpy_and_torch():
    x, y = RNG.standard_normal((3, 4)) * 3, RNG.uniform(0, 1, (3, 4))
    pw = RNG.uniform(0.5, 3, 4)
    s = 1 / (1 + np.exp(-x))
    exp = -(y * np.log(s) + (1 - y) * np.log(1 - s))
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(_t(x), _t(y)).numpy(),
                               exp.mean())
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(_t(x), _t(y), pos_weight=_t(pw), reduction="none").numpy(),
        -(pw * y * np.log(s) + (1 - y) * np.log(1 - s)))
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    for kw in [{}, {"pos_weight": pw}, {"weight": pw}]:
        got = F.binary_cross_entropy_with_logits(_t(x), _t(y), reduction="sum",
                                                 **{k: _t(v) for k, v in kw.items()}).numpy()
        exp = tf.binary_cross_entropy_with_logits(torch.tensor(x), torch.tensor(y), reduction="sum",
                                                  **{k: torch.tensor(v) for k, v in kw.items()})
        np.testing.assert_allclose(got, exp.numpy(), rtol=1e-12)


def test_bce_with_logits_stable_at_extreme_logits():
    x = _t(np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0]), True)
    y = _t(np.array([1.0, 0.0, 0.0, 1.0, 1.0]))
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(force=True), [0.0, 0.0, 1000.0, 1000.0, np.log(2)])
    loss.sum().backward()
    # ∂/∂x = σ(x) − y, exact at x = 0 too
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, -1.0, -0.5])
    x32 = wg.tensor([1000.0, -1000.0], dtype=wg.float32, requires_grad=True)
    l32 = F.binary_cross_entropy_with_logits(x32, wg.tensor([0.0, 1.0], dtype=wg.float32))
    l32.backward()
    assert l32.dtype == np.float32 and np.isfinite(l32.item())
    assert np.isfinite(x32.grad.numpy()).all()


def test_bce_with_logits_gradcheck_order2():
    x, y = RNG.standard_normal((2, 3)), RNG.uniform(0, 1, (2, 3))
    assert wg.gradcheck(lambda x, y: F.binary_cross_entropy_with_logits(x, y), (x, y), order=2)
    pw = RNG.uniform(0.5, 2, 3)
    assert wg.gradcheck(lambda x: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw),
                        (x,), order=2)


# ---- normalisation and embedding ------------------------------------------------------------------

def test_layer_norm_matches_numpy_and_torch():
    x = RNG.standard_normal((2, 3, 4))
    w, b = RNG.standard_normal(4), RNG.standard_normal(4)
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    np.testing.assert_allclose(F.layer_norm(_t(x), (4,), _t(w), _t(b)).numpy(),
                               (x - mu) / np.sqrt(var + 1e-5) * w + b, rtol=1e-10)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(
        F.layer_norm(_t(x), (3, 4)).numpy(),
        torch.nn.functional.layer_norm(torch.tensor(x), (3, 4)).numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_gradcheck_order2_and_shape_error():
    x, w, b = RNG.standard_normal((2, 3)), RNG.standard_normal(3), RNG.standard_normal(3)
    assert wg.gradcheck(lambda x, w, b: F.layer_norm(x, 3, w, b), (x, w, b), order=2)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        F.layer_norm(wg.ones((2, 3)), (4,))


def test_batch_norm_training_updates_running_stats_like_torch():
    x = RNG.standard_normal((8, 3, 2, 2))
    rm, rv = wg.zeros(3), wg.ones(3)
    w, b = RNG.standard_normal(3), RNG.standard_normal(3)
    y = F.batch_norm(_t(x), rm, rv, _t(w), _t(b), training=True, momentum=0.2)
    mu = x.mean((0, 2, 3))
    var = x.var((0, 2, 3))
    exp = (x - mu[:, None, None]) / np.sqrt(var[:, None, None] + 1e-5) * w[:, None, None] + b[:, None, None]
    np.testing.assert_allclose(y.numpy(), exp, rtol=1e-10)
    np.testing.assert_allclose(rm.numpy(), 0.2 * mu)
    np.testing.assert_allclose(rv.numpy(), 0.8 + 0.2 * x.var((0, 2, 3), ddof=1))
    torch = pytest.importorskip("torch")
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    ty = torch.nn.functional.batch_norm(torch.tensor(x), trm, trv, torch.tensor(w), torch.tensor(b),
                                        training=True, momentum=0.2)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-12)


def test_batch_norm_eval_uses_running_stats():
    x = RNG.standard_normal((4, 2))
    rm, rv = wg.tensor([0.5, -1.0]), wg.tensor([2.0, 0.5])
    y = F.batch_norm(_t(x), rm, rv, training=False)
    np.testing.assert_allclose(y.numpy(), (x - rm.numpy()) / np.sqrt(rv.numpy() + 1e-5))


def test_batch_norm_gradcheck_order2_and_errors():
    x, w, b = RNG.standard_normal((4, 3)), RNG.standard_normal(3), RNG.standard_normal(3)
    assert wg.gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
                        (x, w, b), order=2)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(wg.ones((1, 3)), None, None, training=True)
    with pytest.raises(ValueError, match=r"\(4,\).*\(2, 3\)"):
        F.batch_norm(wg.ones((2, 3)), wg.zeros(4), wg.ones(4))


def test_embedding_gathers_and_accumulates():
    w = _t(RNG.standard_normal((5, 3)), True)
    idx = np.array([[0, 2], [2, 4]])
    out = F.embedding(idx, w)
    np.testing.assert_array_equal(out.numpy(force=True), w.numpy(force=True)[idx])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 0, 2, 0, 1])


def test_embedding_padding_idx_gets_no_gradient():
    w = _t(RNG.standard_normal((4, 2)), True)
    idx = np.array([1, 0, 1, 3])
    out = F.embedding(idx, w, padding_idx=1)
    np.testing.assert_array_equal(out.numpy(force=True), w.numpy(force=True)[idx])
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [1, 0, 0, 1])


def test_embedding_errors():
    with pytest.raises(TypeError, match="integers"):
        F.embedding(np.array([0.0]), wg.ones((3, 2)))
    with pytest.raises(IndexError, match=r"index 3 out of range in self.*3 rows"):
        F.embedding(np.array([3]), wg.ones((3, 2)))
    with pytest.raises(IndexError, match=r"index -1 out of range in self.*\[0, 3\)"):
        F.embedding(np.array([[0, -1]]), wg.ones((3, 2)))
    emb = wg.nn.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"index -4 out of range in self"):
        emb(wg.tensor([1, -4]))
    with pytest.raises(IndexError, match=r"index 9 out of range in self.*4 rows"):
        emb(np.array([9, 0]))
    assert emb(np.array([3, 0])).shape == (2, 2)


def test_conv_functions_are_reexported():
    from wengert.ops import conv
    assert F.conv2d is conv.conv2d
    assert F.max_pool2d is conv.max_pool2d
    assert F.avg_pool2d is conv.avg_pool2d


def test_embedding_of_an_ndarray_table_with_padding_idx():
    w = np.arange(12.0).reshape(4, 3)
    out = F.embedding(np.array([0, 2, 0]), w, padding_idx=0)
    np.testing.assert_array_equal(np.asarray(out), w[[0, 2, 0]])
