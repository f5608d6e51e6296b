"""Elementwise ops and types: comparisons and logic give bool tensors that never require grad,
dtypes follow NumPy's promotion (float32 stays float32), where's branches and condition, and
the errors for shapes that do not broadcast and for bad arguments."""
import math

import numpy as np
import pytest

import wengert as wg
from tests.helpers import grads_as_lists, numpy_warnings_off


# ---- comparisons and logic ------------------------------------------------------------------------

CMP = [wg.equal, wg.not_equal, wg.less, wg.less_equal, wg.greater, wg.greater_equal,
       wg.logical_and, wg.logical_or, wg.logical_xor,
       lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
       lambda a, b: a == b, lambda a, b: a != b, lambda a, b: (a > 0) & (b > 0),
       lambda a, b: (a > 0) | (b > 0), np.less, np.equal, np.logical_and]
UNARY_LOGIC = [wg.logical_not, wg.isnan, wg.isinf, wg.isfinite, wg.signbit, lambda a: ~a,
               np.isnan, np.logical_not]


@pytest.mark.parametrize("f", CMP)
def test_comparisons_give_bool_tensors_that_never_require_grad(f):
    a = wg.tensor([1.0, 2.0, 0.0], requires_grad=True)
    b = wg.tensor([1.0, 0.0, 3.0], requires_grad=True)
    for args in ((a, b), (a, 1.0), (2.0, b), (a, np.ones(3))):
        try:
            y = f(*args)
        except TypeError:                  # `2.0 & b`: Python refuses before wengert sees it
            continue
        assert isinstance(y, wg.Tensor) and y.dtype == np.bool_
        assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(f(a, b).numpy(force=True), f(a.numpy(force=True), b.numpy(force=True)))


@pytest.mark.parametrize("f", UNARY_LOGIC)
def test_unary_logic_gives_bool_tensors_that_never_require_grad(f):
    a = wg.tensor([1.0, -0.0, math.nan, -math.inf, 0.0], requires_grad=True)
    y = f(a)
    assert isinstance(y, wg.Tensor) and y.dtype == np.bool_
    assert not y.requires_grad and y.grad_fn is None
    with numpy_warnings_off():
        np.testing.assert_array_equal(y.numpy(force=True), f(a.numpy(force=True)) if f is not UNARY_LOGIC[5]
                                      else ~a.numpy(force=True).astype(bool))


def test_comparison_values():
    a = wg.tensor([1.0, 2.0, math.nan])
    assert wg.equal(a, [1.0, 3.0, math.nan]).tolist() == [True, False, False]
    assert wg.isnan(a).tolist() == [False, False, True]
    assert wg.logical_not(wg.tensor([0.0, 2.0])).tolist() == [True, False]
    assert wg.signbit(wg.tensor([-0.0, 0.0, -1.0])).tolist() == [True, False, True]


# ---- dtypes -----------------------------------------------------------------------------------

SCALAR_CASES = [
    lambda x: x + 1.5, lambda x: 1.5 + x, lambda x: x - 2, lambda x: 2 - x, lambda x: x * 0.1,
    lambda x: 0.1 * x, lambda x: x / 3.0, lambda x: 3.0 / x, lambda x: x ** 2, lambda x: x ** 0.5,
    lambda x: 2.0 ** x, lambda x: x % 0.7, lambda x: wg.maximum(x, 0.5), lambda x: wg.minimum(0.5, x),
    lambda x: wg.fmax(x, 0.5), lambda x: wg.where(x > 1, x, 0.0), lambda x: wg.where(x > 1, 0, x),
    lambda x: wg.clip(x, 0.5, 1.5), lambda x: wg.hypot(x, 1.0), lambda x: wg.arctan2(1.0, x),
    lambda x: wg.logaddexp(x, 0.0), lambda x: wg.logaddexp2(0.0, x), lambda x: wg.copysign(x, -1.0),
    lambda x: wg.fmod(x, 0.7), lambda x: wg.exp2(x), lambda x: wg.log2(x), lambda x: wg.log10(x),
    lambda x: wg.arctan(x), lambda x: wg.arcsinh(x), lambda x: wg.deg2rad(x),
]


@pytest.mark.parametrize("i", range(len(SCALAR_CASES)))
def test_a_python_scalar_never_widens_float32(i):
    x = wg.tensor([0.5, 1.25, 2.0], dtype=wg.float32, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.dtype))
    y = SCALAR_CASES[i](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert seen == [np.float32] and x.grad.dtype == np.float32


def test_float32_second_order_stays_float32():
    x = wg.tensor([0.5, 1.25], dtype=wg.float32, requires_grad=True)
    for f in (lambda t: t ** 3, wg.exp2, wg.log10, lambda t: wg.maximum(t, 1.0) * t, wg.arctan,
              lambda t: wg.where(t > 1, wg.sqrt(t), t)):
        (g,) = wg.autograd.grad(f(x).sum(), [x], create_graph=True)
        assert g.dtype == np.float32
        (h,) = wg.autograd.grad(g.sum(), [x], allow_unused=True)
        assert h is None or h.dtype == np.float32


def test_integer_inputs_follow_numpy_promotion():
    i = wg.tensor([1, 4, 9])
    assert wg.sqrt(i).dtype == np.float64 and wg.sqrt(i).tolist() == [1.0, 2.0, 3.0]
    assert (i + 1).dtype == np.int64 and (i / 2).dtype == np.float64
    assert wg.maximum(i, 2).tolist() == [2, 4, 9]
    x = wg.tensor([1.0, 2.0, 3.0], dtype=wg.float32, requires_grad=True)
    y = x * i                                  # int64 × float32 is float64 in NumPy
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 4.0, 9.0]


