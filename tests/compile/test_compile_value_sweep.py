"""The op-table rows of the families outside the reductions (nn, elementwise, differences,
ufuncs_more, special, signal, shape, linalg, …), compiled at their usual inputs and called at
special ones of the same shape: zeros, ones (ties everywhere), negatives, a NaN, +inf, -inf, a
repeated value, ±1000. Each call must give the uncompiled result (or its error), or a clear
refusal (TraceError); a compiled call that takes the branch of its first call is a wrong
number. Forward, gradient of a weighted sum and (order 2) Hessian-vector product, float64."""
import warnings

import numpy as np
import pytest

import wengert as wg
from tests.compile.test_compile_ops import _leaves, _loss, _rows, _setup

FAMILIES = ("nn", "elementwise", "differences", "ufuncs_more", "special", "signal", "shape",
            "products", "rearrange", "assemble", "torch_more_ops", "linalg_decompositions",
            "linalg_eigen", "linalg_inverses", "linalg_norms", "linalg_products")
# LAPACK's SVD and eigen solvers may not return on a matrix holding ±inf (uncompiled too)
NO_INF = ("linalg_",)
# clear refusals of the compiled call where the uncompiled one, on tensors that need no
# gradient, gives a number: a compiled function's inputs are traced as differentiated, and eig
# refuses a complex result that a gradient could reach (as at a first call there)
REFUSALS = ("wg.compile cannot", "wengert.linalg.eig: the result is complex here")


def _specials(a, no_inf):
    if a.dtype.kind != "f":
        return {}
    out = {"zeros": np.zeros_like(a), "ones": np.ones_like(a), "neg": -np.abs(a) - 0.5,
           "big": np.where(a < 0, -1000.0, 1000.0), "-big": np.where(a < 0, 1000.0, -1000.0)}
    if a.size:
        for name, at, v in (("nan", 0, np.nan), ("+inf", 0, np.inf), ("-inf", -1, -np.inf),
                            ("ties", -1, None)):
            if no_inf and "inf" in name:
                continue
            b = a.copy()
            b.flat[at] = a.flat[0] if v is None else v
            out[name] = b
    return {k: v.astype(a.dtype) for k, v in out.items()}


def _run(f, args):
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return [np.asarray(o) for o in _leaves(f(*args))]
    except Exception as e:      # (compared by type with the uncompiled call's)
        return e


def _differ(got, want):
    if isinstance(want, Exception) or isinstance(got, Exception):
        if isinstance(got, TypeError) and not isinstance(want, TypeError):
            return not str(got).startswith(REFUSALS)
        return type(got) is not type(want)
    for g, w in zip(got, want):
        if g.shape != w.shape or g.dtype != w.dtype:
            return True
        if g.dtype.kind in "fc":
            if not np.allclose(g, w, rtol=1e-9, atol=1e-9, equal_nan=True):
                return True
        elif not np.array_equal(g, w):
            return True
    return False


ROWS = [p for p in _rows() if p.id.split("-")[0] in FAMILIES]


@pytest.mark.parametrize("row", ROWS)
def test_compiled_at_usual_inputs_right_at_special_ones(row, request):
    rid = request.node.callspec.id
    args, kw, ws = _setup(row, np.float64)
    fns = {"f": lambda *a: row.fn(*a, **kw)}
    if row.order >= 1 and all(np.asarray(w).dtype.kind == "f" for w in ws):
        fns["g"] = wg.grad(_loss(row, kw, ws), argnums=tuple(range(len(args))))
        if row.order >= 2:
            rest = args[1:]
            fns["h"] = lambda x, v: wg.hvp(lambda x: _loss(row, kw, ws)(x, *rest), x, v)
    no_inf = rid.startswith(NO_INF)
    wrong = []
    for name, f in fns.items():
        usual = list(args) if name != "h" else [args[0], np.ones_like(args[0])]
        c = wg.compile(f)
        if isinstance(_run(c, usual), Exception):
            continue                    # (refused at the usual input: test_compile_ops's)
        for i in range(len(usual)):
            for sname, s in _specials(np.asarray(usual[i]), no_inf).items():
                call = list(usual)
                call[i] = s
                # (the uncompiled forward on tensors: the row's fn on ndarrays may be NumPy's)
                eager = [wg.tensor(a) if name == "f" and isinstance(a, np.ndarray) else a
                         for a in call]
                if _differ(_run(c, call), _run(f, eager)):
                    wrong.append(f"{name} arg{i} {sname}")
    assert not wrong, f"{rid}: compiled at the usual input, wrong at: {wrong}"
