"""0-d float64 values of a compiled program as Python floats.

A 0-d program spends its time in NumPy's per-call overhead: `np.sin` of a NumPy scalar and
arithmetic between NumPy scalars cost several times the same on Python floats. Python's
float is an IEEE binary64 number, and its +, −, × and unary − round exactly as NumPy's
float64 loops do, so a value of shape () and dtype float64 that only elementwise steps read
is kept as a Python float: such an input is converted once (`x0 = float(x0)`), + − × of two
Python floats is Python's operator, and any other ufunc step is NumPy's own call, its result
made a float (`v5 = float(np.sin(v4))`: the same loop, the same number). Division stays with
NumPy (Python's raises on a zero divisor where NumPy gives inf or nan). A value that reaches
any other op, a guard, or the results is handed over as a NumPy scalar (`np.float64(v)`), as
the uncompiled program would have it.
"""
import numpy as np

from .ir import Const, Ref, refs

__all__ = ["python_floats", "strong_needed"]

_F8 = ((), "<f8")
_PLAIN_OPS = {np.add: "+", np.subtract: "-", np.multiply: "*"}
_NEGATIVE = np.negative


def _weak_safe(a):
    """Does a Python float beside operand a round as a float64 would? NumPy takes a Python
    float as "weak" (NEP 50): beside a float32, float16 or complex64 value it computes in
    that narrower type, where the float64 it stands for would have widened the step."""
    if type(a) is Const:
        v = a.value
        return np.asarray(v).dtype.kind in "biu" or np.asarray(v).dtype.str == "<f8"
    return type(a) in (Ref, int, float)


def strong_needed(e, metas, floats):
    """Must entry e (not a step on Python floats) get its Python-float operands as
    np.float64? Yes where another operand is a narrower float or a complex value, which
    a weak Python float would not widen."""
    if not any(type(a) is Ref and a.name in floats for a in e.args):
        return False
    for a in e.args:
        if type(a) is Ref:
            if a.name not in floats and metas[a.name][1][1] in "fc" and metas[a.name][1] != "<f8":
                return True
        elif not _weak_safe(a):
            return True
    return False


def python_floats(tr, metas, elementwise, used):
    """(names held as Python floats, inputs converted on entry, {entry index: "op" for
    Python's operator on floats, "wrap" for float() of NumPy's step}); `used[i]`: the names
    entry i reads."""
    guarded = {g.name for g in tr.guards}
    outs = refs(tr.outputs, set())
    given = set(tr.inputs)
    read: set[str] = set()                  # (the inputs elementwise steps read)
    read_otherwise: set[str] = set()        # (those another step reads)
    for i, e in enumerate(tr.entries):
        if not given.isdisjoint(used[i]):
            (read if elementwise(e) else read_otherwise).update(given & used[i])
    floats = set()
    inputs = []
    for n in tr.inputs:
        if (metas[n][:2] == _F8 and n not in guarded and n not in outs
                and n in read and n not in read_otherwise):
            floats.add(n)
            inputs.append(n)
    kinds = {}
    for i, e in enumerate(tr.entries):
        if not elementwise(e):
            continue
        n = e.names[0]
        m = metas[n]
        if m[1] != "<f8" or m[0] != () or n in guarded:
            continue
        plain = True                    # (every operand a float held here, or a number)
        other = False                   # (an operand that keeps the step in NumPy)
        for a in e.args:
            ta = type(a)
            if ta is Ref:
                if metas[a.name][1] != "<f8":
                    other = True
                    break
                if a.name not in floats:
                    plain = False
            elif ta is not int and ta is not float:
                plain = False
                if not _weak_safe(a):
                    other = True
                    break
        if other:
            continue
        f = e.op.forward
        kinds[i] = "op" if plain and (f in _PLAIN_OPS or f is _NEGATIVE) else "wrap"
        floats.add(n)
    return floats, inputs, kinds
