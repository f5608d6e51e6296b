"""wg.compile against the uncompiled call for the ops most recently made to compile (interp,
angle, unwrap, nanargmax/nanargmin, det, convolve/correlate/polymul, relu): compiled at a usual
input, the same compiled function called at special ones gives the uncompiled result."""

import numpy as np

import wengert as wg
from tests.helpers import compiled_agrees


def test_interp_infinite_knot_decided_per_call():
    # x at an infinite knot takes fp there (the test for an infinite knot is a guard)
    fp = np.array([1.0, 2.0, 4.0])
    f = lambda x, xp: wg.interp(x, xp, fp)
    g = wg.grad(lambda x, xp: wg.sum(wg.interp(x, xp, fp)), argnums=(0, 1))
    usual = (np.array([0.5, 3.0]), np.array([0.0, 1.0, 2.0]))
    special = [(np.array([0.5, np.inf]), np.array([0.0, 1.0, np.inf])),
               (np.array([-np.inf, np.inf]), np.array([-np.inf, 1.0, np.inf]))]
    compiled_agrees(f, usual, *special)
    compiled_agrees(g, usual, *special)


def test_convolve_correlate_of_complex_values_compile():
    # (compiled, the complex products went through where: TypeError "where of a complex value
    # that a gradient (or tangent) flows through", where the uncompiled call gives the numbers)
    a = np.array([1.0, 2.0, 3.0])
    for name in ("convolve", "correlate"):
        f = lambda a, v: getattr(wg, name)(a, v, "full")
        compiled_agrees(f, (a, np.array([1 + 2j, 3j])), (a, np.array([1 - 2j, 1j])),
               (a, np.array([np.inf + 0j, 1j])))


def test_polymul_leading_zeros_decided_per_call():
    # the count of leading zeros is a guard; their derivative is taken where they are dropped
    q = np.array([0.5, -1.0])
    g = wg.grad(lambda p, q: wg.sum(wg.polymul(p, q) ** 2), argnums=(0, 1))
    compiled_agrees(g, (np.array([1.0, 2.0, 1.0]), q), (np.array([0.0, 0.0, 1.0]), q),
           (np.array([0.0, 2.0, 1.0]), np.array([0.0, 1.0])), (np.zeros(3), np.zeros(2)))
    compiled_agrees(lambda p, q: wg.polymul(p, q), (np.array([1.0, 2.0, 1.0]), q),
           (np.array([0.0, 1.0, 2.0]), np.array([1.0, np.inf])))
