"""wg.dual is one level of forward mode: several duals in one computation add their tangents,
but mixing a dual number with a value taken out of one that holds the same perturbation (the
shape of nested forward mode) is a TypeError pointing to wg.jvp, never a confused number."""
import numpy as np
import pytest

import wengert as wg
from tests.functions import NoJvp

NESTED = r"nested forward mode.*wg\.jvp"


def f(x, y):
    return x * x * y + y + 2


def test_reported_nested_duals_raise():
    x = wg.dual(1.0, 1.0)
    with pytest.raises(TypeError, match=NESTED):
        x * (x + wg.dual(1.0, 1.0)).tangent             # (gave 2; the nested answer is 1)


def test_the_nested_derivative_through_jvp():
    def outer(x):
        return x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]

    assert wg.jvp(outer, (1.0,), (1.0,)) == (1.0, 1.0)


@pytest.mark.parametrize("take", [
    lambda v: v.tangent,
    lambda v: v.primal,
    lambda v: v.tangent * 2 + 1,                        # computed from a taken value
    lambda v: wg.sin(v.primal).sum(),
    lambda v: wg.stack([v.tangent, v.primal]).sum(),
])
def test_values_taken_from_a_dual_holding_a_live_perturbation_raise(take):
    x = wg.dual(np.array([1.0, 2.0]), np.array([1.0, 0.5]))
    y = wg.dual(np.array([3.0, 4.0]), np.array([1.0, 1.0]))
    v = take(x * y)
    with pytest.raises(TypeError, match=NESTED):
        x + v
    with pytest.raises(TypeError, match=NESTED):
        wg.exp(v) * y


def test_directional_derivative_with_several_duals():
    r = f(wg.dual(3.0, 1.0), wg.dual(4.0, 0.0))
    assert (r.primal.item(), r.tangent.item()) == (42.0, 24.0)
    r = f(wg.dual(3.0, 1.0), wg.dual(4.0, 2.0))
    assert r.tangent.item() == 24.0 + 2 * (9.0 + 1.0)


def test_primal_and_tangent_combine():
    y = f(wg.dual(3.0, 1.0), 4.0)
    assert (y.primal + y.tangent).item() == 66.0
    assert (y.primal * y.tangent).tangent is None
    assert float(y.tangent) == 24.0 and y.tangent.item() == 24.0
    np.testing.assert_array_equal(np.asarray(y.tangent), 24.0)
    assert np.allclose(y.tangent, 24.0)


def test_chaining_a_new_dual_from_taken_values():
    y = f(wg.dual(3.0, 1.0), 4.0)
    z = wg.dual(y.primal, y.tangent)
    s = wg.sin(z)
    assert s.primal.item() == pytest.approx(np.sin(42.0))
    assert s.tangent.item() == pytest.approx(np.cos(42.0) * 24.0)


def test_newton_iteration_with_a_new_dual_each_step():
    x = 1.0
    slope = None
    for _ in range(6):
        y = wg.dual(x, 1.0) ** 2 - 2.0
        if slope is not None:
            y = y + 0.0 * slope        # a value taken from an earlier, other dual: a constant
        x = x - y.primal / y.tangent
        slope = y.tangent
    assert x.item() == pytest.approx(np.sqrt(2.0))


def test_a_taken_value_is_a_constant_to_another_dual():
    x = wg.dual(2.0, 1.0)
    c = (x * x).tangent                                 # 4, holds x's perturbation
    z = wg.dual(5.0, 1.0)
    assert (z * c).tangent.item() == 4.0                # another perturbation: fine
    with pytest.raises(TypeError, match=NESTED):
        x * c                                           # x's own: refused
    assert (x * c.detach()).tangent.item() == 4.0       # detach: a plain constant, by choice


def test_a_dual_of_a_dual_is_an_error():
    x = wg.dual(1.0, 1.0)
    with pytest.raises(TypeError, match=r"wg\.dual: the primal is a dual number already"):
        wg.dual(x, 1.0)
    with pytest.raises(TypeError, match=r"wg\.dual: the tangent is a dual number already"):
        wg.dual(1.0, x)


class Square(wg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g

    @staticmethod
    def jvp(ctx, t):
        (x,) = ctx.saved_tensors
        return 2 * x * t


def test_custom_functions_pass_marks_and_generations_on():
    x = wg.dual(3.0, 1.0)
    y = Square.apply(x)
    assert y.tangent.item() == 6.0
    with pytest.raises(TypeError, match=NESTED):
        x * y.tangent
    v = NoJvp.apply(y.primal)                 # a taken value through a Function without jvp
    assert v.item() == 18.0
    with pytest.raises(TypeError, match=NESTED):
        v + x


def test_jvp_and_grad_around_duals_still_work():
    d = wg.dual(2.0, 1.0)
    out, t = wg.jvp(lambda a: a * d, (3.0,), (1.0,))
    assert out.primal.item() == 6.0 and out.tangent.item() == 3.0
    assert t.primal.item() == 2.0
    g = wg.grad(lambda a: (a * wg.dual(a, 1.0)).primal)(3.0)
    assert g == 6.0


def test_values_taken_out_of_a_dual_keep_the_gradient_of_a_leaf():
    """dual(a, t).tangent and dual(p, a).primal are t and p themselves to reverse mode: a new
    leaf object in their place would take the gradient and leave zeros without a word."""
    a = np.array([0.5, -1.2])
    y0 = np.array([0.3, 0.7])
    t0 = np.array([0.4, 0.9])

    def through_tangent(t):
        return (wg.dual(a, t).tangent ** 2).sum()

    def through_primal(p):
        return (wg.dual(p, a).primal ** 3).sum()

    def through_a_gradients_tangent(t):
        g = wg.grad(lambda y: (y * y * wg.dual(a, t)).sum())(y0)
        return (g.tangent ** 2).sum()

    for f in (through_tangent, through_primal, through_a_gradients_tangent):
        got = wg.grad(f)(t0)
        if f is not through_a_gradients_tangent:       # (that one comes back a Tensor)
            assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(np.asarray(wg.tensor(got).detach()),
                                   wg.numerical_grad(f, t0), rtol=1e-6, atol=1e-8)
    t = wg.tensor(t0, requires_grad=True)
    through_tangent(t).backward()
    np.testing.assert_allclose(t.grad.numpy(), 2 * t0)
