"""Elementwise ops: one line per op, its forward beside its derivative.

Unary: f′ as a function of the input x (of_x) or of the output y (of_y); none means the op is
piecewise constant (derivative 0). Binary: ∂z/∂x and ∂z/∂y as functions of (x, y, z);
broadcasting is undone by the helper. `singular=True` marks derivatives that can be inf/NaN:
those VJPs give exactly 0 where the cotangent is exactly 0 (masked branches stay NaN-free).

Conventions at kinks: abs′(0) = 0, sign′ = floor′ = … = 0, maximum/minimum split the
gradient evenly (½ each) between tied arguments; clip passes the gradient to x on the closed
interval [a_min, a_max].
"""
import numpy as np

from ..tensor import UFUNCS, Tensor, _make
from ._primitive import NEG_ONE, ONE, binary, linear, primitive, unary
from ._shapes import sum_to

__all__ = [
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square",
    "reciprocal", "absolute", "abs", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sign", "floor", "ceil", "trunc", "rint",
    "round", "negative", "positive", "copy", "add", "subtract", "multiply", "divide",
    "true_divide", "power", "pow", "floor_divide", "remainder", "maximum", "minimum", "fmax",
    "fmin", "logaddexp", "hypot", "arctan2", "where", "clip", "astype", "equal", "not_equal",
    "less", "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
    "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "signbit", "asin", "acos",
    "atan", "atan2", "asinh", "acosh", "atanh",
]

_LN2 = np.log(2.0)
_LN10 = np.log(10.0)

# ---- unary: name            forward      f′ (of the input x, or of the output y)
exp        = unary("exp",      np.exp,      of_y=lambda y: y)
exp2       = unary("exp2",     np.exp2,     of_y=lambda y: y * _LN2)
expm1      = unary("expm1",    np.expm1,    of_y=lambda y: y + 1)
log        = unary("log",      np.log,      of_x=lambda x: 1 / x, singular=True)
log2       = unary("log2",     np.log2,     of_x=lambda x: 1 / (x * _LN2), singular=True)
log10      = unary("log10",    np.log10,    of_x=lambda x: 1 / (x * _LN10), singular=True)
log1p      = unary("log1p",    np.log1p,    of_x=lambda x: 1 / (1 + x), singular=True)
sqrt       = unary("sqrt",     np.sqrt,     of_y=lambda y: 0.5 / y, singular=True)
cbrt       = unary("cbrt",     np.cbrt,     of_y=lambda y: 1 / (3 * y * y), singular=True)
square     = unary("square",   np.square,   of_x=lambda x: 2 * x)
reciprocal = unary("reciprocal", np.reciprocal, of_y=lambda y: -(y * y), singular=True)
absolute   = unary("absolute", np.absolute, of_x=np.sign, grad_name="Abs")
sin        = unary("sin",      np.sin,      of_x=np.cos)
cos        = unary("cos",      np.cos,      of_x=lambda x: -np.sin(x))
tan        = unary("tan",      np.tan,      of_y=lambda y: 1 + y * y)
arcsin     = unary("arcsin",   np.arcsin,   of_x=lambda x: 1 / np.sqrt(1 - x * x), singular=True)
arccos     = unary("arccos",   np.arccos,   of_x=lambda x: -1 / np.sqrt(1 - x * x), singular=True)
arctan     = unary("arctan",   np.arctan,   of_x=lambda x: 1 / (1 + x * x))
sinh       = unary("sinh",     np.sinh,     of_x=np.cosh)
cosh       = unary("cosh",     np.cosh,     of_x=np.sinh)
tanh       = unary("tanh",     np.tanh,     of_y=lambda y: 1 - y * y)
arcsinh    = unary("arcsinh",  np.arcsinh,  of_x=lambda x: 1 / np.sqrt(x * x + 1))
arccosh    = unary("arccosh",  np.arccosh,  of_x=lambda x: 1 / np.sqrt(x * x - 1), singular=True)
arctanh    = unary("arctanh",  np.arctanh,  of_x=lambda x: 1 / (1 - x * x), singular=True)
sign       = unary("sign",     np.sign)
floor      = unary("floor",    np.floor)
ceil       = unary("ceil",     np.ceil)
trunc      = unary("trunc",    np.trunc)
rint       = unary("rint",     np.rint)

