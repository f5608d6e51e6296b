"""`wg.linalg`: NumPy's linalg names, differentiable (see wengert/ops/linalg.py for the
derivative formulas and conventions). Every public name here also answers np.linalg.<name>
called on Tensors."""
from .ops.decompositions import cholesky, det, eigh, eigvalsh, qr, slogdet  # noqa: F401
from .ops.linalg import (  # noqa: F401
    EighResult, LinAlgError, QRResult, SlogdetResult, SVDResult, inv, matrix_norm,
    matrix_power, matrix_transpose, multi_dot, norm, solve, svd, svdvals, vecdot, vector_norm)
from .ops.linalg import linalg_diagonal as diagonal  # noqa: F401
from .ops.linalg import linalg_matmul as matmul  # noqa: F401
from .ops.linalg import linalg_outer as outer  # noqa: F401
from .ops.linalg import linalg_tensordot as tensordot  # noqa: F401
from .ops.linalg import linalg_trace as trace  # noqa: F401
from .ops.linalg_more import (  # noqa: F401
    EigResult, LstsqResult, cond, cross, eig, eigvals, lstsq, matrix_rank, pinv, tensorinv,
    tensorsolve)

__all__ = ["cholesky", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
           "matrix_power", "matrix_transpose", "multi_dot", "norm", "outer", "qr", "slogdet",
           "solve", "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
           "LinAlgError", "cond", "cross", "eig", "eigvals", "lstsq", "matrix_rank", "pinv",
           "tensorinv", "tensorsolve", "EigResult", "LstsqResult"]
