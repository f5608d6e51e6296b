"""Linear algebra: matmul dot vdot inner outer tensordot einsum trace diagonal, and wg.linalg.

Primitives (each with its VJP and JVP beside it): matmul, tensordot, einsum, diagonal (and
its transpose, diagonal_embed), inv, solve, svd, vector_norm. Everything else is a
composite of those and the shape/elementwise ops. det, slogdet, eigh, qr and cholesky live in
decompositions.py.

Rules are written in NumPy vocabulary (``@``, ``np.swapaxes``, ``np.linalg.inv``,
``np.einsum``, …) so that with ``create_graph=True`` they record wengert ops and differentiate
again (every op here, decompositions included, is checked to second order). Matrices are the
last two axes; every rule also accepts cotangents/tangents with extra leading (batch) axes,
because it only ever indexes axes from the right. Multi-output JVPs return one tangent per
output, None where it is zero (slogdet's sign).

Conventions:
* svd with hermitian=True reads only the lower triangle of its input (NumPy calls eigh with
  UPLO='L'), so it is svd(Aₑ) with Aₑ = tril(A) + tril(A, −1)ᵀ: with X the gradient on Aₑ,
  Ā = tril(X + Xᵀ, −1) + diag(X) (zero on the strict upper triangle, both symmetric
  contributions below it), and the JVP pushes the tangent's lower triangle, mirrored.
  cholesky and eigh do the same: see decompositions.py.
* svd (and eigh): the 1/(λⱼ − λᵢ) (resp. 1/(sⱼ² − sᵢ²)) factor is taken as 0 where two eigenvalues
  (singular values) are exactly equal. That is the right limit for losses that do not depend
  on the choice of basis inside a degenerate eigenspace (anything built from the eigenvalues,
  or from v vᵀ summed over the degenerate block); for other losses the gradient at a
  degenerate point is not defined and the one returned is only finite.
* inv/solve differentiate through A⁻¹: at a singular matrix the backward pass raises
  LinAlgError (as the forward pass does). det and slogdet: see decompositions.py.
* vector_norm: at x = 0 the gradient of every p-norm is the subgradient 0 (never NaN); for
  ord=±inf the gradient is split evenly among entries tied for the max (min) |x|; ord=0 (a
  count) has gradient 0.
"""
from collections import namedtuple

import numpy as np

from ..grad_mode import state as _grad
from ..tensor import UFUNCS, Tensor, _make
from ._operands import SEQUENCES, by_value, holds_tensor, pack, packed
from ._primitive import linear, primitive
from ._shapes import negative_axes, sum_to
from .elementwise import multiply, where
from .reduction import sum as _sum
from .shape import expand_dims, permute_dims, reshape, swapaxes

__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "trace", "diagonal"]

LinAlgError = np.linalg.LinAlgError       # a ValueError, as in NumPy

SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])


# ---- helpers ------------------------------------------------------------------------------

def _t(x):
    """x as a Tensor (no copy)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, SEQUENCES) and holds_tensor(x):
        return pack(x)
    # (a constant Tensor is saved by reference: the caller's writable array is copied)
    return _make(by_value(x) if type(x) is np.ndarray else np.asarray(x), None)


def _records(x):
    """Whether x needs a differentiable path: recorded for reverse mode, or carrying
    forward-mode tangents (a shortcut on the bare values would drop them)."""
    return isinstance(x, Tensor) and (x._requires_grad and _grad.enabled
                                      or x._tangents is not None)


def _mT(x):
    """Transpose of the last two axes (rule vocabulary: works on arrays and Tensors)."""
    return np.swapaxes(x, -1, -2)


def _call(op, x, **params):
    """A private linear op inside a rule: plain NumPy on arrays, recorded on Tensors."""
    return op(x, **params) if isinstance(x, Tensor) else op.forward(x, **params)


def _square(name, a):
    s = np.shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise LinAlgError(f"{name}: expected a square matrix (or a stack of them) in the last "
                          f"two axes, got shape {s}")


def _no_out(name, out):
    if out is not None:
        raise TypeError(f"wengert.{name} does not support out=; use the returned tensor")


def _pad_batch(t, core, target):
    """t = lead + core axes: put target − core unit axes between the lead and the core, so a
    tangent's leading batch axes cannot be mistaken for broadcasting batch axes."""
    k = target - core
    if k <= 0 or np.ndim(t) == core:
        return t
    s = np.shape(t)
    lead = len(s) - core
    return np.reshape(t, s[:lead] + (1,) * k + s[lead:])


