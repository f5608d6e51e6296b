"""torch.nn.functional's names on wengert: activations, dropout, normalisation, embedding
and the losses.

Everything here is composed of wengert primitives (matmul, log_softmax, softplus, indexing,
sums), so it differentiates in both modes and to any order. Shape mismatches are ValueErrors
naming both shapes. `reduction` is 'mean' (default), 'sum' or 'none'.
"""
import numpy as np

from .. import creation
from ..grad_mode import no_grad
from ..tensor import Tensor
from ..ops import nn as _nn
from ..ops.elementwise import absolute, log, maximum, sqrt, tanh as _tanh, where
from ..ops.reduction import mean as _mean, sum as _sum
from ..ops.shape import moveaxis, reshape
from ..ops.conv import avg_pool2d, conv2d, max_pool2d
from .functional_activations import elu, hardtanh, leaky_relu, silu, softplus
from .functional_losses import huber_loss, kl_div, smooth_l1_loss
from .functional_tensors import adaptive_avg_pool2d, one_hot, pad
from ._reduction import (_REDUCTIONS, _check_reduction, _reduce, _same_shape,  # noqa: F401
                         _shape, _tensor)

__all__ = ["linear", "relu", "tanh", "sigmoid", "gelu", "softplus", "softmax", "log_softmax",
           "dropout", "mse_loss", "l1_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "layer_norm",
           "batch_norm", "embedding", "flatten", "conv2d", "max_pool2d", "avg_pool2d",
           "leaky_relu", "elu", "silu", "hardtanh", "smooth_l1_loss", "huber_loss", "kl_div",
           "one_hot", "pad", "adaptive_avg_pool2d"]

# ---- layers -----------------------------------------------------------------------------------

def linear(input, weight, bias=None):
    """y = x Wᵀ + b, W of shape (out_features, in_features): one fused op (`wg.linear`)."""
    return _nn.linear(input, weight, bias)


def relu(input):
    """max(x, 0)."""
    return _nn.relu(input)


def tanh(input):
    return _tanh(input)


def sigmoid(input):
    """1/(1 + e^(−x)), evaluated without overflow."""
    return _nn.sigmoid(input)


def gelu(input, approximate="none"):
    """x·Φ(x) (exact, erf form); approximate='tanh' for the tanh approximation."""
    return _nn.gelu(input, approximate=approximate)


def softmax(input, dim=-1, dtype=None):
    """e^x / Σ e^x along `dim`, shifted by the max (cannot overflow)."""
    if dtype is not None:
        input = _tensor(input).astype(dtype)
    return _nn.softmax(input, axis=dim)


def log_softmax(input, dim=-1, dtype=None):
    """x − logsumexp(x) along `dim`, never log(0) for finite x."""
    if dtype is not None:
        input = _tensor(input).astype(dtype)
    return _nn.log_softmax(input, axis=dim)


def dropout(input, p=0.5, training=True, inplace=False):
    """Inverted dropout: each element is zeroed with probability p and the survivors scaled
    by 1/(1 − p), so the expectation is unchanged and evaluation needs no rescaling.
    Identity when training=False or p = 0. (`inplace` is accepted for torch's signature;
    the result is always a new tensor.)"""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = _tensor(input)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if p == 1.0:
        return x * np.zeros(x.shape, dtype=dt)
    keep = creation.generator().random(x.shape, dtype=np.float64 if dt != np.float32 else dt)
    mask = (keep >= p).astype(dt)
    mask *= 1.0 / (1.0 - p)
    return x * mask


