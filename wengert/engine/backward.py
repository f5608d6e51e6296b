"""Reverse mode over the recorded graph: `.backward()` (accumulate into leaves) and
`autograd.grad` (return gradients, touch no `.grad`), and the graph walks viz and symbolic use.

A node may run its rule once every node that feeds it a gradient has run. Two orders give
that, both without recursion:

* The usual pass visits nodes in decreasing creation order (`Node.seq`; a heap of the nodes
  reached so far). Every node that feeds a gradient to a node was created after it, so when a
  node is the latest-created one still waiting, nothing can add to its gradient any more. No
  counting pass is needed, and the pass keeps its state in the nodes' slots.
* Kahn's algorithm with edge counts (`count_edges`, `walk`) for everything else: passes with
  hooks, anomaly checks or targets inside the graph, in-place gradients, a pass started while
  another holds the slots (a backward inside a hook or rule, checkpoint, another thread),
  and the walks of viz and symbolic.

Gradients travel as ndarrays at first order (the rules then run at NumPy speed and record
nothing) and as Tensors with `create_graph=True` (the same rules then record the backward
pass, so it can be differentiated again). `None` means an exactly-zero gradient.
"""
import sys
import threading
from heapq import heappop, heappush

import numpy as np

from . import anomaly, quiet
from .node import FREED, Node, _node_hooks, freed_error
from ..tensor import Tensor, _make


# Rules may write into gradient arrays of at least this size that only the backward pass
# holds, in a pass seeded with such arrays (a batch of cotangents: jacrev, hessian). glibc
# serves a request this large (its default mmap threshold) with fresh pages that fault on
# first touch, so a reused array saves that (measured: a 200×200 batched jacrev 1.35 → 1.04
# ms); a smaller new array comes warm from the heap and costs less than writing through out=
# does, and a pass seeded with one number pays no check per node.
INPLACE_BYTES = 128 << 10


def count_edges(roots, leaves=None):
    """For every node or leaf reachable from `roots`, the number of edges leading into it.
    `leaves`, a list, also collects the leaves below the roots (not the roots themselves)."""
    pending = {}
    stack = []
    for r in roots:
        if r not in pending:
            pending[r] = 0
            if type(r) is Node:
                stack.append(r)
    while stack:
        for p in stack.pop().parents:
            if p is None:
                continue
            c = pending.get(p)
            if c is None:
                pending[p] = 1
                if type(p) is Node:
                    stack.append(p)
                elif leaves is not None:
                    leaves.append(p)
            else:
                pending[p] = c + 1
    return pending


# One pass at a time keeps its state in the nodes' slots. Measured in one process, versions
# interleaved: slots instead of dicts keyed by node, ~1 % of grad of a 10-op function of
# 10⁴-element arrays; creation order instead of Kahn's algorithm with its counts in those
# slots, `.backward()` of a 20,000-op chain of 0-d ops 1.40 → 1.13 µs an op.
_slots = threading.Lock()


def walk(roots, pending=None):
    """Yield the nodes and leaves reachable from `roots`, each after every node that uses it.

    The caller may act on each item before the walk releases its parents, which is what
    backward needs; viz and symbolic use the same order.
    """
    if pending is None:
        pending = count_edges(roots)
    ready = [r for r in dict.fromkeys(roots) if pending[r] == 0]
    while ready:
        item = ready.pop()
        yield item
        if type(item) is Node:
            for p in item.parents:
                if p is not None:
                    c = pending[p] - 1
                    pending[p] = c
                    if c == 0:
                        ready.append(p)


