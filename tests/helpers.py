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


def torch_trajectory(optimizer, p0, grads, opts):
    """The parameters PyTorch's optimizer `optimizer` (a name in torch.optim) reaches from
    float64 starting values p0, fed the gradients `grads` step by step (skips without torch)."""
    import pytest
    torch = pytest.importorskip("torch")
    tp = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in p0]
    opt = getattr(torch.optim, optimizer)(tp, **opts)
    for step_grads in grads:
        for p, g in zip(tp, step_grads):
            p.grad = torch.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in tp]
