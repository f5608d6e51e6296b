"""Special functions: SciPy's special ufuncs as wengert ops (`wg.special.<name>`, and
`scipy.special.<name>(tensor)` through __array_ufunc__).

SciPy is optional: it is imported the first time a kernel that needs it runs (a clear
ImportError names the function if it is missing), and `scipy.special.<name>` ufuncs are mapped
to these ops only once the caller has imported scipy.special itself. erf, expit, logit,
log_expit, xlogy, xlog1py (and xdivy) need NumPy only.

Each op is declared once with its derivative, written with wengert ops so it differentiates
again (c = 2/√π, φ(x) = e^(−x²/2)/√(2π), Φ = ndtr, ψ = digamma, ψ⁽ⁿ⁾ = polygamma(n, ·)):

    erf(x)       wg.erf (ops/nn.py)       c·e^(−x²)
    erfc(x)      1 − erf(x)               −c·e^(−x²)
    erfcx(x)     e^(x²)·erfc(x)           2x·erfcx(x) − c
    erfinv(x)    erf⁻¹(x)                 (√π/2)·e^(y²)            (y = erfinv(x))
    erfcinv(x)   erfc⁻¹(x)                −(√π/2)·e^(y²)
    ndtr(x)      Φ(x)                     φ(x)
    log_ndtr(x)  log Φ(x)                 φ(x)/Φ(x) = √(2/π)/erfcx(−x/√2)
    ndtri(x)     Φ⁻¹(x)                   √(2π)·e^(y²/2)
    expit(x)     wg.sigmoid               y(1 − y)
    logit(x)     log x − log1p(−x)        1/(x(1 − x))             (a composite)
    log_expit(x) −softplus(−x)            1 − expit(x)             (a composite)
    gamma(x)     Γ(x)                     Γ(x)·ψ(x)
    gammaln(x)   log|Γ(x)|                ψ(x)
    loggamma(x)  log Γ(x) (real x > 0)    ψ(x)
    digamma(x)   ψ(x)                     ψ⁽¹⁾(x)
    polygamma(n, x)   ψ⁽ⁿ⁾(x)             ψ⁽ⁿ⁺¹⁾(x)
    xlogy(x, y)  x·log y, 0 where x = 0   ∂x = log y,      ∂y = xdivy(x, y)
    xlog1py(x, y) x·log1p y, 0 at x = 0   ∂x = log1p y,    ∂y = xdivy(x, 1 + y)
    xdivy(x, y)  x/y, 0 where x = 0       ∂x = 1/y,        ∂y = −xdivy(xdivy(x, y), y)
    betaln(a, b) log|B(a, b)|             ∂a = ψ(a) − ψ(a + b),  ∂b = ψ(b) − ψ(a + b)
    beta(a, b)   B(a, b) = Γ(a)Γ(b)/Γ(a+b) ∂a = B·(ψ(a) − ψ(a + b)),  ∂b = B·(ψ(b) − ψ(a + b))
    multigammaln(a, d)  log Γ_d(a) = d(d−1)/4·log π + Σⱼ gammaln(a − (j−1)/2)   (a composite)

At x = 0 the x·log y family is 0 even where log y is infinite (y = 0), as in SciPy, and its
∂/∂y is exactly 0 there (xdivy), to every order; ∂/∂x stays log y (x·log y is smooth in x).
Stability: log_ndtr's derivative goes through erfcx, which neither overflows nor cancels for
x → −∞ (it tends to −x) and is 0 for x → +∞; erfc, ndtr and log_ndtr keep full relative
precision in the tails (no 1 − erf). Ops with poles or infinite slopes are `singular`: a zero
cotangent contributes exactly 0 there.
"""
import math
import sys

import numpy as np

from ..tensor import UFUNCS, Tensor
from ._docs import short
from ._primitive import UnaryOp, binary, masked_mul, primitive, unary
from .elementwise import log, log1p, negative, subtract
from .nn import erf, sigmoid, softplus

__all__ = ["erf", "erfc", "erfcx", "erfinv", "erfcinv", "ndtr", "log_ndtr", "ndtri", "expit",
           "logit", "log_expit", "gamma", "gammaln", "loggamma", "digamma", "psi",
           "polygamma", "xlogy", "xlog1py", "xdivy", "betaln", "beta", "multigammaln"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)            # Python floats: float32 stays float32
