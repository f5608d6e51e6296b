"""The rest of NumPy's differentiable ufuncs and their close relatives:

    fabs(x)          |x| as a float                 ∂ = sign(x) (0 at 0, as absolute)
    conj, conjugate, real (x)   x on real input     ∂ = 1
    imag(x)          0 on real input (a constant)   ∂ = 0
    around, fix      round, trunc                   ∂ = 0 (piecewise constant)
    ldexp(x, k)      x·2ᵏ, k an integer constant    ∂x = 2ᵏ (exact: the result is NumPy's)
    frexp(x)         (m, e) with x = m·2ᵉ           ∂m/∂x = 2⁻ᵉ; e is an integer constant
    nextafter(x, y)  the next float after x to y    ∂x = 1, ∂y = 0 (an ulp step)
    spacing(x)       the ulp at x                   ∂ = 0 (piecewise constant)
    divmod(x, y)     (floor_divide, remainder)      as those two
    modf(x)          (x − trunc x, trunc x)         ∂frac = 1, ∂int = 0
    matvec(A, v)     Σⱼ A[…, i, j]·v[…, j]          (matmul)
    vecmat(v, A)     Σᵢ v[…, i]·A[…, i, j]          (matmul, real input)
    cumulative_sum, cumulative_prod   NumPy 2's cumsum/cumprod with include_initial=

and the ufunc methods `np.logaddexp.reduce` / `np.logaddexp2.reduce` (log Σ eˣ along an axis,
computed stably as wg.logsumexp: ∂/∂xᵢ = softmax(x)ᵢ) and `.accumulate` (the running
logaddexp, one stable pairwise step per position: ∂yₖ/∂xᵢ = e^(xᵢ − yₖ) for i ≤ k).
"""
import math

import numpy as np

from ..tensor import UFUNC_ACCUMULATIONS, UFUNC_REDUCTIONS, UFUNCS, Tensor, _make
from ._operands import array_of, detached
from ._primitive import ONE, LinearOp, binary, linear, unary
from .elementwise import (absolute, astype, floor_divide, fmod, isinf, logaddexp, logaddexp2,
                          positive, remainder, round, trunc, where)
from .linalg.products import matmul
from .cumulative import cumprod, cumsum
from .reduction import logsumexp
from .shape import broadcast_to, concatenate, expand_dims, moveaxis, stack

__all__ = ["fabs", "around", "fix", "ldexp", "frexp",
           "nextafter", "spacing", "divmod", "modf", "matvec", "vecmat", "cumulative_sum",
           "cumulative_prod"]

_LN2 = math.log(2.0)


def _as_float(x):
    """x as a floating Tensor or array (an integer input becomes float64, as NumPy's float
    ufuncs do)."""
    if np.result_type(array_of(x)).kind in "fc":
        return x
    return astype(x, np.float64)


# ---- identities and constants on real input --------------------------------------------------

def fabs(x, /):
    """|x| in floating point (np.fabs).   ∂/∂x = sign(x), 0 at x = 0 (as wg.absolute).

    Examples
    --------
    >>> x = wg.tensor([-2.0, 0.0, 3.0])
    >>> wg.fabs(x)
    tensor([2., 0., 3.])
    >>> wg.grad(lambda x: wg.sum(wg.fabs(x)))(x)
    tensor([-1.,  0.,  1.])
    """
    return absolute(_as_float(x))


def around(a, decimals=0, out=None):
    """np.around, the same as wg.round.   ∂ = 0 (piecewise constant).

    Examples
    --------
    >>> x = wg.tensor([0.5, 1.5, 2.567])
    >>> wg.around(x, 1)
    tensor([0.5, 1.5, 2.6])
    >>> wg.grad(lambda x: wg.sum(wg.around(x)))(x)
    tensor([0., 0., 0.])
    """
    return round(a, decimals=decimals, out=out)


