"""Making tensors: tensor/asarray, the filled constructors, and seeded random numbers."""
import numbers

import numpy as np

from .tensor import Tensor, _make


def _to_array(data, dtype=None, copy=True):
    """data → ndarray of a numeric dtype, or a clear TypeError/ValueError."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (str, bytes)):
        raise TypeError(f"tensor data must be numbers, not {type(data).__name__} ({data!r})")
    try:
        arr = np.array(data, dtype=dtype, copy=True if copy else None)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(f"tensor data must be rectangular (every row the same length): {e}") from None
        raise
    except TypeError as e:
        raise TypeError(f"cannot make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"tensor data must be numeric (bool, int or float), got dtype "
                        f"{arr.dtype} from {type(data).__name__}")
    return arr


def _leaf(arr, requires_grad, name=None):
    t = _make(arr, None)
    if requires_grad:
        t.requires_grad = True          # validates the dtype
    if name is not None:
        t.name = name
    return t


def tensor(data, dtype=None, requires_grad=False, name=None):
    """A new leaf tensor holding a copy of `data` (Python floats → float64, ints → int64)."""
    return _leaf(_to_array(data, dtype, copy=True), requires_grad, name)


def asarray(data, dtype=None, requires_grad=False):
    """Like tensor(), without copying where possible; a Tensor of the right dtype is returned as is."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        if requires_grad and not data.requires_grad:
            data.requires_grad = True
        return data
    return _leaf(_to_array(data, dtype, copy=False), requires_grad)


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


def zeros(shape, dtype=None, requires_grad=False):
    return _leaf(np.zeros(shape, dtype=dtype or np.float64), requires_grad)


def ones(shape, dtype=None, requires_grad=False):
    return _leaf(np.ones(shape, dtype=dtype or np.float64), requires_grad)


def empty(shape, dtype=None, requires_grad=False):
    return _leaf(np.empty(shape, dtype=dtype or np.float64), requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _leaf(np.full(shape, fill_value, dtype=dtype), requires_grad)


def _like(a):
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def zeros_like(a, dtype=None, shape=None, requires_grad=False, **_):
    return _leaf(np.zeros_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def ones_like(a, dtype=None, shape=None, requires_grad=False, **_):
    return _leaf(np.ones_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def empty_like(a, dtype=None, shape=None, requires_grad=False, **_):
    return _leaf(np.empty_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def full_like(a, fill_value, dtype=None, shape=None, requires_grad=False, **_):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _leaf(np.full_like(_like(a), fill_value, dtype=dtype, shape=shape), requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    args = (start,) if stop is None else (start, stop, step)
    return _leaf(np.arange(*args, dtype=dtype), requires_grad)


def linspace(start, stop, num=50, endpoint=True, dtype=None, requires_grad=False):
    return _leaf(np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype), requires_grad)


def eye(N, M=None, k=0, dtype=None, requires_grad=False):
    return _leaf(np.eye(N, M, k, dtype=dtype or np.float64), requires_grad)


_rng = np.random.default_rng()


def manual_seed(seed):
    """Seed wengert's random generator (randn, rand, randint, dropout, init)."""
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def generator():
    return _rng


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples of the given shape (float64 unless dtype says otherwise)."""
    a = _rng.standard_normal(_shape(shape))
    return _leaf(a if dtype is None else a.astype(dtype), requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1)."""
    a = _rng.random(_shape(shape))
    return _leaf(a if dtype is None else a.astype(dtype), requires_grad)


def randint(low, high=None, size=None, dtype=np.int64, *, shape=None):
    """Integers in [low, high) (or [0, low) when high is None)."""
    size = shape if size is None else size
    if high is None:
        low, high = 0, low
    return _leaf(_rng.integers(low, high, size=size, dtype=dtype), False)
