"""Reductions: sum mean prod max min amax amin argmax argmin var std logsumexp all any — NumPy 2 signatures (axis=None | int | tuple, keepdims=, dtype= where NumPy has it).

Primitives and their derivatives (y the result, g the cotangent expanded back over the
reduced axes, t a tangent):

    sum        linear       transpose: broadcast g back
    prod       ∂y/∂xᵢ = Πⱼ≠ᵢ xⱼ                    (never divides by a zero: exact with zeros)
    max, min   ∂y/∂xᵢ = [xᵢ = y] / #{j : xⱼ = y}   (split evenly among ties)
    logsumexp  ∂y/∂xᵢ = exp(xᵢ − y) = softmax(x)ᵢ

(cumsum and cumprod are in cumulative.py.) mean, var and std are composites of these and elementwise ops. argmax, argmin, all and any
are not differentiable: their results never require grad.

Each rule is batch-polymorphic: axes are normalised to negative numbers from the input
shape known at forward time, so cotangents and tangents with leading batch axes pass
through. Rules branch only on values (where the zeros or ties are) and use only inputs,
outputs and params, so with create_graph=True they are recorded and differentiated again.
"""
import builtins
import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._operands import SEQUENCES, holds_tensor, pack, value_of
from ._primitive import linear, masked_mul, primitive
from .value_fns import value_result as _value_result
from .elementwise import add, astype, divide, multiply, sqrt, square, subtract, where as _where

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var",
           "std", "logsumexp", "all", "any"]


# ---- arguments ------------------------------------------------------------------------------

def _input(a, fname):
    """A Tensor as is; anything else (ndarray, scalar, nested list) as an ndarray."""
    if isinstance(a, Tensor):
        return a
    if isinstance(a, SEQUENCES) and holds_tensor(a):      # a list of tensors: stacked
        return pack(a)
    arr = np.asarray(a)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"wengert.{fname} needs numbers (a tensor, array, scalar or list), "
                        f"got {type(a).__name__} of dtype {arr.dtype}")
    return arr


def _cast(a, dtype):
    return a if dtype is None else a.astype(dtype)


def _axes(axis, shape, fname):
    """`axis` (None, int or a tuple/list of ints) as a tuple of distinct negative axes."""
    ndim = len(shape)
    if axis is None:
        return tuple(range(-ndim, 0))
    items = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in items:
        if isinstance(a, (bool, np.bool_)) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"wengert.{fname}: axis must be None, an int or a tuple of ints, "
                            f"got {axis!r}")
        a = int(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(
                f"wengert.{fname}: axis {a} is out of bounds for an array of dimension {ndim} "
                f"(shape {tuple(shape)})")
        a = a - ndim if a >= 0 else a
        if a in out:
            raise ValueError(f"wengert.{fname}: duplicate axis in {axis!r}")
        out.append(a)
    return tuple(out)


def _one_axis(axis, shape, fname):
    """A single axis (int) as a negative int, or None."""
    if axis is None:
        return None
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"wengert.{fname}: axis must be None or an int, got {axis!r}")
    return _axes(axis, shape, fname)[0]


def _no_extras(fname, out=None):
    if out is not None:
        raise TypeError(f"wengert.{fname} does not support out=; use the returned tensor")


def _mask(a, where, fill, fname):
    """a with the entries that `where` (NumPy 2's reduction mask, broadcast to a's shape)
    leaves out replaced by `fill`: they then add nothing and get gradient 0."""
    if where is None or where is True:
        return a
    # (a Tensor mask stays one: compiled, a mask computed from the inputs is a step)
    w = where if isinstance(where, Tensor) else np.asarray(where)
    if w.dtype != np.bool_:
        raise TypeError(f"wengert.{fname}: where= must be a boolean mask, got dtype {w.dtype}")
    if np.broadcast_shapes(w.shape, np.shape(a)) != np.shape(a):
        raise ValueError(f"wengert.{fname}: where= of shape {w.shape} does not broadcast to "
                         f"the input's shape {np.shape(a)}")
    return _where(w, a, fill)


