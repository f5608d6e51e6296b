"""The layers: torch.nn's names, constructor signatures, parameter shapes, initialisation
and reprs. Parameters are float32 unless `dtype=` says otherwise."""
import math
import numbers
from collections import OrderedDict

import numpy as np

from .. import creation
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["Identity", "Linear", "Flatten", "Sequential", "ModuleList", "Embedding", "Dropout",
           "LayerNorm", "BatchNorm1d", "BatchNorm2d", "ReLU", "Tanh", "Sigmoid", "GELU",
           "Softmax", "LogSoftmax", "Conv2d", "MaxPool2d", "AvgPool2d"]


def _param(shape, dtype):
    return Parameter(creation.empty(shape, dtype=dtype or np.float32))


def _pair(v):
    return (v, v) if isinstance(v, numbers.Integral) else tuple(v)


class Identity(Module):
    def forward(self, input):
        return input


class Linear(Module):
    """y = x Wᵀ + b, W of shape (out_features, in_features). W and b start as
    U(−1/√in_features, 1/√in_features) (kaiming_uniform_ with a = √5, as torch)."""

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _param((out_features, in_features), dtype)
        if bias:
            self.bias = _param((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None and self.in_features > 0:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Conv2d(Module):
    """2-d convolution (cross-correlation, as torch) over NCHW input; weight of shape
    (out_channels, in_channels, kh, kw), initialised like Linear with fan_in = C·kh·kw."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True,
                 dtype=None):
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

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
            if fan_in > 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.conv2d(input, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.bias is None:
            s += ", bias=False"
        return s


class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """The maximum of each kernel window (stride defaults to kernel_size)."""

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding)


class AvgPool2d(_Pool2d):
    """The mean of each kernel window (stride defaults to kernel_size; padding counts)."""

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)


class Flatten(Module):
    """Merge axes start_dim … end_dim (by default all but the batch axis)."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return F.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Sequential(Module):
    """Modules applied in order: Sequential(m0, m1, …) or Sequential(OrderedDict(name=m))."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input):
        for m in self._modules.values():
            input = m(input)
        return input

    def _index(self, idx):
        n = len(self._modules)
        if not isinstance(idx, numbers.Integral):
            raise TypeError(f"{type(self).__name__} indices must be integers or slices, "
                            f"not {type(idx).__name__}")
        if not -n <= idx < n:  # type: ignore[operator]  # typeshed's numbers ABCs: no order with int
            raise IndexError(f"index {idx} is out of range for {type(self).__name__} of "
                             f"length {n}")
        return idx % n

    def __getitem__(self, idx):
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(OrderedDict(items[idx]))
        return items[self._index(idx)][1]

    def __setitem__(self, idx, module):
        key = list(self._modules)[self._index(idx)]
        self.add_module(key, module)

    def __delitem__(self, idx):
        keys = list(self._modules)
        for k in (keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]):
            del self._modules[k]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent sees; no forward of its own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _index(self, idx):
        n = len(self._modules)
        if not isinstance(idx, numbers.Integral):
            raise TypeError(f"ModuleList indices must be integers or slices, not "
                            f"{type(idx).__name__}")
        if not -n <= idx < n:  # type: ignore[operator]  # typeshed's numbers ABCs: no order with int
            raise IndexError(f"index {idx} is out of range for ModuleList of length {n}")
        return idx % n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(self._index(idx))]

    def __setitem__(self, idx, module):
        self.add_module(str(self._index(idx)), module)

    def __delitem__(self, idx):
        mods = list(self._modules.values())
        del mods[idx if isinstance(idx, slice) else self._index(idx)]
        self._modules.clear()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module):
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)


class Embedding(Module):
    """A lookup table: input indices of any shape → rows of weight (num_embeddings,
    embedding_dim), initialised N(0, 1); the padding_idx row starts at 0 and gets no gradient."""

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=None):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError(f"padding_idx {padding_idx} must be within num_embeddings "
                             f"{num_embeddings}")
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.weight = _param((num_embeddings, embedding_dim), dtype)
        self.reset_parameters()

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s


class Dropout(Module):
    """Zeroes each element with probability p in training mode (survivors scaled by
    1/(1 − p)); the identity in eval mode."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class LayerNorm(Module):
    """Normalise over the trailing normalized_shape axes, then scale by weight (ones) and
    shift by bias (zeros)."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
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

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None, *, bias=True):
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

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def forward(self, input):
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

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation over (N, C) or (N, C, L) input, per channel C. In training mode
    the batch statistics are used and the running ones updated (momentum, unbiased
    variance); in eval mode the running statistics are used."""
    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation over (N, C, H, W) input, per channel C (see BatchNorm1d)."""
    _ndims = (4,)


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    def forward(self, input):
        return F.sigmoid(input)


class GELU(Module):
    """x·Φ(x); approximate='tanh' for the tanh approximation."""

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


def _implicit_dim(module, input):
    """dim=None: for input of up to 2 dimensions the last axis, which is also PyTorch's
    implicit choice; for more, PyTorch's legacy choice (axis 0 for 3-d, 1 otherwise) is not
    the last axis, so rather than guess, the dim must be given."""
    nd = len(input.shape) if hasattr(input, "shape") else 0
    if nd > 2:
        raise ValueError(f"{type(module).__name__}(dim=None) on a {nd}-d input (shape "
                         f"{tuple(input.shape)}) is ambiguous: give dim= explicitly "
                         f"(e.g. dim=1 for the class axis, dim=-1 for the last)")
    return -1


class Softmax(Module):
    """softmax along `dim`; dim=None is allowed for inputs of up to 2 dimensions (the last
    axis, as PyTorch's implicit choice) and an error for more."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, _implicit_dim(self, input) if self.dim is None else self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax along `dim` (dim=None as for Softmax)."""

    def forward(self, input):
        return F.log_softmax(input, _implicit_dim(self, input) if self.dim is None
                             else self.dim)
