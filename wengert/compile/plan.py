"""Buffer planning: which elementwise steps write their result into a dead operand (`out=`).

A step `v = np.f(a, b)` of a NumPy ufunc may write into a's memory when, and only when:

- a was made by an earlier ufunc or matmul step of the same program (fresh memory the
  program owns: never an input, a constant, or a view made by another op);
- a never reaches any other kind of op (which might return a view of it that outlives a),
  is not a result of the program and has no guard;
- this step is a's last use;
- a has exactly the result's shape, dtype and kind (an ndarray), so `out=a` changes neither
  the broadcast nor the loop NumPy picks: the numbers are the same as without `out=`.

A result handed to the caller is never written after it is made, and since every call makes
its own arrays, nothing is shared between calls. Arrays below `MIN_BYTES` are left alone:
for them NumPy's keyword parsing costs more than the allocation it saves.
"""
import math

import numpy as np

from .ir import Const, Ref, refs

__all__ = ["plan", "elementwise", "MIN_BYTES"]

MIN_BYTES = 8192
# ops whose forward always returns a new array of its own (np.matmul of arrays)
FRESH_OPS = frozenset({"matmul"})


def elementwise(e):
    """Is entry e a plain call of a single-output NumPy ufunc on values and numbers?"""
    f = e.op.forward
    return (isinstance(f, np.ufunc) and f.nout == 1 and len(e.names) == 1 and not e.multi
            and not e.params and not getattr(e.op, "residual", False)
            and all(type(a) in (Ref, Const, int, float, complex) for a in e.args))


def plan(tr, metas, elementwise=elementwise, used=None):
    """{index of an entry of tr: the name of the operand whose memory it writes into}
    (`elementwise`: the test of that name, or a memo of it; `used`: the names each entry
    reads, when known)."""
    if used is None:
        used = [refs((e.args, e.params), set()) for e in tr.entries]
    fresh, last = set(), {}
    escaped = refs(tr.outputs, set()) | {g.name for g in tr.guards}
    for i, e in enumerate(tr.entries):
        for n in used[i]:
            last[n] = i
        if elementwise(e) or e.op.name in FRESH_OPS and len(e.names) == 1 and not e.multi:
            if metas[e.names[0]][2] is np.ndarray:
                fresh.add(e.names[0])
        if not elementwise(e):
            escaped |= used[i]
    out = {}
    for i, e in enumerate(tr.entries):
        if not elementwise(e):
            continue
        shape, dtype, kind = m = metas[e.names[0]]
        if kind is not np.ndarray or math.prod(shape) * np.dtype(dtype).itemsize < MIN_BYTES:
            continue
        for a in e.args:
            if (type(a) is Ref and a.name in fresh and a.name not in escaped
                    and last[a.name] == i and metas[a.name] == m):
                out[i] = a.name
                break
    return out
