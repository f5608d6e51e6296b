"""Custom Functions: arguments, outputs and gradients — non-tensor arguments, ndarrays in,
needs_input_grad, None and broadcast gradients, several outputs, dtypes, the errors."""
import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube, Exp, MulAdd, Power
from tests.helpers import leaf
from wengert.checking import check_grads


# ---- Function: arguments, outputs, gradients --------------------------------------------------------

def test_non_tensor_arguments_pass_through():
    x = leaf([1.0, 2.0])
    y = Power.apply(x, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])


def test_forward_receives_ndarrays():
    seen = []

    class Probe(wg.Function):
        @staticmethod
        def forward(ctx, x, a, k):
            seen.extend([type(x), type(a), type(k)])
            return x + a * k

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    Probe.apply(leaf(np.ones(2)), np.ones(2), 2)
    assert seen == [np.ndarray, np.ndarray, int]


def test_forward_may_return_a_tensor_made_with_wengert_ops():
    class WgSin(wg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return wg.sin(x)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * np.cos(x)               # NumPy functions on Tensors dispatch to wengert

    check_grads(WgSin.apply, [np.array([0.1, 1.0, 2.0])], order=2)


def test_needs_input_grad():
    seen = []

    class Probe(wg.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            seen.append(ctx.needs_input_grad)
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g, g, None

    Probe.apply(leaf(1.0), wg.tensor(2.0), 3)
    with wg.no_grad():
        Probe.apply(leaf(1.0), leaf(2.0), 3)
    assert seen == [(True, False, False), (False, False, False)]


def test_gradients_for_inputs_that_need_none_are_ignored():
    class Mul(wg.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x, c = leaf([1.0, 2.0]), wg.tensor([3.0, 4.0])
    Mul.apply(x, c).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])
    assert c.grad is None


def test_none_gradient_means_zero():
    class FirstOnly(wg.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + 0 * y

        @staticmethod
        def backward(ctx, g):
            return g, None

    x, y = leaf(1.0), leaf(2.0)
    FirstOnly.apply(x, y).backward()
    assert x.grad.item() == 1.0 and y.grad is None


def test_multiple_outputs():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    p, s = MulAdd.apply(x, y)
    assert p.grad_fn is not None and s.grad_fn is not None
    (p * 2 + s).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), 2 * y.numpy(force=True) + 1)
    np.testing.assert_array_equal(y.grad.numpy(force=True), 2 * x.numpy(force=True) + 1)


def test_multiple_outputs_one_unused_gets_zeros():
    seen = []

    class Split(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g2, g3):
            seen.append((g2.numpy().copy(), g3.numpy().copy()))
            return 2 * g2 + 3 * g3

    x = leaf([1.0, 2.0])
    a, _ = Split.apply(x)
    a.sum().backward()
    np.testing.assert_array_equal(seen[0][1], [0.0, 0.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_integer_outputs_do_not_require_grad():
    class MaxWithIndex(wg.Function):
        @staticmethod
        def forward(ctx, x):
            i = np.argmax(x)
            ctx.i, ctx.n = i, x.shape[0]
            return x[i], np.asarray(i)

        @staticmethod
        def backward(ctx, g, g_index):
            return wg.where(wg.arange(ctx.n) == ctx.i, g, 0.0)

    x = leaf([1.0, 5.0, 2.0])
    m, i = MaxWithIndex.apply(x)
    assert m.requires_grad and not i.requires_grad and i.item() == 1
    m.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


def test_float32_function_to_second_order():
    x = leaf([1.0, 2.0], dtype=wg.float32)
    y = Cube.apply(x)
    (g,) = wg.autograd.grad(y.sum(), x, create_graph=True)
    (h,) = wg.autograd.grad(g.sum(), x)
    assert y.dtype == g.dtype == h.dtype == np.float32
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0])


def test_scalar_gradient_for_a_vector_input_when_recording_is_an_error():
    class Shift(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1

        @staticmethod
        def backward(ctx, g):
            return 1.0

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"Shift\.backward returned a gradient of shape \(\)"):
        wg.autograd.grad(Shift.apply(x).sum(), x, create_graph=True)


