"""The op tests are a table: one Row per public function, checked generically.

Each family's test module declares `ROWS` and calls `generic_tests(ROWS)`; the generic checks
below then run for every row × shape (with broadcasting pairs) × kwargs variant:
forward equals the NumPy reference; `wg.gradcheck` in both modes ('rev' and 'fwd') to the
row's order (second by default: reverse-over-reverse, forward-over-reverse,
reverse-over-forward and forward-over-forward); float32 in gives float32 out, float32
gradients and float32 tangents; and a batch of k tangents (cotangents) pushed through one
forward (backward) pass equals a loop of single ones — what jacfwd, jacrev and hessian rely
on. tests/ops/test_registry.py checks that every registered primitive has a row.
"""
import sys
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
import pytest

import wengert as wg
from wengert.checking import _vjp_function, gradcheck
from wengert.engine.backward import run_backward
from wengert.forward import new_level, tangent_at, with_tangent
from wengert.forward import set_tangent as _set_tangent
from wengert.ops.elementwise import positive

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


def np_axis(ref):
    """The NumPy reference `ref` taking an axis list, as wengert does (NumPy wants a tuple)."""
    def f(x, *rest, **kw):
        if isinstance(kw.get("axis"), list):
            kw = dict(kw, axis=tuple(kw["axis"]))
        return ref(x, *rest, **kw)
    f.__name__ = ref.__name__
    return f


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
    """gradcheck in both modes to the row's order (2: every composition of the two modes)."""
    args = row.make_args(shapes)
    gradcheck(lambda *xs: row.fn(*xs, **kw), args, atol=row.atol, rtol=row.rtol,
              order=row.order, modes=("rev", "fwd"))


def _float_outs(out):
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, wg.Tensor) and o.dtype.kind == "f"]


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
    level = new_level()
    xs = [with_tangent(wg.tensor(a), np.ones_like(a), level) for a in args]
    for o in _float_outs(row.fn(*xs, **kw)):
        t = tangent_at(o, level)
        if t is not None:
            assert t.dtype == np.float32, f"{row.names()[0]}: float32 tangent came out {t.dtype}"
            assert t.shape == o.shape
    if not isinstance(total, wg.Tensor) or not total.requires_grad:
        return
    total.backward()
    for t in ts:
        if t.grad is not None:
            assert t.grad.dtype == np.float32, f"{row.names()[0]}: float32 gradient came out {t.grad.dtype}"
            assert t.grad.shape == t.shape


# ---- batches of tangents and cotangents ------------------------------------------------------

K = 3                                 # batch size: distinct from every axis length in the grids


