"""Elementwise ops: one line per op, its forward beside its derivative.

Unary: f′ as a function of the input x (of_x) or of the output y (of_y); none means the op is
piecewise constant (derivative 0). Binary: ∂z/∂x and ∂z/∂y as functions of (x, y, z);
broadcasting is undone by the helper. `singular=True` marks derivatives that can be inf/NaN
(at a pole, off the domain, or overflowing where the value itself overflows): those VJPs give
exactly 0 where the cotangent is exactly 0, so masked branches stay NaN-free.

Conventions at kinks: abs′(0) = 0 (so is ∂copysign(x, y)/∂x at x = 0), sign′ = floor′ = … = 0,
maximum/minimum (and fmax/fmin) split the gradient evenly (½ each) between tied arguments
(maximum/minimum give NaN to both arguments where either is NaN; fmax/fmin ignore a NaN);
clip passes the gradient to x on the closed interval [a_min, a_max] and to the bound it was
clipped to outside it.

Derivative formulas avoid spurious overflow (arctan′ via hypot, not 1 + x²) and, at singular
points, products of two factors that can both be infinite (reciprocal′ = −1/x/x, not −y·y), so
a masked gradient stays exactly 0 at second order too.

dtype: constants in rules are Python floats (NumPy 2 treats them as weak), so float32 inputs
give float32 outputs and float32 gradients all the way through.
"""
import math
from typing import Any

import numpy as np

from .. import forward as _forward
from ..grad_mode import state as _grad
from ..tensor import UFUNCS, Tensor, _make
from ._operands import packed
from ._primitive import watchers as _watchers, NEG_ONE, ONE, binary, linear, primitive, unary
from ._shapes import sum_to

__all__ = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square",
    "reciprocal", "absolute", "abs", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg", "radians",
    "degrees", "sign", "floor", "ceil", "trunc", "rint", "round", "negative", "positive",
    "copy", "add", "subtract", "multiply", "divide", "true_divide", "power", "pow",
    "floor_divide", "remainder", "fmod", "maximum", "minimum", "fmax", "fmin", "logaddexp",
    "logaddexp2", "hypot", "arctan2", "copysign", "where", "clip", "astype", "equal",
    "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
    "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "signbit",
    "asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh",
]

_LN2 = math.log(2.0)             # Python floats, not np.float64: they keep float32 float32
_LN10 = math.log(10.0)
_PY_SCALARS = (int, float)


def _arctan_d(x):
    """1/(1 + x²), as (1/√(1 + x²))² so that a huge x underflows to 0 instead of overflowing."""
    return np.square(1 / np.hypot(1.0, x))


def _sinh_quiet(x):
    """sinh, for cosh′: past |x| ≈ 710 it is ±inf like cosh itself, without a second warning."""
    with np.errstate(over="ignore"):
        return np.sinh(x)


# ---- unary: name               forward         f′ (of the input x, or of the output y)
exp        = unary("exp",        np.exp,        of_y=lambda y: y, singular=True,
                   doc=("e to the power x, elementwise.", "d/dx exp(x) = exp(x)",
                        "0.5", "1.64872127", "1.64872127"))
exp2       = unary("exp2",       np.exp2,       of_y=lambda y: y * _LN2, singular=True,
                   doc=("2 to the power x, elementwise.", "d/dx 2^x = 2^x·ln 2",
                        "3.0", "8.", "5.54517744"))
expm1      = unary("expm1",      np.expm1,      of_y=lambda y: y + 1, singular=True,
                   doc=("exp(x) − 1, accurate for small x.", "d/dx (e^x − 1) = e^x",
                        "0.5", "0.64872127", "1.64872127"))
log        = unary("log",        np.log,        of_x=lambda x: 1 / x, singular=True,
                   doc=("The natural logarithm, elementwise.", "d/dx ln x = 1/x (inf at 0; NaN below 0, where ln is NaN)",
                        "2.0", "0.69314718", "0.5"))
log2       = unary("log2",       np.log2,       of_x=lambda x: 1 / (x * _LN2), singular=True,
                   doc=("The base-2 logarithm, elementwise.", "d/dx log2(x) = 1/(x·ln 2)",
                        "8.0", "3.", "0.18033688"))
