"""The discrete Fourier transforms of np.fft, on tensors: fft ifft rfft irfft fft2 ifft2 rfft2
irfft2 fftn ifftn rfftn irfftn hfft ihfft, and fftshift ifftshift fftfreq rfftfreq.

The transforms produce (or read) complex arrays, and wengert does not differentiate complex
numbers yet (API §9). So a transform of a tensor that needs no gradient (and carries no
tangent) returns its result as a tensor outside any graph, and one that does is a
TypeError naming complex differentiation — never a silently detached result.

fftshift and ifftshift are real, linear permutations (a gather along each axis): they are
differentiable, ∂ = the inverse shift of g (a scatter-add through wengert's indexing).
"""
import numpy as np

from ..grad_mode import state as _grad
from ..tensor import Tensor, _make, _strip
from .elementwise import positive
from .indexing import take

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq",
           "rfftfreq"]


def _traced(obj):
    """Whether a gradient or tangent would have to flow through obj (or a tensor in it)."""
    if isinstance(obj, Tensor):
        return obj._requires_grad and _grad.enabled or obj._tangents is not None
    if isinstance(obj, (list, tuple)):
        return any(_traced(o) for o in obj)
    if isinstance(obj, dict):
        return any(_traced(o) for o in obj.values())
    return False


def _transform(name):
    f = getattr(np.fft, name)

    def transform(a, *args, **kwargs):
        if kwargs.get("out") is not None:
            raise TypeError(f"wengert.fft.{name} does not support out=; use the returned "
                            f"tensor")
        if _traced(a) or _traced(args) or _traced(kwargs):
            raise TypeError(
                f"np.fft.{name} needs complex differentiation, which wengert does not support "
                f"yet: a tensor that requires grad (or carries a tangent) cannot go through "
                f"it. Call it on a .detach()ed tensor if no gradient is needed.")
        out = f(_strip(a), *_strip(args), **_strip(kwargs))
        return _make(np.asarray(out), None)
    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = (f"np.fft.{name} of a tensor that needs no gradient (a TypeError "
                         f"for one that does: complex differentiation is not built yet).")
    return transform


fft, ifft, rfft, irfft = (_transform(n) for n in ("fft", "ifft", "rfft", "irfft"))
fft2, ifft2, rfft2, irfft2 = (_transform(n) for n in ("fft2", "ifft2", "rfft2", "irfft2"))
fftn, ifftn, rfftn, irfftn = (_transform(n) for n in ("fftn", "ifftn", "rfftn", "irfftn"))
hfft, ihfft = _transform("hfft"), _transform("ihfft")


def _shift(x, axes, sign):
    if not isinstance(x, Tensor):
        x = np.asarray(x)
    shape = np.shape(x.data if isinstance(x, Tensor) else x)
    if axes is None:
        axes = tuple(range(len(shape)))
    elif isinstance(axes, (int, np.integer)):
        axes = (int(axes),)
    if not axes:
        return positive(x)
    for ax in axes:
        n = shape[ax]
        x = take(x, (np.arange(n) - sign * (n // 2)) % max(n, 1), axis=ax)
    return x


def fftshift(x, axes=None):
    """The zero-frequency term moved to the centre: np.roll by n // 2 along each axis in
    `axes` (all when None). Linear: ∂ is ifftshift of g."""
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift: np.roll by −(n // 2). Linear: ∂ is fftshift of g."""
    return _shift(x, axes, -1)


def fftfreq(n, d=1.0, device=None):
    """np.fft.fftfreq as a tensor (a constant: a function of sizes)."""
    return _make(np.fft.fftfreq(n, _strip(d)), None)


def rfftfreq(n, d=1.0, device=None):
    """np.fft.rfftfreq as a tensor (a constant)."""
    return _make(np.fft.rfftfreq(n, _strip(d)), None)