def _selected(where, shape, axes, keepdims):
    """The count `where` selects per slice (wengert ops for a Tensor: counted when run)."""
    w = where if isinstance(where, Tensor) else value_of(where)
    return np.broadcast_to(w, shape).sum(axis=axes, keepdims=keepdims)


def _lowest(a, sign):
    """The fill that never wins a max (sign=1) or min (sign=−1) of a's dtype."""
    dt = np.result_type(value_of(a))
    if dt.kind in "fc":
        return -sign * np.inf
    info = np.iinfo(dt) if dt.kind in "iu" else None
    return (info.min if sign > 0 else info.max) if info else sign < 0


def _count(shape, axes):
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def _expand(g, axes, keepdims):
    """g with the reduced axes back as length-1 axes (a batch in front of g is kept)."""
    return g if keepdims else np.expand_dims(g, axes)


def _flip(a, ax):
    """a reversed along the negative axis ax (getitem: works on arrays and Tensors)."""
    return a[(Ellipsis, slice(None, None, -1)) + (slice(None),) * (-ax - 1)]


def _revcumsum(a, ax):
    """Σ_{k≥i} a_k along ax."""
    return _flip(np.cumsum(_flip(a, ax), axis=ax), ax)


def _first_true(mask, axes):
    """mask keeping only its first True in each slice over `axes` (a plain ndarray)."""
    nd = mask.ndim
    src = [a % nd for a in axes]
    dst = list(range(nd - len(src), nd))
    m = np.moveaxis(mask, src, dst)
    flat = m.reshape(m.shape[:nd - len(src)] + (-1,))
    first = flat & (np.cumsum(flat, axis=-1) == 1)
    return np.moveaxis(first.reshape(m.shape), dst, src)


# ---- sum, mean ------------------------------------------------------------------------------

def _sum_transpose(g, x_shape, axis=None, keepdims=False):
    """Σ copies each input element into one output, so the transpose copies g back."""
    if not keepdims and (type(g) is np.ndarray or isinstance(g, np.generic)) and g.ndim == 0:
        out = np.empty(x_shape, g.dtype)        # a writable array: it may become a leaf's .grad
        out.fill(g)
        return out
    if not keepdims and np.ndim(g) == 0:
        return np.broadcast_to(g, tuple(x_shape))      # a recorded total: one op, not two
    g = _expand(g, axis, keepdims)
    return np.broadcast_to(g, g.shape[:g.ndim - len(x_shape)] + tuple(x_shape))


