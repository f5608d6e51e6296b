"""Functional transforms: grad, value_and_grad, vjp, jvp, linearize, jacrev, jacfwd, jacobian,
hessian, hvp.

Each transform takes a function of trees (nested tuples/lists/dicts of Tensors, ndarrays or
Python numbers; see `wengert.tree`) and returns a function of the same arguments.

How they stay apart when nested (no perturbation confusion):

* Reverse mode (grad, vjp, jacrev) differentiates with respect to private copies of its
  inputs: a fresh leaf for a constant, or a recorded identity (`positive`) of a Tensor that an
  outer transform or the caller is differentiating. The backward pass captures the gradient at
  the copy and stops there, so an outer variable is a constant to the inner derivative, while
  the copy still carries the outer dependence for the outer transform.
* Forward mode (jvp, jacfwd) tags its tangents with a fresh level (`forward.new_level`), higher
  than every level alive; ops peel the highest level first, so tangents of different calls
  never mix.

The reverse pass records itself (create_graph) only when something outside needs its result
to be differentiable: an input or a tangent that requires grad, or an output that reaches a
Tensor requiring grad other than this call's own inputs (a closure over an outer variable or a
parameter). When tangents are about (jvp of grad, jacfwd of jacrev) but nothing needs the
record, the rules run on Tensors with grad mode off, so tangents flow through the backward
pass (forward-over-reverse) without the cost of recording it.

Jacobians use batched tangents and cotangents: `jacfwd` pushes the n basis vectors of the
input as one tangent of shape (n,) + x.shape through one forward pass, `jacrev` pulls the m
basis vectors of the output as one cotangent of shape (m,) + y.shape through one reverse pass.
The result follows JAX: jacobian[out leaf][in leaf] has shape out.shape + in.shape.

Types: with ndarrays and Python numbers in, results are ndarrays and floats (a gradient has its
primal's type); with Tensors in, Tensors. That holds at the outermost transform only; inside
another transform every result is a Tensor, so it keeps its dependence on the outer one. A
result that depends on a Tensor the caller closed over (a parameter requiring grad, a dual
number) stays a Tensor even at the outermost call, so no dependence is silently dropped.
"""
import sys
import threading

import numpy as np

from .engine.backward import count_edges, run_backward
from .exits import marks as _marks
from .forward import attach, new_level
from .grad_mode import grad_mode_set, state as _grad
from .ops.elementwise import positive
from .tensor import Tensor, _make
from .tree import tree_flatten, tree_structure, tree_unflatten

_LEAF = tree_structure(0)       # the TreeDef of a lone leaf

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "jacobian",
           "hessian", "hvp"]


# ---- bookkeeping ----------------------------------------------------------------------------

class _Depth(threading.local):
    value = 0              # how many transforms are running in this thread


_depth = _Depth()


class _running:
    """Marks a transform as running (for the outermost-only type conversion) and sets grad
    mode on inside it, so a transform works under the caller's `no_grad()` too. The entry
    points a reverse transform registers in `marks` (for the value doors, see exits.py) are
    dropped when it ends."""
    __slots__ = ("prev", "n", "nl")

    def __enter__(self):
        _depth.value += 1
        self.prev = _grad.enabled
        _grad.enabled = True
        m = _marks
        self.n = len(m.keys)
        self.nl = len(m.levels)

    def __exit__(self, *exc):
        _depth.value -= 1
        _grad.enabled = self.prev
        m = _marks
        del m.keys[self.n:]
        del m.levels[self.nl:]
        return False




def _check_callable(f, who):
    if not callable(f):
        raise TypeError(f"{who} expects a callable as its first argument, got {type(f).__name__}")


def _argnums(argnums, who):
    """argnums as (tuple of ints, was it a single int)."""
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), True
    if isinstance(argnums, (tuple, list)) and argnums and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in argnums):
        return tuple(int(a) for a in argnums), False
    raise TypeError(f"{who}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _resolve(argnums, nargs, who):
    if len(argnums) == 1 and 0 <= argnums[0] < nargs:      # the usual call: argnums=0
        return argnums
    out = []
    for a in argnums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{who}: argnums {a} is out of range for a call with {nargs} "
                             f"positional argument{'s' if nargs != 1 else ''}")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: argnums {argnums!r} names an argument twice")
    return out


def _is_number(x):
    return (isinstance(x, (int, float, np.integer, np.floating))
            and not isinstance(x, (bool, np.bool_)))


def _no_complex(dtype, who):
    if dtype.kind == "c":
        raise TypeError(f"{who} was given a {dtype} input: complex differentiation is not "
                        f"supported yet; differentiate with respect to real inputs (e.g. the "
                        f"real and imaginary parts apart)")


