"""The reverse-mode engine: .backward(), autograd.grad, hooks, graph structure and lifetime."""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import wengert as wg
from wengert.engine.graph import walk
from wengert.engine.node import Node


def leaf(v, dtype=None):
    return wg.tensor(v, dtype=dtype, requires_grad=True)


# ---- the seeds' examples -----------------------------------------------------------------

def test_seed_example_d_equals_a_times_b_plus_c():
    a, b, c = leaf(2.2), leaf(-1.8), leaf(0.1)
    d = a * (b + c)
    d.backward()
    assert d.item() == pytest.approx(2.2 * (-1.7))
    assert a.grad.item() == pytest.approx(-1.7)
    assert b.grad.item() == pytest.approx(2.2)
    assert c.grad.item() == pytest.approx(2.2)


def test_seed_example_f_equals_x2y_plus_y_plus_2():
    x, y = leaf(3.0), leaf(4.0)
    f = x * x * y + y + 2
    f.backward()
    assert f.item() == 42.0
    assert x.grad.item() == 24.0          # 2xy
    assert y.grad.item() == 10.0          # x² + 1


def test_gradients_are_tensors_of_the_leaf_shape_and_dtype():
    x = leaf([1.0, 2.0, 3.0], dtype=wg.float32)
    (x * x).sum().backward()
    assert isinstance(x.grad, wg.Tensor)
    assert x.grad.shape == (3,) and x.grad.dtype == np.float32
    assert not x.grad.requires_grad and x.grad.grad_fn is None


def test_broadcasting_gradient_is_summed_back_to_the_leaf_shape():
    x, y = leaf(np.ones((2, 1))), leaf(np.arange(3.0))
    (x * y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3.0], [3.0]])
    np.testing.assert_array_equal(y.grad.numpy(), [2.0, 2.0, 2.0])


# ---- accumulation, non-leaves, seeds ------------------------------------------------------

def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


def test_accumulation_never_aliases_the_previous_grad():
    x = leaf([1.0, 2.0])
    x.sum().backward()
    first = x.grad
    x.sum().backward()
    np.testing.assert_array_equal(first.numpy(), [1.0, 1.0])    # the old .grad is untouched
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_gradient_seed_is_not_aliased_into_grad():
    x = leaf([1.0, 2.0])
    seed = np.array([1.0, 1.0])
    (x + 0).backward(gradient=seed)
    x.grad.data[0] = 99.0
    assert seed[0] == 1.0


def test_grad_none_is_reset_by_assignment():
    x = leaf(2.0)
    (x * x).backward()
    x.grad = None
    (x * 3).backward()
    assert x.grad.item() == 3.0


def test_non_leaf_grad_is_none_unless_retain_grad():
    x = leaf([1.0, 2.0])
    y = x * 3
    z = x * 2
    z.retain_grad()
    (y * y + z * z).sum().backward()
    assert not y.is_leaf and y.grad is None
    np.testing.assert_allclose(z.grad.numpy(force=True), 2 * z.numpy(force=True))
    np.testing.assert_allclose(x.grad.numpy(force=True), 18 * x.numpy(force=True) + 8 * x.numpy(force=True))


def test_retain_grad_on_a_leaf_is_harmless():
    x = leaf(2.0)
    x.retain_grad()
    (x * x).backward()
    assert x.grad.item() == 4.0


def test_backward_on_non_scalar_needs_gradient():
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"gradient="):
        y.backward()


def test_backward_on_one_element_non_scalar_is_allowed():
    x = leaf([3.0])
    (x * 2).backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0])


def test_backward_with_gradient_argument():
    x = leaf([1.0, 2.0])
    (x * x).backward(gradient=wg.tensor([1.0, 10.0]))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 40.0])
    x.grad = None
    (x * x).backward(gradient=[1.0, 1.0])
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


@pytest.mark.parametrize("g", [wg.tensor([1.0, 2.0, 3.0]), np.ones(3)])
def test_gradient_of_the_wrong_shape_is_an_error(g):
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"\(3,\).*\(2,\)"):
        y.backward(gradient=g)


