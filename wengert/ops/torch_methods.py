"""Tensor methods with PyTorch's names (API §10), set on the class like tensor_methods.py's.

The reductions take NumPy's axis=/keepdims= and PyTorch's dim=/keepdim=; with dim=, max, min,
median and sort give PyTorch's (values, indices) named tuple (ops/torch_dims.py). Positional
and axis= calls keep NumPy's meaning.

In-place methods (zero_, fill_, add_, …, the ones ending in _) go through Tensor._inplace, so
the rules of in-place writes hold for them as for `+=`: a leaf that requires grad refuses
(outside no_grad), a node that saved the old value refuses its backward (version counter),
and a write through a view reaches its base (wengert.views).
"""
import inspect
from typing import TYPE_CHECKING

import numpy as np

from ..grad_mode import state as _grad_state
from ..tensor import Tensor
from . import _operands, torch_dims as _dims, torch_ops as _tops, values_indices as _vi
from .cumulative import cumprod as _cumprod, cumsum as _cumsum
from .elementwise import (add, astype, ceil, clip, copy as _copy, divide, equal, floor,
                          floor_divide, greater, greater_equal, isnan, less, less_equal,
                          multiply, negative, not_equal, power, sign, square, subtract, trunc,
                          where)
from .linalg.products import matmul
from .nn import log_softmax as _log_softmax, softmax as _softmax
from .reduction import (all as _all, any as _any, argmax as _argmax, argmin as _argmin,
                        logsumexp as _logsumexp, max as _amax, mean as _mean, min as _amin,
                        prod as _prod, std as _std, sum as _sum, var as _var)
from .indexing import take as _take
from .shape import (broadcast_to, repeat as _repeat, reshape, squeeze as _squeeze, swapaxes,
                    tile as _tile, transpose)
from .torch_dims import merge_dims
from .torch_method_examples import EXAMPLES

_merge = merge_dims


def _shape_args(shape):
    return tuple(shape[0]) if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)) \
        else shape


def _differentiated(x):
    return isinstance(x, Tensor) and ((_grad_state.enabled and x._requires_grad) or
                                      x._tangents is not None)


if TYPE_CHECKING:
    _Base = Tensor      # the methods are Tensor's: a type checker reads them as such
else:
    _Base = object