def _primal_tensor(x, who):
    """x as a floating Tensor to differentiate with respect to (Python ints become float64)."""
    if type(x) is np.ndarray and x.dtype.kind == "f":                     # the usual call
        return _make(x, None)
    if isinstance(x, (Tensor, np.ndarray)):
        _no_complex(x.dtype, who)
    elif isinstance(x, (complex, np.complexfloating)):
        _no_complex(np.dtype(complex), who)
    if isinstance(x, Tensor):
        if x.dtype.kind not in "fc":
            raise TypeError(f"{who} can only differentiate with respect to floating-point "
                            f"inputs; got a tensor of dtype {x.dtype}. Convert it first, e.g. "
                            f"x.astype(wg.float64)")
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{who} cannot differentiate with respect to a bool")
    if isinstance(x, (int, np.integer)) and not isinstance(x, np.ndarray):
        return _make(np.asarray(x, dtype=np.float64), None)
    if isinstance(x, (float, np.floating, np.ndarray)):
        a = np.asarray(x)
        if a.dtype.kind not in "fc":
            raise TypeError(f"{who} can only differentiate with respect to floating-point "
                            f"inputs; got an array of dtype {a.dtype}. Convert it first, "
                            f"e.g. x.astype(np.float64)")
        return _make(a, None)
    raise TypeError(f"{who} can only differentiate with respect to Tensors, ndarrays and "
                    f"Python numbers (or trees of them), got {type(x).__name__}")


def _has_tangents(t):
    return isinstance(t, Tensor) and t._tangents is not None


def _tangent_requires_grad(t):
    return isinstance(t, Tensor) and t._tangents is not None and any(
        v._requires_grad for v in t._tangents.values())


# ---- reverse mode ---------------------------------------------------------------------------

class _Watched:
    """The private copies a reverse-mode transform differentiates with respect to.

    `copies[i]` replaces input leaf i in the call of f; `capture` maps the copy's node (or the
    copy itself when it is a fresh leaf) to its index, for `run_backward`."""
    __slots__ = ("primals", "copies", "capture", "pending")

    def __init__(self, leaves, who, ambient):
        self.primals = leaves
        self.copies = []
        self.capture = {}
        self.pending = None       # edge counts of the graph, when `modes` had to count them
        for i, x in enumerate(leaves):
            p = _primal_tensor(x, who)
            if not ambient and p._requires_grad:        # the caller's no_grad(): a constant
                q = _make(p.data, None)
                q._tangents = p._tangents
                p = q
            if p._requires_grad:
                c = positive(p)                          # recorded: the outer graph goes on
                self.capture.setdefault(c.grad_fn, []).append(i)
            else:
                c = _make(p.data, None)
                c._requires_grad = True
                c._tangents = dict(p._tangents) if p._tangents else None
                self.capture.setdefault(c, []).append(i)
            self.copies.append(c)
        _marks.keys.extend(self.capture)        # (until the enclosing _running ends)

    def modes(self, outs):
        """(record, tensors): must the backward pass be recorded, and must its rules run on
        Tensors (record, or tangents to carry through)?"""
        record = tangents = False
        for c in self.copies:               # (plain loops: this runs on every transform call)
            if c.grad_fn is not None:
                record = True
            if c._tangents is not None:
                tangents = True
        if not tangents:
            for o in outs:
                if isinstance(o, Tensor) and o._tangents is not None:
                    tangents = True
                    break
        if not record:
            if tangents:
                record = (any(_tangent_requires_grad(c) for c in self.copies)
                          or _reaches_outside(_graph_roots(outs), self.capture))
            else:
                # every copy is a fresh leaf: the graph reaches outside iff it holds another
                # leaf requiring grad. Counting its edges answers that, and the count is kept
                # for the backward pass, so the graph is walked once, not twice.
                roots = []
                for o in outs:              # (no tangents: each output is its own entry)
                    if isinstance(o, Tensor):
                        if o.grad_fn is not None:
                            roots.append(o.grad_fn)
                        elif o._requires_grad:
                            roots.append(o)
                self.pending = pending = count_edges(roots)
                capture = self.capture
                for k in pending:
                    if type(k) is Tensor and k not in capture:
                        record = True
                        break
        return record, record or tangents

    def backward(self, roots, seeds, record, tensors, retain):
        """Gradients (Tensors, or None where unreached) at the copies."""
        if not roots:
            return [None] * len(self.copies)
        if tensors:
            seeds = [s if isinstance(s, Tensor) else _make(s, None) for s in seeds]
        pending, self.pending = self.pending, None     # run_backward uses up the counts
        if pending is not None:
            for r in roots:
                if r not in pending:
                    pending = None
                    break
        prev = _grad.enabled
        _grad.enabled = record
        try:
            res = run_backward(roots, seeds, retain, tensors, self.capture, pending)
        finally:
            _grad.enabled = prev
        out = []
        for c, g in zip(self.copies, res):
            if g is None:
                out.append(None)
                continue
            if type(g) is not Tensor:
                if type(g) is not np.ndarray:
                    g = np.asarray(g)
                if g.dtype != c.data.dtype:
                    g = g.astype(c.data.dtype)
                g = _make(g, None)
            elif g.dtype != c.dtype:
                g = g.astype(c.dtype)
            out.append(g)
        out.extend([None] * (len(self.copies) - len(out)))
        return out


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


