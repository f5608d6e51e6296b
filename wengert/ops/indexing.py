"""Indexing: getitem (basic, integer-array, boolean), setitem, take, take_along_axis.

getitem is linear; its transpose scatters g into zeros, adding at repeated indices (so
repeated indices accumulate). That scatter is itself a linear op whose transpose is getitem,
so gradients of any order stay inside this pair. setitem (the functional `x[index] = v`) is a
primitive: ∂/∂x zeroes the overwritten places, ∂/∂v gathers g back to v's shape.

The forward is always a plain NumPy index. The scatter assigns when no position can repeat
(basic slicing, boolean masks, integer arrays proved repeat-free) and otherwise makes one
`np.add.at`: on the n-d output when the arrays index every axis they read (NumPy's fast
path: `logp[np.arange(n), labels]`), else on the flattened output with flat positions: n-d
`np.add.at` over whole rows (embeddings) goes through NumPy's general index iteration, where
a 1-d scatter takes its fast path (benchmarks/README.md, "Special cases"); `np.bincount` is
not used because it works in float64 and needs a cast back.

Batched cotangents (leading axes in front of the op's output) pass through every rule. When
an index has arrays, NumPy may move the selected axes to the front, so a batch prefix would
not stay in front; those batched cases index the flattened array with the flat positions of
the selected elements instead, which is layout-free.
"""
import math

import numpy as np

from ..tensor import Tensor, _make
from ._primitive import linear, primitive
from ._shapes import negative_axes, sum_to
from .value_fns import value_result

__all__ = ["getitem", "setitem", "take", "take_along_axis", "sort", "argsort"]


# ---- index analysis --------------------------------------------------------------------------

def _index_value(i):
    """The ndarray an index entry (a Tensor, through its array door, or an ndarray) stands
    for: a copy, so changing the caller's array later does not reach backward. A compiling
    tracer swaps this function for the trace's duration (compile/trace.py): an integer or
    boolean index computed from a traced value becomes a step's operand, read at run time,
    where the array door would refuse it."""
    return np.array(i)


def _index_entry(i):
    if isinstance(i, (Tensor, np.ndarray)):
        return _index_value(i)
    if isinstance(i, (list, tuple)):
        a = np.array(i)
        return a.astype(np.intp) if a.size == 0 and a.dtype.kind == "f" else a
    return i


_BASIC = (int, slice, type(None), type(Ellipsis))     # index entries kept as they are


def _normalize(index):
    """The index as a tuple in which Tensors, lists and nested tuples are (copied) arrays."""
    if type(index) is not tuple:
        index = (index,)
    return tuple(i if type(i) in _BASIC else _index_entry(i) for i in index)


def _analyse(index, ndim):
    """(result ndim, ndim the arrays contribute (-1: no arrays), integer arrays as
    [(array, the axis of x it indexes)]) for x[index], in one pass over the entries.

    A boolean array of k dims takes k axes and yields one; integer arrays broadcast; integer
    scalars take an axis; None and slices yield one.
    """
    consumed = kept = 0         # axes of x the entries take; axes slices and None yield
    adv = -1
    ints: list = []
    after = None                # position in `ints` where entries after the Ellipsis begin
    for i in index:
        if i is None:
            kept += 1
        elif i is Ellipsis:
            after = len(ints)
        elif type(i) is slice:
            consumed += 1
            kept += 1
        elif type(i) is np.ndarray:
            if i.dtype.kind == "b":
                consumed += i.ndim
                adv = max(adv, 1)
            else:
                ints.append((i, consumed))
                consumed += 1
                adv = max(adv, i.ndim)
        elif isinstance(i, (bool, np.bool_)):
            adv = max(adv, 1)
        else:                   # an integer scalar
            consumed += 1
    if after is not None and after < len(ints):
        fill = ndim - consumed
        ints[after:] = [(a, k + fill) for a, k in ints[after:]]
    return ndim - consumed + kept + max(adv, 0), adv, ints


def _distinct(a, n):
    """Whether the integer array `a`, indexing an axis of length n, names no position twice."""
    a = a.ravel()
    if a.size <= 1:
        return True
    if a.min() < 0:
        a = np.where(a < 0, a + n, a)
    if n <= 8 * a.size + 1024:
        return np.bincount(a, minlength=n).max() <= 1
    s = np.sort(a)
    return not (s[1:] == s[:-1]).any()


