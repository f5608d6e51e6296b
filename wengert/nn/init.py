"""Weight initialisation, as torch.nn.init: each function fills a tensor in place (outside
the graph, like an optimizer step) from wengert's generator (`wg.manual_seed` makes it
reproducible) and returns the tensor.

Fans of a weight of shape (out, in, *kernel): fan_in = in·∏kernel, fan_out = out·∏kernel.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple, cast

import numpy as np

from .. import creation
from ..grad_mode import no_grad
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


def _fill(tensor: Tensor, values: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init fills a wengert Tensor, got {type(tensor).__name__}")
    with no_grad():
        cast(Any, tensor)[...] = values   # (Tensor.__setitem__ is installed by ops)
    return tensor


def _rng() -> np.random.Generator:
    return creation.generator()     # looked up per call: manual_seed replaces the generator


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The gain that keeps activations' variance steady: 1 for linear/conv/sigmoid, 5/3 for
    tanh, √2 for relu, √(2/(1 + slope²)) for leaky_relu (slope = param, default 0.01),
    3/4 for selu.

    Examples
    --------
    >>> round(nn.init.calculate_gain("relu"), 4), nn.init.calculate_gain("tanh")
    (1.4142, 1.6666666666666667)
    """
    linear_fns = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d")
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> Tuple[int, int]:
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, "
                         f"got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan_in_or_out(tensor: Tensor, mode: str) -> int:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill `tensor` in place with samples of U(a, b); returns it.

    Examples
    --------
    >>> w = nn.init.uniform_(wg.empty((100,)), -0.5, 0.5)
    >>> bool((w.numpy() >= -0.5).all() and (w.numpy() < 0.5).all())
    True
    """
    return _fill(tensor, _rng().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill `tensor` in place with samples of N(mean, std²); returns it."""
    return _fill(tensor, _rng().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill `tensor` in place with the value `val`; returns it.

    Examples
    --------
    >>> nn.init.constant_(wg.empty((2,)), 0.5)
    tensor([0.5, 0.5])
    """
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill `tensor` in place with zeros; returns it."""
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill `tensor` in place with ones; returns it."""
    return _fill(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill in place from U(−a, a), a = gain·√(6/(fan_in + fan_out))  (Glorot & Bengio,
    2010), so that Var = gain²·2/(fan_in + fan_out); returns the tensor.

    Examples
    --------
    >>> w = nn.init.xavier_uniform_(wg.empty((30, 20)))
    >>> bool(abs(w.numpy()).max() <= (6 / 50) ** 0.5)
    True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    a = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -a, a)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill in place from N(0, std²), std = gain·√(2/(fan_in + fan_out)); returns the
    tensor."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """U(−b, b), b = gain·√(3/fan), gain = calculate_gain(nonlinearity, a)  (He et al., 2015).
    Linear and Conv2d use a = √5, which gives b = 1/√fan_in. Fills in place; returns the
    tensor."""
    fan = _fan_in_or_out(tensor, mode)
    if fan == 0:
        return tensor                       # an empty weight: nothing to fill
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """Fill in place from N(0, std²), std = gain/√fan, gain = calculate_gain(nonlinearity,
    a), fan the fan_in or fan_out of `mode`  (He et al., 2015); returns the tensor."""
    fan = _fan_in_or_out(tensor, mode)
    if fan == 0:
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan))
