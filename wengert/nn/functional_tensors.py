"""torch.nn.functional's one_hot, pad (PyTorch's order of pad widths) and
adaptive_avg_pool2d (PyTorch's bin edges), on wengert primitives."""
from __future__ import annotations

import numbers
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .. import creation
from ..tensor import Tensor
from ..ops import _operands
from ..ops.linalg.products import matmul
from ..ops.padding import pad as _np_pad
from ._reduction import _shape, _tensor
from ._typing import TensorLike

__all__ = ["one_hot", "pad", "adaptive_avg_pool2d"]


def one_hot(tensor: TensorLike, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape tensor.shape + (num_classes,) with a 1 at each index and 0
    elsewhere (not differentiable: its input is integers). num_classes=-1 takes max + 1.

    Examples
    --------
    >>> F.one_hot(wg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    # (read through the door a compiling tracer guards: a traced index is refused there)
    t = np.asarray(_operands.read_values(tensor, "F.one_hot"))
    if t.dtype.kind not in "iu":
        raise TypeError(f"one_hot is only applicable to index tensors (integer dtype), got "
                        f"dtype {t.dtype}")
    if not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, bool):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes == -1:
        if t.size == 0:
            raise ValueError("one_hot: can not infer the number of classes from an empty "
                             "tensor; give num_classes")
        num_classes = int(t.max()) + 1
    elif num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    if t.size:
        if t.min() < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {t.min()}")
        if t.max() >= num_classes:
            raise ValueError(f"one_hot: class values must be smaller than num_classes "
                             f"({num_classes}), got {t.max()}")
    out = np.zeros(t.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, t[..., None].astype(np.intp), 1, axis=-1)
    return creation.tensor(out)


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
              "circular": "wrap"}


def pad(input: TensorLike, pad: Sequence[int], mode: str = "constant",
        value: Optional[float] = None) -> Tensor:
    """`input` padded as torch.nn.functional.pad: `pad` lists (before, after) widths from the
    LAST dimension backwards — (left, right) pads the last axis, (left, right, top, bottom)
    the last two, and so on. Modes: 'constant' (filled with `value`, default 0), 'reflect'
    (mirrored without repeating the edge), 'replicate' (the edge repeated), 'circular'
    (wrapped around). Differentiable in `input`: the gradient of constant padding is the
    middle slice of g; in the copying modes each copy of an element adds its g to it.
    Negative widths (cropping) are not supported: slice the tensor instead.

    Examples
    --------
    >>> F.pad(wg.tensor([[1., 2.]]), (1, 2))
    tensor([[0., 1., 2., 0., 0.]])
    >>> F.pad(wg.tensor([[1., 2., 3.]]), (2, 0), mode="reflect")
    tensor([[3., 2., 1., 2., 3.]])
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode {mode!r} is not supported; use one of "
                         f"{tuple(_PAD_MODES)}")
    if isinstance(pad, numbers.Integral) or not all(isinstance(p, numbers.Integral)
                                                    for p in pad):
        raise TypeError(f"pad must be a tuple of ints, got {pad!r}")
    pad = tuple(int(p) for p in pad)
    shape = _shape(input)
    nd = len(shape)
    if len(pad) % 2:
        raise ValueError(f"pad: padding length must be divisible by 2, got {len(pad)}")
    k = len(pad) // 2
    if k > nd:
        raise ValueError(f"pad: padding length {len(pad)} is too large for a tensor of "
                         f"{nd} dimensions (shape {shape}); at most {2 * nd}")
    if any(p < 0 for p in pad):
        raise ValueError(f"pad: negative padding {pad} (cropping) is not supported; slice "
                         f"the tensor instead")
    pairs = [(0, 0)] * nd
    for i in range(k):
        pairs[nd - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    if mode != "constant":
        if value not in (None, 0):
            raise ValueError(f"pad: mode {mode!r} does not take a value argument")
        for ax, (b, a) in enumerate(pairs):
            limit = shape[ax] - 1 if mode == "reflect" else shape[ax]
            if (b or a) and (b > limit or a > limit):
                raise ValueError(f"pad: in mode {mode!r} the padding ({b}, {a}) of dimension "
                                 f"{ax} must be at most {limit} for its size {shape[ax]}")
        return _np_pad(_tensor(input), tuple(pairs), mode=_PAD_MODES[mode])
    return _np_pad(_tensor(input), tuple(pairs), mode="constant",
                   constant_values=0 if value is None else value)


def _bins(n: int, out: int) -> np.ndarray:
    """The averaging matrix (out, n): row i holds 1/len over PyTorch's bin
    [floor(i·n/out), ceil((i+1)·n/out))."""
    m = np.zeros((out, n))
    for i in range(out):
        lo = (i * n) // out
        hi = -((-(i + 1) * n) // out)
        m[i, lo:hi] = 1.0 / (hi - lo)
    return m


def _out_pair(output_size: Any, h: int, w: int) -> Tuple[int, int]:
    if isinstance(output_size, numbers.Integral) or output_size is None:
        output_size = (output_size, output_size)
    if len(output_size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got "
                         f"{output_size!r}")
    oh, ow = (h if output_size[0] is None else output_size[0],
              w if output_size[1] is None else output_size[1])
    if not all(isinstance(v, (int, np.integer)) and v > 0 for v in (oh, ow)):
        raise ValueError(f"adaptive_avg_pool2d: output_size must be positive ints (or None "
                         f"to keep the input's size), got {output_size!r}")
    return int(oh), int(ow)


def adaptive_avg_pool2d(input: TensorLike,
                        output_size: Union[int, None, Tuple[Optional[int], Optional[int]]]) -> Tensor:
    """The mean over PyTorch's adaptive bins of a (N, C, H, W) or (C, H, W) input: output
    cell (i, j) averages rows floor(i·H/oh) … ceil((i+1)·H/oh) − 1 and the columns likewise
    (bins may overlap when H is not a multiple of oh). Computed as A_h · x · A_wᵀ with
    constant averaging matrices, so it differentiates to any order.

    Examples
    --------
    >>> F.adaptive_avg_pool2d(wg.arange(9.).reshape(1, 3, 3), 2)
    tensor([[[2., 3.],
             [5., 6.]]])
    """
    x = _tensor(input)
    if x.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d expects a 3-d (C, H, W) or 4-d (N, C, H, W) "
                         f"input, got shape {x.shape}")
    h, w = x.shape[-2:]
    if h == 0 or w == 0:
        raise ValueError(f"adaptive_avg_pool2d: input shape {x.shape} has an empty spatial "
                         f"dimension")
    oh, ow = _out_pair(output_size, h, w)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    ah = _bins(h, oh).astype(dt)
    awt = np.ascontiguousarray(_bins(w, ow).T).astype(dt)
    return matmul(matmul(ah, x), awt)

