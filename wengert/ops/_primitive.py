"""Op: a primitive declared once, with its forward and derivative rules side by side.

Four declaration helpers cover every op; each returns a registered, callable Op:

* ``unary(name, fn, of_x=f′ | of_y=f′)`` — elementwise, one input. Give f′ once, as a
  function of the input x or of the output y (which is also what gets saved).
  VJP = g·f′ and JVP = t·f′ are derived.
* ``binary(name, fn, d_x, d_y, reads=("xy", "xy"))`` — elementwise with broadcasting. Give
  ∂z/∂x and ∂z/∂y as functions of (x, y, z) (or ONE / NEG_ONE, which skip the multiply);
  `reads` names what each one reads, so a node saves only what the partials of its inputs
  that need a gradient read. VJP = sum_to(g·∂z/∂x, x.shape), …; JVP = tx·∂z/∂x + ty·∂z/∂y.
* ``linear(name, fn, transpose)`` — linear in its one array argument. VJP = transpose(g,
  x_shape, **params); JVP = fn(t, **params).
* ``primitive(name, fn, vjp, jvp, save=...)`` — the general case: rules written out.
  ``vjp(g, needs, *saved, **params)`` returns one gradient (or None) per positional input;
  ``jvp(tangents, *saved, **params)`` returns the output tangent (tangents: one per input,
  None where absent). `saved` is the inputs named by `save` (indices; default all) followed
  by the output when ``save_out=True``. With ``residual=True`` the forward returns
  ``(output, r)`` and the VJP gets r after `saved` (as JAX's custom_vjp residuals): a value
  the forward computed anyway that spares first-order backward recomputing it. It is a
  plain array, so a rule reading it must not need its derivative (recorded rules recompute).

``singular=True`` marks ops whose local derivative can be infinite or undefined (sqrt, log,
divide, …; a binary op may pass a predicate of (x, y) instead, e.g. power is regular for a
constant exponent ≥ 1): their VJP returns exactly 0 wherever the incoming cotangent is exactly 0, so a
masked branch (``where(x > 0, sqrt(x), 0)``) never leaks NaN. Other ops pay nothing for it.

Rules are written in NumPy vocabulary (operators, methods, ``np.*``). At first order the
engine feeds them ndarrays; with ``create_graph=True`` it feeds Tensors and NumPy's dispatch
protocols record the same code as wengert ops, so every derivative differentiates again.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..engine import anomaly as _anomaly_mod
from ..engine.node import Node, version_error
from ..engine.errstate import quiet
from ..grad_mode import state as _grad
from .._typing import TensorLike
from ..tensor import UFUNCS, Tensor, _make
from ..forward import batched, dims, forward_mode, is_complex, saved_output
from ..views import alias
from ._operands import SEQUENCES as _SEQUENCES, by_value, holds_tensor, pack, packed
from ._shapes import sum_to
from ._docs import Documented, compose

registry: dict[str, Op] = {}   # name → Op: the op tests, viz and docs enumerate it
_anomaly = _anomaly_mod.state

ONE = "ONE"             # ∂z/∂x = 1: the VJP passes g through
NEG_ONE = "NEG_ONE"     # ∂z/∂x = −1: the VJP negates g


def _camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


class Op(Documented):
    # cx: what a complex input or output that a gradient or tangent flows through gets
    # (ops/complex.py): None — a TypeError; True — the op's own rules are right for complex
    # values; a function (op, args, params) → result — complex-aware rules elsewhere.
    __slots__ = ("name", "grad_name", "forward", "_doc", "cx", "__weakref__")
    singular = False        # (UnaryOp and BinaryOp declare it per op; see the module docstring)

    def _init(self, name, forward, grad_name, doc):
        self.name = name
        self.grad_name = (grad_name or _camel(name)) + "Backward"
        self.forward = forward
        self._doc = compose(name, self.grad_name, doc)
        self.cx = None
        if name in registry:
            raise ValueError(f"op {name!r} declared twice")
        registry[name] = self
        if isinstance(forward, np.ufunc):
            UFUNCS[forward] = self

    @property
    def doc(self):
        """The op's docstring (what help() shows)."""
        return self._doc

    @doc.setter
    def doc(self, text):
        self._doc = compose(self.name, self.grad_name, text)

    def __repr__(self):
        return f"<wengert op {self.name}>"

    def complex_route(self, args, params):
        """A complex value met by this op where a gradient or tangent flows through: the
        op's complex-aware rules (self.cx), or a TypeError naming the op."""
        if self.cx is None:
            raise TypeError(
                f"{self.name} of a complex value that a gradient (or tangent) flows through: "
                f"wengert's complex differentiation covers only the fft family (np.fft) and real, "
                f"imag, conj, abs, angle, +, -, *, / , integer powers, square, exp, sum, mean, "
                f"indexing and reshaping; take np.real/np.imag/np.abs of the value first, or "
                f".detach() it if no gradient is needed")
        return self.cx(self, args, params)


