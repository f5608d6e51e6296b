"""Shape ops. The single-input ones are linear and declare their transpose (their VJP; their
JVP is the op itself); concatenate and stack are primitives whose VJP slices g back.
The rest (moveaxis, ravel, split, tile, repeat) are compositions of these
and of indexing, so they inherit rules of every order. (pad is in padding.py.)

Transposes keep any leading batch axes of g (the axes in front of the op's output): they
index from the right (Ellipsis, negative axes) and build shapes as g.shape[:lead] + x_shape.
The forwards, which are also the JVPs, do the same for tangents with leading batch axes:
their parameters are negative axes, or say the input's ndim (`ndim`) so the batch is known.
When such a batched forward is recorded (reverse mode through jacfwd), the recorded x_shape
starts with the batch too: transposes take x's own axes as the last `ndim` (or len(axes))
of it, so both batches pass through.
"""
import math

import numpy as np

from ..tensor import Tensor
from . import _operands as _ops_values
from ._operands import SEQUENCES, holds_tensor, pack
from ._primitive import linear, primitive
from ._shapes import negative_axes, sum_to

__all__ = ["reshape", "transpose", "permute_dims", "swapaxes", "moveaxis", "expand_dims",
           "squeeze", "broadcast_to", "concatenate", "concat", "stack", "split", "flip",
           "tile", "repeat", "ravel"]


def _shape_of(a):
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)


def _batch_shape(g, ndim_out):
    return np.shape(g)[:np.ndim(g) - ndim_out]


def _as_shape(shape, what="shape"):
    if type(shape) is tuple and all(type(s) is int for s in shape):
        return shape
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"{what} must be an int or a sequence of ints, got {shape!r}") from None


def _axis_tuple(axis):
    return (int(axis),) if isinstance(axis, (int, np.integer)) else tuple(int(a) for a in axis)


def _check_unique(axes, what):
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {what}")


# ---- reshape ---------------------------------------------------------------------------------

def _reshape_transpose(g, x_shape, shape, ndim):
    # x_shape may carry batch axes of its own (a batch of tangents reshaped, recorded):
    # the output was x_shape's batch + shape, and g may add a batch in front of that
    out_nd = len(x_shape) - ndim + len(shape)
    return np.reshape(g, _batch_shape(g, out_nd) + tuple(x_shape))


def _reshape_fwd(x, shape, ndim):
    lead = x.ndim - ndim            # x: an array, a NumPy scalar, or a Tensor (a tangent)
    return x.reshape(x.shape[:lead] + shape if lead else shape)


_reshape = linear("reshape", _reshape_fwd, _reshape_transpose)


