"""NaN-aware reductions: nansum nanmean nanprod nanmax nanmin nanvar nanstd nancumsum
nancumprod nanmedian nanpercentile nanquantile nanargmax nanargmin, and nan_to_num —
NumPy 2's signatures and semantics.

Each is the plain reduction over the non-NaN entries: a composite of `where` (or the
reductions' `where=` mask) with sum, mean, prod, max, min, var, std, cumsum, cumprod and the
quantile of wengert.ops.statistics. So ∂/∂aᵢ is the plain reduction's derivative at a
non-NaN entry and exactly 0 at a NaN one (masked cotangents are exactly zero: no NaN leaks
into the gradient). An all-NaN slice gives what NumPy gives (0 for nansum, 1 for nanprod,
NaN with a RuntimeWarning for the others), with gradient 0.

nan_to_num(x) replaces NaN and ±inf by finite numbers: derivative 1 at finite entries, 0 at
replaced ones.
"""
import warnings

import numpy as np

from ..tensor import Tensor, _make
from .elementwise import positive, where
from . import _operands
from ._operands import value_of
from .cumulative import cumprod, cumsum
from .reduction import (_axes, _input, max as _max, mean as _mean,
                        min as _min, prod as _prod, std as _std, sum as _sum, var as _var)
from .statistics import _extras, _method, _q_input, quantile_along

__all__ = ["nansum", "nanmean", "nanprod", "nanmax", "nanmin", "nanvar", "nanstd",
           "nancumsum", "nancumprod", "nanmedian", "nanpercentile", "nanquantile",
           "nanargmax", "nanargmin", "nan_to_num"]


def _floating(a):
    return np.result_type(value_of(a)).kind in "fc"


def _fill(a, value):
    """a with its NaNs replaced by `value` (a of a non-floating dtype as is)."""
    if not _floating(a):
        return a
    # (np.isnan of a Tensor is a wengert op: a compiling trace computes the mask at run time)
    return where(np.isnan(a), np.asarray(value, dtype=np.result_type(value_of(a))), a)


