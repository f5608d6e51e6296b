"""The rest of NumPy's ufuncs (wengert/ops/ufuncs_more.py): the op table through NumPy's own
names (np.X(tensor) dispatches), logaddexp.reduce/.accumulate, and each error."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

K = np.array([1, -2, 0])


def _named(f, name):
    f.__name__ = name
    return f


def _pair(i):
    return lambda *a: getattr(np, "divmod" if i < 2 else "modf")(*a)[i % 2]


def _away_from_int(rng, shape, i):
    """Values at least 0.05 from an integer: trunc/round/floor stay put under a step."""
    a = rng.uniform(-3.0, 3.0, size=shape)
    return np.where(np.abs(a - np.round(a)) < 0.05, a + 0.1, a)


def _shapes(*ss):
    return [tuple(s) for s in ss]


ROWS = [
    Row(lambda x: np.fabs(x), np.fabs, ops=("fabs",), id="fabs", sample=_away_from_int),
    Row(lambda x: np.conjugate(x), np.conjugate, ops=(), id="conjugate"),
    Row(lambda x: np.conj(x), np.conj, ops=(), id="conj"),
    Row(lambda x: np.real(x), np.real, ops=(), id="real"),
    Row(lambda x: np.imag(x), np.imag, ops=(), id="imag"),
    Row(lambda x: np.around(x, 1), lambda x: np.around(x, 1), ops=(), id="around",
        sample=lambda rng, s, i: rng.uniform(-2, 2, s).round(1) + 0.03),
    Row(lambda x: np.fix(x), np.fix, ops=(), id="fix", sample=_away_from_int),
    Row(lambda x: np.ldexp(x, K), lambda x: np.ldexp(x, K), ops=("ldexp",),
        shapes=_shapes(((3,),), ((2, 3),))),
    Row(lambda x: np.ldexp(x, 3), lambda x: np.ldexp(x, 3), ops=("ldexp",), id="ldexp-scalar"),
    Row(lambda x: np.frexp(x), np.frexp, ops=(), id="frexp"),
    Row(lambda x, y: np.nextafter(x, y), np.nextafter, ops=("nextafter",), nargs=2),
    Row(lambda x: np.spacing(x), np.spacing, ops=("spacing",), domain=(0.6, 0.9)),
    Row(lambda x, y: np.divmod(x, y), np.divmod, ops=(), id="divmod", nargs=2,
        sample=lambda rng, s, i: rng.uniform(0.55, 0.95, s) * (1 if i else 3.3)),
    Row(lambda x: np.modf(x), np.modf, ops=(), id="modf", sample=_away_from_int),
    Row(lambda a, v: np.matvec(a, v), np.matvec, ops=(), id="matvec", nargs=2,
        shapes=_shapes(((2, 3), (3,)), ((2, 2, 3), (1, 3)), ((3, 3), (2, 3)))),
    Row(lambda v, a: np.vecmat(v, a), np.vecmat, ops=(), id="vecmat", nargs=2,
        shapes=_shapes(((3,), (3, 2)), ((2, 3), (2, 3, 2)))),
    Row(lambda x, **k: np.cumulative_sum(x, **k), np.cumulative_sum, ops=(), id="cumulative_sum",
        shapes=_shapes(((3,),)), kwargs=[{}, {"include_initial": True}]),
    Row(lambda x, **k: np.cumulative_sum(x, **k), np.cumulative_sum, ops=(), id="cumulative_sum2",
        shapes=_shapes(((2, 3),)), kwargs=[{"axis": 1}, {"axis": 0, "include_initial": True}]),
    Row(lambda x, **k: np.cumulative_prod(x, **k), np.cumulative_prod, ops=(),
        id="cumulative_prod", shapes=_shapes(((2, 3),)),
        kwargs=[{"axis": 1}, {"axis": 0, "include_initial": True}]),
    Row(lambda x, **k: np.logaddexp.reduce(x, **k), lambda x, **k: np.logaddexp.reduce(x, **k),
        ops=(), id="logaddexp.reduce", shapes=_shapes(((3,),), ((2, 3),)),
        kwargs=[{}, {"axis": None}, {"axis": -1, "keepdims": True}], domain=(-3.0, 3.0)),
    Row(lambda x, **k: np.logaddexp2.reduce(x, **k), lambda x, **k: np.logaddexp2.reduce(x, **k),
        ops=(), id="logaddexp2.reduce", shapes=_shapes(((3,),), ((2, 3),)),
        kwargs=[{}, {"axis": -1}], domain=(-3.0, 3.0)),
    Row(lambda x, **k: np.logaddexp.accumulate(x, **k),
        lambda x, **k: np.logaddexp.accumulate(x, **k), ops=(), id="logaddexp.accumulate",
        shapes=_shapes(((3,),), ((2, 3),)), kwargs=[{}, {"axis": -1}]),
    Row(lambda x, **k: np.logaddexp2.accumulate(x, **k),
        lambda x, **k: np.logaddexp2.accumulate(x, **k), ops=(), id="logaddexp2.accumulate",
        shapes=_shapes(((4,),))),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = generic_tests(ROWS)


def test_dispatch_gives_tensors_that_need_grad():
    x = wg.tensor([0.5, -1.5, 2.25], requires_grad=True)
    for f in (np.fabs, np.conj, np.real, lambda t: np.ldexp(t, 2), lambda t: np.frexp(t)[0],
              lambda t: np.nextafter(t, 0.0), lambda t: np.modf(t)[0],
              lambda t: np.divmod(t, 0.7)[1], np.logaddexp.reduce, np.logaddexp2.accumulate,
              lambda t: np.cumulative_sum(t)):
        y = f(x)
        assert isinstance(y, wg.Tensor) and y.requires_grad
    assert not np.imag(x).requires_grad


def test_logaddexp_reduce_is_stable_and_takes_where_and_initial():
    x = np.array([1000.0, 1000.0, -1000.0])
    t = wg.tensor(x, requires_grad=True)
    y = np.logaddexp.reduce(t)
    np.testing.assert_allclose(y.numpy(force=True), np.logaddexp.reduce(x))
    y.backward()
    np.testing.assert_allclose(t.grad, [0.5, 0.5, 0.0], atol=1e-300)
    np.testing.assert_allclose(np.logaddexp2.reduce(wg.tensor([-1e4, -1e4])).numpy(force=True), -1e4 + 1)
    assert np.logaddexp.reduce(wg.tensor(np.zeros((0,)))).numpy(force=True) == -np.inf
    m = np.array([True, False, True])
    z = np.array([0.1, 5.0, -0.3])
    np.testing.assert_allclose(np.logaddexp.reduce(wg.tensor(z), where=m).numpy(force=True),
                               np.logaddexp.reduce(z, where=m))
    np.testing.assert_allclose(np.logaddexp.reduce(wg.tensor(z), initial=2.0).numpy(force=True),
                               np.logaddexp.reduce(z, initial=2.0))
    a = np.array([800.0, -800.0, 801.0])
    np.testing.assert_allclose(np.logaddexp.accumulate(wg.tensor(a)).numpy(force=True),
                               np.logaddexp.accumulate(a))


def test_ldexp_is_exact_where_two_to_the_k_overflows():
    x = wg.tensor([0.5, 0.25], requires_grad=True)
    y = np.ldexp(x, np.array([1024, 1025]))
    np.testing.assert_array_equal(y.numpy(force=True), np.ldexp([0.5, 0.25], [1024, 1025]))
    assert np.isfinite(y.numpy(force=True)).all()


def test_modf_at_infinity():
    f, w = np.modf(wg.tensor([np.inf, -np.inf, 2.5]))
    wf, ww = np.modf(np.array([np.inf, -np.inf, 2.5]))
    np.testing.assert_array_equal(f.numpy(force=True), wf)
    np.testing.assert_array_equal(np.signbit(f.numpy(force=True)), np.signbit(wf))
    np.testing.assert_array_equal(w.numpy(force=True), ww)


def test_errors():
    x = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with pytest.raises(TypeError, match="exponent must be an integer"):
        wg.ldexp(x, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="axis= must be given"):
        np.cumulative_sum(x)
    with pytest.raises(ValueError, match="at least one dimension"):
        wg.cumulative_prod(wg.tensor(2.0))
    with pytest.raises(TypeError, match="does not support out="):
        wg.cumulative_sum(x[0], out=np.zeros(2))
    with pytest.raises(TypeError, match="does not support out="):
        wg.fix(x, out=np.zeros((2, 2)))
    with pytest.raises(TypeError, match="keyword axes= is not supported"):
        wg.matvec(x, x[0], axes=[(0, 1), 0, 0])
    with pytest.raises(ValueError, match="too few dimensions"):
        wg.vecmat(x, x[0])
    with pytest.raises(np.exceptions.AxisError):
        np.logaddexp.reduce(wg.tensor(1.0, requires_grad=True))
    with pytest.raises(np.exceptions.AxisError):
        np.logaddexp.accumulate(x, axis=2)
