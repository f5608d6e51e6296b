"""Statistics: median percentile quantile average cov corrcoef ptp — NumPy 2's signatures.

Every function is a composite of sort (a gather), indexing, where and arithmetic, so each
inherits VJP and JVP rules of every order from those ops.

Quantiles (`quantile`, and `median`/`percentile`/the nan- versions built on it). Along each
reduced slice of n values sorted as s₀ ≤ … ≤ sₙ₋₁, a method gives a virtual index h(q)
(method 'linear', the default: h = (n − 1)q), j = ⌊h⌋ clipped to [0, n − 1], γ = h − j, and

    Q(q) = s_j + γ (s_{j+1} − s_j)          (computed as NumPy does: from s_{j+1} when γ ≥ ½)

so ∂Q/∂s_j = 1 − γ, ∂Q/∂s_{j+1} = γ, and ∂Q/∂q = h′(q)(s_{j+1} − s_j) (0 where h is clipped
to an end, and for the discrete methods, whose γ is piecewise constant). The gradient flows
to the input elements that sit at positions j and j + 1 after sorting: where values tie,
the element NumPy's stable sort puts there gets it (one valid subgradient). At an integer h
(an odd-length median, for example) γ = 0 and all of it goes to s_j: the one-sided
derivative from above in q. A slice holding a NaN gives NaN (gradient 0 to that slice).
"""
import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor, _make
from .elementwise import astype, divide, greater_equal, multiply, sqrt, subtract, where
from .indexing import getitem, sort
from .linalg.products import diagonal, matmul
from ._operands import value_of
from .reduction import _axes, _input, max as _max, mean as _mean, min as _min, sum as _sum
from .shape import broadcast_to, concatenate, expand_dims, permute_dims, reshape, squeeze

__all__ = ["median", "percentile", "quantile", "average", "cov", "corrcoef", "ptp"]

# method → (α, β) of Hyndman & Fan's continuous family: h = nq + α + q(1 − α − β) − 1
_CONTINUOUS = {"interpolated_inverted_cdf": (0.0, 1.0), "hazen": (0.5, 0.5),
               "weibull": (0.0, 0.0), "median_unbiased": (1 / 3, 1 / 3),
               "normal_unbiased": (3 / 8, 3 / 8)}
_DISCRETE = ("lower", "higher", "nearest", "midpoint")
METHODS = ("linear",) + tuple(_CONTINUOUS) + _DISCRETE


def _float_input(a, fname):
    a = _input(a, fname)
    if np.result_type(value_of(a)).kind not in "fc":
        a = astype(a, np.float64)
    return a


def _q_input(q, fname, scale):
    """q as a Tensor (differentiable) or an ndarray, divided by `scale`, range-checked."""
    if isinstance(q, Tensor):
        qv = q.data
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        qv = np.asarray(float(q))
    else:
        q = qv = np.asarray(q)
    if qv.dtype.kind not in "biuf":
        raise TypeError(f"wengert.{fname}: q must be real numbers, got dtype {qv.dtype}")
    qx = q if isinstance(q, Tensor) else qv     # (a Tensor q: the check is a guard compiled)
    if not np.all((qx >= 0) & (qx <= scale)):
        raise ValueError(f"wengert.{fname}: {'Percentiles' if scale == 100 else 'Quantiles'} "
                         f"must be in the range [0, {scale}]")
    if scale != 1:
        q = divide(q, scale) if isinstance(q, Tensor) else q / scale
    return q


def _method(method, interpolation, fname):
    if interpolation is not None:
        if method != "linear":
            raise TypeError(f"wengert.{fname}: give method= or interpolation=, not both")
        method = interpolation
    if method not in METHODS:
        raise ValueError(f"wengert.{fname}: method {method!r} is not supported; use one of "
                         f"{', '.join(METHODS)} ('inverted_cdf', 'averaged_inverted_cdf' and "
                         f"'closest_observation' are not available in wengert)")
    return method


def _virtual(q, n, method):
    """h(q) for n values (n may be an array of per-slice counts): a Tensor when q is one."""
    if method == "linear":
        return q * (n - 1)
    if method in _CONTINUOUS:
        al, be = _CONTINUOUS[method]
        return q * (n + (1 - al - be)) + (al - 1)
    h = np.asarray(value_of(q)) * (n - 1)       # the discrete methods: constant in q
    if method == "lower":
        return np.floor(h)
    if method == "higher":
        return np.ceil(h)
    if method == "nearest":
        return np.around(h)
    return 0.5 * (np.floor(h) + np.ceil(h))            # midpoint


