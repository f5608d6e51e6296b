"""`wg.linalg`: NumPy's linalg names, differentiable (see wengert/ops/linalg/ for the
derivative formulas and conventions, one module per family). Every public name here also
answers np.linalg.<name> called on Tensors."""
from .ops.linalg._common import LinAlgError  # noqa: F401
from .ops.linalg.decompositions import (  # noqa: F401
    QRResult, SlogdetResult, SVDResult, cholesky, det, qr, slogdet, svd)
from .ops.linalg.eigen import EigResult, EighResult, eig, eigh, eigvals, eigvalsh  # noqa: F401
from .ops.linalg.inverses import (  # noqa: F401
    LstsqResult, inv, lstsq, matrix_power, pinv, solve, tensorinv, tensorsolve)
from .ops.linalg.norms import (  # noqa: F401
    cond, matrix_norm, matrix_rank, norm, svdvals, vector_norm)
from .ops.linalg.products import cross, matrix_transpose, multi_dot, vecdot  # noqa: F401
from .ops.linalg.products import linalg_diagonal as diagonal  # noqa: F401
from .ops.linalg.products import linalg_matmul as matmul  # noqa: F401
from .ops.linalg.products import linalg_outer as outer  # noqa: F401
from .ops.linalg.products import linalg_tensordot as tensordot  # noqa: F401
from .ops.linalg.products import linalg_trace as trace  # noqa: F401

__all__ = ["cholesky", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul", "matrix_norm",
           "matrix_power", "matrix_transpose", "multi_dot", "norm", "outer", "qr", "slogdet",
           "solve", "svd", "svdvals", "tensordot", "trace", "vecdot", "vector_norm",
           "LinAlgError", "cond", "cross", "eig", "eigvals", "lstsq", "matrix_rank", "pinv",
           "tensorinv", "tensorsolve", "EigResult", "LstsqResult"]
