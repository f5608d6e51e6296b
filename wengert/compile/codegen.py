"""Printing a simplified trace as a Python function that calls NumPy directly.

One statement per entry: `v3 = v1 * v2` for the four arithmetic ufuncs (Python's operator on
NumPy operands runs the same ufunc loop, without the call's overhead: what makes 0-d
programs cheap), `v4 = np.tanh(v3)` when the op's forward is another NumPy function, else the
op's forward by a readable name (`f_logsumexp = _ops['logsumexp'].forward` in the preamble).
Where plan.py allows, an elementwise step writes into a dead operand (`np.tanh(v3, out=v3)`).
Constants are written in the preamble, so the source runs as it stands and is exactly what
`exec` runs: an array of up to `MAX_LITERAL` elements by value (`c0 = np.float64(1.0)`,
`c1 = np.array([3, 0, 2], dtype=np.int64)`), a bigger one on one line from its bytes, after a
comment that names its dtype, shape and the step that reads it:

    # c2: float32 (64, 10), read by cross_entropy (v18)
    c2 = np.frombuffer(bytes.fromhex('0000803f…'), dtype='<f4').reshape((64, 10))

(a read-only array: no step writes into a constant). Only an array NumPy cannot rebuild from
bytes (object or structured dtypes) is read from `_consts`, a dict the returned source
carries as its `constants` attribute (`exec(src, {'_consts': src.constants})`).
Each guard is checked right after the statement that makes its
value; a guard that fails raises `Miss`, and the caller traces again for the new outcome.
A result that is an input, a constant, or the same value as an earlier result is copied, so
the caller never holds memory that another result, an argument or a later call shares.
"""
import math

import numpy as np

from .ir import Const, Ref, refs
from .plan import MIN_BYTES, elementwise, plan, scratch, skewed_names
from .scalars import python_floats, strong_needed
from .spelled import spelled

__all__ = ["generate", "Miss", "Source", "MAX_LITERAL"]

MAX_LITERAL = 64
# dtypes whose values Python's int, float and complex literals give back exactly
_LIST_EXACT = frozenset("?bBhHiIlLqQefdFD")
_OPERATORS = {np.add: "+", np.subtract: "-", np.multiply: "*", np.divide: "/"}


class Source(str):
    """A compiled program's source; `constants` holds the arrays it reads from `_consts`."""
    constants: dict[str, np.ndarray] = {}


class Miss(Exception):
    """A guard of a compiled program saw another outcome than at tracing."""


def _np_name(fn):
    name = getattr(fn, "__name__", None)
    if name and getattr(np, name, None) is fn:
        return f"np.{name}"
    return None


def _literal_array(v):
    a = np.asarray(v)
    if a.dtype.char not in _LIST_EXACT:
        return None
    body = repr(a.tolist())
    if a.size == 0:
        return f"np.empty({a.shape!r}, dtype=np.{a.dtype.name})"
    if a.ndim == 0:
        return f"np.{a.dtype.name}({body})" if a.dtype.kind in "biufc" else None
    return f"np.array({body}, dtype=np.{a.dtype.name})" if a.dtype.kind in "biufc" else None


def _packed_array(a):
    """One line that rebuilds the array a from its bytes, or None (object, structured)."""
    if a.dtype.kind not in "biufcmMSU" or a.dtype.fields is not None:
        return None
    hexed = np.ascontiguousarray(a).tobytes().hex()
    return (f"np.frombuffer(bytes.fromhex({hexed!r}), dtype={a.dtype.str!r})"
            f".reshape({a.shape!r})")


