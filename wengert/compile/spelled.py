"""Ops printed as the NumPy their forward runs, for the shapes of the trace.

An op's forward handles every case the op allows (an axis counted from the end, leading
batch axes, a scalar operand, a clear error for misaligned shapes); a compiled program runs
only for the shapes and dtypes it was traced with, where the forward reduces to one NumPy
expression. Printing that expression saves the forward's Python call on every run and shows
the rule as NumPy (`g25.T`, `v10 @ v11`):

    matmul(A, B)              → A @ B                      (both arrays of one axis or more)
    permute_dims(x, axes)     → x.T (2-D, axes (1, 0)), else np.transpose(x, all axes)
    swapaxes(x, a, b)         → x.T (2-D), else np.swapaxes(x, a, b)
    reshape(x, shape, ndim)   → x.reshape(full shape)      (leading axes kept, as the forward)
    sum(x, axis, keepdims)    → np.add.reduce(x, axis=…, keepdims=…)
    getitem(x, index, ndim)   → x[1:, v3]                  (x not a batch; an index of
                                                            values, ints, slices, None, …)

Every operand must be an array the trace knows the shape of (an array value, or an array
constant); anything else keeps the forward's call.
"""
import numpy as np

from .ir import Const, Ref

__all__ = ["spelled"]


def _shape(a, metas):
    if type(a) is Ref:
        shape, _, kind = metas[a.name]
        return shape if kind is np.ndarray else None
    if type(a) is Const and type(a.value) is np.ndarray:
        return a.value.shape
    return None


def _ints(t):
    return type(t) in (tuple, list) and all(type(v) is int for v in t)


def spelled(e, args, metas):
    """The NumPy expression of entry e (`args`: its operands as printed), or None."""
    name, p = e.op.name, e.params
    if len(e.names) != 1 or e.multi or name not in _FORMS:
        return None
    shapes = [_shape(a, metas) for a in e.args]
    if not shapes or any(s is None for s in shapes):
        return None
    return _FORMS[name](args, shapes, p)


def _matmul(args, shapes, p):
    if p or len(args) != 2 or len(shapes[0]) < 1 or len(shapes[1]) < 1:
        return None
    return f"{args[0]} @ {args[1]}"


def _permute(args, shapes, p):
    axes = p.get("axes")
    if set(p) != {"axes"} or len(args) != 1 or not _ints(axes):
        return None
    ndim = len(shapes[0])
    lead = ndim - len(axes)
    if lead < 0:
        return None
    full = tuple(range(lead)) + tuple(lead + a for a in axes)
    if full == (1, 0):
        return f"{args[0]}.T"
    return f"np.transpose({args[0]}, {full!r})"


def _swapaxes(args, shapes, p):
    a, b = p.get("axis1"), p.get("axis2")
    if set(p) != {"axis1", "axis2"} or len(args) != 1 or type(a) is not int \
            or type(b) is not int:
        return None
    ndim = len(shapes[0])
    if ndim == 2 and -2 <= a < 2 and -2 <= b < 2 and a % 2 != b % 2:
        return f"{args[0]}.T"
    return f"np.swapaxes({args[0]}, {a!r}, {b!r})"


def _reshape(args, shapes, p):
    shape, ndim = p.get("shape"), p.get("ndim")
    if set(p) != {"shape", "ndim"} or len(args) != 1 or not _ints(shape) \
            or type(ndim) is not int:
        return None
    lead = len(shapes[0]) - ndim
    if lead < 0:
        return None
    full = tuple(shapes[0][:lead]) + tuple(shape) if lead else tuple(shape)
    return f"{args[0]}.reshape({full!r})"


def _sum(args, shapes, p):
    axis, keepdims = p.get("axis"), p.get("keepdims")
    if set(p) != {"axis", "keepdims"} or len(args) != 1 or type(keepdims) is not bool \
            or not (axis is None or type(axis) is int or _ints(axis)):
        return None
    return f"np.add.reduce({args[0]}, axis={axis!r}, keepdims={keepdims!r})"


def _getitem(args, shapes, p):
    index, ndim = p.get("index"), p.get("ndim")
    if set(p) != {"index", "ndim"} or len(args) != 1 or type(index) is not tuple \
            or not index or ndim != len(shapes[0]):
        return None
    parts = [_index_part(i) for i in index]
    if any(part is None for part in parts):
        return None
    return f"{args[0]}[{', '.join(parts)}]"


def _index_part(i):
    """One entry of a NumPy index as written inside brackets, or None."""
    if type(i) is Ref:
        return i.name
    if i is None or type(i) is int:
        return repr(i)
    if i is Ellipsis:
        return "..."
    if type(i) is slice and all(v is None or type(v) is int for v in (i.start, i.stop, i.step)):
        text = ("" if i.start is None else repr(i.start)) + ":" + \
            ("" if i.stop is None else repr(i.stop))
        return text if i.step is None else f"{text}:{i.step!r}"
    return None


_FORMS = {"getitem": _getitem, "matmul": _matmul, "permute_dims": _permute, "swapaxes": _swapaxes,
          "reshape": _reshape, "sum": _sum}
