"""Convolution and pooling over images (NCHW), with torch.nn.functional's semantics.

One new primitive pair does the work: `im2col`, linear, which lays every kernel window of a
(padded) image out as columns, and its transpose `col2im`, which adds windows back:

    im2col(x)[n, c, p, q, i, j] = x[n, c, i·sh + p, j·sw + q]        (kh × kw windows, stride s)
    col2im(g)[n, c, y, x]       = Σ over (p, q, i, j) with i·sh + p = y, j·sw + q = x of g[…]

Everything else is existing ops on those columns:

    conv2d      y[n, o] = W₂ @ cols[n] (+ b),  W₂ = w.reshape(O, C·kh·kw),
                cols[n] = im2col(x)[n].reshape(C·kh·kw, Ho·Wo)
                ∂/∂w = Σₙ g[n] @ cols[n]ᵀ,      ∂/∂x = col2im(W₂ᵀ @ g), unpadded
    max_pool2d  max over each window (padding is −inf); ∂ splits g evenly among tied maxima
    avg_pool2d  mean over each window (padding is 0 and counts: count_include_pad=True)

so reverse and forward mode, every order, and batches of tangents or cotangents come from
the rules of matmul, reshape, pad, max, mean and this pair. The column layout
(n, c, p, q, i, j) makes cols[n] a contiguous (C·kh·kw, Ho·Wo) matrix (im2col makes the one
copy), and W₂ @ cols lands directly in NCHW order. The alternative, one big GEMM over rows
(n, i, j), gathers those rows with a poor stride and needs transposing copies of the output
and its cotangent (figures: benchmarks/README.md, "Special cases"). The composition keeps
pace with torch's convolution, so conv2d has no primitive of its own.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..tensor import Tensor
from ._primitive import linear
from .linalg.products import matmul
from .reduction import max as _max, mean as _mean
from .padding import pad as _pad
from .shape import reshape as _reshape

__all__ = ["conv2d", "max_pool2d", "avg_pool2d"]


# ---- im2col and col2im ----------------------------------------------------------------------
# Both take any leading axes in front of (N, C, ·, ·): the image axes are addressed from the
# right, so a batch of tangents (forward) or cotangents (transpose) passes through.

def _im2col_fwd(x, kh, kw, sh, sw):
    """lead + (N, C, H, W) → lead + (N, C, kh, kw, Ho, Wo), copied out of a strided window
    view into contiguous memory: NumPy's max/sum over the window axes of the view itself
    run tiny strided inner loops, while the copy costs one pass over the result and gives
    them contiguous ones (benchmarks/README.md, "Special cases"); conv2d's product needs the
    copy anyway."""
    if isinstance(x, Tensor):
        return _im2col(x, kh=kh, kw=kw, sh=sh, sw=sw)
    v = sliding_window_view(x, (kh, kw), axis=(-2, -1))[..., ::sh, ::sw, :, :]
    return np.ascontiguousarray(np.moveaxis(v, (-2, -1), (-4, -3)))


def _col2im_fwd(g, kh, kw, sh, sw, h, w):
    """lead + (N, C, kh, kw, Ho, Wo) → lead + (N, C, h, w), overlapping windows adding up.
    One strided slice-add per kernel offset (kh·kw of them), each over all pixels at once."""
    if isinstance(g, Tensor):
        return _col2im(g, kh=kh, kw=kw, sh=sh, sw=sw, h=h, w=w)
    g = np.asarray(g)
    ho, wo = g.shape[-2:]
    lead = g.shape[:-4]
    if sh == kh and sw == kw and ho * kh == h and wo * kw == w:
        # windows tile the image exactly (pooling's usual case): one transposing copy
        t = np.moveaxis(g, (-4, -3), (-3, -1))          # lead, Ho, kh, Wo, kw
        return t.reshape(lead + (h, w))
    out = np.zeros(lead + (h, w), dtype=g.dtype)
    ys, xs = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    for p in range(kh):
        for q in range(kw):
            out[..., p:p + ys:sh, q:q + xs:sw] += g[..., p, q, :, :]
    return out


def _im2col_transpose(g, x_shape, kh, kw, sh, sw):
    return _col2im_fwd(g, kh, kw, sh, sw, x_shape[-2], x_shape[-1])


def _col2im_transpose(g, g_shape, kh, kw, sh, sw, h, w):
    return _im2col_fwd(g, kh, kw, sh, sw)


_im2col = linear("im2col", _im2col_fwd, _im2col_transpose,
                 doc="Every kh×kw window (stride sh, sw) of the last two axes as columns "
                     "(…, kh, kw, Ho, Wo). Linear; its transpose is col2im.")
_col2im = linear("col2im", _col2im_fwd, _col2im_transpose,
                 doc="Adds windows (…, kh, kw, Ho, Wo) back into an h×w image, overlaps "
                     "summing. Linear; its transpose is im2col.")


# ---- argument checking ------------------------------------------------------------------------

def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _pair(v, what, fname):
    """An int or a pair of ints as an (h, w) pair of Python ints."""
    if _is_int(v):
        return int(v), int(v)
    if isinstance(v, (tuple, list)) and all(_is_int(e) for e in v):
        if len(v) != 2:
            raise ValueError(f"{fname}: {what} must be an int or a pair (h, w), got {v!r}")
        return int(v[0]), int(v[1])
    raise TypeError(f"{fname}: {what} must be an int or a pair of ints (h, w), got {v!r}")


def _array(a, what, fname, ndim):
    """A Tensor as is, anything array-like as an ndarray; numbers only, `ndim` axes."""
    if not isinstance(a, Tensor):
        arr = np.asarray(a)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{fname}: {what} must be a real tensor or array, got "
                            f"{type(a).__name__} of dtype {arr.dtype}")
        a = arr
    shape = a.shape
    if len(shape) != ndim:
        layout = {4: " (N, C, H, W)" if what == "input" else " (O, C, kh, kw)", 1: " (O,)"}[ndim]
        raise ValueError(f"{fname}: {what} must have {ndim} dimensions{layout}, got shape {shape}")
    return a


def _geometry(fname, shape, kernel, stride, padding):
    """Checked (kh, kw), (sh, sw), (ph, pw) for an image of `shape` (N, C, H, W)."""
    if min(kernel) < 1:
        raise ValueError(f"{fname}: kernel size must be positive, got {kernel}")
    if min(stride) < 1:
        raise ValueError(f"{fname}: stride must be positive, got {stride}")
    if min(padding) < 0:
        raise ValueError(f"{fname}: padding must be non-negative, got {padding}")
    h, w = shape[2] + 2 * padding[0], shape[3] + 2 * padding[1]
    if kernel[0] > h or kernel[1] > w:
        raise ValueError(f"{fname}: kernel size {kernel} is larger than the padded input "
                         f"({h}, {w}) (input shape {shape}, padding {padding})")


def _pool_args(fname, input, kernel_size, stride, padding):
    x = _array(input, "input", fname, 4)
    kernel = _pair(kernel_size, "kernel_size", fname)
    stride = kernel if stride is None else _pair(stride, "stride", fname)
    padding = _pair(padding, "padding", fname)
    _geometry(fname, x.shape, kernel, stride, padding)
    if 2 * padding[0] > kernel[0] or 2 * padding[1] > kernel[1]:
        # as in torch: every window then holds at least one input element
        raise ValueError(f"{fname}: padding {padding} must be at most half the kernel size "
                         f"{kernel}")
    return x, kernel, stride, padding


def _padded(x, padding, value=0):
    ph, pw = padding
    if not (ph or pw):
        return x
    pairs = ((0, 0), (0, 0), (ph, ph), (pw, pw))
    return _pad(x, pairs) if value == 0 else _pad(x, pairs, constant_values=value)


def _windows(x, kernel, stride):
    return _im2col(x, kh=kernel[0], kw=kernel[1], sh=stride[0], sw=stride[1])


# ---- public functions --------------------------------------------------------------------------

def conv2d(input, weight, bias=None, stride=1, padding=0):
    """2-D cross-correlation (torch's conv2d): input (N, C, H, W), weight (O, C, kh, kw),
    bias (O,) or None; stride and padding (zeros) an int or an (h, w) pair. Returns
    (N, O, Ho, Wo), Ho = (H + 2ph − kh) // sh + 1, with

        y[n, o, i, j] = b[o] + Σ_{c,p,q} w[o, c, p, q] · x̃[n, c, i·sh + p, j·sw + q]

    (x̃ the padded input). ∂/∂w = Σₙ g[n] @ cols[n]ᵀ, ∂/∂x = col2im(W₂ᵀ @ g) without the
    padding, ∂/∂b = Σ_{n,i,j} g: see the module docstring."""
    fname = "conv2d"
    x = _array(input, "input", fname, 4)
    w = _array(weight, "weight", fname, 4)
    stride = _pair(stride, "stride", fname)
    padding = _pair(padding, "padding", fname)
    n, c = x.shape[:2]
    o, cw, kh, kw = w.shape
    if cw != c:
        raise ValueError(f"conv2d: input of shape {x.shape} has {c} channels but weight of "
                         f"shape {w.shape} expects {cw}")
    _geometry(fname, x.shape, (kh, kw), stride, padding)
    if bias is not None:
        bias = _array(bias, "bias", fname, 1)
        if bias.shape[0] != o:
            raise ValueError(f"conv2d: bias of shape {bias.shape} does not match weight of "
                             f"shape {w.shape} ({o} output channels)")
    cols = _windows(_padded(x, padding), (kh, kw), stride)     # N, C, kh, kw, Ho, Wo
    ho, wo = cols.shape[-2:]
    y = matmul(_reshape(w, (o, c * kh * kw)), _reshape(cols, (n, c * kh * kw, ho * wo)))
    y = _reshape(y, (n, o, ho, wo))
    if bias is not None:
        y = y + _reshape(bias, (o, 1, 1))
    return y


def max_pool2d(input, kernel_size, stride=None, padding=0):
    """The maximum over each kernel_size window (torch's max_pool2d): input (N, C, H, W),
    stride defaulting to kernel_size, padding with −inf of at most half the kernel.
    Returns (N, C, Ho, Wo), Ho = (H + 2ph − kh) // sh + 1.

    ∂y/∂xᵢ = [xᵢ = y] / #{j in the window : xⱼ = y}: where several elements of a window tie
    for its maximum, the gradient is split evenly among them (wengert's max convention; torch
    gives it all to one of them). With overlapping windows an element collects from each
    window it wins."""
    fname = "max_pool2d"
    x, kernel, stride, padding = _pool_args(fname, input, kernel_size, stride, padding)
    dt = x.dtype
    low = -np.inf if dt.kind == "f" else np.iinfo(dt).min if dt.kind in "iu" else False
    cols = _windows(_padded(x, padding, low), kernel, stride)
    return _max(cols, axis=(-4, -3))


def avg_pool2d(input, kernel_size, stride=None, padding=0):
    """The mean over each kernel_size window (torch's avg_pool2d with count_include_pad=True):
    input (N, C, H, W), stride defaulting to kernel_size, zero padding of at most half the
    kernel, counted in every window's kh·kw. Returns (N, C, Ho, Wo).
    ∂y/∂xᵢ = 1/(kh·kw) for each window holding xᵢ."""
    fname = "avg_pool2d"
    x, kernel, stride, padding = _pool_args(fname, input, kernel_size, stride, padding)
    cols = _windows(_padded(x, padding), kernel, stride)
    return _mean(cols, axis=(-4, -3))