def _inv_gaps(w):
    """F with F_ij = 1/(w_j − w_i) off the diagonal, and 0 where w_i = w_j (diagonal too)."""
    d = np.expand_dims(w, -2) - np.expand_dims(w, -1)
    tie = d == 0
    return np.where(tie, 0.0, 1 / np.where(tie, 1.0, d))


def _tril_mask(n, dtype, k=0):
    return np.tril(np.ones((n, n), dtype=dtype), k)


def _copyltu(m):
    """Lower triangle of m mirrored onto the upper one: tril(m) + tril(m, −1)ᵀ."""
    n = np.shape(m)[-1]
    return m * _tril_mask(n, m.dtype) + _mT(m * _tril_mask(n, m.dtype, -1))


def _used_triangle(t, UPLO="L"):
    """The symmetric matrix a one-triangle routine (eigh, cholesky, hermitian svd) sees: the
    UPLO triangle of t, mirrored. Also the JVP's tangent map of such a routine."""
    return _copyltu(t) if UPLO == "L" else _mT(_copyltu(_mT(t)))


def _triangle_grad(x, UPLO="L"):
    """The adjoint of _used_triangle: X, the gradient on the mirrored matrix, becomes
    tril(X + Xᵀ, −1) + diag(X) on A ('U': the triu), zero on the triangle not read."""
    n = np.shape(x)[-1]
    strict = _tril_mask(n, x.dtype, -1)
    return (x + _mT(x)) * (strict if UPLO == "L" else strict.T) + x * np.eye(n, dtype=x.dtype)


def _diag(v, n):
    """diag(v) for v of shape (..., n): the vector on the diagonal of (..., n, n)."""
    return np.expand_dims(v, -1) * np.eye(n, dtype=v.dtype)


# ---- matmul -------------------------------------------------------------------------------

def _matmul_fwd(x, y):
    xd, yd = np.ndim(x), np.ndim(y)
    if xd == 0 or yd == 0:
        raise ValueError(f"matmul: operands must have at least one axis, got shapes "
                         f"{np.shape(x)} and {np.shape(y)} (use multiply for scalars)")
    try:
        return np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: shapes {np.shape(x)} and {np.shape(y)} are not aligned "
                         f"(the last axis of the first must equal the second-to-last of the "
                         f"second, and the batch axes must broadcast)") from None


def _f_ordered(a):
    """A Fortran-ordered ndarray (a transposed view): its gradient is built the same way."""
    return type(a) is np.ndarray and a.flags.f_contiguous and not a.flags.c_contiguous


def _matmul_vjp(g, needs, x, y):
    """∂(x@y): g @ yᵀ to x and xᵀ @ g to y, summed back over broadcast batch axes
    (1-D operands are promoted to a row / a column and demoted again)."""
    xd, yd = np.ndim(x), np.ndim(y)
    if xd == 2 and yd == 2 and np.ndim(g) == 2:
        # each gradient comes out in its operand's layout: for x @ W.T (a Linear layer) the
        # gradient of W.T is a transposed view of a C-ordered array, so W.grad is C-ordered
        # after the transpose's own VJP and needs no copy (same flops either way)
        gx = gy = None
        if needs[0]:
            gx = (y @ g.T).T if _f_ordered(x) else g @ _mT(y)
        if needs[1]:
            gy = (g.T @ x).T if _f_ordered(y) else _mT(x) @ g
        return gx, gy
    if xd + yd == 3 and np.ndim(g) > 1:
        # matrix·vector with a batch of cotangents (jacrev, hessian): one gemm over the
        # batch, g @ W, instead of a batched matmul of one-column matrices (a matvec each)
        gx = gy = None
        if xd == 2:                        # z = W @ v: ∂W = g vᵀ, ∂v = Wᵀ g
            if needs[0]:
                gx = np.expand_dims(g, -1) * y
            if needs[1]:
                gy = g @ x
        else:                              # z = v @ W: ∂v = W g, ∂W = v gᵀ
            if needs[0]:
                gx = g @ _mT(y)
            if needs[1]:
                gy = np.expand_dims(x, -1) * np.expand_dims(g, -2)
        return gx, gy
    x2 = x if xd > 1 else np.expand_dims(x, 0)
    y2 = y if yd > 1 else np.expand_dims(y, -1)
    g2 = g if yd > 1 else np.expand_dims(g, -1)
    if xd == 1:
        g2 = np.expand_dims(g2, -2)
    core = max(np.ndim(x2), np.ndim(y2))
    gx = gy = None
    if needs[0]:
        gx = g2 @ _mT(y2)
        gx = sum_to(gx, np.shape(x2), np.shape(gx)[np.ndim(gx) - core:])
        if xd == 1:
            gx = np.reshape(gx, np.shape(gx)[:-2] + np.shape(x))
    if needs[1]:
        gy = _mT(x2) @ g2
        gy = sum_to(gy, np.shape(y2), np.shape(gy)[np.ndim(gy) - core:])
        if yd == 1:
            gy = np.reshape(gy, np.shape(gy)[:-2] + np.shape(y))
    return gx, gy


