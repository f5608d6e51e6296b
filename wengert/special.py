"""`wg.special`: SciPy's special functions, differentiable (formulas and conventions in
wengert/ops/special.py). `scipy.special.<name>(tensor)` dispatches here too. SciPy is
optional: erf, expit, logit, log_expit, xlogy, xlog1py work without it; the others import
it on first use."""
from .ops.special import (  # noqa: F401
    digamma, erf, erfc, erfcinv, erfcx, erfinv, expit, gamma, gammaln, log_expit, log_ndtr,
    loggamma, logit, ndtr, ndtri, polygamma, psi, xlog1py, xlogy, betaln, beta, multigammaln)

__all__ = ["digamma", "erf", "erfc", "erfcinv", "erfcx", "erfinv", "expit", "gamma", "gammaln",
           "log_expit", "log_ndtr", "loggamma", "logit", "ndtr", "ndtri", "polygamma", "psi",
           "xlog1py", "xlogy", "betaln", "beta", "multigammaln"]
