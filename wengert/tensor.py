"""Tensor: one NumPy value plus what reverse mode needs (grad_fn, requires_grad, grad).

This module knows no op (the ops import it): the operators, the NumPy-named methods,
indexing, .T/.mT/.real/.imag, .tangent/.primal, backward() and NumPy's __array_ufunc__ and
__array_function__ are one line each, calling an op, in wengert/ops/tensor_methods.py, which
sets them on the class when wengert.ops is imported. Those protocols route NumPy calls on
Tensors into wengert ops, so unmodified NumPy code — and the derivative rules themselves —
record graphs.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .exits import check_deepcopy as _check_deepcopy, check_exit as _check_exit
from .engine.node import RemovableHandle
from .grad_mode import state as _grad_state
from .printing import tensor_repr as _tensor_repr
from .views import alias


class _Extra:
    """Rarely used per-tensor state, created on first use so ordinary tensors stay small.

    aliases: on a base, weak references to every tensor sharing its memory (detach(), views
    and views of them), so an in-place write reaches each of them (wengert.views).
    view: on such an alias, how it was made from its base (a _View).
    cow: in-place updates must bind a fresh array instead of writing into this tensor's
    memory (a graph node may hold it, or a view of it could not follow the write).
    """
    __slots__ = ("hooks", "name", "retains_grad", "aliases", "cow", "view")

    def __init__(self):
        self.hooks = None
        self.name = None
        self.retains_grad = False
        self.aliases = None
        self.cow = False
        self.view = None


class Tensor:
    """An n-dimensional value (a NumPy array, `.data`) that can record how it was computed.

    A tensor that requires grad is a leaf of the graph; each op on it gives a tensor whose
    `grad_fn` is the node that made it. `y.backward()` accumulates dy/dx into `x.grad` for
    each leaf x. Make tensors with wg.tensor, wg.zeros, ... rather than this constructor.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4.])
    """
    __slots__ = ("data", "grad_fn", "_requires_grad", "_grad", "_version", "_extra", "_tangents",
                 "__weakref__")
    __array_priority__ = 1000.0
    data: np.ndarray
    grad_fn: Any

    if TYPE_CHECKING:
        # The operators and NumPy-named methods are set on the class by ops/tensor_methods.py
        # (this module knows no op); a type checker learns their signatures here.
        def _binary(self, other: Any, /) -> Tensor: ...
        __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _binary
        __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _binary
        __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _binary
        __lt__ = __le__ = __gt__ = __ge__ = __and__ = __or__ = dot = _binary
        __iadd__ = __isub__ = __imul__ = __itruediv__ = _binary
        def __eq__(self, other: Any, /) -> Tensor: ...  # type: ignore[override]
        def __ne__(self, other: Any, /) -> Tensor: ...  # type: ignore[override]
        def _unary(self) -> Tensor: ...
        __neg__ = __pos__ = __abs__ = __invert__ = copy = flatten = conj = conjugate = _unary
        exp = log = sqrt = sin = cos = tanh = sigmoid = relu = abs = _unary
        T = mT = real = imag = primal = property(_unary)
        @property
        def tangent(self) -> Tensor | None: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __setitem__(self, index: Any, value: Any) -> None: ...
        def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                     create_graph: bool = False) -> None: ...
        def astype(self, dtype: Any, copy: bool = True) -> Tensor: ...
        def _reduce(self, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Tensor: ...
        sum = mean = prod = _reduce
        def _pick(self, axis: Any = None, keepdims: bool = False) -> Tensor: ...
        max = min = all = any = argmax = argmin = _pick
        def _spread(self, axis: Any = None, ddof: float = 0, keepdims: bool = False) -> Tensor: ...
        var = std = _spread
        def _along(self, axis: Any = None) -> Tensor: ...
        cumsum = cumprod = squeeze = _along
        def clip(self, min: Any = None, max: Any = None) -> Tensor: ...
        def round(self, decimals: int = 0) -> Tensor: ...
        def reshape(self, *shape: Any, order: str = "C") -> Tensor: ...
        def transpose(self, *axes: Any) -> Tensor: ...
        def ravel(self, order: str = "C") -> Tensor: ...
        def swapaxes(self, axis1: int, axis2: int) -> Tensor: ...
        def repeat(self, repeats: Any, axis: Any = None) -> Tensor: ...
        def take(self, indices: Any, axis: Any = None) -> Tensor: ...
        def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor: ...
        def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor: ...
        # set by ops/inplace.py (t <- op(t, other), the rules of in-place writes) and by
        # wengert/__init__.py (the array API's namespace, the package itself)
        _inplace: Callable[..., Tensor]
        __array_namespace__: Callable[..., Any]

    def __init__(self, data, dtype=None, requires_grad=False):
        self.data = _to_array(data, dtype, copy=True)
        self.grad_fn = None
        self._grad = None
        self._version = 0
        self._extra = None
        self._tangents = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    # ---- attributes -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (set it True on a floating leaf).

        >>> x = wg.tensor(1.0, requires_grad=True)
        >>> wg.tensor(1.0).requires_grad, (x * 2.0).requires_grad
        (False, True)
        """
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self.grad_fn is not None:
            if not flag:
                raise RuntimeError("requires_grad can only be changed on leaf tensors; use "
                                   "y.detach() to get a tensor that does not require grad")
            return
        if flag and self.data.dtype.kind != "f":
            if self.data.dtype.kind == "c":
                raise TypeError(f"requires_grad on a {self.data.dtype} tensor: complex "
                                f"differentiation is not supported yet; differentiate real "
                                f"tensors (e.g. the real and imaginary parts apart)")
            raise TypeError(f"only floating-point tensors can require gradients, got dtype "
                            f"{self.data.dtype}; convert first, e.g. t.astype(wg.float64)")
        self._requires_grad = flag

    @property
    def grad(self) -> Tensor | None:
        """The gradient that backward() accumulated here (None before any backward).

        Only leaves (and non-leaves that called retain_grad()) receive one. Reading it on any
        other non-leaf warns (UserWarning), as PyTorch does: it stays None, and the leaf's
        .grad, or retain_grad() before backward, is nearly always what was meant.

        >>> x = wg.tensor(3.0, requires_grad=True)
        >>> (x * x).backward()
        >>> x.grad
        tensor(6.)
        """
        g = self._grad
        if g is None and self.grad_fn is not None and not self.retains_grad:
            _warn_non_leaf_grad()
        return g

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        self._grad = value

    @property
    def shape(self) -> tuple[int, ...]:
        """The lengths of the axes, as NumPy's ndarray.shape.

        >>> wg.tensor([[1.0, 2.0, 3.0]]).shape
        (1, 3)
        """
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the values.

        >>> wg.tensor([1.0, 2.0]).dtype
        dtype('float64')
        """
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes.

        >>> wg.tensor([[1.0, 2.0]]).ndim
        2
        """
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements.

        >>> wg.tensor([[1.0, 2.0, 3.0]]).size
        3
        """
        return self.data.size

    @property
    def device(self) -> str:
        """Always "cpu": wengert computes with NumPy (the name is there for Array API code).

        Examples
        --------
        >>> wg.zeros(1).device
        'cpu'
        """
        return "cpu"

    @property
    def is_leaf(self) -> bool:
        """True for a tensor no recorded op made (grad_fn is None): backward fills the
        .grad of leaves that require grad.

        >>> x = wg.tensor(3.0, requires_grad=True)
        >>> x.is_leaf, (x * 2.0).is_leaf
        (True, False)
        """
        return self.grad_fn is None

    @property
    def name(self) -> str | None:
        """A label for drawings, the tape and error messages (None until set).

        Examples
        --------
        >>> x = wg.tensor(1.0, name='x')
        >>> x.name
        'x'
        """
        return None if self._extra is None else self._extra.name

    @name.setter
    def name(self, value):
        self._get_extra().name = value

    @property
    def retains_grad(self) -> bool:
        """Whether retain_grad() was called on this non-leaf (its .grad is then kept).

        Examples
        --------
        >>> y = wg.tensor(1.0, requires_grad=True) * 2
        >>> y.retain_grad()
        >>> y.retains_grad
        True
        """
        return self._extra is not None and self._extra.retains_grad

    def _get_extra(self):
        if self._extra is None:
            self._extra = _Extra()
        return self._extra

    # ---- conversion ---------------------------------------------------------------------
    def __deepcopy__(self, memo):
        """A new tensor with copies of every slot (behind a non-leaf, its whole graph, down to
        new leaves); refused inside a transform for a value it differentiates (exits)."""
        _check_deepcopy(self)
        from copy import deepcopy
        new = _new(Tensor)
        memo[id(self)] = new
        new.data = self.data.copy()     # (new memory: no view or alias bookkeeping to copy)
        new.grad_fn = deepcopy(self.grad_fn, memo)
        new._requires_grad = self._requires_grad
        new._grad = deepcopy(self._grad, memo)
        new._version = 0
        new._extra = None
        new._tangents = deepcopy(self._tangents, memo)
        if self.name is not None:
            new.name = self.name
        return new

    # The doors a value leaves the graph by (API §9); each asks exits.check_exit first.
    # Arrays handed out for reading are read-only views: the engine may hold the same
    # memory as a saved value, so a write through them would change a gradient unseen.
    def numpy(self, force=False):
        """The value as a read-only ndarray (no copy). Refused (TypeError) for a tensor that
        requires grad or carries a tangent, unless force=True: the explicit way out.

        Examples
        --------
        >>> wg.tensor([1.0, 2.0]).numpy()
        array([1., 2.])
        >>> wg.tensor([1.0], requires_grad=True).detach().numpy()
        array([1.])
        """
        if not force and (self._tangents is not None or self._requires_grad):
            _check_exit(self, "t.numpy()", True)
        return _read_only(self.data)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number. Refused (TypeError) for
        a tensor that requires grad or carries a tangent: detach() it first.

        >>> wg.tensor([2.5]).item()
        2.5
        """
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, ".item()")
        return self.data.item()

    def tolist(self) -> Any:
        """The values as nested Python lists (refused, as item(), in a differentiation).

        >>> wg.tensor([[1.0, 2.0]]).tolist()
        [[1.0, 2.0]]
        """
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, ".tolist()")
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, "np.asarray(t)", True)
        d = self.data
        if dtype is not None and d.dtype != dtype:
            if copy is False:
                raise ValueError(f"np.asarray(t, dtype={np.dtype(dtype)}, copy=False): a "
                                 f"{d.dtype} tensor cannot give that dtype without a copy")
            return d.astype(dtype)                      # a new array: the caller's own
        return np.array(d, copy=True) if copy else _read_only(d)

    def _one_element(self, what):
        if self.data.size != 1:
            raise ValueError(f"{what} of a tensor with {self.data.size} elements is ambiguous; "
                             f"only one-element tensors convert (use .any() or .all() for bool)")
        return self.data.item()

    def __bool__(self):
        return bool(self._one_element("the truth value"))

    def __float__(self):
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, "float()")
        return float(self._one_element("float()"))

    def __int__(self):
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, "int()")
        return int(self._one_element("int()"))

    def __complex__(self):
        if self._tangents is not None or self._requires_grad:
            _check_exit(self, "complex()")
        return complex(self._one_element("complex()"))

    def __format__(self, spec):     # f"{t:.3f}": a display, like str(t), not a value exit
        d = self.data
        return format(d[()] if d.ndim == 0 else d, spec) if spec else str(self)

    def __index__(self):
        if self.data.dtype.kind not in "iub":
            raise TypeError("only integer tensors with one element can be used as an index")
        return int(self._one_element("index"))

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self):
        return _tensor_repr(self)

    __str__ = __repr__

    # ---- autograd -----------------------------------------------------------------------
    def detach(self):
        """The same memory, cut from the graph.

        Examples
        --------
        >>> x = wg.tensor(1.0, requires_grad=True)
        >>> (x * 2).detach().requires_grad
        False
        """
        t = _make(self.data, None)
        alias(self, t)
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf that does not require
        grad. Returns self.

        >>> y = (wg.tensor(2.0, requires_grad=True) * 3.0).detach_()
        >>> y.requires_grad, y.is_leaf
        (False, True)
        """
        self.grad_fn = None
        self._requires_grad = False
        return self

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set requires_grad in place (on a leaf) and return self.

        >>> x = wg.tensor(2.0).requires_grad_()
        >>> (x ** 3).backward()
        >>> x.grad
        tensor(12.)
        """
        self.requires_grad = flag
        return self

    def retain_grad(self):
        """Keep .grad on this non-leaf after backward (leaves keep it anyway).

        Examples
        --------
        >>> x = wg.tensor(2.0, requires_grad=True)
        >>> y = x * x
        >>> y.retain_grad()
        >>> (y * 3).backward()
        >>> y.grad, x.grad
        (tensor(3.), tensor(12.))
        """
        if self.grad_fn is None:
            return
        extra = self._get_extra()
        if extra.retains_grad:
            return
        extra.retains_grad = True
        ref = weakref.ref(self)            # weak: node → hook → tensor → node would be a cycle

        def _retain(g):
            t = ref()
            if t is not None:
                g = g.detach() if not _grad_state.enabled or g.grad_fn is None else g
                t._grad = g if t._grad is None else t._grad + g
        setattr(_retain, "retains_grad", True)    # (the tape tells it from the user's hooks)
        self.grad_fn.register_hook(_retain)

    def register_hook(self, fn):
        """fn(grad) runs when this tensor's gradient is computed; it may return a replacement.

        Examples
        --------
        >>> x = wg.tensor(1.0, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * 3).backward()
        >>> x.grad
        tensor(30.)
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that does not require grad")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(fn)
        extra = self._get_extra()
        if extra.hooks is None:
            extra.hooks = []
        extra.hooks.append(fn)
        return RemovableHandle(extra.hooks, fn)

    def _writable(self):
        """May an in-place update write into this tensor's own memory (NumPy semantics)?
        Not for a graph node's output or an alias of one: there a fresh array is bound."""
        d = self.data
        if type(d) is not np.ndarray or not d.flags.writeable:
            return False
        e = self._extra
        if e is None:
            return self.grad_fn is None
        v = e.view
        if v is None:
            return self.grad_fn is None and not e.cow
        return v.shared and v.base._writable()     # the base decides for the memory it owns

    def _bump_aliases(self):
        """Every other tensor sharing this one's memory (its base, the base's aliases) moves
        to a new version: a node that saved one of them refuses its backward."""
        e = self._extra
        if e is None:
            return
        base = self if e.view is None else e.view.base
        if base is not self:
            base._version += 1
        be = base._extra
        if be is not None and be.aliases:
            for ref in be.aliases:
                t = ref()
                if t is not None and t is not self:
                    t._version += 1