# np.add.reduce is what ndarray.sum runs, without np.sum's dispatch layers
_sum = linear("sum", lambda x, axis=None, keepdims=False: np.add.reduce(x, axis=axis, keepdims=keepdims),
              _sum_transpose)


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Σ a over `axis` (plus `initial`), over the entries `where` selects (NumPy 2).
    ∂/∂aᵢ = 1 where selected, 0 elsewhere: the gradient is broadcast back; ∂/∂initial = 1.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> wg.sum(x, axis=0)
    tensor([4., 6.], grad_fn=<SumBackward>)
    >>> wg.sum(x).backward()
    >>> x.grad
    tensor([[1., 1.],
            [1., 1.]])
    """
    _no_extras("sum", out)
    a = _mask(_cast(_input(a, "sum"), dtype), where, 0, "sum")
    shape = a.data.shape if type(a) is Tensor else np.shape(a)
    axes = tuple(range(-len(shape), 0)) if axis is None else _axes(axis, shape, "sum")
    y = _sum(a, axis=axes, keepdims=keepdims)
    return y if initial is None else add(y, initial)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Σ a / n over `axis` (integers give float64); with `where`, over the n selected
    entries of each slice. ∂/∂aᵢ = 1/n where selected, else 0.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> wg.mean(x)
    tensor(2.5, grad_fn=<DivBackward>)
    >>> wg.mean(x).backward()
    >>> x.grad
    tensor([0.25, 0.25, 0.25, 0.25])
    """
    _no_extras("mean", out)
    a = _input(a, "mean")
    axes = _axes(axis, np.shape(a), "mean")
    half = dtype is None and np.result_type(value_of(a)) == np.float16
    s = sum(a, axis=axes, dtype=np.float32 if half else dtype, keepdims=keepdims, where=where)
    if s.dtype.kind not in "fc":
        s = s.astype(np.float64)
    n = _count(np.shape(a), axes)
    if where is not None and where is not True:
        n = _selected(where, np.shape(a), axes, keepdims)
        if not n.all():
            warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
        n = n.astype(s.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = s / n
    return m.astype(np.float16) if half else m     # NumPy also sums float16 in float32


_mean = mean


# ---- prod ---------------------------------------------------------------------------------------

def _others(x, y, axes):
    """Πⱼ≠ᵢ xⱼ over each reduced slice, for every i (y = prod(x, keepdims=True)).

    Without zeros this is y / x. With zeros it avoids division: one zero of each slice
    (its first) is factored out, prod(x) = prod(x′)·x_z with x′ = x with x_z set to 1, so
    ∂/∂x_z = prod(x′) and ∂/∂xᵢ = x_z·(Πⱼ≠ᵢ x′ⱼ) elsewhere. On arrays (first order) x_z = 0
    makes the second term 0; on Tensors (recording, for higher order) it recurses on x′,
    so every derivative is that of the exact polynomial.
    """
    zero = x == 0           # (a Tensor for a Tensor x: a compiling trace guards on it)
    if not zero.any():
        return y / x
    first = _first_true(zero, axes)
    x1 = np.where(first, 1, x)
    y1 = np.prod(x1, axis=axes, keepdims=True)
    if isinstance(x, Tensor):
        xz = np.sum(np.where(first, x, 0), axis=axes, keepdims=True)
        rest = _others(x1, y1, axes) * np.where(first.any(axis=axes, keepdims=True), xz, 1)
    else:
        rest = np.where(zero.any(axis=axes, keepdims=True), 0, y / np.where(zero, 1, x))
    return np.where(first, y1, rest)


def _prod_vjp(g, needs, x, y, axis, keepdims):
    """g·Πⱼ≠ᵢ xⱼ, broadcast over each reduced slice."""
    return (_expand(g, axis, keepdims) * _others(x, _expand(y, axis, keepdims), axis),)


def _prod_jvp(tangents, x, y, axis, keepdims):
    return np.sum(tangents[0] * _others(x, _expand(y, axis, keepdims), axis), axis=axis,
                  keepdims=keepdims)


_prod = primitive("prod", lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims),
                  _prod_vjp, _prod_jvp, save=(0,), save_out=True)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Π a over `axis` (times `initial`). ∂y/∂aᵢ = Πⱼ≠ᵢ aⱼ, computed without dividing by
    aᵢ: exact where some aᵢ = 0 (one zero: only it gets the product of the others; two or
    more: every gradient is 0), to every order.

    Examples
    --------
    >>> x = wg.tensor([2.0, 3.0, 4.0], requires_grad=True)
    >>> wg.prod(x)
    tensor(24., grad_fn=<ProdBackward>)
    >>> wg.prod(x).backward()
    >>> x.grad                      # the product of the others
    tensor([12.,  8.,  6.])
    """
    _no_extras("prod", out)
    a = _mask(_cast(_input(a, "prod"), dtype), where, 1, "prod")
    y = _prod(a, axis=_axes(axis, np.shape(a), "prod"), keepdims=keepdims)
    return y if initial is None else multiply(y, initial)


# ---- max, min -------------------------------------------------------------------------------------

def _tie_weights(x, y, axes, keepdims):
    """[xᵢ = y] / #ties per slice, a constant array of x's dtype (NaN counts as equal to a
    NaN result; a slice won by `initial` alone gets weight 0)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return _traced_tie_weights(x, y, axes, keepdims)
    xv, yv = value_of(x), _expand(value_of(y), axes, keepdims)
    hit = xv == yv
    if xv.dtype.kind == "f" and np.isnan(yv).any():     # y is small: test it, not x
        hit |= np.isnan(xv) & np.isnan(yv)
    dt: Any = xv.dtype if xv.dtype.kind in "fc" else np.dtype(np.float64)
    count = hit.sum(axis=axes, keepdims=True, dtype=dt)
    return hit * (1 / np.maximum(count, 1))