log10      = unary("log10",      np.log10,      of_x=lambda x: 1 / (x * _LN10), singular=True,
                   doc=("The base-10 logarithm, elementwise.", "d/dx log10(x) = 1/(x·ln 10)",
                        "100.0", "2.", "0.00434294"))
log1p      = unary("log1p",      np.log1p,      of_x=lambda x: 1 / (1 + x), singular=True,
                   doc=("ln(1 + x), accurate for small x.", "d/dx ln(1 + x) = 1/(1 + x)",
                        "1.0", "0.69314718", "0.5"))
sqrt       = unary("sqrt",       np.sqrt,       of_y=lambda y: 0.5 / y, singular=True,
                   doc=("The non-negative square root, elementwise.", "d/dx √x = 1/(2√x) (inf at 0)",
                        "4.0", "2.", "0.25"))
cbrt       = unary("cbrt",       np.cbrt,       of_y=lambda y: 1 / (3 * y * y), singular=True,
                   doc=("The real cube root, elementwise.", "d/dx ∛x = 1/(3·∛x²) (inf at 0)",
                        "8.0", "2.", "0.08333333"))
square     = unary("square",     np.square,     of_x=lambda x: 2 * x,
                   doc=("x², elementwise.", "d/dx x² = 2x",
                        "3.0", "9.", "6."))
reciprocal = unary("reciprocal", np.reciprocal, of_x=lambda x: -1 / x / x, singular=True,
                   doc=("1/x, elementwise.", "d/dx (1/x) = −1/x²",
                        "4.0", "0.25", "-0.0625"))
absolute   = unary("absolute",   np.absolute,   of_x=np.sign, grad_name="Abs",
                   doc=("|x|, elementwise (also wg.abs).", "d/dx |x| = sign(x); at the kink, d/dx |x| = 0 at 0",
                        "-2.0", "2.", "-1."))
sin        = unary("sin",        np.sin,        of_x=np.cos,
                   doc=("The sine, elementwise (radians).", "d/dx sin x = cos x",
                        "0.5", "0.47942554", "0.87758256"))
cos        = unary("cos",        np.cos,        of_x=lambda x: -np.sin(x),
                   doc=("The cosine, elementwise (radians).", "d/dx cos x = −sin x",
                        "0.5", "0.87758256", "-0.47942554"))
tan        = unary("tan",        np.tan,        of_y=lambda y: 1 + y * y,
                   doc=("The tangent, elementwise (radians).", "d/dx tan x = 1 + tan²x",
                        "0.5", "0.54630249", "1.29844641"))
arcsin     = unary("arcsin",     np.arcsin,     of_x=lambda x: 1 / np.sqrt((1 - x) * (1 + x)), singular=True,
                   doc=("The inverse sine, elementwise (also wg.asin).", "d/dx arcsin x = 1/√(1 − x²) (inf at ±1)",
                        "0.5", "0.52359878", "1.15470054"))
arccos     = unary("arccos",     np.arccos,     of_x=lambda x: -1 / np.sqrt((1 - x) * (1 + x)), singular=True,
                   doc=("The inverse cosine, elementwise (also wg.acos).", "d/dx arccos x = −1/√(1 − x²) (−inf at ±1)",
                        "0.5", "1.04719755", "-1.15470054"))
arctan     = unary("arctan",     np.arctan,     of_x=_arctan_d,
                   doc=("The inverse tangent, elementwise (also wg.atan).", "d/dx arctan x = 1/(1 + x²)",
                        "1.0", "0.78539816", "0.5"))
sinh       = unary("sinh",       np.sinh,       of_y=lambda y: np.hypot(1.0, y), singular=True,  # √(1 + y²)
                   doc=("The hyperbolic sine, elementwise.", "d/dx sinh x = cosh x = √(1 + sinh²x)",
                        "0.5", "0.52109531", "1.12762597"))
cosh       = unary("cosh",       np.cosh,       of_x=_sinh_quiet, singular=True,
                   doc=("The hyperbolic cosine, elementwise.", "d/dx cosh x = sinh x",
                        "0.5", "1.12762597", "0.52109531"))
tanh       = unary("tanh",       np.tanh,       of_y=lambda y: 1 - y * y,
                   doc=("The hyperbolic tangent, elementwise.", "d/dx tanh x = 1 − tanh²x",
                        "0.5", "0.46211716", "0.78644773"))
