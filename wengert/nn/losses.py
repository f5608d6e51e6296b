"""Loss modules with torch.nn's names, constructor arguments and defaults; each calls its
nn.functional counterpart (see there for the formula). `size_average` and `reduce` are
PyTorch's deprecated arguments: when either is given it decides the reduction as in torch
(reduce=False → 'none', size_average=False → 'sum', else 'mean'). Class weights and
pos_weight are buffers, so they are in state_dict as in torch."""
from __future__ import annotations

from typing import Any, Optional, Tuple

from .. import creation
from ..tensor import Tensor
from . import functional as F
from ._reduction import _REDUCTIONS, _legacy_reduction
from ._typing import TensorLike
from .module import Module

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]


class _Loss(Module):
    _reductions: Tuple[str, ...] = _REDUCTIONS

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        if reduction not in self._reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{self._reductions}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        """The reduction."""
        return f"reduction={self.reduction!r}"


def _as_buffer(value: Any) -> Optional[Tensor]:
    if value is None or isinstance(value, Tensor):
        return value
    return creation.asarray(value)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Any = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))


class L1Loss(_Loss):
    """The mean absolute error: ℓ = mean |x − y| (F.l1_loss).

    ∂ℓ/∂x = sign(x − y)/n, with the subgradient 0 at x = y; 'sum' drops the 1/n and 'none'
    keeps the elementwise |x − y|.

    Examples
    --------
    >>> nn.L1Loss()(wg.tensor([1., 2.]), wg.tensor([0., 4.]))
    tensor(1.5)
    """

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced |input − target|."""
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """The mean squared error: ℓ = mean (x − y)² (F.mse_loss).

    ∂ℓ/∂x = 2(x − y)/n ('sum' drops the 1/n; 'none' keeps the elementwise squares).

    Examples
    --------
    >>> x = wg.tensor([1., 2.], requires_grad=True)
    >>> loss = nn.MSELoss()(x, wg.tensor([0., 4.]))
    >>> loss.backward()
    >>> loss, x.grad
    (tensor(2.5, grad_fn=<DivBackward>), tensor([ 1., -2.]))
    """

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced (input − target)²."""
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """With d = x − y: 0.5·d²/beta for |d| < beta, |d| − 0.5·beta otherwise, reduced
    (F.smooth_l1_loss).

    ∂/∂x = d/beta inside, sign(d) outside (continuous at |d| = beta); beta = 0 is L1Loss.

    Examples
    --------
    >>> nn.SmoothL1Loss()(wg.tensor([0.5, 3.]), wg.tensor([0., 0.]))
    tensor(1.3125)
    """

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss does not support negative values for beta, got "
                             f"{beta}")
        self.beta = beta

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced smooth L1 terms of input − target."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """With d = x − y: 0.5·d² for |d| < delta, delta·(|d| − 0.5·delta) otherwise, reduced
    (F.huber_loss).

    ∂/∂x = d inside, delta·sign(d) outside; it is delta times SmoothL1Loss(beta=delta).

    Examples
    --------
    >>> nn.HuberLoss(delta=2.)(wg.tensor([1., 4.]), wg.tensor([0., 0.]))
    tensor(3.25)
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(None, None, reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss does not support non-positive values for delta, got "
                             f"{delta}")
        self.delta = delta

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced Huber terms of input − target."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """The negative log-likelihood: ℓₙ = −w[tₙ]·input[n, tₙ] for log-probability input of
    shape (N, C) (or (N, C, ...)) and class indices t (F.nll_loss).

    The mean is Σ ℓₙ / Σ w[tₙ]; ∂ℓ/∂input[n, c] = −w[tₙ]/Σw where c = tₙ, else 0. Targets equal
    to ignore_index count for nothing.

    Examples
    --------
    >>> logp = wg.log(wg.tensor([[0.5, 0.5], [0.25, 0.75]]))
    >>> round(float(nn.NLLLoss()(logp, wg.tensor([0, 1]))), 4)
    0.4904
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced negative log-likelihood of the targets' classes."""
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """nll_loss(log_softmax(input, dim=1), target) on logits (F.cross_entropy); target holds
    class indices or class probabilities.

    ℓₙ = −log softmax(xₙ)[tₙ] = logsumexp(xₙ) − xₙ[tₙ];  ∂ℓ/∂xₙ = (softmax(xₙ) − onehot(tₙ))/N
    for the mean. With probabilities p: ℓₙ = −Σ_c p_c log softmax(xₙ)_c. label_smoothing ε
    replaces the target by (1 − ε)·target + ε/C.

    Examples
    --------
    >>> logits = wg.tensor([[2., 0.], [0., 2.]], requires_grad=True)
    >>> loss = nn.CrossEntropyLoss()(logits, wg.tensor([0, 0]))
    >>> round(float(loss), 4)
    1.1269
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got "
                             f"{label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced cross-entropy of logits `input` against `target`."""
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """ℓ = −w·[y·log x + (1 − y)·log(1 − x)] for probabilities x, reduced
    (F.binary_cross_entropy; each log clamped at −100 as torch).

    ∂ℓ/∂x = w·(x − y)/(x·(1 − x)). Prefer BCEWithLogitsLoss on logits: it never forms log x.

    Examples
    --------
    >>> round(float(nn.BCELoss()(wg.tensor([0.8, 0.4]), wg.tensor([1., 0.]))), 4)
    0.367
    """

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced binary cross-entropy of probabilities `input`."""
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """softplus(x) − x·y on logits x, with optional pos_weight
    (F.binary_cross_entropy_with_logits).

    ℓ = softplus(x) − x·y = −[y·log σ(x) + (1 − y)·log(1 − σ(x))], stable at any logit;
    ∂ℓ/∂x = σ(x) − y. With pos_weight p: (1 − y)·x + (1 + (p − 1)·y)·softplus(−x).

    Examples
    --------
    >>> x = wg.tensor([0., 0.], requires_grad=True)
    >>> nn.BCEWithLogitsLoss()(x, wg.tensor([1., 0.])).backward()
    >>> x.grad
    tensor([-0.25,  0.25])
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean",
                 pos_weight: Any = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced binary cross-entropy of logits `input`."""
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """target·(log target − input) for log-probability input (F.kl_div); reduction may also
    be 'batchmean', the mathematically correct KL divergence per sample.

    KL(p ‖ q) = Σ p·(log p − log q) with input = log q; ∂/∂input = −target over the
    reduction's divisor (−e^target with log_target=True).

    Examples
    --------
    >>> p = wg.tensor([[0.5, 0.5]])
    >>> float(nn.KLDivLoss(reduction="batchmean")(wg.log(p), p))
    0.0
    """
    _reductions = _REDUCTIONS + ("batchmean",)

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: TensorLike, target: TensorLike) -> Tensor:
        """The reduced pointwise KL terms target·(log target − input)."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