_HALF_SQRT_PI = math.sqrt(math.pi) / 2.0
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_HALF = math.sqrt(0.5)

_scipy_special = None


def _scipy_special_or_error(name):
    """scipy.special, imported on first use; its absence is an error that names `name`."""
    global _scipy_special
    if _scipy_special is None:
        try:
            import scipy.special as sc
        except ImportError:
            raise ImportError(f"wg.special.{name} needs SciPy for its values (pip install "
                              f"scipy); erf, expit, logit, log_expit, xlogy and xlog1py "
                              f"work without it") from None
        _scipy_special = sc
    return _scipy_special


def _kernel(name):
    """The SciPy ufunc `name` on arrays, in the input's floating dtype."""
    def k(x):
        return getattr(_scipy_special_or_error(name), name)(x)
    k.__name__ = name
    return k


def _op_or_kernel(op, kernel):
    """f inside a rule: the array kernel at first order, the recorded op on Tensors."""
    def f(x):
        return op(x) if isinstance(x, Tensor) else kernel(x)
    return f


# ---- the error function family -----------------------------------------------------------------

def _erfcx_d(x):
    return 2.0 * x * _erfcx_any(x) - _TWO_OVER_SQRT_PI


def _log_ndtr_d(x):
    """φ(x)/Φ(x) = √(2/π)/erfcx(−x/√2): no e^(−x²/2)/Φ(x) quotient of two underflows."""
    return _SQRT_2_OVER_PI / _erfcx_any(x * -_SQRT_HALF)


erfc     = unary("erfc",     _kernel("erfc"),    of_x=lambda x: -_TWO_OVER_SQRT_PI * np.exp(-(x * x)))
erfcx    = unary("erfcx",    _kernel("erfcx"),   of_x=_erfcx_d, singular=True)
erfinv   = unary("erfinv",   _kernel("erfinv"),  of_y=lambda y: _HALF_SQRT_PI * np.exp(y * y), singular=True)
erfcinv  = unary("erfcinv",  _kernel("erfcinv"), of_y=lambda y: -_HALF_SQRT_PI * np.exp(y * y), singular=True)
ndtr     = unary("ndtr",     _kernel("ndtr"),    of_x=lambda x: _INV_SQRT_2PI * np.exp(-0.5 * (x * x)))
log_ndtr = unary("log_ndtr", _kernel("log_ndtr"), of_x=_log_ndtr_d)
ndtri    = unary("ndtri",    _kernel("ndtri"),   of_y=lambda y: _SQRT_2PI * np.exp(0.5 * (y * y)), singular=True)
_erfcx_any = _op_or_kernel(erfcx, _kernel("erfcx"))

def _special_doc(*parts):
    """An op's short-form docstring (ops/_docs.py) for wg.special.<name>."""
    return short("wg.special", *parts)


erfc.doc = _special_doc("The complementary error function 1 − erf(x), exact in the right tail.",
    "d/dx erfc(x) = −(2/√π) e^(−x²)",
    "0.5", "0.47950012", "-0.87878258")
erfcx.doc = _special_doc("The scaled complementary error function e^(x²) erfc(x).",
    "d/dx erfcx(x) = 2x·erfcx(x) − 2/√π",
    "1.0", "0.42758358", "-0.27321201")
erfinv.doc = _special_doc("The inverse error function erf⁻¹ on (−1, 1).",
    "d/dx erfinv(x) = (√π/2) e^(erfinv(x)²)",
    "0.5", "0.47693628", "1.11258482")
erfcinv.doc = _special_doc("The inverse complementary error function erfc⁻¹ on (0, 2).",
    "d/dx erfcinv(x) = −(√π/2) e^(erfcinv(x)²)",
    "0.5", "0.47693628", "-1.11258482")
ndtr.doc = _special_doc("Φ(x), the standard normal CDF.",
    "Φ′(x) = φ(x) = e^(−x²/2)/√(2π)",
    "0.0", "0.5", "0.39894228")
