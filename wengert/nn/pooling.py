"""Adaptive pooling modules (torch.nn's names and arguments)."""
from __future__ import annotations

from typing import Optional, Tuple, Union

from ..tensor import Tensor
from . import functional as F
from ._typing import TensorLike
from .module import Module

__all__ = ["AdaptiveAvgPool2d"]


class AdaptiveAvgPool2d(Module):
    """The mean over output_size (an int, a pair, None entries keeping the input's size)
    bins of PyTorch's edges: bin i of an axis of length H covers
    floor(i·H/out) … ceil((i+1)·H/out) − 1 (F.adaptive_avg_pool2d).

    Each output cell is a mean of its bin, so the gradient sends g/(bin size) to every input
    element of the bin (an element in two overlapping bins gets both shares).

    Examples
    --------
    >>> x = wg.arange(16.).reshape(1, 1, 4, 4)
    >>> nn.AdaptiveAvgPool2d(1)(x)
    tensor([[[[7.5]]]])
    >>> nn.AdaptiveAvgPool2d((2, None))(x).shape
    (1, 1, 2, 4)
    """

    def __init__(self, output_size: Union[int, None, Tuple[Optional[int], Optional[int]]]) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: TensorLike) -> Tensor:
        """The adaptive average pooling of an (N, C, H, W) or (C, H, W) input."""
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        """The output_size argument."""
        return f"output_size={self.output_size}"
