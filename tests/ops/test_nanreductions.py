"""NaN-aware reductions and nan_to_num: the op table (forward vs NumPy, gradients to second
order in both modes, float32, batched rules) on inputs holding NaNs, then NumPy's names,
all-NaN slices (NumPy's values and warnings, gradient 0) and the errors."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.ops.op_table import Row, generic_tests, np_axis

S3 = [((2, 3, 4),)]
AXES = [{"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": (0, 2)}, {"axis": None}]
INT_AXES = [{}, {"axis": 0}, {"axis": -1}]


def with_nans(rng, shape, i):
    """Uniform in [−2, 2] with every fifth element (from the second) NaN: no slice of the
    grids below is all NaN."""
    a = rng.uniform(-2, 2, shape)
    flat = a.reshape(-1)
    flat[1::5] = np.nan
    return flat.reshape(shape)


def with_nans_away_from_zero(rng, shape, i):
    a = with_nans(rng, shape, i)
    return np.where(np.isnan(a), a, np.sign(a) * (0.5 + np.abs(a) / 2))


def with_nans_and_infs(rng, shape, i):
    a = with_nans(rng, shape, i)
    flat = a.reshape(-1)
    flat[2::7] = np.inf
    flat[4::9] = -np.inf
    return flat.reshape(shape)


def data_then_q(rng, shape, i):
    return with_nans(rng, shape, i) if i == 0 else rng.uniform(0.03, 0.97, shape)


def _rows():
    rows = []
    for fn, ref, sample in [(wg.nansum, np.nansum, with_nans), (wg.nanmean, np.nanmean, with_nans),
                            (wg.nanprod, np.nanprod, with_nans_away_from_zero),
                            (wg.nanmax, np.nanmax, with_nans), (wg.nanmin, np.nanmin, with_nans),
                            (wg.nanvar, np.nanvar, with_nans), (wg.nanstd, np.nanstd, with_nans),
                            (wg.nanmedian, np.nanmedian, with_nans)]:
        name = ref.__name__
        rows.append(Row(fn, ref, id=name, sample=sample))
        rows.append(Row(fn, np_axis(ref), id=f"{name}-axes", shapes=S3, kwargs=AXES,
                        sample=sample))
    for fn, ref in [(wg.nanvar, np.nanvar), (wg.nanstd, np.nanstd)]:
        rows.append(Row(fn, ref, id=f"{ref.__name__}-ddof", shapes=S3, sample=with_nans,
                        kwargs=[{"axis": -1, "ddof": 1}, {"axis": (0, 2), "correction": 2}]))
    rows.append(Row(wg.nansum, np.nansum, id="nansum-initial-where", shapes=S3, sample=with_nans,
                    kwargs=[{"axis": 1, "initial": 1.5},
                            {"axis": -1, "where": np.array([True, False, True, True])}]))
    rows.append(Row(wg.nanmax, np.nanmax, id="nanmax-initial", shapes=S3, sample=with_nans,
                    kwargs=[{"axis": 1, "initial": 0.5}]))
    rows.append(Row(wg.nanmean, np.nanmean, id="nanmean-where", shapes=S3, sample=with_nans,
                    kwargs=[{"axis": -1, "where": np.array([True, False, True, True])}]))
    for fn, ref, sample in [(wg.nancumsum, np.nancumsum, with_nans),
                            (wg.nancumprod, np.nancumprod, with_nans_away_from_zero)]:
        rows.append(Row(fn, ref, id=ref.__name__, sample=sample))
        rows.append(Row(fn, ref, id=f"{ref.__name__}-axes", shapes=S3, kwargs=INT_AXES,
                        sample=sample))
    rows.append(Row(wg.nanquantile, np.nanquantile, id="nanquantile", nargs=2,
                    shapes=[((5,), ()), ((2, 5), (3,)), ((2, 3, 4), (2,))], sample=data_then_q,
                    kwargs=[{}, {"axis": -1}, {"axis": -1, "keepdims": True},
                            {"axis": -1, "method": "hazen"}, {"method": "lower"}]))
    rows.append(Row(wg.nanpercentile, np.nanpercentile, id="nanpercentile", nargs=2,
                    shapes=[((2, 5), ())], kwargs=[{"axis": -1}],
                    sample=lambda rng, s, i: data_then_q(rng, s, i) * (100 if i else 1)))
    for fn, ref in [(wg.nanargmax, np.nanargmax), (wg.nanargmin, np.nanargmin)]:
        rows.append(Row(fn, ref, id=ref.__name__, order=1, sample=with_nans))
        rows.append(Row(fn, ref, id=f"{ref.__name__}-axes", shapes=S3, order=1,
                        sample=with_nans, kwargs=INT_AXES[1:] + [{"axis": 1, "keepdims": True}]))
    rows.append(Row(wg.nan_to_num, np.nan_to_num, id="nan_to_num", sample=with_nans_and_infs,
                    shapes=[((),), ((3,),), ((2, 3, 4),)],
                    kwargs=[{}, {"nan": 1.5, "posinf": 9.0, "neginf": -7.0}]))
    return rows


ROWS = _rows()

test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32 = \
    generic_tests(ROWS)


def test_numpy_names_dispatch_and_nan_entries_get_gradient_zero():
    x = with_nans(np.random.default_rng(3), (3, 4), 0)
    for name in ["nansum", "nanmean", "nanprod", "nanmax", "nanmin", "nanvar", "nanstd",
                 "nanmedian", "nancumsum", "nancumprod", "nan_to_num"]:
        t = wg.tensor(x, requires_grad=True)
        y = getattr(np, name)(t)
        assert isinstance(y, wg.Tensor) and y.requires_grad, name
        np.testing.assert_allclose(y.numpy(force=True), getattr(np, name)(x), rtol=1e-12)
        y.sum().backward()
        assert np.isfinite(t.grad.numpy(force=True)).all(), name
        assert (t.grad.numpy(force=True)[np.isnan(x)] == 0).all(), name
    t = wg.tensor(x)
    assert np.nanargmax(t).item() == np.nanargmax(x)
    np.testing.assert_allclose(np.nanquantile(t, [0.1, 0.5], axis=0).numpy(force=True),
                               np.nanquantile(x, [0.1, 0.5], axis=0))
    np.testing.assert_allclose(np.nanpercentile(t, 30).numpy(force=True), np.nanpercentile(x, 30))


@pytest.mark.parametrize("name", ["nanmean", "nanmax", "nanmin", "nanvar", "nanstd",
                                  "nanmedian"])
def test_an_all_nan_slice_gives_what_numpy_gives_with_gradient_zero(name):
    x = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 3.0]])
    t = wg.tensor(x, requires_grad=True)
    with pytest.warns(RuntimeWarning):
        y = getattr(wg, name)(t, axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(y.numpy(force=True), getattr(np, name)(x, axis=1))
    y[1].backward()
    assert (t.grad.numpy(force=True)[0] == 0).all() and np.isfinite(t.grad.numpy(force=True)).all()


def test_all_nan_sum_and_prod_are_identities():
    x = wg.tensor([np.nan, np.nan], requires_grad=True)
    assert wg.nansum(x).item() == 0.0 and wg.nanprod(x).item() == 1.0
    wg.nansum(x).backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [0.0, 0.0])


def test_integers_pass_through():
    a = np.arange(6).reshape(2, 3)
    for name in ["nansum", "nanmean", "nanmax", "nanvar", "nanmedian", "nancumsum"]:
        np.testing.assert_allclose(getattr(wg, name)(a).numpy(force=True), getattr(np, name)(a))
    np.testing.assert_array_equal(wg.nan_to_num(a).numpy(force=True), a)


def test_nan_to_num_derivative_is_one_where_finite_and_zero_where_replaced():
    x = wg.tensor([1.0, np.nan, np.inf, -np.inf, 2.0], requires_grad=True)
    y = np.nan_to_num(x, nan=3.0)
    np.testing.assert_array_equal(y.numpy(force=True), np.nan_to_num(x.detach().numpy(force=True), nan=3.0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), [1, 0, 0, 0, 1])


def test_errors():
    with pytest.raises(TypeError, match="nan= must be a number"):
        wg.nan_to_num(np.ones(2), nan=wg.tensor(1.0))
    with pytest.raises(TypeError, match="complex input"):
        wg.nan_to_num(np.ones(2, dtype=complex))
    with pytest.raises(ValueError, match="All-NaN slice"):
        wg.nanargmax(np.array([np.nan, np.nan]))
    for f in (wg.nanargmax, wg.nanargmin):
        with pytest.raises(TypeError, match="out="):
            f(np.ones(2), out=np.empty((), dtype=np.intp))
    with pytest.raises(ValueError, match="Quantiles must be in the range"):
        wg.nanquantile(np.ones(3), 2.0)
