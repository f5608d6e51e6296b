"""Reverse-mode transforms: grad, value_and_grad, vjp, jacrev (jacobian).

Each differentiates with respect to private copies of its inputs (`_Watched`): a fresh leaf
for a constant, or a recorded identity (`positive`) of a Tensor that an outer transform or
the caller is differentiating. The backward pass captures the gradient at the copy and stops
there, so an outer variable is a constant to the inner derivative, while the copy still
carries the outer dependence for the outer transform. `_Watched.modes` alone decides whether
the backward pass is recorded.
"""
from typing import Any, Callable

import numpy as np

from ..engine.backward import gradient_of, run_backward
from ..engine.graph import walk
from ..engine.node import Node, _next_seq, _node_hooks
from ..exits import marks as _marks
from ..forward import grad_seeded as _grad_seeded
from ..grad_mode import state as _grad
from ..ops.elementwise import positive
from ..tensor import Tensor, _make
from ..tree import tree_flatten, tree_unflatten
from ._args import (_LEAF, _argnums, _check_callable, _name, _out_tensor, _primal_tensor,
                    _regroup, _resolve, _running, _split_aux, _tangent_requires_grad, _zeros)
from ._results import _Export, _basis, _jac_block, _jac_tree, _one_like, _real_output

__all__ = ["grad", "value_and_grad", "vjp", "jacrev", "jacobian"]


class _Watched:
    """The private copies a reverse-mode transform differentiates with respect to.

    `copies[i]` replaces input leaf i in the call of f; `capture` maps the copy's node (or the
    copy itself when it is a fresh leaf) to its index, for `run_backward`. Every node recorded
    from here on has a `seq` of at least `floor`: a node below it is outside this call."""
    __slots__ = ("primals", "copies", "capture", "floor")

    def __init__(self, leaves, who, ambient):
        self.primals = leaves
        self.copies = []
        capture: dict = {}
        self.capture = capture
        self.floor = _next_seq()
        for i, x in enumerate(leaves):
            p = _primal_tensor(x, who)
            if not ambient and p._requires_grad:        # the caller's no_grad(): a constant
                q = _make(p.data, None)
                q._tangents = p._tangents
                p = q
            if p._requires_grad:
                c = positive(p)                          # recorded: the outer graph goes on
                capture.setdefault(c.grad_fn, []).append(i)
            else:
                c = _make(p.data, None)
                c._requires_grad = True
                c._tangents = dict(p._tangents) if p._tangents else None
                capture.setdefault(c, []).append(i)
            self.copies.append(c)
        _marks.keys.extend(capture)             # (until the enclosing _running ends)

    def modes(self, outs, cotangents=(), defer=False):
        """(record, tensors): must the backward pass be recorded, and must its rules run on
        Tensors (to record, or to carry tangents through: forward-over-reverse)?

        It is recorded when something outside this call needs its result differentiable: an
        input, a tangent or a cotangent that requires grad, or an output whose graph reaches
        a Tensor requiring grad other than this call's copies (a closure over an outer
        variable or a parameter). Only that last question needs to look at the graph, and
        only when the cheap ones leave it open. With `defer` (a caller that exports nothing
        before the pass), record is None then: the pass itself tells, as it meets an edge out
        of this call (see `backward`). Values that carry tangents change nothing to that
        while no tangent that requires grad was seeded (`forward.grad_seeded`): a tangent
        then depends on a Tensor requiring grad only through a value that depends on it too.
        Otherwise an output's tangent may reach outside where its value does not, and this
        call's graph, tangents included, is walked. While a node has a hook the graph is
        walked too (or a copy has one: f hooked its input): the deferred pass may run twice,
        and a hook (retain_grad, one that accumulates) must see each gradient once."""
        record = tangents = hooked = False
        for c in self.copies:               # (plain loops: this runs on every transform call)
            if c.grad_fn is not None:
                record = True
            elif c._extra is not None and c._extra.hooks:
                hooked = True               # f hooked its input: the pass must run once
            if c._tangents is not None:
                tangents = True
                record = record or _tangent_requires_grad(c)
        for c in cotangents:
            if isinstance(c, Tensor):
                tangents = tangents or c._tangents is not None
                record = record or c._requires_grad or _tangent_requires_grad(c)
        roots = []
        for o in outs:
            if isinstance(o, Tensor):
                if o._tangents is not None:
                    tangents = True
                if o.grad_fn is not None:
                    roots.append(o.grad_fn)
                elif o._requires_grad:
                    roots.append(o)
        if not record and roots:
            if defer and not _node_hooks and not hooked and not (tangents and _grad_seeded):
                return None, tangents         # (a hook must not run twice: retain_grad adds)
            capture, floor = self.capture, self.floor
            for item in walk(_graph_roots(outs) if tangents else roots, capture, floor):
                if item.seq < floor if type(item) is Node else item not in capture:
                    record = True             # a node or a leaf from outside this call
                    break
        return record, record or tangents

    def backward(self, roots, seeds, record, tensors, retain):
        """(gradients at the copies (Tensors, or None where unreached), record).

        record None (see `modes`): the pass runs unrecorded on a retained graph; where it
        met an edge out of this call, it runs again recorded, on the same graph (f is not
        called again), and record comes back True."""
        if not roots:
            return [None] * len(self.copies), bool(record)
        if record is None:
            res, crossed = self._pass(roots, seeds, False, tensors, True)
            if not crossed:
                return res, False
            record = tensors = retain = True
        return self._pass(roots, seeds, record, tensors, retain)[0], record

    def _pass(self, roots, seeds, record, tensors, retain):
        if tensors:
            seeds = [s if isinstance(s, Tensor) else _make(s, None) for s in seeds]
        else:
            seeds = [s.data if isinstance(s, Tensor) else s for s in seeds]
        prev = _grad.enabled
        _grad.enabled = record
        try:
            res, crossed = run_backward(roots, seeds, retain, tensors, self.capture, self.floor)
        finally:
            _grad.enabled = prev
        out = [None if g is None else gradient_of(g, c) for c, g in zip(self.copies, res)]
        out.extend([None] * (len(self.copies) - len(out)))
        return out, crossed