def _mm(a, b, ad, bd):
    """a @ b where a (b) has ad (bd) matrix-product axes and possibly leading batch axes."""
    if np.ndim(a) == ad and np.ndim(b) == bd or ad == 1 and bd == 2:
        return a @ b                       # (a batch of row vectors times W: one gemm)
    if ad == 2 and bd == 1:                # W times a batch of vectors: (vs Wᵀ)ᵀ, one gemm
        return b @ _mT(a)
    a2 = a if ad > 1 else np.expand_dims(a, -2)
    b2 = b if bd > 1 else np.expand_dims(b, -1)
    n = max(ad, bd, 2)
    r = _pad_batch(a2, max(ad, 2), n) @ _pad_batch(b2, max(bd, 2), n)
    s = np.shape(r)
    if ad == 1 or bd == 1:
        r = np.reshape(r, s[:-2] + (() if ad == 1 else s[-2:-1]) + (() if bd == 1 else s[-1:]))
    return r


def _matmul_jvp(tangents, x, y):
    tx, ty = tangents
    xd, yd = np.ndim(x), np.ndim(y)
    out = None if tx is None else _mm(tx, y, xd, yd)
    if ty is not None:
        t = _mm(x, ty, xd, yd)
        out = t if out is None else out + t
    return out


matmul = primitive("matmul", _matmul_fwd, _matmul_vjp, _matmul_jvp, grad_name="Matmul",
                   doc="x @ y with NumPy's rules (1-D promotion, broadcast batch axes). "
                       "∂/∂x = g @ yᵀ, ∂/∂y = xᵀ @ g.")
UFUNCS[np.matmul] = matmul        # ndarray @ Tensor reaches us through __array_ufunc__


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
    (axes_a, axes_b). ∂/∂a = g contracted with b over b's free axes (then transposed back)."""
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
        ax_a = (ax_a,) if isinstance(ax_a, (int, np.integer)) else tuple(ax_a)
        ax_b = (ax_b,) if isinstance(ax_b, (int, np.integer)) else tuple(ax_b)
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
# Subscripts are canonicalised to NumPy's integer labels (A–Z → 0–25, a–z → 26–51), with
# '...' expanded into fresh labels, so every rule works on explicit label lists.

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
        lab = []
        for t in term:
            lab.extend(ell[n_ell - k:] if t is Ellipsis else [t])
        ins.append(tuple(lab))
    if out is None:
        counts = {}
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
        res = []
        for t in out:
            res.extend(ell if t is Ellipsis else [t])
        res = tuple(res)
        if len(set(res)) != len(res):
            raise ValueError(f"einsum: output subscripts {_fmt(out)!r} repeat an index")
        missing = [t for t in res if t not in used and t not in ell]
        if missing:
            raise ValueError(f"einsum: output index {_letter(missing[0])!r} does not appear "
                             f"in any input")
    sizes = {}
    for k, (lab, s) in enumerate(zip(ins, shapes)):
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
    sizes = {}
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
    grads = []
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


# ---- diagonal and trace -------------------------------------------------------------------

def _diagonal_fwd(x, offset, axis1, axis2):
    return np.diagonal(x, offset, axis1, axis2)


