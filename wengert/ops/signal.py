"""Signals, polynomials and a few special functions: interp polyval vander convolve
correlate sinc float_power heaviside real_if_close angle.

All are composites of gathers, arithmetic, matmul, `where` and the elementwise ops, so they
inherit rules of every order and register no primitive:

* interp: on the interval [xpⱼ, xpⱼ₊₁] holding x, fpⱼ + sⱼ (x − xpⱼ) with
  sⱼ = (fpⱼ₊₁ − fpⱼ)/(xpⱼ₊₁ − xpⱼ); the interval is found on the values (piecewise
  constant), so ∂/∂x = sⱼ, ∂/∂fpⱼ = 1 − t, ∂/∂fpⱼ₊₁ = t (t the fraction of the way), and
  xp, when a tensor, gets its gradient through the same formula. Kink convention: at a knot
  the slope of the interval to its right is used (at the last knot, the one to its left);
  outside [xp₀, xpₙ₋₁], ∂/∂x = 0 and the gradient goes to `left`/`right` (fp₀/fpₙ₋₁ by
  default). Float64 result, as NumPy.
* polyval: Horner's rule, y ← y·x + pᵢ: differentiable in p and x.
* vander: the columns x⁰, x¹, … as running products.
* convolve/correlate: out[k] = Σⱼ a[k + j]·v[j] on the zero-padded longer input, as a gather
  of the windows and a matrix-vector product (in blocks of columns, so memory stays
  O(len(out) · block)); products with the padding are masked out, never 0·inf; bilinear, each gradient is a correlation of g with the other input.
* sinc(x) = sin(πx)/(πx), sinc(0) = 1: for |πx| < 0.1 its Taylor polynomial in (πx)² (error
  below 1e-26), so every derivative is exact at and near 0 (sinc′(0) = 0,
  sinc″(0) = −π²/3) with no 0/0; elsewhere sin(y)/y.
* float_power: power in float64 (NumPy's result dtype).
* heaviside(x1, x2) = 0 for x1 < 0, x2 at x1 = 0, 1 for x1 > 0: ∂/∂x1 = 0 everywhere (the jump
  at 0 is ignored, as for sign); ∂/∂x2 = 1 where x1 = 0.
* angle of real input: 0 for x > 0 (and +0.0), π for x < 0 (and −0.0), as arctan2(0, x);
  derivative 0 everywhere (the jump at 0 is ignored). Complex input (which cannot require
  grad in wengert) gives a constant.
* real_if_close: the identity on real input.
"""

import numpy as np

from ..tensor import UFUNCS, Tensor, _make
from ._operands import detached, value_of
from .complex import conjugate, imag, real
from .elementwise import arctan2, astype, isfinite, power, sign, sin, where
from .indexing import take
from .cumulative import cumprod
from .padding import pad
from .value_fns import value_result
from .reduction import sum as _sum
from .shape import broadcast_to, concatenate, flip, reshape

__all__ = ["interp", "polyval", "vander", "convolve", "correlate", "sinc", "float_power",
           "heaviside", "real_if_close", "angle"]


def _input(a):
    return a if isinstance(a, Tensor) else np.asarray(a)


def _shape(a):
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)


def _as_float64(a, complex_ok=False):
    """a as float64, or as complex128 where a complex a is allowed (interp's fp, left, right);
    a complex a elsewhere is a TypeError, as in NumPy (a cast would drop its imaginary part)."""
    a = _input(a)
    dt = np.result_type(value_of(a))
    if dt.kind == "c":
        if not complex_ok:
            raise TypeError("wengert.interp: x, xp (and left, right for a real fp) must be "
                            f"real, got {dt}")
        return a if dt == np.complex128 else astype(a, np.complex128)
    return a if dt == np.float64 else astype(a, np.float64)


# ---- interp ----------------------------------------------------------------------------------