def _traced_tie_weights(x, y, axes, keepdims):
    """_tie_weights by wengert ops, for a rule run on tensors (a transform of a transform, a
    compiling trace): the weights follow the values instead of being fixed from one call."""
    from .elementwise import equal, isnan, logical_and, logical_or, maximum
    xv = value_of(x)
    y = _expand(y, axes, keepdims)
    hit = equal(x, y)
    if xv.dtype.kind == "f":
        hit = logical_or(hit, logical_and(isnan(x), isnan(y)))
    dt = xv.dtype if xv.dtype.kind in "fc" else np.dtype(np.float64)
    w = astype(hit, dt)
    return divide(w, maximum(sum(w, axis=axes, keepdims=True), dt.type(1)))


def _extreme_vjp(g, needs, x, y, axis, keepdims, initial):
    return (_expand(g, axis, keepdims) * _tie_weights(x, y, axis, keepdims),)


def _extreme_jvp(tangents, x, y, axis, keepdims, initial):
    return np.sum(tangents[0] * _tie_weights(x, y, axis, keepdims), axis=axis, keepdims=keepdims)


def _extreme_fwd(reduce):
    def fwd(x, axis, keepdims, initial):
        if initial is None:
            return reduce(x, axis=axis, keepdims=keepdims)
        return reduce(x, axis=axis, keepdims=keepdims, initial=initial)
    return fwd


_max = primitive("max", _extreme_fwd(np.max), _extreme_vjp, _extreme_jvp, save=(0,), save_out=True)
_min = primitive("min", _extreme_fwd(np.min), _extreme_vjp, _extreme_jvp, save=(0,), save_out=True)


def _extreme_mask(a, where, initial, sign, fname):
    if where is None or where is True:
        return a
    if initial is None:
        raise ValueError(f"wengert.{fname}: reduction operation "
                         f"'{'maximum' if sign > 0 else 'minimum'}' does not have an identity, "
                         f"so to use a where mask one has to specify 'initial'")
    return _mask(a, where, _lowest(a, sign), fname)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """The largest element over `axis` (NumPy 2: `initial` takes part, `where` selects the
    entries, and needs `initial`). ∂y/∂aᵢ = 1 where aᵢ is the maximum; where several
    elements tie for it, the gradient is split evenly among them (each gets 1/#ties), so
    the gradient of a constant slice is uniform and sums to 1. An element tied with
    `initial` takes the whole gradient (initial is a constant); entries left out by
    `where`, or a slice won by `initial` alone, get 0.

    Examples
    --------
    >>> x = wg.tensor([1.0, 3.0, 3.0], requires_grad=True)
    >>> wg.max(x).backward()
    >>> x.grad                      # a tie splits the gradient
    tensor([0. , 0.5, 0.5])
    """
    _no_extras("max", out)
    a = _extreme_mask(_input(a, "max"), where, initial, 1, "max")
    return _max(a, axis=_axes(axis, np.shape(a), "max"), keepdims=keepdims, initial=initial)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """The smallest element over `axis` (`initial` and `where` as in max). ∂y/∂aᵢ = 1
    where aᵢ is the minimum, split evenly among ties (each gets 1/#ties).

    Examples
    --------
    >>> x = wg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> wg.min(x).backward()
    >>> x.grad
    tensor([0., 1., 0.])
    """
    _no_extras("min", out)
    a = _extreme_mask(_input(a, "min"), where, initial, -1, "min")
    return _min(a, axis=_axes(axis, np.shape(a), "min"), keepdims=keepdims, initial=initial)


amax = max
amin = min


# ---- var, std ---------------------------------------------------------------------------------------

def _ddof(fname, ddof, correction):
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError(f"wengert.{fname}: give ddof= or correction=, not both")
    return correction