def _diagonal_transpose(g, x_shape, offset, axis1, axis2):
    return _call(_diagonal_embed, g, offset=offset, axis1=axis1, axis2=axis2,
                 shape=tuple(x_shape))


def _embed_fwd(g, offset, axis1, axis2, shape):
    """zeros(shape) with g on the offset diagonal of (axis1, axis2) — diagonal's transpose."""
    lead = np.ndim(g) - (len(shape) - 1)
    out = np.zeros(np.shape(g)[:lead] + tuple(shape), dtype=np.result_type(g))
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    k = np.arange(np.shape(g)[-1])
    view[..., k + max(-offset, 0), k + max(offset, 0)] = g
    return out


def _embed_transpose(g, g_shape, offset, axis1, axis2, shape):
    return _call(_diagonal, g, offset=offset, axis1=axis1, axis2=axis2)


_diagonal = linear("diagonal", _diagonal_fwd, _diagonal_transpose)
_diagonal_embed = linear("diagonal_embed", _embed_fwd, _embed_transpose)


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The offset diagonal of the (axis1, axis2) planes, as a new last axis. Linear: the
    gradient is g placed back on that diagonal of zeros."""
    nd = np.ndim(a)
    if nd < 2:
        raise ValueError(f"diagonal requires an array of at least two dimensions, got shape "
                         f"{np.shape(a)}")
    a1, a2 = negative_axes((axis1, axis2), nd)
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 cannot be the same (got {axis1}, {axis2})")
    return _diagonal(a, offset=int(offset), axis1=a1, axis2=a2)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Σ of the offset diagonal: ∂/∂a = g on that diagonal, 0 elsewhere."""
    _no_out("trace", out)
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


# ---- products built from matmul / tensordot -------------------------------------------------

def dot(a, b, out=None):
    """NumPy's dot: multiply for scalars, matmul up to a 2-D b (or a 1-D a), otherwise
    Σ over a's last axis and b's second-to-last (tensordot)."""
    _no_out("dot", out)
    a, b = packed(a), packed(b)         # (a list of tensors: stacked)
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        return multiply(a, b)
    k = sb[-2] if len(sb) > 1 else sb[0]
    if sa[-1] != k:
        raise ValueError(f"dot: shapes {sa} and {sb} are not aligned: {sa[-1]} (dim "
                         f"{len(sa) - 1}) != {k} (dim {max(len(sb) - 2, 0)})")
    if len(sb) <= 2 or len(sa) == 1:
        return matmul(a, b)
    return tensordot(a, b, axes=([len(sa) - 1], [len(sb) - 2]))


def vdot(a, b, /):
    """Σ a·b over the flattened arrays (real inputs): ∂/∂a = b, ∂/∂b = a (reshaped)."""
    sa, sb = np.shape(a), np.shape(b)
    if int(np.prod(sa)) != int(np.prod(sb)):
        raise ValueError(f"vdot: arrays of shapes {sa} and {sb} have different sizes")
    return matmul(reshape(a, (-1,)), reshape(b, (-1,)))


def inner(a, b, /):
    """Σ over the last axes of a and b: shape a.shape[:-1] + b.shape[:-1]."""
    sa, sb = np.shape(a), np.shape(b)
    if not sa or not sb:
        return multiply(a, b)
    if sa[-1] != sb[-1]:
        raise ValueError(f"inner: shapes {sa} and {sb} are not aligned (last axes {sa[-1]} "
                         f"!= {sb[-1]})")
    if len(sa) == 1 and len(sb) == 1:
        return matmul(a, b)
    return tensordot(a, b, axes=([len(sa) - 1], [len(sb) - 1]))


def outer(a, b, out=None):
    """a (flattened) as a column times b (flattened) as a row: out_ij = a_i b_j."""
    _no_out("outer", out)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


# ---- inv, solve ------------------------------------------------------------------------------------

def _inv_vjp(g, needs, y):
    """Y = A⁻¹: Ā = −Yᵀ g Yᵀ."""
    yt = _mT(y)
    return (-(yt @ g @ yt),)


def _inv_jvp(tangents, y):
    return -(y @ tangents[0] @ y)


_inv = primitive("inv", np.linalg.inv, _inv_vjp, _inv_jvp, save=(), save_out=True)


