"""Shape ops: each is linear, so each declares its transpose (its VJP); its JVP is itself.

Transposes keep any leading batch axes of g (the `lead` axes in front of the op's output).
"""
import numpy as np

from ._primitive import linear
from ._shapes import negative_axes, sum_to

__all__ = ["reshape", "permute_dims", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to"]


def _batch(g, ndim_out):
    return g.shape[:g.ndim - ndim_out]


def _reshape_fwd(x, shape, order="C"):
    return np.reshape(x, shape, order=order)


def _reshape_transpose(g, x_shape, shape, order="C"):
    n_out = 1 if isinstance(shape, (int, np.integer)) else len(shape)
    return np.reshape(g, _batch(g, n_out) + tuple(x_shape), order=order)


_reshape = linear("reshape", _reshape_fwd, _reshape_transpose)


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """The same elements in a new shape; the gradient is reshaped back."""
    if shape is None:
        shape = newshape
    if isinstance(shape, list):
        shape = tuple(shape)
    return _reshape(a, shape=shape, order=order)


def _permute_transpose(g, x_shape, axes):
    n = len(x_shape)
    lead = g.ndim - n
    inverse = np.argsort([a % n for a in axes])
    return np.transpose(g, tuple(range(lead)) + tuple(lead + int(i) for i in inverse))


_permute = linear("permute_dims", lambda x, axes: np.transpose(x, axes), _permute_transpose,
                  grad_name="Permute")


def permute_dims(a, axes):
    """Axes reordered; the gradient is reordered by the inverse permutation."""
    return _permute(a, axes=tuple(int(i) for i in axes))


def transpose(a, axes=None):
    nd = np.ndim(a)
    return permute_dims(a, tuple(range(nd - 1, -1, -1)) if axes is None else axes)


def _swap_fwd(x, axis1, axis2):
    return np.swapaxes(x, axis1, axis2)


def _swap_transpose(g, x_shape, axis1, axis2):
    a1, a2 = negative_axes((axis1, axis2), len(x_shape))
    return np.swapaxes(g, a1, a2)


_swapaxes = linear("swapaxes", _swap_fwd, _swap_transpose)


def swapaxes(a, axis1, axis2):
    """Two axes exchanged; the transpose exchanges them back."""
    return _swapaxes(a, axis1=axis1, axis2=axis2)


def _expand_transpose(g, x_shape, axis):
    return np.reshape(g, _batch(g, len(x_shape) + (1 if isinstance(axis, int) else len(axis))) + tuple(x_shape))


_expand_dims = linear("expand_dims", lambda x, axis: np.expand_dims(x, axis), _expand_transpose)


def expand_dims(a, axis):
    """A new axis of length 1; the gradient drops it again."""
    return _expand_dims(a, axis=tuple(axis) if isinstance(axis, list) else axis)


def _squeeze_transpose(g, x_shape, axis):
    n_out = len(x_shape) - (sum(1 for s in x_shape if s == 1) if axis is None else
                            (1 if isinstance(axis, int) else len(axis)))
    return np.reshape(g, _batch(g, n_out) + tuple(x_shape))


_squeeze = linear("squeeze", lambda x, axis: np.squeeze(x, axis), _squeeze_transpose)


def squeeze(a, axis=None):
    return _squeeze(a, axis=tuple(axis) if isinstance(axis, list) else axis)


def _broadcast_transpose(g, x_shape, shape):
    return sum_to(g, tuple(x_shape), tuple(shape))


_broadcast_to = linear("broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
                       _broadcast_transpose, grad_name="Expand")


def broadcast_to(array, shape):
    """Copies along broadcast axes; the gradient is summed back over them."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    return _broadcast_to(array, shape=tuple(int(s) for s in shape))
