"""Issue 12's three "done when" cases, spelled out: unmodified NumPy code, differentiated."""
import numpy as np
import pytest

import wengert as wg
from tests.numcheck import central_diff

from .optimisation import rosenbrock_diff
from .physics import rk4_pendulum_np_array, rk4_pendulum_np_stack
from .statistics import gaussian_nll_tril


def _check_gradient(f, args, hess=False):
    n = len(args)
    value, grads = wg.value_and_grad(f, argnums=tuple(range(n)))(*[a.copy() for a in args])
    np.testing.assert_allclose(value, f(*[a.copy() for a in args]), rtol=1e-10)
    for i in range(n):
        np.testing.assert_allclose(grads[i], central_diff(f, args, i), rtol=1e-5, atol=1e-5)
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    f(*ts).backward()
    for i in range(n):
        np.testing.assert_allclose(ts[i].grad.numpy(), grads[i], rtol=1e-10, atol=1e-12)
    if hess:
        h = wg.hessian(f, argnums=0)(*args)
        want = central_diff(wg.grad(f, argnums=0), args, 0, eps=1e-5)
        np.testing.assert_allclose(h, want, rtol=1e-4, atol=1e-4)


def test_gaussian_nll_with_a_cholesky_factor_from_np_tril():
    rng = np.random.default_rng(12)
    A, mu, X = 0.3 * rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal((8, 3))
    # the NLL equals the textbook form with Σ = L Lᵀ (so the NumPy code is the model we mean)
    L = np.tril(A, -1) + np.diag(np.exp(np.diag(A)))
    S = L @ L.T
    r = X - mu
    textbook = 0.5 * np.sum(r @ np.linalg.inv(S) * r) + 4 * np.log(np.linalg.det(S)) + 12 * np.log(2 * np.pi)
    np.testing.assert_allclose(gaussian_nll_tril(A, mu, X), textbook, rtol=1e-10)
    _check_gradient(gaussian_nll_tril, [A, mu, X], hess=True)


@pytest.mark.parametrize("style", ["transform", "backward"])
def test_rk4_whose_rhs_returns_np_array_works_or_names_wg_stack(style):
    y0 = np.array([0.3, -0.2])
    want = central_diff(rk4_pendulum_np_array, [y0], 0)
    try:
        if style == "transform":
            g = wg.grad(rk4_pendulum_np_array)(y0.copy())
        else:
            t = wg.tensor(y0, requires_grad=True)
            rk4_pendulum_np_array(t).backward()
            g = t.grad.numpy()
    except TypeError as e:
        assert "wg.stack" in str(e), f"the TypeError must name wg.stack: {e}"
        return
    np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6)


def test_rk4_whose_rhs_uses_np_stack_differentiates():
    _check_gradient(rk4_pendulum_np_stack, [np.array([0.3, -0.2])], hess=True)


def test_rosenbrock_written_with_np_diff():
    x = np.array([-1.2, 1.0, 0.5, 0.8, -0.3])
    ref = np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    np.testing.assert_allclose(rosenbrock_diff(x), ref, rtol=1e-12)
    _check_gradient(rosenbrock_diff, [x], hess=True)
    value, g = wg.value_and_grad(rosenbrock_diff)(np.ones(5))
    assert value == 0.0 and np.all(g == 0.0)
