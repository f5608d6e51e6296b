"""Elementwise ops: the op table (forward vs NumPy, gradients to second order, float32), then
masked gradients at singular points, conventions at kinks, comparisons and logic, dtypes,
broadcasting errors, argument errors and rules with a batch of cotangents/tangents."""
import math
import warnings

import numpy as np
import pytest

import wengert as wg
from wengert.ops._primitive import masked_multiply
from tests.ops.op_table import Row, generic_tests
from wengert.ops import elementwise
from wengert.ops._primitive import Op


def away(lo=0.3, hi=2.0):
    """|x| in [lo, hi] with a random sign: clear of a kink or pole at 0."""
    def sample(rng, shape, i):
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(lo, hi, size=shape)
    return sample


def per_arg(*samplers):
    """A different sampler for each argument; None means uniform(-2, 2)."""
    def sample(rng, shape, i):
        s = samplers[i]
        return rng.uniform(-2.0, 2.0, size=shape) if s is None else s(rng, shape, i)
    return sample


def uniform(lo, hi):
    return lambda rng, shape, i: rng.uniform(lo, hi, size=shape)


ONE = [((3,),)]                       # one shape: for aliases of ops tested in full elsewhere
TWO = [((3,), (3,))]
WHERE_SHAPES = [((3,), (3,), (3,)), ((3,), (), (2, 3)), ((2, 1), (1, 3), ()), ((2, 3), (1, 3), (2, 1))]
CLIP_SHAPES = [((3,), (3,), (3,)), ((2, 3), (3,), ()), ((), (2, 1), (1, 3))]


def _cmp(ufunc):
    return dict(nargs=2, order=1, ref=ufunc)