def test_broadcast_gradient_is_summed_back():
    class AddBias(wg.Function):
        @staticmethod
        def forward(ctx, x, b):
            return x + b

        @staticmethod
        def backward(ctx, g):
            return g, g                        # g has x's shape, not b's

    x, b = leaf(np.ones((2, 3))), leaf(np.zeros(3))
    AddBias.apply(x, b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 2.0, 2.0])


def test_scalar_gradient_for_a_vector_input_is_an_error():
    # (once broadcast silently: a 0-d value is no gradient of a vector)
    class Shift(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1

        @staticmethod
        def backward(ctx, g):
            return 1.0

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"Shift\.backward returned a gradient of shape \(\) "
                                           r"for input 0, expected shape \(2,\)"):
        Shift.apply(x).sum().backward()


def test_gradient_of_an_incompatible_shape_is_an_error():
    class Bad(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return wg.ones(5) * g

    with pytest.raises(RuntimeError, match=r"Bad\.backward.*\(5,\).*\(3,\)"):
        Bad.apply(leaf(np.ones(3))).backward()


def test_wrong_number_of_gradients_is_an_error():
    class Bad(wg.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match=r"Bad\.backward returned 1 gradients.*2 inputs"):
        Bad.apply(leaf(1.0), leaf(2.0)).backward()


def test_float32_in_gives_float32_out_and_gradients():
    class Double(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * np.float64(2.0)         # a float64 gradient is cast back

    x = leaf([1.0, 2.0], dtype=wg.float32)
    y = Double.apply(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_function_on_a_non_leaf_input_continues_the_chain():
    x = leaf(2.0)
    y = Cube.apply(x * 3) * 2              # 2(3x)³ = 54x³
    y.backward()
    assert x.grad.item() == 54 * 3 * 4


def test_under_no_grad_nothing_is_recorded():
    x = leaf(2.0)
    with wg.no_grad():
        y = Cube.apply(x)
    assert y.grad_fn is None and not y.requires_grad and y.item() == 8.0


def test_constant_inputs_record_nothing():
    y = Cube.apply(wg.tensor(2.0))
    assert y.grad_fn is None and y.item() == 8.0
    y = Cube.apply(np.array(2.0))
    assert isinstance(y, wg.Tensor) and y.item() == 8.0


def test_function_without_backward_cannot_be_differentiated():
    class NoBackward(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x

    assert NoBackward.apply(wg.tensor(1.0)).item() == 1.0
    with pytest.raises(TypeError, match="NoBackward defines no staticmethod backward"):
        NoBackward.apply(leaf(1.0))


def test_function_without_forward_is_an_error():
    class NoForward(wg.Function):
        pass

    with pytest.raises(TypeError, match="forward"):
        NoForward.apply(leaf(1.0))
    with pytest.raises(TypeError, match="forward"):
        wg.Function.apply(leaf(1.0))


def test_forward_returning_a_non_array_is_an_error():
    class Bad(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return "nope"

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="Bad.forward must return arrays"):
        Bad.apply(leaf(1.0))


def test_function_is_exported_from_autograd():
    assert wg.autograd.Function is wg.Function
    assert wg.autograd.checkpoint is wg.checkpoint


def test_custom_functions_are_not_in_the_op_registry():
    assert "Cube" not in wg.ops.registry


def test_jvp_rule_of_a_function():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    node = y.grad_fn
    t = node.op.jvp((wg.tensor([1.0, 1.0]),), node.saved)
    np.testing.assert_array_equal(np.asarray(t), [3.0, 12.0])


def test_jvp_missing_is_a_clear_error():
    x = leaf(1.0)
    node = Exp.apply(x).grad_fn
    with pytest.raises(RuntimeError, match="Exp defines no jvp"):
        node.op.jvp((wg.tensor(1.0),), node.saved)


def test_hooks_and_retain_grad_work_on_function_outputs():
    x = leaf(2.0)
    y = Cube.apply(x)
    y.register_hook(lambda g: g * 10)
    y.retain_grad()
    (y * 3).backward()
    assert y.grad.item() == 30.0
    assert x.grad.item() == 30.0 * 12.0
