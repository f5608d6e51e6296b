"""Algebraic simplification of a trace: steps whose result is exactly one of their operands.

A transform's rules are written for every case, so a traced gradient holds steps that do
nothing for the shapes at hand: `x ** 1`, a product with a seed of ones, the transpose of a
transpose, a matmul built as (Aᵀ·B)ᵀ. Each rule here replaces a step by a value that is
bit for bit the same (x·1 = x and x¹ = x exactly in IEEE arithmetic; a transpose of a
transpose is the same elements), and only where the shape, dtype and kind (array or NumPy
scalar; of a 0-d value either) of the result equal the operand's, so no broadcast and no
cast is skipped:

    add/subtract/multiply/divide(x, C) → the same with C's one value, where the constant C
                                       repeats one value and x has the result's shape and dtype
    power(x, 1)                     → x
    multiply(x, 1), multiply(1, x)  → x        (1: a number, an all-ones constant, or x⁰)
    transpose(transpose(x))         → x        (2-D)
    transpose(matmul(A, B))         → matmul(Bᵀ, Aᵀ)   (2-D, the matmul used only there)

The fourth is how the eager rule of matmul builds the gradient of a transposed weight (gᵀ·x,
in the weight's own row-major layout) and is the same dot products; the traced rule spells it
(xᵀ·g)ᵀ, a column-major result that makes every later step over it strided.

`reuse_log_softmax` is not exact but the same value to rounding: the cross-entropy
primitive's forward computes log softmax(x) (its residual), and its traced backward computes
softmax(x) again from x, as exp(x − max x) / Σ exp(x − max x) (the rule that also serves the
second order). Where both are in the trace, the backward's softmax becomes exp of the
forward's log softmax (`v9, v9_logp = f_cross_entropy(…)`, `g5 = np.exp(v9_logp)`), the
arithmetic of the textbook's hand-written step, and the max, the exp and the sum of the
backward's recomputation are left for dead code.
"""
import numpy as np

from .ir import Const, Entry, Ref, refs, substitute

__all__ = ["rewrite", "reuse_log_softmax"]


def _scalar(x):
    """x as a Python number when it is a plain number or a 0-d / single-valued constant."""
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, Const):
        v = np.asarray(x.value)
        if v.dtype.kind in "iuf" and v.size and bool(np.all(v == v.flat[0])):
            return v.flat[0].item()
    return None


_ARITHMETIC = (np.add, np.subtract, np.multiply, np.divide)
_POWER, _MULTIPLY = np.power, np.multiply


def _uniform(x, other, n, metas):
    """x, or a 0-d constant of x's dtype where x is a constant array of one repeated value
    that the other operand already has the result's shape for: the same numbers, without
    reading (and keeping) the array."""
    if type(x) is not Const or type(other) is not Ref or metas.get(other.name) != metas[n]:
        return x
    v = np.asarray(x.value)
    if v.ndim == 0 or v.dtype.str != metas[n][1] or _scalar(x) is None:
        return x
    return Const(v.dtype.type(v.flat[0]))


def _numeric(kind):
    return issubclass(kind, (np.ndarray, np.generic))


_TRANSPOSES = frozenset({"permute_dims", "swapaxes"})


def _transpose_of(e, metas):
    """The operand e transposes (2-D, axes swapped), or None."""
    if (e.op.name not in _TRANSPOSES or len(e.names) != 1 or len(e.args) != 1
            or type(e.args[0]) is not Ref):
        return None
    shape = metas.get(e.args[0].name, ((),))[0]
    if len(shape) != 2:
        return None
    name, p = e.op.name, e.params
    if name == "permute_dims" and tuple(p.get("axes") or ()) == (1, 0) and len(p) == 1:
        return e.args[0]
    if name == "swapaxes" and len(p) == 2 and {p.get("axis1"), p.get("axis2")} in (
            {-1, -2}, {0, 1}, {-1, 0}, {1, -2}):
        return e.args[0]
    return None


