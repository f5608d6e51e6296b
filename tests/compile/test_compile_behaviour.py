"""wg.compile: caching per signature, guards and retraces, the soundness check, errors,
and source() re-executed."""
import warnings

import numpy as np
import pytest

import wengert as wg
from wengert.compile import TraceError
from wengert.tensor import _make


def f(x, y):
    return wg.sum(wg.tanh(x) * y + x * x)


X = np.linspace(-1.0, 1.0, 4)
Y = np.arange(4.0)


def test_value_and_grad_and_cache():
    vg = wg.value_and_grad(f, argnums=(0, 1))
    c = wg.compile(vg)
    for _ in range(3):
        got, want = c(X, Y), vg(X, Y)
        np.testing.assert_allclose(got[0], want[0])
        for a, b in zip(got[1], want[1]):
            np.testing.assert_allclose(a, b)
    assert c.traces == 1


def test_decorator_and_float_in_float_out():
    @wg.compile
    def g(a):
        return a * a * 3.0
    d = wg.compile(wg.grad(lambda a: a * a * 3.0))
    assert d(2.0) == 12.0 and type(d(2.0)) is float
    assert d(5.0) == 30.0 and d.traces == 1
    np.testing.assert_allclose(np.asarray(g(np.float64(2.0))), 12.0)


def test_cache_keys_retrace():
    c = wg.compile(f)
    c(X, Y)
    c(X + 1, Y)
    assert c.traces == 1
    c(X[:3], Y[:3])                              # shape
    c(X.astype(np.float32), Y.astype(np.float32))  # dtype
    assert c.traces == 3
    t = wg.compile(lambda d, n: wg.sum(d["a"] ** n))
    np.testing.assert_allclose(np.asarray(t({"a": X}, 2)), np.sum(X ** 2))
    np.testing.assert_allclose(np.asarray(t({"a": X}, 3)), np.sum(X ** 3))   # int by value
    assert t.traces == 2


def test_second_order():
    h = wg.hessian(lambda x: wg.sum(wg.sin(x) * x))
    np.testing.assert_allclose(wg.compile(h)(X), h(X))
    hv = lambda x, v: wg.hvp(lambda x: wg.sum(wg.exp(x) * x), x, v)    # noqa: E731
    np.testing.assert_allclose(wg.compile(hv)(X, Y), hv(X, Y))
    j = wg.jacrev(lambda x: wg.tanh(x) * 2)
    np.testing.assert_allclose(wg.compile(j)(X), j(X))


def test_guards_follow_the_branch():
    def g(x):
        if wg.sum(x) > 0:
            return x * 2
        return x * -3
    c = wg.compile(g)
    np.testing.assert_allclose(c(X + 1), (X + 1) * 2)
    np.testing.assert_allclose(c(X - 1), (X - 1) * -3)     # another outcome: traced again
    np.testing.assert_allclose(c(X + 2), (X + 2) * 2)       # cached per outcome
    assert c.traces == 2
    assert "raise Miss" in c.source(X + 1)


def test_float_of_untransformed_value_is_a_guard():
    c = wg.compile(lambda x: x * float(wg.sum(x)))
    np.testing.assert_allclose(c(X + 1), (X + 1) * np.sum(X + 1))
    np.testing.assert_allclose(c(X + 2), (X + 2) * np.sum(X + 2))
    assert c.traces == 2


def test_float_of_differentiated_value_is_a_type_error():
    c = wg.compile(wg.grad(lambda x: wg.sum(x) * float(wg.sum(x))))
    with pytest.raises(TypeError, match="running transform"):
        c(X)


def test_many_retraces_warn():
    c = wg.compile(lambda x: x * float(wg.sum(x)))
    with pytest.warns(RuntimeWarning, match="traced 9 times"):
        for k in range(10):
            c(X + k)


def test_non_op_value_is_refused():
    def sneaky(x):
        x = wg.asarray(x)
        return x * _make(x.data * 2, None)
    with pytest.raises(TraceError, match="depends on values through"):
        wg.compile(sneaky)(X)
    with pytest.raises(TraceError, match="depends on values through"):
        wg.compile(wg.grad(lambda x: wg.sum(sneaky(x))))(X)