def check_version(node, i, t, v):
    """Raise if t, saved by node as input i at version v, was modified in place since."""
    if t._version != v:
        raise version_error(node, i, v, t._version)


def masked_mul(g, d):
    """g·d with 0·(anything) = 0 on either side, so an exactly-zero cotangent contributes
    exactly 0 even where d is inf or NaN (and an exactly-zero factor cuts a NaN that only
    reaches it through a masked path, at higher orders). Used by ops marked singular.

    On arrays (first order) the fix-up runs only when something is not finite. On Tensors it
    is the op `masked_multiply`, whose derivatives are masked the same way, at every order."""
    if type(g) is Tensor or type(d) is Tensor:
        return masked_multiply(g, d)
    return _masked_multiply_fwd(g, d)


def _masked_multiply_fwd(a, b):
    """a·b with 0·(anything) = 0."""
    r = a * b
    if np.isfinite(r).all():
        return r
    zero = (np.asarray(a) == 0) | (np.asarray(b) == 0)
    return np.where(zero, 0.0, r).astype(np.result_type(r), copy=False)


# ---- unary --------------------------------------------------------------------------------

class UnaryOp(Op):
    __slots__ = ("deriv", "of", "singular")
    deriv: Any
    of: str | None
    signature_of_forward = False

    @property
    def saves_output(self):
        return self.of == "y"

    def __call__(self, x: TensorLike) -> Tensor:
        if isinstance(x, Tensor):
            if x._tangents is not None:
                return forward_mode(self, (x,), {})
            y = self.forward(x.data)
            if x._requires_grad and _grad.enabled:
                if x.data.dtype.kind == "c":
                    return self.complex_route((x,), {})
                f = x.grad_fn
                of = self.of
                node = Node(self, (x if f is None else f,),
                            x if of == "x" else y if of == "y" else None, x._version, None)
                if _anomaly.enabled:
                    _anomaly_mod.check_forward(self, y)
                return _make(y, node)
            return _make(y, None)
        if type(x) in _SEQUENCES and holds_tensor(x):     # a list of tensors: stacked
            return self(pack(x))
        return _make(np.asarray(self.forward(x)), None)

    def backward(self, node, g, create):
        """g·f′ at the saved point (an array, or a Tensor when recording)."""
        of = self.of
        s = node.saved
        if self.singular:
            quiet()
        if of == "x":
            if s._version != node.versions:
                raise version_error(node, 0, node.versions, s._version)
            d = self.deriv(s if create else s.data)
        elif of == "y":
            d = self.deriv(saved_output(s, node) if create else s)
        else:
            return (np.zeros_like(g),)
        return (masked_mul(g, d) if self.singular else g * d,)

    def jvp(self, tangents, x, y):
        if self.of is None:
            return np.zeros_like(tangents[0])
        d = self.deriv(x if self.of == "x" else y)
        return masked_mul(tangents[0], d) if self.singular else tangents[0] * d

    def push_tangent(self, tangents, args, params, out):
        return self.jvp(tangents, args[0], out)


def unary(name: str, fn: Any, of_x: Any = None, of_y: Any = None, singular: bool = False,
          grad_name: str | None = None, doc: Any = None, cls: Any = None) -> UnaryOp:
    """Declare an elementwise op f with f′ given of the input x or of the output y (neither:
    f is piecewise constant, f′ = 0); `doc` as in ops/_docs.py; `cls` a UnaryOp subclass."""
    op = (cls or UnaryOp)()
    op._init(name, fn, grad_name, doc)
    op.deriv = of_x if of_x is not None else of_y
    op.of = "x" if of_x is not None else "y" if of_y is not None else None
    op.singular = singular
    return op


# ---- binary -------------------------------------------------------------------------------

# Python's operators run the same ufunc as np.add & co. but skip most of the call overhead
# for NumPy scalars (benchmarks/README.md); used when an operand is NumPy-typed, so the
# semantics stay NumPy's (two Python ints, or a list, go through the ufunc itself).
_OPERATORS = {np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
              np.divide: operator.truediv, np.power: operator.pow,
              np.floor_divide: operator.floordiv, np.remainder: operator.mod}
_PY_SCALARS = (float, int)