def run_backward(roots, seeds, retain_graph, create_graph, capture=None, pending=None,
                 reached=None):
    """Propagate `seeds` (one per root) back through the graph.

    Without `capture`, leaves accumulate into `.grad`. With `capture` (a dict from a Node or
    leaf to the indices of the requested inputs it stands for), returns the gradient arriving
    at each captured target instead (None where it was not reached) and touches no `.grad`.
    `pending`: the graph's edge counts, if the caller has them; `reached`: a list to which
    the leaves the pass reached are added.
    """
    big = INPLACE_BYTES
    inplace = nodes = False
    for s in seeds:
        # large seeds (a batch of cotangents) make large gradients: only then is writing
        # into them worth a check per node
        if type(s) is np.ndarray and s.nbytes >= big:
            inplace = True
    results = None
    if capture is not None:
        n = 0
        for k, ix in capture.items():        # (plain loops: once per call, on every call)
            for i in ix:
                if i >= n:
                    n = i + 1
            if type(k) is Node:
                nodes = True
        results = [None] * n
    hooked = _node_hooks.data          # the plain dict under the weak one: a cheap emptiness test
    check_nan = anomaly.state.enabled
    if not (nodes or inplace or hooked or check_nan) and _slots.acquire(False):
        return _run_slots(roots, seeds, retain_graph, create_graph, capture, results, reached)
    if pending is None:
        pending = count_edges(roots)
    if reached is not None:
        reached.extend(k for k in pending if type(k) is not Node)
    inbox, owned, delivered = {}, set(), set()
    for r, s in zip(roots, seeds):
        prev = inbox.get(r)
        inbox[r] = s if prev is None else prev + s
        if type(s) is not Tensor:
            delivered.add(id(s))          # the caller's array: never hand it out as a .grad
    # above a leaf there is nothing: pruning matters only when a target is a node
    needed = _leading_to(capture, roots, pending) if nodes else None
    ndarray, freed = np.ndarray, FREED          # (locals: read once a node)
    # walk()'s loop, with its release step merged into the gradient hand-off below: the
    # backward pass visits each parent edge once (measured: ~0.3 µs a node less)
    ready = [r for r in dict.fromkeys(roots) if pending[r] == 0]
    fresh = own = False
    # (hooks registered by a hook or rule while the pass runs are not seen by this pass)
    special = needed is not None or bool(hooked) or check_nan or inplace
    outer = quiet.begin()
    try:
        while ready:
            node = ready.pop()
            g = inbox.pop(node, None)
            if type(node) is not Node:                            # a leaf
                if capture is None:
                    if g is not None:
                        _deliver(node, g, delivered)
                elif node in capture:
                    g = _run_tensor_hooks(node, g)
                    for i in capture[node]:
                        results[i] = g
                continue
            if not special:
                # the usual pass: no targets inside the graph, hooks, anomaly checks or
                # in-place gradients, so a node is its rule and nothing else
                if node.saved is freed:
                    raise freed_error(node)
                if g is None:                             # all-zero: skip the rule
                    grads = None
                else:
                    grads = node.op.backward(node, g, create_graph, False)
                    if not retain_graph:
                        node.saved = freed
            else:
                grads = None
                run = True
                if needed is not None:                    # targets inside the graph
                    run = node in needed                  # (else the walk stops at an input)
                    if run or node in capture:
                        if hooked and g is not None:
                            g = _run_node_hooks(node, g)
                        if node in capture:
                            for i in capture[node]:
                                results[i] = g
                elif hooked and g is not None:
                    g = _run_node_hooks(node, g)
                if run:
                    if node.saved is freed:
                        raise freed_error(node)
                    if g is not None:                     # None: all-zero, skip the rule
                        fresh = own = False
                        if inplace and type(g) is ndarray and g.nbytes >= big:
                            # may later gradients be added into this rule's results (new
                            # arrays from an op whose rules keep none: Op.fresh)? And is g
                            # ours alone (no hook, capture or other edge saw it), so the
                            # rule may write its result into it?
                            fresh = node.op.fresh
                            own = (node in owned and not hooked
                                   and (capture is None or node not in capture))
                        grads = node.op.backward(node, g, create_graph, own)
                        if check_nan:
                            anomaly.check_backward(node, grads)
                        if not retain_graph:
                            node.saved = freed
            if grads is None:
                for p in node.parents:
                    if p is not None:
                        c = pending[p] - 1
                        pending[p] = c
                        if c == 0:
                            ready.append(p)
                continue
            for p, gp in zip(node.parents, grads):
                if p is None:
                    continue
                if gp is not None:
                    prev = inbox.get(p)
                    if prev is None:
                        inbox[p] = gp                     # stored as is: may be shared
                        if fresh and _ours(gp, g, own, grads):
                            owned.add(p)
                    elif p in owned and type(prev) is ndarray and not create_graph:
                        np.add(prev, gp, out=prev)        # a sum we made ourselves: safe in place
                    elif (fresh and _ours(gp, g, own, grads) and prev.shape == gp.shape
                          and prev.dtype == gp.dtype):
                        inbox[p] = np.add(gp, prev, out=gp)     # ours too: no new array
                        owned.add(p)
                    else:
                        inbox[p] = prev + gp
                        owned.add(p)
                c = pending[p] - 1
                pending[p] = c
                if c == 0:
                    ready.append(p)
    finally:
        quiet.end(outer)
    return results


