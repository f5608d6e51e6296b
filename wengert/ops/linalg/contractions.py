"""Contractions: tensordot and einsum, one primitive each, whose VJPs and JVPs are
contractions themselves (written with ``np.tensordot`` / ``np.einsum``, so with
``create_graph=True`` they record wengert ops and differentiate again). Every rule accepts
cotangents/tangents with extra leading (batch) axes: it only indexes the operands' own axes.
"""
import numpy as np

from ...tensor import Tensor
from .._primitive import primitive
from ._common import _no_out


# ---- tensordot ----------------------------------------------------------------------------

def _tensordot_fwd(a, b, axes):
    return np.tensordot(a, b, axes)


def _tensordot_vjp(g, needs, a, b, axes):
    """Contract g with the other operand over its free axes, then put the axes back in the
    operand's own order (g's leading batch axes stay in front)."""
    ax_a, ax_b = axes
    na, nb = np.ndim(a), np.ndim(b)
    free_a = [i for i in range(na) if i not in ax_a]
    free_b = [j for j in range(nb) if j not in ax_b]
    gd = np.ndim(g)
    lead = gd - len(free_a) - len(free_b)
    keep = tuple(range(lead))
    ga = gb = None
    if needs[0]:
        r = np.tensordot(g, b, axes=(tuple(range(gd - len(free_b), gd)), tuple(free_b)))
        src = free_a + [ax_a[ax_b.index(j)] for j in sorted(ax_b)]   # a-axis of each r axis
        ga = np.transpose(r, keep + tuple(lead + src.index(i) for i in range(na)))
    if needs[1]:
        r = np.tensordot(g, a, axes=(tuple(range(lead, lead + len(free_a))), tuple(free_a)))
        src = free_b + [ax_b[ax_a.index(i)] for i in sorted(ax_a)]
        gb = np.transpose(r, keep + tuple(lead + src.index(j) for j in range(nb)))
    return ga, gb


def _tensordot_jvp(tangents, a, b, axes):
    ta, tb = tangents
    ax_a, ax_b = axes
    out = None
    if ta is not None:
        lead = np.ndim(ta) - np.ndim(a)
        out = np.tensordot(ta, b, axes=(tuple(i + lead for i in ax_a), ax_b))
    if tb is not None:
        lead = np.ndim(tb) - np.ndim(b)
        r = np.tensordot(tb, a, axes=(tuple(j + lead for j in ax_b), ax_a))
        # r: lead, b's free axes, a's free axes → lead, a's free, b's free
        nfa, nfb = np.ndim(a) - len(ax_a), np.ndim(b) - len(ax_b)
        r = np.transpose(r, tuple(range(lead)) + tuple(range(lead + nfb, lead + nfb + nfa))
                         + tuple(range(lead, lead + nfb)))
        out = r if out is None else out + r
    return out


_tensordot = primitive("tensordot", _tensordot_fwd, _tensordot_vjp, _tensordot_jvp)


