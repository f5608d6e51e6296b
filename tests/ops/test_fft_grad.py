"""Real-valued functions through np.fft, end to end: power spectra, filters, images, in both
modes to second order, float64 and float32; and the TypeErrors that keep every other use of a
complex value that a gradient flows through from giving a silently wrong number."""
import numpy as np
import pytest

import wengert as wg

RNG = np.random.default_rng(7)
H8 = RNG.standard_normal(8) + 1j * RNG.standard_normal(8)


def power_spectrum(x, norm=None, n=None):
    return np.sum(np.abs(np.fft.rfft(x, n=n, norm=norm)) ** 2)


def filtered(x, norm=None):
    h = H8.astype(np.result_type(x.dtype, 1j))
    return np.sum(np.real(np.fft.ifft(np.fft.fft(x, norm=norm) * h, norm=norm)) ** 2)


def rfilter(x, norm=None, n=None):
    k = (n or 8) // 2 + 1
    return np.fft.irfft(np.fft.rfft(x, n=n, norm=norm) * np.linspace(0.0, 1.0, k, dtype=x.dtype), n, norm=norm)


def image_energy(x, norm=None):
    return np.sum(np.abs(np.fft.fft2(x, norm=norm)) ** 2 * np.arange(x.shape[-1], dtype=x.dtype))


def phase(x, norm=None):
    return np.angle(np.fft.fft(x, norm=norm)[1:4]).sum() + np.fft.hfft(np.fft.ihfft(x)).sum()


CASES = [(power_spectrum, (8,), {}), (power_spectrum, (7,), {"n": 10}),
         (power_spectrum, (9,), {"n": 6}), (filtered, (8,), {}), (rfilter, (8,), {}),
         (rfilter, (7,), {"n": 8}), (rfilter, (9,), {"n": 5}), (image_energy, (3, 4), {}),
         (image_energy, (4, 5), {}), (phase, (8,), {})]


@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("f,shape,kw", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_real_functions_through_fft_match_finite_differences(f, shape, kw, norm):
    x = np.random.default_rng(1).standard_normal(shape)
    assert wg.gradcheck(lambda t: f(t, norm=norm, **kw), (x,), order=2, modes=("rev", "fwd"))


@pytest.mark.parametrize("f,shape,kw", CASES, ids=lambda v: getattr(v, "__name__", str(v)))
def test_float32_in_float32_out(f, shape, kw):
    x32 = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    t = wg.tensor(x32, requires_grad=True)
    y = f(t, **kw)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(force=True), f(x32.astype(np.float64), **kw), rtol=1e-4, atol=1e-4)
    y.sum().backward()
    assert t.grad.dtype == np.float32
    g64 = wg.grad(lambda a: f(a, **kw).sum())(x32.astype(np.float64))
    np.testing.assert_allclose(t.grad.numpy(force=True), np.asarray(g64), rtol=1e-3, atol=1e-3)
    assert np.fft.rfft(t).dtype == np.complex64 and np.fft.fft2(t[None]).dtype == np.complex64


def test_transforms_and_hessians_agree_with_finite_differences():
    x = np.random.default_rng(3).standard_normal(6)
    f = lambda a: np.sum(np.abs(np.fft.fft(a) * H8[:6]) ** 2)   # noqa: E731
    # an exact quadratic form: the Hessian is 2 Re(Fᴴ D F) with D = diag |h|²
    F = np.fft.fft(np.eye(6), axis=0)
    want = 2 * np.real(F.conj().T @ np.diag(np.abs(H8[:6]) ** 2) @ F)
    np.testing.assert_allclose(np.asarray(wg.hessian(f)(x)), want, atol=1e-9)
    np.testing.assert_allclose(np.asarray(wg.jacfwd(wg.grad(f))(x)), want, atol=1e-9)
    np.testing.assert_allclose(np.asarray(wg.jacfwd(lambda a: np.fft.fft(a))(x)), F, atol=1e-12)
    _, t = wg.jvp(lambda a: np.fft.rfft(a).real, (x,), (np.ones(6),))
    np.testing.assert_allclose(np.asarray(t), np.fft.rfft(np.ones(6)).real, atol=1e-12)


def test_tensor_real_imag_conj_and_abs_at_zero():
    x = wg.tensor([1.0, 1.0, 1.0, 1.0], requires_grad=True)
    z = np.fft.fft(x)                      # [4, 0, 0, 0]: |z| has a kink at the zeros
    np.testing.assert_allclose(z.real.numpy(force=True), [4, 0, 0, 0])
    np.testing.assert_allclose(z.conj().imag.numpy(force=True), 0.0)
    np.abs(z).sum().backward()             # abs′(0) = 0 by convention: only z₀ = Σx counts
    np.testing.assert_allclose(x.grad.numpy(force=True), [1.0, 1.0, 1.0, 1.0])
    assert wg.real(x) is x and not wg.imag(x).requires_grad


def test_var_and_std_of_complex_values_are_real_like_numpy():
    z = np.array([1 + 2j, 3 - 1j, 0.5j])
    np.testing.assert_allclose(np.var(wg.tensor(z)).numpy(force=True), np.var(z))
    assert wg.gradcheck(lambda x: np.var(np.fft.fft(x)) + np.std(np.fft.fft(x), ddof=1),
                        (np.arange(5.0) ** 2,), order=2)


BAD = [lambda z: np.sin(z), lambda z: np.sqrt(z), lambda z: z @ np.ones(6),
       lambda z: np.maximum(z, 0), lambda z: np.cumsum(z), lambda z: np.linalg.norm(z),
       lambda z: np.where(np.real(z) > 0, z, 0), lambda z: np.log(z)]


@pytest.mark.parametrize("f", BAD)
def test_other_ops_of_a_complex_value_needing_grad_are_type_errors(f):
    x = wg.tensor(np.arange(6.0), requires_grad=True)
    with pytest.raises(TypeError, match="complex differentiation covers only the fft family"):
        f(np.fft.fft(x))
    with pytest.raises(TypeError, match="complex differentiation covers only the fft family"):
        wg.jvp(lambda a: np.real(f(np.fft.fft(a))), (np.arange(6.0),), (np.ones(6),))
    with wg.no_grad():                     # no gradient: NumPy's values
        f(np.fft.fft(x))


def test_non_integer_complex_power_is_a_type_error():
    x = wg.tensor(np.arange(1.0, 5.0), requires_grad=True)
    with pytest.raises(TypeError, match="integer constant exponents"):
        np.fft.fft(x) ** 0.5
    with pytest.raises(TypeError, match="integer constant exponents"):
        np.fft.fft(x) ** x


def test_rfft_of_a_complex_value_needing_grad_is_a_type_error():
    x = wg.tensor(np.arange(4.0), requires_grad=True)
    with pytest.raises(TypeError, match="takes real input"):
        np.fft.rfft(np.fft.fft(x))


def test_gradients_of_complex_outputs_are_type_errors():
    with pytest.raises(TypeError, match="complex output is ambiguous"):
        wg.grad(lambda a: np.fft.fft(a)[0])(np.ones(4))
    with pytest.raises(TypeError, match="complex output is ambiguous"):
        wg.jacrev(lambda a: np.fft.fft(a))(np.ones(4))
    x = wg.tensor(np.ones(1), requires_grad=True)
    with pytest.raises(TypeError, match="only for real outputs"):
        np.fft.fft(x).sum().backward()
    y = np.fft.fft(wg.tensor(np.arange(3.0), requires_grad=True) * 1.0)
    y.backward(gradient=np.array([1j, 0, 0]))      # an explicit cotangent: ∂ Im y₀ = ∂ Σx
