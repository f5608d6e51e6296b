"""Transforms composed to any depth without perturbation confusion: nested grad/jvp,
higher derivatives, transforms inside differentiated functions."""
import math

import numpy as np
import pytest

import wengert as wg
from tests.transform_helpers import close, rosen, rosen_hessian
from wengert.tree import tree_leaves


# ---- composition and perturbation confusion -------------------------------------------------

XS = [-1.5, 0.0, 0.7, 2.0]


@pytest.mark.parametrize("x", XS)
def test_nested_grad_keeps_perturbations_apart(x):
    # d/dx [x · d/dy (x + y)] = d/dx [x · 1] = 1; a confused implementation gives 2
    f = lambda x: x * wg.grad(lambda y: x + y)(1.0)  # noqa: E731
    assert wg.grad(f)(x) == 1.0


@pytest.mark.parametrize("x", XS)
def test_nested_jvp_keeps_perturbations_apart(x):
    f = lambda x: x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert wg.jvp(f, (x,), (1.0,))[1] == 1.0


@pytest.mark.parametrize("x", XS)
def test_mixed_nesting_keeps_perturbations_apart(x):
    inner_grad = lambda x: x * wg.grad(lambda y: x + y)(1.0)  # noqa: E731
    inner_jvp = lambda x: x * wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert wg.jvp(inner_grad, (x,), (1.0,))[1] == 1.0
    assert wg.grad(inner_jvp)(x) == 1.0
    assert wg.jacfwd(inner_grad)(x) == 1.0
    assert wg.jacrev(inner_jvp)(x) == 1.0


@pytest.mark.parametrize("x", XS)
def test_inner_derivative_at_the_outer_variable(x):
    # d/dx [x · (d/dy x·y)|_{y=x}] = d/dx x² = 2x, in every combination of modes
    via_grad = lambda x: x * wg.grad(lambda y: x * y)(x)  # noqa: E731
    via_jvp = lambda x: x * wg.jvp(lambda y: x * y, (x,), (1.0,))[1]  # noqa: E731
    for inner in (via_grad, via_jvp):
        close(wg.grad(inner)(x), 2 * x)
        close(wg.jvp(inner, (x,), (1.0,))[1], 2 * x)


def test_third_and_fourth_derivatives_of_sin():
    for x in XS:
        close(wg.grad(wg.grad(wg.grad(wg.sin)))(x), -math.cos(x))
        close(wg.grad(wg.grad(wg.grad(wg.grad(wg.sin))))(x), math.sin(x))
        d = lambda f: lambda x: wg.jvp(f, (x,), (1.0,))[1]  # noqa: E731
        close(d(d(d(wg.sin)))(x), -math.cos(x))
        close(d(wg.grad(d(wg.grad(wg.sin))))(x), math.sin(x))


def test_jvp_of_grad_and_grad_of_jvp():
    x = 0.7
    out, t = wg.jvp(wg.grad(wg.sin), (x,), (1.0,))
    close(out, math.cos(x))
    close(t, -math.sin(x))
    close(wg.grad(lambda x: wg.jvp(wg.sin, (x,), (1.0,))[1])(x), -math.sin(x))


def test_grad_with_respect_to_the_tangent_of_a_jvp():
    # ∂/∂v [∇f(x)·v] = ∇f(x) and ∂/∂v hvp(f, x, v) = H (linear in v)
    x = np.array([0.5, -0.3, 1.2])
    v = np.array([1.0, 2.0, 3.0])
    g = wg.grad(lambda v: wg.jvp(rosen, (x,), (v,))[1])(v)
    close(g, wg.grad(rosen)(x))
    h = wg.jacrev(lambda v: wg.hvp(rosen, x, v))(v)
    close(h, rosen_hessian(x), 1e-9)