def test_array_door_refused():
    with pytest.raises(TraceError, match=r"np.asarray\(t\)"):
        wg.compile(lambda x: x * np.asarray(x).sum())(X)


def test_in_place_write_refused():
    def g(x):
        y = x * 2
        y += 1
        return y * x
    with pytest.raises(TraceError, match="in-place"):
        wg.compile(g)(X)


def test_bad_argument_same_error():
    c = wg.compile(f)
    with pytest.raises(ValueError) as e1:
        c(X, np.ones(3))
    with pytest.raises(ValueError) as e2:
        f(X, np.ones(3))
    assert str(e1.value) == str(e2.value)
    with pytest.raises(TypeError, match="requires grad"):
        c(wg.tensor(X, requires_grad=True), Y)


def test_source_reexecuted():
    c = wg.compile(wg.value_and_grad(f, argnums=(0, 1)))
    src = c.source(X, Y)
    assert "np.tanh(" in src and "g" in src
    ns = {}
    exec(src, ns)
    got = ns["compiled"](X, Y)
    want = wg.value_and_grad(f, argnums=(0, 1))(X, Y)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1][0])
    np.testing.assert_allclose(got[2], want[1][1])


def test_simplification():
    def g(x):
        a = wg.sin(x) * 2
        b = wg.sin(x) * 2          # common subexpression
        wg.cos(x)                  # dead
        return a + b
    src = wg.compile(g).source(X)
    assert src.count("np.sin(") == 1 and "np.cos(" not in src


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"reduction": "sum"}, {"reduction": "none"},
                                {"ignore_index": 1}])
def test_cross_entropy_backward_reuses_the_forward_log_softmax(dtype, kw):
    import wengert.nn.functional as F

    def loss(z, y):
        out = F.cross_entropy(z * 1.5, y, **kw)
        return out.sum() if kw.get("reduction") == "none" else out
    rng = np.random.default_rng(1)
    z, y = rng.standard_normal((6, 4)).astype(dtype), np.array([0, 1, 3, 1, 2, 0])
    c = wg.compile(wg.value_and_grad(loss))
    src = c.source(z, y)
    assert "_logp = f_cross_entropy(" in src and "np.exp(v" in src and "f_max" not in src
    (v1, g1), (v2, g2) = c(z, y), wg.value_and_grad(loss)(z, y)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(np.asarray(v1), np.asarray(v2), rtol=tol)
    np.testing.assert_allclose(g1, np.asarray(g2), rtol=tol, atol=tol)
    assert g1.dtype == dtype
    ns = {"np": np}                                      # the printed program, run alone
    exec(src, ns)
    v3, g3 = ns["compiled"](z)                           # (y is a constant of the program)
    np.testing.assert_array_equal(v3, v1)
    np.testing.assert_array_equal(g3, g1)
    h = wg.hessian(lambda z: loss(z, y))                 # second order: the same value
    np.testing.assert_allclose(wg.compile(h)(z), np.asarray(h(z)), rtol=tol * 10, atol=tol)


def test_integer_arrays_are_part_of_the_signature_by_value():
    """Labels and indices are read by ops as parameters: a program keeps them as constants,
    so each new value is a new signature (never a stale label batch)."""
    import wengert.nn.functional as F
    step = wg.compile(wg.value_and_grad(lambda z, y: F.cross_entropy(z, y)))
    eager = wg.value_and_grad(lambda z, y: F.cross_entropy(z, y))
    rng = np.random.default_rng(0)
    z = rng.standard_normal((4, 3))
    for _ in range(3):
        y = rng.integers(0, 3, 4)
        for labels in (y, wg.asarray(y)):
            (v1, g1), (v2, g2) = step(z, labels), eager(z, labels)
            np.testing.assert_allclose(v1, v2, rtol=1e-12)
            np.testing.assert_allclose(g1, g2, rtol=1e-12)


