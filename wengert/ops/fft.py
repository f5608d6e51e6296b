"""The discrete Fourier transforms of np.fft, on tensors: fft ifft rfft irfft fft2 ifft2 rfft2
irfft2 fftn ifftn rfftn irfftn hfft ihfft, and fftshift ifftshift fftfreq rfftfreq.

The transforms are linear, so their derivatives are themselves (forward mode: the transform
of the tangent) and their adjoints (reverse mode). Under the convention of ops/complex.py
(ḡ(z) = ∂L/∂Re z + i ∂L/∂Im z) the VJP of y = A x is Aᴴ ḡ, and Re of it for a real x. With F
the unnormalised DFT of length n (F_jk = e^(−2πi jk/n)), c the scale `norm` gives (backward:
1 forward and 1/n inverse; ortho: 1/√n both; forward: 1/n forward and 1 inverse), and P the
cropping or zero-padding of the input to n entries (`n=`):

* fft(x) = c F P x:                 x̄ = Pᵀ c Fᴴ ḡ = Pᵀ ifft(ḡ, norm=swapped)  (Re for real x);
* ifft(x) = c Fᴴ P x:                x̄ = Pᵀ fft(ḡ, norm=swapped);
* rfft(x) = first n//2+1 of c F P x: x̄ = Pᵀ Re ifft(ḡ zero-padded to n, norm=swapped);
* irfft(a) (real, length n) = c Σ_k of the Hermitian spectrum built from a (cropped or
  padded to K = n//2+1; imaginary parts of the DC and, for even n, Nyquist bins ignored, as
  NumPy does): ā = Pᵀ (w · rfft(ḡ, norm=swapped)), w = 2 on the bins 1 … (n−1)//2, which
  stand for two conjugate entries of the spectrum, and 1 on DC and Nyquist (their imaginary
  parts, ignored, get 0).

Swapped norm: backward ↔ forward, ortho ↔ ortho (the adjoint carries the same scale as the
map). hfft(a) = irfft(conj(a), norm=swapped) and ihfft(x) = conj(rfft(x, norm=swapped)), and
the n-dimensional transforms are NumPy's own sequences of one-axis transforms, so their
derivatives follow. float32 input gives complex64 (float32 after irfft), as NumPy 2.

fftshift and ifftshift are real, linear permutations (a gather along each axis): ∂ = the
inverse shift of g (a scatter-add through wengert's indexing).
"""
import warnings

import numpy as np

from ..grad_mode import state as _grad
from ..tensor import Tensor, _make, _strip
from ._primitive import linear
from ._shapes import negative_axes
from .complex import conjugate
from .elementwise import positive
from .indexing import take

__all__ = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
           "ifftn", "rfftn", "irfftn", "hfft", "ihfft", "fftshift", "ifftshift", "fftfreq",
           "rfftfreq"]

_SWAP: dict = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _traced(obj):
    """Whether a gradient or tangent would have to flow through obj (or a tensor in it)."""
    if isinstance(obj, Tensor):
        return obj._requires_grad and _grad.enabled or obj._tangents is not None
    if isinstance(obj, (list, tuple)):
        return any(_traced(o) for o in obj)
    if isinstance(obj, dict):
        return any(_traced(o) for o in obj.values())
    return False


def _swapped(norm):
    try:
        return _SWAP[norm]
    except (KeyError, TypeError):
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or '
                         f'"forward".') from None


def _resize(g, m, axis):
    """g cut to, or zero-padded to, m entries along (negative) `axis`: Pᵀ of an n= resize."""
    k = np.shape(g)[axis]
    if k == m:
        return g
    if k > m:
        return g[(Ellipsis, slice(0, m)) + (slice(None),) * (-1 - axis)]
    widths = [(0, 0)] * np.ndim(g)
    widths[axis] = (0, m - k)
    return np.pad(g, widths)


def _fft_t(g, shape, n, axis, norm, real):
    x = np.fft.ifft(g, axis=axis, norm=_SWAP[norm])
    return _resize(np.real(x) if real else x, shape[axis], axis)


def _ifft_t(g, shape, n, axis, norm, real):
    x = np.fft.fft(g, axis=axis, norm=_SWAP[norm])
    return _resize(np.real(x) if real else x, shape[axis], axis)


def _rfft_t(g, shape, n, axis, norm):
    return _resize(np.real(np.fft.ifft(g, n=n, axis=axis, norm=_SWAP[norm])), shape[axis], axis)


