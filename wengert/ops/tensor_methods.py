"""Tensor's operators, NumPy-named methods and NumPy protocols, given to the class by the ops.

wengert.tensor defines Tensor and knows no op; this module, imported by wengert.ops, writes
each method as a one-line call of the op it names and sets it on the class, so `a + b`
costs one Python call (this function) and one global lookup before the op itself.
"""
import inspect
from typing import TYPE_CHECKING

from ..engine.backward import backward as _engine_backward
from ..grad_mode import state as _grad_state
from ..tensor import (FUNCTIONS, UFUNCS, Tensor, _has_tangents, _needs_grad, _unwrap_index)
from .._dual import primal_of, tangent_of
from .complex import conj, imag, real
from .elementwise import (
    absolute, add, astype, copy, cos, divide, equal, exp, floor_divide, greater,
    greater_equal, less, less_equal, log, logical_and, logical_not, logical_or, multiply,
    negative, not_equal, positive, power, remainder, round, sin, sqrt, subtract, tanh)
from .fallback import fallback, numpy_name
from .indexing import getitem, setitem
from .linalg.products import diagonal, dot, matmul, trace
from .nn import relu, sigmoid
from .shape import permute_dims, ravel, reshape, swapaxes
from .ufunc_protocol import dispatch as _ufunc_dispatch

# bound once: a name from an import statement compiles `NAME.get(x)` as an attribute load
# plus a call (the compiler takes it for a module), slower than a method call
_ufunc_op = UFUNCS.get
_function_op = FUNCTIONS.get


if TYPE_CHECKING:
    _Base = Tensor      # the methods are Tensor's: a type checker reads them as such
else:
    _Base = object