def _reaches_outside(roots, capture):
    """Does the graph under `roots` reach a Tensor requiring grad other than the captured
    copies? (A closure over an outer variable or a parameter: the result must stay
    differentiable with respect to it.)"""
    seen = set(capture)                  # the walk stops at this call's own copies
    stack = [r for r in roots if r not in seen]
    while stack:
        node = stack.pop()
        if type(node) is Tensor:
            return True
        if node in seen:
            continue
        seen.add(node)
        for p in node.parents:
            if p is not None and p not in seen:
                stack.append(p)
    return False


def _root(o):
    """The node to start backward from for output o, or None when o does not depend on
    anything that requires grad."""
    if not isinstance(o, Tensor):
        return None
    if o.grad_fn is not None:
        return o.grad_fn
    return o if o._requires_grad else None


def _out_tensor(o, who):
    if isinstance(o, Tensor):
        return o
    if _is_number(o) or isinstance(o, np.ndarray) and o.dtype.kind in "biufc":
        return _make(np.asarray(o), None)
    raise TypeError(f"{who}: the function must return Tensors, ndarrays or numbers (or trees "
                    f"of them), got {type(o).__name__}")


def _split_aux(res, has_aux, who):
    if not has_aux:
        return res, None
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise TypeError(f"{who} with has_aux=True needs the function to return a pair "
                        f"(output, aux), got {type(res).__name__}"
                        + (f" of length {len(res)}" if isinstance(res, (tuple, list)) else ""))
    return res[0], res[1]


# ---- results --------------------------------------------------------------------------------

class _Export:
    """Turns internal results (Tensors) into what the caller gets back.

    keep: the results must stay connected to the graph (something outside needs it).
    plain: the caller gave no Tensors (then ndarrays/floats come back at the outermost call).
    scalars: every input leaf was a Python number (0-d results become floats)."""
    __slots__ = ("keep", "plain", "scalars", "args", "arrays")

    def __init__(self, keep, args):
        self.keep = keep
        self.plain = self.scalars = False
        self.args = args
        self.arrays = None          # the caller's ndarrays among args, found when first needed
        if _depth.value == 0:
            plain = scalars = True
            for a in args:                  # (plain loops: this runs on every transform call)
                if isinstance(a, (tuple, list, dict)):
                    leaves = tree_flatten(args)[0]
                    plain = not any(isinstance(x, Tensor) for x in leaves)
                    scalars = plain and all(_is_number(x) for x in leaves)
                    break
                if a is None:
                    continue
                if type(a) is np.ndarray:
                    scalars = False
                elif isinstance(a, Tensor):
                    plain = scalars = False
                    break
                elif scalars:
                    scalars = _is_number(a)
            self.plain, self.scalars = plain, scalars

    def __call__(self, t, like=None):
        """One result; `like` is the primal it is the gradient of (its type is kept)."""
        if not isinstance(t, Tensor):
            return t
        if not self.keep:
            t = _detach_deep(t)                      # only this call's own copies lie below
        if not self.plain or t.grad_fn is not None or t._tangents is not None:
            return t
        a = _private(t.data)
        if a.base is None and self._given(a):
            a = a.copy()                # (the identity function: never the caller's own array)
        if like is not None:
            return float(a) if _is_number(like) and a.ndim == 0 else a
        return a.item() if self.scalars and a.ndim == 0 else a

    def tree(self, tree):
        leaves, td = tree_flatten(tree)
        return tree_unflatten(td, [self(x) for x in leaves])

    def _given(self, a):
        """Is a one of the arrays the caller passed in?"""
        arrays = self.arrays
        if arrays is None:
            arrays = self.arrays = [x for x in tree_flatten(self.args)[0]
                                    if type(x) is np.ndarray]
        for x in arrays:
            if x is a:
                return True
        return False


