"""API §9: a tensor's value leaves the graph only through an explicit exit.

One test (or one parametrised family) per rule: the explicit exits, the array doors that
refuse a tensor requiring grad, the value doors inside a transform, lists of tensors given to
wengert's own functions, ndarray operands used by value, read-only handouts, complex inputs.
"""
import math

import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf

WAY_OUT = ("wg.stack", ".detach()", "numpy(force=True)")


def assert_names_the_way_out(err):
    msg = str(err)
    for words in WAY_OUT:
        assert words in msg, f"{words!r} missing from: {msg}"


# ---- rule 1: the explicit exits -------------------------------------------------------------

def test_detach_no_grad_and_force_are_exits():
    x = leaf([1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(x.detach()), [1.0, 2.0])
    np.testing.assert_array_equal(x.detach().numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(x.numpy(force=True), [1.0, 2.0])
    with wg.no_grad():
        np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])
        np.testing.assert_array_equal(np.array(x), [1.0, 2.0])
        np.testing.assert_array_equal(x.numpy(), [1.0, 2.0])
        assert np.sum([x[0], x[1]]) == 3.0
        b = np.zeros(3)
        b[0] = x[1]
        b[1:] = x
        np.testing.assert_array_equal(b, [2.0, 1.0, 2.0])


def test_float_int_item_tolist_outside_a_transform_are_exits_as_in_pytorch():
    a = leaf(2.5)
    x = leaf([1.0, 2.0])
    assert float(a) == 2.5 and int(a) == 2 and a.item() == 2.5 and a.tolist() == 2.5
    assert x.tolist() == [1.0, 2.0]
    assert math.exp(a) == math.exp(2.5)
    np.testing.assert_array_equal(np.fromiter(x, float), [1.0, 2.0])


# ---- rule 2: the array doors refuse a tensor that requires grad ------------------------------

def _into_slice(x):
    b = np.ones(6)
    b[:2] = x


def _into_whole(x):
    b = np.ones(2)
    b[:] = x


ARRAY_DOORS = {
    "np.asarray(x)": lambda x, a: np.asarray(x),
    "np.array(x)": lambda x, a: np.array(x),
    "np.asarray(x, dtype)": lambda x, a: np.asarray(x, dtype=np.float32),
    "x.numpy()": lambda x, a: x.numpy(),
    "np.array([a, a])": lambda x, a: np.array([a, a]),
    "np.array([x[0], x[1]])": lambda x, a: np.array([x[0], x[1]]),
    "np.sum([a, a])": lambda x, a: np.sum([a, a]),
    "np.mean([a, a])": lambda x, a: np.mean([a, a]),
    "np.add([a], 1)": lambda x, a: np.add([a], 1.0),
    "np.vectorize": lambda x, a: np.vectorize(lambda v: v * 2)(x),
    "b[:2] = x": lambda x, a: _into_slice(x),
    "b[:] = x": lambda x, a: _into_whole(x),
}


@pytest.mark.parametrize("door", list(ARRAY_DOORS), ids=list(ARRAY_DOORS))
def test_array_doors_refuse_a_tensor_that_requires_grad(door):
    x, a = leaf([1.0, 2.0]), leaf(3.0)
    with pytest.raises(TypeError, match="requires grad") as e:
        ARRAY_DOORS[door](x, a)
    assert_names_the_way_out(e.value)


@pytest.mark.parametrize("door", list(ARRAY_DOORS), ids=list(ARRAY_DOORS))
def test_array_doors_open_under_no_grad_and_for_constants(door):
    with wg.no_grad():
        ARRAY_DOORS[door](leaf([1.0, 2.0]), leaf(3.0))
    ARRAY_DOORS[door](wg.tensor([1.0, 2.0]), wg.tensor(3.0))


@pytest.mark.parametrize("door", list(ARRAY_DOORS), ids=list(ARRAY_DOORS))
def test_array_doors_refuse_inside_a_transform(door):
    a = leaf(3.0)

    def f(x):
        ARRAY_DOORS[door](x, a)
        return x.sum()

    with pytest.raises(TypeError, match="requires grad"):
        wg.grad(f)(np.array([1.0, 2.0]))


