"""PyTorch's functions with `dim=`: the (values, indices) reductions, gather/scatter_add, chunk,
topk and the shape helpers a PyTorch user types (API §10).

Every differentiable result is a composite of existing ops, so it inherits their derivatives
to every order and in both modes:

    values of max/min/sort/topk/kthvalue/median/mode   a gather at the returned indices:
                                                        ∂values/∂aᵢ = 1 at the chosen index
    gather(a, dim, index)                               getitem: ∂/∂a scatter-adds g back
    scatter_add(a, dim, index, src)                     a + scatter(src): ∂/∂a = g, ∂/∂src = g[index]

The indices are integer tensors that never require grad (the choice is piecewise constant).
"""
import collections
import math

import numpy as np

from ..tensor import Tensor, _make
from ._operands import value_of
from .elementwise import add, clip, copy, where
from .indexing import _scatter, getitem, take_along_axis
from .linalg.norms import matrix_norm, vector_norm
from .linalg.products import matmul
from .shape import concatenate, expand_dims, moveaxis, permute_dims, reshape, squeeze

__all__ = ["topk", "kthvalue", "mode", "gather", "scatter_add", "chunk", "unsqueeze", "permute",
           "flatten", "clamp", "masked_fill", "norm", "numel", "bmm", "mm", "cat"]

_TYPES = {}


def values_indices(name):
    """The named-tuple type `name` with fields (values, indices), one per function, as
    PyTorch's torch.return_types."""
    t = _TYPES.get(name)
    if t is None:
        t = _TYPES[name] = collections.namedtuple(name, ["values", "indices"])
    return t


def _tensor(a, fname):
    if isinstance(a, Tensor):
        return a
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"wengert.{fname} needs a real numeric tensor, got dtype {arr.dtype}")
    return _make(arr, None)


def _dim(dim, ndim, fname):
    """dim as a non-negative int (a 0-d tensor has dims 0 and -1, as in PyTorch)."""
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"wengert.{fname}: dim must be an int, got {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"wengert.{fname}: dim {dim} is out of range for a tensor of "
                         f"{ndim} dimensions (expected -{n} to {n - 1})")
    return int(dim) % n


def _pick(a, idx, dim, keepdim):
    """(a gathered at `idx` along dim, idx), keepdim as asked: idx has keepdim shape."""
    vals = take_along_axis(a, idx, axis=dim)
    if not keepdim:
        vals = squeeze(vals, dim)
        idx = np.squeeze(idx, dim)
    return vals, _make(np.asarray(idx, dtype=np.int64), None)


def _reduced(name, a, dim, keepdim, choose):
    """values, indices of the element `choose(value, axis)` picks along dim (keepdims)."""
    a = _tensor(a, name)
    if a.ndim == 0:
        _dim(dim, 0, name)
        return values_indices(name)(a, _make(np.zeros((), np.int64), None))
    d = _dim(dim, a.ndim, name)
    if a.shape[d] == 0:
        raise IndexError(f"wengert.{name}: cannot reduce over dim {d}, which has size 0")
    idx = choose(a.data, d)
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


def _mode_index(v, d):
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
    idx = _argsort(a.data, d, descending)
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
    indices, as a named tuple (values, indices), largest first (smallest first).

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
    if a.ndim == 0:
        return values_indices("topk")(a if k else reshape(a, (0,))[:0],
                                      _make(np.zeros((), np.int64), None))
    idx = np.take(_argsort(a.data, d, largest), np.arange(k), axis=d)
    return values_indices("topk")(*_pick(a, idx, d, True))


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along `dim` (k counts from 1) and its index, as a named
    tuple (values, indices).

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
    idx = np.take(np.argsort(a.data, axis=d, stable=True), [k - 1], axis=d)
    return values_indices("kthvalue")(*_pick(a, idx, d, keepdim))


# ---- gather, scatter_add ----------------------------------------------------------------------

