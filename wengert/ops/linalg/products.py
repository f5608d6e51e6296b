"""Products: matmul dot vdot inner outer vecdot multi_dot cross, diagonal and trace, and
wg.linalg's spellings of them (matrix_transpose, linalg_outer/trace/diagonal/tensordot/matmul).

Primitives (each with its VJP and JVP beside it): matmul, diagonal (and its transpose,
diagonal_embed). Everything else is a composite of those, tensordot (contractions.py) and
the shape/elementwise ops.

Rules are written in NumPy vocabulary (``@``, ``np.swapaxes``, …) so that with
``create_graph=True`` they record wengert ops and differentiate again. Matrices are the last
two axes; every rule also accepts cotangents/tangents with extra leading (batch) axes,
because it only ever indexes axes from the right.
"""
import numpy as np

from ...tensor import UFUNCS, Tensor
from .._operands import array_of, packed
from .._primitive import linear, primitive
from .._shapes import negative_axes, sum_to
from ..elementwise import multiply
from ..indexing import getitem
from ..reduction import sum as _sum
from ..shape import moveaxis, reshape, stack, swapaxes
from ._common import _mT, _no_out, _pad_batch, _as_tensor
from .contractions import tensordot


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


def _batched_matmul(a, b, ad, bd):
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
    out = None if tx is None else _batched_matmul(tx, y, xd, yd)
    if ty is not None:
        t = _batched_matmul(x, ty, xd, yd)
        out = t if out is None else out + t
    return out


matmul = primitive("matmul", _matmul_fwd, _matmul_vjp, _matmul_jvp, grad_name="Matmul",
                   doc="""x @ y with NumPy's rules (1-D promotion, broadcast batch axes).

For z = x @ y with incoming gradient g:  ∂/∂x = g @ yᵀ,  ∂/∂y = xᵀ @ g.

Examples
--------
>>> x = wg.tensor([[1.0, 2.0]], requires_grad=True)
>>> y = wg.tensor([[3.0], [4.0]], requires_grad=True)
>>> z = wg.matmul(x, y)
>>> z
tensor([[11.]], grad_fn=<MatmulBackward>)
>>> z.backward()
>>> x.grad, y.grad
(tensor([[3., 4.]]), tensor([[1.],
        [2.]]))
""")


UFUNCS[np.matmul] = matmul        # ndarray @ Tensor reaches us through __array_ufunc__


# ---- diagonal and trace -------------------------------------------------------------------

