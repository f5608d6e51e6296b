"""The compiled program's IR: a Wengert list of entries in SSA form, and its simplification.

An entry is one op application `names = op(args, **params)`: args and params hold `Ref`s
(a traced value, by name) and `Const`s (arrays kept by value); each entry has fresh names.
Simplification: common subexpressions (same op, same operands, equal params) become one
entry, then dead code is dropped from the outputs and the guards. Folding constants happens
while tracing: an op application whose operands are all constants is not an entry, and its
output is a constant. `compare` tells two traces of one signature apart (structure and
every constant), which is how the tracer's soundness check finds a value that reached an
op through non-op code.
"""
import numpy as np

__all__ = ["Ref", "Const", "Entry", "Guard", "Trace", "TraceError", "simplify", "dce",
           "compare"]


class TraceError(TypeError):
    """A construct wg.compile cannot turn into a program that is right for every input."""


class Ref:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return type(other) is Ref and other.name == self.name

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return self.name


class Const:
    """An array (or NumPy scalar) kept by value."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def key(self):
        v = np.asarray(self.value)
        return ("const", v.dtype.str, v.shape, v.tobytes())

    def same(self, other):
        a, b = np.asarray(self.value), np.asarray(other.value)
        return (a.dtype == b.dtype and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))


class Entry:
    __slots__ = ("op", "args", "params", "names", "multi", "metas")

    def __init__(self, op, args, params, names, multi, metas):
        self.op, self.args, self.params = op, args, params
        self.names, self.multi, self.metas = names, multi, metas


class Guard:
    """A recorded exit of a traced value (`door`: "bool()", "float()", …) and its outcome;
    door "shape": the shape of a value that a boolean mask selected."""
    __slots__ = ("name", "door", "value")

    def __init__(self, name, door, value):
        self.name, self.door, self.value = name, door, value

    def outcome(self):
        return (self.door, _plain_key(self.value))


class Trace:
    def __init__(self):
        self.inputs = []
        self.input_metas = []
        self.entries = []
        self.guards = []
        self.outputs = []
        self.out_def = None
        self.keep: tuple | list = ()
        self.watched: list = []
        self.written: list = []     # weakrefs to the constant tensors fn wrote into

    def outcomes(self):
        return tuple(g.outcome() for g in self.guards)


def _plain_key(v):
    if isinstance(v, float) and v != v:
        return ("nan",)
    if isinstance(v, float) and v == 0.0:
        return ("float", str(v))        # (-0.0 and 0.0: two outcomes)
    if isinstance(v, list):
        return tuple(_plain_key(x) for x in v)
    return (type(v).__name__, v)


_EMPTY_DICT_KEY = ("dict",)


def key(x):
    """A hashable key of an operand tree (for common subexpressions)."""
    t = type(x)
    if t is Ref:
        return ("ref", x.name)
    if t is tuple or t is list:     # (the usual operands, without isinstance; inside, a
        #                               Ref is its bare name: every other key is a tuple)
        out = [t.__name__]
        for v in x:
            out.append(v.name if type(v) is Ref else key(v))
        return tuple(out)
    if t is dict and not x:
        return _EMPTY_DICT_KEY
    if t is int or t is str or t is bool:
        return (t.__name__, x)
    if isinstance(x, Ref):
        return ("ref", x.name)
    if isinstance(x, Const):
        return x.key()
    if isinstance(x, (list, tuple)):
        return (type(x).__name__,) + tuple(key(v) for v in x)
    if isinstance(x, dict):
        return ("dict",) + tuple((k, key(v)) for k, v in sorted(x.items(), key=repr))
    if isinstance(x, float) and x != x:
        return ("nan",)
    if isinstance(x, slice):
        return ("slice", key(x.start), key(x.stop), key(x.step))
    try:
        hash(x)
    except TypeError:
        return ("id", id(x))        # (unhashable: never equal to another operand)
    return (type(x).__name__, x)


def substitute(x, ren):
    t = type(x)
    if t is Ref:
        n = ren.get(x.name)
        return x if n is None else Ref(n)
    if t is tuple or t is list:
        if not x:
            return x
        if t is tuple:          # (most operands: nothing to rename, the same tuple back)
            for v in x:
                tv = type(v)
                if tv is Ref:
                    if v.name in ren:
                        break
                elif tv not in _ATOMS:
                    break
            else:
                return x
        out = []
        for v in x:
            tv = type(v)
            if tv is Ref:
                n = ren.get(v.name)
                out.append(v if n is None else Ref(n))
            elif tv in _ATOMS:
                out.append(v)
            else:
                out.append(substitute(v, ren))
        return t(out)
    if t is dict and not x:
        return x
    if t is dict:
        return {k: substitute(v, ren) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x)(substitute(v, ren) for v in x)
    if isinstance(x, dict):
        return {k: substitute(v, ren) for k, v in x.items()}
    return x


def refs(x, into):
    t = type(x)
    if t is Ref:
        into.add(x.name)
    elif t is tuple or t is list:
        for v in x:
            if type(v) is Ref:
                into.add(v.name)
            elif type(v) not in _ATOMS:
                refs(v, into)
    elif t is dict:
        for v in x.values():
            refs(v, into)
    elif isinstance(x, (list, tuple)):
        for v in x:
            refs(v, into)
    elif isinstance(x, dict):
        for v in x.values():
            refs(v, into)
    return into


_ATOMS = frozenset({int, float, bool, str, type(None), Const})


def simplify(tr):
    """Common subexpressions, then dead code from the outputs and guards (in place)."""
    seen: dict = {}
    ren: dict = {}
    kept = []
    for e in tr.entries:
        if ren:
            e.args = substitute(e.args, ren)
            if e.params:
                e.params = substitute(e.params, ren)
        if (e.op.name == "positive" and len(e.args) == 1 and type(e.args[0]) is Ref
                and not e.params):
            ren[e.names[0]] = e.args[0].name     # (a transform's private copy: the value)
            continue
        k = (e.op.name, key(e.args), key(e.params) if e.params else _EMPTY_DICT_KEY)
        first = seen.get(k)
        if first is not None and len(first.names) == len(e.names):
            for a, b in zip(e.names, first.names):
                ren[a] = b
            continue
        seen[k] = e
        kept.append(e)
    tr.outputs = [substitute(o, ren) for o in tr.outputs]
    guards: dict = {}
    for g in tr.guards:
        g.name = ren.get(g.name, g.name)
        guards.setdefault((g.name, g.outcome()), g)     # (one check of a merged value)
    tr.guards = list(guards.values())
    tr.entries = kept
    return dce(tr)


def dce(tr):
    """Dead code: the entries no output or guard needs, dropped (in place)."""
    live = refs(tr.outputs, set()) | {g.name for g in tr.guards}
    out = []
    for e in reversed(tr.entries):
        if not live.isdisjoint(e.names):
            if type(e.args) is tuple:       # (the usual operands, inline)
                for v in e.args:
                    if type(v) is Ref:
                        live.add(v.name)
                    elif type(v) not in _ATOMS:
                        refs(v, live)
            else:
                refs(e.args, live)
            if e.params:
                refs(e.params, live)
            out.append(e)
    tr.entries = out[::-1]
    return tr


def _same_operands(a, b):
    ta = type(a)
    if ta is Ref:
        return type(b) is Ref and a.name == b.name
    if ta is tuple and type(b) is tuple:        # (the usual operands, without isinstance)
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            tx = type(x)
            if tx is Ref:
                if type(y) is not Ref or x.name != y.name:
                    return False
            elif (tx is float or tx is int) and type(y) is tx and x == y:
                continue
            elif not _same_operands(x, y):
                return False
        return True
    if ta is dict and not a:
        return type(b) is dict and not b
    if isinstance(a, Const) or isinstance(b, Const):
        return isinstance(a, Const) and isinstance(b, Const) and a.same(b)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same_operands(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(_same_operands(a[k], b[k]) for k in a))
    return key(a) == key(b)


def compare(t1, t2):
    """None when the two traces are the same program, else what differs (for the error)."""
    if len(t1.entries) != len(t2.entries):
        for e1, e2 in zip(t1.entries, t2.entries):
            if e1.op is not e2.op:
                return f"the op {e1.op.name} (or {e2.op.name})"
        return "the number of ops applied"
    for e1, e2 in zip(t1.entries, t2.entries):
        if e1.op is not e2.op or e1.names != e2.names:
            return f"the op {e1.op.name} (or {e2.op.name})"
        if not _same_operands(e1.args, e2.args):
            return f"an operand of {e1.op.name} ({e1.names[0]})"
        if (e1.params or e2.params) and not _same_operands(e1.params, e2.params):
            return f"a parameter of {e1.op.name} ({e1.names[0]})"
        if e1.metas != e2.metas and [m[:2] for m in e1.metas] != [m[:2] for m in e2.metas]:
            return f"the shape or dtype of {e1.op.name} ({e1.names[0]})"
    if not _same_operands(t1.outputs, t2.outputs):
        return "a result of the function (a value not computed by wengert ops)"
    return None
