"""NumPy's ufunc protocol on Tensors, beyond the plain call `np.exp(t)`.

Tensor.__array_ufunc__ answers a keyword-free call from UFUNCS itself; everything else comes
to `dispatch` here:

* keywords of a call: `out=` (a Tensor: an in-place update of it, recorded as `out[...] =
  result` would be, with its leaf, saved-tensor and dtype rules; an ndarray: NumPy's own
  call when no input needs a gradient, else the TypeError of a value leaving the graph),
  `where=` (with `out=`: out takes the result where the mask holds and keeps its old value
  elsewhere, differentiably in both; without `out=` NumPy leaves the other entries
  uninitialised, so wengert raises a TypeError rather than invent them), `dtype=` (NumPy's
  loop dtypes: inputs and result cast as NumPy casts them, differentiably through astype),
  `casting=` (NumPy's rule, checked by NumPy's own type resolution), `order=` (accepted; a
  result's memory layout is wengert's own and its values are the same), `subok=True`.
  Any other keyword (signature=, axes=, …) is a TypeError that names it.
* methods: `reduce` (add, multiply, maximum, minimum: wg.sum, prod, max, min, with axis=,
  dtype=, keepdims=, initial=, where= passed on, and out=), `accumulate` (add, multiply,
  maximum, minimum), `outer` (every binary ufunc wengert has: reshape, then the broadcasting
  op), `at` (add and subtract differentiably: a scatter-add into the Tensor, in place; any
  ufunc on values that need no gradient), `reduceat` (add, differentiably).
* SciPy's special ufuncs (scipy.special.erf(t) …) through ops/special.py.

A ufunc wengert does not differentiate is an error naming it (np.X or scipy.special.X) and
wengert's equivalent where one exists; on values that need no gradient it runs as in NumPy.
"""
import sys

import numpy as np

from ..grad_mode import state as _grad
from ..tensor import (UFUNC_ACCUMULATIONS, UFUNC_REDUCTIONS, UFUNCS, Tensor, _has_tangents,
                      _make, _needs_grad, _strip)
from .elementwise import add, astype, copy, negative, where
from .fallback import fallback as _fallback
from .indexing import _normalize, _scatter_fwd, _selection_shape, take
from .shape import broadcast_to, moveaxis, reshape
from .special import scipy_ufunc

_CALL_KEYWORDS = ("out", "where", "dtype", "casting", "order", "subok")
_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")

# what to use instead of a ufunc wengert does not differentiate
_EQUIVALENTS = {
    "scipy.special.log_softmax": "wg.log_softmax",
    "scipy.special.softmax": "wg.softmax",
    "scipy.special.logsumexp": "wg.logsumexp",
    "scipy.special.trigamma": "wg.special.polygamma(1, x)",
}


# ---- names and errors ---------------------------------------------------------------------------

def ufunc_name(ufunc):
    """How the user spelled it: np.X, scipy.special.X, or the ufunc's own name."""
    name = ufunc.__name__
    if getattr(np, name, None) is ufunc:
        return "np." + name
    sc = sys.modules.get("scipy.special")
    if sc is not None and getattr(sc, name, None) is ufunc:
        return "scipy.special." + name
    return f"the ufunc {name}"


def _needs(obj):
    """Would a result computed from obj need a gradient or carry a tangent?"""
    return (_grad.enabled and _needs_grad(obj)) or _has_tangents(obj)


def _not_differentiable(what, name):
    hint = _EQUIVALENTS.get(name)
    use = f"use {hint} instead" if hint else "use a wengert function"
    return TypeError(f"{what} is not differentiable in wengert; {use}, or call it on "
                     f".detach()ed tensors if no gradient is needed")


def _leaves_graph(what, instead):
    return TypeError(
        f"{what} would write a value that requires grad into a NumPy array, where the graph "
        f"cannot follow it (the value would leave the graph). {instead}, or call it on "
        f".detach()ed tensors if no gradient is needed")


def _out_of_place(name):
    return f"Use the out-of-place form (y = {name}(...)) or pass a Tensor as out="


# ---- dispatch -----------------------------------------------------------------------------------

def dispatch(ufunc, method, inputs, kwargs):
    """Tensor.__array_ufunc__ for everything but a keyword-free call of a known ufunc."""
    if method == "__call__":
        return _call(ufunc, inputs, kwargs)
    if method == "reduce":
        return _reduce(ufunc, inputs, kwargs)
    if method == "accumulate":
        return _with_out(ufunc, "accumulate", UFUNC_ACCUMULATIONS.get(ufunc), inputs, kwargs)
    if method == "outer":
        return _outer(ufunc, inputs, kwargs)
    if method == "at":
        return _at(ufunc, *inputs)
    if method == "reduceat":
        return _with_out(ufunc, "reduceat", _add_reduceat if ufunc is np.add else None,
                         inputs, kwargs)
    return _generic(ufunc, method, inputs, kwargs)


