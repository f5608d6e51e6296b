"""The reverse-mode engine: .backward() (accumulation, non-leaves, seeds), higher order,
hooks. autograd.grad, the graph's lifetime, masked gradients and the pass itself have
modules of their own (test_autograd_grad, test_backward_graph, test_backward_masked,
test_backward_pass)."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


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
    assert not y.is_leaf
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None
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