def test_backward_on_a_tensor_without_graph_is_an_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        wg.tensor(1.0).backward()


def test_backward_on_a_leaf_itself():
    x = leaf(3.0)
    x.backward()
    assert x.grad.item() == 1.0


# ---- retain_graph and freeing --------------------------------------------------------------

def test_second_backward_without_retain_graph_raises():
    x = leaf([1.0, 2.0])
    y = (wg.exp(x) * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        y.backward()


def test_second_backward_through_a_shared_part_raises():
    x = leaf(1.0)
    h = wg.sin(x)
    (h * 2).backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        (h * 3).backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (wg.exp(x) * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first)


def test_saved_values_are_released_after_backward():
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        h = wg.exp(x)                      # saves its output array
        saved = weakref.ref(h.data)
        y = (h * 2).sum()
        del h
        assert saved() is not None
        y.backward()
        assert saved() is None             # y still alive, its graph's saved values gone
    finally:
        gc.enable()


def test_intermediate_dies_after_backward_without_the_collector():
    gc.disable()
    try:
        x = leaf([1.0, 2.0])
        h = wg.tanh(x) * x
        ref_t, ref_node, ref_data = weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(h.data)
        y = (h * h).sum()
        del h
        assert ref_node() is not None and ref_data() is not None
        y.backward()
        assert ref_t() is None and ref_data() is None
        del y
        assert ref_node() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("run_backward", [False, True])
def test_dropping_the_output_frees_the_graph_by_refcount(run_backward):
    gc.disable()
    try:
        x = leaf(np.ones(4))
        h = x
        refs = []
        for _ in range(50):
            h = wg.sin(h) * 1.5 + h
            refs.append(weakref.ref(h.grad_fn))
        y = h.sum()
        del h
        if run_backward:
            y.backward()
        assert all(r() is not None for r in refs)
        del y
        assert all(r() is None for r in refs)
        assert x.grad is None or x.grad.shape == (4,)
    finally:
        gc.enable()


def test_graph_has_no_reference_cycles():
    gc.collect()
    gc.disable()
    try:
        x = leaf(np.ones(3))
        y = (wg.exp(x) * x + x * x).sum()
        y.retain_grad()
        y.backward()
        del y
        assert gc.collect() == 0
    finally:
        gc.enable()


@pytest.mark.slow
def test_memory_stays_flat_over_many_training_steps():
    wg.manual_seed(0)
    params = {"w": wg.randn(4, 3, requires_grad=True), "b": wg.zeros(3, requires_grad=True)}
    data, target = wg.randn(8, 4), wg.randn(8, 3)

    def step():
        w, b = params["w"], params["b"]
        loss = ((wg.tanh(data @ w + b) - target) ** 2).mean()
        loss.backward()
        with wg.no_grad():
            w -= 0.05 * w.grad
            b -= 0.05 * b.grad
        w.grad = b.grad = None
        return loss.item()

    tracemalloc.start()
    try:
        first = [step() for _ in range(500)]     # warm-up: caches and allocator free lists
        before = tracemalloc.get_traced_memory()[0]
        objects = len(gc.get_objects())
        last = [step() for _ in range(1500)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert last[-1] < first[0]                   # it trained
    assert len(gc.get_objects()) - objects < 50
    assert grown < 100_000, f"memory grew by {grown} bytes over 1500 steps"


# ---- higher order ---------------------------------------------------------------------------

def test_create_graph_gives_derivatives_of_any_order():
    x = leaf(2.0)
    y = x ** 4
    d = []
    g = y
    for _ in range(5):
        (g,) = wg.autograd.grad(g, x, create_graph=True)
        d.append(g.item())
    assert d == [32.0, 48.0, 48.0, 24.0, 0.0]     # 4x³, 12x², 24x, 24, 0


def test_backward_with_create_graph_makes_grad_differentiable():
    x = leaf(3.0)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    assert g.item() == 27.0 and g.grad_fn is not None
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0                  # 6x


def test_mixed_second_derivative():
    x, y = leaf(3.0), leaf(4.0)
    f = x * x * y + y + 2
    gx, gy = wg.autograd.grad(f, [x, y], create_graph=True)
    (gxy,) = wg.autograd.grad(gx, y)
    assert gxy.item() == 6.0                      # ∂²f/∂x∂y = 2x


def test_hessian_vector_product_by_double_backward():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = leaf([1.0, -1.0])
    f = 0.5 * (x * (wg.tensor(a) @ x)).sum()
    (g,) = wg.autograd.grad(f, x, create_graph=True)
    v = wg.tensor([1.0, 2.0])
    (hv,) = wg.autograd.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.numpy(), a @ v.numpy())


def test_first_order_gradient_records_nothing():
    x = leaf(2.0)
    (x ** 3).backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


# ---- autograd.grad ----------------------------------------------------------------------------

def test_autograd_grad_leaves_dot_grad_untouched():
    x = leaf([1.0, 2.0])
    (g,) = wg.autograd.grad((x * x).sum(), x)
    np.testing.assert_array_equal(g.numpy(), [2.0, 4.0])
    assert x.grad is None


def test_autograd_grad_multiple_inputs_and_outputs():
    x, y = leaf(2.0), leaf(5.0)
    gx, gy = wg.autograd.grad([x * y, x + y], [x, y])
    assert (gx.item(), gy.item()) == (6.0, 3.0)


def test_autograd_grad_with_grad_outputs():
    x = leaf([1.0, 2.0])
    (g,) = wg.autograd.grad(x * x, x, grad_outputs=wg.tensor([1.0, 3.0]))
    np.testing.assert_array_equal(g.numpy(), [2.0, 12.0])
    (g,) = wg.autograd.grad([x * x, x], [x], grad_outputs=[wg.tensor([1.0, 1.0]), wg.ones(2)])
    np.testing.assert_array_equal(g.numpy(), [3.0, 5.0])


def test_autograd_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    (g,) = wg.autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(g.numpy(force=True), 2 * h.numpy(force=True))
    assert x.grad is None


def test_autograd_grad_same_input_twice():
    x = leaf(2.0)
    g1, g2 = wg.autograd.grad(x * x, [x, x])
    assert g1.item() == g2.item() == 4.0


def test_autograd_grad_unused_input_raises():
    x, w = leaf(1.0), leaf(2.0)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        wg.autograd.grad(x * 2, [x, w])


def test_autograd_grad_allow_unused_gives_none():
    x, w = leaf(1.0), leaf(2.0)
    gx, gw = wg.autograd.grad(x * 2, [x, w], allow_unused=True)
    assert gx.item() == 2.0 and gw is None


def test_autograd_grad_input_that_does_not_require_grad_raises():
    x = leaf(1.0)
    with pytest.raises(RuntimeError, match="does not require grad"):
        wg.autograd.grad(x * 2, [wg.tensor(1.0)])


def test_autograd_grad_input_that_is_not_a_tensor_raises():
    x = leaf(1.0)
    with pytest.raises(TypeError, match="Tensors"):
        wg.autograd.grad(x * 2, [np.ones(())])


def test_autograd_grad_output_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        wg.autograd.grad(wg.tensor(1.0), [leaf(1.0)])


def test_autograd_grad_grad_outputs_count_mismatch():
    x = leaf(1.0)
    with pytest.raises(ValueError, match="1 grad_outputs for 2 outputs"):
        wg.autograd.grad([x * 2, x * 3], [x], grad_outputs=[None])


def test_autograd_grad_frees_the_graph_unless_retained():
    x = leaf(1.0)
    y = wg.exp(x) * x
    wg.autograd.grad(y, x, retain_graph=True)
    wg.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        wg.autograd.grad(y, x)


def test_autograd_grad_wrt_non_leaf_leaves_the_graph_above_it_intact():
    x = leaf([1.0, 2.0])
    h = x * 3
    wg.autograd.grad((h * h).sum(), h)
    h.sum().backward()                     # h's own history must still be there
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_autograd_grad_wrt_non_leaf_does_not_run_upstream_hooks():
    x = leaf([1.0, 2.0])
    a = x * 2
    a.retain_grad()
    h = a * 3
    wg.autograd.grad(h.sum(), h, retain_graph=True)
    assert a.grad is None


# ---- hooks ------------------------------------------------------------------------------------

def test_leaf_hook_sees_and_may_replace_the_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    (x * x).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 4.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
    x.grad = None
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [20.0, 40.0])


