"""NumPy's higher-order functions on Tensors: apply_along_axis, apply_over_axes, piecewise.

Each calls the user's function on Tensors (slices, or the selected entries) and assembles
the results with wengert ops (stack, expand_dims, index assignment), so the result is as
differentiable as the function is: written with wg ops (or NumPy functions that dispatch to
them), its derivative is the derivative of the assembled pieces. np.vectorize and
np.frompyfunc call a Python function on each scalar through NumPy's own loop and stay
non-differentiable (their error names the wengert way).
"""

import numpy as np

from ..tensor import Tensor, _make
from . import _operands
from ._operands import array_of
from .indexing import getitem, setitem
from .shape import expand_dims, permute_dims, reshape, stack

__all__ = ["apply_along_axis", "apply_over_axes", "piecewise"]


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d on each 1-D slice of arr along `axis` (np.apply_along_axis); its results (all
    of one shape) take the place of that axis. Differentiable as func1d is.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.apply_along_axis(wg.sum, 1, x)
    tensor([3., 7.])
    >>> wg.grad(lambda x: wg.sum(wg.apply_along_axis(lambda r: r[0] * r[1], 1, x)))(x)
    tensor([[2., 1.],
            [4., 3.]])
    """
    shape = np.shape(array_of(arr))
    nd = len(shape)
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(axis, nd)
    axis %= nd
    order = [i for i in range(nd) if i != axis] + [axis]
    x = permute_dims(arr, order) if isinstance(arr, Tensor) else np.transpose(arr, order)
    outer = tuple(shape[i] for i in order[:-1])
    if 0 in outer:
        raise ValueError("Cannot apply_along_axis when any iteration dimensions are 0")
    res = [func1d(getitem(x, i), *args, **kwargs) for i in np.ndindex(outer)]
    r = stack(res)
    rshape = np.shape(array_of(r))[1:]
    r = reshape(r, outer + rshape)
    k, m = len(outer), len(rshape)
    perm = list(range(axis)) + list(range(k, k + m)) + list(range(axis, k))
    return permute_dims(r, perm)


def apply_over_axes(func, a, axes):
    """func(a, axis) for each axis in turn (np.apply_over_axes); a result that lost the axis
    gets it back with length 1. Differentiable as func is.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.apply_over_axes(wg.sum, x, [0])
    tensor([[4., 6.]])
    >>> wg.grad(lambda x: wg.sum(wg.apply_over_axes(wg.sum, x, [0, 1]) ** 2))(x)
    tensor([[20., 20.],
            [20., 20.]])
    """
    val = a
    nd = np.ndim(array_of(a))
    if np.ndim(axes) == 0:
        axes = (axes,)
    for axis in axes:
        if axis < 0:
            axis = nd + axis
        res = func(val, axis)
        if np.ndim(array_of(res)) != np.ndim(array_of(val)):
            res = expand_dims(res, axis)
            if np.ndim(array_of(res)) != np.ndim(array_of(val)):
                raise ValueError("function is not returning an array of the correct shape")
        val = res
    return val


def piecewise(x, condlist, funclist, *args, **kw):
    """np.piecewise: for each condition in turn (later ones win), the entries where it holds
    become f(x[cond], *args, **kw) (or a constant); an extra function covers the entries no
    condition holds; the rest are 0. Each f sees only its entries, as in NumPy. ∂/∂x: f′ on
    each piece, 0 on constant pieces and uncovered entries.

    Examples
    --------
    >>> x = wg.tensor([-2.0, 3.0])
    >>> wg.piecewise(x, [x < 0, x >= 0], [lambda t: -t, lambda t: t ** 2])
    tensor([2., 9.])
    >>> wg.grad(lambda x: wg.sum(wg.piecewise(x, [x < 0, x >= 0], [lambda t: -t, lambda t: t ** 2])))(x)
    tensor([-1.,  6.])
    """
    xd = array_of(x)
    # (the masks are read off the values: a compiling tracer refuses conditions computed from
    # its inputs by name, rather than keep its first call's masks as constants)
    condlist = _operands.read_values(condlist, "np.piecewise")
    n2 = len(funclist)
    if np.isscalar(condlist) or (not isinstance(condlist[0], (list, np.ndarray))
                                 and xd.ndim != 0):
        condlist = [condlist]
    condlist = np.asarray(condlist, dtype=bool)
    n = len(condlist)
    if n == n2 - 1:
        condelse = ~np.any(condlist, axis=0, keepdims=True)
        condlist = np.concatenate([condlist, condelse], axis=0)
    elif n != n2:
        raise ValueError(f"with {n} condition(s), either {n} or {n + 1} functions are expected")
    y = _make(np.zeros_like(xd), None)
    for cond, func in zip(condlist, funclist):
        if not callable(func):
            y = setitem(y, cond, np.asarray(func, dtype=xd.dtype))
        else:
            vals = getitem(x, cond) if isinstance(x, Tensor) else xd[cond]
            if np.size(array_of(vals)) > 0:
                y = setitem(y, cond, func(vals, *args, **kw))
    return y
