"""The names a PyTorch user types (API §10): dim=/keepdim= everywhere, the (values, indices)
convention, NumPy's meanings kept where the libraries differ, the namespace names (dtype
aliases, device, cuda, inference_mode, default dtype, from_numpy, is_tensor) and the Tensor
methods, in-place ones under the engine's rules. Against PyTorch where it is installed."""
import inspect

import numpy as np
import pytest

import wengert as wg
from wengert.checking import gradcheck

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5))

# name → extra positional arguments; each takes axis=/keepdims= (and so dim=/keepdim=)
REDUCTIONS = {"sum": (), "mean": (), "prod": (), "amax": (), "amin": (), "var": (),
              "std": (), "logsumexp": (), "nansum": (), "nanmean": (), "nanmax": (),
              "nanvar": (), "quantile": (0.3,), "percentile": (40.0,), "ptp": ()}
NO_KEEPDIM = {"cumsum": (), "cumprod": (), "softmax": (), "log_softmax": (), "argsort": (),
              "flip": (), "diff": (), "take_along_axis": None}


def _v(t):
    return t.numpy(force=True) if isinstance(t, wg.Tensor) else np.asarray(t)


# ---- dim= and keepdim= ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@pytest.mark.parametrize("dim,keepdim", [(0, False), (-1, True), ((0, 2), False), (1, None)])
def test_every_reduction_takes_dim_and_keepdim_as_axis_and_keepdims(name, dim, keepdim):
    f, extra = getattr(wg, name), REDUCTIONS[name]
    x = wg.tensor(X, requires_grad=True)
    kw = {} if keepdim is None else {"keepdim": keepdim}
    np_kw = {} if keepdim is None else {"keepdims": keepdim}
    if name == "logsumexp" and isinstance(dim, tuple):
        dim = -1
    got, want = f(x, *extra, dim=dim, **kw), f(x, *extra, axis=dim, **np_kw)
    np.testing.assert_allclose(_v(got), _v(want), rtol=1e-13)
    g1, = wg.autograd.grad(got.sum(), [x])
    g2, = wg.autograd.grad(want.sum(), [x])
    np.testing.assert_allclose(_v(g1), _v(g2), rtol=1e-12)


@pytest.mark.parametrize("name", ["argmax", "argmin", "all", "any", "median"])
def test_index_and_logic_reductions_take_dim(name):
    x = wg.tensor(X > 0) if name in ("all", "any") else wg.tensor(X)
    got = getattr(wg, name)(x, dim=1, keepdim=True)
    got = got.values if name == "median" else got
    want = getattr(np, name)(x.numpy(), axis=1, keepdims=True)
    if name == "median":        # PyTorch's median: the lower middle (4 values: the 2nd)
        want = np.sort(x.numpy(), axis=1)[:, 1:2]
    np.testing.assert_array_equal(_v(got), want)


@pytest.mark.parametrize("name", sorted(NO_KEEPDIM))
def test_functions_along_an_axis_take_dim(name):
    f = getattr(wg, name)
    x = wg.tensor(X)
    if name == "take_along_axis":
        idx = np.argsort(X, axis=1)
        np.testing.assert_array_equal(_v(f(x, idx, dim=1)), _v(f(x, idx, axis=1)))
        return
    np.testing.assert_array_equal(_v(f(x, dim=1)), _v(f(x, axis=1)))


def test_linalg_and_fft_functions_take_dim():
    x = wg.tensor(X)
    np.testing.assert_allclose(_v(wg.linalg.vector_norm(x, dim=(0, 2), keepdim=True)),
                               _v(wg.linalg.vector_norm(x, axis=(0, 2), keepdims=True)))
    np.testing.assert_allclose(_v(wg.linalg.norm(x, dim=1)), np.linalg.norm(X, axis=1))
    np.testing.assert_allclose(_v(wg.fft.rfft(x, dim=1)), np.fft.rfft(X, axis=1))


def test_joining_and_shape_functions_take_dim():
    a, b = wg.tensor(X), wg.tensor(X + 1)
    np.testing.assert_array_equal(_v(wg.concatenate([a, b], dim=2)), np.concatenate([X, X + 1], 2))
    np.testing.assert_array_equal(_v(wg.stack([a, b], dim=1)), np.stack([X, X + 1], 1))
    np.testing.assert_array_equal(_v(wg.cat([a, b], 1)), np.concatenate([X, X + 1], 1))
    assert wg.expand_dims(a, dim=0).shape == (1, 3, 4, 5)


@pytest.mark.parametrize("space", [wg, wg.linalg, wg.fft], ids=["wg", "linalg", "fft"])
def test_every_namespace_function_with_axis_also_takes_dim(space):
    missing = []
    for name, f in vars(space).items():
        if name.startswith("_") or isinstance(f, type) or not callable(f):
            continue
        try:
            params = inspect.signature(f).parameters
        except (TypeError, ValueError):
            continue
        if ("axis" in params or "keepdims" in params) and "dim" not in params:
            missing.append(name)
    assert not missing, f"functions with axis= but no dim=: {missing}"


