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
OTHERS = {}


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
        for kind in KINDS:
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
        marks = ()
        if rid in OTHERS:
            marks = (pytest.mark.xfail(strict=True, reason=OTHERS[rid]),)
        out.append(pytest.param(p.values[0], id=rid, marks=marks))
    return out


@pytest.mark.parametrize("row", _params(lambda rid: rid.startswith(MINE)))
def test_reductions_compiled_at_special_inputs(row):
    check_row(row)


@pytest.mark.parametrize("row", _params(lambda rid: not rid.startswith(MINE)))
def test_other_ops_compiled_at_special_inputs(row):
    check_row(row)