def test_non_leaf_hook_replacement_changes_what_flows_on():
    x = leaf([1.0, 2.0])
    y = x * 2
    seen = []

    def hook(g):
        seen.append(g.numpy().copy())
        return wg.ones_like(g)

    y.register_hook(hook)
    (y * y).sum().backward()
    np.testing.assert_array_equal(seen[0], [4.0, 8.0])
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


def test_hook_handle_remove():
    x = leaf(1.0)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1))
    (x * 2).backward()
    handle.remove()
    handle.remove()                        # twice is harmless
    (x * 2).backward()
    assert calls == [1]
    y = x * 3
    handle = y.register_hook(lambda g: calls.append(2))
    handle.remove()
    (y * 2).backward()
    assert calls == [1]


def test_retain_grad_sees_the_gradient_after_hooks_registered_later():
    x = leaf(2.0)
    y = x * 1.0
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    (y * 3).backward()
    assert y.grad.item() == 30.0 and x.grad.item() == 30.0


def test_hooks_run_in_autograd_grad_too():
    x = leaf(1.0)
    x.register_hook(lambda g: g * 5)
    (g,) = wg.autograd.grad(x * 2, x)
    assert g.item() == 10.0


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        wg.tensor(1.0).register_hook(lambda g: g)


# ---- graph structure ----------------------------------------------------------------------------