class _Methods(_Base):
    """The methods set on Tensor (a class body only for reading: names inside the methods
    are this module's globals, the ops)."""

    # ---- operators (one line each) -------------------------------------------------------
    def __add__(self, other): return add(self, other)
    def __radd__(self, other): return add(other, self)
    def __sub__(self, other): return subtract(self, other)
    def __rsub__(self, other): return subtract(other, self)
    def __mul__(self, other): return multiply(self, other)
    def __rmul__(self, other): return multiply(other, self)
    def __truediv__(self, other): return divide(self, other)
    def __rtruediv__(self, other): return divide(other, self)
    def __floordiv__(self, other): return floor_divide(self, other)
    def __rfloordiv__(self, other): return floor_divide(other, self)
    def __mod__(self, other): return remainder(self, other)
    def __rmod__(self, other): return remainder(other, self)
    def __pow__(self, other): return power(self, other)
    def __rpow__(self, other): return power(other, self)
    def __matmul__(self, other): return matmul(self, other)
    def __rmatmul__(self, other): return matmul(other, self)
    def __neg__(self): return negative(self)
    def __pos__(self): return positive(self)
    def __abs__(self): return absolute(self)
    def __lt__(self, other): return less(self, other)
    def __le__(self, other): return less_equal(self, other)
    def __gt__(self, other): return greater(self, other)
    def __ge__(self, other): return greater_equal(self, other)
    def __eq__(self, other): return equal(self, other)
    def __ne__(self, other): return not_equal(self, other)
    def __invert__(self): return logical_not(self)
    def __and__(self, other): return logical_and(self, other)
    def __or__(self, other): return logical_or(self, other)

    # ---- in place and indexing (Tensor._inplace: the recording and memory rules) ---------
    def __iadd__(self, other): return self._inplace(add, other)
    def __isub__(self, other): return self._inplace(subtract, other)
    def __imul__(self, other): return self._inplace(multiply, other)
    def __itruediv__(self, other): return self._inplace(divide, other)
    def __getitem__(self, index): return getitem(self, index)

    def __setitem__(self, index, value):
        index = _unwrap_index(index)
        d = self.data
        if (not (_grad_state.enabled and (self._requires_grad or _needs_grad(value)))
                and self._tangents is None and not _has_tangents(value) and self._writable()):
            d[index] = value.data if isinstance(value, Tensor) else value    # plain NumPy
            self._version += 1
            self._bump_aliases()
            return
        self._inplace(lambda x, v: setitem(x, index, v), value, index)

    # ---- autograd and forward mode ---------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into each leaf's .grad (seeded with `gradient`).

        Examples
        --------
        >>> x = wg.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * x
        >>> y.backward(wg.tensor([1.0, 1.0]))    # seed dy for a non-scalar y
        >>> x.grad
        tensor([2., 4.])
        """
        _engine_backward(self, gradient, retain_graph, create_graph)

    @property
    def tangent(self):
        """The ε part of a dual number made by wg.dual (None when there is none).

        Examples
        --------
        >>> d = wg.dual(3.0, 1.0)
        >>> (d * d).tangent
        tensor(6.)
        """
        if self._tangents is None:
            return None
        return tangent_of(self)             # (marked against perturbation confusion)

    @property
    def primal(self):
        """The value part of a dual number: this tensor without its wg.dual tangent.

        Examples
        --------
        >>> d = wg.dual(3.0, 1.0)
        >>> (d * d).primal
        tensor(9.)
        """
        if self._tangents is None:
            return self
        return primal_of(self)

    # ---- NumPy-named methods (the reductions, clip, flatten, squeeze and PyTorch's names:
    # torch_methods.py, which takes both libraries' spellings) ---------------------------------
    @property
    def T(self): return permute_dims(self, tuple(range(self.data.ndim - 1, -1, -1)))
    @property
    def mT(self): return swapaxes(self, -1, -2)
    def astype(self, dtype, copy=True): return astype(self, dtype)
    def copy(self): return copy(self)
    def dot(self, other): return dot(self, other)
    def round(self, decimals=0): return round(self, decimals)
    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return reshape(self, shape, order=order)
    def ravel(self, order="C"): return ravel(self, order)
    def swapaxes(self, axis1, axis2): return swapaxes(self, axis1, axis2)
    def diagonal(self, offset=0, axis1=0, axis2=1): return diagonal(self, offset, axis1, axis2)
    def trace(self, offset=0, axis1=0, axis2=1): return trace(self, offset, axis1, axis2)
    # the elementwise functions PyTorch users reach for as methods
    def exp(self): return exp(self)
    def log(self): return log(self)
    def sqrt(self): return sqrt(self)
    def sin(self): return sin(self)
    def cos(self): return cos(self)
    def tanh(self): return tanh(self)
    def sigmoid(self): return sigmoid(self)
    def relu(self): return relu(self)
    def abs(self): return absolute(self)
    # complex values (intermediates of the fft family; ops/complex.py)
    @property
    def real(self): return real(self)
    @property
    def imag(self): return imag(self)
    def conj(self): return conj(self)
    def conjugate(self): return conj(self)

    # ---- NumPy protocols: NumPy calls on Tensors become wengert ops ------------------------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            f = _ufunc_op(ufunc)
            if f is not None:
                return f(*inputs)
        return _ufunc_dispatch(ufunc, method, inputs, kwargs)     # ops/ufunc_protocol.py

    def __array_function__(self, func, types, args, kwargs):
        f = _function_op(func)
        if f is None:
            return fallback(func, args, kwargs, numpy_name(func))
        return f(*args, **kwargs)


class _Empty:
    pass


# what every class statement defines (and __hash__, which __eq__ above set to None)
_CLASS_MACHINERY = set(vars(_Empty)) | {"__hash__"}

# A method that is an op's method form is documented by that op: help(t.sum) shows wg.sum.
_SAME_AS = {"abs": "absolute", "conjugate": "conj", "flatten": "reshape"}
_OWN = {
    "T": "The axes reversed (t.transpose()); differentiable, a view as in NumPy.\n\n"
         ">>> wg.tensor([[1.0, 2.0]]).T\ntensor([[1.],\n        [2.]])\n",
    "mT": "The last two axes swapped (a batch of matrices transposed); differentiable.\n\n"
          ">>> wg.ones((5, 2, 3)).mT.shape\n(5, 3, 2)\n",
    "flatten": "A 1-d copy of the values (as NumPy's ndarray.flatten); differentiable.",
    "real": "The real part (the identity on a real tensor); differentiable.",
    "imag": "The imaginary part (zeros for a real tensor); differentiable.",
}


def _method_doc(name):
    """The docstring of Tensor.<name>: what it is, then the op it calls, in full."""
    op_name = _SAME_AS.get(name, name)
    op = globals().get(op_name)
    head = _OWN.get(name, f"t.{name}(...) is wg.{op_name}(t, ...); that op's documentation "
                          f"follows.")
    if op is None or not op.__doc__:
        return head
    return f"{head}\n\nwg.{op_name}:\n\n" + (inspect.getdoc(op) or "")


for _name, _method in vars(_Methods).items():
    if _name in _CLASS_MACHINERY:
        continue
    if isinstance(_method, property):
        if _method.__doc__ is None:
            _method = property(_method.fget, _method.fset, _method.fdel, _method_doc(_name))
    elif _method.__doc__ is None and not _name.startswith("__"):
        _method.__doc__ = _method_doc(_name)
    setattr(Tensor, _name, _method)
del _name, _method
