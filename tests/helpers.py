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


def outcome(f, args):
    """f(*args) as a list of arrays, or (error type, start of its message) for a value error
    (NumPy's warnings off; a TraceError, wg.compile's refusal, is raised)."""
    import warnings
    from wengert.compile import TraceError
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = f(*args)
    except TraceError:
        raise
    except (ValueError, TypeError, ArithmeticError, LookupError, np.linalg.LinAlgError) as e:
        return type(e), str(e)[:40]
    return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else (out,))]


def compiled_agrees(f, usual, *special):
    """Compile f at `usual`, then call the same compiled function at each of `special` (and
    at `usual` again): its results (or errors) are f's, NaN equal to NaN."""
    c = wg.compile(f)
    for args in (usual,) + special + (usual,):
        got, want = outcome(c, args), outcome(f, args)
        if isinstance(want, tuple):
            assert got == want, (args, got, want)
            continue
        assert not isinstance(got, tuple), (args, got, want)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype, (args, g, w)
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                       err_msg=str(args))