def _graph_roots(ts):
    """The graph entry points of Tensors `ts` and of their tangents (nested, every level)."""
    roots, stack = [], list(ts)
    while stack:
        t = stack.pop()
        if not isinstance(t, Tensor):
            continue
        if t.grad_fn is not None:
            roots.append(t.grad_fn)
        elif t._requires_grad:
            roots.append(t)
        if t._tangents:
            stack.extend(t._tangents.values())
    return roots


def _root(o):
    """The node to start backward from for output o, or None when o does not depend on
    anything that requires grad."""
    if not isinstance(o, Tensor):
        return None
    if o.grad_fn is not None:
        return o.grad_fn
    return o if o._requires_grad else None


def _diff_call(f, args, nums, who, ambient, kwargs=None):
    """Call f(*args, **kwargs) with private copies of the differentiated arguments (argnums
    `nums`). Returns (result, watched, per-argument treedefs)."""
    leaves, defs = [], []
    trees = False
    for i in nums:
        a = args[i]
        if a is None or isinstance(a, (tuple, list, dict)):
            ls, td = tree_flatten(a)
            trees = True
        else:                                   # (the usual call: a leaf, no tree to walk)
            ls, td = [a], _LEAF
        leaves.extend(ls)
        defs.append((td, len(ls)))
    w = _Watched(leaves, who, ambient)
    call = list(args)
    if trees:
        k = 0
        for i, (td, n) in zip(nums, defs):
            call[i] = tree_unflatten(td, w.copies[k:k + n])
            k += n
    else:
        for i, c in zip(nums, w.copies):
            call[i] = c
    return (f(*call, **kwargs) if kwargs else f(*call)), w, defs


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """The function x ↦ (f(x), ∇f(x)), by one forward and one reverse pass.

    f must return one element (shape () or (1,), …). With argnums a tuple the gradient is a
    tuple (one per argument); each gradient has its argument's tree structure. With has_aux,
    f returns (value, aux) and the result is ((value, aux), gradient).

    Examples
    --------
    >>> wg.value_and_grad(lambda x: wg.sin(x))(0.0)
    (0.0, 1.0)
    """
    _check_callable(f, "value_and_grad")
    nums, single = _argnums(argnums, "value_and_grad")
    return _value_and_grad(f, nums, single, has_aux, "value_and_grad")


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """The gradient ∇f of a function with one-element output, as a function of f's arguments.

    ∇f(x) = ∂f/∂x by one reverse pass (its cost is a small multiple of one f evaluation).
    argnums: which arguments (int or tuple); has_aux: f returns (value, aux) and grad returns
    (gradient, aux). Composes with every transform, to any order: grad(grad(grad(f))).

    Examples
    --------
    >>> df = wg.grad(lambda x: x ** 3)
    >>> df(2.0)                     # 3x² at 2
    12.0
    >>> wg.grad(wg.grad(lambda x: x ** 3))(2.0)    # 6x at 2
    12.0
    """
    _check_callable(f, "grad")
    nums, single = _argnums(argnums, "grad")
    return _value_and_grad(f, nums, single, has_aux, "grad", with_value=False)