def test_astype_between_floats_is_differentiable_and_to_ints_is_constant():
    x = wg.tensor([1.5, -2.25], dtype=wg.float32, requires_grad=True)
    y = wg.astype(x, wg.float64)
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, -4.5]
    for dtype in (wg.int64, wg.bool_):
        z = x.astype(dtype)
        assert z.dtype == dtype and not z.requires_grad
    assert wg.astype([1, 2], wg.float32).dtype == np.float32
    if hasattr(np, "astype"):                 # NumPy ≥ 2.1
        assert np.astype(x, wg.float64).requires_grad


def test_results_are_tensors_for_any_input_kind():
    for a in (2.0, [1.0, 2.0], np.array([1.0, 4.0]), np.float64(3.0)):
        for f in (wg.sqrt, wg.negative, wg.copy, lambda v: wg.add(v, 1.0), lambda v: wg.where(True, v, 0.0),
                  lambda v: wg.clip(v, 0.0, 1.0), wg.round):
            assert isinstance(f(a), wg.Tensor)
    assert isinstance(wg.add(1, 2), wg.Tensor) and wg.add(1, 2).item() == 3


def test_copy_is_differentiable_and_does_not_share_memory():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.copy(x)
    assert not np.shares_memory(y.numpy(force=True), x.numpy(force=True))
    (y * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert np.copy(x).requires_grad


# ---- where ---------------------------------------------------------------------------------------

def test_where_gradient_goes_to_the_chosen_branch_with_broadcasting():
    gx, gy = grads_as_lists(lambda x, y: wg.where(np.array([[True, False, True], [False, False, True]]), x, y),
                   [1.0, 2.0, 3.0], [[5.0], [6.0]])
    assert gx == [1.0, 0.0, 2.0] and gy == [[1.0], [2.0]]


def test_where_does_not_need_its_branches_values():
    # x and y are saved by shape only: changing one in place later is fine
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    y = wg.where(wg.tensor([True, False]), a, 0.0)
    a += 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0]


def test_where_condition_modified_in_place_is_caught():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    c = wg.tensor([True, False])
    y = wg.where(c, x, 0.0)
    c[0] = False
    with pytest.raises(RuntimeError, match="WhereBackward"):
        y.sum().backward()


def test_where_with_a_float_condition_uses_its_truth_values():
    c = wg.tensor([0.0, -2.0], requires_grad=True)
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.where(c, x, 5.0)
    assert y.tolist() == [5.0, 2.0] and len(y.grad_fn.next_functions) == 3
    assert y.grad_fn.next_functions[0][0] is None
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0] and c.grad is None


def test_where_with_one_argument_is_nonzero():
    (i,) = wg.where(wg.tensor([0.0, 3.0, 0.0, 1.0]))
    assert i.tolist() == [1, 3]
    rows, cols = np.where(wg.tensor([[1, 0], [0, 1]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]


def test_where_dispatches_from_numpy():
    x = wg.tensor([-1.0, 2.0], requires_grad=True)
    y = np.where(x > 0, x * 2.0, 0.0)
    assert y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0]


# ---- errors -------------------------------------------------------------------------------------------

BROADCAST = [wg.add, wg.subtract, wg.multiply, wg.divide, wg.power, wg.maximum, wg.fmin, wg.hypot,
             wg.arctan2, wg.logaddexp, wg.remainder, wg.copysign, wg.equal, wg.less, wg.logical_and,
             lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a < b,
             lambda a, b: wg.where(a > 0, a, b), lambda a, b: wg.clip(a, b, None)]


@pytest.mark.parametrize("f", BROADCAST)
def test_broadcasting_errors_name_both_shapes(f):
    a = wg.tensor(np.ones((2, 3)), requires_grad=True)
    b = wg.tensor(np.ones(4), requires_grad=True)
    with pytest.raises(ValueError) as e:
        f(a, b)
    msg = str(e.value).replace(" ", "")
    assert "(2,3)" in msg and "(4,)" in msg


def test_where_needs_both_branches_or_neither():
    with pytest.raises(ValueError, match="both or neither"):
        wg.where(wg.tensor([True]), wg.tensor([1.0]))


def test_clip_argument_errors():
    t = wg.tensor([1.0])
    with pytest.raises(TypeError, match="out="):
        wg.clip(t, 0, 1, out=np.empty(1))
    with pytest.raises(ValueError, match="once"):
        wg.clip(t, 0, 1, min=0)


def test_round_out_is_a_type_error():
    with pytest.raises(TypeError, match="out="):
        wg.round(wg.tensor([1.0]), 0, np.empty(1))


def test_requires_grad_on_a_comparison_result_is_a_type_error():
    y = wg.tensor([1.0]) > 0
    with pytest.raises(TypeError):
        y.requires_grad = True
