"""Optimizer: parameter groups, zero_grad, state_dict, and the raw in-place update helpers.

Updates run on the parameters' ndarrays with NumPy's `out=` ufunc forms, outside the graph,
then bump each parameter's version counter, so a graph that saved a parameter before the step
refuses to backward through the stale value (as an in-place op under `no_grad()` would).
"""
from __future__ import annotations

import functools
from typing import (Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple,
                    Union)

import numpy as np

from ..grad_mode import grad_mode_set
from ..tensor import Tensor, _make

__all__ = ["Optimizer"]


class _Required:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()     # a default with no value: every group must give it

# how the range errors name an option (PyTorch's wording, which users search for)
_OPTION_WORDS = {"lr": "learning rate", "eps": "epsilon value"}

# what an optimizer is given: tensors, or groups {'params': tensors, option: value}
ParamsT = Union[Iterable[Tensor], Iterable[Dict[str, Any]]]


class Optimizer:
    """Base class: `param_groups` (list of dicts, each with 'params' and its options),
    `state` (per parameter, keyed by the Tensor); subclasses define `step(closure=None)`.

    `params` is an iterable of Tensors, or of dicts {'params': ..., option: value} whose
    options override the defaults for that group (as in torch.optim).

    Examples
    --------
    >>> w = nn.Parameter(wg.zeros(2))
    >>> b = nn.Parameter(wg.zeros(1))
    >>> opt = optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
    >>> [g["lr"] for g in opt.param_groups]
    [0.1, 0.5]
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_counts_calls", False):
            # counted so that a learning-rate scheduler can tell whether the optimizer has
            # stepped before its own first step() (PyTorch warns when it has not)
            @functools.wraps(step)
            def counted(self, *args, **kwargs):
                self._step_calls = getattr(self, "_step_calls", 0) + 1
                return step(self, *args, **kwargs)
            setattr(counted, "_counts_calls", True)
            setattr(cls, "step", counted)

    def __init__(self, params: ParamsT, defaults: Mapping[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: Dict[Tensor, Dict[str, Any]] = {}
        self.param_groups: List[Dict[str, Any]] = []
        # dtype → one flat buffer the updates write temporaries into
        self._scratch: Dict[np.dtype, np.ndarray] = {}
        # (shape, dtype, k) → views of that buffer
        self._views: Dict[Tuple[Any, ...], List[np.ndarray]] = {}
        if isinstance(params, (Tensor, np.ndarray)) or not _iterable(params):
            raise TypeError(f"params given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {type(params).__name__}")
        groups: List[Any] = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines + [")"])

    def add_param_group(self, group: Dict[str, Any]) -> None:
        """Append a group: a dict with 'params' (a Tensor or an iterable of them) and options."""
        if not isinstance(group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(group).__name__}")
        group = dict(group)
        if "params" not in group:
            raise ValueError("a parameter group needs a 'params' entry")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor (one computed by an op); "
                                 "optimize the leaves it was computed from")
            if p.dtype.kind not in "fc":
                raise TypeError(f"optimizer can only optimize floating-point tensors, got {p.dtype}")
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("a parameter group lists the same parameter more than once")
        for other in self.param_groups:
            if any(id(p) in ids for p in other["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        for k, v in self.defaults.items():
            if v is required and k not in group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {k}")
            group.setdefault(k, v)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: Dict[str, Any]) -> None:
        """Raise ValueError for options out of range (subclasses)."""

    @staticmethod
    def _require_nonnegative(group: Dict[str, Any], *names: str) -> None:
        """ValueError naming the first option of `names` (group keys) that is negative."""
        for key in names:
            if group[key] < 0:
                raise ValueError(f"Invalid {_OPTION_WORDS.get(key, key + ' value')}: "
                                 f"{group[key]} (must be >= 0)")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's .grad: to None (default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                elif g.grad_fn is None and type(g.data) is np.ndarray and g.data.flags.writeable:
                    g.data.fill(0)
                    g._version += 1
                else:
                    p.grad = _make(np.zeros_like(p.data), None)

    @staticmethod
    def _closure(closure: Optional[Callable[[], Any]]) -> Any:
        """step(closure): call it with grad enabled (it recomputes the loss) before updating."""
        if closure is None:
            return None
        with grad_mode_set(True):
            return closure()

    # ---- state_dict ----------------------------------------------------------------------
    def state_dict(self) -> Dict[str, Any]:
        """{'state': {index: {name: value}}, 'param_groups': [{option: value, 'params':
        [index, ...]}]}, parameters numbered in group order as torch.optim does. Arrays are
        copies."""
        index: Dict[int, int] = {}
        groups: List[Dict[str, Any]] = []
        for group in self.param_groups:
            g = {k: v for k, v in group.items() if k != "params"}
            g["params"] = []
            for p in group["params"]:
                index[id(p)] = len(index)
                g["params"].append(index[id(p)])
            groups.append(g)
        state: Dict[int, Dict[str, Any]] = {}
        for p, s in self.state.items():
            state[index[id(p)]] = {k: v.copy() if isinstance(v, np.ndarray) else v
                                   for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Copy options and per-parameter state in from `state_dict` (as made by state_dict())."""
        if not isinstance(state_dict, dict) or "state" not in state_dict \
                or "param_groups" not in state_dict:
            raise TypeError("load_state_dict expects a dict with 'state' and 'param_groups'")
        saved = state_dict["param_groups"]
        if len(saved) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved)} parameter groups, the optimizer "
                             f"has {len(self.param_groups)}")
        params: Dict[Any, Tensor] = {}
        for mine, theirs in zip(self.param_groups, saved):
            if len(mine["params"]) != len(theirs["params"]):
                raise ValueError(f"loaded state dict contains a parameter group of "
                                 f"{len(theirs['params'])} parameters that doesn't match the "
                                 f"size of the optimizer's group ({len(mine['params'])})")
            params.update(zip(map(_index, theirs["params"]), mine["params"]))
        state: Dict[Tensor, Dict[str, Any]] = {}
        for i, s in state_dict["state"].items():
            i = _index(i)
            if i not in params:
                raise ValueError(f"loaded state dict has state for parameter {i!r}, which no "
                                 f"parameter group lists")
            p = params[i]
            new = {}
            for k, v in s.items():
                if k == "step":
                    v = int(v.item() if isinstance(v, (np.ndarray, Tensor)) else v)
                elif isinstance(v, (np.ndarray, Tensor)):
                    v = np.array(v.data if isinstance(v, Tensor) else v, dtype=p.dtype)
                    if v.shape != p.shape:
                        raise ValueError(f"state {k!r} of parameter {i} has shape {v.shape}, "
                                         f"the parameter has shape {p.shape}")
                new[k] = v
            state[p] = new
        for mine, theirs in zip(self.param_groups, saved):
            opts = {k: v for k, v in theirs.items() if k != "params"}
            candidate = dict(mine, **opts)
            self._check_group(candidate)
            mine.update(opts)
        self.state = state

    # ---- helpers for the updates -----------------------------------------------------------
    def _buffers(self, like: np.ndarray, k: int) -> List[np.ndarray]:
        """k scratch arrays shaped like `like` (one flat buffer per dtype, grown as needed),
        so an update writes its temporaries into memory it already owns. The views are
        cached per (shape, dtype, k): making them anew costs more than a small update."""
        key = (like.shape, like.dtype, k)
        views = self._views.get(key)
        if views is not None:
            return views
        n = like.size
        buf = self._scratch.get(like.dtype)
        if buf is None or buf.size < k * n:
            buf = self._scratch[like.dtype] = np.empty(k * max(n, self._largest(like.dtype)),
                                                       like.dtype)
            self._views = {}          # views of the old buffer would keep it alive
        views = self._views[key] = [buf[i * n:(i + 1) * n].reshape(like.shape) for i in range(k)]
        return views

    def _largest(self, dtype: np.dtype) -> int:
        return max((p.data.size for g in self.param_groups for p in g["params"]
                    if p.dtype == dtype), default=0)


