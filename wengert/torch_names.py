"""The namespace names a PyTorch user types (API §10): dtype aliases, `device`, default dtype,
`inference_mode`, `from_numpy`, `is_tensor`, and `dim=`/`keepdim=` on NumPy's functions.

wengert's namespace is NumPy's; these names are added beside it. Where the two libraries
give one name two meanings, NumPy's stays (see wengert.ops.torch_dims for the functions whose
PyTorch meaning `dim=` selects).
"""
import builtins
import inspect
from typing import Callable

import numpy as np

from . import dtypes as _dtypes
from .generator import Generator, draws_from as _draws_from
from .grad_mode import _GradMode
from .ops import _operands, torch_dims as _torch_dims
from .ops.torch_dims import accepting_dim
from .tensor import Tensor, _make

__all__ = ["float", "double", "half", "long", "int", "bool", "short", "device",
           "set_default_dtype", "get_default_dtype", "inference_mode", "from_numpy",
           "is_tensor", "is_floating_point", "allclose", "isclose", "randperm", "randn_like",
           "rand_like", "Generator"]

# PyTorch's dtype names, as the NumPy dtypes they are (torch.float is 32-bit, torch.int 32-bit)
float = np.float32  # noqa: A001
double = np.float64
half = np.float16
long = np.int64
int = np.int32  # noqa: A001
short = np.int16
bool = np.bool_  # noqa: A001


