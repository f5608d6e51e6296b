"""Helpers shared by the test modules (also offered as fixtures by tests/conftest.py)."""
import numpy as np

import wengert as wg


def leaf(v, dtype=None):
    """A leaf tensor of v that requires grad."""
    return wg.tensor(v, dtype=dtype, requires_grad=True)


def randn(*shape, seed=0):
    """Standard normal samples of `shape`, the same ones for the same seed."""
    return np.random.default_rng(seed).standard_normal(shape)


def randn_leaf(*shape, seed=0):
    """A leaf tensor of randn(*shape, seed=seed) that requires grad."""
    return wg.tensor(randn(*shape, seed=seed), requires_grad=True)


def grads_as_lists(f, *xs):
    """The gradients of f(*xs).sum() with respect to each x (leaves made here), as nested
    lists, for exact comparisons."""
    ts = [leaf(x) for x in xs]
    f(*ts).sum().backward()
    return [t.grad.numpy().tolist() for t in ts]


def numpy_warnings_off():
    """A context in which NumPy's own floating-point warnings (sqrt(-1), exp(1000)) are
    silent, for tests that look at what wengert adds."""
    return np.errstate(all="ignore")
