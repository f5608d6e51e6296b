"""Rearranging elements: roll rollaxis rot90 flipud fliplr matrix_transpose resize trim_zeros
select choose compress extract partition (argpartition, a query).

All are composites of slicing, concatenate, flip, transpose, gathers and `where`, so they
inherit rules of every order and register no primitive:

* roll: two slices joined in the other order, per axis; its transpose is the opposite roll.
* rollaxis, rot90, flipud, fliplr, matrix_transpose: axis permutations and flips.
* resize: the flattened input repeated cyclically; ∂/∂a sums g over each element's copies.
* trim_zeros, compress, extract: slices or gathers chosen from the values (the choice is
  piecewise constant, so its own derivative is 0).
* select, choose: where-chains and gathers: g flows to the chosen entry only.
* partition: a gather by argpartition; g goes back to the element that landed at each place
  (among equal values, the one NumPy's argpartition chose).
"""
from typing import Any

import numpy as np

from ..tensor import Tensor, _make
from . import _operands
from ._operands import as_input, as_tensor, shape_of, value_of
from ._shapes import negative_axes
from .elementwise import astype, where
from .indexing import getitem, take, take_along_axis
from .shape import broadcast_to, concatenate, flip, permute_dims, reshape, stack, swapaxes
from .value_fns import value_result

__all__ = ["roll", "rollaxis", "rot90", "flipud", "fliplr", "matrix_transpose", "resize",
           "trim_zeros", "select", "choose", "compress", "extract", "partition",
           "argpartition"]




# ---- rolls, rotations, flips -----------------------------------------------------------------

def roll(a, shift, axis=None):
    """Elements shifted by `shift` places along `axis` (all axes flattened when None), those
    leaving at one end coming back at the other (np.roll). shift and axis may be tuples
    (broadcast against each other; shifts on one axis add up). Linear: ∂/∂a is g rolled by
    −shift.

    Examples
    --------
    >>> wg.roll(wg.tensor([1.0, 2.0, 3.0]), 1)
    tensor([3., 1., 2.])
    """
    a = as_input(a)
    shape = shape_of(a)
    if axis is None:
        return reshape(roll(reshape(a, (-1,)), shift, 0), shape)
    nd = len(shape)
    b = np.broadcast(value_of(shift) if isinstance(shift, Tensor) else shift, axis)
    if b.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    shifts: dict = {}
    for sh, ax in b:
        ax = negative_axes(int(ax), nd)[0] + nd
        shifts[ax] = shifts.get(ax, 0) + int(sh)
    out = a
    for ax, sh in shifts.items():
        n = shape[ax]
        offset = -sh % n if n else 0
        if offset:
            head = (slice(None),) * ax
            out = concatenate([getitem(out, head + (slice(offset, None),)),
                               getitem(out, head + (slice(None, offset),))], axis=ax)
    return as_tensor(out) if out is a else out


def rollaxis(a, axis, start=0):
    """Axis `axis` moved to before position `start` (np.rollaxis; prefer moveaxis).

    Examples
    --------
    >>> x = wg.ones((2, 3, 4))
    >>> wg.rollaxis(x, 2).shape
    (4, 2, 3)
    >>> wg.grad(lambda x: wg.sum(wg.rollaxis(x, 2)))(x).shape
    (2, 3, 4)
    """
    n = len(shape_of(a))
    axis = negative_axes(int(axis), n)[0] + n
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(
            f"'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in")
    if axis < start:
        start -= 1
    if axis == start:
        return getitem(as_input(a), (Ellipsis,))
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return permute_dims(a, axes)


def rot90(m, k=1, axes=(0, 1)):
    """m rotated by 90° k times in the plane of `axes`, from the first axis towards the
    second (np.rot90). Flips and a transpose: the gradient is rotated back.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.rot90(x)
    tensor([[2., 4.],
            [1., 3.]])
    >>> wg.grad(lambda x: wg.rot90(x)[0, 0])(x)
    tensor([[0., 1.],
            [0., 0.]])
    """
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    m = as_input(m)
    nd = len(shape_of(m))
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == nd:
        raise ValueError("Axes must be different.")
    if not (-nd <= axes[0] < nd and -nd <= axes[1] < nd):
        raise ValueError(f"Axes={axes} out of range for array of ndim={nd}.")
    k %= 4
    if k == 0:
        return getitem(m, (Ellipsis,))
    if k == 2:
        return flip(flip(m, axes[0]), axes[1])
    perm = list(range(nd))
    perm[axes[0]], perm[axes[1]] = perm[axes[1]], perm[axes[0]]
    if k == 1:
        return permute_dims(flip(m, axes[1]), perm)
    return flip(permute_dims(m, perm), axes[1])