def _value_and_grad(f, nums, single, has_aux, who, with_value=True):
    """value_and_grad's function, or grad's (with_value=False: the gradient, and aux)."""
    def vg(*args, **kwargs):
        ambient = _grad.enabled
        pos = _resolve(nums, len(args), who)
        with _running():                # (inside: results stay Tensors, grad mode is on)
            res, w, defs = _diff_call(f, args, pos, who, ambient, kwargs)
            out, aux = _split_aux(res, has_aux, who) if has_aux else (res, None)
            out = _one_element(out, who)
            record, tensors = w.modes((out,), defer=True)
            grads, record = _backward_from(w, out, record, tensors)
        return _finish(grads, w, defs, out, aux, args, record, single, has_aux, with_value)

    _name(vg, f, who)
    return vg


def _one_element(out, who):
    """f's output as a Tensor, checked: one floating-point element."""
    if not isinstance(out, Tensor):
        if isinstance(out, (tuple, list, dict)):
            raise TypeError(f"{who} needs a function with one output element; got a "
                            f"{type(out).__name__}. For several outputs use jacrev or vjp.")
        out = _out_tensor(out, who)
    d = out.data
    if d.size != 1:
        raise TypeError(f"{who} needs a function whose output has exactly one element; got "
                        f"shape {out.shape}. For a Jacobian use jacrev (or jacfwd); for a "
                        f"vector-Jacobian product use vjp.")
    if d.dtype.kind not in "fc":
        raise TypeError(f"{who} needs a floating-point output, got dtype {out.dtype}")
    return out


def _backward_from(w, out, record, tensors):
    root = _root(out)
    d = out.data
    seed = _one_like(d)
    return w.backward(() if root is None else (root,), [seed], record, tensors, record)