def test_grad_fn_name_and_next_functions():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = wg.tensor([1.0, 1.0])
    y = (x * w + c).sum()
    assert x.grad_fn is None and x.is_leaf and not y.is_leaf
    assert y.grad_fn.name == "SumBackward"
    (add, _), = y.grad_fn.next_functions
    assert add.name == "AddBackward"
    (mul, _), (const, _) = add.next_functions
    assert mul.name == "MulBackward" and const is None
    (ax, _), (aw, _) = mul.next_functions
    assert ax.name == "AccumulateGrad" and ax.variable is x and aw.variable is w
    assert ax.next_functions == ()


def test_repr_of_grad_fn():
    y = leaf(2.0) * 3
    assert repr(y.grad_fn) == "<MulBackward>"
    assert "grad_fn=<MulBackward>" in repr(y)


def test_diamond_graph_shared_subexpression():
    x = leaf(0.7)
    s = wg.sin(x)
    y = s * s + wg.exp(s)                  # s feeds three uses
    y.backward()
    sx = np.sin(0.7)
    assert x.grad.item() == pytest.approx((2 * sx + np.exp(sx)) * np.cos(0.7))
    assert sum(p is s.grad_fn for n in walk([y.grad_fn]) if type(n) is Node for p in n.parents) == 3


def test_node_reused_many_times():
    x = leaf([0.5, 1.5])
    h = x * x
    total = h
    for _ in range(999):
        total = total + h
    total.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), 1000 * 2 * x.numpy(force=True))


def test_same_leaf_on_both_sides():
    x = leaf(3.0)
    (x * x).backward()
    assert x.grad.item() == 6.0


def test_constants_get_no_gradient():
    x, c = leaf(2.0), wg.tensor(5.0)
    (x * c).backward()
    assert c.grad is None and x.grad.item() == 5.0


@pytest.mark.slow
def test_million_op_chain_has_no_recursion_error():
    x = leaf(2.0)
    y = x * 1.5
    for _ in range(10 ** 6):
        y = -y                             # the cheapest op: the traversal is what is tested
    y.backward()
    assert x.grad.item() == 1.5            # (−1)^(10⁶) · 1.5
    del y                                  # freeing the chain must not recurse either


def test_long_chain_freed_without_backward():
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    del y                                  # deallocation of a deep chain: no stack overflow


# ---- masked gradients ----------------------------------------------------------------------------

