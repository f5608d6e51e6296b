"""wg.compile's simplifications and buffer planning: the program writes into dead arrays of
its own (`out=`), never into an input, a result or an array another value still reads;
results are never shared with arguments, with each other, or between calls; the algebraic
rewrites and the operator spelling keep eager's numbers."""
import numpy as np
import pytest

import wengert as wg
import wengert.nn.functional as F
from wengert.compile import TraceError
from wengert.compile.plan import MIN_BYTES

N = 4 * MIN_BYTES // 8          # float64 arrays big enough to be planned
RNG = np.random.default_rng(0)
X = RNG.uniform(-1.0, 1.0, N)
X2 = RNG.uniform(-1.0, 1.0, N)


def _same(got, want):
    for g, w in zip(got, want):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


def chain(x):
    a = wg.sin(x)               # a result, and read again after b is made
    b = a * 2.0
    c = wg.tanh(b) + a          # tanh(b) dies here: a candidate for out=
    d = wg.exp(c) * c - 1.0
    e = d.T                     # a view of d: d must never be written after this
    f = wg.exp(d) * 3.0
    return a, c, e, f


def test_planned_program_writes_into_its_own_dead_arrays_only():
    c = wg.compile(chain)
    src = c.source(X)
    assert "out=" in src
    _same(c(X), chain(X))
    _same(c(X2), chain(X2))


def test_inputs_are_never_written():
    x = X.copy()
    c = wg.compile(lambda x: wg.exp(x * 2.0) * x + 1.0)
    c(x)
    c(x)
    np.testing.assert_array_equal(x, X)
    g = wg.compile(wg.grad(lambda x: wg.sum(wg.tanh(x) ** 2)))
    g(x)
    np.testing.assert_array_equal(x, X)


def test_results_are_not_reused_across_calls():
    c = wg.compile(chain)
    r1 = c(X)
    keep = [np.array(r, copy=True) for r in r1]
    r2 = c(X2)
    for a, b in zip(r1, keep):
        np.testing.assert_array_equal(a, b)
    for a in r1:
        for b in r2:
            assert not np.shares_memory(np.asarray(a), np.asarray(b))


def test_results_never_share_memory_with_arguments_constants_or_each_other():
    ones = np.ones(N)

    def f(x):
        y = x * 1.0                 # rewritten to x itself
        return x, y, y, ones * 2.0, x[:3] * 0.0 + 1.0
    c = wg.compile(f)
    for _ in range(2):
        out = c(X)
        arrays = [np.asarray(o) for o in out]
        assert not any(np.shares_memory(a, X) for a in arrays)
        for i in range(len(arrays)):
            for j in range(i):
                assert not np.shares_memory(arrays[i], arrays[j])
        _same(out, f(X))
        for a in arrays:
            a[...] = 7.0            # the caller owns them: the next call is unaffected


def test_gradient_of_a_transposed_weight_is_row_major_and_equal_to_eager():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 30))
    p = {"W": rng.standard_normal((20, 30)), "b": rng.standard_normal(20)}
    y = rng.integers(0, 20, 64)

    def loss(p, x, y):
        return F.cross_entropy(wg.tanh(x @ p["W"].T + p["b"]), y)
    c = wg.compile(wg.value_and_grad(loss))
    got = c(p, x, y)
    want = wg.value_and_grad(loss)(p, x, y)
    assert got[1]["W"].flags.c_contiguous
    np.testing.assert_allclose(got[0], want[0], rtol=1e-13)
    for k in p:
        np.testing.assert_allclose(got[1][k], want[1][k], rtol=1e-12, atol=1e-14)


def test_steps_that_do_nothing_are_gone():
    def rosen(x):
        a, b = x[:-1], x[1:]
        return wg.sum(100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2)
    g = wg.compile(wg.grad(rosen))
    src = g.source(X)
    assert "np.power(" not in src and "** 1" not in src
    np.testing.assert_allclose(g(X), wg.grad(rosen)(X), rtol=1e-14, atol=1e-14)


