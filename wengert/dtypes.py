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


# The dtype that Python floats and the float constructors (zeros, randn, …) give when no dtype
# is named: NumPy's float64 unless wg.set_default_dtype (PyTorch's name) changed it.
_default_float = [np.dtype(np.float64)]


def default_float():
    """The floating dtype the constructors give when no dtype is named (float64 unless
    wg.set_default_dtype changed it)."""
    return _default_float[0]


def is_floating(dtype):
    return np.dtype(dtype).kind == "f"
