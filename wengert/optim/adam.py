"""Adam and AdamW (Kingma & Ba 2015; Loshchilov & Hutter 2019), PyTorch's formulation."""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, bump, updates

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Per parameter p with gradient g, at step t (β₁, β₂ betas, λ weight decay):

        g = −g                             (maximize only)
        g = g + λ·p                        (Adam; AdamW instead first does p = p·(1 − lr·λ))
        m = β₁·m + (1 − β₁)·g
        v = β₂·v + (1 − β₂)·g²
        v̂max = max(v̂max, v) and v ← v̂max below      (amsgrad only)
        p = p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)

    m and v start at zero. Complex parameters are updated as pairs of reals (as PyTorch
    does). Parameters whose .grad is None are left alone (their step count does not advance).

    The first step moves each element by about lr against the sign of its gradient
    (m̂ = g and √v̂ = |g| then).

    Examples
    --------
    >>> w = nn.Parameter(wg.tensor([1., -1.]))
    >>> opt = optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    tensor([ 0.9, -0.9], requires_grad=True)
    """

    _decoupled = False

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps,
                                      weight_decay=weight_decay, amsgrad=amsgrad,
                                      maximize=bool(maximize)))

    def _check_group(self, group: Dict[str, Any]) -> None:
        self._require_nonnegative(group, "lr", "eps")
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {b} (must be in [0, 1))")
        self._require_nonnegative(group, "weight_decay")

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """One Adam update of every parameter that has a gradient: m, v the moving averages of
        g and g², p ← p − lr·m̂ / (√v̂ + eps) with the bias corrections m̂, v̂ (weight decay
        added to g, or AdamW's decoupled p ← p·(1 − lr·weight_decay)); returns closure()'s loss
        if given."""
        loss = self._closure(closure)
        state = self.state
        decoupled = self._decoupled
        for group in self.param_groups:
            lr, eps, wd, amsgrad = group["lr"], group["eps"], group["weight_decay"], group["amsgrad"]
            b1, b2 = group["betas"]
            maximize = group.get("maximize", False)
            for p, d, g in updates(group):
                if maximize:
                    g = np.negative(g)
                st = state.get(p)
                if st is None:
                    st = state[p] = {"step": 0, "exp_avg": np.zeros_like(d),
                                     "exp_avg_sq": np.zeros_like(d)}
                    if amsgrad:
                        st["max_exp_avg_sq"] = np.zeros_like(d)
                st["step"] = step = st["step"] + 1
                m, v = st["exp_avg"], st["exp_avg_sq"]
                vmax = st.get("max_exp_avg_sq") if amsgrad else None
                if amsgrad and vmax is None:        # amsgrad switched on after some steps
                    vmax = st["max_exp_avg_sq"] = np.zeros_like(d)
                if d.dtype.kind == "c":
                    d, g = _real_view(p), _as_reals(np.broadcast_to(g, d.shape))
                    m, v = _as_reals(m), _as_reals(v)
                    vmax = None if vmax is None else _as_reals(vmax)
                s, t = self._buffers(d, 2)
                if wd:
                    if decoupled:
                        d *= 1 - lr * wd
                    else:
                        np.multiply(d, wd, out=s)
                        np.add(s, g, out=s)
                        g = s
                m *= b1
                np.multiply(g, 1 - b1, out=t)
                m += t
                v *= b2
                np.multiply(g, g, out=t)
                t *= 1 - b2
                v += t
                if vmax is not None:                # amsgrad
                    np.maximum(vmax, v, out=vmax)
                    v = vmax
                np.sqrt(v, out=t)
                t /= math.sqrt(1 - b2 ** step)
                t += eps
                np.divide(m, t, out=t)
                t *= lr / (1 - b1 ** step)
                np.subtract(d, t, out=d)
                bump(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: p = p·(1 − lr·λ) before the Adam update, which then
    sees the plain gradient. Same options as Adam; weight_decay defaults to 1e-2.

    Examples
    --------
    >>> w = nn.Parameter(wg.tensor([1.]))
    >>> w.grad = wg.tensor([0.])            # no gradient: only the decay acts
    >>> optim.AdamW([w], lr=0.1, weight_decay=0.5).step()
    >>> w
    tensor([0.95], requires_grad=True)
    """

    _decoupled = True

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)


def _real_view(p: Tensor) -> np.ndarray:
    """p's complex array seen as pairs of reals, written through to p."""
    if not p.data.flags.c_contiguous:
        p.data = np.ascontiguousarray(p.data)
    return _as_reals(p.data)


def _as_reals(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    return a.reshape(-1).view(a.real.dtype)
