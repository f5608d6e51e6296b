"""Elementwise ops where derivatives are singular or undefined: gradients masked to exactly 0
at poles (first and second order), singular derivatives that still show, and the documented
conventions at kinks, ties and NaN."""
import math
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.helpers import grads_as_lists, numpy_warnings_off


# ---- masked gradients: exactly 0 where the cotangent is 0, even at poles --------------------------

MASKED = [  # id, masked expression of x, x (masked entries first), how many are masked
    ("sqrt", lambda x: wg.where(x > 0, wg.sqrt(x), 0.0), [-1.0, 0.0, 4.0], 2),
    ("log", lambda x: wg.where(x > 0, wg.log(x), 0.0), [-1.0, 0.0, 2.0], 2),
    ("log2", lambda x: wg.where(x > 0, wg.log2(x), 0.0), [-1.0, 0.0, 2.0], 2),
    ("log10", lambda x: wg.where(x > 0, wg.log10(x), 0.0), [-1.0, 0.0, 2.0], 2),
    ("log1p", lambda x: wg.where(x > -1, wg.log1p(x), 0.0), [-2.0, -1.0, 1.0], 2),
    ("divide-by-x", lambda x: wg.where(x != 0, 1.0 / x, 0.0), [0.0, 2.0], 1),
    ("divide-x-by-x", lambda x: wg.where(x != 0, (x + 1.0) / x, 0.0), [0.0, 2.0], 1),
    ("divide-python-zero", lambda x: wg.where(x > 5, x / 0, 0.0), [1.0, 2.0], 2),
    ("power-half", lambda x: wg.where(x > 0, x ** 0.5, 0.0), [-1.0, 0.0, 4.0], 2),
    ("power-negative", lambda x: wg.where(x != 0, x ** -2.0, 0.0), [0.0, 2.0], 1),
    ("power-exponent", lambda y: wg.where(y > 0, 0.0 ** y + 2.0 ** y, 0.0), [-1.0, 1.5], 1),
    ("power-tensor-base", lambda x: wg.where(x > 0, x ** wg.tensor(-0.5), 0.0), [0.0, 4.0], 1),
    ("reciprocal", lambda x: wg.where(x != 0, wg.reciprocal(x), 0.0), [0.0, 2.0], 1),
    ("cbrt", lambda x: wg.where(x != 0, wg.cbrt(x), 0.0), [0.0, 8.0], 1),
    ("arcsin", lambda x: wg.where(abs(x) < 1, wg.arcsin(x), 0.0), [-2.0, -1.0, 1.0, 2.0, 0.5], 4),
    ("arccos", lambda x: wg.where(abs(x) < 1, wg.arccos(x), 0.0), [-2.0, -1.0, 1.0, 2.0, 0.5], 4),
    ("arctanh", lambda x: wg.where(abs(x) < 1, wg.arctanh(x), 0.0), [-2.0, -1.0, 1.0, 2.0, 0.5], 4),
    ("arccosh", lambda x: wg.where(x > 1, wg.arccosh(x), 0.0), [0.0, 1.0, 2.0], 2),
    ("hypot", lambda x: wg.where(x != 0, wg.hypot(x, 0.0), 0.0), [0.0, 3.0], 1),
    ("arctan2", lambda x: wg.where(x != 0, wg.arctan2(x, x * x), 0.0), [0.0, 2.0], 1),
    ("arctan2-second", lambda x: wg.where(x != 0, wg.arctan2(x * x, x), 0.0), [0.0, 2.0], 1),
    ("exp", lambda x: wg.where(x < 100, wg.exp(x), 0.0), [1000.0, 1.0], 1),
    ("exp2", lambda x: wg.where(x < 100, wg.exp2(x), 0.0), [2000.0, 1.0], 1),
    ("expm1", lambda x: wg.where(x < 100, wg.expm1(x), 0.0), [1000.0, 1.0], 1),
    ("sinh", lambda x: wg.where(x < 100, wg.sinh(x), 0.0), [1000.0, 1.0], 1),
    ("cosh", lambda x: wg.where(x < 100, wg.cosh(x), 0.0), [1000.0, 1.0], 1),
    ("remainder", lambda y: wg.where(y != 0, wg.remainder(3.0, y), 0.0), [0.0, 2.0], 1),
    ("fmod", lambda y: wg.where(y != 0, wg.fmod(3.0, y), 0.0), [0.0, 2.0], 1),
    ("chain", lambda x: wg.where(x > 0, wg.sqrt(wg.sqrt(x)) * 3.0, 0.0), [-1.0, 0.0, 16.0], 2),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,f,x,masked", MASKED, ids=[m[0] for m in MASKED])
def test_masked_gradient_is_exactly_zero(name, f, x, masked, dtype):
    t = wg.tensor(x, dtype=dtype, requires_grad=True)
    with numpy_warnings_off():
        y = f(t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # and the backward pass warns about nothing
        y.sum().backward()
    g = t.grad.numpy()
    assert g.dtype == dtype
    assert np.all(g[:masked] == 0.0), g
    assert np.all(np.isfinite(g[masked:])) and np.all(g[masked:] != 0.0), g


@pytest.mark.parametrize("name,f,x,masked", MASKED, ids=[m[0] for m in MASKED])
def test_masked_gradient_stays_zero_at_second_order(name, f, x, masked):
    t = wg.tensor(x, requires_grad=True)
    with numpy_warnings_off():
        y = f(t)
        (g,) = wg.autograd.grad(y.sum(), [t], create_graph=True)
        assert np.all(g.numpy(force=True)[:masked] == 0.0)
        if not g.requires_grad:                  # a constant first derivative
            return
        (h,) = wg.autograd.grad(g.sum(), [t], allow_unused=True)
    if h is not None:
        assert np.all(h.numpy(force=True)[:masked] == 0.0), h
        assert np.all(np.isfinite(h.numpy(force=True)))


def test_masking_the_divisor_of_a_quotient_zeroes_both_gradients():
    x = wg.tensor([1.0, 3.0], requires_grad=True)
    y = wg.tensor([0.0, 2.0], requires_grad=True)
    with numpy_warnings_off():
        z = wg.where(y != 0, x / y, 0.0)
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 0.5]
    assert y.grad.tolist() == [0.0, -0.75]


UNMASKED = [  # f, a singular point, the derivative there, an ordinary point
    (wg.sqrt, 0.0, math.inf, 2.0),
    (wg.log, 0.0, math.inf, 2.0),
    (wg.reciprocal, 0.0, -math.inf, 2.0),
    (wg.cbrt, 0.0, math.inf, 2.0),
    (wg.arcsin, 1.0, math.inf, 0.5),
    (wg.arccos, 1.0, -math.inf, 0.5),
    (wg.arctanh, 1.0, math.inf, 0.5),
    (wg.arccosh, 1.0, math.inf, 2.0),
    (lambda x: x ** 0.5, 0.0, math.inf, 2.0),
    (lambda x: 1.0 / x, 0.0, -math.inf, 2.0),
    (lambda x: wg.hypot(x, 0.0), 0.0, math.nan, 2.0),
    (lambda x: wg.arctan2(x, x * x), 0.0, math.nan, 2.0),
    (wg.exp, 1000.0, math.inf, 2.0),
    (wg.cosh, 1000.0, math.inf, 2.0),
    (wg.sinh, -1000.0, math.inf, 2.0),
]


@pytest.mark.parametrize("f,x,expected,ordinary", UNMASKED)
def test_an_unmasked_singular_derivative_still_shows(f, x, expected, ordinary):
    t = wg.tensor([x, ordinary], requires_grad=True)
    with numpy_warnings_off():
        f(t).sum().backward()
    g = t.grad.numpy()
    if math.isnan(expected):
        assert np.isnan(g[0])
    else:
        assert g[0] == expected
    assert np.isfinite(g[1])


def test_the_cotangent_mask_is_per_element():
    # a zero cotangent masks only its own element; a nonzero one next to it keeps its inf
    t = wg.tensor([0.0, 0.0], requires_grad=True)
    wg.sqrt(t).backward(gradient=wg.tensor([0.0, 1.0]))
    assert t.grad.numpy()[0] == 0.0 and t.grad.numpy()[1] == math.inf


def test_no_spurious_overflow_in_backward_at_huge_inputs():
    big = wg.tensor([1e200, -1e200, 3e300], requires_grad=True)
    other = wg.tensor([1e200, 1e200, 1e300], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for y in (wg.arctan(big), wg.arcsinh(big), wg.tanh(big), wg.arctan2(big, other),
                  wg.hypot(big, other), wg.logaddexp(big, other), wg.arccosh(other),
                  wg.reciprocal(big), wg.sinh(wg.arcsinh(big))):
            big.grad = other.grad = None
            y.sum().backward()
            for t in (big, other):
                if t.grad is not None:
                    assert np.all(np.isfinite(t.grad.numpy()))


def test_derivatives_near_the_domain_edge_are_accurate():
    x = 1 - 1e-10
    for f, d in [(wg.arcsin, 1 / math.sqrt(1 - x * x)), (wg.arctanh, 1 / (1 - x * x))]:
        t = wg.tensor(x, requires_grad=True)
        f(t).backward()
        np.testing.assert_allclose(t.grad.item(), d, rtol=1e-5)
    t = wg.tensor(1 + 1e-10, requires_grad=True)
    wg.arccosh(t).backward()
    np.testing.assert_allclose(t.grad.item(), 1 / math.sqrt(2e-10), rtol=1e-5)


# ---- conventions at kinks -----------------------------------------------------------------------

def test_abs_derivative_at_zero_is_zero():
    for f in (wg.abs, wg.absolute, abs, np.abs):
        assert grads_as_lists(f, [-2.0, 0.0, 3.0]) == [[-1.0, 0.0, 1.0]]


def test_sign_floor_ceil_round_have_zero_derivative():
    for f in (wg.sign, wg.floor, wg.ceil, wg.trunc, wg.rint, wg.round, lambda x: wg.round(x, 1),
              lambda x: x // 2.0):
        assert grads_as_lists(f, [-1.5, 0.0, 0.5, 2.0]) == [[0.0, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize("f", [wg.maximum, wg.minimum, wg.fmax, wg.fmin])
def test_ties_split_the_gradient_evenly(f):
    assert grads_as_lists(f, [1.0, 2.0, 3.0], [1.0, 5.0, 3.0])[0][0::2] == [0.5, 0.5]
    assert grads_as_lists(f, [1.0, 2.0, 3.0], [1.0, 5.0, 3.0])[1][0::2] == [0.5, 0.5]
    assert grads_as_lists(lambda x: f(x, x), [1.0, -2.0]) == [[1.0, 1.0]]
    # broadcasting: a scalar tied with two entries collects ½ from each
    assert grads_as_lists(f, [1.0, 1.0, 1.0], 1.0)[1] == 1.5


def test_maximum_minimum_send_the_gradient_to_the_winner():
    assert grads_as_lists(wg.maximum, [1.0, 5.0], [3.0, 2.0]) == [[0.0, 1.0], [1.0, 0.0]]
    assert grads_as_lists(wg.minimum, [1.0, 5.0], [3.0, 2.0]) == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("f", [wg.fmax, wg.fmin])
def test_fmax_fmin_ignore_nan(f):
    nan = math.nan
    gx, gy = grads_as_lists(f, [nan, 1.0, nan], [2.0, nan, nan])
    assert gx == [0.0, 1.0, 1.0]       # both NaN: the first argument takes it, once
    assert gy == [1.0, 0.0, 0.0]


def test_clip_passes_the_gradient_on_the_closed_interval():
    x = [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert grads_as_lists(lambda t: wg.clip(t, -1.0, 1.0), x) == [[0.0, 1.0, 1.0, 1.0, 0.0]]
    gx, glo, ghi = grads_as_lists(wg.clip, x, -1.0, 1.0)
    assert gx == [0.0, 1.0, 1.0, 1.0, 0.0] and glo == 1.0 and ghi == 1.0
    gx, glo, ghi = grads_as_lists(wg.clip, x, [-1.5] * 5, [0.0, 0.0, 0.0, 0.5, 0.5])
    assert gx == [0.0, 1.0, 1.0, 0.0, 0.0]
    assert glo == [1.0, 0.0, 0.0, 0.0, 0.0] and ghi == [0.0, 0.0, 0.0, 1.0, 1.0]


def test_clip_spellings():
    t = wg.tensor([-2.0, 0.5, 2.0], requires_grad=True)
    for y in (wg.clip(t, 0, 1), wg.clip(t, min=0, max=1), wg.clip(t, a_min=0, a_max=1), t.clip(0, 1),
              np.clip(t, 0, 1), np.clip(t, a_min=0, a_max=1)):
        assert y.tolist() == [0.0, 0.5, 1.0] and y.requires_grad
    assert wg.clip(t, None, 1).tolist() == [-2.0, 0.5, 1.0]
    assert wg.clip(t, 0).tolist() == [0.0, 0.5, 2.0]


def test_power_at_zero():
    assert grads_as_lists(lambda x: x ** 0, [0.0, 2.0]) == [[0.0, 0.0]]
    assert grads_as_lists(lambda x: x ** 2, [0.0, 3.0]) == [[0.0, 6.0]]
    assert grads_as_lists(lambda x: x ** 1, [0.0, 3.0]) == [[1.0, 1.0]]
    assert grads_as_lists(lambda x, y: x ** y, [0.0, 0.0], [2.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]
    assert grads_as_lists(lambda y: 0.0 ** y, [2.0, 0.5]) == [[0.0, 0.0]]
    gy = grads_as_lists(lambda y: 2.0 ** y, [1.0])[0]
    np.testing.assert_allclose(gy, [2 * math.log(2)])


def test_python_zero_divisor_gives_inf_not_zerodivisionerror():
    t = wg.tensor([1.0, -1.0], requires_grad=True)
    with numpy_warnings_off():
        (t / 0).sum().backward()
        assert t.grad.tolist() == [math.inf, math.inf]
        t.grad = None
        (t / -0.0).sum().backward()
        assert t.grad.tolist() == [-math.inf, -math.inf]


def test_remainder_and_fmod_gradients_follow_their_quotients():
    # remainder: x − floor(x/y)·y; fmod: x − trunc(x/y)·y
    gx, gy = grads_as_lists(wg.remainder, [-7.0, 7.0], [2.0, 2.0])
    assert gx == [1.0, 1.0] and gy == [4.0, -3.0]
    gx, gy = grads_as_lists(wg.fmod, [-7.0, 7.0], [2.0, 2.0])
    assert gx == [1.0, 1.0] and gy == [3.0, -3.0]
    assert grads_as_lists(lambda x: x % 2.0, [5.5]) == [[1.0]]


def test_copysign_gradient():
    gx, gy = grads_as_lists(wg.copysign, [2.0, -3.0, 0.0, 1.0], [-1.0, -1.0, 1.0, 0.0])
    assert gx == [-1.0, 1.0, 0.0, 1.0] and gy == [0.0, 0.0, 0.0, 0.0]