arcsinh    = unary("arcsinh",    np.arcsinh,    of_x=lambda x: 1 / np.hypot(x, 1.0),
                   doc=("The inverse hyperbolic sine, elementwise (also wg.asinh).", "d/dx arsinh x = 1/√(x² + 1)",
                        "0.5", "0.48121183", "0.89442719"))
arccosh    = unary("arccosh",    np.arccosh,    of_x=lambda x: 1 / np.sqrt(x - 1) / np.sqrt(x + 1), singular=True,
                   doc=("The inverse hyperbolic cosine, elementwise (also wg.acosh).", "d/dx arcosh x = 1/(√(x − 1)·√(x + 1)) (inf at 1)",
                        "2.0", "1.3169579", "0.57735027"))
arctanh    = unary("arctanh",    np.arctanh,    of_x=lambda x: 1 / ((1 - x) * (1 + x)), singular=True,
                   doc=("The inverse hyperbolic tangent, elementwise (also wg.atanh).", "d/dx artanh x = 1/(1 − x²) (inf at ±1)",
                        "0.5", "0.54930614", "1.33333333"))
sign       = unary("sign",       np.sign,
                   doc=("The sign of x: −1, 0 or 1 (NaN for NaN).", "d/dx sign(x) = 0 everywhere, the jump at 0 included",
                        "-2.0", "-1.", "0."))
floor      = unary("floor",      np.floor,
                   doc=("The largest integer ≤ x, elementwise.", "d/dx floor(x) = 0 everywhere, the jumps at integers included",
                        "2.7", "2.", "0."))
ceil       = unary("ceil",       np.ceil,
                   doc=("The smallest integer ≥ x, elementwise.", "d/dx ceil(x) = 0 everywhere, the jumps at integers included",
                        "2.2", "3.", "0."))
trunc      = unary("trunc",      np.trunc,
                   doc=("x rounded toward zero, elementwise.", "d/dx trunc(x) = 0 everywhere, the jumps included",
                        "-2.7", "-2.", "0."))
rint       = unary("rint",       np.rint,
                   doc=("x rounded to the nearest integer, half to even.", "d/dx rint(x) = 0 everywhere, the jumps included",
                        "2.5", "2.", "0."))

# ---- linear unary: name         forward        transpose
negative = linear("negative", np.negative,   lambda g, shape: -g, grad_name="Neg",
                  doc=("−x, elementwise.", "d/dx (−x) = −1",
                       "2.0", "-2.", "-1."))
positive = linear("positive", np.positive,   lambda g, shape: g, grad_name="Pos",
                  doc=("+x, elementwise (a new tensor with the same values).", "d/dx (+x) = 1",
                       "2.0", "2.", "1."))
copy     = linear("copy",     lambda x, order="K": np.array(x, order=order, copy=True),
                              lambda g, shape, order="K": g,
                  doc=("A copy of x in new memory (the gradient passes through).", "d/dx copy(x) = 1",
                       "2.0", "2.", "1."))
deg2rad  = linear("deg2rad",  np.deg2rad,    lambda g, shape: np.deg2rad(g),
                  doc=("Degrees to radians, x·π/180 (also wg.radians).", "d/dx = π/180",
                       "180.0", "3.14159265", "0.01745329"))
rad2deg  = linear("rad2deg",  np.rad2deg,    lambda g, shape: np.rad2deg(g),
                  doc=("Radians to degrees, x·180/π (also wg.degrees).", "d/dx = 180/π",
                       "1.0", "57.29577951", "57.29577951"))
_forward.identity = positive     # (forward.attach records through it: forward mode knows no op)


# ---- partials that need more than one expression ----------------------------------------------

def _max_partial(x, y):
    """∂max(x, y)/∂x: 1 where x wins, ½ on a tie, 0 where y wins (in the result's dtype)."""
    dtype = np.result_type(getattr(x, "dtype", x), getattr(y, "dtype", y))
    return ((x > y) + 0.5 * (x == y)).astype(dtype)


def _max_partial_nan(x, y):
    """∂max(x, y)/∂x as `_max_partial`, and NaN where x or y is NaN (the result is NaN there
    and has no derivative; maximum is marked singular, so a zero cotangent still gives
    exactly 0)."""
    d = _max_partial(x, y)
    if _has_nan(x, y):
        d = np.where(np.isnan(x) | np.isnan(y), np.nan, d)
    return d