def test_where_sqrt_has_no_nan_in_masked_gradient():
    x = leaf([-1.0, 0.0, 4.0])
    with np.errstate(invalid="ignore"):              # sqrt(-1) in the discarded branch
        y = wg.where(x > 0, wg.sqrt(x), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.25])


def test_where_log_masked_second_order():
    x = leaf([-2.0, 0.0, 2.0])
    with np.errstate(all="ignore"):
        y = wg.where(x > 0, wg.log(x), 0.0).sum()
        (g,) = wg.autograd.grad(y, x, create_graph=True)
        (h,) = wg.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(g.numpy(force=True), [0.0, 0.0, 0.5])
    np.testing.assert_array_equal(h.numpy(force=True), [0.0, 0.0, -0.25])


def test_unmasked_infinite_gradient_still_shows():
    x = leaf([0.0, 4.0])
    with np.errstate(all="ignore"):
        wg.sqrt(x).sum().backward()
    assert np.isinf(x.grad.numpy()[0]) and x.grad.numpy()[1] == 0.25


def _no_warnings():
    import warnings
    w = warnings.catch_warnings()
    w.__enter__()
    warnings.simplefilter("error")                 # any warning fails the test
    return w


def test_masked_singular_rules_warn_about_nothing_they_mask():
    """A singular rule's inf/NaN partials, masked by a zero cotangent, are computed quietly:
    the pass ignores divide/invalid warnings once such a rule asks (engine.quiet)."""
    x = leaf([-2.0, 0.0, 2.0])
    with np.errstate(all="ignore"):                 # (the forward's discarded branches)
        y = wg.where(x > 0, wg.log(x) + wg.sqrt(x) + 1.0 / x, 0.0).sum()
    w = _no_warnings()
    try:
        (g,) = wg.autograd.grad(y, x, create_graph=True)
        (h,) = wg.autograd.grad(g.sum(), x)
    finally:
        w.__exit__(None, None, None)
    v = 2.0
    np.testing.assert_allclose(g.numpy(force=True), [0.0, 0.0, 1 / v + 0.5 / np.sqrt(v) - 1 / v**2])
    np.testing.assert_allclose(h.numpy(force=True), [0.0, 0.0, -1 / v**2 - 0.25 * v**-1.5 + 2 / v**3])


