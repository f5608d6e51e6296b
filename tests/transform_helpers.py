"""Helpers shared by the transform tests (test_transforms*.py)."""
import numpy as np

import wengert as wg


def seed_f(x, y):
    return x * x * y + y + 2


def close(a, b, tol=1e-10):
    a, b = (v.numpy(force=True) if isinstance(v, wg.Tensor) else v for v in (a, b))
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=tol, atol=tol)


def rosen(x):
    a, b = x[:-1], x[1:]
    return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()


def rosen_hessian(x):
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        h[i, i + 1] = h[i + 1, i] = -400 * x[i]
        h[i + 1, i + 1] += 200
    return h
