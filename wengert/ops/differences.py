"""Differences, triangles and integrals: diff ediff1d gradient unwrap tril triu diag diagflat
trapezoid.

All are composites of slicing, concatenation, `where`, arithmetic and the diagonal ops, so
each inherits its VJP and JVP (of every order) from those and registers no primitive:

* diff: Δa = a[1:] − a[:−1] along the axis, n times; linear, so ∂/∂a is the adjoint
  difference (−g[0], g[0] − g[1], …, g[−1]); ∂/∂prepend and ∂/∂append are the parts of
  that adjoint falling on them.
* gradient: NumPy's second-order central differences inside, first- or second-order
  one-sided ones at the edges; linear in f, and differentiable in the spacings too (a
  coordinate array or a scalar step that is a tensor gets its gradient through the
  weights, which are rational functions of the steps).
* tril/triu: where(mask, m, 0): ∂/∂m is g on the kept triangle, 0 elsewhere.
* diag: a vector placed on a diagonal of zeros (whose transpose takes the diagonal back), or
  a diagonal taken out of a matrix.
* trapezoid: Σ d·(y[1:] + y[:−1])/2 with d = dx or diff(x); differentiable in y and x.
* unwrap: p plus a correction that is piecewise constant in p (a multiple of `period`), so
  ∂/∂p = 1 (the jumps where the correction changes are ignored, as for floor).
"""
import numpy as np

from ..tensor import Tensor, _make
from ._operands import detached, value_of
from ._shapes import negative_axes
from .elementwise import astype, where
from .indexing import getitem
from .linalg.products import _diagonal_embed, diagonal
from .reduction import sum as _sum
from .shape import broadcast_to, concatenate, reshape

__all__ = ["diff", "ediff1d", "gradient", "unwrap", "tril", "triu", "diag", "diagflat",
           "trapezoid"]


def _input(a):
    return a if isinstance(a, Tensor) else np.asarray(a)


def _axis(axis, nd):
    return negative_axes(int(axis), nd)[0] + nd


def _index_along(nd, ax, s):
    """The index that applies slice or int `s` along axis `ax` of an nd-array."""
    return (slice(None),) * ax + (s,)


# ---- diff ------------------------------------------------------------------------------------

def diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    """The n-th discrete difference along `axis` (np.diff): out[i] = a[i+1] − a[i], applied n
    times, after `prepend` and `append` (broadcast along the other axes when scalars) are
    joined to a. Linear: the gradient is the adjoint difference (see the module docstring).
    Boolean input gives a ≠ b, a constant, as NumPy.

    Examples
    --------
    >>> x = wg.tensor([1.0, 4.0, 9.0], requires_grad=True)
    >>> wg.diff(x)
    tensor([3., 5.], grad_fn=<SubBackward>)
    >>> wg.diff(x).sum().backward()
    >>> x.grad
    tensor([-1.,  0.,  1.])
    """
    if n == 0:
        return _input(a) if isinstance(a, Tensor) else _make(np.asarray(a), None)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    a = _input(a)
    shape = np.shape(value_of(a))
    nd = len(shape)
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = _axis(axis, nd)
    parts = []
    if prepend is not np._NoValue:
        parts.append(_edge_slab(prepend, shape, ax))
    parts.append(a)
    if append is not np._NoValue:
        parts.append(_edge_slab(append, shape, ax))
    if len(parts) > 1:
        a = concatenate(parts, axis=ax)
    if np.result_type(value_of(a)) == np.bool_:
        return _make(np.diff(value_of(a), n=n, axis=ax), None)
    hi, lo = _index_along(nd, ax, slice(1, None)), _index_along(nd, ax, slice(None, -1))
    for _ in range(n):
        a = getitem(a, hi) - getitem(a, lo)
    return a if isinstance(a, Tensor) else _make(np.asarray(a), None)


