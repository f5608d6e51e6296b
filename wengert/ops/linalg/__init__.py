"""Linear algebra, one module per family (each module's docstring gives its derivative
formulas and conventions):

products.py        matmul dot vdot inner outer vecdot multi_dot cross diagonal trace, and
                   wg.linalg's spellings of them (matrix_transpose, outer, trace, …)
contractions.py    tensordot einsum
inverses.py        inv solve matrix_power pinv lstsq tensorinv tensorsolve
decompositions.py  det slogdet cholesky qr svd
eigen.py           eigh eigvalsh eig eigvals
norms.py           vector_norm matrix_norm norm svdvals cond matrix_rank
_common.py         the helpers several families share

Importing this package registers every linalg primitive. ``wengert.linalg`` (wg.linalg) is
the public face; the names below are the ones ``wg.*`` takes from here.
"""
from . import decompositions, eigen, inverses, norms  # noqa: F401  (registers their ops)
from .contractions import einsum, tensordot
from .products import diagonal, dot, inner, matmul, outer, trace, vdot

__all__ = ["matmul", "dot", "vdot", "inner", "outer", "tensordot", "einsum", "trace", "diagonal"]
