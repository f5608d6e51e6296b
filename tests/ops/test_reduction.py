"""Reductions: the op table (forward vs NumPy, gradients to second order, float32), then the
conventions (ties, zeros in prod/cumprod, zero variance, logsumexp at extremes), batched
rules, non-differentiable results, argument kinds and errors."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests, np_axis
from wengert.checking import check_grads, numerical_grad

S3 = [((2, 3, 4),)]                       # a 3-D grid for axis variants
AXES = [{"axis": 0}, {"axis": -1}, {"axis": 1, "keepdims": True}, {"axis": (0, 2)},
        {"axis": (-1, -3), "keepdims": True}, {"axis": ()}, {"axis": None, "keepdims": True},
        {"axis": [2, 0]}]
INT_AXES = [{"axis": 0}, {"axis": -1}, {"axis": 1}, {"axis": -2}]


def away_from_zero(rng, shape, i):
    """|x| in [0.5, 1.5] with random signs: products stay well conditioned."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 1.5, size=shape)


def lse_ref(x, axis=-1, keepdims=False):
    x = np.asarray(x)
    if x.ndim == 0:
        return x
    axis = tuple(axis) if isinstance(axis, list) else axis
    return np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims))


def _rows():
    rows = []
    for fn, ref, extra in [(wg.sum, np.sum, {}), (wg.mean, np.mean, {}),
                           (wg.prod, np.prod, {"sample": away_from_zero}),
                           (wg.max, np.max, {}), (wg.min, np.min, {}),
                           (wg.amax, np.amax, {}), (wg.amin, np.amin, {})]:
        name = ref.__name__
        rows.append(Row(fn, np_axis(ref), id=name, **extra))
        rows.append(Row(fn, np_axis(ref), id=f"{name}-axes", shapes=S3, kwargs=AXES, **extra))
    for fn, ref in [(wg.var, np.var), (wg.std, np.std)]:
        name = ref.__name__
        rows.append(Row(fn, ref, id=name, kwargs=[{}, {"ddof": 0}]))
        rows.append(Row(fn, np_axis(ref), id=f"{name}-axes", shapes=S3,
                        kwargs=AXES[:5] + [{"ddof": 1}, {"axis": 0, "ddof": 1},
                                           {"axis": (0, 2), "ddof": 2, "keepdims": True},
                                           {"axis": -1, "correction": 1}]))
    for fn, ref, extra in [(wg.cumsum, np.cumsum, {}),
                           (wg.cumprod, np.cumprod, {"sample": away_from_zero})]:
        name = ref.__name__
        rows.append(Row(fn, ref, id=name, **extra))
        rows.append(Row(fn, ref, id=f"{name}-axes", shapes=S3, kwargs=[{"axis": None}] + INT_AXES,
                        **extra))
    rows.append(Row(wg.logsumexp, lse_ref, id="logsumexp"))
    rows.append(Row(wg.logsumexp, lse_ref, id="logsumexp-axes", shapes=S3,
                    kwargs=[{}, {"axis": 0}, {"axis": -2, "keepdims": True}, {"axis": (0, 2)},
                            {"axis": None}, {"axis": [-1, 0], "keepdims": True}]))
    for fn, ref in [(wg.argmax, np.argmax), (wg.argmin, np.argmin)]:
        rows.append(Row(fn, ref, id=ref.__name__, order=1))
        rows.append(Row(fn, ref, id=f"{ref.__name__}-axes", shapes=S3, order=1,
                        kwargs=INT_AXES + [{"axis": 1, "keepdims": True}, {"keepdims": True}]))
    for fn, ref in [(wg.all, np.all), (wg.any, np.any)]:
        # uniform draws are never exactly 0, so finite differences see a constant
        rows.append(Row(fn, np_axis(ref), id=ref.__name__, order=1, domain=(-1.0, 1.0)))
        rows.append(Row(fn, np_axis(ref), id=f"{ref.__name__}-axes", shapes=S3, order=1,
                        kwargs=AXES))
    return rows