def fix(x, out=None):
    """Round toward zero (np.fix), the same as wg.trunc.   ∂ = 0 (piecewise constant).

    Examples
    --------
    >>> x = wg.tensor([-1.7, 1.7])
    >>> wg.fix(x)
    tensor([-1.,  1.])
    >>> wg.grad(lambda x: wg.sum(wg.fix(x)))(x)
    tensor([0., 0.])
    """
    if out is not None:
        raise TypeError("wengert.fix does not support out=; use the returned tensor")
    return trunc(x)


# ---- ldexp, frexp, nextafter, spacing ---------------------------------------------------------

def _exponent(k, name):
    k = np.asarray(array_of(k))
    if k.dtype.kind not in "iub":
        raise TypeError(f"{name}: the exponent must be an integer array (a constant), got "
                        f"dtype {k.dtype}")
    return k


_ldexp: LinearOp = linear("ldexp", lambda x, k: np.ldexp(x, k),
                lambda g, shape, k: _ldexp(g, k=k) if isinstance(g, Tensor) else np.ldexp(g, k))
_ldexp.doc = "x·2ᵏ for an integer constant k of x's shape.   ∂/∂x = 2ᵏ (exactly)."


def ldexp(x1, x2, /):
    """x1·2^x2 for integer exponents x2 (constants), exactly as np.ldexp (no overflow of 2^x2
    on its own).   ∂/∂x1 = 2^x2.

    Examples
    --------
    >>> x = wg.tensor(3.0)
    >>> wg.ldexp(x, 2)
    tensor(12.)
    >>> wg.grad(lambda x: wg.ldexp(x, 2))(x)
    tensor(4.)
    """
    k = _exponent(x2, "ldexp")
    x = _as_float(x1)
    shape = np.broadcast_shapes(np.shape(array_of(x)), k.shape)
    if np.shape(array_of(x)) != shape:
        x = broadcast_to(x, shape)
    k = np.broadcast_to(k, shape)
    if not isinstance(x, Tensor):
        return _make(np.ldexp(x, k), None)
    return _ldexp(x, k=k)


def frexp(x, /):
    """(m, e) with x = m·2ᵉ and 0.5 ≤ |m| < 1 (m = x where x is 0, inf or NaN), as np.frexp.
    m = x·2⁻ᵉ: ∂m/∂x = 2⁻ᵉ; e is an integer constant.

    Examples
    --------
    >>> x = wg.tensor(12.0)
    >>> wg.frexp(x)
    (tensor(0.75), tensor(4, dtype=int32))
    >>> wg.grad(lambda x: wg.frexp(x)[0])(x)
    tensor(0.0625)
    """
    x = _as_float(x)
    e = np.frexp(array_of(x))[1]
    return ldexp(x, -e), _make(np.asarray(e), None)


nextafter = binary("nextafter", np.nextafter, ONE, None, ("", ""))
nextafter.doc = ("The next float after x1 toward x2.   ∂/∂x1 = 1 (x1 moved by one ulp), "
                 "∂/∂x2 = 0 (only a direction).\n\n"
                 "Examples\n"
                 "--------\n"
                 ">>> x = wg.tensor(1.0)\n"
                 ">>> wg.nextafter(x, 2.0) - 1.0\n"
                 "tensor(2.22044605e-16)\n"
                 ">>> wg.grad(lambda x: wg.nextafter(x, 2.0))(x)\n"
                 "tensor(1.)\n")
spacing = unary("spacing", np.spacing)
spacing.doc = ("The distance from x to the next larger float (the ulp).   ∂ = 0 (piecewise "
               "constant).\n\n"
               "Examples\n"
               "--------\n"
               ">>> x = wg.tensor(1.0)\n"
               ">>> wg.spacing(x)\n"
               "tensor(2.22044605e-16)\n"
               ">>> wg.grad(wg.spacing)(x)\n"
               "tensor(0.)\n")


# ---- two outputs -----------------------------------------------------------------------------

def divmod(x1, x2, /):
    """(floor_divide(x1, x2), remainder(x1, x2)), as np.divmod; each with its own gradient
    (∂floor = 0; ∂rem/∂x1 = 1, ∂rem/∂x2 = −floor(x1/x2)).

    Examples
    --------
    >>> x, y = wg.tensor(7.0), wg.tensor(2.0)
    >>> wg.divmod(x, y)
    (tensor(3.), tensor(1.))
    >>> wg.grad(lambda x, y: wg.divmod(x, y)[1], argnums=(0, 1))(x, y)
    (tensor(1.), tensor(-3.))
    """
    return floor_divide(x1, x2), remainder(x1, x2)