class BinaryOp(Op):
    __slots__ = ("dx", "dy", "saves", "saves_output", "singular", "fast")
    dx: Any
    dy: Any
    saves: tuple
    saves_output: bool
    fast: Any
    signature_of_forward = False

    def __call__(self, x: TensorLike, y: TensorLike) -> Tensor:
        tx = isinstance(x, Tensor)
        ty = isinstance(y, Tensor)
        if (tx and x._tangents is not None) or (ty and y._tangents is not None):
            return forward_mode(self, (x, y), {})
        if tx:
            if ty or type(y) in _PY_SCALARS:
                z = self.fast(x.data, y.data if ty else y)
            elif type(y) in _SEQUENCES and holds_tensor(y):
                return self(x, pack(y))
            else:
                z = self.forward(x.data, y)
        elif ty and type(x) in _PY_SCALARS:
            z = self.fast(x, y.data)
        elif (type(x) in _SEQUENCES and holds_tensor(x)
              or type(y) in _SEQUENCES and holds_tensor(y)):
            return self(packed(x), packed(y))      # a list of tensors: stacked
        else:
            z = self.forward(x, y.data if ty else y)
        if _grad.enabled and (tx and x._requires_grad or ty and y._requires_grad):
            # record (inline: one call less per op)
            if z.dtype.kind == "c":
                return self.complex_route((x, y), {})
            zs = z.shape
            k = 0                       # which inputs need a gradient: 1 x, 2 y, 3 both
            if tx and x._requires_grad:
                f = x.grad_fn
                px = x if f is None else f
                xs = x.data.shape
                k = 1
            else:
                px = xs = None
            if ty and y._requires_grad:
                f = y.grad_fn
                py = y if f is None else f
                ys = y.data.shape
                k += 2
            else:
                py = ys = None
            # the Tensors those partials read (the others are freed with their last use);
            # constants are kept whatever, for the symbolic and drawn views, and by value
            # where a partial reads them
            sx, sy, sz = self.saves[k]
            if not tx and type(x) not in _PY_SCALARS:
                x = by_value(x) if sx and type(x) is np.ndarray else np.asarray(x)
            if not ty and type(y) not in _PY_SCALARS:
                y = by_value(y) if sy and type(y) is np.ndarray else np.asarray(y)
            node = Node(self, (px, py),
                        (x if sx or not tx else None, y if sy or not ty else None,
                         z if sz else None),
                        (x._version if tx else 0, y._version if ty else 0),
                        None if (xs is None or xs == zs) and (ys is None or ys == zs)
                        else (xs, ys, zs))
            if _anomaly.enabled:
                _anomaly_mod.check_forward(self, z)
            return _make(z, node)
        return _make(z if tx or ty else np.asarray(z), None)

    def backward(self, node, g, create):
        px, py = node.parents
        x, y, z = node.saved
        vx, vy = node.versions
        if type(x) is Tensor:
            check_version(node, 0, x, vx)
            if not create:
                x = x.data
        if type(y) is Tensor:
            check_version(node, 1, y, vy)
            if not create:
                y = y.data
        if z is not None and create:
            z = saved_output(z, node)     # (a replay under forward mode: z is saved only when
            #                               a partial that runs reads it)
        shapes = node.params
        gx = gy = None
        if px is not None:
            d = self.dx
            gx = g if d is ONE else self._g_times(d, g, x, y, z)
            if shapes is not None and shapes[0] != shapes[2]:
                gx = sum_to(gx, shapes[0], shapes[2])
        if py is not None:
            d = self.dy
            if (py is px and y is x and callable(d) and callable(self.dx)
                    and d(x, y, z) is self.dx(x, y, z)):
                gy = gx         # one input twice, one partial for both (x * x): one product
            else:
                gy = g if d is ONE else self._g_times(d, g, x, y, z)
                if shapes is not None and shapes[1] != shapes[2]:
                    gy = sum_to(gy, shapes[1], shapes[2])
        return gx, gy

    def _g_times(self, d, g, x, y, z):
        """g·∂, the partial ∂ = d(x, y, z) (or ONE, NEG_ONE, None for 0) applied to g."""
        if d is ONE:
            return g
        if d is NEG_ONE:
            return -g
        if d is None:
            return np.zeros_like(g)
        sing = self.singular
        if sing is not True and sing is not False:
            sing = sing(x, y)
        if sing:
            quiet()             # (d may be inf or NaN where g is 0: masked)
            return masked_mul(g, d(x, y, z))
        return g * d(x, y, z)

    def jvp(self, tangents, x, y, z):
        """tx·∂z/∂x + ty·∂z/∂y, broadcast to z's shape (behind any leading batch axes)."""
        zshape = dims(z)
        zd = len(zshape)
        sing = self.singular
        if sing is not True and sing is not False:
            sing = sing(x, y)
        out = None
        lead = ()
        tx, ty = tangents
        if tx is not None:
            if dims(tx) != dims(x):                 # (equal shapes: no batch axes)
                tx, lead = batched(tx, x, zd)
            d = self.dx
            if d is not None:
                out = tx if d is ONE else -tx if d is NEG_ONE else (
                    masked_mul(tx, d(x, y, z)) if sing else tx * d(x, y, z))
        if ty is not None:
            if dims(ty) != dims(y):
                ty, lead = batched(ty, y, zd, lead)
            d = self.dy
            if d is NEG_ONE and out is not None:
                out = out - ty                # one subtract, not a negate and an add
            elif d is not None:
                term = ty if d is ONE else -ty if d is NEG_ONE else (
                    masked_mul(ty, d(x, y, z)) if sing else ty * d(x, y, z))
                out = term if out is None else out + term
        if out is None:
            return None
        target = lead + zshape if lead else zshape
        return out if dims(out) == target else np.broadcast_to(out, target)

    def push_tangent(self, tangents, args, params, out):
        return self.jvp(tangents, args[0], args[1], out)


