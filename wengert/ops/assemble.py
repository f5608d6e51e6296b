"""Stacking, splitting and editing along an axis: hstack vstack row_stack dstack column_stack
atleast_1d atleast_2d atleast_3d block broadcast_arrays meshgrid array_split hsplit vsplit
dsplit unstack append insert delete.

Every one is a composite of reshape, broadcast_to, concatenate, slicing and gathers, so it
inherits their rules of every order and registers no primitive. All are linear in their
array arguments: a piece's gradient is the part of g that the piece became (summed over the
copies where broadcasting or `insert` repeat it).

insert and delete are gathers: NumPy's own insert/delete is run once on integer codes
(position k of the input holds code k; the inserted values get codes after them), which
gives, for every output position, the input element it copies, with NumPy's semantics for
every form of `obj` and `values`. The output is then a take at those positions.
"""
import numpy as np

from ..tensor import Tensor, _make
from ._operands import as_input, as_tensor, shape_of
from ._shapes import negative_axes
from .elementwise import astype
from .indexing import getitem, take
from .shape import broadcast_to, concatenate, reshape, split

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack",
           "dstack", "column_stack", "block", "broadcast_arrays", "meshgrid", "array_split",
           "hsplit", "vsplit", "dsplit", "unstack", "append", "insert", "delete"]




def _sequence(tup, fname):
    if isinstance(tup, (Tensor, np.ndarray)):
        return list(tup)
    if not isinstance(tup, (list, tuple)):
        raise TypeError(f"{fname} takes a sequence of arrays (a list or tuple), got "
                        f"{type(tup).__name__}")
    return list(tup)


# ---- at least n dimensions -------------------------------------------------------------------

def _at_least(arys, fit):
    out = []
    for a in arys:
        a = as_input(a)
        shape = shape_of(a)
        new = fit(shape)
        out.append(as_tensor(a) if new == shape else reshape(a, new))
    return out[0] if len(out) == 1 else tuple(out)


def atleast_1d(*arys):
    """Each input with at least one axis (a 0-d input becomes shape (1,)); one input gives
    one tensor, several a tuple. Reshapes only: the gradient is reshaped back.

    Examples
    --------
    >>> x = wg.tensor(2.0)
    >>> wg.atleast_1d(x)
    tensor([2.])
    >>> wg.grad(lambda x: wg.sum(wg.atleast_1d(x) * 3.0))(x)
    tensor(3.)
    """
    return _at_least(arys, lambda s: s if len(s) >= 1 else (1,))


def atleast_2d(*arys):
    """Each input with at least two axes: () → (1, 1), (n,) → (1, n).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.atleast_2d(x)
    tensor([[1., 2.]])
    >>> wg.grad(lambda x: wg.sum(wg.atleast_2d(x)))(x)
    tensor([1., 1.])
    """
    return _at_least(arys, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s)


def atleast_3d(*arys):
    """Each input with at least three axes: () → (1, 1, 1), (n,) → (1, n, 1),
    (m, n) → (m, n, 1).

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0]])
    >>> wg.atleast_3d(x).shape
    (1, 2, 1)
    >>> wg.grad(lambda x: wg.sum(wg.atleast_3d(x)))(x)
    tensor([[1., 1.]])
    """
    def fit(s):
        return {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}.get(len(s), s)
    return _at_least(arys, fit)


def _tuple(x):
    return x if isinstance(x, tuple) else (x,)


# ---- stacking --------------------------------------------------------------------------------

def hstack(tup, *, dtype=None, casting="same_kind"):
    """The inputs joined column-wise: along axis 1, or axis 0 for 1-D inputs (np.hstack).

    Examples
    --------
    >>> wg.hstack([wg.tensor([1.0]), wg.tensor([2.0, 3.0])])
    tensor([1., 2., 3.])
    """
    arrs = _tuple(atleast_1d(*_sequence(tup, "hstack")))
    axis = 0 if arrs and arrs[0].ndim == 1 else 1
    return concatenate(arrs, axis=axis, dtype=dtype, casting=casting)