def test_methods_take_dim_and_keepdim():
    x = wg.tensor(X)
    for name in ("sum", "mean", "prod", "amax", "amin", "var", "std", "all", "any", "argmax",
                 "argmin", "logsumexp"):
        np.testing.assert_allclose(_v(getattr(x, name)(dim=1, keepdim=True)),
                                   _v(getattr(wg, name)(x, axis=1, keepdims=True)), rtol=1e-13)
    for name in ("cumsum", "cumprod", "softmax", "log_softmax"):
        np.testing.assert_allclose(_v(getattr(x, name)(dim=2)),
                                   _v(getattr(wg, name)(x, axis=2)), rtol=1e-13)
    assert x.sum(1, keepdim=True).shape == (3, 1, 5)
    assert x.mean(dim=(0, 2)).shape == (4,)


def test_every_tensor_method_with_axis_also_takes_dim():
    missing = []
    for name in dir(wg.Tensor):
        f = getattr(wg.Tensor, name)
        if name.startswith("_") or not callable(f):
            continue
        try:
            params = inspect.signature(f).parameters
        except (TypeError, ValueError):
            continue
        if ("axis" in params or "keepdims" in params) and "dim" not in params:
            missing.append(name)
    assert not missing, f"Tensor methods with axis= but no dim=: {missing}"


def test_transpose_repeat_take_tile_in_both_spellings():
    x = wg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(_v(x.transpose(dim0=0, dim1=1)), np.arange(6.0).reshape(2, 3).T)
    assert x.transpose(0, 1).shape == (2, 3)          # NumPy's permutation (0, 1): as it is
    assert wg.zeros((2, 3, 4)).transpose(dim0=2, dim1=0).shape == (4, 3, 2)
    with pytest.raises(TypeError, match="not a mixture"):
        x.transpose(1, 0, dim0=0, dim1=1)
    with pytest.raises(TypeError, match="not a mixture"):
        x.transpose(dim0=0)
    np.testing.assert_array_equal(_v(x.repeat(2, dim=1)), np.repeat(_v(x), 2, axis=1))
    np.testing.assert_array_equal(_v(x.repeat_interleave(2, dim=0)), np.repeat(_v(x), 2, 0))
    np.testing.assert_array_equal(_v(wg.repeat_interleave(x, [1, 2], dim=0)),
                                  np.repeat(_v(x), [1, 2], axis=0))
    np.testing.assert_array_equal(_v(x.tile(2, 1)), np.tile(_v(x), (2, 1)))
    np.testing.assert_array_equal(_v(x.take([2, 0], dim=1)), _v(x)[:, [2, 0]])
    gradcheck(lambda a: (a.repeat_interleave(2, dim=1).transpose(dim0=0, dim1=1) ** 2).sum(),
              [np.arange(6.0).reshape(2, 3)], order=2)


def test_dim_given_twice_is_a_type_error():
    x = wg.tensor(X)
    for call in (lambda: wg.sum(x, axis=0, dim=1), lambda: x.sum(0, dim=1),
                 lambda: wg.mean(x, keepdims=True, keepdim=True),
                 lambda: x.mean(keepdims=True, keepdim=True), lambda: x.cumsum(0, dim=0),
                 lambda: wg.squeeze(x, axis=0, dim=0)):
        with pytest.raises(TypeError, match="not both"):
            call()
    with pytest.raises(TypeError, match="unbiased"):
        wg.sum(x, unbiased=True)
    for name in ("sum", "mean", "prod"):
        with pytest.raises(TypeError, match="keepdim=True"):
            getattr(x, name)(1, True)
    with pytest.raises(TypeError, match="one of ddof=, correction= and unbiased="):
        wg.std(x, ddof=1, unbiased=True)
    with pytest.raises(TypeError, match="one of ddof="):
        x.var(correction=1, unbiased=True)


def test_std_and_var_keep_numpys_ddof_0_and_take_pytorchs_unbiased_and_correction():
    x = wg.tensor(X)
    np.testing.assert_allclose(_v(x.std(dim=1)), np.std(X, axis=1), rtol=1e-13)
    np.testing.assert_allclose(_v(x.std(dim=1, unbiased=True)), np.std(X, axis=1, ddof=1),
                               rtol=1e-13)
    np.testing.assert_allclose(_v(wg.var(x, dim=1, unbiased=False)), np.var(X, axis=1),
                               rtol=1e-13)
    np.testing.assert_allclose(_v(x.var(dim=0, correction=1)), np.var(X, axis=0, ddof=1),
                               rtol=1e-13)
    np.testing.assert_allclose(_v(wg.nanstd(x, dim=0, unbiased=True)),
                               np.std(X, axis=0, ddof=1), rtol=1e-13)


# ---- NumPy's meaning kept where the two libraries differ -----------------------------------

