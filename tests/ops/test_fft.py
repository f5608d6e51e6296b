"""np.fft on tensors: every transform is differentiable (reverse and forward mode, any order)
under the conjugate-Wirtinger convention of wengert/ops/complex.py, and so are the few ops a
complex intermediate may flow through (real, imag, conj, abs, angle, + − × ÷, integer powers,
exp). Each row is a real-valued function (the real and imaginary parts of a complex result, side
by side), so the generic checks — NumPy's values, finite differences to second order in both
modes, float32, batches of tangents and cotangents — see every entry of the Jacobian."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests


def _ri(z):
    """A complex array as the real array [Re z, Im z] (flattened): NumPy's or wengert's."""
    return np.concatenate([np.real(z).ravel(), np.imag(z).ravel()])


def _spectrum(x):
    """A complex array that depends on every entry of x (no Hermitian symmetry)."""
    return np.fft.fft(x, axis=-1) * (0.5 - 1j) + np.flip(x, -1) * 1j


def fft_(x, **kw):
    return _ri(np.fft.fft(x, **kw))


def fft_of_complex(x, **kw):
    return _ri(np.fft.fft(_spectrum(x), **kw))


def ifft_(x, **kw):
    return _ri(np.fft.ifft(_spectrum(x), **kw))


def ifft_of_real(x, **kw):
    return _ri(np.fft.ifft(x, **kw))


def rfft_(x, **kw):
    return _ri(np.fft.rfft(x, **kw))


def irfft_(x, **kw):
    return np.fft.irfft(_spectrum(x), **kw)


def irfft_of_real(x, **kw):
    return np.fft.irfft(x, **kw)


def hfft_(x, **kw):
    return np.fft.hfft(_spectrum(x), **kw)


def ihfft_(x, **kw):
    return _ri(np.fft.ihfft(x, **kw))


def nd(name, complex_in=False, real_out=False):
    def f(x, **kw):
        y = getattr(np.fft, name)(_spectrum(x) if complex_in else x, **kw)
        return y if real_out else _ri(y)
    f.__name__ = name
    return f


def complex_ops(x, y):
    """+ − × ÷ of complex values, with real and complex (Python and array) operands."""
    z, w = _spectrum(x), _spectrum(y)
    return _ri(z * w + z / (w + 3.0) - (2 - 1j) * z + x / w - (y - z) + 1j * w)


def powers(x):
    z = _spectrum(x)
    return _ri(z ** 2 + z ** 3 + np.square(z) + z ** -1 + np.exp(0.3 * z))


def parts(x):
    """real, imag, conj (function and method), abs, angle (in radians and degrees)."""
    z = _spectrum(x)
    return np.concatenate([(np.real(z) + z.imag).ravel(), (np.abs(z) * np.angle(z)).ravel(),
                           np.angle(z, deg=True).ravel(), _ri(np.conj(z) * z.conj() * (1 + 2j))])


def joined(x):
    z = _spectrum(x)
    return _ri(np.concatenate([z, x, z[..., ::-1]], axis=-1) * np.stack([x, z]).sum(0)[..., :1])


def linear_maps(x):
    """Maps with real coefficients on complex values: indexing, shifts, reshaping, sums."""
    z = _spectrum(x)
    return _ri(np.fft.fftshift(z)[..., 1:].sum(-1) + np.mean(z, axis=-1) * z[..., 0]
               + np.reshape(z, (-1,))[0] - np.transpose(z)[0] + np.cumsum(np.real(z), -1)[..., -1])


NS = [{}, {"n": 4}, {"n": 7}, {"n": 8, "norm": "ortho"}, {"norm": "forward"}, {"norm": "ortho"}]
ONE_D = [((5,),), ((6,),), ((2, 4),)]

ROWS = [
    Row(fft_, fft_, ops=("fft",), shapes=ONE_D, kwargs=NS),
    Row(fft_of_complex, fft_of_complex, ops=("fft",), shapes=[((5,),), ((3, 4),)],
        kwargs=[{}, {"n": 3}, {"n": 6, "norm": "forward"}, {"axis": 0, "norm": "ortho"}]),
    Row(ifft_, ifft_, ops=("ifft",), shapes=ONE_D, kwargs=NS),
    Row(ifft_of_real, ifft_of_real, ops=("ifft",), shapes=[((5,),), ((3, 4),)],
        kwargs=[{}, {"n": 6, "axis": 0}, {"norm": "forward", "n": 3}]),
    Row(rfft_, rfft_, ops=("rfft",), shapes=ONE_D + [((3, 4),)],
        kwargs=NS + [{"axis": 0, "n": 5}]),
    Row(irfft_, irfft_, ops=("irfft",), shapes=ONE_D, kwargs=NS + [{"n": 9}, {"n": 2}]),
    Row(irfft_of_real, irfft_of_real, ops=("irfft",), shapes=[((4,),), ((3, 5),)],
        kwargs=[{}, {"n": 5}, {"n": 8, "norm": "ortho"}, {"axis": 0, "n": 3}]),
    Row(hfft_, hfft_, ops=("irfft", "conjugate"), shapes=[((4,),), ((5,),)],
        kwargs=[{}, {"n": 7}, {"norm": "ortho"}, {"norm": "forward", "n": 4}]),
    Row(ihfft_, ihfft_, ops=("rfft", "conjugate"), shapes=[((4,),), ((5,),)],
        kwargs=[{}, {"n": 7}, {"norm": "ortho"}, {"norm": "forward", "n": 3}]),
    Row(nd("fft2"), nd("fft2"), ops=("fft",), shapes=[((3, 4),)],
        kwargs=[{}, {"s": (2, 5), "norm": "ortho"}]),
    Row(nd("ifft2", True), nd("ifft2", True), ops=("ifft",), shapes=[((3, 4),)],
        kwargs=[{}, {"s": (4, 3), "norm": "forward"}]),
    Row(nd("rfft2"), nd("rfft2"), ops=("rfft", "fft"), shapes=[((3, 4),), ((2, 3, 5),)],
        kwargs=[{}, {"s": (3, 6), "norm": "ortho"}]),
    Row(nd("irfft2", True, True), nd("irfft2", True, True), ops=("irfft", "ifft"),
        shapes=[((3, 4),)], kwargs=[{}, {"s": (2, 5), "norm": "ortho"}]),
    Row(nd("fftn"), nd("fftn"), ops=("fft",), shapes=[((2, 3, 4),)],
        kwargs=[{}, {"axes": (0, 2)}, {"s": (3, 2), "axes": (-1, 0), "norm": "forward"}]),
    Row(nd("ifftn", True), nd("ifftn", True), ops=("ifft",), shapes=[((2, 3),)],
        kwargs=[{}, {"s": (3,), "axes": (0,)}]),
    Row(nd("rfftn"), nd("rfftn"), ops=("rfft", "fft"), shapes=[((2, 3, 4),)],
        kwargs=[{}, {"axes": (1,)}, {"s": (3, 5), "axes": (0, 1), "norm": "ortho"}]),
    Row(nd("irfftn", True, True), nd("irfftn", True, True), ops=("irfft", "ifft"),
        shapes=[((2, 3, 4),)], kwargs=[{}, {"s": (3, 6), "axes": (0, 2), "norm": "forward"}]),
    Row(complex_ops, complex_ops, nargs=2,
        ops=("complex_add", "complex_subtract", "complex_multiply", "complex_divide"),
        shapes=[((4,), (4,)), ((2, 3), (2, 3))]),
    Row(powers, powers, ops=("complex_power", "complex_square", "complex_exp"),
        shapes=[((4,),), ((2, 3),)]),
    Row(parts, parts, ops=("real", "imag", "conjugate", "complex_absolute"),
        shapes=[((4,),), ((2, 5),)]),
    Row(joined, joined, ops=("complex_concatenate", "complex_stack"), shapes=[((4,),), ((2, 3),)]),
    Row(linear_maps, linear_maps, shapes=[((4,),), ((3, 5),)]),
]

SHIFTS = [
    Row(wg.fft.fftshift, np.fft.fftshift, id="fftshift",
        shapes=[((5,),), ((4,),), ((2, 3),)]),
    Row(wg.fft.fftshift, np.fft.fftshift, id="fftshift-axes", shapes=[((3, 4, 5),)],
        kwargs=[{"axes": 0}, {"axes": (-1,)}, {"axes": (2, 0)}, {"axes": ()}]),
    Row(wg.fft.ifftshift, np.fft.ifftshift, id="ifftshift",
        shapes=[((5,),), ((2, 3),)]),
    Row(wg.fft.ifftshift, np.fft.ifftshift, id="ifftshift-axes", shapes=[((3, 4, 5),)],
        kwargs=[{"axes": 1}, {"axes": (0, -1)}]),
]
ROWS += SHIFTS

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)

TRANSFORMS = ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfft2", "irfft2", "fftn",
              "ifftn", "rfftn", "irfftn", "hfft", "ihfft"]


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_of_a_constant_tensor_matches_numpy(name):
    x = np.random.default_rng(0).standard_normal((4, 6))
    got = getattr(np.fft, name)(wg.tensor(x))
    assert isinstance(got, wg.Tensor) and not got.requires_grad
    np.testing.assert_allclose(got.numpy(force=True), getattr(np.fft, name)(x), rtol=1e-12, atol=1e-12)
    got = getattr(wg.fft, name)(wg.tensor(x), norm="ortho")
    np.testing.assert_allclose(got.numpy(force=True), getattr(np.fft, name)(x, norm="ortho"),
                               rtol=1e-12, atol=1e-12)


def test_transform_keyword_arguments_pass_through():
    x = np.random.default_rng(1).standard_normal((3, 8))
    t = wg.tensor(x)
    np.testing.assert_allclose(np.fft.rfft(t, n=10, axis=0).numpy(force=True), np.fft.rfft(x, n=10, axis=0))
    np.testing.assert_allclose(np.fft.irfft(np.fft.rfft(t)).numpy(force=True), x, atol=1e-12)
    with wg.no_grad():
        y = np.fft.fft(wg.tensor(x, requires_grad=True))
    np.testing.assert_allclose(y.numpy(force=True), np.fft.fft(x))


def test_out_is_not_supported():
    with pytest.raises(TypeError, match="out="):
        wg.fft.fft(np.ones(4), out=np.empty(4, complex))


def test_fftshift_through_numpy_is_differentiable():
    x = wg.tensor(np.arange(5.0), requires_grad=True)
    y = np.fft.fftshift(x)
    np.testing.assert_array_equal(y.numpy(force=True), np.fft.fftshift(np.arange(5.0)))
    (y * np.arange(5.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), np.fft.ifftshift(np.arange(5.0)))


def test_frequencies():
    np.testing.assert_allclose(wg.fft.fftfreq(8, 0.1).numpy(force=True), np.fft.fftfreq(8, 0.1))
    np.testing.assert_allclose(wg.fft.rfftfreq(8).numpy(force=True), np.fft.rfftfreq(8))
