"""Module and Parameter: the containers of trainable state, with torch.nn's interface.

A Module keeps its parameters, buffers and submodules in three ordered dicts, filled by
attribute assignment (`self.weight = Parameter(...)`, `self.fc = Linear(...)`) or by the
register_* methods. Parameters and buffers are also kept in the instance __dict__, so reading
`self.weight` in forward is a plain attribute lookup, not a __getattr__ call (hot path).
"""
from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import (Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Set,
                    Tuple, TypeVar, cast)

import numpy as np

from ..grad_mode import no_grad
from ..creation import zeros_like as _zeros_like
from ..tensor import Tensor

__all__ = ["Module", "Parameter"]

# id → the Tensor made by Parameter(); weak, so a dropped parameter leaves no entry behind
# (the entry goes before its id can be reused).
_parameters: "weakref.WeakValueDictionary[int, Tensor]" = weakref.WeakValueDictionary()


class _ParameterType(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return type(obj) is Tensor and _parameters.get(id(obj)) is obj


class Parameter(metaclass=_ParameterType):
    """Parameter(data=None, requires_grad=True): a leaf Tensor that a Module registers as
    trainable when it is assigned as an attribute. It shares memory with `data` (as torch's
    does) and keeps its dtype.

    The result is a plain `wg.Tensor` (`isinstance(p, nn.Parameter)` is True for it, and for
    nothing else): the engine's fast paths test `type(x) is Tensor`, so a Tensor subclass
    would lose version checks on saved parameters and leave the array fast path.

    Examples
    --------
    >>> p = nn.Parameter(wg.zeros(3))
    >>> p.requires_grad, isinstance(p, nn.Parameter), isinstance(wg.zeros(3), nn.Parameter)
    (True, True, False)
    """

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> Tensor:  # type: ignore[misc]  # returns a plain Tensor on purpose (see above)
        if data is None:
            t = Tensor(np.empty((0,), dtype=np.float32))
        elif isinstance(data, Tensor):
            t = data.detach()
        else:
            from ..creation import asarray
            t = asarray(data).detach()
        t.requires_grad = requires_grad
        _parameters[id(t)] = t
        return t


class _IncompatibleKeys(NamedTuple):
    """What load_state_dict did not match: keys the module has that the dict lacked, and
    keys of the dict the module does not have."""
    missing_keys: List[str]
    unexpected_keys: List[str]


def _check_name(name: Any, kind: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if not name:
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got {name!r}')


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


_M = TypeVar("_M", bound="Module")


def key_mismatch(header, where, missing, unexpected):
    """The lines of PyTorch's error for names missing from, or unexpected in, `where`."""
    lines = [header]
    for what, keys in (("Missing", missing), ("Unexpected", unexpected)):
        if keys:
            lines.append(f"{what} key(s) in {where}: " + ", ".join(f'"{k}"' for k in keys) + ".")
    return lines


class Module:
    """Base class of every layer and model: subclasses call `super().__init__()`, assign
    parameters and submodules as attributes and define `forward`; calling the module calls
    forward.

    A model is the function y = f(x; θ), θ being every registered parameter; backward on a
    loss fills each parameter's .grad with ∂loss/∂θ, which an optimizer then reads.

    Examples
    --------
    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Parameter(wg.ones(2))
    ...         self.shift = nn.Parameter(wg.zeros(2))
    ...     def forward(self, x):
    ...         return x * self.scale + self.shift
    >>> m = Affine()
    >>> [name for name, _ in m.named_parameters()]
    ['scale', 'shift']
    >>> m(wg.tensor([1., 2.])).sum().backward()
    >>> m.scale.grad
    tensor([1., 2.])
    """

    training: bool
    _parameters: "OrderedDict[str, Optional[Tensor]]"
    _buffers: "OrderedDict[str, Optional[Tensor]]"
    _modules: "OrderedDict[str, Optional[Module]]"
    _non_persistent: Set[str]

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_modules"] = OrderedDict()
        d["_non_persistent"] = set()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- attribute registration ------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, "_parameters")
            params[name] = value
            d[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} "
                                f"(nn.Parameter or None expected)")
            params[name] = None
            d[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "_modules")
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module "
                                f"{name!r} (nn.Module or None expected)")
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} "
                                f"(Tensor or None expected)")
            d["_buffers"][name] = value
            d[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: Optional[str] = None) -> None:
        """Drop `name` from every registry but `keep` (re-assigning in place keeps its order)."""
        d = self.__dict__
        d.pop(name, None)
        for kind in ("_parameters", "_buffers", "_modules"):
            if kind != keep:
                d[kind].pop(name, None)
        if keep != "_buffers":
            d["_non_persistent"].discard(name)

    def __getattr__(self, name: str) -> Any:
        # only reached when normal lookup failed: submodules live in _modules alone
        d = self.__dict__
        modules = d.get("_modules")
        if modules is not None and name in modules:
            return modules[name]
        if name == "forward":
            raise AttributeError(f"{type(self).__name__} has no forward(); a Module subclass "
                                 f"defines forward(...) to be callable")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d["_parameters"] or name in d["_buffers"] or name in d["_modules"]:
            self._forget(name)
        else:
            object.__delattr__(self, name)

    def _claim(self, name: str, value: Any, kind: str, registry: str, cls: type,
               expected: str) -> None:
        """The checks register_parameter and register_buffer share: `value` (a `cls`, or
        None) may go under `name` in `registry`; then `name` leaves the other registries."""
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        _check_name(name, kind)
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute {name!r} already exists")
        if value is not None and not isinstance(value, cls):
            raise TypeError(f"cannot assign {type(value).__name__} as {kind} {name!r} "
                            f"({expected} or None expected)")
        self._forget(name, registry)

    def register_parameter(self, name: str, param: Optional[Tensor]) -> None:
        """Add `param` (an nn.Parameter, or None) under `name`."""
        self._claim(name, param, "parameter", "_parameters", Parameter, "nn.Parameter")
        self._parameters[name] = param
        self.__dict__[name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor],
                        persistent: bool = True) -> None:
        """Add a non-trainable tensor (running statistics, counters) under `name`; it is
        saved in state_dict unless persistent=False."""
        self._claim(name, tensor, "buffer", "_buffers", Tensor, "Tensor")
        self._non_persistent.discard(name)
        self._buffers[name] = tensor
        self.__dict__[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Add a child module (or None) under `name`."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(name, "module")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute {name!r} already exists")
        self._forget(name, "_modules")
        self._modules[name] = module

    register_module = add_module

    # ---- traversal ------------------------------------------------------------------------
    def named_modules(self, memo: Optional[Set[int]] = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """(dotted name, module) for this module and every descendant, each module once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from m.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        """This module and every descendant, each once (depth first, self first)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        """(name, module) for each direct child, each module once."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator["Module"]:
        """Each direct child module, once."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, kind: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, m in mods:
            for name, v in m.__dict__[kind].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield mod_prefix + ("." if mod_prefix else "") + name, v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        """(dotted name, parameter) pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every parameter of this module (and, with recurse, of its descendants), each once;
        what an optimizer is given: `SGD(model.parameters(), lr=0.1)`."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        """(dotted name, buffer) pairs, persistent or not; a shared buffer comes once."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (running statistics, counters), each once."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self: _M, fn: Callable[["Module"], Any]) -> _M:
        """Call fn(module) on every submodule (children first), then on self."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients ----------------------------------------------------------------
    def train(self: _M, mode: bool = True) -> _M:
        """Set `.training` on this module and every descendant (Dropout, BatchNorm read it)."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self: _M) -> _M:
        """Set evaluation mode (train(False)): Dropout is the identity, BatchNorm uses its
        running statistics. Returns self."""
        return self.train(False)

    def requires_grad_(self: _M, requires_grad: bool = True) -> _M:
        """Set requires_grad on every parameter (False freezes the module). Returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's .grad (to None; or fill it with zeros when set_to_none=False)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = _zeros_like(p.grad)

    # ---- state --------------------------------------------------------------------------
    def _state_items(self, prefix: str = "") -> Iterator[Tuple[str, Tensor]]:
        """(key, tensor) of every parameter and persistent buffer, in torch's order: each
        module's parameters, then its buffers, then its children's, depth first."""
        for mod_prefix, m in self.named_modules(prefix=prefix, remove_duplicate=False):
            dot = mod_prefix + ("." if mod_prefix else "")
            for name, p in m._parameters.items():
                if p is not None:
                    yield dot + name, p
            skip = m._non_persistent
            for name, b in m._buffers.items():
                if b is not None and name not in skip:
                    yield dot + name, b

    def state_dict(self, destination: Optional[Dict[str, Tensor]] = None, prefix: str = "",
                   keep_vars: bool = False) -> Dict[str, Tensor]:
        """An OrderedDict from dotted names to Tensors: parameters and persistent buffers
        (e.g. BatchNorm's running_mean, running_var, num_batches_tracked). The values share
        memory with the module's tensors and are detached unless keep_vars=True.

        Examples
        --------
        >>> list(nn.Linear(2, 3).state_dict())
        ['weight', 'bias']
        """
        out: Dict[str, Tensor] = OrderedDict() if destination is None else destination
        for key, t in self._state_items(prefix):
            out[key] = t if keep_vars else t.detach()
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any],
                        strict: bool = True) -> _IncompatibleKeys:
        """Copy the values of `state_dict` into this module's parameters and buffers (in
        place, cast to each tensor's dtype). Everything is checked before anything is copied:
        with strict=True, missing and unexpected keys are a RuntimeError listing all of them;
        a shape that differs is a ValueError naming the key and both shapes. Returns
        (missing_keys, unexpected_keys)."""
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"expected a dict of tensors, got {type(state_dict).__name__}")
        own = OrderedDict(self._state_items())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError("\n\t".join(key_mismatch(
                f"Error(s) in loading state_dict for {type(self).__name__}:", "state_dict",
                missing, unexpected)))
        values: List[Tuple[Tensor, Any]] = []
        bad: List[str] = []
        for key, t in own.items():
            if key not in state_dict:
                continue
            v = state_dict[key]
            v = v.data if isinstance(v, Tensor) else np.asarray(v)
            if np.shape(v) != t.shape:
                bad.append(f"size mismatch for {key}: copying a value of shape {np.shape(v)} "
                           f"from the state_dict, the shape in the current model is {t.shape}")
            values.append((t, v))
        if bad:
            raise ValueError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                             + "\n\t".join(bad))
        with no_grad():
            for t, v in values:
                cast(Any, t)[...] = v     # (Tensor.__setitem__ is installed by ops)
        return _IncompatibleKeys(missing, unexpected)

    # ---- dtype ------------------------------------------------------------------------------
    def to(self, *args, dtype=None, device=None, non_blocking=False):
        """Cast every floating parameter and buffer (and existing gradients) to `dtype`, in
        place: the Parameter objects stay the same, so an optimizer holding them keeps
        working. As PyTorch's: to(dtype), to(device), to(device, dtype), to(dtype=…,
        device=…); the device must be the CPU ('cpu' or wg.device('cpu'): there is only the
        CPU; any other is a ValueError)."""
        from ..torch_names import device as _device
        for a in args:
            if isinstance(a, (str, _device)):
                device = a
            else:
                dtype = a
        if device is not None:
            _device(device)                      # 'cuda' & co.: a clear ValueError
        if dtype is None:
            return self
        dt = np.dtype(dtype)
        if dt.kind != "f":
            raise TypeError(f"Module.to only casts to floating dtypes, got {dt}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.dtype.kind == "f" and t.dtype != dt:
                t.data = t.data.astype(dt)
                t._version += 1
                if t.grad is not None:
                    t.grad = t.grad.detach().astype(dt)
        return self

    def float(self: _M) -> _M:
        """Cast floating parameters and buffers to float32 in place (to(np.float32))."""
        return self.to(np.float32)

    def double(self: _M) -> _M:
        """Cast floating parameters and buffers to float64 in place (to(np.float64))."""
        return self.to(np.float64)

    def half(self: _M) -> _M:
        """Cast floating parameters and buffers to float16 in place (to(np.float16))."""
        return self.to(np.float16)

    # ---- printing ---------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses; layers override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, m in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(m), 2))
        head = type(self).__name__ + "("
        if not self._modules:
            return head + "\n  ".join(lines) + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self) -> List[str]:
        keys = set(super().__dir__())
        keys.update(self._parameters, self._buffers, self._modules)
        return sorted(k for k in keys if not k[0].isdigit())
