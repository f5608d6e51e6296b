"""What to use instead: NumPy functions that wengert does not differentiate, each with the
wengert spelling of what code that calls it usually means. Read only when an error is being
raised (tensor._fallback), so it costs the ops nothing."""

__all__ = ["HINTS", "hint"]

_SCATTER = ("an index update that stays differentiable: `x = x + wg.where(mask, v, 0)`, or "
            "index assignment on a tensor (`x[idx] = v`) outside the saved graph")

HINTS = {
    "unique": "the unique values are a selection: `wg.take(x, idx)` with idx = "
              "np.unique(x.detach().numpy(), return_index=True)[1] keeps the gradient",
    "histogram": "bin counts are piecewise constant (gradient 0); for a differentiable "
                 "density, sum a smooth kernel: `wg.exp(-(x[:, None] - centers) ** 2 / h).sum(0)`",
    "histogram2d": "bin counts are piecewise constant; sum a smooth kernel per bin instead",
    "histogramdd": "bin counts are piecewise constant; sum a smooth kernel per bin instead",
    "histogram_bin_edges": "bin edges from data are piecewise constant; compute them on "
                           "x.detach()",
    "bincount": "with weights it is linear in them: "
                "`wg.sum(wg.where(idx[:, None] == np.arange(n), w[:, None], 0.0), axis=0)`",
    "digitize": "bin indices are constant: compute them on x.detach() (np.digitize) and "
                "gather with `wg.take`",
    "piecewise": "`wg.where(cond, f(x), g(x))` (or `wg.select`) evaluates each piece "
                 "differentiably",
    "vectorize": "write the function with wg ops on whole tensors, or loop in Python and "
                 "`wg.stack` the results",
    "frompyfunc": "write the function with wg ops on whole tensors, or loop in Python and "
                  "`wg.stack` the results",
    "fromiter": "`wg.stack(list(iterable))` keeps the gradient of each element",
    "apply_along_axis": "loop over the other axes and `wg.stack` the results, or write the "
                        "function to take the axis (most wg functions have axis=)",
    "apply_over_axes": "call the wg function with axis=(...) and keepdims=True",
    "lexsort": "sort keys are constant: compute the order on .detach()ed keys, then "
               "`wg.take_along_axis(x, order, axis)`",
    "put": _SCATTER,
    "place": _SCATTER,
    "putmask": "`wg.where(mask, values, x)`",
    "copyto": "`wg.where(where, src, dst)` (or plain assignment of the tensor)",
    "fill_diagonal": "`x * (1 - wg.eye(n)) + wg.diag(values)` (or `wg.where(np.eye(n, "
                     "dtype=bool), v, x)`)",
    "put_along_axis": _SCATTER,
    "ix_": "the index arrays are constant: build them with np.ix_ on plain arrays",
    "nanargmax": "indices are constant: use it on x.detach()",
    "nanargmin": "indices are constant: use it on x.detach()",
}


def hint(what):
    """The suggestion for the NumPy function named `what` ('np.unique' or 'unique') as a
    clause for an error message (' (instead: …)'), or '' when there is none."""
    h = HINTS.get(what[3:] if what.startswith("np.") else what)
    return f" (instead: {h})" if h else ""