def _private(a):
    """a as an ndarray the caller may keep and change: a copy where a is read-only or a view
    of an array something else holds (never hand out a view of a seed or basis; a view of an
    array nothing else holds is the caller's alone)."""
    if type(a) is not np.ndarray:
        return np.asarray(a)
    if not a.flags.writeable or a.base is not None and sys.getrefcount(a.base) > 2:
        return a.copy()
    return a


def _detach_deep(t):
    """t and its tangents (at every level, nested) cut from the graph."""
    tans = t._tangents
    if t.grad_fn is None and not t._requires_grad and not tans:
        return t
    d = _make(t.data, None)
    if tans:
        d._tangents = {k: _detach_deep(v) for k, v in tans.items()}
    return d


_ONES = {}


def _one_like(d):
    """1 in d's dtype and (one-element) shape: the seed of a gradient. Read-only and shared,
    since the backward pass never writes a seed (a new one per call cost 1 µs)."""
    key = (d.dtype, d.shape)
    one = _ONES.get(key)
    if one is None:
        _real_output(d.dtype, "a gradient")
        one = _ONES[key] = np.ones(d.shape, d.dtype)
        one.flags.writeable = False
    return one


def _real_output(dtype, what):
    if dtype.kind == "c":
        raise TypeError(f"{what} of a complex output is ambiguous (of its real part? its "
                        f"modulus?): make the function return a real value, e.g. np.real, "
                        f"np.imag or np.abs of it (jacfwd and jvp accept complex outputs)")


def _zeros(shape, dtype):
    return _make(np.zeros(shape, dtype), None)


# ---- grad, value_and_grad, vjp --------------------------------------------------------------

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


def _regroup(values, defs):
    """Per-leaf values back into one tree per differentiated argument."""
    out, k = [], 0
    for td, n in defs:
        out.append(values[k] if td is _LEAF else tree_unflatten(td, values[k:k + n]))
        k += n
    return out


def value_and_grad(f, argnums=0, has_aux=False):
    """The function x ↦ (f(x), ∇f(x)), by one forward and one reverse pass.

    f must return one element (shape () or (1,), …). With argnums a tuple the gradient is a
    tuple (one per argument); each gradient has its argument's tree structure. With has_aux,
    f returns (value, aux) and the result is ((value, aux), gradient)."""
    _check_callable(f, "value_and_grad")
    nums, single = _argnums(argnums, "value_and_grad")
    return _value_and_grad(f, nums, single, has_aux, "value_and_grad")


def grad(f, argnums=0, has_aux=False):
    """The gradient ∇f of a function with one-element output, as a function of f's arguments.

    ∇f(x) = ∂f/∂x by one reverse pass (its cost is a small multiple of one f evaluation).
    argnums: which arguments (int or tuple); has_aux: f returns (value, aux) and grad returns
    (gradient, aux). Composes with every transform, to any order: grad(grad(grad(f)))."""
    _check_callable(f, "grad")
    nums, single = _argnums(argnums, "grad")
    return _value_and_grad(f, nums, single, has_aux, "grad", with_value=False)


def _name(wrapper, f, prefix):
    wrapper.__name__ = f"{prefix}({getattr(f, '__name__', 'f')})"
    wrapper.__qualname__ = wrapper.__name__
    wrapper.__doc__ = f"{prefix} of {getattr(f, '__name__', repr(f))} (a wengert transform)"
    wrapper.__wrapped__ = f


def _value_and_grad(f, nums, single, has_aux, who, with_value=True):
    """value_and_grad's function, or grad's (with_value=False: the gradient, and aux)."""
    short = len(nums) == 1 and not has_aux

    def vg(*args, **kwargs):
        if short and _depth.value == 0:
            i = nums[0] + len(args) if nums[0] < 0 else nums[0]
            if 0 <= i < len(args):
                if _float_array(args[i]):
                    return _array_value_and_grad(f, args, kwargs, i, single, who, with_value)
        ambient = _grad.enabled
        pos = _resolve(nums, len(args), who)
        with _running():                # (inside: results stay Tensors, grad mode is on)
            res, w, defs = _diff_call(f, args, pos, who, ambient, kwargs)
            out, aux = _split_aux(res, has_aux, who) if has_aux else (res, None)
            out = _one_element(out, who)
            record, tensors = w.modes((out,))
            grads = _backward_from(w, out, record, tensors)
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


def _float_array(a):
    """Is a what the short paths take: a floating ndarray or a Python float?"""
    return type(a) is np.ndarray and a.dtype.kind == "f" or type(a) is float


