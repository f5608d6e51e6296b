"""Unique values, set operations and weighted counts, as selections of their input.

np.unique's values are entries of x: wengert returns them as a gather, x.flat[first index]
(axis=None) or take(x, index, axis), so ∂/∂x scatters g back to the first occurrence of each
value (the other, equal occurrences get 0: a convention, as any choice among equal entries
is). Indices, inverses and counts are integer constants. The set operations follow:

    union1d(a, b)      unique(concat(a, b)): from a where the value occurs in a, else b
    intersect1d(a, b)  the common values, taken from a (∂/∂b = 0: a convention)
    setdiff1d(a, b)    values of a not in b, from a; b only decides membership
    setxor1d(a, b)     values in exactly one of a, b, from the one that holds them

bincount(x, weights) is linear in the weights (a scatter-add into the bins): ∂/∂wᵢ = g[xᵢ];
without weights it counts (an integer constant). Each result is NumPy's (same order, same
NaN handling): NumPy computes the positions, wengert gathers them.
"""
import numpy as np

from ..tensor import Tensor, _make
from . import _operands
from .elementwise import astype
from .indexing import _normalize, _scatter_fwd, take
from .shape import concatenate, ravel

__all__ = ["unique", "unique_values", "unique_counts", "unique_inverse", "unique_all",
           "union1d", "intersect1d", "setdiff1d", "setxor1d", "bincount"]


def _values(a, what):
    """a's values, which decide `what`'s shape and positions (refused while compiling)."""
    return np.asarray(_operands.read_values(a, what))


def _constant(a):
    """a as a Tensor that never requires grad (indices, counts, masks)."""
    return _make(np.asarray(a), None)


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None, *,
           equal_nan=True, sorted=True):
    """The sorted unique values of ar (np.unique, every option), the values gathered from
    their first occurrence: ∂/∂ar scatters g there. Index, inverse and counts are constants.

    Examples
    --------
    >>> wg.unique(wg.tensor([3.0, 1.0, 3.0]))
    tensor([1., 3.])
    """
    d = _values(ar, "wg.unique")
    kw = {"equal_nan": equal_nan}
    if sorted is not True:
        kw["sorted"] = sorted
    res = np.unique(d, return_index=True, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis, **kw)
    idx = res[1]
    vals = take(ar, idx) if axis is None else take(ar, idx, axis=axis)
    if not (return_index or return_inverse or return_counts):
        return vals
    out = [vals]
    if return_index:
        out.append(_constant(idx))
    out.extend(_constant(r) for r in res[2:])
    return tuple(out)


def unique_all(x):
    """np.unique_all: (values, indices, inverse_indices, counts); values gathered from x.

    Examples
    --------
    >>> wg.unique_all(wg.tensor([2.0, 1.0, 2.0]))
    UniqueAllResult(values=tensor([1., 2.]), indices=tensor([1, 0]), inverse_indices=tensor([1, 0, 1]), counts=tensor([1, 2]))
    """
    r = np.unique_all(_values(x, "wg.unique_all"))
    return type(r)(take(x, r.indices), _constant(r.indices), _constant(r.inverse_indices), _constant(r.counts))


def unique_counts(x):
    """np.unique_counts: (values, counts); values gathered from x.

    Examples
    --------
    >>> wg.unique_counts(wg.tensor([2.0, 1.0, 2.0]))
    UniqueCountsResult(values=tensor([1., 2.]), counts=tensor([1, 2]))
    """
    r = np.unique_all(_values(x, "wg.unique_counts"))
    return np.lib._arraysetops_impl.UniqueCountsResult(take(x, r.indices), _constant(r.counts))


def unique_inverse(x):
    """np.unique_inverse: (values, inverse_indices); values gathered from x.

    Examples
    --------
    >>> wg.unique_inverse(wg.tensor([2.0, 1.0, 2.0]))
    UniqueInverseResult(values=tensor([1., 2.]), inverse_indices=tensor([1, 0, 1]))
    """
    r = np.unique_all(_values(x, "wg.unique_inverse"))
    return np.lib._arraysetops_impl.UniqueInverseResult(take(x, r.indices),
                                                        _constant(r.inverse_indices))


def unique_values(x):
    """np.unique_values, gathered from the first occurrence of each value.

    Examples
    --------
    >>> x = wg.tensor([2.0, 1.0, 2.0])
    >>> wg.unique_values(x)
    tensor([1., 2.])
    >>> wg.grad(lambda x: wg.sum(wg.unique_values(x) * wg.tensor([1.0, 10.0])))(x)
    tensor([10.,  1.,  0.])
    """
    return take(x, np.unique_all(_values(x, "wg.unique_values")).indices)


