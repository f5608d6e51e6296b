"""Gradient hooks as the backward pass runs them: each hook sees the gradient arriving at its
tensor (as a Tensor) and may replace it by returning another of the same shape."""
import numpy as np

from ..tensor import Tensor, _make


def _leaf_hooks(leaf):
    extra = leaf._extra
    return None if extra is None else extra.hooks


def _run_hooks(hooks, g):
    """g after each hook in `hooks` (a hook returning None leaves it as it is)."""
    if not hooks or g is None:
        return g
    for hook in list(hooks):
        r = hook(g if type(g) is Tensor else _make(g, None))
        if r is not None:
            g = _hook_result(hook, g, r)
    return g


def _hook_result(hook, g, r):
    """A hook's replacement r for the gradient g, checked: g's shape and kind of dtype (a
    float gradient stays float; cast to g's dtype), as a Tensor when g is one."""
    a = r.data if isinstance(r, Tensor) else np.asarray(r)
    gd = g.data if type(g) is Tensor else g
    shape, dtype = np.shape(gd), np.result_type(gd)
    name = getattr(hook, "__qualname__", None) or repr(hook)
    if np.shape(a) != shape:
        raise RuntimeError(f"hook {name!r} returned a gradient of shape {np.shape(a)}, but "
                           f"the gradient it was given has shape {shape}; a hook must return "
                           f"a gradient of the same shape (or None)")
    kind = np.result_type(a).kind
    if kind != dtype.kind and not (kind == "f" and dtype.kind == "c"):
        raise RuntimeError(f"hook {name!r} returned a gradient of dtype {np.result_type(a)}, "
                           f"but the gradient it was given has dtype {dtype}; return a "
                           f"floating-point gradient (or None)")
    if type(g) is Tensor:
        r = r if isinstance(r, Tensor) else _make(a, None)
        return r if r.dtype == dtype else r.astype(dtype)
    return a if a.dtype == dtype else a.astype(dtype)
