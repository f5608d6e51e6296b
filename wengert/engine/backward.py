"""Reverse mode over the recorded graph: `.backward()` (accumulate into leaves) and
`autograd.grad` (return gradients, touch no `.grad`).

One pass: walk the graph once (`graph.walk`: every node before its parents), then visit the
nodes in that order, each with the sum of the gradients its users sent it. A node's rule
runs once, on that sum; its results are added into its parents' sums. All state is local to
the call, so a backward inside a rule, a hook or a checkpoint is an ordinary nested call.

Gradients travel as ndarrays at first order (the rules then run at NumPy speed and record
nothing) and as Tensors with `create_graph=True` (the same rules then record the backward
pass, so it can be differentiated again). `None` means an exactly-zero gradient.
"""
import sys

import numpy as np

from . import anomaly, errstate
from .graph import walk
from .node import FREED, Node, _node_hooks, freed_error
from ..tensor import Tensor, _make


def run_backward(roots, seeds, retain_graph, create_graph, capture=None, order=None):
    """Propagate `seeds` (one per root) back through the graph.

    Without `capture`, leaves accumulate into `.grad`. With `capture` (a dict from a Node or
    leaf to the indices of the requested inputs it stands for), returns the gradient arriving
    at each captured target instead (None where it was not reached) and touches no `.grad`;
    only the rules of nodes through which a target is reached then run. `order`: walk(roots),
    when the caller has it.
    """
    if order is None:
        order = walk(roots)
    sums = {}               # node or leaf → the sum of the gradients sent to it so far
    owned = set()           # keys whose sum is an array this pass made: safe to add into
    for r, s in zip(roots, seeds):
        _accumulate(sums, owned, r, s, create_graph)
    delivered = {id(s) for s in seeds if type(s) is not Tensor}   # never handed out as .grad
    results = leads = None
    if capture is not None:
        results = [None] * (1 + max((i for ix in capture.values() for i in ix), default=-1))
        leads = _leading_to(capture, order)
    hooked = len(_node_hooks) > 0          # (hooks added while the pass runs are not seen)
    check_nan = anomaly.state.enabled
    outer = errstate.begin()
    try:
        for item in order:
            g = sums.pop(item, None)
            if type(item) is not Node:                            # a leaf
                if capture is None:
                    if g is not None:
                        _deliver(item, g, delivered)
                elif item in capture:
                    g = _run_hooks(_leaf_hooks(item), g)
                    for i in capture[item]:
                        results[i] = g
                continue
            node = item
            if capture is not None and node not in leads and node not in capture:
                continue                      # no target above: nothing to run here
            if hooked and g is not None:
                g = _run_hooks(_node_hooks.get(node), g)
            if capture is not None:
                if node in capture:
                    for i in capture[node]:
                        results[i] = g
                if node not in leads:
                    continue
            if node.saved is FREED:
                raise freed_error(node)
            if g is None:                     # an all-zero gradient: nothing flows on
                continue
            op = node.op
            if op.add_into is not None and not create_graph:
                p = node.parents[0]
                if p in owned and op.add_into(node, g, sums[p]):
                    if not retain_graph:
                        node.saved = FREED
                    continue
            grads = op.backward(node, g, create_graph)
            if check_nan:
                anomaly.check_backward(node, grads)
            if not retain_graph:
                node.saved = FREED
            for p, gp in zip(node.parents, grads):
                if p is not None and gp is not None:
                    first = p not in sums
                    _accumulate(sums, owned, p, gp, create_graph)
                    if first and op.add_into is not None:
                        owned.add(p)          # a new array from the transpose: ours
    finally:
        errstate.end(outer)
    return results


def _accumulate(sums, owned, key, g, create_graph):
    """Add g into the gradient so far of `key`. The first contribution is stored as is (it
    may be shared); a sum this pass made is ours, so later contributions go into it in place."""
    prev = sums.get(key)
    if prev is None:
        sums[key] = g
    elif key in owned and type(prev) is np.ndarray and not create_graph:
        np.add(prev, g, out=prev)
    else:
        sums[key] = prev + g
        owned.add(key)


def _leading_to(targets, order):
    """The nodes with a target above them (among their parents, or their parents' parents…):
    only their rules need to run."""
    leads = set()
    for node in reversed(order):                  # parents before their users
        if type(node) is Node:
            for p in node.parents:
                if p is not None and (p in targets or p in leads):
                    leads.add(node)
                    break
    return leads


def _leaf_hooks(leaf):
    extra = leaf._extra
    return None if extra is None else extra.hooks


def _run_hooks(hooks, g):
    """g after each hook in `hooks` (a hook returning None leaves it as it is)."""
    if not hooks or g is None:
        return g
    for hook in list(hooks):
        r = hook(g if type(g) is Tensor else _make(g, None))
        if r is not None:
            g = _hook_result(hook, g, r)
    return g


def _hook_result(hook, g, r):
    """A hook's replacement r for the gradient g, checked: g's shape and kind of dtype (a
    float gradient stays float; cast to g's dtype), as a Tensor when g is one."""
    a = r.data if isinstance(r, Tensor) else np.asarray(r)
    gd = g.data if type(g) is Tensor else g
    shape, dtype = np.shape(gd), np.result_type(gd)
    name = getattr(hook, "__qualname__", None) or repr(hook)
    if np.shape(a) != shape:
        raise RuntimeError(f"hook {name!r} returned a gradient of shape {np.shape(a)}, but "
                           f"the gradient it was given has shape {shape}; a hook must return "
                           f"a gradient of the same shape (or None)")
    kind = np.result_type(a).kind
    if kind != dtype.kind and not (kind == "f" and dtype.kind == "c"):
        raise RuntimeError(f"hook {name!r} returned a gradient of dtype {np.result_type(a)}, "
                           f"but the gradient it was given has dtype {dtype}; return a "
                           f"floating-point gradient (or None)")
    if type(g) is Tensor:
        r = r if isinstance(r, Tensor) else _make(a, None)
        return r if r.dtype == dtype else r.astype(dtype)
    return a if a.dtype == dtype else a.astype(dtype)


def _deliver(leaf, g, delivered):
    """Add g into leaf.grad. An array that may be shared (seen before, a view, the caller's
    seed, read-only) is copied first, so a later in-place update of .grad corrupts nothing."""
    g = _run_hooks(_leaf_hooks(leaf), g)
    if type(g) is Tensor:
        if g.dtype != leaf.dtype:
            g = g.astype(leaf.dtype)
        leaf.grad = g if leaf.grad is None else leaf.grad + g
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
    old = leaf.grad
    if old is None:
        leaf.grad = _make(g, None)
    else:
        leaf.grad = _make(old.data + g, None)


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
    capture = {}
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(x).__name__} at position {i}")
        if not x.requires_grad:
            raise RuntimeError(f"input {i} does not require grad: create it with requires_grad=True")
        capture.setdefault(x.grad_fn if x.grad_fn is not None else x, []).append(i)
    results = run_backward(roots, seeds, retain_graph, create_graph, capture)
    out = []
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