def _irfft_t(g, shape, n, axis, norm, real):
    k = n // 2 + 1
    w = np.full(k, 2.0)
    w[0] = 1.0
    if n % 2 == 0:
        w[-1] = 1.0
    w = w.astype(np.result_type(g)).reshape((k,) + (1,) * (-1 - axis))
    a = np.fft.rfft(g, axis=axis, norm=_SWAP[norm]) * w
    return _resize(np.real(a) if real else a, shape[axis], axis)


_fft = linear("fft", lambda x, n, axis, norm, real: np.fft.fft(x, n, axis, norm), _fft_t,
              doc="The DFT along one axis: y = c F P x. x̄ = Pᵀ ifft(ḡ, norm=swapped).")
_ifft = linear("ifft", lambda x, n, axis, norm, real: np.fft.ifft(x, n, axis, norm), _ifft_t,
               doc="The inverse DFT along one axis: y = c Fᴴ P x. x̄ = Pᵀ fft(ḡ, norm=swapped).")
_rfft = linear("rfft", lambda x, n, axis, norm: np.fft.rfft(x, n, axis, norm), _rfft_t,
               doc="The DFT of real x, bins 0 … n//2. x̄ = Pᵀ Re ifft(ḡ padded to n, norm=swapped).")
_irfft = linear("irfft", lambda x, n, axis, norm, real: np.fft.irfft(x, n, axis, norm),
                _irfft_t, doc="The real inverse of rfft. ā = Pᵀ (w · rfft(ḡ, norm=swapped)), "
                              "w = 2 on bins 1 … (n−1)//2, else 1.")
for _op in (_fft, _ifft, _rfft, _irfft):
    _op.cx = True


# The examples of the one-axis transforms' docstrings (true doctests: tests/test_docstrings.py).
_EXAMPLES = {
    "fft": """

    y[k] = Σₙ x[n] e^(−2πikn/N): linear, so its VJP is the adjoint map (module docstring).

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> wg.fft.fft(x.detach())
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j], dtype=complex128)
    >>> wg.real(wg.fft.fft(x)).sum().backward()
    >>> x.grad                      # Σₖ cos(2πkn/N) = N·δₙ₀
    tensor([4., 0., 0., 0.])
    """,
    "ifft": """

    Examples
    --------
    >>> wg.fft.ifft(wg.fft.fft(wg.tensor([1.0, 2.0])))
    tensor([1.+0.j, 2.+0.j], dtype=complex128)
    """,
    "rfft": """

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    >>> wg.fft.rfft(x)
    tensor([10.+0.j, -2.+2.j, -2.+0.j], dtype=complex128, grad_fn=<RfftBackward>)
    >>> wg.real(wg.fft.rfft(x)[0]).backward()
    >>> x.grad                      # the zero-frequency term is Σ x
    tensor([1., 1., 1., 1.])
    """,
    "irfft": """

    Examples
    --------
    >>> wg.fft.irfft(wg.fft.rfft(wg.tensor([1.0, 2.0, 3.0, 4.0])))
    tensor([1., 2., 3., 4.])
    """,
}


def _one_axis(name, op, default_n, real_param=True):
    f = getattr(np.fft, name)

    def transform(a, n=None, axis=-1, norm=None, out=None):
        if out is not None:
            raise TypeError(f"wengert.fft.{name} does not support out=; use the returned "
                            f"tensor")
        if not (isinstance(a, Tensor) and _traced(a)):
            return _make(np.asarray(f(_strip(a), _strip(n), axis, norm)), None)
        shape = a.data.shape
        ax = negative_axes(int(axis), len(shape))[0]
        n = default_n(shape[ax]) if n is None else int(n)
        _swapped(norm)
        params = dict(n=n, axis=ax, norm=norm)
        if real_param:
            params["real"] = a.data.dtype.kind != "c"
        elif a.data.dtype.kind == "c":
            # NumPy's rfft of a complex array drops the imaginary part (with a warning):
            # let it, on values no gradient flows through
            raise TypeError(f"np.fft.{name} takes real input; got a complex tensor that a "
                            f"gradient or tangent flows through (use np.fft.fft)")
        return op(a, **params)
    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = (f"np.fft.{name}, differentiable (reverse and forward mode, any "
                         f"order): see the module docstring for its adjoint."
                         + _EXAMPLES.get(name, ""))
    return transform


