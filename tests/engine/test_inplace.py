"""In-place operations: version counting, leaves, non-leaves, setitem, detach's shared memory."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


# ---- version counting --------------------------------------------------------------------

def test_modifying_a_saved_non_leaf_makes_backward_raise_naming_op_and_versions():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = wg.sin(y)                     # saves y
    y += 1
    with pytest.raises(RuntimeError, match=r"SinBackward.*version 1.*expected version 0"):
        z.sum().backward()


def test_modifying_a_saved_constant_makes_backward_raise():
    x = leaf([1.0, 2.0])
    c = wg.tensor([3.0, 4.0])
    y = (x * c).sum()
    c += 1
    with pytest.raises(RuntimeError, match=r"input 1 saved by MulBackward is at version 1"):
        y.backward()


def test_each_in_place_op_bumps_the_version():
    c = wg.tensor([1.0, 2.0])
    assert c._version == 0
    c += 1
    c -= 1
    c *= 2
    c /= 2
    c[0] = 5.0
    assert c._version == 5
    np.testing.assert_array_equal(c.numpy(), [5.0, 2.0])


def test_modifying_a_leaf_saved_for_backward_under_no_grad_raises_at_backward():
    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    with wg.no_grad():
        w *= 3
    with pytest.raises(RuntimeError, match=r"MulBackward.*version 1.*expected version 0"):
        y.backward()


def test_setitem_on_a_saved_tensor_raises_at_backward():
    x = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    z = y * y
    y[0] = 0.0
    with pytest.raises(RuntimeError, match=r"MulBackward.*expected version 0"):
        z.sum().backward()


def test_second_order_backward_also_checks_versions():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = wg.sin(y).sum()
    y += 1
    with pytest.raises(RuntimeError, match="SinBackward"):
        wg.autograd.grad(z, x, create_graph=True)


def test_modifying_an_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = (y + 1).sum()                # add saves nothing
    y += 100
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_modifying_the_output_of_an_op_that_saved_it_keeps_the_right_gradient():
    x = leaf([1.0, 2.0])
    y = wg.exp(x)                    # saves its output
    y *= 2                           # recorded: the saved array is never overwritten
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp([1.0, 2.0]))


def test_modifying_a_saved_output_under_no_grad_keeps_the_original_gradient():
    x = leaf([1.0, 2.0])
    y = wg.exp(x)
    with wg.no_grad():
        y += 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))


def test_in_place_through_a_detached_alias_of_a_saved_leaf_raises():
    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    d = w.detach()
    d += 1
    with pytest.raises(RuntimeError, match="MulBackward"):
        y.backward()


def test_in_place_through_a_detached_alias_of_a_saved_output_is_caught():
    x = leaf([1.0, 2.0])
    y = wg.exp(x)
    d = y.detach()
    d += 100
    try:
        y.sum().backward()
    except RuntimeError:
        return
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))


@pytest.mark.parametrize("view", [lambda c: c[0:2], lambda c: c.reshape(3)[:2],
                                  lambda c: c.T[:2]], ids=["slice", "reshape", "transpose"])
def test_in_place_on_the_base_of_a_saved_view_is_caught(view):
    c = wg.tensor([1.0, 2.0, 3.0])
    w = leaf([1.0, 1.0])
    y = (w * view(c)).sum()
    c += 10
    try:
        y.backward()
    except RuntimeError:
        return
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0])


# ---- leaves ------------------------------------------------------------------------------------

@pytest.mark.parametrize("update", [
    lambda w: w.__iadd__(1.0), lambda w: w.__isub__(1.0), lambda w: w.__imul__(2.0),
    lambda w: w.__itruediv__(2.0), lambda w: w.__setitem__(0, 5.0)],
    ids=["+=", "-=", "*=", "/=", "[]="])
def test_in_place_on_a_leaf_requiring_grad_raises(update):
    w = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad.*no_grad"):
        update(w)
    np.testing.assert_array_equal(w.numpy(force=True), [1.0, 2.0])
    assert w._version == 0


def test_in_place_on_a_leaf_under_no_grad_is_an_optimizer_step():
    w = leaf([1.0, 2.0])
    (w * w).sum().backward()
    memory = w.data
    with wg.no_grad():
        w -= 0.1 * w.grad
        w[1] = 7.0
    np.testing.assert_allclose(w.numpy(force=True), [0.8, 7.0])
    assert w.data is memory and w.is_leaf and w.requires_grad and w.grad_fn is None
    w.grad = None
    (w * w).sum().backward()         # the next step sees the new values
    np.testing.assert_allclose(w.grad.numpy(), [1.6, 14.0])


def test_in_place_on_a_constant_updates_its_memory():
    c = wg.tensor([1.0, 2.0])
    memory = c.data
    c += 1
    assert c.data is memory and not c.requires_grad
    np.testing.assert_array_equal(memory, [2.0, 3.0])


def test_in_place_cast_that_loses_precision_raises():
    i = wg.tensor([1, 2])
    with pytest.raises(TypeError, match="float64.*int64"):
        i /= 2
    i += 1
    np.testing.assert_array_equal(i.numpy(), [2, 3])


def test_in_place_keeps_float32():
    f = wg.tensor([1.0, 2.0], dtype=wg.float32)
    f += np.float64(1.5)
    assert f.dtype == np.float32


# ---- non-leaves ----------------------------------------------------------------------------------

def test_in_place_on_a_non_leaf_is_recorded():
    x = leaf([1.0, 2.0])
    y = x * 2
    y += 1
    assert y.grad_fn.name == "AddBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_chain_of_in_place_ops_on_a_non_leaf():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y *= x                           # y = x²
    y -= 3 * x
    y /= 2                           # y = (x² − 3x)/2
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), (2 * x.numpy(force=True) - 3) / 2)


def test_in_place_with_a_tensor_requiring_grad_turns_a_constant_into_a_non_leaf():
    c = wg.tensor([1.0, 2.0])
    x = leaf([3.0, 4.0])
    c *= x
    assert c.requires_grad and c.grad_fn is not None
    c.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0])


def test_in_place_preserves_float32_when_recorded():
    x = wg.tensor([1.0, 2.0], dtype=wg.float32, requires_grad=True)
    y = x * 1
    y += wg.tensor([1.0, 1.0])       # float64 operand
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


# ---- setitem -------------------------------------------------------------------------------------

def test_setitem_gradient_to_the_overwritten_tensor_and_the_value():
    x = leaf([1.0, 2.0, 3.0])
    v = leaf(5.0)
    y = x * 2
    y[0] = v * v
    (y * wg.tensor([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 20.0, 200.0])
    assert v.grad.item() == 10.0


def test_setitem_with_slice_mask_and_integer_array():
    x = leaf(np.arange(5.0))
    y = x * 1.0
    y[1:3] = 0.0
    y[np.array([4])] = 7.0
    y[wg.tensor([True, False, False, False, False])] = -1.0
    np.testing.assert_array_equal(y.numpy(force=True), [-1.0, 0.0, 0.0, 3.0, 7.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0, 1.0, 0.0])


def test_setitem_broadcast_value_gets_summed_gradient():
    x = leaf(np.zeros((2, 3)))
    v = leaf([1.0, 2.0, 3.0])
    y = x * 1.0
    y[:, :] = v
    y.sum().backward()
    np.testing.assert_array_equal(v.grad.numpy(), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


def test_setitem_on_a_constant_is_plain_numpy():
    c = wg.tensor([1.0, 2.0, 3.0])
    memory = c.data
    c[1] = 9.0
    assert c.data is memory and c.grad_fn is None
    np.testing.assert_array_equal(memory, [1.0, 9.0, 3.0])


# ---- detach --------------------------------------------------------------------------------------

def test_detach_shares_memory_and_cuts_the_graph():
    x = leaf([1.0, 2.0])
    d = x.detach()
    assert d.data is x.data or np.shares_memory(d.data, x.data)
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d[0] = 5.0
    assert x.numpy(force=True)[0] == 5.0
    y = x * 2
    e = y.detach()
    assert np.shares_memory(e.numpy(force=True), y.numpy(force=True))
    assert (e * x).grad_fn is not None
    (e * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), y.numpy(force=True))     # e is a constant


def test_detach_in_place_makes_a_non_leaf_a_constant():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.detach_()
    assert y.grad_fn is None and not y.requires_grad


def test_requires_grad_cannot_be_unset_on_a_non_leaf():
    y = leaf([1.0]) * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_detach_shares_memory_with_a_leaf():
    w = wg.tensor([1.0, 2.0])
    d = w.detach()
    d += 1
    np.testing.assert_array_equal(w.numpy(), [2.0, 3.0])


def test_a_detached_alias_of_a_graph_output_copies_on_write():
    x = leaf([1.0, 2.0])
    y = wg.exp(x)
    d = y.detach()
    d += 100                       # must not reach exp's saved output
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]))
    np.testing.assert_allclose(d.numpy(), np.exp([1.0, 2.0]) + 100)


def test_many_views_do_not_grow_the_alias_group_without_bound():
    c = wg.tensor(np.arange(100.0))
    for i in range(1000):
        c[i % 90:i % 90 + 10]
    assert len(c._extra.aliases) <= 34


def test_an_inplace_write_to_a_transforms_input_says_to_write_out_of_place():
    # (no_grad, the advice for an ordinary leaf, would hide the write from the gradient)
    def write_input(x):
        x.mul_(2.0)
        return (x ** 2).sum()

    def write_a_view_of_the_input(x):
        x[1:] += x[:-1]
        return x.sum()

    for f in (write_input, write_a_view_of_the_input):
        with pytest.raises(RuntimeError, match="under wg.grad .* write it out of place"):
            wg.grad(f)(np.array([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match="inside `with wg.no_grad\\(\\):`"):
        wg.tensor([1.0], requires_grad=True).mul_(2.0)