def lookup(ufunc):
    f = UFUNCS.get(ufunc)
    return f if f is not None else scipy_ufunc(ufunc)


def _outs(kwargs):
    """kwargs' out= as a tuple (NumPy hands it over as one), or None when absent."""
    out = kwargs.get("out")
    if out is None:
        return None
    out = out if isinstance(out, tuple) else (out,)
    return None if all(o is None for o in out) else out


def _generic(ufunc, method, inputs, kwargs):
    """A ufunc (or method) wengert does not differentiate: NumPy's result on values that need
    no gradient, an error naming it otherwise. Tensors given as out= are updated through
    their own in-place machinery (versions bumped), never written behind the engine's back."""
    name = ufunc_name(ufunc)
    what = name if method == "__call__" else f"{name}.{method}"
    if _needs(inputs) or _needs(kwargs):
        raise _not_differentiable(what, name)
    outs = _outs(kwargs)
    if outs is None or not any(isinstance(o, Tensor) for o in outs):
        return _fallback(getattr(ufunc, method), inputs, kwargs, what)
    scratch = tuple(np.array(o.data if isinstance(o, Tensor) else o) for o in outs)
    kw = dict(kwargs, out=scratch)
    getattr(ufunc, method)(*_strip(inputs), **_strip(kw))
    for o, s in zip(outs, scratch):
        if isinstance(o, Tensor):
            o[...] = s
        else:
            np.copyto(o, s)
    return outs[0] if len(outs) == 1 else outs


# ---- a call with keywords -------------------------------------------------------------------------

def _dtype_of(x):
    """A dtype for NumPy's type resolution (Python scalars stay weak)."""
    if isinstance(x, Tensor):
        return x.data.dtype
    if isinstance(x, bool):
        return np.dtype(bool)
    if type(x) in (int, float, complex):
        return type(x)
    return np.asarray(x).dtype


def _resolve(ufunc, inputs, outs, dtype, casting):
    """NumPy's loop dtypes for this call; NumPy's own TypeError for a cast `casting` forbids."""
    dts = tuple(_dtype_of(x) for x in inputs)
    out_dts = tuple(None if o is None else _dtype_of(o) for o in outs) if outs else \
        (None,) * ufunc.nout
    kw = {} if dtype is None else {"signature": (None,) * ufunc.nin + (np.dtype(dtype),) * ufunc.nout}
    try:
        return ufunc.resolve_dtypes(dts + out_dts, casting=casting, **kw)
    except TypeError:
        raise
    except Exception:           # a ufunc NumPy cannot resolve this way: the op decides
        return None


def _cast(x, dt):
    if isinstance(x, Tensor):
        return x if x.data.dtype == dt else astype(x, dt)
    if isinstance(x, (bool, int, float, complex)):
        return x
    a = np.asarray(x)
    return a if a.dtype == dt else a.astype(dt)


def _shape(x):
    return x.data.shape if isinstance(x, Tensor) else np.shape(x)


def _call(ufunc, inputs, kwargs):
    f = lookup(ufunc)
    if not kwargs:
        if f is None:
            return _generic(ufunc, "__call__", inputs, kwargs)
        return f(*inputs)
    name = ufunc_name(ufunc)
    extra = [k for k in kwargs if k not in _CALL_KEYWORDS]
    if extra and not (ufunc.signature is not None and extra == ["axis"]):
        raise TypeError(f"{name}(..., {extra[0]}=...) on wengert Tensors: the keyword "
                        f"{extra[0]}= is not supported (supported: out=, where=, dtype=, "
                        f"casting=, order=, subok=True)")
    if kwargs.get("subok", True) is not True:
        raise TypeError(f"{name}(..., subok=False) on wengert Tensors: subok=False asks for a "
                        f"plain ndarray; use .detach() (or .numpy(force=True)) for the value")
    order = kwargs.get("order", "K")
    if order not in ("K", "A", "C", "F"):
        raise ValueError(f"{name}: order must be one of 'K', 'A', 'C' or 'F', got {order!r}")
    casting = kwargs.get("casting", "same_kind")
    if casting not in _CASTINGS:
        raise ValueError(f"{name}: casting must be one of {', '.join(map(repr, _CASTINGS))}, "
                         f"got {casting!r}")
    outs = _outs(kwargs)
    mask = kwargs.get("where", True)
    if outs is not None and not any(isinstance(o, Tensor) for o in outs):
        if _needs(inputs):                          # out= ndarrays only
            raise _leaves_graph(f"{name}(..., out=ndarray)", _out_of_place(name))
        return ufunc(*_strip(inputs), **_strip(kwargs))
    if f is None or ufunc.nout != 1:
        return _generic(ufunc, "__call__", inputs, kwargs)
    out = None if outs is None else outs[0]
    dtype = kwargs.get("dtype")
    loop = _resolve(ufunc, inputs, outs, dtype, casting)
    mask = mask.data if isinstance(mask, Tensor) else mask if mask is True else np.asarray(mask)
    masked = not (mask is True)
    if masked and out is None:
        raise TypeError(f"{name}(..., where=mask) without out=: NumPy leaves the entries "
                        f"where mask is False uninitialised. Pass out= (an initialised "
                        f"Tensor, e.g. out=wg.zeros(shape)), or write "
                        f"wg.where(mask, {name}(...), fill)")
    extra_kw = {"axis": kwargs["axis"]} if "axis" in kwargs else {}

    def compute(args):
        if dtype is not None and loop is not None:
            args = [_cast(a, dt) for a, dt in zip(args, loop[:ufunc.nin])]
        r = f(*args, **extra_kw)
        want = None
        if dtype is not None:
            want = np.dtype(dtype) if loop is None else loop[-1]
        if out is not None and casting == "unsafe":
            want = out.data.dtype
        if want is not None and r.data.dtype != want:
            r = astype(r, want)
        return r

    if out is None:
        return compute(list(inputs))
    inputs = _unaliased(inputs, out)
    oshape = out.data.shape

    def op(old, _):
        r = compute([old if x is out else x for x in inputs])
        if masked:
            r = where(mask, r, old)
        rshape = r.data.shape
        if rshape != oshape:
            try:
                fits = np.broadcast_shapes(rshape, oshape) == oshape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(f"{name}: the output operand of shape {oshape} does not fit "
                                 f"the result's shape {rshape}")
            r = copy(broadcast_to(r, oshape))
        return r

    out._inplace(op, _carrier(inputs))
    return out


