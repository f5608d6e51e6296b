"""The layers: torch.nn's names, constructor signatures, parameter shapes, initialisation
and reprs. Parameters are float32 unless `dtype=` says otherwise."""
from __future__ import annotations

import math
from typing import Optional, Sequence, Tuple, Union, cast

import numpy as np

from .. import creation
from ..tensor import Tensor
from . import functional as F
from . import init
from ._typing import DTypeLike, IntPair, TensorLike
from .module import Module, Parameter
# the activation modules and the list containers lived here first; importing them from this
# module keeps working
from .activations import GELU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh  # noqa: F401
from .containers import ModuleList, Sequential  # noqa: F401

__all__ = ["Identity", "Linear", "Flatten", "Embedding", "Dropout", "LayerNorm", "BatchNorm1d",
           "BatchNorm2d", "Conv2d", "MaxPool2d", "AvgPool2d"]


def _param(shape: Tuple[int, ...], dtype: DTypeLike) -> Tensor:
    return Parameter(creation.empty(shape, dtype=dtype or np.float32))


def _pair(v: IntPair) -> Tuple[int, int]:
    if isinstance(v, (int, np.integer)):
        return (int(v), int(v))
    return cast(Tuple[int, int], tuple(v))


class Identity(Module):
    """The identity map: forward returns its input unchanged (a placeholder layer).

    The derivative is the identity too: the gradient passes through as it is.

    Examples
    --------
    >>> nn.Identity()(wg.tensor([1., 2.]))
    tensor([1., 2.])
    """

    def forward(self, input: Tensor) -> Tensor:
        """Return `input` itself (the same object)."""
        return input


