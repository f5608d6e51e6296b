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
    "narrow": "The `length` entries along dim from `start` on, a view. wengert.narrow(t, …). "
              "Linear: ∂/∂t is ḡ in that stretch, 0 elsewhere.",
    "index_add": "A copy of t with alpha·source added at a 1-D index along dim. "
                 "wengert.index_add(t, …). ∂/∂t = ḡ; ∂/∂source = alpha·ḡ at each "
                 "source row's index.",
    "scatter": "A copy of t with src's entries (or value=) written at index along dim. "
               "wengert.scatter(t, …). ∂/∂t = ḡ where not written, 0 where written; "
               "∂/∂src = ḡ at the places its entries went.",
    "masked_select": "The entries of t where the bool mask is True, 1-D. "
                     "wengert.masked_select(t, mask). A gather: ∂/∂t is ḡ at the "
                     "selected places, 0 elsewhere.",
    "nonzero": "Where t is nonzero: NumPy's tuple of index tensors, or with as_tuple=False "
               "PyTorch's (n, ndim) tensor. wengert.nonzero(t, …). Integer indices: not "
               "differentiable.",
    "lerp": "t + weight·(end − t). wengert.lerp(t, end, weight). ∂/∂t = 1 − weight, "
            "∂/∂end = weight, ∂/∂weight = end − t.",
    "rsqrt": "1/√t elementwise. d/dt = −t^(−3/2) / 2.",
    "clamp_min": "max(t, min) elementwise. wengert.clamp_min(t, min). d/dt = 1 where t ≥ min "
                 "(1 at t = min, as PyTorch), 0 below.",
    "clamp_max": "min(t, max) elementwise. wengert.clamp_max(t, max). d/dt = 1 where t ≤ max "
                 "(1 at t = max, as PyTorch), 0 above.",
    "addmm": "beta·t + alpha·(mat1 @ mat2). wengert.addmm(t, …). ∂/∂t = beta·ḡ, "
             "∂/∂mat1 = alpha·ḡ·mat2ᵀ, ∂/∂mat2 = alpha·mat1ᵀ·ḡ.",
    "exp_": "t ← exp(t) in place; returns t. d/dt exp(t) = exp(t).",
    "neg_": "t ← −t in place; returns t. d/dt (−t) = −1.",
    "abs_": "t ← |t| in place; returns t. d/dt |t| = sign(t), 0 at t = 0.",
    "sqrt_": "t ← √t in place; returns t. d/dt √t = 1/(2√t).",
    "rsqrt_": "t ← 1/√t in place; returns t. d/dt = −t^(−3/2)/2.",
    "sigmoid_": "t ← 1 / (1 + exp(−t)) in place; returns t. d/dt σ(t) = σ(t)(1 − σ(t)).",
    "pow_": "t ← t ** exponent in place; returns t. d/dt = exponent·t^(exponent − 1).",
    "clamp_min_": "t ← max(t, min) in place; returns t. d/dt as clamp_min's.",
    "clamp_max_": "t ← min(t, max) in place; returns t. d/dt as clamp_max's.",
    "lerp_": "t ← t + weight·(end − t) in place; returns t. ∂ as lerp's.",
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


