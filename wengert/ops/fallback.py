"""NumPy functions wengert does not differentiate: computed on the values when nothing needs
a derivative, refused with a TypeError (never a silently detached result) otherwise."""
import numpy as np

from ..grad_mode import state as _grad_state
from ..tensor import Tensor, _has_tangents, _make, _needs_grad, _strip
from ..views import alias


def numpy_name(func):
    """How the user spelled a NumPy function: np.X, np.linalg.X or np.fft.X."""
    mod = getattr(func, "__module__", "numpy") or "numpy"
    return ("np.linalg." if "linalg" in mod else "np.fft." if "fft" in mod else "np.") + func.__name__


def fallback(func, args, kwargs, what):
    """func(*args, **kwargs) on the values (`what`: its name for the error): fine on
    constants, a TypeError when something would need its gradient or carries a tangent."""
    if (_grad_state.enabled and (_needs_grad(args) or _needs_grad(kwargs))) or \
            _has_tangents(args) or _has_tangents(kwargs):
        from .hints import hint     # (read at error time only)
        raise TypeError(f"{what} is not differentiable in wengert{hint(what)}; use a wengert "
                        f"function, or call it on .detach()ed tensors if no gradient is needed")
    out = func(*_strip(args), **_strip(kwargs))
    # NumPy's result may be a view of an argument's memory: then it is an alias of that
    # tensor (wengert.views), so that writes through either are seen by versions
    if type(out) is np.ndarray:
        return fallback_result(func, what, args, kwargs, out)
    if isinstance(out, np.generic):
        return _make(out, None)
    if isinstance(out, tuple) and all(isinstance(o, np.ndarray) for o in out):
        return tuple(fallback_result(func, what, args, kwargs, o, i) for i, o in enumerate(out))
    return out


class Rerun:
    """The view op of a NumPy function that wengert does not implement, run on constants
    (ops/fallback.py), when NumPy's result is a view of a tensor argument's memory: it gives
    that view again from the tensor's data, so the result is an alias like any other (a write
    into it reaches the tensor and moves it to a new version, and the other way round). It
    has no derivative: re-deriving it for a tensor in a graph is a TypeError."""
    __slots__ = ("func", "what")

    def __init__(self, func, what):
        self.func = func
        self.what = what

    def forward(self, d, args, kwargs, slot, item):
        if type(slot) is int:
            args = args[:slot] + (d,) + args[slot + 1:]
        else:
            kwargs = {**kwargs, slot: d}
        out = self.func(*args, **kwargs)
        return out if item is None else out[item]

    def __call__(self, x, **params):
        if (x._requires_grad and _grad_state.enabled) or x._tangents:
            raise self.error()
        return _make(self.forward(x.data, **params), None)

    def error(self):
        return TypeError(f"the result of {self.what} shares memory with a tensor that an "
                         f"in-place operation would put into a graph, but {self.what} is not "
                         f"differentiable in wengert; call it on a copy (t.copy()) or use a "
                         f"wengert function")


def fallback_result(func, what, args, kwargs, out, item=None):
    """out (an ndarray that func(*args, **kwargs) returned, entry `item` of its tuple),
    registered as an alias of the tensor argument whose memory it shares; a copy when it
    shares memory with a tensor nested in a list."""
    t = _make(out, None)
    for slot, a in list(enumerate(args)) + list(kwargs.items()):
        if isinstance(a, Tensor) and np.may_share_memory(out, a.data):
            params = {"args": tuple(_strip(args)), "kwargs": _strip(kwargs), "slot": slot,
                      "item": item}
            alias(a, t, Rerun(func, what), params)
            return t
    if _shares(out, (args, kwargs)):
        t.data = out.copy()
    return t


def _shares(out, obj):
    if isinstance(obj, Tensor):
        return np.may_share_memory(out, obj.data)
    if isinstance(obj, (list, tuple)):
        return any(_shares(out, o) for o in obj)
    if isinstance(obj, dict):
        return any(_shares(out, o) for o in obj.values())
    return False
