"""interp polyval vander convolve correlate sinc float_power heaviside real_if_close angle
(wengert/ops/signal.py)."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import randn
from tests.ops._vocab import check_dispatch, nl, nl_ref
from tests.ops.op_table import Row, generic_tests

XP = np.array([-1.5, -0.4, 0.1, 0.9, 1.6, 2.2])
XP_PERIODIC = np.array([0.3, 1.7, 0.9, 0.0, 1.2])


def increasing(rng, shape, i):
    """Argument 1 increasing (xp), the others normal."""
    if i == 1:
        return np.cumsum(rng.uniform(0.4, 1.0, size=shape)) - 2.0
    return rng.uniform(-2.5, 2.5, size=shape)


def near_zero(rng, shape, i):
    v = np.array([0.0, 0.01, -0.02, 0.031, 0.25, -1.3])
    return np.resize(v, shape) if shape else np.float64(0.0)


def zeros_inside(f):
    """f(x1·mask, x2) with a constant mask holding exact zeros: the step's value at 0
    (x2) is reached and a finite step in x1 keeps those entries at 0."""
    def g(x1, x2):
        mask = np.resize(np.array([1.0, 0.0, 1.0], dtype=x1.dtype), np.shape(x1))
        return f(x1 * mask, x2)
    g.__name__ = f.__name__
    return g


def interp_at(f, xp):
    return lambda x, fp, **kw: f(x, xp, fp, **kw)


ROWS = [
    Row(interp_at(wg.interp, XP), interp_at(np.interp, XP), id="interp", nargs=2,
        domain=(-2.5, 3.0), shapes=[((7,), (6,)), ((2, 3), (6,)), ((), (6,))],
        kwargs=[{}, {"left": -3.0, "right": 4.0}], float32=False),
    Row(interp_at(wg.interp, XP_PERIODIC), interp_at(np.interp, XP_PERIODIC),
        id="interp-period", nargs=2, domain=(-3.0, 3.0), shapes=[((7,), (5,))],
        kwargs=[{"period": 2.0}, {"period": -1.9}], float32=False),
    Row(wg.interp, np.interp, id="interp-xp", nargs=3, sample=increasing,
        shapes=[((6,), (5,), (5,))], float32=False),
    Row(lambda x, fp, lo, hi: wg.interp(x, XP, fp, lo, hi),
        lambda x, fp, lo, hi: np.interp(x, XP, fp, lo, hi), id="interp-left-right", nargs=4,
        domain=(-2.5, 3.0), shapes=[((8,), (6,), (), ())], float32=False),
    Row(wg.polyval, np.polyval, id="polyval", nargs=2,
        shapes=[((4,), (3,)), ((3,), ()), ((3,), (2, 3)), ((3, 2), (2,)), ((1,), (2,))]),
    Row(nl(wg.vander), nl_ref(np.vander), id="vander", shapes=[((4,),)],
        kwargs=[{}, {"N": 2}, {"N": 5, "increasing": True}, {"N": 1}],
        float32=False),                 # NumPy: promote_types(x.dtype, int), float64
    Row(nl(wg.convolve), nl_ref(np.convolve), id="convolve", nargs=2,
        shapes=[((5,), (3,)), ((3,), (5,)), ((4,), (4,)), ((1,), (3,)), ((), (3,))],
        kwargs=[{}, {"mode": "same"}, {"mode": "valid"}]),
    Row(nl(wg.correlate), nl_ref(np.correlate), id="correlate", nargs=2,
        shapes=[((5,), (3,)), ((3,), (5,)), ((4,), (2,)), ((2,), (4,))],
        kwargs=[{}, {"mode": "same"}, {"mode": "full"}, {"mode": 2}]),
    Row(wg.sinc, np.sinc, id="sinc", domain=(-3.0, 3.0),
        shapes=[((),), ((3,),), ((2, 3),)]),
    Row(wg.sinc, np.sinc, id="sinc-near-0", sample=near_zero, shapes=[((),), ((6,),)]),
    Row(wg.float_power, np.float_power, id="float_power", nargs=2, domain=(0.5, 2.0),
        float32=False),
    Row(zeros_inside(wg.heaviside), zeros_inside(np.heaviside), id="heaviside", nargs=2,
        shapes=[((3,), (3,)), ((2, 3), ()), ((2, 3), (3,))]),
    Row(wg.angle, np.angle, id="angle", shapes=[((3,),), ((2, 3),)], kwargs=[{}, {"deg": True}]),
    Row(nl(wg.real_if_close), nl_ref(np.real_if_close), id="real_if_close"),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


@pytest.mark.parametrize("name,args,kwargs,grad_arg", [
    ("interp", [randn(4), XP, randn(6)], {}, 0),
    ("interp", [randn(4), XP, randn(6)], {}, 2),
    ("polyval", [randn(3), randn(4)], {}, 0),
    ("polyval", [randn(3), randn(4)], {}, 1),
    ("vander", [randn(3)], {"N": 4}, 0),
    ("convolve", [randn(5), randn(3)], {"mode": "same"}, 1),
    ("correlate", [randn(5), randn(3)], {}, 0),
    ("sinc", [randn(4)], {}, 0),
    ("float_power", [np.abs(randn(3)) + 0.5, 2.5], {}, 0),
    ("heaviside", [np.array([0.0, 1.0]), np.array([0.3, 0.4])], {}, 1),
    ("angle", [randn(3)], {}, 0),
    ("real_if_close", [randn(3)], {}, 0),
], ids=lambda v: v if isinstance(v, str) else "")
def test_numpy_functions_dispatch_to_wengert(name, args, kwargs, grad_arg):
    check_dispatch(name, args, kwargs, grad_arg)


def test_sinc_is_stable_at_zero_to_second_order():
    d1 = wg.grad(wg.sinc)
    d2 = wg.grad(wg.grad(wg.sinc))
    assert d1(wg.tensor(0.0)).item() == 0.0
    np.testing.assert_allclose(d2(wg.tensor(0.0)).item(), -np.pi ** 2 / 3, rtol=1e-14)
    # continuity of both across the switch between the series and sin(y)/y
    for x in (0.1 / np.pi * (1 - 1e-9), 0.1 / np.pi * (1 + 1e-9)):
        y = np.pi * x
        want1 = (np.cos(y) - np.sin(y) / y) / x
        want2 = -np.pi ** 2 * np.sin(y) / y - 2 * want1 / x
        np.testing.assert_allclose(d1(wg.tensor(x)).item(), want1, rtol=1e-9)
        np.testing.assert_allclose(d2(wg.tensor(x)).item(), want2, rtol=1e-8)
    h = wg.hessian(lambda v: wg.sinc(v).sum())(wg.tensor(np.array([0.0, 1e-300, 1e-8])))
    np.testing.assert_allclose(np.diag(h.numpy(force=True)), -np.pi ** 2 / 3, rtol=1e-12)


def test_interp_slope_convention_at_knots():
    fp = wg.tensor([0.0, 1.0, 3.0], requires_grad=True)
    xp = np.array([0.0, 1.0, 2.0])
    x = wg.tensor([0.0, 1.0, 2.0, -1.0, 3.0], requires_grad=True)
    y = wg.interp(x, xp, fp)
    np.testing.assert_array_equal(y.numpy(force=True), [0.0, 1.0, 3.0, 0.0, 3.0])
    y.sum().backward()
    # knots use the interval to their right (the last knot: to its left); outside: 0
    np.testing.assert_array_equal(x.grad.numpy(force=True), [1.0, 2.0, 2.0, 0.0, 0.0])
    # the values at knots and outside go to the knot's fp (left/right default to fp[0], fp[-1])
    np.testing.assert_array_equal(fp.grad.numpy(force=True), [2.0, 1.0, 2.0])


def test_interp_returns_float64_and_nan_for_nan():
    y = wg.interp(wg.tensor(np.array([np.nan, 0.5], np.float32)), [0.0, 1.0], [1.0, 2.0])
    assert y.dtype == np.float64 and np.isnan(y.numpy(force=True)[0]) and y.numpy(force=True)[1] == 1.5


def test_float_power_gives_float64_as_numpy():
    x = wg.tensor(np.array([1.5, 2.0], np.float32), requires_grad=True)
    y = wg.float_power(x, 2)
    assert y.dtype == np.float64 == np.float_power(x.numpy(force=True), 2).dtype
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.numpy(force=True), [3.0, 4.0])


def test_heaviside_derivatives():
    x1 = wg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x2 = wg.tensor(0.5, requires_grad=True)
    wg.heaviside(x1, x2).sum().backward()
    assert x1.grad.tolist() == [0.0, 0.0, 0.0] and x2.grad.item() == 1.0


def test_angle_of_real_input_is_0_or_pi_with_derivative_0():
    x = wg.tensor([2.0, -3.0, 0.0, -0.0], requires_grad=True)
    a = wg.angle(x)
    np.testing.assert_array_equal(a.numpy(force=True), [0.0, np.pi, 0.0, np.pi])
    a.sum().backward()
    assert x.grad.tolist() == [0.0] * 4


def test_complex_input_gives_constants():
    z = np.array([1 + 1e-17j, 2 - 1e-17j])
    assert wg.real_if_close(z).dtype == np.float64
    np.testing.assert_allclose(wg.angle(np.array([1j, -1.0 + 0j])).numpy(force=True), [np.pi / 2, np.pi])


def test_long_convolutions_are_computed_in_blocks():
    a, v = randn(3000), randn(700, seed=1)
    at = wg.tensor(a, requires_grad=True)
    y = wg.convolve(at, v)
    np.testing.assert_allclose(y.numpy(force=True), np.convolve(a, v), atol=1e-10)
    g = randn(y.shape[0], seed=2)
    y.backward(g)
    np.testing.assert_allclose(at.grad.numpy(force=True), np.correlate(g, v, "valid"), atol=1e-10)


@pytest.mark.parametrize("call,err,match", [
    (lambda: wg.interp(wg.tensor(1.0), [0.0, 1.0], [0.0, 1.0], period=0), ValueError,
     "non-zero"),
    (lambda: wg.interp(wg.tensor(1.0), [[0.0, 1.0]], [0.0, 1.0]), ValueError, "1-D"),
    (lambda: wg.interp(wg.tensor(1.0), [0.0, 1.0], [0.0]), ValueError, "same length"),
    (lambda: wg.interp(wg.tensor(1.0), [], []), ValueError, "empty"),
    (lambda: wg.polyval(wg.tensor(1.0), 2.0), TypeError, "0-d"),
    (lambda: wg.vander(wg.tensor(np.ones((2, 2)))), ValueError, "one-dimensional"),
    (lambda: wg.convolve(wg.tensor([]), [1.0]), ValueError, "a cannot be empty"),
    (lambda: wg.convolve(wg.tensor([1.0]), []), ValueError, "v cannot be empty"),
    (lambda: wg.convolve(wg.tensor(np.ones((2, 2))), [1.0]), ValueError, "too deep"),
    (lambda: wg.correlate(wg.tensor([]), [1.0]), ValueError, "first array argument"),
    (lambda: wg.correlate(wg.tensor([1.0]), []), ValueError, "second array argument"),
    (lambda: wg.correlate(wg.tensor(1.0), [1.0]), ValueError, "too small depth"),
    (lambda: wg.correlate(wg.tensor([1.0]), [1.0], mode="bad"), ValueError,
     "mode must be one of"),
])
def test_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_heaviside_of_float32_with_a_python_number_stays_float32():
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    for h in (wg.heaviside(wg.tensor(x), 0.5), np.heaviside(wg.tensor(x), 0.5)):
        assert h.dtype == np.heaviside(x, 0.5).dtype == np.float32
        np.testing.assert_array_equal(h.numpy(), np.heaviside(x, 0.5))
    assert wg.heaviside(wg.tensor(x), [0.5]).dtype == np.heaviside(x, [0.5]).dtype


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("where", [0, 1])
def test_convolution_with_a_nonfinite_entry_spoils_only_its_sums(bad, where):
    # the zero padding takes no part: 0·inf would turn the edge sums into NaN
    a, v = np.array([0.5, -1.0, 2.0, 3.0]), np.array([1.5, 2.0])
    if where == 0:
        a[1] = bad
    else:
        v[0] = bad
    for mode in ("full", "same", "valid"):
        with np.errstate(invalid="ignore"):
            got = wg.convolve(wg.tensor(a), wg.tensor(v), mode=mode).numpy(force=True)
            np.testing.assert_array_equal(got, np.convolve(a, v, mode=mode))
            got = wg.correlate(wg.tensor(a), wg.tensor(v), mode=mode).numpy(force=True)
            np.testing.assert_array_equal(got, np.correlate(a, v, mode=mode))
    with np.errstate(invalid="ignore"):
        r = np.array([0.5, bad, 2.0])
        np.testing.assert_array_equal(np.poly(wg.tensor(r)).numpy(force=True), np.poly(r))


@pytest.mark.parametrize("x, xp, fp", [
    ([np.inf, 0.5], [0.0, np.inf], [1.0, 2.5]),             # x at an infinite last knot
    ([-np.inf, 0.5], [-np.inf, 0.0, 1.0], [1.0, 2.5, 4.0]),  # x at an infinite first knot
    ([np.nan, 0.0, 2.0], [1.0], [3.0]),                      # one knot: NaN x gets fp[0]
])
@pytest.mark.parametrize("tensors", [(), (0,), (0, 1, 2)])
def test_interp_infinite_knot_and_one_knot_as_numpy(x, xp, fp, tensors):
    # (x = ±inf at a knot xp = ±inf gave NaN from inf − inf, NumPy fp at that knot; with one
    # knot a NaN x gave NaN where NumPy gives fp[0])
    args = [wg.tensor(a) if i in tensors else np.array(a) for i, a in enumerate((x, xp, fp))]
    with np.errstate(all="ignore"):
        got = np.asarray(wg.interp(*args))
        want = np.interp(np.array(x), np.array(xp), np.array(fp))
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("a, v", [([1.0, 2.0, 3.0], [1 + 2j, 3j]), ([1 + 2j, 3j], [1.0, 2.0, 3.0]),
                                  ([1 + 2j, 3j], [2 - 1j, 0.5 + 1j, 1j])])
def test_correlate_conjugates_a_complex_v_as_numpy(a, v, mode):
    # (v was used unconjugated: correlate([1, 2, 3], [1+2j, 3j]) gave [1+8j, 2+13j], NumPy
    # [1-8j, 2-13j])
    a, v = np.array(a), np.array(v)
    np.testing.assert_allclose(np.asarray(wg.correlate(wg.tensor(a), v, mode)),
                               np.correlate(a, v, mode), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(wg.correlate(a, wg.tensor(v), mode)),
                               np.correlate(a, v, mode), rtol=1e-14)


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("name", ["convolve", "correlate"])
def test_convolve_correlate_of_complex_values_differentiable(name, mode):
    # (a complex product went through where/matmul, which have no complex derivative:
    # TypeError "where of a complex value that a gradient (or tangent) flows through")
    from wengert.checking import numerical_grad
    a, vr, vi = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.5]), np.array([2.0, 3.0, -1.0])

    def f(a, vr, vi):
        return wg.sum(wg.abs(getattr(wg, name)(a, vr + vi * 1j, mode)) ** 2)
    got = wg.grad(f, argnums=(0, 1, 2))(a, vr, vi)
    want = numerical_grad(f, a, vr, vi, argnums=(0, 1, 2))
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"left": 1j, "right": 2.0}, {"period": 1.5}])
@pytest.mark.parametrize("fp", [[1 + 1j, 2j, 3.0], [1 + 1j, 2j, np.inf]])
def test_interp_of_complex_fp_as_numpy(fp, kw):
    # (fp was cast to float64: its imaginary part dropped without a word, interp(1.5, xp,
    # [1+1j, 2j, 3]) gave 1.5 for NumPy's 1.5+1j)
    x, xp, fp = np.array([0.5, 1.5, -1.0, 3.0, 2.0, np.nan]), np.array([0.0, 1.0, 2.0]), np.array(fp)
    with np.errstate(all="ignore"):
        want = np.interp(x, xp, fp, **kw)
        for args in ((x, xp, fp), (wg.tensor(x), xp, fp), (x, xp, wg.tensor(fp))):
            got = np.asarray(wg.interp(*args, **kw))
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=1e-15, equal_nan=True)


def test_interp_of_complex_fp_differentiable():
    from wengert.checking import numerical_grad
    xp = np.array([0.0, 1.0, 2.0])
    f = lambda x, fr, fi: wg.sum(wg.abs(wg.interp(x, xp, fr + fi * 1j)) ** 2)
    args = (np.array([0.3, 1.6, -1.0, 2.5]), np.array([1.0, 0.0, 3.0]), np.array([1.0, 2.0, 0.0]))
    for g, n in zip(wg.grad(f, argnums=(0, 1, 2))(*args), numerical_grad(f, *args, argnums=(0, 1, 2))):
        np.testing.assert_allclose(np.asarray(g), n, atol=1e-6)


@pytest.mark.parametrize("args", [(1j, [0.0, 1.0], [0.0, 1.0]), (0.5, [0j, 1.0], [0.0, 1.0]),
                                  (5.0, [0.0, 1.0], [0.0, 1.0], 0.0, 2j)])
def test_interp_complex_x_xp_or_real_fp_edge_is_type_error(args):
    with pytest.raises(TypeError):
        np.interp(*args)
    with pytest.raises(TypeError, match="must be real"):
        wg.interp(*args)


@pytest.mark.parametrize("args", [(1j, 2), (2.0, 1j), (np.array([1 + 1j, 2], np.complex64), 2.0)])
def test_float_power_of_complex_as_numpy(args):
    # (a complex input was cast to float64: its imaginary part dropped without a word,
    # float_power(1j, 2) gave 0 for NumPy's -1+0j)
    got, want = np.asarray(wg.float_power(*args)), np.float_power(*args)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-15)