def test_a_transform_inside_a_differentiated_function():
    # one Newton step for g(z) = z³ − a, as a function of a: z1 = z0 − g(z0)/g'(z0)
    def newton_step(a, z0=1.5):
        g = lambda z: z ** 3 - a  # noqa: E731
        return z0 - g(z0) / wg.grad(g)(z0)
    # z1 = z0 − (z0³ − a)/(3z0²): dz1/da = 1/(3z0²)
    close(wg.grad(newton_step)(2.0), 1 / (3 * 1.5 ** 2))
    close(wg.jvp(newton_step, (2.0,), (1.0,))[1], 1 / (3 * 1.5 ** 2))

    # gradient descent unrolled twice, differentiated with respect to the step size
    def descend(lr, x0=np.array([1.0, -0.5])):
        x = x0
        for _ in range(2):
            x = x - lr * wg.grad(lambda x: (x ** 4).sum())(x)
        return (x ** 2).sum()
    lr, eps = 0.05, 1e-6
    fd = (descend(lr + eps) - descend(lr - eps)) / (2 * eps)
    close(wg.grad(descend)(lr), fd, 1e-6)


def test_inner_results_stay_tensors_inside_an_outer_transform():
    seen = {}

    def f(x):
        g = wg.grad(lambda y: x * y * y)(2.0)       # plain float in, but inside grad
        seen["type"] = type(g)
        return g
    close(wg.grad(f)(3.0), 4.0)                      # d/dx [4x] = 4
    assert seen["type"] is wg.Tensor


def test_grad_of_grad_of_a_multivariate_function_is_the_hessian():
    x = np.array([0.5, -0.3, 1.2, 0.8])
    h = np.stack([wg.grad(lambda x, i=i: wg.grad(rosen)(x)[i])(x) for i in range(4)])
    close(h, rosen_hessian(x), 1e-9)


def test_dual_numbers_go_through_transforms():
    x = wg.dual(0.5, 1.0)
    h = wg.jacfwd(wg.jacrev(wg.sin))(x)              # −sin(x), tangent −cos(x)
    close(h.primal, -math.sin(0.5))
    close(h.tangent, -math.cos(0.5))


def test_all_results_of_a_nested_call_agree_with_finite_differences():
    f = lambda x, y: wg.tanh(x * y).sum() * wg.exp(y).sum()  # noqa: E731
    x, y = np.array([0.3, -0.4]), np.array([0.2, 0.1])
    gy = lambda x: wg.grad(f, argnums=1)(x, y)  # noqa: E731
    j = wg.jacrev(gy)(x)                           # ∂²f/∂x∂y, shape (2, 2)
    eps = 1e-6
    fd = np.stack([(wg.grad(f, argnums=1)(x + eps * e, y) - wg.grad(f, argnums=1)(x - eps * e, y))
                   / (2 * eps) for e in np.eye(2)], axis=-1)
    close(j, fd, 1e-7)
    close(wg.jacfwd(gy)(x), j, 1e-10)


def test_leaves_of_results_are_never_left_tagged():
    # the value from value_and_grad inside jvp keeps only the jvp's tangent
    out, t = wg.jvp(lambda x: wg.value_and_grad(lambda z: z ** 3)(x)[0], (2.0,), (1.0,))
    assert (out, t) == (8.0, 12.0)
    leaves = tree_leaves(wg.jvp(lambda x: (x, x * 2), (1.0,), (1.0,)))
    assert all(type(v) is float for v in leaves)