ROWS = _rows()

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def grad_of(f, x, seed=None):
    """d(Σ u·f(x))/dx with u = 1 (or `seed`), as an ndarray."""
    t = wg.tensor(x, requires_grad=True)
    y = f(t)
    y.backward(np.ones(y.shape) if seed is None else seed)
    return t.grad.numpy()


@pytest.fixture
def strict():
    """No NumPy warning of any kind (overflow, divide by zero, invalid) may escape."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


# ---- max / min: ties split evenly ------------------------------------------------------------

@pytest.mark.parametrize("fn", [wg.max, wg.amax])
def test_max_splits_gradient_evenly_among_ties(fn, strict):
    np.testing.assert_array_equal(grad_of(fn, [1.0, 3.0, 3.0, 2.0]), [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(grad_of(fn, [2.0, 2.0, 2.0, 2.0]), [0.25] * 4)


@pytest.mark.parametrize("fn", [wg.min, wg.amin])
def test_min_splits_gradient_evenly_among_ties(fn, strict):
    np.testing.assert_array_equal(grad_of(fn, [1.0, 3.0, 1.0]), [0.5, 0, 0.5])


def test_ties_per_slice_along_an_axis():
    x = [[1.0, 5.0, 5.0], [7.0, 7.0, 7.0]]
    g = grad_of(lambda t: wg.max(t, axis=1), x, seed=np.array([2.0, 3.0]))
    np.testing.assert_allclose(g, [[0, 1, 1], [1, 1, 1]])
    g = grad_of(lambda t: wg.min(t, axis=0, keepdims=True), x)
    np.testing.assert_allclose(g, [[1, 1, 1], [0, 0, 0]])


def test_max_ties_over_a_tuple_of_axes():
    x = np.zeros((2, 2, 3))
    x[0, 1, 2] = x[1, 0, 2] = 4.0
    g = grad_of(lambda t: wg.max(t, axis=(0, 1)), x)
    assert g[0, 1, 2] == g[1, 0, 2] == 0.5
    np.testing.assert_allclose(g[..., :2], 0.25)          # four zeros tie in those columns


def test_max_tangent_averages_tied_tangents():
    x = np.array([3.0, 1.0, 3.0])
    t = np.array([1.0, 10.0, 5.0])
    out = wg.ops.registry["max"].jvp((t,), x, np.max(x), axis=(-1,), keepdims=False, initial=None)
    assert float(out) == 3.0


def test_max_with_nan_sends_gradient_to_the_nan():
    g = grad_of(wg.max, [1.0, np.nan, 2.0])
    np.testing.assert_array_equal(g, [0, 1, 0])


def test_max_min_initial():
    y = wg.max(wg.tensor([1.0, 2.0], requires_grad=True), initial=5.0)
    assert y.item() == 5.0
    np.testing.assert_array_equal(grad_of(lambda t: wg.max(t, initial=5.0), [1.0, 2.0]), [0, 0])
    np.testing.assert_array_equal(grad_of(lambda t: wg.min(t, initial=5.0), [1.0, 2.0]), [1, 0])
    assert wg.max(np.zeros((0,)), initial=-1.0).item() == -1.0


# ---- prod: zeros ------------------------------------------------------------------------------------

def test_prod_one_zero_gets_the_product_of_the_others(strict):
    np.testing.assert_array_equal(grad_of(wg.prod, [2.0, 0.0, 3.0, 4.0]), [0, 24, 0, 0])


def test_prod_two_zeros_give_zero_gradient(strict):
    np.testing.assert_array_equal(grad_of(wg.prod, [2.0, 0.0, 3.0, 0.0]), [0, 0, 0, 0])


def test_prod_zeros_per_slice(strict):
    x = np.array([[2.0, 0.0, 3.0], [1.0, 2.0, 3.0], [0.0, 5.0, 0.0]])
    g = grad_of(lambda t: wg.prod(t, axis=1), x)
    np.testing.assert_array_equal(g, [[0, 6, 0], [6, 3, 2], [0, 0, 0]])
    x3 = np.arange(1.0, 13.0).reshape(2, 3, 2)
    x3[1, 2, 0] = 0.0
    g = grad_of(lambda t: wg.prod(t, axis=(0, 1)), x3)
    expected = np.prod(x3, axis=(0, 1), keepdims=True) / np.where(x3 == 0, 1, x3)
    expected[..., 0] = 0
    expected[1, 2, 0] = np.prod(np.delete(x3[..., 0].ravel(), 5))
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0],
                               [[0.0, 1.5], [-2.0, 0.0]]])
def test_prod_with_zeros_matches_finite_differences_to_second_order(x):
    check_grads(wg.prod, [np.array(x)], order=2)
    check_grads(lambda t: wg.prod(t, axis=0), [np.array(x)], order=2)


def test_prod_tangent_with_zeros():
    x = np.array([2.0, 0.0, 3.0])
    t = np.array([1.0, 1.0, 1.0])
    out = wg.ops.registry["prod"].jvp((t,), x, np.prod(x), axis=(-1,), keepdims=False)
    assert float(out) == 6.0


def test_prod_initial_and_dtype():
    t = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = wg.prod(t, initial=2.0)
    y.backward()
    assert y.item() == 12.0
    np.testing.assert_array_equal(t.grad.numpy(), [12, 6, 4])
    y = wg.prod(t, dtype=np.float32)
    assert y.dtype == np.float32 and y.requires_grad


# ---- cumsum, cumprod ----------------------------------------------------------------------------------

def test_cumsum_gradient_is_a_reversed_cumsum():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(grad_of(wg.cumsum, np.zeros(4), seed=w), [10, 9, 7, 4])


def test_cumsum_none_flattens():
    x = np.arange(6.0).reshape(2, 3)
    y = wg.cumsum(wg.tensor(x))
    assert y.shape == (6,)
    g = grad_of(wg.cumsum, x)
    np.testing.assert_array_equal(g, [[6, 5, 4], [3, 2, 1]])


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 0.0, 1.5],
                               [1.5, 2.0, -1.0, 0.0]])
def test_cumprod_with_zeros(x, strict):
    x = np.array(x)
    check_grads(wg.cumprod, [x], order=2)
    n = len(x)
    jac = np.zeros((n, n))                # ∂y_k/∂x_i = Π_{j≤k, j≠i} x_j
    for k in range(n):
        for i in range(k + 1):
            jac[k, i] = np.prod(np.delete(x[:k + 1], i))
    u = np.arange(1.0, n + 1)
    np.testing.assert_allclose(grad_of(wg.cumprod, x, seed=u), u @ jac)
    t = np.linspace(-1, 1, n)
    out = wg.ops.registry["cumprod"].jvp((t,), x, np.cumprod(x), axis=-1)
    np.testing.assert_allclose(out, jac @ t)


@pytest.mark.parametrize("x", [[2.0, 0.0, 3.0, 4.0, 1.0], [2.0, 0.0, 3.0, 0.0, 2.0],
                               [0.0, 0.0, 0.0, 1.0, 2.0]])
def test_recorded_tangent_rules_are_exact_polynomials_at_zeros(x):
    """On Tensors (forward over reverse) the JVP rules keep the exact dependence on the
    zeros, so their own derivatives match finite differences."""
    t = np.array([0.3, -1.0, 2.0, 0.7, 1.1])
    cumprod, prod = wg.ops.registry["cumprod"], wg.ops.registry["prod"]
    check_grads(lambda v: cumprod.jvp((t,), v, wg.cumprod(v, axis=-1), axis=-1), [np.array(x)])
    check_grads(lambda v: prod.jvp((t,), v, wg.prod(v, axis=(-1,), keepdims=True), axis=(-1,),
                                   keepdims=True), [np.array(x)])


def test_cumprod_with_zeros_along_an_axis(strict):
    x = np.array([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0]])
    check_grads(lambda t: wg.cumprod(t, axis=0), [x], order=2)
    check_grads(lambda t: wg.cumprod(t, axis=1), [x], order=2)


# ---- var, std -------------------------------------------------------------------------------------------

def test_std_of_a_constant_slice_has_zero_gradient(strict):
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    t = wg.tensor(x, requires_grad=True)
    y = wg.std(t, axis=1)
    y.backward(np.ones(2))
    np.testing.assert_array_equal(y.numpy(force=True)[0], 0.0)
    np.testing.assert_array_equal(t.grad.numpy()[0], [0, 0, 0])
    np.testing.assert_allclose(t.grad.numpy()[1], np.array([-1, 0, 1]) / (3 * np.std(x[1])))
    np.testing.assert_array_equal(grad_of(wg.var, [5.0, 5.0]), [0, 0])


def test_std_gradient_formula():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    for ddof in (0, 1):
        s = np.std(x, ddof=ddof)
        np.testing.assert_allclose(grad_of(lambda t: wg.std(t, ddof=ddof), x),
                                   (x - x.mean()) / ((4 - ddof) * s))
        np.testing.assert_allclose(grad_of(lambda t: wg.var(t, ddof=ddof), x),
                                   2 * (x - x.mean()) / (4 - ddof))


def test_var_correction_and_mean_keywords():
    x = np.array([[1.0, 2.0, 4.0], [0.5, 3.0, 3.5]])
    np.testing.assert_allclose(wg.var(x, axis=1, correction=1).numpy(), np.var(x, axis=1, ddof=1))
    np.testing.assert_allclose(wg.std(x, correction=1.5).numpy(), np.std(x, ddof=1.5))
    m = np.mean(x, axis=1, keepdims=True)
    np.testing.assert_allclose(wg.var(x, axis=1, mean=m).numpy(), np.var(x, axis=1, mean=m))
    with pytest.raises(ValueError, match="ddof= or correction="):
        wg.var(x, ddof=1, correction=1)


def test_var_of_integers_is_float64_and_ddof_too_large_warns_like_numpy():
    assert wg.var([1, 2, 3, 4]).dtype == np.float64
    assert wg.std(np.arange(5, dtype=np.int32), axis=0).dtype == np.float64
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        assert np.isinf(wg.var([1.0, 2.0], ddof=2).item())


# ---- logsumexp --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("big", [1000.0, -1000.0])
def test_logsumexp_is_stable_at_extremes(big, strict):
    for dtype in (np.float64, np.float32):
        x = np.array([[big, big], [big, big - 1.0]], dtype=dtype)
        t = wg.tensor(x, requires_grad=True)
        y = wg.logsumexp(t)
        assert y.dtype == dtype
        np.testing.assert_allclose(y.numpy(force=True), [big + np.log(2), big + np.log1p(np.exp(-1.0))],
                                   rtol=1e-6)
        y.sum().backward()
        assert t.grad.dtype == dtype
        np.testing.assert_allclose(t.grad.numpy()[0], [0.5, 0.5], rtol=1e-6)
        np.testing.assert_allclose(t.grad.numpy().sum(axis=1), [1, 1], rtol=1e-6)
    check_grads(wg.logsumexp, [np.array([big, big - 1.5, big + 0.3])], order=2)


def test_logsumexp_with_minus_infinity(strict):
    x = np.array([[-np.inf, -np.inf, -np.inf], [-np.inf, 0.0, np.log(3.0)]])
    t = wg.tensor(x, requires_grad=True)
    y = wg.logsumexp(t, axis=1)
    np.testing.assert_array_equal(y.numpy(force=True), [-np.inf, np.log(4.0)])
    y.backward(np.ones(2))
    np.testing.assert_allclose(t.grad.numpy(), [[0, 0, 0], [0, 0.25, 0.75]])
    g2 = wg.autograd.grad(wg.logsumexp(t, axis=1).sum(), t, create_graph=True)[0]
    assert not np.isnan(g2.numpy(force=True)).any()


def test_logsumexp_with_plus_infinity_and_empty_slices(strict):
    assert wg.logsumexp([1.0, np.inf]).item() == np.inf
    assert wg.logsumexp(np.zeros((2, 0))).numpy().tolist() == [-np.inf, -np.inf]


def test_logsumexp_defaults_and_scalars():
    x = np.random.default_rng(1).normal(size=(2, 3))
    np.testing.assert_allclose(wg.logsumexp(x).numpy(), np.log(np.exp(x).sum(-1)))
    assert wg.logsumexp(2.5).item() == 2.5
    assert wg.logsumexp([1, 2, 3]).dtype == np.float64


# ---- rules with a batch of cotangents / tangents ----------------------------------------------------------

BATCH_CASES = [
    ("sum", (2, 3), {"axis": (-1,), "keepdims": False}),
    ("sum", (2, 3), {"axis": (-2, -1), "keepdims": True}),
    ("max", (2, 3), {"axis": (-2,), "keepdims": False, "initial": None}),
    ("min", (2, 3, 2), {"axis": (-3, -1), "keepdims": True, "initial": None}),
    ("prod", (2, 3), {"axis": (-1,), "keepdims": False}),
    ("prod", (2, 3), {"axis": (-2, -1), "keepdims": False}),
    ("cumsum", (2, 3), {"axis": -2}),
    ("cumprod", (2, 3), {"axis": -1}),
    ("logsumexp", (2, 3), {"axis": (-1,), "keepdims": False}),
]


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("name,shape,params", BATCH_CASES)
def test_rules_pass_a_leading_batch_axis_through(name, shape, params, zeros):
    op = wg.ops.registry[name]
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 1.5, size=shape)
    if zeros:
        x.reshape(-1)[[1, 4]] = 0.0
    y = op.forward(x, **params)
    gs = rng.normal(size=(4,) + np.shape(y))
    ts = rng.normal(size=(4,) + shape)
    node = op(wg.tensor(x, requires_grad=True), **params).grad_fn
    if hasattr(op, "transpose"):
        vjp = lambda g: op.transpose(g, shape, **params)         # noqa: E731
        jvp = lambda t: op.jvp((t,), **params)                    # noqa: E731
    else:
        saved = [s.data if isinstance(s, wg.Tensor) else s for s in node.saved]
        vjp = lambda g: op.vjp(g, (True,), *saved, **params)[0]   # noqa: E731
        jvp = lambda t: op.jvp((t,), *saved, **params)            # noqa: E731
    np.testing.assert_allclose(vjp(gs), np.stack([vjp(g) for g in gs]), atol=1e-12)
    np.testing.assert_allclose(jvp(ts), np.stack([jvp(t) for t in ts]), atol=1e-12)
    # and the JVP is the transpose of the VJP: <g, J t> = <Jᵀ g, t>
    np.testing.assert_allclose(np.sum(gs[0] * jvp(ts[0])), np.sum(vjp(gs[0]) * ts[0]))


# ---- not differentiable --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn,dtype", [(wg.argmax, np.int64), (wg.argmin, np.int64),
                                      (wg.all, np.bool_), (wg.any, np.bool_)])
def test_non_differentiable_results_never_require_grad(fn, dtype):
    t = wg.tensor([[1.0, 0.0, 3.0], [2.0, 5.0, 0.5]], requires_grad=True)
    for kw in ({}, {"axis": 0}, {"axis": 1, "keepdims": True}):
        y = fn(t, **kw)
        assert isinstance(y, wg.Tensor)
        assert not y.requires_grad and y.grad_fn is None
        assert y.dtype == dtype


def test_all_any_values():
    x = np.array([[1.0, 0.0], [2.0, 3.0]])
    assert wg.all(x).item() is False and wg.any(x).item() is True
    assert wg.all(x, axis=1).tolist() == [False, True]
    assert wg.any([False, False]).item() is False
    assert wg.all(wg.tensor([1, 2])).item() is True


def test_argmax_argmin_values():
    x = np.array([[1.0, 7.0, 7.0], [9.0, 2.0, 0.0]])
    assert wg.argmax(x).item() == 3
    assert wg.argmax(x, axis=1).tolist() == [1, 0]
    assert wg.argmin(x, axis=0, keepdims=True).tolist() == [[0, 1, 1]]
    assert wg.argmax(x, keepdims=True).shape == (1, 1)


# ---- argument kinds, methods, NumPy dispatch -------------------------------------------------------------------

ALL = [wg.sum, wg.mean, wg.prod, wg.max, wg.min, wg.amax, wg.amin, wg.argmax, wg.argmin,
       wg.var, wg.std, wg.cumsum, wg.cumprod, wg.logsumexp, wg.all, wg.any]


@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_every_reduction_takes_tensors_arrays_scalars_and_lists(fn):
    ref = {"logsumexp": lse_ref}.get(fn.__name__) or getattr(np, fn.__name__)
    for data in ([[1.0, 2.0], [3.0, 4.5]], np.array([0.5, 2.0, 3.0]), 2.5, [1, 2, 3]):
        for x in (data, np.asarray(data), wg.tensor(data)):
            y = fn(x)
            assert isinstance(y, wg.Tensor) and not y.requires_grad
            np.testing.assert_allclose(y.numpy(), ref(np.asarray(data)))


def test_tensor_methods_keep_their_keywords():
    x = np.array([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
    t = wg.tensor(x, requires_grad=True)
    checks = [
        (t.sum(axis=0, keepdims=True), x.sum(axis=0, keepdims=True)),
        (t.mean(axis=1), x.mean(axis=1)),
        (t.prod(axis=1, dtype=np.float64), x.prod(axis=1)),
        (t.max(axis=0, keepdims=True), x.max(axis=0, keepdims=True)),
        (t.min(axis=None, keepdims=False), x.min()),
        (t.var(axis=1, ddof=1, keepdims=True), x.var(axis=1, ddof=1, keepdims=True)),
        (t.std(axis=0, ddof=0), x.std(axis=0)),
        (t.cumsum(axis=1), x.cumsum(axis=1)),
        (t.cumprod(axis=None), x.cumprod()),
        (t.argmax(axis=1, keepdims=True), x.argmax(axis=1, keepdims=True)),
        (t.argmin(axis=None), x.argmin()),
        (t.all(axis=0), x.all(axis=0)),
        (t.any(axis=1, keepdims=True), x.any(axis=1, keepdims=True)),
    ]
    for got, want in checks:
        assert got.shape == np.shape(want)
        np.testing.assert_allclose(got.numpy(force=True), want)


def test_numpy_functions_dispatch_to_the_reductions():
    x = np.array([[1.0, 5.0, 2.0], [4.0, 3.0, 6.0]])
    t = wg.tensor(x, requires_grad=True)
    results = [np.sum(t), np.sum(t, 0), np.max(t, axis=0), np.amax(t, axis=1), np.min(t),
               np.amin(t, 0, keepdims=True), np.prod(t, axis=1), np.mean(t, axis=0),
               np.var(t, ddof=1), np.std(t, axis=1), np.cumsum(t, axis=1), np.cumprod(t),
               np.maximum.reduce(t), np.minimum.reduce(t), np.multiply.reduce(t),
               np.add.reduce(t), np.add.accumulate(t), np.multiply.accumulate(t)]
    wants = [x.sum(), x.sum(0), x.max(0), x.max(1), x.min(), x.min(0, keepdims=True),
             x.prod(1), x.mean(0), x.var(ddof=1), x.std(1), x.cumsum(1), x.cumprod(),
             x.max(0), x.min(0), x.prod(0), x.sum(0), x.cumsum(0), x.cumprod(0)]
    for got, want in zip(results, wants):
        assert isinstance(got, wg.Tensor) and got.requires_grad
        np.testing.assert_allclose(got.numpy(force=True), want)
    for got, want in [(np.argmax(t, axis=1), x.argmax(1)), (np.all(t), x.all()),
                      (np.any(t, axis=0), x.any(0))]:
        assert isinstance(got, wg.Tensor) and not got.requires_grad
        np.testing.assert_array_equal(got.numpy(force=True), want)


def test_dtype_argument():
    t = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = wg.sum(t, dtype=np.float32)
    assert y.dtype == np.float32
    y.backward()
    assert t.grad.dtype == np.float64
    assert wg.cumsum([1, 2, 3], dtype=np.float32).dtype == np.float32
    assert wg.mean([1, 2, 4]).dtype == np.float64
    assert wg.mean(np.ones(3, np.float16)).dtype == np.float16
    assert wg.mean(wg.tensor([1, 2, 4]), dtype=np.float32).dtype == np.float32
    assert wg.sum([True, True, False]).item() == 2


def test_sum_initial():
    assert wg.sum([1.0, 2.0], initial=10.0).item() == 13.0


def test_second_order_through_a_composite_of_reductions():
    f = lambda t: wg.logsumexp(t, axis=0) * wg.std(t, axis=0) + wg.prod(wg.max(t, axis=1))  # noqa: E731
    check_grads(f, [np.array([[0.3, -1.2, 0.8], [1.1, 0.4, -0.7]])], order=2)


def test_numerical_grad_agrees_for_prod_over_a_tuple():
    x = np.random.default_rng(3).uniform(0.5, 1.5, size=(2, 3, 2))
    g = grad_of(lambda t: wg.prod(t, axis=(0, 2)), x)
    num = numerical_grad(lambda v: wg.prod(v, axis=(0, 2)).sum(), x)
    np.testing.assert_allclose(g, num, rtol=1e-6)


# ---- errors -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ALL, ids=lambda f: f.__name__)
def test_out_of_bounds_axis_is_a_clear_value_error(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: axis 2 is out of bounds .* dimension 2"):
        fn(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match="out of bounds"):
        fn(np.ones((2, 3)), axis=-3)


@pytest.mark.parametrize("fn", [wg.sum, wg.mean, wg.prod, wg.max, wg.min, wg.var, wg.std,
                                wg.logsumexp, wg.all, wg.any], ids=lambda f: f.__name__)
def test_axis_tuples_are_checked(fn):
    with pytest.raises(ValueError, match="duplicate axis"):
        fn(np.ones((2, 3)), axis=(1, -1))
    with pytest.raises(TypeError, match="axis must be"):
        fn(np.ones((2, 3)), axis=1.0)


@pytest.mark.parametrize("fn", [wg.cumsum, wg.cumprod, wg.argmax, wg.argmin],
                         ids=lambda f: f.__name__)
def test_single_axis_functions_reject_tuples(fn):
    with pytest.raises(TypeError, match="axis must be None or an int"):
        fn(np.ones((2, 3)), axis=(0, 1))


def test_axis_on_a_scalar_is_out_of_bounds_like_numpy():
    with pytest.raises(ValueError, match="dimension 0"):
        wg.sum(3.0, axis=0)


@pytest.mark.parametrize("fn", [wg.sum, wg.prod, wg.max, wg.mean, wg.var, wg.all, wg.argmax,
                                wg.cumsum], ids=lambda f: f.__name__)
def test_out_is_not_supported(fn):
    with pytest.raises(TypeError, match="out="):
        fn(np.ones(3), out=np.empty(()))


def test_where_must_be_a_boolean_mask():
    with pytest.raises(TypeError, match="boolean mask"):
        wg.sum(np.ones(3), where=np.array([1, 0, 1]))


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="needs numbers"):
        wg.sum("abc")


def test_max_of_empty_without_initial_is_a_value_error():
    with pytest.raises(ValueError):
        wg.max(np.zeros((0,)))