def _resolve(shape, x_shape):
    """`shape` with its one -1 filled in, or a ValueError naming both shapes."""
    size = math.prod(x_shape)
    if -1 not in shape and math.prod(shape) == size and all(s >= 0 for s in shape):
        return shape
    unknown = [i for i, s in enumerate(shape) if s == -1]
    known = math.prod(s for s in shape if s != -1)
    ok = len(unknown) <= 1 and all(s >= -1 for s in shape)
    if ok and unknown:
        ok = known != 0 and size % known == 0
        if ok:
            shape = shape[:unknown[0]] + (size // known,) + shape[unknown[0] + 1:]
    elif ok:
        ok = known == size
    if not ok:
        raise ValueError(f"cannot reshape a tensor of shape {tuple(x_shape)} (size {size}) "
                         f"into shape {shape}")
    return shape


def _fortran(a):
    d = a.data if isinstance(a, Tensor) else np.asarray(a)
    return d.flags.f_contiguous and not d.flags.c_contiguous


def reshape(a, /, shape=None, order="C", *, newshape=None, copy=None):
    """The same elements in a new shape (read and written in `order`: 'C', 'F', or 'A', which
    is 'F' for Fortran-contiguous data). Linear: the gradient is reshaped back.

    Examples
    --------
    >>> x = wg.arange(6.0, requires_grad=True)
    >>> wg.reshape(x, (2, 3))
    tensor([[0., 1., 2.],
            [3., 4., 5.]], grad_fn=<ReshapeBackward>)
    """
    if shape is None:
        if newshape is None:
            raise TypeError("reshape() needs a shape")
        shape = newshape
    if not isinstance(a, Tensor):
        a = pack(a) if isinstance(a, SEQUENCES) and holds_tensor(a) else np.asarray(a)
    x_shape = a.shape if type(a) is np.ndarray else a.data.shape
    shape = _resolve(_as_shape(shape), x_shape)
    if order == "A":
        order = "F" if _fortran(a) else "C"
    if order == "F":
        # F order is C order on the reversed axes
        rev = transpose(a)
        return transpose(_reshape(rev, shape=shape[::-1], ndim=len(x_shape)))
    if order != "C":
        raise ValueError(f"order must be 'C', 'F' or 'A', got {order!r}")
    return _reshape(a, shape=shape, ndim=len(x_shape))


def ravel(a, order="C"):
    """The elements as a 1-D tensor, in `order` ('C', 'F', 'A' or 'K': memory order). As in
    NumPy, a view of `a` only where its memory is contiguous in that order, else a copy
    (reshape(a, -1) gives a view in more cases).

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.ravel(x)
    tensor([1., 2., 3., 4.])
    >>> wg.grad(lambda x: wg.ravel(x)[1])(x)
    tensor([[0., 1.],
            [0., 0.]])
    """
    if isinstance(a, Tensor) and order in ("C", "F", "A"):
        d = a.data
        f = d.flags
        if not (f.c_contiguous if order == "C" else f.f_contiguous if order == "F"
                else f.c_contiguous or f.f_contiguous):
            from .elementwise import copy
            return copy(reshape(a, (-1,), order=order))
    if order == "K":
        d = a.data if isinstance(a, Tensor) else np.asarray(a)
        if d.ndim > 1 and not d.flags.c_contiguous:
            # the positions NumPy reads, in the order it reads them
            where = np.empty_like(d, dtype=np.intp)
            where[...] = np.arange(d.size, dtype=np.intp).reshape(d.shape)
            from .indexing import getitem
            return getitem(_reshape(a, shape=(d.size,), ndim=d.ndim), (where.ravel(order="K"),))
        order = "C"
    return reshape(a, (-1,), order=order)


# ---- axis permutations -----------------------------------------------------------------------

def _permute_transpose(g, x_shape, axes):
    lead = np.ndim(g) - len(axes)         # every axis in front of the permuted ones
    inverse = [0] * len(axes)
    for i, a in enumerate(axes):
        inverse[a] = i
    return np.transpose(g, tuple(range(lead)) + tuple(lead + i for i in inverse))


def _permute_fwd(x, axes):
    lead = np.ndim(x) - len(axes)
    return np.transpose(x, tuple(range(lead)) + tuple(lead + a for a in axes)) if lead else \
        np.transpose(x, axes)


_permute = linear("permute_dims", _permute_fwd, _permute_transpose, grad_name="Permute")


def permute_dims(a, /, axes=None):
    """Axes reordered (output axis i is input axis axes[i]; reversed when None); the
    gradient is reordered by the inverse permutation. (NumPy's permute_dims is transpose.)

    Examples
    --------
    >>> x = wg.ones((2, 3, 4))
    >>> wg.permute_dims(x, (2, 0, 1)).shape
    (4, 2, 3)
    >>> wg.grad(lambda x: wg.sum(wg.permute_dims(x, (2, 0, 1))))(x).shape
    (2, 3, 4)
    """
    nd = len(_shape_of(a))
    axes = tuple(range(nd - 1, -1, -1)) if axes is None else _axis_tuple(axes)
    if len(axes) != nd:
        raise ValueError(f"axes {axes} don't match a tensor of {nd} dimensions")
    axes = tuple(ax + nd for ax in negative_axes(axes, nd))
    _check_unique(axes, "transpose")
    return _permute(a, axes=axes)


def transpose(a, axes=None):
    """Axes reversed, or permuted by `axes` (see permute_dims).

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0, 3.0]])
    >>> wg.transpose(x).shape
    (3, 1)
    >>> wg.grad(lambda x: wg.sum(wg.transpose(x) * wg.tensor([[1.0], [2.0], [3.0]])))(x)
    tensor([[1., 2., 3.]])
    """
    return permute_dims(a, axes)


def _swap_transpose(g, x_shape, axis1, axis2):
    return np.swapaxes(g, axis1, axis2)


_swapaxes = linear("swapaxes", lambda x, axis1, axis2: np.swapaxes(x, axis1, axis2),
                   _swap_transpose)


def swapaxes(a, axis1, axis2):
    """Two axes exchanged; the transpose exchanges them back.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0]])
    >>> wg.swapaxes(x, 0, 1)
    tensor([[1.],
            [2.]])
    >>> wg.grad(lambda x: wg.sum(wg.swapaxes(x, 0, 1) * wg.tensor([[3.0], [4.0]])))(x)
    tensor([[3., 4.]])
    """
    a1, a2 = negative_axes((axis1, axis2), len(_shape_of(a)))
    return _swapaxes(a, axis1=a1, axis2=a2)


def moveaxis(a, source, destination):
    """Axes `source` moved to positions `destination`, the others kept in order.

    Examples
    --------
    >>> x = wg.ones((2, 3, 4))
    >>> wg.moveaxis(x, 0, -1).shape
    (3, 4, 2)
    >>> wg.grad(lambda x: wg.sum(wg.moveaxis(x, 0, -1)))(x).shape
    (2, 3, 4)
    """
    nd = len(_shape_of(a))
    src = tuple(s + nd for s in negative_axes(_axis_tuple(source), nd))
    dst = tuple(d + nd for d in negative_axes(_axis_tuple(destination), nd))
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         f"elements, got {len(src)} and {len(dst)}")
    _check_unique(src, "source")
    _check_unique(dst, "destination")
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute_dims(a, order)


