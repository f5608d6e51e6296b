"""wg.compile's scratch arrays (compile/plan.py `scratch`): big temporaries live in arrays the
program keeps between calls. A later call (other inputs), another thread, or a call that
stopped half-way never sees another call's numbers; a result never shares memory with a
scratch array, so the next call cannot change what the caller holds."""
import threading

import numpy as np
import pytest

import wengert as wg
from wengert.compile.plan import MIN_BYTES
from wengert.ops import registry
from wengert.ops._primitive import UnaryOp

N = 4 * MIN_BYTES // 8
RNG = np.random.default_rng(1)
INPUTS = [RNG.uniform(-1.0, 1.0, N) for _ in range(3)]


def rosen(x):
    a, b = x[:-1], x[1:]
    return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()


def mlp_loss(W1, W2, x):
    h = wg.tanh(x @ W1.T)
    z = wg.relu(h @ W2.T)
    return (z * z).mean() + (wg.exp(-h) * h).sum() / h.size


def views(x):
    y = wg.exp(x) * 2.0                 # a temporary a result views: not a scratch array
    z = wg.sin(y) * y
    return y[1:], z.reshape(2, -1), (z * 3.0).sum()


PROGRAMS = {
    "rosen grad": (wg.grad(rosen), lambda x: (x,)),
    "rosen hvp": (lambda x, v: wg.hvp(rosen, x, v), lambda x: (x, x[::-1].copy())),
    "rosen hessian-vector by jvp of grad": (
        lambda x, v: wg.jvp(wg.grad(rosen), (x,), (v,))[1], lambda x: (x, np.cos(x))),
    "views": (views, lambda x: (x,)),
    "mlp value_and_grad": (
        wg.value_and_grad(mlp_loss, argnums=(0, 1)),
        lambda x: (x[:16 * 64].reshape(16, 64), x[-64 * 16:].reshape(64, 16),
                   x.reshape(64, 64))),
}


def _flat(r):
    from wengert.tree import tree_flatten
    return [np.asarray(v.data if isinstance(v, wg.Tensor) else v) for v in tree_flatten(r)[0]]


def _equal(got, want):
    for g, w in zip(_flat(got), _flat(want)):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", PROGRAMS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_call_equals_eager_while_scratch_arrays_are_reused(name, dtype):
    fn, args_of = PROGRAMS[name]
    c = wg.compile(fn)
    calls = [tuple(np.asarray(a, dtype) for a in args_of(x)) for x in INPUTS]
    assert "_take()" in c.source(*calls[0])
    held = []
    for args in calls + calls[::-1]:
        got = c(*args)
        want = fn(*args)
        if dtype is np.float64:
            _equal(got, want)
        else:
            for g, w in zip(_flat(got), _flat(want)):
                np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-5)
        held.append((got, [a.copy() for a in _flat(got)]))
    for got, copy in held:           # later calls changed nothing a caller holds
        for a, b in zip(_flat(got), copy):
            np.testing.assert_array_equal(a, b)
    assert c.traces == 1


@pytest.mark.parametrize("name", PROGRAMS)
def test_results_of_two_calls_never_share_memory(name):
    fn, args_of = PROGRAMS[name]
    c = wg.compile(fn)
    first = _flat(c(*args_of(INPUTS[0])))
    second = _flat(c(*args_of(INPUTS[1])))
    for a in first:
        for b in second:
            assert not np.shares_memory(a, b)


def test_threads_calling_one_program_at_once_each_get_their_own_numbers():
    fn, args_of = PROGRAMS["rosen hvp"]
    c = wg.compile(fn)
    xs = [RNG.uniform(-1.0, 1.0, N) for _ in range(8)]
    want = [_flat(fn(*args_of(x))) for x in xs]
    c(*args_of(xs[0]))
    bad = []

    def work(k):
        for _ in range(30):
            for i in range(k % 2, len(xs), 2):
                got = _flat(c(*args_of(xs[i])))
                if not all(np.array_equal(g, w) for g, w in zip(got, want[i])):
                    bad.append(i)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad


def test_a_call_that_stops_at_a_guard_leaves_no_stale_numbers():
    def f(x):
        y = wg.exp(x) * x              # scratch temporaries before the guard
        z = wg.sin(y) * 2.0
        if (z.sum() > 0):
            return (z * y).sum() * 2.0 + y[:3].sum()
        return (z - y).sum() + y[:3].sum()

    g = wg.compile(wg.grad(f))
    xs = [INPUTS[0], -INPUTS[0] - 3.0, INPUTS[1], -INPUTS[1] - 3.0]
    for x in xs + xs:
        _equal(g(x), wg.grad(f)(x))
    assert g.traces == 2


def test_the_source_with_its_scratch_pool_runs_alone_and_again():
    fn, args_of = PROGRAMS["rosen hvp"]
    c = wg.compile(fn)
    src = c.source(*args_of(INPUTS[0]))
    ns = {"_consts": src.constants}
    exec(src, ns)
    for x in INPUTS:
        _equal(ns["compiled"](*args_of(x))[0], fn(*args_of(x)))


def test_ops_the_planner_takes_for_new_memory_return_new_memory():
    """plan.py lets a temporary that elementwise ops, matmul and sum read be written in
    place or reused as scratch: each of them must return an array of its own."""
    from wengert.compile.plan import NEW_MEMORY
    x = RNG.uniform(0.1, 0.9, (6, 6))
    for name, op in registry.items():
        if isinstance(op, UnaryOp):
            for dt in (np.float64, np.float32, np.complex128):
                a = x.astype(dt)
                with np.errstate(all="ignore"):
                    try:
                        y = op.forward(a)
                    except (TypeError, ValueError):
                        continue
                assert not np.shares_memory(a, y), name
    assert NEW_MEMORY == {"matmul", "sum"}
    assert not np.shares_memory(x, registry["matmul"].forward(x, x))
    for axis in ((), None, 0, (0, 1)):
        for keepdims in (False, True):
            y = registry["sum"].forward(x, axis=axis, keepdims=keepdims)
            assert not np.shares_memory(x, y)