def test_zero_d_programs_use_operators_and_match_eager_bit_for_bit():
    def f(x, w, b):
        h = x
        for _ in range(5):
            h = wg.tanh(wg.sin(h * w + b)) / (w - 3.0)
        return -h
    args = tuple(np.asarray(v) for v in (0.3, 0.7, 0.05))
    c = wg.compile(wg.value_and_grad(f, argnums=(0, 1, 2)))
    src = c.source(*args)
    assert " * " in src and " + " in src and "np.multiply(" not in src
    got, want = c(*args), wg.value_and_grad(f, argnums=(0, 1, 2))(*args)
    assert type(got[0]) is type(want[0]) and np.asarray(got[0]).shape == ()
    np.testing.assert_array_equal(got[0], want[0])
    for a, b in zip(got[1], want[1]):
        assert np.asarray(a).dtype == np.asarray(b).dtype and np.asarray(a).shape == ()
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.longdouble])
def test_big_constants_are_printed_on_one_line_and_the_source_runs_alone(dtype):
    big = np.linspace(0.0, 1.0, 1000).astype(dtype) / 3
    labels = np.arange(200) % 7
    c = wg.compile(lambda x, y: (x * big + wg.sum(x), wg.sum(wg.take(x, labels) * y)))
    x = np.linspace(-1.0, 1.0, 1000).astype(dtype)
    y = np.full(200, 0.5, dtype)
    src = c.source(x, y)
    assert "_consts" not in src and not src.constants
    line = [ln for ln in src.splitlines() if "bytes.fromhex" in ln and ln.endswith(".reshape((1000,))")]
    assert len(line) == 1 and line[0].startswith("c")
    i = src.splitlines().index(line[0])
    assert src.splitlines()[i - 1].startswith(f"# {line[0].split(' ')[0]}: "
                                              f"{np.dtype(dtype).name} (1000,), read by ")
    ns = {"np": np}                             # (the source imports what it needs)
    exec(src, ns)
    got, want = ns["compiled"](x, y), c(x, y)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)     # (the constants bit for bit)
    np.testing.assert_array_equal(want[0], x * big + x.sum())


def test_small_constants_are_printed_by_value():
    k = np.array([3, 0, 2])
    c = wg.compile(lambda x: wg.sum(wg.take(x, k)) * np.float32(2.5))
    src = c.source(X)
    assert "np.array([3, 0, 2], dtype=np.int64)" in src and "fromhex" not in src
    ns = {}
    exec(src, ns)
    np.testing.assert_array_equal(ns["compiled"](X)[0], c(X))


def test_a_mask_taken_from_the_values_never_replays_a_wrong_shape():
    """np.extract / x[x > 0]: the result's shape depends on the values. The first call
    refuses, or every later call gives the uncompiled result (never the first call's
    mask)."""
    first = np.array([1.0, -2.0, 3.0])
    later = [np.array([0.0, 0.0, 1.0]), np.array([-1.0, -2.0, -3.0]), np.array([5.0, 2.0, 3.0])]
    for f in (lambda x: wg.extract(x > 0, x) * 2.0, lambda x: x[x > 0] * 2.0):
        c = wg.compile(f)
        try:
            c(first)
        except TraceError as e:
            assert "wg.compile cannot trace" in str(e)
            continue
        for x in later:
            got, want = np.asarray(c(x)), np.asarray(f(x))
            assert got.shape == want.shape
            np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_a_sign_mask_of_a_few_values_is_caught(n):
    # (the affine move of the first check keeps every sign; the negated, jittered one flips)
    x = np.linspace(-1.0, 2.0, n)
    c = wg.compile(lambda x: wg.extract(x > 0.5, x) + 0.0)
    try:
        c(x)
    except TraceError:
        return
    y = -x
    np.testing.assert_array_equal(np.asarray(c(y)), np.asarray(wg.extract(y > 0.5, y) + 0.0))


def test_zero_d_values_as_floats_keep_numpy_semantics():
    """Division by zero gives inf/nan (not ZeroDivisionError), a guarded value branches, a
    value that reaches a non-elementwise op and the results are NumPy values."""
    def f(x, y):
        a = wg.sin(x) * y
        q = a / (y - y)                         # a zero divisor: inf or nan, as NumPy
        s = wg.stack([a, x * 2.0])              # a 0-d value into another op
        r = wg.exp(a) if a > 0 else wg.cos(a)   # a guard
        return q, s, r, a * 1.0
    c = wg.compile(f)
    with np.errstate(all="ignore"):
        for x, y in ((0.5, 2.0), (0.5, -2.0), (0.0, 1.0), (0.25, 3.0)):
            args = (np.asarray(x), np.asarray(y))
            got, want = c(*args), f(*args)
            for g, w in zip(got, want):
                g, w = np.asarray(g), np.asarray(w)
                assert g.dtype == w.dtype and g.shape == w.shape
                np.testing.assert_array_equal(g, w)
    assert c.traces == 2                        # the two outcomes of the guard


