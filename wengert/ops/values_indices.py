"""PyTorch's (values, indices) results (API §10): topk, kthvalue, mode, and max, min, median
and sort as PyTorch's dim= spelling gives them (ops/torch_dims.py calls these).

The values are a gather at the chosen indices (take_along_axis), so they inherit its
derivatives to every order and in both modes: ∂values/∂aᵢ = 1 at the chosen index, 0
elsewhere (ties: all of it to the returned index, unlike NumPy's max, which splits it). The
indices are int64 tensors that never require grad (the choice is piecewise constant).
"""
import collections

import numpy as np

from ..tensor import Tensor, _make
from . import _operands
from ._operands import value_of
from .indexing import take_along_axis
from .shape import reshape, squeeze
from .torch_ops import _dim, _tensor

__all__ = ["topk", "kthvalue", "mode"]

_TYPES: dict[str, type] = {}


def values_indices(name):
    """The named-tuple type `name` with fields (values, indices), one per function, as
    PyTorch's torch.return_types."""
    t = _TYPES.get(name)
    if t is None:
        t = _TYPES[name] = collections.namedtuple(name, ["values", "indices"])
    return t


def _pick(a, idx, dim, keepdim):
    """(a gathered at `idx` along dim, idx), keepdim as asked: idx has keepdim shape."""
    vals = take_along_axis(a, idx, axis=dim)
    if not keepdim:
        vals = squeeze(vals, dim)
        idx = np.squeeze(idx, dim)
    if isinstance(idx, Tensor) and idx.dtype == np.int64:
        return vals, idx
    return vals, _make(np.asarray(value_of(idx), dtype=np.int64), None)


def _reduced(name, a, dim, keepdim, choose):
    """values, indices of the element `choose(value, axis)` picks along dim (keepdims)."""
    a = _tensor(a, name)
    if a.ndim == 0:
        _dim(dim, 0, name)
        return values_indices(name)(a, _make(np.zeros((), np.int64), None))
    d = _dim(dim, a.ndim, name)
    if a.shape[d] == 0:
        raise IndexError(f"wengert.{name}: cannot reduce over dim {d}, which has size 0")
    # (`choose` gets the Tensor: its argmax, argsort and NaN tests are wengert ops, so a
    # compiling trace reads the indices at run time and its branches on values are guards)
    idx = choose(a, d)
    return values_indices(name)(*_pick(a, idx, d, keepdim))


def max_dim(a, dim, keepdim=False):
    """PyTorch's max(a, dim): the largest element along dim and its index (the first one
    among ties; a NaN wins, as in PyTorch). ∂values/∂aᵢ = 1 at that index, 0 elsewhere."""
    return _reduced("max", a, dim, keepdim,
                    lambda v, d: np.expand_dims(np.argmax(v, axis=d), d))


def min_dim(a, dim, keepdim=False):
    """PyTorch's min(a, dim): the smallest element along dim and its index (first among
    ties; a NaN wins). ∂values/∂aᵢ = 1 at that index, 0 elsewhere."""
    return _reduced("min", a, dim, keepdim,
                    lambda v, d: np.expand_dims(np.argmin(v, axis=d), d))


def _lower_median_index(v, d):
    order = np.argsort(v, axis=d, stable=True)
    k = (v.shape[d] - 1) // 2
    idx = np.take(order, [k], axis=d)
    nan = np.isnan(v).any(axis=d, keepdims=True) if v.dtype.kind == "f" else None
    if nan is not None and nan.any():       # PyTorch: a slice holding NaN has median NaN
        first_nan = np.expand_dims(np.argmax(np.isnan(v), axis=d), d)
        idx = np.where(nan, first_nan, idx)
    return idx


def median_dim(a, dim, keepdim=False):
    """PyTorch's median(a, dim): the lower of the two middle elements for an even count
    (not their mean, NumPy's median) and its index. ∂values/∂aᵢ = 1 at that index."""
    return _reduced("median", a, dim, keepdim, _lower_median_index)


