"""Machine-learning functions: the op table (forward vs NumPy/math references, gradients to
second order, float32, axis variants), then stability at extreme inputs (values and gradients
finite, no warnings), conventions, erf's accuracy, softmax's properties and errors."""
import math
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops import nn
from wengert.ops._primitive import Op

_erf = np.vectorize(math.erf, otypes=[float])


def away(rng, shape, i):
    """|x| in [0.2, 2] with a random sign: clear of relu's kink."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, size=shape)


def sigmoid_ref(x):
    return 1 / (1 + np.exp(-x))


def softplus_ref(x):
    return np.log1p(np.exp(x))


def gelu_ref(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    return x * 0.5 * (1 + _erf(x / math.sqrt(2)))


def softmax_ref(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax_ref(x, axis=-1):
    s = x - np.max(x, axis=axis, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


VECTORS = [((3,),), ((2, 3),)]
S3 = [((2, 3, 4),)]
AXES = [{}, {"axis": 0}, {"axis": 1}, {"axis": -2}, {"axis": (0, 2)}, {"axis": (-1, -3)},
        {"axis": None}]

TARGETS = np.array([0, 2, 1, 2])


def cross_entropy_ref(x, reduction="mean", valid=None):
    loss = -log_softmax_ref(x)[np.arange(4), TARGETS]
    if valid is not None:
        loss = np.where(valid, loss, 0.0)
    if reduction == "none":
        return loss
    return loss.sum() / (4 if valid is None else valid.sum()) if reduction == "mean" else loss.sum()


def cross_entropy(x, reduction="mean", valid=None):
    return nn.cross_entropy_indices(x, TARGETS, valid, reduction)


ROWS = [
    Row(wg.sigmoid, sigmoid_ref, domain=(-4.0, 4.0)),
    Row(wg.relu, lambda x: np.maximum(x, 0), sample=away),
    Row(wg.softplus, softplus_ref, domain=(-4.0, 4.0)),
    Row(wg.gelu, gelu_ref, domain=(-3.0, 3.0), kwargs=[{}, {"approximate": "none"}]),
    Row(wg.gelu, gelu_ref, domain=(-3.0, 3.0), kwargs=[{"approximate": "tanh"}],
        ops=("gelu_tanh",), id="gelu_tanh"),
    Row(wg.erf, _erf, domain=(-2.5, 2.5)),
    Row(wg.softmax, softmax_ref, shapes=VECTORS),
    Row(wg.softmax, softmax_ref, shapes=S3, kwargs=AXES, id="softmax-axes"),
    Row(wg.log_softmax, log_softmax_ref, shapes=VECTORS),
    Row(wg.log_softmax, log_softmax_ref, shapes=S3, kwargs=AXES, id="log_softmax-axes"),
    Row(wg.linear, lambda x, w, b: x @ w.T + b, nargs=3,
        shapes=[((4, 3), (2, 3), (2,)), ((3,), (2, 3), (2,)), ((2, 4, 3), (5, 3), (5,))]),
    Row(lambda x, w: wg.linear(x, w), lambda x, w: x @ w.T, nargs=2, ops=("linear",),
        shapes=[((4, 3), (2, 3)), ((2, 1, 3), (2, 3))], id="linear-no-bias"),
    Row(cross_entropy, cross_entropy_ref, ops=("cross_entropy",), shapes=[((4, 3),)],
        kwargs=[{}, {"reduction": "sum"}, {"reduction": "none"},
                {"valid": np.array([True, False, True, True])}]),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_every_nn_op_and_public_name_has_a_row():
    ops = {v.name for v in vars(nn).values() if isinstance(v, Op)}
    covered = {n for r in ROWS for n in r.names()}
    assert ops - covered == set()
    assert set(nn.__all__) - covered == set()


# ---- extreme inputs ------------------------------------------------------------------------------

EXTREME = [-1000.0, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1000.0]
FUNCS = [("sigmoid", wg.sigmoid), ("relu", wg.relu), ("softplus", wg.softplus), ("gelu", wg.gelu),
         ("gelu_tanh", lambda x: wg.gelu(x, approximate="tanh")), ("erf", wg.erf),
         ("softmax", wg.softmax), ("log_softmax", wg.log_softmax),
         ("softmax-axis0", lambda x: wg.softmax(x.reshape(3, 3), axis=0)),
         ("log_softmax-all", lambda x: wg.log_softmax(x, axis=None))]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,f", FUNCS, ids=[n for n, _ in FUNCS])
def test_extreme_inputs_give_finite_values_and_gradients_without_warnings(name, f, dtype):
    x = wg.tensor(EXTREME, dtype=dtype, requires_grad=True)
    u = wg.tensor(np.linspace(-1.0, 2.0, len(EXTREME)), dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = f(x)
        (g,) = wg.autograd.grad((y * u.reshape(y.shape)).sum(), [x], create_graph=True)
        if g.requires_grad:                  # relu's gradient is piecewise constant
            (h,) = wg.autograd.grad((g * g).sum(), [x])
            assert np.all(np.isfinite(h.numpy(force=True))) and h.dtype == dtype
    assert y.dtype == dtype and g.dtype == dtype
    assert np.all(np.isfinite(y.numpy(force=True))), y
    assert np.all(np.isfinite(g.numpy(force=True))), g


def test_values_and_gradients_at_extremes():
    x = np.array([-1000.0, 1000.0])

    def value_and_grad(f):
        t = wg.tensor(x, requires_grad=True)
        y = f(t)
        y.sum().backward()
        return y.tolist(), t.grad.tolist()

    assert value_and_grad(wg.sigmoid) == ([0.0, 1.0], [0.0, 0.0])
    assert value_and_grad(wg.softplus) == ([0.0, 1000.0], [0.0, 1.0])
    assert value_and_grad(wg.gelu) == ([0.0, 1000.0], [0.0, 1.0])
    assert value_and_grad(lambda t: wg.gelu(t, approximate="tanh")) == ([0.0, 1000.0], [0.0, 1.0])
    assert value_and_grad(wg.relu) == ([0.0, 1000.0], [0.0, 1.0])
    assert value_and_grad(wg.erf) == ([-1.0, 1.0], [0.0, 0.0])
    assert value_and_grad(wg.softmax) == ([0.0, 1.0], [0.0, 0.0])
    assert value_and_grad(wg.log_softmax) == ([-2000.0, 0.0], [1.0, -1.0])


def test_infinities_and_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = wg.tensor([-math.inf, math.inf, math.nan])
        assert wg.sigmoid(x).tolist()[:2] == [0.0, 1.0] and math.isnan(wg.sigmoid(x).tolist()[2])
        assert wg.softplus(x).tolist()[:2] == [0.0, math.inf]
        assert wg.relu(x).tolist()[:2] == [0.0, math.inf] and math.isnan(wg.relu(x).tolist()[2])
        assert wg.erf(x).tolist()[:2] == [-1.0, 1.0] and math.isnan(wg.erf(x).tolist()[2])
        assert wg.softmax(wg.tensor([-math.inf, 0.0, 1.0])).tolist()[0] == 0.0
        assert wg.log_softmax(wg.tensor([-math.inf, 0.0])).tolist() == [-math.inf, 0.0]


def test_small_values_keep_their_relative_accuracy():
    x = wg.tensor([-700.0, -50.0, 50.0])
    np.testing.assert_allclose(wg.sigmoid(x).numpy()[:2], np.exp([-700.0, -50.0]), rtol=1e-14)
    np.testing.assert_allclose(wg.softplus(x).numpy(), [math.exp(-700), math.exp(-50), 50.0],
                               rtol=1e-14)
    t = wg.tensor([-50.0], requires_grad=True)
    wg.softplus(t).backward()
    np.testing.assert_allclose(t.grad.numpy(), [math.exp(-50)], rtol=1e-14)


# ---- conventions --------------------------------------------------------------------------------

def test_relu_derivative_at_zero_is_zero_and_float32_is_kept():
    for dtype in (np.float64, np.float32):
        x = wg.tensor([-1.0, 0.0, 2.0], dtype=dtype, requires_grad=True)
        y = wg.relu(x)
        y.sum().backward()
        assert y.dtype == dtype and x.grad.dtype == dtype
        assert x.grad.tolist() == [0.0, 0.0, 1.0]
    assert wg.relu(wg.tensor([-2, 3])).tolist() == [0, 3]
    assert wg.relu(wg.tensor([-2, 3])).dtype == np.int64


def test_sigmoid_derivative_is_y_times_one_minus_y():
    x = wg.tensor([-2.0, 0.0, 0.5, 3.0], requires_grad=True)
    y = wg.sigmoid(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), y.numpy(force=True) * (1 - y.numpy(force=True)), rtol=1e-15)
    assert y.grad_fn.name == "SigmoidBackward"


def test_softplus_derivative_is_the_sigmoid():
    x = wg.tensor(np.linspace(-30, 30, 13), requires_grad=True)
    wg.softplus(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), sigmoid_ref(x.numpy(force=True)), rtol=1e-13)


def test_gelu_derivative_and_options():
    x = wg.tensor([-2.0, 0.0, 1.5], requires_grad=True)
    y = wg.gelu(x)
    y.sum().backward()
    xs = x.numpy(force=True)
    phi = np.exp(-xs ** 2 / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(x.grad.numpy(), 0.5 * (1 + _erf(xs / math.sqrt(2))) + xs * phi,
                               rtol=1e-14)
    assert x.grad.tolist()[1] == 0.5
    assert y.grad_fn.name == "GeluBackward"
    assert wg.gelu(x, approximate="tanh").grad_fn.name == "GeluBackward"
    grid = np.linspace(-4, 4, 101)
    np.testing.assert_allclose(wg.gelu(grid).numpy(force=True), wg.gelu(grid, approximate="tanh").numpy(force=True),
                               atol=1e-3)
    with pytest.raises(ValueError, match="approximate"):
        wg.gelu(x, approximate="erf")


def test_methods_and_input_kinds():
    t = wg.tensor([-1.0, 2.0], requires_grad=True)
    assert t.sigmoid().requires_grad and t.relu().tolist() == [0.0, 2.0]
    for f in (wg.sigmoid, wg.relu, wg.softplus, wg.gelu, wg.erf, wg.softmax, wg.log_softmax):
        for a in ([1.0, -2.0], np.array([0.5, 1.0]), np.float32([1, 2])):
            out = f(a)
            assert isinstance(out, wg.Tensor) and not out.requires_grad
        if f not in (wg.softmax, wg.log_softmax):
            assert isinstance(f(0.5), wg.Tensor)
    assert wg.softmax(np.float32([1, 2])).dtype == np.float32


# ---- erf --------------------------------------------------------------------------------------------

def _ulps(got, want):
    return np.abs(got - want) / np.maximum(np.abs(want), np.finfo(np.float64).tiny) / 2.0 ** -52


@pytest.mark.parametrize("n", [7, 300, 20001])
def test_erf_is_float64_accurate_on_both_paths(n):
    # n ≤ 256 goes through math.erf per element, more through the Taylor table
    rng = np.random.default_rng(n)
    x = np.concatenate([np.linspace(-7, 7, n), rng.normal(scale=2, size=n),
                        np.geomspace(1e-300, 7, n) * rng.choice([-1, 1], size=n)])[:max(n, 3)]
    got = wg.erf(x).numpy()
    assert _ulps(got, _erf(x)).max() <= 2.0


def test_erf_special_values_and_symmetry():
    big = np.concatenate([np.linspace(-10, 10, 1001), [0.0, -0.0, math.inf, -math.inf, math.nan,
                                                       1e300, -1e300, 5e-324]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (big, big[-8:]):                   # the table path and the math.erf path
            y = wg.erf(x).numpy()
            tail = y[-8:]
            assert tail[0] == 0.0 and not np.signbit(tail[0])
            assert tail[1] == 0.0 and np.signbit(tail[1])
            assert tail[2] == 1.0 and tail[3] == -1.0 and math.isnan(tail[4])
            assert tail[5] == 1.0 and tail[6] == -1.0 and tail[7] == math.erf(5e-324)
    x = np.linspace(0, 10, 2001)
    np.testing.assert_array_equal(wg.erf(-x).numpy(), -wg.erf(x).numpy())


def test_erf_dtypes_and_derivative():
    x32 = np.linspace(-3, 3, 1000, dtype=np.float32)
    y = wg.erf(x32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(force=True), _erf(x32.astype(np.float64)).astype(np.float32))
    assert wg.erf(wg.tensor([0, 1])).dtype == np.float64
    t = wg.tensor([-1.0, 0.0, 0.7], requires_grad=True)
    wg.erf(t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(force=True), 2 / math.sqrt(math.pi) * np.exp(-t.numpy(force=True) ** 2),
                               rtol=1e-15)
    assert wg.erf(0.5).item() == math.erf(0.5)


# ---- softmax and log_softmax ----------------------------------------------------------------------------

def test_softmax_sums_to_one_and_ignores_shifts():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)) * 10
    for axis in (-1, 0, (0, 2), None):
        y = wg.softmax(x, axis=axis).numpy()
        np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-14)
        np.testing.assert_allclose(wg.softmax(x + 500.0, axis=axis).numpy(), y, rtol=1e-12)
        np.testing.assert_allclose(wg.log_softmax(x, axis=axis).numpy(), np.log(y), rtol=1e-12,
                                   atol=1e-12)


def test_softmax_gradient_is_the_jacobian_diag_y_minus_y_y_transposed():
    x = wg.tensor([0.3, -1.2, 2.0], requires_grad=True)
    y = wg.softmax(x)
    gs = np.eye(3)
    rows = []
    for g in gs:
        (r,) = wg.autograd.grad(y, [x], grad_outputs=wg.tensor(g), retain_graph=True)
        rows.append(r.numpy(force=True))
    yv = y.numpy(force=True)
    np.testing.assert_allclose(np.array(rows), np.diag(yv) - np.outer(yv, yv), atol=1e-15)
    x.grad = None
    wg.softmax(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 0.0, atol=1e-15)
    assert y.grad_fn.name == "SoftmaxBackward"
    assert wg.log_softmax(x).grad_fn.name == "LogSoftmaxBackward"


def test_softmax_saves_only_its_output():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    y = wg.log_softmax(a)
    a += 1.0                        # its input may change afterwards: the rule does not read it
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 1 - 2 * softmax_ref(np.array([1.0, 2.0])))


def test_softmax_axis_errors():
    with pytest.raises(ValueError, match="out of bounds"):
        wg.softmax(wg.tensor(1.0))                   # a 0-d input has no axis -1
    with pytest.raises(ValueError, match="out of bounds"):
        wg.log_softmax(wg.tensor([1.0, 2.0]), axis=1)
    assert wg.softmax(wg.tensor(3.0), axis=None).item() == 1.0


BATCH = [("softmax", (2, 3), {"axis": (-1,)}), ("softmax", (2, 3, 2), {"axis": (-3, -1)}),
         ("log_softmax", (2, 3), {"axis": (-2,)}), ("log_softmax", (4,), {"axis": (-1,)})]


@pytest.mark.parametrize("name,shape,params", BATCH)
def test_rules_pass_a_leading_batch_axis_through_and_are_transposes(name, shape, params):
    op = wg.ops.registry[name]
    rng = np.random.default_rng(0)
    x = rng.normal(size=shape)
    y = op.forward(x, **params)
    gs = rng.normal(size=(4,) + shape)
    ts = rng.normal(size=(4,) + shape)
    vjp = lambda g: op.vjp(g, (True,), y, **params)[0]      # noqa: E731
    jvp = lambda t: op.jvp((t,), y, **params)               # noqa: E731
    np.testing.assert_allclose(vjp(gs), np.stack([vjp(g) for g in gs]), atol=1e-12)
    np.testing.assert_allclose(jvp(ts), np.stack([jvp(t) for t in ts]), atol=1e-12)
    np.testing.assert_allclose(np.sum(gs[0] * jvp(ts[0])), np.sum(vjp(gs[0]) * ts[0]))
    # and the JVP matches a central difference of the forward
    h = 1e-6
    fd = (op.forward(x + h * ts[0], **params) - op.forward(x - h * ts[0], **params)) / (2 * h)
    np.testing.assert_allclose(jvp(ts[0]), fd, rtol=1e-6, atol=1e-8)


# ---- the cross-entropy residual --------------------------------------------------------------

def test_cross_entropy_residual_gives_the_recorded_gradient_and_survives_a_retained_graph():
    # first-order backward starts from the forward's log softmax (a residual kept on the node);
    # a retained graph must give the same gradient again (the residual is never written into),
    # and it must equal the rule recorded from the logits (create_graph=True)
    rng = np.random.default_rng(3)
    x = wg.tensor(rng.standard_normal((4, 3)) * 50, requires_grad=True)
    valid = np.array([True, False, True, True])
    loss = nn.cross_entropy_indices(x, TARGETS, valid, "mean")
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    x.grad = None
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), first)
    (recorded,) = wg.autograd.grad(nn.cross_entropy_indices(x, TARGETS, valid, "mean"), x,
                                   create_graph=True)
    np.testing.assert_allclose(recorded.numpy(force=True), first, rtol=1e-12, atol=1e-15)
    p = softmax_ref(x.numpy(force=True))
    p[np.arange(4), TARGETS] -= 1
    np.testing.assert_allclose(first, p * valid[:, None] / 3, rtol=1e-12, atol=1e-15)
