"""Transforms call f with Tensors (linearize too) and never hand back the caller's own array."""
import numpy as np
import pytest

import wengert as wg


def test_linearize_calls_f_with_tensors():
    seen = []

    def f(x, y):
        seen.append((type(x), type(y)))
        return x * y + wg.sin(x)

    out, f_jvp = wg.linearize(f, 2.0, np.array([1.0, 3.0]))
    assert all(t == (wg.Tensor, wg.Tensor) for t in seen)
    assert type(out) is np.ndarray
    np.testing.assert_allclose(out, 2.0 * np.array([1.0, 3.0]) + np.sin(2.0))
    t = f_jvp(1.0, np.zeros(2))
    np.testing.assert_allclose(t, np.array([1.0, 3.0]) + np.cos(2.0))
    assert all(s == (wg.Tensor, wg.Tensor) for s in seen)


def test_linearize_types_follow_the_inputs():
    out, f_jvp = wg.linearize(lambda x: x * x, 3.0)
    assert type(out) is float and out == 9.0
    assert f_jvp(1.0) == 6.0
    out, _ = wg.linearize(lambda x: x * x, wg.tensor(3.0))
    assert isinstance(out, wg.Tensor)
    out, _ = wg.linearize(lambda d: d["a"] * 2, {"a": np.array([1.0])})
    assert type(out) is np.ndarray


def test_linearize_of_a_function_using_tensor_methods():
    out, f_jvp = wg.linearize(lambda x: x.sum() * x.mean(), np.array([1.0, 2.0, 3.0]))
    assert out == pytest.approx(12.0)
    assert f_jvp(np.array([1.0, 0.0, 0.0])) == pytest.approx(2.0 + 6.0 / 3)


def _check_fresh(result, given):
    for r in (result if isinstance(result, (tuple, list)) else [result]):
        if isinstance(r, np.ndarray):
            for a in given:
                assert not np.shares_memory(r, a)


def identity(x):
    return x


def test_jvp_and_vjp_of_the_identity_return_new_arrays():
    a, v = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    out, t = wg.jvp(identity, (a,), (v,))
    _check_fresh((out, t), (a, v))
    a[0] = 100.0
    v[0] = 100.0
    np.testing.assert_array_equal(out, [1.0, 2.0])
    np.testing.assert_array_equal(t, [3.0, 4.0])
    a = np.array([1.0, 2.0])
    out, f = wg.vjp(identity, a)
    c = np.array([5.0, 6.0])
    (g,) = f(c)
    _check_fresh((out, g), (a, c))
    a[0] = c[0] = -1.0
    np.testing.assert_array_equal(out, [1.0, 2.0])
    np.testing.assert_array_equal(g, [5.0, 6.0])


def test_other_transforms_of_the_identity_return_new_arrays():
    a = np.array([1.0, 2.0])
    s = np.array(3.0)
    v = np.array([0.5, 0.25])
    _check_fresh(wg.value_and_grad(identity)(s), (s,))
    _check_fresh(wg.value_and_grad(lambda x: x.sum())(a), (a,))
    _check_fresh(wg.grad(lambda x: x.sum())(a), (a,))
    _check_fresh(wg.jacrev(identity)(a), (a,))
    _check_fresh(wg.jacfwd(identity)(a), (a,))
    _check_fresh(wg.jacfwd(identity)(s), (s,))
    _check_fresh(wg.hvp(lambda x: (x * x).sum() / 2, a, v), (a, v))
    _check_fresh(wg.linearize(identity, a)[0], (a,))
    _check_fresh(wg.linearize(identity, a)[1](v), (a, v))
    out, f_jvp = wg.linearize(identity, a)
    t = f_jvp(v)
    v[0] = 9.0
    assert t[0] == 0.5
