"""The graph behind a tensor as a SymPy expression.

``to_sympy(y)`` reads the ops that produced the scalar `y` (from the tape, see
`wengert.tape.record`, which keeps every input including constants) and rebuilds them with
SymPy: leaves named at creation (``wg.tensor(3., requires_grad=True, name='x')``) become
``Symbol('x', real=True)``, unnamed leaves and constants become numbers.
``to_sympy(f, 'x', 'y')`` traces a Python function of named scalars. Applied to the graph
that ``create_graph=True`` records, it gives the derivative formula::

    with wengert.tape.record():
        f = x**2 * y + y + 2
        gx, gy = wg.autograd.grad(f, (x, y), create_graph=True)
    simplify(to_sympy(gx))   # 2*x*y

Piecewise choices in a graph (which branch of `where`, relu's mask in a derivative) were made
at the point the graph was built, so the formula holds around that point.
SymPy is an optional extra (``pip install 'wengert[symbolic]'``), imported on first use.
"""
import math
import multiprocessing
import time
from fractions import Fraction
from functools import lru_cache

import numpy as np

from .engine.graph import walk
from .engine.node import Node
from .ops._primitive import BinaryOp, LinearOp, UnaryOp
from .tensor import Tensor

__all__ = ["to_sympy", "simplify", "known_ops"]

_RECORD_HINT = ("build the graph inside `with wengert.tape.record():` (or pass the function: "
                "to_sympy(f, 'x', 'y'))")


def _sympy():
    try:
        import sympy
    except ImportError:
        raise ImportError("wengert.symbolic needs SymPy: pip install 'wengert[symbolic]'") from None
    return sympy


# ops that are the identity on a one-element value (their params: axis, shape, dtype… ignored)
_ONE_ELEMENT = ("copy", "astype", "sum", "max", "min", "prod", "cumsum", "cumprod",
                "logsumexp", "reshape", "squeeze", "expand_dims", "broadcast_to",
                "permute_dims", "swapaxes", "flip")
_KEYWORD_OPS = frozenset(_ONE_ELEMENT + ("softmax", "log_softmax"))


def _table(sp):
    """wengert op name → function of the SymPy arguments (and the op's keyword params)."""
    one = lambda a, **_: a                                    # noqa: E731
    half = sp.Rational(1, 2)
    return {
        # arithmetic
        "add": lambda a, b: a + b,
        "subtract": lambda a, b: a - b,
        "multiply": lambda a, b: a * b,
        "masked_multiply": lambda a, b: a * b,        # a·b with 0·∞ = 0: a·b away from that
        "divide": lambda a, b: a / b,
        "power": lambda a, b: a ** b,
        "negative": lambda a: -a,
        "positive": one,
        "square": lambda a: a ** 2,
        "reciprocal": lambda a: 1 / a,
        "sqrt": sp.sqrt,
        "cbrt": sp.cbrt,
        "absolute": sp.Abs,
        "sign": sp.sign,
        "floor": sp.floor,
        "ceil": sp.ceiling,
        "floor_divide": lambda a, b: sp.floor(a / b),
        "remainder": lambda a, b: sp.Mod(a, b),
        "maximum": sp.Max, "fmax": sp.Max,
        "minimum": sp.Min, "fmin": sp.Min,
        "copysign": lambda a, b: sp.Abs(a) * sp.sign(b),
        "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2),
        # exponentials and logarithms
        "exp": sp.exp,
        "exp2": lambda a: 2 ** a,
        "expm1": lambda a: sp.exp(a) - 1,
        "log": sp.log,
        "log2": lambda a: sp.log(a, 2),
        "log10": lambda a: sp.log(a, 10),
        "log1p": lambda a: sp.log(1 + a),
        "logaddexp": lambda a, b: sp.log(sp.exp(a) + sp.exp(b)),
        "logaddexp2": lambda a, b: sp.log(2 ** a + 2 ** b, 2),
        # trigonometric and hyperbolic
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan,
        "arcsin": sp.asin, "arccos": sp.acos, "arctan": sp.atan, "arctan2": sp.atan2,
        "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
        "arcsinh": sp.asinh, "arccosh": sp.acosh, "arctanh": sp.atanh,
        "deg2rad": lambda a: a * sp.pi / 180,
        "rad2deg": lambda a: a * 180 / sp.pi,
        # machine learning
        "erf": sp.erf,
        "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
        "relu": lambda a: sp.Max(0, a),
        "softplus": lambda a: sp.log(1 + sp.exp(a)),
        "gelu": lambda a: a * half * (1 + sp.erf(a / sp.sqrt(2))),
        "gelu_tanh": lambda a: a * half * (
            1 + sp.tanh(sp.sqrt(2 / sp.pi) * (a + sp.Rational(44715, 10 ** 6) * a ** 3))),
        "clip": lambda a, lo, hi: (a if lo is None else sp.Max(a, lo)) if hi is None
        else sp.Min(a if lo is None else sp.Max(a, lo), hi),
        # on one element these only move or relabel it
        **{n: one for n in _ONE_ELEMENT},
        "softmax": lambda a, **_: sp.Integer(1),
        "log_softmax": lambda a, **_: sp.Integer(0),
    }