def test_positional_and_axis_calls_keep_numpys_meaning():
    x = wg.tensor([[1.0, 5.0], [7.0, 2.0]])
    for r in (wg.max(x, 1), x.max(1), x.max(axis=1), wg.min(x, 1), x.min(axis=0)):
        assert isinstance(r, wg.Tensor)
    np.testing.assert_array_equal(_v(wg.sort(wg.tensor([3.0, 1.0, 2.0]))), [1, 2, 3])
    assert wg.median(wg.tensor([1.0, 2.0, 3.0, 4.0])).item() == 2.5
    assert x.size == 4
    assert x.repeat(2, 1).shape == (2, 4)                 # NumPy's repeat (PyTorch: tile)
    assert [p.shape for p in wg.split(wg.arange(6.0), 3)] == [(2,), (2,), (2,)]
    assert [p.shape for p in wg.split(wg.arange(6.0), 3, dim=0)] == [(3,), (3,)]


def test_ndarray_sort_method_sorts_in_place_and_is_recorded():
    a = wg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    b = a * wg.tensor([1.0, 10.0, 100.0])
    assert b.sort() is None
    np.testing.assert_array_equal(b.detach().numpy(), [3, 10, 200])
    (b * wg.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 20.0, 300.0])


def test_squeeze_positional_is_numpys_and_dim_is_pytorchs():
    x = wg.zeros((1, 3, 1))
    with pytest.raises(ValueError, match="squeeze\\(dim=1\\)"):
        x.squeeze(1)
    assert x.squeeze(dim=1).shape == (1, 3, 1)
    assert x.squeeze(dim=0).shape == (3, 1)
    assert x.squeeze(dim=(0, 2)).shape == (3,)
    assert wg.squeeze(x, dim=-1).shape == (1, 3)
    assert x.squeeze().shape == (3,)
    with pytest.raises(IndexError, match="out of range"):
        x.squeeze(dim=3)


# ---- namespace ----------------------------------------------------------------------------

def test_dtype_aliases_are_pytorchs():
    assert (wg.float, wg.double, wg.half) == (np.float32, np.float64, np.float16)
    assert (wg.long, wg.int, wg.short, wg.bool) == (np.int64, np.int32, np.int16, np.bool_)
    assert wg.zeros(2, dtype=wg.long).dtype == np.int64


def test_device_is_the_cpu_only():
    d = wg.device("cpu")
    assert d == "cpu" and d == wg.device("cpu:0") and wg.zeros(1).device == d
    assert str(d) == "cpu" and repr(wg.device("cpu", 0)) == "device(type='cpu', index=0)"
    assert wg.device(d) == d and hash(d) == hash(wg.device("cpu"))
    assert d != "cuda"
    assert not wg.cuda.is_available() and wg.cuda.device_count() == 0
    dev = wg.device("cuda" if wg.cuda.is_available() else "cpu")
    assert wg.ones(2).to(dev).device == "cpu"
    with pytest.raises(ValueError, match="CPU only"):
        wg.device("cuda")
    with pytest.raises(ValueError, match="invalid device"):
        wg.device("cpu:x")
    with pytest.raises(TypeError, match="string"):
        wg.device(3)


def test_inference_mode_records_nothing_as_context_and_decorator():
    x = wg.ones(2, requires_grad=True)
    with wg.inference_mode():
        assert not (x * 2).requires_grad
    with wg.inference_mode(False):
        assert (x * 2).requires_grad

    @wg.inference_mode
    def f(v):
        return v * 2

    @wg.inference_mode()
    def g(v):
        return v * 2
    assert not f(x).requires_grad and not g(x).requires_grad
    assert (x * 2).requires_grad and wg.is_grad_enabled()


def test_set_default_dtype_changes_the_float_constructors_only():
    try:
        wg.set_default_dtype(wg.float32)
        assert wg.get_default_dtype() == np.float32
        for t in (wg.tensor([1.5]), wg.tensor(2.0), wg.asarray([1.0]), wg.zeros(2), wg.ones(2),
                  wg.empty(2), wg.eye(2), wg.randn(2), wg.rand(2), wg.full((2,), 1.5),
                  wg.arange(0.0, 1.0, 0.5), wg.linspace(0, 1, 3)):
            assert t.dtype == np.float32
        assert wg.tensor(np.ones(2)).dtype == np.float64          # an ndarray keeps its dtype
        assert wg.tensor([1, 2]).dtype == np.int64
        assert wg.zeros(2, dtype=wg.float64).dtype == np.float64
        assert wg.linspace(0, 1, 3, retstep=True)[0].dtype == np.float32
    finally:
        wg.set_default_dtype(wg.float64)
    assert wg.tensor([1.5]).dtype == np.float64 and wg.get_default_dtype() == np.float64
    with pytest.raises(TypeError, match="only floating dtypes"):
        wg.set_default_dtype(wg.int64)
    with pytest.raises(TypeError, match="floating dtype"):
        wg.set_default_dtype("not a dtype")


