"""Making tensors: wg.tensor / asarray, filled constructors, ranges, random numbers, dtypes."""
import numpy as np
import pytest

import wengert as wg


# ---- wg.tensor and dtypes ---------------------------------------------------------------------

@pytest.mark.parametrize("data,dtype", [
    (1.5, np.float64), ([1.0, 2.0], np.float64), ([[1.0], [2.0]], np.float64),
    (3, np.int64), ([1, 2], np.int64), ([1, 2.5], np.float64), (True, np.bool_),
    ([True, False], np.bool_), (np.float32(2.0), np.float32),
    (np.array([1, 2], dtype=np.int32), np.int32), (np.ones(2, np.float16), np.float16),
])
def test_dtype_follows_numpy(data, dtype):
    t = wg.tensor(data)
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.asarray(data))


def test_dtype_argument():
    assert wg.tensor([1, 2], dtype=wg.float32).dtype == np.float32
    assert wg.tensor([1.7], dtype=wg.int64).dtype == np.int64
    assert wg.tensor(1.0, dtype="float16").dtype == np.float16


def test_dtype_names_are_numpy_dtypes():
    for name in ("float16", "float32", "float64", "int32", "int64", "bool_"):
        assert np.dtype(getattr(wg, name)) == np.dtype(getattr(np, name))


def test_tensor_copies_its_data():
    a = np.array([1.0, 2.0])
    t = wg.tensor(a)
    a[0] = 9.0
    assert t.numpy()[0] == 1.0


def test_tensor_of_a_tensor_copies_and_stays_differentiable():
    # API §9: nothing detaches silently. Of a tensor requiring grad, wg.tensor is a recorded
    # copy (wg.tensor(x.detach()), or under no_grad, gives the detached leaf copy)
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    t = wg.tensor(x)
    assert t.requires_grad and not t.is_leaf
    assert not np.shares_memory(t.numpy(force=True), x.numpy(force=True))
    for t in (wg.tensor(x.detach()), wg.no_grad()(wg.tensor)(x)):
        assert not t.requires_grad and t.is_leaf
        assert not np.shares_memory(t.numpy(force=True), x.numpy(force=True))


def test_tensor_requires_grad_and_name():
    t = wg.tensor([1.0, 2.0], requires_grad=True, name="w")
    assert t.requires_grad and t.is_leaf and t.name == "w"
    assert wg.tensor(1.0).name is None


def test_scalar_and_empty_shapes():
    assert wg.tensor(3.0).shape == ()
    assert wg.tensor([]).shape == (0,)


def test_string_data_is_a_type_error():
    with pytest.raises(TypeError, match="str"):
        wg.tensor("a")
    with pytest.raises(TypeError):
        wg.tensor(b"a")


@pytest.mark.parametrize("bad", [None, {"a": 1}, object(), [1, "a"]])
def test_non_numeric_data_is_a_type_error(bad):
    with pytest.raises(TypeError):
        wg.tensor(bad)


def test_ragged_data_is_a_value_error():
    with pytest.raises(ValueError, match="rectangular"):
        wg.tensor([[1], [2, 3]])


@pytest.mark.parametrize("data", [[1, 2], [True, False], 3])
def test_requires_grad_on_integer_or_bool_data_is_a_type_error(data):
    with pytest.raises(TypeError, match="floating"):
        wg.tensor(data, requires_grad=True)


def test_requires_grad_setter_on_an_integer_tensor_is_a_type_error():
    t = wg.tensor([1, 2])
    with pytest.raises(TypeError, match="floating"):
        t.requires_grad = True
    with pytest.raises(TypeError, match="floating"):
        t.requires_grad_()
    assert not t.requires_grad


# ---- asarray --------------------------------------------------------------------------------------

def test_asarray_does_not_copy_where_possible():
    a = np.ones(3)
    assert np.shares_memory(wg.asarray(a).numpy(), a)
    t = wg.tensor([1.0, 2.0], requires_grad=True)
    assert wg.asarray(t) is t


def test_asarray_with_dtype_converts():
    t = wg.asarray([1, 2], dtype=wg.float32)
    assert t.dtype == np.float32
    assert wg.asarray([1.0]).dtype == np.float64