def _has_nan(x, y):
    """Whether x or y holds a NaN: one fast sum each, an exact look only when a sum is not
    finite. maximum's singular predicate: masking costs nothing on NaN-free inputs.
    A Tensor (a recorded rule) is asked with wengert ops and bool(), so a compiled program
    looks on every call (a guard) instead of keeping its first call's answer."""
    for v in (x, y):
        if type(v) is Tensor:
            if isnan(v).any():
                return True
        elif type(v) in _PY_SCALARS:
            if v != v:
                return True
        else:
            with np.errstate(invalid="ignore", over="ignore"):      # (inf − inf: NaN, fine)
                total = np.add.reduce(v, axis=None)
            if not np.isfinite(total) and np.isnan(v).any():
                return True
    return False


def _fmax_dx(x, y, z):
    """fmax ignores a NaN: x takes the whole gradient where y is NaN (also when both are)."""
    return np.where(np.isnan(y), 1.0, _max_partial(x, y))


def _fmax_dy(x, y, z):
    return np.where(np.isnan(x) & ~np.isnan(y), 1.0, _max_partial(y, x))


def _fmin_dx(x, y, z):
    return np.where(np.isnan(y), 1.0, _max_partial(y, x))


def _fmin_dy(x, y, z):
    return np.where(np.isnan(x) & ~np.isnan(y), 1.0, _max_partial(x, y))


def _div_dx(x, y, z):
    """∂(x/y)/∂x = 1/y; a Python 0 divisor gives ±inf as NumPy would (not ZeroDivisionError)."""
    if type(y) in _PY_SCALARS and y == 0:
        return math.copysign(math.inf, y)
    return 1 / y


def _pow_dx(x, y, z):
    """∂(x^y)/∂x = y·x^(y−1), taken as 0 where y = 0 (x^0 is constant, even at x = 0)."""
    if type(y) in _PY_SCALARS:
        if y == 2 and not (type(x) is Tensor and x._requires_grad and _grad.enabled):
            return 2.0 * x      # one multiply; a recorded x**1 keeps d³(x²) = 0 connected
        return 0.0 if y == 0 else y * x ** (y - 1)   # recorded: keeps x**0's graph (→ 0)
    return np.where(y == 0, 0.0, y * x ** (y - 1))


def _pow_singular(x, y):
    """x^y has a finite derivative wherever x is finite when y is a constant ≥ 1 (x**2)."""
    return not (type(y) in _PY_SCALARS and y >= 1)


def _pow_dy(x, y, z):
    """∂(x^y)/∂y = x^y·ln x; at x = 0 it is 0 for y > 0 (z = 0), undefined for y < 0."""
    if type(x) in _PY_SCALARS:          # a Python base: ln x stays a weak Python float
        return z * (math.log(x) if x > 0 else 0.0 if x == 0 else math.nan)
    return z * np.log(np.where(x == 0, 1.0, x))


def _remainder_dy(x, y, z):
    """x mod y = x − ⌊x/y⌋·y, so ∂/∂y = −⌊x/y⌋ (the quotient NumPy itself uses)."""
    return -np.floor_divide(x, y)


def _fmod_dy(x, y, z):
    """fmod(x, y) = x − q·y with q = trunc(x/y) = (x − z)/y, an integer: rounding makes it exact."""
    return -np.round((x - z) / y)


def _atan2_dx(x, y, z):
    """∂atan2(x, y)/∂x = y/(x² + y²), as (y/r)/r with r = hypot(x, y): no spurious overflow."""
    r = np.hypot(x, y)
    return y / r / r


def _atan2_dy(x, y, z):
    r = np.hypot(x, y)
    return -(x / r / r)


# ---- binary: name             forward          ∂z/∂x                          ∂z/∂y                          reads (∂x, ∂y)
add          = binary("add",          np.add,          ONE,                           ONE,                           ("", ""),
                      doc=("x + y, elementwise, with broadcasting.", "∂z/∂x = 1, ∂z/∂y = 1",
                           "2.0, 3.0", "5.", "1.", "1."))
subtract     = binary("subtract",     np.subtract,     ONE,                           NEG_ONE,                       ("", ""), grad_name="Sub",
                      doc=("x − y, elementwise, with broadcasting.", "∂z/∂x = 1, ∂z/∂y = −1",
                           "2.0, 3.0", "-1.", "1.", "-1."))
