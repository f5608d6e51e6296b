"""Hostile user functions compiled by wg.compile at usual inputs, then called at inputs that
take another branch inside an op (a zero, a NaN, an infinity, a tie, a sign change): the
same compiled function must give the uncompiled numbers (or refuse with a TraceError, or
retrace on a guard), never the branch taken at tracing. Each test here reproduced a silent
wrong number before its fix."""
import warnings

import numpy as np
import pytest

import wengert as wg
from wengert.compile import TraceError


def _run(f, args):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = f(*args)
    except TraceError:
        raise
    except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as e:
        return type(e), str(e)[:40]
    return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else (out,))]


def _agree(f, usual, *special):
    """Compile f at `usual`, then call the same compiled function at each of `special` (and
    at `usual` again): its results are f's, NaN equal to NaN."""
    c = wg.compile(f)
    for args in (usual,) + special + (usual,):
        got, want = _run(c, args), _run(f, args)
        if isinstance(want, tuple):
            assert got == want, (args, got, want)
            continue
        assert not isinstance(got, tuple), (args, got, want)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype, (args, g, w)
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                       err_msg=str(args))


def _weighted(f):
    """A scalar loss of f's result whose gradient weighs every entry differently."""
    return lambda x: wg.sum(f(x) * np.arange(1.0, np.size(x) + 1).reshape(np.shape(x)))


def test_sinc_at_zero_after_a_trace_away_from_zero():
    # the Taylor mask |πx| < 0.1 was read off the traced value's data: a constant, so
    # sinc(0) compiled at x away from 0 gave sin(0)/0 = NaN (eager 1; gradient 0)
    usual, at0 = (np.array([1.3, 2.2]),), (np.array([0.0, 2.2]),)
    near0 = (np.array([0.05, -0.01]),)
    _agree(wg.sinc, usual, at0, near0)
    _agree(wg.grad(_weighted(wg.sinc)), usual, at0, near0)
    _agree(wg.hessian(lambda x: wg.sum(wg.sinc(x))), usual, at0, near0)
    _agree(wg.sinc, near0, usual)           # (and traced at the small branch)