def _var(fname, a, axis, dtype, out, ddof, keepdims, where, mean, correction):
    _no_extras(fname, out)
    ddof = _ddof(fname, ddof, correction)
    a = _cast(_input(a, fname), dtype)
    if np.result_type(value_of(a)).kind not in "fc":
        a = astype(a, np.float64)
    axes = _axes(axis, np.shape(a), fname)
    m = _mean(a, axis=axes, keepdims=True, where=where) if mean is None else mean
    d = subtract(a, m)
    if d.dtype.kind == "c":     # |d|² = Re² + Im², real (NumPy's); smooth at d = 0
        d2 = add(square(np.real(d)), square(np.imag(d)))
    else:
        d2 = square(d)
    s = sum(d2, axis=axes, keepdims=keepdims, where=where)
    if where is None or where is True:
        n = builtins.max(_count(np.shape(a), axes) - ddof, 0)
    else:
        n = np.maximum(_selected(where, np.shape(a), axes, keepdims) - ddof, 0).astype(s.dtype)
    if np.any(n == 0):      # (a Tensor for a counted Tensor mask: a guard when compiled)
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        return divide(s, n)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    """Σ (a − ā)² / (n − ddof) over `axis` (`correction=` is the Array API name of ddof;
    `mean=` supplies ā, with keepdims=True shape, as in NumPy).

    A composite of mean, subtract, square, sum and divide, so every order comes for free:
    ∂/∂aᵢ = 2(aᵢ − ā)/(n − ddof) (the ā term contributes Σ(aⱼ − ā) = 0). A dedicated rule
    would save a few nodes, not accuracy.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> wg.var(x)
    tensor(1.25, grad_fn=<DivBackward>)
    >>> wg.var(x).backward()
    >>> x.grad                      # 2(x − mean)/n
    tensor([-0.75, -0.25,  0.25,  0.75])
    """
    return _var("var", a, axis, dtype, out, ddof, keepdims, where, mean, correction)


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, mean=None,
        correction=None):
    """√var(a). ∂/∂aᵢ = (aᵢ − ā) / ((n − ddof)·std).

    Where the variance is exactly 0 (a constant slice) the gradient is taken as 0 — the
    minimum-norm subgradient, as for abs′(0) = 0 — instead of 0/0 = NaN: √ is applied
    under a `where` that masks those slices, and masked cotangents are exactly zero.

    Examples
    --------
    >>> x = wg.tensor([1.0, 3.0], requires_grad=True)
    >>> wg.std(x)
    tensor(1., grad_fn=<SqrtBackward>)
    >>> wg.std(x).backward()
    >>> x.grad                      # (x − mean)/(n·std)
    tensor([-0.5,  0.5])
    """
    v = _var("std", a, axis, dtype, out, ddof, keepdims, where, mean, correction)
    flat = v == 0           # (a Tensor for a Tensor v: the branch is a guard when compiled)
    if not flat.any():
        return sqrt(v)
    # √ never sees those zeros (1 in their place): √′(0) = ∞ would otherwise meet a zero
    # tangent in forward mode, and 0·∞ = NaN reaches reverse-over-forward derivatives
    return _where(flat, 0.0, sqrt(_where(flat, 1.0, v)))


# ---- logsumexp --------------------------------------------------------------------------------------

def _lse_fwd(x, axis, keepdims):
    """m + log Σ exp(x − m) with m the slice maximum (taken as 0 where it is ±inf)."""
    m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isinf(m), 0, m)
    with np.errstate(divide="ignore", over="ignore"):
        y = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return y if keepdims else np.squeeze(y, axis)


def _softmax_of(x, axis):
    """∂y/∂x = exp(x − y) = softmax(x), computed as exp(x − m) / Σ exp(x − m) with m the
    slice maximum taken as a constant (softmax is shift-invariant, so every derivative is
    still exact): accurate in float32 at ±1000, where x − y would lose digits. A slice of
    −inf (result −inf) gets 0; in a slice holding +inf the +inf entries get NaN (no
    derivative there, as in PyTorch and JAX) and the others 0; a NaN entry makes its slice
    NaN. The rules multiply by it masked: an exactly-zero cotangent gives exactly 0."""
    # (of a Tensor, a recorded max, detached: compiled, the shift is computed at run time and
    # the branch below on it is a guard)
    xv = x.detach() if isinstance(x, Tensor) else x
    m = max(xv, axis=axis, keepdims=True, initial=-np.inf).detach() if xv is not x else \
        np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    inf = np.isinf(m)
    if not inf.any():
        e = np.exp(x - m)
        return e / np.sum(e, axis=axis, keepdims=True)
    hot = (m > 0) & (xv == np.inf)      # the +inf entries of a slice whose result is +inf
    m = np.where(inf, 0, m)
    x = np.where(inf, -np.inf, x)
    e = np.exp(x - m)
    r = e / np.where(inf, 1, np.sum(e, axis=axis, keepdims=True))
    return np.where(hot, np.nan, r) if hot.any() else r