class device:
    """Where a tensor's data lives: always the CPU (wengert computes with NumPy).

    device('cpu') (or 'cpu:0', or device('cpu', 0)) compares equal to the string 'cpu' and
    to t.device; any other device type is a ValueError, so code written for a GPU says so
    instead of running elsewhere unseen.

    Parameters
    ----------
    type : str or device
        'cpu' (optionally with an index, 'cpu:0').
    index : int, optional

    Examples
    --------
    >>> import wengert as wg
    >>> wg.device('cpu') == 'cpu'
    True
    >>> wg.zeros(2).to(wg.device('cpu')).device
    'cpu'
    """
    __slots__ = ("type", "index")
    type: builtins.str
    index: builtins.int | None

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"wengert.device: expected a string such as 'cpu', got {type!r}")
        kind, _, num = type.partition(":")
        if num:
            try:
                index = builtins.int(num)
            except ValueError:
                raise ValueError(f"wengert.device: invalid device string {type!r}") from None
        if kind != "cpu":
            raise ValueError(f"wengert.device({type!r}): wengert runs on the CPU only "
                             f"(NumPy); use 'cpu' (wg.cuda.is_available() is False)")
        self.type, self.index = kind, index

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (TypeError, ValueError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (self.index is None or other.index is None or
                                            self.index == other.index)

    def __hash__(self):
        return hash(self.type)

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return (f"device(type='{self.type}')" if self.index is None else
                f"device(type='{self.type}', index={self.index})")


def set_default_dtype(d):
    """Set the floating dtype that Python floats and the float constructors (tensor, zeros,
    ones, full, randn, rand, arange, linspace, eye, …) give when no dtype is named.

    wengert's default is NumPy's float64 (PyTorch's is float32). ndarrays keep their dtype.

    Parameters
    ----------
    d : float16, float32 or float64

    Examples
    --------
    >>> import wengert as wg
    >>> wg.set_default_dtype(wg.float32)
    >>> wg.tensor([1.5]).dtype
    dtype('float32')
    >>> wg.set_default_dtype(wg.float64)
    """
    try:
        dt = np.dtype(d)
    except TypeError:
        raise TypeError(f"wengert.set_default_dtype: expected a floating dtype, got {d!r}") \
            from None
    if dt not in (np.float16, np.float32, np.float64):
        raise TypeError(f"wengert.set_default_dtype: only floating dtypes (float16, float32, "
                        f"float64) can be the default, got {dt}")
    _dtypes._default_float[0] = dt


def get_default_dtype():
    """The floating dtype the constructors give when no dtype is named (float64 unless
    set_default_dtype changed it).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.get_default_dtype()
    dtype('float64')
    """
    return _dtypes._default_float[0]


class inference_mode(_GradMode):
    """PyTorch's inference_mode: like no_grad, nothing inside is recorded (results never
    require grad). A context manager and a decorator, with or without parentheses;
    inference_mode(False) leaves recording on.

    Examples
    --------
    >>> import wengert as wg
    >>> x = wg.ones(2, requires_grad=True)
    >>> with wg.inference_mode():
    ...     (x * 2).requires_grad
    False
    """
    _value = False

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, (builtins.bool, np.bool_)):
            return super().__new__(cls, mode)           # bare @inference_mode
        self = super().__new__(cls)
        self._value = not mode
        return self

    def _clone(self):
        c = super().__new__(type(self))
        c._value = self._value
        return c


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray` (PyTorch's from_numpy): writes to either are
    seen by the other. The tensor does not require grad.

    Examples
    --------
    >>> import numpy as np, wengert as wg
    >>> a = np.zeros(2)
    >>> t = wg.from_numpy(a)
    >>> a[0] = 5.
    >>> t
    tensor([5., 0.])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"wengert.from_numpy expects an np.ndarray, got "
                        f"{type(ndarray).__name__} (use wg.tensor or wg.asarray)")
    if ndarray.dtype.kind not in "biufc":
        raise TypeError(f"wengert.from_numpy: dtype {ndarray.dtype} is not numeric")
    return _make(ndarray, None)


def is_tensor(obj):
    """Whether obj is a wengert Tensor.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.is_tensor(wg.zeros(1)), wg.is_tensor([0.])
    (True, False)
    """
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """Whether the tensor's dtype is a floating one.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.is_floating_point(wg.zeros(1))
    True
    """
    return np.dtype(input.dtype).kind == "f"


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether |input − other| ≤ atol + rtol·|other| everywhere (NumPy's and PyTorch's
    allclose), a Python bool: a comparison of values, never part of a graph.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.allclose(wg.tensor([1., 2.]), [1., 2. + 1e-9])
    True
    """
    a, b = _values(input, other, "wg.allclose")
    return builtins.bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise |input − other| ≤ atol + rtol·|other|, a bool tensor (never requires
    grad).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.isclose(wg.tensor([1., 2.]), wg.tensor([1., 2.5]))
    tensor([ True, False])
    """
    a, b = _values(input, other, "wg.isclose")
    return _make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan), None)


def _values(input, other, what):
    """The values of input and other as arrays, read through the door a compiling tracer
    guards: a traced value is refused there (its answer would be a constant of the program)."""
    a, b = _operands.read_values((input, other), what)
    return np.asarray(a), np.asarray(b)


def _value(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def randperm(n, dtype=np.int64, requires_grad=False, *, generator=None):
    """A random permutation of 0 … n−1 from `generator` (None: wengert's global generator,
    which wg.manual_seed seeds; or a wengert.Generator).

    Examples
    --------
    >>> import wengert as wg
    >>> _ = wg.manual_seed(0)
    >>> sorted(wg.randperm(4).tolist())
    [0, 1, 2, 3]
    """
    if requires_grad:
        raise TypeError("wengert.randperm: an integer permutation cannot require grad")
    perm = _draws_from(generator, "randperm").permutation(builtins.int(n))
    return _make(perm.astype(dtype), None)


def _like(input, dtype, requires_grad, draw):
    dt = np.dtype(dtype if dtype is not None else _value(input).dtype)
    if dt.kind != "f":
        raise TypeError(f"wengert: random floats of dtype {dt}: give a floating dtype= "
                        f"(the input is {_value(input).dtype})")
    t = _make(draw(np.shape(_value(input))).astype(dt), None)
    if requires_grad:
        t.requires_grad = True
    return t


def randn_like(input, dtype=None, requires_grad=False):
    """Standard normal samples of input's shape and (floating) dtype.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.randn_like(wg.zeros((2, 3), dtype=wg.float32)).dtype
    dtype('float32')
    """
    return _like(input, dtype, requires_grad,
                 lambda s: _draws_from(None, "randn_like").standard_normal(s))


def rand_like(input, dtype=None, requires_grad=False):
    """Uniform samples in [0, 1) of input's shape and (floating) dtype.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.rand_like(wg.zeros(3)).shape
    (3,)
    """
    return _like(input, dtype, requires_grad,
                 lambda s: _draws_from(None, "rand_like").random(s))


# NumPy functions whose PyTorch meaning differs under dim=: the versions in ops/torch_dims.py
_SPECIAL = {name: getattr(_torch_dims, name) for name in _torch_dims.__all__}


def dim_aware(namespace, special=True):
    """For each function in `namespace` that takes NumPy's axis= or keepdims=, a version
    that also takes PyTorch's dim=/keepdim= (with `special`, the top namespace: also the
    functions whose PyTorch meaning dim= selects, from ops/torch_dims.py)."""
    out = dict(_SPECIAL) if special else {}
    # id(f) → its version, so aliases (concat, concatenate) stay one object
    made: dict[builtins.int, Callable] = {}
    for name, f in namespace.items():
        if name.startswith("_") or name in out or isinstance(f, type) or not callable(f):
            continue
        if id(f) in made:
            out[name] = made[id(f)]
            continue
        try:
            params = inspect.signature(f).parameters
        except (TypeError, ValueError):
            continue
        if "dim" in params or not ("axis" in params or "keepdims" in params):
            continue
        own = getattr(f, "__name__", name)
        fname = own if namespace.get(own) is f else name     # errors name the function itself
        out[name] = made[id(f)] = accepting_dim(
            f, fname, unbiased=fname in ("std", "var", "nanstd", "nanvar"))
    return out