def _index_tuple(fname, a_shape, dim, index, src_shape=None):
    """The full integer index that places index's entries along dim (np.indices elsewhere),
    after PyTorch's shape rules: same number of dims, index no larger than the input (and
    than src) outside dim, entries in range."""
    idx = np.asarray(value_of(index))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"wengert.{fname}: index must be an integer tensor, got dtype {idx.dtype}")
    nd = len(a_shape)
    if idx.ndim != nd:
        raise ValueError(f"wengert.{fname}: index has {idx.ndim} dimensions but the input has "
                         f"{nd} (shapes {idx.shape} and {tuple(a_shape)}); they must match")
    d = _dim(dim, nd, fname)
    for ax in range(nd):
        if ax != d and idx.shape[ax] > a_shape[ax]:
            raise ValueError(f"wengert.{fname}: index of shape {idx.shape} is larger than the "
                             f"input of shape {tuple(a_shape)} in dimension {ax}")
        if src_shape is not None and idx.shape[ax] > src_shape[ax]:
            raise ValueError(f"wengert.{fname}: index of shape {idx.shape} is larger than src "
                             f"of shape {tuple(src_shape)} in dimension {ax}")
    if idx.size and (idx.min() < -a_shape[d] or idx.max() >= a_shape[d]):
        raise IndexError(f"wengert.{fname}: index out of range for dim {d} of size "
                         f"{a_shape[d]} (entries from {idx.min()} to {idx.max()})")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx % a_shape[d] if a_shape[d] else idx
    return tuple(grid), idx.shape


def gather(input, dim, index):
    """out[i][j][k] = input[index[i][j][k]][j][k] (dim=0; likewise for other dims): the
    entries of `input` along `dim` at the positions `index` holds.

    `index` has input's number of dimensions and is no larger than input outside dim.
    d out / d input scatter-adds the cotangent back (repeated indices accumulate).

    Parameters
    ----------
    input : Tensor or array_like
    dim : int
    index : integer Tensor or array

    Examples
    --------
    >>> import wengert as wg
    >>> wg.gather(wg.tensor([[1., 2.], [3., 4.]]), 1, wg.tensor([[1], [0]]))
    tensor([[2.],
            [3.]])
    """
    a = _tensor(input, "gather")
    ix, _ = _index_tuple("gather", a.shape, dim, index)
    return getitem(a, ix)


def scatter_add(input, dim, index, src):
    """A copy of `input` with src's entries added at the places `index` names along `dim`
    (self[index[i][j]][j] += src[i][j] for dim=0); repeated indices accumulate.

    d out / d input = g; d out / d src = g gathered at index (zero for src entries beyond
    index's shape, which are not used).

    Parameters
    ----------
    input : Tensor or array_like
    dim : int
    index : integer Tensor or array, input's number of dimensions
    src : Tensor or array_like, at least index's shape

    Examples
    --------
    >>> import wengert as wg
    >>> wg.scatter_add(wg.zeros(3), 0, wg.tensor([0, 2, 0]), wg.tensor([1., 2., 3.]))
    tensor([4., 0., 2.])
    """
    a = _tensor(input, "scatter_add")
    s = _tensor(src, "scatter_add")
    if s.ndim != a.ndim:
        raise ValueError(f"wengert.scatter_add: src has {s.ndim} dimensions but the input has "
                         f"{a.ndim} (shapes {s.shape} and {a.shape}); they must match")
    ix, ishape = _index_tuple("scatter_add", a.shape, dim, index, s.shape)
    if s.shape != ishape:
        s = getitem(s, tuple(slice(0, n) for n in ishape))
    if s.dtype != a.dtype:
        s = s.astype(np.result_type(a.dtype, s.dtype))
    return add(a, _scatter(s, index=ix, x_shape=a.shape))


# ---- shapes ----------------------------------------------------------------------------------

def chunk(input, chunks, dim=0):
    """`input` cut along `dim` into `chunks` parts of ceil(n / chunks) elements (the last
    smaller; fewer parts when n does not fill them), as PyTorch's chunk. Each part is a
    slice (a view), so its gradient lands back in its place.

    Parameters
    ----------
    input : Tensor or array_like
    chunks : int, at least 1
    dim : int, default 0

    Examples
    --------
    >>> import wengert as wg
    >>> [c.shape for c in wg.chunk(wg.arange(5.), 2)]
    [(3,), (2,)]
    """
    a = _tensor(input, "chunk")
    if isinstance(chunks, (bool, np.bool_)) or not isinstance(chunks, (int, np.integer)) \
            or chunks < 1:
        raise ValueError(f"wengert.chunk: chunks must be a positive int, got {chunks!r}")
    d = _dim(dim, a.ndim, "chunk")
    n = a.shape[d]
    size = max(math.ceil(n / chunks), 1)
    return split_sizes(a, size, d, "chunk")


