"""Containers whose contents are registered on the container (as submodules or parameters),
so a parent's parameters(), named_parameters() and state_dict() see them under 'name.key':
Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict."""
from __future__ import annotations

import numbers
from collections import OrderedDict
from typing import (Any, ItemsView, Iterable, Iterator, KeysView, List, Mapping, Optional,
                    Tuple, TypeVar, Union, ValuesView)


from .module import Module, Parameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]

_V = TypeVar("_V")


def _as_parameter(value: Any) -> Any:
    """A Parameter as it is; any other tensor or array becomes one (as torch does)."""
    return value if isinstance(value, Parameter) or value is None else Parameter(value)


def _pairs(values: Union[Mapping[str, _V], Iterable[Tuple[str, _V]]],
           what: str) -> List[Tuple[str, _V]]:
    if isinstance(values, Mapping) or hasattr(values, "keys"):
        return list(values.items())     # type: ignore[union-attr]  # anything with .keys()
    out = []
    for i, kv in enumerate(values):
        if not isinstance(kv, (tuple, list)) or len(kv) != 2:
            raise TypeError(f"{what}.update: element #{i} should be a (key, value) pair, got "
                            f"{type(kv).__name__}")
        out.append((kv[0], kv[1]))
    return out


def _checked_index(idx: Any, n: int, what: str) -> int:
    if not isinstance(idx, numbers.Integral):
        raise TypeError(f"{what} indices must be integers or slices, not {type(idx).__name__}")
    i = int(idx)
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range for {what} of length {n}")
    return i % n


class Sequential(Module):
    """Modules applied in order: Sequential(m0, m1, …)(x) = … m1(m0(x)).

    By the chain rule the gradient passes back through the modules in reverse order.
    Built from modules (named '0', '1', …) or from one OrderedDict of named modules; indexing,
    slicing (a new Sequential), len, iteration and append work as on a list.

    Examples
    --------
    >>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> model(wg.ones((2, 3))).shape
    (2, 1)
    >>> len(model), type(model[1]).__name__
    (3, 'ReLU')
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, m in args[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(args):
                self.add_module(str(i), m)

    def forward(self, input: Any) -> Any:
        """Apply each module to the previous one's output, first to last."""
        for m in self._modules.values():
            if m is not None:
                input = m(input)
        return input

    def _index(self, idx: Any) -> int:
        return _checked_index(idx, len(self._modules), type(self).__name__)

    def __getitem__(self, idx: Union[int, slice]) -> Any:
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(OrderedDict(items[idx]))
        return items[self._index(idx)][1]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[self._index(idx)]
        self.add_module(key, module)

    def __delitem__(self, idx: Union[int, slice]) -> None:
        keys = list(self._modules)
        for k in (keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]):
            del self._modules[k]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        """Add `module` at the end (named by its position); returns self."""
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent sees; no forward of its own.

    Examples
    --------
    >>> layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    >>> len(layers), len(list(layers.parameters()))
    (3, 6)
    """

    def __init__(self, modules: Optional[Iterable[Optional[Module]]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _index(self, idx: Any) -> int:
        return _checked_index(idx, len(self._modules), "ModuleList")

    def __getitem__(self, idx: Union[int, slice]) -> Any:
        if isinstance(idx, slice):
            return ModuleList(list(self._modules.values())[idx])
        return self._modules[str(self._index(idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(self._index(idx)), module)

    def __delitem__(self, idx: Union[int, slice]) -> None:
        mods = list(self._modules.values())
        del mods[idx if isinstance(idx, slice) else self._index(idx)]
        self._modules.clear()
        for i, m in enumerate(mods):
            self._modules[str(i)] = m

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Optional[Module]]) -> "ModuleList":
        return self.extend(modules)

    def append(self, module: Optional[Module]) -> "ModuleList":
        """Add `module` at the end; returns self."""
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Optional[Module]]) -> "ModuleList":
        """Append each of `modules` in order; returns self."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Insert `module` before position `index` (as list.insert); later ones renumber."""
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)


