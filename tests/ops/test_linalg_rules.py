"""Each linalg primitive's JVP rule against finite differences, and its rules with leading
batch axes on cotangents / tangents, checked directly."""
import numpy as np
import pytest

import wengert as wg
from tests.ops.linalg_cases import (away_from_zero, distinct_sv, distinct_sym, INF, _leaf, spd,
    wc_then_uniform, well_conditioned)
from wengert.ops._primitive import Cotangents, LinearOp
from wengert.tensor import Tensor


def _node_of(out):
    first = out[0] if isinstance(out, tuple) else out
    node = first.grad_fn
    return node.parents[0] if isinstance(out, tuple) else node


def _saved(node):
    if isinstance(node.op, LinearOp):
        return []
    return [s.data if isinstance(s, Tensor) else s for s in node.saved]


def _params(node):
    return node.params[1] if isinstance(node.op, LinearOp) else node.params


def _as_tuple(x):
    return tuple(x) if isinstance(x, tuple) else (x,)


def _zero_if_none(t, like):
    return np.zeros_like(like) if t is None else t


SYM = "sym"          # tangents must be symmetric (the op reads one triangle)


RULE_CASES = [
    ("matmul", lambda a, b: wg.matmul(a, b), [(2, 3), (3, 4)], None),
    ("matmul-vec-mat", lambda a, b: wg.matmul(a, b), [(3,), (2, 3, 4)], None),
    ("matmul-mat-vec", lambda a, b: wg.matmul(a, b), [(2, 2, 3), (3,)], None),
    ("matmul-vec-vec", lambda a, b: wg.matmul(a, b), [(3,), (3,)], None),
    # matrix·vector: a batch of (co)tangents goes through one gemm, not a matvec per entry
    ("matmul-2d-vec", lambda a, b: wg.matmul(a, b), [(2, 3), (3,)], None),
    ("matmul-vec-2d", lambda a, b: wg.matmul(a, b), [(3,), (3, 4)], None),
    ("matmul-bcast", lambda a, b: wg.matmul(a, b), [(2, 1, 2, 3), (3, 3, 2)], None),
    ("tensordot", lambda a, b: wg.tensordot(a, b, axes=([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 5)],
     None),
    ("einsum", lambda a, b: wg.einsum("...ij,jk->...ik", a, b), [(2, 2, 3), (3, 4)], None),
    ("einsum-diag", lambda a, b: wg.einsum("iij,i->ji", a, b), [(3, 3, 2), (3,)], None),
    ("einsum-bcast", lambda a, b: wg.einsum("ij,ij->j", a, b), [(1, 3), (2, 3)], None),
    ("diagonal", lambda a: wg.diagonal(a, 1, 2, 0), [(3, 2, 4)], None),
    ("inv", wg.linalg.inv, [(2, 3, 3)], well_conditioned),
    ("det", wg.linalg.det, [(2, 3, 3)], well_conditioned),
    ("slogdet", lambda a: tuple(wg.linalg.slogdet(a)), [(2, 3, 3)], well_conditioned),
    ("solve", wg.linalg.solve, [(2, 3, 3), (3, 2)], wc_then_uniform),
    ("solve-vec", wg.linalg.solve, [(2, 3, 3), (3,)], wc_then_uniform),
    ("cholesky", wg.linalg.cholesky, [(2, 3, 3)], spd),
    ("eigh", lambda a: tuple(wg.linalg.eigh(a)), [(2, 3, 3)], distinct_sym),
    ("qr-tall", lambda a: tuple(wg.linalg.qr(a)), [(2, 4, 3)], distinct_sv),
    ("qr-wide", lambda a: tuple(wg.linalg.qr(a)), [(3, 5)], distinct_sv),
    ("svd-tall", lambda a: tuple(wg.linalg.svd(a, full_matrices=False)), [(2, 4, 3)],
     distinct_sv),
    ("svd-wide", lambda a: tuple(wg.linalg.svd(a, full_matrices=False)), [(3, 4)], distinct_sv),
    ("vector_norm", lambda a: wg.linalg.vector_norm(a, axis=-1), [(2, 3)], away_from_zero),
    ("vector_norm-p", lambda a: wg.linalg.vector_norm(a, ord=3, axis=0, keepdims=True),
     [(2, 3)], away_from_zero),
    ("vector_norm-inf", lambda a: wg.linalg.vector_norm(a, ord=INF), [(2, 3)], away_from_zero),
]


SYMMETRIC_INPUT = {"cholesky", "eigh"}


def _case_args(name, shapes, sample, rng):
    if sample is None:
        return [rng.standard_normal(s) for s in shapes]
    return [np.asarray(sample(rng, s, i), dtype=float) for i, s in enumerate(shapes)]


def _tangent(name, shape, rng, lead=()):
    t = rng.standard_normal(lead + shape)
    if name in SYMMETRIC_INPUT:
        t = (t + np.swapaxes(t, -1, -2)) / 2
    return t


@pytest.mark.parametrize("name,f,shapes,sample", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_jvp_rule_matches_finite_differences(name, f, shapes, sample):
    rng = np.random.default_rng(0)
    args = _case_args(name, shapes, sample, rng)
    out = f(*[_leaf(a) for a in args])
    node = _node_of(out)
    op = node.op
    tangents = [_tangent(name, np.shape(a), rng) for a in args]
    got = _as_tuple(op.jvp(tuple(tangents), *_saved(node), **_params(node)))
    h = 1e-6

    def fwd(sign):
        return _as_tuple(op.forward(*[a + sign * h * t for a, t in zip(args, tangents)],
                                    **_params(node)))
    want = [(p - m) / (2 * h) for p, m in zip(fwd(1), fwd(-1))]
    for g, w, o in zip(got, want, _as_tuple(out)):
        g = _zero_if_none(g, w)
        assert np.shape(g) == np.shape(o.numpy(force=True))
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)
    # one tangent at a time (the others None) adds up to the same
    if len(args) > 1:
        total = None
        for i in range(len(args)):
            ts = tuple(t if j == i else None for j, t in enumerate(tangents))
            part = _as_tuple(op.jvp(ts, *_saved(node), **_params(node)))
            total = part if total is None else tuple(a + b for a, b in zip(total, part))
        for a, b in zip(total, got):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,f,shapes,sample", RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_rules_accept_leading_batch_axes(name, f, shapes, sample):
    """A batch of tangents (cotangents) in front gives the batch of single results."""
    rng = np.random.default_rng(1)
    args = _case_args(name, shapes, sample, rng)
    out = f(*[_leaf(a) for a in args])
    node = _node_of(out)
    op, saved = node.op, _saved(node)
    outs = [o.numpy(force=True) for o in _as_tuple(out)]
    lead = (2,)
    # forward mode
    tangents = [_tangent(name, np.shape(a), rng, lead) for a in args]
    batched = _as_tuple(op.jvp(tuple(tangents), *saved, **_params(node)))
    for k in range(lead[0]):
        single = _as_tuple(op.jvp(tuple(t[k] for t in tangents), *saved, **_params(node)))
        for b, s, o in zip(batched, single, outs):
            if b is None:
                assert s is None
                continue
            assert np.shape(b) == lead + o.shape
            np.testing.assert_allclose(np.asarray(b)[k], s, rtol=1e-10, atol=1e-12)
    # reverse mode
    cots = [rng.standard_normal(lead + o.shape) for o in outs]

    def backward(gs):
        g = Cotangents(gs) if isinstance(out, tuple) else gs[0]
        return node.op.backward(node, g, False)
    batched = backward(cots)
    for k in range(lead[0]):
        single = backward([c[k] for c in cots])
        for b, s, a in zip(batched, single, args):
            assert np.shape(b) == lead + np.shape(a)
            np.testing.assert_allclose(np.asarray(b)[k], s, rtol=1e-10, atol=1e-12)
