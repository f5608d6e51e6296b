"""User-defined ops (`wg.Function`) and gradient checkpointing (`wg.checkpoint`).

Both are ordinary ops to the engine: one Node each, whose `saved` slot holds what backward
needs (the ctx of a Function; the function and its inputs for a checkpoint) and is released by
the engine after backward like any other op's saved values.

A Function's backward is written in wengert ops on Tensors. At first order it runs under
no_grad and its results are unwrapped to arrays (NumPy speed, nothing recorded); with
create_graph=True it runs recorded, on the input Tensors themselves, so it differentiates again.

A checkpoint keeps only its inputs. Its backward recomputes the function on detached copies of
them (so the recomputation never reaches into the graph outside), then runs a nested backward
over the recomputed graph; the engine's traversal keeps its state per call, so this is safe
inside an outer backward. With create_graph=True the vector-Jacobian product is itself
computed as a checkpoint of the function, which connects it to the original inputs and makes
checkpoints differentiable to any order.
"""
import numpy as np

from ..grad_mode import state as _grad
from ..ops._primitive import Op, _Select, _version_checked
from ..ops._shapes import sum_to
from ..tensor import Tensor, _make
from . import anomaly as _anomaly
from .backward import grad as _grad_of
from .node import Node

__all__ = ["Function", "FunctionCtx", "checkpoint"]


class _grad_mode:
    # a bare save/restore of the thread's grad mode (cheaper than the public context managers)
    __slots__ = ("value", "prev")

    def __init__(self, value):
        self.value = value

    def __enter__(self):
        self.prev = _grad.enabled
        _grad.enabled = self.value

    def __exit__(self, *exc):
        _grad.enabled = self.prev
        return False


def _selectors(op, nout):
    """The per-output Ops of an `nout`-output op (cached): output i's node forwards its
    cotangent to position i of the op's Cotangents."""
    sels = op.selectors.get(nout)
    if sels is None:
        sels = []
        for i in range(nout):
            s = _Select.__new__(_Select)
            s.name, s.grad_name, s.forward, s.doc = f"{op.name}[{i}]", "SelectBackward", None, None
            s.index, s.nout = i, nout
            sels.append(s)
        sels = op.selectors[nout] = tuple(sels)
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
    first order, a Tensor when recording. A gradient of a shape the input broadcasts to is
    summed back (a forgotten sum_to); one that broadcasts to the input's shape is expanded."""
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
        if full == gshape:
            gi = sum_to(gi, shape, gshape)
        elif full == shape:
            gi = np.broadcast_to(gi, shape)
        else:
            raise ValueError(f"{who}.backward returned a gradient of shape {gshape} for input "
                             f"{i}, whose shape is {shape}; they must match")
    if _dtype(gi) != dtype:
        gi = gi.astype(dtype)
    return gi


# ---- Function ---------------------------------------------------------------------------------

class FunctionCtx:
    """What forward leaves for backward: `save_for_backward(*arrays)` (inputs and outputs
    only), `saved_tensors`, `needs_input_grad`, and any plain attributes you set."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._to_save = None
        self._saved = ()            # (kind, index) per saved value: kind "in", "out" or None
        self._args = ()
        self._versions = ()
        self._outs = ()
        self._node = None           # set only while backward runs: ctx → node → ctx is a cycle
        self._create = False

    def save_for_backward(self, *values):
        """Keep forward inputs or outputs for backward (the very arrays forward received or
        returns; checked when forward returns)."""
        self._to_save = values

    @property
    def saved_tensors(self):
        """The saved values as Tensors, in save order: an input is the input Tensor itself
        (recorded through when create_graph=True), an output is re-wrapped with the op's node."""
        node, create = self._node, self._create
        out = []
        for j, (kind, k) in enumerate(self._saved):
            if kind is None:
                out.append(None)
            elif kind == "in":
                a = self._args[k]
                if type(a) is Tensor:
                    if node is not None:
                        _version_checked(node, k, a, self._versions[k], True)
                    if not (create and node is not None):
                        a = _make(a.data, None)     # first order: nothing may record through it
                elif isinstance(a, (np.ndarray, np.generic)):
                    a = _make(a, None)
                out.append(a)
            else:
                o = self._outs[k]
                if create and node is not None and _floating(o):
                    if len(self._metas) == 1:
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

    def backward(self, node, g, create):
        ctx = node.saved
        cls = self.cls
        who = cls.__name__
        gs = _cotangents(g, ctx._multi, ctx._metas)
        ctx._node, ctx._create = node, create
        try:
            if create:
                res = cls.backward(ctx, *gs)
            else:
                with _grad_mode(False):
                    res = cls.backward(ctx, *gs)
        finally:
            ctx._node = None
        n = len(node.parents)
        if not isinstance(res, (tuple, list)):
            res = (res,)
        if len(res) != n:
            raise RuntimeError(f"{who}.backward returned {len(res)} gradients, but forward took "
                               f"{n} inputs; return one per input (None for those that need none)")
        out = []
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
        ts = tuple(np.zeros(np.shape(a), np.result_type(a)) if t is None else t
                   for t, a in zip(tangents, ctx._datas))
        return f(ctx, *ts)


