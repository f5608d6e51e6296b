"""Hostile user functions compiled by wg.compile at usual inputs, then called at inputs that
take another branch inside an op (a zero, a NaN, an infinity, a tie, a sign change): the
same compiled function must give the uncompiled numbers (or refuse with a TraceError, or
retrace on a guard), never the branch taken at tracing. Each test here reproduced a silent
wrong number before its fix."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.helpers import compiled_agrees
from wengert.compile import TraceError


def _weighted(f):
    """A scalar loss of f's result whose gradient weighs every entry differently."""
    return lambda x: wg.sum(f(x) * np.arange(1.0, np.size(x) + 1).reshape(np.shape(x)))


def test_sinc_at_zero_after_a_trace_away_from_zero():
    # the Taylor mask |πx| < 0.1 was read off the traced value's data: a constant, so
    # sinc(0) compiled at x away from 0 gave sin(0)/0 = NaN (eager 1; gradient 0)
    usual, at0 = (np.array([1.3, 2.2]),), (np.array([0.0, 2.2]),)
    near0 = (np.array([0.05, -0.01]),)
    compiled_agrees(wg.sinc, usual, at0, near0)
    compiled_agrees(wg.grad(_weighted(wg.sinc)), usual, at0, near0)
    compiled_agrees(wg.hessian(lambda x: wg.sum(wg.sinc(x))), usual, at0, near0)
    compiled_agrees(wg.sinc, near0, usual)           # (and traced at the small branch)


def _refused_or_agrees(f, usual, *special):
    """Compiled f refuses with a TraceError, or agrees with f at every input."""
    try:
        compiled_agrees(f, usual, *special)
    except TraceError as e:
        assert "wg.compile cannot" in str(e)
        return True
    return False


def _tensor(x):
    return x if isinstance(x, wg.Tensor) else wg.tensor(x)


@pytest.mark.parametrize("f", [
    lambda x: x * 2 if _tensor(x).allclose(np.zeros(2)) else x + 1,
    lambda x: x * 2 if wg.allclose(x, np.zeros(2)) else x + 1,
    lambda x: wg.where(wg.isclose(x, 0.0), 1.0, x),
], ids=["Tensor.allclose", "wg.allclose", "wg.isclose"])
def test_pytorch_closeness_of_a_traced_value_is_refused(f):
    # their answer was read off the traced value's data: a constant bool or mask, so the
    # program compiled at x ≠ 0 gave x + 1 at x = 0 (eager 2x); now refused, as np.allclose
    usual, zero = (np.array([1.0, 2.0]),), (np.array([0.0, 0.0]),)
    for g in (f, wg.grad(lambda x: wg.sum(f(x)))):
        with pytest.raises(TraceError, match=r"wg.compile cannot trace .*(allclose|isclose)"):
            compiled_agrees(g, usual, zero)
    # of a constant (not computed from the inputs) they are answered, as before
    w = wg.tensor([1.0, 2.0])
    compiled_agrees(lambda x: x * 2 if w.allclose(np.array([1.0, 2.0])) and wg.allclose(w, w)
           else x + 1, usual, zero)


X34 = np.array([[0.5, -1.2, 2.0, 0.3], [1.1, 0.4, -0.7, 0.9], [-0.2, 1.5, 0.8, -2.4]])


def test_gather_and_scatter_add_at_a_traced_index():
    # the index tuple was built from the index tensor's data: a constant of the first call;
    # beside a mask whose count moves (the jittered soundness trace then takes another
    # branch) nothing caught it, and a row's NaN or another argmax kept the traced picks
    def picked(x):
        t = wg.tensor(x) if not isinstance(x, wg.Tensor) else x
        i = t.argmax(dim=1, keepdim=True)
        return t.gather(1, i).sum() + t[t > 0].sum() + wg.scatter_add(t, 1, i, t * 2).sum()

    nan_row = X34.copy()
    nan_row[1, 2] = np.nan
    moved = X34[:, ::-1].copy()         # (the same mask count, other maxima)
    compiled_agrees(picked, (X34,), (nan_row,), (moved,))
    compiled_agrees(wg.grad(picked), (X34,), (nan_row,), (moved,))
    compiled_agrees(lambda x: wg.gather(wg.tensor(x) if not isinstance(x, wg.Tensor) else x, 0,
                               wg.argmin(x, axis=0, keepdims=True) - 3), (X34,), (moved,))


