"""Machine-learning functions: sigmoid relu softplus gelu softmax log_softmax, and erf.

Every forward is written so that extreme inputs (±1000, ±inf) neither overflow nor produce
NaN or RuntimeWarnings, and every derivative stays finite there too. Rules use NumPy
vocabulary (or, for erf, a helper that picks the array kernel or the wengert op), so they
differentiate again.
"""
import math

import numpy as np

from ..tensor import Tensor, _make
from ._primitive import UnaryOp, masked_mul, primitive, unary
from ._shapes import negative_axes

__all__ = ["sigmoid", "relu", "softplus", "gelu", "softmax", "log_softmax", "erf", "linear"]


# ---- erf --------------------------------------------------------------------------------------
# NumPy has no erf (and SciPy is no dependency). Around each centre c = k/8, k = 0 … 48, erf is
# replaced by its Taylor polynomial of degree 12, with coefficients from
#     erf⁽ⁿ⁾(c) = (2/√π) (−1)ⁿ⁻¹ Hₙ₋₁(c) e^(−c²)     (Hₙ: physicists' Hermite polynomials),
# erf(c) itself from math.erf. For |x − c| ≤ 1/16 the remainder is below 1e-17, so the result is
# within 2 ulp of erf(x) (tests/ops/test_nn.py checks it against math.erf); beyond 6, erf is 1
# to double precision. A large array costs one table lookup and 12 multiply-adds per element;
# a small one (where NumPy's per-call overhead dominates) goes through math.erf instead.

_ERF_STEP, _ERF_TOP, _ERF_DEG = 0.125, 6.0, 12
_ERF_KMAX = _ERF_TOP / _ERF_STEP
_ERF_SMALL = 256                 # element count below which NumPy's per-call overhead outweighs
                                 # a Python loop of math.erf
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _erf_taylor_table():
    """Row n: the n-th Taylor coefficient of erf about each centre c = k·step."""
    rows = np.empty((_ERF_DEG + 1, int(_ERF_KMAX) + 1))
    for k in range(rows.shape[1]):
        c = k * _ERF_STEP
        herm = [1.0, 2 * c]                                   # H₀, H₁
        for n in range(1, _ERF_DEG - 1):
            herm.append(2 * c * herm[n] - 2 * n * herm[n - 1])  # Hₙ₊₁ = 2c Hₙ − 2n Hₙ₋₁
        scale = _TWO_OVER_SQRT_PI * math.exp(-c * c)
        rows[0, k] = math.erf(c)
        for n in range(1, _ERF_DEG + 1):
            rows[n, k] = scale * (-1) ** (n - 1) * herm[n - 1] / math.factorial(n)
    return rows


_ERF_TABLE = _erf_taylor_table()
_erf_scalar = np.frompyfunc(math.erf, 1, 1)


def _erf_array(x):
    """erf of an array, computed in float64 and returned in x's floating dtype."""
    x = np.asarray(x)
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    x = x.astype(np.float64, copy=False)
    if x.size <= _ERF_SMALL:
        out = np.asarray(_erf_scalar(x), dtype=np.float64)
    else:
        a = np.minimum(np.abs(x), _ERF_TOP)                 # NaN stays NaN
        k = (np.fmin(a * (1 / _ERF_STEP), _ERF_KMAX) + 0.5).astype(np.intp)   # fmin: NaN → k_max
        s = a - k * _ERF_STEP
        out = _ERF_TABLE[_ERF_DEG].take(k)
        for coef in _ERF_TABLE[_ERF_DEG - 1::-1]:
            out *= s
            out += coef.take(k)
        np.copysign(out, x, out=out)
    return out.astype(dtype, copy=False)


erf = unary("erf", _erf_array, of_x=lambda x: _TWO_OVER_SQRT_PI * np.exp(-(x * x)))
erf.doc = ("The error function, elementwise.",
    "erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt;   d/dx erf(x) = (2/√π) e^(−x²)",
    "0.5", "0.52049988", "0.87878258")


def _erf_any(x):
    """erf inside a rule: the array kernel at first order, the recorded op on Tensors."""
    return erf(x) if isinstance(x, Tensor) else _erf_array(x)


# ---- activations ----------------------------------------------------------------------------------

def _sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))                  # in (0, 1]: cannot overflow
    r = 1 / (1 + e)
    return np.where(x >= 0, r, e * r)       # 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below


