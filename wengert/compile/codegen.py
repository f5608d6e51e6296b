"""Printing a simplified trace as a Python function that calls NumPy directly.

One statement per entry: `v3 = np.multiply(v1, v2)` when the op's forward is a NumPy
function, else the op's forward by a readable name (`f_logsumexp = _ops['logsumexp'].forward`
in the preamble). Constants are written in the preamble by value (`c0 = np.array([...])`),
so the source runs as it stands; it is exactly what `exec` runs. Each guard is checked right
after the statement that makes its value; a guard that fails raises `Miss`, and the caller
traces again for the new outcome.
"""
import numpy as np

from .ir import Const, Ref

__all__ = ["generate", "Miss"]


class Miss(Exception):
    """A guard of a compiled program saw another outcome than at tracing."""


def _np_name(fn):
    name = getattr(fn, "__name__", None)
    if name and getattr(np, name, None) is fn:
        return f"np.{name}"
    return None


def _literal_array(v):
    a = np.asarray(v)
    body = repr(a.tolist())
    if a.size == 0:
        return f"np.empty({a.shape!r}, dtype=np.{a.dtype.name})"
    if a.ndim == 0:
        return f"np.{a.dtype.name}({body})" if a.dtype.kind in "biufc" else None
    return f"np.array({body}, dtype=np.{a.dtype.name})" if a.dtype.kind in "biufc" else None


class _Printer:
    def __init__(self):
        self.pre = []
        self.ns = {}
        self.nconst = 0
        self.fnames = {}
        self.consts = {}

    def const(self, value):
        k = Const(value).key()
        if k in self.consts:
            return self.consts[k]
        name = self.consts[k] = f"c{self.nconst}"
        self.nconst += 1
        lit = _literal_array(value)
        if lit is None or np.asarray(value).size > 10000:
            raise _NotPrintable(value)
        self.pre.append(f"{name} = {lit}")
        return name

    def fn(self, op):
        fwd = op.forward
        n = _np_name(fwd)
        if n is not None:
            return n
        name = self.fnames.get(op.name)
        if name is None:
            name = "f_" + "".join(c if c.isalnum() else "_" for c in op.name)
            self.fnames[op.name] = name
            self.pre.append(f"{name} = _ops[{op.name!r}].forward")
        return name

    def expr(self, x):
        if isinstance(x, Ref):
            return x.name
        if isinstance(x, Const):
            return self.const(x.value)
        if isinstance(x, tuple) and not hasattr(x, "_fields"):
            inner = ", ".join(self.expr(v) for v in x)
            return f"({inner},)" if len(x) == 1 else f"({inner})"
        if isinstance(x, list):
            return "[" + ", ".join(self.expr(v) for v in x) + "]"
        if isinstance(x, dict):
            return "{" + ", ".join(f"{k!r}: {self.expr(v)}" for k, v in x.items()) + "}"
        if isinstance(x, float):
            if x != x or x in (float("inf"), float("-inf")):
                return f"float({str(x)!r})"
            return repr(x)
        if x is None or isinstance(x, (bool, int, str, complex)):
            return repr(x)
        if isinstance(x, slice):
            return f"slice({self.expr(x.start)}, {self.expr(x.stop)}, {self.expr(x.step)})"
        if x is Ellipsis:
            return "Ellipsis"
        if isinstance(x, np.dtype) or isinstance(x, type) and issubclass(x, np.generic):
            return f"np.dtype({np.dtype(x).str!r})" if isinstance(x, np.dtype) else \
                f"np.{x.__name__}"
        raise _NotPrintable(x)


class _NotPrintable(Exception):
    pass


def _guard(g):
    if g.door == "bool()":
        return f"if bool({g.name}) is not {g.value!r}: raise Miss({g.name!r})"
    conv = {"float()": "float", "int()": "int", "index": "int"}.get(g.door)
    got = f"{conv}({g.name})" if conv else f"{g.name}.{g.door.strip('.()')}()"
    v = g.value
    if isinstance(v, float) and v != v:
        return f"if {got} == {got}: raise Miss({g.name!r})"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return f"if {got} != float({str(v)!r}): raise Miss({g.name!r})"
    return f"if {got} != {v!r}: raise Miss({g.name!r})"


def generate(tr, convert, fname="compiled"):
    """(source, function) of the trace `tr`; `convert[i]` names how output leaf i is handed
    back ("float", "int", "bool", "array", "scalar", "tensor" or None for as computed)."""
    p = _Printer()
    body = []
    guards: dict = {}
    for g in tr.guards:
        guards.setdefault(g.name, []).append(g)
    for name in tr.inputs:
        for g in guards.pop(name, ()):
            body.append(_guard(g))
    for e in tr.entries:
        try:
            args = [p.expr(a) for a in e.args]
            params = [f"{k}={p.expr(v)}" for k, v in e.params.items()]
        except _NotPrintable as bad:
            from .ir import TraceError
            raise TraceError(f"wg.compile cannot print the operand {bad.args[0]!r} of the op "
                             f"{e.op.name}") from None
        call = f"{p.fn(e.op)}({', '.join(args + params)})"
        if getattr(e.op, "residual", False):
            call += "[0]"
        lhs = ", ".join(e.names) + ("," if e.multi and len(e.names) == 1 else "")
        body.append(f"{lhs} = {call}")
        for n in e.names:
            for g in guards.pop(n, ()):
                body.append(_guard(g))
    outs = []
    for o, c in zip(tr.outputs, convert):
        try:
            x = p.expr(o)
        except _NotPrintable:
            from .ir import TraceError
            raise TraceError(f"wg.compile cannot print a result of type "
                             f"{type(o).__name__}") from None
        outs.append(_convert(x, c))
    body.append("return (" + "".join(f"{x}, " for x in outs) + ")")
    head = ["import numpy as np", "from numpy import inf, nan", "from wengert.ops import registry as _ops",
            "from wengert.compile.codegen import Miss", "from wengert.tensor import _make"]
    src = "\n".join(head + p.pre + [""] + [f"def {fname}({', '.join(tr.inputs)}):"]
                    + ["    " + line for line in body]) + "\n"
    ns: dict = {}
    exec(compile(src, f"<wg.compile {fname}>", "exec"), ns)
    return src, ns[fname]


def _convert(x, c):
    if c is None:
        return x
    if c in ("float", "int", "bool"):
        return f"{c}({x})"
    if c == "array":
        return f"np.asarray({x})"
    if c == "tensor":
        return f"_make(np.asarray({x}), None)"
    return f"np.{c}({x})"          # a NumPy scalar type