def inv(a):
    """A⁻¹ (batched over leading axes). ∂: Ā = −A⁻ᵀ g A⁻ᵀ."""
    _square("inv", a)
    return _inv(a)


def _solve_vjp(g, needs, a, b, x):
    """x = A⁻¹b: b̄ = A⁻ᵀ g, Ā = −b̄ xᵀ, each summed back over broadcast batch axes."""
    vec = np.ndim(b) == 1
    if vec:                       # work with columns, so leading batch axes of g stay batch
        g = np.expand_dims(g, -1)
        x = np.expand_dims(x, -1)
    out_core = np.shape(x)        # broadcast batch + (M, K)
    gb = np.linalg.solve(_mT(a), g)
    ga = None
    if needs[0]:
        ga = sum_to(-(gb @ _mT(x)), np.shape(a), out_core[:-1] + out_core[-2:-1])
    if not needs[1]:
        gb = None
    elif vec:
        gb = sum_to(np.reshape(gb, np.shape(gb)[:-1]), np.shape(b), out_core[:-1])
    else:
        gb = sum_to(gb, np.shape(b), out_core)
    return ga, gb


def _solve_jvp(tangents, a, b, x):
    """dx = A⁻¹ (db − dA x); a tangent's leading batch axes are kept apart from the batch
    axes that A and b broadcast over."""
    ta, tb = tangents
    vec = np.ndim(b) == 1
    if vec:
        x = np.expand_dims(x, -1)
        tb = None if tb is None else np.expand_dims(tb, -1)
    nd = np.ndim(x)
    if tb is not None:
        tb = _pad_batch(tb, max(np.ndim(b), 2), nd)
    if ta is not None:
        ta = _pad_batch(ta, np.ndim(a), nd) @ x
    rhs = tb if ta is None else (-ta if tb is None else tb - ta)
    dx = np.linalg.solve(a, rhs)
    return np.reshape(dx, np.shape(dx)[:-1]) if vec else dx


_solve = primitive("solve", np.linalg.solve, _solve_vjp, _solve_jvp, save_out=True)


def solve(a, b):
    """x with A x = b (NumPy 2: b is a vector only when 1-D, else a stack of (M, K)
    matrices; batch axes broadcast). ∂: b̄ = A⁻ᵀ g, Ā = −b̄ xᵀ."""
    sa, sb = np.shape(a), np.shape(b)
    _square("solve", a)
    m = sa[-1]
    ok = len(sb) >= 1 and (sb[0] == m if len(sb) == 1 else sb[-2] == m)
    if ok and len(sb) > 1:
        try:
            np.broadcast_shapes(sa[:-2], sb[:-2])
        except ValueError:
            ok = False
    if not ok:
        raise ValueError(f"solve: shapes {sa} and {sb} do not fit: b must be (M,) or "
                         f"(..., M, K) with M = {m} and batch axes that broadcast with a's")
    return _solve(a, b)


def _svd_fwd(a, full_matrices, hermitian):
    return tuple(np.linalg.svd(a, full_matrices=full_matrices, hermitian=hermitian))


def _svd_check(a, full_matrices, what):
    m, n = np.shape(a)[-2:]
    if full_matrices and m != n:
        raise ValueError(f"svd: {what} needs full_matrices=False for a non-square matrix "
                         f"(shape {np.shape(a)}): call wg.linalg.svd(a, full_matrices=False)")
    return m, n


def _svd_vjp(g, needs, a, out, full_matrices, hermitian):
    """A = U diag(s) Vh (Townsend's formula), F_ij = 1/(sⱼ² − sᵢ²):
    Ā = U [(F∘(UᵀŪ − ŪᵀU)) S + diag(s̄) + S (F∘(VᵀV̄ − V̄ᵀV))] Vᵀ
        + (I − UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I − VVᵀ)."""
    m, n = _svd_check(a, full_matrices, "the gradient")
    u, s, vh = out
    gu, gs, gvh = g
    k = min(m, n)
    mid = None if gs is None else _diag(gs, k)
    s_row = np.expand_dims(s, -2)          # X * s_row = X S;  X * s_col = S X
    s_col = np.expand_dims(s, -1)
    if gu is not None or gvh is not None:
        f = _inv_gaps(s * s)
        if gu is not None:
            j = _mT(u) @ gu
            term = (f * (j - _mT(j))) * s_row
            mid = term if mid is None else mid + term
        if gvh is not None:
            kk = vh @ _mT(gvh)
            term = s_col * (f * (kk - _mT(kk)))
            mid = term if mid is None else mid + term
    ga = None if mid is None else u @ mid @ vh
    if gu is not None and m > k:
        term = ((gu - u @ (_mT(u) @ gu)) / s_row) @ vh
        ga = term if ga is None else ga + term
    if gvh is not None and n > k:
        term = u @ ((gvh - (gvh @ _mT(vh)) @ vh) / s_col)
        ga = term if ga is None else ga + term
    return (_triangle_grad(ga) if hermitian else ga,)


