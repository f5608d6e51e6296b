"""Linear algebra as scientists call it: np.linalg, products, einsum, decompositions."""
import numpy as np

from ._core import N, SPD, WELL, idiom


@idiom(WELL(3), N(3), order2=True, fwd=True)
def solve_vector(A, b):
    return np.linalg.solve(A, b)


@idiom(WELL(3), N(3, 2))
def solve_matrix_rhs(A, B):
    return np.linalg.solve(A, B)


@idiom(WELL(3), fwd=True)
def inverse(A):
    return np.linalg.inv(A)


@idiom(WELL(3), N(3))
def inverse_times_vector(A, b):
    return np.linalg.inv(A) @ b


@idiom(WELL(3), order2=True)
def determinant(A):
    return np.linalg.det(A)


@idiom(SPD(3), fwd=True)
def log_determinant_slogdet(A):
    sign, logdet = np.linalg.slogdet(A)
    return sign * logdet


@idiom(N(3, 3))
def eigh_eigenvalues_weighted(B):
    A = B @ B.T + np.eye(3)
    w, V = np.linalg.eigh(A)
    return w @ np.array([1.0, 2.0, 3.0])


@idiom(N(3, 3))
def eigvalsh_sum_of_squares(B):
    A = (B + B.T) / 2
    return np.sum(np.linalg.eigvalsh(A) ** 2)


@idiom(N(3, 3), needs="np.linalg.eig")
def eig_of_symmetric_invariants(B):
    A = B @ B.T + np.eye(3)
    w, V = np.linalg.eig(A)
    return np.sum(w ** 2) + np.prod(w)


@idiom(N(4, 3), needs="np.linalg.pinv")
def pseudo_inverse(A):
    return np.linalg.pinv(A)


@idiom(N(5, 2), N(5), needs="np.linalg.lstsq")
def lstsq_solution(A, b):
    x, res, rank, sv = np.linalg.lstsq(A, b, rcond=None)
    return x


@idiom(N(3, 3), N(3, 3), order2=True)
def trace_of_product(A, B):
    return np.trace(A @ B)


@idiom(N(2, 2), N(2, 3), needs="np.kron")
def kronecker(A, B):
    return np.kron(A, B)


@idiom(N(3, 4), N(4, 2), fwd=True)
def einsum_matmul(A, B):
    return np.einsum("ij,jk->ik", A, B)


@idiom(N(2, 3, 4), N(4, 3))
def einsum_batched_contraction(T, M):
    return np.einsum("bij,ji->b", T, M)


@idiom(N(2, 3, 4), N(3, 4, 2))
def tensordot_axes(A, B):
    return np.tensordot(A, B, axes=([1, 2], [0, 1]))


@idiom(N(3, 3, scale=0.5), needs="np.linalg.matrix_power")
def matrix_power(A):
    return np.linalg.matrix_power(A, 3)


@idiom(N(3, 3), order2=True)
def frobenius_norm(A):
    return np.linalg.norm(A, "fro")


@idiom(N(3, 3), needs="np.linalg.norm(ord=2)")
def spectral_norm(A):
    return np.linalg.norm(A, 2)


@idiom(N(3, 3), needs="np.linalg.norm(ord='nuc')")
def nuclear_norm(A):
    return np.linalg.norm(A, "nuc")


@idiom(N(2, 3), N(3, 4), N(4, 2), needs="np.linalg.multi_dot")
def multi_dot(A, B, C):
    return np.linalg.multi_dot([A, B, C])


@idiom(N(4), N(4))
def vdot_inner_outer(a, b):
    return np.vdot(a, b) + np.inner(a, b) + np.sum(np.outer(a, b) ** 2)


@idiom(N(3, 3, scale=0.3), fwd=True)
def matrix_exponential_series(A):
    out = np.eye(3)
    term = np.eye(3)
    for k in range(1, 10):
        term = term @ A / k
        out = out + term
    return out


@idiom(N(3, 3), order2=True, needs="np.diag")
def cholesky_logdet(B):
    A = B @ B.T + np.eye(3)
    L = np.linalg.cholesky(A)
    return 2 * np.sum(np.log(np.diag(L)))


@idiom(WELL(4, 3), needs="np.diag")
def qr_r_diagonal(A):
    Q, R = np.linalg.qr(A)
    return np.sum(np.abs(np.diag(R))) + np.sum(Q[:, 0] ** 2 * np.sign(R[0, 0]))


@idiom(N(4, 3))
def singular_values(A):
    return np.linalg.svd(A, compute_uv=False)


@idiom(N(3, 3), needs="np.diag")
def diag_of_diag(A):
    return np.diag(np.diag(A)) + np.diagonal(A).sum()


@idiom(N(3, 3))
def symmetric_part_quadratic(A):
    S = (A + A.T) / 2
    x = np.array([1.0, -2.0, 0.5])
    return x @ S @ x


@idiom(WELL(3), N(3))
def conjugate_gradient_unrolled(A, b):
    M = A @ A.T
    x = np.zeros(3)
    r = b - M @ x
    p = r
    for _ in range(3):
        Ap = M @ p
        alpha = (r @ r) / (p @ Ap)
        x = x + alpha * p
        r_new = r - alpha * Ap
        p = r_new + (r_new @ r_new) / (r @ r) * p
        r = r_new
    return x


@idiom(N(3), N(3))
def gram_schmidt_two(u, v):
    e1 = u / np.linalg.norm(u)
    w = v - (v @ e1) * e1
    e2 = w / np.linalg.norm(w)
    return np.stack([e1, e2])


@idiom(SPD(3), N(3))
def mahalanobis_inv(S, x):
    return np.sqrt(x @ np.linalg.inv(S) @ x)