class Linear(Module):
    """A fully connected layer: y = x Wᵀ + b.

    W has shape (out_features, in_features) and b shape (out_features,); x has shape
    (..., in_features) and y shape (..., out_features). The derivatives: ∂L/∂x = g W,
    ∂L/∂W = gᵀ x, ∂L/∂b = Σ g over the leading axes (g = ∂L/∂y). W and b start as
    U(−1/√in_features, 1/√in_features) (kaiming_uniform_ with a = √5, as torch).

    Parameters
    ----------
    in_features, out_features : int
        The sizes of the input's and output's last axis.
    bias : bool
        Whether to add the learned bias b (default True).
    dtype : dtype, optional
        The parameters' dtype (float32 by default).

    Examples
    --------
    >>> m = nn.Linear(3, 2)
    >>> m(wg.ones((4, 3))).shape
    (4, 2)
    >>> m
    Linear(in_features=3, out_features=2, bias=True)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _param((out_features, in_features), dtype)
        if bias:
            self.bias = _param((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W and b afresh from U(−1/√in_features, 1/√in_features) (in place)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None and self.in_features > 0:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: TensorLike) -> Tensor:
        """x Wᵀ + b for x of shape (..., in_features) (F.linear)."""
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        """in_features, out_features and whether there is a bias."""
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """A 2-d convolution (cross-correlation, as torch) over NCHW input.

    y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v] · x[n, c, s_h·i + u − p_h, s_w·j + v − p_w]
    with zero padding p and stride s; the output is (N, out_channels, H_out, W_out) with
    H_out = ⌊(H + 2p_h − kh)/s_h⌋ + 1. The gradient in x is the transposed convolution of g,
    in W the correlation of x with g. W has shape (out_channels, in_channels, kh, kw) and is
    initialised like Linear's with fan_in = in_channels·kh·kw.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and the output.
    kernel_size, stride, padding : int or (int, int)
        Window size, step and zero padding (one value for both axes, or (h, w)).
    bias : bool
        Whether to add a learned bias per output channel.
    dtype : dtype, optional
        The parameters' dtype (float32 by default).

    Examples
    --------
    >>> conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)
    >>> conv(wg.ones((2, 1, 5, 5))).shape
    (2, 4, 5, 5)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: IntPair,
                 stride: IntPair = 1, padding: IntPair = 0, bias: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size)
        self.stride = _pair(stride)
        self.padding = _pair(padding)
        self.weight = _param((out_channels, in_channels) + self.kernel_size, dtype)
        if bias:
            self.bias = _param((out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W and b afresh from U(−1/√fan_in, 1/√fan_in), fan_in = in_channels·kh·kw."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            if fan_in > 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input: TensorLike) -> Tensor:
        """The convolution of an (N, C, H, W) input (F.conv2d)."""
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        """Channels, kernel size and stride; padding and bias when not the defaults."""
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _Pool2d(Module):
    def __init__(self, kernel_size: IntPair, stride: Optional[IntPair] = None,
                 padding: IntPair = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self) -> str:
        """Kernel size, stride and padding."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each kernel window of an NCHW input (stride defaults to kernel_size).

    y = max over the window; the gradient goes to the window's arg-max only (the first one in
    row-major order at a tie).

    Examples
    --------
    >>> x = wg.arange(16.).reshape(1, 1, 4, 4)
    >>> nn.MaxPool2d(2)(x)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """

    def forward(self, input: TensorLike) -> Tensor:
        """The window maxima (F.max_pool2d)."""
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each kernel window of an NCHW input (stride defaults to kernel_size).

    y = (1/(kh·kw))·Σ over the window, zero padding counted in the mean; each input element
    receives g/(kh·kw) from every window that holds it.

    Examples
    --------
    >>> x = wg.arange(16.).reshape(1, 1, 4, 4)
    >>> nn.AvgPool2d(2)(x)
    tensor([[[[ 2.5,  4.5],
              [10.5, 12.5]]]])
    """

    def forward(self, input: TensorLike) -> Tensor:
        """The window means (F.avg_pool2d)."""
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)


class Flatten(Module):
    """Merge axes start_dim … end_dim into one (by default all but the batch axis).

    A reshape: the gradient is g reshaped back to the input's shape.

    Examples
    --------
    >>> nn.Flatten()(wg.ones((2, 3, 4))).shape
    (2, 12)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: TensorLike) -> Tensor:
        """The input with axes start_dim … end_dim merged (F.flatten)."""
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """start_dim and end_dim."""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Embedding(Module):
    """A lookup table: y = W[i], one row of W (num_embeddings, embedding_dim) per index.

    The input holds integer indices of any shape; the output has shape input.shape +
    (embedding_dim,). ∂L/∂W[k] = Σ of g over the positions whose index is k (repeated indices
    accumulate). W starts N(0, 1); the padding_idx row starts at 0 and gets no gradient.

    Examples
    --------
    >>> emb = nn.Embedding(10, 3, padding_idx=0)
    >>> emb(wg.tensor([[0, 2], [4, 0]])).shape
    (2, 2, 3)
    >>> emb.weight[0]
    tensor([0., 0., 0.], dtype=float32, grad_fn=<IndexBackward>)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int,
                 padding_idx: Optional[int] = None, dtype: DTypeLike = None) -> None:
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"padding_idx {padding_idx} must be within num_embeddings "
                             f"{num_embeddings}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = _param((num_embeddings, embedding_dim), dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw W afresh from N(0, 1), the padding_idx row set to 0."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: TensorLike) -> Tensor:
        """The rows W[input] (F.embedding)."""
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        """Table size, embedding size and padding_idx when set."""
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s


class Dropout(Module):
    """Inverted dropout: in training mode y = x·m/(1 − p), m ~ Bernoulli(1 − p) per element.

    E[y] = x, so eval mode is the identity and needs no rescaling. The gradient is
    g·m/(1 − p), with the same mask m as the forward pass.

    Examples
    --------
    >>> d = nn.Dropout(0.5).eval()
    >>> d(wg.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """x with dropout applied when self.training, else x (F.dropout)."""
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        """p and inplace."""
        return f"p={self.p}, inplace={self.inplace}"


class LayerNorm(Module):
    """y = (x − μ)/√(σ² + eps)·weight + bias over the trailing normalized_shape axes.

    μ and the biased σ² are taken per sample over those axes; weight starts at ones and bias
    at zeros. The derivative flows through μ and σ² too (F.layer_norm is a composite).

    Examples
    --------
    >>> ln = nn.LayerNorm(4)
    >>> y = ln(wg.tensor([[1., 2., 3., 4.]]))
    >>> print(float(y.mean()), round(float((y * y).mean()), 4))
    0.0 1.0
    """

    def __init__(self, normalized_shape: Union[int, Sequence[int]], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 dtype: DTypeLike = None) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (int(normalized_shape),)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(creation.ones(self.normalized_shape, dtype=dtype or np.float32))
            if bias:
                self.bias = Parameter(creation.zeros(self.normalized_shape,
                                                     dtype=dtype or np.float32))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: TensorLike) -> Tensor:
        """The normalised, scaled and shifted input (F.layer_norm)."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """normalized_shape, eps, elementwise_affine and bias."""
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class _BatchNorm(Module):
    _ndims: Tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Optional[float] = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: DTypeLike = None, *, bias: bool = True) -> None:
        super().__init__()
        dt = dtype or np.float32
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(creation.ones((num_features,), dtype=dt))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(creation.zeros((num_features,), dtype=dt))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros((num_features,), dtype=dt))
            self.register_buffer("running_var", creation.ones((num_features,), dtype=dt))
            self.register_buffer("num_batches_tracked", creation.tensor(0, dtype=np.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Set running_mean to 0, running_var to 1 and num_batches_tracked to 0."""
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def forward(self, input: Tensor) -> Tensor:
        """Normalise per channel: with the batch's statistics in training mode (updating the
        running ones), with the running statistics in eval mode (F.batch_norm)."""
        nd = input.ndim
        if nd not in self._ndims:
            raise ValueError(f"{type(self).__name__} expects a "
                             f"{' or '.join(f'{d}-d' for d in self._ndims)} input, got shape "
                             f"{input.shape}")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            nbt = self.num_batches_tracked
            nbt.data[...] += 1              # a counter outside any graph
            nbt._version += 1
            if self.momentum is None:       # cumulative moving average
                momentum = 1.0 / float(nbt.data)
        use_batch = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if track else None,
                            self.running_var if track else None, self.weight, self.bias,
                            use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        """num_features, eps, momentum, affine, bias and track_running_stats."""
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input, per channel C.

    y = (x − μ_c)/√(σ²_c + eps)·weight_c + bias_c. In training mode μ_c and the biased σ²_c
    are the batch's (over N and L; the gradient flows through them), and the running
    statistics are updated as r ← (1 − momentum)·r + momentum·stat with the unbiased variance
    (momentum=None: the cumulative average). In eval mode the running statistics are used.

    Examples
    --------
    >>> bn = nn.BatchNorm1d(2)
    >>> y = bn(wg.tensor([[1., 10.], [3., 30.]]))
    >>> y.detach().numpy().round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean
    tensor([0.2, 2. ], dtype=float32)
    """
    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) input, per channel C (over N, H and W).

    The formula, the running statistics and the modes are those of BatchNorm1d.

    Examples
    --------
    >>> nn.BatchNorm2d(3)(wg.ones((2, 3, 4, 4))).shape
    (2, 3, 4, 4)
    """
    _ndims = (4,)