_new = object.__new__


def _warn_non_leaf_grad():
    import warnings
    warnings.warn(
        "reading .grad of a non-leaf tensor (one computed by an op, with a grad_fn): backward() "
        "does not fill it, so it is None. Call .retain_grad() on this tensor before backward() "
        "to keep its gradient, or read .grad of the leaf tensor you meant.",
        UserWarning, stacklevel=3)

# Forward mode: `_tangents` maps a level to this tensor's tangent at that level. wg.dual uses
# level 0; each jvp call takes a fresh, higher level, so nested transforms never mix tangents.
DUAL_LEVEL = 0


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


def _read_only(d):
    """A read-only view of d (the data itself stays writable for the engine)."""
    v = d.view() if type(d) is np.ndarray else np.asarray(d)
    v.flags.writeable = False
    return v


def _make(data, grad_fn):
    """The fast constructor for op results: no validation, slots set directly."""
    t = _new(Tensor)
    t.data = data
    t.grad_fn = grad_fn
    t._requires_grad = grad_fn is not None
    t._grad = None
    t._version = 0
    t._extra = None
    t._tangents = None
    return t


def _unwrap_index(index):
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index.data if isinstance(index, Tensor) else index


def _strip(obj):
    if isinstance(obj, Tensor):
        return obj.data
    if isinstance(obj, (list, tuple)):
        return type(obj)(_strip(o) for o in obj)
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items()}
    return obj


def _needs_grad(obj):
    if isinstance(obj, Tensor):
        return obj._requires_grad
    if isinstance(obj, (list, tuple)):
        return any(_needs_grad(o) for o in obj)
    if isinstance(obj, dict):
        return any(_needs_grad(o) for o in obj.values())
    return False


def _has_tangents(obj):
    if isinstance(obj, Tensor):
        return bool(obj._tangents)          # (an empty dict: a mark, no tangent; _dual.py)
    if isinstance(obj, (list, tuple)):
        return any(_has_tangents(o) for o in obj)
    if isinstance(obj, dict):
        return any(_has_tangents(o) for o in obj.values())
    return False


# Filled by wengert.ops when it is imported: NumPy callable → wengert function.
UFUNCS: dict[Any, Any] = {}
UFUNC_REDUCTIONS: dict[Any, Any] = {}
UFUNC_ACCUMULATIONS: dict[Any, Any] = {}
FUNCTIONS: dict[Any, Any] = {}

