"""Special functions (wengert/ops/special.py): the op table against SciPy, and stability at
extreme inputs. The module imports without SciPy (the registry test reads its ROWS); rows
whose kernel or reference needs SciPy skip when it is absent."""
import math

import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests
from wengert.ops import special as sp


def _sc():
    return pytest.importorskip("scipy.special")


def _scipy_ref(name):
    def ref(*args, **kw):
        return getattr(_sc(), name)(*args, **kw)
    return ref


def _needs_scipy(f):
    def g(*args, **kw):
        _sc()
        return f(*args, **kw)
    g.__name__ = getattr(f, "name", None) or f.__name__
    return g


def _with_zeros(lo, hi):
    """x drawn from [lo, hi] with about a third of the entries exactly 0 (xlogy's x = 0)."""
    def sample(rng, shape, i):
        a = rng.uniform(lo, hi, size=shape)
        return np.where(rng.uniform(size=shape) < 0.35, 0.0, a)
    return sample


def _xy(x_lo, x_hi, y_lo, y_hi):
    def sample(rng, shape, i):
        return _with_zeros(x_lo, x_hi)(rng, shape, i) if i == 0 else rng.uniform(y_lo, y_hi, size=shape)
    return sample


def _xdivy_ref(x, y):
    return np.where(x == 0, 0.0, np.divide(x, np.where(x == 0, 1.0, y)))


def _xlogy_np(x, y):
    return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def _xlog1py_np(x, y):
    return np.where(x == 0, 0.0, x * np.log1p(np.where(x == 0, 0.0, y)))


def _logit_np(x):
    return np.log(x / (1 - x))


def _log_expit_np(x):
    return -np.logaddexp(0.0, -x)


def _polygamma(x, n=1):
    return sp.polygamma(n, x)


_polygamma.name = "polygamma"


def _multigammaln(a):
    return sp.multigammaln(a, 3)