class _Methods(_Base):
    """The methods set on Tensor (read as a class body only; see tensor_methods.py)."""

    # ---- reductions: NumPy's axis=/keepdims= or PyTorch's dim=/keepdim= ----------------------
    def sum(self, axis=None, dtype=None, keepdims=False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = _merge("sum", axis, dim, keepdims, keepdim)
        if type(dtype) is bool:
            _keepdim_hint("sum")
        return _sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = _merge("mean", axis, dim, keepdims, keepdim)
        if type(dtype) is bool:
            _keepdim_hint("mean")
        return _mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = _merge("prod", axis, dim, keepdims, keepdim)
        if type(dtype) is bool:
            _keepdim_hint("prod")
        return _prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _dims.max(self, axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _dims.min(self, axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def amax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("amax", axis, dim, keepdims, keepdim)
        return _amax(self, axis=axis, keepdims=keepdims)

    def amin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("amin", axis, dim, keepdims, keepdim)
        return _amin(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None,
            correction=None, unbiased=None):
        axis, keepdims = _merge("var", axis, dim, keepdims, keepdim)
        if unbiased is not None:
            correction = _dims.unbiased_correction("var", ddof, correction, unbiased)
        return _var(self, axis=axis, ddof=ddof, keepdims=keepdims, correction=correction)

    def std(self, axis=None, ddof=0, keepdims=False, *, dim=None, keepdim=None,
            correction=None, unbiased=None):
        axis, keepdims = _merge("std", axis, dim, keepdims, keepdim)
        if unbiased is not None:
            correction = _dims.unbiased_correction("std", ddof, correction, unbiased)
        return _std(self, axis=axis, ddof=ddof, keepdims=keepdims, correction=correction)

    def all(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("all", axis, dim, keepdims, keepdim)
        return _all(self, axis=axis, keepdims=keepdims)

    def any(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("any", axis, dim, keepdims, keepdim)
        return _any(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("argmax", axis, dim, keepdims, keepdim)
        return _argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("argmin", axis, dim, keepdims, keepdim)
        return _argmin(self, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis=-1, keepdims=False, *, dim=None, keepdim=None):
        axis, keepdims = _merge("logsumexp", None if dim is not None else axis, dim, keepdims,
                                keepdim)
        return _logsumexp(self, axis=axis, keepdims=keepdims)

    def cumsum(self, axis=None, dtype=None, *, dim=None):
        axis, _ = _merge("cumsum", axis, dim, False, None)
        return _cumsum(self if dtype is None else astype(self, dtype), axis=axis)

    def cumprod(self, axis=None, dtype=None, *, dim=None):
        axis, _ = _merge("cumprod", axis, dim, False, None)
        return _cumprod(self if dtype is None else astype(self, dtype), axis=axis)

    def median(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _dims.median(self, axis, keepdims=keepdims, dim=dim, keepdim=keepdim)

    def mode(self, dim=-1, keepdim=False): return _vi.mode(self, dim, keepdim)
    def kthvalue(self, k, dim=-1, keepdim=False): return _vi.kthvalue(self, k, dim, keepdim)
    def topk(self, k, dim=-1, largest=True, sorted=True): return _vi.topk(self, k, dim, largest, sorted)
    def norm(self, p="fro", dim=None, keepdim=False, dtype=None): return _tops.norm(self, p, dim, keepdim, dtype)
    def softmax(self, dim=-1, dtype=None): return _softmax(self if dtype is None else astype(self, dtype), axis=dim)
    def log_softmax(self, dim=-1, dtype=None): return _log_softmax(self if dtype is None else astype(self, dtype), axis=dim)

    def sort(self, axis=-1, kind=None, order=None, *, dim=None, descending=None, stable=None):
        """NumPy's ndarray.sort (in place, returns None) for positional or axis= calls;
        PyTorch's sort, a named tuple (values, indices), with dim= or descending=."""
        if dim is not None or descending is not None:
            return _dims.sort(self, dim=-1 if dim is None else dim,
                              descending=bool(descending), stable=stable)
        self._inplace(lambda x, _: _dims.sort(x, axis=axis, kind=kind, order=order,
                                              stable=stable), None)

    def argsort(self, axis=-1, kind=None, order=None, *, dim=None, descending=False,
                stable=None):
        return _dims.argsort(self, axis, kind, order, stable=stable, dim=dim,
                             descending=descending)

    # ---- shape -------------------------------------------------------------------------------
    def squeeze(self, axis=None, *, dim=None):
        if dim is None and axis is not None:
            shape = self.data.shape
            for a in (axis if isinstance(axis, (tuple, list)) else (axis,)):
                if isinstance(a, (int, np.integer)) and -len(shape) <= a < len(shape) \
                        and shape[a] != 1:
                    raise ValueError(
                        f"cannot squeeze axis {a} of a tensor of shape {shape}: its length "
                        f"is {shape[a]}, not 1 (NumPy's squeeze; PyTorch's squeeze(dim), "
                        f"which leaves such a dim as it is, is t.squeeze(dim={a}))")
        return _dims.squeeze(self, axis, dim=dim)

    def transpose(self, *axes, dim0=None, dim1=None):
        """NumPy's transpose (axes: a permutation; none: reversed) or, with PyTorch's
        keywords dim0= and dim1=, those two dims swapped. (Positional t.transpose(0, 1) is
        NumPy's permutation (0, 1): the identity on a 2-D tensor.)"""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise TypeError("transpose: give dim0= and dim1= (PyTorch's swap of two dims) "
                                "or axes (NumPy's permutation), not a mixture")
            return swapaxes(self, dim0, dim1)
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]
        return transpose(self, axes or None)

    def repeat(self, repeats, axis=None, *, dim=None):
        """NumPy's repeat: each element `repeats` times along axis (PyTorch's
        repeat_interleave; PyTorch's repeat(*sizes) is tile)."""
        axis, _ = _merge("repeat", axis, dim, False, None)
        return _repeat(self, repeats, axis)

    def repeat_interleave(self, repeats, dim=None): return _repeat(self, repeats, dim)
    def tile(self, *reps): return _tile(self, _shape_args(reps))

    def take(self, indices, axis=None, *, dim=None):
        axis, _ = _merge("take", axis, dim, False, None)
        return _take(self, indices, axis)

    def unsqueeze(self, dim): return _tops.unsqueeze(self, dim)
    def permute(self, *dims): return _tops.permute(self, _shape_args(dims))
    def numel(self): return self.data.size
    def dim(self): return self.data.ndim
    def chunk(self, chunks, dim=0): return _tops.chunk(self, chunks, dim)
    def split(self, split_size, dim=0): return _tops.split_sizes(self, split_size, dim)
    def unbind(self, dim=0): return tuple(_squeeze(p, dim) for p in _tops.split_sizes(self, 1, dim))

    def flatten(self, start_dim=0, end_dim=-1, order=None):
        """NumPy's flatten (a 1-D copy; order= as NumPy's) or, with start_dim/end_dim,
        PyTorch's: dims start_dim … end_dim merged into one (also a copy)."""
        if isinstance(start_dim, str):               # NumPy's positional order
            start_dim, order = 0, start_dim
        if order not in (None, "C"):
            if (start_dim, end_dim) != (0, -1):
                raise TypeError("flatten: order= is NumPy's, start_dim/end_dim PyTorch's; "
                                "give one or the other")
            return _copy(reshape(self, (-1,), order=order))
        return _tops.flatten(self, start_dim, end_dim)

    def view(self, *shape):
        """PyTorch's view: the same memory in another shape (-1: inferred). Where NumPy
        could not reshape without a copy (a transposed tensor, say) it is a RuntimeError, as
        in PyTorch: use reshape() (copies where needed) or contiguous().view()."""
        if len(shape) == 1 and isinstance(shape[0], (type, np.dtype)):
            raise TypeError("view(dtype) reinterprets memory, which wengert does not do; "
                            "use astype(dtype) to convert values")
        r = reshape(self, _shape_args(shape))
        if r.data.size and not np.may_share_memory(r.data, self.data):
            raise RuntimeError(
                f"view of a tensor of shape {self.shape} as {r.shape} is not possible without a "
                f"copy (its memory is not laid out in that order); use .reshape(...) instead, "
                f"or .contiguous().view(...)")
        return r

    def expand(self, *sizes):
        """The tensor broadcast to `sizes` (-1 keeps a dim; new dims go in front): a
        read-only view, as NumPy's broadcast_to. The gradient is summed back."""
        sizes = _shape_args(sizes)
        shape = self.data.shape
        lead = len(sizes) - len(shape)
        if lead < 0:
            raise ValueError(f"expand: {len(sizes)} sizes for a tensor of {len(shape)} dims "
                             f"(shape {shape}); give at least as many sizes as dims")
        full = tuple(shape[i - lead] if s == -1 and i >= lead else s
                     for i, s in enumerate(sizes))
        if any(s == -1 for s in full[:lead]):
            raise ValueError(f"expand: -1 is not allowed for a new leading dim, got {sizes}")
        return broadcast_to(self, full)

    def t(self):
        if self.data.ndim > 2:
            raise ValueError(f"t() expects a tensor of at most 2 dims, got shape "
                             f"{self.data.shape}; use transpose or mT")
        return self.T if self.data.ndim == 2 else self

    def contiguous(self, memory_format=None):
        return self if self.data.flags.c_contiguous else _copy(self, order="C")

    def clone(self, memory_format=None):
        return _copy(self)

    # ---- dtype and device --------------------------------------------------------------------
    def float(self): return self if self.data.dtype == np.float32 else astype(self, np.float32)
    def double(self): return self if self.data.dtype == np.float64 else astype(self, np.float64)
    def half(self): return self if self.data.dtype == np.float16 else astype(self, np.float16)
    def long(self): return self if self.data.dtype == np.int64 else astype(self, np.int64)
    def int(self): return self if self.data.dtype == np.int32 else astype(self, np.int32)
    def short(self): return self if self.data.dtype == np.int16 else astype(self, np.int16)
    def bool(self): return self if self.data.dtype == np.bool_ else astype(self, np.bool_)
    def cpu(self): return self

    def is_floating_point(self): return self.data.dtype.kind == "f"

    def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False,
           memory_format=None):
        """PyTorch's to: t.to(dtype), t.to('cpu'), t.to(device, dtype), t.to(other_tensor),
        t.to(dtype=…, device=…). The tensor itself when nothing changes (unless copy=True);
        a dtype change is a differentiable cast. A device other than the CPU is a
        ValueError (wengert computes with NumPy on the CPU)."""
        from ..torch_names import device as _device
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.data.dtype if dtype is None else dtype
            elif isinstance(a, (str, _device)):
                device = a
            elif a is not None:
                try:
                    dtype = np.dtype(a)
                except TypeError:
                    raise TypeError(f"to(): expected a dtype, a device or a tensor, got "
                                    f"{a!r}") from None
        if device is not None:
            _device(device)                              # 'cuda' & co.: a clear ValueError
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return astype(self, dtype)
        return _copy(self) if copy else self

    def cuda(self, device=None, non_blocking=False):
        raise ValueError("cuda(): wengert runs on the CPU only (NumPy); wg.cuda.is_available() "
                         "is False, so write t.to(device) with device = wg.device('cpu')")

    # ---- elementwise and the rest --------------------------------------------------------
    def clamp(self, min=None, max=None): return _tops.clamp(self, min, max)
    def clip(self, min=None, max=None): return clip(self, min, max)
    def masked_fill(self, mask, value): return _tops.masked_fill(self, mask, value)
    def gather(self, dim, index): return _tops.gather(self, dim, index)
    def scatter_add(self, dim, index, src): return _tops.scatter_add(self, dim, index, src)
    def pow(self, exponent): return power(self, exponent)
    def add(self, other, alpha=1): return add(self, other if alpha == 1 else multiply(other, alpha))
    def sub(self, other, alpha=1): return subtract(self, other if alpha == 1 else multiply(other, alpha))
    def mul(self, other): return multiply(self, other)
    def div(self, other, rounding_mode=None): return _divide(self, other, rounding_mode)
    def matmul(self, other): return matmul(self, other)
    def mm(self, other): return _tops.mm(self, other)
    def bmm(self, other): return _tops.bmm(self, other)

    def index_select(self, dim, index): return _tops.index_select(self, dim, index)
    def movedim(self, source, destination): return _tops.movedim(self, source, destination)
    def view_as(self, other): return self.view(other.shape)
    def reshape_as(self, other): return reshape(self, other.shape)
    def expand_as(self, other): return self.expand(other.shape)
    def type_as(self, other): return self.to(other.data.dtype)
    def eq(self, other): return equal(self, other)
    def ne(self, other): return not_equal(self, other)
    def lt(self, other): return less(self, other)
    def le(self, other): return less_equal(self, other)
    def gt(self, other): return greater(self, other)
    def ge(self, other): return greater_equal(self, other)
    def neg(self): return negative(self)
    def square(self): return square(self)
    def sign(self): return sign(self)
    def floor(self): return floor(self)
    def ceil(self): return ceil(self)
    def isnan(self): return isnan(self)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        # (read through the door a compiling tracer guards: a traced value is refused there)
        a, o = _operands.read_values((self, other), "Tensor.allclose")
        return bool(np.allclose(a, o, rtol=rtol, atol=atol, equal_nan=equal_nan))

    # ---- in place (Tensor._inplace: version counting, views, leaves) ---------------------
    def zero_(self):
        return self._inplace(lambda x, _: where(_everywhere(x), _zero(x), x), None)

    def fill_(self, value):
        v = _number_as(value, self.data.dtype)
        return self._inplace(lambda x, w: where(_everywhere(x), w, x), v)

    def add_(self, other, alpha=1):
        if alpha == 1:
            return self._inplace(add, other)
        return self._inplace(lambda x, o: add(x, multiply(o, alpha)), other)

    def sub_(self, other, alpha=1):
        if alpha == 1:
            return self._inplace(subtract, other)
        return self._inplace(lambda x, o: subtract(x, multiply(o, alpha)), other)

    def mul_(self, other): return self._inplace(multiply, other)

    def div_(self, other, rounding_mode=None):
        return self._inplace(lambda x, o: _divide(x, o, rounding_mode), other)

    def clamp_(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp_: give min=, max= or both")
        if _differentiated(min) or _differentiated(max):     # bounds that take gradients:
            # one tracked operand per step, each a clip (so that, as clamp and PyTorch, a
            # value equal to a bound keeps its gradient: maximum would split it)
            if min is not None:
                self._inplace(lambda x, lo: clip(x, lo, None), min)
            return self if max is None else self._inplace(lambda x, hi: clip(x, None, hi), max)
        return self._inplace(lambda x, _: clip(x, min, max), None)

    def copy_(self, src):
        """Write src's values (broadcast, cast to this tensor's dtype) into this tensor in
        place; differentiable in src (d self / d src = 1, summed where src is broadcast)."""
        if isinstance(src, Tensor):
            if src.data.dtype != self.data.dtype:
                src = astype(src, self.data.dtype)
        else:
            src = np.array(src, dtype=self.data.dtype)
        return self._inplace(lambda x, s: where(_everywhere(x), s, x), src)

    def masked_fill_(self, mask, value):
        return self._inplace(lambda x, v: _tops.masked_fill(x, mask, v),
                             _number_as(value, self.data.dtype))

    def scatter_add_(self, dim, index, src):
        return self._inplace(lambda x, s: _tops.scatter_add(x, dim, index, s), src)


def _keepdim_hint(fname):
    raise TypeError(f"{fname}(axis, True): the second positional argument is NumPy's dtype; "
                    f"for PyTorch's keepdim write {fname}(dim, keepdim=True)")


def _everywhere(x):
    return np.ones(np.shape(x.data if isinstance(x, Tensor) else x), dtype=bool)


def _zero(x):
    return np.zeros((), dtype=(x.data if isinstance(x, Tensor) else np.asarray(x)).dtype)


def _number_as(value, dtype):
    """A Python number as a 0-d array of the tensor's dtype (NumPy's fill casts it, 1.7 → 1
    in an integer tensor); tensors stay as they are (their dtype must fit)."""
    if isinstance(value, (bool, int, float, np.generic)):
        return np.asarray(value).astype(dtype)
    return value


def _divide(x, o, rounding_mode):
    if rounding_mode is None:
        return divide(x, o)
    if rounding_mode == "floor":
        return floor_divide(x, o)
    if rounding_mode == "trunc":
        return trunc(divide(x, o))
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")


# Docstrings of the one-line methods above (set at install, to keep the class body readable):
# each is the namespace function of the same name applied to the tensor, unless said otherwise.
# Every method's example is in torch_method_examples.py.
_SAME_AS = "wengert.{0}(t, …): see its docstring. NumPy's axis=/keepdims= or PyTorch's dim=/keepdim=."
_DOCS = {
    "sum": "Σ over axis/dim. d/dtᵢ = 1. " + _SAME_AS,
    "mean": "Σ / n over axis/dim. d/dtᵢ = 1/n. " + _SAME_AS,
    "prod": "Π over axis/dim. d/dtᵢ = Πⱼ≠ᵢ tⱼ. " + _SAME_AS,
    "max": "The maximum over axis (NumPy), or (values, indices) along dim= (PyTorch). "
           + _SAME_AS,
    "min": "The minimum over axis (NumPy), or (values, indices) along dim= (PyTorch). "
           + _SAME_AS,
    "amax": "The maximum over axis/dim (values only, ties share the gradient). " + _SAME_AS,
    "amin": "The minimum over axis/dim (values only, ties share the gradient). " + _SAME_AS,
    "var": "Σ (t − mean)² / (n − ddof); ddof=0 unless ddof=, correction= or PyTorch's "
           "unbiased=True says otherwise. " + _SAME_AS,
    "std": "√var: ddof=0 unless ddof=, correction= or PyTorch's unbiased=True says "
           "otherwise. " + _SAME_AS,
    "all": "Whether every element over axis/dim is nonzero (a bool tensor). " + _SAME_AS,
    "any": "Whether some element over axis/dim is nonzero (a bool tensor). " + _SAME_AS,
    "argmax": "The index of the first maximum over axis/dim (an int64 tensor). " + _SAME_AS,
    "argmin": "The index of the first minimum over axis/dim (an int64 tensor). " + _SAME_AS,
    "logsumexp": "log Σ exp(t) over axis/dim (default the last), computed stably. d/dtᵢ = "
                 "softmax(t)ᵢ. " + _SAME_AS,
    "cumsum": "Running sums along axis/dim (the flattened tensor when None). " + _SAME_AS,
    "cumprod": "Running products along axis/dim (the flattened tensor when None). " + _SAME_AS,
    "median": "NumPy's median over axis, or PyTorch's (values, indices) of the lower middle "
              "along dim=. " + _SAME_AS,
    "mode": "The most frequent value along dim and the index of its last occurrence. "
            + _SAME_AS,
    "kthvalue": "The k-th smallest value along dim and its index. " + _SAME_AS,
    "topk": "The k largest (or smallest) values along dim and their indices. " + _SAME_AS,
    "norm": "PyTorch's norm: the p-norm over dim (all elements when None). " + _SAME_AS,
    "softmax": "exp(t) / Σ exp(t) along dim (default the last); optional dtype= cast first. "
               "wengert.softmax(t, axis=dim).",
    "log_softmax": "t − logsumexp(t) along dim (default the last); optional dtype= cast "
                   "first. wengert.log_softmax(t, axis=dim).",
    "argsort": "The indices that sort t along axis/dim (descending=True: largest first, "
               "stable). " + _SAME_AS,
    "squeeze": "Length-1 axes removed (positional axis: NumPy's, each must have length 1; "
               "dim=: PyTorch's, a dim of another length is left). " + _SAME_AS,
    "repeat_interleave": "Each element repeated `repeats` times along dim (NumPy's repeat). "
                         + _SAME_AS,
    "tile": "t repeated as a whole `reps` times along each axis (PyTorch's repeat(*sizes)). "
            "wengert.tile(t, reps).",
    "take": "The elements at `indices` along axis/dim (of the flattened tensor when None). "
            + _SAME_AS,
    "unsqueeze": "A new length-1 axis at position dim. " + _SAME_AS,
    "permute": "The axes reordered: t.permute(2, 0, 1) or t.permute((2, 0, 1)). " + _SAME_AS,
    "numel": "The number of elements, an int (NumPy's t.size).",
    "dim": "The number of dimensions, an int (NumPy's t.ndim).",
    "chunk": "t cut along dim into `chunks` views of ceil(n / chunks) elements (PyTorch's "
             "chunk). wengert.chunk(t, …).",
    "split": "PyTorch's split: views of split_size elements along dim (the last smaller), or "
             "of the listed sizes. (wengert.split(t, n) without dim= is NumPy's: n parts.)",
    "unbind": "The slices along dim, that dim removed, as a tuple of views.",
    "t": "The transpose of a tensor of at most 2 dims (a view); ValueError for more.",
    "contiguous": "t itself when its memory is in C order, else a C-ordered copy "
                  "(differentiable).",
    "clone": "A differentiable copy in new memory (wengert.copy).",
    "float": "t as float32 (t itself when it is already): a differentiable cast.",
    "double": "t as float64 (t itself when it is already): a differentiable cast.",
    "half": "t as float16 (t itself when it is already): a differentiable cast.",
    "long": "t as int64 (t itself when it is already); an integer result never requires grad.",
    "int": "t as int32 (t itself when it is already); an integer result never requires grad.",
    "short": "t as int16 (t itself when it is already); an integer result never requires grad.",
    "bool": "t as bool (t itself when it is already); never requires grad.",
    "cpu": "t itself: wengert tensors always live on the CPU.",
    "is_floating_point": "Whether t's dtype is a floating one.",
    "cuda": "Always a ValueError: wengert computes with NumPy on the CPU only.",
    "clamp": "t limited to [min, max] (either may be None). " + _SAME_AS,
    "clip": "t limited to [min, max] (either may be None). wengert.clip(t, min, max).",
    "masked_fill": "t with `value` where the bool mask is True. " + _SAME_AS,
    "gather": "The entries of t along dim at the positions index holds. " + _SAME_AS,
    "scatter_add": "A copy of t with src added at the places index names along dim. "
                   + _SAME_AS,
    "pow": "t ** exponent (wengert.power).",
    "add": "t + alpha·other (wengert.add).",
    "sub": "t − alpha·other (wengert.subtract).",
    "mul": "t · other (wengert.multiply).",
    "div": "t / other; rounding_mode 'floor' (floor_divide) or 'trunc' (toward 0).",
    "matmul": "t @ other (wengert.matmul).",
    "mm": "The product of two 2-D tensors. " + _SAME_AS,
    "bmm": "The product of two 3-D tensors, batch by batch. " + _SAME_AS,
    "index_select": "The entries of t at a 1-D index along dim. " + _SAME_AS,
    "movedim": "t with dims source moved to destination. " + _SAME_AS,
    "view_as": "t.view(other.shape): the same memory in other's shape.",
    "reshape_as": "t reshaped to other's shape.",
    "expand_as": "t broadcast to other's shape (a read-only view).",
    "type_as": "t cast to other's dtype (t itself when it has it).",
    "eq": "t == other, a bool tensor.",
    "ne": "t != other, a bool tensor.",
    "lt": "t < other, a bool tensor.",
    "le": "t <= other, a bool tensor.",
    "gt": "t > other, a bool tensor.",
    "ge": "t >= other, a bool tensor.",
    "neg": "−t. d/dt = −1.",
    "square": "t². d/dt = 2t.",
    "sign": "The sign of t (−1, 0, 1). d/dt = 0.",
    "floor": "The largest integer ≤ t, elementwise. d/dt = 0.",
    "ceil": "The smallest integer ≥ t, elementwise. d/dt = 0.",
    "isnan": "Where t is NaN, a bool tensor.",
    "allclose": "Whether |t − other| ≤ atol + rtol·|other| everywhere, a Python bool.",
    "zero_": "Set every element to 0 in place; returns t. d t′/d t = 0.",
    "fill_": "Set every element to value in place (a number is cast to t's dtype, as NumPy's "
             "fill does; a tensor value gets the summed gradient); returns t.",
    "add_": "t ← t + alpha·other in place; returns t.",
    "sub_": "t ← t − alpha·other in place; returns t.",
    "mul_": "t ← t · other in place; returns t.",
    "div_": "t ← t / other in place (rounding_mode as div); returns t.",
    "clamp_": "t ← clamp(t, min, max) in place; returns t.",
    "masked_fill_": "t ← masked_fill(t, mask, value) in place; returns t.",
    "scatter_add_": "t ← scatter_add(t, dim, index, src) in place; returns t.",
}


class _Empty:
    pass


_CLASS_MACHINERY = set(vars(_Empty))

for _name, _method in vars(_Methods).items():
    if _name not in _CLASS_MACHINERY:
        _doc = _DOCS[_name].format(_name) if _name in _DOCS else inspect.cleandoc(_method.__doc__)
        _method.__doc__ = f"{_doc}\n\nExamples\n--------\n{EXAMPLES[_name]}\n"
        setattr(Tensor, _name, _method)
del _name, _method, _doc