fft = _one_axis("fft", _fft, lambda m: m)
ifft = _one_axis("ifft", _ifft, lambda m: m)
rfft = _one_axis("rfft", _rfft, lambda m: m, real_param=False)
irfft = _one_axis("irfft", _irfft, lambda m: 2 * (m - 1))


def hfft(a, n=None, axis=-1, norm=None, out=None):
    """np.fft.hfft: irfft(conj(a), n, norm=swapped) (NumPy's definition); differentiable.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0])
    >>> wg.fft.hfft(x)
    tensor([ 3., -1.])
    >>> wg.grad(lambda x: wg.fft.hfft(x)[0])(x)
    tensor([1., 1.])
    """
    if out is not None:
        raise TypeError("wengert.fft.hfft does not support out=; use the returned tensor")
    if not _traced(a):
        return _make(np.asarray(np.fft.hfft(_strip(a), _strip(n), axis, norm)), None)
    return irfft(conjugate(a), n, axis, _swapped(norm))


def ihfft(a, n=None, axis=-1, norm=None, out=None):
    """np.fft.ihfft: conj(rfft(a, n, norm=swapped)) (NumPy's definition); differentiable.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0, 4.0])
    >>> wg.fft.ihfft(x)
    tensor([ 2.5-0.j , -0.5-0.5j, -0.5-0.j ], dtype=complex128)
    >>> wg.grad(lambda x: wg.real(wg.fft.ihfft(x)[0]))(x)
    tensor([0.25, 0.25, 0.25, 0.25])
    """
    if out is not None:
        raise TypeError("wengert.fft.ihfft does not support out=; use the returned tensor")
    if not _traced(a):
        return _make(np.asarray(np.fft.ihfft(_strip(a), _strip(n), axis, norm)), None)
    return conjugate(rfft(a, n, axis, _swapped(norm)))


def _sizes_and_axes(shape, s, axes, invreal=False):
    """(s, axes) as NumPy's n-dimensional transforms read them."""
    if s is None:
        shapeless = True
        s = list(shape) if axes is None else [shape[ax] for ax in axes]
    else:
        shapeless = False
        s = list(s)
        if axes is None:
            warnings.warn("`axes` should not be `None` if `s` is not `None` (deprecated in "
                          "NumPy 2.0)", DeprecationWarning, stacklevel=3)
    axes = list(range(-len(s), 0)) if axes is None else list(axes)
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (shape[axes[-1]] - 1) * 2
    return [shape[ax] if k == -1 else k for k, ax in zip(s, axes)], axes


def _n_axes(name, default_axes, run):
    f = getattr(np.fft, name)

    def transform(a, s=None, axes=default_axes, norm=None, out=None):
        if out is not None:
            raise TypeError(f"wengert.fft.{name} does not support out=; use the returned "
                            f"tensor")
        if not (isinstance(a, Tensor) and _traced(a)):
            d = _strip(a)
            r = np.asarray(f(d, _strip(s), axes, norm))
            if np.may_share_memory(r, d):       # (no axes: NumPy hands back its input)
                r = r.copy()
            return _make(r, None)
        _swapped(norm)
        s, axes = _sizes_and_axes(a.data.shape, s, axes, invreal=name.startswith("irfft"))
        if not axes:
            return positive(a)
        return run(a, s, axes, norm)
    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = (f"np.fft.{name}: NumPy's sequence of one-axis transforms over `axes`, "
                         f"each differentiable, so this is too. Linear: the derivative is the "
                         f"transform itself, and ḡ goes back through each one-axis adjoint in "
                         f"turn (see the module docstring).\n\nExamples\n--------\n"
                         f"{_N_AXES_EXAMPLES[name]}\n")
    return transform


