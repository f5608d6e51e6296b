"""Helpers shared by the NumPy-vocabulary test modules (test_differences, test_assemble,
test_rearrange, test_products, test_signal)."""
import numpy as np

import wengert as wg


def nl(f):
    """f followed by sin: the second-order checks then exercise every rule's own derivative
    (a linear function alone has a constant gradient)."""
    def g(*xs, **kw):
        out = f(*xs, **kw)
        if isinstance(out, (list, tuple)):
            return type(out)(wg.sin(o) for o in out)
        return wg.sin(out)
    g.__name__ = getattr(f, "__name__", "f")
    return g


def nl_ref(f):
    def g(*xs, **kw):
        out = f(*xs, **kw)
        if isinstance(out, (list, tuple)):
            return type(out)(np.sin(o) for o in out)
        return np.sin(out)
    return g


def joined(f):
    """f(sequence, ...) called as f(*tensors, ...)."""
    return lambda *xs, **kw: f(list(xs), **kw)


def check_dispatch(name, args, kwargs=None, grad_arg=0):
    """np.<name>(…) with a tensor that requires grad reaches wengert: a Tensor (or a sequence
    of them) comes back, equal to NumPy's answer on the values, and a gradient flows."""
    kwargs = kwargs or {}
    ts = [wg.tensor(a, requires_grad=True) if i == grad_arg else a for i, a in enumerate(args)]
    f = getattr(np, name)
    got = f(*ts, **kwargs)
    want = f(*args, **kwargs)
    outs = list(got) if isinstance(got, (list, tuple)) else [got]
    wants = list(want) if isinstance(want, (list, tuple)) else [want]
    assert len(outs) == len(wants)
    total = 0.0
    for o, w in zip(outs, wants):
        assert isinstance(o, wg.Tensor), f"np.{name} gave {type(o).__name__}"
        np.testing.assert_allclose(o.detach().numpy(), w, rtol=1e-12, atol=1e-12)
        if o.requires_grad:
            total = total + (o * wg.sin(wg.tensor(np.arange(o.size).reshape(o.shape)))).sum()
    assert isinstance(total, wg.Tensor) and total.requires_grad, f"np.{name}: no gradient"
    total.backward()
    assert ts[grad_arg].grad is not None
