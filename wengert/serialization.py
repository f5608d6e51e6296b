"""wg.save / wg.load: a flat {name: array} dict in the safetensors format, never pickle.

A safetensors file is a JSON header (names, dtypes, shapes, byte offsets) followed by the raw
little-endian bytes, so loading one runs no code from the file. Needs the `safetensors`
package (`pip install 'wengert[io]'`), imported only when these functions are called.
"""
import os

import numpy as np

from .tensor import Tensor, _make

__all__ = ["save", "load"]

# What the format stores (NumPy's names); anything else is refused before writing.
_STORABLE = frozenset(np.dtype(t) for t in (
    np.bool_, np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64,
    np.float16, np.float32, np.float64, np.complex64))


def _safetensors():
    try:
        import safetensors
        import safetensors.numpy
    except ImportError:
        raise ImportError("wg.save and wg.load need the safetensors package: "
                          "pip install 'wengert[io]'  (or pip install safetensors)") from None
    return safetensors


def save(state_dict, path, metadata=None):
    """Write `state_dict` ({str: Tensor or ndarray}) to `path` as a safetensors file.

    Tensors are saved by value (graph and requires_grad are not stored); non-contiguous and
    big-endian arrays are written as their contiguous little-endian copies. `metadata`, an
    optional {str: str}, goes into the header. The file is written next to `path` and moved
    into place, so an interrupted save never leaves a truncated file under that name.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"wg.save expects a dict of name → Tensor/ndarray, got "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"wg.save needs string keys, got {key!r} ({type(key).__name__})")
        if isinstance(value, Tensor):
            value = value.data          # (read, never written: no copy)
        elif not isinstance(value, np.ndarray):
            raise TypeError(f"wg.save: entry {key!r} is a {type(value).__name__}; only Tensors "
                            f"and ndarrays can be saved")
        dtype = value.dtype.newbyteorder("=")
        if dtype not in _STORABLE:
            raise TypeError(f"wg.save: entry {key!r} has dtype {value.dtype}, which the "
                            f"safetensors format cannot store (it stores bool, integers, "
                            f"float16/32/64 and complex64)")
        arrays[key] = np.asarray(value, dtype=dtype.newbyteorder("<"), order="C")
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("wg.save: metadata must be a dict of str → str")
    st = _safetensors()
    path = os.fspath(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        st.numpy.save_file(arrays, tmp, metadata=metadata)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# The format's dtype names → NumPy (little-endian); BF16 is read apart (NumPy has no bfloat16).
_NUMPY_OF = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "U32": "<u4",
             "I32": "<i4", "U64": "<u8", "I64": "<i8", "F16": "<f2", "F32": "<f4",
             "F64": "<f8", "C64": "<c8"}


def _header(path):
    """The JSON header of a safetensors file, or None where it cannot be read (the
    safetensors package then reports what is wrong)."""
    import json
    import struct
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            if len(head) < 8:
                return None
            (n,) = struct.unpack("<Q", head)
            if n > os.path.getsize(path) - 8:
                return None
            header = json.loads(f.read(n))
    except (OSError, ValueError):
        return None
    return (header, 8 + n) if isinstance(header, dict) else None


def _bad(path, why):
    return ValueError(f"wg.load: {path!r} is not a valid safetensors file (truncated, corrupt "
                      f"or another format): {why}")


def _load_with_bf16(path, header, start):
    """Every tensor of a file that holds BF16 ones, BF16 widened to float32 (exact: a bfloat16
    is the upper 16 bits of a float32)."""
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read()
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            dtype, shape, (lo, hi) = info["dtype"], tuple(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise _bad(path, f"entry {key!r} has no dtype, shape and data_offsets") from None
        if dtype != "BF16" and dtype not in _NUMPY_OF:
            raise TypeError(f"wg.load: entry {key!r} of {path!r} has dtype {dtype}, which "
                            f"NumPy cannot hold")
        item = np.dtype("<u2" if dtype == "BF16" else _NUMPY_OF[dtype])
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= lo <= hi <= len(data) or hi - lo != count * item.itemsize:
            raise _bad(path, f"entry {key!r}: data_offsets {[lo, hi]} do not fit its dtype "
                             f"{dtype}, shape {list(shape)} and the file's size")
        a = np.frombuffer(data[lo:hi], dtype=item).reshape(shape)
        if dtype == "BF16":
            a = (a.astype(np.uint32) << 16).view(np.float32)
        out[key] = a.astype(a.dtype.newbyteorder("="), copy=True)
    return out


def load(path):
    """Read a safetensors file into {name: Tensor} (leaves, requires_grad=False).

    NumPy has no bfloat16: BF16 tensors load as float32, exactly (a bfloat16 is the upper 16
    bits of a float32, so widening loses nothing; saving them again writes float32).

    A missing file is a FileNotFoundError; a file that is not valid safetensors (truncated,
    corrupt, empty, some other format) is a ValueError naming the path.
    """
    st = _safetensors()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"wg.load: no such file: {path!r}")
    if os.path.isdir(path):
        raise IsADirectoryError(f"wg.load: {path!r} is a directory, not a safetensors file")
    parsed = _header(path)
    try:
        if parsed is not None and any(isinstance(v, dict) and v.get("dtype") == "BF16"
                                      for v in parsed[0].values()):
            arrays = _load_with_bf16(path, *parsed)
        else:
            arrays = st.numpy.load_file(path)
    except st.SafetensorError as e:
        raise ValueError(f"wg.load: {path!r} is not a valid safetensors file (truncated, "
                         f"corrupt or another format): {e}") from None
    out = {}
    for key, a in arrays.items():
        if not a.flags.writeable:
            a = a.copy()           # loaded parameters are updated in place by optimizers
        out[key] = _make(a, None)
    return out