def _relu(x):
    return np.maximum(x, 0)


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_K = math.sqrt(2 / math.pi)
_TANH_C = 0.044715


def _gelu(x):
    x = np.asarray(x)
    return x * (0.5 * (1 + _erf_array(x * _SQRT_HALF)))


def _gelu_d(x):
    """Φ(x) + x·φ(x): the normal CDF and density (e^(−x²/2) underflows quietly at ±1000)."""
    return 0.5 * (1 + _erf_any(x * _SQRT_HALF)) + x * (_INV_SQRT_2PI * np.exp(-0.5 * (x * x)))


def _gelu_tanh(x):
    x = np.asarray(x)
    return 0.5 * x * (1 + np.tanh(_TANH_K * (x + _TANH_C * (x * x * x))))


def _gelu_tanh_d(x):
    """½(1 + t) + ½x(1 − t²)·k(1 + 3c x²), t = tanh(k(x + c x³)); 1 − t² → 0, never NaN."""
    t = np.tanh(_TANH_K * (x + _TANH_C * (x * x * x)))
    return 0.5 * (1 + t) + (0.5 * x) * (1 - t * t) * (_TANH_K * (1 + (3 * _TANH_C) * (x * x)))


class _Relu(UnaryOp):
    """relu with NaN shown: where the input is NaN the derivative is NaN (as in PyTorch and
    JAX), yet an exactly-zero cotangent still contributes exactly 0 there. The plain rule
    (g·(y > 0)) runs as before; one sum over y finds out, cheaply, whether a NaN is there."""
    __slots__ = ()

    def backward(self, node, g, create):
        # (recording, the saved output goes in as a Tensor: a compiled program tests it)
        hit = _nan_hits(_make(node.saved, None) if create else node.saved, g)
        (r,) = UnaryOp.backward(self, node, g, create)
        return (r if hit is None else _with_nan(hit, g, r),)

    def jvp(self, tangents, x, y):
        hit = _nan_hits(y, tangents[0])
        r = UnaryOp.jvp(self, tangents, x, y)
        return r if hit is None else _with_nan(hit, tangents[0], r)


def _with_nan(hit, g, r):
    """r with NaN at `hit`; recorded, the NaN is g·NaN (masked), so higher orders see it too."""
    if isinstance(r, Tensor):
        return np.where(hit, masked_mul(g, np.nan), r)
    return np.where(hit, np.nan, r)


def _nan_hits(y, g):
    """Where y (relu's output, ≥ 0 or NaN) is NaN and g ≠ 0; None when nowhere.

    One sum over y answers first (y ≥ 0: only a NaN or +inf makes it non-finite), so the
    mask is made only when a NaN may be there. Recording (y or g a Tensor), both questions
    are wengert ops asked with bool(): a compiled program computes them on every call and
    checks the answers (guards) rather than keeping those of its first call."""
    if type(y) is Tensor or type(g) is Tensor:
        y = y if type(y) is Tensor else _make(y, None)
        finite = np.isfinite(np.sum(y))
    else:
        finite = np.isfinite(_add_reduce(y, axis=None))
    if bool(finite):
        return None
    hit = np.isnan(y) & (g != 0)
    return hit if bool(hit.any()) else None


# name                     forward       f′ (of the input x, or of the output y)
sigmoid    = unary("sigmoid",   _sigmoid,   of_y=lambda y: y * (1 - y))
relu       = unary("relu",      _relu,      of_y=lambda y: y > 0, cls=_Relu)  # NaN shown (above)
softplus   = unary("softplus",  _softplus,  of_y=lambda y: -np.expm1(-y))     # = σ(x)
_gelu_erf  = unary("gelu",      _gelu,      of_x=_gelu_d, grad_name="Gelu")
_gelu_tnh  = unary("gelu_tanh", _gelu_tanh, of_x=_gelu_tanh_d, grad_name="Gelu")

sigmoid.doc = ("The logistic sigmoid, elementwise (also wg.special.expit).",
    "σ(x) = 1/(1 + e^(−x)), evaluated without overflow;   σ′(x) = σ(x)(1 − σ(x))",
    "0.0", "0.5", "0.25")
relu.doc = ("max(x, 0), elementwise.",
    "relu′(x) = 1 for x > 0, else 0; at the kink, relu′(0) = 0; NaN at a NaN input",
    "2.0", "2.", "1.")