def flipud(m):
    """m with the order of its rows (axis 0) reversed.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.flipud(x)
    tensor([[3., 4.],
            [1., 2.]])
    >>> wg.grad(lambda x: wg.flipud(x)[0, 0])(x)
    tensor([[0., 0.],
            [1., 0.]])
    """
    if len(shape_of(m)) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def fliplr(m):
    """m with the order of its columns (axis 1) reversed.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.fliplr(x)
    tensor([[2., 1.],
            [4., 3.]])
    >>> wg.grad(lambda x: wg.fliplr(x)[0, 0])(x)
    tensor([[0., 1.],
            [0., 0.]])
    """
    if len(shape_of(m)) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def matrix_transpose(x, /):
    """The last two axes swapped (np.matrix_transpose, the Array API's x.mT).

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.matrix_transpose(x)
    tensor([[1., 3.],
            [2., 4.]])
    >>> wg.grad(lambda x: wg.matrix_transpose(x)[0, 1])(x)
    tensor([[0., 0.],
            [1., 0.]])
    """
    nd = len(shape_of(x))
    if nd < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is {nd}")
    return swapaxes(x, -1, -2)


# ---- resizing and trimming -------------------------------------------------------------------

def resize(a, new_shape):
    """An array of `new_shape` filled with a's flattened elements, repeated cyclically
    (np.resize; zeros when a or the result is empty). ∂/∂a sums g over each element's
    copies.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.resize(x, 3)
    tensor([1., 2., 1.])
    >>> wg.grad(lambda x: wg.sum(wg.resize(x, 3)))(x)
    tensor([2., 1.])
    """
    if isinstance(new_shape, (int, np.integer)):
        new_shape = (int(new_shape),)
    new_shape = tuple(int(s) for s in new_shape)
    if any(s < 0 for s in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    a = reshape(as_input(a), (-1,))
    size = int(np.prod(new_shape))
    n = shape_of(a)[0]
    if n == 0 or size == 0:
        return _make(np.zeros(new_shape, dtype=a.dtype), None)
    copies = -(-size // n)
    flat = concatenate([a] * copies) if copies > 1 else a
    return reshape(getitem(flat, (slice(None, size),)), new_shape)


def trim_zeros(filt, trim="fb", axis=None):
    """filt without its leading ('f') and/or trailing ('b') zeros: along every axis (the
    smallest box holding every nonzero) or along `axis` only (np.trim_zeros). A slice: g goes
    back to the kept part.

    Examples
    --------
    >>> x = wg.tensor([0.0, 1.0, 2.0, 0.0])
    >>> wg.trim_zeros(x)
    tensor([1., 2.])
    >>> wg.grad(lambda x: wg.sum(wg.trim_zeros(x) ** 2))(x)
    tensor([0., 2., 4., 0.])
    """
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    filt = as_input(filt)
    d = _operands.read_values(filt, "wg.trim_zeros")
    nd = np.ndim(d)
    axes = range(nd) if axis is None else [
        a + nd for a in negative_axes(axis if not isinstance(axis, (int, np.integer))
                                      else int(axis), nd)]
    nonzero = np.argwhere(d)
    start: Any
    stop: Any
    if nonzero.size == 0:
        start = stop = np.zeros(nd, dtype=np.intp)
    else:
        start = nonzero.min(axis=0) if "f" in trim else (None,) * nd
        stop = nonzero.max(axis=0) + 1 if "b" in trim else (None,) * nd
    index = tuple(slice(None if start[k] is None else int(start[k]),
                        None if stop[k] is None else int(stop[k])) if k in axes
                  else slice(None) for k in range(nd))
    return getitem(filt, index)


# ---- choosing --------------------------------------------------------------------------------

def _scalar_or_array(v):
    return v if type(v) in (int, float, complex) else np.asarray(value_of(v))


def select(condlist, choicelist, default=0):
    """The entry of the first choice whose condition holds, `default` where none does
    (np.select). A chain of where: g flows to the chosen entry only.

    Examples
    --------
    >>> x = wg.tensor([-1.0, 2.0, 5.0])
    >>> wg.select([x < 0, x < 3], [-x, x ** 2], default=0.0)
    tensor([1., 4., 0.])
    >>> wg.grad(lambda x: wg.sum(wg.select([x < 0, x < 3], [-x, x ** 2])))(x)
    tensor([-1.,  4.,  0.])
    """
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    try:
        dtype = np.result_type(*[_scalar_or_array(c) for c in choicelist],
                               _scalar_or_array(default))
    except TypeError as e:
        raise TypeError(f"Choicelist and default value do not have a common dtype: {e}") \
            from None
    condlist = list(condlist)
    conds = [np.asarray(value_of(c)) for c in condlist]
    for i, c in enumerate(conds):
        if c.dtype.type is not np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    out = as_input(default)
    for cond, choice in zip(condlist[::-1], list(choicelist)[::-1]):
        # (a Tensor condition stays one: a compiled program computes it on every call)
        out = where(cond if isinstance(cond, Tensor) else np.asarray(cond), as_input(choice),
                    out)
    shape = np.broadcast_shapes(*(c.shape for c in conds), *(np.shape(value_of(c))
                                                            for c in choicelist))
    out = as_tensor(out)
    if out.shape != np.broadcast_shapes(shape, out.shape):
        out = broadcast_to(out, np.broadcast_shapes(shape, out.shape))
    return out if out.dtype == dtype else astype(out, dtype)


def choose(a, choices, out=None, mode="raise"):
    """`choices[a[i]][i]` for each position i, everything broadcast together (np.choose);
    mode 'raise', 'wrap' or 'clip' for indices outside [0, n). A gather: g flows to the
    chosen entry.

    Examples
    --------
    >>> a, b = wg.tensor([1.0, 2.0]), wg.tensor([10.0, 20.0])
    >>> wg.choose([1, 0], [a, b])
    tensor([10.,  2.])
    >>> wg.grad(lambda a: wg.sum(wg.choose([1, 0], [a, b])))(a)
    tensor([0., 1.])
    """
    if out is not None:
        raise TypeError("wengert.choose does not support out=; use the returned tensor")
    idx = np.asarray(_operands.read_values(a, "wg.choose"))    # (a traced one: refused)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"choose: the index array must be of integer type, got {idx.dtype}")
    choices = [as_input(c) for c in (list(choices) if isinstance(choices, (Tensor, np.ndarray))
                                   else choices)]
    n = len(choices)
    if mode == "wrap":
        idx = np.mod(idx, n)
    elif mode == "clip":
        idx = np.clip(idx, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap', got {mode!r}")
    elif idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError("invalid entry in choice array")
    shape = np.broadcast_shapes(idx.shape, *(shape_of(c) for c in choices))
    dtype = np.result_type(*[value_of(c) for c in choices])
    parts = [broadcast_to(astype(c, dtype) if np.result_type(value_of(c)) != dtype else c, shape)
             for c in choices]
    stacked = stack(parts)
    pick = np.broadcast_to(idx, shape)[None]
    return reshape(take_along_axis(stacked, pick, axis=0), shape)


def compress(condition, a, axis=None, out=None):
    """The slices of a along `axis` (the flattened array when None) where the 1-D
    `condition` holds (np.compress). A gather: g goes back to the kept slices.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.compress([True, False, True], x)
    tensor([1., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.compress([True, False, True], x)))(x)
    tensor([1., 0., 1.])
    """
    if out is not None:
        raise TypeError("wengert.compress does not support out=; use the returned tensor")
    c = np.asarray(value_of(condition))
    if c.ndim != 1:
        raise ValueError("condition must be a 1-d array")
    a = as_input(a)
    if isinstance(condition, Tensor):
        if axis is None:
            a, axis = reshape(a, (-1,)), 0
        nd = np.ndim(value_of(a))
        ax = negative_axes(axis, nd)[0] + nd
        if np.shape(value_of(a))[ax] == c.shape[0]:     # (a mask: a compiled program reads it)
            return getitem(a, (slice(None),) * ax + (_mask(condition, c),))
    return take(a, np.nonzero(c)[0], axis=axis)


def extract(condition, arr):
    """The elements of arr where `condition` (of arr's size) is nonzero, flattened
    (np.extract). A gather: g goes back to the chosen elements.

    Examples
    --------
    >>> x = wg.tensor([1.0, -2.0, 3.0])
    >>> wg.extract(x > 0, x)
    tensor([1., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.extract(x > 0, x)))(x)
    tensor([1., 0., 1.])
    """
    c = np.asarray(value_of(condition)).ravel()
    flat = reshape(as_input(arr), (-1,))
    if isinstance(condition, Tensor) and c.size == np.size(value_of(flat)):
        return getitem(flat, (reshape(_mask(condition, c), (-1,)),))   # (as compress's)
    return take(flat, np.nonzero(c)[0])


def _mask(condition, c):
    """The Tensor `condition` (of value c) as a boolean mask: nonzero is True."""
    return condition if c.dtype == np.bool_ else condition != 0


# ---- partial sorting -------------------------------------------------------------------------

def argpartition(a, kth, axis=-1, kind="introselect", order=None):
    """The indices that partition a around its kth element(s) (np.argpartition); an integer
    constant.

    Examples
    --------
    >>> wg.argpartition(wg.tensor([3.0, 1.0, 2.0]), 0)[0]
    tensor(1)
    """
    return value_result(np.argpartition, as_input(a),
                        dict(kth=value_of(kth), axis=axis, kind=kind, order=order))


def partition(a, kth, axis=-1, kind="introselect", order=None):
    """a with its kth element(s) in sorted position, smaller ones before and larger ones
    after (np.partition). A gather by argpartition: ∂/∂a sends each g back to the element
    that landed there.

    Examples
    --------
    >>> x = wg.tensor([3.0, 1.0, 2.0])
    >>> wg.partition(x, 0)[0]
    tensor(1.)
    >>> wg.grad(lambda x: wg.partition(x, 0)[0])(x)
    tensor([0., 1., 0.])
    """
    a = as_input(a)
    if axis is None:
        a = reshape(a, (-1,))
        axis = -1
    idx = argpartition(a, kth, axis=axis, kind=kind, order=order)
    return take_along_axis(a, idx, axis=axis)
