"""Forward mode: dual numbers a + bε (ε² = 0), one level per transform.

A Tensor's tangents live in a dict level → tangent. `wg.dual` uses level 0; each `jvp` takes
a fresh, higher level (`new_level`), so inner transforms are peeled off first and nested
derivatives never mix (no perturbation confusion). Every op propagates tangents through its
JVP rule (see ops/_primitive.forward_mode).
"""
import itertools

import numpy as np

from .tensor import DUAL_LEVEL, Tensor, _make
from .ops import _dual
from .ops._primitive import _set_tangent

_levels = itertools.count(DUAL_LEVEL + 1)


def new_level():
    """A level number higher than any given out before: the innermost transform's."""
    return next(_levels)


def _as_tensor(v):
    if isinstance(v, Tensor):
        return v
    a = np.asarray(v)
    if a.dtype.kind not in "fc":
        a = a.astype(np.float64)
    return _make(a, None)


def with_tangent(primal, tangent, level):
    """primal + tangent·ε at `level`: a new Tensor, connected to primal's graph."""
    p, t = _pair(primal, tangent)
    return attach(p, t, level)


def _data(v):
    return v.data if isinstance(v, Tensor) else v


def _pair(primal, tangent):
    """(primal, tangent) as Tensors of one shape and dtype; complex values are refused."""
    p = _as_tensor(primal)
    t = _as_tensor(tangent)
    if p.dtype.kind == "c" or t.dtype.kind == "c":
        raise TypeError("a dual number with complex values: complex differentiation is not "
                        "supported yet; use real primals and tangents")
    if t.shape != p.shape:
        raise ValueError(f"tangent shape {t.shape} does not match primal shape {p.shape}")
    if t.dtype != p.dtype and p.dtype.kind in "fc":
        t = t.astype(p.dtype)
    return p, t


def attach(p, t, level):
    """p + t·ε at `level` (t unchecked: it may carry leading batch axes), as a new Tensor
    connected to p's graph."""
    if p._requires_grad:
        from .ops.elementwise import positive
        out = positive(p)                # recorded: gradients still reach p
    else:
        out = _make(p.data, None)
        out._tangents = dict(p._tangents) if p._tangents else None
    _set_tangent(out, level, t)
    return out


def tangent_at(t, level):
    """t's tangent at `level`, or None (a zero tangent)."""
    if isinstance(t, Tensor) and t._tangents is not None:
        return t._tangents.get(level)
    return None


def without_level(t, level):
    """t with its tangent at `level` removed (same value, same graph)."""
    if not isinstance(t, Tensor) or t._tangents is None or level not in t._tangents:
        return t
    out = _make(t.data, t.grad_fn)
    out._requires_grad = t._requires_grad
    out._tangents = {k: v for k, v in t._tangents.items() if k != level} or None
    return out


def dual(primal, tangent):
    """The dual number primal + tangent·ε (one level of forward mode, for direct use).

    Ops on it carry the tangent along: f(dual(x, v)) has .primal f(x) and .tangent f′(x)·v.
    Several dual numbers in one computation add their tangents (a directional derivative).
    Nested forward mode goes through wg.jvp: a dual of a dual, or an op mixing a dual number
    with a value taken out of one that holds the same perturbation, is a TypeError rather
    than perturbation confusion (see ops/_dual.py).
    """
    for what, v in (("primal", primal), ("tangent", tangent)):
        if isinstance(v, Tensor) and v._tangents and DUAL_LEVEL in v._tangents:
            raise TypeError(f"wg.dual: the {what} is a dual number already; one level of "
                            f"wg.dual does not nest. Use wg.jvp for nested forward mode, or "
                            f"pass its .primal / .tangent")
    p, t = _pair(primal, tangent)
    marks = _dual.marks_of(p, t)
    g = _dual.new_generation(t)
    # the dual number owns its memory: a later write into the caller's primal or tangent
    # (an array or a tensor) must not change it unannounced
    if type(g.data) is np.ndarray and np.may_share_memory(g.data, _data(tangent)):
        g.data = g.data.copy()
    out = attach(p, g, DUAL_LEVEL)
    if type(out.data) is np.ndarray and np.may_share_memory(out.data, _data(primal)):
        out.data = out.data.copy()
    return _dual.mark(out, marks) if marks else out
