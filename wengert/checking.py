"""Finite differences: the independent check of every derivative.

`numerical_grad` is the seeds' method (central differences by default). `gradcheck` compares
both modes of automatic differentiation against central differences, element by element:

* 'rev': the outputs are contracted with a fixed random cotangent u (u = 1 for a single
  one-element output: the gradient itself), and the VJP uᵀJ that reverse mode returns is
  compared with uᵀ·J_fd, for every element of every argument.
* 'fwd': for every argument and every element j (not a random direction: each column of the
  Jacobian is checked), the basis tangent eⱼ is pushed through forward mode at a fresh level
  and every output's tangent J·eⱼ is compared with the finite-difference column J_fd·eⱼ.

Both use the same central-difference Jacobian J_fd (one pair of evaluations of f per input
element). order=2 then checks the derivatives of the VJP x ↦ uᵀJ(x) (computed with
create_graph=True) and, with 'fwd', of the JVP x ↦ J(x)·v (v a fixed random tangent), in the
same way and with the same modes: reverse-over-reverse, forward-over-reverse,
reverse-over-forward and forward-over-forward all get checked.

`check_grads` is the reverse-mode-only form the op tests used before forward mode existed.
"""
import numpy as np

from .engine.backward import grad as _autograd_grad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor, _make

__all__ = ["GradcheckError", "gradcheck", "numerical_grad", "check_grads", "default_eps"]

MODES = ("rev", "fwd")


class GradcheckError(AssertionError):
    """A derivative disagrees with finite differences: names argument, element, expected, got.

    Examples
    --------
    >>> issubclass(wg.GradcheckError, AssertionError)
    True
    """


def default_eps(dtype, method="central"):
    """Step that balances truncation against rounding error: ε^(1/3) for central
    differences, ε^(1/2) for one-sided (ε = machine epsilon of the dtype)."""
    e = np.finfo(np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.float64).eps
    return float(e ** (1 / 3) if method == "central" else e ** 0.5)


def _scalar(out):
    v = out.data if isinstance(out, Tensor) else out
    v = np.asarray(v)
    if v.size != 1:
        raise ValueError(f"numerical_grad needs f to return one element, got shape {v.shape}")
    return float(v.reshape(()))


def _as_kind(value, like):
    """`value` (an ndarray) in the argument's own type."""
    if isinstance(like, Tensor):
        return _make(value, None)
    if isinstance(like, np.ndarray) or isinstance(like, np.generic):
        return value
    return float(value)


def numerical_grad(f, *args, argnums=0, eps=None, method="central"):
    """∂f/∂args[argnums] of a scalar-valued f by finite differences.

    central: (f(x + h·eⱼ) − f(x − h·eⱼ)) / 2h; forward/backward: one-sided. The step is
    h = eps·max(1, |xⱼ|), eps defaulting per dtype (see default_eps). Returns the argument's
    type (float, ndarray or Tensor); a tuple when argnums is a tuple.

    Examples
    --------
    >>> wg.numerical_grad(lambda x: (x ** 2).sum(), wg.tensor([1.0, 2.0]))
    tensor([2., 4.])
    """
    if method not in ("central", "forward", "backward"):
        raise ValueError(f"method must be 'central', 'forward' or 'backward', got {method!r}")
    many = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if many else (argnums,)
    out = []
    with no_grad():
        for k in nums:
            a = args[k]
            x = np.array(a.data if isinstance(a, Tensor) else a, dtype=None, copy=True)
            if x.dtype.kind != "f":
                x = x.astype(np.float64)
            step = default_eps(x.dtype, method) if eps is None else eps
            g = np.zeros_like(x)
            flat_x, flat_g = x.reshape(-1), g.reshape(-1)

            def at(v, j):
                xx = x.copy()
                xx.reshape(-1)[j] = v
                call = list(args)
                call[k] = _as_kind(xx if x.ndim else xx.reshape(()), a)
                return _scalar(f(*call))

            for j in range(flat_x.size):
                x0 = flat_x[j]
                h = step * max(1.0, abs(float(x0)))
                if method == "central":
                    flat_g[j] = (at(x0 + h, j) - at(x0 - h, j)) / (2 * h)
                elif method == "forward":
                    flat_g[j] = (at(x0 + h, j) - at(x0, j)) / h
                else:
                    flat_g[j] = (at(x0, j) - at(x0 - h, j)) / h
            out.append(_as_kind(g, a) if not isinstance(a, (int, float)) or isinstance(a, bool)
                       else float(g))
    return tuple(out) if many else out[0]