def test_from_numpy_shares_memory_and_is_tensor():
    a = np.zeros(3)
    t = wg.from_numpy(a)
    a[1] = 2.0
    t[0] = 1.0
    np.testing.assert_array_equal(a, [1, 2, 0])
    assert wg.is_tensor(t) and not wg.is_tensor(a) and not t.requires_grad
    assert wg.is_floating_point(t) and not wg.is_floating_point(wg.tensor([1]))
    with pytest.raises(TypeError, match="np.ndarray"):
        wg.from_numpy([1.0])
    with pytest.raises(TypeError, match="not numeric"):
        wg.from_numpy(np.array(["a"]))


def test_allclose_isclose_randperm_and_the_like_constructors():
    a = wg.tensor([1.0, 2.0], requires_grad=True)
    assert wg.allclose(a, [1.0, 2.0 + 1e-9]) is True and wg.allclose(a, a + 1) is False
    np.testing.assert_array_equal(_v(wg.isclose(a, wg.tensor([1.0, 2.5]))), [True, False])
    assert not wg.isclose(a, a).requires_grad
    wg.manual_seed(3)
    p = wg.randperm(5)
    assert sorted(p.tolist()) == [0, 1, 2, 3, 4] and p.dtype == np.int64
    wg.manual_seed(3)
    np.testing.assert_array_equal(_v(wg.randperm(5)), _v(p))
    r = wg.randn_like(wg.zeros((2, 3), dtype=wg.float32), requires_grad=True)
    assert r.shape == (2, 3) and r.dtype == np.float32 and r.requires_grad
    u = wg.rand_like(wg.zeros(100), dtype=wg.float16)
    assert u.dtype == np.float16 and (u.numpy() >= 0).all() and (u.numpy() < 1).all()
    with pytest.raises(TypeError, match="floating dtype"):
        wg.randn_like(wg.zeros(2, dtype=wg.int64))
    with pytest.raises(TypeError, match="cannot require grad"):
        wg.randperm(3, requires_grad=True)


def test_comparison_and_like_methods():
    x, y = wg.tensor([1.0, 2.0, 3.0]), wg.tensor([2.0, 2.0, 2.0])
    for name, f in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                    ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)):
        np.testing.assert_array_equal(_v(getattr(x, name)(y)), f(_v(x), _v(y)))
    np.testing.assert_array_equal(_v(x.neg()), -_v(x))
    np.testing.assert_array_equal(_v((x - 2.5).sign()), [-1, -1, 1])
    np.testing.assert_array_equal(_v((x / 2).floor()), [0, 1, 1])
    np.testing.assert_array_equal(_v((x / 2).ceil()), [1, 1, 2])
    np.testing.assert_array_equal(_v(x.square()), [1, 4, 9])
    assert not wg.tensor([1.0, np.nan]).isnan().numpy()[0]
    m = wg.zeros((3, 1))
    assert x.view_as(m).shape == (3, 1) and x.reshape_as(m).shape == (3, 1)
    assert m.expand_as(wg.zeros((3, 4))).shape == (3, 4)
    assert x.type_as(wg.zeros(1, dtype=wg.float32)).dtype == np.float32
    assert x.index_select(0, wg.tensor([2, 0])).tolist() == [3.0, 1.0]
    assert wg.zeros((2, 3, 4)).movedim(2, 0).shape == (4, 2, 3)


def test_numel_bmm_mm():
    assert wg.numel(wg.zeros((2, 3))) == 6 and wg.zeros((2, 3)).numel() == 6
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 2))
    np.testing.assert_allclose(_v(wg.tensor(a).bmm(wg.tensor(b))), a @ b)
    np.testing.assert_allclose(_v(wg.tensor(a[0]).mm(wg.tensor(b[0]))), a[0] @ b[0])


# ---- Tensor methods ----------------------------------------------------------------------

def test_view_shares_memory_or_refuses():
    x = wg.arange(6.0)
    v = x.view(2, 3)
    v[0, 0] = 9.0
    assert x[0].item() == 9.0 and x.view((3, -1)).shape == (3, 2) and x.view(-1).shape == (6,)
    xt = x.view(2, 3).T
    with pytest.raises(RuntimeError, match="reshape"):
        xt.view(6)
    np.testing.assert_array_equal(_v(xt.contiguous().view(6)), [9, 3, 1, 4, 2, 5])
    assert xt.contiguous().data.flags.c_contiguous and x.contiguous() is x
    with pytest.raises(TypeError, match="astype"):
        x.view(wg.float32)


def test_view_and_reshape_methods_are_differentiable():
    gradcheck(lambda x: (x.view(2, 3).permute(1, 0).unsqueeze(0).flatten(1) ** 2).sum(),
              [RNG.standard_normal(6)], order=2)