def _alone(c, leaves):
    """Is c the only leaf (requiring grad) among `leaves`, those a graph reaches?"""
    for k in leaves:
        if k is not c:
            return False
    return True


def _array_value_and_grad(f, args, kwargs, i, single, who, with_value):
    """The usual call, kept short: one floating ndarray (or float) argument to differentiate,
    at the outermost level, and f's graph reaching no other Tensor that requires grad. The
    general path's objects (trees, watched copies, export) cost as much as the backward pass
    of a small function; this does the same steps directly. A call that turns out to need
    more (a closure over a parameter, tangents) goes on in the general path, f run once."""
    a = args[i]
    c = _make(a if type(a) is np.ndarray else np.asarray(a), None)
    c._requires_grad = True
    call = list(args)
    call[i] = c
    ambient = _grad.enabled
    _depth.value += 1
    _grad.enabled = True
    keys = _marks.keys
    n = len(keys)
    keys.append(c)
    try:
        out = _one_element(f(*call, **kwargs) if kwargs else f(*call), who)
        root = out.grad_fn
        short = root is not None and out._tangents is None
        if short:
            # The first-order pass, graph kept: if it reached a Tensor requiring grad other
            # than c (a closure over a parameter), the gradient must be recorded instead
            # (the general path, on the same graph; f is not run again).
            reached = []
            _grad.enabled = False
            g = run_backward((root,), (_one_like(out.data),), True, False, {c: [0]},
                             reached=reached)[0]
            short = _alone(c, reached)
            _grad.enabled = True
        if not short:                                    # the general path from here on
            w = _Watched.__new__(_Watched)
            w.primals, w.copies, w.capture, w.pending = [a], [c], {c: [0]}, None
            record, tensors = w.modes((out,))
            grads = _backward_from(w, out, record, tensors)
    finally:
        _depth.value -= 1
        _grad.enabled = ambient
        del keys[n:]
    if not short:
        return _finish(grads, w, [(_LEAF, 1)], out, None, args, record, single, False,
                       with_value)
    x = c.data
    g = np.zeros_like(x) if g is None else _private(g)
    for b in args:
        if g is b:
            g = g.copy()              # (a gradient that is an argument itself: never hand it out)
    if g.dtype != x.dtype:
        g = g.astype(x.dtype)
    if type(a) is float:
        g = float(g)
    if not single:
        g = (g,)
    return (_Export(False, args)(out), g) if with_value else g


def vjp(f, *primals, has_aux=False):
    """(f(*primals), vjp_fn): vjp_fn(cotangent) = cotangentᵀ·∂f/∂primals, one reverse pass per
    call (the graph is kept, so vjp_fn may be called many times).

    The cotangent has the structure and shapes of f's output; vjp_fn returns a tuple with one
    entry per primal, each with that primal's structure. With has_aux, f returns (out, aux)
    and vjp returns (out, vjp_fn, aux)."""
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
        rec, ten = record, tensors
        for k, (o, c) in enumerate(zip(outs, ct_leaves)):
            c = c if isinstance(c, Tensor) else np.asarray(c, dtype=o.dtype)
            if tuple(np.shape(c)) != o.shape:
                raise ValueError(f"vjp_fn: cotangent {k} has shape {tuple(np.shape(c))} but "
                                 f"the output it belongs to has shape {o.shape}")
            if isinstance(c, Tensor):
                rec = rec or c._requires_grad or _tangent_requires_grad(c)
                ten = ten or rec or c._tangents is not None
            r = _root(o)
            if r is not None:
                roots.append(r)
                seeds.append(c)
        if not ten:
            seeds = [s.data if isinstance(s, Tensor) else s for s in seeds]
        with _running():
            grads = w.backward(roots, seeds, rec, ten, True)
        grads = [_zeros(c.shape, c.dtype) if g is None else g for c, g in zip(w.copies, grads)]
        exv = _Export(rec, (primals, cotangent))
        return tuple(_regroup([exv(g, like) for g, like in zip(grads, w.primals)], defs))

    _name(vjp_fn, f, "vjp")
    if has_aux:
        return out_value, vjp_fn, ex.tree(aux)
    return out_value, vjp_fn


# ---- forward mode ---------------------------------------------------------------------------

def _attach(p, t, level, ambient):
    """p + t·ε at `level` (t may carry leading batch axes), connected to p's graph."""
    if not ambient and p._requires_grad:
        q = _make(p.data, None)
        q._tangents = p._tangents
        p = q
    return attach(p, t, level)