def test_a_masked_quotient_alone_warns_about_nothing():
    """The pass's only singular rule is a quotient's, whose ∂/∂n = 1/d divides by zero where
    the cotangent is masked (by a product with 0, no `where`, whose general rule would ask
    for quiet first): it must ask before it computes that."""
    n, d = leaf([1.0, 1.0, 1.0]), leaf([-2.0, 0.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = ((n / d) * wg.tensor([1.0, 0.0, 1.0])).sum()
    w = _no_warnings()
    try:
        y.backward()
    finally:
        w.__exit__(None, None, None)
    np.testing.assert_array_equal(n.grad.numpy(), [-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(d.grad.numpy(), [-0.25, 0.0, -0.25])


def test_a_pass_without_singular_rules_stays_as_loud_as_numpy():
    """Nothing asked for quiet: cos(inf) in sin's rule warns as NumPy would (the forward's
    sin(inf) did too), instead of leaving a silent NaN."""
    x = leaf([np.inf, 1.0])
    with np.errstate(invalid="ignore"):
        y = wg.sin(x).sum()
    with pytest.warns(RuntimeWarning, match="invalid value"):
        y.backward()
    assert np.isnan(x.grad.numpy()[0]) and x.grad.numpy()[1] == pytest.approx(np.cos(1.0))


def test_quiet_belongs_to_its_pass_and_ends_with_it():
    """A pass inside a hook asks for quiet; once it ends, the outer pass (which asked for
    nothing) is as loud as before, and nothing outlives either pass."""
    from wengert.engine import errstate as quiet

    def inner_pass(g):
        z = leaf(0.0)
        with np.errstate(divide="ignore"):
            w = wg.where(z > 0, wg.log(z), 0.0)
        w.backward()                                # inner pass: log's rule asks for quiet
        return None

    x = leaf([np.inf, 1.0])
    with np.errstate(invalid="ignore"):
        u = wg.sin(x)
    u.register_hook(inner_pass)                     # runs before sin's rule, cos(inf)
    y = (u * 2.0).sum()
    with pytest.warns(RuntimeWarning, match="invalid value"):
        y.backward()
    assert np.geterr()["divide"] == "warn" and np.geterr()["invalid"] == "warn"
    assert quiet.state.running is False and quiet.state.quiet is None


# ---- large gradients (passes seeded with INPLACE_BYTES and more) ---------------------------

INPLACE_BYTES = 128 << 10             # arrays past glibc's mmap threshold

BIG = INPLACE_BYTES // 8 + 7          # float64 elements: above the in-place threshold


def _chain_graph(x):
    """Shared subexpressions, a value passed to two parents (add), a negation and a chain of
    unary ops: every way a gradient array can be shared while the pass runs."""
    s = wg.sin(x)
    a = s * 3.0 + s                   # s's gradient arrives twice (accumulated)
    b = wg.exp(-a) - wg.tanh(a)       # a goes to both sides of a subtract
    return b * b + x


def _chain_grad(v, seed):
    s = np.sin(v)
    a = 4 * s
    b = np.exp(-a) - np.tanh(a)
    db = 2 * b * seed
    da = db * (-np.exp(-a) - (1 - np.tanh(a) ** 2))
    return da * 4 * np.cos(v) + seed


@pytest.mark.parametrize("n", [5, BIG])
def test_gradients_written_in_place_are_right(n):
    rng = np.random.default_rng(0)
    v, seed = rng.uniform(-1, 1, n), rng.uniform(0.5, 1.5, n)
    kept = seed.copy()
    x = wg.tensor(v, requires_grad=True)
    _chain_graph(x).backward(gradient=seed)
    np.testing.assert_allclose(x.grad.numpy(), _chain_grad(v, kept), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(seed, kept)            # the caller's seed is never written


def test_in_place_gradients_spare_what_others_hold():
    """retain_grad and hooks keep their values although later rules could have written into
    the same arrays."""
    v = np.random.default_rng(1).uniform(-1, 1, BIG)
    x = wg.tensor(v, requires_grad=True)
    s = wg.sin(x)
    s.retain_grad()
    seen = []
    y = wg.exp(s)
    y.register_hook(lambda g: seen.append(g.numpy().copy()) or None)
    (y * 3.0).backward(gradient=np.full(BIG, 2.0))
    np.testing.assert_allclose(seen[0], 6.0)
    np.testing.assert_allclose(s.grad.numpy(), 6.0 * np.exp(np.sin(v)), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), 6.0 * np.exp(np.sin(v)) * np.cos(v), rtol=1e-12)


def test_in_place_gradients_spare_an_autograd_grad_target():
    """A captured intermediate's gradient is returned while the pass goes on below it."""
    v = np.random.default_rng(1).uniform(-1, 1, BIG)
    x2 = wg.tensor(v, requires_grad=True)
    s2 = wg.sin(x2)
    out = wg.exp(s2) * 3.0
    gs, gx = wg.autograd.grad(out, [s2, x2], grad_outputs=wg.tensor(np.ones(BIG)))
    np.testing.assert_allclose(gs.numpy(), 3.0 * np.exp(np.sin(v)), rtol=1e-12)
    np.testing.assert_allclose(gx.numpy(), 3.0 * np.exp(np.sin(v)) * np.cos(v), rtol=1e-12)


def test_a_retained_graph_gives_the_same_gradient_twice():
    v = np.random.default_rng(2).uniform(-1, 1, BIG)
    x = wg.tensor(v, requires_grad=True)
    y = _chain_graph(x)
    seed = np.ones(BIG)
    y.backward(gradient=seed, retain_graph=True)
    first = x.grad.numpy().copy()
    x.grad = None
    y.backward(gradient=seed)
    np.testing.assert_array_equal(x.grad.numpy(), first)


def test_batched_jacobian_written_in_place_equals_forward_mode():
    """jacrev's batch of cotangents (above the threshold) against jacfwd, which never writes
    in place: a matrix product, shared inputs and an accumulation."""
    n = 160                                          # 160×160 float64: 200 KiB a cotangent
    assert n * n * 8 >= INPLACE_BYTES
    rng = np.random.default_rng(3)
    W, v = rng.standard_normal((n, n)) / n, rng.uniform(-1, 1, n)

    def F(x):
        return wg.tanh(W @ x + 1.0) * x + 0.1 * x ** 3 - wg.sin(x) * x + x * x
    np.testing.assert_allclose(wg.jacrev(F)(v), wg.jacfwd(F)(v), rtol=1e-12, atol=1e-12)


def test_a_view_of_a_shared_gradient_is_never_written():
    """A reshape hands back a view of its g; where g also went elsewhere (here: the caller's
    seed, through an add), adding into that view would write through to the seed."""
    v = np.random.default_rng(4).uniform(-1, 1, 2 * BIG)
    x = wg.tensor(v, requires_grad=True)
    t = wg.sin(x)
    out = t.reshape((2, BIG)).reshape(2 * BIG) + t
    seed = np.full(2 * BIG, 1.5)
    out.backward(gradient=seed)
    np.testing.assert_array_equal(seed, 1.5)
    np.testing.assert_allclose(x.grad.numpy(), 3.0 * np.cos(v), rtol=1e-12)


# ---- the slot pass (creation order, state in the nodes' slots) and passes nested in it -------

def _at_rest(*tensors):
    """Between passes no node holds state of a pass (a pass keeps its state local)."""
    for t in tensors:
        for n in walk([t.grad_fn]):
            if type(n) is Node:
                assert not hasattr(n, "_inbox")


def test_a_backward_inside_a_rule_runs_nested_and_both_are_right():
    """A rule that runs a backward of its own (as checkpoint does) starts while the outer pass
    holds the slots: the inner pass counts in dicts, the outer one goes on undisturbed."""
    inner_grads = []

    class Probe(wg.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            z = leaf([1.0, 2.0])
            with wg.enable_grad():                   # (rules run without recording)
                ((z * z).sum() * 3.0).backward()     # a whole other pass, mid-pass
            inner_grads.append(z.grad.numpy())
            return g * 2.0

    x = leaf([1.0, -2.0])
    y = wg.exp(Probe.apply(wg.sin(x)) + x)
    (y * y).sum().backward()
    s = 2.0 * np.sin(x.numpy(force=True)) + x.numpy(force=True)
    np.testing.assert_allclose(x.grad.numpy(force=True), 2 * np.exp(2 * s) * (2 * np.cos(x.numpy(force=True)) + 1))
    np.testing.assert_allclose(inner_grads[0], [6.0, 12.0])
    _at_rest()


def test_a_backward_of_the_same_graph_inside_a_rule_keeps_its_own_state():
    """The inner pass walks nodes the outer pass holds gradients for (retained graph): its
    state must not be the outer pass's."""
    x = leaf(1.5)
    base = wg.sin(x) * x
    seen = []

    class Tap(wg.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1.0

        @staticmethod
        def backward(ctx, g):
            with wg.enable_grad():
                seen.append(wg.autograd.grad(base, x, retain_graph=True)[0].item())
            return g

    out = Tap.apply(base) + base * 2.0
    out.backward(retain_graph=True)
    d = np.cos(1.5) * 1.5 + np.sin(1.5)
    assert seen == [pytest.approx(d)]
    assert x.grad.item() == pytest.approx(3 * d)
    _at_rest(out)
    x.grad = None
    out.backward()                                   # the slots were left at rest: it works again
    assert x.grad.item() == pytest.approx(3 * d)


def test_an_error_mid_pass_leaves_the_graph_and_the_engine_usable():
    calls = []

    class FailsOnce(wg.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            if len(calls) == 1:
                raise ValueError("deliberate")
            return g

    x = leaf([0.5, 1.0])
    y = wg.exp(x)
    out = (FailsOnce.apply(y) * y).sum()
    with pytest.raises(ValueError, match="deliberate"):
        out.backward(retain_graph=True)
    _at_rest(out)
    x.grad = None                   # (whatever reached x before the error is discarded)
    out.backward()
    np.testing.assert_allclose(x.grad.numpy(force=True), 2 * np.exp(2 * x.numpy(force=True)))


def test_passes_in_two_threads_give_their_own_gradients():
    import threading
    errors, results = [], {}

    def work(k):
        try:
            for _ in range(200):
                x = leaf(np.arange(1.0, 4.0) * k)
                (wg.sin(x) * x).sum().backward()
                v = x.numpy(force=True)
                np.testing.assert_allclose(x.grad.numpy(), np.cos(v) * v + np.sin(v))
            results[k] = True
        except Exception as e:                       # (reported in the main thread)
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in (1, 2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3
    _at_rest()


def test_a_deep_copy_of_a_graph_differentiates_beside_the_original():
    """The copy's nodes keep the original's creation numbers: the pass orders them anyway."""
    import copy
    x = leaf([1.0, 2.0])
    y = wg.sin(x) * 2.0
    z = copy.deepcopy(y)                 # its own graph, down to its own copy of x
    (y + z).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.cos([1.0, 2.0]))
    _at_rest(y, z)


def test_roots_given_twice_or_below_another_root():
    x = leaf(2.0)
    y = x * x
    z = wg.sin(y)
    gx, = wg.autograd.grad([z, y, z], [x], [wg.tensor(1.0), wg.tensor(3.0), wg.tensor(0.5)],
                           retain_graph=True)
    assert gx.item() == pytest.approx((1.5 * np.cos(4.0) + 3.0) * 4.0)
    gx, = wg.autograd.grad([x, y], [x], [wg.tensor(2.0), wg.tensor(1.0)])   # a leaf as a root
    assert gx.item() == pytest.approx(2.0 + 4.0)
    _at_rest()


# ---- slices added straight into their input's gradient (LinearOp accumulate) -----------------

def test_a_stencil_of_slices_sums_into_one_gradient():
    v = np.random.default_rng(5).uniform(-1, 1, 12)
    x = leaf(v)
    y = x[2:] - 2.0 * x[1:-1] + x[:-2]
    (y * y).sum().backward()
    d = v[2:] - 2 * v[1:-1] + v[:-2]
    want = np.zeros(12)
    want[2:] += 2 * d
    want[1:-1] -= 4 * d
    want[:-2] += 2 * d
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-13, atol=1e-13)


def test_a_slice_never_adds_into_a_gradient_that_is_shared():
    """w's first contribution is the array an add hands to both its inputs (w and z): a later
    slice of w must add out of place, or z's gradient changes too."""
    v = np.random.default_rng(6).uniform(-1, 1, 5)
    x, z = leaf(v), leaf(np.zeros(5))
    w = wg.exp(x)
    (w[1:].sum() + (w + z).sum()).backward()        # (the add's rule runs first)
    np.testing.assert_array_equal(z.grad.numpy(), np.ones(5))
    np.testing.assert_allclose(x.grad.numpy(), np.exp(v) * [1, 2, 2, 2, 2], rtol=1e-14)


def test_slices_of_a_node_output_in_two_dimensions():
    v = np.random.default_rng(7).uniform(-1, 1, (4, 5))
    x = leaf(v)
    u = wg.sin(x)
    (u[1:, :2].sum() * 3.0 + u[0].sum() + u[:, 4].sum()).backward()
    want = np.zeros((4, 5))
    want[1:, :2] += 3.0
    want[0] += 1.0
    want[:, 4] += 1.0
    np.testing.assert_allclose(x.grad.numpy(), want * np.cos(v), rtol=1e-14)


def test_slices_of_another_dtype_are_not_added_in_place():
    x = wg.tensor(np.arange(6, dtype=np.float32), requires_grad=True)
    a = x[:4] * np.float64(2.0)            # float64 gradients arriving at a float32 leaf
    b = x[2:] * np.float64(3.0)
    (a.sum() + b.sum()).backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.numpy(), [2, 2, 5, 5, 3, 3])
