"""Helpers shared by several linear-algebra families: operand coercion, the square-matrix
check, batch-axis padding, the complex-result error. A helper used by one family lives in
that family's module (the one-triangle and eigen-gap helpers: decompositions.py)."""
import numpy as np

from ...grad_mode import state as _grad
from ...tensor import Tensor, _make
from .._operands import SEQUENCES, by_value, holds_tensor, pack


LinAlgError = np.linalg.LinAlgError       # a ValueError, as in NumPy


def _as_tensor(x):
    """x as a Tensor (no copy)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, SEQUENCES) and holds_tensor(x):
        return pack(x)
    # (a constant Tensor is saved by reference: the caller's writable array is copied)
    return _make(by_value(x) if type(x) is np.ndarray else np.asarray(x), None)


def _records(x):
    """Whether x needs a differentiable path: recorded for reverse mode, or carrying
    forward-mode tangents (a shortcut on the bare values would drop them)."""
    return isinstance(x, Tensor) and (x._requires_grad and _grad.enabled
                                      or x._tangents is not None)


def _mT(x):
    """Transpose of the last two axes (rule vocabulary: works on arrays and Tensors)."""
    return np.swapaxes(x, -1, -2)


def _square(name, a):
    s = np.shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise LinAlgError(f"{name}: expected a square matrix (or a stack of them) in the last "
                          f"two axes, got shape {s}")


def _no_out(name, out):
    if out is not None:
        raise TypeError(f"wengert.{name} does not support out=; use the returned tensor")


def _pad_batch(t, core, target):
    """t = lead + core axes: put target − core unit axes between the lead and the core, so a
    tangent's leading batch axes cannot be mistaken for broadcasting batch axes."""
    k = target - core
    if k <= 0 or np.ndim(t) == core:
        return t
    s = np.shape(t)
    lead = len(s) - core
    return np.reshape(t, s[:lead] + (1,) * k + s[lead:])


def _complex_error(fname):
    return TypeError(f"wengert.linalg.{fname}: the result is complex here, and wengert does "
                     f"not differentiate complex numbers yet; call it on a .detach()ed tensor "
                     f"(no gradient), or use eigh for a symmetric matrix")
