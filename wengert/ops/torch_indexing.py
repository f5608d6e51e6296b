"""PyTorch's indexing functions without a NumPy namesake (API §10): narrow, index_add,
scatter, masked_select, and nonzero with PyTorch's as_tuple=.

Each differentiable result is a composite of existing ops (getitem, the linear scatter, where,
take), so it inherits their derivatives to every order and in both modes:

    narrow(a, dim, start, n)        a[..., start:start+n, ...]      a view
    index_add(a, dim, idx, src, α)  a + scatter_add(α·src at idx)   ∂/∂a = g, ∂/∂src = α·g[idx]
    scatter(a, dim, idx, src)       where(written, src[winner], a)  ∂/∂a = g off the written
                                                                    places, ∂/∂src = g there
    masked_select(a, mask)          a[mask] (broadcast first)       ∂/∂a scatters g back
"""
import numpy as np

from ..tensor import Tensor, _make
from . import _operands
from ._operands import value_of
from .elementwise import add, multiply, where
from .indexing import _scatter, getitem, take
from .shape import broadcast_to, reshape
from .torch_ops import _dim, _index_tuple, _tensor

__all__ = ["narrow", "index_add", "scatter", "masked_select", "nonzero"]


def _at_least_1d(a, fname):
    if a.ndim == 0:
        raise ValueError(f"wengert.{fname}: the input is 0-d; give it a dimension first "
                         "(reshape(1) or unsqueeze(0))")