def _svd_jvp(tangents, a, out, full_matrices, hermitian):
    m, n = _svd_check(a, full_matrices, "forward mode")
    u, s, vh = out
    t = _used_triangle(tangents[0]) if hermitian else tangents[0]
    v = _mT(vh)
    p = _mT(u) @ t @ v
    ds = np.diagonal(p, 0, -2, -1)
    f = _inv_gaps(s * s)
    s_row = np.expand_dims(s, -2)
    s_col = np.expand_dims(s, -1)
    ps = p * s_row                                   # dP S
    sp = s_col * p                                   # S dP
    du = u @ (f * (ps + _mT(ps)))
    dv = v @ (f * (sp + _mT(sp)))
    if m > n:
        tv = t @ v
        du = du + (tv - u @ (_mT(u) @ tv)) / s_row
    if n > m:
        tu = _mT(t) @ u
        dv = dv + (tu - v @ (vh @ tu)) / s_row
    return du, ds, _mT(dv)


_svd = primitive("svd", _svd_fwd, _svd_vjp, _svd_jvp, save=(0,), save_out=True, nout=3)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """A = U diag(S) Vh (batched), NumPy's signature. The gradient needs
    full_matrices=False for non-square A (else a ValueError at backward), distinct nonzero
    singular values where U or Vh are used (ties: see the module docstring), and a loss that
    does not depend on the sign of each (uᵢ, vᵢ) pair. compute_uv=False returns S, with
    gradient U diag(s̄) Vh. hermitian=True reads only the lower triangle, as NumPy does: the
    gradient X on the mirrored matrix becomes tril(X + Xᵀ, −1) + diag(X)."""
    if np.ndim(a) < 2:
        raise LinAlgError(f"svd: expected a matrix (or a stack of them), got shape "
                          f"{np.shape(a)}")
    if not compute_uv:
        if not _records(a):
            x = _t(a).data
            return _make(np.asarray(np.linalg.svd(x, compute_uv=False, hermitian=hermitian)),
                         None)
        return _svd(a, full_matrices=False, hermitian=hermitian)[1]
    return SVDResult(*_svd(a, full_matrices=bool(full_matrices), hermitian=bool(hermitian)))


def svdvals(x, /):
    """Singular values, descending. ∂: Ā = U diag(s̄) Vh."""
    return svd(x, compute_uv=False)


# ---- norms ------------------------------------------------------------------------------------

def _vnorm_fwd(x, ord, axis, keepdims):
    return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)


def _vnorm_grad_factor(x, n, ord, axes):
    """The local derivative, n already expanded to keepdims form."""
    if ord == np.inf or ord == -np.inf:
        hit = (np.abs(x) == n).astype(x.dtype)
        count = np.sum(hit, axis=axes, keepdims=True)
        return np.sign(x) * hit / np.where(count == 0, 1.0, count)
    if ord == 2:
        return x / np.where(n == 0, 1.0, n)
    a = np.abs(x)
    r = np.where(a == 0, 1.0, a / np.where(n == 0, 1.0, n))
    return np.sign(x) * r ** (ord - 1)


def _vnorm_vjp(g, needs, x, n, ord, axis, keepdims):
    """‖x‖_p = (Σ|x|^p)^(1/p): ∂/∂x = sign(x) (|x|/‖x‖)^(p−1); x/‖x‖ for p = 2; for ±inf
    sign(x) on the entries attaining the max (min) |x|, split evenly."""
    if ord == 0:
        return (None,)
    axes = negative_axes(axis, np.ndim(x))
    if not keepdims:
        g = np.expand_dims(g, axes)
        n = np.expand_dims(n, axes)
    return (g * _vnorm_grad_factor(x, n, ord, axes),)