def test_third_derivative_tensors():
    # f = Σ x⁴ + x₀x₁x₂: ∂³f = 24 xᵢ on the diagonal, 1 where i, j, k are all different
    x = np.array([1.0, 2.0, 3.0])
    f = lambda x: (x ** 4).sum() + x[0] * x[1] * x[2]  # noqa: E731
    t = np.zeros((3, 3, 3))
    t[[0, 1, 2], [0, 1, 2], [0, 1, 2]] = 24 * x
    for i, j, k in ((0, 1, 2), (0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
        t[i, j, k] = 1.0
    for third in (wg.jacfwd(wg.hessian(f)), wg.jacrev(wg.hessian(f)),
                  wg.jacrev(wg.jacrev(wg.jacrev(f))), wg.jacfwd(wg.jacfwd(wg.jacfwd(f))),
                  wg.jacrev(wg.jacfwd(wg.jacfwd(f)))):
        close(third(x), t)
    close(wg.hessian(wg.prod)(x), [[0, 3, 2], [3, 0, 1], [2, 1, 0]])


def test_unmodified_numpy_code_is_differentiated():
    def f(x):                                   # plain NumPy: np.* dispatch to wengert
        return np.sum(np.sin(x) * np.exp(x[::-1]))
    x = np.array([0.1, 0.4, -0.3])
    want = np.cos(x) * np.exp(x[::-1]) + (np.sin(x) * np.exp(x[::-1]))[::-1]
    close(wg.grad(f)(x), want)
    close(wg.jacfwd(f)(x), want)
    close(wg.hessian(f)(x), wg.jacrev(wg.jacrev(f))(x))


def test_a_hook_inside_grad_of_a_closure_sees_its_gradient_once():
    # grad over a closure on a parameter: the hook and retain_grad run once, not once per pass
    xv = np.array([0.3, 0.7])
    W = wg.tensor([1.5, -0.5], requires_grad=True)
    seen, kept = [], {}

    def f(x):
        y = wg.sin(x)
        y.register_hook(lambda g: seen.append(np.array(g.data)))
        y.retain_grad()
        kept["y"] = y
        return wg.sum(y * W)

    g = wg.grad(f)(wg.tensor(xv))
    np.testing.assert_allclose(g.data, np.cos(xv) * W.data)
    assert len(seen) == 1
    np.testing.assert_allclose(kept["y"].grad.data, W.data)


# ---- grad over values that carry tangents: when must the inner reverse pass be recorded? -------
# A tangent can depend on a Tensor requiring grad where no value does only when such a tangent
# was seeded (a jvp tangent or a wg.dual tangent that requires grad); then the inner pass must be
# recorded for the outer gradient to be right. Each case is checked against its closed form.

Z0 = np.array([0.5, -1.0, 2.0])
X0 = np.array([1.0, 2.0, 3.0])
T0 = np.array([0.3, -0.2, 0.7])


def test_grad_over_a_closure_on_a_jvp_dual_whose_tangent_requires_grad():
    def outer(s):
        inner = lambda x: wg.grad(lambda z: wg.sum(z ** 3 * x))(Z0)   # 3z²x
        _, tan = wg.jvp(inner, (X0,), (s * T0,))                       # 3z²·s·t0
        return wg.sum(tan)
    close(wg.grad(outer)(1.5), np.sum(3 * Z0 ** 2 * T0))
    close(wg.grad(outer)(1.5), wg.numerical_grad(lambda s: float(np.asarray(outer(s))), 1.5))


def test_hvp_over_a_closure_on_a_jvp_dual_whose_tangent_requires_grad():
    def outer(s):
        inner = lambda x: wg.hvp(lambda z: wg.sum(z ** 3 * x), Z0, T0)  # 6z·x·t0
        _, tan = wg.jvp(inner, (X0,), (s * T0,))
        return wg.sum(tan)
    close(wg.grad(outer)(1.5), np.sum(6 * Z0 * T0 * T0))


def test_grad_over_a_closure_on_a_dual_number_whose_tangent_requires_grad():
    def outer(s):
        y = wg.dual(2.0, s * 1.0)                     # its value is a constant; its tangent is s
        return wg.grad(lambda z: z ** 2 * y)(3.0).tangent     # d/dz z²y = 2zy: tangent 2·3·s
    close(wg.grad(outer)(1.5), 6.0)


def test_hvp_over_a_closure_on_a_parameter_is_differentiable_in_it():
    p = wg.tensor(2.0, requires_grad=True)
    v = np.array([1.0, 0.5, -1.0])
    hv = wg.hvp(lambda x: wg.sum(x ** 3 * p), X0, v)                  # 6x·p·v
    wg.sum(hv).backward()
    close(p.grad, np.sum(6 * X0 * v))


def test_a_hook_on_the_input_of_grad_of_a_closure_sees_its_gradient_once():
    # The closure over W makes the inner pass reach outside the call; a pass that found this
    # out only by running must not run the input's hook a second time.
    W = wg.tensor(1.5, requires_grad=True)
    zv = np.array([1.0, 2.0])
    seen = []

    def f(z):
        z.register_hook(lambda g: seen.append(np.array(g.data)))
        return wg.sum(z ** 2 * W)
    g = wg.grad(f)(zv)
    np.testing.assert_allclose(g.data, 2 * zv * 1.5)
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], 2 * zv * 1.5)
    wg.sum(g).backward()
    np.testing.assert_allclose(W.grad.data, np.sum(2 * zv))