def _run_slots(roots, seeds, retain_graph, create_graph, capture, results, reached):
    """run_backward's usual pass (no hooks, anomaly checks, targets inside the graph or
    in-place gradients) in decreasing creation order, its state in the nodes' slots: each
    node reached waits in a heap keyed by its seq, its gradient so far in `_inbox`. Leaves
    collect their gradients in a dict and receive them at the end."""
    leaves = {}
    owned = set()
    heap = []
    freed, node_t = FREED, Node
    try:
        for r, s in zip(roots, seeds):
            if type(r) is node_t:
                prev = r._inbox
                r._inbox = s if prev is None else prev + s
                if not r._queued:
                    r._queued = True
                    heappush(heap, (-r.seq, r))     # (equal seqs: see Node.__lt__)
            else:
                prev = leaves.get(r)
                leaves[r] = s if prev is None else prev + s
        outer = quiet.begin()
        try:
            while heap:
                node = heappop(heap)[1]
                node._queued = False
                g = node._inbox
                node._inbox = None
                if node.saved is freed:
                    raise freed_error(node)
                if g is None:                             # all-zero: skip the rule
                    for p in node.parents:
                        if type(p) is node_t:
                            if not p._queued:
                                p._queued = True
                                heappush(heap, (-p.seq, p))
                        elif p is not None and p not in leaves:
                            leaves[p] = None
                    continue
                op = node.op
                acc = op.accumulates
                if acc and not create_graph:
                    # a linear op whose VJP can be added into its input's gradient so far,
                    # when that is an array this pass made (Op.accumulates)
                    p = node.parents[0]
                    if p in owned and op.add_into(
                            node, g, p._inbox if type(p) is node_t else leaves[p]):
                        if not retain_graph:
                            node.saved = freed
                        continue                  # (p is queued: it holds a gradient)
                grads = op.backward(node, g, create_graph, False)
                if not retain_graph:
                    node.saved = freed
                for p, gp in zip(node.parents, grads):
                    if type(p) is node_t:
                        if gp is not None:
                            prev = p._inbox
                            if prev is None:
                                p._inbox = gp                 # stored as is: may be shared
                                if acc:                       # (a new array: ours to add into)
                                    owned.add(p)
                            else:
                                p._inbox = _added(prev, gp, p, owned, create_graph)
                        if not p._queued:
                            p._queued = True
                            heappush(heap, (-p.seq, p))
                    elif p is not None:
                        prev = leaves.get(p)
                        if gp is None:
                            if prev is None:
                                leaves[p] = None                # (reached all the same)
                        elif prev is None:
                            leaves[p] = gp
                            if acc:
                                owned.add(p)
                        else:
                            leaves[p] = _added(prev, gp, p, owned, create_graph)
        finally:
            quiet.end(outer)
    except BaseException:
        for _, n in heap:                 # (every node not waiting is at rest already)
            n._queued = False
            n._inbox = None
        raise
    finally:
        _slots.release()
    if reached is not None:
        reached.extend(leaves)
    if capture is None:
        # the caller's seeds are never handed out as a .grad (nor anything seen twice)
        delivered = {id(s) for s in seeds if type(s) is not Tensor}
        for leaf, g in leaves.items():
            if g is not None:
                _deliver(leaf, g, delivered)
        return None
    for leaf, ix in capture.items():
        if leaf in leaves:
            g = leaves[leaf]
            if leaf._extra is not None:
                g = _run_tensor_hooks(leaf, g)
            for i in ix:
                results[i] = g
    return results


def _added(prev, gp, key, owned, create):
    """prev + gp for the gradient of `key`: into prev itself when it is an array this pass
    made (key in owned), else a new sum, which is then ours."""
    if key in owned and type(prev) is np.ndarray and not create:
        return np.add(prev, gp, out=prev)
    owned.add(key)
    return prev + gp


def _ours(gp, g, own, grads):
    """Does only this pass hold gp, a result of a rule of an Op.fresh op? (Asked of large
    arrays only: below INPLACE_BYTES a new array is cheaper than the bookkeeping.)"""
    if type(gp) is not np.ndarray or gp.nbytes < INPLACE_BYTES:
        return False
    if gp is g:             # passed on (or written into): ours if g was, and went one way
        return own and not (len(grads) == 2 and grads[0] is grads[1])
    return gp.base is None  # a new array, not a view of something else


def _leading_to(targets, roots, pending):
    """The nodes with a target strictly above them: only their rules need to run."""
    needed = set()
    for node in reversed(list(walk(roots, dict(pending)))):
        if type(node) is Node:
            for p in node.parents:
                if p is not None and (p in targets or p in needed):
                    needed.add(node)
                    break
    return needed


def _run_tensor_hooks(leaf, g):
    extra = leaf._extra
    if extra is None or not extra.hooks or g is None:
        return g
    for hook in list(extra.hooks):
        r = hook(g if type(g) is Tensor else _make(g, None))
        if r is not None:
            g = _hook_result(hook, g, r)
    return g


def _run_node_hooks(node, g):
    hooks = _node_hooks.get(node)
    if not hooks:
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
    e = leaf._extra
    if e is not None and e.hooks:
        g = _run_tensor_hooks(leaf, g)
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
        g = np.array(1, d.dtype).reshape(d.shape)       # (np.ones_like: 3× slower)
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
        if type(g) is not Tensor:
            g = np.asarray(g)
            if g.dtype != x.data.dtype:
                g = g.astype(x.data.dtype)
            g = _make(g, None)
        elif g.dtype != x.dtype:
            g = g.astype(x.dtype)
        out.append(g)
    return tuple(out)
