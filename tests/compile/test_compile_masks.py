"""wg.compile of boolean masks computed from the inputs (`x[x > 0]`): the program computes
the mask on each call, indexes with it, and checks the shape of what it selected against
the traced one (a shape guard); another count of True traces again, kept per outcome.
Values and gradients (first and second order) against the uncompiled call."""
import re

import numpy as np
import pytest

import wengert as wg
from wengert.compile import TraceError
from wengert.compile.codegen import Miss
from wengert.tensor import _make
from wengert.tree import tree_flatten


def _same(got, want, tol=1e-12):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


def _tree_same(got, want, tol=1e-12):
    g, w = tree_flatten(got)[0], tree_flatten(want)[0]
    assert len(g) == len(w)
    for a, b in zip(g, w):
        _same(a, b, tol)


def _positive_squares(x):
    return (x[x > 0] ** 2).sum()


def _other_mask(x, y):
    return wg.sum(wg.sin(x[y > 0.5]) * y[y > 0.5])


def _rows(a):                   # (a 1-d mask over the rows of a 2-d array)
    return wg.sum(wg.tanh(a[a.sum(axis=1) > 0]) ** 2)


def _elements_2d(a):            # (a 2-d mask: the selection is flat)
    return wg.sum(wg.exp(a[a > 0.2]))


def _masked_mse(p, t):          # (mean over the selection: divides by the traced count)
    keep = t > 0
    return ((p[keep] - t[keep]) ** 2).mean()


def _mixed(a):                  # (a mask beside a slice)
    return wg.sum(a[a[:, 0] > 0, 1:] * 3.0)