def flatten(input, start_dim=0, end_dim=-1):
    """Merge axes start_dim … end_dim into one."""
    s = _shape(input)
    nd = len(s)
    if nd == 0:
        return reshape(input, (1,))
    if not (-nd <= start_dim < nd and -nd <= end_dim < nd):
        raise ValueError(f"flatten: start_dim {start_dim} / end_dim {end_dim} out of range "
                         f"for a tensor of shape {s}")
    a, b = start_dim % nd, end_dim % nd
    if a > b:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    if a == b:
        return input
    return reshape(input, s[:a] + (-1,) + s[b + 1:])


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """(x − μ)/√(σ² + eps)·weight + bias, μ and the biased σ² over the last
    len(normalized_shape) axes."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    xs = _shape(input)
    k = len(normalized_shape)
    if k == 0 or xs[len(xs) - k:] != normalized_shape or len(xs) < k:
        raise ValueError(f"layer_norm: input shape {xs} does not end in normalized_shape "
                         f"{normalized_shape}")
    axes = tuple(range(-k, 0))
    xc = input - _mean(input, axis=axes, keepdims=True)
    var = _mean(xc * xc, axis=axes, keepdims=True)
    y = xc / sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """(x − μ)/√(σ² + eps)·weight + bias per channel (axis 1).

    training=True: μ, σ² are the batch's (biased σ²), and the running statistics, when given,
    are updated in place as r ← (1 − momentum)·r + momentum·stat with the unbiased variance
    (n/(n − 1)·σ²), as torch does. training=False: the running statistics are used."""
    x = _tensor(input)
    xs = x.shape
    if len(xs) < 2:
        raise ValueError(f"batch_norm: input needs a channel axis (shape (N, C, ...)), got {xs}")
    c = xs[1]
    bshape = (1, c) + (1,) * (len(xs) - 2)
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and _shape(t) != (c,):
            raise ValueError(f"batch_norm: {name} of shape {_shape(t)} does not fit input "
                             f"shape {xs} ({c} channels)")
    if training:
        axes = (0,) + tuple(range(2, len(xs)))
        n = x.size // c
        if n <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input shape {xs}")
        mu = _mean(x, axis=axes, keepdims=True)
        xc = x - mu
        var = _mean(xc * xc, axis=axes, keepdims=True)
        y = xc / sqrt(var + eps)
        if running_mean is not None or running_var is not None:
            with no_grad():
                if running_mean is not None:
                    running_mean[...] = ((1 - momentum) * running_mean.data
                                         + momentum * mu.data.reshape(c))
                if running_var is not None:
                    running_var[...] = ((1 - momentum) * running_var.data
                                        + momentum * (n / (n - 1)) * var.data.reshape(c))
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when "
                             "training=False")
        rm = running_mean.data.reshape(bshape)
        inv = 1 / np.sqrt(running_var.data.reshape(bshape) + eps)     # a constant: one op less
        y = (x - rm) * inv
    if weight is not None:
        y = y * reshape(weight, bshape)
    if bias is not None:
        y = y + reshape(bias, bshape)
    return y


def embedding(input, weight, padding_idx=None):
    """weight[input]: one row of `weight` per index; the gradient adds into the rows used
    (repeated indices accumulate). The row at padding_idx gets no gradient. Indices must lie
    in [0, num_embeddings): anything else (negative ones included, as in PyTorch) is an
    IndexError."""
    idx = input.data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding indices must be integers, got dtype {idx.dtype}")
    n = _shape(weight)[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {bad} out of range in self: indices must lie in "
                         f"[0, {n}) for a table of {n} rows (weight shape {_shape(weight)}); "
                         f"negative indices are not taken from the end")
    out = weight[idx]
    if padding_idx is not None:
        pad = padding_idx % n
        hit = (idx % n) == pad
        if hit.any():
            out = where(hit[..., None], weight.detach()[idx], out)
    return out


# ---- losses -----------------------------------------------------------------------------------

def mse_loss(input, target, reduction="mean"):
    """(x − y)² reduced.   ∂/∂x = 2(x − y)/n for the mean."""
    _same_shape("mse_loss", input, target)
    d = input - target
    return _reduce(d * d, reduction)


def l1_loss(input, target, reduction="mean"):
    """|x − y| reduced (the subgradient at 0 is 0)."""
    _same_shape("l1_loss", input, target)
    return _reduce(absolute(input - target), reduction)


def _class_targets(what, input, target):
    """(target array of ints, class count, whether input is unbatched), checked."""
    t = target.data if isinstance(target, Tensor) else np.asarray(target)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{what}: class-index targets must be integers, got dtype {t.dtype} "
                        f"(for class probabilities, give a float target of the input's shape)")
    xs = _shape(input)
    if len(xs) == 0:
        raise ValueError(f"{what}: input must have a class axis, got shape {xs}")
    if len(xs) == 1:
        expected = ()
    else:
        expected = xs[:1] + xs[2:]
    if t.shape != expected:
        raise ValueError(f"{what}: target shape {t.shape} does not fit input shape {xs} "
                         f"(expected target shape {expected})")
    return t, (xs[0] if len(xs) == 1 else xs[1])


def _checked_targets(what, t, c, ignore_index):
    """(targets with ignored ones set to 0, mask of counted ones or None); out-of-range
    targets are an error."""
    valid = None
    if t.size:
        lo, hi = t.min(), t.max()
        if ignore_index is not None and lo <= ignore_index <= hi:
            hit = t == ignore_index
            if hit.any():
                valid = ~hit
                t = np.where(hit, 0, t)
                lo, hi = t.min(), t.max()
        if lo < 0 or hi >= c:
            bad = t[(t < 0) | (t >= c)].ravel()[0]
            raise ValueError(f"{what}: target {bad} is out of bounds for {c} classes")
    return t, valid


def _pick(what, logp, t, c, weight, ignore_index):
    """(−logp at each target, per-element weights or None, valid mask or None), all of
    target's shape; the class axis is 0 for unbatched input, else 1."""
    t, valid = _checked_targets(what, t, c, ignore_index)
    xs = _shape(logp)
    if len(xs) == 1:
        picked = logp[t]
    elif len(xs) == 2:
        picked = logp[np.arange(xs[0]), t]
    else:
        flat = reshape(moveaxis(logp, 1, -1), (-1, c))
        picked = reshape(flat[np.arange(flat.shape[0]), t.ravel()], t.shape)
    w = None
    if weight is not None:
        wd = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
        if wd.shape != (c,):
            raise ValueError(f"{what}: weight of shape {wd.shape} does not fit {c} classes")
        w = wd[t]
    if valid is not None:
        v = valid.astype(picked.dtype)
        w = v if w is None else w * v
    if w is not None:
        w = w.astype(picked.dtype, copy=False)
    return -picked, w, valid


