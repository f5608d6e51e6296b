"""autograd.grad: gradients returned, not accumulated; inputs, outputs, grad_outputs,
unused inputs, non-leaf targets, freeing."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


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


def test_grad_wrt_an_input_and_an_intermediate_made_from_it_takes_every_path():
    # y = sum((sin(2x)·2x)²) with targets [x, b=sin(2x)]: dy/dx counts the path through b too
    xv = np.array([0.3, 0.7])
    x = wg.tensor(xv, requires_grad=True)
    a = x * 2
    b = wg.sin(a)
    y = wg.sum((b * a) ** 2)
    gx, gb = wg.autograd.grad(y, [x, b])
    av = 2 * xv
    cv = np.sin(av) * av
    np.testing.assert_allclose(gx.data, 4 * cv * (np.cos(av) * av + np.sin(av)))
    np.testing.assert_allclose(gb.data, 2 * cv * av)
    x2 = wg.tensor(xv, requires_grad=True)
    a2 = x2 * 2
    b2 = wg.sin(a2)
    y2 = wg.sum((b2 * a2) ** 2)
    ga2, gb2 = wg.autograd.grad(y2, [a2, b2])       # two node targets, one under the other
    np.testing.assert_allclose(ga2.data, 2 * cv * (np.cos(av) * av + np.sin(av)))
    np.testing.assert_allclose(gb2.data, 2 * cv * av)