# ---- linear unary: name       forward       transpose
negative = linear("negative", np.negative, lambda g, shape: -g, grad_name="Neg")
positive = linear("positive", np.positive, lambda g, shape: g, grad_name="Pos")
copy     = linear("copy", lambda x: np.array(x, copy=True), lambda g, shape: g)


def _tie_split(x, y):
    """∂max(x, y)/∂x: 1 where x wins, ½ on a tie, 0 where y wins."""
    return (x > y) + 0.5 * (x == y)


def _pow_dx(x, y, z):
    """∂(x^y)/∂x = y·x^(y−1), taken as 0 where y = 0 (x^0 is constant even at x = 0)."""
    return np.where(y == 0, 0.0, y * x ** (y - 1))


def _pow_dy(x, y, z):
    """∂(x^y)/∂y = x^y·ln x, taken as 0 at x = 0, y ≥ 0 (the one-sided limit)."""
    return np.where((x == 0) & (y >= 0), 0.0, z * np.log(np.where(x == 0, 1.0, x)))


# ---- binary: name           forward         ∂z/∂x                       ∂z/∂y                      saves
add          = binary("add",          np.add,          ONE,                        ONE,                       save="")
subtract     = binary("subtract",     np.subtract,     ONE,                        NEG_ONE,                   save="", grad_name="Sub")
multiply     = binary("multiply",     np.multiply,     lambda x, y, z: y,          lambda x, y, z: x,         grad_name="Mul")
divide       = binary("divide",       np.divide,       lambda x, y, z: 1 / y,      lambda x, y, z: -z / y,    save="yz", singular=True, grad_name="Div")
power        = binary("power",        np.power,        _pow_dx,                    _pow_dy,                   save="xyz", singular=True, grad_name="Pow")
floor_divide = binary("floor_divide", np.floor_divide, None,                       None,                      save="")
remainder    = binary("remainder",    np.remainder,    ONE,                        lambda x, y, z: -np.floor_divide(x, y))
maximum      = binary("maximum",      np.maximum,      lambda x, y, z: _tie_split(x, y), lambda x, y, z: _tie_split(y, x))
minimum      = binary("minimum",      np.minimum,      lambda x, y, z: _tie_split(y, x), lambda x, y, z: _tie_split(x, y))
fmax         = binary("fmax",         np.fmax,         lambda x, y, z: np.where(np.isnan(y), 1.0, _tie_split(x, y)),
                                                       lambda x, y, z: np.where(np.isnan(x), 1.0, _tie_split(y, x)))
fmin         = binary("fmin",         np.fmin,         lambda x, y, z: np.where(np.isnan(y), 1.0, _tie_split(y, x)),
                                                       lambda x, y, z: np.where(np.isnan(x), 1.0, _tie_split(x, y)))
logaddexp    = binary("logaddexp",    np.logaddexp,    lambda x, y, z: np.exp(x - z), lambda x, y, z: np.exp(y - z), save="xyz")
hypot        = binary("hypot",        np.hypot,        lambda x, y, z: x / z,      lambda x, y, z: y / z,     save="xyz", singular=True)
arctan2      = binary("arctan2",      np.arctan2,      lambda x, y, z: y / (x * x + y * y),
                                                       lambda x, y, z: -x / (x * x + y * y), singular=True)


# ---- piecewise selection with explicit rules ---------------------------------------------------

def _where_vjp(g, needs, cond, x, y):
    """d where(c, x, y) = where(c, g, 0) to x and where(c, 0, g) to y, each summed to shape."""
    shape = np.shape(g)[np.ndim(g) - _out_ndim(cond, x, y):]
    gx = gy = None
    if needs[1]:
        gx = sum_to(np.where(cond, g, 0.0), np.shape(x), shape)
    if needs[2]:
        gy = sum_to(np.where(cond, 0.0, g), np.shape(y), shape)
    return None, gx, gy


def _out_ndim(*args):
    return max(np.ndim(a) for a in args)


def _where_jvp(tangents, cond, x, y):
    _, tx, ty = tangents
    return np.where(cond, 0.0 if tx is None else tx, 0.0 if ty is None else ty)