class _Printer:
    def __init__(self):
        self.pre = []
        self.ns = {}
        self.nconst = 0
        self.fnames = {}
        self.consts = {}
        self.big = {}
        self.wrap = ()          # names held as Python floats, printed as NumPy scalars
        self.where = ""         # the entry being printed (named beside a big constant)

    def const(self, value):
        k = Const(value).key()
        if k in self.consts:
            return self.consts[k]
        name = self.consts[k] = f"c{self.nconst}"
        self.nconst += 1
        a = np.asarray(value)
        lit = _literal_array(value) if a.size <= MAX_LITERAL else None
        if lit is not None:
            self.pre.append(f"{name} = {lit}")
            return name
        w = self.where
        where = w if isinstance(w, str) else f"{w.op.name} ({w.names[0]})"
        self.pre.append(f"# {name}: {a.dtype.name} {a.shape}, read by {where}")
        packed = _packed_array(a)
        if packed is None:
            self.big[name] = value
            self.pre.append(f"{name} = _consts[{name!r}]")
        else:
            self.pre.append(f"{name} = {packed}")
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
        if type(x) is Ref or isinstance(x, Ref):
            return f"np.float64({x.name})" if x.name in self.wrap else x.name
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
    if g.door == "shape":
        return f"if {g.name}.shape != {g.value!r}: raise Miss({g.name!r})"
    if g.door == "bool()":
        return f"if bool({g.name}) is not {g.value!r}: raise Miss({g.name!r})"
    conv = {"float()": "float", "int()": "int", "index": "int"}.get(g.door)
    got = f"{conv}({g.name})" if conv else f"{g.name}.{g.door.strip('.()')}()"
    v = g.value
    if isinstance(v, list):     # (repr tells nan from nan's absence, -0.0 from 0.0)
        return f"if repr({got}) != {repr(v)!r}: raise Miss({g.name!r})"
    if isinstance(v, float) and v == 0.0:        # (-0.0 == 0.0, yet 1/x, copysign differ)
        return f"if str({got}) != {str(v)!r}: raise Miss({g.name!r})"
    if isinstance(v, float) and v != v:
        return f"if {got} == {got}: raise Miss({g.name!r})"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return f"if {got} != float({str(v)!r}): raise Miss({g.name!r})"
    return f"if {got} != {v!r}: raise Miss({g.name!r})"


def generate(tr, convert, fname="compiled", skewed=()):
    """(source, function) of the trace `tr`; `convert[i]` names how output leaf i is handed
    back ("float", "int", "bool", "array", "tensor", a NumPy scalar type as "np.float32", or
    None for as computed); `skewed`: the inputs not in C order at tracing (plan.scratch)."""
    p = _Printer()
    body = []
    guards: dict = {}
    for g in tr.guards:
        guards.setdefault(g.name, []).append(g)
    for name in tr.inputs:
        for g in guards.pop(name, ()):
            body.append(_guard(g))
    metas = dict(zip(tr.inputs, tr.input_metas))
    for e in tr.entries:
        metas.update(zip(e.names, e.metas))
    ews = {e: elementwise(e) for e in tr.entries}     # (by identity: asked 4 times of each)
    is_ew = ews.__getitem__
    used = [refs((e.args, e.params) if e.params else e.args, set()) for e in tr.entries]
    floats, float_inputs, float_steps = python_floats(tr, metas, is_ew, used)
    body += [f"{n} = float({n})" for n in float_inputs]
    skewed = skewed_names(tr, used, skewed)
    into = plan(tr, metas, is_ew, used, skewed)
    slot_of, kinds, in_scratch = scratch(tr, metas, into, used,
                             lambda e: ews[e] or _matmul_out(e, metas) or _scatter_out(e, metas),
                             skewed)
    if kinds:
        body.append(f"{_slots(kinds)} = _take()")
    dead = _deaths(tr, metas, used, in_scratch)
    for i, e in enumerate(tr.entries):
        # (a step on Python floats reads only float64 values: never strong_needed)
        p.wrap = () if i in float_steps or ews[e] and not strong_needed(e, metas, floats) \
            else floats
        p.where = e
        try:
            wrap = p.wrap
            args = [a.name if type(a) is Ref and a.name not in wrap else p.expr(a)
                    for a in e.args]
            params = [f"{k}={p.expr(v)}" for k, v in e.params.items()] if e.params else []
        except _NotPrintable as bad:
            from .ir import TraceError
            raise TraceError(f"wg.compile cannot print the operand {bad.args[0]!r} of the op "
                             f"{e.op.name}") from None
        lhs = e.names[0] if not e.multi and len(e.names) == 1 else \
            ", ".join(e.names) + ("," if e.multi and len(e.names) == 1 else "")
        if i in float_steps:
            body.append(f"{lhs} = {_float_call(e, args, float_steps[i])}")
        elif i in slot_of:
            body.append(_into_scratch(e, lhs, args, f"s{slot_of[i]}", ews[e]))
        else:
            body.append(f"{lhs} = {_call(p, e, args, params, into.get(i), metas, ews[e])}")
        if guards:
            for n in e.names:
                for g in guards.pop(n, ()):
                    body.append(_guard(g))
        if i in dead:
            body.append(f"del {', '.join(dead[i])}")
    p.wrap = floats
    p.where = "a result"
    outs = []
    seen = set()
    shared = _shared_results(tr, ews)
    for o, c in zip(tr.outputs, convert):
        try:
            x = p.expr(o)
        except _NotPrintable:
            from .ir import TraceError
            raise TraceError(f"wg.compile cannot print a result of type "
                             f"{type(o).__name__}") from None
        kind = metas[o.name][2] if type(o) is Ref else type(getattr(o, "value", o))
        if (type(o) is Const or type(o) is Ref and (o.name in tr.inputs or o.name in seen
                                                   or o.name in shared)) \
                and issubclass(kind, np.ndarray):
            x = f"{x}.copy()"       # (the caller's own array: never shared)
        if type(o) is Ref and metas[o.name][0] == ():
            kind = None             # (a 0-d value may be a NumPy scalar: wrapped)
        if type(o) is Ref:
            seen.add(o.name)
        outs.append(_convert(x, c, kind))
    if kinds:
        body.append(f"_pool.append(({_slots(kinds)}))")
        p.pre += _take_def(kinds)
    body.append("return (" + "".join(f"{x}, " for x in outs) + ")")
    head = ["import numpy as np", "from numpy import inf, nan", "from wengert.ops import registry as _ops",
            "from wengert.compile.codegen import Miss", "from wengert.tensor import _make"]
    src = Source("\n".join(head + p.pre + [""] + [f"def {fname}({', '.join(tr.inputs)}):"]
                           + ["    " + line for line in body]) + "\n")
    src.constants = dict(p.big)
    ns: dict = {"_consts": src.constants}
    exec(compile(src, f"<wg.compile {fname}>", "exec"), ns)
    return src, ns[fname]


# ---- scratch arrays (plan.py) ------------------------------------------------------------

def _slots(kinds):
    return ", ".join(f"s{k}" for k in range(len(kinds))) + ("," if len(kinds) == 1 else "")


def _take_def(kinds):
    """The preamble's pool of scratch arrays and `_take`, which hands a call one set."""
    new = ", ".join(f"np.empty({shape!r}, dtype={dtype!r})" for shape, dtype in kinds)
    return ["", "# scratch arrays for the temporaries, kept between calls: one set per running call",
            "_pool = []", "", "", "def _take():", "    try:", "        return _pool.pop()",
            "    except IndexError:", f"        return ({new}{',' if len(kinds) == 1 else ''})",
            ""]


def _matmul_out(e, metas):
    """Is e a matmul of two arrays of one axis or more (np.matmul(a, b, out=s) then)?"""
    return (e.op.name == "matmul" and len(e.names) == 1 and not e.multi and not e.params
            and len(e.args) == 2 and all(type(a) is Ref and metas[a.name][2] is np.ndarray
                                         and len(metas[a.name][0]) >= 1 for a in e.args))


def _scatter_out(e, metas):
    """Is e a scatter into zeros of its own shape at a basic index (ints, slices), which
    `s.fill(0); s[index] = g` does in a given array?"""
    if e.op.name != "scatter_add" or len(e.names) != 1 or e.multi or len(e.args) != 1 \
            or set(e.params) != {"index", "x_shape"}:
        return False
    g, index = e.args[0], e.params["index"]
    shape, dtype, kind = metas[e.names[0]]
    return (type(g) is Ref and metas[g.name][2] is np.ndarray and metas[g.name][1] == dtype
            and kind is np.ndarray and tuple(shape) == tuple(e.params["x_shape"])
            and type(index) is tuple and _subscript(index) is not None)


def _subscript(index):
    """A basic index (ints, slices, None, Ellipsis) as Python writes it in brackets."""
    parts = []
    for i in index:
        if type(i) is int or i is None:
            parts.append(repr(i))
        elif i is Ellipsis:
            parts.append("...")
        elif type(i) is slice and all(v is None or type(v) is int
                                      for v in (i.start, i.stop, i.step)):
            a, b = "" if i.start is None else repr(i.start), "" if i.stop is None else repr(i.stop)
            parts.append(f"{a}:{b}" + ("" if i.step is None else f":{i.step!r}"))
        else:
            return None
    return ", ".join(parts) + ("," if len(parts) == 1 and not parts[0].count(":") else "") \
        if parts else "()"


def _into_scratch(e, lhs, args, s, ew):
    """Entry e's statement writing into the scratch array s."""
    if ew:
        return f"{lhs} = np.{e.op.forward.__name__}({', '.join(args)}, out={s})"
    if e.op.name == "matmul":
        return f"{lhs} = np.matmul({args[0]}, {args[1]}, out={s})"
    return f"{s}.fill(0); {s}[{_subscript(e.params['index'])}] = {args[0]}; {lhs} = {s}"