def _positions(x_shape, index):
    """The flat (C-order) position in x of each element of x[index]: an intp array shaped
    like x[index]. Computed one axis at a time on zero-stride views, so no array of x's size
    is ever made."""
    pos = None
    stride = 1
    n = len(x_shape)
    for k in range(n - 1, -1, -1):
        coord = np.arange(x_shape[k], dtype=np.intp) * stride
        part = np.broadcast_to(coord.reshape((-1,) + (1,) * (n - 1 - k)), x_shape)[index]
        pos = part if pos is None else pos + part
        stride *= x_shape[k]
    if pos is None:
        pos = np.broadcast_to(np.zeros((), np.intp), ())[index]
    return np.asarray(pos)


def _last_writes(index, x_shape):
    """1 where an element of x[index] is the last (C order) to name its position, else 0:
    NumPy's assignment keeps the last value written to a repeated position."""
    pos = _positions(x_shape, index)
    flat = pos.ravel()
    _, first_in_reversed = np.unique(flat[::-1], return_index=True)
    keep = np.zeros(flat.size, dtype=bool)
    keep[flat.size - 1 - first_in_reversed] = True
    return keep.reshape(pos.shape)


def _selection_shape(x_shape, index):
    """The shape of x[index] (raises IndexError as NumPy would), read off a zero-stride view."""
    return np.broadcast_to(np.False_, x_shape)[index].shape


def _can_repeat(index, x_shape):
    """Whether x[index] may name one position twice: only integer arrays can, and not when
    each of them is repeat-free (then every combination they broadcast to is distinct)."""
    ints = _analyse(index, len(x_shape))[2]
    return not all(_distinct(a, x_shape[k]) for a, k in ints)


# ---- gather and scatter, batch-aware -----------------------------------------------------------

def _gather(g, index, x_shape):
    """g[index] for g shaped lead + x_shape: the batch axes stay in front."""
    lead = np.ndim(g) - len(x_shape)
    if lead == 0:
        return g[index]
    if _analyse(index, len(x_shape))[1] < 0:
        return g[(slice(None),) * lead + index]
    pos = _positions(x_shape, index)
    return np.reshape(g, np.shape(g)[:lead] + (-1,))[(Ellipsis, pos)]


def _scatter_fwd(g, index, x_shape):
    """zeros(lead + x_shape) with g added at x[index] (repeated positions accumulate)."""
    if isinstance(g, Tensor):
        return _scatter(g, index=index, x_shape=x_shape)
    g = np.asarray(g)
    x_shape = tuple(x_shape)
    res_ndim, adv, ints = _analyse(index, len(x_shape))
    lead = g.ndim - res_ndim
    batch = g.shape[:lead]
    out = np.zeros(batch + x_shape, dtype=g.dtype)
    if adv < 0:
        out[(slice(None),) * lead + index] = g
        return out
    # Proving integer arrays repeat-free pays off only when each one selects whole rows
    # (the result has axes besides theirs): assignment is then up to 10× cheaper.
    repeats = bool(ints) and (res_ndim == adv or
                              not all(_distinct(a, x_shape[k]) for a, k in ints))
    if lead == 0:
        if not repeats:
            out[index] = g
        elif res_ndim == adv:
            np.add.at(out, index, g)    # NumPy's fast path: arrays index every axis read
        else:
            np.add.at(out.reshape(-1), _positions(x_shape, index).ravel(), g.reshape(-1))
        return out
    # batched: flat positions of every batch entry, so NumPy's axis moving cannot interfere
    starts = np.arange(math.prod(batch), dtype=np.intp) * math.prod(x_shape)
    pos = (starts[:, None] + _positions(x_shape, index).ravel()).ravel()
    flat = out.reshape(-1)
    if repeats:
        np.add.at(flat, pos, g.reshape(-1))
    else:
        flat[pos] = g.reshape(-1)
    return out


def _getitem_fwd(x, index, ndim):
    if (x.ndim if type(x) is np.ndarray else np.ndim(x)) == ndim:
        return x[index]
    return _gather(x, index, np.shape(x)[np.ndim(x) - ndim:])    # a batch of tangents


def _getitem_transpose(g, x_shape, index, ndim):
    # x's own shape: x_shape starts with batch axes when a batch of tangents was indexed
    return _scatter_fwd(g, index, tuple(x_shape)[len(x_shape) - ndim:])


def _scatter_transpose(g, g_shape, index, x_shape):
    return _gather(g, index, x_shape)


_getitem = linear("getitem", _getitem_fwd, _getitem_transpose, grad_name="Index")
_scatter = linear("scatter_add", _scatter_fwd, _scatter_transpose)


