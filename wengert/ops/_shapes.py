"""Shape helpers shared by every op family: undoing broadcasting, normalising axes.

Axes are counted from the right (negative) wherever a gradient is built, so that a batch of
cotangents/tangents stacked in front (jacrev, jacfwd) passes through untouched.
"""


def negative_axes(axis, ndim):
    """`axis` (None, int or tuple) as a tuple of negative axes of an ndim-array."""
    if axis is None:
        return tuple(range(-ndim, 0))
    if isinstance(axis, int):
        axis = (axis,)
    out = []
    for a in axis:
        a = int(a)
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of bounds for an array of dimension {ndim}")
        out.append(a - ndim if a >= 0 else a)
    return tuple(out)


def sum_to(g, shape, out_shape):
    """Σ g over the axes along which an input of `shape` was broadcast to `out_shape`.

    The transpose of broadcasting: leading axes that `shape` lacks and axes where it has 1
    are summed, in one call. Axes of g in front of `out_shape` (a batch) are kept.
    """
    n_out, n_in = len(out_shape), len(shape)
    axes = tuple(range(-n_out, -n_in)) + tuple(
        i - n_in for i, s in enumerate(shape) if s == 1 and out_shape[n_out - n_in + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(g.shape[:g.ndim - n_out] + tuple(shape))