def _lse_vjp(g, needs, x, axis, keepdims):
    return (masked_mul(_expand(g, axis, keepdims), _softmax_of(x, axis)),)


def _lse_jvp(tangents, x, axis, keepdims):
    return np.sum(masked_mul(tangents[0], _softmax_of(x, axis)), axis=axis, keepdims=keepdims)


_logsumexp = primitive("logsumexp", _lse_fwd, _lse_vjp, _lse_jvp, save=(0,))


def logsumexp(a, axis=-1, keepdims=False):
    """log Σ exp(a) over `axis` (default the last), computed stably as m + log Σ exp(a − m)
    with m the maximum: no overflow at ±1000; a slice of −inf gives −inf; an empty slice
    gives −inf. ∂y/∂aᵢ = exp(aᵢ − y) = softmax(a)ᵢ (0 where y is −inf; where y is +inf, NaN
    on the +inf entries and 0 elsewhere; NaN throughout a slice holding NaN). A 0-d input is
    its own logsumexp.

    Examples
    --------
    >>> x = wg.tensor([0.0, 0.0], requires_grad=True)
    >>> wg.logsumexp(x)
    tensor(0.69314718, grad_fn=<LogsumexpBackward>)
    >>> wg.logsumexp(x).backward()
    >>> x.grad                      # softmax(x)
    tensor([0.5, 0.5])
    """
    a = _input(a, "logsumexp")
    if np.result_type(value_of(a)).kind not in "fc":
        a = astype(a, np.float64)
    if np.ndim(a) == 0 and axis in (0, -1):
        axis = None
    return _logsumexp(a, axis=_axes(axis, np.shape(a), "logsumexp"), keepdims=keepdims)


# ---- not differentiable: argmax argmin all any ----------------------------------------------------

def _index_of_extreme(find, name, a, axis, out, keepdims):
    """np.argmax or np.argmin (`find`) of a's value, as a Tensor that never requires grad."""
    _no_extras(name, out)
    a = _input(a, name)
    return _value_result(find, a, dict(axis=_one_axis(axis, np.shape(value_of(a)), name),
                                       keepdims=keepdims))


def argmax(a, axis=None, out=None, *, keepdims=False):
    """Index of the first maximum along `axis` (of the flattened array when None). An
    integer tensor: never requires grad.

    Examples
    --------
    >>> wg.argmax(wg.tensor([[1.0, 5.0], [7.0, 2.0]]), axis=1)
    tensor([1, 0])
    """
    return _index_of_extreme(np.argmax, "argmax", a, axis, out, keepdims)


def argmin(a, axis=None, out=None, *, keepdims=False):
    """Index of the first minimum along `axis` (of the flattened array when None). An
    integer tensor: never requires grad.

    Examples
    --------
    >>> wg.argmin(wg.tensor([[1.0, 5.0], [7.0, 2.0]]), axis=1)
    tensor([0, 1])
    """
    return _index_of_extreme(np.argmin, "argmin", a, axis, out, keepdims)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    """Whether every element over `axis` is nonzero. A bool tensor: never requires grad.

    Examples
    --------
    >>> wg.all(wg.tensor([[1.0, 0.0], [2.0, 3.0]]), axis=1)
    tensor([False,  True])
    """
    _no_extras("all", out)
    a = _input(a, "all")
    return _value_result(np.all, a, dict(axis=_axes(axis, np.shape(value_of(a)), "all"),
                                         keepdims=keepdims,
                                         where=True if where is None else where))


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    """Whether some element over `axis` is nonzero. A bool tensor: never requires grad.

    Examples
    --------
    >>> wg.any(wg.tensor([[1.0, 0.0], [0.0, 0.0]]), axis=1)
    tensor([ True, False])
    """
    _no_extras("any", out)
    a = _input(a, "any")
    return _value_result(np.any, a, dict(axis=_axes(axis, np.shape(value_of(a)), "any"),
                                         keepdims=keepdims,
                                         where=True if where is None else where))
