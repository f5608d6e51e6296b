"""Reverse mode over the recorded graph: `.backward()` (accumulate into leaves) and
`autograd.grad` (return gradients, touch no `.grad`).

One pass, no walk before it: a node's parents were recorded before it (`Node.seq`, a global
counter, grows with every node), so visiting the nodes reached so far in decreasing `seq` (a
heap) visits each node after every node that can send it a gradient. Its rule runs once, on
the sum of what it was sent; the results are added into its parents' sums. All state is local
to the call, so a backward inside a rule, a hook or a checkpoint is an ordinary nested call.

Gradients travel as ndarrays at first order (the rules then run at NumPy speed and record
nothing) and as Tensors with `create_graph=True` (the same rules then record the backward
pass, so it can be differentiated again). `None` means an exactly-zero gradient.
"""
import sys
from heapq import heappop, heappush

import numpy as np

from . import anomaly, errstate
from .graph import walk
from .hooks import _leaf_hooks, _run_hooks
from .node import FREED, Node, _node_hooks, freed_error
from ..tensor import Tensor, _make


_ABSENT = object()      # (a key not in `sums`: not reached yet)


def run_backward(roots, seeds, retain_graph, create_graph, capture=None, floor=None):
    """Propagate `seeds` (one per root) back through the graph.

    Without `capture`, leaves accumulate into `.grad`. With `capture` (a dict from a Node or
    leaf to the indices of the requested inputs it stands for), returns the gradient arriving
    at each captured target instead (None where it was not reached) and touches no `.grad`;
    only the rules of nodes through which a target may be reached then run. `floor`: a
    `Node.seq` below which no target lies (the caller knows it: its targets were made after
    it); the pass then does not go below it, and returns (results, crossed): crossed tells
    whether the graph it visited has an edge to a node below the floor or to a leaf not
    captured (a Tensor from outside the caller's call), seen as the pass meets the edge.
    Without `floor`, a pass with a Node among the targets walks the graph once to find the
    nodes leading to a target.
    """
    sums: dict = {}               # node or leaf reached → the sum of the gradients sent to it so far
    heap: list = []               # (-seq, node) of the nodes reached and not yet visited
    made = set()            # keys whose sum is an array this pass made (from three gradients on)
    leaves = []             # the leaves reached, in the order reached
    low = -1 if floor is None else floor
    crossed = False
    for r, s in zip(roots, seeds):
        if r in sums:
            sums[r] = s if sums[r] is None else sums[r] + s
        elif type(r) is Node:
            if r.seq >= low:
                sums[r] = s
                heappush(heap, (-r.seq, r))
            else:
                crossed = True
        else:
            sums[r] = s
            leaves.append(r)
    results: list | None = None
    leads = None
    if capture is not None:
        n = 0
        for k, ix in capture.items():       # (plain loops: this runs on every transform call)
            for i in ix:
                if i >= n:
                    n = i + 1
            if type(k) is Node and floor is None and leads is None:
                leads = _leading_to(capture, walk(roots, (), _lowest(capture)))
        results = [None] * n
    hooked = len(_node_hooks) > 0          # (hooks added while the pass runs are not seen)
    check_nan = anomaly.state.enabled
    absent, ndarray = _ABSENT, np.ndarray
    outer = errstate.begin()
    try:
        while heap:
            node = heappop(heap)[1]
            g = sums.pop(node)
            if leads is not None and node not in leads and node not in capture:
                continue                      # no target below: nothing to run here
            if hooked and g is not None:
                g = _run_hooks(_node_hooks.get(node), g)
            if capture is not None:
                ix = capture.get(node)
                if ix is not None:
                    for i in ix:
                        results[i] = g  # type: ignore[index]  # (capture is set: results is a list)
                    if leads is not None and node not in leads:
                        continue
            if node.saved is FREED:
                raise freed_error(node)
            op = node.op
            if g is None:                     # an all-zero gradient: only zeros flow on
                grads = (None,) * len(node.parents)
            else:
                grads = op.backward(node, g, create_graph)
                if check_nan:
                    anomaly.check_backward(node, grads)
                if not retain_graph:
                    node.saved = FREED
            for p, gp in zip(node.parents, grads):
                if p is None:
                    continue
                prev = sums.get(p, absent)
                if prev is not absent:
                    if gp is None:
                        continue
                    if prev is None:
                        sums[p] = gp
                    elif p in made and type(gp) is ndarray and gp.dtype == prev.dtype \
                            and gp.shape == prev.shape:
                        np.add(prev, gp, out=prev)    # a sum this pass made: ours to add into
                    else:
                        sums[p] = total = prev + gp
                        if type(total) is ndarray:
                            made.add(p)
                    continue
                if type(p) is Node:
                    if p.seq < low:
                        crossed = True        # below every target: from outside
                        continue
                    heappush(heap, (-p.seq, p))
                else:
                    leaves.append(p)
                sums[p] = gp
        if capture is None:
            delivered = {id(s) for s in seeds if type(s) is not Tensor}  # never handed out
            for leaf in leaves:
                g = sums[leaf]
                if g is not None:
                    _deliver(leaf, g, delivered)
        else:
            for leaf in leaves:
                ix = capture.get(leaf)
                if ix is not None:
                    g = _run_hooks(_leaf_hooks(leaf), sums[leaf])
                    for i in ix:
                        results[i] = g  # type: ignore[index]  # (capture is set: results is a list)
                else:
                    crossed = True            # a leaf from outside
    finally:
        errstate.end(outer)
    return results if floor is None else (results, crossed)


