"""The collation of a DataLoader's samples into batches (`default_collate`) and the
conversion of unbatched samples (`default_convert`), with PyTorch's names and rules."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, List, cast

import numpy as np

from .. import creation
from ..ops.shape import stack
from ..tensor import Tensor

__all__ = ["default_collate", "default_convert"]


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _rebuild(elem: Any, items: List[Any]) -> Any:
    """A container of `elem`'s kind holding `items` (namedtuple, tuple, list or other)."""
    if _is_namedtuple(elem):
        return type(elem)(*items)
    if isinstance(elem, tuple):
        return tuple(items)
    try:
        return type(elem)(items)
    except TypeError:
        return list(items)


def _check_numeric(arr: np.ndarray) -> None:
    if arr.dtype.kind in "USOV":
        raise TypeError(f"default_collate: numpy arrays of dtype {arr.dtype} cannot become "
                        "tensors; convert them or pass a collate_fn")


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, following the samples' structure.

    Tensors and ndarrays -> one Tensor stacked along a new first axis (`wengert.stack`: the
    graph of rows that require grad is kept); numpy scalars -> a Tensor of their dtype;
    Python floats -> float64 Tensor, ints -> int64 Tensor (bools -> bool); strings and bytes
    -> the list as it is; dicts -> a dict of collated values per key; tuples, namedtuples and
    lists -> the same kind of container of collated fields (samples must have equal lengths).
    Nested structures recurse. (PyTorch gives a list for a batch of plain tuples; here it is
    a tuple, which unpacks the same way.)

    Examples
    --------
    >>> from wengert.utils.data import default_collate
    >>> default_collate([{"x": np.ones(2), "y": 0}, {"x": np.zeros(2), "y": 1}])
    {'x': tensor([[1., 1.],
            [0., 0.]]), 'y': tensor([0, 1])}
    """
    if not isinstance(batch, Sequence) or len(batch) == 0:
        raise TypeError("default_collate expects a non-empty list of samples")
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray)):
        if isinstance(elem, np.ndarray):
            _check_numeric(elem)
        try:
            return stack(batch)
        except ValueError as err:
            shapes = sorted({tuple(b.shape) for b in batch})
            raise ValueError(f"default_collate: samples of different shapes {shapes} cannot be "
                             "stacked into one batch; pad them or pass a collate_fn") from err
    if isinstance(elem, np.generic):
        arr = np.asarray(batch)
        _check_numeric(arr)
        return creation.asarray(arr)
    if isinstance(elem, bool):
        return creation.tensor(np.asarray(batch))
    if isinstance(elem, float):
        return creation.tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, int):
        arr = np.asarray(batch)
        return creation.tensor(arr.astype(np.int64) if arr.dtype.kind in "iub" else arr)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        out = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return cast(Any, type(elem))(out)
        except TypeError:
            return out
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        return _rebuild(elem, [default_collate(list(s)) for s in zip(*batch)])
    raise TypeError("default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"strings, dicts or lists; found {type(elem).__name__}")


def default_convert(data: Any) -> Any:
    """The un-batched conversion (`batch_size=None`): ndarrays and numpy scalars -> Tensors,
    recursively inside dicts, tuples and lists; Tensors, numbers and strings as they are."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        return data if np.asarray(data).dtype.kind in "USOV" else creation.asarray(data)
    if isinstance(data, Mapping):
        out = {k: default_convert(v) for k, v in data.items()}
        try:
            return cast(Any, type(data))(out)
        except TypeError:
            return out
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data
