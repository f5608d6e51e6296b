"""wg.save / wg.load: checkpoints (nested dicts and lists of tensors and plain values) in the
safetensors format, never pickle.

A safetensors file is a JSON header (names, dtypes, shapes, byte offsets, a str → str
metadata map) followed by the raw little-endian bytes, so loading one runs no code from the
file. The arrays go into the data; the rest of the checkpoint's structure goes into the
metadata as JSON (serialization_tree.py). Needs the `safetensors`
package (`pip install 'wengert[io]'`), imported only when these functions are called.
"""
import os

import numpy as np

from .tensor import _make

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


def _storable(value, where):
    """`value` as the format stores it (contiguous, little-endian), or a TypeError."""
    dtype = value.dtype.newbyteorder("=")
    if dtype not in _STORABLE:
        raise TypeError(f"wg.save: {where} has dtype {value.dtype}, which the safetensors "
                        f"format cannot store (it stores bool, integers, float16/32/64 and "
                        f"complex64)")
    return np.asarray(value, dtype=dtype.newbyteorder("<"), order="C")


def save(obj, path, metadata=None):
    """Write `obj`, a checkpoint, to `path` in the safetensors format (never pickle).

    `obj` is nested dicts, lists and tuples of Tensors, ndarrays, NumPy scalars and plain
    values (str, int, float, bool, None): a model's state_dict, an optimizer's and a
    scheduler's state_dict, the epoch, metadata. Every array goes into the safetensors data
    under a name made from its path (a flat {name: Tensor} state_dict keeps its names, so
    other safetensors readers see them as they are); everything else goes into the file's
    JSON metadata. `wg.load` gives the same structure back: same types, dtypes, shapes and
    values; Tensors come back as leaves with requires_grad=False (their values are saved, not
    their graph); an object that appears twice is stored once and comes back as one object.

    Non-contiguous and big-endian arrays are written as their contiguous little-endian
    copies. `metadata`, an optional {str: str}, goes into the header too. The file is written
    next to `path` and moved into place, so an interrupted save never leaves a truncated file
    under that name.

    Raises TypeError for what a checkpoint cannot hold (functions, sets, objects, string
    arrays, complex128 ...), naming where it sits, and ValueError for a structure that
    contains itself.

    Examples
    --------
    >>> import os, tempfile
    >>> import wengert as wg
    >>> model = wg.nn.Linear(2, 1)
    >>> opt = wg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.safetensors")
    >>> wg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)
    >>> ckpt = wg.load(path)
    >>> ckpt["epoch"], sorted(ckpt["model"])
    (3, ['bias', 'weight'])
    """
    import json

    from .serialization_tree import TREE_KEY, VERSION, encode
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise TypeError("wg.save: metadata must be a dict of str → str")
    if metadata is not None and TREE_KEY in metadata:
        raise ValueError(f"wg.save: the metadata key {TREE_KEY!r} is wengert's own (it holds "
                         f"the checkpoint's structure); name yours otherwise")
    header = dict(metadata or {})
    try:
        tree, arrays = encode(obj, _storable)
        header[TREE_KEY] = json.dumps({"version": VERSION, "tree": tree}, allow_nan=False,
                                      separators=(",", ":"))
    except RecursionError:
        raise ValueError("wg.save: the checkpoint is nested too deeply (Python's recursion "
                         "limit); flatten it (a dict of names → values)") from None
    st = _safetensors()
    path = os.fspath(path)
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        st.numpy.save_file(arrays, tmp, metadata=header)
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


def _tree(path, parsed):
    """(True, the checkpoint structure wg.save wrote into the header), or (False, None) for
    a plain safetensors file."""
    import json

    from .serialization_tree import TREE_KEY, VERSION
    if parsed is None:
        return False, None
    meta = parsed[0].get("__metadata__")
    if not isinstance(meta, dict) or TREE_KEY not in meta:
        return False, None
    try:
        doc = json.loads(meta[TREE_KEY])
        version, tree = doc["version"], doc["tree"]
    except (ValueError, TypeError, KeyError):
        raise _bad(path, f"its {TREE_KEY!r} metadata is not the JSON wg.save writes") from None
    if not isinstance(version, int) or version > VERSION:
        raise ValueError(f"wg.load: {path!r} was written by a newer wengert (checkpoint format "
                         f"{version!r}; this one reads up to {VERSION}): upgrade wengert")
    return True, tree


def load(path):
    """Read what `wg.save` wrote to `path`, or any safetensors file.

    A file from wg.save gives back the object saved: the same nesting of dicts, lists and
    tuples, the same plain values, Tensors as leaves (requires_grad=False), ndarrays and NumPy
    scalars as themselves, each array with its dtype, shape and values. A safetensors file from
    elsewhere (no wengert structure in its metadata) gives {name: Tensor}. Loaded arrays are
    writable (optimizers update parameters in place). Nothing from the file is executed: the
    structure is JSON.

    NumPy has no bfloat16: BF16 tensors load as float32, exactly (a bfloat16 is the upper 16
    bits of a float32, so widening loses nothing; saving them again writes float32).

    A missing file is a FileNotFoundError; a file that is not valid safetensors (truncated,
    corrupt, empty, some other format) is a ValueError naming the path.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "w.safetensors")
    >>> wg.save({"w": wg.tensor([1.0, 2.0])}, path)
    >>> wg.load(path)
    {'w': tensor([1., 2.])}
    """
    from .serialization_tree import decode
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
    # loaded parameters and optimizer state are updated in place: writable copies
    arrays = {k: (a if a.flags.writeable else a.copy()) for k, a in arrays.items()}
    try:
        found, tree = _tree(path, parsed)
        if found:
            return decode(tree, arrays, lambda why: _bad(path, why))
    except RecursionError:
        raise _bad(path, "its structure is nested too deeply to read") from None
    return {key: _make(a, None) for key, a in arrays.items()}