def _unaliased(inputs, out):
    """inputs with each Tensor other than `out` that may share memory with it (a view of
    out, its base, another view of the base) replaced by a recorded copy: NumPy reads the
    operands before it writes, and the op must save values the write cannot change."""
    if not isinstance(out, Tensor):
        return tuple(inputs)
    od = out.data
    return tuple(copy(x) if isinstance(x, Tensor) and x is not out
                 and np.may_share_memory(x.data, od) else x for x in inputs)


def _carrier(inputs):
    """The input that makes Tensor._inplace record: one with tangents, else one that needs
    a gradient (None: a plain in-place NumPy update)."""
    ts = [x for x in inputs if isinstance(x, Tensor)]
    for x in ts:
        if x._tangents is not None:
            return x
    for x in ts:
        if x._requires_grad:
            return x
    return None


# ---- methods --------------------------------------------------------------------------------------

def _assign(out, r, name, casting="same_kind"):
    """out[...] = r, for a method's out=: NumPy's casting rule and shape first."""
    rd = r.data if isinstance(r, Tensor) else np.asarray(r)
    if not isinstance(out, Tensor):
        if _needs(r):
            raise _leaves_graph(f"{name}(..., out=ndarray)", _out_of_place(name))
        np.copyto(out, rd, casting=casting)
        return out
    if not np.can_cast(rd.dtype, out.data.dtype, casting=casting):
        raise TypeError(f"{name}: cannot cast the {rd.dtype} result to the {out.data.dtype} "
                        f"out= tensor with casting rule {casting!r}")
    if rd.shape != out.data.shape:
        raise ValueError(f"{name}: the output operand of shape {out.data.shape} does not fit "
                         f"the result's shape {rd.shape}")
    out[...] = r
    return out


def _with_out(ufunc, method, f, inputs, kwargs):
    if f is None:
        return _generic(ufunc, method, inputs, kwargs)
    kwargs = dict(kwargs)
    outs = _outs(kwargs)
    kwargs.pop("out", None)
    if outs is not None and isinstance(outs[0], Tensor):
        # (an input read under the out= write, e.g. np.multiply.reduce(a, 0, out=a[0]))
        inputs = tuple(copy(x) if isinstance(x, Tensor) and np.may_share_memory(
            x.data, outs[0].data) else x for x in inputs)
    r = f(*inputs, **kwargs)
    if outs is None:
        return r
    return _assign(outs[0], r, f"{ufunc_name(ufunc)}.{method}")


def _reduce(ufunc, inputs, kwargs):
    return _with_out(ufunc, "reduce", UFUNC_REDUCTIONS.get(ufunc), inputs, kwargs)


def _outer(ufunc, inputs, kwargs):
    """f.outer(a, b)[i…, j…] = f(a[i…], b[j…]): a gets b.ndim trailing unit axes."""
    if ufunc.nin != 2 or lookup(ufunc) is None:
        return _generic(ufunc, "outer", inputs, kwargs)
    a, b = inputs
    a = a if isinstance(a, Tensor) else np.asarray(a)
    a = reshape(a, _shape(a) + (1,) * len(_shape(b)))
    return _call(ufunc, (a, b), kwargs)