def test_a_closed_over_tensor_changed_in_place_traces_again():
    w = wg.tensor(np.array([1.0, 2.0]))
    f = wg.compile(lambda x: (x * w).sum())
    x = np.array([1.0, 1.0])
    assert float(f(x)) == 3.0
    with wg.no_grad():
        w += 1.0                                   # an optimizer-style update
    assert float(f(x)) == 5.0


def test_a_closed_over_tensor_that_requires_grad_is_refused():
    p = wg.tensor(np.array([1.0, 2.0]), requires_grad=True)
    h = wg.compile(wg.grad(lambda x: (x * p).sum()))
    with pytest.raises(TraceError, match="pass that tensor as an argument"):
        h(np.array([1.0, 1.0]))


@pytest.mark.parametrize("f", [
    lambda a: a + wg.randn(*a.shape),
    lambda a: a * (wg.rand(*a.shape) > 0.5),
    lambda a: a[np.random.randint(2)] * a,          # (a draw of two values: often the same)
    lambda a: a + np.random.standard_normal(a.shape),
    lambda a: wg.nn.functional.dropout(a * 1.0, 0.5, training=True),
], ids=["randn", "rand-mask", "np-randint", "np-normal", "dropout"])
def test_a_random_draw_inside_is_refused_not_frozen(f):
    with pytest.raises(TraceError, match="random draw"):
        wg.compile(f)(np.linspace(-1.0, 2.0, 5))


def test_a_seeded_local_generator_inside_is_a_constant():
    """A generator made inside fn from a fixed seed draws the same numbers on every
    uncompiled call: a constant, compiled as one."""
    f = lambda a: a + np.random.default_rng(0).standard_normal(a.shape)   # noqa: E731
    c = wg.compile(f)
    for x in (np.zeros(3), np.ones(3)):
        np.testing.assert_array_equal(c(x), f(x))


def _mask_write(a):
    b = wg.ones(5)
    b[a > 0] = 0.0
    return b * a


def _argmax_write(a):
    b = wg.zeros(5)
    b[np.argmax(a)] = 1.0
    return b * a


def _static_writes(a):
    b = wg.zeros(5)
    b[0:2] = a[:2]
    b[2:4] = a[2:4] * 2.0
    b += a
    return b


@pytest.mark.parametrize("f", [_mask_write, _argmax_write])
def test_a_write_at_an_index_computed_from_the_inputs_is_refused_clearly(f):
    with pytest.raises(TraceError, match=r"t\[index\] = v.*wg.where"):
        wg.compile(f)(np.linspace(-1.0, 2.0, 5))


def test_writes_at_static_indices_into_a_new_tensor_compile():
    c = wg.compile(_static_writes)
    for x in (np.linspace(-1.0, 2.0, 5), np.arange(5.0) ** 2):
        np.testing.assert_array_equal(np.asarray(c(x)), np.asarray(_static_writes(x)))


@pytest.mark.parametrize("read", [
    lambda s: float(s), lambda s: s.item(), lambda s: s.tolist(), lambda s: np.asarray(s),
    lambda s: 2.0 if s > 2.5 else 3.0,
], ids=["float", "item", "tolist", "asarray", "bool"])
def test_a_closed_over_tensor_read_as_a_number_is_watched_too(read):
    """float(w), w.item(), np.asarray(w) of a closure's tensor are constants of the program,
    so an in-place change to w traces again, as for w as an op's operand."""
    s = wg.tensor(2.0)
    f = lambda x: x * read(s)                      # noqa: E731
    c = wg.compile(f)
    x = np.linspace(-1.0, 2.0, 5)
    np.testing.assert_array_equal(np.asarray(c(x)), np.asarray(f(x)))
    with wg.no_grad():
        s += 1.0
    np.testing.assert_array_equal(np.asarray(c(x)), np.asarray(f(x)))


def _batch(seed=0):
    return np.random.default_rng(seed).standard_normal((8, 3))


def test_a_module_writing_its_buffers_is_refused():
    """BatchNorm in training mode updates its running statistics: the program would not."""
    bn = wg.nn.BatchNorm1d(3)
    with wg.no_grad():
        with pytest.raises(TraceError, match="writes into a tensor that outlives the call"):
            wg.compile(lambda a: bn(a))(_batch())


