"""The systematic detector of value-dependent branches that wg.compile would bake in.

For each row of the op tables (tests/ops/op_table.py), the value, the gradient of a weighted
sum and (rows of order 2) the Hessian-vector product are compiled at the row's usual inputs;
then the SAME compiled functions are called at special inputs of the same shape — zeros,
ones, negatives, a NaN, +inf, −inf, ties, ±1000 — and must give the eager numbers (NaN equal
to NaN) or the eager error. A compiled call may retrace on a guard (fine) or refuse with a
TraceError (never a wrong number); a wrong number, or an error eager does not give, fails.
"""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.compile.test_compile_ops import ROWS as ALL_ROWS
from tests.compile.test_compile_ops import _leaves, _loss, _setup
from wengert.compile import TraceError

# rows of the op files whose fixes belong to another helper: a known wrong number, kept
# visible as a strict xfail (it fails the suite once fixed, so the mark is removed then)
def _special(x, kind):
    """x (a float array) changed to the special input `kind`, same shape and dtype."""
    x = np.array(x, copy=True)
    flat = x.reshape(-1)
    if kind == "zeros":
        x[...] = 0
    elif kind == "ones":
        x[...] = 1
    elif kind == "negative":
        x[...] = -np.abs(x) - 0.5
    elif kind == "ties":            # pairs of equal entries, and an equal max
        flat[1::2] = flat[0::2][:flat[1::2].size]
    elif kind == "nan":
        flat[flat.size // 2] = np.nan
    elif kind == "+inf":
        flat[flat.size // 2] = np.inf
    elif kind == "-inf":
        flat[flat.size // 2] = -np.inf
    elif kind == "+1000":
        x[...] = x + 1000
    elif kind == "-1000":
        x[...] = x - 1000
    elif kind == "large":
        x[...] = x * 500
    return x


KINDS = ["zeros", "ones", "negative", "ties", "nan", "+inf", "-inf", "+1000", "-1000", "large"]


def _kinds(row):
    # (LAPACK may never return on a NaN or an infinity: eager linalg would hang there)
    where = " ".join(getattr(f, "__module__", "") or "" for f in (row.fn, row.ref))
    if "linalg" in where or "linalg" in (row.id or "") or "linalg" in repr(row.fn):
        return [k for k in KINDS if k not in ("nan", "+inf", "-inf")]
    return KINDS


def _run(f, args):
    """(result, None) or (None, the exception)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                return f(*args), None
    except TraceError:
        raise
    except Exception as e:          # noqa: BLE001 (the eager error is part of the behaviour)
        return None, e


def _same(got, want, tol):
    for g, w in zip(_leaves(got), _leaves(want)):
        g, w = np.asarray(g), np.asarray(w)
        if g.dtype != w.dtype or g.shape != w.shape:
            return f"dtype/shape {g.dtype}{g.shape} vs eager {w.dtype}{w.shape}"
        try:
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol, equal_nan=True)
        except AssertionError as e:
            return str(e).strip().splitlines()[-2:]
    return None


def _compare(name, cf, f, args, tol, bad):
    """Call compiled cf at args and eager f; a mismatch is appended to `bad`."""
    want, werr = _run(f, args)
    try:
        got, gerr = _run(cf, args)
    except TraceError as e:          # refused: never a wrong number
        assert "wg.compile cannot" in str(e)
        return
    if werr is not None or gerr is not None:
        if type(werr) is not type(gerr):
            bad.append(f"{name}: compiled raised {gerr!r}, eager {werr!r}")
        return
    diff = _same(got, want, tol)
    if diff:
        bad.append(f"{name}: {diff}")


def _functions(row, args, kw, ws):
    f = lambda *a: row.fn(*a, **kw)        # noqa: E731
    fns = [("value", f, lambda a: a)]
    if row.order >= 1 and all(np.asarray(w).dtype.kind == "f" for w in ws):
        g = wg.grad(_loss(row, kw, ws), argnums=tuple(range(len(args))))
        fns.append(("grad", g, lambda a: a))
        if row.order >= 2:
            rest = args[1:]

            def hv(x, v):
                return wg.hvp(lambda x: _loss(row, kw, ws)(x, *rest), x, v)
            fns.append(("hvp", hv, lambda a: (a[0], np.ones_like(a[0]))))
    return fns


def check_row(row, dtype=np.float64):
    args, kw, ws = _setup(row, dtype)
    tol = 1e-4 if dtype is np.float32 else 1e-9
    floats = [i for i, a in enumerate(args) if np.asarray(a).dtype.kind == "f"]
    if not floats:
        pytest.skip("no float operand to vary")
    bad = []
    for what, f, pick in _functions(row, args, kw, ws):
        cf = wg.compile(f)
        try:
            _run(cf, pick(args))           # the trace, at the usual inputs
        except TraceError as e:
            assert "wg.compile cannot" in str(e)
            continue
        for kind in _kinds(row):
            special = [(_special(a, kind) if i in floats else a) for i, a in enumerate(args)]
            _compare(f"{what} at {kind}", cf, f, pick(special), tol, bad)
    assert not bad, "compiled differs from eager:\n" + "\n".join(map(str, bad))


MINE = ("reduction-", "reduction_where-", "nanreductions-", "statistics-", "torch_ops-topk",
        "torch_ops-kthvalue", "torch_ops-mode", "torch_ops-max-dim", "torch_ops-min-dim",
        "torch_ops-median-dim", "torch_ops-nanmedian-dim", "torch_ops-sort-dim")


def _params(select):
    out = []
    for p in ALL_ROWS:
        rid = p.id
        if not select(rid):
            continue
        out.append(pytest.param(p.values[0], id=rid))
    return out


@pytest.mark.parametrize("row", _params(lambda rid: rid.startswith(MINE)))
def test_reductions_compiled_at_special_inputs(row):
    check_row(row)


@pytest.mark.parametrize("row", _params(lambda rid: not rid.startswith(MINE)))
def test_other_ops_compiled_at_special_inputs(row):
    check_row(row)


# ---- the wrong numbers the detector found, one reproducer each ---------------------------------

def _same_as_eager(f, first, later, tol=1e-12):
    c = wg.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with np.errstate(all="ignore"):
            c(first)
            for x in later:
                got, want = _leaves(c(x)), _leaves(f(x))
                for g, w in zip(got, want):
                    np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=tol, atol=tol,
                                               equal_nan=True)
    return c


def test_std_gradient_of_a_constant_slice_compiled_is_zero():
    # (the compiled gradient was [nan nan nan]: the √ branch of the first call was kept)
    c = _same_as_eager(wg.grad(lambda x: wg.std(x)), np.array([1.0, 2.0, 4.0]), [np.ones(3)])
    np.testing.assert_array_equal(c(np.ones(3)), np.zeros(3))
    _same_as_eager(wg.grad(lambda x: wg.sum(wg.std(x, axis=1))), np.arange(6.0).reshape(2, 3),
                   [np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 4.0]])])


@pytest.mark.parametrize("f", [lambda x: wg.prod(x), lambda x: wg.sum(wg.cumprod(x))],
                         ids=["prod", "cumprod"])
def test_product_gradients_at_zeros_compiled(f):
    # (the compiled gradient divided by the zero: nan/inf instead of the product of the others)
    x0 = np.array([0.0, 2.0, 3.0, 4.0])
    _same_as_eager(wg.grad(f), np.array([1.0, 2.0, 3.0, 4.0]), [x0, np.zeros(4)])
    _same_as_eager(lambda x: wg.hvp(f, x, np.ones(4)), np.array([1.0, 2.0, 3.0, 4.0]),
                   [x0, np.array([0.0, 0.0, 3.0, 4.0])])
    c = wg.compile(wg.grad(wg.prod))
    c(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(c(x0), [24.0, 0.0, 0.0, 0.0])


def test_logsumexp_gradient_compiles_with_the_shift_computed_at_run_time():
    g = wg.grad(lambda x: wg.logsumexp(x))
    x = np.array([1.0, 2.0, 3.0])
    c = wg.compile(g)
    src = c.source(x)
    body = src.split("def compiled")[1]
    assert "f_max(x0" in body and "c0 = np.array([3.0]" not in src
    inf = np.inf
    later = [x + 1000, x - 1000, np.array([1.0, inf, 2.0]), np.array([-inf, -inf, -inf]),
             np.array([1.0, -inf, 2.0]), np.array([np.nan, 1.0, 2.0]), np.array([inf, inf, 0.0]),
             np.array([-inf, inf, 0.0])]
    _same_as_eager(g, x, later)
    np.testing.assert_allclose(c(x + 1000), np.exp(x - 3) / np.exp(x - 3).sum(), rtol=1e-12)
    assert np.all(np.isfinite(c(x - 1000)))
    np.testing.assert_array_equal(c(np.array([1.0, -inf, 2.0]))[1], 0.0)
    x32 = np.array([[1000.0, 999.0], [-1000.0, -1001.0]], np.float32)
    g2 = wg.grad(lambda x: wg.sum(wg.logsumexp(x, axis=1) * np.array([1.0, 2.0], np.float32)))
    got = wg.compile(g2)(x32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, g2(x32), rtol=1e-6)
    _same_as_eager(lambda x: wg.hvp(lambda x: wg.logsumexp(x), x, np.ones(3)), x, later[:3])


def test_nan_masks_are_computed_at_run_time():
    # (the NaN positions of the first call were kept: nansum of ones gave 5, not 6)
    first = np.array([1.0, np.nan, 2.0, 3.0, 4.0, 5.0])
    later = [np.ones(6), np.array([np.nan, 1.0, 2.0, 3.0, np.nan, 5.0]), np.full(6, np.nan)]
    for f in (wg.nansum, wg.nanmean, wg.nanprod, wg.nanmax, wg.nanmin, wg.nanvar, wg.nanstd,
              wg.nanmedian, lambda x: wg.nanquantile(x, 0.3), wg.nancumsum, wg.nancumprod,
              lambda x: wg.nan_to_num(x, nan=7.0)):
        _same_as_eager(f, first, later)
    for f in (wg.nansum, wg.nanmean, wg.nanmax, wg.nanstd, wg.nanmedian):
        _same_as_eager(wg.grad(f), first, later)
    c = wg.compile(wg.nansum)
    c(first)
    np.testing.assert_array_equal(c(np.ones(6)), 6.0)


def test_median_and_quantile_of_a_nan_slice_compiled():
    first = np.array([3.0, 1.0, 2.0, 5.0])
    later = [np.array([3.0, np.nan, 2.0, 5.0])]
    for f in (wg.median, lambda x: wg.quantile(x, [0.2, 0.7])):
        _same_as_eager(f, first, later)
        _same_as_eager(wg.grad(lambda x: wg.sum(f(x))), first, later)


def test_value_checks_raise_compiled_as_eager():
    x = np.arange(6.0).reshape(2, 3)
    c = wg.compile(lambda x, w: wg.average(x, axis=1, weights=w))
    c(x, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ZeroDivisionError, match="weights sum to zero"):
        c(x, np.array([1.0, -1.0, 0.0]))
    cv = wg.compile(lambda x, w: wg.cov(x, aweights=w))
    cv(x, np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="aweights cannot be negative"):
        cv(x, np.array([1.0, -2.0, 3.0]))
    cq = wg.compile(lambda x, q: wg.percentile(x, q))
    cq(np.arange(4.0), np.array(30.0))
    with pytest.raises(ValueError, match=r"Percentiles must be in the range \[0, 100\]"):
        cq(np.arange(4.0), np.array(130.0))


def test_values_indices_take_their_indices_at_run_time():
    # (max(x, dim) first called with a NaN kept index 0: later calls returned x[0])
    for f in (lambda x: wg.max(x, dim=0).values, lambda x: wg.min(x, dim=0).indices * 1.0,
              lambda x: wg.median(x, dim=0).values, lambda x: wg.topk(x, 2, dim=0).values,
              lambda x: wg.kthvalue(x, 2, dim=0).values, lambda x: wg.nanmedian(x, dim=0).values,
              lambda x: wg.sort(x, dim=0, descending=True).values * np.arange(3)):
        for first in (np.array([np.nan, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])):
            try:
                _same_as_eager(f, first, [np.array([1.0, 5.0, 2.0]), np.array([1.0, np.nan, 2.0]),
                                          np.array([4.0, 4.0, 2.0])])
            except TraceError as e:
                assert "wg.compile cannot" in str(e)
    with pytest.raises(TraceError, match="wg.mode"):
        wg.compile(lambda x: wg.mode(x, dim=0).values)(np.array([3.0, 1.0, 2.0]))


@pytest.mark.parametrize("name", ["nanargmax", "nanargmin"])
def test_nanarg_masks_and_all_nan_check_are_computed_at_run_time(name):
    f = lambda x: getattr(np, name)(x, axis=1)          # noqa: E731
    c = wg.compile(f)
    x = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan]])
    np.testing.assert_array_equal(c(x), f(x))
    y = np.array([[np.nan, 9.0, -3.0], [-4.0, np.nan, 6.0]])   # NaNs and extremes elsewhere
    np.testing.assert_array_equal(c(y), f(y))
    with pytest.raises(ValueError, match="All-NaN slice"):
        c(np.array([[np.nan, np.nan, np.nan], [1.0, 2.0, 3.0]]))