softplus.doc = ("log(1 + e^x), elementwise, as log1p(e^(−|x|)) + max(x, 0), which cannot overflow.",
    "d/dx softplus(x) = σ(x) = 1 − e^(−softplus(x))",
    "0.0", "0.69314718", "0.5")


def gelu(x, approximate="none"):
    """x·Φ(x) = ½x(1 + erf(x/√2)), Φ the standard normal CDF.   gelu′ = Φ(x) + x·φ(x).

    approximate='tanh' gives ½x(1 + tanh(√(2/π)(x + 0.044715x³))) and its exact derivative.

    Examples
    --------
    >>> x = wg.tensor(1.0, requires_grad=True)
    >>> wg.gelu(x)
    tensor(0.84134475, grad_fn=<GeluBackward>)
    >>> wg.gelu(x).backward()
    >>> x.grad                      # Φ(1) + φ(1)
    tensor(1.08331547)
    """
    if approximate == "none":
        return _gelu_erf(x)
    if approximate == "tanh":
        return _gelu_tnh(x)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


# what ndarray.sum and .max run, minus their Python wrappers
_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce


# ---- linear: x Wᵀ + b --------------------------------------------------------------------------
# One primitive for a dense layer rather than transpose, matmul and add: a training step runs
# it for every layer, and three recorded ops cost three nodes of overhead where one does
# (benchmarks/README.md, "Special cases"). W's gradient is built as gᵀx, in W's own
# (C) layout, so the optimizer's update runs over matching memory.

def _shape_of(a):
    """a's shape without NumPy's dispatch (np.shape of a Tensor costs a protocol call)."""
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)


def _rows(a):
    """a with every axis but the last folded into one: (M, features)."""
    return np.reshape(a, (-1, np.shape(a)[-1]))


def _linear_fwd(x, w, b):
    y = np.matmul(x, w.T)
    if b is None:
        return y
    if y.dtype == np.result_type(y, b):
        y += b                              # y is ours: one pass, no temporary
        return y
    return y + b


def _linear_vjp(g, needs, x, w, b):
    """x̄ = ḡW, W̄ = ḡᵀx and b̄ = Σ ḡ, summed over x's leading axes (a batch of cotangents in
    front of ḡ, as jacrev stacks them, is kept)."""
    lead = np.shape(g)[:np.ndim(g) - np.ndim(x)]
    gx = g @ w if needs[0] else None
    gw = gb = None
    if needs[1] or needs[2]:
        g2 = np.reshape(g, lead + (-1, np.shape(g)[-1]))             # (…, M, out)
        if needs[1]:
            gw = np.swapaxes(g2, -1, -2) @ _rows(x)                     # (…, out, in)
        if needs[2]:
            gb = g2.sum(axis=-2)
    return gx, gw, gb


def _linear_jvp(tangents, x, w, b):
    """ẏ = ẋWᵀ + xẆᵀ + ḃ (tangents may carry a batch in front)."""
    tx, tw, tb = tangents
    out = None if tx is None else tx @ np.swapaxes(w, -1, -2)
    if tw is not None:
        lead = np.shape(tw)[:np.ndim(tw) - 2]
        t = _rows(x) @ np.swapaxes(tw, -1, -2)                          # (…, M, out)
        t = np.reshape(t, lead + np.shape(x)[:-1] + (np.shape(w)[0],))
        out = t if out is None else out + t
    if tb is not None:
        if out is None:
            shape = np.shape(tb)[:np.ndim(tb) - 1] + np.shape(x)[:-1] + (np.shape(w)[0],)
            lead = np.shape(tb)[:np.ndim(tb) - 1]
            out = np.broadcast_to(np.reshape(tb, lead + (1,) * (np.ndim(x) - 1)
                                             + (np.shape(w)[0],)), shape)
        else:
            lead = np.shape(tb)[:np.ndim(tb) - 1]
            out = out + np.reshape(tb, lead + (1,) * (np.ndim(x) - 1) + (np.shape(w)[0],))
    return out


_linear = primitive("linear", _linear_fwd, _linear_vjp, _linear_jvp)