multiply     = binary("multiply",     np.multiply,     lambda x, y, z: y,             lambda x, y, z: x,             ("y", "x"), grad_name="Mul",
                      doc=("x·y, elementwise, with broadcasting.", "∂z/∂x = y, ∂z/∂y = x",
                           "2.0, 3.0", "6.", "3.", "2."))
divide       = binary("divide",       np.divide,       _div_dx,                       lambda x, y, z: -z / y,        ("y", "yz"), singular=True, grad_name="Div",
                      doc=("x / y, elementwise, with broadcasting (also wg.true_divide).", "∂z/∂x = 1/y, ∂z/∂y = −x/y² = −z/y",
                           "3.0, 2.0", "1.5", "0.5", "-0.75"))
power        = binary("power",        np.power,        _pow_dx,                       _pow_dy,                       ("xy", "xyz"), singular=_pow_singular, grad_name="Pow",
                      doc=("x to the power y, elementwise, with broadcasting (also wg.pow).", "∂z/∂x = y·x^(y−1) (taken as 0 where y = 0), ∂z/∂y = x^y·ln x (taken as 0 at x = 0)",
                           "3.0, 2.0", "9.", "6.", "9.8875106"))
floor_divide = binary("floor_divide", np.floor_divide, None,                          None,                          ("", ""),
                      doc=("⌊x / y⌋, elementwise, with broadcasting.", "piecewise constant: ∂z/∂x = ∂z/∂y = 0",
                           "7.0, 2.0", "3.", "0.", "0."))
remainder    = binary("remainder",    np.remainder,    ONE,                           _remainder_dy,                 ("", "xy"), singular=True,
                      doc=("x mod y with the sign of y (Python's %), elementwise.", "z = x − ⌊x/y⌋·y:  ∂z/∂x = 1, ∂z/∂y = −⌊x/y⌋",
                           "7.0, 2.0", "1.", "1.", "-3."))
fmod         = binary("fmod",         np.fmod,         ONE,                           _fmod_dy,                      ("", "xyz"), singular=True,
                      doc=("The C remainder of x / y, with the sign of x, elementwise.", "z = x − trunc(x/y)·y:  ∂z/∂x = 1, ∂z/∂y = −trunc(x/y)",
                           "-7.0, 2.0", "-1.", "1.", "3."))
maximum      = binary("maximum",      np.maximum,      lambda x, y, z: _max_partial_nan(x, y), lambda x, y, z: _max_partial_nan(y, x), singular=_has_nan,
                      doc=("The larger of x and y, elementwise (NaN if either is NaN).", "∂z/∂x = 1 where x > y, 0 where x < y; at a tie x = y the gradient is split, ½ each",
                           "2.0, 3.0", "3.", "0.", "1."))
minimum      = binary("minimum",      np.minimum,      lambda x, y, z: _max_partial_nan(y, x), lambda x, y, z: _max_partial_nan(x, y), singular=_has_nan,
                      doc=("The smaller of x and y, elementwise (NaN if either is NaN).", "∂z/∂x = 1 where x < y, 0 where x > y; at a tie x = y the gradient is split, ½ each",
                           "2.0, 3.0", "2.", "1.", "0."))
fmax         = binary("fmax",         np.fmax,         _fmax_dx,                      _fmax_dy,
                      doc=("The larger of x and y, elementwise, ignoring a NaN.", "as maximum (½ each at a tie); where one operand is NaN the other takes the whole gradient",
                           "2.0, 3.0", "3.", "0.", "1."))
fmin         = binary("fmin",         np.fmin,         _fmin_dx,                      _fmin_dy,
                      doc=("The smaller of x and y, elementwise, ignoring a NaN.", "as minimum (½ each at a tie); where one operand is NaN the other takes the whole gradient",
                           "2.0, 3.0", "2.", "1.", "0."))
logaddexp    = binary("logaddexp",    np.logaddexp,    lambda x, y, z: np.exp(x - z),  lambda x, y, z: np.exp(y - z),  ("xz", "yz"),
                      doc=("ln(e^x + e^y), without overflow.", "∂z/∂x = e^(x − z) = σ(x − y), ∂z/∂y = e^(y − z)",
                           "1.0, 2.0", "2.31326169", "0.26894142", "0.73105858"))