def _edge_slab(v, shape, ax):
    v = _input(v)
    if np.ndim(value_of(v)) == 0:
        v = broadcast_to(v, shape[:ax] + (1,) + shape[ax + 1:])
    return v


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with `to_begin` and `to_end` (flattened, cast to
    ary's dtype under 'same_kind') joined before and after (np.ediff1d).

    Examples
    --------
    >>> x = wg.tensor([1.0, 4.0, 9.0])
    >>> wg.ediff1d(x, to_begin=0.0)
    tensor([0., 3., 5.])
    >>> wg.grad(lambda x: wg.sum(wg.ediff1d(x) * wg.tensor([1.0, 10.0])))(x)
    tensor([-1., -9., 10.])
    """
    ary = reshape(_input(ary), (-1,))
    dtype = ary.dtype
    parts = [getitem(ary, (slice(1, None),)) - getitem(ary, (slice(None, -1),))]
    for name, extra in (("to_begin", to_begin), ("to_end", to_end)):
        if extra is None:
            continue
        extra = _input(extra)
        if not np.can_cast(np.result_type(value_of(extra)), dtype, casting="same_kind"):
            raise TypeError(f"dtype of `{name}` must be compatible with input `ary` under "
                            f"the `same_kind` rule.")
        extra = reshape(astype(extra, dtype), (-1,))
        if name == "to_begin":
            parts.insert(0, extra)
        else:
            parts.append(extra)
    out = concatenate(parts) if len(parts) > 1 else parts[0]
    return astype(out, dtype) if out.dtype != dtype else out


# ---- gradient --------------------------------------------------------------------------------

def _spacings(varargs, f_shape, axes):
    """One spacing per axis: a scalar (number or 0-d tensor) or, for uneven coordinates,
    the 1-D tensor/array of their differences."""
    n = len(varargs)
    if n == 0:
        return [1.0] * len(axes)
    if n == 1 and np.ndim(value_of(varargs[0])) == 0:
        return [varargs[0]] * len(axes)
    if n != len(axes):
        raise TypeError("invalid number of arguments")
    out = []
    for v, ax in zip(varargs, axes):
        v = _input(v)
        d = value_of(v)
        if np.ndim(d) == 0:
            out.append(v)
            continue
        if np.ndim(d) != 1:
            raise ValueError("distances must be either scalars or 1d")
        if len(d) != f_shape[ax]:
            raise ValueError("when 1d, distances must match the length of the corresponding "
                             "dimension")
        if np.result_type(d).kind in "iub":
            v = astype(v, np.float64)
        dx = diff(v)
        # (compared with ops, not on the values: a compiled program checks it on every call)
        if (dx == dx[0]).all():
            dx = getitem(dx, (0,))      # even steps: NumPy's uniform formulas
        out.append(dx)
    return out


def _reshaped(w, nd, ax):
    """A 1-D weight vector lined up with axis ax of an nd-array."""
    return reshape(w, (1,) * ax + (-1,) + (1,) * (nd - ax - 1))


def _gradient_axis(f, ax, nd, dx, edge_order):
    s = lambda lo, hi: getitem(f, _index_along(nd, ax, slice(lo, hi)))  # noqa: E731
    uniform = np.ndim(value_of(dx)) == 0
    if uniform:
        inner = (s(2, None) - s(None, -2)) / (2.0 * dx)
    else:
        dx1, dx2 = getitem(dx, (slice(0, -1),)), getitem(dx, (slice(1, None),))
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        a, b, c = (_reshaped(w, nd, ax) for w in (a, b, c))
        inner = a * s(None, -2) + b * s(1, -1) + c * s(2, None)
    if edge_order == 1:
        d0 = dx if uniform else getitem(dx, (slice(0, 1),))
        dn = dx if uniform else getitem(dx, (slice(-1, None),))
        if not uniform:
            d0, dn = _reshaped(d0, nd, ax), _reshaped(dn, nd, ax)
        first = (s(1, 2) - s(0, 1)) / d0
        last = (s(-1, None) - s(-2, -1)) / dn
    else:
        if uniform:
            a, b, c = -1.5 / dx, 2.0 / dx, -0.5 / dx
            a2, b2, c2 = 0.5 / dx, -2.0 / dx, 1.5 / dx
        else:
            w = lambda i: _reshaped(getitem(dx, (slice(i, i + 1 or None),)), nd, ax)  # noqa: E731
            dx1, dx2 = w(0), w(1)
            a = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
            b = (dx1 + dx2) / (dx1 * dx2)
            c = -dx1 / (dx2 * (dx1 + dx2))
            dx1, dx2 = w(-2), w(-1)
            a2 = dx2 / (dx1 * (dx1 + dx2))
            b2 = -(dx2 + dx1) / (dx1 * dx2)
            c2 = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
        first = a * s(0, 1) + b * s(1, 2) + c * s(2, 3)
        last = a2 * s(-3, -2) + b2 * s(-2, -1) + c2 * s(-1, None)
    return concatenate([first, inner, last], axis=ax)


def gradient(f, *varargs, axis=None, edge_order=1):
    """The gradient of sampled values f along each axis (np.gradient): central differences
    (exact for quadratics, also for uneven steps) inside, one-sided differences of order
    `edge_order` (1 or 2) at the boundaries. Spacing: none (1), one scalar for all axes, or
    one scalar or 1-D coordinate array per axis. One axis gives one tensor, several a tuple.
    Differentiable in f (linear) and in the spacings.

    Examples
    --------
    >>> wg.gradient(wg.tensor([1.0, 4.0, 9.0, 16.0]))
    tensor([3., 4., 6., 7.])
    """
    f = _input(f)
    shape = np.shape(value_of(f))
    nd = len(shape)
    if axis is None:
        axes = tuple(range(nd))
    else:
        axes = tuple(a + nd for a in negative_axes(axis if not isinstance(axis, (int, np.integer))
                                                   else int(axis), nd))
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis in gradient")
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported" if edge_order > 2
                         else "'edge_order' must be 1 or 2")
    dxs = _spacings(varargs, shape, axes)
    if np.result_type(value_of(f)).kind in "iub":
        f = astype(f, np.float64)
    out = []
    for ax, dx in zip(axes, dxs):
        if shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, at "
                             "least (edge_order + 1) elements are required.")
        if isinstance(dx, np.ndarray) and dx.dtype.kind in "iub":
            dx = dx.astype(np.float64)
        g = _gradient_axis(f, ax, nd, dx, edge_order)
        out.append(g if g.dtype == f.dtype else astype(g, f.dtype))
    return out[0] if len(out) == 1 else tuple(out)


# ---- unwrap ----------------------------------------------------------------------------------

def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """p with jumps larger than max(discont, period/2) between neighbours along `axis`
    replaced by their complement mod `period` (np.unwrap). The correction is a constant
    multiple of `period` on each stretch, so ∂/∂p = 1.

    Examples
    --------
    >>> x = wg.tensor([0.0, 6.0])
    >>> wg.unwrap(x)
    tensor([ 0.        , -0.28318531])
    >>> wg.grad(lambda x: wg.sum(wg.unwrap(x)))(x)
    tensor([1., 1.])
    """
    p = _input(p)
    # the correction from the detached values, by ops on a Tensor (compiled, computed on
    # every call), by NumPy on an ndarray
    d = detached(p)
    nd = np.ndim(value_of(d))
    ax = _axis(axis, nd)
    dd = np.diff(d, axis=ax)
    if discont is None:
        discont = period / 2
    dtype = np.result_type(value_of(dd), period)
    if np.issubdtype(dtype, np.integer):
        high, rem = divmod(period, 2)
        ambiguous = rem == 0
    else:
        high, ambiguous = period / 2, True
    low = -high
    ddmod = np.mod(dd - low, period) + low
    if ambiguous:
        ddmod = np.where((ddmod == low) & (dd > 0), np.asarray(high, value_of(ddmod).dtype),
                         ddmod)
    fix = ddmod - dd
    fix = np.where(np.abs(dd) < discont, np.zeros((), value_of(fix).dtype), fix)
    fix = np.cumsum(fix, axis=ax)
    pad = [(0, 0)] * nd
    pad[ax] = (1, 0)
    fix = np.pad(fix, pad)
    if np.result_type(value_of(fix)) != dtype:
        fix = astype(fix, dtype)
    if dtype != np.result_type(value_of(p)):
        p = astype(p, dtype)
    return p + fix


# ---- triangles and diagonals -----------------------------------------------------------------

def _triangle(m, k, lower):
    m = _input(m)
    shape = np.shape(value_of(m))
    if len(shape) == 0:
        raise ValueError(f"{'tril' if lower else 'triu'} needs at least one dimension, got a "
                         f"0-d input")
    mask = np.tri(*shape[-2:], k=k if lower else k - 1, dtype=bool)  # type: ignore[call-overload]  # (stubs: no *args for N, M)
    zero = np.zeros((), dtype=np.result_type(value_of(m)))
    return where(mask, m, zero) if lower else where(mask, zero, m)


def tril(m, k=0):
    """The lower triangle of the last two axes (entries with j − i ≤ k), zeros above; a 1-D
    input is broadcast to a square first, as NumPy. ∂/∂m = g on the triangle, 0 elsewhere.

    Examples
    --------
    >>> wg.tril(wg.ones((2, 2)))
    tensor([[1., 0.],
            [1., 1.]])
    """
    return _triangle(m, int(k), True)


def triu(m, k=0):
    """The upper triangle of the last two axes (entries with j − i ≥ k), zeros below.

    Examples
    --------
    >>> wg.triu(wg.ones((2, 2)))
    tensor([[1., 1.],
            [0., 1.]])
    """
    return _triangle(m, int(k), False)


def diag(v, k=0):
    """1-D v: the square matrix with v on its k-th diagonal (zeros elsewhere); 2-D v: its
    k-th diagonal. Linear both ways: each direction's gradient is the other direction.

    Examples
    --------
    >>> wg.diag(wg.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    v = _input(v)
    shape = np.shape(value_of(v))
    k = int(k)
    if len(shape) == 1:
        n = shape[0] + abs(k)
        return _diagonal_embed(v, offset=k, axis1=-2, axis2=-1, shape=(n, n))
    if len(shape) == 2:
        return diagonal(v, k)
    raise ValueError("Input must be 1- or 2-d.")


def diagflat(v, k=0):
    """The flattened input on the k-th diagonal of a square matrix (np.diagflat).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.diagflat(x)
    tensor([[1., 0.],
            [0., 2.]])
    >>> wg.grad(lambda x: wg.sum(wg.diagflat(x) * wg.tensor([[1.0, 2.0], [3.0, 4.0]])))(x)
    tensor([1., 4.])
    """
    return diag(reshape(_input(v), (-1,)), k)


# ---- integration -----------------------------------------------------------------------------

def trapezoid(y, x=None, dx=1.0, axis=-1):
    """∫ y along `axis` by the trapezoidal rule (np.trapezoid): Σᵢ dᵢ (yᵢ₊₁ + yᵢ)/2 with
    dᵢ = dx or xᵢ₊₁ − xᵢ (x 1-D along the axis, or of y's shape). ∂/∂yᵢ = (dᵢ₋₁ + dᵢ)/2,
    ∂/∂xᵢ = (yᵢ₋₁ − yᵢ₊₁)/2 at interior points (one-sided at the ends).

    Examples
    --------
    >>> x = wg.tensor([0.0, 1.0, 2.0])
    >>> wg.trapezoid(x ** 2, x)
    tensor(3.)
    """
    y = _input(y)
    nd = np.ndim(value_of(y))
    ax = _axis(axis, nd)
    if x is None:
        d = dx
    else:
        x = _input(x)
        if np.ndim(value_of(x)) == 1:
            d = diff(x)
            d = reshape(d, (1,) * ax + (-1,) + (1,) * (nd - ax - 1))
        else:
            d = diff(x, axis=ax)
    y1 = getitem(y, _index_along(nd, ax, slice(1, None)))
    y0 = getitem(y, _index_along(nd, ax, slice(None, -1)))
    return _sum(d * (y1 + y0) / 2.0, axis=ax)