def linear(x, weight, bias=None):
    """x Wᵀ + b for W of shape (out, in), b of shape (out,) or None: a dense layer.
    ∂/∂x = ḡW, ∂/∂W = ḡᵀx, ∂/∂b = Σ ḡ over the leading axes.

    Examples
    --------
    >>> x = wg.tensor([[1.0, 2.0]])
    >>> W = wg.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 2.0]])
    >>> wg.linear(x, W, wg.tensor([0.0, 0.0, 1.0]))
    tensor([[1., 3., 5.]])
    """
    xs, ws = _shape_of(x), _shape_of(weight)
    if len(ws) != 2 or not xs or xs[-1] != ws[-1]:
        raise ValueError(f"linear: input shape {tuple(xs)} does not fit weight shape "
                         f"{tuple(ws)} (the weight is (out_features, in_features) and the "
                         f"input's last axis must be in_features)")
    if bias is not None and tuple(_shape_of(bias)) != (ws[0],):
        raise ValueError(f"linear: bias shape {tuple(_shape_of(bias))} does not fit weight "
                         f"shape {tuple(ws)} (the bias must be (out_features,) = ({ws[0]},))")
    return _linear(x, weight, bias)


# ---- cross-entropy of logits against class indices ----------------------------------------------
# One primitive rather than log_softmax → pick → mean: the usual training loss becomes one node
# instead of four (benchmarks/README.md, "Special cases"), and the VJP is the textbook
# (softmax(x) − onehot(t))·ḡ/n, finite at any logits. The forward's log softmax is kept as a
# residual, so first-order backward is exp(logp) − onehot without a second max and sum. The
# targets and the mask of counted rows are parameters (they have no derivative).

def _onehot(target, valid, c, dtype):
    hot = (np.arange(c) == np.asarray(target)[:, None])
    if valid is not None:
        hot &= valid[:, None]
    return hot.astype(dtype)


def _softmax_minus_onehot(x, target, valid):
    """softmax(x) − onehot(t), rows not counted set to 0 (NumPy vocabulary: differentiable)."""
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    d = e / e.sum(axis=-1, keepdims=True) - _onehot(target, valid, np.shape(x)[-1],
                                                    np.result_type(x))
    if valid is not None:
        d = d * valid[:, None].astype(np.result_type(x))
    return d


def _ce_fwd(x, target, valid, reduction, count):
    """The loss, and log softmax(x) as the residual the first-order VJP starts from."""
    s = x - _max_reduce(x, -1, keepdims=True)
    logp = s - np.log(_add_reduce(np.exp(s), -1, keepdims=True))
    loss = -logp[np.arange(s.shape[0]), target]
    if valid is not None:
        loss = np.where(valid, loss, loss.dtype.type(0))
    if reduction == "none":
        return loss, logp
    total = _add_reduce(loss, None)
    return (total / count if reduction == "mean" else total), logp


def _ce_vjp(g, needs, x, logp, target, valid, reduction, count):
    """x̄ = ḡ·(softmax(x) − onehot(t)), divided by the count for the mean."""
    if reduction != "none" and type(x) is np.ndarray and type(g) is not Tensor and np.ndim(g) == 0:
        # first order, one loss: softmax from the forward's log softmax, in one fresh array
        d = np.exp(logp)
        d[np.arange(d.shape[0]), target] -= 1
        if valid is not None:
            d *= valid[:, None]
        d *= g * (1.0 / count) if reduction == "mean" else g
        return (d,)
    d = _softmax_minus_onehot(x, target, valid)       # recorded: from x, so it differentiates
    if reduction == "none":
        return (np.expand_dims(g, -1) * d,)
    if reduction == "mean":
        d = d * (1.0 / count)
    return (np.reshape(g, np.shape(g) + (1, 1)) * d,)


def _ce_jvp(tangents, x, target, valid, reduction, count):
    """ẏᵢ = Σ_c (softmax(x) − onehot(t))ᵢ_c ẋᵢ_c, then summed (and divided) as forward."""
    r = (_softmax_minus_onehot(x, target, valid) * tangents[0]).sum(axis=-1)
    if reduction == "none":
        return r
    r = r.sum(axis=-1)
    return r * (1.0 / count) if reduction == "mean" else r


_cross_entropy = primitive("cross_entropy", _ce_fwd, _ce_vjp, _ce_jvp, residual=True)


