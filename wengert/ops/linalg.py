"""Linear algebra: matmul dot vdot inner outer tensordot einsum trace diagonal, wg.linalg.*."""
import numpy as np

from ._primitive import primitive
from ._shapes import sum_to

__all__ = ["matmul"]


def _matmul_fwd(x, y):
    try:
        return np.matmul(x, y)
    except ValueError:
        raise ValueError(f"matmul: shapes {np.shape(x)} and {np.shape(y)} are not aligned "
                         f"(the last axis of the first must equal the second-to-last of the "
                         f"second)") from None


def _matmul_vjp(g, needs, x, y):
    """∂(x@y): g @ yᵀ to x and xᵀ @ g to y, summed back over broadcast batch axes."""
    xd, yd = np.ndim(x), np.ndim(y)
    if xd == 2 and yd == 2 and np.ndim(g) == 2:
        return (g @ y.T if needs[0] else None, x.T @ g if needs[1] else None)
    x2 = x if xd > 1 else np.expand_dims(x, 0)
    y2 = y if yd > 1 else np.expand_dims(y, -1)
    g2 = g
    if xd == 1:
        g2 = np.expand_dims(g2, -2)
    if yd == 1:
        g2 = np.expand_dims(g2, -1)
    core = max(np.ndim(x2), np.ndim(y2))
    gx = gy = None
    if needs[0]:
        gx = g2 @ np.swapaxes(y2, -1, -2)
        gx = sum_to(gx, np.shape(x2), np.shape(gx)[np.ndim(gx) - core:])
        if xd == 1:
            gx = np.reshape(gx, np.shape(gx)[:-2] + (np.shape(x)[0],))
    if needs[1]:
        gy = np.swapaxes(x2, -1, -2) @ g2
        gy = sum_to(gy, np.shape(y2), np.shape(gy)[np.ndim(gy) - core:])
        if yd == 1:
            gy = np.reshape(gy, np.shape(gy)[:-2] + (np.shape(y)[0],))
    return gx, gy


def _matmul_jvp(tangents, x, y):
    tx, ty = tangents
    out = None if tx is None else tx @ y
    if ty is not None:
        out = x @ ty if out is None else out + x @ ty
    return out


matmul = primitive("matmul", _matmul_fwd, _matmul_vjp, _matmul_jvp, grad_name="Matmul")
