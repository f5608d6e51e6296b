"""Learning-rate schedulers (torch.optim.lr_scheduler's names, signatures and values).

A scheduler sets each parameter group's 'lr' from a closed form of the epoch counter
`last_epoch`: construction sets it to 0 (from the default last_epoch=-1) and applies the
epoch-0 rate; each step() advances it by one and applies the next. Every group keeps its
starting rate as 'initial_lr' (the base rate b below), which a scheduler resumed with
last_epoch ≥ 0 reads back. The closed forms equal PyTorch's chainable updates when nothing
else changes the rate between steps.
"""
from .base import LRScheduler
from .plateau import ReduceLROnPlateau
from .schedules import (CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR,
                        OneCycleLR, SequentialLR, StepLR)

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
           "LinearLR", "LambdaLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR"]
