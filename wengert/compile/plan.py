"""Buffer planning: which steps write into a dead operand, and which into scratch arrays.

A step `v = np.f(a, b)` of a NumPy ufunc may write into a's memory when, and only when:

- a was made by an earlier ufunc, elementwise op or matmul step of the same program (fresh
  memory the program owns: never an input, a constant, or a view made by another op);
- a reaches only ops whose results are new arrays (ufuncs, elementwise ops, matmul, sum),
  never another kind of op (which might return a view of it that outlives a), is not a
  result of the program and has no guard;
- this step is a's last use;
- a has exactly the result's shape, dtype and kind (an ndarray), so `out=a` changes neither
  the broadcast nor the loop NumPy picks: the numbers are the same as without `out=`;
- a is in C order, or every other array operand may be out of it too (`skewed_names`):
  beside a C-ordered operand NumPy makes the result C-ordered, and a later sum over it
  adds in that order (see the scratch arrays' memory order below).

A result handed to the caller is never written after it is made. Arrays below `MIN_BYTES`
are left alone: for them NumPy's keyword parsing costs more than the allocation it saves.

Scratch (`scratch`): a big temporary that a ufunc, a matmul or a scatter into zeros makes
is written into one of the program's scratch arrays (`out=s2`), which the program keeps
between calls, so a call allocates little besides its results. Allocating and freeing the
same temporaries on every call costs more than the arithmetic where glibc hands the freed
memory back to the system and the next call page-faults on it again (benchmarks/README.md,
"Why --tuned-malloc"). A scratch array is reused by a later temporary of the same shape
and dtype once every value that may share its memory is dead. A value may share the memory
of an operand when it was written into it (`out=`) or made by any op other than a ufunc, a
matmul, a sum, a scatter or an elementwise op (a reshape, a transpose, an index, an op's forward we do not inspect):
those values keep the scratch array busy, and where one of them is a result of the program
or has a guard, the temporary is not put in scratch at all, so a caller never holds memory
a later call overwrites. Each call takes a set of scratch arrays from the program's pool
and gives it back before returning, so calls from several threads, or a call that raised
half-way, never share one set.

A scratch array is C-ordered, while NumPy gives a ufunc's result the memory order of its
operands (`np.sin(x.T)` is Fortran-ordered), and a later reduction adds in memory order: in
scratch, the sum would round otherwise than the uncompiled call's, enough to fail the first
call's check against it (a float64 result of float32 sums; a sum that cancels). So a ufunc
step goes into scratch only where no operand may be out of C order: a value is, when made
by a `SKEWING` op (a transpose) or an index holding an array (NumPy puts the indexed axes
first in memory), or computed from such a value by any op but matmul or a scatter (which
make C-ordered arrays), or an input out of C order at the call that compiled the program
(a later call with other orders gets the same numbers to rounding).
"""
import math

import numpy as np

from ..ops._primitive import UnaryOp
from .ir import Const, Ref, refs

__all__ = ["plan", "scratch", "skewed_names", "elementwise", "MIN_BYTES"]

MIN_BYTES = 8192
# ops whose forward always returns a new array of its own (np.matmul of arrays)
FRESH_OPS = frozenset({"matmul"})
# ops whose result may hold its axes in memory in another order than C's (a transposed view)
SKEWING = frozenset({"permute_dims", "swapaxes", "einsum", "im2col", "col2im"})
# ops (besides ufuncs and elementwise ops) whose results never share an operand's memory
NEW_MEMORY = frozenset({"matmul", "sum"})


def elementwise(e):
    """Is entry e a plain call of a single-output NumPy ufunc on values and numbers?"""
    f = e.op.forward
    return (isinstance(f, np.ufunc) and f.nout == 1 and len(e.names) == 1 and not e.multi
            and not e.params and not getattr(e.op, "residual", False)
            and all(type(a) in (Ref, Const, int, float, complex) for a in e.args))