log_ndtr.doc = _special_doc(
    "log Φ(x), the log of the standard normal CDF, stable for x → −∞.",
    "(log Φ)′(x) = φ(x)/Φ(x), computed as √(2/π)/erfcx(−x/√2): ≈ −x for x → −∞, → 0 for x → +∞",
    "0.0", "-0.69314718", "0.79788456")
ndtri.doc = _special_doc("Φ⁻¹(x) on (0, 1), the standard normal quantile.",
    "(Φ⁻¹)′(x) = √(2π) e^(y²/2), y = Φ⁻¹(x)",
    "0.5", "0.", "2.50662827")


# ---- the gamma function family -----------------------------------------------------------------

def _polygamma_fwd(x, n):
    x = np.asarray(x)
    out = np.asarray(_scipy_special_or_error("polygamma").polygamma(n, x))
    return out.astype(x.dtype, copy=False) if x.dtype.kind == "f" else out


def _polygamma_any(n, x):
    return _polygamma(x, n=n) if isinstance(x, Tensor) else _polygamma_fwd(x, n)


def _polygamma_vjp(g, needs, x, n):
    return (masked_mul(g, _polygamma_any(n + 1, x)),)


def _polygamma_jvp(tangents, x, n):
    return masked_mul(tangents[0], _polygamma_any(n + 1, x))


_polygamma = primitive("polygamma", _polygamma_fwd, _polygamma_vjp, _polygamma_jvp)
_polygamma.doc = "ψ⁽ⁿ⁾(x), the n-th derivative of digamma.   ∂/∂x = ψ⁽ⁿ⁺¹⁾(x)."


def polygamma(n, x):
    """ψ⁽ⁿ⁾(x) = dⁿ⁺¹/dxⁿ⁺¹ log Γ(x) for an integer n ≥ 0 (a constant; polygamma(0, x) is
    digamma).   ∂/∂x ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x). Poles at x = 0, −1, −2, …

    Examples
    --------
    >>> wg.special.polygamma(1, wg.tensor(1.0))    # π²/6
    tensor(1.64493407)
    """
    if isinstance(n, Tensor):
        n = n.data
    if np.ndim(n) != 0 or int(n) != n or n < 0:
        raise ValueError(f"polygamma: the order n must be one integer ≥ 0 (a constant), got {n!r}")
    return _polygamma(x, n=int(n))


digamma  = unary("digamma",  _kernel("psi"),      of_x=lambda x: _polygamma_any(1, x), singular=True)
_digamma_any = _op_or_kernel(digamma, _kernel("psi"))
_gamma_k = _kernel("gamma")
gamma: UnaryOp = unary("gamma",    _gamma_k,            of_x=lambda x: _op_or_kernel(gamma, _gamma_k)(x) * _digamma_any(x), singular=True)
gammaln  = unary("gammaln",  _kernel("gammaln"),  of_x=_digamma_any, singular=True)
loggamma = unary("loggamma", _kernel("loggamma"), of_x=_digamma_any, singular=True)
psi = digamma

digamma.doc = _special_doc("ψ(x) = Γ′(x)/Γ(x), the digamma function (also wg.special.psi).",
    "ψ′(x) = ψ⁽¹⁾(x) = polygamma(1, x)",
    "1.0", "-0.57721566", "1.64493407")
gamma.doc = _special_doc("Γ(x), the gamma function.",
    "Γ′(x) = Γ(x)·ψ(x)",
    "3.0", "2.", "1.84556867")
gammaln.doc = _special_doc("log|Γ(x)|.",
    "d/dx log|Γ(x)| = ψ(x)",
    "3.0", "0.69314718", "0.92278434")
loggamma.doc = _special_doc("log Γ(x) for real x > 0 (NaN below 0, as SciPy's real loggamma).",
    "d/dx log Γ(x) = ψ(x)",
    "3.0", "0.69314718", "0.92278434")


# ---- the beta function ---------------------------------------------------------------------------

def _beta_k(name):
    def k(a, b):
        return getattr(_scipy_special_or_error(name), name)(a, b)
    k.__name__ = name
    return k


def _psi_diff(x, y):
    """ψ(x) − ψ(x + y): ∂/∂x log B(x, y)."""
    return _digamma_any(x) - _digamma_any(x + y)


def _beta_any(x, y):
    return beta(x, y) if isinstance(x, Tensor) or isinstance(y, Tensor) else _beta_k("beta")(x, y)


