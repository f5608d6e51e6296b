"""Forward mode: dual numbers a + bε (ε² = 0), one level per transform.

A Tensor's tangents live in a dict level → tangent. `wg.dual` uses level 0; each `jvp` takes
a fresh, higher level (`new_level`), so inner transforms are peeled off first and nested
derivatives never mix (no perturbation confusion). Every op carrying a tangent goes through
`forward_mode`, which pushes it through the op's JVP rule: the built-in ops (ops/_primitive.py)
and `wg.Function` (ops/function.py) alike. Values taken out of `wg.dual` numbers carry marks
(_dual.py, beside this module), checked and passed on here.

This module sits below the ops: it receives an op as an argument and never imports one. The
one op it records itself (the identity that `attach` puts on a tensor requiring grad) is
installed by ops/elementwise.py as `identity`.

What forward_mode asks of an op: calling it, ``op.push_tangent(tangents, args, params, out)``
(the output tangent, or one per output, None for zero), ``op.singular`` (False, True or a
predicate of the args), ``op.cx`` (True where its rules are right for complex values;
otherwise a complex value goes to ``op.complex_route(args, params)``) and
``op.saves_output`` (a recorded backward rule reads the output: see `saved_output`).
"""
import itertools
import weakref
from typing import Any

import numpy as np

from . import _dual
from .engine.node import Node
from .grad_mode import state as _grad
from .tensor import DUAL_LEVEL, Tensor, _make
from .views import by_value

_levels = itertools.count(DUAL_LEVEL + 1)

# The recorded identity op (ops/elementwise.positive), installed when the ops load: attaching
# a tangent to a tensor that requires grad goes through it so gradients still reach the tensor.
identity: Any = None


def new_level():
    """A level number higher than any given out before: the innermost transform's."""
    return next(_levels)


# ---- pushing tangents through an op -------------------------------------------------------

# What each op applied in forward mode was called with, per node: a recorded backward rule
# that reads the op's output (create_graph inside jvp: forward-over-reverse) re-derives it
# from these, so the output's tangents come back. Inputs lie upstream of their node, so the
# weak map holds no cycle and a dropped graph is freed by reference counting.
_replay: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def is_complex(v):
    """Whether a Tensor, array or number holds complex values."""
    d = getattr(v.data if isinstance(v, Tensor) else v, "dtype", None)
    return d is not None and d.kind == "c" or type(v) is complex


def dims(v):
    """The shape of a Tensor, array or number, by the shortest route for each."""
    if type(v) is Tensor:
        v = v.data
    if type(v) is np.ndarray:
        return v.shape
    return np.shape(v)


def batched(t, v, zd, lead=()):
    """(t, its batch axes): a tangent with batch axes in front of its input v's shape gets
    1s inserted after them, so it broadcasts against an output of zd dims like v does."""
    vshape = dims(v)
    tshape = dims(t)
    if len(tshape) > len(vshape):
        lead = tshape[:len(tshape) - len(vshape)]
        if len(vshape) < zd:
            t = np.reshape(t, lead + (1,) * (zd - len(vshape)) + vshape)
    return t, lead


def forward_mode(op, args, params):
    """An input carries tangents. Take off the innermost level L, call the op on the rest
    (which records the graph and handles lower levels by the same route), then push level
    L's tangents through the op's JVP rule, itself computed with wengert ops: lower levels
    and recording apply to the tangent computation too. Nesting without confusion follows.
    Values taken out of wg.dual numbers carry marks (_dual.py): checked and passed on."""
    marks = _dual.check(args) if _dual.marks_live else None
    level, tangents, taken = take_level(args)
    if level is None:                     # marks, no tangent
        return _dual.marked_call(op, args, params, marks)
    rerouted = False
    try:
        out = op(*args, **params) if params else op(*args)
        if op.cx is not True and (any(map(is_complex, args)) or any(
                map(is_complex, out if isinstance(out, tuple) else (out,)))):
            rerouted = True         # (rules right for complex values: op.cx, below)
        # the rule sees a twin of the output (same value and node): were it `out` itself,
        # out → its tangent → the tangent's graph → out would be a reference cycle
        twin = tuple(map(same_tensor, out)) if isinstance(out, tuple) else same_tensor(out)
        sing = op.singular
        if rerouted:
            t_out = None
        elif sing is True or sing is not False and sing(*args):
            with np.errstate(divide="ignore", invalid="ignore"):   # as in backward
                t_out = op.push_tangent(tangents, args, params, twin)
        else:
            t_out = op.push_tangent(tangents, args, params, twin)
    finally:
        restore_level(taken)
    if rerouted:
        return op.complex_route(args, params)
    multi = isinstance(out, tuple)
    if op.saves_output:
        node = next((o.grad_fn for o in (out if multi else (out,)) if o.grad_fn is not None),
                    None)
        if node is not None:
            _replay[node.parents[0] if multi else node] = (
                op, tuple(a if isinstance(a, Tensor) else by_value(a) for a in args), params)
    if t_out is not None:
        if multi:
            for o, t in zip(out, t_out):
                if t is not None:
                    set_tangent(o, level, t)
        else:
            set_tangent(out, level, t_out)
        if level == DUAL_LEVEL:
            _dual.pass_generations(tangents, out)
    return _dual.mark(out, marks) if marks else out


