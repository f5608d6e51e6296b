"""NumPy functions that stay non-differentiable raise a TypeError that names the wengert way
(wengert/ops/hints.py, read by ops/fallback.py)."""
import numpy as np
import pytest

import wengert as wg
from wengert.ops.hints import HINTS, hint


def x():
    return wg.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)


# one call per hint that NumPy routes through __array_function__ with a tensor that needs grad
CALLS = {
    "histogram": lambda t: np.histogram(t),
    "histogram2d": lambda t: np.histogram2d(t, t),
    "histogramdd": lambda t: np.histogramdd(wg.stack([t, t], axis=1)),
    "histogram_bin_edges": lambda t: np.histogram_bin_edges(t),
    "ix_": lambda t: np.ix_(t, t),
    "nanargmax": lambda t: np.nanargmax(t),
    "nanargmin": lambda t: np.nanargmin(t),
}
# hints for callables that never reach __array_function__ (NumPy builds them or iterates)
LOOKED_UP = ["vectorize", "frompyfunc", "fromiter"]


def test_every_hint_is_tested():
    assert set(HINTS) == set(CALLS) | set(LOOKED_UP)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_error_names_the_wengert_way(name):
    """Either the call raises the TypeError carrying the hint, or wengert has since made the
    function differentiable (then its hint is never read, and the result must carry grad)."""
    try:
        out = CALLS[name](x())
    except TypeError as e:
        msg = str(e)
        assert f"np.{name} is not differentiable in wengert" in msg
        assert HINTS[name] in msg and "use a wengert function" in msg
        return
    outs = out if isinstance(out, (tuple, list)) else [out]
    assert any(isinstance(o, wg.Tensor) and o.requires_grad for o in outs) or \
        all(not isinstance(o, wg.Tensor) or o.dtype.kind in "iub" for o in outs), \
        f"np.{name} returned a detached floating result without an error"


@pytest.mark.parametrize("name", LOOKED_UP)
def test_hints_are_looked_up_by_numpy_name(name):
    assert hint(f"np.{name}") == f" (instead: {HINTS[name]})"
    assert hint(name) == hint(f"np.{name}")


def test_functions_without_a_hint_keep_the_plain_message():
    assert hint("np.no_such_function") == ""
    with pytest.raises(TypeError, match=r"np\.\w+ is not differentiable in wengert; use a "):
        np.packbits(x())


def test_constants_still_work_without_an_error():
    out = np.unique(wg.tensor([2.0, 1.0, 2.0]))
    assert out.tolist() == [1.0, 2.0]
