"""Adaptive pooling modules (torch.nn's names and arguments)."""
from . import functional as F
from .module import Module

__all__ = ["AdaptiveAvgPool2d"]


class AdaptiveAvgPool2d(Module):
    """The mean over output_size (an int, a pair, None entries keeping the input's size)
    bins of PyTorch's edges: bin i of an axis of length H covers
    floor(i·H/out) … ceil((i+1)·H/out) − 1 (F.adaptive_avg_pool2d)."""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"