# ---- gradcheck ------------------------------------------------------------------------------

def _leaves(out):
    """The outputs of f as a flat list (tuples, lists and dicts opened; None dropped)."""
    if out is None:
        return []
    if isinstance(out, (tuple, list)):
        return [leaf for o in out for leaf in _leaves(o)]
    if isinstance(out, dict):
        return [leaf for k in out for leaf in _leaves(out[k])]
    return [out]


def _value(o):
    return np.asarray(o.data if isinstance(o, Tensor) else o)


def _floating(o):
    return np.result_type(_value(o)).kind == "f"


def _float_outputs(out):
    """The floating outputs of f (the only ones with derivatives), as a flat list."""
    return [o for o in _leaves(out) if _floating(o)]


def _prepare(args):
    """(values, indices of the checked arguments): floating arguments become float64 arrays
    (finite differences need the precision); anything else is passed to f unchanged."""
    if not isinstance(args, (tuple, list)):
        args = (args,)
    values: list = []
    diff: list = []
    for i, a in enumerate(args):
        if isinstance(a, bool) or a is None:
            values.append(a)
            continue
        if isinstance(a, (Tensor, np.ndarray, np.generic, float)):
            v = np.asarray(a.data if isinstance(a, Tensor) else a)
            if v.dtype.kind == "f":
                values.append(np.array(v, dtype=np.float64, copy=True))
                diff.append(i)
                continue
        values.append(a)
    return values, diff


def _call(f, values, diff, replace=None):
    """f on Tensors for the checked arguments (`replace` maps an index to a ready Tensor)."""
    call = list(values)
    for i in diff:
        t = None if replace is None else replace.get(i)
        call[i] = _make(values[i].copy(), None) if t is None else t
    return f(*call)


def _fd_columns(f, values, diff, eps, shapes):
    """The central-difference Jacobian: cols[i][j] = [∂out_k/∂args[i].flat[j] for every k]."""
    cols = {}
    with enable_grad():        # f may differentiate internally (a VJP, a transform)
        for i in diff:
            x = values[i]
            flat = x.reshape(-1)
            col_i = []
            for j in range(flat.size):
                h = eps * max(1.0, abs(float(flat[j])))
                sides = []
                for s in (h, -h):
                    xx = x.copy()
                    xx.reshape(-1)[j] += s
                    outs = _float_outputs(_call(f, values, diff, {i: _make(xx, None)}))
                    if len(outs) != len(shapes):
                        raise GradcheckError(
                            f"f returned {len(outs)} floating outputs at a perturbed point but "
                            f"{len(shapes)} at the point itself")
                    sides.append([_value(o).astype(np.float64) for o in outs])
                col_i.append([(p - m) / (2 * h) for p, m in zip(*sides)])
            cols[i] = col_i
    return cols


def _element(shape, j):
    return tuple(int(k) for k in np.unravel_index(j, shape)) if shape else ()


def _compare(got, expected, atol, rtol, where, how):
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    bad = ~np.isclose(got, expected, atol=atol, rtol=rtol, equal_nan=False)
    if bad.any():
        k = tuple(int(v) for v in np.argwhere(bad)[0]) if got.ndim else ()
        raise GradcheckError(f"{where(k)}: expected {float(expected[k])!r} (finite "
                             f"differences), got {float(got[k])!r} ({how})")