# ops whose result may be a view of an operand (NumPy's reshape, indexing, transposes, …)
VIEWING = frozenset({"astype", "broadcast_to", "diagonal", "expand_dims", "flip", "getitem",
                     "imag", "real", "permute_dims", "reshape", "squeeze", "swapaxes",
                     "einsum", "setitem"})


def _shared_results(tr, ews):
    """The results that may share memory with an input, a constant or another result
    through a chain of viewing ops: copied when handed back. (The uncompiled call's result
    may be a fresh array where the program's is not: `(v * 1)[:2]` is a view of v once
    `v * 1` is rewritten to v.)"""
    views: dict = {}            # name → the names (and "" for a constant) it may view
    for e in tr.entries:
        if ews[e] or e.op.name not in VIEWING:
            continue
        src = set()
        for a in _leaves(e.args):
            if type(a) is Ref:
                src.add(a.name)
                src |= views.get(a.name, set())
            elif type(a) is Const:
                src.add("")
        for n in e.names:
            views[n] = src
    names = [o.name for o in tr.outputs if type(o) is Ref]
    outs, inputs = set(names), set(tr.inputs)
    shared = set()
    for n in names:
        src = views.get(n, ())
        if "" in src or not inputs.isdisjoint(src):
            shared.add(n)
        for m in src:
            if m in outs:
                shared.add(m)   # (n views result m: m handed back as a copy)
    return shared


def _leaves(x):
    if isinstance(x, (list, tuple)):
        for v in x:
            yield from _leaves(v)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves(v)
    else:
        yield x


def _deaths(tr, metas, used, in_scratch):
    """{index of an entry: the big arrays no later step reads}: deleted there, so their
    memory goes back (a local would otherwise keep it to the end of the program); not those
    in a scratch array, which stays."""
    keep = refs(tr.outputs, set()) | set(tr.inputs) | in_scratch
    big = {n for n, (shape, dtype, kind) in metas.items()
           if kind is np.ndarray and n not in keep
           and math.prod(shape) * np.dtype(dtype).itemsize >= MIN_BYTES}
    if not big:
        return {}               # (a program of scalars and small arrays: none)
    last = {}
    for i, e in enumerate(tr.entries):
        for n in e.names:
            last[n] = i
        for n in used[i]:
            last[n] = i
    dead: dict[int, list[str]] = {}
    for n, i in last.items():
        if n in big:
            dead.setdefault(i, []).append(n)
    return dead


def _numeric(kind):
    return issubclass(kind, (np.ndarray, np.generic))


def _call(p, e, args, params, out, metas, ew):
    """The right-hand side of entry e's statement (`ew`: is e elementwise)."""
    if ew:
        f = e.op.forward
        if out is not None:
            return f"np.{f.__name__}({', '.join(args)}, out={out})"
        # an operator only where an operand is a NumPy value (then Python hands the
        # operation to NumPy: the same ufunc loop, dtype and result kind)
        if all(_numeric(metas[a.name][2]) for a in e.args if type(a) is Ref):
            if f in _OPERATORS and len(args) == 2:
                return f"{_atom(args[0])} {_OPERATORS[f]} {_atom(args[1])}"
            if f is np.negative:
                return f"-{_atom(args[0])}"
    else:
        direct = spelled(e, args, metas)
        if direct is not None:
            return direct
    call = f"{p.fn(e.op)}({', '.join(args + params)})"
    if getattr(e.op, "residual", False) and len(e.names) == 1:
        call += "[0]"               # (the residual too where a later step reads it)
    return call


def _float_call(e, args, kind):
    """The statement of a step on Python floats (scalars.py)."""
    f = e.op.forward
    if f is np.negative:
        rhs = f"-{_atom(args[0])}"
    elif f in _OPERATORS and f is not np.divide:
        rhs = f"{_atom(args[0])} {_OPERATORS[f]} {_atom(args[1])}"
    else:
        return f"float(np.{f.__name__}({', '.join(args)}))"
    return rhs if kind == "op" else f"float({rhs})"


def _atom(x):
    """x as an operand of a binary operator (a negative literal parenthesised)."""
    return f"({x})" if x.startswith("-") else x


def _convert(x, c, kind=None):
    if c is None:
        return x
    if c in ("float", "int", "bool"):
        return f"{c}({x})"
    if c == "array":
        return x if kind is np.ndarray else f"np.asarray({x})"
    if c == "tensor":
        return f"_make({x if kind is np.ndarray else f'np.asarray({x})'}, None)"
    return f"{c}({x})"              # a NumPy scalar type, "np.float32"
