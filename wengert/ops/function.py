"""User-defined ops (`wg.Function`); gradient checkpointing (`wg.checkpoint`) is in
ops/checkpoint.py and shares the output helpers here.

Both are ordinary ops to the engine: one Node each, whose `saved` slot holds what backward
needs (the ctx of a Function; the function and its inputs for a checkpoint) and is released by
the engine after backward like any other op's saved values.

A Function's backward is written in wengert ops on Tensors. At first order it runs under
no_grad and its results are unwrapped to arrays (NumPy speed, nothing recorded); with
create_graph=True it runs recorded, on the input Tensors themselves, so it differentiates again.
"""
from typing import Any, Callable

import numpy as np

from ..engine import anomaly as _anomaly
from ..engine.errstate import quiet
from ..engine.node import Node
from ..forward import forward_mode, replayed
from ..grad_mode import state as _grad, grad_mode_set
from ..tensor import Tensor, _make
from ._primitive import Op, check_version, select_ops
from ._shapes import sum_to
from .shape import broadcast_to

__all__ = ["Function", "FunctionCtx"]




def _selectors(op, nout):
    """The per-output Ops of an `nout`-output op (cached): output i's node forwards its
    cotangent to position i of the op's Cotangents."""
    sels = op.selectors.get(nout)
    if sels is None:
        sels = op.selectors[nout] = select_ops(op.name, nout)
    return sels


def _wrap_outputs(op, outs, multi, node):
    """Tensors for the output arrays, recorded under `node` (floating outputs only)."""
    if not multi:
        o = outs[0]
        return _make(o, node if node is not None and _floating(o) else None)
    if node is None:
        return tuple(_make(o, None) for o in outs)
    sels = _selectors(op, len(outs))
    return tuple(_make(o, Node(s, (node,), None, 0, None) if _floating(o) else None)
                 for o, s in zip(outs, sels))


def _floating(a):
    return np.result_type(a).kind in "fc"


def _as_output(o, who, k):
    """A forward result as the array a Tensor stores."""
    if isinstance(o, Tensor):
        o = o.data                 # forward ran under no_grad, so this Tensor has no graph
    if not isinstance(o, (np.ndarray, np.generic)):
        o = np.asarray(o)
    if np.result_type(o).kind not in "biufc":
        raise TypeError(f"{who}.forward must return arrays (or a tuple of arrays); output {k} "
                        f"is {type(o).__name__} of dtype {np.result_type(o)}")
    return o


def _cotangents(g, multi, metas):
    """The incoming gradient as one entry per output, zeros materialised for unused outputs."""
    gs = tuple(g) if multi else (g,)
    out = []
    for gi, (shape, dtype) in zip(gs, metas):
        if gi is None:
            out.append(_make(np.zeros(shape, dtype), None))
        elif type(gi) is Tensor:
            out.append(gi)
        else:
            out.append(_make(np.asarray(gi), None))
    return out


def _dtype(x):
    return x.dtype if isinstance(x, (Tensor, np.ndarray, np.generic)) else np.result_type(x)


def _fit_gradient(gi, shape, dtype, create, who, i):
    """A gradient returned for input i, made to the input's shape and dtype: an array at
    first order, a Tensor when recording. As in PyTorch, a gradient of a larger shape that the
    input broadcasts to is summed back (a forgotten sum_to); any other shape, a smaller one
    included (a 0-d gradient for a vector input is no gradient of it), is an error, and so is a
    dtype of another kind (an integer or complex gradient of a real input)."""
    if isinstance(gi, Tensor):
        if not create:
            gi = gi.data
    elif create:
        gi = _make(np.asarray(gi), None)
    else:
        gi = np.asarray(gi)
    gshape = tuple(gi.shape)
    if gshape != shape:
        try:
            full = np.broadcast_shapes(shape, gshape)
        except ValueError:
            full = None
        if full != gshape:
            raise RuntimeError(f"{who}.backward returned a gradient of shape {gshape} for input "
                               f"{i}, expected shape {shape} (the input's shape); return one "
                               f"gradient of each input's shape")
        gi = sum_to(gi, shape, gshape)
    got = _dtype(gi)
    if got.kind != dtype.kind and not (got.kind == "f" and dtype.kind == "c"):
        raise RuntimeError(f"{who}.backward returned a gradient of dtype {got} for input {i}, "
                           f"expected a gradient of dtype {dtype} (the input's dtype)")
    if got != dtype:
        gi = gi.astype(dtype)
    return gi