def _check_rev(f, values, diff, cols, us, atol, rtol, what):
    how = "reverse mode" if _unit(us) else "reverse mode: uᵀJ for a fixed random cotangent u"
    ts = {i: _make(values[i].copy(), None) for i in diff}
    for t in ts.values():
        t.requires_grad = True
    with enable_grad():
        outs = _float_outputs(_call(f, values, diff, ts))
        s = _contract(outs, us)
        live = isinstance(s, Tensor) and s.requires_grad
        grads = (_autograd_grad(s, [ts[i] for i in diff], allow_unused=True) if live
                 else (None,) * len(diff))
    for i, g in zip(diff, grads):
        shape = values[i].shape
        if g is None:
            got = np.zeros(shape)
        else:
            if tuple(g.shape) != shape:
                raise GradcheckError(f"{what}argument {i}: the gradient has shape "
                                     f"{tuple(g.shape)}, expected {shape} (reverse mode)")
            got = _value(g)
        expected = np.array([sum(float(np.sum(u * c)) for u, c in zip(us, col))
                             for col in cols[i]]).reshape(shape)
        _compare(got, expected, atol, rtol,
                 lambda k, i=i: f"{what}argument {i}, element {k}", how)


def _unit(us):
    return len(us) == 1 and us[0].size == 1 and float(us[0].reshape(())) == 1.0


def _contract(outs, us):
    """Σₖ Σ (outₖ · uₖ), over the outputs that carry a graph."""
    total = 0.0
    for o, u in zip(outs, us):
        if isinstance(o, Tensor) and o.requires_grad:
            total = total + (o * u).sum()
    return total


def _check_fwd(f, values, diff, cols, shapes, atol, rtol, what):
    from .forward import new_level, tangent_at, with_tangent
    for i in diff:
        x = values[i]
        for j in range(x.size):
            e = np.zeros(x.size)
            e[j] = 1.0
            level = new_level()
            with enable_grad():
                xt = with_tangent(_make(x.copy(), None), e.reshape(x.shape), level)
                outs = _float_outputs(_call(f, values, diff, {i: xt}))
            el = _element(x.shape, j)
            for k, (o, shape, expected) in enumerate(zip(outs, shapes, cols[i][j])):
                t = tangent_at(o, level)
                if t is None:
                    got = np.zeros(shape)
                else:
                    got = _value(t)
                    if got.shape != shape:
                        raise GradcheckError(
                            f"{what}argument {i}, element {el}: the tangent of output {k} has "
                            f"shape {got.shape}, but the output has shape {shape} (forward mode)")
                _compare(got, expected, atol, rtol,
                         lambda m, i=i, el=el, k=k: f"{what}argument {i}, element {el}: "
                                                    f"output {k}, element {m}", "forward mode")


def _vjp_function(f, diff, us):
    """x ↦ uᵀJ(x) for the checked arguments, recorded (create_graph) so it differentiates."""
    from .ops.elementwise import positive

    def vjp(*args):
        xs = list(args)
        targets = []
        # record the backward pass only when something will differentiate it (finite
        # differences evaluate this on constants: nothing to record there)
        create = any(xs[i].requires_grad or xs[i]._tangents is not None for i in diff)
        for i in diff:
            x = xs[i]
            if x.requires_grad:
                c = positive(x)        # a recorded copy: the outer derivative still reaches x
            else:
                c = _make(x.data, None)
                c._tangents = dict(x._tangents) if x._tangents else None
                c._requires_grad = True
            xs[i] = c
            targets.append(c)
        with enable_grad():
            s = _contract(_float_outputs(f(*xs)), us)
            if not (isinstance(s, Tensor) and s.requires_grad):
                grads = (None,) * len(targets)
            else:
                grads = _autograd_grad(s, targets, create_graph=create, allow_unused=True)
        return tuple(_make(np.zeros_like(c.data), None) if g is None else g
                     for c, g in zip(targets, grads))
    return vjp