logaddexp2   = binary("logaddexp2",   np.logaddexp2,   lambda x, y, z: np.exp2(x - z), lambda x, y, z: np.exp2(y - z), ("xz", "yz"),
                      doc=("log2(2^x + 2^y), without overflow.", "∂z/∂x = 2^(x − z), ∂z/∂y = 2^(y − z)",
                           "1.0, 2.0", "2.5849625", "0.33333333", "0.66666667"))
hypot        = binary("hypot",        np.hypot,        lambda x, y, z: x / z,         lambda x, y, z: y / z,         ("xz", "yz"), singular=True,
                      doc=("√(x² + y²), without overflow.", "∂z/∂x = x/z, ∂z/∂y = y/z (undefined at x = y = 0)",
                           "3.0, 4.0", "5.", "0.6", "0.8"))
arctan2      = binary("arctan2",      np.arctan2,      _atan2_dx,                     _atan2_dy,                     singular=True,
                      doc=("arctan(x/y) in the quadrant of the point (y, x), in (−π, π] (also wg.atan2).", "∂z/∂x = y/(x² + y²), ∂z/∂y = −x/(x² + y²)",
                           "1.0, 1.0", "0.78539816", "0.5", "-0.5"))
copysign     = binary("copysign",     np.copysign,     lambda x, y, z: np.sign(x) * np.sign(z), None,                ("xz", ""),
                      doc=("|x| with the sign of y, elementwise.", "∂z/∂x = sign(x)·sign(z) (0 at x = 0), ∂z/∂y = 0",
                           "2.0, -1.0", "-2.", "-1.", "0."))


# ---- piecewise selection with explicit rules ---------------------------------------------------

def _shape(a):
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)


def _pad_tangent_axes(t, shape, ndim):
    """Tangent t (batch axes + `shape`) padded with 1s to `ndim` trailing axes, so it lines up
    with the op's other operands when broadcast from the right."""
    k = len(shape)
    if k == ndim:
        return t
    return np.reshape(t, np.shape(t)[:np.ndim(t) - k] + (1,) * (ndim - k) + tuple(shape))


def _where_vjp(g, needs, cond, x_shape, y_shape):
    """d where(c, x, y) = where(c, g, 0) to x and where(c, 0, g) to y, each summed to shape."""
    out = np.broadcast_shapes(np.shape(cond), x_shape, y_shape)
    gx = gy = None
    if needs[1]:
        gx = sum_to(np.where(cond, g, 0.0), x_shape, out)
    if needs[2]:
        gy = sum_to(np.where(cond, 0.0, g), y_shape, out)
    return None, gx, gy


def _where_jvp(tangents, cond, x_shape, y_shape):
    _, tx, ty = tangents
    out = np.broadcast_shapes(np.shape(cond), x_shape, y_shape)
    t, s = (tx, x_shape) if tx is not None else (ty, y_shape)
    batch = np.shape(t)[:np.ndim(t) - len(s)]
    tx = 0.0 if tx is None else _pad_tangent_axes(tx, x_shape, len(out))
    ty = 0.0 if ty is None else _pad_tangent_axes(ty, y_shape, len(out))
    return np.broadcast_to(np.where(cond, tx, ty), batch + out)


# the condition is saved (a Tensor stays version-checked); x and y only by their shapes, so
# modifying them in place later is harmless: the gradient does not depend on their values
_where = primitive("where", lambda c, x, y, x_shape, y_shape: np.where(c, x, y),
                   _where_vjp, _where_jvp, save=(0,))


def where(condition, x=None, y=None, /):
    """where(c, x, y): x where c holds, else y. The gradient flows only into the chosen branch,
    exactly (a NaN or inf in the other branch's derivative never leaks).
    where(c) alone is nonzero(c), as in NumPy.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0], requires_grad=True)
    >>> wg.where(wg.tensor([True, False]), x, 0.0).sum().backward()
    >>> x.grad
    tensor([1., 0.])
    """
    if x is None and y is None:
        c = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
        return tuple(_make(i, None) for i in np.nonzero(c))
    if x is None or y is None:
        raise ValueError("where: either both or neither of x and y should be given")
    if isinstance(condition, Tensor) and condition._requires_grad:
        condition = condition.detach()      # used for its truth values only: never a parent
    if type(x) is not Tensor:
        x = packed(x)                       # (a list of tensors: stacked)
    if type(y) is not Tensor:
        y = packed(y)
    return _where(condition, x, y, x_shape=_shape(x), y_shape=_shape(y))