CASES = [
    (_positive_squares, lambda r: (r.standard_normal(7),)),
    (_other_mask, lambda r: (r.standard_normal(6), r.uniform(0, 1, 6))),
    (_rows, lambda r: (r.standard_normal((5, 3)),)),
    (_elements_2d, lambda r: (r.standard_normal((3, 4)),)),
    (_masked_mse, lambda r: (r.standard_normal(8), r.standard_normal(8))),
    (_mixed, lambda r: (r.standard_normal((5, 3)),)),
]
IDS = ["x[x>0]", "x[y>0.5]", "rows", "2-d", "masked-mse", "mask-and-slice"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f, make", CASES, ids=IDS)
def test_value_and_gradient_follow_every_input(f, make, dtype):
    """Many inputs, with counts that repeat and change: every result equals the uncompiled
    one in shape, dtype and value; each count is traced once."""
    tol = 1e-12 if dtype == np.float64 else 1e-5
    vg = wg.value_and_grad(f, argnums=tuple(range(len(make(np.random.default_rng(0))))))
    cf, cvg = wg.compile(f), wg.compile(vg)
    rng = np.random.default_rng(1)
    for _ in range(8):
        xs = tuple(x.astype(dtype) for x in make(rng))
        _same(cf(*xs), f(*xs), tol)
        _tree_same(cvg(*xs), vg(*xs), tol)
    counts = {len(progs) for progs in cvg.cache.values()}
    assert cvg.traces == sum(len(p) for p in cvg.cache.values()) and max(counts) >= 2


def test_same_count_reuses_the_program_another_count_traces_again():
    g = wg.grad(_positive_squares)
    c = wg.compile(g)
    a = np.array([1.0, -2.0, 3.0])
    _same(c(a), g(a))
    _same(c(np.array([-1.0, 2.0, 5.0])), g(np.array([-1.0, 2.0, 5.0])))   # two positive again
    assert c.traces == 1
    b = np.array([1.0, 2.0, 3.0])
    _same(c(b), g(b))
    assert c.traces == 2
    (progs,) = c.cache.values()
    assert len(progs) == 2                          # (one program per count)
    for x in (a, b, -b, np.array([0.5, -0.5, 0.0])):
        _same(c(x), g(x))
    assert c.traces == 4                            # (none, one positive: two more outcomes)
    assert len(progs) == 4


def test_the_result_never_has_the_traced_shape_where_the_count_changed():
    f = lambda x: x[x > 0] * 2.0            # noqa: E731
    c = wg.compile(f)
    rng = np.random.default_rng(5)
    for _ in range(10):
        x = rng.standard_normal(6)
        got = np.asarray(c(x))
        assert got.shape == ((x > 0).sum(),)
        _same(got, f(x))


def test_the_count_read_as_a_python_int_is_guarded():
    # (x[m].shape[0] is a number of the program, right only where the count is the traced one)
    f = lambda x: x[x > 0].sum() / x[x > 0].shape[0] + x.sum()      # noqa: E731
    g = wg.grad(f)
    c, cg = wg.compile(f), wg.compile(g)
    for x in (np.array([1.0, -2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 4.0]),
              np.array([1.0, -2.0, -3.0, 4.0])):
        _same(c(x), f(x))
        _same(cg(x), g(x))


def test_an_empty_selection_and_a_0d_mask():
    f = lambda x: wg.sum(x[x > 10.0] ** 2) + wg.sum(x)           # noqa: E731
    g = wg.compile(wg.grad(f))
    for x in (np.arange(4.0), np.arange(4.0) * 5):
        _same(g(x), wg.grad(f)(x))
    h = lambda x, s: wg.sum(x[s > 0] * s)                          # noqa: E731
    ch = wg.compile(wg.grad(h, argnums=(0, 1)))
    for s in (np.float64(1.5), np.float64(-1.0), np.float64(2.0)):
        _tree_same(ch(np.arange(3.0), s), wg.grad(h, argnums=(0, 1))(np.arange(3.0), s))
    assert ch.traces == 2


@pytest.mark.parametrize("f", [_positive_squares, _elements_2d, _rows],
                         ids=["x[x>0]", "2-d", "rows"])
def test_hessian_and_hvp_through_a_mask(f):
    rng = np.random.default_rng(2)
    shape = (6,) if f is _positive_squares else (4, 3)
    h = wg.hessian(f)
    hv = lambda x, v: wg.hvp(f, x, v)       # noqa: E731
    ch, chv = wg.compile(h), wg.compile(hv)
    for _ in range(5):
        x, v = rng.standard_normal(shape), rng.standard_normal(shape)
        _same(ch(x), h(x), 1e-10)
        _same(chv(x, v), hv(x, v), 1e-10)
        _same(chv(x.astype(np.float32), v.astype(np.float32)),
              hv(x.astype(np.float32), v.astype(np.float32)), 1e-4)


def test_eager_gradient_through_a_mask_matches_finite_differences():
    # (the rule the compiled program prints: checked against central differences)
    f = lambda x: _masked_mse(x, np.array([1.0, -1.0, 2.0, 0.5, -3.0])) + _rows(  # noqa: E731
        x.reshape(5, 1) * np.ones((5, 2)))
    x = np.array([0.3, -0.7, 1.1, 0.2, -0.4])
    eps = 1e-6
    fd = [(float(f(x + eps * e)) - float(f(x - eps * e))) / (2 * eps) for e in np.eye(5)]
    np.testing.assert_allclose(np.asarray(wg.grad(f)(x)), fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(np.asarray(wg.compile(wg.grad(f))(x)), fd, rtol=1e-6,
                               atol=1e-8)


def test_source_shows_the_guard_and_runs_as_it_stands():
    c = wg.compile(wg.value_and_grad(_positive_squares))
    x = np.array([1.0, -2.0, 3.0])
    src = c.source(x)
    body = src.split("def compiled")[1]
    m, v = re.search(r"(v\d+) = np.greater\(x0, 0\)\n +(v\d+) = x0\[\1\]\n", body).groups()
    assert f"if {v}.shape != (2,): raise Miss('{v}')" in body
    assert re.search(rf"f_scatter_add\(g\d+, index=\({m},\), x_shape=\(3,\)\)", body)
    ns: dict = {}
    exec(src, ns)
    for a in (x, np.array([-4.0, 5.0, 0.5])):
        got = ns["compiled"](a)
        want = wg.value_and_grad(_positive_squares)(a)
        _same(got[0], np.asarray(want[0]))
        _same(got[1], want[1])
    with pytest.raises(Miss, match=v):
        ns["compiled"](np.array([1.0, 2.0, 3.0]))


def test_a_value_baked_beside_a_mask_is_still_refused():
    # (the soundness check compares two traces with the same count; where the perturbed
    # inputs select another count, it waits for a later call that selects the same)
    def sneaky(x):
        x = wg.asarray(x)
        return x[x > 0].sum() * _make(x.data * 2, None).sum()
    c = wg.compile(sneaky)
    with pytest.raises(TraceError, match="depends on values through"):
        for x in (np.array([0.1, -0.1, 0.2, -0.2]), np.array([3.0, -1.0, 2.0, -5.0]),
                  np.array([1.0, 2.0, -3.0, -4.0])):
            c(x)


def test_a_mask_read_as_an_array_by_the_function_is_refused():
    with pytest.raises(TraceError, match=r"np.asarray\(t\)"):
        wg.compile(lambda x: x * np.asarray(x > 0))(np.arange(3.0))
    with pytest.raises(TraceError, match=r"t.numpy\(\)"):
        wg.compile(lambda x: wg.asarray(x)[(wg.asarray(x) > 0).numpy()])(np.arange(3.0))


def test_a_float_index_gives_the_uncompiled_error():
    f = lambda x: x[x * 0.0]            # noqa: E731
    with pytest.raises(IndexError) as want:
        f(np.arange(3.0))
    with pytest.raises(IndexError) as got:
        wg.compile(f)(np.arange(3.0))
    assert str(got.value) == str(want.value)


def test_a_write_at_a_traced_mask_is_refused_clearly():
    with pytest.raises(TraceError, match=r"wg.setitem.*wg.where"):
        wg.compile(lambda x: wg.setitem(x, x > 0, 0.0) * x)(np.arange(-1.0, 2.0))
    with pytest.raises(TraceError, match=r"wg.setitem.*wg.where"):
        wg.compile(lambda x: wg.setitem(x * 2, wg.argmax(x), 0.0))(np.arange(-1.0, 2.0))
    f = lambda x: wg.where(x > 0, 0.0, x) * x       # (the way the message points to)
    _same(wg.compile(wg.grad(lambda x: wg.sum(f(x))))(np.arange(-1.0, 2.0)),
          wg.grad(lambda x: wg.sum(f(x)))(np.arange(-1.0, 2.0)))


# ---- other selections taken from the values ------------------------------------------------

@pytest.mark.parametrize("f, name", [
    (lambda x: x[np.nonzero(x > 0)], "np.nonzero"),
    (lambda x: x[wg.nonzero(x > 0)], "wg.nonzero"),
    (lambda x: x[(wg.asarray(x) > 0).nonzero(as_tuple=False)[:, 0]], "wg.nonzero"),
    (lambda x: x[np.argwhere(x > 0)[:, 0]], "np.argwhere"),
    (lambda x: x[np.flatnonzero(x > 0)], "np.flatnonzero"),
    (lambda x: x.sum() / np.count_nonzero(x > 0), "np.count_nonzero"),
    (lambda x: wg.unique(wg.round(x)), "wg.unique"),
    (lambda x: wg.unique_values(wg.round(x)), "wg.unique_values"),
    (lambda x: wg.trim_zeros(wg.maximum(x, 0.0)), "wg.trim_zeros"),
    (lambda x: x * np.searchsorted(np.array([-1.0, 0.0, 1.0]), x), "np.searchsorted"),
    (lambda x: x * 2.0 if np.allclose(x, 0.0) else x, "np.allclose"),
    (lambda x: wg.where(np.isposinf(x), 0.0, x), "np.isposinf"),
], ids=["np.nonzero", "wg.nonzero", "t.nonzero", "argwhere", "flatnonzero", "count_nonzero",
        "unique", "unique_values", "trim_zeros", "searchsorted", "allclose", "isposinf"])
def test_an_answer_read_from_traced_values_is_refused_by_name(f, name):
    x = np.array([0.5, -1.0, 2.0, 0.0, 3.0])
    f(wg.asarray(x))                            # (fine uncompiled)
    with pytest.raises(TraceError, match=rf"cannot trace {re.escape(name)} of a value "
                                         rf"computed from the inputs.*boolean mask"):
        wg.compile(f)(x)
    with pytest.raises(TraceError, match=re.escape(name)):
        wg.compile(wg.grad(lambda x: wg.sum(f(x))))(x)


def _select(x):
    return wg.select([x < -0.5, x > 0.5], [x ** 2, x * 3.0], 0.1) * x


@pytest.mark.parametrize("f", [
    lambda x: wg.compress(x[:, 0] > 0, x, axis=0) ** 2,
    lambda x: wg.compress(wg.round(x[0]), x, axis=1) * 3.0,
    lambda x: wg.extract(x > 0.3, x) ** 2,
    lambda x: wg.masked_select(x, x[0] > 0) ** 2,
    _select,
    lambda x: wg.sort(x.ravel()) * np.arange(12.0),
    lambda x: wg.median(x, axis=0),
    lambda x: wg.quantile(x, 0.3),
    lambda x: wg.partition(x.ravel(), 4)[:5] ** 2,
    lambda x: wg.take(x, wg.argmax(x) + 20, mode="wrap") * 2.0,
    lambda x: wg.take(x, wg.argmax(x, axis=1) + 2, axis=1, mode="clip") * 2.0,
    lambda x: wg.take_along_axis(x, wg.argsort(x, axis=0), axis=0) * np.arange(4.0),
], ids=["compress", "compress-nonzero", "extract", "masked_select", "select", "sort",
        "median", "quantile", "partition", "take-wrap", "take-clip", "take_along_axis"])
def test_selections_from_the_values_follow_every_input(f):
    g = wg.grad(lambda x: wg.sum(wg.sin(f(x))))
    cf, cg = wg.compile(f), wg.compile(g)
    rng = np.random.default_rng(7)
    for _ in range(6):
        x = rng.standard_normal((3, 4))
        _same(cf(x), f(x))
        _same(cg(x), g(x))


@pytest.mark.parametrize("f, numpy", [
    (lambda x: wg.compress(x[:, 0] > 0, x, axis=0), lambda x: np.compress(x[:, 0] > 0, x, 0)),
    (lambda x: wg.compress(wg.round(x[:, 1]), x, axis=0),
     lambda x: np.compress(np.round(x[:, 1]), x, axis=0)),
    (lambda x: wg.extract(x > 0.25, x), lambda x: np.extract(x > 0.25, x)),
    (lambda x: wg.masked_select(x, x[0] > 0),
     lambda x: x[np.broadcast_to(x[0] > 0, x.shape)]),
], ids=["compress", "compress-nonzero", "extract", "masked_select"])
def test_a_tensor_condition_selects_as_numpy_and_differentiates(f, numpy):
    # (a Tensor condition is a mask now: NumPy's values, and central differences)
    x = np.array([[0.3, -1.2, 0.8, 1.9], [-0.4, 0.6, -1.5, 0.2], [1.1, 0.9, -0.7, -0.1]])
    want = numpy(x)
    got = np.asarray(f(wg.asarray(x)))
    assert got.shape == want.shape and np.array_equal(got, want)
    w = np.random.default_rng(0).uniform(0.5, 1.5, got.shape)
    loss = lambda x: wg.sum(f(wg.asarray(x)) ** 2 * w)      # noqa: E731
    eps = 1e-6
    fd = np.array([(float(loss(x + eps * e)) - float(loss(x - eps * e))) / (2 * eps)
                   for e in np.eye(12).reshape(12, 3, 4)]).reshape(3, 4)
    np.testing.assert_allclose(np.asarray(wg.grad(loss)(x)), fd, rtol=1e-6, atol=1e-8)