def vstack(tup, *, dtype=None, casting="same_kind"):
    """The inputs (1-D ones as rows) joined along axis 0 (np.vstack).

    Examples
    --------
    >>> wg.vstack([wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0])])
    tensor([[1., 2.],
            [3., 4.]])
    """
    arrs = _tuple(atleast_2d(*_sequence(tup, "vstack")))
    return concatenate(arrs, axis=0, dtype=dtype, casting=casting)


row_stack = vstack


def dstack(tup):
    """The inputs joined along axis 2, after atleast_3d (np.dstack).

    Examples
    --------
    >>> a, b = wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0])
    >>> wg.dstack([a, b]).shape
    (1, 2, 2)
    >>> wg.grad(lambda a: wg.sum(wg.dstack([a, b]) ** 2))(a)
    tensor([2., 4.])
    """
    arrs = _tuple(atleast_3d(*_sequence(tup, "dstack")))
    return concatenate(arrs, axis=2)


def column_stack(tup):
    """1-D inputs as columns, 2-D ones as they are, joined along axis 1 (np.column_stack).

    Examples
    --------
    >>> a, b = wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0])
    >>> wg.column_stack([a, b])
    tensor([[1., 3.],
            [2., 4.]])
    >>> wg.grad(lambda a: wg.sum(wg.column_stack([a, b]) ** 2))(a)
    tensor([2., 4.])
    """
    arrs = []
    for v in _sequence(tup, "column_stack"):
        v = as_input(v)
        s = shape_of(v)
        if len(s) < 2:
            v = reshape(v, (-1, 1) if s else (1, 1))
        arrs.append(v)
    return concatenate(arrs, axis=1)


def _block_depths(x, path):
    """(list depth, largest leaf ndim) of a block layout, checked as NumPy checks it."""
    if type(x) is tuple:
        raise TypeError(f"{_path(path)} is a tuple. Only lists can be used to arrange blocks, "
                        f"and np.block does not allow implicit conversion from tuple to "
                        f"ndarray.")
    if type(x) is list:
        if not x:
            raise ValueError(f"List at {_path(path)} cannot be empty")
        inner = [_block_depths(e, path + [i]) for i, e in enumerate(x)]
        depths = {d for d, _ in inner}
        if len(depths) > 1:
            raise ValueError(f"List depths are mismatched inside the list at {_path(path)}: "
                             f"depths {sorted(depths)} found")
        return inner[0][0] + 1, max(n for _, n in inner)
    return 0, len(shape_of(x))


def _path(path):
    return "arrays" + "".join(f"[{i}]" for i in path)


def _block(x, depth, nd):
    if type(x) is list:
        return concatenate([_block(e, depth - 1, nd) for e in x], axis=-depth)
    x = as_input(x)
    s = shape_of(x)
    return reshape(x, (1,) * (nd - len(s)) + s) if len(s) < nd else x


def block(arrays):
    """An array assembled from nested lists of blocks (np.block): the innermost lists are
    joined along the last axis, the next ones along the one before, and so on; blocks with
    fewer axes get leading unit axes. Concatenations only: linear, each block's gradient is
    its part of g.

    Examples
    --------
    >>> a, b = wg.tensor([[1.0, 2.0]]), wg.tensor([[3.0]])
    >>> wg.block([a, b])
    tensor([[1., 2., 3.]])
    >>> wg.grad(lambda a: wg.sum(wg.block([a, b]) ** 2))(a)
    tensor([[2., 4.]])
    """
    depth, leaf_nd = _block_depths(arrays, [])
    nd = max(depth, leaf_nd)
    if depth == 0:
        return as_tensor(as_input(arrays))
    return _block(arrays, depth, nd)


