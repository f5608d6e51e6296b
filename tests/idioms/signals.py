"""Signal processing: smoothing, differences, integration, interpolation, spectra."""
import numpy as np

from ._core import DISTINCT, N, SORTED, U, idiom


@idiom(N(12), fwd=True, needs="np.convolve")
def convolve_moving_average(x):
    return np.convolve(x, np.ones(5) / 5, mode="valid")


@idiom(N(10), needs="np.convolve")
def convolve_gaussian_same(x):
    k = np.exp(-0.5 * np.linspace(-2, 2, 5) ** 2)
    k /= k.sum()
    return np.convolve(x, k, mode="same")


@idiom(N(8), N(3), needs="np.convolve")
def convolve_learned_kernel_full(x, k):
    return np.convolve(x, k)


@idiom(N(9), N(4), needs="np.correlate")
def correlate_template(x, t):
    return np.correlate(x, t, mode="valid")


@idiom(N(8), needs="np.correlate")
def autocorrelation_full(x):
    xc = x - x.mean()
    return np.correlate(xc, xc, mode="full")


@idiom(N(10), order2=True, needs="np.diff")
def total_variation_smooth(x):
    return np.sum(np.diff(x) ** 2)


@idiom(N(10), needs="np.diff")
def second_difference(x):
    return np.diff(x, n=2)


@idiom(N(4, 5), needs="np.diff")
def diff_along_axis0(x):
    return np.diff(x, axis=0)


@idiom(N(10), fwd=True)
def cumsum_integration(x):
    return np.cumsum(x) * 0.1


@idiom(N(10))
def moving_average_cumsum(x):
    c = np.cumsum(x)
    k = 3
    return (c[k:] - c[:-k]) / k


@idiom(N(6), U(0.0, 5.0, 4), needs="np.interp")
def interp_values(fp, xq):
    xp = np.linspace(0.0, 5.0, 6)
    return np.interp(xq, xp, fp)


@idiom(N(8), SORTED(8), needs="np.trapezoid")
def trapezoid_numpy(y, t):
    return np.trapezoid(y, t)


@idiom(N(8), SORTED(8))
def trapezoid_by_hand(y, t):
    return np.sum((y[1:] + y[:-1]) * (t[1:] - t[:-1])) / 2


@idiom(N(8), needs="np.gradient")
def numpy_gradient(y):
    return np.gradient(y, 0.5)


@idiom(N(8))
def central_difference_by_hand(y):
    h = 0.5
    d = np.empty_like(y)
    d[1:-1] = (y[2:] - y[:-2]) / (2 * h)
    d[0] = (y[1] - y[0]) / h
    d[-1] = (y[-1] - y[-2]) / h
    return d


@idiom(N(8), U(0.2, 0.8, 1))
def exponential_smoothing_loop(x, a):
    s = x[0]
    out = [s]
    for xi in x[1:]:
        s = a[0] * xi + (1 - a[0]) * s
        out.append(s)
    return np.stack(out)


@idiom(N(8), needs="np.fft.rfft")
def power_spectrum_rfft(x):
    return np.abs(np.fft.rfft(x)) ** 2


@idiom(N(16))
def hann_window(x):
    return x * np.hanning(16)


@idiom(N(8), needs="np.ediff1d")
def ediff1d_with_ends(x):
    return np.ediff1d(x, to_begin=0.0, to_end=1.0)


@idiom(U(0.1, 0.4, 1), needs="np.sinc")
def sinc_lowpass_taps(fc):
    n = np.arange(-4, 5)
    h = 2 * fc * np.sinc(2 * fc * n) * np.hamming(9)
    return h / np.sum(h)


@idiom(N(10), N(10), needs="np.linalg.lstsq, np.vstack")
def detrend_lstsq(y, noise):
    t = np.linspace(0.0, 1.0, 10) + 0.01 * noise
    A = np.vstack([t, np.ones_like(t)]).T
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    return y - A @ coef


@idiom(N(4), U(-1, 1, 6), needs="np.polyval")
def polyval_fit(c, t):
    return np.polyval(c, t)


@idiom(DISTINCT(8))
def peak_normalise(x):
    return x / np.max(np.abs(x))


@idiom(N(12))
def downsample_and_mean(x):
    return x.reshape(-1, 3).mean(axis=1)


@idiom(N(6), N(6))
def snr_db(signal, noise):
    return 10 * np.log10(np.sum(signal ** 2) / np.sum(noise ** 2))
