"""The structure of a checkpoint as JSON: what wg.save writes beside the tensors.

A checkpoint (nested dicts, lists and tuples of tensors, ndarrays and plain values) is split
in two: the arrays, each under a name made from its path ("model.0.weight"), go into the
safetensors data; everything else becomes one JSON tree in the file's `__metadata__` under
TREE_KEY, with each array replaced by a reference to its name. JSON cannot say everything
Python can, so a few values are tagged objects (one key beginning with "$"):

    {"$tensor": name}   a wengert Tensor (its value; no graph, requires_grad=False)
    {"$ndarray": name}  a NumPy array
    {"$scalar": name}   a NumPy scalar (np.float32(1.5), np.int64(3), ...), stored 0-d
    {"$float": "nan" | "inf" | "-inf"}
    {"$tuple": [...]}
    {"$dict": [[key, value], ...]}  a dict whose keys are not all strings (optimizer state
                                    is keyed by parameter index), or a key begins with "$"

Plain dicts with string keys, lists, strings, ints, finite floats, bools and None are
themselves. Loading reads only JSON and array bytes: no code from the file runs.
"""
import math
import numbers
from typing import Any

import numpy as np

from .tensor import Tensor, _make

__all__ = ["TREE_KEY", "VERSION", "encode", "decode"]

TREE_KEY = "wengert.checkpoint"
VERSION = 1

_TAGS = ("$tensor", "$ndarray", "$scalar", "$float", "$tuple", "$dict")


def _where(path):
    return "obj" + "".join(f"[{p!r}]" for p in path)


def encode(obj, storable):
    """(tree, arrays): the JSON-able tree of `obj` and {name: ndarray} of its arrays.

    `storable(array, where)` returns the array to write, or raises TypeError for a dtype the
    format cannot store. A Tensor or array that appears several times is stored once and
    comes back as one object. Anything but dicts, lists, tuples, Tensors, ndarrays, NumPy
    scalars, str, int, float, bool and None is a TypeError naming where it sits in `obj`.
    """
    arrays: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    seen: dict[int, tuple[str, Any]] = {}     # id(value) → (its name, the value)
    on_path = set()

    def name_for(path):
        base = ".".join(str(p) for p in path) or "tensor"
        name, n = base, 0
        while name in arrays:
            n += 1
            name = f"{base}~{n}"
        return name

    def array(kind, value, data, path):
        key = id(value)
        if key in seen:
            return {kind: seen[key][0]}
        name = name_for(path)
        arrays[name] = storable(data, _where(path))
        seen[key] = (name, value)            # the value is kept alive, so its id stays unique
        names[name] = kind
        return {kind: name}

    def walk(v, path):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, Tensor):
            return array("$tensor", v, v.data, path)
        if isinstance(v, np.ndarray):
            if v.dtype.hasobject:
                raise TypeError(f"wg.save: {_where(path)} is an ndarray of Python objects "
                                f"(dtype object), which the safetensors format cannot store; "
                                f"only numeric and bool arrays can be saved")
            return array("$ndarray", v, v, path)
        if isinstance(v, np.generic):
            if isinstance(v, (np.str_, np.bytes_, np.void)) or v.dtype.hasobject:
                raise TypeError(f"wg.save: {_where(path)} is a NumPy {v.dtype} scalar; only "
                                f"numeric and bool scalars can be saved")
            return array("$scalar", v, np.asarray(v), path)
        if isinstance(v, numbers.Integral):
            return int(v)
        if isinstance(v, float):
            return v if math.isfinite(v) else {"$float": repr(v)}
        if isinstance(v, (dict, list, tuple)):
            if id(v) in on_path:
                raise ValueError(f"wg.save: {_where(path)} contains itself; a checkpoint must "
                                 f"be a tree (no cycles)")
            on_path.add(id(v))
            try:
                if isinstance(v, dict):
                    return walk_dict(v, path)
                items = [walk(x, path + [i]) for i, x in enumerate(v)]
                return items if isinstance(v, list) else {"$tuple": items}
            finally:
                on_path.discard(id(v))
        import types
        fn = isinstance(v, (types.FunctionType, types.BuiltinFunctionType, types.MethodType))
        what = "a function" if fn else f"a {type(v).__name__}"
        if hasattr(v, "state_dict") and callable(getattr(v, "state_dict", None)):
            what += " (save its .state_dict() instead)"
        raise TypeError(f"wg.save: {_where(path)} is {what}, which a checkpoint cannot hold "
                        f"(it holds dicts, lists and tuples of Tensors, ndarrays, NumPy "
                        f"scalars, str, int, float, bool and None; never pickle): convert it "
                        f"to one of these, or leave it out")

    def walk_key(k, path):
        if k is None or isinstance(k, (bool, str, int, float)):
            return walk(k, path)
        if isinstance(k, tuple):
            return {"$tuple": [walk_key(x, path) for x in k]}
        raise TypeError(f"wg.save: a key of {_where(path)} is a {type(k).__name__} ({k!r}); "
                        f"dict keys must be str, int, float, bool, None or tuples of them")

    def walk_dict(d, path):
        if all(isinstance(k, str) and not k.startswith("$") for k in d):
            return {k: walk(x, path + [k]) for k, x in d.items()}
        return {"$dict": [[walk_key(k, path), walk(x, path + [k])] for k, x in d.items()]}

    return walk(obj, []), arrays


def decode(tree, arrays, bad):
    """The object `tree` describes, its arrays taken from `arrays` ({name: ndarray}).
    `bad(why)` makes the error for a tree that does not fit (a corrupt file)."""
    made = {}

    def ref(kind, name):
        if not isinstance(name, str) or name not in arrays:
            raise bad(f"the checkpoint refers to an array {name!r} that the file does not hold")
        key = (kind, name)
        if key not in made:
            a = arrays[name]
            if kind == "$tensor":
                made[key] = _make(a, None)
            elif kind == "$ndarray":
                made[key] = a
            else:
                made[key] = a[()]
        return made[key]

    def walk(v):
        if isinstance(v, list):
            return [walk(x) for x in v]
        if not isinstance(v, dict):
            return v
        if len(v) == 1:
            (tag, body), = v.items()
            if tag in ("$tensor", "$ndarray", "$scalar"):
                return ref(tag, body)
            if tag == "$float":
                if body not in ("nan", "inf", "-inf"):
                    raise bad(f"unknown float {body!r}")
                return float(body)
            if tag == "$tuple":
                if not isinstance(body, list):
                    raise bad("a tuple that is not a list")
                return tuple(walk(x) for x in body)
            if tag == "$dict":
                if not isinstance(body, list) or not all(
                        isinstance(kv, list) and len(kv) == 2 for kv in body):
                    raise bad("a dict that is not a list of [key, value] pairs")
                out = {}
                for k, x in body:
                    k, x = walk(k), walk(x)
                    try:
                        hash(k)
                    except TypeError:
                        raise bad(f"a dict key {k!r} that is not hashable") from None
                    out[k] = x
                return out
            if tag.startswith("$"):
                raise bad(f"unknown entry {tag!r} (written by a newer wengert?)")
        return {k: walk(x) for k, x in v.items()}

    return walk(tree)