ROWS = [
    # ---- unary
    Row(wg.exp, np.exp),
    Row(wg.exp2, np.exp2),
    Row(wg.expm1, np.expm1),
    Row(wg.log, np.log, domain=(0.2, 3.0)),
    Row(wg.log2, np.log2, domain=(0.2, 3.0)),
    Row(wg.log10, np.log10, domain=(0.2, 3.0)),
    Row(wg.log1p, np.log1p, domain=(-0.5, 2.0)),
    Row(wg.sqrt, np.sqrt, domain=(0.2, 3.0)),
    Row(wg.cbrt, np.cbrt, sample=away(0.3, 2.0)),
    Row(wg.square, np.square),
    Row(wg.reciprocal, np.reciprocal, sample=away(0.5, 2.0)),
    Row(wg.absolute, np.absolute, sample=away()),
    Row(wg.abs, np.abs, sample=away(), shapes=ONE, id="abs"),
    Row(wg.sin, np.sin),
    Row(wg.cos, np.cos),
    Row(wg.tan, np.tan, domain=(-1.2, 1.2)),
    Row(wg.arcsin, np.arcsin, domain=(-0.9, 0.9)),
    Row(wg.arccos, np.arccos, domain=(-0.9, 0.9)),
    Row(wg.arctan, np.arctan),
    Row(wg.sinh, np.sinh),
    Row(wg.cosh, np.cosh),
    Row(wg.tanh, np.tanh),
    Row(wg.arcsinh, np.arcsinh),
    Row(wg.arccosh, np.arccosh, domain=(1.2, 3.0)),
    Row(wg.arctanh, np.arctanh, domain=(-0.9, 0.9)),
    Row(wg.deg2rad, np.deg2rad),
    Row(wg.rad2deg, np.rad2deg),
    Row(wg.radians, np.radians, shapes=ONE, id="radians"),
    Row(wg.degrees, np.degrees, shapes=ONE, id="degrees"),
    Row(wg.asin, np.asin, domain=(-0.9, 0.9), shapes=ONE, id="asin"),
    Row(wg.acos, np.acos, domain=(-0.9, 0.9), shapes=ONE, id="acos"),
    Row(wg.atan, np.atan, shapes=ONE, id="atan"),
    Row(wg.asinh, np.asinh, shapes=ONE, id="asinh"),
    Row(wg.acosh, np.acosh, domain=(1.2, 3.0), shapes=ONE, id="acosh"),
    Row(wg.atanh, np.atanh, domain=(-0.9, 0.9), shapes=ONE, id="atanh"),
    # piecewise constant (uniform draws keep clear of the jumps)
    Row(wg.sign, np.sign, sample=away()),
    Row(wg.floor, np.floor, domain=(-3.0, 3.0)),
    Row(wg.ceil, np.ceil, domain=(-3.0, 3.0)),
    Row(wg.trunc, np.trunc, domain=(-3.0, 3.0)),
    Row(wg.rint, np.rint, domain=(-3.0, 3.0)),
    Row(wg.round, np.round, domain=(-3.0, 3.0), kwargs=[{}, {"decimals": 1}, {"decimals": -1}]),
    # linear
    Row(wg.negative, np.negative),
    Row(wg.positive, np.positive),
    Row(wg.copy, np.copy),
    Row(lambda x: wg.astype(x, wg.float64), lambda x: x.astype(np.float64), ops=("astype",),
        float32=False, id="astype"),
    # ---- binary
    Row(wg.add, np.add, nargs=2),
    Row(wg.subtract, np.subtract, nargs=2),
    Row(wg.multiply, np.multiply, nargs=2),
    # the engine's zero-masking product (masked_mul's recorded form): equals multiply away
    # from zero cotangents
    Row(masked_multiply, np.multiply, nargs=2, domain=(0.5, 2.0)),
    Row(wg.divide, np.divide, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.true_divide, np.true_divide, nargs=2, sample=per_arg(None, away(0.5, 2.0)), shapes=TWO,
        id="true_divide"),
    Row(wg.power, np.power, nargs=2, sample=per_arg(uniform(0.5, 2.0), None)),
    Row(wg.pow, np.pow, nargs=2, sample=per_arg(uniform(0.5, 2.0), None), shapes=TWO, id="pow"),
    Row(wg.floor_divide, np.floor_divide, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.remainder, np.remainder, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.fmod, np.fmod, nargs=2, sample=per_arg(None, away(0.5, 2.0))),
    Row(wg.maximum, np.maximum, nargs=2),
    Row(wg.minimum, np.minimum, nargs=2),
    Row(wg.fmax, np.fmax, nargs=2),
    Row(wg.fmin, np.fmin, nargs=2),
    Row(wg.logaddexp, np.logaddexp, nargs=2),
    Row(wg.logaddexp2, np.logaddexp2, nargs=2),
    Row(wg.hypot, np.hypot, nargs=2, sample=away(0.3, 2.0)),
    Row(wg.arctan2, np.arctan2, nargs=2, sample=away(0.3, 2.0)),
    Row(wg.atan2, np.atan2, nargs=2, sample=away(0.3, 2.0), shapes=TWO, id="atan2"),
    Row(wg.copysign, np.copysign, nargs=2, sample=away(0.3, 2.0)),
    # ---- selection: the condition comes from the first argument's sign
    Row(lambda x, y, c: wg.where(c > 0, x, y), lambda x, y, c: np.where(c > 0, x, y),
        ops=("where",), nargs=3, shapes=WHERE_SHAPES, id="where"),
    Row(lambda x, lo, hi: wg.clip(x, lo, hi), np.clip, ops=("clip",), nargs=3, shapes=CLIP_SHAPES,
        sample=per_arg(None, uniform(-1.5, -0.5), uniform(0.5, 1.5)), id="clip"),
    Row(lambda x: wg.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), ops=("clip",),
        id="clip-scalars"),
    Row(lambda x, hi: wg.clip(x, None, hi), lambda x, hi: np.clip(x, None, hi), ops=("clip",),
        nargs=2, sample=per_arg(None, uniform(-0.5, 0.5)), id="clip-upper"),
    Row(lambda x, lo: wg.clip(x, min=lo), lambda x, lo: np.clip(x, lo, None), ops=("clip",),
        nargs=2, sample=per_arg(None, uniform(-0.5, 0.5)), id="clip-lower"),
    # ---- comparisons and logic: bool results, nothing to differentiate (order 1 sees zeros)
    Row(wg.equal, **_cmp(np.equal)),
    Row(wg.not_equal, **_cmp(np.not_equal)),
    Row(wg.less, **_cmp(np.less)),
    Row(wg.less_equal, **_cmp(np.less_equal)),
    Row(wg.greater, **_cmp(np.greater)),
    Row(wg.greater_equal, **_cmp(np.greater_equal)),
    Row(wg.logical_and, **_cmp(np.logical_and)),
    Row(wg.logical_or, **_cmp(np.logical_or)),
    Row(wg.logical_xor, **_cmp(np.logical_xor)),
    Row(wg.logical_not, np.logical_not, order=1),
    Row(wg.isnan, np.isnan, order=1),
    Row(wg.isinf, np.isinf, order=1),
    Row(wg.isfinite, np.isfinite, order=1),
    Row(wg.signbit, np.signbit, order=1),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def _row_name(row):
    return row.id or row.names()[0]