def _finish(grads, w, defs, out, aux, args, record, single, has_aux, with_value):
    """The caller's results from the gradients at the copies (see _Export)."""
    ex = _Export(record, args)
    grads = [ex(_zeros(c.shape, c.dtype) if g is None else g, like)
             for c, g, like in zip(w.copies, grads, w.primals)]
    g = _regroup(grads, defs)
    g = g[0] if single else tuple(g)
    if not with_value:
        return (g, ex.tree(aux)) if has_aux else g
    value = ex(out)
    return ((value, ex.tree(aux)), g) if has_aux else (value, g)


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """(f(*primals), vjp_fn): vjp_fn(cotangent) = cotangentᵀ·∂f/∂primals, one reverse pass per
    call (the graph is kept, so vjp_fn may be called many times).

    The cotangent has the structure and shapes of f's output; vjp_fn returns a tuple with one
    entry per primal, each with that primal's structure. With has_aux, f returns (out, aux)
    and vjp returns (out, vjp_fn, aux).

    Examples
    --------
    >>> y, f_vjp = wg.vjp(lambda x: x ** 2, wg.tensor([1.0, 2.0]))
    >>> f_vjp(wg.tensor([1.0, 1.0]))
    (tensor([2., 4.]),)
    """
    _check_callable(f, "vjp")
    ambient = _grad.enabled
    with _running():
        res, w, defs = _diff_call(f, primals, range(len(primals)), "vjp", ambient)
        out, aux = _split_aux(res, has_aux, "vjp")
        out_leaves, out_def = tree_flatten(out)
        outs = [_out_tensor(o, "vjp") for o in out_leaves]
        record, tensors = w.modes(outs)
    ex = _Export(record, primals)
    out_value = ex.tree(tree_unflatten(out_def, outs))

    def vjp_fn(cotangent):
        ct_leaves, ct_def = tree_flatten(cotangent)
        if ct_def != out_def:
            raise ValueError(f"vjp_fn: the cotangent must have the structure of f's output "
                             f"{out_def!r}, got {ct_def!r}")
        roots, seeds = [], []
        for k, (o, c) in enumerate(zip(outs, ct_leaves)):
            c = c if isinstance(c, Tensor) else np.asarray(c, dtype=o.dtype)
            if tuple(np.shape(c)) != o.shape:
                raise ValueError(f"vjp_fn: cotangent {k} has shape {tuple(np.shape(c))} but "
                                 f"the output it belongs to has shape {o.shape}")
            r = _root(o)
            if r is not None:
                roots.append(r)
                seeds.append(c)
        rec, ten = w.modes(outs, seeds)
        with _running():
            grads = w.backward(roots, seeds, rec, ten, True)[0]
        grads = [_zeros(c.shape, c.dtype) if g is None else g for c, g in zip(w.copies, grads)]
        exv = _Export(rec, (primals, cotangent))
        return tuple(_regroup([exv(g, like) for g, like in zip(grads, w.primals)], defs))

    _name(vjp_fn, f, "vjp")
    if has_aux:
        return out_value, vjp_fn, ex.tree(aux)
    return out_value, vjp_fn


def jacrev(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
           has_aux: bool = False) -> Callable[..., Any]:
    """The Jacobian of f by reverse mode: ONE reverse pass pulling all m basis cotangents at
    once (a cotangent of shape (m,) + out.shape). Best when outputs are few (m ≤ n).

    Result: for each output leaf, for each differentiated argument (a tuple when argnums is),
    an array of shape out.shape + in.shape. With has_aux returns (jacobian, aux).

    Examples
    --------
    >>> wg.jacrev(lambda x: x ** 2)(wg.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    _check_callable(f, "jacrev")
    nums, single = _argnums(argnums, "jacrev")

    def jac_f(*args, **kwargs):
        ambient = _grad.enabled
        pos = _resolve(nums, len(args), "jacrev")
        with _running():
            res, w, defs = _diff_call(f, args, pos, "jacrev", ambient, kwargs)
            out, aux = _split_aux(res, has_aux, "jacrev")
            ol, odef = tree_flatten(out)
            outs = [_out_tensor(o, "jacrev") for o in ol]
            record, tensors = w.modes(outs, defer=True)
            m = sum(o.size for o in outs)
            batched = m != 1
            roots, seeds, rows, off = [], [], [], 0
            for o in outs:
                _real_output(o.dtype, "jacrev")
                rows.append(slice(off, off + o.size) if batched else None)
                r = _root(o)
                if r is not None and m:          # m = 0: no output elements, nothing to pull
                    roots.append(r)
                    seeds.append(_basis(m, off, o.size, o.shape, o.dtype) if batched
                                 else np.ones(o.shape, o.dtype))
                off += o.size
            grads, record = w.backward(roots, seeds, record, tensors, record)
            blocks = []
            for o, rw in zip(outs, rows):
                row = []
                for c, g in zip(w.copies, grads):
                    if g is None:
                        row.append(_zeros(o.shape + c.shape, c.dtype))
                    else:
                        row.append(_jac_block(g, rw, True, o.shape, c.shape))
                blocks.append(row)
        ex = _Export(record, args)
        jac = _jac_tree([[ex(b) for b in row] for row in blocks], odef, defs, single)
        if has_aux:
            return jac, ex.tree(aux)
        return jac

    _name(jac_f, f, "jacrev")
    return jac_f


jacobian = jacrev