def _lower_nanmedian_index(v, d):
    order = np.argsort(v, axis=d, stable=True)         # NaN sorts last
    n = v.shape[d]
    if v.dtype.kind != "f":
        return np.take(order, [(n - 1) // 2], axis=d)
    count = np.sum(~np.isnan(v), axis=d, keepdims=True)
    k = np.where(count > 0, (count - 1) // 2, (n - 1) // 2)   # all NaN: a NaN
    return np.take_along_axis(order, k, axis=d)


def nanmedian_dim(a, dim, keepdim=False):
    """PyTorch's nanmedian(a, dim): the lower middle of the values along dim that are not
    NaN and its index (NaN where all are). ∂values/∂aᵢ = 1 at that index, 0 elsewhere."""
    return _reduced("nanmedian", a, dim, keepdim, _lower_nanmedian_index)


def _mode_index(v, d):
    v = _operands.read_values(v, "wg.mode")     # (counts of equal values: no wengert op)
    moved = np.moveaxis(v, d, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty(flat.shape[0], dtype=np.int64)
    for r, row in enumerate(flat):
        vals, inv, counts = np.unique(row, return_inverse=True, return_counts=True)
        best = int(np.argmax(counts))            # the smallest of the most frequent values
        out[r] = np.flatnonzero(inv.ravel() == best)[-1]     # its last position (PyTorch's)
    return np.expand_dims(out.reshape(moved.shape[:-1]), d)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along `dim` (the smallest among equally frequent ones) and
    the index of its last occurrence, as a named tuple (values, indices).

    d values / d inputᵢ = 1 at that index, 0 elsewhere.

    Parameters
    ----------
    input : Tensor or array_like
    dim : int, default -1
    keepdim : bool, default False

    Examples
    --------
    >>> import wengert as wg
    >>> wg.mode(wg.tensor([1., 2., 2., 3.])).values
    tensor(2.)
    """
    return _reduced("mode", input, dim, keepdim, _mode_index)


def sort_dim(a, dim=-1, descending=False, stable=False):
    """PyTorch's sort: (values, indices) along dim, ascending unless `descending`; ties keep
    their order (a stable sort); NaN counts as the largest. ∂values/∂aᵢ = g at the
    position aᵢ moved to."""
    a = _tensor(a, "sort")
    if a.ndim == 0:
        _dim(dim, 0, "sort")
        return values_indices("sort")(a, _make(np.zeros((), np.int64), None))
    d = _dim(dim, a.ndim, "sort")
    idx = _argsort(a, d, descending)
    return values_indices("sort")(*_pick(a, idx, d, True))


def _argsort(v, d, descending):
    if not descending:
        return np.argsort(v, axis=d, stable=True)
    # sort the reversed slice ascending (stable) and read it backwards: largest first, ties
    # in their original order, NaN first (largest) — without negating (ints, bools)
    n = v.shape[d]
    rev = np.argsort(np.flip(v, axis=d), axis=d, stable=True)
    return n - 1 - np.flip(rev, axis=d)


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or, with largest=False, smallest) elements along `dim` and their
    indices, as a named tuple (values, indices), largest first (smallest first). Among
    equal values the lower index comes first (a stable sort; NaN counts as the largest).
    PyTorch leaves that order unspecified, so its indices may differ where values tie.

    d values / d inputᵢ = 1 at each chosen index, 0 elsewhere (a gather).

    Parameters
    ----------
    input : Tensor or array_like
    k : int
        How many; 0 ≤ k ≤ input.shape[dim].
    dim : int, default -1
    largest : bool, default True
    sorted : bool, default True
        Results always come sorted; the flag is accepted for PyTorch's signature.

    Examples
    --------
    >>> import wengert as wg
    >>> v, i = wg.topk(wg.tensor([1., 5., 3.]), 2)
    >>> v, i
    (tensor([5., 3.]), tensor([1, 2]))
    """
    a = _tensor(input, "topk")
    d = _dim(dim, a.ndim, "topk")
    n = a.shape[d] if a.ndim else 1
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"wengert.topk: k must be an int, got {k!r}")
    if not 0 <= k <= n:
        raise ValueError(f"wengert.topk: k={k} is out of range for dim {d} of size {n}")
    if a.ndim == 0:                 # one element: k=1 gives it, k=0 gives nothing
        if k:
            return values_indices("topk")(a, _make(np.zeros((), np.int64), None))
        return values_indices("topk")(reshape(a, (1,))[:0], _make(np.zeros(0, np.int64), None))
    idx = np.take(_argsort(a, d, largest), np.arange(k), axis=d)
    return values_indices("topk")(*_pick(a, idx, d, True))


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along `dim` (k counts from 1) and its index, as a named
    tuple (values, indices). Among equal values, the index is the one a stable sort puts
    k-th (PyTorch leaves it unspecified, so its index may differ where values tie).

    d values / d inputᵢ = 1 at that index, 0 elsewhere.

    Parameters
    ----------
    input : Tensor or array_like
    k : int
        1 ≤ k ≤ input.shape[dim].
    dim : int, default -1
    keepdim : bool, default False

    Examples
    --------
    >>> import wengert as wg
    >>> wg.kthvalue(wg.tensor([4., 1., 3.]), 2)
    kthvalue(values=tensor(3.), indices=tensor(2))
    """
    a = _tensor(input, "kthvalue")
    d = _dim(dim, a.ndim, "kthvalue")
    n = a.shape[d] if a.ndim else 1
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"wengert.kthvalue: k must be an int, got {k!r}")
    if not 1 <= k <= n:
        raise ValueError(f"wengert.kthvalue: k={k} is out of range 1…{n} for dim {d}")
    if a.ndim == 0:
        return values_indices("kthvalue")(a, _make(np.zeros((), np.int64), None))
    idx = np.take(np.argsort(a, axis=d, stable=True), [k - 1], axis=d)
    return values_indices("kthvalue")(*_pick(a, idx, d, keepdim))