def getitem(x, index):
    """x[index]: basic slicing, integer arrays (repeats accumulate in the gradient), boolean
    masks and mixtures, as in NumPy. Linear: ∂/∂x scatters g back into zeros of x's shape.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.getitem(x, [0, 0, 2])
    tensor([1., 1., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.getitem(x, [0, 0, 2])))(x)
    tensor([2., 0., 1.])
    """
    data = x.data if isinstance(x, Tensor) else x
    ndim = data.ndim if type(data) is np.ndarray else np.ndim(data)
    kind = type(index)
    if kind is slice or kind is int:            # the common cases skip the general analysis
        index = (index,)
    elif kind is not tuple or not all(type(i) in _BASIC for i in index):
        index = _normalize(index)
    return _getitem(x, index=index, ndim=ndim)


# ---- setitem ---------------------------------------------------------------------------------

def _assign(x, index, v):
    """A copy of x with x[index] = v, recorded when a Tensor is involved."""
    if isinstance(x, Tensor) or isinstance(v, Tensor):
        return setitem(x, index, v)
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _v_core(v_shape, sel_shape):
    """v's shape without the leading length-1 axes NumPy ignores when assigning."""
    extra = len(v_shape) - len(sel_shape)
    return tuple(v_shape[extra:]) if extra > 0 else tuple(v_shape)


def _setitem_fwd(x, v, index, x_shape, v_shape, sel_shape, repeats):
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _setitem_vjp(g, needs, index, x_shape, v_shape, sel_shape, repeats):
    """y = x with y[index] = v. ∂/∂x: g with the written places zeroed. ∂/∂v: g[index], only
    from the last write to each position, summed back over v's broadcasting."""
    lead = np.ndim(g) - len(x_shape)
    gx = gv = None
    if needs[0]:
        gx = _assign(g, (slice(None),) * lead + index, 0.0)
    if needs[1]:
        picked = _gather(g, index, x_shape)
        if repeats:
            picked = picked * _last_writes(index, x_shape)
        core = _v_core(v_shape, sel_shape)
        gv = sum_to(picked, core, sel_shape)
        if core != tuple(v_shape):
            gv = np.reshape(gv, np.shape(gv)[:lead] + tuple(v_shape))
    return gx, gv


def _setitem_jvp(tangents, index, x_shape, v_shape, sel_shape, repeats):
    """ẏ = ẋ with ẏ[index] = v̇ (the same assignment, on tangents)."""
    tx, tv = tangents
    if tv is None:
        lead = np.ndim(tx) - len(x_shape)
        return _assign(tx, (slice(None),) * lead + index, 0.0)
    lead = np.ndim(tv) - len(v_shape)
    batch = np.shape(tv)[:lead]
    if tx is None:
        tx = np.zeros(batch + tuple(x_shape), dtype=tv.dtype)
    if lead == 0:
        return _assign(tx, index, tv)
    core = _v_core(v_shape, sel_shape)
    tv = np.reshape(tv, batch + (1,) * (len(sel_shape) - len(core)) + core)
    if _analyse(index, len(x_shape))[1] < 0:
        return _assign(tx, (slice(None),) * lead + index, tv)
    pos = _positions(x_shape, index)
    tv = np.broadcast_to(tv, batch + tuple(sel_shape))
    flat = _assign(np.reshape(tx, batch + (-1,)), (Ellipsis, pos), tv)
    return np.reshape(flat, batch + tuple(x_shape))


_setitem = primitive("setitem", _setitem_fwd, _setitem_vjp, _setitem_jvp, save=())


def setitem(x, index, value):
    """A copy of x with x[index] = value: the functional form of `x[index] = value`.
    Differentiable in x (the overwritten places get no gradient) and in value (it gets g at
    the places it was written to, summed over its broadcasting; with repeated indices only
    the write NumPy keeps, the last, counts).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.setitem(x, 1, 5.0)
    tensor([1., 5., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.setitem(x, 1, 5.0)))(x)
    tensor([1., 0., 1.])
    """
    index = _normalize(index)
    x_shape = np.shape(x.data if isinstance(x, Tensor) else x)
    v_shape = np.shape(value.data if isinstance(value, Tensor) else value)
    sel_shape = _selection_shape(x_shape, index)
    repeats = _can_repeat(index, x_shape)
    return _setitem(x, value, index=index, x_shape=tuple(x_shape), v_shape=tuple(v_shape),
                    sel_shape=sel_shape, repeats=repeats)


# ---- take, take_along_axis -------------------------------------------------------------------