def test_a_zero_d_input_handed_back_is_a_copy():
    x = np.asarray(2.0)
    f = lambda x: (x * 1.0, x ** 1, x)          # noqa: E731  (the first two rewritten to x)
    c = wg.compile(f)
    for _ in range(2):
        got = c(x)
        assert not any(np.shares_memory(np.asarray(g), x) for g in got)
        for g, w in zip(got, f(x)):
            assert type(g) is type(w)
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("f, args", [
    (lambda a: a * np.float32(0.1), (np.float64(0.3),)),
    (lambda a: wg.sin(a) * np.asarray(0.1, np.float32), (np.float64(0.3),)),
    (lambda a, b: a * b + a, (np.float32(0.3), np.float64(0.7))),
    (lambda a, b: (a - 1.0) * b, (np.float64(0.3), np.asarray(0.7, np.float32))),
    (lambda a, b: wg.sin(b) * a, (np.linspace(0.0, 1.0, N, dtype=np.float32), np.float64(0.3))),
], ids=["f32-const", "f32-0d-const", "f32-input", "f32-0d-input", "f32-array"])
def test_a_zero_d_float64_beside_a_float32_keeps_float64_rounding(f, args):
    """A 0-d float64 value held as a Python float is "weak" to NumPy: beside a float32 it
    would compute in float32; the program hands it over as np.float64 there."""
    c = wg.compile(f)
    moved = tuple(x * x.dtype.type(1.5) for x in args)     # (same kinds and dtypes)
    for a in (args, moved):
        got, want = c(*a), f(*a)
        assert type(got) is type(want) and np.asarray(got).dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_numpy_bool_results_stay_numpy_bools():
    c = wg.compile(lambda a: (a > 0, (a < 0) | False))
    got = c(np.float64(1.0)), c(np.float64(-1.0))
    for g, x in zip(got, (1.0, -1.0)):
        assert type(g[0]) is np.bool_ and bool(g[0]) is (x > 0)
    assert type(wg.compile(lambda a: a & True)(np.bool_(True))) is np.bool_


_V = wg.sin
_ALIASING = [
    lambda a: (lambda v: (v * 1.0, v[0:2]))(_V(a)),
    lambda a: (lambda v: (v ** 1, v.reshape(2, 3)))(_V(a)),
    lambda a: (lambda v: (v.T.T, v[0]))(_V(a).reshape(2, 3)),
    lambda a: (lambda v: (+v, v[1:]))(_V(a)),
]


@pytest.mark.parametrize("f", _ALIASING, ids=["x*1", "x**1", "TT", "positive"])
def test_a_rewritten_result_never_shares_memory_with_a_view_result(f):
    """Rewriting v * 1 to v makes a result that eager made fresh the base of another
    result's view: it is handed back as a copy."""
    x = np.linspace(-1.0, 2.0, 6)
    got, want = wg.compile(f)(x), f(x)
    got[0].data[...] = 100.0            # (a Tensor: its memory, written as a user may)
    np.testing.assert_array_equal(got[1].data, want[1].data)


@pytest.mark.parametrize("f", [
    lambda a: (a * 1.0)[0:2], lambda a: (+a)[1:], lambda a: (a ** 1).reshape(2, 3),
    lambda a: a.reshape(3, 2).T.T[0],
], ids=["x*1", "positive", "x**1", "TT"])
def test_a_result_viewing_an_input_is_a_copy(f):
    x = np.linspace(-1.0, 2.0, 6)
    keep = x.copy()
    got = wg.compile(f)(x)
    assert not np.shares_memory(np.asarray(got), x)
    np.asarray(got)[...] = 7.0
    np.testing.assert_array_equal(x, keep)
