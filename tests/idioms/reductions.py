"""Reductions: axis/keepdims/where=/initial=, nan-functions, order statistics, ufunc.reduce."""
import numpy as np

from ._core import DISTINCT, VALUE_EXIT, Either, N, POS, U, idiom


def _with_nans(x):
    """x with NaN at fixed places (a constant mask: the NaNs carry no gradient)."""
    mask = (np.arange(x.size).reshape(x.shape) % 4) == 1
    return np.where(mask, np.nan, x)


@idiom(N(3, 4), fwd=True)
def sum_axis_keepdims(x):
    return x / np.sum(x ** 2, axis=1, keepdims=True)


@idiom(N(2, 3, 4))
def mean_tuple_axis(x):
    return np.mean(x, axis=(0, 2))


@idiom(DISTINCT(3, 4))
def max_min_axis(x):
    return np.max(x, axis=0) - np.min(x, axis=1).sum()


@idiom(POS(3, 4), order2=True)
def prod_axis(x):
    return np.prod(x, axis=1)


@idiom(N(3, 4))
def var_std_axis_ddof(x):
    return np.var(x, axis=0, ddof=1) + np.std(x, axis=1).sum()


@idiom(DISTINCT(3, 4))
def amax_amin_keepdims(x):
    return x - np.amax(x, axis=1, keepdims=True) + np.amin(x, axis=0, keepdims=True)


@idiom(N(8), needs="where= on reductions")
def sum_where_mask(x):
    return np.sum(x ** 2, where=np.arange(8) % 3 != 0)


@idiom(N(2, 4), needs="where= on reductions")
def mean_where_axis(x):
    m = np.array([[True, False, True, True], [True, True, False, True]])
    return np.mean(x, axis=1, where=m)


@idiom(DISTINCT(6), needs="initial= and where= on max")
def max_where_initial(x):
    return np.max(x, where=x > -0.5, initial=-1.0)


@idiom(N(5), needs="initial= on sum")
def sum_initial(x):
    return np.sum(x ** 2, initial=1.0)


@idiom(N(8), fwd=True, needs="np.nansum")
def nansum(x):
    return np.nansum(_with_nans(x) ** 2)


@idiom(N(2, 4), needs="np.nanmean")
def nanmean_axis(x):
    return np.nanmean(_with_nans(x), axis=1)


@idiom(DISTINCT(8), needs="np.nanmax, np.nanmin")
def nanmax_nanmin(x):
    y = _with_nans(x)
    return np.nanmax(y) - np.nanmin(y)


@idiom(N(8), needs="np.nanstd, np.nanvar")
def nanstd_nanvar(x):
    y = _with_nans(x)
    return np.nanstd(y) + np.nanvar(y)


@idiom(DISTINCT(7), needs="np.nanmedian")
def nanmedian(x):
    return np.nanmedian(_with_nans(x))


@idiom(N(6), needs="np.nan_to_num")
def nan_to_num_after_log(x):
    return np.nan_to_num(np.log(x ** 2) * 1.0, nan=0.0)


@idiom(DISTINCT(7), needs="np.median")
def median_odd(x):
    return np.median(x)


@idiom(DISTINCT(3, 4), needs="np.median")
def median_axis(x):
    return np.median(x, axis=1)


@idiom(DISTINCT(9), needs="np.percentile")
def percentile_interp(x):
    return np.percentile(x, [10.0, 50.0, 90.0])


@idiom(DISTINCT(9), needs="np.quantile")
def quantile_iqr(x):
    q1, q3 = np.quantile(x, [0.25, 0.75])
    return q3 - q1


@idiom(DISTINCT(6), needs="np.ptp")
def ptp_range(x):
    return np.ptp(x)


@idiom(POS(5), fwd=True)
def cumprod_growth(x):
    return np.cumprod(1 + 0.1 * x)


@idiom(N(3, 4))
def linalg_norm_axis(x):
    return np.linalg.norm(x, axis=0) + np.linalg.norm(x, ord=1, axis=1).sum()


@idiom(N(3, 4), needs="np.logaddexp.reduce")
def logaddexp_reduce(x):
    return np.logaddexp.reduce(x, axis=1)


@idiom(N(3, 4))
def add_reduce_multiply_reduce(x):
    return np.add.reduce(x, axis=0) * np.multiply.reduce(x, axis=1).sum()


@idiom(DISTINCT(3, 4))
def maximum_reduce(x):
    return np.maximum.reduce(x, axis=1)


@idiom(DISTINCT(7))
def index_by_argmax(x):
    return x[np.argmax(x)] * 2 + x[np.argmin(x)]


@idiom(N(6))
def control_flow_on_any(x):
    if np.any(x > 10):
        return np.sum(x)
    return np.sum(x ** 2)


@idiom(U(-1, 1, 6))
def count_nonzero_scaling(x):
    return np.sum(x) * np.count_nonzero(x > 0)


@idiom(N(4, 3))
def mean_dtype_float64(x):
    return np.mean(x, axis=0, dtype=np.float64)


@idiom(N(2, 3))
def sum_of_all_via_method_chain(x):
    return x.sum(axis=1).mean() + x.T.std()


@idiom(N(6), needs="np.cumsum on a reversed view")
def reverse_cumsum(x):
    return np.cumsum(x[::-1])[::-1]


@idiom(N(5), expect=Either(TypeError, VALUE_EXIT), needs="value exits (§9)")
def sum_of_list(x):
    return np.sum([x[0] ** 2, x[1] * x[2], np.sin(x[3])])


@idiom(N(5), POS(5), needs="np.average with weights")
def average_returned(x, w):
    avg, wsum = np.average(x, weights=w, returned=True)
    return avg * wsum