# Each n-axis transform's example (its docstring's): its value and a derivative at one point.
_N_AXES_EXAMPLES = {
    "fftn": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.fftn(x)
tensor([[10.+0.j, -2.+0.j],
        [-4.+0.j,  0.+0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.fftn(x)[0, 0]))(x)
tensor([[1., 1.],
        [1., 1.]])""",
    "ifftn": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.ifftn(x)
tensor([[ 2.5+0.j, -0.5+0.j],
        [-1. +0.j,  0. +0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.ifftn(x)[0, 0]))(x)
tensor([[0.25, 0.25],
        [0.25, 0.25]])""",
    "rfftn": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.rfftn(x)
tensor([[10.+0.j, -2.+0.j],
        [-4.+0.j,  0.+0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.rfftn(x)[0, 1]))(x)
tensor([[ 1., -1.],
        [ 1., -1.]])""",
    "irfftn": """>>> x = wg.tensor([[10.0, -2.0], [-4.0, 0.0]])
>>> wg.fft.irfftn(x)
tensor([[1., 2.],
        [3., 4.]])
>>> wg.grad(lambda x: wg.fft.irfftn(x)[0, 0])(x)
tensor([[0.25, 0.25],
        [0.25, 0.25]])""",
    "fft2": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.fft2(x)
tensor([[10.+0.j, -2.+0.j],
        [-4.+0.j,  0.+0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.fft2(x)[0, 0]))(x)
tensor([[1., 1.],
        [1., 1.]])""",
    "ifft2": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.ifft2(x)
tensor([[ 2.5+0.j, -0.5+0.j],
        [-1. +0.j,  0. +0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.ifft2(x)[0, 0]))(x)
tensor([[0.25, 0.25],
        [0.25, 0.25]])""",
    "rfft2": """>>> x = wg.tensor([[1.0, 2.0], [3.0, 4.0]])
>>> wg.fft.rfft2(x)
tensor([[10.+0.j, -2.+0.j],
        [-4.+0.j,  0.+0.j]], dtype=complex128)
>>> wg.grad(lambda x: wg.real(wg.fft.rfft2(x)[0, 1]))(x)
tensor([[ 1., -1.],
        [ 1., -1.]])""",
    "irfft2": """>>> x = wg.tensor([[10.0, -2.0], [-4.0, 0.0]])
>>> wg.fft.irfft2(x)
tensor([[1., 2.],
        [3., 4.]])
>>> wg.grad(lambda x: wg.fft.irfft2(x)[0, 0])(x)
tensor([[0.25, 0.25],
        [0.25, 0.25]])""",
}


def _run_fftn(one):
    def run(a, s, axes, norm):
        for ii in reversed(range(len(axes))):
            a = one(a, s[ii], axes[ii], norm)
        return a
    return run


def _run_rfftn(a, s, axes, norm):
    a = rfft(a, s[-1], axes[-1], norm)
    for ii in range(len(axes) - 2, -1, -1):
        a = fft(a, s[ii], axes[ii], norm)
    return a


def _run_irfftn(a, s, axes, norm):
    for ii in range(len(axes) - 1):
        a = ifft(a, s[ii], axes[ii], norm)
    return irfft(a, s[-1], axes[-1], norm)


fftn = _n_axes("fftn", None, _run_fftn(fft))
ifftn = _n_axes("ifftn", None, _run_fftn(ifft))
rfftn = _n_axes("rfftn", None, _run_rfftn)
irfftn = _n_axes("irfftn", None, _run_irfftn)
fft2 = _n_axes("fft2", (-2, -1), _run_fftn(fft))
ifft2 = _n_axes("ifft2", (-2, -1), _run_fftn(ifft))
rfft2 = _n_axes("rfft2", (-2, -1), _run_rfftn)
irfft2 = _n_axes("irfft2", (-2, -1), _run_irfftn)


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
    `axes` (all when None). Linear: ∂ is ifftshift of g.

    Examples
    --------
    >>> wg.fft.fftshift(wg.tensor([0.0, 1.0, 2.0, 3.0]))
    tensor([2., 3., 0., 1.])
    """
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift: np.roll by −(n // 2). Linear: ∂ is fftshift of g.

    Examples
    --------
    >>> x = wg.tensor([1.0, 2.0, 3.0])
    >>> wg.fft.ifftshift(x)
    tensor([2., 3., 1.])
    >>> wg.grad(lambda x: wg.fft.ifftshift(x)[0])(x)
    tensor([0., 1., 0.])
    """
    return _shift(x, axes, -1)


def fftfreq(n, d=1.0, device=None):
    """np.fft.fftfreq as a tensor (a constant: a function of sizes).

    Examples
    --------
    >>> wg.fft.fftfreq(4)
    tensor([ 0.  ,  0.25, -0.5 , -0.25])
    """
    return _make(np.fft.fftfreq(n, _strip(d)), None)


def rfftfreq(n, d=1.0, device=None):
    """np.fft.rfftfreq as a tensor (a constant).

    Examples
    --------
    >>> wg.fft.rfftfreq(4)
    tensor([0.  , 0.25, 0.5 ])
    """
    return _make(np.fft.rfftfreq(n, _strip(d)), None)
