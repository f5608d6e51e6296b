"""`wg.linalg`: NumPy's linalg names, differentiable."""
from .ops.linalg import matmul  # noqa: F401