def test_embedding_at_a_traced_index():
    # embedding read its indices (and their range check, and the padding mask) off the
    # data: the rows of the first call came back for other indices, and an index out of
    # range gave rows instead of eager's IndexError
    F = wg.nn.functional

    def rows(x, pad=None):
        t = wg.tensor(x) if not isinstance(x, wg.Tensor) else x
        return F.embedding(t.argmax(dim=1), t, padding_idx=pad)

    first_col = X34.copy()
    first_col[:, 0] = 10.0
    for pad in (None, 0):
        compiled_agrees(lambda x: rows(x, pad), (X34,), (first_col,), (X34[::-1].copy(),))
        compiled_agrees(wg.grad(lambda x: wg.sum(rows(x, pad) * X34[:, ::-1])), (X34,), (first_col,))
    out_of_range = np.array([[0.0, 0.0, 0.0, 9.0]] * 3)      # argmax 3: the table has 3 rows
    compiled_agrees(rows, (X34,), (out_of_range,))


def _t(x):
    return x if isinstance(x, wg.Tensor) else wg.tensor(x)


# ops that took an order or a position from a traced value's data (a constant of the
# program): the soundness check (a second trace at perturbed inputs) caught them only where
# the negated perturbation took the same branches; beside a guard it flips (the sign of a
# sum), only the affine move, which keeps every order, was compared, and they passed
READS_AN_ORDER = [
    ("one_hot", lambda x: wg.nn.functional.one_hot(_t(x).argmax(dim=1), 4) * _t(x)),
    ("narrow", lambda x: wg.narrow(_t(x), 1, _t(x)[0].argmax(), 1)),
    ("index_select", lambda x: wg.index_select(_t(x), 1, _t(x)[0].argmax().reshape(1))),
    ("scatter", lambda x: wg.scatter(_t(x), 1, _t(x).argmax(dim=1, keepdim=True),
                                     _t(x)[:, 1:2] * 2)),
    ("scatter-value", lambda x: wg.scatter(_t(x), 1, _t(x).argmax(dim=1, keepdim=True),
                                           value=0.0)),
    ("choose", lambda x: np.choose(_t(x).argmax(dim=0), [x[0], x[1], x[2]])),
    ("nanargmax", lambda x: np.take_along_axis(x, np.nanargmax(x, axis=1)[:, None], axis=1)),
    ("repeat", lambda x: np.repeat(x, _t(x)[0].argsort(), axis=1)),
]


@pytest.mark.parametrize("f", [f for _, f in READS_AN_ORDER],
                         ids=[n for n, _ in READS_AN_ORDER])
def test_an_order_read_off_the_data_beside_a_sign_guard_is_never_baked(f):
    def g(x):
        return wg.sum(f(x)) + (1.0 if _t(x).sum() > 0 else 0.0)

    for h in (g, wg.grad(g)):
        # each call refuses (TraceError) or agrees with the uncompiled call
        _refused_or_agrees(h, (X34,), (X34[:, ::-1].copy(),), (X34[::-1].copy(),))


def test_a_check_that_only_the_affine_move_passes_waits_for_a_later_call():
    # a guard on where the largest entry is: the negated and the permuted perturbations
    # take the other branch; the affine one keeps every mask, so the check runs again on
    # the next call with other inputs, which shows the mask read off the data
    def g(x):
        t = _t(x)
        above = t.data > t.data.mean()      # (a mask read off the data: not an op)
        return wg.sum(wg.where(above, 2 * t, t)) + (1.0 if t[0, 2] >= t.max() else 0.0)

    c = wg.compile(g)
    np.testing.assert_allclose(c(X34), g(X34))
    other = X34.copy()
    other[1:, 3] = 1.9                  # (the same guard, other entries above the mean)
    with pytest.raises(TraceError, match="wg.compile cannot trace"):
        c(other)


def test_pytorch_masked_fill_at_a_traced_mask():
    # the mask went to where() as its data: a constant of the first call (caught only where
    # the negated perturbation took the same branches)
    def f(x):
        return wg.sum(_t(x).masked_fill(_t(x) < 0.6, -1.0) * X34) + \
            (1.0 if _t(x).sum() > 0 else 0.0)

    compiled_agrees(f, (X34,), (X34[:, ::-1].copy(),), (X34 - 0.3,))
    compiled_agrees(wg.grad(f), (X34,), (X34[:, ::-1].copy(),), (X34 - 0.3,))


