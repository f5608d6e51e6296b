"""Names for the public signatures' types.

TensorLike: what an op takes, a Tensor or anything NumPy turns into an array (an ndarray, a
Python or NumPy number, a nested list, an object with __array__). It is Any to a type
checker: NumPy's own ArrayLike leaves out Tensors and lists of Tensors, which every op also
takes. The name says what is meant to the reader of help() and the signature.
"""
from typing import Any

TensorLike = Any