def _index_array(indices):
    if isinstance(indices, Tensor) and indices.data.dtype.kind in "iu":
        return _index_value(indices)        # (as getitem's: read at run time when compiled)
    a = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if a.dtype.kind not in "iu":
        if a.size == 0:
            return a.astype(np.intp)
        raise IndexError(f"indices must be integers, got dtype {a.dtype}")
    return a


def take(a, indices, axis=None, out=None, mode="raise"):
    """Elements of `a` at `indices` along `axis` (the flattened array when axis is None), as
    np.take; mode 'raise' (negative indices count from the end), 'wrap' or 'clip'.
    ∂/∂a scatters g back, adding where an index repeats.

    Examples
    --------
    >>> x = wg.tensor([10.0, 20.0, 30.0], requires_grad=True)
    >>> wg.take(x, [2, 0, 2]).sum().backward()
    >>> x.grad                      # counts each pick
    tensor([1., 0., 2.])
    """
    if out is not None:
        raise TypeError("wengert.take does not support out=; use the returned tensor")
    idx = _index_array(indices)
    if axis is None:
        from .shape import reshape
        a = reshape(a, (-1,))
        axis = 0
    nd = np.ndim(a.data if isinstance(a, Tensor) else a)
    ax = negative_axes(axis, nd)[0] + nd
    n = np.shape(a.data if isinstance(a, Tensor) else a)[ax]
    if isinstance(indices, Tensor) and (mode == "wrap" and n or mode == "clip"):
        # (wrapped by ops on the tensor: a compiled program wraps the index of each call)
        idx = _index_array(indices % n if mode == "wrap" else np.clip(indices, 0, max(n - 1, 0)))
        mode = "raise"
    if mode == "wrap":
        idx = np.mod(idx, n) if n else idx
    elif mode == "clip":
        idx = np.clip(idx, 0, max(n - 1, 0))
    elif mode != "raise":
        raise ValueError(f"mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    return getitem(a, (slice(None),) * ax + (idx,))


def take_along_axis(arr, indices, axis=-1):
    """arr's elements at `indices` along `axis`, the other axes matched by broadcasting (as
    np.take_along_axis; axis=None uses the flattened array). ∂/∂arr scatter-adds g back.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 9.0], [8.0, 2.0]])
    >>> wg.take_along_axis(x, wg.argmax(x, axis=1, keepdims=True), axis=1)
    tensor([[9.],
            [8.]])
    """
    idx = _index_array(indices)
    if axis is None:
        from .shape import reshape
        if idx.ndim != 1:
            raise ValueError(f"when axis=None, indices must have a single dimension, got "
                             f"shape {idx.shape}")
        return getitem(reshape(arr, (-1,)), (idx,))
    shape = np.shape(arr.data if isinstance(arr, Tensor) else arr)
    nd = len(shape)
    if idx.ndim != nd:
        raise ValueError(f"indices (shape {idx.shape}) and arr (shape {shape}) must have the "
                         f"same number of dimensions")
    ax = negative_axes(axis, nd)[0] + nd
    index = []
    for d in range(nd):
        if d == ax:
            index.append(idx)
        else:
            index.append(np.arange(shape[d], dtype=np.intp).reshape(
                (1,) * d + (-1,) + (1,) * (nd - d - 1)))
    try:
        np.broadcast_shapes(*(i.shape for i in index))
    except ValueError:
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} do not broadcast "
                         f"against arr of shape {shape} outside axis {axis}") from None
    return getitem(arr, tuple(index))


def argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    """The indices that sort `a` along `axis` (np.argsort); an integer constant.

    Examples
    --------
    >>> wg.argsort(wg.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    return value_result(np.argsort, a if isinstance(a, Tensor) else np.asarray(a),
                        dict(axis=axis, kind=kind, order=order, stable=stable))


def sort(a, axis=-1, kind=None, order=None, *, stable=None):
    """a sorted along `axis`: a gather by argsort, so ∂/∂a sends each g back to the element
    that landed there (ties keep NumPy's order).

    Examples
    --------
    >>> x = wg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> wg.sort(x)
    tensor([1., 2., 3.], grad_fn=<IndexBackward>)
    >>> (wg.sort(x) * wg.tensor([1.0, 0.0, 0.0])).sum().backward()
    >>> x.grad                      # to where the smallest came from
    tensor([0., 1., 0.])
    """
    idx = argsort(a, axis=axis, kind=kind, order=order, stable=stable)
    return take_along_axis(a, idx, axis=axis)
