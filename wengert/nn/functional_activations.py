"""The activations of torch.nn.functional beyond relu/tanh/sigmoid/gelu: leaky_relu, elu,
silu, softplus (with beta and threshold) and hardtanh.

Each is a composite of wengert primitives (where, expm1, sigmoid, softplus), so it has both
derivative rules and differentiates again. At a kink the derivative is PyTorch's choice,
stated in each docstring. Branches that are not taken are evaluated on safe arguments, so an
overflow there can never turn into a NaN gradient (0·inf). Masks are comparisons of the
Tensor (steps), never of its `.data`: wg.compile computes them on every call."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..ops import nn as _nn
from ..tensor import Tensor
from ..ops.elementwise import astype, expm1, maximum, minimum, where
from ._reduction import _tensor
from ._typing import TensorLike

__all__ = ["leaky_relu", "elu", "silu", "softplus", "hardtanh"]


def _zero_like_dtype(x: Tensor) -> np.ndarray:
    return np.zeros((), dtype=x.dtype if x.dtype.kind == "f" else np.float64)


def leaky_relu(input: TensorLike, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope·x otherwise.   f′ = 1 for x > 0, negative_slope for x ≤ 0
    (at the kink x = 0 the slope is negative_slope, as PyTorch). `inplace` is accepted for
    torch's signature; the result is always a new tensor.

    Examples
    --------
    >>> F.leaky_relu(wg.tensor([-2., 0., 3.]), 0.1)
    tensor([-0.2,  0. ,  3. ])
    """
    x = _tensor(input)
    return where(x > 0, x, x * negative_slope)


def elu(input: TensorLike, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, α·(eˣ − 1) otherwise.   f′ = 1 for x > 0, α·eˣ for x ≤ 0 (so α at the
    kink x = 0, as PyTorch). eˣ − 1 is evaluated as expm1 of min(x, 0): exact near 0, never
    overflowing on the branch not taken.

    Examples
    --------
    >>> F.elu(wg.tensor([-1000., 2.]))
    tensor([-1.,  2.])
    """
    x = _tensor(input)
    pos = x > 0
    neg = where(pos, _zero_like_dtype(x), x)
    return where(pos, x, alpha * expm1(neg))


def silu(input: TensorLike, inplace: bool = False) -> Tensor:
    """x·σ(x) (swish).   f′ = σ(x)·(1 + x·(1 − σ(x))). Smooth everywhere.

    Examples
    --------
    >>> F.silu(wg.tensor([0.]))
    tensor([0.])
    """
    x = _tensor(input)
    return x * _nn.sigmoid(x)


def softplus(input: TensorLike, beta: float = 1.0,
             threshold: Optional[float] = 20.0) -> Tensor:
    """(1/β)·log(1 + e^(βx)), and x itself where βx > threshold (as PyTorch: the two differ
    there by less than e^(−threshold)/β).   f′ = σ(βx) below the threshold, 1 above.
    log(1 + e^z) is evaluated as max(z, 0) + log1p(e^(−|z|)) (never overflows).

    Examples
    --------
    >>> F.softplus(wg.tensor([0., 100.])).numpy().round(4)
    array([  0.6931, 100.    ])
    """
    x = _tensor(input)
    if beta == 1.0:
        soft = _nn.softplus(x)
    else:
        soft = _nn.softplus(x * beta) / beta
    if threshold is None:
        return soft
    return where(x.detach() * beta > threshold, x, soft)     # (a mask: no graph through it)


def hardtanh(input: TensorLike, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val].   f′ = 1 strictly inside (min_val, max_val) and 0
    elsewhere, the end points included (PyTorch's convention, unlike np.clip's gradient).

    Examples
    --------
    >>> x = wg.tensor([-2., -1., 0.5], requires_grad=True)
    >>> F.hardtanh(x).sum().backward()
    >>> x.grad
    tensor([0., 0., 1.])
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val "
                         f"({max_val})")
    x = _tensor(input)
    inside = (x > min_val) & (x < max_val)
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    # (the clipped value as steps on the detached x: it is the input's, on every call)
    held = astype(minimum(maximum(x.detach(), min_val), max_val), dt)
    return where(inside, x, held)
