"""Shared numerical checks: central finite differences of plain-NumPy functions, and the
comparison of a value and a gradient with NumPy's. Used by the idiom suite and the fuzzer.

Every function here calls `f` on fresh float64 copies of the arguments, so a function that
writes into its inputs cannot corrupt the next evaluation.
"""
import numpy as np


def copies(args):
    """Fresh copies of the arguments (ndarrays copied, everything else as is)."""
    return [np.array(a, dtype=np.float64) if isinstance(a, np.ndarray) else a for a in args]


def _with(args, i, xi):
    call = copies(args)
    call[i] = xi
    return call


def central_diff(f, args, argnum=0, eps=1e-6):
    """∂f/∂args[argnum] by central differences, (f(x+εe_j) − f(x−εe_j)) / 2ε for every j.

    f returns any array; the result has shape f(...).shape + args[argnum].shape."""
    x = np.array(args[argnum], dtype=np.float64)
    cols = []
    for j in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[j] += eps
        xm[j] -= eps
        fp = np.asarray(f(*_with(args, argnum, xp)), dtype=np.float64)
        fm = np.asarray(f(*_with(args, argnum, xm)), dtype=np.float64)
        cols.append((fp - fm) / (2 * eps))
    if not cols:
        out = np.asarray(f(*copies(args)), dtype=np.float64)
        return np.zeros(out.shape + x.shape)
    jac = np.stack(cols, axis=-1)
    return jac.reshape(jac.shape[:-1] + x.shape)


def weights(shape, seed=1234):
    """A fixed random cotangent of the given shape (a direction that sees every element)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape) + 0.25


def scalarize(f, out_shape, seed=1234):
    """f itself if its output is one element, else x ↦ Σ f(x)·W for a fixed random W: one
    scalar whose gradient covers the whole Jacobian in a random direction."""
    if int(np.prod(out_shape)) == 1:
        return f
    w = weights(out_shape, seed)

    def scalar(*xs):
        return np.sum(f(*xs) * w)
    scalar.__name__ = f"sum_w({getattr(f, '__name__', 'f')})"
    return scalar


def mismatch(got, want, rtol, atol_rel, what):
    """None when got ≈ want (|got − want| ≤ atol + rtol·|want|, atol = atol_rel·max(1, max|want|)),
    else a one-paragraph description of the worst element."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        if got.size == want.size == 1:
            got, want = got.reshape(()), want.reshape(())
        else:
            return f"{what}: shape {got.shape}, expected {want.shape}"
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size and np.all(np.isfinite(want)) else 1.0
    atol = atol_rel * scale
    if not np.all(np.isfinite(got) == np.isfinite(want)):
        return f"{what}: non-finite entries differ\n got  {got}\n want {want}"
    fin = np.isfinite(want)
    err = np.abs(np.where(fin, got - want, 0.0))
    bound = atol + rtol * np.abs(np.where(fin, want, 0.0))
    if np.all(err <= bound):
        return None
    k = np.unravel_index(int(np.argmax(err - bound)), err.shape) if err.ndim else ()
    return (f"{what}: element {k} is {got[k]!r}, expected {want[k]!r} "
            f"(|error| {err[k]:.3g} > {bound[k]:.3g})\n got  {np.array2string(got, precision=6)}"
            f"\n want {np.array2string(want, precision=6)}")