@pytest.mark.parametrize("f", [
    lambda x: wg.sum(wg.nn.functional.one_hot(_t(x).argmax(dim=1), 4) * _t(x)),
    lambda x: wg.sum(wg.scatter(_t(x), 1, _t(x).argmax(dim=1, keepdim=True), value=0.0)),
    lambda x: wg.sum(wg.index_add(_t(x), 1, _t(x)[0].argsort()[:2], _t(x)[:, :2])),
    lambda x: wg.sum(np.choose(_t(x).argmax(dim=0), [x[0], x[1], x[2]])),
    lambda x: wg.sum(np.repeat(x, _t(x)[0].argsort(), axis=1)),
], ids=["one_hot", "scatter", "index_add", "choose", "repeat"])
def test_positions_read_off_a_traced_value_are_refused_by_name(f):
    # these read their positions off the data (a constant of the program): refused at the
    # first call now, as np.nonzero is, instead of being left to the soundness check
    with pytest.raises(TraceError, match=r"wg.compile cannot trace (wg|F)\.\w+ of a value"):
        wg.compile(f)(X34)
    assert np.isfinite(np.asarray(f(X34))).all()      # (eager answers, as before)


def test_nanargmax_of_a_traced_value_compiles():
    # its NaN mask and argmax are steps: the positions are found on every call
    def f(x):
        return wg.sum(np.take_along_axis(x, np.nanargmax(x, axis=1)[:, None], axis=1))

    compiled_agrees(f, (X34,), (X34[:, ::-1].copy(),), (X34 * -1,))
    compiled_agrees(wg.grad(f), (X34,), (X34[:, ::-1].copy(),))


def test_index_select_and_narrow_at_a_traced_index_compile():
    # a traced index now reaches take (a step) and narrow's start int() (a guard)
    def f(x):
        t = _t(x)
        i = t[0].argmax()
        return wg.sum(wg.index_select(t, 1, i.reshape(1)) * 2 + wg.narrow(t, 1, i, 1))

    other = X34[:, ::-1].copy()
    compiled_agrees(f, (X34,), (other,), (X34 * 3,))
    compiled_agrees(wg.grad(f), (X34,), (other,))


@pytest.mark.parametrize("f", [
    lambda x: np.median(x, axis=1),
    lambda x: np.nanmedian(x, axis=1),
    lambda x: np.quantile(x, [0.25, 0.75], axis=1, method="lower"),
    lambda x: np.percentile(x, 60.0, axis=1, method="higher"),
    lambda x: np.nanquantile(x, 0.5, axis=1, method="nearest"),
], ids=["median", "nanmedian", "lower", "higher", "nearest"])
def test_picked_quantiles_beside_an_infinity_are_numpys(f):
    # the discrete methods and the median interpolated s_lo + 0·(s_hi − s_lo): NaN beside an
    # infinite neighbour where NumPy takes the value (median([-0.2, 1.1, inf]) = 1.1)
    x = np.array([[-0.2, 1.1, np.inf, 0.4], [3.0, -np.inf, 0.5, 0.5], [1.0, 2.0, np.inf, np.inf],
                  [0.3, np.nan, 2.0, np.inf]])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = f(x)                                     # (NumPy's, on the array)
        got = np.asarray(f(wg.tensor(x)))
        np.testing.assert_allclose(got, want, equal_nan=True)
    finite = np.array([[-0.2, 1.1, 0.7, 0.4], [3.0, -1.0, 0.5, 0.5], [1.0, 2.0, 4.0, 3.0],
                       [0.3, 0.1, 2.0, 5.0]])
    compiled_agrees(lambda x: f(_t(x)), (finite,), (x,))


def test_piecewise_conditions_from_a_traced_value_are_refused_by_name():
    f = lambda x: np.piecewise(x, [x > 0.5], [lambda t: 2 * t, lambda t: t])   # noqa: E731
    with pytest.raises(TraceError, match=r"wg.compile cannot trace np\.piecewise"):
        wg.compile(f)(X34)
    mask = X34 > 0.5                        # (conditions that are constants compile)
    c = wg.compile(lambda x: np.piecewise(x, [mask], [lambda t: 2 * t, lambda t: t]))
    np.testing.assert_allclose(np.asarray(c(X34 + 1)), np.where(mask, 2 * (X34 + 1), X34 + 1))