_where = primitive("where", np.where, _where_vjp, _where_jvp, save=(0, 1, 2))


def where(condition, x=None, y=None, /):
    """where(c, x, y): x where c holds, else y. Gradient flows only into the chosen branch,
    exactly (a NaN or inf in the other branch's derivative never leaks)."""
    if x is None and y is None:
        return tuple(_make(i, None) for i in np.nonzero(np.asarray(condition)))
    if isinstance(condition, Tensor):
        condition = condition.data
    return _where(condition, x, y)


def _clip_vjp(g, needs, x, lo, hi):
    """g flows to x on [lo, hi] (closed), to lo where x < lo, to hi where x > hi."""
    shape = np.shape(g)[np.ndim(g) - _out_ndim(x, lo, hi):]
    below = x < lo if lo is not None else False
    above = x > hi if hi is not None else False
    out = [None, None, None]
    if needs[0]:
        out[0] = sum_to(np.where(below | above, 0.0, g), np.shape(x), shape)
    if needs[1]:
        out[1] = sum_to(np.where(below, g, 0.0), np.shape(lo), shape)
    if needs[2]:
        out[2] = sum_to(np.where(above, g, 0.0), np.shape(hi), shape)
    return tuple(out)


def _clip_jvp(tangents, x, lo, hi):
    tx, tlo, thi = tangents
    below = x < lo if lo is not None else False
    above = x > hi if hi is not None else False
    t = np.where(below | above, 0.0, 0.0 if tx is None else tx)
    if tlo is not None:
        t = t + np.where(below, tlo, 0.0)
    if thi is not None:
        t = t + np.where(above, thi, 0.0)
    return t


_clip = primitive("clip", lambda x, lo, hi: np.clip(x, lo, hi), _clip_vjp, _clip_jvp)


def clip(a, a_min=None, a_max=None, /, *, min=None, max=None):
    """clip(a, a_min, a_max), with NumPy 2's min=/max= spellings too."""
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    return _clip(a, lo, hi)


def _round_vjp(g, needs):
    return (np.zeros_like(g),)


_round = primitive("round", lambda x, decimals=0: np.round(x, decimals), _round_vjp,
                   lambda tangents, decimals=0: np.zeros_like(tangents[0]), save=())


def round(a, decimals=0):
    """Round half to even, like NumPy. Piecewise constant: derivative 0."""
    return _round(a, decimals=decimals)


# ---- dtype -----------------------------------------------------------------------------------------

_astype = linear("astype", lambda x, dtype, src: x.astype(dtype),
                 lambda g, shape, dtype, src: g.astype(src))


def astype(x, dtype, /, *, copy=True):
    """A cast. Differentiable between floating dtypes (the gradient is cast back); a cast
    to an integer or bool dtype gives a constant."""
    dtype = np.dtype(dtype)
    if not isinstance(x, Tensor):
        return _make(np.asarray(x).astype(dtype), None)
    if dtype.kind not in "fc":
        return _make(x.data.astype(dtype), None)
    return _astype(x, dtype=dtype, src=x.data.dtype)


# ---- comparisons and logic: never differentiable, results never require grad ---------------------

def _nondiff(ufunc):
    def f(*args):
        return _make(ufunc(*(a.data if isinstance(a, Tensor) else a for a in args)), None)
    f.__name__ = ufunc.__name__
    f.__doc__ = f"np.{ufunc.__name__} on the values; the result never requires grad."
    UFUNCS[ufunc] = f
    return f


equal = _nondiff(np.equal)
not_equal = _nondiff(np.not_equal)
less = _nondiff(np.less)
less_equal = _nondiff(np.less_equal)
greater = _nondiff(np.greater)
greater_equal = _nondiff(np.greater_equal)
logical_and = _nondiff(np.logical_and)
logical_or = _nondiff(np.logical_or)
logical_xor = _nondiff(np.logical_xor)
logical_not = _nondiff(np.logical_not)
isnan = _nondiff(np.isnan)
isinf = _nondiff(np.isinf)
isfinite = _nondiff(np.isfinite)
signbit = _nondiff(np.signbit)

# ---- NumPy and Array API aliases --------------------------------------------------------------------
true_divide = divide
pow = power
abs = absolute
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh
