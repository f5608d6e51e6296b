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
