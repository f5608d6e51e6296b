"""Making tensors: tensor/asarray, the filled constructors, and seeded random numbers."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .dtypes import _default_float
from .grad_mode import state as _grad
from .ops._operands import SEQUENCES, holds_tensor, pack
from .ops.elementwise import astype as _astype, copy as _copy, where as _where
from .ops.shape import broadcast_to as _broadcast_to, moveaxis as _moveaxis
from .tensor import Tensor, _make, _to_array


def _leaf(arr: np.ndarray, requires_grad: bool, name: str | None = None) -> Tensor:
    t = _make(arr, None)
    if requires_grad:
        t.requires_grad = True          # validates the dtype
    if name is not None:
        t.name = name
    return t


def _in_graph(t: Tensor) -> bool:
    """Is t (a Tensor) part of a differentiation: requiring grad (grad mode on) or carrying
    a tangent? Then making a tensor from it must stay differentiable (API §9)."""
    return t._tangents is not None or t._requires_grad and _grad.enabled


def _from_graph(t: Tensor, dtype: DTypeLike | None, requires_grad: bool, name: str | None,
                copy: bool) -> Tensor:
    """A tensor made from t, which is part of a differentiation: t itself, a differentiable
    copy, or a cast. requires_grad=True is then already true."""
    if dtype is not None and t.dtype != np.dtype(dtype):
        _check_float(np.dtype(dtype), "the result")
        t = _astype(t, dtype)
    elif copy:
        t = _copy(t)
    if name is not None:
        t.name = name
    return t


def _check_float(dtype: np.dtype, what: str) -> None:
    if dtype.kind == "c":
        raise TypeError(f"{what} would be complex: complex differentiation is not supported "
                        f"yet; use real tensors (e.g. the real and imaginary parts apart)")


def tensor(data: Any, dtype: DTypeLike | None = None, requires_grad: bool = False,
           name: str | None = None) -> Tensor:
    """A new tensor holding a copy of `data` (Python floats → float64, ints → int64).

    Made of tensors that require grad (a list of them, or one), it stays differentiable:
    wg.tensor([a, b]) is wg.stack([a, b]), wg.tensor(t) a recorded copy of t.

    Examples
    --------
    >>> wg.tensor([1.0, 2.0], requires_grad=True)
    tensor([1., 2.], requires_grad=True)
    >>> wg.tensor([1, 2]).dtype
    dtype('int64')
    """
    if isinstance(data, Tensor):
        if _in_graph(data):
            return _from_graph(data, dtype, requires_grad, name, True)
    elif isinstance(data, SEQUENCES) and holds_tensor(data):
        return _from_graph(pack(data), dtype, requires_grad, name, False)
    return _leaf(_python_floats(_to_array(data, dtype, copy=True), data, dtype), requires_grad,
                 name)


def asarray(data: Any, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Like tensor(), without copying where possible; a Tensor of the right dtype is returned
    as is, and a list of tensors is stacked (differentiably).

    Examples
    --------
    >>> a = np.array([1.0, 2.0])
    >>> t = wg.asarray(a)
    >>> t
    tensor([1., 2.])
    >>> np.shares_memory(t.numpy(), a)
    True
    """
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        if requires_grad and not data.requires_grad:
            data.requires_grad = True
        return data
    if isinstance(data, Tensor) and _in_graph(data):
        return _from_graph(data, dtype, requires_grad, None, False)
    if isinstance(data, SEQUENCES) and holds_tensor(data):
        return _from_graph(pack(data), dtype, requires_grad, None, False)
    return _leaf(_python_floats(_to_array(data, dtype, copy=False), data, dtype), requires_grad)


def _python_floats(arr: np.ndarray, data: Any, dtype: DTypeLike | None) -> np.ndarray:
    """arr in the default float dtype (wg.set_default_dtype) where it holds Python floats
    that NumPy made float64; ndarrays, tensors and named dtypes keep theirs."""
    dflt = _default_float[0]
    if dflt == np.float64 or dtype is not None or arr.dtype != np.float64 or \
            isinstance(data, (np.ndarray, np.generic, Tensor)):
        return arr
    return arr.astype(dflt)


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


def zeros(shape: int | tuple[int, ...], dtype: DTypeLike | None = None,
          requires_grad: bool = False) -> Tensor:
    """A new leaf tensor of `shape` filled with 0 (float64, or the default dtype wg.set_default_dtype set, unless dtype says otherwise).

    >>> wg.zeros((2, 3)).shape
    (2, 3)
    """
    return _leaf(np.zeros(shape, dtype=dtype or _default_float[0]), requires_grad)