def _at(ufunc, a, indices, b=None):
    """ufunc.at(a, indices, b): a[indices] ← ufunc(a[indices], b), unbuffered (a repeated
    index applies again), in place. For add and subtract, differentiable in a and b: a plus
    the scatter-add of ±b (repeats accumulate; the gradient of b gathers). Returns None."""
    name = f"{ufunc_name(ufunc)}.at"
    args = (a, indices) if b is None else (a, indices, b)
    if not isinstance(a, Tensor):
        if _needs(b) or _needs(indices):
            raise _leaves_graph(f"{name}(ndarray, ...)",
                                "Make the array a Tensor first (t = wg.tensor(a)) and update "
                                "that, or write it out of place (t = a + scattered values)")
        ufunc.at(a, *_strip(args[1:]))
        return None
    index = _normalize(indices.data if isinstance(indices, Tensor) else
                       tuple(i.data if isinstance(i, Tensor) else i for i in indices)
                       if isinstance(indices, tuple) else indices)
    if _needs(args):
        if ufunc not in (np.add, np.subtract) or b is None:
            raise _not_differentiable(name, name)
        shape = a.data.shape
        sel = _selection_shape(shape, index)

        def op(old, v):
            v = broadcast_to(v, sel)
            if ufunc is np.subtract:
                v = negative(v)
            return add(old, _scatter_fwd(v, index, shape))
    else:
        def op(old, v):
            r = np.array(old.data if isinstance(old, Tensor) else old)
            ufunc.at(r, index, *(() if v is None else (_strip(v),)))
            return _make(r, None)
    a._inplace(op, b)
    return None


def _add_reduceat(a, indices, axis=0, dtype=None):
    """np.add.reduceat: the sums of a over [indices[i], indices[i+1]) along `axis` (just
    a[indices[i]] where indices[i] ≥ indices[i+1]; the last runs to the end). A gather of
    the positions and a scatter-add into the segments: ∂/∂a gathers g back."""
    x = a if isinstance(a, Tensor) else np.asarray(a)
    if dtype is not None:
        x = astype(x, dtype)
    shape = _shape(x)
    nd = len(shape)
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(axis, nd)
    ax = axis % nd
    n = shape[ax]
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if idx.ndim != 1 or idx.dtype.kind not in "iu":
        raise TypeError("add.reduceat: indices must be a 1-d sequence of integers")
    for i in idx:
        if not 0 <= i < n:
            raise IndexError(f"index {i} out-of-bounds in add.reduceat [0, {n})")
    ends = np.append(idx[1:], n)
    ends = np.where(ends > idx, ends, idx + 1)
    lengths = ends - idx
    starts_in_flat = np.cumsum(lengths) - lengths
    pos = np.arange(int(lengths.sum())) - np.repeat(starts_in_flat - idx, lengths)
    seg = np.repeat(np.arange(len(idx)), lengths)
    picked = moveaxis(take(x, pos, axis=ax), ax, 0)
    summed = _scatter_fwd(picked, _normalize((seg,)), (len(idx),) + _shape(picked)[1:])
    if not isinstance(summed, Tensor):
        summed = _make(summed, None)
    return moveaxis(summed, 0, ax)


def _extreme_accumulate(better):
    """maximum/minimum.accumulate as a gather: each running extreme is taken from the
    element that set it, the first one to reach it (ties pick that one; a NaN, once met,
    stays the running value as in NumPy). ∂y_k/∂x_j = 1 for that j."""
    def accumulate(a, axis=0, dtype=None):
        x = a if isinstance(a, Tensor) else np.asarray(a)
        if dtype is not None:
            x = astype(x, dtype)
        v = x.data if isinstance(x, Tensor) else x
        nd = v.ndim
        if not -nd <= axis < nd:
            raise np.exceptions.AxisError(axis, nd)
        vm = np.moveaxis(v, axis, 0)
        run = (np.maximum if better is np.greater else np.minimum).accumulate(vm, axis=0)
        prev = run[:-1]
        new = better(vm[1:], prev)
        if vm.dtype.kind in "fc":
            new |= np.isnan(vm[1:]) & ~np.isnan(prev)
        new = np.concatenate([np.ones_like(vm[:1], dtype=bool), new], axis=0)
        pos = np.arange(vm.shape[0]).reshape((-1,) + (1,) * (nd - 1))
        src = np.maximum.accumulate(np.where(new, pos, 0), axis=0)
        from .indexing import take_along_axis
        return take_along_axis(x, np.moveaxis(src, 0, axis), axis=axis)
    return accumulate


UFUNC_ACCUMULATIONS[np.maximum] = _extreme_accumulate(np.greater)
UFUNC_ACCUMULATIONS[np.minimum] = _extreme_accumulate(np.less)
