"""The checks and reductions nn.functional's losses share (`reduction` is 'mean', 'sum' or
'none'; shape mismatches are ValueErrors naming both shapes)."""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from .. import creation
from ..tensor import Tensor
from ..ops.reduction import mean as _mean, sum as _sum

_REDUCTIONS = ("mean", "sum", "none")


def _shape(x: Any) -> Tuple[int, ...]:
    return x.shape if isinstance(x, (Tensor, np.ndarray)) else np.shape(x)


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else creation.asarray(x)


def _same_shape(what: str, input: Any, target: Any) -> None:
    si, st = _shape(input), _shape(target)
    if si != st:
        raise ValueError(f"{what}: input shape {si} and target shape {st} differ")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return _mean(loss)
    if reduction == "sum":
        return _sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _legacy_reduction(size_average: Optional[bool], reduce: Optional[bool],
                      reduction: str) -> str:
    """PyTorch's deprecated size_average/reduce pair, when either is given, decides the
    reduction as torch does: reduce=False → 'none'; else size_average=False → 'sum'; else
    'mean'. Both None: `reduction` stands."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is None or reduce:
        return "sum" if size_average is False else "mean"
    return "none"