# Each method's example (tests/test_docstrings.py runs them); grad_fn=<...> elides the
# name of the op the method is built from.
_EXAMPLES = {
    "narrow": """>>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x.narrow(0, 1, 2)
tensor([2., 3.], grad_fn=<...>)
>>> x.narrow(0, 1, 2).sum().backward()
>>> x.grad
tensor([0., 1., 1.])""",
    "index_add": """>>> x = wg.zeros(3)
>>> s = wg.tensor([1.0, 2.0], requires_grad=True)
>>> x.index_add(0, wg.tensor([0, 0]), s, alpha=2.0)
tensor([6., 0., 0.], grad_fn=<...>)
>>> (x.index_add(0, wg.tensor([0, 2]), s) * wg.tensor([1.0, 0.0, 5.0])).sum().backward()
>>> s.grad
tensor([1., 5.])""",
    "scatter": """>>> x = wg.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> x.scatter(0, wg.tensor([1]), wg.tensor([9.0]))
tensor([1., 9., 3.], grad_fn=<...>)
>>> x.scatter(0, wg.tensor([1]), wg.tensor([9.0])).sum().backward()
>>> x.grad
tensor([1., 0., 1.])""",
    "masked_select": """>>> x = wg.tensor([1.0, -2.0, 3.0], requires_grad=True)
>>> x.masked_select(x > 0)
tensor([1., 3.], grad_fn=<...>)
>>> x.masked_select(x > 0).sum().backward()
>>> x.grad
tensor([1., 0., 1.])""",
    "nonzero": """>>> wg.tensor([0.0, 2.0, 3.0]).nonzero()
(tensor([1, 2]),)
>>> wg.tensor([0.0, 2.0, 3.0]).nonzero(as_tuple=False)
tensor([[1],
        [2]])""",
    "lerp": """>>> x = wg.tensor(1.0, requires_grad=True)
>>> x.lerp(wg.tensor(3.0), 0.25)
tensor(1.5, grad_fn=<...>)
>>> x.lerp(wg.tensor(3.0), 0.25).backward()
>>> x.grad
tensor(0.75)""",
    "rsqrt": """>>> x = wg.tensor(4.0, requires_grad=True)
>>> x.rsqrt()
tensor(0.5, grad_fn=<...>)
>>> x.rsqrt().backward()
>>> x.grad
tensor(-0.0625)""",
    "clamp_min": """>>> x = wg.tensor([-1.0, 2.0], requires_grad=True)
>>> x.clamp_min(0.0)
tensor([0., 2.], grad_fn=<...>)
>>> x.clamp_min(0.0).sum().backward()
>>> x.grad
tensor([0., 1.])""",
    "clamp_max": """>>> x = wg.tensor([-1.0, 2.0], requires_grad=True)
>>> x.clamp_max(0.0)
tensor([-1.,  0.], grad_fn=<...>)
>>> x.clamp_max(0.0).sum().backward()
>>> x.grad
tensor([1., 0.])""",
    "addmm": """>>> t = wg.ones((2, 2))
>>> m1 = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> t.addmm(m1, wg.eye(2), beta=0.5)
tensor([[1.5, 2.5],
        [3.5, 4.5]], grad_fn=<...>)
>>> t.addmm(m1, wg.eye(2), alpha=3.0).sum().backward()
>>> m1.grad
tensor([[3., 3.],
        [3., 3.]])""",
    "exp_": """>>> x = wg.tensor(0.0, requires_grad=True)
>>> y = x * 1.0
>>> y.exp_()
tensor(1., grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(1.)""",
    "neg_": """>>> x = wg.tensor(2.0, requires_grad=True)
>>> y = x * 1.0
>>> y.neg_()
tensor(-2., grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(-1.)""",
    "abs_": """>>> x = wg.tensor(-2.0, requires_grad=True)
>>> y = x * 1.0
>>> y.abs_()
tensor(2., grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(-1.)""",
    "sqrt_": """>>> x = wg.tensor(4.0, requires_grad=True)
>>> y = x * 1.0
>>> y.sqrt_()
tensor(2., grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(0.25)""",
    "rsqrt_": """>>> x = wg.tensor(4.0, requires_grad=True)
>>> y = x * 1.0
>>> y.rsqrt_()
tensor(0.5, grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(-0.0625)""",
    "sigmoid_": """>>> x = wg.tensor(0.0, requires_grad=True)
>>> y = x * 1.0
>>> y.sigmoid_()
tensor(0.5, grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(0.25)""",
    "pow_": """>>> x = wg.tensor(3.0, requires_grad=True)
>>> y = x * 1.0
>>> y.pow_(2)
tensor(9., grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(6.)""",
    "clamp_min_": """>>> x = wg.tensor([-1.0, 2.0], requires_grad=True)
>>> y = x * 1.0
>>> y.clamp_min_(0.0)
tensor([0., 2.], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([0., 1.])""",
    "clamp_max_": """>>> x = wg.tensor([-1.0, 2.0], requires_grad=True)
>>> y = x * 1.0
>>> y.clamp_max_(0.0)
tensor([-1.,  0.], grad_fn=<...>)
>>> y.sum().backward()
>>> x.grad
tensor([1., 0.])""",
    "lerp_": """>>> x = wg.tensor(1.0, requires_grad=True)
>>> y = x * 1.0
>>> y.lerp_(wg.tensor(3.0), 0.25)
tensor(1.5, grad_fn=<...>)
>>> y.backward()
>>> x.grad
tensor(0.75)""",
    "index_add_": """>>> x = wg.zeros(3)
>>> x.index_add_(0, wg.tensor([0, 0, 2]), wg.tensor([1.0, 2.0, 3.0]))
tensor([3., 0., 3.])""",
    "scatter_": """>>> x = wg.zeros(3)
>>> x.scatter_(0, wg.tensor([2]), wg.tensor([5.0]))
tensor([0., 0., 5.])
>>> x.scatter_(0, wg.tensor([0]), value=1.0)
tensor([1., 0., 5.])""",
    "uniform_": """>>> x = wg.zeros(3).uniform_(2.0, 4.0, generator=wg.Generator().manual_seed(0))
>>> bool(((x >= 2.0) & (x < 4.0)).all())
True""",
    "normal_": """>>> g = wg.Generator().manual_seed(0)
>>> x = wg.zeros(3).normal_(generator=g)
>>> y = wg.zeros(3).normal_(generator=wg.Generator().manual_seed(0))
>>> bool((x == y).all())
True""",
    "new_zeros": """>>> wg.tensor([1.0], dtype=wg.float32).new_zeros(2)
tensor([0., 0.], dtype=float32)""",
    "new_ones": """>>> wg.tensor([1.0], dtype=wg.float32).new_ones((1, 2))
tensor([[1., 1.]], dtype=float32)""",
    "new_empty": """>>> wg.tensor([1.0]).new_empty(2).shape
(2,)""",
    "new_full": """>>> wg.tensor([1.0]).new_full((2,), 7.0)
tensor([7., 7.])""",
    "new_tensor": """>>> wg.tensor([1.0], dtype=wg.float32).new_tensor([2, 3])
tensor([2., 3.], dtype=float32)""",
}


class _Empty:
    pass


_CLASS_MACHINERY = set(vars(_Empty))

for _name, _method in vars(_Methods).items():
    if _name not in _CLASS_MACHINERY:
        _method.__doc__ = _DOCS[_name] + (
            f"\n\nExamples\n--------\n{_EXAMPLES[_name]}\n" if _name in _EXAMPLES else "")
        setattr(Tensor, _name, _method)
del _name, _method
