"""Argument handling shared by the transforms: which transforms are running, argnums,
the inputs to differentiate with respect to (checked), trees of arguments and outputs."""
import threading

import numpy as np

from ..exits import marks as _marks
from ..forward import grad_seeded as _grad_seeded
from ..grad_mode import state as _grad
from ..tensor import Tensor, _make
from ..tree import tree_structure, tree_unflatten

_LEAF = tree_structure(0)       # the TreeDef of a lone leaf


class _Depth(threading.local):
    value = 0              # how many transforms are running in this thread


_depth = _Depth()


class _running:
    """Marks a transform as running (for the outermost-only type conversion) and sets grad
    mode on inside it, so a transform works under the caller's `no_grad()` too. The entry
    points a reverse transform registers in `marks` (for the value doors, see exits.py) are
    dropped when it ends."""
    __slots__ = ("prev", "n", "nl")

    def __enter__(self):
        _depth.value += 1
        self.prev = _grad.enabled
        _grad.enabled = True
        m = _marks
        self.n = len(m.keys)
        self.nl = len(m.levels)

    def __exit__(self, *exc):
        _depth.value -= 1
        _grad.enabled = self.prev
        m = _marks
        del m.keys[self.n:]
        if _grad_seeded:
            _grad_seeded.difference_update(m.levels[self.nl:])
        del m.levels[self.nl:]
        return False


def _check_callable(f, who):
    if not callable(f):
        raise TypeError(f"{who} expects a callable as its first argument, got {type(f).__name__}")


def _argnums(argnums, who):
    """argnums as (tuple of ints, was it a single int)."""
    if isinstance(argnums, (int, np.integer)) and not isinstance(argnums, bool):
        return (int(argnums),), True
    if isinstance(argnums, (tuple, list)) and argnums and all(
            isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in argnums):
        return tuple(int(a) for a in argnums), False
    raise TypeError(f"{who}: argnums must be an int or a non-empty tuple of ints, got {argnums!r}")


def _resolve(argnums, nargs, who):
    if len(argnums) == 1 and 0 <= argnums[0] < nargs:      # the usual call: argnums=0
        return argnums
    out = []
    for a in argnums:
        if not -nargs <= a < nargs:
            raise ValueError(f"{who}: argnums {a} is out of range for a call with {nargs} "
                             f"positional argument{'s' if nargs != 1 else ''}")
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise ValueError(f"{who}: argnums {argnums!r} names an argument twice")
    return out


def _is_number(x):
    return (isinstance(x, (int, float, np.integer, np.floating))
            and not isinstance(x, (bool, np.bool_)))


def _no_complex(dtype, who):
    if dtype.kind == "c":
        raise TypeError(f"{who} was given a {dtype} input: complex differentiation is not "
                        f"supported yet; differentiate with respect to real inputs (e.g. the "
                        f"real and imaginary parts apart)")


def _primal_tensor(x, who):
    """x as a floating Tensor to differentiate with respect to (Python ints become float64)."""
    if type(x) is np.ndarray and x.dtype.kind == "f":                     # the usual call
        return _make(x, None)
    if isinstance(x, (Tensor, np.ndarray)):
        _no_complex(x.dtype, who)
    elif isinstance(x, (complex, np.complexfloating)):
        _no_complex(np.dtype(complex), who)
    if isinstance(x, Tensor):
        if x.dtype.kind not in "fc":
            raise TypeError(f"{who} can only differentiate with respect to floating-point "
                            f"inputs; got a tensor of dtype {x.dtype}. Convert it first, e.g. "
                            f"x.astype(wg.float64)")
        return x
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{who} cannot differentiate with respect to a bool")
    if isinstance(x, (int, np.integer)) and not isinstance(x, np.ndarray):
        return _make(np.asarray(x, dtype=np.float64), None)
    if isinstance(x, (float, np.floating, np.ndarray)):
        a = np.asarray(x)
        if a.dtype.kind not in "fc":
            raise TypeError(f"{who} can only differentiate with respect to floating-point "
                            f"inputs; got an array of dtype {a.dtype}. Convert it first, "
                            f"e.g. x.astype(np.float64)")
        return _make(a, None)
    raise TypeError(f"{who} can only differentiate with respect to Tensors, ndarrays and "
                    f"Python numbers (or trees of them), got {type(x).__name__}")


def _tangent_requires_grad(t):
    return isinstance(t, Tensor) and t._tangents is not None and any(
        v._requires_grad for v in t._tangents.values())


def _out_tensor(o, who):
    if isinstance(o, Tensor):
        return o
    if _is_number(o) or isinstance(o, np.ndarray) and o.dtype.kind in "biufc":
        return _make(np.asarray(o), None)
    raise TypeError(f"{who}: the function must return Tensors, ndarrays or numbers (or trees "
                    f"of them), got {type(o).__name__}")


def _split_aux(res, has_aux, who):
    if not has_aux:
        return res, None
    if not isinstance(res, (tuple, list)) or len(res) != 2:
        raise TypeError(f"{who} with has_aux=True needs the function to return a pair "
                        f"(output, aux), got {type(res).__name__}"
                        + (f" of length {len(res)}" if isinstance(res, (tuple, list)) else ""))
    return res[0], res[1]


def _regroup(values, defs):
    """Per-leaf values back into one tree per differentiated argument."""
    out, k = [], 0
    for td, n in defs:
        out.append(values[k] if td is _LEAF else tree_unflatten(td, values[k:k + n]))
        k += n
    return out


def _name(wrapper, f, prefix):
    wrapper.__name__ = f"{prefix}({getattr(f, '__name__', 'f')})"
    wrapper.__qualname__ = wrapper.__name__
    wrapper.__doc__ = f"{prefix} of {getattr(f, '__name__', repr(f))} (a wengert transform)"
    wrapper.__wrapped__ = f


def _zeros(shape, dtype):
    return _make(np.zeros(shape, dtype), None)
