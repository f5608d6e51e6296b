"""Dtypes are NumPy's; promotion is NumPy's (a Python scalar never widens a float32 tensor)."""
import numpy as np

float16 = np.float16
float32 = np.float32
float64 = np.float64
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
uint8 = np.uint8
bool_ = np.bool_
bool = np.bool_  # noqa: A001  (Array API name)

result_type = np.result_type
can_cast = np.can_cast
finfo = np.finfo
iinfo = np.iinfo


def is_floating(dtype):
    return np.dtype(dtype).kind == "f"
