"""The scheduler base class: the epoch counter, the closed form it applies, state_dict."""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional

from ..optimizer import Optimizer


def _check_optimizer(optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


class LRScheduler:
    """Base class: subclasses give `_lr_at(base_lr, group_index)` for `self.last_epoch`.

    Each group's rate at epoch t is lr_t = _lr_at(b, i), b the group's 'initial_lr'.
    """

    # the closed form of a schedule: (base rate b, group index) → the rate at last_epoch
    _lr_at: Callable[[float, int], float]
    _last_lr: List[float]

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] "
                                   f"when resuming an optimizer (last_epoch={last_epoch}): "
                                   f"load the optimizer's state_dict first, or pass "
                                   f"last_epoch=-1")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        self._step_count = 0
        self.step()

    def get_lr(self) -> List[float]:
        """The rates for the current `last_epoch`, one per parameter group."""
        return [self._lr_at(b, i) for i, b in enumerate(self.base_lrs)]

    def get_last_lr(self) -> List[float]:
        """The rates the last step() set, one per parameter group."""
        return list(self._last_lr)

    def _check_order(self):
        """Warn (UserWarning, as PyTorch) when the first step() after construction comes before
        any optimizer.step(): the schedule's first rate would then never be used."""
        if self._step_count != 1:
            return
        opt = self.optimizer
        if "step" in vars(opt):
            warnings.warn("optimizer.step() was replaced on the optimizer instance, so the "
                          "learning-rate scheduler cannot tell whether it ran before "
                          "scheduler.step(); replace it on the class, or before creating the "
                          "scheduler, or ignore this warning if the order is right",
                          UserWarning, stacklevel=3)
        elif not getattr(opt, "_step_calls", 0):
            warnings.warn("scheduler.step() was called before optimizer.step(): the first "
                          "learning rate of the schedule is skipped. Call optimizer.step() "
                          "first, then scheduler.step(), in each iteration (PyTorch's order "
                          "since 1.1)", UserWarning, stacklevel=3)

    def step(self, epoch: Optional[int] = None) -> None:
        """Advance the epoch counter by one (or set it to `epoch`, PyTorch's deprecated form)
        and set every group's rate.

        The first step() after construction warns (UserWarning) when optimizer.step() has not
        run yet: call optimizer.step() first, then scheduler.step()."""
        self._check_order()
        if epoch is not None:
            warnings.warn("passing an epoch to scheduler.step() is deprecated (as in PyTorch): "
                          "call step() once per epoch instead", UserWarning, stacklevel=2)
        self._advance(epoch)

    def _advance(self, epoch: Optional[int] = None) -> None:
        self._step_count += 1
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> Dict[str, Any]:
        """Everything but the optimizer, as a dict of plain values."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Restore what state_dict() gave."""
        self.__dict__.update(state_dict)


def _per_group(name: str, value: Any, groups: List[Dict[str, Any]]) -> List[Any]:
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(f"expected {len(groups)} values for {name}, got {len(value)}")
        return list(value)
    return [value] * len(groups)
