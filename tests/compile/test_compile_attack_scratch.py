"""Attacks on wg.compile's scratch arrays and in-place writes (compile/plan.py).

A temporary in a scratch array must never be overwritten while a value that may share its
memory (a view of it, a value written into it) is still read, never be handed to the
caller, and never change what the uncompiled call computes: its memory order included,
since NumPy adds up an array in memory order and a first call that differs from the
uncompiled one is refused."""
import importlib

import numpy as np
import pytest

import wengert as wg
from tests.fuzz_programs import _Gen, generate
from wengert.tree import tree_flatten

plan_mod = importlib.import_module("wengert.compile.plan")
codegen_mod = importlib.import_module("wengert.compile.codegen")

RNG = np.random.default_rng(7)
XS = [RNG.uniform(-1.0, 1.0, (48, 64)) for _ in range(3)]


def _flat(r):
    return [np.asarray(v.data if isinstance(v, wg.Tensor) else v) for v in tree_flatten(r)[0]]


def _calls_equal_eager(fn, argsets, rtol=1e-12):
    """Call the compiled fn on each argument set, twice round; every result equals the
    uncompiled call's, and what each call returned is unchanged by the later calls and
    shares no memory with their results."""
    c = wg.compile(fn)
    held = []
    for args in argsets + argsets[::-1]:
        got, want = _flat(c(*args)), _flat(fn(*args))
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)
        held.append((got, [g.copy() for g in got]))
    for k, (got, copies) in enumerate(held):
        for g, cp in zip(got, copies):
            np.testing.assert_array_equal(g, cp)
        for later, _ in held[k + 1:]:
            for g in got:
                for h in later:
                    assert not np.shares_memory(g, h)
    return c


# ---- a view of a temporary outlives it: its scratch array stays busy -----------------

def view_read_late(x):
    a = wg.exp(x) * 2.0                 # scratch
    v = a.T[::-1].reshape(-1)           # a view of a, read at the end
    b = wg.sin(x) * 3.0                 # same shape and dtype as a: may not take a's array
    c = wg.cos(x) + b
    return (v.reshape(64, 48).T * b * c).sum()


def split_parts_read_late(x):
    parts = wg.split(wg.exp(x) * 2.0, 4, axis=0)
    b = wg.sin(x) * 3.0
    c = wg.cos(x) * b
    return sum((p * p).sum() for p in parts) + c.sum() + (parts[0] * 2.0).sum()


def scatter_then_view(x):
    a = wg.exp(x) * 2.0
    return (a[2:40, 5:] * a[1:39, :-5]).sum() + (a[0] * 3.0).sum()


LATE = [view_read_late, split_parts_read_late, scatter_then_view]