def take_level(args):
    """Take the innermost level L off every input for the duration of one op: returns L,
    each input's level-L tangent (None where absent), and what `restore_level` puts back."""
    level = None
    for a in args:
        if isinstance(a, Tensor):
            tans = a._tangents
            if tans:
                if len(tans) == 1:
                    for m in tans:          # (the one key, without iter() and next())
                        pass
                else:
                    m = max(tans)
                if level is None or m > level:
                    level = m
    tangents: list = []
    taken: list = []
    for a in args:
        if not isinstance(a, Tensor):
            tangents.append(None)
            continue
        for b, tans in taken:              # the same tensor twice (x * x): taken already
            if b is a:
                tangents.append(tans.get(level))
                break
        else:
            tans = a._tangents
            t = tans.get(level) if tans else None
            tangents.append(t)
            if tans and t is not None:
                taken.append((a, tans))
                a._tangents = (None if len(tans) == 1
                               else {k: v for k, v in tans.items() if k != level})
    return level, tangents, taken


def restore_level(taken):
    """Put back the tangents `take_level` took."""
    for a, tans in taken:
        a._tangents = tans


def same_tensor(t):
    """A new Tensor with t's value, node and tangents."""
    s = same_value(t)
    s._tangents = dict(t._tangents) if t._tangents else None
    return s


def same_value(t):
    """A new Tensor object with t's value and graph, without tangents. A leaf that requires
    grad is reached through a recorded identity: a second leaf object would take the gradient
    meant for t (and the value would silently leave the graph)."""
    if t.grad_fn is None and t._requires_grad and _grad.enabled:
        tans, t._tangents = t._tangents, None
        try:
            s = identity(t)
        finally:
            t._tangents = tans
        s.data = t.data                 # the identity's value is t's, memory included
        return s
    s = _make(t.data, t.grad_fn)
    s._requires_grad = t._requires_grad and (t.grad_fn is not None or _grad.enabled)
    return s


def set_tangent(t, level, tangent):
    """Give t the tangent `tangent` at `level` (a new dict: the old one may be shared)."""
    if not isinstance(tangent, Tensor):
        tangent = _make(np.asarray(tangent), None)
    tans = t._tangents
    if tans:
        tans = dict(tans)
        tans[level] = tangent
        t._tangents = tans
    else:
        t._tangents = {level: tangent}


def replayed(node):
    """The outputs of node's op recomputed from its inputs, carrying their tangents, where
    forward mode saw the op with inputs that still hold tangents; otherwise None."""
    replay = _replay.get(node) if _replay else None
    if replay is not None:
        op, args, params = replay
        if any(isinstance(a, Tensor) and a._tangents for a in args):
            return op(*args, **params)
    return None


def saved_output(value, node, selectors=None):
    """A saved output re-wrapped as a Tensor for a recorded backward rule: its gradient flows
    into `node`. If forward mode saw the op, the output is recomputed from its inputs instead,
    so it carries its tangents."""
    if _replay:
        out = replayed(node)
        if out is not None:
            return out
    if selectors:
        return tuple(_make(o, Node(sel, (node,), None, 0, None)) for o, sel in zip(value, selectors))
    return _make(value, node)


# ---- dual numbers -------------------------------------------------------------------------

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


# The levels at which `attach` seeded a tangent that requires grad (reverse mode through a
# tangent). Every other tangent is computed by the ops' JVP rules from seeds and values, so it
# depends on a Tensor requiring grad only through a value that depends on that Tensor too:
# while this set is empty, a reverse transform over values that carry tangents learns all it
# must from the values' graph (transforms/reverse.py, `_Watched.modes`). A transform's level
# leaves the set when the transform returns (transforms/_args.py `_running`); wg.dual's level
# stays once seeded, as its numbers may live on.
grad_seeded: set = set()


def _requires_grad_deep(t):
    """Does Tensor t, or a tangent it carries (at any depth), require grad?"""
    if t._requires_grad:
        return True
    tans = t._tangents
    return bool(tans) and any(_requires_grad_deep(v) for v in tans.values())


def attach(p, t, level):
    """p + t·ε at `level` (t unchecked: it may carry leading batch axes), as a new Tensor
    connected to p's graph."""
    if isinstance(t, Tensor) and _requires_grad_deep(t):
        grad_seeded.add(level)
    if p._requires_grad:
        out = identity(p)                # recorded: gradients still reach p
    else:
        out = _make(p.data, None)
        out._tangents = dict(p._tangents) if p._tangents else None
    set_tangent(out, level, t)
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
    out = same_value(t)
    out._tangents = {k: v for k, v in t._tangents.items() if k != level} or None
    return out


def dual(primal, tangent):
    """The dual number primal + tangent·ε (one level of forward mode, for direct use).

    Ops on it carry the tangent along: f(dual(x, v)) has .primal f(x) and .tangent f′(x)·v.
    Several dual numbers in one computation add their tangents (a directional derivative).
    Nested forward mode goes through wg.jvp: a dual of a dual, or an op mixing a dual number
    with a value taken out of one that holds the same perturbation, is a TypeError rather
    than perturbation confusion (see _dual.py).

    Examples
    --------
    >>> d = wg.dual(2.0, 1.0)
    >>> (d ** 3).tangent             # d/dx x³ at 2
    tensor(12.)
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
