"""RMSprop (Hinton's lecture 6e) and Adagrad (Duchi, Hazan & Singer 2011), PyTorch's rules."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

import numpy as np

from ..tensor import Tensor
from .adam import _as_reals, _real_view
from .optimizer import Optimizer, ParamsT, bump, updates

__all__ = ["RMSprop", "Adagrad"]


def _real_pairs(p: Tensor, d: np.ndarray, g: np.ndarray,
                *states: Optional[np.ndarray]) -> Tuple[Any, ...]:
    """For a complex parameter: its data, gradient and state arrays seen as pairs of reals
    (updated element by element, as PyTorch does); real parameters pass through."""
    if d.dtype.kind != "c":
        return (d, g) + states
    return (_real_view(p), _as_reals(np.broadcast_to(g, d.shape))) + tuple(
        None if s is None else _as_reals(s) for s in states)


class RMSprop(Optimizer):
    """Per parameter p with gradient g (α alpha, λ weight decay, μ momentum):

        g = g + λ·p
        v = α·v + (1 − α)·g²
        ḡ = α·ḡ + (1 − α)·g,  ṽ = v − ḡ²          (centered; otherwise ṽ = v)
        b = μ·b + g / (√ṽ + eps),  p = p − lr·b    (μ > 0)
        p = p − lr · g / (√ṽ + eps)                (μ = 0)

    v, ḡ and b start at zero. Parameters whose .grad is None are left alone.

    Examples
    --------
    >>> w = nn.Parameter(wg.tensor([1.]))
    >>> w.grad = wg.tensor([2.])            # v = 0.01·4, so the step is lr·2/0.2 = 10·lr
    >>> optim.RMSprop([w], lr=0.01, eps=0.).step()
    >>> w
    tensor([0.9], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _check_group(self, group: Dict[str, Any]) -> None:
        self._require_nonnegative(group, "lr", "eps", "momentum", "weight_decay", "alpha")

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """One RMSprop update of every parameter that has a gradient: v ← alpha·v + (1 − alpha)·g²,
        p ← p − lr·g / (√v + eps) (v less the squared mean gradient when centered, through a
        momentum buffer when momentum > 0); returns closure()'s loss if given."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, mu, centered = group["weight_decay"], group["momentum"], group["centered"]
            for p, d, g in updates(group):
                st = self.state.get(p)
                if st is None:
                    st = self.state[p] = {"step": 0, "square_avg": np.zeros_like(d)}
                if mu > 0 and "momentum_buffer" not in st:
                    st["momentum_buffer"] = np.zeros_like(d)
                if centered and "grad_avg" not in st:
                    st["grad_avg"] = np.zeros_like(d)
                st["step"] += 1
                d, g, v, gbar, buf = _real_pairs(p, d, g, st["square_avg"], st.get("grad_avg"),
                                                 st.get("momentum_buffer"))
                s, t = self._buffers(d, 2)
                if wd:
                    np.multiply(d, wd, out=s)
                    np.add(s, g, out=s)
                    g = s
                v *= alpha
                np.multiply(g, g, out=t)
                t *= 1 - alpha
                v += t
                if centered:
                    gbar *= alpha
                    np.multiply(g, 1 - alpha, out=t)
                    gbar += t
                    np.multiply(gbar, gbar, out=t)
                    np.subtract(v, t, out=t)
                    np.sqrt(t, out=t)
                else:
                    np.sqrt(v, out=t)
                t += eps
                np.divide(g, t, out=t)
                if mu > 0:
                    buf *= mu
                    buf += t
                    np.multiply(buf, lr, out=t)
                else:
                    t *= lr
                np.subtract(d, t, out=d)
                bump(p)
        return loss


class Adagrad(Optimizer):
    """Per parameter p with gradient g, at step t (λ weight decay, η lr, δ lr_decay):

        g = g + λ·p
        s = s + g²                  (s starts at initial_accumulator_value)
        p = p − η / (1 + (t − 1)·δ) · g / (√s + eps)

    Parameters whose .grad is None are left alone (their step count does not advance).

    Examples
    --------
    >>> w = nn.Parameter(wg.tensor([1.]))
    >>> w.grad = wg.tensor([3.])            # s = 9: the first step is lr·3/3 = lr
    >>> optim.Adagrad([w], lr=0.5, eps=0.).step()
    >>> w
    tensor([0.5], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value,
                                      eps=eps))

    def _check_group(self, group: Dict[str, Any]) -> None:
        self._require_nonnegative(group, "lr", "lr_decay", "weight_decay",
                                  "initial_accumulator_value", "eps")

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """One Adagrad update of every parameter that has a gradient: the sum of g² grows,
        p ← p − lr_t·g / (√sum + eps), lr_t = lr / (1 + (step − 1)·lr_decay); returns
        closure()'s loss if given."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
            for p, d, g in updates(group):
                st = self.state.get(p)
                if st is None:
                    init = group["initial_accumulator_value"]
                    st = self.state[p] = {"step": 0, "sum": np.full_like(d, init)}
                st["step"] = step = st["step"] + 1
                d, g, acc = _real_pairs(p, d, g, st["sum"])
                s, t = self._buffers(d, 2)
                if wd:
                    np.multiply(d, wd, out=s)
                    np.add(s, g, out=s)
                    g = s
                np.multiply(g, g, out=t)
                acc += t
                np.sqrt(acc, out=t)
                t += eps
                np.divide(g, t, out=t)
                t *= lr / (1 + (step - 1) * decay)
                np.subtract(d, t, out=d)
                bump(p)
        return loss