def narrow(input, dim, start, length):
    """The `length` entries of `input` along `dim` from `start` on (a view, as a slice is).

    start may be negative (counted from the end) or a 0-d integer tensor. d/d input puts g
    back at those places and zeros elsewhere.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.narrow(wg.arange(12).reshape(3, 4), 1, 1, 2)
    tensor([[ 1,  2],
            [ 5,  6],
            [ 9, 10]])
    """
    a = _tensor(input, "narrow")
    _at_least_1d(a, "narrow")
    d = _dim(dim, a.ndim, "narrow")
    n = a.shape[d]
    start, length = int(start), int(length)     # (of a traced Tensor: guards when compiled)
    if not -n <= start <= n:
        raise IndexError(f"wengert.narrow: start {start} is out of range for dim {d} of size {n}")
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise ValueError(f"wengert.narrow: start {start} + length {length} exceeds dim {d} "
                         f"of size {n}")
    return getitem(a, (slice(None),) * d + (slice(start, start + length),))


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of `input` with alpha·source added along `dim` at the places a 1-D `index`
    names: out[..., index[i], ...] += alpha · source[..., i, ...]; repeats accumulate.

    d out / d input = g; d out / d source = alpha · g at index.

    Parameters
    ----------
    input : Tensor or array_like
    dim : int
    index : 1-D integer Tensor or array, of length source.shape[dim]
    source : Tensor or array_like, input's shape except along dim
    alpha : number, default 1

    Examples
    --------
    >>> import wengert as wg
    >>> wg.index_add(wg.zeros((3, 2)), 0, wg.tensor([0, 2, 0]), wg.ones((3, 2)))
    tensor([[2., 2.],
            [0., 0.],
            [1., 1.]])
    """
    a = _tensor(input, "index_add")
    s = _tensor(source, "index_add")
    idx = np.asarray(_operands.read_values(index, "wg.index_add"))     # (traced: refused)
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise TypeError(f"wengert.index_add: index must be a 1-D integer tensor, got dtype "
                        f"{idx.dtype} and shape {idx.shape}")
    _at_least_1d(a, "index_add")
    nd, a_shape = a.ndim, a.shape
    d = _dim(dim, nd, "index_add")
    idx = idx.reshape(-1)
    want = a_shape[:d] + (idx.size,) + a_shape[d + 1:]
    if s.shape != want:
        raise ValueError(f"wengert.index_add: source must have shape {want} (the input's "
                         f"{tuple(a.shape)} with {idx.size} entries along dim {d}), got "
                         f"{tuple(s.shape)}")
    full = np.broadcast_to(idx.reshape((1,) * d + (-1,) + (1,) * (nd - d - 1)), want)
    ix, _ = _index_tuple("index_add", a_shape, d, full)
    if alpha != 1:
        s = multiply(s, alpha)
    if s.dtype != a.dtype:
        s = s.astype(np.result_type(a.dtype, s.dtype))
    return add(a, _scatter(s, index=ix, x_shape=a_shape))


def scatter(input, dim, index, src=None, *, value=None):
    """A copy of `input` with src's entries (or one number, value=) written along `dim` at
    the places `index` names: `out[index[i][j]][j] = src[i][j]` for dim=0.

    Where `index` names one place more than once, the entry that comes last in index's
    C order is the one written (PyTorch leaves that choice unspecified); only it gets a
    gradient. d out / d input = g off the written places, 0 on them; d out / d src = g at
    the place each written entry went.

    Parameters
    ----------
    input : Tensor or array_like
    dim : int
    index : integer Tensor or array, input's number of dimensions
    src : Tensor or array_like, at least index's shape; or
    value : a number (keyword, or a number given as src)

    Examples
    --------
    >>> import wengert as wg
    >>> wg.scatter(wg.zeros(4), 0, wg.tensor([3, 1]), wg.tensor([5., 6.]))
    tensor([0., 6., 0., 5.])
    """
    a = _tensor(input, "scatter")
    # (the places written are read off the index: a traced one is refused by the door a
    # compiling tracer guards, never held as a constant of the program)
    _operands.read_values(index, "wg.scatter")
    if src is not None and value is not None:
        raise TypeError("wengert.scatter: give src or value=, not both")
    if src is None and value is None:
        raise TypeError("wengert.scatter: give src (a tensor) or value= (a number)")
    if src is not None and np.ndim(value_of(src)) == 0 and not isinstance(src, Tensor):
        src, value = None, src                  # scatter(a, dim, index, 2.5), as PyTorch
    _at_least_1d(a, "scatter")
    shape = a.shape
    if value is not None:
        if np.ndim(value_of(value)) != 0:
            raise ValueError("wengert.scatter: value must be a number or a 0-d tensor; give "
                             "a tensor of entries as src")
        ix, ishape = _index_tuple("scatter", shape, dim, index)
        written = np.zeros(shape, dtype=bool)
        written[ix] = True
        out = where(written, value, a)
        return out if out.dtype == a.dtype else out.astype(a.dtype)
    s = _tensor(src, "scatter")
    if s.ndim != a.ndim:
        raise ValueError(f"wengert.scatter: src has {s.ndim} dimensions but the input has "
                         f"{a.ndim} (shapes {s.shape} and {a.shape}); they must match")
    ix, ishape = _index_tuple("scatter", shape, dim, index, s.shape)
    # For each place of the input, the position in src (flattened) of the entry written there:
    # the largest, so the last in index's C order; -1 where nothing is written.
    positions = np.ravel_multi_index(np.broadcast_arrays(*ix), shape).reshape(-1)
    winner = np.full(int(np.prod(shape)), -1, dtype=np.int64)
    src_pos = np.ravel_multi_index(np.indices(ishape).reshape(len(ishape), -1), s.shape)
    np.maximum.at(winner, positions, src_pos)
    written = (winner >= 0).reshape(a.shape)
    picked = reshape(take(reshape(s, (-1,)), np.where(winner >= 0, winner, 0)), a.shape)
    if picked.dtype != a.dtype:
        picked = picked.astype(np.result_type(a.dtype, picked.dtype))
    return where(written, picked, a)


def masked_select(input, mask):
    """The entries of `input` where the bool `mask` is True, as a 1-D tensor (input and mask
    broadcast together first). d/d input scatters g back to the selected places.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.masked_select(wg.tensor([[1., 2.], [3., 4.]]), wg.tensor([True, False]))
    tensor([1., 3.])
    """
    m = np.asarray(value_of(mask))
    if m.dtype != np.bool_:
        raise TypeError(f"wengert.masked_select: mask must be a bool tensor, got dtype "
                        f"{m.dtype}")
    a = _tensor(input, "masked_select")
    try:
        shape = np.broadcast_shapes(a.shape, m.shape)
    except ValueError:
        raise ValueError(f"wengert.masked_select: the input's shape {tuple(a.shape)} and the "
                         f"mask's {m.shape} do not broadcast together") from None
    if a.shape != shape:
        a = broadcast_to(a, shape)
    if isinstance(mask, Tensor):    # (a compiled program reads the mask on every call)
        return reshape(getitem(a, mask if m.shape == shape else broadcast_to(mask, shape)),
                       (-1,))
    return reshape(getitem(a, np.broadcast_to(m, shape)), (-1,))


def nonzero(input, *, as_tuple=True):
    """Where `input` is nonzero. NumPy's meaning by default (as_tuple=True): a tuple of one
    int64 index tensor per dimension. as_tuple=False gives PyTorch's default instead: one
    (n, ndim) int64 tensor, a row per nonzero entry (NumPy's argwhere).

    Not differentiable (indices). A 0-d input is treated as 1-D, as NumPy and PyTorch do.

    Examples
    --------
    >>> import wengert as wg
    >>> wg.nonzero(wg.tensor([[0, 3], [4, 0]]))
    (tensor([0, 1]), tensor([1, 0]))
    >>> wg.nonzero(wg.tensor([[0, 3], [4, 0]]), as_tuple=False)
    tensor([[0, 1],
            [1, 0]])
    """
    x = np.asarray(_operands.read_values(input, "wg.nonzero"))
    x1 = x.reshape(1) if x.ndim == 0 else x
    if as_tuple:
        return tuple(_make(i.astype(np.int64), None) for i in np.nonzero(x1))
    return _make(np.argwhere(x1).astype(np.int64), None)