def modf(x, /):
    """(frac, whole) with whole = trunc(x) and frac = x − whole (same sign as x; ±0 at ±inf),
    as np.modf.   ∂frac/∂x = 1, ∂whole/∂x = 0.

    Examples
    --------
    >>> x = wg.tensor(-2.5)
    >>> wg.modf(x)
    (tensor(-0.5), tensor(-2.))
    >>> wg.grad(lambda x: wg.modf(x)[0])(x)
    tensor(1.)
    """
    x = _as_float(x)
    # (isinf a step and bool() of it a guard: a compiled program looks at every call's x)
    inf = isinf(x)
    if inf.any():
        zero = np.zeros((), array_of(x).dtype)
        frac = where(inf, np.copysign(zero, detached(x)),
                     fmod(where(inf, zero, x), 1.0))
    else:
        frac = fmod(x, 1.0)
    return frac, trunc(x)


UFUNCS[np.fabs] = fabs
UFUNCS[np.ldexp] = ldexp
UFUNCS[np.frexp] = frexp
UFUNCS[np.divmod] = divmod
UFUNCS[np.modf] = modf


# ---- matrix–vector ufuncs ----------------------------------------------------------------------

def _need_ndim(name, a, n):
    if np.ndim(array_of(a)) < n:
        raise ValueError(f"{name}: an operand has too few dimensions (needs at least {n})")


def matvec(x1, x2, /, **kw):
    """A[…, i, j]·v[…, j] summed over j, broadcasting the stacks (np.matvec): a matmul.

    Examples
    --------
    >>> wg.matvec(wg.eye(2), wg.tensor([1.0, 2.0]))
    tensor([1., 2.])
    """
    if kw:
        raise TypeError(f"wengert.matvec: the keyword {next(iter(kw))}= is not supported")
    _need_ndim("matvec", x1, 2)
    _need_ndim("matvec", x2, 1)
    return matmul(x1, expand_dims(x2, -1))[..., 0]


def vecmat(x1, x2, /, **kw):
    """v[…, i]·A[…, i, j] summed over i, broadcasting the stacks (np.vecmat; real input, so
    no conjugation): a matmul.

    Examples
    --------
    >>> v, A = wg.tensor([1.0, 2.0]), wg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> wg.vecmat(v, A)
    tensor([ 7., 10.])
    >>> wg.grad(lambda v: wg.sum(wg.vecmat(v, A)))(v)
    tensor([3., 7.])
    """
    if kw:
        raise TypeError(f"wengert.vecmat: the keyword {next(iter(kw))}= is not supported")
    _need_ndim("vecmat", x1, 1)
    _need_ndim("vecmat", x2, 2)
    return matmul(expand_dims(x1, -2), x2)[..., 0, :]


UFUNCS[np.matvec] = matvec
UFUNCS[np.vecmat] = vecmat


# ---- cumulative_sum, cumulative_prod (NumPy 2) --------------------------------------------------

def _cumulative(name, f, identity, x, axis, dtype, out, include_initial):
    if out is not None:
        raise TypeError(f"wengert.{name} does not support out=; use the returned tensor")
    nd = np.ndim(array_of(x))
    if nd == 0:
        raise ValueError(f"{name}: the input must have at least one dimension")
    if axis is None:
        if nd > 1:
            raise ValueError(f"{name}: axis= must be given for an input with more than one "
                             f"dimension")
        axis = 0
    r = f(x, axis=axis, dtype=dtype)
    if not include_initial:
        return r
    shape = list(np.shape(array_of(r)))
    shape[axis % nd] = 1
    first = np.full(shape, identity, dtype=array_of(r).dtype)
    return concatenate([first, r], axis=axis)


