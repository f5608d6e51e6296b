"""Custom ops (wg.Function): the Cube example and saved values. Arguments, outputs and
gradients: test_function_arguments.py; checkpointing: test_checkpoint_basics.py."""
import gc
import weakref

import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube, Exp, MulAdd, Power, WrongBackwardCube
from tests.helpers import leaf
from wengert.checking import GradcheckError, check_grads


# ---- Function: the API's Cube example --------------------------------------------------------

def test_cube_value_gradient_and_grad_fn():
    x = leaf([1.0, 2.0, -3.0])
    y = Cube.apply(x)
    assert isinstance(y, wg.Tensor)
    np.testing.assert_array_equal(y.numpy(force=True), [1.0, 8.0, -27.0])
    assert y.grad_fn.name == "CubeBackward"
    assert repr(y) == "tensor([  1.,   8., -27.], grad_fn=<CubeBackward>)"
    assert y.grad_fn.next_functions[0][0].variable is x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0, 27.0])


def test_cube_first_order_backward_records_nothing():
    x = leaf(2.0)
    Cube.apply(x).backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_double_and_triple_backward_through_a_custom_function():
    x = leaf(2.0)
    y = Cube.apply(x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x, create_graph=True)
    (k,) = wg.autograd.grad(h, x)
    assert (g.item(), h.item(), k.item()) == (12.0, 12.0, 6.0)   # 3x², 6x, 6


def test_custom_functions_pass_the_gradient_checker_to_second_order():
    rng = np.random.default_rng(0)
    check_grads(Cube.apply, [rng.uniform(-2, 2, (2, 3))], order=2)
    check_grads(Exp.apply, [rng.uniform(-2, 2, (3,))], order=2)
    check_grads(lambda x: Power.apply(x, 3), [rng.uniform(0.5, 2, (3,))], order=2)
    check_grads(lambda x, y: MulAdd.apply(x, y), [rng.normal(size=3), rng.normal(size=3)], order=2)


def test_a_wrong_backward_is_caught_by_check_grads():
    with pytest.raises(GradcheckError, match="argument 0"):
        check_grads(WrongBackwardCube.apply, [np.array([1.0, 2.0])])


def test_a_wrong_second_derivative_is_caught_by_check_grads():
    class Opaque(Cube):
        # first derivative right, but computed on arrays: the second derivative is lost
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x.numpy(force=True) ** 2 * g

    check_grads(Opaque.apply, [np.array([1.0, 2.0])], order=1)
    with pytest.raises(GradcheckError):
        check_grads(Opaque.apply, [np.array([1.0, 2.0])], order=2)


# ---- Function: saved values ---------------------------------------------------------------------

def test_saved_output_is_rewrapped_so_double_backward_is_right():
    x = leaf(0.5)
    y = Exp.apply(x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x)
    assert g.item() == pytest.approx(np.exp(0.5))
    assert h.item() == pytest.approx(np.exp(0.5))


def test_saved_tensors_are_tensors_in_first_order_backward():
    seen = {}

    class Probe(wg.Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.save_for_backward(x, c, None)
            return x * c

        @staticmethod
        def backward(ctx, g):
            x, c, none = ctx.saved_tensors
            seen.update(x=x, c=c, none=none, g=g, enabled=wg.is_grad_enabled())
            return g * c, None

    x = leaf([1.0, 2.0])
    Probe.apply(x, np.array([3.0, 4.0])).sum().backward()
    assert isinstance(seen["x"], wg.Tensor) and isinstance(seen["c"], wg.Tensor)
    assert isinstance(seen["g"], wg.Tensor) and seen["none"] is None
    assert not seen["enabled"]                 # first order: backward runs under no_grad
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 4.0])


def test_saving_an_intermediate_is_an_error_suggesting_an_extra_output():
    class Leaky(wg.Function):
        @staticmethod
        def forward(ctx, x):
            s = np.sin(x)
            ctx.save_for_backward(s)
            return s * 2

        @staticmethod
        def backward(ctx, g):
            (s,) = ctx.saved_tensors
            return g * 2

    with pytest.raises(RuntimeError, match=r"Leaky.*save_for_backward.*extra output"):
        Leaky.apply(leaf([1.0]))


def test_saving_a_view_of_an_input_is_an_error():
    class Viewer(wg.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x[:1])
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(RuntimeError, match="save_for_backward"):
        Viewer.apply(leaf([1.0, 2.0]))


def test_intermediate_returned_as_an_extra_output_can_be_saved():
    class Sigmoid(wg.Function):
        @staticmethod
        def forward(ctx, x):
            s = 1 / (1 + np.exp(-x))
            ctx.save_for_backward(s)
            return s, s * (1 - s)              # value and its derivative, both outputs

        @staticmethod
        def backward(ctx, g, g_deriv):
            (s,) = ctx.saved_tensors
            return g * s * (1 - s) + g_deriv * s * (1 - s) * (1 - 2 * s)

    x = leaf([0.3, -1.2])
    s, d = Sigmoid.apply(x)
    s.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), d.numpy(force=True))
    check_grads(lambda t: Sigmoid.apply(t)[0], [x.numpy(force=True)], order=2)


def test_modifying_a_saved_input_in_place_raises_naming_the_function():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = Cube.apply(h)
    h += 1
    with pytest.raises(RuntimeError, match=r"input 0 saved by CubeBackward is at version 1; "
                                           r"expected version 0"):
        y.sum().backward()


def test_modifying_an_unsaved_input_in_place_is_fine():
    class Double(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return 2 * g

    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = Double.apply(h)
    h += 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_second_backward_through_a_function_needs_retain_graph():
    x = leaf(2.0)
    y = Cube.apply(x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 24.0
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_ctx_is_freed_after_backward_and_the_graph_has_no_cycles():
    gc.collect()
    gc.disable()
    try:
        refs = []

        class Keep(wg.Function):
            @staticmethod
            def forward(ctx, x):
                refs.append(weakref.ref(ctx))
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return 2 * g

        x = leaf(1.0)
        y = Keep.apply(x) * 3
        assert refs[0]() is not None
        y.backward()
        assert refs[0]() is None            # released by the engine, no collector needed
        y2 = Keep.apply(x)
        del y2
        assert refs[1]() is None            # dropped output: freed by refcount
        assert gc.collect() == 0
    finally:
        gc.enable()