def _tangent_for(p, t, k, who):
    """The tangent t for primal p (a Tensor), checked and cast to p's dtype."""
    if isinstance(t, Tensor):
        tt = t
    elif _is_number(t) or isinstance(t, np.ndarray):
        tt = _make(np.asarray(t), None)
    else:
        raise TypeError(f"{who}: tangents must be Tensors, ndarrays or numbers, got "
                        f"{type(t).__name__} at leaf {k}")
    if tt.shape != p.shape:
        raise ValueError(f"{who}: tangent {k} has shape {tt.shape} but its primal has shape "
                         f"{p.shape}; they must match")
    if tt.dtype != p.dtype:
        tt = tt.astype(p.dtype)
    return tt


def _read_tangent(o, level, lead):
    """(primal without `level`, its tangent at `level` or zeros of shape lead + o.shape)."""
    tans = o._tangents
    t = tans.get(level) if tans is not None else None
    if t is None:
        return o, _zeros(lead + o.shape, o.dtype)
    p = _without(o, level)
    if t.shape != lead + o.shape:          # a tangent that never met a batched one
        from .ops.shape import broadcast_to
        t = broadcast_to(t, lead + o.shape)
    if t.dtype != o.dtype and o.dtype.kind in "fc":
        t = t.astype(o.dtype)
    return p, t


def _push_forward(f, args, leaves_of, tangent_of, ambient):
    """Call f with each selected primal leaf carrying its tangent at a fresh level.
    leaves_of: list of (arg index, treedef, primal Tensors); tangent_of(j, p) gives leaf j's
    tangent. Returns (f's result, the level)."""
    level = new_level()
    _marks.levels.append(level)                 # (until the enclosing _running ends)
    call = list(args)
    j = 0
    for i, td, ps in leaves_of:
        dual_leaves = []
        for p in ps:
            dual_leaves.append(_attach(p, tangent_of(j, p), level, ambient))
            j += 1
        call[i] = tree_unflatten(td, dual_leaves)
    return f(*call), level


def jvp(f, primals, tangents, has_aux=False):
    """(f(primals), ∂f·tangents): the value and the directional derivative, in one forward pass
    (dual numbers: each op carries value and tangent together; a small multiple of the cost
    of evaluating f).

    primals and tangents are tuples (one entry per argument of f) of the same structure and
    shapes. With has_aux, f returns (out, aux) and jvp returns (out, tangent_out, aux)."""
    _check_callable(f, "jvp")
    if not isinstance(primals, (tuple, list)):
        raise TypeError(f"jvp: primals must be a tuple (or list) with one entry per argument of "
                        f"f, got {type(primals).__name__}")
    if not isinstance(tangents, (tuple, list)):
        raise TypeError(f"jvp: tangents must be a tuple (or list) with one entry per argument "
                        f"of f, got {type(tangents).__name__}")
    pl, pdef = tree_flatten(tuple(primals))
    tl, tdef = tree_flatten(tuple(tangents))
    if pdef != tdef:
        raise ValueError(f"jvp: primals and tangents must have the same structure, got "
                         f"{pdef!r} and {tdef!r}")
    ambient = _grad.enabled
    with _running():
        ps = [_primal_tensor(p, "jvp") for p in pl]
        ts = [_tangent_for(p, t, k, "jvp") for k, (p, t) in enumerate(zip(ps, tl))]
        leaves_of, k = [], 0
        for i, a in enumerate(primals):
            ls, td = tree_flatten(a)
            leaves_of.append((i, td, ps[k:k + len(ls)]))
            k += len(ls)
        res, level = _push_forward(f, primals, leaves_of, lambda j, p: ts[j], ambient)
        out, aux = _split_aux(res, has_aux, "jvp")
        ol, odef = tree_flatten(out)
        pairs = [_read_tangent(_out_tensor(o, "jvp"), level, ()) for o in ol]
    ex = _Export(True, (primals, tangents))
    value = tree_unflatten(odef, [ex(p) for p, _ in pairs])
    tan = tree_unflatten(odef, [ex(t) for _, t in pairs])
    if has_aux:
        return value, tan, ex.tree(_strip_level(aux, level))
    return value, tan


def _strip_level(tree, level):
    """The tree with every Tensor leaf's tangent at `level` removed (aux outputs)."""
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [_without(x, level) for x in leaves])


def _without(t, level):
    if not isinstance(t, Tensor) or t._tangents is None or level not in t._tangents:
        return t
    p = _make(t.data, t.grad_fn)
    p._requires_grad = t._requires_grad
    p._tangents = {k: v for k, v in t._tangents.items() if k != level} or None
    return p


