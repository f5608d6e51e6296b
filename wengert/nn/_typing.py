"""Type aliases for the public signatures of wengert.nn (annotations only)."""
from typing import Any, Optional, Tuple, Union

import numpy.typing as npt

from ..tensor import Tensor

# What the functional API accepts where it takes data: a Tensor, or anything NumPy turns into
# an array (lists, scalars, ndarrays); the result is always a Tensor. Spelled Tensor | Any
# rather than Tensor | numpy.typing.ArrayLike: ArrayLike admits str and bytes, so every
# `input - target` in a body would be an error for the checker, though Tensor's operators
# accept what np.asarray accepts.
TensorLike = Union[Tensor, Any]

# A dtype as np.dtype accepts it (np.float32, "float64", np.dtype(...)).
DTypeLike = Optional[npt.DTypeLike]

# A size or stride given once for both spatial axes, or as (height, width).
IntPair = Union[int, Tuple[int, int]]

__all__ = ["TensorLike", "DTypeLike", "IntPair"]