def _valid(a, where_):
    """The reduction mask: not NaN (and `where_`, NumPy's mask, where given)."""
    m = ~np.isnan(a) if _floating(a) else np.ones(np.shape(value_of(a)), dtype=bool)
    if where_ is not None and where_ is not True:
        m = m & (where_ if isinstance(where_, Tensor) else np.asarray(where_))
    return m


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Σ of the non-NaN entries (0 for an all-NaN slice). ∂/∂aᵢ = 1, 0 at NaNs.

    Examples
    --------
    >>> wg.nansum(wg.tensor([1.0, np.nan, 2.0]))
    tensor(3.)
    """
    a = _input(a, "nansum")
    return _sum(_fill(a, 0), axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                initial=initial, where=where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Π of the non-NaN entries (1 for an all-NaN slice). ∂/∂aᵢ = Πⱼ≠ᵢ aⱼ over the
    non-NaN j, 0 at NaNs.

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nanprod(x)
    tensor(2.)
    >>> wg.grad(wg.nanprod)(wg.tensor([3.0, np.nan, 2.0]))
    tensor([2., 0., 3.])
    """
    a = _input(a, "nanprod")
    return _prod(_fill(a, 1), axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                 initial=initial, where=where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """The mean of the non-NaN entries (NaN, with a RuntimeWarning, for an all-NaN slice).
    ∂/∂aᵢ = 1/n with n the slice's count of non-NaN entries; 0 at NaNs.

    Examples
    --------
    >>> wg.nanmean(wg.tensor([1.0, np.nan, 2.0]))
    tensor(1.5)
    """
    a = _input(a, "nanmean")
    if not _floating(a):
        return _mean(a, axis=axis, dtype=dtype, out=out, keepdims=keepdims, where=where)
    return _mean(_fill(a, 0), axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                 where=_valid(a, where))


def _all_nan(a, axis, keepdims, where_):
    """Slices without one selected non-NaN entry (None when there are none)."""
    if not _floating(a):
        return None
    none = ~np.any(_valid(a, where_), axis=_axes(axis, np.shape(value_of(a)), "nan"),
                   keepdims=keepdims)
    if not none.any():
        return None
    warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    return none


def _nan_extreme(fname, reduce, sign, a, axis, out, keepdims, initial, where_):
    a = _input(a, fname)
    bad = _all_nan(a, axis, keepdims, where_) if initial is None else None
    # (an all-NaN slice reduces to ∓inf, its ties split a gradient that `where` then masks)
    y = reduce(_fill(a, -sign * np.inf), axis=axis, out=out, keepdims=keepdims, initial=initial,
               where=None if where_ is None or where_ is True else _valid(a, where_))
    if bad is not None:
        y = where(bad, np.asarray(np.nan, dtype=y.dtype), y)
    return y


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """The largest non-NaN entry (NaN, with a RuntimeWarning, for an all-NaN slice);
    `initial` and `where` as in max. Gradient as max's (ties split evenly), 0 at NaNs.

    Examples
    --------
    >>> wg.nanmax(wg.tensor([1.0, np.nan, 2.0]))
    tensor(2.)
    """
    return _nan_extreme("nanmax", _max, 1, a, axis, out, keepdims, initial, where)


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """The smallest non-NaN entry (see nanmax).

    Examples
    --------
    >>> wg.nanmin(wg.tensor([1.0, np.nan, 2.0]))
    tensor(1.)
    """
    return _nan_extreme("nanmin", _min, -1, a, axis, out, keepdims, initial, where)


def _nan_spread(fname, f, a, axis, dtype, out, ddof, keepdims, where_, mean, correction):
    a = _input(a, fname)
    if not _floating(a):
        return f(a, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
                 where=where_, mean=mean, correction=correction)
    valid = _valid(a, where_)
    dof = np.sum(valid, axis=_axes(axis, np.shape(value_of(a)), fname), keepdims=keepdims) - (
        ddof if correction is None else correction)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)     # NumPy's own warning below
        y = f(_fill(a, 0), axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims,
              where=valid, mean=mean, correction=correction)
    bad = dof <= 0
    if np.any(bad):
        warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=3)
        y = where(bad, np.asarray(np.nan, dtype=y.dtype), y)
    return y


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
           mean=None, correction=None):
    """The variance of the non-NaN entries: Σ(aᵢ − ā)²/(n − ddof) over them (NaN where
    n − ddof ≤ 0). ∂/∂aᵢ = 2(aᵢ − ā)/(n − ddof), 0 at NaNs.

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nanvar(x)
    tensor(0.25)
    >>> wg.grad(wg.nanvar)(x)
    tensor([-0.5,  0. ,  0.5])
    """
    return _nan_spread("nanvar", _var, a, axis, dtype, out, ddof, keepdims, where, mean,
                       correction)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
           mean=None, correction=None):
    """√nanvar (gradient 0 for a constant slice, as in std).

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nanstd(x)
    tensor(0.5)
    >>> wg.grad(wg.nanstd)(x)
    tensor([-0.5,  0. ,  0.5])
    """
    return _nan_spread("nanstd", _std, a, axis, dtype, out, ddof, keepdims, where, mean,
                       correction)


def nancumsum(a, axis=None, dtype=None, out=None):
    """Running sum with NaNs taken as 0. ∂ as cumsum's, 0 at NaNs.

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nancumsum(x)
    tensor([1., 1., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.nancumsum(x)))(x)
    tensor([3., 0., 1.])
    """
    return cumsum(_fill(_input(a, "nancumsum"), 0), axis=axis, dtype=dtype, out=out)


def nancumprod(a, axis=None, dtype=None, out=None):
    """Running product with NaNs taken as 1. ∂ as cumprod's, 0 at NaNs.

    Examples
    --------
    >>> x = wg.tensor([3.0, np.nan, 2.0])
    >>> wg.nancumprod(x)
    tensor([3., 3., 6.])
    >>> wg.grad(lambda x: wg.sum(wg.nancumprod(x)))(x)
    tensor([4., 0., 3.])
    """
    return cumprod(_fill(_input(a, "nancumprod"), 1), axis=axis, dtype=dtype, out=out)


# ---- order statistics ------------------------------------------------------------------------