def _call(op, x, **params):
    """A private linear op inside a rule: plain NumPy on arrays, recorded on Tensors."""
    return op(x, **params) if isinstance(x, Tensor) else op.forward(x, **params)


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
    gradient is g placed back on that diagonal of zeros.

    Examples
    --------
    >>> wg.diagonal(wg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([1., 4.])
    """
    nd = np.ndim(a)
    if nd < 2:
        raise ValueError(f"diagonal requires an array of at least two dimensions, got shape "
                         f"{np.shape(a)}")
    a1, a2 = negative_axes((axis1, axis2), nd)
    if a1 == a2:
        raise ValueError(f"diagonal: axis1 and axis2 cannot be the same (got {axis1}, {axis2})")
    return _diagonal(a, offset=int(offset), axis1=a1, axis2=a2)


def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """Σ of the offset diagonal: ∂/∂a = g on that diagonal, 0 elsewhere.

    Examples
    --------
    >>> A = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> wg.trace(A).backward()
    >>> A.grad                      # d tr(A)/dA = I
    tensor([[1., 0.],
            [0., 1.]])
    """
    _no_out("trace", out)
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


# ---- products built from matmul / tensordot -----------------------------------------------

def dot(a, b, out=None):
    """NumPy's dot: multiply for scalars, matmul up to a 2-D b (or a 1-D a), otherwise
    Σ over a's last axis and b's second-to-last (tensordot).

    Examples
    --------
    >>> a = wg.tensor([1.0, 2.0], requires_grad=True)
    >>> b = wg.tensor([3.0, 4.0], requires_grad=True)
    >>> wg.dot(a, b).backward()
    >>> a.grad, b.grad
    (tensor([3., 4.]), tensor([1., 2.]))
    """
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
    """Σ a·b over the flattened arrays (real inputs): ∂/∂a = b, ∂/∂b = a (reshaped).

    Examples
    --------
    >>> wg.vdot(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))
    tensor(11.)
    """
    sa, sb = np.shape(a), np.shape(b)
    if int(np.prod(sa)) != int(np.prod(sb)):
        raise ValueError(f"vdot: arrays of shapes {sa} and {sb} have different sizes")
    return matmul(reshape(a, (-1,)), reshape(b, (-1,)))


def inner(a, b, /):
    """Σ over the last axes of a and b: shape a.shape[:-1] + b.shape[:-1].

    Examples
    --------
    >>> wg.inner(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))
    tensor(11.)
    """
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
    """a (flattened) as a column times b (flattened) as a row: out_ij = a_i b_j.

    Examples
    --------
    >>> wg.outer(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    _no_out("outer", out)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def vecdot(x1, x2, /, *, axis=-1):
    """Σ x1·x2 along `axis` (broadcasting the others): ∂/∂x1 = g·x2, ∂/∂x2 = g·x1.

    Examples
    --------
    >>> wg.linalg.vecdot(wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0]))
    tensor(11.)
    """
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


def multi_dot(arrays, *, out=None):
    """A chain of matrix products in the cheapest order (first/last may be 1-D).

    Examples
    --------
    >>> wg.linalg.multi_dot([wg.eye(2), wg.ones((2, 3)), wg.ones((3, 1))])
    tensor([[3.],
            [3.]])
    """
    _no_out("multi_dot", out)
    arrays = [_as_tensor(a) for a in arrays]
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
    cost = [[0.0] * k for _ in range(k)]
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


def cross(x1, x2, /, *, axis=-1):
    """np.linalg.cross: the cross product of 3-vectors along `axis` (broadcasting the other
    axes). Bilinear: ∂/∂x1 = x2 × ḡ, ∂/∂x2 = ḡ × x1.

    Examples
    --------
    >>> a, b = wg.tensor([1.0, 0.0, 0.0]), wg.tensor([0.0, 1.0, 0.0])
    >>> wg.linalg.cross(a, b)
    tensor([0., 0., 1.])
    >>> wg.grad(lambda a: wg.linalg.cross(a, b)[2])(a)
    tensor([1., 0., 0.])
    """
    s1, s2 = np.shape(array_of(x1)), np.shape(array_of(x2))
    try:
        if s1[axis] != 3 or s2[axis] != 3:
            raise ValueError
    except (IndexError, ValueError):
        raise ValueError(f"cross: both inputs must have 3 elements along axis {axis}, got "
                         f"shapes {s1} and {s2}") from None
    a = moveaxis(x1, axis, -1)
    b = moveaxis(x2, axis, -1)
    c = [getitem(a, (Ellipsis, i)) for i in range(3)]
    d = [getitem(b, (Ellipsis, i)) for i in range(3)]
    r = stack([c[1] * d[2] - c[2] * d[1], c[2] * d[0] - c[0] * d[2],
               c[0] * d[1] - c[1] * d[0]], axis=-1)
    return moveaxis(r, -1, axis)


# ---- wg.linalg spellings ------------------------------------------------------------------

def matrix_transpose(x, /):
    """Swap the last two axes.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.linalg.matrix_transpose(x)
    tensor([[1., 3.],
            [2., 4.]])
    >>> wg.grad(lambda x: wg.linalg.matrix_transpose(x)[0, 1])(x)
    tensor([[0., 0.],
            [1., 0.]])
    """
    if np.ndim(x) < 2:
        raise ValueError(f"matrix_transpose: expected at least two dimensions, got shape "
                         f"{np.shape(x)}")
    return swapaxes(x, -1, -2)


def linalg_outer(x1, x2, /):
    """np.linalg.outer: the outer product of two 1-D arrays.

    Examples
    --------
    >>> a, b = wg.tensor([1.0, 2.0]), wg.tensor([3.0, 4.0, 5.0])
    >>> wg.linalg.outer(a, b)
    tensor([[ 3.,  4.,  5.],
            [ 6.,  8., 10.]])
    >>> wg.grad(lambda a: wg.sum(wg.linalg.outer(a, b)))(a)
    tensor([12., 12.])
    """
    if np.ndim(x1) != 1 or np.ndim(x2) != 1:
        raise ValueError(f"outer: input arrays must be one-dimensional, got shapes "
                         f"{np.shape(x1)} and {np.shape(x2)}")
    return outer(x1, x2)


def linalg_trace(x, /, *, offset=0, dtype=None):
    """np.linalg.trace: Σ of the offset diagonal of the last two axes.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.linalg.trace(x)
    tensor(5.)
    >>> wg.grad(wg.linalg.trace)(x)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return trace(x, offset, -2, -1, dtype=dtype)


def linalg_diagonal(x, /, *, offset=0):
    """np.linalg.diagonal: the offset diagonal of the last two axes.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.linalg.diagonal(x)
    tensor([1., 4.])
    >>> wg.grad(lambda x: wg.sum(wg.linalg.diagonal(x)))(x)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return diagonal(x, offset, -2, -1)


def linalg_tensordot(x1, x2, /, *, axes=2):
    """wg.tensordot with the Array API's signature (axes keyword-only), as np.linalg's.

    d/dx1 <g, tensordot(x1, x2)> = tensordot of g with x2 over the free axes of x2.

    >>> wg.linalg.tensordot(wg.ones((2, 3)), wg.ones((3, 2)), axes=1)
    tensor([[3., 3.],
            [3., 3.]])
    """
    return tensordot(x1, x2, axes)


def linalg_matmul(x1, x2, /):
    """wg.matmul with the Array API's signature (positional only), as np.linalg's.

    For C = A @ B:  dA = G @ Bᵀ,  dB = Aᵀ @ G.

    >>> wg.linalg.matmul(wg.eye(2), wg.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([[1., 2.],
            [3., 4.]])
    """
    return matmul(x1, x2)
