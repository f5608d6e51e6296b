"""More Tensor methods with PyTorch's names (API §10): the in-place elementwise family
(exp_ neg_ abs_ sqrt_ rsqrt_ sigmoid_ pow_ lerp_ clamp_min_ clamp_max_ index_add_ scatter_),
the random fills uniform_ and normal_, the new_* factories, and the method forms of
narrow, index_add, scatter, masked_select, lerp, rsqrt, clamp_min, clamp_max, addmm and
nonzero. Set on the class as torch_methods.py's are.

In-place methods go through Tensor._inplace, so the rules of in-place writes hold: a leaf
that requires grad refuses outside no_grad (initialise parameters under `wg.no_grad()`, as
PyTorch's nn.init does), a node that saved the old value refuses its backward, and a write
through a view reaches its base.
"""
from typing import TYPE_CHECKING

import numpy as np

from ..generator import draws_from
from ..tensor import Tensor, _make
from . import torch_indexing as _ti, torch_math as _tm
from .elementwise import absolute, exp, negative, power, sqrt, where
from .nn import sigmoid


def _everywhere(x):
    return np.ones(np.shape(x.data if isinstance(x, Tensor) else x), dtype=bool)


def _size(size):
    if len(size) == 1 and not isinstance(size[0], (int, np.integer)):
        return tuple(size[0])
    return tuple(size)


def _new(self, array, dtype, requires_grad):
    t = _make(np.asarray(array, dtype=self.data.dtype if dtype is None else dtype), None)
    if requires_grad:
        t.requires_grad = True          # validates the dtype
    return t


if TYPE_CHECKING:
    _Base = Tensor      # the methods are Tensor's: a type checker reads them as such
else:
    _Base = object


