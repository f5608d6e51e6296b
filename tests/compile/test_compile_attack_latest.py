"""wg.compile against the uncompiled call for the ops most recently made to compile (interp,
angle, unwrap, nanargmax/nanargmin, det, convolve/correlate/polymul, relu): compiled at a usual
input, the same compiled function called at special ones gives the uncompiled result."""
import warnings

import numpy as np

import wengert as wg


def _run(f, args):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = f(*args)
    except (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError) as e:
        return type(e), str(e)[:40]
    return [np.asarray(o) for o in (out if isinstance(out, (tuple, list)) else (out,))]


def _agree(f, usual, *special):
    """Compile f at `usual`, then call the same compiled function at each of `special`."""
    c = wg.compile(f)
    for args in (usual,) + special + (usual,):
        got, want = _run(c, args), _run(f, args)
        if isinstance(want, tuple):
            assert got == want, (args, got, want)
            continue
        assert not isinstance(got, tuple), (args, got, want)
        for g, w in zip(got, want):
            assert g.shape == w.shape and g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12, equal_nan=True,
                                       err_msg=str(args))


def test_interp_infinite_knot_decided_per_call():
    # x at an infinite knot takes fp there (the test for an infinite knot is a guard)
    fp = np.array([1.0, 2.0, 4.0])
    f = lambda x, xp: wg.interp(x, xp, fp)
    g = wg.grad(lambda x, xp: wg.sum(wg.interp(x, xp, fp)), argnums=(0, 1))
    usual = (np.array([0.5, 3.0]), np.array([0.0, 1.0, 2.0]))
    special = [(np.array([0.5, np.inf]), np.array([0.0, 1.0, np.inf])),
               (np.array([-np.inf, np.inf]), np.array([-np.inf, 1.0, np.inf]))]
    _agree(f, usual, *special)
    _agree(g, usual, *special)


def test_convolve_correlate_of_complex_values_compile():
    # (compiled, the complex products went through where: TypeError "where of a complex value
    # that a gradient (or tangent) flows through", where the uncompiled call gives the numbers)
    a = np.array([1.0, 2.0, 3.0])
    for name in ("convolve", "correlate"):
        f = lambda a, v: getattr(wg, name)(a, v, "full")
        _agree(f, (a, np.array([1 + 2j, 3j])), (a, np.array([1 - 2j, 1j])),
               (a, np.array([np.inf + 0j, 1j])))


def test_polymul_leading_zeros_decided_per_call():
    # the count of leading zeros is a guard; their derivative is taken where they are dropped
    q = np.array([0.5, -1.0])
    g = wg.grad(lambda p, q: wg.sum(wg.polymul(p, q) ** 2), argnums=(0, 1))
    _agree(g, (np.array([1.0, 2.0, 1.0]), q), (np.array([0.0, 0.0, 1.0]), q),
           (np.array([0.0, 2.0, 1.0]), np.array([0.0, 1.0])), (np.zeros(3), np.zeros(2)))
    _agree(lambda p, q: wg.polymul(p, q), (np.array([1.0, 2.0, 1.0]), q),
           (np.array([0.0, 1.0, 2.0]), np.array([1.0, np.inf])))
