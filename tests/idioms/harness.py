"""Run one idiom through wengert and judge it against plain NumPy.

The reference is the idiom's function on ndarrays. Its gradient is central finite differences
(float64, ε = 1e-6) of the scalarised function (tests/numcheck.scalarize). wengert runs it in
the styles the idiom names:
- "transform": wg.value_and_grad over every argument (has_aux gives the full output);
- "backward":  tensors with requires_grad=True, then .backward() on the scalar.
Flagged idioms also check wg.jacfwd of argument 0 against the finite-difference Jacobian, and
wg.hessian of argument 0 against finite differences of wengert's own (checked) gradient.

The verdict: "ok" (every value and derivative right), "wrong" (a number differs: never
acceptable), or "raises" (an exception, kept for the caller to judge).
"""
import traceback
from dataclasses import dataclass, field

import numpy as np

import wengert as wg
from tests.numcheck import central_diff, copies, mismatch, weights

VALUE_RTOL, VALUE_ATOL = 1e-8, 1e-10
HESS_RTOL, HESS_ATOL = 1e-4, 1e-5


@dataclass
class Verdict:
    status: str                       # "ok", "wrong" or "raises"
    details: list = field(default_factory=list)   # (check, text) for every problem found
    errors: list = field(default_factory=list)    # (check, exception) for every raise

    def describe(self):
        return "\n".join(f"[{c}] {t}" for c, t in self.details)


def scalarizer(shape):
    """out ↦ out when one element, else Σ out·W (W fixed, random)."""
    if int(np.prod(shape)) == 1:
        return lambda out: out
    w = weights(shape)
    return lambda out: np.sum(out * w)


def _value(out):
    if isinstance(out, wg.Tensor):
        return out.detach().numpy()
    return np.asarray(out, dtype=np.float64)


def reference(idiom):
    """(args, output, scalar function F, F's value, finite-difference gradients)."""
    args = idiom.args()
    ref = np.asarray(idiom.fn(*copies(args)), dtype=np.float64)
    sc = scalarizer(ref.shape)

    def F(*xs):
        out = sc(idiom.fn(*xs))
        return np.reshape(out, ()) if np.size(out) == 1 else out
    fval = float(np.asarray(F(*copies(args))).reshape(()))
    fd = [central_diff(F, args, i) for i in range(len(args))]
    return args, ref, sc, F, fval, fd


class _Judge:
    def __init__(self, idiom):
        self.idiom = idiom
        self.details, self.errors = [], []
        self.wrong = False

    def compare(self, check, got, want, rtol, atol):
        text = mismatch(got, want, rtol, atol, check)
        if text is not None:
            self.wrong = True
            self.details.append((check, "WRONG " + text))

    def attempt(self, check, thunk):
        try:
            thunk()
        except Exception as e:                                    # judged by the caller
            self.errors.append((check, e))
            tb = traceback.extract_tb(e.__traceback__)[-1]
            self.details.append((check, f"{type(e).__name__}: {e}  (at {tb.filename.rsplit('/', 1)[-1]}:{tb.lineno})"))

    def verdict(self):
        status = "wrong" if self.wrong else "raises" if self.errors else "ok"
        return Verdict(status, self.details, self.errors)


def run(idiom, checks=None):
    """Judge the idiom: every style, and jacfwd/hessian where flagged (or where `checks` asks)."""
    args, ref, sc, F, fval, fd = reference(idiom)
    n = len(args)
    j = _Judge(idiom)
    gscale = max([1.0, abs(fval)] + [float(np.max(np.abs(g))) for g in fd if g.size])
    gatol = idiom.atol * gscale
    vatol = VALUE_ATOL * max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)
    checks = set(checks or ())
    styles = [s for s in idiom.styles]
    if idiom.fwd:
        checks.add("jacfwd")
    if idiom.order2:
        checks.add("hessian")

    def transform():
        def fa(*xs):
            out = idiom.fn(*xs)
            return sc(out), out
        (val, aux), grads = wg.value_and_grad(fa, argnums=tuple(range(n)), has_aux=True)(*copies(args))
        j.compare("transform value", _value(aux), ref, VALUE_RTOL, vatol)
        j.compare("transform scalar", _value(val), fval, VALUE_RTOL, vatol * max(1.0, abs(fval)))
        for i in range(n):
            j.compare(f"transform grad[{i}]", _value(grads[i]), fd[i], idiom.rtol, gatol)

    def backward():
        ts = [wg.tensor(a, requires_grad=True) for a in copies(args)]
        out = idiom.fn(*ts)
        j.compare("backward value", _value(out), ref, VALUE_RTOL, vatol)
        s = sc(out)
        if not (isinstance(s, wg.Tensor) and s.requires_grad):
            if any(np.any(g != 0) for g in fd):
                j.wrong = True
                j.details.append(("backward", "WRONG the output left the graph (no grad_fn) "
                                  "though it depends on the inputs"))
            return
        s.backward()
        for i, t in enumerate(ts):
            g = np.zeros_like(args[i]) if t.grad is None else t.grad.numpy(force=True)
            j.compare(f"backward grad[{i}]", g, fd[i], idiom.rtol, gatol)

    def jacfwd():
        jac = wg.jacfwd(idiom.fn, argnums=0)(*copies(args))
        want = central_diff(idiom.fn, args, 0)
        j.compare("jacfwd", _value(jac), want, idiom.rtol, idiom.atol * max(1.0, float(np.max(np.abs(want)))))

    def hessian():
        hess = wg.hessian(F, argnums=0)(*copies(args))
        g = wg.grad(F, argnums=0)
        want = central_diff(lambda *xs: g(*xs), args, 0, eps=1e-5)
        j.compare("hessian", _value(hess), want, HESS_RTOL,
                  HESS_ATOL * max(1.0, float(np.max(np.abs(want)))))

    for name, thunk in (("transform", transform), ("backward", backward)):
        if name in styles:
            j.attempt(name, thunk)
    for name, thunk in (("jacfwd", jacfwd), ("hessian", hessian)):
        if name in checks:
            j.attempt(name, thunk)
    return j.verdict()