class ModuleDict(Module):
    """An ordered dict of modules, registered under their keys; no forward of its own.

    Examples
    --------
    >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
    >>> list(heads.keys()), heads["box"].out_features
    (['cls', 'box'], 2)
    """

    def __init__(self, modules: Optional[Union[Mapping[str, Module],
                                               Iterable[Tuple[str, Module]]]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Any:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> KeysView[str]:
        """The modules' keys, in insertion order."""
        return self._modules.keys()

    def items(self) -> ItemsView[str, Any]:
        """(key, module) pairs, in insertion order."""
        return self._modules.items()

    def values(self) -> ValuesView[Any]:
        """The modules, in insertion order."""
        return self._modules.values()

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def pop(self, key: str) -> Any:
        """Remove the module under `key` and return it (KeyError when there is none)."""
        v = self[key]
        del self[key]
        return v

    def update(self, modules: Union[Mapping[str, Module], Iterable[Tuple[str, Module]]]) -> None:
        """Add (or replace) modules from a mapping or from (key, module) pairs."""
        for k, m in _pairs(modules, "ModuleDict"):
            self[k] = m


class ParameterList(Module):
    """A list of parameters registered as '0', '1', …; tensors that are not Parameters yet
    are made Parameters (sharing memory), as in torch.

    Examples
    --------
    >>> ps = nn.ParameterList([wg.zeros(2), wg.ones(3)])
    >>> [tuple(p.shape) for p in ps], ps[1].requires_grad
    ([(2,), (3,)], True)
    """

    def __init__(self, values: Optional[Iterable[Any]] = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _index(self, idx: Any) -> int:
        return _checked_index(idx, len(self._parameters), "ParameterList")

    def __getitem__(self, idx: Union[int, slice]) -> Any:
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(self._index(idx))]

    def __setitem__(self, idx: int, param: Any) -> None:
        self.register_parameter(str(self._index(idx)), _as_parameter(param))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._parameters.values())

    def __iadd__(self, values: Iterable[Any]) -> "ParameterList":
        return self.extend(values)

    def append(self, value: Any) -> "ParameterList":
        """Add `value` (made a Parameter if it is not one) at the end; returns self."""
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append each of `values` in order; returns self."""
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        """One line per parameter: its index, shape and dtype."""
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})"
                         for k, p in self._parameters.items() if p is not None)


class ParameterDict(Module):
    """An ordered dict of parameters registered under their (string) keys; tensors that are
    not Parameters yet are made Parameters.

    Examples
    --------
    >>> pd = nn.ParameterDict({"scale": wg.ones(2)})
    >>> "scale" in pd, [name for name, _ in pd.named_parameters()]
    (True, ['scale'])
    """

    def __init__(self, parameters: Optional[Union[Mapping[str, Any],
                                                  Iterable[Tuple[str, Any]]]] = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Any:
        return self._parameters[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]
        self.__dict__.pop(key, None)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> KeysView[str]:
        """The parameters' keys, in insertion order."""
        return self._parameters.keys()

    def items(self) -> ItemsView[str, Any]:
        """(key, parameter) pairs, in insertion order."""
        return self._parameters.items()

    def values(self) -> ValuesView[Any]:
        """The parameters, in insertion order."""
        return self._parameters.values()

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter under `key`, or `default` when there is none."""
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Any:
        """Remove the parameter under `key` and return it (KeyError when there is none)."""
        v = self[key]
        del self[key]
        return v

    def clear(self) -> None:
        """Remove every parameter."""
        for k in list(self._parameters):
            del self[k]

    def update(self, parameters: Union[Mapping[str, Any], Iterable[Tuple[str, Any]]]) -> None:
        """Add (or replace) parameters from a mapping or from (key, value) pairs."""
        for k, v in _pairs(parameters, "ParameterDict"):
            self[k] = v

    def extra_repr(self) -> str:
        """One line per parameter: its key, shape and dtype."""
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})"
                         for k, p in self._parameters.items() if p is not None)
