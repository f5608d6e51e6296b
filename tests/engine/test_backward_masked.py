"""Masked gradients: where() hides the NaN and inf of the branch not taken, and the
singular rules it masks warn about nothing."""
import numpy as np
import pytest

import wengert as wg
from tests.helpers import leaf


# ---- masked gradients ----------------------------------------------------------------------------

def test_where_sqrt_has_no_nan_in_masked_gradient():
    x = leaf([-1.0, 0.0, 4.0])
    with np.errstate(invalid="ignore"):              # sqrt(-1) in the discarded branch
        y = wg.where(x > 0, wg.sqrt(x), 0.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.25])


def test_where_log_masked_second_order():
    x = leaf([-2.0, 0.0, 2.0])
    with np.errstate(all="ignore"):
        y = wg.where(x > 0, wg.log(x), 0.0).sum()
        (g,) = wg.autograd.grad(y, x, create_graph=True)
        (h,) = wg.autograd.grad(g.sum(), x)
    np.testing.assert_array_equal(g.numpy(force=True), [0.0, 0.0, 0.5])
    np.testing.assert_array_equal(h.numpy(force=True), [0.0, 0.0, -0.25])


def test_unmasked_infinite_gradient_still_shows():
    x = leaf([0.0, 4.0])
    with np.errstate(all="ignore"):
        wg.sqrt(x).sum().backward()
    assert np.isinf(x.grad.numpy()[0]) and x.grad.numpy()[1] == 0.25


def _no_warnings():
    import warnings
    w = warnings.catch_warnings()
    w.__enter__()
    warnings.simplefilter("error")                 # any warning fails the test
    return w


def test_masked_singular_rules_warn_about_nothing_they_mask():
    """A singular rule's inf/NaN partials, masked by a zero cotangent, are computed quietly:
    the pass ignores divide/invalid warnings once such a rule asks (engine.quiet)."""
    x = leaf([-2.0, 0.0, 2.0])
    with np.errstate(all="ignore"):                 # (the forward's discarded branches)
        y = wg.where(x > 0, wg.log(x) + wg.sqrt(x) + 1.0 / x, 0.0).sum()
    w = _no_warnings()
    try:
        (g,) = wg.autograd.grad(y, x, create_graph=True)
        (h,) = wg.autograd.grad(g.sum(), x)
    finally:
        w.__exit__(None, None, None)
    v = 2.0
    np.testing.assert_allclose(g.numpy(force=True), [0.0, 0.0, 1 / v + 0.5 / np.sqrt(v) - 1 / v**2])
    np.testing.assert_allclose(h.numpy(force=True), [0.0, 0.0, -1 / v**2 - 0.25 * v**-1.5 + 2 / v**3])


def test_a_masked_quotient_alone_warns_about_nothing():
    """The pass's only singular rule is a quotient's, whose ∂/∂n = 1/d divides by zero where
    the cotangent is masked (by a product with 0, no `where`, whose general rule would ask
    for quiet first): it must ask before it computes that."""
    n, d = leaf([1.0, 1.0, 1.0]), leaf([-2.0, 0.0, 2.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        y = ((n / d) * wg.tensor([1.0, 0.0, 1.0])).sum()
    w = _no_warnings()
    try:
        y.backward()
    finally:
        w.__exit__(None, None, None)
    np.testing.assert_array_equal(n.grad.numpy(), [-0.5, 0.0, 0.5])
    np.testing.assert_array_equal(d.grad.numpy(), [-0.25, 0.0, -0.25])


def test_a_pass_without_singular_rules_stays_as_loud_as_numpy():
    """Nothing asked for quiet: cos(inf) in sin's rule warns as NumPy would (the forward's
    sin(inf) did too), instead of leaving a silent NaN."""
    x = leaf([np.inf, 1.0])
    with np.errstate(invalid="ignore"):
        y = wg.sin(x).sum()
    with pytest.warns(RuntimeWarning, match="invalid value"):
        y.backward()
    assert np.isnan(x.grad.numpy()[0]) and x.grad.numpy()[1] == pytest.approx(np.cos(1.0))


def test_quiet_belongs_to_its_pass_and_ends_with_it():
    """A pass inside a hook asks for quiet; once it ends, the outer pass (which asked for
    nothing) is as loud as before, and nothing outlives either pass."""
    from wengert.engine import errstate as quiet

    def inner_pass(g):
        z = leaf(0.0)
        with np.errstate(divide="ignore"):
            w = wg.where(z > 0, wg.log(z), 0.0)
        w.backward()                                # inner pass: log's rule asks for quiet
        return None

    x = leaf([np.inf, 1.0])
    with np.errstate(invalid="ignore"):
        u = wg.sin(x)
    u.register_hook(inner_pass)                     # runs before sin's rule, cos(inf)
    y = (u * 2.0).sum()
    with pytest.warns(RuntimeWarning, match="invalid value"):
        y.backward()
    assert np.geterr()["divide"] == "warn" and np.geterr()["invalid"] == "warn"
    assert quiet.state.running is False and quiet.state.quiet is None