def _clip_masks(x, lo, hi):
    below = False if lo is None else x < lo
    above = False if hi is None else x > hi
    return below, above


def _clip_vjp(g, needs, x, lo, hi):
    """g flows to x on [lo, hi] (closed), to lo where x < lo, to hi where x > hi."""
    out = np.broadcast_shapes(np.shape(x), np.shape(lo), np.shape(hi))
    below, above = _clip_masks(x, lo, hi)
    gx = glo = ghi = None
    if needs[0]:
        gx = sum_to(np.where(np.logical_or(below, above), 0.0, g), np.shape(x), out)
    if needs[1]:
        glo = sum_to(np.where(below, g, 0.0), np.shape(lo), out)
    if needs[2]:
        ghi = sum_to(np.where(above, g, 0.0), np.shape(hi), out)
    return gx, glo, ghi


def _clip_jvp(tangents, x, lo, hi):
    out = np.broadcast_shapes(np.shape(x), np.shape(lo), np.shape(hi))
    n = len(out)
    below, above = _clip_masks(x, lo, hi)
    t: Any = 0.0
    batch: tuple = ()
    for tan, arg, mask in zip(tangents, (x, lo, hi), (np.logical_or(below, above), below, above)):
        if tan is None:
            continue
        batch = np.shape(tan)[:np.ndim(tan) - np.ndim(arg)]
        lifted = _pad_tangent_axes(tan, np.shape(arg), n)
        # x's tangent passes where x is inside [lo, hi]; a bound's where x is clipped to it
        t = t + (np.where(mask, 0.0, lifted) if arg is x else np.where(mask, lifted, 0.0))
    return np.broadcast_to(t, batch + out)


_clip = primitive("clip", np.clip, _clip_vjp, _clip_jvp)


def clip(a, a_min=None, a_max=None, out=None, *, min=None, max=None):
    """a limited to [a_min, a_max] (NumPy 2's min=/max= spellings too); a bound may be None.

    ∂/∂a = 1 on the closed interval, else 0; ∂/∂a_min = 1 where a < a_min; ∂/∂a_max = 1
    where a > a_max (for a_min ≤ a_max).

    Examples
    --------
    >>> x = wg.tensor([-2.0, 0.5, 2.0], requires_grad=True)
    >>> wg.clip(x, -1.0, 1.0)
    tensor([-1. ,  0.5,  1. ], grad_fn=<ClipBackward>)
    >>> wg.clip(x, -1.0, 1.0).sum().backward()
    >>> x.grad
    tensor([0., 1., 0.])
    """
    if out is not None:
        raise TypeError("wengert.clip does not support out=; use the returned tensor")
    if a_min is not None and min is not None or a_max is not None and max is not None:
        raise ValueError("clip: pass each bound once (a_min or min, a_max or max)")
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    return _clip(a, lo, hi)


def _round_vjp(g, needs, decimals=0):
    return (np.zeros_like(g),)


_round = primitive("round", lambda x, decimals=0: np.round(x, decimals), _round_vjp,
                   lambda tangents, decimals=0: np.zeros_like(tangents[0]), save=())


def round(a, decimals=0, out=None):
    """Round half to even, like NumPy. Piecewise constant: derivative 0.

    Examples
    --------
    >>> x = wg.tensor([2.567, 2.5], requires_grad=True)
    >>> wg.round(x, 1)
    tensor([2.6, 2.5], grad_fn=<RoundBackward>)
    >>> wg.round(x).sum().backward()
    >>> x.grad
    tensor([0., 0.])
    """
    if out is not None:
        raise TypeError("wengert.round does not support out=; use the returned tensor")
    return _round(a, decimals=decimals)


# ---- dtype -----------------------------------------------------------------------------------------

_astype = linear("astype", lambda x, dtype, src: x.astype(dtype),
                 lambda g, shape, dtype, src: (g if src.kind == "c" else np.real(g)).astype(src))