def interp(x, xp, fp, left=None, right=None, period=None):
    """The piecewise-linear interpolant through (xp, fp) at x (np.interp; xp increasing, or
    any order with `period`; a complex fp has its real and imaginary parts interpolated
    apart). See the module docstring for the derivatives.

    Examples
    --------
    >>> wg.interp(wg.tensor([0.5, 1.5]), wg.tensor([0.0, 1.0, 2.0]), wg.tensor([0.0, 10.0, 20.0]))
    tensor([ 5., 15.])
    """
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
    x, xp, fp = _as_float64(x), _as_float64(xp), _as_float64(fp, complex_ok=True)
    if np.result_type(value_of(fp)).kind == "c":
        # the real and imaginary parts interpolated apart, as NumPy does (each with its own
        # fallback at an infinite value)
        def of(part, e):
            return None if e is None else part(_as_float64(e, True))
        parts = [interp(x, xp, part(fp), left=of(part, left), right=of(part, right),
                        period=period) for part in (real, imag)]
        return parts[0] + parts[1] * 1j
    if len(_shape(xp)) != 1 or len(_shape(fp)) != 1:
        raise ValueError("Data points must be 1-D sequences")
    if _shape(xp)[0] != _shape(fp)[0]:
        raise ValueError("fp and xp are not of the same length.")
    if _shape(xp)[0] == 0:
        raise ValueError("array of sample points is empty")
    if period is not None:
        x = x % period
        xp = xp % period
        order = np.argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        xp = concatenate([take(xp, [-1]) - period, xp, take(xp, [0]) + period])
        fp = concatenate([take(fp, [-1]), fp, take(fp, [0])])
    n = _shape(xp)[0]
    # the interval search and the tests below are wengert ops where x or xp is a Tensor (a
    # compiling trace computes them on every call), NumPy's on values otherwise
    if isinstance(x, Tensor) or isinstance(xp, Tensor):
        j = value_result(np.searchsorted, xp, {"v": x, "side": "right"}) - 1
    else:
        j = np.searchsorted(xp, x, side="right") - 1          # xp[j] <= x < xp[j + 1]
    lo = np.clip(j, 0, max(n - 2, 0))
    hi = np.minimum(lo + 1, n - 1)
    knot = np.clip(j, 0, n - 1)
    xlo, xhi, flo, fhi = take(xp, lo), take(xp, hi), take(fp, lo), take(fp, hi)
    xknot = take(xp, knot)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = (fhi - flo) / (xhi - xlo)
        inside = slope * (x - xlo) + flo
        other = slope * (x - xhi) + fhi
    # NumPy's fallbacks where the formula gives NaN (an infinite value or step)
    bad = np.isnan(detached(inside))
    fix = where(np.isnan(detached(other)) & (detached(flo) == detached(fhi)), flo, other)
    inside = where(bad, fix, inside)
    flat = where(isfinite(slope), slope, np.zeros((), np.float64))
    xd = detached(x)
    # x − xp[knot] is 0 at an infinite knot that x equals (inf − inf would make it NaN)
    step = where(xd == detached(xknot), np.zeros((), np.float64), x - xknot) if _infinite(xknot) \
        else x - xknot
    at_knot = take(fp, knot) + step * flat                  # the value fp[knot] exactly
    exact = (j >= 0) & (xd == detached(xknot))
    out = where(exact, at_knot, inside)
    lval = take(fp, 0) if left is None else _as_float64(left)
    rval = take(fp, n - 1) if right is None else _as_float64(right)
    out = where(xd > detached(take(xp, n - 1)), rval, where(xd < detached(take(xp, 0)), lval,
                                                             out))
    # NumPy's one-knot case compares x with the knot only: a NaN x gets fp[0] there
    return where(np.isnan(xd), x, out) if n > 1 else out


def _infinite(a):
    """Whether a holds an infinity: a wengert op (a guard when compiled) for a Tensor."""
    return bool(np.any(np.isinf(detached(a))))


# ---- polynomials -----------------------------------------------------------------------------