def cross_entropy_indices(x, target, valid=None, reduction="mean"):
    """−log softmax(x)ᵢ[tᵢ] for logits x of shape (N, C) and class indices t of shape (N,)
    (checked by the caller), rows where `valid` is False left out; reduced by 'mean' (over
    the counted rows), 'sum' or 'none'. ∂/∂x = (softmax(x) − onehot(t))·ḡ."""
    count = int(valid.sum()) if valid is not None else _shape_of(x)[0]
    return _cross_entropy(x, target=target, valid=valid, reduction=reduction, count=count)


# ---- softmax and log_softmax -------------------------------------------------------------------------
# Dedicated primitives rather than compositions of exp, sum and divide: the forward subtracts
# the maximum first (so ±1000 neither overflows nor gives 0/0), one node saves only the output
# instead of every intermediate, and the VJPs are a couple of fused NumPy expressions. Both
# VJPs use only the output y, the cotangent and NumPy operations that dispatch on Tensors, so
# they are differentiable themselves (second order and beyond).

def _axes(x, axis):
    return negative_axes(axis, x.data.ndim if isinstance(x, Tensor) else np.ndim(x))


def _softmax_fwd(x, axis):
    x = np.asarray(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True, initial=-np.inf))   # (an empty axis: empty)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_vjp(g, needs, y, axis):
    """x̄ = y·(ḡ − Σ ḡ·y), the sum along `axis`."""
    gy = g * y
    return (gy - y * gy.sum(axis=axis, keepdims=True),)


def _softmax_jvp(tangents, y, axis):
    ty = tangents[0] * y
    return ty - y * ty.sum(axis=axis, keepdims=True)


def _log_softmax_fwd(x, axis):
    x = np.asarray(x)
    if x.size == 0:
        return x * 1.0          # (an empty result; a log of the empty sums would warn)
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def _log_softmax_vjp(g, needs, y, axis):
    """x̄ = ḡ − e^y·Σ ḡ (e^y is the softmax), the sum along `axis`."""
    return (g - np.exp(y) * g.sum(axis=axis, keepdims=True),)


def _log_softmax_jvp(tangents, y, axis):
    t = tangents[0]
    return t - (np.exp(y) * t).sum(axis=axis, keepdims=True)


_softmax = primitive("softmax", _softmax_fwd, _softmax_vjp, _softmax_jvp, save=(), save_out=True)
_log_softmax = primitive("log_softmax", _log_softmax_fwd, _log_softmax_vjp, _log_softmax_jvp,
                         save=(), save_out=True)


def softmax(x, axis=-1):
    """e^x / Σ e^x along `axis` (an int, a tuple, or None for all axes), computed as
    e^(x − max) / Σ e^(x − max).   ∂: x̄ = y·(ḡ − Σ ḡ·y).

    A primitive of its own, not exp/sum/divide composed: shifted by the max it cannot
    overflow, its one node saves only y, and its VJP (NumPy vocabulary, so differentiable
    again) is two fused expressions instead of a chain of recorded ones.

    Examples
    --------
    >>> x = wg.tensor([0.0, np.log(3.0)], requires_grad=True)
    >>> wg.softmax(x)
    tensor([0.25, 0.75], grad_fn=<SoftmaxBackward>)
    >>> (wg.softmax(x) * wg.tensor([1.0, 0.0])).sum().backward()
    >>> x.grad                      # p₀(δ₀ⱼ − pⱼ)
    tensor([ 0.1875, -0.1875])
    """
    return _softmax(x, axis=_axes(x, axis))


def log_softmax(x, axis=-1):
    """x − log Σ e^x along `axis`, computed as (x − max) − log Σ e^(x − max).
    ∂: x̄ = ḡ − softmax(x)·Σ ḡ.

    A primitive of its own for the same reasons as softmax; besides, log(softmax(x)) would
    underflow to log(0) = −inf where this stays finite (x − max − log Σ e^(x − max)).

    Examples
    --------
    >>> x = wg.tensor([0.0, np.log(3.0)], requires_grad=True)
    >>> wg.log_softmax(x)
    tensor([-1.38629436, -0.28768207], grad_fn=<LogSoftmaxBackward>)
    >>> wg.log_softmax(x)[0].backward()
    >>> x.grad                      # δ₀ⱼ − pⱼ
    tensor([ 0.75, -0.75])
    """
    return _log_softmax(x, axis=_axes(x, axis))
