"""`wg.fft`: NumPy's fft names on tensors (see wengert/ops/fft.py: the transforms need no
gradient, since complex differentiation is not built yet; fftshift and ifftshift are
differentiable). Every public name here also answers np.fft.<name> called on Tensors."""
from .ops.fft import (  # noqa: F401
    fft, fft2, fftfreq, fftn, fftshift, hfft, ifft, ifft2, ifftn, ifftshift, ihfft, irfft,
    irfft2, irfftn, rfft, rfft2, rfftfreq, rfftn)

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq",
           "rfftfreq"]
