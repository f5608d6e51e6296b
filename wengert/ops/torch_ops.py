"""PyTorch's functions without a NumPy namesake (API §10): gather and scatter_add, chunk,
unsqueeze, permute, flatten, clamp, masked_fill, norm, numel, bmm, mm, cat, repeat_interleave.
(The (values, indices) family, topk, kthvalue, mode and max/min/median/sort with dim=, is in
values_indices.py.)

Every differentiable result is a composite of existing ops, so it inherits their derivatives
to every order and in both modes:

    gather(a, dim, index)             getitem: ∂/∂a scatter-adds g back
    scatter_add(a, dim, index, src)   a + scatter(src): ∂/∂a = g, ∂/∂src = g at index
"""
import math
from typing import Any

import numpy as np

from ..tensor import Tensor, _make
from ._operands import value_of
from .elementwise import add, clip, copy, where
from .indexing import _index_array, _scatter, getitem, take
from .linalg.norms import matrix_norm, vector_norm
from .linalg.products import matmul
from .shape import concatenate, expand_dims, moveaxis, permute_dims, repeat, reshape

__all__ = ["gather", "scatter_add", "chunk", "unsqueeze", "permute",
           "flatten", "clamp", "masked_fill", "norm", "numel", "bmm", "mm", "cat", "repeat_interleave", "index_select", "movedim"]

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
    grid: list[Any] = list(np.indices(idx.shape, sparse=True))
    if isinstance(index, Tensor):
        # read through the index door, as getitem's: a compiling trace knows the array as
        # the traced index (read on every call), never as a constant of its first call;
        # in range, NumPy wraps its negative entries as `%` would
        grid[d] = _index_array(index)
    else:
        grid[d] = idx % a_shape[d] if a_shape[d] else idx
    return tuple(grid), idx.shape


def gather(input, dim, index):
    """`out[i][j][k] = input[index[i][j][k]][j][k]` (dim=0; likewise for other dims): the
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
    (`self[index[i][j]][j] += src[i][j]` for dim=0); repeated indices accumulate. The result
    has input's dtype, as in PyTorch: src is cast to it (a float src into an integer input
    is a TypeError).

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
        # the result has input's dtype, as PyTorch's scatter_add (NumPy's promotion would
        # turn a float32 input float64 through a float64 src, an integer one float)
        if not np.can_cast(s.dtype, a.dtype, "same_kind"):
            raise TypeError(f"wengert.scatter_add: src of dtype {s.dtype} cannot be added into "
                            f"an input of dtype {a.dtype} (the result keeps the input's "
                            f"dtype); convert one of them first")
        s = s.astype(a.dtype)
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
    # (a Tensor mask stays one: compiled, the mask is a step of every call, not a constant)
    r = where(mask if isinstance(mask, Tensor) else m, value, a)
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


def repeat_interleave(input, repeats, dim=None):
    """Each element repeated `repeats` times (an int, or one count per element) along `dim`
    (the flattened tensor when None): PyTorch's repeat_interleave, NumPy's repeat. The
    gradient sums each element's copies.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.repeat_interleave(wg.tensor([1., 2.]), 2)
    tensor([1., 1., 2., 2.])
    """
    return repeat(_tensor(input, "repeat_interleave"), repeats, dim)


def index_select(input, dim, index):
    """The entries of `input` at the positions the 1-D integer `index` lists along `dim`
    (PyTorch's index_select; NumPy's take with axis). The gradient scatter-adds back
    (repeated indices accumulate).

    Examples
    --------
    >>> import wengert as wg
    >>> wg.index_select(wg.tensor([[1., 2.], [3., 4.]]), 1, wg.tensor([1, 1]))
    tensor([[2., 2.],
            [4., 4.]])
    """
    a = _tensor(input, "index_select")
    idx = np.asarray(value_of(index))
    if idx.dtype.kind not in "iu" or idx.ndim > 1:
        raise TypeError(f"wengert.index_select: index must be a 1-D integer tensor, got "
                        f"dtype {idx.dtype} and shape {idx.shape}")
    # (a Tensor index stays one: take reads it at run time when compiled)
    ix = reshape(index, (-1,)) if isinstance(index, Tensor) else idx.reshape(-1)
    return take(a, ix, axis=_dim(dim, a.ndim, "index_select"))


def movedim(input, source, destination):
    """`input` with the dims `source` moved to the positions `destination` (PyTorch's
    movedim; NumPy's moveaxis). The gradient is moved back.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.movedim(wg.zeros((2, 3, 4)), 0, -1).shape
    (3, 4, 2)
    """
    return moveaxis(_tensor(input, "movedim"), source, destination)