@pytest.mark.parametrize("f", LATE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("transform", ["value", "grad", "hvp"])
def test_a_view_of_a_scratch_temporary_keeps_its_array_busy(f, transform):
    if transform == "value":
        fn, argsets = f, [(x,) for x in XS]
    elif transform == "grad":
        fn, argsets = wg.value_and_grad(f), [(x,) for x in XS]
    else:
        fn, argsets = (lambda x, v: wg.hvp(f, x, v)), [(x, np.cos(3 * x)) for x in XS]
    c = _calls_equal_eager(fn, argsets, rtol=1e-10)
    assert "_take()" in c.source(*argsets[0])


# ---- results that are views of temporaries: never in scratch -------------------------

RESULTS = {
    "reshape of transpose of index": lambda x: (wg.exp(x) * 2.0)[1:, :].T.reshape(-1),
    "split": lambda x: wg.split(wg.sin(x) + 1.0, 2, axis=0),
    "squeeze of expand_dims": lambda x: wg.squeeze(wg.expand_dims(wg.exp(x) + x, 0), 0),
    "broadcast_to": lambda x: wg.broadcast_to((wg.exp(x) * x)[None], (2, 48, 64)),
    "diagonal": lambda x: wg.diagonal(wg.exp(x) * 3.0),
    "astype to its own dtype": lambda x: (wg.exp(x) * 3.0).astype(x.dtype),
    "the same temporary three ways": lambda x: (lambda a: (a, a, {"t": a.T, "r": a[1:]}))(
        wg.exp(x) * 2.0),
    "matmul viewed": lambda x: (x @ x.T)[::2],
    "a temporary and a sum of it": lambda x: (lambda a: (a.sum(), a[3]))(wg.tanh(x * 2.0) * x),
}


@pytest.mark.parametrize("name", RESULTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_result_viewing_a_temporary_is_the_callers_own(name, dtype):
    _calls_equal_eager(RESULTS[name], [(x.astype(dtype),) for x in XS],
                       rtol=1e-12 if dtype is np.float64 else 1e-5)


# ---- memory order: a temporary of transposed operands keeps NumPy's order ------------

X32 = np.random.default_rng(1).uniform(-1.0, 1.0, (128, 40)).astype(np.float32)
X64 = X32.astype(np.float64)
IDX = np.arange(60) % 37

ORDER = {
    # a float32 sum of a Fortran-ordered temporary, handed back as float64
    "float32 sum of a transposed temporary": (
        lambda x: ((wg.sin(x.T) * 2.0) ** 2).sum().astype(np.float64), X32),
    # a float64 sum that cancels: its rounding is most of the result
    "cancelling float64 sum of a transposed temporary": (
        lambda x: (lambda y: (y - y.mean()).sum())(wg.sin(x.T) * 1e8), X64),
    "through swapaxes": (
        lambda x: (wg.exp(wg.swapaxes(x, 0, 1)) * 1e8 - 1e8).sum(), X64),
    # an array index puts its axes first in memory
    "array-indexed columns": (
        lambda x: ((wg.tanh(x[:, IDX]) + 1.5) ** 2).sum().astype(np.float64), X32),
}


@pytest.mark.parametrize("name", ORDER)
def test_a_temporary_of_transposed_operands_adds_up_as_uncompiled(name):
    fn, x = ORDER[name]
    c = wg.compile(fn)
    for arg in (x, x[::-1].copy()):
        got, want = c(arg), fn(arg)
        assert np.asarray(got.data).tobytes() == np.asarray(want.data).tobytes()


@pytest.mark.parametrize("layout", ["a transposed view", "Fortran order"])
def test_an_input_out_of_c_order_at_the_first_call_compiles(layout):
    x = X64.T if layout == "a transposed view" else np.asfortranarray(X64)

    def f(x):
        y = wg.sin(x) * 1e8
        return (y - y.mean()).sum()
    c = wg.compile(f)
    for arg in (x, np.ascontiguousarray(x)):
        assert c(arg).data.tobytes() == f(arg).data.tobytes()


def test_a_temporary_of_c_ordered_operands_still_takes_a_scratch_array():
    c = wg.compile(lambda x: ((wg.sin(x) * 2.0) ** 2).sum())
    assert "out=s0" in c.source(X64)


# ---- random programs, every array planned ---------------------------------------------

@pytest.fixture
def every_array_planned(monkeypatch):
    monkeypatch.setattr(plan_mod, "MIN_BYTES", 1)
    monkeypatch.setattr(codegen_mod, "MIN_BYTES", 1)
    no_writes = [(k, 0 if k in ("inplace", "fancy_inplace", "buffer") else w)
                 for k, w in _Gen.STATEMENTS]
    monkeypatch.setattr(_Gen, "STATEMENTS", no_writes)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_random_programs_with_every_array_planned_equal_eager(every_array_planned, dtype):
    """The fuzz programs (views, fancy indexing, stacks, reductions, matmuls), each
    array in scratch or written in place where the planner allows: the gradient, compiled,
    equals the uncompiled one at two points and again at the first, and no call changes
    another's results."""
    tol = 1e-9 if dtype is np.float64 else 1e-4
    planned = 0
    for seed in range(150):
        prog = generate(seed)
        body, _ = prog.source.rsplit("return out, ", 1)
        prog.source = body + "return out\n"     # (only the loss: the rest are temporaries)
        f = prog.function(wg)
        xs = [x.astype(dtype) for x in prog.inputs()]
        vg = wg.value_and_grad(f, argnums=tuple(range(len(xs))))
        try:
            vg(*xs)
        except (TypeError, ValueError, RuntimeError):
            continue
        c = wg.compile(vg)
        planned += "_take()" in c.source(*xs)
        try:
            _calls_equal_eager(vg, [tuple(xs), tuple(x * 0.7 + 0.1 for x in xs)], rtol=tol)
        except AssertionError as e:
            raise AssertionError(f"seed {seed}:\n{prog.source}\n{c.source(*xs)}") from e
    assert planned > 100


def test_no_write_in_place_into_a_transposed_temporary_beside_a_c_ordered_operand():
    """`a * cos(x)` with a = sin(x.T)·1e8 (Fortran-ordered) is C-ordered in NumPy; written
    into a it would be Fortran-ordered, and the cancelling sum over it would round
    otherwise than the uncompiled call's."""
    def f(x):
        a = wg.sin(x.T) * 1e8
        c = a * wg.cos(x)
        return (c - c.mean()).sum()
    for seed in range(4):
        x = np.random.default_rng(seed).uniform(-1.0, 1.0, (96, 96))
        assert wg.compile(f)(x).data.tobytes() == f(x).data.tobytes()
