"""wg.compile where an op decides something from its operand's values (a NaN to show, a tie,
an even spacing, a singular matrix, a sign of an SVD, a mask): compiled at a usual input, the
same compiled function called at a special one gives the uncompiled result (or its error),
never the branch taken at tracing. Each case here was a silent wrong number (or a number
where the uncompiled call raises) before its decision was made with wengert ops."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.helpers import compiled_agrees
import wengert.nn.functional as F


W3 = np.array([1.0, 2.0, 3.0])
X3 = np.array([1.0, -2.0, 4.0])
NAN3 = np.array([np.nan, -2.0, 4.0])


# ---- ops/nn.py: relu shows a NaN in its derivative -------------------------------------------

def test_relu_derivative_shows_a_nan_input():
    # (compiled at X3 the NaN test was read off the values: grad gave 0 at the NaN, not NaN)
    compiled_agrees(wg.grad(lambda x: wg.sum(wg.relu(x) * W3)), (X3,), (NAN3,), (np.zeros(3),))
    compiled_agrees(lambda x, v: wg.hvp(lambda x: wg.sum(wg.relu(x) ** 2), x, v),
           (X3, np.ones(3)), (NAN3, np.ones(3)))
    compiled_agrees(lambda x, v: wg.jvp(lambda x: wg.relu(x) * 2.0, (x,), (v,)),
           (X3, np.ones(3)), (NAN3, np.ones(3)), (NAN3, np.zeros(3)))


def test_relu_guard_is_in_the_program():
    src = wg.compile(wg.grad(lambda x: wg.sum(wg.relu(x) * W3))).source(X3)
    assert "np.isfinite(" in src and "raise Miss" in src      # one sum over y, checked


# ---- ops/elementwise.py: maximum and minimum show a NaN ----------------------------------------

@pytest.mark.parametrize("op", [wg.maximum, wg.minimum], ids=["maximum", "minimum"])
def test_maximum_minimum_derivative_shows_a_nan(op):
    y = np.array([0.5, 1.0, 1.0])
    g = wg.grad(lambda x, y: wg.sum(op(x, y) * W3), argnums=(0, 1))
    compiled_agrees(g, (X3, y), (NAN3, y), (y, NAN3), (y, y))
    compiled_agrees(lambda x, v: wg.hvp(lambda x: wg.sum(op(x, y) ** 2), x, v),
           (X3, np.ones(3)), (NAN3, np.ones(3)))


# ---- ops/differences.py: gradient's even coordinates -------------------------------------------

def test_gradient_even_coordinates_decided_per_call():
    # (compiled at uneven x the program kept the uneven formulas: at even x its gradient with
    # respect to x was NaN, where the uncompiled call uses NumPy's uniform ones)
    f = wg.grad(lambda y, x: wg.sum(wg.gradient(y, x) * np.arange(1.0, 5.0)), argnums=(0, 1))
    y = np.array([1.0, 3.0, 2.0, 5.0])
    compiled_agrees(f, (y, np.array([0.0, 0.5, 1.7, 2.0])), (y, np.arange(4.0)), (y, np.zeros(4)))
    compiled_agrees(lambda y, x: wg.gradient(y, x), (y, np.array([0.0, 0.5, 1.7, 2.0])),
           (y, np.arange(4.0)))


# ---- ops/linalg/decompositions.py --------------------------------------------------------------

A3 = np.array([[2.0, 1.0, 0.5], [0.3, 3.0, 1.0], [1.0, -1.0, 4.0]])


def test_det_second_order_takes_each_calls_svd_sign():
    # (σ = det U·det Vᵀ was read off the traced SVD: at the all-ones matrix the compiled Hessian
    # of det came out with the opposite sign)
    v = np.arange(9.0).reshape(3, 3) / 9
    h = lambda a, v: wg.hvp(wg.linalg.det, a, v)        # noqa: E731
    compiled_agrees(h, (A3, v), (np.ones((3, 3)), v), (-A3, v), (A3[::-1], v))
    src = wg.compile(h).source(A3, v)
    assert "det" in src.split("def compiled")[1]


@pytest.mark.parametrize("order", [1, 2])
def test_slogdet_singular_raises_compiled_too(order):
    f = (wg.grad(lambda a: wg.linalg.slogdet(a)[1]) if order == 1 else
         lambda a: wg.hvp(lambda a: wg.linalg.slogdet(a)[1], a, np.ones((3, 3))))
    compiled_agrees(f, (A3,), (np.ones((3, 3)),), (np.zeros((3, 3)),), (2 * A3,))
    with pytest.raises(ValueError, match="infinite at a singular matrix"):
        c = wg.compile(f)
        c(A3)
        c(np.ones((3, 3)))


@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_rank_deficient_raises_compiled_too(mode):
    # (compiled at a full-rank A, a rank-deficient one got numbers, where the uncompiled call
    # refuses: the rank was tested on the traced values)
    pick = (lambda out: out) if mode == "r" else (lambda out: out[0] + out[1][0, 0])
    g = wg.grad(lambda a: wg.sum(pick(wg.linalg.qr(a, mode=mode)) * A3[:, :1].T))
    compiled_agrees(g, (A3,), (np.ones((3, 3)),), (np.zeros((3, 3)),), (1000 * A3,))
    c = wg.compile(g)
    c(A3)
    with pytest.raises(ValueError, match="rank-deficient"):
        c(np.ones((3, 3)))


# ---- ops/ufuncs_more.py: modf at ±inf ----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_modf_infinite_input_decided_per_call(dtype):
    # (compiled at finite x, frac at ±inf came out NaN (fmod(inf, 1)) instead of ±0)
    x = np.array([1.5, -2.25, 3.0], dtype)
    inf = np.array([np.inf, -np.inf, 2.5], dtype)
    compiled_agrees(lambda x: wg.modf(x), (x,), (inf,), (np.array([np.nan, 0.5, -0.5], dtype),))
    compiled_agrees(wg.grad(lambda x: wg.sum(wg.modf(x)[0])), (x,), (inf,))
    got = wg.compile(lambda x: wg.modf(x)[0])
    got(x)
    assert np.signbit(np.asarray(got(inf))[1]) and np.asarray(got(inf))[0] == 0


def test_multigammaln_domain_checked_per_call():
    f = lambda a: wg.special.multigammaln(a, 3)      # noqa: E731
    compiled_agrees(f, (np.array([2.5, 3.0]),), (np.array([3.5, 4.0]),), (np.array([0.5, 4.0]),))
    compiled_agrees(wg.grad(lambda a: wg.sum(f(a))), (np.array([2.5, 3.0]),), (np.array([1.0, 4.0]),))


# ---- nn.functional: masks of the input -------------------------------------------------------

_SIGNS = [(np.array([1.0, 2.0, 3.0]),), (np.array([1.5, 2.5, 3.5]),),
          (np.array([-1.0, -2.0, 3.0]),), (np.array([0.5, 30.0, -40.0]),),
          (np.array([0.0, -0.0, np.nan]),)]
_Y = np.zeros(3)


@pytest.mark.parametrize("fn", [
    lambda x: F.leaky_relu(x, 0.1), F.elu, F.softplus, lambda x: F.softplus(x, 2.0, 5.0),
    F.hardtanh, lambda x: F.huber_loss(x, _Y), lambda x: F.smooth_l1_loss(x, _Y, beta=2.0),
    lambda x: F.kl_div(_Y, x, reduction="sum")],
    ids=["leaky_relu", "elu", "softplus", "softplus-beta", "hardtanh", "huber", "smooth_l1",
         "kl_div"])
def test_functional_masks_follow_the_inputs(fn):
    # (the masks were comparisons of .data: compiled, the program refused (TraceError) or,
    # after some calls, kept one call's mask: huber at [0.5, 30, -40] gave 23.0, not 23.04)
    compiled_agrees(fn, *_SIGNS)
    compiled_agrees(wg.grad(lambda x: wg.sum(fn(x) * W3)), *_SIGNS)
    compiled_agrees(lambda x, v: wg.hvp(lambda x: wg.sum(fn(x) * W3), x, v),
           *[(s[0], np.ones(3)) for s in _SIGNS])


def test_hardtanh_compiles_with_one_trace():
    c = wg.compile(wg.grad(lambda x: wg.sum(F.hardtanh(x) * W3)))
    for (x,) in _SIGNS:
        c(x)
    assert c.traces == 1


def test_binary_cross_entropy_range_checked_per_call():
    y = np.array([0.0, 1.0])
    f = lambda x: F.binary_cross_entropy(x, y)      # noqa: E731
    ins = [(np.array([0.3, 0.6]),), (np.array([0.2, 0.7]),), (np.array([0.1, 0.8]),)]
    compiled_agrees(f, *ins, (np.array([1.3, 0.6]),), (np.array([np.nan, 0.6]),))
    c = wg.compile(f)
    for x in ins:
        c(*x)
    with pytest.raises(ValueError, match="between 0 and 1"):
        c(np.array([1.3, 0.6]))


# ---- an integer cast, and pad widths, computed from the inputs ----------------------------------

def test_integer_cast_of_a_traced_value_is_a_step():
    # (astype to an integer dtype made a constant the tracer never saw: int() of it was no
    # guard, so x * int(astype(x[0] > 0)) kept the first call's factor)
    x = np.array([1.0, -2.0, 3.0])
    compiled_agrees(lambda x: x * int(wg.astype(x[0] > 0, np.int64)), (x,), (-x,), (x,))
    compiled_agrees(lambda x: x * wg.astype(x > 0, np.int64), (x,), (-x,))


def test_pad_widths_from_the_values_are_guards():
    # (the widths were read off `.data`: at -x the program padded with the first call's)
    x = np.array([1.0, -2.0, 3.0])
    f = lambda x: wg.pad(x, wg.astype(x[:2] > 0, np.int64))      # noqa: E731
    compiled_agrees(f, (x,), (-x,), (np.array([1.0, 1.0, 0.0]),))
    c = wg.compile(f)
    for v in (x, -x, x):
        c(v)
    assert c.traces == 2
    with pytest.raises(ValueError, match="non-negative"):
        wg.compile(lambda x: wg.pad(x, wg.astype(x[:2], np.int64)))(np.array([1.0, -1.0, 0.0]))


def test_heaviside_value_at_zero_from_each_call():
    x2 = np.array([0.25, 0.5, 0.75])
    compiled_agrees(lambda a, b: wg.heaviside(a, b), (X3, x2), (np.zeros(3), x2), (np.zeros(3), 2 * x2))
    compiled_agrees(wg.grad(lambda a, b: wg.sum(wg.heaviside(a, b) * W3), argnums=1),
           (X3, x2), (np.zeros(3), x2))


def test_eig_complex_result_refused_per_call():
    # (compiled at real eigenvalues, a rotation got complex numbers, not eig's TypeError)
    a = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, 1.0, 4.0]])
    rot = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    g = wg.grad(lambda a: wg.sum(wg.linalg.eigvals(a)))
    compiled_agrees(g, (a,), (rot,), (2 * a,))
    c = wg.compile(g)
    c(a)
    with pytest.raises(TypeError, match="the result is complex here"):
        c(rot)


# ---- ops/signal.py: interp's interval search -------------------------------------------------

def test_interp_searches_its_intervals_on_every_call():
    xp, fp = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 10.0, 0.0, 5.0])
    usual = (np.array([0.5, 1.5]),)
    others = [(np.array(v),) for v in ([2.5, 0.2], [-1.0, 4.0], [1.0, 2.0], [np.nan, 3.0])]
    compiled_agrees(lambda x: np.interp(x, xp, fp), usual, *others)
    compiled_agrees(wg.grad(lambda x: wg.sum(wg.interp(x, xp, fp) ** 2)), usual, *others)
    # xp and fp traced too, and the periodic form (its sort of xp is a step as well)
    compiled_agrees(lambda x, xp, fp: np.interp(x, xp, fp, period=2.0),
           (np.array([0.3, 2.9]), np.array([1.5, 0.2, 1.0]), fp[:3]),
           (np.array([-0.3, 1.9]), np.array([0.5, 1.2, 0.1]), fp[:3]))
    compiled_agrees(wg.grad(lambda x, xp, fp: wg.sum(wg.interp(x, xp, fp)), argnums=(0, 1, 2)),
           (np.array([0.5, 2.5]), xp, fp), (np.array([2.2, 0.1]), xp + 0.5, fp[::-1].copy()))


def test_angle_of_real_input_is_computed_on_every_call():
    compiled_agrees(lambda x: np.angle(x, deg=True), (np.array([1.0, -2.0]),),
           (np.array([-1.0, 2.0]),), (np.array([-0.0, np.nan]),))


def test_unwrap_corrections_are_computed_on_every_call():
    compiled_agrees(lambda x: np.unwrap(x), (np.array([0.0, 1.0, 2.0, 3.0]),),
           (np.array([0.0, 6.0, 0.5, 7.0]),), (np.array([0.0, -7.0, np.nan, 1.0]),))
    compiled_agrees(wg.grad(lambda x: wg.sum(wg.unwrap(x, period=5.0) ** 2)),
           (np.array([0.0, 1.0, 2.0, 3.0]),), (np.array([0.0, 6.0, 0.5, 7.0]),))


def test_the_soundness_check_warns_of_nothing_at_infinite_inputs():
    # (its perturbed points move ±inf to inf − inf: their warnings are not the user's)
    c = wg.compile(lambda x: np.modf(x))
    c(np.array([1.0, 2.0, 3.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frac, whole = c(np.array([np.inf, -np.inf, 1.5]))
    np.testing.assert_array_equal(whole, [np.inf, -np.inf, 1.0])