# SciPy's kernels keep log B accurate for large a, b (no cancellation of three gammaln)
betaln = binary("betaln", _beta_k("betaln"), lambda x, y, z: _psi_diff(x, y),
                lambda x, y, z: _psi_diff(y, x), ("xy", "xy"), singular=True)
beta = binary("beta", _beta_k("beta"), lambda x, y, z: _beta_any(x, y) * _psi_diff(x, y),
              lambda x, y, z: _beta_any(x, y) * _psi_diff(y, x), ("xy", "xy"), singular=True)
betaln.doc = ("log|B(a, b)|.   ∂a = ψ(a) − ψ(a + b),  ∂b = ψ(b) − ψ(a + b).\n\n"
              "Examples\n"
              "--------\n"
              ">>> a, b = wg.tensor(1.0), wg.tensor(2.0)\n"
              ">>> wg.special.betaln(a, b)\n"
              "tensor(-0.69314718)\n"
              ">>> wg.grad(wg.special.betaln, argnums=(0, 1))(a, b)\n"
              "(tensor(-1.5), tensor(-0.5))\n")
beta.doc = ("B(a, b) = Γ(a)Γ(b)/Γ(a + b).   ∂a = B(a, b)·(ψ(a) − ψ(a + b)), ∂b likewise.\n\n"
            "Examples\n"
            "--------\n"
            ">>> a, b = wg.tensor(2.0), wg.tensor(3.0)\n"
            ">>> wg.special.beta(a, b)\n"
            "tensor(0.08333333)\n"
            ">>> wg.grad(wg.special.beta, argnums=(0, 1))(a, b)\n"
            "(tensor(-0.09027778), tensor(-0.04861111))\n")


def multigammaln(a, d):
    """log Γ_d(a), the multivariate log-gamma: d(d−1)/4·log π + Σ_{j=1..d} gammaln(a − (j−1)/2)
    for an integer d ≥ 1 (a constant) and a > (d − 1)/2 (else ValueError, as SciPy).
    ∂/∂a = Σⱼ ψ(a − (j−1)/2); inherited from gammaln.

    Examples
    --------
    >>> a = wg.tensor(2.0)
    >>> wg.special.multigammaln(a, 2)
    tensor(0.45158271)
    >>> wg.grad(lambda a: wg.special.multigammaln(a, 2))(a)
    tensor(0.45927431)
    """
    if isinstance(d, Tensor):
        d = d.data
    if np.ndim(d) != 0 or int(d) != d or d < 1:
        raise ValueError(f"multigammaln: d must be one integer ≥ 1 (a constant), got {d!r}")
    d = int(d)
    # (a Tensor is compared with ops and bool(): a compiled program checks every call's a)
    av = a if isinstance(a, Tensor) else np.asarray(a)
    if (av <= 0.5 * (d - 1)).any():
        raise ValueError(f"multigammaln: condition a > (d-1)/2 = {0.5 * (d - 1)} not met by "
                         f"all entries of a")
    r = gammaln(a)
    for j in range(2, d + 1):
        r = r + gammaln(a - 0.5 * (j - 1))
    return r + d * (d - 1) * 0.25 * math.log(math.pi)


# ---- x·log y and friends ------------------------------------------------------------------------

def _masked_at_zero(x, r, y):
    """r where x ≠ 0; 0 where x = 0, unless y is NaN (SciPy's convention)."""
    x = np.asarray(x)
    return np.where((x == 0) & ~np.isnan(y), 0, r)


