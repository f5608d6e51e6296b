"""pad (np.pad): constant padding is a linear op whose transpose slices g back (batch axes
pass through, as for the shape ops of shape.py); the copying modes ('edge', 'reflect',
'symmetric', 'wrap') are gathers by take, so they inherit rules of every order.
"""
import numpy as np

from ..tensor import Tensor
from ._primitive import linear
from .shape import _shape_of, broadcast_to, concatenate, reshape

__all__ = ["pad"]


def _pad_transpose(g, x_shape, pairs):
    core = tuple(x_shape)[len(x_shape) - len(pairs):]      # without any batch axes
    return g[(Ellipsis,) + tuple(slice(b, b + n) for (b, _), n in zip(pairs, core))]


def _pad_fwd(x, pairs):
    lead = np.ndim(x) - len(pairs)
    return np.pad(x, ((0, 0),) * lead + pairs if lead else pairs)


_pad = linear("pad", _pad_fwd, _pad_transpose)


def _pad_pairs(pad_width, nd):
    w = np.asarray(pad_width.data if isinstance(pad_width, Tensor) else pad_width)
    if w.dtype.kind not in "iu":
        raise TypeError(f"`pad_width` must be of integral type, got {w.dtype}")
    try:
        w = np.broadcast_to(w, (nd, 2))
    except ValueError:
        raise ValueError(f"pad_width of shape {w.shape} does not fit a tensor of "
                         f"{nd} dimensions (give an int, (before, after), or one pair per "
                         f"axis)") from None
    if isinstance(pad_width, Tensor):
        # int() of each entry of the Tensor itself: compiled, each is a guard, so widths
        # computed from the inputs are checked on every call, never kept from the first
        t = broadcast_to(pad_width, (nd, 2))
        pairs = tuple((int(t[k, 0]), int(t[k, 1])) for k in range(nd))
    else:
        pairs = tuple((int(b), int(a)) for b, a in w)
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"pad_width must be non-negative, got {[list(p) for p in pairs]}")
    return pairs


_PAD_INDEX_MODES = {"edge": (), "wrap": (), "reflect": ("reflect_type",),
                    "symmetric": ("reflect_type",)}


def pad(array, pad_width, mode="constant", **kwargs):
    """`array` padded by pad_width[i] = (before, after) elements along axis i (np.pad).

    Modes: 'constant' (constant_values, which may be a tensor: it gets the sum of g over the
    places it fills), 'empty' (filled with zeros, one valid choice for undefined values),
    and the copying modes 'edge', 'reflect', 'symmetric', 'wrap' (reflect_type='even').
    Constant padding is linear in `array`: its gradient is the middle slice of g; the
    copying modes are gathers, so repeated copies of an element add up in its gradient.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.pad(x, (1, 2), mode="edge")
    tensor([1., 1., 2., 2., 2.])
    >>> wg.grad(lambda x: wg.sum(wg.pad(x, (1, 2), mode="edge")))(x)
    tensor([2., 3.])
    """
    shape = _shape_of(array)
    nd = len(shape)
    pairs = _pad_pairs(pad_width, nd)
    allowed = {"constant": ("constant_values",), "empty": ()}.get(mode, _PAD_INDEX_MODES.get(mode))
    if allowed is None:
        raise ValueError(f"pad mode {mode!r} is not supported by wengert; use one of "
                         f"'constant', 'empty', 'edge', 'reflect', 'symmetric', 'wrap'")
    bad = set(kwargs) - set(allowed)
    if bad:
        raise ValueError(f"unsupported keyword arguments for mode {mode!r}: {sorted(bad)}")
    if mode in _PAD_INDEX_MODES:
        if kwargs.get("reflect_type", "even") != "even":
            raise ValueError("pad: only reflect_type='even' is supported")
        from .indexing import take
        out = array
        for k, (b, a) in enumerate(pairs):
            if b or a:
                # where each output position along axis k copies from
                src = np.pad(np.arange(shape[k], dtype=np.intp), (b, a), mode=mode)
                out = take(out, src, axis=k)
        return reshape(out, _shape_of(out))
    out = _pad(array, pairs=pairs)
    c = kwargs.get("constant_values", 0)
    if isinstance(c, Tensor):
        return out + _constant_fill(c, shape, pairs, out.dtype)
    if np.any(np.asarray(c) != 0):
        return out + np.pad(np.zeros(shape, dtype=out.dtype), pairs, constant_values=c)
    return out


def _constant_fill(c, shape, pairs, dtype):
    """The padding of a zero array with the constants c (a Tensor), as a differentiable
    gather from [0, c's (before, after) values per axis]."""
    from .indexing import take
    nd = len(shape)
    code = np.zeros(shape, dtype=np.intp)
    codes = np.arange(1, 2 * nd + 1, dtype=np.intp).reshape(nd, 2)
    code = np.pad(code, pairs, constant_values=codes) if nd else code
    values = reshape(broadcast_to(c, (nd, 2)), (-1,))
    values = concatenate([np.zeros(1, dtype=np.result_type(c.dtype, dtype)), values])
    return take(values, code)