def test_every_public_elementwise_function_has_a_row():
    assert set(elementwise.__all__) - {_row_name(r) for r in ROWS} == set()


def test_every_elementwise_op_has_a_row():
    ops = {v.name for v in vars(elementwise).values() if isinstance(v, Op)}
    covered = {n for r in ROWS for n in r.names()}
    assert ops - covered == set()


@pytest.mark.parametrize("row", [r for r in ROWS if r.float32], ids=_row_name)
def test_rules_keep_float32_inside_the_backward_pass(row):
    """Leaf hooks see the gradient before it is cast to the leaf's dtype: no float64 on the way."""
    args = row.make_args(row.grid()[-1], dtype=np.float32)
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    seen = []
    for t in ts:
        t.register_hook(lambda g: seen.append(g.dtype))
    out = row.fn(*ts, **row.kwargs[-1])
    if not out.requires_grad:
        return
    out.sum().backward()
    assert seen and all(d == np.float32 for d in seen), seen


# ---- masked gradients: exactly 0 where the cotangent is 0, even at poles --------------------------

def _ignore():
    return np.errstate(all="ignore")       # the forward's own warnings (sqrt(-1), exp(1000)) are NumPy's


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
    with _ignore():
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
    with _ignore():
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
    with _ignore():
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
    with _ignore():
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

def _grad(f, *xs):
    ts = [wg.tensor(x, requires_grad=True) for x in xs]
    f(*ts).sum().backward()
    return [t.grad.numpy().tolist() for t in ts]


def test_abs_derivative_at_zero_is_zero():
    for f in (wg.abs, wg.absolute, abs, np.abs):
        assert _grad(f, [-2.0, 0.0, 3.0]) == [[-1.0, 0.0, 1.0]]


