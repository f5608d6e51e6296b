"""The Tensor: attributes, methods, repr, conversions, operators."""
import operator

import numpy as np
import pytest

import wengert as wg

A = np.array([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])


@pytest.fixture
def t():
    return wg.tensor(A, requires_grad=True)


# ---- attributes ----------------------------------------------------------------------------------

def test_attributes(t):
    assert t.shape == (2, 3) and t.dtype == np.float64 and t.ndim == 2 and t.size == 6
    assert t.device == "cpu"
    assert t.is_leaf and t.grad_fn is None and t.grad is None and t.requires_grad
    assert t.name is None


def test_T_and_mT_are_differentiable_transposes(t):
    np.testing.assert_array_equal(t.T.numpy(force=True), A.T)
    b = wg.tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(b.mT.numpy(force=True), np.swapaxes(b.numpy(force=True), -1, -2))
    np.testing.assert_array_equal(b.T.numpy(force=True), b.numpy(force=True).T)
    (t.T * wg.tensor(A.T)).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), A)
    assert t.mT.grad_fn is not None


def test_non_leaf_attributes(t):
    y = t * 2
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name == "MulBackward"


def test_name_is_settable():
    t = wg.tensor(1.0)
    t.name = "x"
    assert t.name == "x"


def test_requires_grad_is_settable_on_leaves():
    t = wg.tensor([1.0])
    t.requires_grad = True
    assert t.requires_grad and t.is_leaf
    t.requires_grad = False
    assert not t.requires_grad
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


# ---- methods -------------------------------------------------------------------------------------

def test_numpy_returns_the_value_outside_the_graph(t):
    a = t.numpy(force=True)
    assert type(a) is np.ndarray
    np.testing.assert_array_equal(a, A)
    y = t * 2
    assert type(y.numpy(force=True)) is np.ndarray and type(wg.tensor(2.0).numpy(force=True)) is np.ndarray
    s = (t * 1).sum()
    assert type(s.numpy(force=True)) is np.ndarray and s.numpy(force=True).shape == ()


def test_item_and_tolist(t):
    assert wg.tensor(3.5).item() == 3.5 and type(wg.tensor(3.5).item()) is float
    assert type(wg.tensor(3).item()) is int
    assert wg.tensor([[2.0]]).item() == 2.0
    assert t.tolist() == A.tolist()
    with pytest.raises(ValueError):
        t.item()


def test_detach_and_copy(t):
    d = t.detach()
    assert not d.requires_grad and d.grad_fn is None and np.shares_memory(d.numpy(force=True), t.numpy(force=True))
    c = t.copy()
    assert c.grad_fn is not None and not np.shares_memory(c.numpy(force=True), t.numpy(force=True))
    c.sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones_like(A))


def test_astype(t):
    f = t.astype(wg.float32)
    assert f.dtype == np.float32 and f.grad_fn is not None
    f.sum().backward()
    assert t.grad.dtype == np.float64
    i = t.astype(wg.int64)
    assert i.dtype == np.int64 and not i.requires_grad


@pytest.mark.parametrize("name,args,kwargs", [
    ("sum", (), {}), ("sum", (0,), {}), ("sum", (), {"axis": 1, "keepdims": True}),
    ("mean", (1,), {}), ("prod", (), {}), ("max", (), {}), ("min", (0,), {}),
    ("max", (), {"axis": 1, "keepdims": True}), ("var", (), {}), ("std", (1,), {}),
    ("cumsum", (1,), {}), ("clip", (2.0, 4.0), {}), ("flatten", (), {}), ("ravel", (), {}),
    ("squeeze", (), {}), ("swapaxes", (0, 1), {}), ("transpose", (), {}),
    ("transpose", (1, 0), {}), ("transpose", ((1, 0),), {}), ("reshape", (3, 2), {}),
    ("reshape", ((3, 2),), {}), ("reshape", (-1,), {}), ("dot", (A.T,), {}),
])
def test_numpy_named_methods_match_numpy_and_are_differentiable(t, name, args, kwargs):
    r = getattr(t, name)(*args, **kwargs)
    ref = getattr(A, name)(*args, **kwargs)
    assert isinstance(r, wg.Tensor) and r.requires_grad
    np.testing.assert_allclose(r.numpy(force=True), ref)
    r.sum().backward()
    assert t.grad.shape == A.shape


@pytest.mark.parametrize("name,args", [("argmax", ()), ("argmin", (1,)), ("argmax", (0,))])
def test_arg_methods_are_integer_and_not_differentiable(t, name, args):
    r = getattr(t, name)(*args)
    np.testing.assert_array_equal(r.numpy(), getattr(A, name)(*args))
    assert r.dtype.kind == "i" and not r.requires_grad


# ---- repr --------------------------------------------------------------------------------------

