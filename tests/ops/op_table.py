"""The op tests are a table: one Row per public function, checked generically.

Each family's test module declares `ROWS` and calls `parametrize(ROWS)`; the generic checks
below then run for every row × shape (with broadcasting pairs) × kwargs variant:
forward equals the NumPy reference; reverse mode agrees with central finite differences
(float64, first and second order); float32 in gives float32 out and float32 gradients.
tests/ops/test_registry.py checks that every registered primitive has a row.
"""
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import pytest

import wengert as wg
from wengert.checking import check_grads

UNARY_SHAPES = [((),), ((3,),), ((2, 3),)]
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 1), (1, 3)), ((3,), (2, 3)),
                 ((2, 3), ())]


@dataclass
class Row:
    fn: Callable                      # the wengert function under test
    ref: Callable                     # the NumPy reference, same signature
    ops: tuple = ()                   # registry names this row covers (default: fn.__name__/fn.name)
    nargs: int = 1
    domain: tuple = (-2.0, 2.0)       # inputs drawn uniformly from here ...
    sample: Optional[Callable] = None  # ... or by sample(rng, shape, arg_index)
    shapes: Optional[list] = None     # list of tuples of shapes (one per arg)
    kwargs: list = field(default_factory=lambda: [{}])
    order: int = 2
    atol: float = 1e-5
    rtol: float = 1e-3
    float32: bool = True              # also check float32 in → float32 out/grads
    id: Optional[str] = None

    def names(self):
        if self.ops:
            return tuple(self.ops)
        return (getattr(self.fn, "name", None) or self.fn.__name__,)

    def grid(self):
        if self.shapes is not None:
            return self.shapes
        return UNARY_SHAPES if self.nargs == 1 else BINARY_SHAPES if self.nargs == 2 else \
            [tuple((3,) for _ in range(self.nargs))]

    def make_args(self, shapes, seed=0, dtype=np.float64):
        rng = np.random.default_rng(seed)
        out = []
        for i, s in enumerate(shapes):
            if self.sample is not None:
                a = np.asarray(self.sample(rng, s, i), dtype=np.float64)
            else:
                lo, hi = self.domain
                a = rng.uniform(lo, hi, size=s)
            out.append(np.asarray(a, dtype=dtype))
        return out


def parametrize(rows):
    """pytest params (row, shapes, kwargs) for every combination, with readable ids."""
    params = []
    for r in rows:
        for shapes in r.grid():
            for kw in r.kwargs:
                rid = r.id or r.names()[0]
                sid = "x".join(str(s).replace(" ", "") for s in shapes)
                kid = ",".join(f"{k}={v}" for k, v in kw.items())
                params.append(pytest.param(r, shapes, kw, id=f"{rid}-{sid}" + (f"-{kid}" if kid else "")))
    return params


def _vals(out):
    if isinstance(out, (tuple, list)):
        return [np.asarray(o) for o in out]
    return [np.asarray(out)]


def check_forward(row, shapes, kw):
    args = row.make_args(shapes)
    got = row.fn(*[wg.tensor(a) for a in args], **kw)
    want = row.ref(*args, **kw)
    for g, w in zip(_vals(got), _vals(want)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def check_gradients(row, shapes, kw):
    args = row.make_args(shapes)
    check_grads(lambda *xs: row.fn(*xs, **kw), args, order=row.order, atol=row.atol, rtol=row.rtol)


def check_float32(row, shapes, kw):
    args = row.make_args(shapes, dtype=np.float32)
    ts = [wg.tensor(a, requires_grad=True) for a in args]
    out = row.fn(*ts, **kw)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    total = 0.0
    for o in outs:
        if o.dtype.kind == "f":
            assert o.dtype == np.float32, f"{row.names()[0]}: float32 in gave {o.dtype} out"
            total = total + o.sum()
    if not isinstance(total, wg.Tensor) or not total.requires_grad:
        return
    total.backward()
    for t in ts:
        if t.grad is not None:
            assert t.grad.dtype == np.float32, f"{row.names()[0]}: float32 gradient came out {t.grad.dtype}"
            assert t.grad.shape == t.shape


def generic_tests(rows):
    """Define the three generic tests for `rows` in the calling test module."""
    params = parametrize(rows)

    @pytest.mark.parametrize("row,shapes,kw", params)
    def test_forward_matches_numpy(row, shapes, kw):
        check_forward(row, shapes, kw)

    @pytest.mark.parametrize("row,shapes,kw", params)
    def test_gradients_match_finite_differences(row, shapes, kw):
        check_gradients(row, shapes, kw)

    @pytest.mark.parametrize("row,shapes,kw", [p for p in params if p.values[0].float32])
    def test_float32_stays_float32(row, shapes, kw):
        check_float32(row, shapes, kw)

    return test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32