class _Methods(_Base):
    """The methods set on Tensor (read as a class body only)."""

    # ---- method forms of the namespace functions ---------------------------------------------
    def narrow(self, dim, start, length): return _ti.narrow(self, dim, start, length)
    def index_add(self, dim, index, source, *, alpha=1): return _ti.index_add(self, dim, index, source, alpha=alpha)
    def scatter(self, dim, index, src=None, *, value=None): return _ti.scatter(self, dim, index, src, value=value)
    def masked_select(self, mask): return _ti.masked_select(self, mask)
    def nonzero(self, *, as_tuple=True): return _ti.nonzero(self, as_tuple=as_tuple)
    def lerp(self, end, weight): return _tm.lerp(self, end, weight)
    def rsqrt(self): return _tm.rsqrt(self)
    def clamp_min(self, min): return _tm.clamp_min(self, min)
    def clamp_max(self, max): return _tm.clamp_max(self, max)
    def addmm(self, mat1, mat2, *, beta=1, alpha=1): return _tm.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    # ---- in place -------------------------------------------------------------------------------
    def exp_(self): return self._inplace(lambda x, _: exp(x), None)
    def neg_(self): return self._inplace(lambda x, _: negative(x), None)
    def abs_(self): return self._inplace(lambda x, _: absolute(x), None)
    def sqrt_(self): return self._inplace(lambda x, _: sqrt(x), None)
    def rsqrt_(self): return self._inplace(lambda x, _: _tm.rsqrt(x), None)
    def sigmoid_(self): return self._inplace(lambda x, _: sigmoid(x), None)
    def pow_(self, exponent): return self._inplace(power, exponent)
    def clamp_min_(self, min): return self._inplace(_tm.clamp_min, min)
    def clamp_max_(self, max): return self._inplace(_tm.clamp_max, max)
    def lerp_(self, end, weight): return self._inplace(lambda x, e: _tm.lerp(x, e, weight), end)

    def index_add_(self, dim, index, source, *, alpha=1):
        return self._inplace(lambda x, s: _ti.index_add(x, dim, index, s, alpha=alpha), source)

    def scatter_(self, dim, index, src=None, *, value=None):
        if src is None or value is not None:
            return self._inplace(lambda x, _: _ti.scatter(x, dim, index, value=value), None)
        return self._inplace(lambda x, s: _ti.scatter(x, dim, index, s), src)

    def uniform_(self, a=0.0, b=1.0, *, generator=None, **kwargs):
        a, b = kwargs.pop("from", a), kwargs.pop("to", b)
        _no_more("uniform_", kwargs)
        draw = draws_from(generator, "Tensor.uniform_").uniform(a, b, self.data.shape)
        return self._fill_random("uniform_", draw)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        if std < 0:
            raise ValueError(f"Tensor.normal_: std must be ≥ 0, got {std}")
        draw = draws_from(generator, "Tensor.normal_").normal(mean, std, self.data.shape)
        return self._fill_random("normal_", draw)

    def _fill_random(self, fname, draw):
        if self.data.dtype.kind not in "fc":
            raise TypeError(f"Tensor.{fname}: random floats cannot fill a tensor of dtype "
                            f"{self.data.dtype}; make it floating first (t.float())")
        draw = draw.astype(self.data.dtype)
        return self._inplace(lambda x, w: where(_everywhere(x), w, x), draw)

    # ---- new tensors like this one (its dtype unless dtype= says otherwise) ----------------
    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return _new(self, np.zeros(_size(size)), dtype, requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return _new(self, np.ones(_size(size)), dtype, requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False):
        return _new(self, np.zeros(_size(size)), dtype, requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, requires_grad=False):
        return _new(self, np.full(_size((size,)), fill_value), dtype, requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        data = data.data if isinstance(data, Tensor) else data
        return _new(self, np.array(data), dtype, requires_grad)


def _no_more(fname, kwargs):
    if kwargs:
        raise TypeError(f"Tensor.{fname}() got unexpected keyword arguments {sorted(kwargs)}")


_DOCS = {
    "narrow": "The `length` entries along dim from `start` on, a view. wengert.narrow(t, …).",
    "index_add": "A copy of t with alpha·source added at a 1-D index along dim. "
                 "wengert.index_add(t, …).",
    "scatter": "A copy of t with src's entries (or value=) written at index along dim. "
               "wengert.scatter(t, …).",
    "masked_select": "The entries of t where the bool mask is True, 1-D. "
                     "wengert.masked_select(t, mask).",
    "nonzero": "Where t is nonzero: NumPy's tuple of index tensors, or with as_tuple=False "
               "PyTorch's (n, ndim) tensor. wengert.nonzero(t, …).",
    "lerp": "t + weight·(end − t). wengert.lerp(t, end, weight).",
    "rsqrt": "1/√t elementwise. d/dt = −t^(−3/2) / 2.",
    "clamp_min": "max(t, min) elementwise. wengert.clamp_min(t, min).",
    "clamp_max": "min(t, max) elementwise. wengert.clamp_max(t, max).",
    "addmm": "beta·t + alpha·(mat1 @ mat2). wengert.addmm(t, …).",
    "exp_": "t ← exp(t) in place; returns t.",
    "neg_": "t ← −t in place; returns t.",
    "abs_": "t ← |t| in place; returns t.",
    "sqrt_": "t ← √t in place; returns t.",
    "rsqrt_": "t ← 1/√t in place; returns t.",
    "sigmoid_": "t ← 1 / (1 + exp(−t)) in place; returns t.",
    "pow_": "t ← t ** exponent in place; returns t.",
    "clamp_min_": "t ← max(t, min) in place; returns t.",
    "clamp_max_": "t ← min(t, max) in place; returns t.",
    "lerp_": "t ← t + weight·(end − t) in place; returns t.",
    "index_add_": "t ← index_add(t, dim, index, source, alpha=) in place; returns t.",
    "scatter_": "t ← scatter(t, dim, index, src or value=) in place; returns t.",
    "uniform_": "Fill t in place with uniform samples from [a, b) (PyTorch's from=/to= "
                "accepted) drawn from generator= (default wengert's global generator, seeded "
                "by wg.manual_seed); returns t. On a parameter, call it under wg.no_grad().",
    "normal_": "Fill t in place with normal samples (mean, std) drawn from generator= "
               "(default wengert's global generator); returns t. On a parameter, call it "
               "under wg.no_grad().",
    "_fill_random": "Write the drawn array into t in place (uniform_ and normal_).",
    "new_zeros": "Zeros of the given size with t's dtype (unless dtype=), a new leaf.",
    "new_ones": "Ones of the given size with t's dtype (unless dtype=), a new leaf.",
    "new_empty": "A tensor of the given size with t's dtype (unless dtype=); wengert fills it "
                 "with zeros.",
    "new_full": "fill_value everywhere in the given size, with t's dtype (unless dtype=).",
    "new_tensor": "A copy of data as a new leaf with t's dtype (unless dtype=); never shares "
                  "data's memory or graph.",
}


class _Empty:
    pass


_CLASS_MACHINERY = set(vars(_Empty))

for _name, _method in vars(_Methods).items():
    if _name not in _CLASS_MACHINERY:
        _method.__doc__ = _DOCS[_name]
        setattr(Tensor, _name, _method)
del _name, _method