def binary(name: str, fn: Any, d_x: Any, d_y: Any, reads: tuple[str, str] = ("xy", "xy"),
           singular: Any = False, grad_name: str | None = None, doc: Any = None) -> BinaryOp:
    """Declare an elementwise, broadcasting op z = f(x, y) by its two partials. `reads` names
    the values (of x, y, z) that ∂z/∂x and ∂z/∂y read, the singular predicate included; a
    node saves the Tensors that the partials it will run read (x * c keeps no x)."""
    op = BinaryOp()
    op._init(name, fn, grad_name, doc)
    op.dx, op.dy = d_x, d_y
    op.fast = _OPERATORS.get(fn, fn)
    rx, ry = reads
    op.saves = (None,) + tuple(tuple(v in r for v in "xyz") for r in (rx, ry, rx + ry))
    op.saves_output = "z" in rx + ry
    op.singular = singular
    return op


# g·d that is exactly 0 wherever g is exactly 0: the recorded form of masked_mul.
masked_multiply = binary("masked_multiply", _masked_multiply_fwd,
                         lambda x, y, z: y, lambda x, y, z: x, ("y", "x"), singular=True)


# ---- linear -------------------------------------------------------------------------------

class LinearOp(Op):
    __slots__ = ("transpose",)
    transpose: Any
    saves_output = False

    def __call__(self, x: TensorLike, **params: Any) -> Tensor:
        if isinstance(x, Tensor):
            if x._tangents is not None:
                return forward_mode(self, (x,), params)
            y = self.forward(x.data, **params)
            if x._requires_grad and _grad.enabled:
                if y.dtype.kind == "c" and self.cx is not True:
                    return self.complex_route((x,), params)
                f = x.grad_fn
                t = _make(y, Node(self, (x if f is None else f,), None, 0,
                                  (x.data.shape, params)))
            else:
                t = _make(y, None)
            if type(y) is np.ndarray and (y.base is not None or y is x.data):
                alias(x, t, self, params)   # a view (slice, reshape, transpose…): see views
            return t
        if type(x) in _SEQUENCES and holds_tensor(x):     # a list of tensors: stacked
            return self(pack(x), **params)
        return _make(np.asarray(self.forward(x, **params)), None)

    def backward(self, node, g, create):
        shape, params = node.params
        return (self.transpose(g, shape, **params),)

    def jvp(self, tangents, **params):
        """Linear: the tangent goes through the op itself."""
        return None if tangents[0] is None else self(tangents[0], **params)

    def push_tangent(self, tangents, args, params, out):
        return self.jvp(tangents, **params)


def linear(name: str, fn: Any, transpose: Any, grad_name: str | None = None,
           doc: Any = None) -> LinearOp:
    """Declare an op linear in its array argument by its transpose (its VJP)."""
    op = LinearOp()
    op._init(name, fn, grad_name, doc)
    op.transpose = transpose
    return op


# ---- general primitives -------------------------------------------------------------------

class Cotangents(tuple):
    """The gradient of a multi-output op: one entry per output, None for zero."""

    def __add__(self, other):
        return Cotangents(a if b is None else b if a is None else a + b
                          for a, b in zip(self, other))