# ---- Function ---------------------------------------------------------------------------------

class FunctionCtx:
    """What forward leaves for backward: `save_for_backward(*arrays)` (inputs and outputs
    only), `saved_tensors`, `needs_input_grad`, and any plain attributes you set."""

    # set by Function.apply after forward (read by backward and jvp)
    _multi: bool
    _metas: tuple
    _in_metas: tuple
    _datas: tuple

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._to_save: tuple | None = None
        self._saved: tuple = ()     # (kind, index) per saved value: kind "in", "out" or None
        self._args: tuple = ()
        self._versions: tuple = ()
        self._outs: tuple = ()
        self._node: Any = None          # set only while backward runs: ctx → node → ctx is a cycle
        self._create = False
        self._live: Any = None      # (inputs, output Tensors) only while the user's jvp runs

    def save_for_backward(self, *values):
        """Keep forward inputs or outputs for backward (the very arrays forward received or
        returns; checked when forward returns)."""
        self._to_save = values

    @property
    def saved_tensors(self):
        """The saved values as Tensors, in save order: an input is the input Tensor itself
        (recorded through when create_graph=True), an output is re-wrapped with the op's node.
        Inside jvp they are the live input and output Tensors (recorded, carrying the
        tangents of other forward-mode levels), so the tangent computation nests."""
        if self._live is not None:
            args, outs = self._live
            return tuple(None if kind is None else outs[k] if kind == "out" else args[k]
                         if isinstance(args[k], Tensor) else _make(np.asarray(args[k]), None)
                         for kind, k in self._saved)
        node, create = self._node, self._create
        out: list = []
        for j, (kind, k) in enumerate(self._saved):
            if kind is None:
                out.append(None)
            elif kind == "in":
                a = self._args[k]
                if type(a) is Tensor:
                    if node is not None:
                        check_version(node, k, a, self._versions[k])
                    if not (create and node is not None):
                        a = _make(a.data, None)     # first order: nothing may record through it
                elif isinstance(a, (np.ndarray, np.generic)):
                    a = _make(a, None)
                out.append(a)
            else:
                o = self._outs[k]
                if create and node is not None and _floating(o):
                    res = replayed(node)        # forward mode saw it: recomputed, tangents too
                    if res is not None:
                        o = res[k] if isinstance(res, tuple) else res
                    elif len(self._metas) == 1:
                        o = _make(o, node)
                    else:
                        sel = _selectors(node.op, len(self._metas))[k]
                        o = _make(o, Node(sel, (node,), None, 0, None))
                else:
                    o = _make(o, None)
                out.append(o)
        return tuple(out)


class _FunctionOp(Op):
    """The Op behind one Function subclass; not in the op registry (that lists primitives)."""
    __slots__ = ("cls", "selectors")
    cls: Any
    selectors: dict

    def backward(self, node, g, create):
        quiet()                 # (the user's rule: as quiet as a general primitive's)
        ctx = node.saved
        cls = self.cls
        who = cls.__name__
        gs = _cotangents(g, ctx._multi, ctx._metas)
        ctx._node, ctx._create = node, create
        try:
            if create:
                res = cls.backward(ctx, *gs)
            else:
                with grad_mode_set(False):
                    res = cls.backward(ctx, *gs)
        finally:
            ctx._node = None
        n = len(node.parents)
        if not isinstance(res, (tuple, list)):
            res = (res,)
        if len(res) != n:
            raise RuntimeError(f"{who}.backward returned {len(res)} gradients, but forward took "
                               f"{n} inputs; return one per input (None for those that need none)")
        out: list = []
        for i, (p, gi) in enumerate(zip(node.parents, res)):
            if p is None or gi is None:
                out.append(None)
            else:
                shape, dtype = ctx._in_metas[i]
                out.append(_fit_gradient(gi, shape, dtype, create, who, i))
        return tuple(out)

    def jvp(self, tangents, ctx):
        """Forward mode through the user's `jvp(ctx, *tangents)`; absent tangents are zeros."""
        f = getattr(self.cls, "jvp", None)
        if f is None:
            raise RuntimeError(f"{self.cls.__name__} defines no jvp(ctx, *tangents): forward "
                               f"mode (and Hessians) through it need one")
        ts = tuple(_zero_tangent(a, ()) if t is None else t for t, a in zip(tangents, ctx._datas))
        return f(ctx, *ts)