def _op_table():
    return _cached_table(_sympy())


@lru_cache(maxsize=1)
def _cached_table(sp):
    return _table(sp)


def known_ops():
    """The names of the wengert ops that have a SymPy counterpart (plus where)."""
    return frozenset(_op_table()) | {"where"}


# ---- numbers --------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _closed_forms():
    """(value, SymPy form) of the irrational constants derivative rules and users bring in:
    π, e, ln 2 (exp2, log2), ln 10 (log10), √2, √π and √(2π) (erf, gelu)."""
    sp = _sympy()
    forms = (sp.pi, sp.E, sp.log(2), sp.log(10), sp.sqrt(2), sp.sqrt(3), sp.sqrt(sp.pi),
             sp.sqrt(2 * sp.pi))
    return tuple((float(c), c) for c in forms)


@lru_cache(maxsize=4096)
def _number(v):
    """A float as the simplest SymPy number that is exactly it (to the last bit): an
    integer, a short fraction (0.5 → 1/2, 0.1 → 1/10), a short fraction times or over one
    of the constants in `_closed_forms` (3.14159… → pi, 1.1283… → 2/sqrt(pi)), else a
    Float."""
    sp = _sympy()
    if not math.isfinite(v):
        return sp.nan if math.isnan(v) else (sp.oo if v > 0 else -sp.oo)
    if v == int(v) and abs(v) < 2 ** 63:
        return sp.Integer(int(v))
    if abs(v) >= 2 ** 53 or abs(v) < 1e-6:
        return sp.Float(v)
    frac = Fraction(v).limit_denominator(1000)     # what a person typed: 0.5, 0.1, 2/3
    if float(frac) == v:
        return sp.Rational(frac.numerator, frac.denominator)
    for c, form in _closed_forms():
        for r, build in ((v / c, lambda q: q * form), (v * c, lambda q: q / form)):
            q = Fraction(r).limit_denominator(1000)
            if q and abs(float(q) - r) <= 4e-16 * abs(r):
                cand = build(sp.Rational(q.numerator, q.denominator))
                if float(cand) == v or math.isclose(float(cand), v, rel_tol=2.3e-16):
                    return cand
    return sp.Float(v)


def _constant(c, what):
    """A constant input (Python number, ndarray, NumPy scalar, Tensor without a graph)."""
    sp = _sympy()
    if c is None:
        return None
    if isinstance(c, Tensor):
        if c.name is not None:
            return _symbol(c.name)
        c = c.data
    a = np.asarray(c)
    if a.size != 1:
        raise ValueError(f"to_sympy handles graphs of scalars: {what} has a constant input of "
                         f"shape {a.shape}")
    a = a.reshape(())
    if a.dtype.kind == "b":
        return sp.Integer(int(a))
    if a.dtype.kind in "iu":
        return sp.Integer(int(a))
    if a.dtype.kind == "f":
        return _number(float(a))
    raise TypeError(f"to_sympy: {what} has a constant of dtype {a.dtype}, which has no "
                    f"SymPy number")


# ---- the graph ------------------------------------------------------------------------------

def _symbol(name):
    """Symbol(name, real=True): wengert's scalars are real, and saying so lets SymPy simplify
    sqrt(cosh(x)**2) to cosh(x) and d|x|/dx to sign(x)."""
    return _sympy().Symbol(name, real=True)


def _leaf(t, seen):
    if t.name is not None:
        return _named(t, seen)
    return _constant(t.data, "a leaf")


