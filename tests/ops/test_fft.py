"""np.fft on tensors: the transforms give NumPy's values for tensors that need no gradient
and a TypeError naming complex differentiation for those that do (reverse or forward
mode); fftshift and ifftshift are differentiable (op table)."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

ROWS = [
    Row(wg.fft.fftshift, np.fft.fftshift, id="fftshift",
        shapes=[((5,),), ((4,),), ((2, 3),)]),
    Row(wg.fft.fftshift, np.fft.fftshift, id="fftshift-axes", shapes=[((3, 4, 5),)],
        kwargs=[{"axes": 0}, {"axes": (-1,)}, {"axes": (2, 0)}, {"axes": ()}]),
    Row(wg.fft.ifftshift, np.fft.ifftshift, id="ifftshift",
        shapes=[((5,),), ((2, 3),)]),
    Row(wg.fft.ifftshift, np.fft.ifftshift, id="ifftshift-axes", shapes=[((3, 4, 5),)],
        kwargs=[{"axes": 1}, {"axes": (0, -1)}]),
]

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


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transform_needing_a_gradient_is_a_type_error(name):
    t = wg.tensor(np.ones((4, 4)), requires_grad=True)
    with pytest.raises(TypeError, match="complex differentiation"):
        getattr(np.fft, name)(t)


def test_transform_carrying_a_tangent_is_a_type_error():
    with pytest.raises(TypeError, match="complex differentiation"):
        wg.jvp(lambda a: np.fft.rfft(a).real, (np.ones(4),), (np.ones(4),))


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
