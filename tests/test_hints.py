"""NumPy functions that stay non-differentiable raise a TypeError that names the wengert way
(wengert/ops/hints.py, read by tensor._fallback)."""
import numpy as np
import pytest

import wengert as wg
from wengert.ops.hints import HINTS, hint


def x():
    return wg.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)


# one call per hint that NumPy routes through __array_function__ with a tensor that needs grad
CALLS = {
    "unique": lambda t: np.unique(t),
    "histogram": lambda t: np.histogram(t),
    "histogram2d": lambda t: np.histogram2d(t, t),
    "histogramdd": lambda t: np.histogramdd(wg.stack([t, t], axis=1)),
    "histogram_bin_edges": lambda t: np.histogram_bin_edges(t),
    "bincount": lambda t: np.bincount(np.array([0, 1, 1, 2]), weights=t),
    "digitize": lambda t: np.digitize(t, np.array([1.5, 2.5])),
    "piecewise": lambda t: np.piecewise(t, [np.array([True, False, True, False])], [1.0, 2.0]),
    "apply_along_axis": lambda t: np.apply_along_axis(np.sum, 0, t),
    "apply_over_axes": lambda t: np.apply_over_axes(np.sum, t, [0]),
    "lexsort": lambda t: np.lexsort((t, t)),
    "put": lambda t: np.put(t, [0], [1.0]),
    "place": lambda t: np.place(t, np.array([True, False, False, False]), [1.0]),
    "putmask": lambda t: np.putmask(t, np.array([True, False, False, False]), 1.0),
    "copyto": lambda t: np.copyto(t, 1.0),
    "fill_diagonal": lambda t: np.fill_diagonal(wg.reshape(t, (2, 2)), 0.0),
    "put_along_axis": lambda t: np.put_along_axis(t, np.array([0]), 1.0, axis=0),
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