def tensordot(a, b, axes=2):
    """Σ over paired axes of a and b. axes=N pairs a's last N with b's first N; or
    (axes_a, axes_b). ∂/∂a = g contracted with b over b's free axes (then transposed back).

    Examples
    --------
    >>> wg.tensordot(wg.ones((2, 3)), wg.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    sa, sb = np.shape(a), np.shape(b)
    na, nb = len(sa), len(sb)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > na or n > nb:
            raise ValueError(f"tensordot: axes={n} does not fit shapes {sa} and {sb}")
        ax_a, ax_b = tuple(range(na - n, na)), tuple(range(n))
    else:
        try:
            ax_a, ax_b = axes
        except (TypeError, ValueError):
            raise TypeError("tensordot: axes must be an int or a pair of axis sequences") from None
        ax_a = (ax_a,) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)  # type: ignore[assignment]
        ax_b = (ax_b,) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)  # type: ignore[assignment]
        if len(ax_a) != len(ax_b):
            raise ValueError(f"tensordot: {len(ax_a)} axes of a paired with {len(ax_b)} axes "
                             f"of b (shapes {sa} and {sb})")
        ax_a = tuple(i % na if -na <= i < na else _bad_axis(i, sa) for i in map(int, ax_a))
        ax_b = tuple(j % nb if -nb <= j < nb else _bad_axis(j, sb) for j in map(int, ax_b))
        if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
            raise ValueError(f"tensordot: repeated axis in axes={axes}")
    for i, j in zip(ax_a, ax_b):
        if sa[i] != sb[j]:
            raise ValueError(f"tensordot: shape mismatch: axis {i} of a (shape {sa}) has length "
                             f"{sa[i]}, axis {j} of b (shape {sb}) has length {sb[j]}")
    return _tensordot(a, b, axes=(ax_a, ax_b))


def _bad_axis(i, shape):
    raise ValueError(f"axis {i} is out of bounds for an array of shape {shape}")


# ---- einsum -------------------------------------------------------------------------------

def _label(c):
    if "A" <= c <= "Z":
        return ord(c) - ord("A")
    if "a" <= c <= "z":
        return ord(c) - ord("a") + 26
    raise ValueError(f"einsum: invalid subscript character {c!r} (use letters and '...')")


def _letter(k):
    return chr(ord("A") + k) if k < 26 else chr(ord("a") + k - 26)


def _parse_term(term):
    out, i = [], 0
    while i < len(term):
        if term.startswith("...", i):
            out.append(Ellipsis)
            i += 3
        else:
            out.append(_label(term[i]))
            i += 1
    return out


def _parse_einsum(args):
    """(operands, [label lists], output label list or None) from either calling format."""
    if not args:
        raise ValueError("einsum: no subscripts given")
    if isinstance(args[0], str):
        subs = args[0].replace(" ", "")
        ops = list(args[1:])
        if subs.count("->") > 1:
            raise ValueError(f"einsum: subscripts {args[0]!r} have more than one '->'")
        lhs, arrow, rhs = subs.partition("->")
        terms = [_parse_term(t) for t in lhs.split(",")]
        out = _parse_term(rhs) if arrow else None
    else:
        ops, terms = list(args[0::2]), [list(s) for s in args[1::2]]
        out = None
        if len(args) % 2 == 1:
            ops, out = ops[:-1], list(args[-1])
        for lab in (t for term in terms + ([out] if out is not None else []) for t in term):
            if lab is not Ellipsis and not (isinstance(lab, (int, np.integer))
                                            and 0 <= lab < 52):
                raise ValueError(f"einsum: sublist labels must be integers in [0, 52) or "
                                 f"Ellipsis, got {lab!r}")
        terms = [[t if t is Ellipsis else int(t) for t in term] for term in terms]
        out = None if out is None else [t if t is Ellipsis else int(t) for t in out]
    if len(terms) != len(ops):
        raise ValueError(f"einsum: {len(terms)} subscript terms for {len(ops)} operands")
    return ops, terms, out


def _fmt(labels):
    return "".join("..." if t is Ellipsis else _letter(t) for t in labels)


def _canonical_einsum(ops, terms, out):
    """Expand '...', infer the implicit output, check sizes; → (ins, out) label tuples."""
    shapes = [np.shape(o) for o in ops]
    used = {t for term in terms for t in term if t is not Ellipsis}
    ell_nd = []
    for term, s in zip(terms, shapes):
        n_ell = term.count(Ellipsis)
        named = len(term) - n_ell
        if n_ell > 1:
            raise ValueError(f"einsum: more than one '...' in term {_fmt(term)!r}")
        if len(s) < named or (not n_ell and len(s) != named):
            raise ValueError(f"einsum: subscripts {_fmt(term)!r} do not fit an operand of "
                             f"shape {s}")
        ell_nd.append(len(s) - named if n_ell else 0)
    n_ell = max(ell_nd, default=0)
    spare = [k for k in range(52) if k not in used]
    if len(spare) < n_ell:
        raise ValueError("einsum: too many distinct indices (at most 52)")
    ell = spare[:n_ell]
    ins = []
    for term, k in zip(terms, ell_nd):
        lab: list = []
        for t in term:
            lab.extend(ell[n_ell - k:] if t is Ellipsis else [t])
        ins.append(tuple(lab))
    if out is None:
        counts: dict = {}
        for term in terms:
            for t in term:
                if t is not Ellipsis:
                    counts[t] = counts.get(t, 0) + 1
        res = tuple(ell) + tuple(sorted(t for t, c in counts.items() if c == 1))
    else:
        if out.count(Ellipsis) > 1:
            raise ValueError(f"einsum: more than one '...' in the output {_fmt(out)!r}")
        if Ellipsis not in out and n_ell:
            raise ValueError("einsum: the operands have '...' axes but the output subscripts "
                             "have no '...'")
        labels: list = []
        for t in out:
            labels.extend(ell if t is Ellipsis else [t])
        res = tuple(labels)
        if len(set(res)) != len(res):
            raise ValueError(f"einsum: output subscripts {_fmt(out)!r} repeat an index")
        missing = [t for t in res if t not in used and t not in ell]
        if missing:
            raise ValueError(f"einsum: output index {_letter(missing[0])!r} does not appear "
                             f"in any input")
    sizes: dict = {}
    for k, (lab, s) in enumerate(zip(ins, shapes)):  # type: ignore[assignment]
        for t, d in zip(lab, s):
            prev = sizes.get(t)
            if prev is None or prev[0] == 1:
                sizes[t] = (d, k)
            elif d != 1 and d != prev[0]:
                name = "a '...' axis" if t in ell else f"index {_letter(t)!r}"
                raise ValueError(f"einsum: {name} has length {prev[0]} in operand {prev[1]} "
                                 f"(shape {shapes[prev[1]]}) but {d} in operand {k} (shape {s})")
    return ins, res


def _sizes(ops, ins):
    sizes: dict = {}
    for o, lab in zip(ops, ins):
        for t, d in zip(lab, np.shape(o)):
            if sizes.get(t, 1) == 1:
                sizes[t] = d
    return sizes


def _interleave(ops, ins):
    args = []
    for o, lab in zip(ops, ins):
        args += [o, list(lab)]
    return args


def _einsum_fwd(*ops, spec, optimize):
    ins, out = spec
    r = np.einsum(*_interleave(ops, ins), list(out), optimize=optimize)
    if len(ops) == 1 and np.may_share_memory(r, ops[0]):
        # NumPy gives a view for a pure axis permutation or diagonal; as an op result it
        # must own its memory (a write into it would change the operand unseen)
        r = r.copy()
    return r


def _einsum_vjp(g, needs, *ops, spec, optimize):
    """∂/∂operand i = einsum of g (with its leading batch axes as '...') and the other
    operands, onto operand i's labels. Labels of operand i that nothing else carries get a
    ones vector (the gradient is constant along them); a repeated label gets an identity
    matrix (the gradient lives on the diagonal); a size-1 axis broadcast against a longer
    one gets a fresh size-1 label (the gradient is summed over it)."""
    ins, out = spec
    sizes = _sizes(ops, ins)
    used = set(out).union(*ins)
    fresh = iter([k for k in range(52) if k not in used])
    dtype = g.dtype
    grads: list = []
    for i, op in enumerate(ops):
        if not needs[i]:
            grads.append(None)
            continue
        args = [g, [Ellipsis, *out]]
        have = {t: sizes[t] for t in out}          # label → the length some input gives it
        for j, (o, lab) in enumerate(zip(ops, ins)):
            if j != i:
                args += [o, list(lab)]
                for t, d in zip(lab, np.shape(o)):
                    have[t] = max(have.get(t, 1), d)
        target, seen = [], set()
        try:
            for t, d in zip(ins[i], np.shape(op)):
                if t in seen:
                    f = next(fresh)
                    args += [np.eye(d, dtype=dtype), [t, f]]
                    have[t] = have[f] = d
                    target.append(f)
                elif d == 1 and sizes[t] != 1:
                    f = next(fresh)
                    args += [np.ones(1, dtype=dtype), [f]]
                    have[f] = 1
                    target.append(f)
                else:
                    target.append(t)
                seen.add(t)
        except StopIteration:
            raise ValueError("einsum: the gradient needs more than 52 distinct indices") from None
        for t, d in zip(target, np.shape(op)):
            if have.get(t, 0) < d:               # nothing else carries t at full length
                args += [np.ones(d, dtype=dtype), [t]]
                have[t] = d
        grads.append(np.einsum(*args, [Ellipsis, *target], optimize=optimize))
    return tuple(grads)


def _einsum_jvp(tangents, *ops, spec, optimize):
    ins, out = spec
    total = None
    for i, t in enumerate(tangents):
        if t is None:
            continue
        args = []
        for j, (o, lab) in enumerate(zip(ops, ins)):
            args += [t, [Ellipsis, *lab]] if j == i else [o, list(lab)]
        term = np.einsum(*args, [Ellipsis, *out], optimize=optimize)
        total = term if total is None else total + term
    return total


_einsum = primitive("einsum", _einsum_fwd, _einsum_vjp, _einsum_jvp)


def einsum(*operands, out=None, dtype=None, order="K", casting="safe", optimize=False):
    """Einstein summation, NumPy's both calling forms ('ij,jk->ik', a, b or a, [0, 1], b,
    [1, 2], [0, 2]), explicit or implicit output, '...', any number of operands.

    ∂/∂operandᵢ is itself an einsum: g with every other operand, onto operandᵢ's subscripts
    (repeated subscripts — diagonals — and broadcast axes handled). `order` only affects
    memory layout and is ignored; `optimize` is used for the forward and the gradients.

    Examples
    --------
    >>> A = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> v = wg.tensor([1.0, 1.0])
    >>> wg.einsum('ij,j->i', A, v)
    tensor([3., 7.], grad_fn=<EinsumBackward>)
    >>> wg.einsum('ij,j->', A, v).backward()
    >>> A.grad
    tensor([[1., 1.],
            [1., 1.]])
    """
    _no_out("einsum", out)
    ops, terms, res = _parse_einsum(operands)
    if dtype is not None:
        dt = np.dtype(dtype)
        cast = []
        for o in ops:
            src = np.result_type(o.data if isinstance(o, Tensor) else o)
            if not np.can_cast(src, dt, casting=casting):
                raise TypeError(f"einsum: cannot cast operand of dtype {src} to {dt} with "
                                f"casting={casting!r}")
            cast.append(o.astype(dt) if isinstance(o, Tensor) else np.asarray(o, dtype=dt))
        ops = cast
    else:
        ops = [o if isinstance(o, Tensor) else np.asarray(o) for o in ops]
    ins, out_labels = _canonical_einsum(ops, terms, res)
    return _einsum(*ops, spec=(tuple(ins), out_labels), optimize=optimize)