def plan(tr, metas, elementwise=elementwise, used=None, skewed=frozenset()):
    """{index of an entry of tr: the name of the operand whose memory it writes into}
    (`elementwise`: the test of that name, or a memo of it; `used`: the names each entry
    reads, when known; `skewed`: `skewed_names`' answer)."""
    if used is None:
        used = [refs((e.args, e.params), set()) for e in tr.entries]
    fresh, last = set(), {}
    escaped = refs(tr.outputs, set()) | {g.name for g in tr.guards}
    for i, e in enumerate(tr.entries):
        for n in used[i]:
            last[n] = i
        ew = elementwise(e)
        if (ew or isinstance(e.op, UnaryOp) or e.op.name in FRESH_OPS) \
                and len(e.names) == 1 and not e.multi and metas[e.names[0]][2] is np.ndarray:
            fresh.add(e.names[0])
        if not (ew or isinstance(e.op, UnaryOp) or e.op.name in NEW_MEMORY):
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
                    and last[a.name] == i and metas[a.name] == m
                    and (a.name not in skewed or all(
                        b.name in skewed or metas[b.name][0] == () for b in e.args
                        if type(b) is Ref and metas[b.name][2] is np.ndarray))):
                out[i] = a.name
                break
    return out


def skewed_names(tr, used, inputs=()):
    """The names whose axes may lie in memory in another order than C's: made by a
    `SKEWING` op or an index holding an array, or computed from such a name by any op but
    matmul or a scatter (C-ordered results); `inputs`: the inputs out of C order."""
    skewed = set(inputs)
    for e, reads in zip(tr.entries, used):
        name = e.op.name
        if name in SKEWING or name == "getitem" and not _basic(e.params.get("index")) \
                or not reads.isdisjoint(skewed) and name not in FRESH_OPS \
                and name != "scatter_add":
            skewed.update(e.names)
    return skewed


def _basic(index):
    """Is index a basic index (ints, slices, None, Ellipsis), whose view keeps its base's
    order of axes in memory? (An array index puts its axes first in memory.)"""
    parts = index if type(index) is tuple else (index,)
    return all(type(i) in (int, slice, type(None), type(Ellipsis)) for i in parts)


def scratch(tr, metas, into, used, takes_out, skewed=frozenset()):
    """({index of an entry: the scratch array it writes into}, [(shape, dtype) of each
    scratch array], the names whose memory is a scratch array's) (`into`: plan's answer;
    `takes_out(e)`: can entry e be printed writing into a given array: a ufunc, a matmul or
    a scatter into zeros, each making fresh memory; `skewed`: `skewed_names`' answer)."""
    big = {n for n, (shape, dtype, kind) in metas.items() if kind is np.ndarray and shape
           and math.prod(shape) * np.dtype(dtype).itemsize >= MIN_BYTES}
    if not big:
        return {}, [], set()
    barred = refs(tr.outputs, set()) | {g.name for g in tr.guards}
    shares: dict[str, frozenset] = {}   # name → the temporaries whose memory it may share
    born, last = {}, {}                 # temporary → its entry; → the last entry reading it
    for i, e in enumerate(tr.entries):
        reads = used[i]
        for n in reads:
            for r in shares.get(n, ()):
                last[r] = i
        ufunc = isinstance(e.op.forward, np.ufunc)
        if i in into:
            group = shares.get(into[i], frozenset())
        elif takes_out(e):
            name = e.names[0]
            if name in big and not (ufunc and name in skewed):
                born[name] = i
                last[name] = i
                shares[name] = frozenset((name,))
            continue
        elif isinstance(e.op, UnaryOp) or e.op.name in NEW_MEMORY:
            continue            # (a new array, whatever it reads: tested)
        else:
            group = frozenset().union(*(shares.get(n, ()) for n in reads))
        if group:
            for n in e.names:
                shares[n] = group
    for n in barred:
        for r in shares.get(n, ()):
            born.pop(r, None)
    slot_of: dict[int, int] = {}
    kinds: list = []                    # (shape, dtype) of each scratch array
    free: dict = {}                     # (shape, dtype) → scratch arrays free for reuse
    busy: dict = {}
    for name, i in sorted(born.items(), key=lambda kv: kv[1]):
        for r, k in [(r, k) for r, k in busy.items() if last[r] < i]:
            del busy[r]
            free.setdefault(kinds[k], []).append(k)
        shape, dtype, _ = metas[name]
        kind = (tuple(shape), np.dtype(dtype).str)
        pool = free.get(kind)
        if pool:
            k = pool.pop()
        else:
            k = len(kinds)
            kinds.append(kind)
        slot_of[i] = k
        busy[name] = k
    return slot_of, kinds, {n for n, group in shares.items() if not group.isdisjoint(born)}