# ---- adding and removing unit axes, broadcasting -----------------------------------------------

def _expand_transpose(g, x_shape, axis):
    return np.reshape(g, _batch_shape(g, len(x_shape) + len(axis)) + tuple(x_shape))


_expand_dims = linear("expand_dims", lambda x, axis: np.expand_dims(x, axis), _expand_transpose)


def expand_dims(a, axis):
    """New length-1 axes at `axis` (positions in the result); the gradient drops them.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.expand_dims(x, 0)
    tensor([[1., 2.]])
    >>> wg.grad(lambda x: wg.sum(wg.expand_dims(x, 1) * wg.tensor([[3.0], [4.0]])))(x)
    tensor([3., 4.])
    """
    axis = _axis_tuple(axis)
    axis = negative_axes(axis, len(_shape_of(a)) + len(axis))
    _check_unique(axis, "expand_dims")
    return _expand_dims(a, axis=axis)


def _squeeze_transpose(g, x_shape, axis):
    return np.reshape(g, _batch_shape(g, len(x_shape) - len(axis)) + tuple(x_shape))


_squeeze = linear("squeeze", lambda x, axis: np.squeeze(x, axis), _squeeze_transpose)


def squeeze(a, axis=None):
    """Length-1 axes removed (all of them, or those in `axis`); the gradient gets them back."""
    shape = _shape_of(a)
    nd = len(shape)
    if axis is None:
        axis = tuple(i - nd for i, s in enumerate(shape) if s == 1)
    else:
        axis = negative_axes(_axis_tuple(axis), nd)
        for ax in axis:
            if shape[ax] != 1:
                raise ValueError(f"cannot squeeze axis {ax + nd} of a tensor of shape {shape}: "
                                 f"its length is {shape[ax]}, not 1")
        _check_unique(axis, "squeeze")
    return _squeeze(a, axis=axis)


def _broadcast_transpose(g, x_shape, shape, ndim):
    # x's own axes (x_shape may start with batch axes of a recorded batch of tangents)
    return sum_to(g, tuple(x_shape)[len(x_shape) - ndim:], shape)


def _broadcast_fwd(x, shape, ndim):
    lead = _batch_shape(x, ndim)
    if lead:                # a batch of tangents: line x's own axes up with `shape`
        x = np.reshape(x, lead + (1,) * (len(shape) - ndim) + np.shape(x)[len(lead):])
    return np.broadcast_to(x, lead + shape)


_broadcast_to = linear("broadcast_to", _broadcast_fwd, _broadcast_transpose, grad_name="Expand")


def broadcast_to(array, shape, subok=False):
    """Copies along broadcast axes; the gradient is summed back over them.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0], requires_grad=True)
    >>> wg.broadcast_to(x, (3, 2)).sum().backward()
    >>> x.grad                      # summed over the copies
    tensor([3., 3.])
    """
    shape = _as_shape(shape)
    x_shape = _shape_of(array)
    n = len(shape) - len(x_shape)
    if n < 0 or any(s < 0 for s in shape) or any(
            xs != 1 and xs != s for xs, s in zip(x_shape, shape[n:])):
        raise ValueError(f"cannot broadcast a tensor of shape {x_shape} to shape {shape}")
    return _broadcast_to(array, shape=shape, ndim=len(x_shape))


# ---- joining ---------------------------------------------------------------------------------

def _operands(arrays, fname):
    if isinstance(arrays, (Tensor, np.ndarray)):
        arrays = list(arrays)       # NumPy iterates over the first axis
    arrays = [a if isinstance(a, Tensor) else
              pack(a) if isinstance(a, SEQUENCES) and holds_tensor(a) else np.asarray(a)
              for a in arrays]
    if not arrays:
        raise ValueError(f"{fname} needs at least one array")
    return arrays