ROWS = [
    Row(_needs_scipy(sp.erfc), _scipy_ref("erfc"), ops=("erfc",), domain=(-2.5, 2.5)),
    Row(_needs_scipy(sp.erfcx), _scipy_ref("erfcx"), ops=("erfcx",), domain=(-2.0, 3.0)),
    Row(_needs_scipy(sp.erfinv), _scipy_ref("erfinv"), ops=("erfinv",), domain=(-0.9, 0.9)),
    Row(_needs_scipy(sp.erfcinv), _scipy_ref("erfcinv"), ops=("erfcinv",), domain=(0.1, 1.9)),
    Row(_needs_scipy(sp.ndtr), _scipy_ref("ndtr"), ops=("ndtr",), domain=(-3.0, 3.0)),
    Row(_needs_scipy(sp.log_ndtr), _scipy_ref("log_ndtr"), ops=("log_ndtr",), domain=(-6.0, 4.0)),
    Row(_needs_scipy(sp.ndtri), _scipy_ref("ndtri"), ops=("ndtri",), domain=(0.05, 0.95)),
    Row(_needs_scipy(sp.gamma), _scipy_ref("gamma"), ops=("gamma",), domain=(0.6, 3.0)),
    Row(_needs_scipy(sp.gammaln), _scipy_ref("gammaln"), ops=("gammaln",), domain=(0.5, 4.0)),
    Row(_needs_scipy(sp.loggamma), _scipy_ref("loggamma"), ops=("loggamma",), domain=(0.5, 4.0)),
    Row(_needs_scipy(sp.digamma), _scipy_ref("digamma"), ops=("digamma",), domain=(0.5, 4.0)),
    Row(_needs_scipy(_polygamma), lambda x, n=1: _sc().polygamma(n, x), ops=("polygamma",),
        domain=(0.5, 4.0), kwargs=[{"n": 0}, {"n": 1}, {"n": 2}]),
    Row(_needs_scipy(sp.betaln), _scipy_ref("betaln"), ops=("betaln",), nargs=2, domain=(0.5, 3.0)),
    Row(_needs_scipy(sp.beta), _scipy_ref("beta"), ops=("beta",), nargs=2, domain=(0.5, 3.0)),
    Row(_needs_scipy(_multigammaln), lambda a: _sc().multigammaln(a, 3), ops=(),
        id="multigammaln", domain=(1.5, 4.0)),
    # NumPy-only kernels: references in NumPy, so these rows run without SciPy too
    Row(sp.xlogy, _xlogy_np, nargs=2, sample=_xy(-2.0, 2.0, 0.3, 3.0)),
    Row(sp.xlog1py, _xlog1py_np, nargs=2, sample=_xy(-2.0, 2.0, -0.6, 2.0)),
    Row(sp.xdivy, _xdivy_ref, nargs=2, sample=_xy(-2.0, 2.0, 0.4, 2.0)),
    Row(sp.logit, _logit_np, domain=(0.05, 0.95)),
    Row(sp.log_expit, _log_expit_np, domain=(-5.0, 5.0)),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = generic_tests(ROWS)


# ---- SciPy's own ufuncs on tensors ------------------------------------------------------------------

SCIPY_UNARY = [("erf", (-2, 2)), ("erfc", (-2, 2)), ("erfinv", (-0.9, 0.9)), ("expit", (-3, 3)),
               ("logit", (0.1, 0.9)), ("gammaln", (0.5, 4)), ("digamma", (0.5, 4)),
               ("ndtr", (-3, 3)), ("log_ndtr", (-5, 3)), ("erfcx", (-1, 3)),
               ("ndtri", (0.1, 0.9)), ("gamma", (0.6, 3)), ("loggamma", (0.5, 4)),
               ("erfcinv", (0.2, 1.8)), ("log_expit", (-3, 3))]


@pytest.mark.parametrize("name,dom", SCIPY_UNARY, ids=[n for n, _ in SCIPY_UNARY])
def test_scipy_ufunc_on_a_tensor_is_differentiable(name, dom):
    sc = _sc()
    f = getattr(sc, name, None)
    if f is None:
        pytest.skip(f"this SciPy has no {name}")
    x = np.random.default_rng(1).uniform(*dom, size=(2, 3))
    t = wg.tensor(x, requires_grad=True)
    y = f(t)
    assert isinstance(y, wg.Tensor) and y.requires_grad
    np.testing.assert_allclose(y.numpy(force=True), f(x), rtol=1e-12, atol=1e-14)
    wg.gradcheck(lambda u: f(u), (x,), order=2)
    assert getattr(wg.special, name)(t).dtype == np.float64


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_scipy_binary_ufuncs_on_tensors(name):
    sc = _sc()
    f = getattr(sc, name)
    x = np.array([0.0, 1.5, -2.0, 0.0])
    y = np.array([0.5, 2.0, 0.7, 0.0])
    got = f(wg.tensor(x), y)
    np.testing.assert_allclose(got.numpy(force=True), f(x, y), rtol=1e-13)
    wg.gradcheck(lambda a, b: f(a, b), (x[:3], y[:3]), order=2)


def test_xlogy_at_x_zero_is_zero_with_masked_gradient():
    """xlogy(0, y) = 0 even at y = 0; ∂y is 0 there (no NaN), ∂x is log y; to second order."""
    x = wg.tensor([0.0, 0.0, 2.0], requires_grad=True)
    y = wg.tensor([0.0, 3.0, 3.0], requires_grad=True)
    z = wg.special.xlogy(x, y)
    np.testing.assert_array_equal(z.numpy(force=True), [0.0, 0.0, 2 * math.log(3.0)])
    gx, gy = wg.autograd.grad(z.sum(), (x, y), create_graph=True)
    np.testing.assert_allclose(gy.numpy(force=True), [0.0, 0.0, 2 / 3])
    np.testing.assert_allclose(gx.numpy(force=True)[1:], [math.log(3.0)] * 2)
    (hxy,) = wg.autograd.grad(gy.sum(), (x,))
    np.testing.assert_allclose(hxy.numpy(force=True)[1:], [1 / 3, 1 / 3])   # ∂²/∂x∂y = 1/y, x = 0 too
    assert np.isnan(wg.special.xlogy(0.0, np.nan).numpy(force=True))          # SciPy's NaN rule


def test_polygamma_order_must_be_a_nonnegative_integer():
    with pytest.raises(ValueError, match="order n must be one integer"):
        sp.polygamma(1.5, wg.tensor(1.0))
    with pytest.raises(ValueError, match="order n must be one integer"):
        sp.polygamma(-1, wg.tensor(1.0))


# ---- stable extremes ------------------------------------------------------------------------------

EXTREMES = [
    ("erf", sp.erf, [-1e3, -30.0, 30.0, 1e3]),
    ("erfc", sp.erfc, [-1e3, -30.0, 30.0, 1e3]),
    ("erfcx", sp.erfcx, [-20.0, 30.0, 1e3]),
    ("ndtr", sp.ndtr, [-1e3, -30.0, 30.0, 1e3]),
    ("log_ndtr", sp.log_ndtr, [-1e3, -30.0, 30.0, 1e3]),
    ("expit", sp.expit, [-1e3, -30.0, 30.0, 1e3]),
    ("log_expit", sp.log_expit, [-1e3, -30.0, 30.0, 1e3]),
    ("gammaln", sp.gammaln, [30.0, 1e3]),
    ("loggamma", sp.loggamma, [30.0, 1e3]),
    ("digamma", sp.digamma, [30.0, 1e3]),
    ("polygamma1", lambda x: sp.polygamma(1, x), [30.0, 1e3]),
    ("xlogy", lambda y: sp.xlogy(-30.0, y), [1e-30, 30.0, 1e3, 1e300]),
    ("xlog1py", lambda y: sp.xlog1py(30.0, y), [-1.0 + 1e-12, 30.0, 1e3, 1e300]),
]


@pytest.mark.parametrize("name,f,xs", EXTREMES, ids=[e[0] for e in EXTREMES])
def test_stable_at_extremes(name, f, xs):
    """No NaN and no overflow in the value, the first or the second derivative."""
    if name not in ("erf", "expit", "log_expit", "xlogy", "xlog1py"):
        _sc()
    x = np.array(xs)
    with np.errstate(over="raise"):
        t = wg.tensor(x, requires_grad=True)
        y = f(t)
        (g,) = wg.autograd.grad(y.sum(), (t,), create_graph=True)
        (h,) = wg.autograd.grad(g.sum(), (t,))
    for what, v in (("value", y), ("gradient", g), ("second derivative", h)):
        assert np.isfinite(v.numpy(force=True)).all(), f"{name}: {what} at {xs} is {v.numpy(force=True)}"


def test_log_ndtr_gradient_is_the_mills_ratio_in_the_far_tail():
    """(log Φ)′ = φ/Φ: ≈ −x for x → −∞ (computed here from SciPy's log_ndtr, in logs)."""
    sc = _sc()
    x = np.array([-1e3, -30.0, -5.0, 0.0, 5.0, 30.0])
    t = wg.tensor(x, requires_grad=True)
    sp.log_ndtr(t).sum().backward()
    want = np.exp(-0.5 * x * x - 0.5 * math.log(2 * math.pi) - sc.log_ndtr(x))
    np.testing.assert_allclose(t.grad.numpy(force=True), want, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(t.grad.numpy(force=True)[0], 1e3, rtol=1e-5)


def test_ndtr_keeps_relative_precision_in_the_left_tail():
    sc = _sc()
    x = np.array([-30.0, -10.0])
    np.testing.assert_allclose(sp.ndtr(wg.tensor(x)).numpy(force=True), sc.ndtr(x), rtol=1e-14)
    assert (sp.ndtr(wg.tensor(x)).numpy(force=True) > 0).all()


def test_float32_extremes_stay_float32_and_finite():
    _sc()
    x = wg.tensor(np.array([-30.0, 30.0], dtype=np.float32), requires_grad=True)
    y = sp.log_ndtr(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32 and np.isfinite(x.grad.numpy(force=True)).all()


def test_without_scipy_the_error_names_the_function(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_scipy(name, *args, **kw):
        if name.startswith("scipy"):
            raise ImportError("no scipy here")
        return real(name, *args, **kw)

    monkeypatch.setattr(sp, "_scipy_special", None)
    monkeypatch.setattr(builtins, "__import__", no_scipy)
    with pytest.raises(ImportError, match="wg.special.erfinv needs SciPy"):
        sp.erfinv(wg.tensor([0.5]))
    # the NumPy-only ones keep working
    assert np.isfinite(sp.xlogy(wg.tensor([1.0]), 2.0).numpy(force=True)).all()
    assert np.isfinite(sp.logit(wg.tensor([0.3])).numpy(force=True)).all()


def test_scipy_beta_family_on_tensors():
    sc = _sc()
    a, b = np.array([0.7, 2.0, 30.0]), np.array([1.5, 0.4, 45.0])
    for name in ("betaln", "beta"):
        y = getattr(sc, name)(wg.tensor(a, requires_grad=True), b)
        assert isinstance(y, wg.Tensor) and y.requires_grad
        np.testing.assert_allclose(y.numpy(force=True), getattr(sc, name)(a, b), rtol=1e-13)
    wg.gradcheck(lambda u, v: sc.betaln(u, v), (a, b), order=2)


def test_multigammaln_checks_its_arguments():
    _sc()
    with pytest.raises(ValueError, match="d must be one integer"):
        sp.multigammaln(wg.tensor([3.0]), 1.5)
    with pytest.raises(ValueError, match=r"a > \(d-1\)/2"):
        sp.multigammaln(wg.tensor([0.9]), 3)