def test_sign_floor_ceil_round_have_zero_derivative():
    for f in (wg.sign, wg.floor, wg.ceil, wg.trunc, wg.rint, wg.round, lambda x: wg.round(x, 1),
              lambda x: x // 2.0):
        assert _grad(f, [-1.5, 0.0, 0.5, 2.0]) == [[0.0, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize("f", [wg.maximum, wg.minimum, wg.fmax, wg.fmin])
def test_ties_split_the_gradient_evenly(f):
    assert _grad(f, [1.0, 2.0, 3.0], [1.0, 5.0, 3.0])[0][0::2] == [0.5, 0.5]
    assert _grad(f, [1.0, 2.0, 3.0], [1.0, 5.0, 3.0])[1][0::2] == [0.5, 0.5]
    assert _grad(lambda x: f(x, x), [1.0, -2.0]) == [[1.0, 1.0]]
    # broadcasting: a scalar tied with two entries collects ½ from each
    assert _grad(f, [1.0, 1.0, 1.0], 1.0)[1] == 1.5


def test_maximum_minimum_send_the_gradient_to_the_winner():
    assert _grad(wg.maximum, [1.0, 5.0], [3.0, 2.0]) == [[0.0, 1.0], [1.0, 0.0]]
    assert _grad(wg.minimum, [1.0, 5.0], [3.0, 2.0]) == [[1.0, 0.0], [0.0, 1.0]]


@pytest.mark.parametrize("f", [wg.fmax, wg.fmin])
def test_fmax_fmin_ignore_nan(f):
    nan = math.nan
    gx, gy = _grad(f, [nan, 1.0, nan], [2.0, nan, nan])
    assert gx == [0.0, 1.0, 1.0]       # both NaN: the first argument takes it, once
    assert gy == [1.0, 0.0, 0.0]


def test_clip_passes_the_gradient_on_the_closed_interval():
    x = [-2.0, -1.0, 0.0, 1.0, 2.0]
    assert _grad(lambda t: wg.clip(t, -1.0, 1.0), x) == [[0.0, 1.0, 1.0, 1.0, 0.0]]
    gx, glo, ghi = _grad(wg.clip, x, -1.0, 1.0)
    assert gx == [0.0, 1.0, 1.0, 1.0, 0.0] and glo == 1.0 and ghi == 1.0
    gx, glo, ghi = _grad(wg.clip, x, [-1.5] * 5, [0.0, 0.0, 0.0, 0.5, 0.5])
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
    assert _grad(lambda x: x ** 0, [0.0, 2.0]) == [[0.0, 0.0]]
    assert _grad(lambda x: x ** 2, [0.0, 3.0]) == [[0.0, 6.0]]
    assert _grad(lambda x: x ** 1, [0.0, 3.0]) == [[1.0, 1.0]]
    assert _grad(lambda x, y: x ** y, [0.0, 0.0], [2.0, 0.0]) == [[0.0, 0.0], [0.0, 0.0]]
    assert _grad(lambda y: 0.0 ** y, [2.0, 0.5]) == [[0.0, 0.0]]
    gy = _grad(lambda y: 2.0 ** y, [1.0])[0]
    np.testing.assert_allclose(gy, [2 * math.log(2)])


def test_python_zero_divisor_gives_inf_not_zerodivisionerror():
    t = wg.tensor([1.0, -1.0], requires_grad=True)
    with _ignore():
        (t / 0).sum().backward()
        assert t.grad.tolist() == [math.inf, math.inf]
        t.grad = None
        (t / -0.0).sum().backward()
        assert t.grad.tolist() == [-math.inf, -math.inf]


def test_remainder_and_fmod_gradients_follow_their_quotients():
    # remainder: x − floor(x/y)·y; fmod: x − trunc(x/y)·y
    gx, gy = _grad(wg.remainder, [-7.0, 7.0], [2.0, 2.0])
    assert gx == [1.0, 1.0] and gy == [4.0, -3.0]
    gx, gy = _grad(wg.fmod, [-7.0, 7.0], [2.0, 2.0])
    assert gx == [1.0, 1.0] and gy == [3.0, -3.0]
    assert _grad(lambda x: x % 2.0, [5.5]) == [[1.0]]


def test_copysign_gradient():
    gx, gy = _grad(wg.copysign, [2.0, -3.0, 0.0, 1.0], [-1.0, -1.0, 1.0, 0.0])
    assert gx == [-1.0, 1.0, 0.0, 1.0] and gy == [0.0, 0.0, 0.0, 0.0]


# ---- comparisons and logic ------------------------------------------------------------------------

CMP = [wg.equal, wg.not_equal, wg.less, wg.less_equal, wg.greater, wg.greater_equal,
       wg.logical_and, wg.logical_or, wg.logical_xor,
       lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a > b, lambda a, b: a >= b,
       lambda a, b: a == b, lambda a, b: a != b, lambda a, b: (a > 0) & (b > 0),
       lambda a, b: (a > 0) | (b > 0), np.less, np.equal, np.logical_and]
UNARY_LOGIC = [wg.logical_not, wg.isnan, wg.isinf, wg.isfinite, wg.signbit, lambda a: ~a,
               np.isnan, np.logical_not]


@pytest.mark.parametrize("f", CMP)
def test_comparisons_give_bool_tensors_that_never_require_grad(f):
    a = wg.tensor([1.0, 2.0, 0.0], requires_grad=True)
    b = wg.tensor([1.0, 0.0, 3.0], requires_grad=True)
    for args in ((a, b), (a, 1.0), (2.0, b), (a, np.ones(3))):
        try:
            y = f(*args)
        except TypeError:                  # `2.0 & b`: Python refuses before wengert sees it
            continue
        assert isinstance(y, wg.Tensor) and y.dtype == np.bool_
        assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(f(a, b).numpy(force=True), f(a.numpy(force=True), b.numpy(force=True)))


@pytest.mark.parametrize("f", UNARY_LOGIC)
def test_unary_logic_gives_bool_tensors_that_never_require_grad(f):
    a = wg.tensor([1.0, -0.0, math.nan, -math.inf, 0.0], requires_grad=True)
    y = f(a)
    assert isinstance(y, wg.Tensor) and y.dtype == np.bool_
    assert not y.requires_grad and y.grad_fn is None
    with _ignore():
        np.testing.assert_array_equal(y.numpy(force=True), f(a.numpy(force=True)) if f is not UNARY_LOGIC[5]
                                      else ~a.numpy(force=True).astype(bool))


def test_comparison_values():
    a = wg.tensor([1.0, 2.0, math.nan])
    assert wg.equal(a, [1.0, 3.0, math.nan]).tolist() == [True, False, False]
    assert wg.isnan(a).tolist() == [False, False, True]
    assert wg.logical_not(wg.tensor([0.0, 2.0])).tolist() == [True, False]
    assert wg.signbit(wg.tensor([-0.0, 0.0, -1.0])).tolist() == [True, False, True]


# ---- dtypes -----------------------------------------------------------------------------------

SCALAR_CASES = [
    lambda x: x + 1.5, lambda x: 1.5 + x, lambda x: x - 2, lambda x: 2 - x, lambda x: x * 0.1,
    lambda x: 0.1 * x, lambda x: x / 3.0, lambda x: 3.0 / x, lambda x: x ** 2, lambda x: x ** 0.5,
    lambda x: 2.0 ** x, lambda x: x % 0.7, lambda x: wg.maximum(x, 0.5), lambda x: wg.minimum(0.5, x),
    lambda x: wg.fmax(x, 0.5), lambda x: wg.where(x > 1, x, 0.0), lambda x: wg.where(x > 1, 0, x),
    lambda x: wg.clip(x, 0.5, 1.5), lambda x: wg.hypot(x, 1.0), lambda x: wg.arctan2(1.0, x),
    lambda x: wg.logaddexp(x, 0.0), lambda x: wg.logaddexp2(0.0, x), lambda x: wg.copysign(x, -1.0),
    lambda x: wg.fmod(x, 0.7), lambda x: wg.exp2(x), lambda x: wg.log2(x), lambda x: wg.log10(x),
    lambda x: wg.arctan(x), lambda x: wg.arcsinh(x), lambda x: wg.deg2rad(x),
]


@pytest.mark.parametrize("i", range(len(SCALAR_CASES)))
def test_a_python_scalar_never_widens_float32(i):
    x = wg.tensor([0.5, 1.25, 2.0], dtype=wg.float32, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.dtype))
    y = SCALAR_CASES[i](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert seen == [np.float32] and x.grad.dtype == np.float32


def test_float32_second_order_stays_float32():
    x = wg.tensor([0.5, 1.25], dtype=wg.float32, requires_grad=True)
    for f in (lambda t: t ** 3, wg.exp2, wg.log10, lambda t: wg.maximum(t, 1.0) * t, wg.arctan,
              lambda t: wg.where(t > 1, wg.sqrt(t), t)):
        (g,) = wg.autograd.grad(f(x).sum(), [x], create_graph=True)
        assert g.dtype == np.float32
        (h,) = wg.autograd.grad(g.sum(), [x], allow_unused=True)
        assert h is None or h.dtype == np.float32


def test_integer_inputs_follow_numpy_promotion():
    i = wg.tensor([1, 4, 9])
    assert wg.sqrt(i).dtype == np.float64 and wg.sqrt(i).tolist() == [1.0, 2.0, 3.0]
    assert (i + 1).dtype == np.int64 and (i / 2).dtype == np.float64
    assert wg.maximum(i, 2).tolist() == [2, 4, 9]
    x = wg.tensor([1.0, 2.0, 3.0], dtype=wg.float32, requires_grad=True)
    y = x * i                                  # int64 × float32 is float64 in NumPy
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [1.0, 4.0, 9.0]


def test_astype_between_floats_is_differentiable_and_to_ints_is_constant():
    x = wg.tensor([1.5, -2.25], dtype=wg.float32, requires_grad=True)
    y = wg.astype(x, wg.float64)
    assert y.dtype == np.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [3.0, -4.5]
    for dtype in (wg.int64, wg.bool_):
        z = x.astype(dtype)
        assert z.dtype == dtype and not z.requires_grad
    assert wg.astype([1, 2], wg.float32).dtype == np.float32
    if hasattr(np, "astype"):                 # NumPy ≥ 2.1
        assert np.astype(x, wg.float64).requires_grad


def test_results_are_tensors_for_any_input_kind():
    for a in (2.0, [1.0, 2.0], np.array([1.0, 4.0]), np.float64(3.0)):
        for f in (wg.sqrt, wg.negative, wg.copy, lambda v: wg.add(v, 1.0), lambda v: wg.where(True, v, 0.0),
                  lambda v: wg.clip(v, 0.0, 1.0), wg.round):
            assert isinstance(f(a), wg.Tensor)
    assert isinstance(wg.add(1, 2), wg.Tensor) and wg.add(1, 2).item() == 3


def test_copy_is_differentiable_and_does_not_share_memory():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.copy(x)
    assert not np.shares_memory(y.numpy(force=True), x.numpy(force=True))
    (y * 3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert np.copy(x).requires_grad


# ---- where ---------------------------------------------------------------------------------------

def test_where_gradient_goes_to_the_chosen_branch_with_broadcasting():
    gx, gy = _grad(lambda x, y: wg.where(np.array([[True, False, True], [False, False, True]]), x, y),
                   [1.0, 2.0, 3.0], [[5.0], [6.0]])
    assert gx == [1.0, 0.0, 2.0] and gy == [[1.0], [2.0]]


def test_where_does_not_need_its_branches_values():
    # x and y are saved by shape only: changing one in place later is fine
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1.0
    y = wg.where(wg.tensor([True, False]), a, 0.0)
    a += 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 0.0]


def test_where_condition_modified_in_place_is_caught():
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    c = wg.tensor([True, False])
    y = wg.where(c, x, 0.0)
    c[0] = False
    with pytest.raises(RuntimeError, match="WhereBackward"):
        y.sum().backward()


def test_where_with_a_float_condition_uses_its_truth_values():
    c = wg.tensor([0.0, -2.0], requires_grad=True)
    x = wg.tensor([1.0, 2.0], requires_grad=True)
    y = wg.where(c, x, 5.0)
    assert y.tolist() == [5.0, 2.0] and len(y.grad_fn.next_functions) == 3
    assert y.grad_fn.next_functions[0][0] is None
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0] and c.grad is None


def test_where_with_one_argument_is_nonzero():
    (i,) = wg.where(wg.tensor([0.0, 3.0, 0.0, 1.0]))
    assert i.tolist() == [1, 3]
    rows, cols = np.where(wg.tensor([[1, 0], [0, 1]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1]


def test_where_dispatches_from_numpy():
    x = wg.tensor([-1.0, 2.0], requires_grad=True)
    y = np.where(x > 0, x * 2.0, 0.0)
    assert y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0]


# ---- NumPy dispatch of the ops added here -------------------------------------------------------------

@pytest.mark.parametrize("f", [np.copysign, np.fmod, np.logaddexp2, np.hypot, np.arctan2, np.fmax,
                               np.remainder, np.power])
def test_numpy_binary_ufuncs_dispatch(f):
    x = wg.tensor([1.5, 2.5], requires_grad=True)
    y = f(x, 0.75)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(x.numpy(force=True), 0.75))


@pytest.mark.parametrize("f", [np.deg2rad, np.rad2deg, np.radians, np.degrees, np.cbrt, np.rint,
                               np.round, np.positive, np.copy])
def test_numpy_unary_functions_dispatch(f):
    x = wg.tensor([1.5, 2.5], requires_grad=True)
    y = f(x)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(x.numpy(force=True)))


# ---- errors -------------------------------------------------------------------------------------------

BROADCAST = [wg.add, wg.subtract, wg.multiply, wg.divide, wg.power, wg.maximum, wg.fmin, wg.hypot,
             wg.arctan2, wg.logaddexp, wg.remainder, wg.copysign, wg.equal, wg.less, wg.logical_and,
             lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a < b,
             lambda a, b: wg.where(a > 0, a, b), lambda a, b: wg.clip(a, b, None)]


@pytest.mark.parametrize("f", BROADCAST)
def test_broadcasting_errors_name_both_shapes(f):
    a = wg.tensor(np.ones((2, 3)), requires_grad=True)
    b = wg.tensor(np.ones(4), requires_grad=True)
    with pytest.raises(ValueError) as e:
        f(a, b)
    msg = str(e.value).replace(" ", "")
    assert "(2,3)" in msg and "(4,)" in msg


def test_where_needs_both_branches_or_neither():
    with pytest.raises(ValueError, match="both or neither"):
        wg.where(wg.tensor([True]), wg.tensor([1.0]))


def test_clip_argument_errors():
    t = wg.tensor([1.0])
    with pytest.raises(TypeError, match="out="):
        wg.clip(t, 0, 1, out=np.empty(1))
    with pytest.raises(ValueError, match="once"):
        wg.clip(t, 0, 1, min=0)


def test_round_out_is_a_type_error():
    with pytest.raises(TypeError, match="out="):
        wg.round(wg.tensor([1.0]), 0, np.empty(1))


def test_requires_grad_on_a_comparison_result_is_a_type_error():
    y = wg.tensor([1.0]) > 0
    with pytest.raises(TypeError):
        y.requires_grad = True


# ---- rules with a batch of cotangents / tangents ----------------------------------------------------

def _batch_case(name):
    rng = np.random.default_rng(0)
    if name == "where":
        c = rng.uniform(-1, 1, size=(2, 3)) > 0
        x, y = rng.normal(size=(3,)), rng.normal(size=(2, 1))
        params = {"x_shape": (3,), "y_shape": (2, 1)}
        return [c, x, y], params, (False, True, True)
    if name == "clip":
        return [rng.normal(size=(2, 3)), rng.uniform(-1, -0.2, size=(3,)),
                rng.uniform(0.2, 1, size=(2, 1))], {}, (True, True, True)
    if name == "round":
        return [rng.normal(size=(2, 3)) * 3], {"decimals": 1}, (True,)


@pytest.mark.parametrize("name", ["where", "clip", "round"])
def test_explicit_rules_pass_a_leading_batch_axis_through_and_are_transposes(name):
    op = wg.ops.registry[name]
    args, params, diff = _batch_case(name)
    rng = np.random.default_rng(1)
    out = op.forward(*args, **params)
    saved = args if op.save is None else [args[i] for i in op.save]
    gs = rng.normal(size=(4,) + np.shape(out))
    needs = diff
    vjp = lambda g: op.vjp(g, needs, *saved, **params)               # noqa: E731
    for k, d in enumerate(diff):
        if not d:
            continue
        ts = rng.normal(size=(4,) + np.shape(args[k]))
        tangents = lambda t: tuple(t if j == k else None for j in range(len(args)))  # noqa: E731
        jvp = lambda t: op.jvp(tangents(t), *saved, **params)         # noqa: E731
        np.testing.assert_allclose(jvp(ts), np.stack([jvp(t) for t in ts]), atol=1e-12)
        np.testing.assert_allclose(np.stack([vjp(g)[k] for g in gs]), vjp(gs)[k], atol=1e-12)
        # <g, J t> = <Jᵀ g, t>
        np.testing.assert_allclose(np.sum(gs[0] * jvp(ts[0])), np.sum(vjp(gs[0])[k] * ts[0]),
                                   atol=1e-12)


@pytest.mark.parametrize("op", [wg.multiply, wg.hypot, wg.maximum, wg.minimum, wg.logaddexp,
                                wg.power, wg.subtract, wg.add, wg.divide, wg.arctan2])
def test_one_input_twice_matches_two_equal_inputs(op):
    """op(x, x) (the rule may then share one product between both edges) has the gradient
    and second derivative of op(x, y) at y = x, with y a separate leaf."""
    v = np.array([0.5, 1.5, 2.0])

    def twice(x):
        return op(x, x).sum()

    def apart(x):
        return op(x, x + 0.0).sum()
    np.testing.assert_allclose(wg.grad(twice)(v), wg.grad(apart)(v), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(wg.hessian(twice)(v), wg.hessian(apart)(v), rtol=1e-12,
                               atol=1e-12)


# ---- binary ops save only what the partials they will run read ------------------------------

from wengert.ops._primitive import BinaryOp, registry  # noqa: E402

_BINARY = sorted(n for n, op in registry.items()
                 if isinstance(op, BinaryOp) and n != "floor_divide")


@pytest.mark.parametrize("name", _BINARY)
@pytest.mark.parametrize("side", ["x", "y"])
def test_a_binary_op_differentiated_in_one_input_only(name, side):
    """With one input a constant Tensor, a node saves only what that input's partial reads:
    first and second derivatives against finite differences prove it read nothing missing."""
    op = registry[name]
    xv, yv = np.array([0.7, 1.3, 1.9]), np.array([0.55, 0.8, 1.1])   # (no ties, no kinks)
    if side == "x":
        c = wg.tensor(yv)
        f = lambda x: op(x, c)          # noqa: E731
        arg = xv
    else:
        c = wg.tensor(xv)
        f = lambda y: op(c, y)          # noqa: E731
        arg = yv
    assert wg.gradcheck(f, (arg,), order=2, modes="rev")


def test_x_times_a_constant_does_not_keep_x():
    """x * c needs c only: the node keeps no reference to the intermediate x (freed when the
    forward is done with it), and the gradient is unchanged."""
    import gc
    import weakref
    v = np.array([0.5, 1.5])
    a = wg.tensor(v, requires_grad=True)
    h = wg.sin(a)                       # sin saves a, not its output h
    ref = weakref.ref(h)
    y = (h * 3.0 + 1.0) ** 2            # ** 2 keeps its base (h·3 + 1), not its output
    del h
    gc.collect()
    assert ref() is None
    y.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * (3 * np.sin(v) + 1) * 3 * np.cos(v))