def test_an_optimizer_step_inside_is_refused():
    w = wg.tensor(np.ones(3), requires_grad=True)
    opt = wg.optim.SGD([w], lr=0.1)

    def step(x):
        opt.zero_grad()
        loss = (w * x).sum()
        loss.backward()
        opt.step()
        return loss.detach()
    with pytest.raises(TraceError, match="writes into a tensor that outlives the call"):
        wg.compile(step)(np.arange(3.0))


def test_buffers_read_by_a_module_and_its_mode_are_watched():
    """An eval-mode BatchNorm reads its running statistics through .data; a later training
    step changes them, and train()/eval() changes the module's behaviour: either traces
    again (and the training-mode trace is refused, above), never a stale program."""
    bn = wg.nn.BatchNorm1d(3)
    bn.eval()
    f = lambda a: bn(a)                        # noqa: E731
    with wg.no_grad():
        c = wg.compile(f)
        x = _batch()
        np.testing.assert_allclose(np.asarray(c(x)), np.asarray(f(x)), rtol=1e-6)
        bn.train()
        bn(wg.tensor(_batch(1) * 3.0 + 1.0, dtype=np.float32))
        bn.eval()
        np.testing.assert_allclose(np.asarray(c(x)), np.asarray(f(x)), rtol=1e-6)
        assert c.traces == 2
        bn.train()
        with pytest.raises(TraceError, match="writes into a tensor"):
            c(x)


def test_a_sequential_in_eval_mode_traces_once_then_follows_its_parameters():
    m = wg.nn.Sequential(wg.nn.Linear(5, 4), wg.nn.ReLU(), wg.nn.Linear(4, 1))
    x = np.linspace(0.0, 1.0, 10).reshape(2, 5)
    with wg.no_grad():
        c = wg.compile(lambda a: m(a))
        for _ in range(3):
            np.testing.assert_allclose(np.asarray(c(x)), np.asarray(m(wg.tensor(x))), rtol=1e-6)
        assert c.traces == 1
        for p in m.parameters():
            p += 1.0
        np.testing.assert_allclose(np.asarray(c(x)), np.asarray(m(wg.tensor(x))), rtol=1e-6)
        assert c.traces == 2


def test_a_float_guard_tells_minus_zero_from_zero():
    import math
    f = lambda a, s: a * math.copysign(2.0, float(s))      # noqa: E731
    c = wg.compile(f)
    x = np.ones(3)
    for s in (-0.0, 0.0, -0.0, 0.0):
        np.testing.assert_array_equal(c(x, np.array(s)), f(x, np.array(s)))
    assert c.traces == 2


def test_a_tolist_guard_holding_nan_holds():
    f = lambda a, s: a * (2.0 if s.tolist()[0] == s.tolist()[0] else 3.0)   # noqa: E731
    c = wg.compile(f)
    x = np.ones(3)
    for v in (np.nan, np.nan, 1.0, np.nan, -0.0, 0.0):
        np.testing.assert_array_equal(c(x, np.array([v])), f(x, np.array([v])))
    assert c.traces == 4                    # nan, 1.0, -0.0, 0.0: one trace each


@pytest.mark.parametrize("f", [
    lambda s, b: s * b + s,
    lambda s, b: (s * 3.0 + 1.0) * b,
    lambda b, s: b - s * wg.tanh(b),               # (an update step: w - lr * g)
], ids=["scale", "chain", "step"])
def test_a_python_float_beside_a_float32_array_keeps_float32(f):
    """NumPy takes a Python float beside a float32 array as float32; traced as a 0-d float64
    it would make the result float64: such floats are keyed by value instead."""
    c = wg.compile(f)
    b = np.linspace(-1.0, 1.0, 4, dtype=np.float32)
    for s in (0.1, 0.3, 0.1):
        args = (s, b) if f.__code__.co_varnames[0] == "s" else (b, s)
        got, want = c(*args), f(*args)
        assert np.asarray(got).dtype == np.asarray(want).dtype == np.float32
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert wg.compile(f).source(*args).count("def compiled") == 1
