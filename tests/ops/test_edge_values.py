"""softmax, log_softmax and logsumexp over empty axes; NaN and inf reaching the gradients of
maximum, minimum, relu and logsumexp (shown, never swallowed), with the kink conventions and
the masked-gradient rule (an exactly-zero cotangent contributes exactly zero) kept."""
import numpy as np
import pytest

import wengert as wg

NAN, INF = np.nan, np.inf
EMPTY = [((3, 0), -1), ((0, 3), 0), ((0, 3), -1), ((2, 0, 3), 1), ((0,), None), ((2, 0), (0, 1))]


def _np_lse(x, axis):
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x), axis=axis))


def _np_softmax(x, axis):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape,axis", EMPTY)
@pytest.mark.parametrize("f,ref", [(wg.softmax, _np_softmax),
                                   (wg.log_softmax, lambda x, a: np.log(_np_softmax(x, a))),
                                   (wg.logsumexp, _np_lse)],
                         ids=["softmax", "log_softmax", "logsumexp"])
def test_empty_axis_gives_numpy_result_and_empty_gradient(f, ref, shape, axis, dtype):
    a = np.zeros(shape, dtype)
    x = wg.tensor(a, requires_grad=True)
    y = f(x, axis=axis)
    want = ref(a, axis)
    assert y.shape == want.shape and y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(force=True), want)          # logsumexp: −inf per empty slice
    y.backward(np.ones(y.shape, dtype))
    assert x.grad.shape == shape and x.grad.dtype == dtype
    _, t = wg.jvp(lambda v: f(v, axis=axis), (a,), (a,))
    assert t.shape == want.shape


# ---- NaN inputs give NaN gradients ------------------------------------------------------------------

def _grad(f, a, *rest):
    x = wg.tensor(np.asarray(a, dtype=float), requires_grad=True)
    f(x, *rest).sum().backward()
    return x.grad.numpy(force=True)


def test_maximum_minimum_propagate_nan_to_the_gradient():
    for op in (wg.maximum, wg.minimum):
        np.testing.assert_array_equal(_grad(op, [NAN, 1.0, 2.0], 1.5),
                                      [NAN, 1.0 if op is wg.minimum else 0.0,
                                       1.0 if op is wg.maximum else 0.0])
        y = wg.tensor([0.0, NAN, 1.0], requires_grad=True)
        op(np.array([NAN, 0.0, 1.0]), y).sum().backward()
        np.testing.assert_array_equal(y.grad.numpy(force=True), [NAN, NAN, 0.5])   # tie: ½ each
        _, t = wg.jvp(lambda v: op(v, 1.0), (np.array([NAN, 3.0]),), (np.ones(2),))
        np.testing.assert_array_equal(t, [NAN, 1.0 if op is wg.maximum else 0.0])


def test_maximum_inf_keeps_its_derivative():
    np.testing.assert_array_equal(_grad(wg.maximum, [INF, -INF, INF], [1.0, 1.0, INF]),
                                  [1.0, 0.0, 0.5])


def test_relu_propagates_nan_and_keeps_its_kink():
    np.testing.assert_array_equal(_grad(wg.relu, [NAN, -1.0, 0.0, 2.0, INF]),
                                  [NAN, 0.0, 0.0, 1.0, 1.0])          # relu′(0) = 0
    x = wg.tensor(np.array([NAN, 2.0], np.float32), requires_grad=True)
    wg.relu(x).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(force=True), [NAN, 1.0])
    _, t = wg.jvp(wg.relu, (np.array([NAN, 2.0, -1.0]),), (np.ones(3),))
    np.testing.assert_array_equal(t, [NAN, 1.0, 0.0])


def test_relu_nan_second_order():
    x = wg.tensor([NAN, 2.0], requires_grad=True)
    (g,) = wg.autograd.grad((wg.relu(x) ** 2).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(g.numpy(force=True), [NAN, 4.0])
    (h,) = wg.autograd.grad(g.sum(), [x])
    np.testing.assert_array_equal(h.numpy(force=True), [NAN, 2.0])


def test_logsumexp_nan_and_inf():
    np.testing.assert_array_equal(_grad(wg.logsumexp, [NAN, 1.0]), [NAN, NAN])
    np.testing.assert_array_equal(_grad(wg.logsumexp, [INF, 1.0, -INF]), [NAN, 0.0, 0.0])
    np.testing.assert_array_equal(_grad(wg.logsumexp, [-INF, -INF]), [0.0, 0.0])
    g = _grad(lambda x: wg.logsumexp(x, axis=1), [[INF, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(g, [[NAN, 0.0], [0.5, 0.5]])
    _, t = wg.jvp(wg.logsumexp, (np.array([INF, 1.0]),), (np.ones(2),))
    assert np.isnan(t)


@pytest.mark.parametrize("f", [lambda x: wg.maximum(x, 0.0), lambda x: wg.minimum(x, 0.0),
                               wg.relu, lambda x: wg.logsumexp(x, axis=-1)],
                         ids=["maximum", "minimum", "relu", "logsumexp"])
def test_masked_cotangent_contributes_exactly_zero(f):
    a = np.array([[NAN, 1.0], [INF, 1.0]])
    x = wg.tensor(a, requires_grad=True)
    y = f(x)
    mask = np.zeros(y.shape)            # every cotangent exactly 0
    y.backward(mask)
    np.testing.assert_array_equal(x.grad.numpy(force=True), 0.0)
    x = wg.tensor(a, requires_grad=True)
    (g,) = wg.autograd.grad(f(x), [x], grad_outputs=[wg.tensor(mask)], create_graph=True)
    np.testing.assert_array_equal(g.numpy(force=True), 0.0)