def linearize(f, *primals):
    """(f(*primals), f_jvp) where f_jvp(*tangents) = ∂f(primals)·tangents, the linear map.

    Cost: f is evaluated once now; each call of f_jvp runs one forward-mode pass of f at the
    primals (a full jvp: the primal is recomputed along with the tangent), so it re-evaluates
    f rather than replaying a stored linear graph. Take `jacfwd` when the whole Jacobian is
    wanted: one batched pass instead of one call per direction."""
    _check_callable(f, "linearize")
    ambient = _grad.enabled
    with _running(), grad_mode_set(ambient):
        pl, pdef = tree_flatten(primals)      # f sees Tensors, as under every transform
        out = f(*tree_unflatten(pdef, [_primal_tensor(p, "linearize") for p in pl]))
    ex = _Export(True, primals)
    out_value = ex.tree(out)
    n = len(primals)

    def f_jvp(*tangents):
        if len(tangents) != n:
            raise TypeError(f"linearize: f_jvp takes {n} tangent{'s' if n != 1 else ''} (one "
                            f"per primal), got {len(tangents)}")
        return jvp(f, primals, tangents)[1]

    _name(f_jvp, f, "linearize")
    return out_value, f_jvp


# ---- Jacobians ------------------------------------------------------------------------------

def _basis(n, offset, size, shape, dtype):
    """Rows offset … offset+size of the n×n identity, shaped (n,) + shape: the basis vectors
    that belong to one leaf of size `size` among all the leaves."""
    e = np.eye(n, size, -offset, dtype=dtype)
    return e.reshape((n,) + tuple(shape))


def _jac_block(t, rows, lead_first, out_shape, in_shape):
    """Cut one leaf pair's block from a batched result and shape it out_shape + in_shape.

    t: (n,) + shape where the batch runs over `rows` (a slice); lead_first says whether the
    batch indexes the output (jacrev: batch = out elements, trailing = input shape) or the
    input (jacfwd: batch = in elements, trailing = output shape)."""
    b = t if rows is None or (rows.start == 0 and rows.stop == t.shape[0]) else t[rows]
    target = tuple(out_shape) + tuple(in_shape)
    if lead_first:                     # (m_k,) + in_shape → out_shape + in_shape
        return _reshape(b, target)
    m = int(np.prod(out_shape, dtype=np.int64))
    n = int(np.prod(in_shape, dtype=np.int64))
    b = _reshape(b, (n, m))            # (n_j,) + out_shape → out_shape + in_shape
    return _reshape(b.T, target)


def _reshape(b, shape):
    # no op (and no node) when the shape is already right: the common 1-D case
    return b if b.shape == shape else b.reshape(shape)


def _jac_tree(blocks, odef, defs, single):
    """blocks[k][j]: block for output leaf k, input leaf j → out tree of (in trees)."""
    per_out = []
    for row in blocks:
        per_arg = _regroup(row, defs)
        per_out.append(per_arg[0] if single else tuple(per_arg))
    return tree_unflatten(odef, per_out)


def jacrev(f, argnums=0, has_aux=False):
    """The Jacobian of f by reverse mode: ONE reverse pass pulling all m basis cotangents at
    once (a cotangent of shape (m,) + out.shape). Best when outputs are few (m ≤ n).

    Result: for each output leaf, for each differentiated argument (a tuple when argnums is),
    an array of shape out.shape + in.shape. With has_aux returns (jacobian, aux)."""
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
            record, tensors = w.modes(outs)
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
            grads = w.backward(roots, seeds, record, tensors, record)
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


def jacfwd(f, argnums=0, has_aux=False):
    """The Jacobian of f by forward mode: ONE forward pass pushing all n basis tangents at
    once (a tangent of shape (n,) + x.shape on each input). Best when inputs are few (n ≤ m).

    Result: as jacrev — out.shape + in.shape per (output leaf, input leaf)."""
    _check_callable(f, "jacfwd")
    nums, single = _argnums(argnums, "jacfwd")

    def jac_f(*args, **kwargs):
        ambient = _grad.enabled
        pos = _resolve(nums, len(args), "jacfwd")
        with _running():
            leaves_of, defs, ps = [], [], []
            for i in pos:
                ls, td = tree_flatten(args[i])
                tens = [_primal_tensor(x, "jacfwd") for x in ls]
                leaves_of.append((i, td, tens))
                defs.append((td, len(ls)))
                ps.extend(tens)
            n = sum(p.size for p in ps)
            batched = n != 1
            offs = np.cumsum([0] + [p.size for p in ps]).tolist()

            def tangent_of(j, p):
                if not batched:
                    return _make(np.ones(p.shape, p.dtype), None)
                return _make(_basis(n, offs[j], p.size, p.shape, p.dtype), None)

            if n:
                res, level = _push_forward(lambda *a: f(*a, **kwargs), args, leaves_of,
                                           tangent_of, ambient)
            else:                                # no input elements: nothing to push
                res, level = f(*args, **kwargs), None
            out, aux = _split_aux(res, has_aux, "jacfwd")
            ol, odef = tree_flatten(out)
            lead = (n,) if batched else ()
            blocks = []
            for o in ol:
                o = _out_tensor(o, "jacfwd")
                _, t = _read_tangent(o, level, lead)
                row = []
                for j, p in enumerate(ps):
                    rows = slice(offs[j], offs[j + 1]) if batched else None
                    row.append(_jac_block(t, rows, False, o.shape, p.shape))
                blocks.append(row)
        ex = _Export(True, args)
        jac = _jac_tree([[ex(b) for b in row] for row in blocks], odef, defs, single)
        if has_aux:
            return jac, ex.tree(_strip_level(aux, level))
        return jac

    _name(jac_f, f, "jacfwd")
    return jac_f


