"""Statistics: likelihoods, moments, standardisation, the log-sum-exp trick, by hand."""
import numpy as np

from ._core import DISTINCT, N, POS, SPD, U, idiom


@idiom(N(3, 3, scale=0.3), N(3), N(8, 3), order2=True, needs="np.tril, np.diag")
def gaussian_nll_tril(A, mu, X):
    """Multivariate normal NLL; the Cholesky factor is tril(A) with an exp'd diagonal."""
    L = np.tril(A, -1) + np.diag(np.exp(np.diag(A)))
    r = (X - mu).T
    z = np.linalg.solve(L, r)
    n, d = X.shape
    return 0.5 * np.sum(z ** 2) + n * np.sum(np.log(np.diag(L))) + 0.5 * n * d * np.log(2 * np.pi)


@idiom(N(6, 2), N(2), SPD(2), fwd=True)
def gaussian_nll_cov(X, mu, cov):
    sign, logdet = np.linalg.slogdet(cov)
    r = X - mu
    maha = np.sum(r * np.linalg.solve(cov, r.T).T, axis=1)
    return 0.5 * np.sum(maha) + 0.5 * len(X) * (logdet + 2 * np.log(2 * np.pi))


@idiom(N(5), POS(5), N(5))
def gaussian_nll_diag(mu, sigma, x):
    return np.sum(np.log(sigma) + 0.5 * ((x - mu) / sigma) ** 2) + 0.5 * len(x) * np.log(2 * np.pi)


@idiom(DISTINCT(7), order2=True, fwd=True)
def logsumexp_by_hand(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@idiom(DISTINCT(3, 4), fwd=True)
def logsumexp_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.squeeze(m, axis=1) + np.log(np.sum(np.exp(x - m), axis=1))


@idiom(N(6), POS(6), order2=True)
def weighted_mean(x, w):
    return np.sum(w * x) / np.sum(w)


@idiom(N(6), POS(6), needs="np.average")
def weighted_mean_average(x, w):
    return np.average(x, weights=w)


@idiom(N(4, 3), POS(4), needs="np.average axis")
def weighted_column_means(X, w):
    return np.average(X, axis=0, weights=w)


@idiom(N(5, 3), fwd=True)
def standardise_columns(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


@idiom(N(8))
def zscore_ddof1(x):
    return (x - np.mean(x)) / np.std(x, ddof=1)


@idiom(N(7), order2=True)
def variance_by_hand(x):
    return np.mean((x - np.mean(x)) ** 2)


@idiom(N(6, 3))
def covariance_by_hand(X):
    Xc = X - X.mean(axis=0)
    return Xc.T @ Xc / (X.shape[0] - 1)


@idiom(N(6, 3), needs="np.cov")
def covariance_np_cov(X):
    return np.cov(X, rowvar=False)


@idiom(N(3, 6), needs="np.corrcoef")
def correlation_np_corrcoef(X):
    return np.corrcoef(X)


@idiom(N(8), N(8))
def pearson_by_hand(x, y):
    xc, yc = x - x.mean(), y - y.mean()
    return np.sum(xc * yc) / np.sqrt(np.sum(xc ** 2) * np.sum(yc ** 2))


@idiom(N(6), order2=True)
def poisson_loglik(log_rate):
    k = np.array([0.0, 1.0, 3.0, 2.0, 0.0, 5.0])
    lam = np.exp(log_rate)
    return np.sum(k * np.log(lam) - lam)


@idiom(N(8), N(3), POS(3), N(3))
def mixture_loglik(x, mu, s, logits):
    w = np.exp(logits) / np.sum(np.exp(logits))
    dens = w * np.exp(-0.5 * ((x[:, None] - mu) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    return np.sum(np.log(np.sum(dens, axis=1)))


@idiom(N(5))
def entropy_of_softmax(z):
    p = np.exp(z) / np.sum(np.exp(z))
    return -np.sum(p * np.log(p))


@idiom(N(2), POS(2), N(2), POS(2))
def kl_gaussians(m1, s1, m2, s2):
    return np.sum(np.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5)


@idiom(N(9))
def skewness(x):
    m, s = np.mean(x), np.std(x)
    return np.mean(((x - m) / s) ** 3)


@idiom(N(9))
def excess_kurtosis(x):
    d = x - x.mean()
    return np.mean(d ** 4) / np.mean(d ** 2) ** 2 - 3.0


@idiom(N(8))
def bootstrap_mean(x):
    idx = np.array([0, 3, 3, 7, 1, 1, 1, 5])
    return np.mean(x[idx])


@idiom(U(-3, 3, 10), fwd=True)
def huber_loss(r):
    return np.sum(np.where(np.abs(r) <= 1.0, 0.5 * r ** 2, np.abs(r) - 0.5))


@idiom(N(6), POS(6))
def log_normal_loglik(mu, x):
    s = 0.7
    return np.sum(-np.log(x * s * np.sqrt(2 * np.pi)) - (np.log(x) - mu) ** 2 / (2 * s ** 2))


@idiom(N(7), POS(1))
def exponential_moving_variance(x, a):
    alpha = 1.0 / (1.0 + a[0])
    m = x[0]
    v = 0.0 * x[0]
    for xi in x[1:]:
        d = xi - m
        m = m + alpha * d
        v = (1 - alpha) * (v + alpha * d * d)
    return v


@idiom(N(6))
def log_softmax_nll(z):
    target = 2
    return -(z[target] - np.log(np.sum(np.exp(z))))


@idiom(POS(5), POS(5))
def chi_square_statistic(observed, expected):
    return np.sum((observed - expected) ** 2 / expected)