def test_repr_like_pytorch():
    assert repr(wg.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    x = wg.tensor(6.0, requires_grad=True)
    assert repr(x * 7) == "tensor(42., grad_fn=<MulBackward>)"
    assert repr(wg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(wg.tensor(3.0)) == "tensor(3.)"
    assert repr(wg.tensor([1.0, 2.0], dtype=wg.float32)) == "tensor([1., 2.], dtype=float32)"
    assert repr(wg.tensor([True, False])) == "tensor([ True, False])"
    assert repr(wg.tensor([[1.0, 2.0], [3.0, 4.0]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    assert str(wg.tensor([1.0])) == "tensor([1.])"


# ---- conversions -----------------------------------------------------------------------------------

def test_len_and_iteration(t):
    assert len(t) == 2
    rows = list(t)
    assert len(rows) == 2 and all(isinstance(r, wg.Tensor) for r in rows)
    np.testing.assert_array_equal(rows[1].numpy(force=True), A[1])
    (rows[0] * 2 + rows[1]).sum().backward()        # rows are differentiable
    np.testing.assert_array_equal(t.grad.numpy(), [[2.0] * 3, [1.0] * 3])


def test_len_and_iteration_of_a_0d_tensor_are_type_errors():
    with pytest.raises(TypeError, match="0-d"):
        len(wg.tensor(1.0))
    with pytest.raises(TypeError, match="0-d"):
        iter(wg.tensor(1.0))


def test_bool_float_int_of_one_element():
    assert bool(wg.tensor([1.0])) is True and bool(wg.tensor(0.0)) is False
    assert float(wg.tensor([[2.5]])) == 2.5
    assert int(wg.tensor(3.7)) == 3
    assert bool(wg.tensor(2.0, requires_grad=True) > 1)


@pytest.mark.parametrize("convert", [bool, float, int])
def test_conversion_of_many_elements_is_a_value_error(convert):
    with pytest.raises(ValueError, match="ambiguous|one-element"):
        convert(wg.tensor([1.0, 2.0]))


def test_integer_tensor_as_index():
    items = [10, 20, 30]
    assert items[wg.tensor(1)] == 20
    with pytest.raises(TypeError):
        items[wg.tensor(1.0)]


def test_tensors_are_hashable_by_identity():
    a, b = wg.tensor(1.0), wg.tensor(1.0)
    assert len({a, b}) == 2


# ---- operators ----------------------------------------------------------------------------------------

BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
          operator.floordiv, operator.mod]


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("other", [2, 2.0, np.float64(2.0), np.array([1.5, 2.0, 2.5])],
                         ids=["int", "float", "np.float64", "ndarray"])
def test_operators_with_scalars_and_ndarrays_on_either_side(op, other):
    x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    xv = x.numpy(force=True)
    for r, ref in ((op(x, other), op(xv, other)), (op(other, x), op(other, xv))):
        assert type(r) is wg.Tensor
        np.testing.assert_allclose(r.numpy(force=True), ref)


def test_matmul_with_an_ndarray_on_the_right():
    x = wg.tensor([[1.0, 2.0]], requires_grad=True)
    r = x @ np.ones((2, 2))
    assert type(r) is wg.Tensor and r.requires_grad


def test_matmul_with_an_ndarray_on_the_left():
    x = wg.tensor([[1.0], [2.0]], requires_grad=True)
    r = np.ones((2, 2)) @ x
    assert type(r) is wg.Tensor and r.requires_grad
    r.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[2.0], [2.0]])


def test_operators_between_tensors_are_differentiable():
    x, y = wg.tensor(3.0, requires_grad=True), wg.tensor(2.0, requires_grad=True)
    z = (x + y) * (x - y) / y ** 2          # x²/y² − 1
    z.backward()
    assert x.grad.item() == pytest.approx(2 * 3.0 / 2.0 ** 2)
    assert y.grad.item() == pytest.approx(-2 * 3.0 ** 2 / 2.0 ** 3)


def test_unary_operators(t):
    np.testing.assert_array_equal((-t).numpy(force=True), -A)
    np.testing.assert_array_equal((+t).numpy(force=True), A)
    np.testing.assert_array_equal(abs(-t).numpy(force=True), A)
    assert (-t).grad_fn.name == "NegBackward"
    abs(-t).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), np.ones_like(A))


@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge,
                                operator.eq, operator.ne], ids=lambda f: f.__name__)
@pytest.mark.parametrize("other", [2.0, np.array([1.0, 2.0, 4.0]), "tensor"])
def test_comparisons_give_bool_tensors_without_grad(op, other):
    x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    if isinstance(other, str):
        other = wg.tensor([3.0, 2.0, 1.0], requires_grad=True)
    ov = other.numpy(force=True) if isinstance(other, wg.Tensor) else other
    for r, ref in ((op(x, other), op(x.numpy(force=True), ov)), (op(other, x), op(ov, x.numpy(force=True)))):
        assert type(r) is wg.Tensor and r.dtype == np.bool_
        assert not r.requires_grad and r.grad_fn is None
        np.testing.assert_array_equal(r.numpy(force=True), ref)


def test_logical_operators_on_bool_tensors():
    a, b = wg.tensor([True, False]), wg.tensor([True, True])
    np.testing.assert_array_equal((a & b).numpy(), [True, False])
    np.testing.assert_array_equal((a | b).numpy(), [True, True])
    np.testing.assert_array_equal((~a).numpy(), [False, True])


@pytest.mark.parametrize("op", BINARY, ids=lambda f: f.__name__)
@pytest.mark.parametrize("scalar", [2, 2.5])
def test_python_scalars_keep_float32(op, scalar):
    x = wg.tensor([1.0, 2.0], dtype=wg.float32, requires_grad=True)
    assert op(x, scalar).dtype == np.float32
    assert op(scalar, x).dtype == np.float32
    y = op(x, scalar)
    if y.requires_grad:
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_float32_with_float64_tensor_promotes_like_numpy():
    x = wg.tensor([1.0], dtype=wg.float32)
    assert (x + wg.tensor([1.0])).dtype == np.float64
    assert (x + np.float32(1)).dtype == np.float32


def test_integer_tensor_arithmetic_follows_numpy():
    i = wg.tensor([1, 2, 3])
    assert (i + 1).dtype == np.int64 and (i / 2).dtype == np.float64 and (i * 1.5).dtype == np.float64
    np.testing.assert_array_equal((i // 2).numpy(), [0, 1, 1])


def test_indexing_is_differentiable_and_repeated_indices_accumulate():
    x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[0] + x[1:].sum() + x[np.array([2, 2])].sum() + x[x > 1.5].sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 4.0])
