"""scipy.special ufuncs inside NumPy code (skipped where SciPy is missing)."""
import numpy as np

from ._core import N, POS, U, idiom

try:
    from scipy import special
except ImportError:                                      # the idioms are skipped then
    special = None

SCIPY = dict(requires="scipy")


@idiom(N(6), fwd=True, needs="scipy.special.erf", **SCIPY)
def erf_normal_cdf(x):
    return 0.5 * (1 + special.erf(x / np.sqrt(2)))


@idiom(N(6), needs="scipy.special.erfc", **SCIPY)
def erfc_tail(x):
    return np.log(special.erfc(x))


@idiom(N(5), N(5, 3), order2=True, needs="scipy.special.expit", **SCIPY)
def expit_logistic_loss(w, X):
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    p = special.expit(X @ w[:3] + w[3:4])
    return -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))


@idiom(U(0.1, 0.9, 5), needs="scipy.special.logit", **SCIPY)
def logit_transform(p):
    return special.logit(p) ** 2


@idiom(POS(5), needs="scipy.special.gammaln", **SCIPY)
def gammaln_poisson(lam):
    k = np.array([0.0, 2.0, 1.0, 4.0, 3.0])
    return np.sum(k * np.log(lam) - lam - special.gammaln(k + 1))


@idiom(U(1, 5, 1), N(6), needs="scipy.special.gammaln", **SCIPY)
def student_t_loglik(nu, x):
    v = nu[0]
    return np.sum(special.gammaln((v + 1) / 2) - special.gammaln(v / 2) - 0.5 * np.log(v * np.pi)
                  - (v + 1) / 2 * np.log1p(x ** 2 / v))


@idiom(U(0.1, 0.9, 4), U(0.1, 0.9, 4), needs="scipy.special.xlogy", **SCIPY)
def xlogy_cross_entropy(p, q):
    return -np.sum(special.xlogy(p, q))


@idiom(U(0.1, 0.9, 4), needs="scipy.special.xlog1py", **SCIPY)
def xlog1py_binary_entropy(p):
    return -np.sum(special.xlogy(p, p) + special.xlog1py(1 - p, -p))


@idiom(POS(4), needs="scipy.special.digamma", **SCIPY)
def digamma_sum(a):
    return np.sum(special.digamma(a) * a)


@idiom(N(5), needs="scipy.special.ndtr, log_ndtr", **SCIPY)
def probit_loglik(z):
    return np.sum(special.log_ndtr(z)) + np.sum(special.ndtr(z))


@idiom(POS(3), POS(3), needs="scipy.special.betaln", **SCIPY)
def beta_log_normaliser(a, b):
    return special.betaln(a, b)


@idiom(N(5), needs="scipy.special.log_expit", **SCIPY)
def log_expit_loss(z):
    return -np.sum(special.log_expit(z))
