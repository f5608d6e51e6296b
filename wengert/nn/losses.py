"""Loss modules with torch.nn's names, constructor arguments and defaults; each calls its
nn.functional counterpart (see there for the formula). `size_average` and `reduce` are
PyTorch's deprecated arguments: when either is given it decides the reduction as in torch
(reduce=False → 'none', size_average=False → 'sum', else 'mean'). Class weights and
pos_weight are buffers, so they are in state_dict as in torch."""
from .. import creation
from ..tensor import Tensor
from . import functional as F
from ._reduction import _REDUCTIONS, _legacy_reduction
from .module import Module

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]


class _Loss(Module):
    _reductions: tuple[str, ...] = _REDUCTIONS

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        reduction = _legacy_reduction(size_average, reduce, reduction)
        if reduction not in self._reductions:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{self._reductions}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


def _as_buffer(value):
    if value is None or isinstance(value, Tensor):
        return value
    return creation.asarray(value)


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))


class L1Loss(_Loss):
    """mean |x − y| (F.l1_loss)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """mean (x − y)² (F.mse_loss)."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """0.5·d²/beta for |d| < beta, |d| − 0.5·beta otherwise (F.smooth_l1_loss)."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss does not support negative values for beta, got "
                             f"{beta}")
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """0.5·d² for |d| < delta, delta·(|d| − 0.5·delta) otherwise (F.huber_loss)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(None, None, reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss does not support non-positive values for delta, got "
                             f"{delta}")
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """−input[n, target[n]] for log-probability input (F.nll_loss)."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """nll_loss(log_softmax(input, dim=1), target) on logits (F.cross_entropy); target holds
    class indices or class probabilities."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None,
                 reduction="mean", label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got "
                             f"{label_smoothing}")
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """−[y·log x + (1 − y)·log(1 − x)] for probabilities x (F.binary_cross_entropy)."""

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """softplus(x) − x·y on logits x, with optional pos_weight
    (F.binary_cross_entropy_with_logits)."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean",
                 pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight,
                                                  reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class KLDivLoss(_Loss):
    """target·(log target − input) for log-probability input (F.kl_div); reduction may also
    be 'batchmean', the mathematically correct KL divergence per sample."""
    _reductions = _REDUCTIONS + ("batchmean",)

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