def test_to_and_the_dtype_methods():
    x = wg.tensor([1.5, -2.5], requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.to(wg.float64) is x and x.double() is x
    assert x.to(wg.device("cpu"), wg.float32).dtype == np.float32
    assert x.to(dtype=wg.float16, device="cpu").dtype == np.float16
    assert x.to(wg.zeros(1, dtype=wg.float32)).dtype == np.float32
    assert x.to("cpu", copy=True) is not x
    y = x.float()
    assert y.dtype == np.float32 and y.requires_grad
    y.sum().backward()
    assert x.grad.dtype == np.float64
    assert x.long().dtype == np.int64 and x.int().dtype == np.int32
    assert x.half().dtype == np.float16 and x.short().dtype == np.int16
    assert x.bool().dtype == np.bool_ and not x.long().requires_grad
    np.testing.assert_array_equal(_v(x.long()), [1, -2])
    with pytest.raises(ValueError, match="CPU only"):
        x.to("cuda")
    with pytest.raises(ValueError, match="CPU only"):
        x.cuda()
    with pytest.raises(TypeError, match="expected a dtype"):
        x.to([1])


def test_t_clone_expand_flatten_unbind_dim():
    x = wg.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    assert x.t().shape == (3, 2) and wg.ones(3).t().shape == (3,)
    with pytest.raises(ValueError, match="at most 2 dims"):
        wg.zeros((1, 2, 3)).t()
    c = x.clone()
    assert c.grad_fn is not None and not np.shares_memory(c.data, x.data)
    assert x.expand(4, 2, 3).shape == (4, 2, 3) and x[:1].expand(5, -1).shape == (5, 3)
    with pytest.raises(ValueError, match="at least as many"):
        x.expand(3)
    with pytest.raises(ValueError, match="new leading dim"):
        x.expand(-1, 2, 3)
    assert x.flatten().shape == (6,) and x.flatten(0, 1).shape == (6,)
    np.testing.assert_array_equal(_v(x.flatten("F")), x.detach().numpy().flatten("F"))
    with pytest.raises(TypeError, match="one or the other"):
        x.flatten(1, order="F")
    assert [u.shape for u in x.unbind(1)] == [(2,)] * 3 and x.dim() == 2
    gradcheck(lambda a: a.expand(4, 2, 3).flatten(1).clone().sum(axis=0), [x.detach().numpy()],
              order=2)


def test_clamp_masked_fill_gather_pow_allclose_methods():
    x = wg.tensor([[-1.0, 0.5], [2.0, -0.2]])
    np.testing.assert_array_equal(_v(x.clamp(-0.5, 1.0)), [[-0.5, 0.5], [1.0, -0.2]])
    np.testing.assert_array_equal(_v(x.clip(max=0.0)), [[-1.0, 0.0], [0.0, -0.2]])
    np.testing.assert_array_equal(_v(x.masked_fill(x < 0, 0.0)), [[0, 0.5], [2, 0]])
    np.testing.assert_array_equal(_v(x.gather(0, wg.tensor([[1, 0]]))), [[2.0, 0.5]])
    np.testing.assert_array_equal(_v(x.pow(2)), _v(x) ** 2)
    assert x.allclose(x + 1e-12) and not x.allclose(x + 1)
    assert x.add(1, alpha=2).allclose(x + 2) and x.sub(x, alpha=2).allclose(-x)
    assert x.mul(2).allclose(x * 2) and x.div(2).allclose(x / 2)
    assert x.div(2, rounding_mode="floor").allclose(wg.floor(x / 2))
    assert x.div(2, rounding_mode="trunc").allclose(wg.trunc(x / 2))
    assert x.matmul(x).allclose(x @ x)
    with pytest.raises(ValueError, match="rounding_mode"):
        x.div(2, rounding_mode="up")


# ---- in place ----------------------------------------------------------------------------

INPLACE = [
    (lambda t, x: t.zero_(), lambda a, x: np.zeros_like(a)),
    (lambda t, x: t.fill_(1.5), lambda a, x: np.full_like(a, 1.5)),
    (lambda t, x: t.add_(x, alpha=2), lambda a, x: a + 2 * x),
    (lambda t, x: t.add_(x), lambda a, x: a + x),
    (lambda t, x: t.sub_(x, alpha=3), lambda a, x: a - 3 * x),
    (lambda t, x: t.sub_(x), lambda a, x: a - x),
    (lambda t, x: t.mul_(x), lambda a, x: a * x),
    (lambda t, x: t.div_(x), lambda a, x: a / x),
    (lambda t, x: t.clamp_(-0.5, 0.5), lambda a, x: np.clip(a, -0.5, 0.5)),
    (lambda t, x: t.clamp_(min=x), lambda a, x: np.maximum(a, x)),
    (lambda t, x: t.masked_fill_(x > 0, -1.0), lambda a, x: np.where(x > 0, -1.0, a)),
    (lambda t, x: t.copy_(x), lambda a, x: x),
    (lambda t, x: t.copy_(x[1]), lambda a, x: np.full_like(a, x[1])),
    (lambda t, x: t.scatter_add_(0, wg.tensor([2, 0, 2]), x),
     lambda a, x: a + np.array([x[1], 0.0, x[0] + x[2]])),
]


@pytest.mark.parametrize("op,ref", INPLACE)
def test_inplace_methods_write_values_and_return_self(op, ref):
    a = RNG.uniform(0.5, 2.0, 3)
    x = RNG.uniform(0.5, 2.0, 3) * np.array([1, -1, 1])
    t = wg.tensor(a)
    assert op(t, wg.tensor(x)) is t
    np.testing.assert_allclose(t.numpy(), ref(a, x), rtol=1e-14)


@pytest.mark.parametrize("op,ref", INPLACE)
def test_inplace_methods_on_graph_values_are_differentiable(op, ref):
    a = RNG.uniform(0.5, 2.0, 3)
    x = RNG.uniform(0.5, 2.0, 3) * np.array([1, -1, 1])

    def f(p, q):
        t = p * 1.0
        op(t, q)
        return t * p
    gradcheck(f, [a, x], order=2)
    f32 = f(wg.tensor(a, dtype=wg.float32, requires_grad=True),
            wg.tensor(x, dtype=wg.float32, requires_grad=True))
    assert f32.dtype == np.float32


@pytest.mark.parametrize("op,ref", INPLACE)
def test_inplace_methods_refuse_a_leaf_that_requires_grad(op, ref):
    t = wg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        op(t, wg.ones(3))
    with wg.no_grad():
        op(t, wg.ones(3))
    assert t.requires_grad and t.grad_fn is None


def test_inplace_methods_bump_the_version_so_a_saved_value_refuses_backward():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    for write in (lambda t: t.zero_(), lambda t: t.fill_(2.0), lambda t: t.add_(1),
                  lambda t: t.mul_(3), lambda t: t.clamp_(max=0.5)):
        y = x * 1.0
        z = y * y                       # saves y
        write(y)
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            z.sum().backward()


def test_inplace_methods_through_a_view_reach_the_base_in_values_and_gradients():
    x = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    b = x * 1.0
    v = b.view(2, 2)[1]
    v.mul_(10.0)
    v.add_(x[:2])
    np.testing.assert_array_equal(b.detach().numpy(), [1, 2, 31, 42])
    b.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 10, 10])