class PrimitiveOp(Op):
    __slots__ = ("vjp", "jvp", "save", "save_out", "nout", "selectors", "residual")
    vjp: Any
    jvp: Any
    save: tuple[int, ...] | None
    save_out: bool
    nout: int
    selectors: tuple
    residual: bool

    @property
    def saves_output(self):
        return self.save_out

    def __call__(self, *args: Any, **params: Any) -> Any:
        datas = []
        rg = False
        for a in args:
            if isinstance(a, Tensor):
                if a._tangents is not None:
                    return forward_mode(self, args, params)
                datas.append(a.data)
                rg = rg or a._requires_grad
            elif type(a) in _SEQUENCES and holds_tensor(a):     # a list of tensors: stacked
                return self(*map(packed, args), **params)
            else:
                datas.append(a)
        out = self.forward(*datas, **params)
        if self.residual:
            out, res = out
        if not (rg and _grad.enabled):
            if self.nout == 1:
                return _make(out if isinstance(out, (np.ndarray, np.generic)) else np.asarray(out), None)
            return tuple(_make(o, None) for o in out)
        cx = self.cx is not True
        if cx and any(map(is_complex, out if self.nout > 1 else (out,))):
            return self.complex_route(args, params)
        parents = []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                if cx and a.data.dtype.kind == "c":
                    return self.complex_route(args, params)
                f = a.grad_fn
                parents.append(a if f is None else f)
            else:
                parents.append(None)
        saved = []
        versions = []
        for i in range(len(args)) if self.save is None else self.save:
            a = args[i]
            if type(a) is Tensor:
                saved.append(a)
                versions.append(a._version)
            else:
                saved.append(a if isinstance(a, Tensor) or type(a) in _PY_SCALARS
                             else by_value(datas[i]))
                versions.append(0)
        if self.save_out:
            saved.append(out)
        if self.residual:
            saved.append(res)
        node = Node(self, tuple(parents), tuple(saved), tuple(versions), params)
        if _anomaly.enabled:
            _anomaly_mod.check_forward(self, out)
        if self.nout == 1:
            return _make(out, node)
        return tuple(_make(o, Node(sel, (node,), None, 0, None))
                     for o, sel in zip(out, self.selectors))

    def backward(self, node, g, create):
        quiet()                 # (a general rule may meet inf or NaN on purpose)
        saved = node.saved
        vals = list(saved)
        versions = node.versions
        for i in range(len(versions)):          # (the output, when saved, comes last)
            s = vals[i]
            if type(s) is Tensor:
                if s._version != versions[i]:
                    raise version_error(node, i, versions[i], s._version)
                if not create:
                    vals[i] = s.data
        res = vals.pop() if self.residual else None
        if self.save_out:
            vals.pop()
            out = saved[-1]
            if create:
                out = saved_output(out, node, self.selectors)
            vals.append(out)
        if self.residual:
            vals.append(res)
        needs = tuple([p is not None for p in node.parents])
        return self.vjp(g, needs, *vals, **node.params)

    def push_tangent(self, tangents, args, params, out):
        save = range(len(args)) if self.save is None else self.save
        saved = [args[i] for i in save]
        if self.save_out:
            saved.append(out)
        return self.jvp(tangents, *saved, **params)


class _Select(Op):
    # output i of a multi-output op: its VJP places g at position i of the cotangents
    __slots__ = ("index", "nout")
    index: int
    nout: int

    def backward(self, node, g, create):
        return (Cotangents(g if i == self.index else None for i in range(self.nout)),)


def primitive(name: str, fn: Any, vjp: Any, jvp: Any = None, save: Any = None, save_out: bool = False,
              nout: int = 1, grad_name: str | None = None, doc: Any = None,
              residual: bool = False) -> PrimitiveOp:
    """Declare an op with explicit VJP and JVP rules (see the module docstring)."""
    op = PrimitiveOp()
    op._init(name, fn, grad_name, doc)
    op.vjp, op.jvp = vjp, jvp
    op.save = None if save is None else tuple(save)
    op.save_out, op.nout, op.residual = save_out, nout, residual
    op.selectors = select_ops(name, nout) if nout > 1 else ()
    return op


def select_ops(name, nout):
    """One _Select per output of an `nout`-output op named `name`: output i's node forwards
    its cotangent to position i of the op's Cotangents."""
    sels = []
    for i in range(nout):
        s = _Select.__new__(_Select)
        s.name, s.grad_name, s.forward, s._doc = f"{name}[{i}]", "SelectBackward", None, None
        s.index, s.nout = i, nout
        sels.append(s)
    return tuple(sels)


# the observers' callbacks (ops/observe.py), for ops that are plain functions (comparisons)
watchers: list = []
