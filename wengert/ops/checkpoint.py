"""Gradient checkpointing (`wg.checkpoint`): an ordinary op to the engine, one Node whose
`saved` slot holds the function, its inputs and the random generator's state.

A checkpoint keeps only its inputs. Its forward runs the function recorded on fresh leaf
copies of them and drops that graph as soon as it returns; the walk over it first finds the
tensors requiring grad that the function closes over (parameters, outer variables), which
become further inputs of the checkpoint's node. Its backward recomputes the function and runs
a nested backward over the recomputed graph alone (see _CheckpointOp.backward); the engine's
traversal keeps its state per call, so this is safe inside an outer backward. With
create_graph=True the recomputation runs on recorded copies of the inputs and the nested pass
records itself, so checkpoints differentiate to any order.
"""
import numpy as np

from ..engine import anomaly as _anomaly
from ..engine.backward import run_backward
from ..engine.errstate import quiet
from ..engine.graph import walk
from ..engine.node import Node, _next_seq, version_error
from ..grad_mode import state as _grad, grad_mode_set
from ..tensor import Tensor, _make
from ._primitive import Op, check_version
from .elementwise import positive
from .function import _cotangents, _floating, _wrap_outputs

__all__ = ["checkpoint"]


# ---- checkpoint -------------------------------------------------------------------------------

class _CheckpointOp(Op):
    __slots__ = ("selectors",)
    selectors: dict

    def backward(self, node, g, create):
        """Recompute fn, then a nested backward over the recomputed graph alone: its edges
        into anything made before the recomputation (the inputs' copies, the tensors fn
        closes over) are bent onto stand-in leaves for the pass, so it captures the gradients
        there and never walks, runs or frees the graph outside."""
        quiet()
        fn, args, rng_state, multi, metas, externals, ext_versions = node.saved
        n = len(args)
        for i, (a, v) in enumerate(zip(args, node.versions)):
            if type(a) is Tensor:
                check_version(node, i, a, v)
        for j, (e, v) in enumerate(zip(externals, ext_versions)):
            if v is not None and e._version != v:
                raise version_error(node, n + j, v, e._version)
        gs = _cotangents(g, multi, metas)
        if not create:
            gs = [s.data for s in gs]
        needs = tuple(p is not None for p in node.parents[:n])
        record = create and _grad.enabled
        # recording: copies connected to the inputs, so the recorded gradients differentiate
        # again through them; else fresh leaves
        copies = [positive(a) if record and need else _leaf_copy(a, need and not record)
                  for a, need in zip(args, needs)]
        key = {}                      # endpoint of the recomputed graph → the leaf captured
        capture = {}
        for i, (c, need) in enumerate(zip(copies, needs)):
            if need:
                if c.grad_fn is None:
                    key[c] = c
                else:
                    key[c.grad_fn] = _stand_in(None)
                capture[key[c.grad_fn or c]] = [i]
        ext_index = {e: n + j for j, e in enumerate(externals)}
        start = _next_seq()
        with grad_mode_set(True), _rng_at(rng_state):
            out = fn(*copies)
        outs = out if isinstance(out, tuple) else (out,)
        inner, ends = _recorded(outs, start, key)
        for e in ends:
            k = ext_index.get(e)
            if k is None:
                raise RuntimeError(
                    "checkpoint: recomputing fn in backward reached a tensor requiring grad that "
                    "the forward pass did not (fn must compute the same thing both times; create "
                    "tensors that require grad outside fn and pass them in or close over them)")
            key[e] = s = _stand_in(e)
            capture[s] = [k]
        bent = []
        try:
            for nd in inner:
                ps = nd.parents
                if any(p is not None and p in key for p in ps):
                    bent.append((nd, ps))
                    nd.parents = tuple(key.get(p, p) if p is not None else None for p in ps)
            roots, seeds = [], []
            for o, s in zip(outs, gs):
                if isinstance(o, Tensor):
                    r = o.grad_fn if o.grad_fn is not None else o if o._requires_grad else None
                    if r is not None:
                        roots.append(key.get(r, r))
                        seeds.append(s)
            res = run_backward(roots, seeds, record, create, capture) if roots else None
        finally:
            for nd, ps in bent:           # the recorded gradients may be differentiated again
                nd.parents = ps
        if res is None:
            return (None,) * len(node.parents)
        res = list(res) + [None] * (len(node.parents) - len(res))
        return tuple(None if p is None else r for p, r in zip(node.parents, res))


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


