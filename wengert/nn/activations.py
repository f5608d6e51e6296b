"""Activation modules with torch.nn's names, constructor arguments and defaults. Each calls
its nn.functional counterpart (see there for the formula and the derivative at a kink).
`inplace` is accepted for torch's signature; the result is always a new tensor."""
from __future__ import annotations

from typing import Optional

from ..tensor import Tensor
from . import functional as F
from ._typing import TensorLike
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "GELU", "Softmax", "LogSoftmax", "LeakyReLU", "ELU",
           "SiLU", "Softplus", "Hardtanh"]


class ReLU(Module):
    """f(x) = max(x, 0), elementwise.

    f′(x) = 1 for x > 0 and 0 for x < 0; at the kink x = 0 the derivative is taken as 0
    (as PyTorch).

    Examples
    --------
    >>> nn.ReLU()(wg.tensor([-1., 0., 2.]))
    tensor([0., 0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """max(x, 0) (F.relu)."""
        return F.relu(input)

    def extra_repr(self) -> str:
        """ReLU's settings: 'inplace=True' when set, else nothing."""
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """f(x) = tanh(x), elementwise.   f′(x) = 1 − tanh²(x).

    Examples
    --------
    >>> nn.Tanh()(wg.tensor([0.]))
    tensor([0.])
    """

    def forward(self, input: TensorLike) -> Tensor:
        """tanh(x) (F.tanh)."""
        return F.tanh(input)


class Sigmoid(Module):
    """f(x) = σ(x) = 1/(1 + e^(−x)), elementwise.   f′(x) = σ(x)·(1 − σ(x)).

    Examples
    --------
    >>> nn.Sigmoid()(wg.tensor([0.]))
    tensor([0.5])
    """

    def forward(self, input: TensorLike) -> Tensor:
        """σ(x) (F.sigmoid)."""
        return F.sigmoid(input)


class GELU(Module):
    """f(x) = x·Φ(x), Φ the standard normal CDF; approximate='tanh' for
    0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).

    f′(x) = Φ(x) + x·φ(x) for the exact form (φ the normal density); smooth everywhere.

    Examples
    --------
    >>> nn.GELU()(wg.tensor([0., 1.])).numpy().round(4)
    array([0.    , 0.8413])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: TensorLike) -> Tensor:
        """x·Φ(x) or its tanh approximation (F.gelu)."""
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        """The approximate argument."""
        return f"approximate={self.approximate!r}"


def _implicit_dim(module: Module, input: TensorLike) -> int:
    """dim=None: for input of up to 2 dimensions the last axis, which is also PyTorch's
    implicit choice; for more, PyTorch's legacy choice (axis 0 for 3-d, 1 otherwise) is not
    the last axis, so rather than guess, the dim must be given."""
    shape = getattr(input, "shape", ())
    nd = len(shape)
    if nd > 2:
        raise ValueError(f"{type(module).__name__}(dim=None) on a {nd}-d input (shape "
                         f"{tuple(shape)}) is ambiguous: give dim= explicitly "
                         f"(e.g. dim=1 for the class axis, dim=-1 for the last)")
    return -1


class Softmax(Module):
    """softmax(x)_i = e^(x_i) / Σ_j e^(x_j) along `dim`.

    The Jacobian is diag(s) − s sᵀ, so the VJP is s·(g − Σ_j g_j s_j). dim=None is allowed
    for inputs of up to 2 dimensions (the last axis, as PyTorch's implicit choice) and an
    error for more.

    Examples
    --------
    >>> nn.Softmax(dim=-1)(wg.tensor([0., 0.]))
    tensor([0.5, 0.5])
    """

    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: TensorLike) -> Tensor:
        """The softmax along self.dim (F.softmax)."""
        return F.softmax(input, _implicit_dim(self, input) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        """The dim argument."""
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log_softmax(x)_i = x_i − log Σ_j e^(x_j) along `dim` (dim=None as for Softmax).

    The VJP is g − softmax(x)·Σ_j g_j. Computed without forming log(0) for finite x.

    Examples
    --------
    >>> y = nn.LogSoftmax(dim=-1)(wg.tensor([1., 1.]))
    >>> bool(abs(float(y[0]) + 0.6931) < 1e-4)
    True
    """

    def forward(self, input: TensorLike) -> Tensor:
        """The log-softmax along self.dim (F.log_softmax)."""
        return F.log_softmax(input, _implicit_dim(self, input) if self.dim is None
                             else self.dim)


class LeakyReLU(Module):
    """f(x) = x for x > 0, negative_slope·x otherwise.

    f′(x) = 1 for x > 0, negative_slope for x ≤ 0 (the kink x = 0 takes negative_slope).

    Examples
    --------
    >>> nn.LeakyReLU(0.1)(wg.tensor([-2., 3.]))
    tensor([-0.2,  3. ])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """The leaky ReLU of x (F.leaky_relu)."""
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        """negative_slope (and inplace when set)."""
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """f(x) = x for x > 0, alpha·(eˣ − 1) otherwise.

    f′(x) = 1 for x > 0, alpha·eˣ for x ≤ 0 (alpha at the kink x = 0).

    Examples
    --------
    >>> nn.ELU()(wg.tensor([0., 1.]))
    tensor([0., 1.])
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """The ELU of x (F.elu)."""
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        """alpha (and inplace when set)."""
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SiLU(Module):
    """f(x) = x·σ(x) (swish).   f′(x) = σ(x)·(1 + x·(1 − σ(x))); smooth everywhere.

    Examples
    --------
    >>> nn.SiLU()(wg.tensor([0.]))
    tensor([0.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """x·σ(x) (F.silu)."""
        return F.silu(input)

    def extra_repr(self) -> str:
        """SiLU's settings: 'inplace=True' when set, else nothing."""
        return "inplace=True" if self.inplace else ""


class Softplus(Module):
    """f(x) = (1/beta)·log(1 + e^(beta·x)), and x itself where beta·x > threshold.

    f′(x) = σ(beta·x) below the threshold, 1 above it.

    Examples
    --------
    >>> nn.Softplus()(wg.tensor([0.])).numpy().round(4)
    array([0.6931])
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input: TensorLike) -> Tensor:
        """The softplus of x (F.softplus)."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        """beta and threshold."""
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """f(x) = x clipped to [min_val, max_val].

    f′(x) = 1 strictly inside (min_val, max_val) and 0 elsewhere, the end points included
    (as torch).

    Examples
    --------
    >>> nn.Hardtanh()(wg.tensor([-3., 0.5, 3.]))
    tensor([-1. ,  0.5,  1. ])
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val "
                             f"({max_val})")
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace

    def forward(self, input: TensorLike) -> Tensor:
        """x clipped to [min_val, max_val] (F.hardtanh)."""
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        """min_val and max_val (and inplace when set)."""
        return (f"min_val={self.min_val}, max_val={self.max_val}"
                + (", inplace=True" if self.inplace else ""))