def _index(i: Any) -> Any:
    """A parameter's number in a state dict; digits in a string (a JSON key) count too."""
    if isinstance(i, str) and i.isdigit():
        return int(i)
    return i


def _iterable(x: Any) -> bool:
    try:
        iter(x)
    except TypeError:
        return False
    return True


def writable_data(p: Tensor) -> np.ndarray:
    """p's ndarray, made safe to write into: a NumPy scalar, a read-only array or memory a
    graph node may hold (copy-on-write alias) is replaced by a private copy first."""
    d = p.data
    e = p._extra
    if type(d) is not np.ndarray or not d.flags.writeable or (
            e is not None and (e.cow or e.view is not None and not p._writable())):
        d = p.data = np.array(d)
        if e is not None:
            e.cow = False
            e.view = None       # (an alias of memory p may not write: p owns a copy now)
    return d


def bump(p: Tensor) -> None:
    """Record that p changed in place: its version (and that of every alias) moves on."""
    p._version += 1
    if p._extra is not None:
        p._bump_aliases()


def grad_array(g: Tensor, dtype: np.dtype) -> np.ndarray:
    """The gradient's ndarray (a NumPy scalar for 0-d is fine as a ufunc operand)."""
    d = g.data
    return d if d.dtype == dtype else d.astype(dtype)


def updates(group: Dict[str, Any]) -> Iterator[Tuple[Tensor, np.ndarray, np.ndarray]]:
    """(p, p's data made writable, p's gradient as an array of that dtype) for every
    parameter of the group that has a gradient: what each optimizer's step loops over."""
    for p in group["params"]:
        if p.grad is not None:
            d = writable_data(p)
            yield p, d, grad_array(p.grad, d.dtype)