def _lowest(targets):
    """The lowest `seq` among the target nodes (0 when a leaf is a target): no target lies
    below it. The walk for `_leading_to` goes through targets (another target may lie under
    one: grad of y with respect to both x and b = sin(x) takes both paths to x) but not below
    this."""
    low = None
    for k in targets:
        if type(k) is not Node:
            return 0
        if low is None or k.seq < low:
            low = k.seq
    return low


def _leading_to(targets, order):
    """The nodes with a target below them (among their parents, or their parents' parents…):
    only their rules need to run."""
    leads = set()
    for node in reversed(order):                  # parents before their users
        if type(node) is Node:
            for p in node.parents:
                if p is not None and (p in targets or p in leads):
                    leads.add(node)
                    break
    return leads


def _deliver(leaf, g, delivered):
    """Add g into leaf.grad. An array that may be shared (seen before, a view, the caller's
    seed, read-only) is copied first, so a later in-place update of .grad corrupts nothing."""
    g = _run_hooks(_leaf_hooks(leaf), g)
    if type(g) is Tensor:
        if g.dtype != leaf.dtype:
            g = g.astype(leaf.dtype)
        leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    dtype = leaf.data.dtype
    if type(g) is not np.ndarray:
        g = np.asarray(g, dtype=dtype)
    elif g.dtype != dtype:
        g = g.astype(dtype)
    elif (id(g) in delivered or not g.flags.writeable
          or g.base is not None and sys.getrefcount(g.base) > 2):
        g = g.copy()        # (a view whose base nothing else holds is ours: no copy)
    if g.shape != leaf.data.shape:
        g = np.broadcast_to(g, leaf.data.shape).copy()
    delivered.add(id(g))
    old = leaf._grad
    if old is None:
        leaf._grad = _make(g, None)
    else:
        leaf._grad = _make(old.data + g, None)


def _seed_for(t, gradient, create_graph, what):
    if gradient is None:
        if t.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for outputs with one element; {what} has "
                f"shape {t.shape}: pass gradient= (a tensor of shape {t.shape}) to backward, or "
                f"reduce the output first (e.g. y.sum()).")
        d = t.data
        if d.dtype.kind == "c":
            raise TypeError(f"grad can be implicitly created only for real outputs; {what} is "
                            f"complex: pass gradient= (the cotangent, ∂L/∂Re + i ∂L/∂Im), or "
                            f"take np.real, np.imag or np.abs of it first")
        g = np.ones(d.shape, d.dtype)
        return _make(g, None) if create_graph else g
    if isinstance(gradient, Tensor):
        if tuple(gradient.shape) != tuple(t.shape):
            raise RuntimeError(
                f"gradient has shape {gradient.shape} but {what} has shape {t.shape}; they must match")
        return gradient if create_graph else gradient.data
    g = np.asarray(gradient, dtype=t.data.dtype)
    if g.shape != t.data.shape:
        raise RuntimeError(f"gradient has shape {g.shape} but {what} has shape {t.shape}; they must match")
    return _make(g, None) if create_graph else g


def _target(t, what):
    if t.grad_fn is not None:
        return t.grad_fn
    if t.requires_grad:
        return t
    raise RuntimeError(
        f"{what} does not require grad and has no grad_fn: nothing to differentiate. Create "
        f"the inputs with requires_grad=True (outside no_grad()) before computing it.")


def backward(tensor, gradient=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensor)/d(leaf) · gradient into every leaf's `.grad`."""
    if retain_graph is None:
        retain_graph = create_graph
    root = _target(tensor, "the tensor")
    seed = _seed_for(tensor, gradient, create_graph, "the tensor")
    run_backward([root], [seed], retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Σ_k grad_outputs[k] · ∂outputs[k]/∂inputs, one Tensor per input; `.grad` untouched."""
    single_out = isinstance(outputs, Tensor)
    outputs = [outputs] if single_out else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor) and single_out:
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = [], []
    for k, (o, go) in enumerate(zip(outputs, grad_outputs)):
        roots.append(_target(o, f"output {k}"))
        seeds.append(_seed_for(o, go, create_graph, f"output {k}"))
    capture: dict = {}
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(x).__name__} at position {i}")
        if not x.requires_grad:
            raise RuntimeError(f"input {i} does not require grad: create it with requires_grad=True")
        capture.setdefault(x.grad_fn if x.grad_fn is not None else x, []).append(i)
    results = run_backward(roots, seeds, retain_graph, create_graph, capture)
    out: list = []
    for i, (x, g) in enumerate(zip(inputs, results)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"input {i} was not used to compute the outputs (its gradient is undefined); "
                    f"pass allow_unused=True to get None for it instead.")
            out.append(None)
            continue
        out.append(gradient_of(g, x))
    return tuple(out)


def gradient_of(g, x):
    """A gradient the pass returned (an array or a Tensor) as a Tensor of x's dtype."""
    if type(g) is not Tensor:
        g = np.asarray(g)
        if g.dtype != x.data.dtype:
            g = g.astype(x.data.dtype)
        return _make(g, None)
    return g if g.dtype == x.dtype else g.astype(x.dtype)