def _named(t, seen):
    """The Symbol of a named tensor; two different tensors of one name would merge into one
    symbol (a wrong formula), so that is an error."""
    first = seen.setdefault(t.name, t)
    if first is not t:
        raise ValueError(f"to_sympy: two different tensors are named {t.name!r}, and would "
                         f"become one symbol; give each its own name (wg.tensor(..., "
                         f"name=...) or t.name = ...)")
    return _symbol(t.name)


def _inputs(node):
    """(op, inputs, params) for `node`: from the tape when recorded, else recovered from the
    node itself where every input is known; an error that says how to record otherwise."""
    from .tape import entry_for
    e = entry_for(node)
    if e is not None:
        if e.index is not None:
            raise ValueError(f"to_sympy: op {e.op.name!r} has several outputs and no SymPy "
                             f"counterpart")
        return e.op, e.inputs, e.params
    op = node.op
    parents = node.parents
    if isinstance(op, UnaryOp):
        return op, parents, {}
    if isinstance(op, LinearOp):
        return op, parents, node.params[1]
    if isinstance(op, BinaryOp):
        if None not in parents:
            return op, parents, {}
        saved = node.saved
        if isinstance(saved, tuple):
            args = []
            for i, p in enumerate(parents):
                s = saved[i] if p is None else p
                if s is None:
                    break
                args.append(s)
            else:
                return op, tuple(args), {}
    raise ValueError(f"to_sympy: the constant inputs of {op.name!r} were not recorded "
                     f"(the graph was built outside a tape, or its saved values were freed "
                     f"by backward); {_RECORD_HINT}")


def _check_scalar(t, what):
    if isinstance(t, Tensor) and t.data is not None and np.size(t.data) != 1:
        raise ValueError(f"to_sympy handles graphs of scalars: {what} has shape "
                         f"{tuple(np.shape(t.data))}")


def _graph(y, seen=None):
    """The SymPy expression of one Tensor's graph (iterative: any depth). `seen`: name →
    the tensor that has it, shared by the graphs of one call."""
    _sympy()                    # without SymPy: the ImportError now, before any walk
    seen = {} if seen is None else seen
    if not isinstance(y, Tensor):
        return _constant(y, "the value")
    _check_scalar(y, "the tensor")
    root = y.grad_fn
    if root is None:
        return _leaf(y, seen) if y.is_leaf else _constant(y.data, "the tensor")
    table = _op_table()
    # walk() lists each node before its parents: build from the leaves up
    order = list(walk([root]))
    expr = {}
    for item in reversed(order):
        if type(item) is not Node:
            expr[item] = _leaf(item, seen)
            continue
        op, inputs, params = _inputs(item)
        name = op.name
        fn = table.get(name)
        if fn is None and name != "where":
            raise ValueError(f"to_sympy: op {name!r} has no SymPy counterpart (the ops that "
                             f"have one: wengert.symbolic.known_ops())")
        args = []
        for inp in inputs:
            if isinstance(inp, Tensor):
                _check_scalar(inp, f"an input of {name!r}")
                f = inp.grad_fn
                if f is not None and f in expr:
                    args.append(expr[f])
                elif f is None and inp in expr:
                    args.append(expr[inp])
                elif f is None and inp.is_leaf and inp.name is not None:
                    args.append(_named(inp, seen))
                else:
                    args.append(_constant(inp.data, f"op {name!r}"))
            elif type(inp) is Node:               # recovered from a node: a parent node
                args.append(expr[inp])
            else:
                args.append(_constant(inp, f"op {name!r}"))
        if name == "where":                     # the condition was decided at this point
            cond = inputs[0]
            c = np.asarray(cond.data if isinstance(cond, Tensor) else cond)
            if c.size != 1:
                raise ValueError(f"to_sympy handles graphs of scalars: 'where' has a "
                                 f"condition of shape {c.shape}")
            expr[item] = args[1] if bool(c.reshape(())) else args[2]
        elif name in _KEYWORD_OPS:
            expr[item] = fn(args[0], **params)
        else:
            try:
                expr[item] = fn(*args)
            except TypeError as err:
                raise ValueError(f"to_sympy: cannot apply {name!r} to {len(args)} "
                                 f"argument(s): {err}") from None
    return expr[root]