def test_fill_and_clamp_with_tensor_operands_pass_gradients_to_them():
    v = wg.tensor(2.0, requires_grad=True)
    t = wg.zeros(3)
    t.fill_(v)
    (t * wg.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert v.grad.item() == 6.0
    lo = wg.tensor([0.0, 5.0], requires_grad=True)
    t = wg.tensor([1.0, 1.0])
    t.clamp_(min=lo)
    t.sum().backward()
    np.testing.assert_array_equal(lo.grad.numpy(), [0.0, 1.0])


def test_fill_casts_a_python_number_as_numpy_does_and_refuses_a_lossy_tensor_result():
    t = wg.zeros(2, dtype=wg.int64)
    t.fill_(1.7)
    np.testing.assert_array_equal(t.numpy(), [1, 1])
    with pytest.raises(TypeError, match="in place"):
        t.div_(2)


# ---- compile -----------------------------------------------------------------------------

def test_dim_spellings_compile():
    def loss(x):
        return (wg.amax(x, dim=1) + wg.sum(x, dim=1, keepdim=True) + x.std(dim=1, unbiased=True)
                + x.softmax(dim=1).max(axis=1)).sum()
    x = RNG.standard_normal((3, 4))
    g = wg.compile(wg.grad(loss))
    np.testing.assert_allclose(_v(g(x)), _v(wg.grad(loss)(x)), rtol=1e-12)


def test_values_indices_results_compile_with_indices_found_at_run_time():
    """The indices of x.max(dim=1) are an argmax step of the program, not a constant of
    the trace: called where the maxima sit elsewhere, the compiled gradient follows them."""
    f = wg.grad(lambda x: (x.max(dim=1).values * x.max(dim=1).indices).sum())
    c = wg.compile(f)
    x = RNG.standard_normal((3, 4))
    np.testing.assert_allclose(_v(c(x)), _v(f(x)), rtol=1e-12)
    y = -x
    assert not np.array_equal(np.argmax(y, 1), np.argmax(x, 1))
    np.testing.assert_allclose(_v(c(y)), _v(f(y)), rtol=1e-12)


# ---- against PyTorch ---------------------------------------------------------------------

TORCH_CASES = [
    ("sum", lambda m, x: m.sum(x, dim=1, keepdim=True)),
    ("mean", lambda m, x: x.mean(dim=(0, 2))),
    ("prod", lambda m, x: m.prod(x, dim=2)),
    ("amax", lambda m, x: m.amax(x, dim=(1, 2), keepdim=True)),
    ("logsumexp", lambda m, x: m.logsumexp(x, dim=1)),
    ("std-unbiased", lambda m, x: x.std(dim=1, unbiased=True)),
    ("var-correction", lambda m, x: m.var(x, dim=2, correction=0, keepdim=True)),
    ("cumsum", lambda m, x: m.cumsum(x, dim=1)),
    ("cumprod", lambda m, x: x.cumprod(dim=2)),
    ("softmax", lambda m, x: m.softmax(x, dim=1)),
    ("log_softmax", lambda m, x: x.log_softmax(dim=0)),
    ("max-dim", lambda m, x: m.max(x, dim=1)),
    ("min-dim", lambda m, x: x.min(dim=2, keepdim=True)),
    ("median-dim", lambda m, x: m.median(x, dim=1)),
    ("sort", lambda m, x: m.sort(x, dim=1, descending=True)),
    ("sort-method", lambda m, x: x.sort(dim=-1)),
    ("argsort", lambda m, x: (m.argsort(x, dim=1, descending=True),)),
    ("topk", lambda m, x: m.topk(x, 2, dim=1)),
    ("topk-smallest", lambda m, x: x.topk(3, largest=False)),
    ("kthvalue", lambda m, x: m.kthvalue(x, 2, dim=0)),
    ("norm", lambda m, x: x.norm()),
    ("norm-dim", lambda m, x: x.norm(p=1, dim=1, keepdim=True)),
    ("norm-3", lambda m, x: m.norm(x, p=3, dim=(0, 2))),
    ("norm-nuc", lambda m, x: m.norm(x, p="nuc", dim=(1, 2))),
    ("gather", lambda m, x: m.gather(x, 1, _index(m, [[[0, 2, 1, 1, 0]], [[3, 3, 0, 1, 2]],
                                                       [[1, 0, 0, 0, 0]]]))),
    ("scatter_add", lambda m, x: m.scatter_add(x, 2, _index(m, [[[0, 4, 0]]]), x[:1, :1, 1:4] * 2)),
    ("chunk", lambda m, x: m.chunk(x, 3, dim=2)),
    ("split", lambda m, x: x.split(2, dim=2)),
    ("split-sizes", lambda m, x: m.split(x, [1, 3], dim=1)),
    ("flatten", lambda m, x: m.flatten(x, 1)),
    ("view-permute-unsqueeze", lambda m, x: x.view(3, 20).unsqueeze(1).permute(2, 0, 1)),
    ("squeeze-dim", lambda m, x: x[:, :1].squeeze(dim=1)),
    ("clamp", lambda m, x: m.clamp(x, min=-0.5, max=0.5)),
    ("masked_fill", lambda m, x: x.masked_fill(x > 0.3, 0.25)),
    ("bmm", lambda m, x: m.bmm(x, x.permute(0, 2, 1))),
    ("cat", lambda m, x: m.cat([x, x * 2], dim=1)),
    ("expand", lambda m, x: x[:, :1].expand(3, 2, 5)),
    ("index_select", lambda m, x: m.index_select(x, 2, _index(m, [4, 0, 4]))),
    ("movedim", lambda m, x: m.movedim(x, (0, 1), (2, 0))),
    ("copy_", lambda m, x: m.zeros((3, 4, 5), dtype=m.float64).copy_(x[:1] * 2)),
    ("transpose-dims", lambda m, x: x.transpose(dim0=0, dim1=2) if m is wg else x.transpose(0, 2)),
    ("repeat_interleave", lambda m, x: m.repeat_interleave(x, 2, dim=1)),
    ("tile", lambda m, x: x.tile(1, 2, 1) if m is wg else x.repeat(1, 2, 1)),
    ("inplace", lambda m, x: (x * 1).add_(x, alpha=2).mul_(x).clamp_(-1, 1).sub_(x)),
]


def _index(m, rows):
    return m.tensor(rows) if m is wg else m.tensor(rows, dtype=m.long)


@pytest.mark.parametrize("name,f", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_values_indices_and_gradients_match_pytorch(name, f):
    torch = pytest.importorskip("torch")
    x = wg.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ours, theirs = f(wg, x), f(torch, tx)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    if hasattr(theirs, "indices"):
        assert type(ours).__name__ == type(theirs).__name__
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
    total, ttotal = 0, 0
    for k, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(_v(o), t.detach().numpy(), rtol=1e-12, atol=1e-14)
        if t.dtype.is_floating_point:
            w = RNG.standard_normal(t.shape)
            total = total + (o * w).sum()
            ttotal = ttotal + (t * torch.tensor(w)).sum()
    if isinstance(ttotal, int):
        return
    total.backward()
    ttotal.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mode_matches_pytorch_with_repeats():
    torch = pytest.importorskip("torch")
    a = np.array([[3.0, 1.0, 3.0, 1.0, 2.0], [5.0, 5.0, 4.0, 5.0, 4.0], [0.0, 2.0, 2.0, 0.0, 0.0]])
    r, t = wg.mode(wg.tensor(a)), torch.mode(torch.tensor(a))
    np.testing.assert_array_equal(r.values.numpy(), t.values.numpy())
    np.testing.assert_array_equal(r.indices.numpy(), t.indices.numpy())


def test_dtype_names_match_pytorchs():
    torch = pytest.importorskip("torch")
    for name in ("float", "double", "half", "long", "int", "short", "bool"):
        ours = np.dtype(getattr(wg, name))
        theirs = torch.zeros(1, dtype=getattr(torch, name)).numpy().dtype
        assert ours == theirs, name


# ---- a PyTorch script, with only its import changed --------------------------------------

def test_a_pytorch_style_training_step_runs_with_wengert_as_torch():
    import wengert as torch
    import wengert.nn as nn
    import wengert.nn.functional as F

    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.fc = nn.Linear(4 * 8 * 8, 10)

        def forward(self, x):
            x = F.relu(self.conv(x.view(-1, 1, 8, 8)))
            return self.fc(torch.flatten(x, 1))

    model = Net().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    x = torch.from_numpy(RNG.standard_normal((32, 64))).float().to(device)
    y = torch.tensor(RNG.integers(0, 10, 32)).long()
    losses = []
    for _ in range(30):
        opt.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.inference_mode():
        logits = torch.cat([model(x[:16]), model(x[16:])], dim=0)
        pred = logits.argmax(dim=1)
        conf = logits.softmax(dim=1).max(dim=1).values
        centred = logits - logits.mean(dim=1, keepdim=True)
    assert losses[-1] < 0.5 * losses[0]
    assert pred.shape == (32,) and pred.dtype == np.int64 and conf.shape == (32,)
    assert (pred == y).float().mean().item() > 0.8
    assert centred.unsqueeze(0).permute(1, 0, 2).shape == (32, 1, 10)
    assert model.to(device, torch.float64).fc.weight.dtype == np.float64
    with pytest.raises(ValueError, match="CPU only"):
        model.to("cuda")


def test_clamp_inplace_with_tensor_bounds_gives_a_value_at_a_bound_its_gradient():
    # as clamp (and PyTorch): x equal to a bound passes its gradient, not half of it
    for inplace in (True, False):
        lo = wg.tensor(0.5, requires_grad=True)
        hi = wg.tensor(1.0, requires_grad=True)
        x = wg.tensor([0.0, 0.5, 1.0, 2.0], requires_grad=True)
        if inplace:
            y = x * 1.0
            y.clamp_(min=lo, max=hi)
        else:
            y = x.clamp(min=lo, max=hi)
        (y * wg.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), [0.0, 2.0, 3.0, 0.0])
        assert lo.grad.item() == 1.0 and hi.grad.item() == 4.0


def test_nanmedian_with_dim_is_pytorchs_values_and_indices_of_the_lower_middle():
    a = np.array([[1.0, np.nan, 3.0, 0.0], [2.0, 1.0, 4.0, 3.0], [5.0, np.nan, np.nan, 5.0],
                  [np.nan] * 4])
    x = wg.tensor(a, requires_grad=True)
    r = wg.nanmedian(x, dim=1)
    assert type(r).__name__ == "nanmedian"
    np.testing.assert_array_equal(r.values.detach().numpy(), [1.0, 2.0, 5.0, np.nan])
    np.testing.assert_array_equal(r.indices.numpy()[:3], [0, 0, 0])
    assert np.isnan(a[3, r.indices.numpy()[3]])
    r.values[:3].sum().backward()
    expected = np.zeros_like(a)
    expected[[0, 1, 2], [0, 0, 0]] = 1.0
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    assert wg.nanmedian(x, dim=1, keepdim=True).values.shape == (4, 1)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):      # NumPy's: the mean
        np.testing.assert_array_equal(wg.nanmedian(wg.tensor(a), axis=1).numpy(),
                                      [1.0, 2.5, 5.0, np.nan])
    with pytest.raises(TypeError, match="takes no axis"):
        wg.nanmedian(x, axis=0, dim=0)
    torch = pytest.importorskip("torch")
    t = torch.nanmedian(torch.tensor(a[:3]), dim=1)
    np.testing.assert_array_equal(t.values.numpy(), r.values.detach().numpy()[:3])
    np.testing.assert_array_equal(t.indices.numpy(), r.indices.numpy()[:3])


