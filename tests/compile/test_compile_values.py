"""wg.compile on functions whose result depends on an order, a mask or a reduction of the
values: later calls with new inputs of the same signature give the uncompiled numbers, or the
first call is a TraceError (never a program that keeps a value from the traced inputs)."""
import numpy as np
import pytest

import wengert as wg
from wengert.compile import TraceError


def _five(f, shape=(6,)):
    c = wg.compile(f)
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = rng.standard_normal(shape)
        np.testing.assert_allclose(np.asarray(c(x)), np.asarray(f(x)), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("f", [
    lambda x: x * np.all(x > -1),
    lambda x: x * np.any(x > 1, axis=0, keepdims=True),
    lambda x: (np.arange(6) == np.argmin(x)) * x,
    lambda x: x * (np.argmax(x) + 1),
    wg.grad(lambda x: np.max(x)),
    wg.grad(lambda x: np.sum(np.min(x.reshape(2, 3), axis=1) ** 2)),
    wg.grad(lambda x: np.ptp(x)),
], ids=["all", "any-axis", "argmin-onehot", "argmax-scale", "grad-max", "grad-min-axis",
        "grad-ptp"])
def test_value_dependent_results_follow_the_inputs(f):
    _five(f)


@pytest.mark.parametrize("f", [
    lambda x: np.sum(x[x > 0]),
    lambda x: np.sort(x) * np.arange(6),
    lambda x: np.median(x),
    lambda x: np.quantile(x, 0.3),
    lambda x: x[np.argsort(x)] * np.arange(6),
    wg.grad(lambda x: np.sum(np.sort(x) * np.arange(6))),
], ids=["mask", "sort", "median", "quantile", "argsort-index", "grad-sort"])
def test_order_taken_from_the_values_is_refused_or_right(f):
    # (an affine move of the inputs keeps their order: these compiled to a program that kept
    # the first call's order, wrong on the next inputs)
    try:
        _five(f)
    except TraceError as e:
        assert "wg.compile cannot trace" in str(e)


def test_all_input_equal_first_call_still_checked():
    # (a first call on zeros: every order is a tie; the index is read at run time, so later
    # inputs pick their own element)
    f = lambda x: x[np.argmax(x)] * 2      # noqa: E731
    c = wg.compile(f)
    for x in (np.zeros(4), np.array([0.0, 3.0, 1.0, 2.0]), np.array([5.0, 3.0, 1.0, 2.0])):
        np.testing.assert_array_equal(np.asarray(c(x)), np.asarray(f(x)))
    assert c.traces == 1


def test_an_index_computed_from_a_traced_value_is_read_at_run_time():
    """x[np.argmax(x)]: the program indexes with the argmax it computes on each call (never
    the first call's), value and gradient."""
    _five(lambda x: x[np.argmax(x)] * 2.0)
    _five(wg.grad(lambda x: x[np.argmax(x)] ** 2))
    src = wg.compile(lambda x: x[np.argmax(x)] * 2.0).source(np.arange(6.0))
    assert "= x0[v1]" in src and "Miss" not in src.split("def compiled")[1]


def _window_leak(a):
    s = a.sum()
    if s > 0.5:
        if s < 1.0:             # (a window no perturbed input of the first call falls in)
            return a * wg.tensor(np.max(np.asarray(a.data)))
    return a


def _window_fine(a):
    s = a.sum()
    if s > 0.5:
        if s < 1.0:
            return a * wg.max(a)
    return a


def test_a_value_leak_behind_branches_the_perturbed_inputs_miss_is_caught_later():
    """Where the perturbed traces of the first call take other branches, the soundness check
    runs on the first later call with other inputs that take the same ones."""
    c = wg.compile(_window_leak)
    a, b = np.array([0.3, 0.45]), np.array([0.1, 0.7])
    np.testing.assert_array_equal(np.asarray(c(a)), np.asarray(_window_leak(wg.tensor(a))))
    np.testing.assert_array_equal(np.asarray(c(a)), np.asarray(_window_leak(wg.tensor(a))))
    with pytest.raises(TraceError, match="not a wengert op"):
        c(b)
    # the program was dropped: b gets one of its own (right for b), never a's
    np.testing.assert_array_equal(np.asarray(c(b)), np.asarray(_window_leak(wg.tensor(b))))
    with pytest.raises(TraceError, match="not a wengert op"):
        c(a)
    f = wg.compile(_window_fine)
    for x in (a, b, b * 1.1, a):
        np.testing.assert_array_equal(np.asarray(f(x)), np.asarray(_window_fine(wg.tensor(x))))
    assert f.traces == 1 and all(p.unchecked is None for p in f.cache[next(iter(f.cache))])