def _same(batched, singles, out_shapes, what):
    """A batched result (None or a Tensor with a leading axis of K) against K single ones."""
    for k, (b, shape) in enumerate(zip(batched, out_shapes)):
        one = [s[k] for s in singles]
        if b is None:
            for j, s in enumerate(one):
                assert s is None or not np.asarray(s).any(), \
                    f"{what} {k}: the batch gave none, single {j} gave {s}"
            continue
        got = b.numpy(force=True) if isinstance(b, wg.Tensor) else np.asarray(b)
        assert got.shape == (K,) + tuple(shape), \
            f"{what} {k}: a batch of {K} has shape {got.shape}, expected {(K,) + tuple(shape)}"
        for j, s in enumerate(one):
            want = np.zeros(shape) if s is None else (s.numpy(force=True) if isinstance(s, wg.Tensor) else np.asarray(s))
            np.testing.assert_allclose(got[j], want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{what} {k}, batch entry {j}")


def _push(fn, args, tangents, batched):
    """Output tangents of fn when tangents[i] (None: none) rides on args[i], one level."""
    level = new_level()
    xs = []
    for a, t in zip(args, tangents):
        x = wg.tensor(a)
        if t is not None:
            if batched:                # with_tangent insists on the primal's shape
                _set_tangent(x, level, wg.tensor(t))
            else:
                x = with_tangent(x, t, level)
        xs.append(x)
    outs = _float_outs(fn(*xs))
    return [tangent_at(o, level) for o in outs], [o.shape for o in outs]


def _tangent_batch_matches_loop(fn, args, rng, what, alone=True):
    """For all arguments together, then (alone=True) each alone: one pass with K tangents
    equals K passes with one."""
    n = len(args)
    subsets = [tuple(range(n))] + ([(i,) for i in range(n)] if n > 1 and alone else [])
    for sub in subsets:
        ts = [rng.standard_normal((K,) + a.shape) if i in sub else None
              for i, a in enumerate(args)]
        batched, shapes = _push(fn, args, ts, batched=True)
        singles = [_push(fn, args, [None if t is None else t[j] for t in ts], batched=False)[0]
                   for j in range(K)]
        _same(batched, singles, shapes, f"{what} (tangents on arguments {sub}): output")


def _pull(fn, args, seeds_of, create):
    """Gradients reaching each argument from cotangents seeds_of(k, shape) on the outputs."""
    xs = [wg.tensor(a, requires_grad=True) for a in args]
    outs = [o for o in _float_outs(fn(*xs)) if o.requires_grad]
    if not outs:
        return None
    roots = [o.grad_fn if o.grad_fn is not None else o for o in outs]
    capture = {}
    for i, x in enumerate(xs):
        capture.setdefault(x, []).append(i)
    seeds = [seeds_of(k, o.shape) for k, o in enumerate(outs)]
    if create:
        seeds = [wg.tensor(s) for s in seeds]
    return run_backward(roots, seeds, True, create, capture)


def _cotangent_batch_matches_loop(fn, args, rng, what, create):
    xs = [wg.tensor(a, requires_grad=True) for a in args]
    outs = [o for o in _float_outs(fn(*xs)) if o.requires_grad]
    gs = [rng.standard_normal((K,) + o.shape) for o in outs]
    batched = _pull(fn, args, lambda k, s: gs[k], create)
    if batched is None:
        return
    singles = [_pull(fn, args, lambda k, s, j=j: gs[k][j], create) for j in range(K)]
    _same(batched, singles, [a.shape for a in args],
          f"{what} (cotangents, create_graph={create}): argument")


def _batched_vjp_function(fn, gs):
    """x ↦ the gradients from a batch of cotangents gs (one per float output) pulled through
    one recorded backward pass: jacrev's inner pass, which jacfwd(jacrev) feeds tangents."""
    def vjp(*xs):
        copies = []
        for x in xs:
            c = wg.tensor(x.data)
            c._tangents = x._tangents
            c.requires_grad = True
            copies.append(c)
        outs = [o for o in _float_outs(fn(*copies)) if o.requires_grad]
        roots = [o.grad_fn if o.grad_fn is not None else o for o in outs]
        capture = {c: [i] for i, c in enumerate(copies)}
        res = run_backward(roots, [wg.tensor(g) for g in gs[:len(outs)]], True, True, capture)
        return tuple(wg.zeros(gs[0].shape[:1] + c.shape) if r is None else r
                     for c, r in zip(copies, res))
    return vjp


def _pull_through_push(fn, args, ts, cots, batched):
    """Gradients of Σ cots·(output tangents) with respect to the primals and the tangents:
    reverse mode through a (batched) JVP, as in jacrev(jacfwd(f)) or grad of jvp."""
    xs = [wg.tensor(a, requires_grad=True) for a in args]
    tans = [wg.tensor(t, requires_grad=True) for t in ts]
    level = new_level()
    call = []
    for x, t in zip(xs, tans):
        c = positive(x)                   # recorded: gradients reach x
        _set_tangent(c, level, t)
        call.append(c)
    outs = _float_outs(fn(*call))
    total = 0.0
    for o, u in zip(outs, cots):
        t = tangent_at(o, level)
        if t is not None and t.requires_grad:
            total = total + (t * (u if batched else u[0])).sum()
    if not isinstance(total, wg.Tensor):
        return [None] * (2 * len(xs))
    return [None if g is None else g.numpy()
            for g in wg.autograd.grad(total, xs + tans, allow_unused=True)]


def _reverse_through_tangent_batch_matches_loop(fn, args, rng, what):
    probe = _float_outs(fn(*[wg.tensor(a) for a in args]))
    ts = [rng.standard_normal((K,) + a.shape) for a in args]
    cots = [rng.standard_normal((K,) + o.shape) for o in probe]
    batched = _pull_through_push(fn, args, ts, cots, batched=True)
    singles = [_pull_through_push(fn, args, [t[j] for t in ts], [u[j:j + 1] for u in cots],
                                  batched=False) for j in range(K)]
    n = len(args)
    for i in range(n):               # primals: the batch sums up
        want = sum(np.zeros(args[i].shape) if s[i] is None else s[i] for s in singles)
        got = np.zeros(args[i].shape) if batched[i] is None else batched[i]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12,
                                   err_msg=f"{what}: gradient to primal {i}")
    for i in range(n):               # tangents: one gradient per batch entry
        got = np.zeros(ts[i].shape) if batched[n + i] is None else batched[n + i]
        assert got.shape == ts[i].shape, f"{what}: gradient to tangent {i} has shape {got.shape}"
        for j, s in enumerate(singles):
            want = np.zeros(args[i].shape) if s[n + i] is None else s[n + i]
            np.testing.assert_allclose(got[j], want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{what}: gradient to tangent {i}, entry {j}")


def check_batched_tangents(row, shapes, kw):
    """jacfwd's batch: K tangents at once equal K single ones, through the op and (order ≥ 2)
    through its recorded VJP, with one cotangent (forward-over-reverse, hvp) and with a batch
    of them (hessian = jacfwd(jacrev(f)): a tangent batch in front of a cotangent batch)."""
    args = row.make_args(shapes)
    rng = np.random.default_rng(7)
    fn = lambda *xs: row.fn(*xs, **kw)  # noqa: E731
    _tangent_batch_matches_loop(fn, args, rng, "JVP")
    if row.order >= 2:
        _reverse_through_tangent_batch_matches_loop(fn, args, rng, "VJP of the JVP")
        probe = _float_outs(fn(*[wg.tensor(a) for a in args]))
        if not probe:
            return
        us = [rng.standard_normal(o.shape) for o in probe]
        vjp = _vjp_function(fn, list(range(len(args))), us)
        _tangent_batch_matches_loop(vjp, args, rng, "JVP of the VJP", alone=False)
        gs = [rng.standard_normal((2,) + o.shape) for o in probe]
        _tangent_batch_matches_loop(_batched_vjp_function(fn, gs), args, rng,
                                    "JVP of a batch of 2 VJPs", alone=False)


def _pull_through_pull(fn, args, gs, ws):
    """Gradients of Σ ws·(VJP of the cotangents gs) with respect to the primals and the
    cotangents: reverse mode through a recorded batch of VJPs (jacrev(jacrev(f)))."""
    xs = [wg.tensor(a, requires_grad=True) for a in args]
    outs = [o for o in _float_outs(fn(*xs)) if o.requires_grad]
    if not outs:
        return None
    seeds = [wg.tensor(g, requires_grad=True) for g in gs]
    roots = [o.grad_fn if o.grad_fn is not None else o for o in outs]
    capture = {x: [i] for i, x in enumerate(xs)}
    res = run_backward(roots, seeds, True, True, capture)
    total = 0.0
    for r, w in zip(res, ws):
        if r is not None and r.requires_grad:
            total = total + (r * w).sum()
    if not isinstance(total, wg.Tensor):
        return [None] * (len(xs) + len(seeds))
    return [None if g is None else g.numpy()
            for g in wg.autograd.grad(total, xs + seeds, allow_unused=True)]


def _reverse_through_cotangent_batch_matches_loop(fn, args, rng, what):
    probe = [o for o in _float_outs(fn(*[wg.tensor(a, requires_grad=True) for a in args]))
             if o.requires_grad]
    if not probe:
        return
    gs = [rng.standard_normal((K,) + o.shape) for o in probe]
    ws = [rng.standard_normal((K,) + a.shape) for a in args]
    batched = _pull_through_pull(fn, args, gs, ws)
    singles = [_pull_through_pull(fn, args, [g[j] for g in gs], [w[j] for w in ws])
               for j in range(K)]
    n = len(args)
    for i in range(n):
        want = sum(np.zeros(args[i].shape) if s[i] is None else s[i] for s in singles)
        got = np.zeros(args[i].shape) if batched[i] is None else batched[i]
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12,
                                   err_msg=f"{what}: gradient to primal {i}")
    for k, g in enumerate(gs):
        got = np.zeros(g.shape) if batched[n + k] is None else batched[n + k]
        assert got.shape == g.shape, f"{what}: gradient to cotangent {k} has shape {got.shape}"
        for j, s in enumerate(singles):
            want = np.zeros(g.shape[1:]) if s[n + k] is None else s[n + k]
            np.testing.assert_allclose(got[j], want, rtol=1e-9, atol=1e-12,
                                       err_msg=f"{what}: gradient to cotangent {k}, entry {j}")