def broadcast_arrays(*args, subok=False):
    """The inputs broadcast against each other (np.broadcast_arrays), as a tuple. The gradient
    of each is g summed over the axes it was broadcast along.

    Examples
    --------
    >>> a, b = wg.tensor([[1.0], [2.0]]), wg.tensor([3.0, 4.0, 5.0])
    >>> [t.shape for t in wg.broadcast_arrays(a, b)]
    [(2, 3), (2, 3)]
    >>> wg.grad(lambda a: wg.sum(wg.broadcast_arrays(a, b)[0]))(a)
    tensor([[3.],
            [3.]])
    """
    args = [as_input(a) for a in args]  # type: ignore[assignment]
    shape = np.broadcast_shapes(*(shape_of(a) for a in args))
    return tuple(as_tensor(a) if shape_of(a) == shape else broadcast_to(a, shape) for a in args)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from coordinate vectors (np.meshgrid): 'xy' (Cartesian: the first two
    axes swapped) or 'ij' (matrix) indexing; sparse=True keeps unit axes instead of
    broadcasting. A tuple, as NumPy 2. ∂/∂xi[k] sums g of output k over the other axes.

    Examples
    --------
    >>> X, Y = wg.meshgrid(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0, 5.0]))
    >>> X.shape, Y.shape
    ((3, 2), (3, 2))
    """
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    n = len(xi)
    ones = (1,) * n
    shapes = [ones[:i] + (-1,) + ones[i + 1:] for i in range(n)]
    if indexing == "xy" and n > 1:
        shapes[0] = (1, -1) + ones[2:]
        shapes[1] = (-1, 1) + ones[2:]
    out = [reshape(as_input(x), s) for x, s in zip(xi, shapes)]
    if not sparse:
        out = broadcast_arrays(*out)
    return tuple(out)


# ---- splitting -------------------------------------------------------------------------------

def array_split(ary, indices_or_sections, axis=0):
    """A list of sub-tensors along `axis` (np.array_split): `indices_or_sections` parts of
    nearly equal length (the first ones one longer), or cuts before the given indices.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    >>> wg.array_split(x, 2)
    [tensor([1., 2., 3.]), tensor([4., 5.])]
    >>> wg.grad(lambda x: wg.sum(wg.array_split(x, 2)[0]))(x)
    tensor([1., 1., 1., 0., 0.])
    """
    ary = as_input(ary)
    shape = shape_of(ary)
    nd = len(shape)
    ax = negative_axes(int(axis), nd)[0] + nd
    total = shape[ax]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.data
    try:
        cuts = [int(i) for i in ios]
        points = [0] + cuts + [total]
    except TypeError:
        k = int(ios)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(total, k)
        sizes = [0] + extras * [each + 1] + (k - extras) * [each]
        points = np.cumsum(sizes).tolist()
    head = (slice(None),) * ax
    return [getitem(ary, head + (slice(lo, hi),)) for lo, hi in zip(points[:-1], points[1:])]


def hsplit(ary, indices_or_sections):
    """split along axis 1 (axis 0 for 1-D input), as np.hsplit.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.hsplit(x, 2)[0]
    tensor([[1.],
            [3.]])
    >>> wg.grad(lambda x: wg.sum(wg.hsplit(x, 2)[0]))(x)
    tensor([[1., 0.],
            [1., 0.]])
    """
    nd = len(shape_of(ary))
    if nd == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, axis=1 if nd > 1 else 0)


def vsplit(ary, indices_or_sections):
    """split along axis 0 of an input with at least two axes (np.vsplit).

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.vsplit(x, 2)[0]
    tensor([[1., 2.]])
    >>> wg.grad(lambda x: wg.sum(wg.vsplit(x, 2)[0]))(x)
    tensor([[1., 1.],
            [0., 0.]])
    """
    if len(shape_of(ary)) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary, indices_or_sections):
    """split along axis 2 of an input with at least three axes (np.dsplit).

    Examples
    --------
    >>> x = wg.ones((1, 1, 4))
    >>> [t.shape for t in wg.dsplit(x, 2)]
    [(1, 1, 2), (1, 1, 2)]
    >>> wg.grad(lambda x: wg.sum(wg.dsplit(x, 2)[1]))(x)
    tensor([[[0., 0., 1., 1.]]])
    """
    if len(shape_of(ary)) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, axis=2)


def unstack(x, /, *, axis=0):
    """The slices of x along `axis`, as a tuple (np.unstack): x[..., i, ...] for each i.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.unstack(x)
    (tensor([1., 2.]), tensor([3., 4.]))
    >>> wg.grad(lambda x: wg.sum(wg.unstack(x)[1]))(x)
    tensor([[0., 0.],
            [1., 1.]])
    """
    x = as_input(x)
    shape = shape_of(x)
    if not shape:
        raise ValueError("Input array must be at least 1-d.")
    ax = negative_axes(int(axis), len(shape))[0] + len(shape)
    head = (slice(None),) * ax
    return tuple(getitem(x, head + (i,)) for i in range(shape[ax]))


# ---- editing: append, insert, delete ---------------------------------------------------------

def append(arr, values, axis=None):
    """`values` joined after `arr` along `axis` (both flattened when axis is None).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.append(x, [3.0])
    tensor([1., 2., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.append(x, [3.0]) ** 2))(x)
    tensor([2., 4.])
    """
    arr = as_input(arr)
    values = as_input(values)
    if axis is None:
        if len(shape_of(arr)) != 1:
            arr = reshape(arr, (-1,))
        values = reshape(values, (-1,))
        axis = len(shape_of(arr)) - 1
    return concatenate([arr, values], axis=axis)


def _flat_positions(shape, start=0):
    return np.arange(start, start + int(np.prod(shape)), dtype=np.intp).reshape(shape)


def insert(arr, obj, values, axis=None):
    """`values` inserted before the indices `obj` along `axis` (the flattened array when
    None), as np.insert: the values are cast to arr's dtype and broadcast as NumPy does.
    A gather (see the module docstring): ∂/∂arr is g at arr's places, ∂/∂values sums g over
    the places each value was copied to.

    Examples
    --------
    >>> x, v = wg.tensor([1.0, 2.0]), wg.tensor(9.0)
    >>> wg.insert(x, [0, 2], v)
    tensor([9., 1., 2., 9.])
    >>> wg.grad(lambda v: wg.sum(wg.insert(x, [0, 2], v)))(v)
    tensor(2.)
    """
    arr = as_input(arr)
    values = as_input(values)
    obj = obj.data if isinstance(obj, Tensor) else obj
    a = arr.data if isinstance(arr, Tensor) else arr
    v = values.data if isinstance(values, Tensor) else values
    if a.dtype.kind not in "fc" or not (isinstance(arr, Tensor) or isinstance(values, Tensor)):
        return _make(np.insert(a, obj, v, axis=axis), None)
    code = np.insert(_flat_positions(a.shape), obj, _flat_positions(np.shape(v), a.size), axis=axis)
    flat = concatenate([reshape(arr, (-1,)), reshape(astype(values, a.dtype), (-1,))])
    return take(flat, code)


def delete(arr, obj, axis=None):
    """arr without the sub-arrays at `obj` along `axis` (the flattened array when None), as
    np.delete. A gather: ∂/∂arr is g at the kept places, 0 at the deleted ones.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.delete(x, 1)
    tensor([1., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.delete(x, 1)))(x)
    tensor([1., 0., 1.])
    """
    arr = as_input(arr)
    obj = obj.data if isinstance(obj, Tensor) else obj
    a = arr.data if isinstance(arr, Tensor) else arr
    if not isinstance(arr, Tensor):
        return _make(np.delete(a, obj, axis=axis), None)
    return take(arr, np.delete(_flat_positions(a.shape), obj, axis=axis))

