"""Forward-mode transforms: jvp, linearize, jacfwd, and those built on them over reverse
mode: hessian (jacfwd of jacrev) and hvp (jvp of grad).

Each tags its tangents with a fresh level (`forward.new_level`), higher than every level
alive; ops take the highest level off first, so tangents of different calls never mix.
"""
from typing import Any, Callable

import numpy as np

from ..exits import marks as _marks
from ..forward import attach, new_level, without_level
from ..grad_mode import grad_mode_set, state as _grad
from ..ops.shape import broadcast_to
from ..tensor import Tensor, _make
from ..tree import tree_flatten, tree_unflatten
from ._args import (_argnums, _check_callable, _is_number, _name, _out_tensor, _primal_tensor,
                    _resolve, _running, _split_aux, _zeros)
from ._results import _Export, _basis, _jac_block, _jac_tree
from .reverse import grad, jacrev

__all__ = ["jvp", "linearize", "jacfwd", "hessian", "hvp"]


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
    p = without_level(o, level)
    if t.shape != lead + o.shape:          # a tangent that never met a batched one
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


def jvp(f: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool = False) -> tuple:
    """(f(primals), ∂f·tangents): the value and the directional derivative, in one forward pass
    (dual numbers: each op carries value and tangent together; a small multiple of the cost
    of evaluating f).

    primals and tangents are tuples (one entry per argument of f) of the same structure and
    shapes. With has_aux, f returns (out, aux) and jvp returns (out, tangent_out, aux).

    Examples
    --------
    >>> wg.jvp(lambda x: x ** 2, (3.0,), (1.0,))      # (x², 2x·ẋ)
    (9.0, 6.0)
    """
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
    return tree_unflatten(td, [without_level(x, level) for x in leaves])


def linearize(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """(f(*primals), f_jvp) where f_jvp(*tangents) = ∂f(primals)·tangents, the linear map.

    Cost: f is evaluated once now; each call of f_jvp runs one forward-mode pass of f at the
    primals (a full jvp: the primal is recomputed along with the tangent), so it re-evaluates
    f rather than replaying a stored linear graph. Take `jacfwd` when the whole Jacobian is
    wanted: one batched pass instead of one call per direction.

    Examples
    --------
    >>> y, f_jvp = wg.linearize(wg.sin, wg.tensor(0.0))
    >>> y, f_jvp(wg.tensor(2.0))
    (tensor(0.), tensor(2.))
    """
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


def jacfwd(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
           has_aux: bool = False) -> Callable[..., Any]:
    """The Jacobian of f by forward mode: ONE forward pass pushing all n basis tangents at
    once (a tangent of shape (n,) + x.shape on each input). Best when inputs are few (n ≤ m).

    Result: as jacrev — out.shape + in.shape per (output leaf, input leaf).

    Examples
    --------
    >>> wg.jacfwd(lambda x: x ** 2)(wg.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
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


def hessian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
            has_aux: bool = False) -> Callable[..., Any]:
    """The Hessian ∂²f/∂x² of a function with one-element output: jacfwd(jacrev(f)), forward
    over reverse — one reverse pass carrying a batch of n tangents. Shape: in.shape + in.shape
    (for tuple argnums, a tuple of tuples of blocks), after f's own output shape.

    Examples
    --------
    >>> wg.hessian(lambda x: (x ** 3).sum())(wg.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    _check_callable(f, "hessian")
    _argnums(argnums, "hessian")
    h = jacfwd(jacrev(f, argnums, has_aux), argnums, has_aux)
    _name(h, f, "hessian")
    return h


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """H·v, the Hessian of f (one-element output) at x times v, by ONE forward-over-reverse
    pass: the jvp of grad f at x in direction v. The Hessian is never formed; the cost is a
    small multiple of one gradient. x and v are trees of the same structure and shapes.

    Examples
    --------
    >>> wg.hvp(lambda x: (x ** 3).sum(), wg.tensor([1.0, 2.0]), wg.tensor([1.0, 0.0]))
    tensor([6., 0.])
    """
    _check_callable(f, "hvp")
    xl, xdef = tree_flatten(x)
    vl, vdef = tree_flatten(v)
    if xdef != vdef:
        raise ValueError(f"hvp: v must have the structure of x, got {vdef!r} and {xdef!r}")
    for k, (a, b) in enumerate(zip(xl, vl)):
        if tuple(np.shape(a)) != tuple(np.shape(b)):
            raise ValueError(f"hvp: v has shape {tuple(np.shape(b))} where x has shape "
                             f"{tuple(np.shape(a))} (leaf {k}); they must match")
    return jvp(grad(f), (x,), (v,))[1]