def _jvp_function(f, diff, vs):
    """x ↦ J(x)·v (v one fixed tangent per checked argument), through forward mode."""
    from .forward import new_level, tangent_at, with_tangent

    def jvp(*args):
        xs = list(args)
        level = new_level()
        for i, v in zip(diff, vs):
            xs[i] = with_tangent(xs[i], v, level)
        with enable_grad():
            outs = _float_outputs(f(*xs))
        res = []
        for o in outs:
            t = tangent_at(o, level)
            res.append(_make(np.zeros(_value(o).shape), None) if t is None else t)
        return tuple(res)
    return jvp


def gradcheck(f, args, eps=1e-6, atol=1e-5, rtol=1e-3, order=1, modes=("rev", "fwd")):
    """Check the derivatives of f at `args` against central finite differences.

    f takes the arguments (floating ones arrive as float64 Tensors; others unchanged) and
    returns a Tensor or a tree (tuple, list, dict) of them; every floating output is checked.
    modes: 'rev' compares the VJP with a random cotangent, 'fwd' the JVP of every basis
    tangent (each Jacobian column). order=2 also checks the derivatives of the VJP and (with
    'fwd') of the JVP the same way. Returns True, or raises GradcheckError naming the
    argument, the element, the expected (finite-difference) and the computed value.

    Examples
    --------
    >>> wg.gradcheck(lambda x: wg.sin(x) * x, (wg.tensor([0.5, 1.5]),))
    True
    """
    if isinstance(modes, str):
        modes = (modes,)
    modes = tuple(modes)
    if not modes or any(m not in MODES for m in modes):
        raise ValueError(f"modes must be a non-empty selection of 'rev' and 'fwd', got {modes!r}")
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"order must be a positive integer, got {order!r}")
    if not callable(f):
        raise TypeError(f"gradcheck needs a function as its first argument, got "
                        f"{type(f).__name__}")
    values, diff = _prepare(args)
    step = default_eps(np.float64) if eps is None else float(eps)
    _gradcheck(f, values, diff, step, atol, rtol, int(order), modes, "", 0)
    return True


def _gradcheck(f, values, diff, eps, atol, rtol, order, modes, what, seed):
    rng = np.random.default_rng(seed)
    with enable_grad():
        probe = _float_outputs(_call(f, values, diff))
    shapes = [_value(o).shape for o in probe]
    cols = _fd_columns(f, values, diff, eps, shapes)
    if len(shapes) == 1 and np.prod(shapes[0], dtype=int) == 1:
        us = [np.ones(shapes[0])]      # one scalar output: the VJP is the gradient itself
    else:
        us = [rng.standard_normal(s) for s in shapes]
    if "rev" in modes:
        _check_rev(f, values, diff, cols, us, atol, rtol, what)
    if "fwd" in modes:
        _check_fwd(f, values, diff, cols, shapes, atol, rtol, what)
    if order < 2:
        return
    if "rev" in modes:
        _gradcheck(_vjp_function(f, diff, us), values, diff, eps, atol, rtol, order - 1,
                   modes, what + "derivative of the VJP: ", seed + 1)
    if "fwd" in modes:
        vs = [rng.standard_normal(values[i].shape) for i in diff]
        _gradcheck(_jvp_function(f, diff, vs), values, diff, eps, atol, rtol, order - 1,
                   modes, what + "derivative of the JVP: ", seed + 2)


def check_grads(f, args, order=1, eps=None, atol=1e-5, rtol=1e-3, seed=0):
    """Reverse mode only (the checker the op tests used before forward mode): gradcheck with
    modes=('rev',). Raises GradcheckError on the first mismatch."""
    values, diff = _prepare(args)
    step = default_eps(np.float64) if eps is None else float(eps)
    _gradcheck(f, values, diff, step, atol, rtol, int(order), ("rev",), "", seed)
    return True