def _cast(arrays, dtype, casting, fname):
    if dtype is None:
        return arrays
    from .elementwise import astype
    dtype = np.dtype(dtype)
    src = np.result_type(*[a.data if isinstance(a, Tensor) else a for a in arrays])
    if not np.can_cast(src, dtype, casting=casting):
        raise TypeError(f"{fname}: cannot cast {src} to {dtype} with casting rule {casting!r}")
    return [astype(a, dtype) for a in arrays]


def _zeros_for(tangents, shapes):
    """The tangents with absent ones (None) replaced by zeros of the same batch and dtype."""
    k = next(i for i, t in enumerate(tangents) if t is not None)
    ref = tangents[k]
    lead = _batch_shape(ref, len(shapes[k]))
    return [np.zeros(lead + s, dtype=ref.dtype) if t is None else t
            for t, s in zip(tangents, shapes)]


def _without(shape, axis):
    """`shape` without its (negative) `axis`."""
    return shape[:len(shape) + axis] + shape[len(shape) + axis + 1:]


def _concat_vjp(g, needs, axis, shapes):
    """Each input gets its own slice of g along `axis`."""
    out = []
    start = 0
    tail = (slice(None),) * (-1 - axis)
    for need, s in zip(needs, shapes):
        n = s[axis]
        out.append(g[(Ellipsis, slice(start, start + n)) + tail] if need else None)
        start += n
    return tuple(out)


def _concat_jvp(tangents, axis, shapes):
    return np.concatenate(_zeros_for(tangents, shapes), axis=axis)


_concatenate = primitive("concatenate", lambda *xs, axis, shapes: np.concatenate(xs, axis=axis),
                         _concat_vjp, _concat_jvp, save=(), grad_name="Cat")


