"""NumPy interop: np.asarray, ufuncs and NumPy functions on Tensors stay differentiable."""
import numpy as np
import pytest

import wengert as wg
from wengert.checking import check_grads

A = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.fixture
def t():
    return wg.tensor(A, requires_grad=True)


def test_np_asarray_gives_the_value(t):
    t = t.detach()        # (of a tensor requiring grad it is a TypeError: test_value_exits.py)
    a = np.asarray(t)
    assert type(a) is np.ndarray
    np.testing.assert_array_equal(a, A)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert np.array(t).dtype == np.float64


def test_np_ufunc_on_a_tensor_is_differentiable(t):
    y = np.exp(t)
    assert type(y) is wg.Tensor and y.grad_fn.name == "ExpBackward"
    y.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), np.exp(A))


def test_np_sum_with_axis(t):
    y = np.sum(t, axis=0)
    assert type(y) is wg.Tensor and y.grad_fn is not None
    np.testing.assert_array_equal(y.numpy(force=True), [4.0, 6.0])
    (y * wg.tensor([1.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[1.0, 2.0], [1.0, 2.0]])


def test_np_concatenate_of_tensors(t):
    u = wg.tensor([[5.0, 6.0]], requires_grad=True)
    c = np.concatenate([t, u])
    assert type(c) is wg.Tensor and c.shape == (3, 2)
    (c * wg.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), [[1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_array_equal(u.grad.numpy(), [[3.0, 3.0]])


@pytest.mark.parametrize("f", [
    lambda x: np.mean(x, axis=1), lambda x: np.maximum(x, 2.5), lambda x: np.reshape(x, (4,)),
    lambda x: np.transpose(x), lambda x: np.add.reduce(x, axis=0), lambda x: np.cumsum(x, axis=0),
    lambda x: np.stack([x, x]), lambda x: np.where(x > 2.5, x, 0.0),
    lambda x: np.tanh(x) * np.sqrt(x), lambda x: np.linalg.norm(x),
], ids=["mean", "maximum", "reshape", "transpose", "add.reduce", "cumsum", "stack", "where",
        "tanh*sqrt", "linalg.norm"])
def test_numpy_functions_dispatch_and_stay_differentiable(t, f):
    y = f(t)
    assert type(y) is wg.Tensor and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(A))
    check_grads(f, [A], order=1)


@pytest.mark.parametrize("other", [np.array([1.0, 2.0]), np.float64(3.0)])
def test_ndarray_on_either_side_of_operators(t, other):
    for r in (other + t, t + other, other * t, t * other, other - t, other / t, other ** t):
        assert type(r) is wg.Tensor and r.requires_grad


def test_ndarray_matmul_on_either_side(t):
    assert type(np.eye(2) @ t) is wg.Tensor and type(t @ np.eye(2)) is wg.Tensor


def test_array_namespace_is_wengert(t):
    assert t.__array_namespace__() is wg
    xp = t.__array_namespace__()
    y = xp.sum(xp.exp(t))
    assert y.requires_grad


def test_unmodified_numpy_code_is_differentiated():
    def numpy_model(x, w):
        """Written for NumPy arrays, knows nothing about wengert."""
        h = np.tanh(x @ w)
        return np.sum(np.exp(-h ** 2) + np.log1p(h * h)) / np.size(h)

    rng = np.random.default_rng(0)
    xv, wv = rng.normal(size=(3, 2)), rng.normal(size=(2, 4))
    value = numpy_model(xv, wv)                          # still works on arrays
    x, w = wg.tensor(xv), wg.tensor(wv, requires_grad=True)
    y = numpy_model(x, w)
    assert type(y) is wg.Tensor
    assert y.item() == pytest.approx(value)
    y.backward()
    assert w.grad.shape == (2, 4)
    check_grads(numpy_model, [xv, wv], order=2)


def test_unsupported_numpy_function_on_a_tensor_requiring_grad_is_a_type_error(t):
    with pytest.raises(TypeError, match="not differentiable"):
        np.histogram(t)
    with pytest.raises(TypeError, match="complex differentiation covers only the fft family"):
        np.sin(np.fft.fft(t))         # the transform differentiates; sin of complex does not


def test_unsupported_numpy_function_on_a_constant_just_runs(t):
    assert np.median(t.detach()) == 2.5
    with wg.no_grad():
        assert np.median(t) == 2.5


def test_ufunc_with_unsupported_keywords_on_a_tensor_requiring_grad_is_a_type_error(t):
    with pytest.raises(TypeError):
        np.add(t, 1.0, where=np.array([True, False]))


def test_shape_queries_work_on_tensors(t):
    assert np.shape(t) == (2, 2) and np.ndim(t) == 2 and np.size(t) == 4
    assert np.allclose(t, A)


def test_np_sort_of_a_tensor_requiring_grad_is_differentiable_or_an_error(t):
    try:
        y = np.sort(t, axis=None)
    except TypeError:
        return
    assert isinstance(y, wg.Tensor) and y.requires_grad