def ones(shape: int | tuple[int, ...], dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    """A new leaf tensor of `shape` filled with 1 (float64, or the default dtype wg.set_default_dtype set, unless dtype says otherwise).

    >>> wg.ones(2, requires_grad=True)
    tensor([1., 1.], requires_grad=True)
    """
    return _leaf(np.ones(shape, dtype=dtype or _default_float[0]), requires_grad)


def empty(shape: int | tuple[int, ...], dtype: DTypeLike | None = None,
          requires_grad: bool = False) -> Tensor:
    """A new leaf tensor of `shape` whose values are whatever the memory held (float64, or the
    default dtype, unless dtype says otherwise): fill it before reading it.

    >>> wg.empty((2, 2), dtype=wg.float32).dtype
    dtype('float32')
    """
    return _leaf(np.empty(shape, dtype=dtype or _default_float[0]), requires_grad)


def _filled(shape: tuple[int, ...], fill_value: Tensor, dtype: DTypeLike | None) -> Tensor:
    """A tensor of `shape` filled with the tensor fill_value (broadcast), differentiably:
    each element's gradient flows back to the fill value (summed where it was broadcast)."""
    f = fill_value
    if dtype is not None and f.dtype != np.dtype(dtype):
        _check_float(np.dtype(dtype), "the result")
        f = _astype(f, dtype)
    return _copy(_broadcast_to(f, shape))     # a copy: writable, no shared memory


def full(shape: int | tuple[int, ...], fill_value: Any, dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    """`shape` filled with fill_value (broadcast). A fill value that requires grad (or a list
    holding such tensors) keeps its gradient: d(full)/d(fill) sums the gradient over the
    copies.

    >>> c = wg.tensor(2.0, requires_grad=True)
    >>> wg.full(3, c).sum().backward()
    >>> c.grad
    tensor(3.)
    """
    if isinstance(fill_value, SEQUENCES) and holds_tensor(fill_value):
        fill_value = pack(fill_value)
    if isinstance(fill_value, Tensor):
        if _in_graph(fill_value):
            return _filled(_shape((shape,)), fill_value, dtype)
        fill_value = fill_value.data
    return _leaf(_python_floats(np.full(shape, fill_value, dtype=dtype), fill_value, dtype),
                 requires_grad)


def _like(a: Any) -> np.ndarray:
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def zeros_like(a: Any, dtype: DTypeLike | None = None, shape: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    """A new leaf tensor of zeros with a's shape and dtype (unless given); never connected
    to a's graph.

    >>> wg.zeros_like(wg.tensor([1, 2, 3]))
    tensor([0, 0, 0])
    """
    return _leaf(np.zeros_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def ones_like(a: Any, dtype: DTypeLike | None = None, shape: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """A new leaf tensor of ones with a's shape and dtype (unless given); never connected
    to a's graph.

    >>> wg.ones_like(wg.tensor([1.5, 2.5]))
    tensor([1., 1.])
    """
    return _leaf(np.ones_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def empty_like(a: Any, dtype: DTypeLike | None = None, shape: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    """A new leaf tensor, not filled, with a's shape and dtype (unless given).

    >>> wg.empty_like(wg.zeros((2, 3))).shape
    (2, 3)
    """
    return _leaf(np.empty_like(_like(a), dtype=dtype, shape=shape), requires_grad)


def full_like(a: Any, fill_value: Any, dtype: DTypeLike | None = None, shape: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """full() with a's shape and dtype (unless given); differentiable in fill_value as full.

    Examples
    --------
    >>> wg.full_like(wg.zeros(3), 7.0)
    tensor([7., 7., 7.])
    """
    if isinstance(fill_value, SEQUENCES) and holds_tensor(fill_value):
        fill_value = pack(fill_value)
    if isinstance(fill_value, Tensor):
        if _in_graph(fill_value):
            ref = _like(a)
            return _filled(ref.shape if shape is None else _shape((shape,)), fill_value,
                           ref.dtype if dtype is None else dtype)
        fill_value = fill_value.data
    return _leaf(np.full_like(_like(a), fill_value, dtype=dtype, shape=shape), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1,
           dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, stop) by `step` (in [0, start) when stop is None),
    as np.arange; a new leaf tensor.

    >>> wg.arange(4)
    tensor([0, 1, 2, 3])
    >>> wg.arange(0.0, 1.0, 0.25)
    tensor([0.  , 0.25, 0.5 , 0.75])
    """
    args = (start,) if stop is None else (start, stop, step)
    return _leaf(_python_floats(np.arange(*args, dtype=dtype), args, dtype), requires_grad)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: DTypeLike | None = None, axis: int = 0,
             requires_grad: bool = False) -> Any:
    """num evenly spaced values from start to stop (stop included when endpoint).

    With tensor start or stop it is start + (stop − start)·wᵢ, wᵢ = i / (num − 1) (or i / num
    without the endpoint), the last value exactly stop: d/dstart = 1 − wᵢ, d/dstop = wᵢ.

    >>> wg.linspace(0.0, 1.0, 5)
    tensor([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    if isinstance(start, Tensor) or isinstance(stop, Tensor):
        return _linspace_tensor(start, stop, num, endpoint, retstep, dtype, axis)
    if retstep:
        r, step = np.linspace(start, stop, num, endpoint=endpoint, retstep=True, dtype=dtype,
                              axis=axis)
        return _leaf(_python_floats(r, (start, stop), dtype), requires_grad), step
    r = np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype, axis=axis)
    return _leaf(_python_floats(r, (start, stop), dtype), requires_grad)


def _linspace_tensor(start: Any, stop: Any, num: int, endpoint: bool, retstep: bool,
                     dtype: DTypeLike | None, axis: int) -> Any:
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    start = start if isinstance(start, Tensor) else _make(np.asarray(start), None)
    stop = stop if isinstance(stop, Tensor) else _make(np.asarray(stop), None)
    kind = np.result_type(start.dtype, stop.dtype, float)
    div = (num - 1) if endpoint else num
    w = np.arange(num, dtype=kind) / div if div > 0 else np.zeros(num, kind)
    nd = max(start.ndim, stop.ndim)
    w = w.reshape((num,) + (1,) * nd)
    delta = stop - start
    y = start + delta * w
    if endpoint and num > 1:
        last = np.zeros(w.shape, bool)
        last[-1] = True
        y = _where(last, stop + 0 * start, y)      # NumPy's last value is exactly stop
    if axis != 0:
        y = _moveaxis(y, 0, axis)
    if dtype is not None:
        y = y.astype(dtype)
    if retstep:
        return y, (delta / div if div > 0 else delta * np.nan)
    return y


def eye(N: int, M: int | None = None, k: int = 0, dtype: DTypeLike | None = None,
        requires_grad: bool = False) -> Tensor:
    """An N×M (N×N) leaf tensor with ones on diagonal k (0: the main one), zeros elsewhere.

    >>> wg.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return _leaf(np.eye(N, M, k, dtype=dtype or _default_float[0]), requires_grad)


_rng = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed wengert's random generator (randn, rand, randint, dropout, init).

    Examples
    --------
    >>> _ = wg.manual_seed(0)
    >>> a = wg.randn(2)
    >>> _ = wg.manual_seed(0)
    >>> bool((wg.randn(2) == a).all())
    True
    """
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def generator() -> np.random.Generator:
    """wengert's random generator (the one manual_seed seeds)."""
    return _rng


def randn(*shape: Any, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples of the given shape (float64, or the default dtype that
    wg.set_default_dtype set, unless dtype says otherwise).

    Examples
    --------
    >>> _ = wg.manual_seed(0)
    >>> wg.randn(2, 3, requires_grad=True).shape
    (2, 3)
    """
    a = _rng.standard_normal(_shape(shape))
    return _leaf(a.astype(dtype or _default_float[0], copy=False), requires_grad)


def rand(*shape: Any, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) (float64 or the default dtype unless dtype says otherwise).

    Examples
    --------
    >>> _ = wg.manual_seed(0)
    >>> x = wg.rand(2, 3)
    >>> x.shape, bool(((x >= 0) & (x < 1)).all())
    ((2, 3), True)
    """
    a = _rng.random(_shape(shape))
    return _leaf(a.astype(dtype or _default_float[0], copy=False), requires_grad)


def randint(low: int, high: int | None = None, size: Any = None, dtype: DTypeLike = np.int64,
            *, shape: Any = None) -> Tensor:
    """Integers in [low, high) (or [0, low) when high is None).

    Examples
    --------
    >>> _ = wg.manual_seed(0)
    >>> x = wg.randint(0, 10, size=5)
    >>> x.dtype, bool(((x >= 0) & (x < 10)).all())
    (dtype('int64'), True)
    """
    size = shape if size is None else size
    if high is None:
        low, high = 0, low
    return _leaf(_rng.integers(low, high, size=size, dtype=dtype), False)