class Function:
    """Base class of custom ops. Subclass with staticmethods `forward(ctx, *args)` (gets
    ndarrays for tensors, other arguments as given; returns an array or a tuple of arrays),
    `backward(ctx, *grads)` (one gradient Tensor per output; returns one gradient per forward
    input, None allowed), optionally `jvp(ctx, *tangents)`, and call `Fn.apply(*args)`.
    """

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
        who = cls.__name__
        if cls._op is None or getattr(cls, "forward", None) is None:
            raise TypeError(f"{who} must subclass wg.Function and define a staticmethod "
                            f"forward(ctx, *args)")
        enabled = _grad.enabled
        needs = tuple(enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
        datas = tuple(a.data if isinstance(a, Tensor) else a for a in args)
        ctx = FunctionCtx(needs)
        with _grad_mode(False):
            raw = cls.forward(ctx, *datas)
        multi = isinstance(raw, tuple)
        raws = raw if multi else (raw,)
        outs = tuple(_as_output(o, who, k) for k, o in enumerate(raws))
        if ctx._to_save is not None:
            ctx._saved = tuple(_locate(v, datas, raws, who, j) for j, v in enumerate(ctx._to_save))
            ctx._to_save = None
        record = any(needs) and any(_floating(o) for o in outs)
        if not record:
            return _wrap_outputs(cls._op, outs, multi, None)
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
        return _wrap_outputs(cls._op, outs, multi, node)


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


# ---- checkpoint -------------------------------------------------------------------------------

class _CheckpointOp(Op):
    __slots__ = ("selectors",)

    def backward(self, node, g, create):
        fn, args, rng_state, multi, metas = node.saved
        for i, (a, v) in enumerate(zip(args, node.versions)):
            if type(a) is Tensor:
                _version_checked(node, i, a, v, False)
        gs = _cotangents(g, multi, metas)
        needs = tuple(p is not None for p in node.parents)
        if create:
            # d/d(args) of Σ gs·fn(args), itself a checkpoint: connected to args and gs
            n = len(args)
            res = checkpoint(_vjp_function(fn, n, needs, rng_state), *args, *gs)
            res = iter(res if isinstance(res, tuple) else (res,))
            return tuple(next(res) if need else None for need in needs)
        copies = [_leaf_copy(a, need) for a, need in zip(args, needs)]
        grads = _vjp(fn, copies, needs, gs, rng_state, create=False)
        return tuple(None if gi is None else gi.data for gi in grads)


_checkpoint_op = _CheckpointOp.__new__(_CheckpointOp)
_checkpoint_op.name = "checkpoint"
_checkpoint_op.grad_name = "CheckpointBackward"
_checkpoint_op.forward = None
_checkpoint_op.doc = "checkpoint(fn, *args): fn recomputed in backward"
_checkpoint_op.selectors = {}


def _leaf_copy(a, requires_grad):
    """A fresh leaf sharing a's value: the recomputed graph stops here."""
    if not isinstance(a, Tensor):
        return a
    c = _make(a.data, None)
    c._requires_grad = requires_grad
    return c


def _vjp(fn, xs, needs, gs, rng_state, create):
    """Σ_k gs[k]·∂fn(xs)[k]/∂xs[i] for each needed i (zeros where unused); xs are leaves."""
    with _grad_mode(True), _rng_at(rng_state):
        out = fn(*xs)
    outs = out if isinstance(out, tuple) else (out,)
    pairs = [(o, g) for o, g in zip(outs, gs) if isinstance(o, Tensor) and o._requires_grad]
    targets = [x for x, need in zip(xs, needs) if need]
    if pairs:
        with _grad_mode(True):
            grads = _grad_of([o for o, _ in pairs], targets, [g for _, g in pairs],
                             create_graph=create, allow_unused=True)
    else:
        grads = (None,) * len(targets)
    result = iter(grads)
    out = []
    for x, need in zip(xs, needs):
        if not need:
            out.append(None)
            continue
        gi = next(result)
        out.append(_make(np.zeros_like(x.data), None) if gi is None else gi)
    return out


def _vjp_function(fn, n, needs, rng_state):
    """(args, cotangents) ↦ the needed gradients of fn: what a checkpoint's backward computes,
    as a function a checkpoint can recompute and differentiate in turn."""
    def vjp_of_fn(*args_and_cotangents):
        args, gs = args_and_cotangents[:n], args_and_cotangents[n:]
        create = _grad.enabled          # on when this is being recomputed for differentiation
        xs = [a if not need or a._requires_grad else _leaf_copy(a, True)
              for a, need in zip(args, needs)]
        grads = _vjp(fn, xs, needs, gs, rng_state, create)
        return tuple(gi for gi, need in zip(grads, needs) if need)
    return vjp_of_fn


class _rng_at:
    """Run with wengert's random generator at a saved state (then put it back), so a
    recomputation draws the same random numbers (dropout) as the original forward."""
    __slots__ = ("state", "prev")

    def __init__(self, state):
        self.state = state

    def __enter__(self):
        from .. import creation
        gen = creation.generator()
        self.prev = gen.bit_generator.state
        gen.bit_generator.state = self.state

    def __exit__(self, *exc):
        from .. import creation
        creation.generator().bit_generator.state = self.prev
        return False


def checkpoint(fn, *args):
    """fn(*args), keeping only the inputs: fn's intermediates are freed after forward and
    recomputed in backward (memory for time). Gradients equal those of fn(*args), to any order.

    fn must return a Tensor or a tuple of Tensors and be deterministic given its inputs and
    wengert's random generator (whose state is restored for the recomputation).
    """
    if not callable(fn):
        raise TypeError(f"checkpoint needs a function as its first argument, got {type(fn).__name__}")
    from .. import creation
    rng_state = creation.generator().bit_generator.state
    enabled = _grad.enabled
    needs = tuple(enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
    with _grad_mode(False):
        out = fn(*[_leaf_copy(a, False) for a in args])
    multi = isinstance(out, tuple)
    outs = out if multi else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"checkpoint: fn must return a Tensor or a tuple of Tensors; "
                            f"output {k} is {type(o).__name__}")
    datas = tuple(o.data for o in outs)
    if _anomaly.state.enabled:
        _anomaly.check_forward(_checkpoint_op, datas)
    if not any(needs) or not any(_floating(d) for d in datas):
        return _wrap_outputs(_checkpoint_op, datas, multi, None)
    parents = tuple((a if a.grad_fn is None else a.grad_fn) if n else None
                    for a, n in zip(args, needs))
    versions = tuple(a._version if type(a) is Tensor else 0 for a in args)
    metas = tuple((np.shape(d), np.result_type(d)) for d in datas)
    node = Node(_checkpoint_op, parents, (fn, args, rng_state, multi, metas), versions, None)
    return _wrap_outputs(_checkpoint_op, datas, multi, node)
