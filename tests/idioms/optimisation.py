"""Optimisation test functions and objectives, as they appear in papers and tutorials."""
import numpy as np

from ._core import N, POS, SPD, U, WELL, idiom


@idiom(U(-1.5, 1.5, 6), order2=True, fwd=True, needs="np.diff")
def rosenbrock_diff(x):
    """Rosenbrock with np.diff: x[i+1] − x[i]² = diff(x)[i] + x[i] − x[i]²."""
    d = np.diff(x)
    return np.sum(100.0 * (d + x[:-1] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


@idiom(U(-1.5, 1.5, 6), order2=True, fwd=True)
def rosenbrock_slices(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


@idiom(U(-1.5, 1.5, 4, 2))
def rosenbrock_batch_columns(X):
    a, b = X[:, 0], X[:, 1]
    return (1 - a) ** 2 + 100 * (b - a ** 2) ** 2


@idiom(U(-5, 5, 5), order2=True)
def rastrigin(x):
    return 10 * len(x) + np.sum(x ** 2 - 10 * np.cos(2 * np.pi * x))


@idiom(U(-2, 2, 4), fwd=True, order2=True)
def ackley(x):
    n = x.size
    return (-20 * np.exp(-0.2 * np.sqrt(np.sum(x ** 2) / n))
            - np.exp(np.sum(np.cos(2 * np.pi * x)) / n) + 20 + np.e)


@idiom(U(-3, 3, 5))
def styblinski_tang(x):
    return 0.5 * np.sum(x ** 4 - 16 * x ** 2 + 5 * x)


@idiom(U(-2, 2, 2))
def beale(p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


@idiom(U(-4, 4, 2), order2=True)
def himmelblau(p):
    x, y = p
    return (x ** 2 + y - 11) ** 2 + (x + y ** 2 - 7) ** 2


@idiom(U(-5, 5, 5))
def griewank(x):
    i = np.arange(1, len(x) + 1)
    return 1 + np.sum(x ** 2) / 4000 - np.prod(np.cos(x / np.sqrt(i)))


@idiom(U(-3, 3, 4))
def zakharov(x):
    i = np.arange(1, x.size + 1)
    s = np.sum(0.5 * i * x)
    return np.sum(x ** 2) + s ** 2 + s ** 4


@idiom(U(-2, 2, 5))
def dixon_price(x):
    i = np.arange(2, len(x) + 1)
    return (x[0] - 1) ** 2 + np.sum(i * (2 * x[1:] ** 2 - x[:-1]) ** 2)


@idiom(U(0.2, 3, 4))
def michalewicz(x):
    i = np.arange(1, len(x) + 1)
    return -np.sum(np.sin(x) * np.sin(i * x ** 2 / np.pi) ** 20)


@idiom(U(-3, 3, 5))
def trid(x):
    return np.sum((x - 1) ** 2) - np.sum(x[1:] * x[:-1])


@idiom(U(-2, 2, 8))
def powell_reshape(x):
    q = x.reshape(-1, 4)
    return np.sum((q[:, 0] + 10 * q[:, 1]) ** 2 + 5 * (q[:, 2] - q[:, 3]) ** 2
                  + (q[:, 1] - 2 * q[:, 2]) ** 4 + 10 * (q[:, 0] - q[:, 3]) ** 4)


@idiom(U(0.3, 1.0, 4))
def sum_of_different_powers(x):
    return np.sum(np.abs(x) ** (np.arange(len(x)) + 2))


@idiom(U(-2, 2, 3), fwd=True)
def levy(x):
    w = 1 + (x - 1) / 4
    return (np.sin(np.pi * w[0]) ** 2
            + np.sum((w[:-1] - 1) ** 2 * (1 + 10 * np.sin(np.pi * w[:-1] + 1) ** 2))
            + (w[-1] - 1) ** 2 * (1 + np.sin(2 * np.pi * w[-1]) ** 2))


@idiom(N(4), SPD(4), N(4), order2=True, fwd=True)
def quadratic_form(x, A, b):
    return 0.5 * x @ A @ x - b @ x


@idiom(N(3), N(6, 3), N(6))
def least_squares_norm(x, A, b):
    return np.linalg.norm(A @ x - b) ** 2


@idiom(U(-0.5, 0.5, 3), N(5, 3, scale=0.3))
def log_barrier(x, A):
    b = np.full(5, 3.0)
    return np.sum(x ** 2) - np.sum(np.log(b - A @ x))


@idiom(N(3), N(1), POS(1))
def augmented_lagrangian(x, lam, mu):
    c = np.sum(x) - 1.0
    return np.sum(x ** 2) + lam[0] * c + 0.5 * mu[0] * c ** 2


@idiom(N(3), WELL(3))
def gradient_descent_unrolled(x, A):
    """Five steps of hand-written gradient descent on ½‖Ax‖², then the final loss."""
    for _ in range(5):
        g = A.T @ (A @ x)
        x = x - 0.05 * g
    return 0.5 * np.sum((A @ x) ** 2)


@idiom(U(-2, 2, 2))
def booth_and_matyas(p):
    x, y = p[0], p[1]
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2 + 0.26 * (x ** 2 + y ** 2) - 0.48 * x * y


@idiom(U(-2, 2, 6), needs="np.clip")
def penalty_with_clip(x):
    return np.sum(x ** 2) + 10 * np.sum(np.clip(x - 1.0, 0.0, None) ** 2)