def _weighted_reduce(loss, w, reduction):
    if w is None:
        return _reduce(loss, reduction)
    loss = loss * w
    if reduction == "mean":
        return _sum(loss) / w.sum()          # torch: the weighted mean Σ wᵢlᵢ / Σ wᵢ
    return _reduce(loss, reduction)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    """−input[n, target[n]] (input holds log-probabilities, class axis 1), reduced; with
    `weight`, each term is scaled by weight[target] and the mean is Σ wₙlₙ / Σ wₙ. Targets
    equal to ignore_index contribute nothing (and are left out of the mean)."""
    _check_reduction(reduction)
    t, c = _class_targets("nll_loss", input, target)
    loss, w, _ = _pick("nll_loss", input, t, c, weight, ignore_index)
    return _weighted_reduce(loss, w, reduction)


def cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """nll_loss(log_softmax(input, dim=1), target): through log_softmax rather than
    log(softmax) for stability (finite for any finite logits, no log(0)).

    target: class indices (ints, shape (N, ...)) or class probabilities (floats, input's
    shape; loss −Σ_c p_c log q_c). label_smoothing ε mixes in the uniform distribution:
    (1 − ε)·nll + ε·(−Σ_c w_c log q_c)/C, reduced as torch does."""
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    xs = _shape(input)
    axis = 0 if len(xs) == 1 else 1
    td = target.data if isinstance(target, Tensor) else np.asarray(target)
    if td.dtype.kind == "f":
        _same_shape("cross_entropy (probability targets)", input, target)
        logp = _nn.log_softmax(input, axis=axis)
        c = xs[axis]
        if weight is not None:
            wshape = (c,) + (1,) * (len(xs) - axis - 1)
            logp = logp * reshape(_tensor(weight), wshape)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / c
        return _reduce(-_sum(logp * target, axis=axis), reduction)
    t, c = _class_targets("cross_entropy", input, td)
    if len(xs) == 2 and weight is None and label_smoothing == 0:
        # the common case, as one fused op (one node, the (softmax − onehot)/n rule)
        t, valid = _checked_targets("cross_entropy", t, c, ignore_index)
        return _nn.cross_entropy_indices(input, t, valid, reduction)
    logp = _nn.log_softmax(input, axis=axis)
    loss, w, valid = _pick("cross_entropy", logp, t, c, weight, ignore_index)
    nll = _weighted_reduce(loss, w, reduction)
    if label_smoothing == 0:
        return nll
    if weight is not None:
        wd = np.asarray(weight.data if isinstance(weight, Tensor) else weight)
        wshape = (c,) + (1,) * (len(xs) - axis - 1)
        smooth = -_sum(logp * wd.reshape(wshape).astype(logp.dtype), axis=axis)
    else:
        smooth = -_sum(logp, axis=axis)
    if valid is not None:
        smooth = smooth * valid.astype(smooth.dtype)
    if reduction == "mean":
        if weight is not None:
            smooth = _sum(smooth) / w.sum()
        else:
            smooth = _sum(smooth) / (valid.sum() if valid is not None else smooth.size)
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / c)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """−[y·log x + (1 − y)·log(1 − x)] for probabilities x, each log clamped at −100 as
    torch does (so x = 0 or 1 gives a finite loss and gradient; prefer
    binary_cross_entropy_with_logits, which never forms log x)."""
    _same_shape("binary_cross_entropy", input, target)
    _check_reduction(reduction)
    xd = input.data if isinstance(input, Tensor) else np.asarray(input)
    if xd.size and not ((xd >= 0).all() and (xd <= 1).all()):
        raise ValueError("binary_cross_entropy: all elements of input should be between 0 "
                         "and 1 (use binary_cross_entropy_with_logits for logits)")
    with np.errstate(divide="ignore"):
        lx = maximum(log(input), -100.0)
        l1x = maximum(log(1 - input), -100.0)
    loss = -(target * lx + (1 - target) * l1x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """−[y·log σ(x) + (1 − y)·log(1 − σ(x))] = softplus(x) − x·y, with softplus(x) =
    max(x, 0) + log1p(e^(−|x|)) as one primitive: stable at any logit (finite value and
    gradient at ±1000), and its derivative σ(x) is exact at x = 0 too, where the spelled-out
    max/abs form would have the wrong one-sided slopes.   ∂/∂x = σ(x) − y.

    pos_weight p (per class, broadcast along the last axis) weighs the positive term:
    (1 − y)·x + (1 + (p − 1)·y)·softplus(−x)."""
    _same_shape("binary_cross_entropy_with_logits", input, target)
    _check_reduction(reduction)
    if pos_weight is None:
        loss = _nn.softplus(input) - input * target
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * _nn.softplus(-input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
