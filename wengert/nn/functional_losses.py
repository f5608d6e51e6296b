"""The losses of torch.nn.functional beyond functional.py's: smooth_l1_loss, huber_loss and
kl_div. Composites of wengert primitives (they differentiate in both modes and again)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..tensor import Tensor
from ..ops.elementwise import absolute, exp, log, where
from ..ops.reduction import sum as _sum
from ._reduction import (_REDUCTIONS, _check_reduction, _legacy_reduction, _reduce,
                         _same_shape, _tensor)
from ._typing import TensorLike

__all__ = ["smooth_l1_loss", "huber_loss", "kl_div"]

_KL_REDUCTIONS = _REDUCTIONS + ("batchmean",)


def _huber_terms(input: TensorLike, target: TensorLike, delta: float) -> Tensor:
    """0.5·d² for |d| < delta, delta·(|d| − 0.5·delta) otherwise, d = x − y."""
    d = input - target
    ad = absolute(d)
    small = ad < delta          # (a step: wg.compile computes the mask on every call)
    return where(small, 0.5 * d * d, delta * (ad - 0.5 * delta))


def smooth_l1_loss(input: TensorLike, target: TensorLike, size_average: Optional[bool] = None,
                   reduce: Optional[bool] = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """With d = x − y: 0.5·d²/β for |d| < β, |d| − 0.5·β otherwise; reduced. β = 0 is the
    L1 loss.   ∂/∂x = d/β inside, sign(d) outside (continuous; 0 at d = 0).
    `size_average`/`reduce` are PyTorch's deprecated arguments (see nn.MSELoss).

    Examples
    --------
    >>> F.smooth_l1_loss(wg.tensor([0.5, 3.]), wg.tensor([0., 0.]), reduction="none")
    tensor([0.125, 2.5  ])
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _same_shape("smooth_l1_loss", input, target)
    _check_reduction(reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss does not support negative values for beta, got "
                         f"{beta}")
    if beta == 0:
        return _reduce(absolute(input - target), reduction)
    return _reduce(_huber_terms(input, target, beta) / beta, reduction)


def huber_loss(input: TensorLike, target: TensorLike, reduction: str = "mean",
               delta: float = 1.0, weight: Optional[TensorLike] = None) -> Tensor:
    """With d = x − y: 0.5·d² for |d| < δ, δ·(|d| − 0.5·δ) otherwise; reduced (δ times
    smooth_l1_loss with β = δ).   ∂/∂x = d inside, δ·sign(d) outside. `weight`, when given,
    scales each element's loss before the reduction.

    Examples
    --------
    >>> F.huber_loss(wg.tensor([1., 4.]), wg.tensor([0., 0.]), delta=2., reduction="none")
    tensor([0.5, 6. ])
    """
    _same_shape("huber_loss", input, target)
    _check_reduction(reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss does not support non-positive values for delta, got "
                         f"{delta}")
    loss = _huber_terms(input, target, delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def kl_div(input: TensorLike, target: TensorLike, size_average: Optional[bool] = None,
           reduce: Optional[bool] = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """Kullback–Leibler divergence, input holding log-probabilities log q:
    target·(log target − input) pointwise (a zero target contributes 0, its log never taken),
    or with log_target=True (target holding log p) e^target·(target − input).
    reduction: 'mean' (over all elements), 'batchmean' (the sum divided by the batch size,
    input.shape[0]: the true KL divergence per sample), 'sum' or 'none'.
    ∂/∂input = −target (−e^target with log_target) over the reduction's divisor.

    Examples
    --------
    >>> q = wg.tensor([[0.25, 0.75]])
    >>> p = wg.tensor([[0.5, 0.5]])
    >>> round(float(F.kl_div(wg.log(q), p, reduction="batchmean")), 4)
    0.1438
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _same_shape("kl_div", input, target)
    if reduction not in _KL_REDUCTIONS:
        raise ValueError(f"reduction must be one of {_KL_REDUCTIONS}, got {reduction!r}")
    if log_target:
        t = _tensor(target)
        loss = exp(t) * (t - input)
    else:
        t = _tensor(target)
        pos = t > 0
        # t·log t with 0·log 0 = 0; log is only taken of the positive targets
        safe = where(pos, t, np.ones((), dtype=t.dtype if t.dtype.kind == "f" else np.float64))
        loss = where(pos, t * log(safe), 0.0) - t * input
    if reduction == "batchmean":
        s = _sum(loss)
        nd = loss.ndim
        return s / loss.shape[0] if nd > 0 else s
    return _reduce(loss, reduction)