class Function:
    """Base class of custom ops. Subclass with staticmethods `forward(ctx, *args)` (gets
    ndarrays for tensors, other arguments as given; returns an array or a tuple of arrays),
    `backward(ctx, *grads)` (one gradient Tensor per output; returns one gradient per forward
    input, None allowed), optionally `jvp(ctx, *tangents)`, and call `Fn.apply(*args)`.

    jvp (forward mode: wg.dual, jvp, jacfwd, hessian) gets one tangent Tensor per input —
    zeros for a floating input without one, None for a non-floating one — and returns one per
    output (None for zero), written in wengert ops; there `ctx.saved_tensors` are the live
    input and output Tensors, so the jvp differentiates again. Tangents may carry leading
    batch axes (jacfwd pushes several at once): write it elementwise or with negative axes.
    A tangent reaching a Function without jvp is a RuntimeError.

    Examples
    --------
    >>> class Cube(wg.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         x, = ctx.saved_tensors
    ...         return g * 3 * x ** 2
    >>> x = wg.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)
    """

    forward: Callable[..., Any]     # (each subclass defines it, a staticmethod)

    _op = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        op = _FunctionOp.__new__(_FunctionOp)
        op.name = cls.__name__
        op.grad_name = cls.__name__ + "Backward"
        op.forward = None
        op.doc = cls.__doc__
        op.cls = cls
        op.selectors = {}
        cls._op = op

    @classmethod
    def apply(cls, *args):
        return _apply_any(cls, args)[0]

    @classmethod
    def _apply(cls, args):
        """(the outputs, the ctx) of one application without forward-mode tangents."""
        who = cls.__name__
        if cls._op is None or getattr(cls, "forward", None) is None:
            raise TypeError(f"{who} must subclass wg.Function and define a staticmethod "
                            f"forward(ctx, *args)")
        enabled = _grad.enabled
        needs = tuple(enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
        datas = tuple(a.data if isinstance(a, Tensor) else a for a in args)
        ctx = FunctionCtx(needs)
        with grad_mode_set(False):
            raw = cls.forward(ctx, *datas)
        multi = isinstance(raw, tuple)
        raws = raw if multi else (raw,)
        outs = tuple(_as_output(o, who, k) for k, o in enumerate(raws))
        if ctx._to_save is not None:
            ctx._saved = tuple(_locate(v, datas, raws, who, j) for j, v in enumerate(ctx._to_save))
            ctx._to_save = None
        record = any(needs) and any(_floating(o) for o in outs)
        if not record:
            return _wrap_outputs(cls._op, outs, multi, None), ctx
        if getattr(cls, "backward", None) is None:
            raise TypeError(f"{who} defines no staticmethod backward(ctx, *grads), so its "
                            f"result cannot be differentiated")
        kept = {k for kind, k in ctx._saved if kind == "in"}
        ctx._args = tuple(a if k in kept else None for k, a in enumerate(args))
        ctx._versions = tuple(a._version if type(a) is Tensor else 0 for a in args)
        kept = {k for kind, k in ctx._saved if kind == "out"}
        ctx._outs = tuple(o if k in kept else None for k, o in enumerate(outs))
        ctx._multi = multi
        ctx._metas = tuple((np.shape(o), np.result_type(o)) for o in outs)
        ctx._in_metas = tuple((np.shape(d), np.result_type(d)) if n else None
                              for d, n in zip(datas, needs))
        if getattr(cls, "jvp", None) is not None:
            ctx._datas = datas
        parents = tuple((a if a.grad_fn is None else a.grad_fn) if n else None
                        for a, n in zip(args, needs))
        node = Node(cls._op, parents, ctx, ctx._versions, None)
        if _anomaly.state.enabled:
            _anomaly.check_forward(cls._op, outs)
        return _wrap_outputs(cls._op, outs, multi, node), ctx


def _apply_any(cls, args):
    """(outputs, ctx) of Fn.apply(*args), through forward mode when tangents or the marks of
    values taken out of wg.dual numbers come in (forward.py), as for a built-in op."""
    for a in args:
        if isinstance(a, Tensor) and a._tangents is not None:
            if getattr(cls, "jvp", None) is None and any(
                    isinstance(b, Tensor) and b._tangents for b in args):
                raise RuntimeError(
                    f"{cls.__name__} defines no staticmethod jvp(ctx, *tangents), but a "
                    f"forward-mode tangent (wg.dual, jvp, jacfwd, hessian, hvp) reached it; "
                    f"add a jvp returning the output tangent(s)")
            applied = _Applied(cls)
            return forward_mode(applied, args, {}), applied.ctx
    return cls._apply(args)


class _Applied:
    """One application of a Function subclass, as forward_mode sees an op: calling it applies
    the Function to the inputs with the innermost level taken off (lower levels by the same
    route) and keeps the ctx; `push_tangent` runs the user's jvp(ctx, *tangents), written in
    wengert ops on the live Tensors, so lower levels and recording apply to it too (nesting,
    forward-over-reverse)."""
    __slots__ = ("cls", "ctx")
    singular = False
    cx = True               # (a Function's rules are the user's, complex values included)
    saves_output = True     # (ctx.saved_tensors may hand backward an output)

    def __init__(self, cls):
        self.cls = cls
        self.ctx = None

    def __call__(self, *args):
        result, self.ctx = _apply_any(self.cls, args)
        return result

    def push_tangent(self, tangents, args, params, out):
        who = self.cls.__name__
        ctx: Any = self.ctx
        multi = isinstance(out, tuple)
        outs = out if multi else (out,)
        lead = ()
        for a, t in zip(args, tangents):
            if t is not None:
                lead = tuple(t.shape[:t.ndim - a.ndim])
                break
        ts = tuple(t if t is not None else _zero_tangent(a, lead) for a, t in zip(args, tangents))
        ctx._live = (args, outs)
        try:
            res = self.cls.jvp(ctx, *ts)
        finally:
            ctx._live = None
        res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
        if len(res) != len(outs):
            raise RuntimeError(f"{who}.jvp returned {len(res)} tangents, but forward returned "
                               f"{len(outs)} outputs; return one per output (None for a zero "
                               f"one)")
        fitted = tuple(None if t is None or not _floating(o.data) else
                       _fit_tangent(t, lead + o.shape, o.dtype, who, k)
                       for k, (o, t) in enumerate(zip(outs, res)))
        return fitted if multi else fitted[0]


def _zero_tangent(a, lead):
    """The tangent of an input that has none at this level: zeros (with the batch axes of
    the others) for a floating Tensor, array or number; None for anything else."""
    v = a.data if isinstance(a, Tensor) else a
    if isinstance(v, (float, np.ndarray, np.generic)) and not isinstance(v, bool) \
            and np.result_type(v).kind == "f":
        return _make(np.zeros(lead + np.shape(v), np.result_type(v)), None)
    return None


def _fit_tangent(t, shape, dtype, who, k):
    """A tangent returned by a user's jvp, as a Tensor of the output's (batched) shape."""
    if not isinstance(t, Tensor):
        t = _make(np.asarray(t), None)
    if tuple(t.shape) != shape:
        try:
            ok = np.broadcast_shapes(tuple(t.shape), shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"{who}.jvp returned a tangent of shape {tuple(t.shape)} for output "
                             f"{k}, whose tangent must have shape {shape}")
        t = broadcast_to(t, shape)
    if t.dtype != dtype:
        t = t.astype(dtype)
    return t


def _locate(v, datas, outs, who, j):
    """Where a saved value comes from: ("in", i), ("out", k), or an error."""
    if v is None:
        return (None, None)
    for i, d in enumerate(datas):
        if v is d:
            return ("in", i)
    for k, o in enumerate(outs):
        if v is o:
            return ("out", k)
    raise RuntimeError(
        f"{who}.forward: save_for_backward accepts only the arrays forward received or "
        f"returns, but value {j} (a {type(v).__name__}) is neither. A saved intermediate would "
        f"give wrong higher derivatives; return it as an extra output of forward instead (or "
        f"recompute it in backward from the inputs), or keep a non-differentiable value as a "
        f"plain ctx attribute.")
