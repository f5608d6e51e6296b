"""wg.compile against eager for every row of the op tables: forward values, the gradient of a
weighted sum (first order) and, for rows of order 2, the Hessian-vector product; float64 and
float32. One shape per row keeps the runtime small."""
import importlib
import pathlib

import numpy as np
import pytest

import wengert as wg
from wengert.compile import TraceError

_HERE = pathlib.Path(__file__).resolve().parent.parent / "ops"
# rows that legitimately cannot compile, with the reason
SKIP = {}
# rows wg.compile refuses with a TraceError (never a wrong program)
REFUSED = {
    # in-place writes into an operand, and piecewise's writes at masks read off the data
    "numpy_more-copyto", "numpy_more-fill_diagonal", "numpy_more-place", "numpy_more-put",
    "numpy_more-put_along_axis", "numpy_more-putmask", "numpy_more-piecewise",
    "numpy_more-piecewise-else",
    # a shape taken from the values: refused by name, never baked
    "numpy_more-unique", "numpy_more-unique-axis", "numpy_more-unique_values",
    "numpy_more-union1d", "rearrange-trim_zeros",
    # an exponent or a count of equal values that no wengert op computes
    "ufuncs_more-frexp", "torch_ops-mode",
    # float32: wengert's polyder stays float32 where NumPy's (the uncompiled call on
    # ndarrays) gives float64, so the program's result differs from the uncompiled one
    "numpy_more-polyder"}


def _rows():
    rows = []
    for path in sorted(_HERE.glob("test_*.py")):
        mod = importlib.import_module(f"tests.ops.{path.stem}")
        for r in getattr(mod, "ROWS", ()):
            rid = f"{path.stem[5:]}-{r.id or r.names()[0]}"
            r.compile_refused = rid in REFUSED
            rows.append(pytest.param(r, id=rid))
    return rows


ROWS = _rows()


def _leaves(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _close(got, want, tol):
    for g, w in zip(_leaves(got), _leaves(want)):
        g, w = np.asarray(g), np.asarray(w)
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


def _loss(row, kw, ws):
    def loss(*a):
        outs = _leaves(row.fn(*a, **kw))
        return sum(wg.sum(o * w) for o, w in zip(outs, ws))
    return loss


def _setup(row, dtype):
    if row.id in SKIP or row.names()[0] in SKIP:
        pytest.skip(SKIP.get(row.id) or SKIP[row.names()[0]])
    shapes = row.grid()[-1]
    kw = row.kwargs[0]
    args = row.make_args(shapes, dtype=dtype)
    out = _leaves(row.fn(*args, **kw))
    rng = np.random.default_rng(1)
    ws = [rng.uniform(0.5, 1.5, np.shape(o)).astype(np.asarray(o).dtype) for o in out]
    return args, kw, ws


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("row", ROWS)
def test_compiled_matches_eager(row, dtype):
    if dtype is np.float32 and not row.float32:
        pytest.skip("row has no float32 check")
    if row.compile_refused:        # (refused at least in one dtype: compiled right, or refused)
        try:
            _check(row, dtype)
        except TraceError as e:
            assert "wg.compile cannot" in str(e)
        return
    _check(row, dtype)


def _check(row, dtype):
    args, kw, ws = _setup(row, dtype)
    tol = 1e-4 if dtype is np.float32 else 1e-9
    f = lambda *a: row.fn(*a, **kw)        # noqa: E731
    _close(wg.compile(f)(*args), f(*args), tol)
    if row.order < 1 or not all(np.asarray(w).dtype.kind == "f" for w in ws):
        return
    argnums = tuple(range(len(args)))
    g = wg.grad(_loss(row, kw, ws), argnums=argnums)
    _close(wg.compile(g)(*args), g(*args), tol)
    if row.order >= 2 and dtype is np.float64:
        v = np.ones_like(args[0])
        rest = args[1:]

        def hv(x, v):
            return wg.hvp(lambda x: _loss(row, kw, ws)(x, *rest), x, v)
        _close(wg.compile(hv)(args[0], v), hv(args[0], v), tol)
