"""torch.nn.utils' gradient clipping and parameter/vector conversion."""
from __future__ import annotations

import math
from typing import Any, Iterable, List, Optional, Union, cast

import numpy as np

from .. import creation
from ..grad_mode import no_grad
from ..tensor import Tensor
from ..ops.shape import concatenate, reshape

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector",
           "vector_to_parameters"]


Params = Union[Tensor, Iterable[Tensor]]


def _param_list(parameters: Params) -> List[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def clip_grad_norm_(parameters: Params, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Scale the gradients of `parameters` in place so that their total norm — the
    norm_type-norm of the vector of all gradient elements, i.e. (Σ_p ‖g_p‖ᵖ)^(1/p), or the
    largest |g| for norm_type=inf — is at most max_norm: each g is multiplied by
    min(1, max_norm/(total + 1e-6)), PyTorch's coefficient. Returns the total norm (before
    clipping) as a 0-d tensor of the gradients' dtype. Parameters without .grad are skipped.
    A NaN or infinite total is a RuntimeError when error_if_nonfinite=True (else the
    gradients are scaled by it, as torch does). `foreach` is accepted for torch's signature.

    Examples
    --------
    >>> p = nn.Parameter(wg.zeros(2))
    >>> p.grad = wg.tensor([3., 4.])
    >>> nn.utils.clip_grad_norm_([p], max_norm=1.0)
    tensor(5.)
    >>> p.grad.numpy().round(4)
    array([0.6, 0.8])
    """
    grads = [p.grad for p in _param_list(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return creation.tensor(0.0)
    dt = np.result_type(*(g.dtype for g in grads))
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g.data))) if g.size else 0.0 for g in grads)
    elif norm_type == -math.inf:
        total = min(float(np.min(np.abs(g.data))) if g.size else math.inf for g in grads)
    elif norm_type <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive (or ±inf), got "
                         f"{norm_type}")
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(sum(float(np.sum(np.abs(g.data.astype(np.float64)) ** norm_type))
                              for g in grads) ** (1.0 / norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           f"`parameters` is non-finite ({total}), so it cannot be clipped. "
                           f"To disable this error and scale the gradients by the non-finite "
                           f"norm anyway, set `error_if_nonfinite=False`")
    coef = min(float(max_norm) / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    if coef < 1.0 or math.isnan(coef):
        with no_grad():
            for g in grads:
                g[...] = g.data * np.asarray(coef, dtype=g.dtype)
    return creation.tensor(np.asarray(total, dtype=dt))


def clip_grad_value_(parameters: Params, clip_value: float,
                     foreach: Optional[bool] = None) -> None:
    """Clip every gradient element of `parameters` to [−clip_value, clip_value], in place.

    Examples
    --------
    >>> p = nn.Parameter(wg.zeros(3))
    >>> p.grad = wg.tensor([-5., 0.5, 5.])
    >>> nn.utils.clip_grad_value_([p], 1.0)
    >>> p.grad
    tensor([-1. ,  0.5,  1. ])
    """
    clip_value = float(clip_value)
    with no_grad():
        for p in _param_list(parameters):
            if p.grad is not None:
                g = p.grad
                g[...] = np.clip(g.data, -clip_value, clip_value)


def parameters_to_vector(parameters: Params) -> Tensor:
    """All of `parameters` flattened and concatenated into one 1-d tensor (differentiable:
    the vector's gradient flows back to the parameters).

    Examples
    --------
    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    ps = _param_list(parameters)
    if not ps:
        raise ValueError("parameters_to_vector: no parameters given")
    return concatenate([reshape(p, (-1,)) for p in ps])


def vector_to_parameters(vec: Tensor, parameters: Params) -> None:
    """Copy consecutive slices of the 1-d tensor `vec` into `parameters`, in place (each
    keeps its dtype); not recorded for differentiation, as in torch.

    Examples
    --------
    >>> m = nn.Linear(2, 1)
    >>> nn.utils.vector_to_parameters(wg.tensor([1., 2., 3.]), m.parameters())
    >>> m.weight, m.bias
    (tensor([[1., 2.]], dtype=float32, requires_grad=True), tensor([3.], dtype=float32, requires_grad=True))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got "
                        f"{type(vec).__name__}")
    ps = _param_list(parameters)
    n = sum(p.size for p in ps)
    if vec.ndim != 1 or vec.shape[0] != n:
        raise ValueError(f"vector_to_parameters: vec of shape {vec.shape} does not hold the "
                         f"{n} elements of the parameters (a 1-d vector of length {n})")
    v = vec.data
    i = 0
    with no_grad():
        for p in ps:
            cast(Any, p)[...] = v[i:i + p.size].reshape(p.shape)  # (__setitem__: from ops)
            i += p.size