def quantile_along(a, q, axis, keepdims, method, fname, skip_nan=False):
    """The q-quantile of `a` over `axis` (see the module docstring); with skip_nan, of the
    non-NaN values of each slice (n is then counted per slice). Shape q.shape + the rest."""
    a = _float_input(a, fname)
    shape = np.shape(value_of(a))
    nd = len(shape)
    axes = _axes(axis, shape, fname)
    keep = [i for i in range(-nd, 0) if i not in axes]
    batch = tuple(shape[i] for i in keep)
    m = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    if m == 0:
        raise ValueError(f"wengert.{fname}: cannot take a quantile of an empty slice "
                         f"(input shape {shape})")
    x = reshape(permute_dims(a, tuple(i + nd for i in keep + list(axes))), batch + (m,))
    s = sort(x, axis=-1)
    sv = s.data
    qv = np.asarray(value_of(q))
    qd = qv.dtype if isinstance(q, (Tensor, np.ndarray, np.generic)) else None
    # the discrete methods pick data values, so (as in NumPy) q's dtype does not enter
    dt = sv.dtype if qd is None or method in ("lower", "higher", "nearest") else \
        np.result_type(sv.dtype, qd)
    qe = reshape(q, qv.shape + (1,) * len(batch)) if isinstance(q, Tensor) else \
        qv.reshape(qv.shape + (1,) * len(batch))
    # the counts, the NaN test and the positions by wengert ops when `a` or q is a Tensor
    # (a compiling trace computes them at run time, and the branches on them are guards);
    # by NumPy on the values otherwise
    xs, ss = (x, s) if isinstance(a, Tensor) else (x.data, sv)
    if skip_nan:
        n = (~np.isnan(xs)).sum(axis=-1)
        bad = n == 0
        if bad.any():
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=3)
    else:
        n = m
        bad = np.isnan(ss[..., -1])
    h = _virtual(qe, n.astype(dt) if skip_nan else n, method)
    hv = h if isinstance(h, Tensor) else np.asarray(h)
    j = np.floor(hv)
    top = np.maximum(n - 1, 0)
    if isinstance(hv, Tensor):
        # ⌊h⌋ as an integer by counting the positions k ≤ h (a cast to an integer dtype
        # would be a constant to a compiling trace; comparisons and sums are steps)
        ji = (np.arange(m) <= expand_dims(hv, -1)).sum(axis=-1) - 1
        lo = np.where(hv >= top, top, np.where(hv < 0, 0, ji))
        hi = np.where(hv >= top, top, np.where(hv < 0, 0, ji + 1))
    else:
        lo = np.where(hv >= top, top, np.where(hv < 0, 0, j)).astype(np.intp)
        hi = np.where(hv >= top, top, np.where(hv < 0, 0, j + 1)).astype(np.intp)
    gamma: Any
    if method == "midpoint":
        gamma = np.where(hv % 1 == 0, 0.0, 0.5)
    else:
        gamma = subtract(h, j.astype(dt)) if isinstance(h, Tensor) else hv - j
    if not isinstance(gamma, Tensor):
        gamma = np.asarray(gamma, dtype=dt)
    nq = qv.ndim
    index = tuple(np.arange(b).reshape((1,) * nq + (1,) * k + (b,) + (1,) * (len(batch) - k - 1))
                  for k, b in enumerate(batch))
    s_lo = getitem(s, index + (lo,))
    s_hi = getitem(s, index + (hi,))
    d = subtract(s_hi, s_lo)
    out = where(greater_equal(gamma, 0.5), subtract(s_hi, multiply(d, 1 - gamma)),
                s_lo + multiply(d, gamma))
    if method in ("lower", "higher", "nearest") or fname in ("median", "nanmedian"):
        # NumPy takes these as they are (one sorted value; a median is the middle value or
        # the mean of the two middle ones): beside an infinite neighbour the interpolation's
        # 0·∞ or ∞ − ∞ would be NaN where NumPy has a number (ops on Tensors: guards)
        wild = ~np.isfinite(d)
        if wild.any():
            out = where(wild, where(gamma == 0, s_lo, (s_lo + s_hi) * 0.5), out)
    if bad.any():
        out = where(bad, np.asarray(np.nan, dtype=dt), out)
    if out.dtype != dt:
        out = astype(out, dt)
    if keepdims:
        out = reshape(out, qv.shape + tuple(1 if i - nd in axes else shape[i] for i in range(nd)))
    return out


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False, *, weights=None, interpolation=None):
    """The q-th quantile(s) of `a` over `axis` (q in [0, 1], a number, array or Tensor; the
    result has q's shape in front). Differentiable in a and q; see the module docstring for
    the formula and the convention at ties and integer virtual indices.

    Examples
    --------
    >>> wg.quantile(wg.tensor([1.0, 2.0, 3.0, 4.0]), 0.25)
    tensor(1.75)
    """
    _extras("quantile", out, weights)
    return quantile_along(a, _q_input(q, "quantile", 1), axis, keepdims,
                          _method(method, interpolation, "quantile"), "quantile")


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False, *, weights=None, interpolation=None):
    """quantile(a, q / 100): q in [0, 100]. Differentiable in a and q.

    Examples
    --------
    >>> wg.percentile(wg.tensor([1.0, 2.0, 3.0, 4.0]), 50)
    tensor(2.5)
    """
    _extras("percentile", out, weights)
    return quantile_along(a, _q_input(q, "percentile", 100), axis, keepdims,
                          _method(method, interpolation, "percentile"), "percentile")


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The middle value over `axis` (the mean of the two middle ones for an even count).
    ∂/∂aᵢ = 1 for the middle element (½ each for the two middle ones), 0 elsewhere; ties:
    see the module docstring.

    Examples
    --------
    >>> x = wg.tensor([1.0, 3.0, 2.0], requires_grad=True)
    >>> wg.median(x).backward()
    >>> x.grad
    tensor([0., 0., 1.])
    """
    _extras("median", out, None)
    return quantile_along(a, 0.5, axis, keepdims, "linear", "median")


def _extras(fname, out, weights):
    if out is not None:
        raise TypeError(f"wengert.{fname} does not support out=; use the returned tensor")
    if weights is not None:
        raise ValueError(f"wengert.{fname}: weights= needs method='inverted_cdf', which "
                         f"wengert does not support")


# ---- average, ptp -----------------------------------------------------------------------------

def average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    """Σ wᵢaᵢ / Σ wᵢ over `axis` (the mean without weights). ∂/∂aᵢ = wᵢ/Σw;
    ∂/∂wᵢ = (aᵢ − avg)/Σw. With returned=True also Σw (broadcast to the result's shape).

    Examples
    --------
    >>> wg.average(wg.tensor([1.0, 3.0]), weights=wg.tensor([3.0, 1.0]))
    tensor(1.5)
    """
    a = _input(a, "average")
    shape = np.shape(value_of(a))
    if weights is None:
        avg = _mean(a, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        n = np.size(value_of(a)) / max(avg.data.size, 1)
        return avg, _make(np.full(avg.shape, n, dtype=avg.dtype), None)
    w = weights if isinstance(weights, Tensor) else np.asarray(weights)
    wshape = np.shape(value_of(w))
    dt = np.result_type(value_of(a).dtype, value_of(w).dtype,
                        *(("f8",) if np.result_type(value_of(a)).kind in "biu" else ()))
    axes = _axes(axis, shape, "average")
    if wshape != shape:
        if axis is None:
            raise TypeError("wengert.average: axis must be specified when shapes of a and "
                            "weights differ")
        if wshape != tuple(shape[i] for i in axes):
            raise ValueError(f"wengert.average: shape of weights {wshape} must be consistent "
                             f"with shape of a {shape} along the specified axis {axis}")
        if len(axes) > 1:                               # weights' axes in a's order
            w = permute_dims(w, tuple(int(i) for i in np.argsort(axes)))
        full = [1] * len(shape)
        for i in sorted(axes):
            full[i] = shape[i]
        w = reshape(w, tuple(full))
    scl = _sum(astype(w, dt) if value_of(w).dtype != dt else w, axis=axes, keepdims=keepdims)
    if np.any(scl == 0):        # (a Tensor Σw: a guard when compiled)
        raise ZeroDivisionError("wengert.average: weights sum to zero, can't be normalized")
    avg = divide(_sum(multiply(a, w), axis=axes, keepdims=keepdims), scl)
    if avg.dtype != dt:
        avg = astype(avg, dt)
    if returned:                      # Σw broadcast to the average's shape, as in NumPy
        return avg, (scl if scl.shape == avg.shape else broadcast_to(scl, avg.shape))
    return avg


def ptp(a, axis=None, out=None, keepdims=False):
    """max − min over `axis` (ties in either split evenly, as in max and min).

    Examples
    --------
    >>> wg.ptp(wg.tensor([4.0, 1.0, 3.0]))
    tensor(3.)
    """
    if out is not None:
        raise TypeError("wengert.ptp does not support out=; use the returned tensor")
    a = _input(a, "ptp")
    return subtract(_max(a, axis=axis, keepdims=keepdims), _min(a, axis=axis, keepdims=keepdims))


# ---- cov, corrcoef ----------------------------------------------------------------------------

def _rows(m, rowvar, dt, what):
    """m as a 2-D array of dtype dt, one variable per row (NumPy's rule for m and y)."""
    m = m if isinstance(m, Tensor) else np.asarray(m)
    nd = np.ndim(value_of(m))
    if nd > 2:
        raise ValueError(f"wengert.cov: {what} has more than 2 dimensions (shape "
                         f"{np.shape(value_of(m))})")
    while np.ndim(value_of(m)) < 2:
        m = expand_dims(m, 0)
    if value_of(m).dtype != dt:
        m = astype(m, dt)
    if not rowvar and (nd != 1 if what == "m" else np.shape(value_of(m))[0] != 1):
        m = permute_dims(m, (1, 0))
    return m


def _weights(w, n, kind):
    # (a Tensor w stays one: the value checks below are then guards when compiled)
    wv = w if isinstance(w, Tensor) else np.asarray(w)
    if kind == "fweights" and not np.all(wv == np.around(wv)):
        raise TypeError("wengert.cov: fweights must be integer")
    if wv.ndim > 1:
        raise RuntimeError(f"wengert.cov: cannot handle multidimensional {kind}")
    if wv.shape[0] != n:
        raise RuntimeError(f"wengert.cov: incompatible numbers of samples and {kind}")
    if np.any(wv < 0):
        raise ValueError(f"wengert.cov: {kind} cannot be negative")
    return w


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """The covariance matrix of the variables (rows, or columns with rowvar=False) of m
    (and y). With weights w = fweights·aweights: C = (X − x̄)·diag(w)·(X − x̄)ᵀ / f, x̄ the
    weighted mean and f NumPy's normalisation (n − ddof, Σw − ddof, or Σw − ddof·Σw·a/Σw).
    A composite: differentiable in m, y and aweights. Like NumPy, float64 unless `dtype`.

    Examples
    --------
    >>> wg.cov(wg.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]))
    tensor([[1., 2.],
            [2., 4.]])
    """
    if ddof is not None and ddof != int(ddof):
        raise ValueError("wengert.cov: ddof must be integer")
    if dtype is None:
        dtype = np.result_type(value_of(m), *(() if y is None else (value_of(y),)), np.float64)
    x = _rows(m, rowvar, dtype, "m")
    if y is not None:
        x = concatenate((x, _rows(y, rowvar, dtype, "y")), axis=0)
    n = np.shape(value_of(x))[1]
    if ddof is None:
        ddof = 0 if bias else 1
    w = None
    if fweights is not None:
        w = astype(_weights(fweights, n, "fweights"), np.float64)
    if aweights is not None:             # (NumPy takes weights as float64 whatever dtype)
        aw = _weights(aweights, n, "aweights")
        aw = astype(aw, np.float64) if value_of(aw).dtype != np.float64 else aw
        w = aw if w is None else multiply(w, aw)
    if w is None:
        avg = _mean(x, axis=1, keepdims=True)
        fact = n - ddof
    else:
        avg, wsum = average(x, axis=1, weights=w, returned=True, keepdims=True)
        wsum = wsum[0, 0]
        if ddof == 0:
            fact = wsum
        elif aweights is None:
            fact = wsum - ddof
        else:
            fact = wsum - ddof * _sum(multiply(w, aw)) / wsum
    if np.any(fact <= 0):       # (a Tensor Σw: a guard when compiled)
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = 0.0
    xc = subtract(x, avg)
    xt = permute_dims(xc if w is None else multiply(xc, w), (1, 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        c = divide(matmul(xc, xt), fact)
    return squeeze(c)


def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """Pearson correlation coefficients: Rᵢⱼ = Cᵢⱼ / √(Cᵢᵢ Cⱼⱼ), C = cov(x, y), clipped to
    [−1, 1] as NumPy does (a clipped entry has gradient 0; the diagonal, identically 1,
    has gradient 0 anyway). A composite of cov, sqrt and divide.

    Examples
    --------
    >>> wg.corrcoef(wg.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return divide(c, c)
    sd = sqrt(diagonal(c))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = divide(divide(c, expand_dims(sd, 1)), expand_dims(sd, 0))
    from .elementwise import clip
    return clip(r, -1, 1)