def test_storing_a_tensor_that_requires_grad_into_an_ndarray_is_refused():
    # NumPy converts a scalar store with float(); since a Tensor is a sequence, NumPy reports
    # the refusal as a ValueError whose cause is wengert's TypeError
    x = leaf([1.0, 2.0])
    b = np.zeros(3)
    with pytest.raises((TypeError, ValueError)) as e:
        b[0] = x[0]
    err = e.value if isinstance(e.value, TypeError) else e.value.__cause__
    assert isinstance(err, TypeError) and "b[i] = t" in str(err) and "wg.stack" in str(err)
    bi = np.zeros(3, dtype=np.int64)
    with pytest.raises(TypeError, match="b\\[i\\] = t"):
        bi[1] = x[1]
    assert not b.any() and not bi.any()
    b[0] = x[0].detach()                 # the explicit exit
    assert b[0] == 1.0


def test_array_doors_refuse_a_dual_number():
    d = wg.dual(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    with pytest.raises(TypeError, match="forward-mode tangent"):
        np.asarray(d)
    with pytest.raises(TypeError, match="forward-mode tangent"):
        d.numpy()
    np.testing.assert_array_equal(d.numpy(force=True), [1.0, 2.0])
    assert float(d[0]) == 1.0            # a value door outside a transform: an exit


# ---- rule 3: value doors inside a transform ---------------------------------------------------

VALUE_DOORS = {
    "float": lambda v: float(v[0]),
    "int": lambda v: int(v[0]),
    "item": lambda v: v[0].item(),
    "tolist": lambda v: v.tolist(),
    "math.exp": lambda v: math.exp(v[0]),
    "complex": lambda v: complex(v[0]),
    "np.fromiter": lambda v: np.fromiter(v, float),
    "np.asarray": lambda v: np.asarray(v),
}

TRANSFORMS = {
    "grad": lambda f, x: wg.grad(lambda x: f(x).sum())(x),
    "value_and_grad": lambda f, x: wg.value_and_grad(lambda x: f(x).sum())(x),
    "vjp": lambda f, x: wg.vjp(f, x),
    "jvp": lambda f, x: wg.jvp(f, (x,), (np.ones_like(x),)),
    "jacrev": lambda f, x: wg.jacrev(f)(x),
    "jacfwd": lambda f, x: wg.jacfwd(f)(x),
    "hessian": lambda f, x: wg.hessian(lambda x: f(x).sum())(x),
    "hvp": lambda f, x: wg.hvp(lambda x: f(x).sum(), x, np.ones_like(x)),
    "linearize": lambda f, x: wg.linearize(f, x)[1](np.ones_like(x)),
    "grad of a Tensor": lambda f, x: wg.grad(lambda x: f(x).sum())(wg.tensor(x)),
    "grad of grad": lambda f, x: wg.grad(lambda x: wg.grad(lambda y: f(y * x).sum())(x).sum())(x),
}


@pytest.mark.parametrize("transform", list(TRANSFORMS), ids=list(TRANSFORMS))
@pytest.mark.parametrize("door", list(VALUE_DOORS), ids=list(VALUE_DOORS))
def test_value_doors_refuse_what_a_transform_differentiates(door, transform):
    def f(x):
        y = x * 2.0
        VALUE_DOORS[door](y)
        return y

    with pytest.raises((TypeError, ValueError)) as e:
        TRANSFORMS[transform](f, np.array([1.5, 2.5]))
    err = e.value
    if not isinstance(err, TypeError):  # np.fromiter reports it as a ValueError, caused by it
        err = err.__cause__
    assert isinstance(err, TypeError)
    msg = str(err)
    assert ("running transform" in msg or "requires grad" in msg
            or "forward-mode tangent" in msg), msg
    assert ".detach()" in msg


@pytest.mark.parametrize("transform", list(TRANSFORMS), ids=list(TRANSFORMS))
def test_bool_comparisons_detach_and_no_grad_keep_working_inside_a_transform(transform):
    w = leaf(4.0)                       # a closure over a parameter: not differentiated here

    def f(x):
        x = wg.asarray(x)
        if x[0] > 1.0 and bool(x[1] < 10.0) and not (x[0] == x[1]):
            x = x * 3.0
        c = float(x[0].detach()) + x.detach().tolist()[1] + float(w)
        with wg.no_grad():
            c += float(x[0]) + np.asarray(x).sum()
        return x * c

    TRANSFORMS[transform](f, np.array([1.5, 2.5]))


def test_a_value_door_that_is_refused_would_have_given_a_wrong_gradient():
    # x * float(x) differentiated as if float(x) were a constant: 3, where the truth is 6
    with pytest.raises(TypeError, match="running transform"):
        wg.grad(lambda x: x * float(x))(3.0)
    assert wg.grad(lambda x: x * x)(3.0) == 6.0


# ---- rule 4: wengert's functions take lists of tensors --------------------------------------

def _grads(y, *ts):
    weights = np.arange(1.0, 1.0 + y.size).reshape(y.shape)
    return [None if g is None else g.numpy() for g in
            wg.autograd.grad((y * weights).sum(), list(ts), allow_unused=True)]


def test_tensor_and_asarray_stack_a_list_of_tensors():
    a, b = leaf(2.0), leaf(3.0)
    for make in (wg.tensor, wg.asarray):
        y = make([a, b])
        np.testing.assert_array_equal(y.detach().numpy(), [2.0, 3.0])
        assert _grads(y, a, b) == [1.0, 2.0]
        y = make([[a, 1.0], [b, a]])
        assert y.shape == (2, 2) and _grads(y, a, b) == [5.0, 3.0]
    y = wg.tensor([a, b], dtype=np.float32)
    assert y.dtype == np.float32 and y.requires_grad
    x = leaf([1.0, 2.0])
    y = wg.tensor(x)                    # a differentiable copy, not a silent detach
    assert y.requires_grad and y.grad_fn is not None
    np.testing.assert_array_equal(_grads(y, x)[0], [1.0, 2.0])
    y.detach().numpy()                  # a copy: x's memory is not shared
    assert not np.shares_memory(y.data, x.data)


def test_tensor_of_a_list_of_tensors_is_differentiable_inside_a_transform():
    f = lambda x: wg.sum(wg.tensor([x[0] * x[1], x[0]]) ** 2)  # noqa: E731
    g = wg.grad(f)(np.array([2.0, 3.0]))
    np.testing.assert_allclose(g, [2 * 6.0 * 3.0 + 2 * 2.0, 2 * 6.0 * 2.0])


def test_full_and_full_like_broadcast_a_tensor_fill_value():
    a = leaf(2.0)
    x = leaf([1.0, 2.0, 3.0])
    y = wg.full(3, a)
    np.testing.assert_array_equal(y.detach().numpy(), [2.0, 2.0, 2.0])
    assert _grads(y, a) == [6.0]
    y = wg.full((2, 3), x)
    np.testing.assert_array_equal(_grads(y, x)[0], [5.0, 7.0, 9.0])
    y = wg.full_like(x, a)
    assert y.shape == (3,) and _grads(y, a) == [6.0]
    y = wg.full_like(np.zeros((2, 2), np.float32), a)
    assert y.dtype == np.float32 and y.shape == (2, 2)
    y.detach().data[0, 0] = 5.0         # writable, not a broadcast view
    assert wg.full(2, wg.tensor(1.5)).tolist() == [1.5, 1.5]        # a constant fill
    assert wg.full((3, 2), [a, a]).shape == (3, 2)


def test_linspace_with_tensor_ends_is_differentiable_and_matches_numpy():
    a, b = leaf(2.0), leaf(3.0)
    for endpoint in (True, False):
        y = wg.linspace(a, b, 4, endpoint=endpoint)
        np.testing.assert_allclose(y.detach().numpy(), np.linspace(2.0, 3.0, 4, endpoint=endpoint))
        w = np.arange(4) / (3 if endpoint else 4)
        weights = np.arange(1.0, 5.0)
        np.testing.assert_allclose(_grads(y, a, b), [(weights * (1 - w)).sum(), (weights * w).sum()])
    y = np.linspace(0, wg.tensor(3.0), 4)             # was a RecursionError
    np.testing.assert_array_equal(y.numpy(), [0.0, 1.0, 2.0, 3.0])
    y = np.linspace(0.0, b, 3)
    assert y.requires_grad and _grads(y, b) == [0.5 * 2 + 1.0 * 3]
    y = wg.linspace(wg.tensor(0.0), wg.tensor([1.0, 2.0]), 3)
    np.testing.assert_allclose(y.numpy(), np.linspace(0.0, [1.0, 2.0], 3))
    y, step = wg.linspace(a, b, 5, retstep=True)
    assert float(step) == 0.25 and step.requires_grad


@pytest.mark.parametrize("call, want", [
    (lambda a, b: wg.sum([a, a]), [2.0, None]),
    (lambda a, b: wg.mean([a, b]), [0.5, 0.5]),
    (lambda a, b: wg.exp([a, b]), [np.exp(2.0), 2 * np.exp(3.0)]),
    (lambda a, b: wg.add([a, b], 1.0), [1.0, 2.0]),
    (lambda a, b: wg.multiply(2.0, [a, b]), [2.0, 4.0]),
    (lambda a, b: wg.reshape([a, b], (2, 1)), [1.0, 2.0]),
    (lambda a, b: wg.concatenate([[a], [b]]), [1.0, 2.0]),
    (lambda a, b: wg.stack([[a, b], [b, a]]), [1.0 + 4.0, 2.0 + 3.0]),
    (lambda a, b: wg.matmul([a, b], [b, a]), [2 * 3.0, 2 * 2.0]),
    (lambda a, b: wg.dot([a, b], [1.0, 1.0]), [1.0, 1.0]),
    (lambda a, b: wg.where([True, False], [a, b], 0.0), [1.0, None]),
    (lambda a, b: wg.max([a, b]), [None, 1.0]),
], ids=["sum", "mean", "exp", "add", "multiply", "reshape", "concatenate", "stack", "matmul",
        "dot", "where", "max"])
def test_wengert_functions_stack_a_list_of_tensors(call, want):
    a, b = leaf(2.0), leaf(3.0)
    y = call(a, b)
    got = _grads(y, a, b)
    for g, w in zip(got, want):
        if w is None:
            assert g is None or g == 0.0
        else:
            np.testing.assert_allclose(g, w)


# ---- rule 5: an ndarray operand is used by value --------------------------------------------

def test_a_reused_scratch_buffer_does_not_change_an_earlier_gradient():
    x = leaf([1.0, 2.0])
    buf = np.zeros(2)
    t = 0.0
    for k in range(3):
        buf[:] = k
        t = t + np.sum(x * buf)
    t.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


@pytest.mark.parametrize("op", [
    lambda x, c: x @ c, lambda x, c: c @ x, lambda x, c: np.dot(x, c), lambda x, c: x / c,
    lambda x, c: np.where(c > 0.5, x, 2 * x), lambda x, c: wg.einsum("i,i->", x, c),
    lambda x, c: np.maximum(x, c), lambda x, c: wg.nn.functional.linear(x[None], c[None]),
], ids=["matmul", "rmatmul", "dot", "divide", "where", "einsum", "maximum", "linear"])
def test_changing_an_ndarray_operand_after_the_op_changes_nothing(op):
    x = leaf([1.0, 2.0, 3.0])
    c = np.array([0.25, 1.5, 2.0])
    y = op(x, c)
    value = y.detach().numpy().copy()
    y.sum().backward()
    want = x.grad.numpy().copy()
    x.grad = None
    y = op(x, c)
    c[:] = [5.0, -1.0, 0.75]                         # the caller reuses the array
    np.testing.assert_array_equal(y.detach().numpy(), value)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_a_second_order_gradient_with_an_ndarray_operand_uses_its_value():
    c = np.array([2.0])
    x = leaf([3.0])
    (g,) = wg.autograd.grad((x * x * c).sum(), [x], create_graph=True)
    c[0] = 100.0
    (h,) = wg.autograd.grad(g.sum(), [x])
    assert h.item() == 4.0


# ---- rule 6: arrays handed out for reading are read-only ------------------------------------

def test_handed_out_arrays_are_read_only_and_a_copy_is_writable():
    x = leaf([1.0, 2.0])
    z = wg.tensor([3.0, 4.0])
    y = x * z                           # z is saved for x's gradient
    for out in (np.asarray(z), z.numpy(), x.numpy(force=True), x.detach().numpy()):
        with pytest.raises(ValueError, match="read-only"):
            out[0] = 100.0
    c = np.array(z)
    c[0] = 100.0                        # np.array(t) copies: the caller's own
    np.testing.assert_array_equal(z.numpy(), [3.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
    assert np.asarray(z, dtype=np.float32).flags.writeable       # a cast is a new array


def test_a_saved_constant_changed_through_wengert_is_caught_by_version_counting():
    x = leaf([1.0, 2.0])
    z = wg.tensor([3.0, 4.0])
    y = x * z
    z += 1.0                            # an in-place change of the saved operand
    with pytest.raises(RuntimeError):
        y.sum().backward()


# ---- rule 7: complex inputs ------------------------------------------------------------------

def test_complex_differentiation_is_refused_clearly():
    with pytest.raises(TypeError, match="complex differentiation is not supported yet"):
        wg.tensor([1 + 2j], requires_grad=True)
    with pytest.raises(TypeError, match="complex differentiation is not supported yet"):
        wg.tensor([1 + 2j]).requires_grad_()
    for transform in (lambda f, x: wg.grad(f)(x), lambda f, x: wg.jacfwd(f)(x),
                      lambda f, x: wg.jvp(f, (x,), (x,)), lambda f, x: wg.vjp(f, x),
                      lambda f, x: wg.hessian(f)(x)):
        for x in (np.array([1 + 2j]), wg.tensor([1 + 2j]), 1 + 2j):
            with pytest.raises(TypeError, match="complex differentiation is not supported yet"):
                transform(lambda v: (v * v).sum().real, x)
    with pytest.raises(TypeError, match="complex differentiation is not supported yet"):
        wg.dual(np.array([1 + 2j]), np.array([1.0 + 0j]))
    with pytest.raises(TypeError, match="complex differentiation is not supported yet"):
        wg.dual(np.array([1.0]), np.array([1j]))
    assert wg.tensor([1 + 2j]).dtype == np.complex128       # complex constants are fine


def test_complex_of_a_differentiated_value_is_refused_under_its_own_name():
    with pytest.raises(TypeError, match=r"complex\(\) of a value that a running transform"):
        wg.grad(lambda x: complex(x).real * x)(1.5)
    assert complex(wg.tensor(1.5, requires_grad=True)) == 1.5 + 0j     # outside: an exit


def test_format_spec_formats_the_value_as_numpy_does():
    t = wg.tensor(1.23456, requires_grad=True)
    assert f"{t:.3f}" == "1.235" and f"{t * 2:7.2f}" == "   2.47"
    assert f"{wg.tensor(np.float32(2.5)):.1e}" == format(np.float32(2.5), ".1e")
    assert f"{t}" == str(t)
    seen = []                           # a display inside a transform is no value exit
    g = wg.grad(lambda x: (seen.append(f"{x:.2f}"), x * x)[1])(1.5)
    assert seen == ["1.50"] and g == 3.0
    with pytest.raises(TypeError, match="unsupported format string"):   # as NumPy's n-d
        f"{wg.tensor([1.0, 2.0]):.2f}"


def test_deepcopy_of_a_differentiated_value_inside_a_transform_is_refused():
    """copy.deepcopy copies the graph down to new leaves: inside wg.grad the copy would not
    reach the transform's input (a zero gradient without a word), so it is a TypeError."""
    import copy
    with pytest.raises(TypeError, match="copy.deepcopy"):
        wg.grad(lambda x: wg.sum(copy.deepcopy(wg.sin(x) * x)))(np.array([0.3, 0.7]))
    # a constant, and anything outside transforms, still copies
    got = wg.grad(lambda x: wg.sum(copy.deepcopy(x.detach()) * x))(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(got, [1.0, 2.0])
    x = wg.tensor([0.3, 0.7], requires_grad=True)
    y = wg.sin(x) * x
    z = copy.deepcopy(y)
    assert z.grad_fn is not y.grad_fn and np.array_equal(z.numpy(force=True), y.numpy(force=True))