def _vnorm_jvp(tangents, x, n, ord, axis, keepdims):
    t = tangents[0]
    axes = negative_axes(axis, np.ndim(x))
    if ord == 0:
        return np.sum(t * 0.0, axis=axes, keepdims=keepdims)
    nk = n if keepdims else np.expand_dims(n, axes)
    return np.sum(t * _vnorm_grad_factor(x, nk, ord, axes), axis=axes, keepdims=keepdims)


_vector_norm = primitive("vector_norm", _vnorm_fwd, _vnorm_vjp, _vnorm_jvp, save_out=True)


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """‖x‖_p over `axis` (all axes when None): (Σ|x|^p)^(1/p); ord=inf/−inf: max/min |x|;
    ord=0: the number of nonzeros. Gradient sign(x)(|x|/‖x‖)^(p−1) (x/‖x‖ for p = 2), the
    subgradient 0 at x = 0, ties split evenly for ±inf."""
    if isinstance(ord, str) or ord is None:
        raise ValueError(f"vector_norm: invalid norm order {ord!r} for vectors")
    if isinstance(axis, list):
        axis = tuple(axis)
    negative_axes(axis, np.ndim(x))            # validates
    ord = float(ord)
    if ord.is_integer():
        ord = int(ord)          # a Python number: keeps float32 rules float32
    return _vector_norm(x, ord=ord, axis=axis, keepdims=bool(keepdims))


def _drop_axes(y, axes, keepdims):
    """Remove the kept size-1 axes `axes` (non-negative) unless keepdims."""
    if keepdims:
        return y
    s = np.shape(y)
    return reshape(y, tuple(d for i, d in enumerate(s) if i not in axes))


