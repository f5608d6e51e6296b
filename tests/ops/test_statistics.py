"""Statistics (median percentile quantile average cov corrcoef ptp): the op table (forward vs
NumPy, gradients to second order in both modes, float32, batched rules), then the calls
through NumPy's own names, the conventions (ties, q as a tensor, NaN slices) and the errors."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests

S3 = [((2, 3, 4),)]
AXES = [{"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 2)},
        {"axis": None, "keepdims": True}, {"axis": [2, 1]}]


def np_axis(ref):
    def f(x, *rest, **kw):
        if isinstance(kw.get("axis"), list):
            kw = dict(kw, axis=tuple(kw["axis"]))
        return ref(x, *rest, **kw)
    f.__name__ = ref.__name__
    return f


def a_then_q(lo, hi):
    """Data uniform in [−2, 2] for the first argument, q uniform in [lo, hi] after it."""
    def sample(rng, shape, i):
        return rng.uniform(-2, 2, shape) if i == 0 else rng.uniform(lo, hi, shape)
    return sample


def a_then_positive(rng, shape, i):
    return rng.uniform(-2, 2, shape) if i == 0 else rng.uniform(0.5, 2, shape)


Q_SHAPES = [((5,), ()), ((2, 5), (3,)), ((2, 3, 4), (2, 2))]
Q_KW = [{}, {"axis": -1}, {"axis": -1, "keepdims": True}, {"method": "hazen", "axis": 0},
        {"method": "weibull"}, {"method": "median_unbiased", "axis": -1},
        {"method": "normal_unbiased"}, {"method": "interpolated_inverted_cdf"},
        {"method": "lower", "axis": -1}, {"method": "higher"}, {"method": "nearest"},
        {"method": "midpoint", "axis": 0}]


def _fixed_q(f, q):
    def g(a, **kw):
        return f(a, q, **kw)
    g.__name__ = f.__name__
    return g


def _weighted(f):
    def g(a, w, **kw):
        return f(a, weights=w, **kw)
    g.__name__ = f.__name__
    return g


def _cov_y(f):
    def g(m, y, **kw):
        return f(m, y, **kw)
    g.__name__ = f.__name__
    return g


def _cov_aw(f):
    def g(m, aw, **kw):
        return f(m, aweights=aw, **kw)
    g.__name__ = f.__name__
    return g


ROWS = [
    Row(wg.median, np.median, id="median"),
    Row(wg.median, np_axis(np.median), id="median-axes", shapes=S3, kwargs=AXES),
    Row(wg.quantile, np_axis(np.quantile), id="quantile-q-tensor", nargs=2, shapes=Q_SHAPES,
        sample=a_then_q(0.03, 0.97), kwargs=Q_KW),
    Row(wg.percentile, np.percentile, id="percentile-q-tensor", nargs=2, shapes=Q_SHAPES[:2],
        sample=a_then_q(3, 97), kwargs=[{}, {"axis": -1, "method": "hazen"}]),
    # a list q is float64, as in NumPy (a Python float q keeps float32)
    Row(_fixed_q(wg.quantile, [0.2, 0.7]), _fixed_q(np_axis(np.quantile), [0.2, 0.7]),
        id="quantile-list", shapes=S3, kwargs=AXES, float32=False),
    Row(_fixed_q(wg.quantile, 0.4), _fixed_q(np.quantile, 0.4), id="quantile-float"),
    Row(_fixed_q(wg.percentile, 35.0), _fixed_q(np_axis(np.percentile), 35.0),
        id="percentile-float", shapes=S3, kwargs=AXES[:3]),
    Row(wg.average, np_axis(np.average), id="average", shapes=S3,
        kwargs=[{}, {"axis": 1}, {"axis": (0, 2), "keepdims": True}]),
    Row(_weighted(wg.average), _weighted(np.average), id="average-weights", nargs=2,
        shapes=[((3,), (3,)), ((2, 3), (2, 3))], sample=a_then_positive,
        kwargs=[{}, {"axis": 0}, {"axis": -1, "keepdims": True}]),
    Row(_weighted(wg.average), _weighted(np.average), id="average-1d-weights", nargs=2,
        shapes=[((2, 3), (3,))], sample=a_then_positive, kwargs=[{"axis": 1}, {"axis": -1}]),
    Row(_weighted(wg.average), _weighted(np.average), id="average-2-axes-weights", nargs=2,
        shapes=[((2, 3, 4), (4, 2))], sample=a_then_positive, kwargs=[{"axis": (2, 0)}]),
    Row(_weighted(wg.average), _weighted(np.average), id="average-returned", nargs=2,
        shapes=[((2, 3), (2, 3))], sample=a_then_positive,
        kwargs=[{"axis": 0, "returned": True}]),
    # cov and corrcoef are float64 whatever the input (NumPy's rule; dtype= overrides it)
    Row(wg.cov, np.cov, id="cov", shapes=[((3, 5),), ((5,),)], float32=False,
        kwargs=[{}, {"rowvar": False}, {"bias": True}, {"ddof": 2}]),
    Row(wg.cov, np.cov, id="cov-columns", shapes=[((4, 2),)], float32=False,
        kwargs=[{"rowvar": False}, {"rowvar": False, "ddof": 0}]),
    Row(wg.cov, np.cov, id="cov-fweights", shapes=[((2, 5),)], float32=False,
        kwargs=[{"fweights": np.array([1, 2, 1, 3, 1])},
                {"fweights": np.array([1, 2, 1, 3, 1]), "ddof": 0}]),
    Row(_cov_aw(wg.cov), _cov_aw(np.cov), id="cov-aweights", nargs=2, shapes=[((3, 5), (5,))],
        sample=a_then_positive, float32=False,
        kwargs=[{}, {"ddof": 0}, {"fweights": np.array([2, 1, 1, 3, 1])}, {"bias": True}]),
    Row(_cov_y(wg.cov), _cov_y(np.cov), id="cov-y", nargs=2,
        shapes=[((2, 5), (5,)), ((5,), (5,))], float32=False),
    Row(_cov_y(wg.cov), _cov_y(np.cov), id="cov-y-columns", nargs=2,
        shapes=[((5, 2), (5,)), ((5, 2), (5, 1))], float32=False, kwargs=[{"rowvar": False}]),
    Row(wg.corrcoef, np.corrcoef, id="corrcoef", shapes=[((3, 5),)], float32=False,
        kwargs=[{}, {"rowvar": False}]),
    Row(_cov_y(wg.corrcoef), _cov_y(np.corrcoef), id="corrcoef-y", nargs=2,
        shapes=[((5,), (5,))], float32=False),
    Row(wg.ptp, np.ptp, id="ptp"),
    Row(wg.ptp, np_axis(np.ptp), id="ptp-axes", shapes=S3, kwargs=AXES),
]

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


# ---- NumPy's own names dispatch here ----------------------------------------------------------

def test_numpy_names_dispatch_and_stay_differentiable():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    for name, args, kw in [("median", (), {"axis": 0}), ("quantile", (0.3,), {}),
                           ("percentile", ([10, 90],), {"axis": 1}), ("average", (), {}),
                           ("cov", (), {}), ("corrcoef", (), {}), ("ptp", (), {"axis": 1})]:
        t = wg.tensor(x, requires_grad=True)
        y = getattr(np, name)(t, *args, **kw)
        assert isinstance(y, wg.Tensor) and y.requires_grad, name
        np.testing.assert_allclose(y.numpy(force=True), getattr(np, name)(x, *args, **kw), rtol=1e-12)
        y.sum().backward()
        assert t.grad.shape == x.shape


def test_median_gradient_goes_to_the_middle_elements():
    x = wg.tensor([3.0, 1.0, 4.0, 2.0], requires_grad=True)
    wg.median(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [0.5, 0, 0, 0.5])
    x = wg.tensor([3.0, 1.0, 4.0], requires_grad=True)
    wg.median(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [1, 0, 0])


def test_median_of_ties_gives_one_element_the_gradient():
    x = wg.tensor([2.0, 2.0, 2.0], requires_grad=True)
    wg.median(x).backward()
    assert x.grad.numpy(force=True).sum() == 1 and np.isin(x.grad.numpy(force=True), [0, 1]).all()


def test_quantile_gradient_in_q_is_the_gap_between_order_statistics():
    a = np.array([0.0, 10.0, 30.0])
    q = wg.tensor(0.25, requires_grad=True)          # h = 0.5: between 0 and 10
    wg.quantile(a, q).backward()
    assert q.grad.item() == pytest.approx(2 * 10.0)
    q = wg.tensor(1.0, requires_grad=True)           # clipped at the top: no gap
    wg.quantile(a, q).backward()
    assert q.grad.item() == 0.0


def test_a_slice_with_nan_gives_nan_and_no_gradient():
    x = wg.tensor([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], requires_grad=True)
    y = wg.median(x, axis=1)
    assert np.isnan(y.numpy(force=True)[0]) and y.numpy(force=True)[1] == 2.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [[0, 0, 0], [0, 1, 0]])


def test_dtypes_follow_numpy():
    x32 = np.arange(5, dtype=np.float32)
    assert wg.quantile(x32, 0.3).dtype == np.quantile(x32, 0.3).dtype == np.float32
    assert wg.quantile(x32, np.array([0.3])).dtype == np.float64
    assert wg.median(np.arange(5)).dtype == np.float64
    assert wg.cov(x32).dtype == np.float64
    assert wg.cov(x32, dtype=np.float32).dtype == np.cov(x32, dtype=np.float32).dtype


def test_average_returned_without_weights_gives_the_count():
    avg, n = wg.average(np.ones((2, 3)), axis=1, returned=True)
    np.testing.assert_array_equal(n.numpy(force=True), [3.0, 3.0])


def test_cov_with_too_few_observations_warns_like_numpy():
    with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
        c = wg.cov(np.array([1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(c.numpy(force=True)) == np.isnan(np.cov(np.array([1.0])))


# ---- errors ---------------------------------------------------------------------------------------

def test_quantile_errors():
    with pytest.raises(ValueError, match=r"Quantiles must be in the range \[0, 1\]"):
        wg.quantile(np.ones(3), 1.5)
    with pytest.raises(ValueError, match=r"Percentiles must be in the range \[0, 100\]"):
        wg.percentile(np.ones(3), -1)
    with pytest.raises(ValueError, match="not supported.*linear"):
        wg.quantile(np.ones(3), 0.5, method="inverted_cdf")
    with pytest.raises(ValueError, match="weights= needs method='inverted_cdf'"):
        wg.quantile(np.ones(3), 0.5, weights=np.ones(3))
    with pytest.raises(TypeError, match="out="):
        wg.median(np.ones(3), out=np.empty(()))
    with pytest.raises(TypeError, match="q must be real numbers"):
        wg.quantile(np.ones(3), "a")
    with pytest.raises(TypeError, match="method= or interpolation="):
        wg.quantile(np.ones(3), 0.5, method="lower", interpolation="higher")
    with pytest.raises(ValueError, match="empty slice"):
        wg.quantile(np.ones((0, 3)), 0.5, axis=0)
    assert wg.quantile(np.arange(4.0), 0.5, interpolation="lower").item() == 1.0


def test_average_errors():
    with pytest.raises(ZeroDivisionError, match="sum to zero"):
        wg.average(np.ones(3), weights=np.zeros(3))
    with pytest.raises(TypeError, match="axis must be specified"):
        wg.average(np.ones((2, 3)), weights=np.ones(3))
    with pytest.raises(ValueError, match="consistent"):
        wg.average(np.ones((2, 3)), axis=0, weights=np.ones(3))


def test_cov_errors():
    with pytest.raises(ValueError, match="more than 2 dimensions"):
        wg.cov(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="ddof must be integer"):
        wg.cov(np.ones((2, 3)), ddof=1.5)
    with pytest.raises(TypeError, match="fweights must be integer"):
        wg.cov(np.ones((2, 3)), fweights=np.array([1.5, 1, 1]))
    with pytest.raises(RuntimeError, match="multidimensional aweights"):
        wg.cov(np.ones((2, 3)), aweights=np.ones((3, 1)))
    with pytest.raises(RuntimeError, match="incompatible numbers of samples and fweights"):
        wg.cov(np.ones((2, 3)), fweights=np.array([1, 1]))
    with pytest.raises(ValueError, match="aweights cannot be negative"):
        wg.cov(np.ones((2, 3)), aweights=np.array([1.0, -1, 1]))
    with pytest.raises(TypeError, match="out="):
        wg.ptp(np.ones(3), out=np.empty(()))


def test_average_returned_weight_sum_has_the_average_shape():
    a = np.random.default_rng(5).standard_normal((3, 4))
    w = np.array([0.5, 1.0, 2.0, 0.25])
    avg, scl = wg.average(wg.tensor(a), axis=1, weights=w, returned=True)
    want_avg, want_scl = np.average(a, axis=1, weights=w, returned=True)
    assert scl.shape == want_scl.shape == (3,)
    np.testing.assert_allclose(scl.numpy(force=True), want_scl)
    np.testing.assert_allclose(avg.numpy(force=True), want_avg)
    assert wg.gradcheck(lambda x, v: wg.average(x, axis=1, weights=v, returned=True), (a, w),
                        order=2)


@pytest.mark.parametrize("method", ["lower", "higher", "nearest"])
def test_discrete_quantile_of_float32_keeps_float32_with_a_list_of_q(method):
    a = np.arange(7, dtype=np.float32)
    for f, q in ((wg.percentile, [10.0, 55.0]), (wg.quantile, [0.1, 0.55])):
        got = f(wg.tensor(a), q, method=method)
        want = getattr(np, f.__name__)(a, q, method=method)
        assert got.dtype == want.dtype == np.float32
        np.testing.assert_array_equal(got.numpy(), want)
