"""Machine learning written in plain NumPy: softmax, losses, small networks, kernels."""
import numpy as np

from ._core import DISTINCT, N, POS, U, idiom


@idiom(DISTINCT(6), order2=True, fwd=True)
def softmax_by_hand(x):
    e = np.exp(x - x.max())
    return e / e.sum()


@idiom(DISTINCT(3, 4), fwd=True)
def softmax_rows_keepdims(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


@idiom(N(4, 3))
def cross_entropy_one_hot(logits):
    y = np.eye(3)[[0, 2, 1, 2]]
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(np.sum(y * logp, axis=1))


@idiom(N(4, 3))
def cross_entropy_fancy_index(logits):
    labels = np.array([0, 2, 1, 2])
    logp = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(labels)), labels])


@idiom(N(3), N(8, 3), order2=True, fwd=True)
def logistic_regression_log1p(w, X):
    y = np.array([1, -1, 1, 1, -1, -1, 1, -1.0])
    return np.mean(np.log1p(np.exp(-y * (X @ w))))


@idiom(N(3), N(1), N(8, 3))
def logistic_regression_sigmoid(w, b, X):
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0.0])
    p = 1 / (1 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@idiom(N(3, 4, scale=0.5), N(4), N(4, 1, scale=0.5), N(1), N(5, 3), order2=False, fwd=True)
def mlp_tanh_mse(W1, b1, W2, b2, X):
    y = np.linspace(-1, 1, 5)[:, None]
    h = np.tanh(X @ W1 + b1)
    pred = h @ W2 + b2
    return np.mean((pred - y) ** 2)


@idiom(N(3, 4), N(4), N(4, 2), N(5, 3))
def mlp_relu_maximum(W1, b1, W2, X):
    h = np.maximum(0, X @ W1 + b1)
    return np.sum((h @ W2) ** 2)


@idiom(N(5), U(0.01, 0.1, 1))
def l2_regularised(w, lam):
    X = np.arange(15.0).reshape(3, 5) / 10
    y = np.ones(3)
    return np.sum((X @ w - y) ** 2) + lam[0] * np.sum(w ** 2)


@idiom(N(4, 3), N(5, 3), N(5, 2), fwd=True)
def attention(Q, K, V):
    s = Q @ K.T / np.sqrt(Q.shape[-1])
    s = s - s.max(axis=-1, keepdims=True)
    a = np.exp(s)
    a = a / a.sum(axis=-1, keepdims=True)
    return a @ V


@idiom(N(4, 5), N(5), N(5))
def layer_norm_by_hand(x, gamma, beta):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + 1e-5) + beta


@idiom(N(6, 3))
def batch_norm_by_hand(x):
    return (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)


@idiom(N(6, 2), N(3, 2))
def soft_kmeans_loss(x, c):
    d2 = np.sum((x[:, None, :] - c[None]) ** 2, axis=-1)
    r = np.exp(-d2) / np.sum(np.exp(-d2), axis=1, keepdims=True)
    return np.sum(r * d2)


@idiom(N(5, 2), POS(1), order2=True)
def rbf_kernel_matrix(x, ls):
    d2 = np.sum((x[:, None] - x[None]) ** 2, axis=-1)
    return np.exp(-0.5 * d2 / ls[0] ** 2)


@idiom(N(5), POS(1), POS(1), needs="np.diag")
def gp_marginal_likelihood(y, ls, noise):
    x = np.linspace(0, 2, 5)
    K = np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2 / ls[0] ** 2) + (noise[0] + 0.1) * np.eye(5)
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 2.5 * np.log(2 * np.pi)


@idiom(N(6, 3), N(6), U(0.1, 1, 1))
def ridge_closed_form(X, y, lam):
    w = np.linalg.solve(X.T @ X + lam[0] * np.eye(3), X.T @ y)
    return w


@idiom(N(3), N(8, 3))
def hinge_loss(w, X):
    y = np.array([1, -1, 1, 1, -1, -1, 1, -1.0])
    return np.mean(np.maximum(0.0, 1 - y * (X @ w)))


@idiom(N(5), N(5))
def cosine_similarity(a, b):
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))


@idiom(N(6, 3))
def embedding_lookup(W):
    idx = np.array([1, 4, 4, 0])
    return np.sum(W[idx] ** 2, axis=1)


@idiom(U(0.05, 0.95, 6), needs="np.clip")
def bce_with_clip(p):
    y = np.array([1, 0, 1, 0, 0, 1.0])
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@idiom(N(4, 3))
def dropout_fixed_mask(x):
    mask = (np.arange(12).reshape(4, 3) % 3 != 0)
    return np.sum(x * mask / 0.66)


@idiom(N(4, 3), N(3))
def linear_then_logsoftmax(X, w):
    z = X * w
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


@idiom(N(2, 3), N(3, 3, scale=0.3), N(3, 3, scale=0.3))
def rnn_unrolled(xs, Wx, Wh):
    h = np.zeros(3)
    for x in xs:
        h = np.tanh(x @ Wx + h @ Wh)
    return h


@idiom(N(5), N(5), U(0.5, 2, 1))
def gaussian_kernel_density(x, centres, bw):
    d = (x[:, None] - centres[None, :]) / bw[0]
    return np.mean(np.exp(-0.5 * d ** 2), axis=1) / (bw[0] * np.sqrt(2 * np.pi))


@idiom(N(4), N(4), needs="np.logaddexp")
def softplus_logaddexp(z, y):
    return np.sum(np.logaddexp(0, z) - y * z)


@idiom(N(3, 4))
def gradient_clip_by_norm(g):
    n = np.linalg.norm(g)
    return g * np.minimum(1.0, 1.0 / n)