def rewrite(tr):
    """Apply the rules above to tr's entries (in place); returns the renaming made."""
    from ..ops import registry
    metas = dict(zip(tr.inputs, tr.input_metas))
    for e in tr.entries:
        metas.update(zip(e.names, e.metas))
    uses: dict[str, int] = {}
    made = {}
    if any(e.op.name in _TRANSPOSES for e in tr.entries):    # (the transposes' rules read these)
        for e in tr.entries:
            for n in refs((e.args, e.params), set()):
                uses[n] = uses.get(n, 0) + 1
        for n in refs(tr.outputs, set()) | {g.name for g in tr.guards}:
            uses[n] = uses.get(n, 0) + 2
        made = {e.names[0]: e for e in tr.entries if len(e.names) == 1}
    ones = set()
    ren: dict[str, str] = {}
    out = []

    def one(x):
        if type(x) is Ref:
            return x.name in ones
        return _scalar(x) == 1

    def same(a, n):
        # (of 0-d values, an array and a NumPy scalar are the same value to every op)
        if type(a) is not Ref or a.name not in metas:
            return False
        m, k = metas[a.name], metas[n]
        return m == k or m[:2] == k[:2] and k[0] == () and _numeric(m[2]) and _numeric(k[2])

    for e in tr.entries:
        if ren:
            e.args = substitute(e.args, ren)
            if e.params:
                e.params = substitute(e.params, ren)
        if len(e.names) != 1 or e.multi:
            out.append(e)
            continue
        n, f, a = e.names[0], e.op.forward, e.args
        if (f in _ARITHMETIC and len(a) == 2 and not e.params
                and (type(a[0]) is Const or type(a[1]) is Const)):
            a = e.args = (_uniform(a[0], a[1], n, metas), _uniform(a[1], a[0], n, metas))
        if f is _POWER and len(a) == 2 and not e.params:
            k = _scalar(a[1])
            if k == 1 and same(a[0], n):
                ren[n] = a[0].name
                continue
            if k == 0 and metas[n][1][1] in "fc":
                ones.add(n)
        elif f is _MULTIPLY and len(a) == 2 and not e.params:
            if one(a[1]) and same(a[0], n):
                ren[n] = a[0].name
                continue
            if one(a[0]) and same(a[1], n):
                ren[n] = a[1].name
                continue
            if one(a[0]) and one(a[1]):
                ones.add(n)
        else:
            inner = _transpose_of(e, metas)
            src = made.get(inner.name) if inner is not None else None
            if src is not None and _transpose_of(src, metas) is not None \
                    and same(_transpose_of(src, metas), n):
                ren[n] = _transpose_of(src, metas).name
                continue
            if (src is not None and src.op.name == "matmul" and len(src.args) == 2
                    and not src.params and uses.get(inner.name) == 1
                    and all(type(x) is Ref and len(metas[x.name][0]) == 2 for x in src.args)):
                ts = []
                for x in src.args[::-1]:
                    t = _transpose_of(made[x.name], metas) if x.name in made else None
                    if t is None:
                        shape, dt, kind = metas[x.name]
                        t = Ref(f"{x.name}_T")
                        if t.name not in metas:
                            metas[t.name] = (shape[::-1], dt, kind)
                            out.append(Entry(registry["swapaxes"], (x,),
                                             {"axis1": -1, "axis2": -2}, (t.name,), False,
                                             (metas[t.name],)))
                    ts.append(t)
                e = Entry(src.op, tuple(ts), {}, (n,), False, e.metas)
                made[n] = e
        out.append(e)
    tr.entries = out
    tr.outputs = [substitute(o, ren) for o in tr.outputs]
    for g in tr.guards:
        g.name = ren.get(g.name, g.name)
    return ren


def _last_axis(params, names, ndim):
    return (set(params) == names and params.get("keepdims") is True
            and params.get("axis") in ((-1,), -1, (ndim - 1,), ndim - 1)
            and params.get("initial", None) is None)


def _softmax_of(d, made, metas):
    """X where the entry d is softmax(X) over the last axis written as exp(X − max X) /
    Σ exp(X − max X) (max and sum with keepdims), else None."""
    if d.op.forward is not np.divide or len(d.args) != 2 or d.params or len(d.names) != 1:
        return None
    ex, z = d.args
    if type(ex) is not Ref or type(z) is not Ref:
        return None
    e, zs = made.get(ex.name), made.get(z.name)
    if (e is None or zs is None or e.op.forward is not np.exp or len(e.args) != 1 or e.params
            or zs.op.name != "sum" or len(zs.args) != 1 or zs.args[0] != ex
            or type(e.args[0]) is not Ref):
        return None
    sub = made.get(e.args[0].name)
    if (sub is None or sub.op.forward is not np.subtract or sub.params or len(sub.args) != 2
            or not all(type(a) is Ref for a in sub.args)):
        return None
    x, m = sub.args
    mx = made.get(m.name)
    ndim = len(metas[x.name][0])
    if (mx is None or mx.op.name != "max" or len(mx.args) != 1 or mx.args[0] != x
            or not _last_axis(mx.params, {"axis", "keepdims", "initial"}, ndim)
            or not _last_axis(zs.params, {"axis", "keepdims"}, ndim)
            or metas[d.names[0]] != metas[x.name]):
        return None
    return x


def reuse_log_softmax(tr):
    """The backward's softmax of a cross-entropy's logits as exp of the forward's log
    softmax (see the module docstring), in place; True where a step changed."""
    from ..ops import registry
    if not any(e.op.name == "cross_entropy" for e in tr.entries):
        return False
    metas = dict(zip(tr.inputs, tr.input_metas))
    made: dict = {}
    losses: dict = {}           # logits' name → the cross-entropy entry (forward)
    changed = False
    for i, e in enumerate(tr.entries):
        metas.update(zip(e.names, e.metas))
        if len(e.names) == 1:
            made[e.names[0]] = e
        if (e.op.name == "cross_entropy" and getattr(e.op, "residual", False) and e.args
                and type(e.args[0]) is Ref and len(e.names) <= 2):
            losses.setdefault(e.args[0].name, e)
            continue
        x = _softmax_of(e, made, metas)
        ce = losses.get(x.name) if x is not None else None
        if ce is None:
            continue
        if len(ce.names) == 1:          # (its residual, log softmax(x), gets a name)
            ce.names = (ce.names[0], f"{ce.names[0]}_logp")
            ce.metas = (ce.metas[0], metas[x.name])
            metas[ce.names[1]] = metas[x.name]
        tr.entries[i] = Entry(registry["exp"], (Ref(ce.names[1]),), {}, e.names, False,
                              e.metas)
        changed = True
    return changed