def _matrix_norm_axes(x, ord, r, c, keepdims):
    """Matrix norm over axes (r, c) (non-negative, distinct) of x."""
    nd = np.ndim(x)
    if ord in (None, "fro", "f"):
        return vector_norm(x, axis=(r, c), keepdims=keepdims, ord=2)
    if ord in (1, -1, np.inf, -np.inf):
        inner_ax, outer_ax = (r, c) if ord in (1, -1) else (c, r)
        sums = vector_norm(x, axis=inner_ax, keepdims=True, ord=1)
        y = vector_norm(sums, axis=outer_ax, keepdims=True, ord=np.inf if ord > 0 else -np.inf)
        return _drop_axes(y, (r, c), keepdims)
    if ord in (2, -2, "nuc"):
        rest = [i for i in range(nd) if i not in (r, c)]
        s = svdvals(permute_dims(x, tuple(rest) + (r, c)))
        y = _sum(s, axis=-1) if ord == "nuc" else s[..., 0] if ord == 2 else s[..., -1]
        return expand_dims(y, tuple(sorted((r, c)))) if keepdims else y
    raise ValueError(f"invalid norm order {ord!r} for matrices")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Norm of the matrices in the last two axes: 'fro', 'nuc' (Σ singular values),
    2/−2 (largest/smallest singular value), 1/−1 (max/min column Σ|x|), inf/−inf (rows)."""
    x = _t(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_norm: expected at least two dimensions, got shape {x.shape}")
    return _matrix_norm_axes(x, ord, x.ndim - 2, x.ndim - 1, keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """NumPy's norm: a vector norm over one axis, a matrix norm over two; with axis=None the
    2-norm of the flattened array when ord is None, else by x.ndim (1: vector, 2: matrix)."""
    x = _t(x)
    nd = x.ndim
    if axis is None:
        if ord is None:
            return vector_norm(x, axis=None, keepdims=keepdims, ord=2)
        if nd == 1:
            axis = (0,)
        elif nd == 2:
            axis = (0, 1)
        else:
            raise ValueError(f"norm: improper number of dimensions to norm (shape {x.shape}); "
                             f"give axis= with one or two axes")
    if isinstance(axis, (int, np.integer)):
        axis = (int(axis),)
    axis = tuple(int(a) for a in axis)
    if len(axis) == 1:
        if isinstance(ord, str):
            raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
        return vector_norm(x, axis=axis, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axis) == 2:
        r, c = (a % nd for a in negative_axes(axis, nd))
        if r == c:
            raise ValueError(f"norm: duplicate axes given: {axis}")
        return _matrix_norm_axes(x, ord, r, c, keepdims)
    raise ValueError(f"norm: improper number of axes {axis} (give one or two)")


# ---- small wg.linalg extras ------------------------------------------------------------------

def matrix_transpose(x, /):
    """Swap the last two axes."""
    if np.ndim(x) < 2:
        raise ValueError(f"matrix_transpose: expected at least two dimensions, got shape "
                         f"{np.shape(x)}")
    return swapaxes(x, -1, -2)


def linalg_outer(x1, x2, /):
    """np.linalg.outer: the outer product of two 1-D arrays."""
    if np.ndim(x1) != 1 or np.ndim(x2) != 1:
        raise ValueError(f"outer: input arrays must be one-dimensional, got shapes "
                         f"{np.shape(x1)} and {np.shape(x2)}")
    return outer(x1, x2)


def linalg_trace(x, /, *, offset=0, dtype=None):
    """np.linalg.trace: Σ of the offset diagonal of the last two axes."""
    return trace(x, offset, -2, -1, dtype=dtype)


def linalg_diagonal(x, /, *, offset=0):
    """np.linalg.diagonal: the offset diagonal of the last two axes."""
    return diagonal(x, offset, -2, -1)


def linalg_tensordot(x1, x2, /, *, axes=2):
    return tensordot(x1, x2, axes)


def linalg_matmul(x1, x2, /):
    return matmul(x1, x2)


def vecdot(x1, x2, /, *, axis=-1):
    """Σ x1·x2 along `axis` (broadcasting the others): ∂/∂x1 = g·x2, ∂/∂x2 = g·x1."""
    s1, s2 = np.shape(x1), np.shape(x2)
    try:
        shape = np.broadcast_shapes(s1, s2)
    except ValueError:
        raise ValueError(f"vecdot: shapes {s1} and {s2} do not broadcast") from None
    negative_axes(axis, len(shape))
    if s1[axis] != s2[axis]:
        raise ValueError(f"vecdot: shapes {s1} and {s2} differ along axis {axis}")
    return _sum(multiply(x1, x2), axis=axis)


UFUNCS[np.vecdot] = lambda x1, x2, axis=-1, **kw: vecdot(x1, x2, axis=axis)


def matrix_power(a, n):
    """A^n by repeated squaring (n < 0: of A⁻¹; n = 0: the identity, gradient 0)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"matrix_power: exponent must be an integer, got {n!r}")
    a = _t(a)
    _square("matrix_power", a)
    n = int(n)
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
        return where(np.ones(a.shape, dtype=bool), eye, a)
    if n < 0:
        a, n = inv(a), -n
    result, base = None, a
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def multi_dot(arrays, *, out=None):
    """A chain of matrix products in the cheapest order (first/last may be 1-D)."""
    _no_out("multi_dot", out)
    arrays = [_t(a) for a in arrays]
    k = len(arrays)
    if k < 2:
        raise ValueError("multi_dot: expecting at least two arrays")
    first_vec, last_vec = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first_vec:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last_vec:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for i, a in enumerate(arrays):
        if a.ndim != 2:
            raise ValueError(f"multi_dot: array {i} has shape {a.shape}; expected 2-D "
                             f"(1-D allowed first and last)")
    for i in range(k - 1):
        if arrays[i].shape[1] != arrays[i + 1].shape[0]:
            raise ValueError(f"multi_dot: shapes {arrays[i].shape} and "
                             f"{arrays[i + 1].shape} (arrays {i} and {i + 1}) are not aligned")
    dims = [arrays[0].shape[0]] + [a.shape[1] for a in arrays]
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for span in range(1, k):
        for i in range(k - span):
            j = i + span
            cost[i][j] = float("inf")
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i, j):
        if i == j:
            return arrays[i]
        s = split[i][j]
        return matmul(chain(i, s), chain(s + 1, j))

    r = chain(0, k - 1)
    if first_vec or last_vec:
        r = reshape(r, tuple(d for d, drop in ((r.shape[0], first_vec), (r.shape[1], last_vec))
                             if not drop))
    return r