def astype(x, dtype, /, *, copy=True, device=None):
    """A cast. Differentiable between floating dtypes (the gradient is cast back); a cast
    to an integer or bool dtype gives a constant.

    Examples
    --------
    >>> x = wg.tensor([1.5, 2.5], requires_grad=True)
    >>> y = wg.astype(x, wg.float32)
    >>> y.sum().backward()
    >>> y.dtype, x.grad.dtype, x.grad
    (dtype('float32'), dtype('float64'), tensor([1., 1.]))
    """
    dtype = np.dtype(dtype)
    if not isinstance(x, Tensor):
        return _make(np.asarray(x).astype(dtype), None)
    if dtype.kind not in "fc":
        out = _make(x.data.astype(dtype), None)
        if _watchers:           # (a tracer sees the cast: compiled, it runs on every call)
            _watchers[-1](_astype, (x,), {"dtype": dtype, "src": x.data.dtype}, out)
        return out
    return _astype(x, dtype=dtype, src=x.data.dtype)


# ---- comparisons and logic: never differentiable, results never require grad ---------------------

def _nondiff(ufunc, args, value):
    """The function np.<ufunc> of values, with an example: `args` (source) and `value` (the
    printed result)."""
    def f(*args):
        out = _make(ufunc(*(a.data if isinstance(a, Tensor) else a for a in args)), None)
        if _watchers:               # (observe(): a tape or a compiling tracer sees it too)
            _watchers[-1](f, args, {}, out)
        return out
    f.__name__ = ufunc.__name__
    setattr(f, "name", ufunc.__name__)      # read as an op's are (observers, viz)
    setattr(f, "forward", ufunc)
    f.__doc__ = (f"np.{ufunc.__name__} on the values; the result never requires grad (it is "
                 f"not differentiable).\n\nExamples\n--------\n"
                 f">>> wg.{ufunc.__name__}({args})\n{value}\n")
    UFUNCS[ufunc] = f
    return f


equal = _nondiff(np.equal, "wg.tensor([1.0, 2.0]), 2.0",
                  "tensor([False,  True])")
not_equal = _nondiff(np.not_equal, "wg.tensor([1.0, 2.0]), 2.0",
                      "tensor([ True, False])")
less = _nondiff(np.less, "wg.tensor([1.0, 2.0]), 2.0",
                 "tensor([ True, False])")
less_equal = _nondiff(np.less_equal, "wg.tensor([1.0, 2.0]), 2.0",
                       "tensor([ True,  True])")
greater = _nondiff(np.greater, "wg.tensor([1.0, 3.0]), 2.0",
                    "tensor([False,  True])")
greater_equal = _nondiff(np.greater_equal, "wg.tensor([1.0, 2.0]), 2.0",
                          "tensor([False,  True])")
logical_and = _nondiff(np.logical_and, "wg.tensor([0.0, 1.0, 2.0]), wg.tensor([1.0, 1.0, 0.0])",
                        "tensor([False,  True, False])")
logical_or = _nondiff(np.logical_or, "wg.tensor([0.0, 1.0, 0.0]), wg.tensor([1.0, 0.0, 0.0])",
                       "tensor([ True,  True, False])")
logical_xor = _nondiff(np.logical_xor, "wg.tensor([0.0, 1.0, 1.0]), wg.tensor([1.0, 1.0, 0.0])",
                        "tensor([ True, False,  True])")
logical_not = _nondiff(np.logical_not, "wg.tensor([0.0, 2.0])",
                        "tensor([ True, False])")
isnan = _nondiff(np.isnan, "wg.tensor([1.0, np.nan, np.inf])",
                  "tensor([False,  True, False])")
isinf = _nondiff(np.isinf, "wg.tensor([1.0, np.nan, -np.inf])",
                  "tensor([False, False,  True])")
isfinite = _nondiff(np.isfinite, "wg.tensor([1.0, np.nan, np.inf])",
                     "tensor([ True, False, False])")
signbit = _nondiff(np.signbit, "wg.tensor([-1.0, -0.0, 2.0])",
                    "tensor([ True,  True, False])")

# ---- NumPy and Array API aliases --------------------------------------------------------------------
true_divide = divide
pow = power
abs = absolute
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh
radians, degrees = deg2rad, rad2deg
UFUNCS[np.radians] = radians          # distinct ufunc objects in NumPy (unlike np.abs/np.pow)
UFUNCS[np.degrees] = degrees
