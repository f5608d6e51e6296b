"""The per-call path of a compiled function, generated per signature: a check that takes the
arguments apart and a builder that puts the results together, both straight-line Python.

`Compiled` keys its programs by a signature (compiled.py): the tree structure of the
arguments, each floating array leaf's shape and dtype, every other leaf by value. Computing
that key on every call builds a TreeDef and hashes and compares it, which costs more than
many a program. Once a signature has run, `checker(treedef, keys)` writes a function that
answers the same question for the next call without building anything:

    def check(args, kwargs):
        if len(args) != 3 or kwargs: return None
        a0, a1, a2 = args
        if type(a0) is not dict or len(a0) != 6: return None
        l0 = a0['W0']
        ...
        if type(l0) is not ndarray or l0.shape != S0 or l0.dtype is not D0: return None
        ...
        if type(l6) is not ndarray or l6.shape != S6 or l6.dtype is not D6
            or l6.tobytes() != B6: return None        # (integer labels: by value)
        return (l0, …)                                  # the traced leaves, in tree order

(its body inside `try: … except KeyError: return None`, for a dict with other keys).

It returns the leaves the program takes, or None wherever the arguments might differ from
the signature in any way (another type, structure, shape, dtype or value; a tensor that
requires grad; a dtype object that is not the very one seen): the caller then computes the
full signature, so the check only has to be sure when it says yes. A signature with a leaf
kind it does not know gets no check (`None`), and every call takes the full path.

`unflattener(treedef)` writes the inverse of `tree_flatten` for the result's structure as
one expression (`lambda r: (r[0], {'W0': r[1], …})`).
"""
import numpy as np

from ..tensor import Tensor
from ..tree import _LEAF

__all__ = ["checker", "unflattener"]

_VALUE_TYPES = (int, bool, str)


class _Writer:
    def __init__(self):
        self.lines = []
        self.ns = {"ndarray": np.ndarray, "Tensor": Tensor}
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def const(self, value, prefix="k"):
        n = self.name(prefix)
        self.ns[n] = value
        return n

    def key(self, k):
        return repr(k) if type(k) in (str, int) else self.const(k)


class _NoCheck(Exception):
    """A structure or leaf kind that the check does not handle."""


def _structure(w, td, expr, leaves):
    """Lines checking that `expr` has td's structure; the leaf expressions into `leaves`."""
    kind = td.kind
    if kind is _LEAF:
        leaves.append(expr)
        return
    if kind == "none":
        w.lines.append(f"if {expr} is not None: return None")
        return
    n = len(td.children)
    if kind == "dict":
        typ, keys = td.data
        if typ is not dict:
            raise _NoCheck          # (a subclass's item lookup may do anything)
        w.lines.append(f"if type({expr}) is not {w.const(typ, 't')} or len({expr}) != {n}: "
                       f"return None")
        items = [f"{expr}[{w.key(k)}]" for k in keys]
    else:
        if td.data not in (tuple, list) and not hasattr(td.data, "_fields"):
            raise _NoCheck
        w.lines.append(f"if type({expr}) is not {w.const(td.data, 't')} or len({expr}) != {n}: "
                       f"return None")
        items = [f"{expr}[{i}]" for i in range(n)]
    for item, child in zip(items, td.children):
        if child.kind is _LEAF:
            leaves.append(item)
            continue
        local = w.name("a")
        w.lines.append(f"{local} = {item}")
        _structure(w, child, local, leaves)


def _leaf(w, key, expr):
    """(lines checking one leaf against its key, the expression the program takes or None),
    or None where the key's kind has no check."""
    kind = key[0]
    if kind in ("a", "av", "t", "tv"):
        shape, dtype = key[1], np.dtype(key[2])
        s, d = w.const(shape, "s"), w.const(dtype, "d")
        if kind in ("a", "av"):
            arr, lines = expr, [f"if type({expr}) is not ndarray: return None"]
        else:
            arr = w.name("data")
            lines = [f"if type({expr}) is not Tensor or {expr}._requires_grad "
                     f"or {expr}._tangents is not None: return None",
                     f"{arr} = {expr}.data",
                     f"if type({arr}) is not ndarray: return None"]
        cond = f"{arr}.shape != {s} or {arr}.dtype is not {d}"
        if kind.endswith("v"):
            cond += f" or {arr}.tobytes() != {w.const(key[3], 'b')}"
        lines.append(f"if {cond}: return None")
        return lines, (arr if kind in ("a", "t") else None)
    if kind in ("g", "gv"):
        typ = np.dtype(key[2]).type
        cond = f"type({expr}) is not {w.const(typ, 't')}"
        if kind == "gv":
            cond += f" or {expr}.tobytes() != {w.const(key[3], 'b')}"
        return [f"if {cond}: return None"], (expr if kind == "g" else None)
    if kind == "f":
        return [f"if type({expr}) is not float: return None"], expr
    if kind == "v" and key[1] in _VALUE_TYPES:
        return [f"if type({expr}) is not {key[1].__name__} or {expr} != "
                f"{w.const(key[2], 'v')}: return None"], None
    return None


def checker(treedef, keys):
    """The check of a signature `(treedef, keys)` of `((args, kwargs))` (see the module
    docstring), or None where a leaf's kind has no check."""
    w = _Writer()
    if treedef.kind != "seq" or len(treedef.children) != 2:
        return None
    args_td, kwargs_td = treedef.children
    leaves: list = []
    w.lines.append(f"if len(args) != {len(args_td.children)} or "
                   f"len(kwargs) != {len(kwargs_td.children)}: return None")
    try:
        _structure(w, args_td, "args", leaves)
        _structure(w, kwargs_td, "kwargs", leaves)
    except _NoCheck:
        return None
    if len(leaves) != len(keys):
        return None
    taken = []
    for expr, key in zip(leaves, keys):
        local = w.name("l")         # (every name from one counter: none taken twice)
        w.lines.append(f"{local} = {expr}")
        got = _leaf(w, key, local)
        if got is None:
            return None
        lines, x = got
        w.lines += lines
        if x is not None:
            taken.append(x)
    w.lines.append("return (" + "".join(f"{x}, " for x in taken) + ")")
    src = ("def check(args, kwargs):\n    try:\n" + "".join(f"        {line}\n" for line in w.lines)
           + "    except KeyError:\n        return None\n")
    exec(compile(src, "<wg.compile signature check>", "exec"), w.ns)
    return w.ns["check"]


def _build(w, td, it):
    kind = td.kind
    if kind is _LEAF:
        return f"r[{next(it)}]"
    if kind == "none":
        return "None"
    items = [_build(w, c, it) for c in td.children]
    if kind == "dict":
        typ, keys = td.data
        body = "{" + ", ".join(f"{w.key(k)}: {x}" for k, x in zip(keys, items)) + "}"
        return body if typ is dict else f"{w.const(typ, 't')}({body})"
    typ = td.data
    if typ is tuple:
        return "(" + "".join(f"{x}, " for x in items) + ")"
    if typ is list:
        return "[" + ", ".join(items) + "]"
    t = w.const(typ, "t")
    if hasattr(typ, "_fields"):           # a namedtuple takes its fields positionally
        return f"{t}({', '.join(items)})"
    return f"{t}([{', '.join(items)}])"


def unflattener(treedef):
    """A function of the flat results giving `tree_unflatten(treedef, results)`."""
    w = _Writer()
    expr = _build(w, treedef, iter(range(treedef.num_leaves)))
    exec(compile(f"def build(r):\n    return {expr}\n", "<wg.compile results>", "exec"), w.ns)
    return w.ns["build"]