def split_sizes(input, split_size_or_sections, dim=0, fname="split"):
    """PyTorch's split: parts of `split_size` elements along dim (the last smaller), or of
    the listed sizes (which must add up to the dim's length). Each part is a view."""
    a = _tensor(input, fname)
    d = _dim(dim, a.ndim, fname)
    n = a.shape[d]
    s = split_size_or_sections
    if isinstance(s, (int, np.integer)) and not isinstance(s, (bool, np.bool_)):
        if s < 1 and n:
            raise ValueError(f"wengert.{fname}: split_size must be positive, got {s}")
        sizes = [min(s, n - i) for i in range(0, n, s)] if n else [0]
    else:
        sizes = [int(x) for x in s]
        if sum(sizes) != n or any(x < 0 for x in sizes):
            raise ValueError(f"wengert.{fname}: sizes {sizes} do not add up to dim {d}'s "
                             f"length {n}")
    out, start = [], 0
    pre = (slice(None),) * d
    for size in sizes:
        out.append(getitem(a, pre + (slice(start, start + size),)))
        start += size
    return tuple(out)


def unsqueeze(input, dim):
    """`input` with a new length-1 axis at position `dim` of the result (PyTorch's
    unsqueeze; NumPy's expand_dims). The gradient drops the axis again.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.unsqueeze(wg.zeros(3), 0).shape
    (1, 3)
    """
    a = _tensor(input, "unsqueeze")
    if isinstance(dim, (bool, np.bool_)) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"wengert.unsqueeze: dim must be an int, got {dim!r}")
    if not -a.ndim - 1 <= dim <= a.ndim:
        raise IndexError(f"wengert.unsqueeze: dim {dim} is out of range for a result of "
                         f"{a.ndim + 1} dimensions")
    return expand_dims(a, int(dim))


def permute(input, dims):
    """The axes of `input` reordered: result axis i is input axis dims[i] (PyTorch's
    permute; NumPy's transpose with axes). The gradient is permuted back.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.permute(wg.zeros((2, 3, 4)), (2, 0, 1)).shape
    (4, 2, 3)
    """
    a = _tensor(input, "permute")
    dims = tuple(int(x) for x in dims)
    if sorted(x % max(a.ndim, 1) for x in dims) != list(range(a.ndim)):
        raise ValueError(f"wengert.permute: dims {dims} are not a permutation of the "
                         f"{a.ndim} dimensions of a tensor of shape {a.shape}")
    return permute_dims(a, dims)


