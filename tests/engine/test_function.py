"""Custom ops (wg.Function) and gradient checkpointing (wg.checkpoint)."""
import gc
import weakref

import numpy as np
import pytest

import wengert as wg
from tests.functions import Cube, Exp, WrongBackwardCube
from wengert.checking import GradcheckError, check_grads
from wengert.engine.graph import walk


def leaf(v, dtype=None):
    return wg.tensor(v, dtype=dtype, requires_grad=True)


class Power(wg.Function):
    """A non-tensor argument passed through and kept on ctx."""

    @staticmethod
    def forward(ctx, x, p):
        ctx.p = p
        ctx.save_for_backward(x)
        return x ** p

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.p * x ** (ctx.p - 1), None


class MulAdd(wg.Function):
    """Two inputs, two outputs."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y, x + y

    @staticmethod
    def backward(ctx, g_prod, g_sum):
        x, y = ctx.saved_tensors
        return g_prod * y + g_sum, g_prod * x + g_sum


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


# ---- checkpoint -------------------------------------------------------------------------------------

def block(x, w):
    h = wg.tanh(x @ w)
    return wg.sin(h) * h + x


def test_checkpoint_gradients_equal_the_plain_ones():
    rng = np.random.default_rng(0)
    xv, wv = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    x1, w1 = leaf(xv), leaf(wv)
    (block(x1, w1) ** 2).sum().backward()
    x2, w2 = leaf(xv), leaf(wv)
    y = wg.checkpoint(block, x2, w2)
    np.testing.assert_allclose(y.numpy(force=True), block(xv, wv).numpy(force=True))
    assert y.grad_fn.name == "CheckpointBackward"
    (y ** 2).sum().backward()
    np.testing.assert_allclose(x2.grad.numpy(), x1.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w2.grad.numpy(), w1.grad.numpy(), rtol=1e-12)


def test_checkpoint_keeps_no_intermediates():
    gc.disable()
    try:
        inner = []

        def f(x):
            h = wg.exp(x)
            inner.append(weakref.ref(h))
            inner.append(weakref.ref(h.data))
            return wg.sin(h) * 2

        x = leaf([0.1, 0.2])
        y = wg.checkpoint(f, x)
        assert all(r() is None for r in inner)          # gone right after forward
        nodes = [n for n in walk([y.grad_fn]) if n is not x]
        assert nodes == [y.grad_fn]                      # one node: the checkpoint
        y.sum().backward()
        assert all(r() is None for r in inner)          # the recomputed ones are gone too
        np.testing.assert_allclose(x.grad.numpy(),
                                   2 * np.cos(np.exp([0.1, 0.2])) * np.exp([0.1, 0.2]))
    finally:
        gc.enable()


def test_checkpoint_runs_fn_twice_recorded_each_time():
    # (as PyTorch's non-reentrant checkpoint: the forward run is recorded so the tensors fn
    # closes over are found; its graph is dropped at once, see keeps_no_intermediates)
    calls = []

    def f(x):
        calls.append(wg.is_grad_enabled())
        return x * x

    x = leaf(3.0)
    y = wg.checkpoint(f, x)
    assert calls == [True]
    y.backward()
    assert calls == [True, True]
    assert x.grad.item() == 6.0


def test_checkpoint_higher_order():
    x = leaf(0.7)
    y = wg.checkpoint(lambda t: wg.sin(t) * wg.exp(t), x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x, create_graph=True)
    (k,) = wg.autograd.grad(h, x)
    s, c, e = np.sin(0.7), np.cos(0.7), np.exp(0.7)
    assert g.item() == pytest.approx((c + s) * e)
    assert h.item() == pytest.approx(2 * c * e)
    assert k.item() == pytest.approx(2 * e * (c - s))


def test_checkpoint_passes_the_gradient_checker_to_second_order():
    rng = np.random.default_rng(1)
    check_grads(lambda x, w: wg.checkpoint(block, x, w),
                [rng.normal(size=(2, 3)), rng.normal(size=(3, 3))], order=2)


def test_checkpoint_multiple_outputs_and_constant_arguments():
    def f(x, c, k):
        return x * c, wg.exp(x) * k

    x, c = leaf([0.5, 1.0]), wg.tensor([2.0, 3.0])
    a, b = wg.checkpoint(f, x, c, 4.0)
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), c.numpy(force=True) + 4 * np.exp(x.numpy(force=True)))
    assert c.grad is None
    x.grad = None
    a, b = wg.checkpoint(f, x, c, 4.0)
    b.sum().backward()                          # the other output unused
    np.testing.assert_allclose(x.grad.numpy(force=True), 4 * np.exp(x.numpy(force=True)))


def test_checkpoint_of_a_non_leaf_leaves_the_outer_graph_alone():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    y = wg.checkpoint(lambda t: t * t, h)
    (y.sum() + h.sum()).backward()
    np.testing.assert_array_equal(h.grad.numpy(force=True), 2 * h.numpy(force=True) + 1)
    np.testing.assert_array_equal(x.grad.numpy(force=True), 3 * (2 * h.numpy(force=True) + 1))


def test_nested_checkpoints():
    def outer(x):
        return wg.checkpoint(lambda t: wg.sin(t) * t, x) * wg.checkpoint(wg.exp, x)

    x = leaf([0.3, 0.9])
    wg.checkpoint(outer, x).sum().backward()
    xv = x.numpy(force=True)
    want = (np.cos(xv) * xv + np.sin(xv)) * np.exp(xv) + np.sin(xv) * xv * np.exp(xv)
    np.testing.assert_allclose(x.grad.numpy(), want)


def test_chain_of_checkpointed_blocks_trains_like_the_plain_chain():
    rng = np.random.default_rng(2)
    ws = [rng.normal(size=(3, 3)) * 0.5 for _ in range(4)]
    xv = rng.normal(size=(2, 3))

    def run(use_checkpoint):
        params = [leaf(w) for w in ws]
        h = wg.tensor(xv)
        for w in params:
            h = wg.checkpoint(block, h, w) if use_checkpoint else block(h, w)
        (h ** 2).mean().backward()
        return [p.grad.numpy() for p in params]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_checkpoint_replays_the_random_numbers():
    def noisy(x):
        return x * wg.randn(3)

    wg.manual_seed(7)
    x = leaf([1.0, 2.0, 3.0])
    y = wg.checkpoint(noisy, x)
    wg.randn(5)                                 # the generator moves on before backward
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), y.numpy(force=True) / x.numpy(force=True))
    after = wg.randn(1).item()
    wg.manual_seed(7)
    wg.randn(3), wg.randn(5)
    assert wg.randn(1).item() == after          # and the replay did not consume any


def test_checkpoint_input_modified_in_place_raises():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = wg.checkpoint(lambda t: t * t, h)
    h += 1
    with pytest.raises(RuntimeError, match=r"CheckpointBackward.*expected version 0"):
        y.sum().backward()


def test_checkpoint_second_backward_needs_retain_graph():
    x = leaf(2.0)
    y = wg.checkpoint(lambda t: t ** 3, x)
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 24.0
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_checkpoint_under_no_grad_and_on_constants_records_nothing():
    x = leaf(2.0)
    with wg.no_grad():
        assert wg.checkpoint(wg.exp, x).grad_fn is None
    assert wg.checkpoint(wg.exp, wg.tensor(1.0)).grad_fn is None


def test_checkpoint_unused_input_gets_zero_gradient():
    x, w = leaf(1.0), leaf(2.0)
    wg.checkpoint(lambda a, b: a * 3, x, w).backward()
    assert x.grad.item() == 3.0
    assert w.grad is None or w.grad.item() == 0.0


def test_checkpoint_of_a_custom_function():
    x = leaf(2.0)
    y = wg.checkpoint(Cube.apply, x)
    (g,) = wg.autograd.grad(y, x, create_graph=True)
    (h,) = wg.autograd.grad(g, x)
    assert (g.item(), h.item()) == (12.0, 12.0)


def test_checkpoint_fn_must_return_tensors():
    with pytest.raises(TypeError, match="checkpoint: fn must return a Tensor"):
        wg.checkpoint(lambda t: 3.0, leaf(1.0))


def test_checkpoint_needs_a_function():
    with pytest.raises(TypeError, match="checkpoint needs a function"):
        wg.checkpoint(leaf(1.0))
