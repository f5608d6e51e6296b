"""NumPy functions wengert does not differentiate: computed on the values when nothing needs
a derivative, refused with a TypeError (never a silently detached result) otherwise."""
import numpy as np

from ..grad_mode import state as _grad_state
from ..tensor import _has_tangents, _make, _needs_grad, _strip
from ..views import fallback_result


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