def flatten(input, start_dim=0, end_dim=-1):
    """`input` with dims start_dim … end_dim merged into one (PyTorch's flatten; a 0-d
    tensor gives shape (1,)). A copy, as NumPy's ndarray.flatten; the gradient is reshaped
    back.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.flatten(wg.zeros((2, 3, 4)), 1).shape
    (2, 12)
    """
    a = _tensor(input, "flatten")
    if a.ndim == 0:
        return copy(reshape(a, (1,)))
    s, e = _dim(start_dim, a.ndim, "flatten"), _dim(end_dim, a.ndim, "flatten")
    if s > e:
        raise ValueError(f"wengert.flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = a.shape[:s] + (math.prod(a.shape[s:e + 1]),) + a.shape[e + 1:]
    return copy(reshape(a, shape))


def clamp(input, min=None, max=None):
    """`input` limited to [min, max] (either bound may be None; PyTorch's clamp, NumPy's
    clip). d/dx clamp(x) = 1 inside the bounds, 0 outside; the bounds get the rest.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.clamp(wg.tensor([-2., 0.5, 3.]), min=0., max=1.)
    tensor([0. , 0.5, 1. ])
    """
    if min is None and max is None:
        raise ValueError("wengert.clamp: give min=, max= or both")
    return clip(_tensor(input, "clamp") if not isinstance(input, Tensor) else input, min, max)


def masked_fill(input, mask, value):
    """`input` with `value` where the boolean `mask` (broadcast to input's shape) is True.
    d/d input = g where the mask is False, 0 where True; d/d value = Σ g over the mask.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.masked_fill(wg.tensor([1., 2., 3.]), wg.tensor([True, False, True]), 0.)
    tensor([0., 2., 0.])
    """
    m = np.asarray(value_of(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"wengert.masked_fill: mask must be a bool tensor, got dtype {m.dtype}")
    a = _tensor(input, "masked_fill")
    if np.broadcast_shapes(m.shape, a.shape) != a.shape:
        raise ValueError(f"wengert.masked_fill: a mask of shape {m.shape} does not broadcast "
                         f"to the input's shape {a.shape}")
    if np.ndim(value_of(value)) != 0:
        raise ValueError("wengert.masked_fill: value must be a number or a 0-d tensor, got "
                         f"shape {np.shape(value_of(value))}")
    r = where(m, value, a)
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """PyTorch's norm: the p-norm of `input` over `dim` (all elements when None, flattened).

    p a number: (Σ |xᵢ|^p)^(1/p) over dim (inf: max |xᵢ|, -inf: min, 0: count of nonzeros);
    'fro': the 2-norm of the entries over dim (Frobenius for two dims); 'nuc': the sum of
    singular values over the two dims `dim` names. d/dx ‖x‖₂ = x / ‖x‖₂ (0 at x = 0).

    Parameters
    ----------
    input : Tensor or array_like
    p : float, inf, 'fro' or 'nuc', default 'fro'
    dim : int, tuple of ints or None
    keepdim : bool, default False
    dtype : dtype, optional
        Cast the input to it first.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.norm(wg.tensor([3., 4.]))
    tensor(5.)
    """
    a = _tensor(input, "norm")
    if dtype is not None:
        a = a.astype(dtype)
    if a.dtype.kind != "f":
        raise TypeError(f"wengert.norm needs a floating tensor, got dtype {a.dtype}; "
                        f"convert first (t.float() or t.double())")
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if p == "nuc":
        if dim is None or len(dim) != 2:
            raise ValueError("wengert.norm: p='nuc' needs dim= naming two dimensions")
        d0, d1 = (_dim(x, a.ndim, "norm") for x in dim)
        r = matrix_norm(moveaxis(a, (d0, d1), (-2, -1)), ord="nuc", keepdims=keepdim)
        return moveaxis(r, (-2, -1), (d0, d1)) if keepdim else r
    if p == "fro":
        p = 2
    if isinstance(p, str) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise ValueError(f"wengert.norm: p must be a number, 'fro' or 'nuc', got {p!r}")
    axis = None if dim is None else tuple(_dim(x, a.ndim, "norm") for x in dim)
    return vector_norm(a, axis=axis, keepdims=keepdim, ord=p)


def numel(input):
    """The number of elements (NumPy's size), an int.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.numel(wg.zeros((2, 3)))
    6
    """
    return int(np.size(value_of(input)))


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors: (b, n, m) @ (b, m, p) → (b, n, p), with no
    broadcasting (PyTorch's bmm; use matmul to broadcast). Gradients as for matmul:
    dA = g Bᵀ, dB = Aᵀ g per batch entry.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.bmm(wg.ones((2, 1, 3)), wg.ones((2, 3, 4))).shape
    (2, 1, 4)
    """
    sa, sb = np.shape(value_of(input)), np.shape(value_of(mat2))
    if len(sa) != 3 or len(sb) != 3:
        raise ValueError(f"wengert.bmm needs two 3-D tensors, got shapes {sa} and {sb} "
                         f"(wg.matmul broadcasts and takes other ranks)")
    if sa[0] != sb[0] or sa[2] != sb[1]:
        raise ValueError(f"wengert.bmm: shapes {sa} and {sb} do not fit (b, n, m) @ (b, m, p)")
    return matmul(input, mat2)


def mm(input, mat2):
    """The product of two 2-D tensors (PyTorch's mm); matmul for other ranks.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.mm(wg.ones((2, 3)), wg.ones((3, 4))).shape
    (2, 4)
    """
    sa, sb = np.shape(value_of(input)), np.shape(value_of(mat2))
    if len(sa) != 2 or len(sb) != 2:
        raise ValueError(f"wengert.mm needs two 2-D tensors, got shapes {sa} and {sb} "
                         f"(wg.matmul takes other ranks)")
    return matmul(input, mat2)


def cat(tensors, dim=0, *, axis=None, out=None):
    """The tensors joined along the existing dimension `dim` (PyTorch's cat; NumPy's
    concatenate, whose `axis=` is accepted too). Each input's gradient is its slice of g.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.cat([wg.zeros((1, 2)), wg.ones((2, 2))], dim=0).shape
    (3, 2)
    """
    if axis is not None:
        if dim != 0:
            raise TypeError("wengert.cat: give dim= or axis=, not both")
        dim = axis
    return concatenate(tensors, axis=dim, out=out)
