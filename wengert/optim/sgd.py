"""Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import numpy as np

from .optimizer import Optimizer, ParamsT, bump, required, updates

__all__ = ["SGD"]


class SGD(Optimizer):
    """PyTorch's SGD rule, per parameter p with gradient g (μ momentum, τ dampening, λ decay):

        d = g + λ·p
        b = d on the first step, then b = μ·b + (1 − τ)·d        (only when μ ≠ 0)
        d = d + μ·b if nesterov else b                             (only when μ ≠ 0)
        p = p − lr·d

    With maximize=True g is replaced by −g first (gradient ascent). Parameters whose .grad is
    None are left alone.

    Parameters
    ----------
    params : iterable of Tensors or of dicts
        The parameters, or parameter groups with their own options.
    lr : float
        The learning rate (required).
    momentum, dampening, weight_decay : float
        μ, τ and λ above (all 0 by default).
    nesterov : bool
        Nesterov momentum (needs μ > 0 and τ = 0).
    maximize : bool
        Ascend the objective instead of descending (PyTorch's maximize=).

    Examples
    --------
    >>> w = nn.Parameter(wg.tensor([1., 2.]))
    >>> opt = optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()            # g = 2w
    >>> opt.step()
    >>> w
    tensor([0.8, 1.6], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: Any = required, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0,
                 nesterov: bool = False, *, maximize: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov,
                                      maximize=bool(maximize)))

    def _check_group(self, group: Dict[str, Any]) -> None:
        self._require_nonnegative(group, "lr", "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """One SGD update of every parameter that has a gradient: p ← p − lr·g, g the gradient
        (plus weight_decay·p), through the momentum buffer (Nesterov's when set) if momentum
        > 0; returns closure()'s loss if given."""
        loss = self._closure(closure)
        state = self.state
        for group in self.param_groups:
            lr, mu, damp = group["lr"], group["momentum"], group["dampening"]
            wd, nesterov = group["weight_decay"], group["nesterov"]
            maximize = group.get("maximize", False)
            for p, d, g in updates(group):
                if maximize:
                    g = np.negative(g)
                if mu == 0:
                    (s,) = self._buffers(d, 1)
                    if wd:
                        np.multiply(d, wd, out=s)
                        np.add(s, g, out=s)
                        s *= lr
                    else:
                        np.multiply(g, lr, out=s)
                    np.subtract(d, s, out=d)
                else:
                    s, t = self._buffers(d, 2)
                    if wd:
                        np.multiply(d, wd, out=s)
                        np.add(s, g, out=s)
                        g = s
                    st = state.get(p)
                    if st is None:
                        state[p] = {"momentum_buffer": np.array(g, dtype=d.dtype)}
                        buf = state[p]["momentum_buffer"]
                    else:
                        buf = st["momentum_buffer"]
                        buf *= mu
                        if damp:
                            np.multiply(g, 1 - damp, out=t)
                            buf += t
                        else:
                            buf += g
                    if nesterov:
                        np.multiply(buf, mu, out=t)
                        t += g
                        t *= lr
                    else:
                        np.multiply(buf, lr, out=t)
                    np.subtract(d, t, out=d)
                bump(p)
        return loss