def _flat(a):
    return ravel(a) if isinstance(a, Tensor) else np.ravel(a)


def union1d(ar1, ar2):
    """The sorted union (np.union1d): each value from its first occurrence in (a, b).

    Examples
    --------
    >>> a, b = wg.tensor([3.0, 1.0]), wg.tensor([1.0, 2.0])
    >>> wg.union1d(a, b)
    tensor([1., 2., 3.])
    >>> wg.grad(lambda a: wg.sum(wg.union1d(a, b)))(a)
    tensor([1., 1.])
    """
    return unique(concatenate([_flat(ar1), _flat(ar2)]))


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False):
    """The sorted common values (np.intersect1d), taken from ar1 (∂/∂ar2 = 0).

    Examples
    --------
    >>> a, b = wg.tensor([3.0, 1.0, 2.0]), wg.tensor([1.0, 3.0])
    >>> wg.intersect1d(a, b)
    tensor([1., 3.])
    >>> wg.grad(lambda a: wg.sum(wg.intersect1d(a, b) ** 2))(a)
    tensor([6., 2., 0.])
    """
    both = np.intersect1d(_values(ar1, "wg.intersect1d"), _values(ar2, "wg.intersect1d"),
                          assume_unique=assume_unique, return_indices=True)
    vals = take(_flat(ar1), both[1])
    if return_indices:
        return vals, _constant(both[1]), _constant(both[2])
    return vals


def setdiff1d(ar1, ar2, assume_unique=False):
    """The values of ar1 not in ar2 (np.setdiff1d), taken from ar1.

    Examples
    --------
    >>> a, b = wg.tensor([3.0, 1.0, 2.0]), wg.tensor([1.0])
    >>> wg.setdiff1d(a, b)
    tensor([2., 3.])
    >>> wg.grad(lambda a: wg.sum(wg.setdiff1d(a, b)))(a)
    tensor([1., 0., 1.])
    """
    d1, d2 = np.ravel(_values(ar1, "wg.setdiff1d")), _values(ar2, "wg.setdiff1d")
    if assume_unique:
        idx = np.flatnonzero(np.isin(d1, d2, invert=True))
    else:
        u, first = np.unique(d1, return_index=True)
        idx = first[np.isin(u, d2, invert=True)]
    return take(_flat(ar1), idx)


def setxor1d(ar1, ar2, assume_unique=False):
    """The sorted values in exactly one of ar1, ar2 (np.setxor1d), from the one holding it.

    Examples
    --------
    >>> a, b = wg.tensor([3.0, 1.0]), wg.tensor([1.0, 2.0])
    >>> wg.setxor1d(a, b)
    tensor([2., 3.])
    >>> wg.grad(lambda a: wg.sum(wg.setxor1d(a, b)))(a)
    tensor([1., 0.])
    """
    d1, d2 = np.ravel(_values(ar1, "wg.setxor1d")), np.ravel(_values(ar2, "wg.setxor1d"))
    if assume_unique:
        i1, i2 = np.arange(d1.size), np.arange(d2.size)
    else:
        i1, i2 = np.unique(d1, return_index=True)[1], np.unique(d2, return_index=True)[1]
    src = np.concatenate([i1, d1.size + i2])
    both = np.concatenate([d1, d2])
    if src.size == 0:
        return take(concatenate([_flat(ar1), _flat(ar2)]), src)
    order = np.argsort(both[src], kind="stable")
    aux = both[src][order]
    flag = np.concatenate(([True], aux[1:] != aux[:-1], [True]))
    keep = src[order][flag[1:] & flag[:-1]]
    return take(concatenate([_flat(ar1), _flat(ar2)]), keep)


def bincount(x, weights=None, minlength=0):
    """Counts of each value of the non-negative integers x (np.bincount); with weights, the
    sum of the weights in each bin, linear in them: ∂/∂wᵢ = g[xᵢ]. x is a constant.

    Examples
    --------
    >>> wg.bincount(wg.tensor([0, 1, 1, 3]))
    tensor([1, 2, 0, 1])
    """
    xd = _values(x, "wg.bincount")
    wd = None if weights is None else _operands.array_of(weights)
    counts = np.bincount(xd, wd, minlength=minlength)       # NumPy's checks and value
    if not isinstance(weights, Tensor):
        return _constant(counts)
    w = weights if weights.dtype == np.float64 else astype(weights, np.float64)
    r = _scatter_fwd(ravel(w), _normalize((np.ravel(xd),)), counts.shape)
    return r if isinstance(r, Tensor) else _constant(r)
