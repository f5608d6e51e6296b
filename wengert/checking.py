"""Finite differences: the independent check of every derivative.

`numerical_grad` is the seeds' method (central differences by default). `check_grads` compares
reverse mode against it, element by element, to first or second order; the public
`gradcheck` builds on it.
"""
import numpy as np

from .engine.backward import grad as _autograd_grad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor, _make


class GradcheckError(AssertionError):
    """A derivative disagrees with finite differences: names argument, element, expected, got."""


def default_eps(dtype, method="central"):
    """Step that balances truncation against rounding error: ε^(1/3) for central
    differences, ε^(1/2) for one-sided (ε = machine epsilon of the dtype)."""
    e = np.finfo(np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.float64).eps
    return float(e ** (1 / 3) if method == "central" else e ** 0.5)


def _scalar(out):
    v = out.data if isinstance(out, Tensor) else out
    v = np.asarray(v)
    if v.size != 1:
        raise ValueError(f"numerical_grad needs f to return one element, got shape {v.shape}")
    return float(v.reshape(()))


def _as_kind(value, like):
    """`value` (an ndarray) in the argument's own type."""
    if isinstance(like, Tensor):
        return _make(value, None)
    if isinstance(like, np.ndarray) or isinstance(like, np.generic):
        return value
    return float(value)


def numerical_grad(f, *args, argnums=0, eps=None, method="central"):
    """∂f/∂args[argnums] of a scalar-valued f by finite differences.

    central: (f(x + h·eⱼ) − f(x − h·eⱼ)) / 2h; forward/backward: one-sided. The step is
    h = eps·max(1, |xⱼ|), eps defaulting per dtype (see default_eps). Returns the argument's
    type (float, ndarray or Tensor); a tuple when argnums is a tuple.
    """
    if method not in ("central", "forward", "backward"):
        raise ValueError(f"method must be 'central', 'forward' or 'backward', got {method!r}")
    many = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if many else (argnums,)
    out = []
    with no_grad():
        for k in nums:
            a = args[k]
            x = np.array(a.data if isinstance(a, Tensor) else a, dtype=None, copy=True)
            if x.dtype.kind != "f":
                x = x.astype(np.float64)
            step = default_eps(x.dtype, method) if eps is None else eps
            g = np.zeros_like(x)
            flat_x, flat_g = x.reshape(-1), g.reshape(-1)

            def at(v, j):
                xx = x.copy()
                xx.reshape(-1)[j] = v
                call = list(args)
                call[k] = _as_kind(xx if x.ndim else xx.reshape(()), a)
                return _scalar(f(*call))

            for j in range(flat_x.size):
                x0 = flat_x[j]
                h = step * max(1.0, abs(float(x0)))
                if method == "central":
                    flat_g[j] = (at(x0 + h, j) - at(x0 - h, j)) / (2 * h)
                elif method == "forward":
                    flat_g[j] = (at(x0 + h, j) - at(x0, j)) / h
                else:
                    flat_g[j] = (at(x0, j) - at(x0 - h, j)) / h
            out.append(_as_kind(g, a) if not isinstance(a, (int, float)) or isinstance(a, bool)
                       else float(g))
    return tuple(out) if many else out[0]


def _flat_outputs(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if o is not None]
    return [out]


def _differentiable(args):
    idx = []
    for i, a in enumerate(args):
        v = a.data if isinstance(a, Tensor) else a
        if np.asarray(v).dtype.kind == "f":
            idx.append(i)
    return idx


def check_grads(f, args, order=1, eps=None, atol=1e-5, rtol=1e-3, seed=0):
    """Compare reverse mode with central differences, for every floating argument.

    The outputs of f (a Tensor or a tuple of them) are contracted with a fixed random
    cotangent u, so every element of every output is checked at once. order=2 also checks
    the derivatives of the VJP itself, computed with create_graph=True (so the backward rules
    run on Tensors and are differentiated). Raises GradcheckError on the first mismatch.
    """
    rng = np.random.default_rng(seed)
    args = [np.asarray(a.data if isinstance(a, Tensor) else a) for a in args]
    diff = _differentiable(args)
    with enable_grad():
        probe = _flat_outputs(f(*[_make(a, None) for a in args]))
    us = [rng.standard_normal(np.shape(o.data if isinstance(o, Tensor) else o)) for o in probe]

    def contracted(*xs):
        total = 0.0
        for o, u in zip(_flat_outputs(f(*xs)), us):
            total = total + (o * u).sum()
        return total

    _check_first(contracted, args, diff, eps, atol, rtol, "")
    if order >= 2:
        def vjp(*xs):
            ts = [x if isinstance(x, Tensor) else _make(np.asarray(x), None) for x in xs]
            for i in diff:
                if not ts[i].requires_grad:
                    ts[i] = _make(ts[i].data, None)
                    ts[i].requires_grad = True
            with enable_grad():         # also when numerical_grad evaluates it under no_grad
                s = contracted(*ts)
                grads = _autograd_grad(s, [ts[i] for i in diff], create_graph=True,
                                       allow_unused=True)
            return tuple(g for g in grads if g is not None)
        check_grads(vjp, args, order=order - 1, eps=eps, atol=atol, rtol=rtol, seed=seed + 1)
    return True


def _check_first(contracted, args, diff, eps, atol, rtol, what):
    with enable_grad():
        ts = [_make(a, None) for a in args]
        for i in diff:
            ts[i].requires_grad = True
        s = contracted(*ts)
        if not isinstance(s, Tensor) or not s.requires_grad:
            got = [np.zeros_like(args[i]) for i in diff]
        else:
            grads = _autograd_grad(s, [ts[i] for i in diff], allow_unused=True)
            got = [np.zeros_like(args[i]) if g is None else np.asarray(g.data)
                   for i, g in zip(diff, grads)]
    for i, g in zip(diff, got):
        expected = np.asarray(numerical_grad(lambda *xs: contracted(*[_make(np.asarray(x), None) for x in xs]),
                                             *args, argnums=i, eps=eps))
        if g.shape != expected.shape:
            raise GradcheckError(f"argument {i}: gradient has shape {g.shape}, expected {expected.shape}")
        bad = ~np.isclose(g, expected, atol=atol, rtol=rtol, equal_nan=False)
        if bad.any():
            j = tuple(int(k) for k in np.argwhere(bad)[0])
            raise GradcheckError(
                f"argument {i}, element {j}: expected {expected[j]!r} (finite differences), "
                f"got {g[j]!r} (reverse mode){what}")