def test_keepdim_none_means_not_given_and_keepdim_on_a_function_without_it_is_named():
    x = wg.tensor(X)
    np.testing.assert_array_equal(wg.mean(x, dim=-1, keepdim=None).numpy(),
                                  x.mean(dim=-1, keepdim=None).numpy())
    np.testing.assert_array_equal(wg.cumsum(x, dim=1, keepdim=None).numpy(),
                                  np.cumsum(X, axis=1))
    for name in ("cumsum", "flip", "roll"):
        f = getattr(wg, name)
        args = (1,) if name == "roll" else ()
        with pytest.raises(TypeError, match=f"wengert.{name}\\(\\) takes no keepdim="):
            f(x, *args, dim=0, keepdim=True)


def test_dim_with_axis_given_by_position_names_the_clash():
    x = wg.tensor(X)
    for call, words in ((lambda: wg.sum(x, 0, dim=1), "axis given by position"),
                        (lambda: wg.cumsum(x, 0, dim=1), "axis given by position"),
                        (lambda: wg.mean(x, 0, None, None, True, keepdim=True),
                         "keepdims given by position"),
                        (lambda: wg.fft.fft(x, 2, 1, dim=0), "axis given by position")):
        with pytest.raises(TypeError, match=words + ".* not both"):
            call()
    np.testing.assert_array_equal(wg.sum(x, 1, keepdim=True).numpy(),
                                  np.sum(X, axis=1, keepdims=True))