def concatenate(arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """The arrays joined along an existing axis (flattened first when axis is None).
    ∂/∂arrays[i] is the slice of g that arrays[i] became.

    Examples
    --------
    >>> a = wg.tensor([1.0], requires_grad=True)
    >>> b = wg.tensor([2.0, 3.0], requires_grad=True)
    >>> (wg.concatenate([a, b]) * wg.tensor([1.0, 2.0, 3.0])).sum().backward()
    >>> a.grad, b.grad
    (tensor([1.]), tensor([2., 3.]))
    """
    if out is not None:
        raise TypeError("wengert.concatenate does not support out=; use the returned tensor")
    arrays = _cast(_operands(arrays, "concatenate"), dtype, casting, "concatenate")
    if axis is None:
        arrays = [reshape(a, (-1,)) for a in arrays]
        axis = 0
    shapes = [tuple(_shape_of(a)) for a in arrays]
    nd = len(shapes[0])
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    ax = negative_axes(axis, nd)[0]
    for s in shapes[1:]:
        if len(s) != nd or _without(s, ax) != _without(shapes[0], ax):
            raise ValueError(f"concatenate: all input shapes must match except along axis "
                             f"{nd + ax}; got shapes {shapes[0]} and {s}")
    return _concatenate(*arrays, axis=ax, shapes=tuple(shapes))


concat = concatenate


def _stack_vjp(g, needs, axis, shapes):
    """Input i gets g at position i of the new axis."""
    tail = (slice(None),) * (-1 - axis)
    return tuple(g[(Ellipsis, i) + tail] if need else None for i, need in enumerate(needs))


def _stack_jvp(tangents, axis, shapes):
    return np.stack(_zeros_for(tangents, shapes), axis=axis)


_stack = primitive("stack", lambda *xs, axis, shapes: np.stack(xs, axis=axis), _stack_vjp,
                   _stack_jvp, save=())


def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """The arrays (all of one shape) joined along a new axis. ∂/∂arrays[i] = g[..., i, ...].

    Examples
    --------
    >>> a = wg.tensor([1.0, 2.0])
    >>> wg.stack([a, 2 * a])
    tensor([[1., 2.],
            [2., 4.]])
    >>> wg.stack([a, a], axis=1).shape
    (2, 2)
    """
    if out is not None:
        raise TypeError("wengert.stack does not support out=; use the returned tensor")
    arrays = _cast(_operands(arrays, "stack"), dtype, casting, "stack")
    shapes = [tuple(_shape_of(a)) for a in arrays]
    for s in shapes[1:]:
        if s != shapes[0]:
            raise ValueError(f"stack: all input arrays must have the same shape; got shapes "
                             f"{shapes[0]} and {s}")
    ax = negative_axes(axis, len(shapes[0]) + 1)[0]
    return _stack(*arrays, axis=ax, shapes=tuple(shapes))


def split(ary, indices_or_sections, axis=0):
    """A list of sub-tensors: `indices_or_sections` equal parts, or cut before each index.
    Each part is a slice of `ary`, so each part's gradient lands back in its place."""
    from .indexing import getitem
    shape = _shape_of(ary)
    nd = len(shape)
    ax = negative_axes(axis, nd)[0] + nd
    n = shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError("number sections must be larger than 0.")
        if n % k:
            raise ValueError(f"array split does not result in an equal division: an axis of "
                             f"length {n} into {k} sections")
        cuts = [i * (n // k) for i in range(1, k)]
    else:
        cuts = [int(c) for c in np.asarray(
            indices_or_sections.data if isinstance(indices_or_sections, Tensor)
            else indices_or_sections).reshape(-1)]
    bounds = [0] + cuts + [n]
    head = (slice(None),) * ax
    return [getitem(ary, head + (slice(lo, hi),)) for lo, hi in zip(bounds[:-1], bounds[1:])]


# ---- reordering and repeating ----------------------------------------------------------------

_flip = linear("flip", lambda x, axis: np.flip(x, axis),
               lambda g, x_shape, axis: np.flip(g, axis))


def flip(m, axis=None):
    """The order of elements reversed along `axis` (all axes when None); so is the gradient.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.flip(x)
    tensor([3., 2., 1.])
    >>> wg.grad(lambda x: wg.sum(wg.flip(x) * wg.tensor([1.0, 2.0, 3.0])))(x)
    tensor([3., 2., 1.])
    """
    nd = len(_shape_of(m))
    axis = negative_axes(None if axis is None else _axis_tuple(axis), nd)
    _check_unique(axis, "flip")
    return _flip(m, axis=axis)


def tile(A, reps):
    """A repeated reps[i] times along axis i (np.tile). Built as reshape → broadcast →
    reshape, so the gradient is the sum over the copies.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.tile(x, 3)
    tensor([1., 2., 1., 2., 1., 2.])
    >>> wg.grad(lambda x: wg.sum(wg.tile(x, 3)))(x)
    tensor([3., 3.])
    """
    reps = _as_shape(reps, "reps")
    shape = _shape_of(A)
    d = max(len(reps), len(shape))
    shape = (1,) * (d - len(shape)) + tuple(shape)
    reps = (1,) * (d - len(reps)) + reps
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be non-negative, got {reps}")
    spread = tuple(v for s in shape for v in (1, s))
    copies = tuple(v for s, r in zip(shape, reps) for v in (r, s))
    x = broadcast_to(reshape(A, spread), copies)
    return reshape(x, tuple(s * r for s, r in zip(shape, reps)))


def repeat(a, repeats, axis=None):
    """Each element repeated `repeats` times (an int, or one count per element) along `axis`
    (the flattened array when None). ∂/∂a sums the gradient over each element's copies.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0], requires_grad=True)
    >>> wg.repeat(x, 3)
    tensor([1., 1., 1., 2., 2., 2.], grad_fn=<ReshapeBackward>)
    >>> wg.repeat(x, 3).sum().backward()
    >>> x.grad
    tensor([3., 3.])
    """
    if axis is None:
        a = reshape(a, (-1,))
        axis = 0
    shape = _shape_of(a)
    nd = len(shape)
    ax = negative_axes(axis, nd)[0] + nd
    # (counts make the shape: a traced count is refused by the door a compiling tracer guards)
    r = np.asarray(_ops_values.read_values(repeats, "wg.repeat"))
    if r.dtype.kind not in "iu":
        if r.dtype.kind == "b" or r.size and not np.array_equal(r, np.floor(r)):
            raise TypeError(f"repeats must be integers, got {r.dtype}")
        r = r.astype(np.intp)
    if r.size == 1:
        n = int(r.reshape(()))
        if n < 0:
            raise ValueError(f"repeat: negative repeat count {n}")
        x = expand_dims(a, ax + 1)
        x = broadcast_to(x, shape[:ax + 1] + (n,) + shape[ax + 1:])
        return reshape(x, shape[:ax] + (shape[ax] * n,) + shape[ax + 1:])
    if r.ndim != 1 or r.shape[0] != shape[ax]:
        raise ValueError(f"repeat: {r.shape} repeat counts for an axis of length {shape[ax]}")
    if (r < 0).any():
        raise ValueError("repeat: negative repeat counts")
    from .indexing import take
    return take(a, np.repeat(np.arange(shape[ax], dtype=np.intp), r), axis=ax)