def test_asarray_errors_like_tensor():
    with pytest.raises(TypeError):
        wg.asarray("abc")
    with pytest.raises(ValueError):
        wg.asarray([[1.0], [2.0, 3.0]])


# ---- filled constructors --------------------------------------------------------------------------

@pytest.mark.parametrize("fn,value", [(wg.zeros, 0.0), (wg.ones, 1.0)])
def test_zeros_ones(fn, value):
    t = fn((2, 3))
    assert t.shape == (2, 3) and t.dtype == np.float64 and (t.numpy() == value).all()
    assert fn(4).shape == (4,)
    assert fn(2, dtype=wg.float32).dtype == np.float32
    assert fn(2, requires_grad=True).requires_grad


def test_empty():
    t = wg.empty((2, 2))
    assert t.shape == (2, 2) and t.dtype == np.float64
    assert wg.empty_like(t).shape == (2, 2)


def test_full():
    np.testing.assert_array_equal(wg.full((2,), 7.0).numpy(), [7.0, 7.0])
    assert wg.full(2, 3).dtype == np.int64
    assert wg.full((2,), 1.0, dtype=wg.float32).dtype == np.float32
    assert wg.full((1,), wg.tensor(2.5)).item() == 2.5


def test_like_constructors_follow_the_argument():
    x = wg.tensor([[1, 2], [3, 4]])
    assert wg.zeros_like(x).dtype == np.int64 and wg.zeros_like(x).shape == (2, 2)
    assert wg.ones_like(x, dtype=wg.float64).dtype == np.float64
    np.testing.assert_array_equal(wg.full_like(x, 5).numpy(), np.full((2, 2), 5))
    y = wg.ones_like(np.zeros(3), requires_grad=True)
    assert y.requires_grad and y.shape == (3,)


def test_arange_linspace_eye():
    np.testing.assert_array_equal(wg.arange(5).numpy(), np.arange(5))
    assert wg.arange(5).dtype == np.int64
    np.testing.assert_array_equal(wg.arange(1.0, 2.0, 0.25).numpy(), [1.0, 1.25, 1.5, 1.75])
    np.testing.assert_array_equal(wg.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    np.testing.assert_array_equal(wg.eye(3).numpy(), np.eye(3))
    np.testing.assert_array_equal(wg.eye(2, 3, 1).numpy(), np.eye(2, 3, 1))
    assert wg.arange(3.0, requires_grad=True).requires_grad


def test_constructors_make_leaves():
    for t in (wg.zeros(2), wg.ones(2), wg.full(2, 1.0), wg.arange(2.0), wg.linspace(0, 1, 2),
              wg.eye(2), wg.randn(2), wg.rand(2)):
        assert isinstance(t, wg.Tensor) and t.is_leaf and t.grad_fn is None


def test_integer_constructor_with_requires_grad_is_a_type_error():
    with pytest.raises(TypeError, match="floating"):
        wg.zeros(2, dtype=wg.int64, requires_grad=True)
    with pytest.raises(TypeError, match="floating"):
        wg.arange(3, requires_grad=True)


# ---- random ----------------------------------------------------------------------------------------

def test_manual_seed_makes_random_numbers_reproducible():
    wg.manual_seed(123)
    a = (wg.randn(3, 2).numpy(), wg.rand(4).numpy(), wg.randint(0, 10, (5,)).numpy())
    wg.manual_seed(123)
    b = (wg.randn(3, 2).numpy(), wg.rand(4).numpy(), wg.randint(0, 10, (5,)).numpy())
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    wg.manual_seed(124)
    assert not np.array_equal(wg.randn(3, 2).numpy(), a[0])


def test_random_shapes_and_dtypes():
    wg.manual_seed(0)
    assert wg.randn(2, 3).shape == (2, 3) and wg.randn((2, 3)).shape == (2, 3)
    assert wg.randn(2).dtype == np.float64
    assert wg.rand(4, dtype=wg.float32).dtype == np.float32
    r = wg.rand(1000).numpy()
    assert (r >= 0).all() and (r < 1).all()
    i = wg.randint(2, 5, (100,))
    assert i.dtype == np.int64 and i.numpy().min() >= 2 and i.numpy().max() < 5
    assert wg.randint(3, size=(4,)).numpy().max() < 3
    assert wg.randn(2, requires_grad=True).requires_grad