def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False, *, weights=None, interpolation=None):
    """quantile of the non-NaN entries of each slice (NaN, with a RuntimeWarning, for an
    all-NaN one). Gradient as quantile's (see wengert.ops.statistics), 0 at NaNs.

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nanquantile(x, 0.25)
    tensor(1.25)
    >>> wg.grad(lambda x: wg.nanquantile(x, 0.25))(x)
    tensor([0.75, 0.  , 0.25])
    """
    _extras("nanquantile", out, weights)
    return quantile_along(a, _q_input(q, "nanquantile", 1), axis, keepdims,
                          _method(method, interpolation, "nanquantile"), "nanquantile",
                          skip_nan=True)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False, *, weights=None, interpolation=None):
    """nanquantile(a, q / 100), q in [0, 100].

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 2.0])
    >>> wg.nanpercentile(x, 25)
    tensor(1.25)
    >>> wg.grad(lambda x: wg.nanpercentile(x, 25))(x)
    tensor([0.75, 0.  , 0.25])
    """
    _extras("nanpercentile", out, weights)
    return quantile_along(a, _q_input(q, "nanpercentile", 100), axis, keepdims,
                          _method(method, interpolation, "nanpercentile"), "nanpercentile",
                          skip_nan=True)


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The median of the non-NaN entries of each slice (see median).

    Examples
    --------
    >>> x = wg.tensor([1.0, np.nan, 4.0, 2.0])
    >>> wg.nanmedian(x)
    tensor(2.)
    >>> wg.grad(wg.nanmedian)(x)
    tensor([0., 0., 0., 1.])
    """
    _extras("nanmedian", out, None)
    return quantile_along(a, 0.5, axis, keepdims, "linear", "nanmedian", skip_nan=True)


# ---- queries and nan_to_num --------------------------------------------------------------------

def nanargmax(a, axis=None, out=None, *, keepdims=False):
    """Index of the first maximum ignoring NaNs (ValueError for an all-NaN slice, as in
    NumPy). An integer tensor: never requires grad.

    Examples
    --------
    >>> wg.nanargmax(wg.tensor([1.0, np.nan, 2.0]))
    tensor(2)
    """
    if out is not None:
        raise TypeError("wengert.nanargmax does not support out=; use the returned tensor")
    # (read through the door a compiling tracer guards: positions read off a traced
    # value would be constants of the program; it refuses them)
    d = _operands.read_values(_input(a, "nanargmax"), "wg.nanargmax")
    return _make(np.asarray(np.nanargmax(d, axis=axis, keepdims=keepdims)), None)


def nanargmin(a, axis=None, out=None, *, keepdims=False):
    """Index of the first minimum ignoring NaNs (see nanargmax).

    Examples
    --------
    >>> wg.nanargmin(wg.tensor([np.nan, 3.0, 2.0]))
    tensor(2)
    """
    if out is not None:
        raise TypeError("wengert.nanargmin does not support out=; use the returned tensor")
    # (read through the door a compiling tracer guards: positions read off a traced
    # value would be constants of the program; it refuses them)
    d = _operands.read_values(_input(a, "nanargmin"), "wg.nanargmin")
    return _make(np.asarray(np.nanargmin(d, axis=axis, keepdims=keepdims)), None)


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """x with NaN → `nan`, +inf → `posinf` and −inf → `neginf` (default: the largest and
    smallest finite numbers of x's dtype). ∂/∂xᵢ = 1 where xᵢ is finite, 0 where replaced.
    copy=False cannot write into a tensor (a new tensor is returned either way).

    Examples
    --------
    >>> wg.nan_to_num(wg.tensor([1.0, np.nan, np.inf]), posinf=9.0)
    tensor([1., 0., 9.])
    """
    x = _input(x, "nan_to_num")
    for v, name in ((nan, "nan"), (posinf, "posinf"), (neginf, "neginf")):
        if isinstance(v, Tensor) or np.ndim(v) != 0:
            raise TypeError(f"wengert.nan_to_num: {name}= must be a number, got "
                            f"{type(v).__name__}")
    dt = np.result_type(value_of(x))
    if dt.kind not in "fc":
        return x if isinstance(x, Tensor) else _make(np.array(x), None)
    if dt.kind == "c":
        raise TypeError("wengert.nan_to_num: complex input is not supported (complex "
                        "differentiation is not built yet)")
    fi = np.finfo(dt)
    y = x
    # (masks of a Tensor are wengert ops: compiled, they are steps and `any` is a guard)
    for mask, v in ((np.isnan(x), nan), (x == np.inf, fi.max if posinf is None else posinf),
                    (x == -np.inf, fi.min if neginf is None else neginf)):
        if mask.any():
            y = where(mask, np.asarray(v, dtype=dt), y)
    return positive(x) if y is x else y