def hessian(f, argnums=0, has_aux=False):
    """The Hessian ∂²f/∂x² of a function with one-element output: jacfwd(jacrev(f)), forward
    over reverse — one reverse pass carrying a batch of n tangents. Shape: in.shape + in.shape
    (for tuple argnums, a tuple of tuples of blocks), after f's own output shape."""
    _check_callable(f, "hessian")
    _argnums(argnums, "hessian")
    h = jacfwd(jacrev(f, argnums, has_aux), argnums, has_aux)
    _name(h, f, "hessian")
    return h


def hvp(f, x, v):
    """H·v, the Hessian of f (one-element output) at x times v, by ONE forward-over-reverse
    pass: the jvp of grad f at x in direction v. The Hessian is never formed; the cost is a
    small multiple of one gradient. x and v are trees of the same structure and shapes."""
    _check_callable(f, "hvp")
    if (_depth.value == 0 and _float_array(x) and _float_array(v)
            and np.shape(x) == np.shape(v)):
        return _array_hvp(f, x, v)
    xl, xdef = tree_flatten(x)
    vl, vdef = tree_flatten(v)
    if xdef != vdef:
        raise ValueError(f"hvp: v must have the structure of x, got {vdef!r} and {xdef!r}")
    for k, (a, b) in enumerate(zip(xl, vl)):
        if tuple(np.shape(a)) != tuple(np.shape(b)):
            raise ValueError(f"hvp: v has shape {tuple(np.shape(b))} where x has shape "
                             f"{tuple(np.shape(a))} (leaf {k}); they must match")
    return jvp(grad(f), (x,), (v,))[1]


def _array_hvp(f, x, v):
    """hvp's usual call, kept short: x and v floating ndarrays (or floats) at the outermost
    level. The same steps as jvp(grad(f), (x,), (v,)): x carries v at a fresh level while
    f runs recorded, and the reverse pass runs its rules on Tensors, pushing that level's
    tangents through them; the tangent of the gradient is H·v. Only the transforms' trees,
    copies and exports are left out, and the graph is walked once."""
    xa = x if type(x) is np.ndarray else np.asarray(x)
    va = v if type(v) is np.ndarray else np.asarray(v)
    if va.dtype != xa.dtype:
        va = va.astype(xa.dtype)
    level = new_level()
    c = _make(xa, None)
    c._requires_grad = True
    c._tangents = {level: _make(va, None)}
    ambient = _grad.enabled
    _depth.value += 1
    _grad.enabled = True
    keys = _marks.keys
    n = len(keys)
    keys.append(c)
    levels = _marks.levels
    levels.append(level)
    try:
        out = _one_element(f(c), "grad")
        root = out.grad_fn
        g = record = None
        if root is not None:
            leaves = []
            pending = count_edges((root,), leaves)
            # a closure over another Tensor that requires grad: H·v must stay differentiable
            # with respect to it, so the reverse pass is recorded
            record = not _alone(c, leaves)
            d = out.data
            seed = _make(_one_like(d), None)
            _grad.enabled = record
            g = run_backward((root,), (seed,), record, True, {c: [0]}, pending)[0]
    finally:
        _depth.value -= 1
        _grad.enabled = ambient
        del keys[n:]
        levels.remove(level)
    t = g._tangents.get(level) if isinstance(g, Tensor) and g._tangents else None
    if t is None:
        return _Export(True, (x, v))(_zeros(xa.shape, xa.dtype))
    if not record:
        t = _detach_deep(t)             # (nothing outside holds this call's graph)
    if t.dtype != xa.dtype:
        t = t.astype(xa.dtype)
    return _Export(True, (x, v))(t)
