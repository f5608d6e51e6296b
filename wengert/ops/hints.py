"""What to use instead: NumPy functions that wengert does not differentiate, each with the
wengert spelling of what code that calls it usually means. Read only when an error is being
raised (ops/fallback.py), so it costs the ops nothing."""

__all__ = ["HINTS", "hint"]

HINTS = {
    "histogram": "bin counts are piecewise constant (gradient 0); for a differentiable "
                 "density, sum a smooth kernel: `wg.exp(-(x[:, None] - centers) ** 2 / h).sum(0)`",
    "histogram2d": "bin counts are piecewise constant; sum a smooth kernel per bin instead",
    "histogramdd": "bin counts are piecewise constant; sum a smooth kernel per bin instead",
    "histogram_bin_edges": "bin edges from data are piecewise constant; compute them on "
                           "x.detach()",
    "vectorize": "write the function with wg ops on whole tensors, or loop in Python and "
                 "`wg.stack` the results",
    "frompyfunc": "write the function with wg ops on whole tensors, or loop in Python and "
                  "`wg.stack` the results",
    "fromiter": "`wg.stack(list(iterable))` keeps the gradient of each element",
    "ix_": "the index arrays are constant: build them with np.ix_ on plain arrays",
    "nanargmax": "indices are constant: use it on x.detach()",
    "nanargmin": "indices are constant: use it on x.detach()",
}


def hint(what):
    """The suggestion for the NumPy function named `what` ('np.unique' or 'unique') as a
    clause for an error message (' (instead: …)'), or '' when there is none."""
    h = HINTS.get(what[3:] if what.startswith("np.") else what)
    return f" (instead: {h})" if h else ""