def _stand_in(e):
    """A leaf with no hooks that takes an endpoint's place during the nested backward."""
    s = _make(e.data if isinstance(e, Tensor) else np.zeros(()), None)
    s._requires_grad = True
    return s


def _recorded(outs, start, own):
    """(the nodes recorded after `start` that the outputs reach, the endpoints below them
    other than those in `own`): leaves requiring grad and nodes recorded before `start`."""
    roots = [o.grad_fn if o.grad_fn is not None else o for o in outs
             if isinstance(o, Tensor) and (o.grad_fn is not None or o._requires_grad)]
    inner, ends = [], []
    for item in walk(roots, floor=start + 1):
        if type(item) is Node and item.seq > start:
            inner.append(item)
        elif item not in own:
            ends.append(item)
    return inner, ends


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

    As PyTorch's non-reentrant checkpoint: fn runs recorded (its graph is dropped as soon as
    it returns), so the tensors requiring grad that fn closes over (a Module's parameters, an
    outer variable) are found and become inputs of the checkpoint too: they get their
    gradients, and a closed-over leaf changed in place before backward is an error.

    fn must return a Tensor or a tuple of Tensors and be deterministic given its inputs and
    wengert's random generator (whose state is restored for the recomputation).

    Inputs carrying forward-mode tangents, or a result that carries them (fn closes over a
    dual number): fn runs directly (its tangents come from its own ops, which a
    recomputation at backward time could not give the forward pass), so values, tangents and
    gradients stay exact; only the memory saving is forgone there.

    Examples
    --------
    >>> x = wg.tensor(1.0, requires_grad=True)
    >>> wg.checkpoint(lambda t: wg.sin(t) ** 2, x).backward()
    >>> x.grad                      # 2 sin x cos x = sin 2x
    tensor(0.90929743)
    """
    if not callable(fn):
        raise TypeError(f"checkpoint needs a function as its first argument, got {type(fn).__name__}")
    if any(isinstance(a, Tensor) and a._tangents is not None for a in args):
        return fn(*args)
    from .. import creation
    gen = creation.generator()
    rng_state = gen.bit_generator.state
    enabled = _grad.enabled
    needs = tuple(enabled and isinstance(a, Tensor) and a._requires_grad for a in args)
    copies = [_leaf_copy(a, n) for a, n in zip(args, needs)]
    start = _next_seq()
    out = fn(*copies)
    multi = isinstance(out, tuple)
    outs = out if multi else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"checkpoint: fn must return a Tensor or a tuple of Tensors; "
                            f"output {k} is {type(o).__name__}")
    if any(o._tangents is not None for o in outs):
        gen.bit_generator.state = rng_state
        return fn(*args)
    externals: tuple = ()
    if enabled:
        externals = tuple(_recorded(outs, start, {c for c in copies if isinstance(c, Tensor)})[1])
    datas = tuple(o.data for o in outs)
    del out, outs                               # fn's graph goes here
    if _anomaly.state.enabled:
        _anomaly.check_forward(_checkpoint_op, datas)
    if not (any(needs) or externals) or not any(_floating(d) for d in datas):
        return _wrap_outputs(_checkpoint_op, datas, multi, None)
    parents = tuple((a if a.grad_fn is None else a.grad_fn) if n else None
                    for a, n in zip(args, needs)) + externals
    versions = tuple(a._version if type(a) is Tensor else 0 for a in args)
    ext_versions = tuple(e._version if type(e) is not Node else None for e in externals)
    metas = tuple((np.shape(d), np.result_type(d)) for d in datas)
    node = Node(_checkpoint_op, parents,
                (fn, args, rng_state, multi, metas, externals, ext_versions), versions, None)
    return _wrap_outputs(_checkpoint_op, datas, multi, node)