def _xlogy_fwd(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _masked_at_zero(x, x * np.log(y), y)


def _xlog1py_fwd(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _masked_at_zero(x, x * np.log1p(y), y)


def _xdivy_fwd(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return _masked_at_zero(x, np.divide(x, y), y)


def _xdivy_any(x, y):
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        return xdivy(x, y)
    return _xdivy_fwd(x, y)


xdivy   = binary("xdivy",   _xdivy_fwd,   lambda x, y, z: np.divide(1.0, y),
                                          lambda x, y, z: -_xdivy_any(z, y),     ("y", "yz"), singular=True)
xlogy   = binary("xlogy",   _xlogy_fwd,   lambda x, y, z: np.log(y),
                                          lambda x, y, z: _xdivy_any(x, y),      ("y", "xy"), singular=True)
xlog1py = binary("xlog1py", _xlog1py_fwd, lambda x, y, z: np.log1p(y),
                                          lambda x, y, z: _xdivy_any(x, 1 + y),  ("y", "xy"), singular=True)

xdivy.doc = "x/y, 0 where x = 0.   ∂x = 1/y,  ∂y = −x/y² (0 where x = 0)."
xlogy.doc = ("x·log y, 0 where x = 0.   ∂x = log y,  ∂y = x/y (0 where x = 0).\n\n"
             "Examples\n"
             "--------\n"
             ">>> x, y = wg.tensor([0.0, 2.0]), wg.tensor([0.0, np.e])\n"
             ">>> wg.special.xlogy(x, y)\n"
             "tensor([0., 2.])\n"
             ">>> wg.grad(lambda x, y: wg.sum(wg.special.xlogy(x, y)), argnums=(0, 1))(x, wg.tensor([1.0, np.e]))\n"
             "(tensor([0., 1.]), tensor([0.        , 0.73575888]))\n")
xlog1py.doc = ("x·log(1 + y), 0 where x = 0.   ∂x = log1p y,  ∂y = x/(1 + y) (0 where x = 0).\n\n"
               "Examples\n"
               "--------\n"
               ">>> x, y = wg.tensor([0.0, 2.0]), wg.tensor([-1.0, 1.0])\n"
               ">>> wg.special.xlog1py(x, y)\n"
               "tensor([0.        , 1.38629436])\n"
               ">>> wg.grad(lambda x, y: wg.sum(wg.special.xlog1py(x, y)), argnums=(0, 1))(x, wg.tensor([0.0, 1.0]))\n"
               "(tensor([0.        , 0.69314718]), tensor([0., 1.]))\n")


# ---- composites ---------------------------------------------------------------------------------

expit = sigmoid


def logit(x):
    """log(x/(1 − x)) = log x − log1p(−x) on [0, 1] (±inf at the ends, NaN outside, quietly
    as SciPy).   logit′(x) = 1/(x(1 − x)); inherited from log and log1p.

    Examples
    --------
    >>> x = wg.tensor(0.25, requires_grad=True)
    >>> wg.special.logit(x)
    tensor(-1.09861229, grad_fn=<SubBackward>)
    >>> wg.special.logit(x).backward()
    >>> x.grad                      # 1/(x(1 − x))
    tensor(5.33333333)
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return subtract(log(x), log1p(negative(x)))


def log_expit(x):
    """log σ(x) = −softplus(−x): no overflow at ±1000.   ∂/∂x = 1 − σ(x) = σ(−x).

    Examples
    --------
    >>> wg.special.log_expit(wg.tensor([0.0, -1000.0]))
    tensor([-6.93147181e-01, -1.00000000e+03])
    """
    return negative(softplus(negative(x)))


# ---- scipy.special.<name>(tensor) --------------------------------------------------------------

_SCIPY_NAMES = {"erf": erf, "erfc": erfc, "erfcx": erfcx, "erfinv": erfinv, "erfcinv": erfcinv,
                "ndtr": ndtr, "log_ndtr": log_ndtr, "ndtri": ndtri, "expit": expit,
                "logit": logit, "log_expit": log_expit, "gamma": gamma, "gammaln": gammaln,
                "loggamma": loggamma, "psi": digamma, "xlogy": xlogy, "xlog1py": xlog1py,
                "betaln": betaln, "beta": beta}
_mapped: list = []


def scipy_ufunc(ufunc):
    """The wengert function for a scipy.special ufunc (None if it is not one or has none).
    Looked up only once the caller has imported scipy.special; each hit is then cached in
    UFUNCS, so later calls take __array_ufunc__'s fast path."""
    sc = sys.modules.get("scipy.special")
    if sc is None:
        return None
    if not _mapped:
        for name, f in _SCIPY_NAMES.items():
            theirs = getattr(sc, name, None)
            if isinstance(theirs, np.ufunc) and theirs not in UFUNCS:
                UFUNCS[theirs] = f
        _mapped.append(True)
    return UFUNCS.get(ufunc)