def to_sympy(y, *names, at=None):
    """The SymPy expression of the graph behind the scalar tensor `y`.

    Named leaves → real Symbols of that name (``Symbol('x', real=True)``); unnamed leaves
    and constants → numbers (integers, short fractions, and multiples of π, e, √2, ln 2…
    where they are exactly that float). A tuple or list of tensors gives a tuple.

    ``to_sympy(f, 'x', 'y', at=None)`` traces the Python function f: it is called, under the
    tape, on 0-d float64 tensors named 'x', 'y' (values from `at`, a dict or sequence; 0.5
    by default) and its result is converted. Raises ValueError for an op without a SymPy
    counterpart (naming the op), a non-scalar value, or constant inputs that were not
    recorded (the message says to use ``wengert.tape.record()``).
    """
    _sympy()
    if callable(y) and not isinstance(y, Tensor):
        return _trace(y, names, at)
    if names:
        raise TypeError("to_sympy: variable names are for tracing a function; "
                        "to_sympy(tensor) takes the tensor alone")
    if isinstance(y, (tuple, list)):
        seen: dict = {}
        return tuple(_graph(t, seen) for t in y)
    return _graph(y)


def _trace(f, names, at):
    from .creation import tensor
    from .grad_mode import enable_grad
    from .tape import record
    for n in names:
        if not isinstance(n, str) or not n.isidentifier():
            raise TypeError(f"to_sympy: variable names must be identifiers, got {n!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"to_sympy: a variable name is given twice in {names}")
    if at is None:
        values = [0.5] * len(names)
    elif isinstance(at, dict):
        values = [at.get(n, 0.5) for n in names]
    else:
        values = list(at)
        if len(values) != len(names):
            raise ValueError(f"to_sympy: {len(names)} names but {len(values)} values in at=")
    xs = [tensor(float(v), dtype=np.float64, requires_grad=True, name=n)
          for n, v in zip(names, values)]
    with enable_grad(), record(), np.errstate(all="ignore"):
        out = f(*xs)
        return to_sympy(out)


# ---- simplifying, with a time limit --------------------------------------------------------

def simplify(exprs, timeout=5.0):
    """`sympy.simplify` of one expression or a sequence of them, within `timeout` seconds.

    sympy.simplify can take minutes on an innocent-looking derivative (tanh and erf send it
    through trigsimp's search), and even the quick form factor_terms can take many seconds
    on a long sum, so both run in a forked child process that is stopped at the deadline:
    each expression comes back as the shortest of what was done by then (simplified, the
    quick form, or the input as built). timeout=None waits for sympy.simplify however long
    it takes; timeout=0, or a platform without fork, gives the quick form at once (computed
    here, unbounded). `simplify_within` also says which expressions were fully simplified."""
    out, _ = simplify_within(exprs, timeout)
    return out


def simplify_within(exprs, timeout=5.0):
    """(simplify(exprs, timeout), done): done[i] is True where sympy.simplify finished for
    expression i (a list, one entry per expression, also for a single one)."""
    sp = _sympy()
    single = not isinstance(exprs, (list, tuple))
    items = [exprs] if single else list(exprs)
    if timeout is None:
        out = [sp.simplify(e) for e in items]
        return (out[0] if single else tuple(out)), [True] * len(items)
    ctx = None
    if timeout > 0:
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:
            ctx = None
    done = [False] * len(items)
    if ctx is None:
        out = [min((e, sp.factor_terms(e)), key=sp.count_ops) for e in items]
    else:
        out = list(items)
        if items:
            for i, full, r in _simplify_in_child(ctx, items, timeout):
                if sp.count_ops(r) <= sp.count_ops(out[i]):
                    out[i] = r
                done[i] = done[i] or full
    return (out[0] if single else tuple(out)), done


def _simplify_in_child(ctx, items, timeout):
    """(index, whether simplify finished, form) for each result the child sent before the
    deadline: first every quick form, then every simplified one."""
    recv, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_simplify_worker, args=(items, send), daemon=True)
    child.start()
    send.close()
    deadline = time.monotonic() + timeout
    done: list = []
    try:
        while len(done) < 2 * len(items):
            left = deadline - time.monotonic()
            if left <= 0 or not recv.poll(left):
                break
            done.append(recv.recv())
    except (EOFError, OSError):     # the child died (out of memory…): keep what arrived
        pass
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        recv.close()
    return done


def _simplify_worker(items, conn):
    sp = _sympy()
    for i, e in enumerate(items):
        conn.send((i, False, sp.factor_terms(e)))
    for i, e in enumerate(items):
        conn.send((i, True, sp.simplify(e)))
    conn.close()