def check_batched_cotangents(row, shapes, kw):
    """jacrev's batch: K cotangents through one backward pass equal K single passes, with
    array cotangents (first order) and recorded Tensor ones (create_graph=True)."""
    args = row.make_args(shapes)
    rng = np.random.default_rng(8)
    fn = lambda *xs: row.fn(*xs, **kw)  # noqa: E731
    _cotangent_batch_matches_loop(fn, args, rng, "VJP", create=False)
    if row.order >= 2:
        _cotangent_batch_matches_loop(fn, args, rng, "VJP", create=True)
        _reverse_through_cotangent_batch_matches_loop(fn, args, rng, "VJP of the VJP")


def generic_tests(rows):
    """Define the generic tests for `rows` in the calling test module.

    Returns the three original ones (forward, gradients, float32), which the caller binds;
    the two batch tests (test_batched_tangents_match_a_loop,
    test_batched_cotangents_match_a_loop) are put into the caller's namespace directly, so
    every family gets them without changing its call."""
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

    @pytest.mark.parametrize("row,shapes,kw", params)
    def test_batched_tangents_match_a_loop(row, shapes, kw):
        check_batched_tangents(row, shapes, kw)

    @pytest.mark.parametrize("row,shapes,kw", params)
    def test_batched_cotangents_match_a_loop(row, shapes, kw):
        check_batched_cotangents(row, shapes, kw)

    caller = sys._getframe(1).f_globals
    caller["test_batched_tangents_match_a_loop"] = test_batched_tangents_match_a_loop
    caller["test_batched_cotangents_match_a_loop"] = test_batched_cotangents_match_a_loop
    return test_forward_matches_numpy, test_gradients_match_finite_differences, test_float32_stays_float32