def polyval(p, x):
    """p[0]·x^(n−1) + … + p[n−1] by Horner's rule (np.polyval; p may be 2-D: a polynomial
    per column broadcast against x). Differentiable in p and x.

    Examples
    --------
    >>> x = wg.tensor(2.0, requires_grad=True)
    >>> wg.polyval(wg.tensor([1.0, 0.0, -1.0]), x)    # x² − 1
    tensor(3., grad_fn=<AddBackward>)
    >>> wg.polyval(wg.tensor([1.0, 0.0, -1.0]), x).backward()
    >>> x.grad
    tensor(4.)
    """
    p, x = _input(p), _input(x)
    if not _shape(p):
        raise TypeError("iteration over a 0-d array (polyval needs a sequence of "
                        "coefficients)")
    y = _make(np.zeros_like(value_of(x)), None)
    for i in range(_shape(p)[0]):
        y = y * x + p[i]
    return y


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of x (np.vander): columns x^(N−1), …, x, 1 (reversed when
    `increasing`), built as running products like NumPy.

    Examples
    --------
    >>> x = wg.tensor([2.0, 3.0])
    >>> wg.vander(x, 3)
    tensor([[4., 2., 1.],
            [9., 3., 1.]])
    >>> wg.grad(lambda x: wg.sum(wg.vander(x, 3)))(x)
    tensor([5., 7.])
    """
    x = _input(x)
    s = _shape(x)
    if len(s) != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = s[0]
    N = n if N is None else int(N)
    dtype = np.promote_types(np.result_type(value_of(x)), int)
    if np.result_type(value_of(x)) != dtype:
        x = astype(x, dtype)
    cols = [_make(np.ones((n, min(N, 1)), dtype=dtype), None)]
    if N > 1:
        cols.append(cumprod(broadcast_to(reshape(x, (n, 1)), (n, N - 1)), axis=1))
    out = concatenate(cols, axis=1)
    return out if increasing else flip(out, 1)


# ---- convolution and correlation -------------------------------------------------------------

_MODES = {0: "valid", 1: "same", 2: "full", "valid": "valid", "same": "same", "full": "full"}
_BLOCK = 1 << 20            # elements of gathered windows held at once


def _mode(mode):
    m = _MODES.get(mode) if isinstance(mode, (str, int)) else None
    if m is None:
        raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")
    return m


def _one_d(a, name):
    a = _input(a)
    if len(_shape(a)) > 1:
        raise ValueError("object too deep for desired array")
    if len(_shape(a)) == 0:
        a = reshape(a, (1,))
    if _shape(a)[0] == 0:
        raise ValueError(f"{name} cannot be empty")
    return a


def _correlate(a, v, mode):
    """out[k] = Σⱼ a[k + j − (m − 1)]·v[j] (a zero outside), for len(a) = n ≥ len(v) = m,
    restricted to the positions of `mode`."""
    n, m = _shape(a)[0], _shape(v)[0]
    start, length = {"full": (0, n + m - 1), "valid": (m - 1, n - m + 1),
                     "same": (m - 1 - m // 2, n)}[mode]
    padded = pad(a, (m - 1, m - 1)) if m > 1 else a
    rows = np.arange(start, start + length, dtype=np.intp)[:, None]
    step = max(1, _BLOCK // max(length, 1))
    out = None
    # (complex: products and sums, which carry a complex derivative; matmul and where do not)
    complex_ = np.result_type(value_of(a), value_of(v)).kind == "c"
    for c in range(0, m, step):
        cols = np.arange(c, min(c + step, m), dtype=np.intp)
        at = rows + cols
        inside = (at >= m - 1) & (at < n + m - 1)
        if inside.all():
            x, w = take(padded, at), take(v, cols)
            part = _sum(x * w, axis=1) if complex_ else x @ w
        else:
            # a product with the zero padding is left out, not added as 0·v[j]: an inf or
            # NaN in v then spoils only the sums it is part of, as in np.convolve
            part = _sum(_kept(inside, take(padded, at) * take(v, cols), complex_), axis=1)
        out = part if out is None else out + part
    return out


def _kept(mask, p, complex_):
    """p where mask, 0 elsewhere; a complex p by its real and imaginary parts (where has no
    complex derivative, and the parts keep the one of p)."""
    if complex_:
        return where(mask, real(p), 0) + where(mask, imag(p), 0) * 1j
    return where(mask, p, 0)


def correlate(a, v, mode="valid"):
    """The cross-correlation of two 1-D sequences (np.correlate):
    c[k] = Σₙ a[n + k]·conj(v[n]); modes 'valid' (default), 'same', 'full'.

    Examples
    --------
    >>> a, v = wg.tensor([1.0, 2.0, 3.0]), wg.tensor([1.0, 1.0])
    >>> wg.correlate(a, v)
    tensor([3., 5.])
    >>> wg.grad(lambda v: wg.sum(wg.correlate(a, v)))(v)
    tensor([3., 5.])
    """
    mode = _mode(mode)
    a, v = _input(a), _input(v)
    for x, which in ((a, "first"), (v, "second")):
        if len(_shape(x)) != 1:
            raise ValueError("object of too small depth for desired array" if not _shape(x)
                             else "object too deep for desired array")
        if _shape(x)[0] == 0:
            raise ValueError(f"{which} array argument cannot be empty")
    a, v = _common(a, v)
    if np.result_type(value_of(v)).kind == "c":
        v = conjugate(v)            # NumPy's c[k] = Σₙ a[n + k]·conj(v[n])
    if _shape(a)[0] < _shape(v)[0]:
        return flip(_correlate(v, a, mode), 0)
    return _correlate(a, v, mode)


def convolve(a, v, mode="full"):
    """The discrete linear convolution of two 1-D sequences (np.convolve):
    (a ∗ v)[k] = Σₘ a[m]·v[k − m]; modes 'full' (default), 'same', 'valid'.

    Examples
    --------
    >>> wg.convolve(wg.tensor([1.0, 2.0, 3.0]), wg.tensor([0.0, 1.0, 0.5]))
    tensor([0. , 1. , 2.5, 4. , 1.5])
    """
    mode = _mode(mode)
    a, v = _one_d(a, "a"), _one_d(v, "v")
    if _shape(v)[0] > _shape(a)[0]:
        a, v = v, a
    a, v = _common(a, v)
    return _correlate(a, flip(v, 0), mode)


def _common(a, v):
    dt = np.result_type(value_of(a), value_of(v))
    a = a if np.result_type(value_of(a)) == dt else astype(a, dt)
    v = v if np.result_type(value_of(v)) == dt else astype(v, dt)
    return a, v


# ---- special functions -----------------------------------------------------------------------

# sin(y)/y = Σₖ (−1)ᵏ y²ᵏ/(2k + 1)!, Horner in u = y² (highest power first)
_SINC_TAYLOR = [(-1) ** k / float(np.prod(np.arange(1, 2 * k + 2))) for k in range(7)][::-1]


def sinc(x):
    """sin(πx)/(πx), with sinc(0) = 1 (np.sinc). Stable at and near 0 to every order (see
    the module docstring); sinc′(x) = (cos(πx) − sinc(x))/x.

    Examples
    --------
    >>> wg.sinc(wg.tensor([0.0, 0.5]))
    tensor([1.        , 0.63661977])
    """
    x = _input(x)
    y = np.pi * x
    if not isinstance(y, Tensor):
        y = _make(np.asarray(y), None)
    # (a mask from the detached y: compiled, a step computed from every call's x)
    small = np.abs(y.detach()) < 0.1
    u = y * y
    series = _SINC_TAYLOR[0]
    for c in _SINC_TAYLOR[1:]:
        series = series * u + c
    safe = where(small, np.ones((), y.dtype), y)
    return where(small, series, sin(safe) / safe)


def float_power(x1, x2, /):
    """x1 ** x2 computed in float64 (complex128 for complex input) whatever the inputs'
    dtypes (np.float_power).

    Examples
    --------
    >>> x = wg.tensor(2.0, dtype=wg.float32)
    >>> wg.float_power(x, 3).dtype
    dtype('float64')
    >>> wg.grad(lambda x: wg.float_power(x, 3))(wg.tensor(2.0))
    tensor(12.)
    """
    return power(_as_float64(x1, complex_ok=True), _as_float64(x2, complex_ok=True))


def heaviside(x1, x2, /):
    """The step function: 0 for x1 < 0, x2 where x1 = 0, 1 for x1 > 0, NaN for NaN
    (np.heaviside). ∂/∂x1 = 0 (the jump is ignored); ∂/∂x2 = 1 where x1 = 0.

    Examples
    --------
    >>> wg.heaviside(wg.tensor([-1.0, 0.0, 2.0]), 0.5)
    tensor([0. , 0.5, 1. ])
    """
    # NumPy's loop (float16/32/64) by the inputs as given: a Python number stays weak, so
    # heaviside(float32, 0.5) is float32
    probe = [np.zeros(0, np.result_type(value_of(v))) if isinstance(v, (Tensor, np.ndarray))
             else v for v in (x1, x2)]
    dtype = np.heaviside(*probe).dtype
    x1, x2 = _input(x1), _input(x2)
    if np.result_type(value_of(x1)) != dtype:
        x1 = astype(x1, dtype)
    step = (sign(x1) + 1.0) * 0.5
    out = where(x1 == 0, x2, step)          # (a step: compiled, the mask is every call's)
    return out if out.dtype == dtype else astype(out, dtype)


def real_if_close(a, tol=100):
    """a itself for real input; complex input with every imaginary part below tol machine
    epsilons (tol > 1) or tol (tol ≤ 1) gives its real part (np.real_if_close; a constant:
    complex tensors cannot require grad).

    Examples
    --------
    >>> wg.real_if_close(wg.tensor([1.0 + 1e-20j, 2.0 + 0j]))
    tensor([1., 2.])
    """
    a = _input(a)
    d = value_of(a)
    if np.result_type(d).kind != "c":
        return a if isinstance(a, Tensor) else _make(np.asarray(d), None)
    return _make(np.asarray(np.real_if_close(d, tol)), None)


def angle(z, deg=False):
    """The argument of z (np.angle): for real z, arctan2(0, z): 0 for z > 0 or +0.0, π for
    z < 0 or −0.0 (180 with deg=True); derivative 0 everywhere (the jump at 0 is ignored).
    Complex z: arctan2(Im z, Re z), differentiable (ops/complex.py): ḡ(z) = i·ḡ/conj(z),
    NaN at z = 0.

    Examples
    --------
    >>> x = wg.tensor([1.0, -1.0])
    >>> wg.angle(x)
    tensor([0.        , 3.14159265])
    >>> wg.grad(lambda x: wg.sum(wg.angle(x)))(x)
    tensor([0., 0.])
    """
    z = _input(z)
    d = np.asarray(value_of(z))
    if d.dtype.kind == "c":
        if isinstance(z, Tensor):           # arctan2(Im z, Re z), differentiable through both
            t = arctan2(imag(z), real(z))
            return t * (180 / np.pi) if deg else t
        return _make(np.asarray(np.angle(d, deg)), None)
    if not isinstance(z, Tensor):
        return _make(np.asarray(np.angle(d, deg)), None)
    dt = np.angle(d.reshape(-1)[:0]).dtype
    if d.dtype != dt:
        z = astype(z, dt)
    # arctan2(0, z) of the detached value: an op (compiled, computed on every call)
    zd = z.detach()
    a = arctan2(np.zeros((), dt), zd)
    if deg:
        a = a * (180 / np.pi)
    return sign(z) * 0.0 + a        # 0 with derivative 0, NaN where z is NaN (as a)


UFUNCS[np.float_power] = float_power
UFUNCS[np.heaviside] = heaviside