def cumulative_sum(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Running sum along `axis` (np.cumulative_sum), with a leading 0 when include_initial.
    Linear: ∂L/∂xᵢ = Σ_{k≥i} gₖ.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.cumulative_sum(x, include_initial=True)
    tensor([0., 1., 3., 6.])
    >>> wg.grad(lambda x: wg.sum(wg.cumulative_sum(x)))(x)
    tensor([3., 2., 1.])
    """
    return _cumulative("cumulative_sum", cumsum, 0, x, axis, dtype, out, include_initial)


def cumulative_prod(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
    """Running product along `axis` (np.cumulative_prod), with a leading 1 when
    include_initial. ∂ as wg.cumprod (exact where x has zeros).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.cumulative_prod(x)
    tensor([1., 2., 6.])
    >>> wg.grad(lambda x: wg.sum(wg.cumulative_prod(x)))(x)
    tensor([9., 4., 2.])
    """
    return _cumulative("cumulative_prod", cumprod, 1, x, axis, dtype, out, include_initial)


# ---- logaddexp.reduce / .accumulate ------------------------------------------------------------

_NO_INITIAL = np._NoValue


def _lae_reduce(base2):
    name = "logaddexp2" if base2 else "logaddexp"

    def reduce(a, axis=0, dtype=None, keepdims=False, initial=_NO_INITIAL, where=True):
        x = a if isinstance(a, Tensor) else np.asarray(a)
        if dtype is not None:
            x = astype(x, dtype)
        x = _as_float(x)
        if where is not True:
            mask = np.asarray(array_of(where), dtype=bool)
            x = _where(mask, x, np.asarray(-np.inf, array_of(x).dtype))
        if np.ndim(array_of(x)) == 0:
            raise np.exceptions.AxisError(f"{name}.reduce: cannot reduce a 0-d array")
        if base2:
            r = logsumexp(x * _LN2, axis=axis, keepdims=keepdims) * (1.0 / _LN2)
        else:
            r = logsumexp(x, axis=axis, keepdims=keepdims)
        if initial is not _NO_INITIAL and initial is not None:
            r = (logaddexp2 if base2 else logaddexp)(r, np.asarray(initial, array_of(r).dtype))
        return r
    reduce.__name__ = f"{name}_reduce"
    reduce.__doc__ = (f"np.{name}.reduce: log{'₂ Σ 2ˣ' if base2 else ' Σ eˣ'} along `axis`, "
                      f"stably (wg.logsumexp); ∂/∂xᵢ = softmax(x)ᵢ. where= entries count as −inf.")
    return reduce


def _where(mask, x, y):
    """wg.where, for reduce(), whose where= keyword shadows it."""
    return where(mask, x, y)


def _lae_accumulate(base2):
    step = logaddexp2 if base2 else logaddexp

    def accumulate(a, axis=0, dtype=None):
        x = a if isinstance(a, Tensor) else np.asarray(a)
        if dtype is not None:
            x = astype(x, dtype)
        x = _as_float(x)
        nd = np.ndim(array_of(x))
        if not -nd <= axis < nd:
            raise np.exceptions.AxisError(axis, nd)
        xs = moveaxis(x, axis, 0)
        n = np.shape(array_of(xs))[0]
        if n == 0:
            return x if isinstance(x, Tensor) else _make(np.array(x), None)
        ys = [positive(xs[0])]
        for k in range(1, n):
            ys.append(step(ys[-1], xs[k]))
        return moveaxis(stack(ys, axis=0), 0, axis)
    accumulate.__name__ = f"{'logaddexp2' if base2 else 'logaddexp'}_accumulate"
    accumulate.__doc__ = ("The running logaddexp along `axis`, one stable pairwise step per "
                          "position: ∂yₖ/∂xᵢ = e^(xᵢ − yₖ) for i ≤ k (base 2: 2^(xᵢ − yₖ)).")
    return accumulate


UFUNC_REDUCTIONS[np.logaddexp] = _lae_reduce(False)
UFUNC_REDUCTIONS[np.logaddexp2] = _lae_reduce(True)
UFUNC_ACCUMULATIONS[np.logaddexp] = _lae_accumulate(False)
UFUNC_ACCUMULATIONS[np.logaddexp2] = _lae_accumulate(True)
