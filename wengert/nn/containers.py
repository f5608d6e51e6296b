"""ModuleDict, ParameterList and ParameterDict: containers whose contents are registered on
the container (as submodules or parameters), so a parent's parameters(),
named_parameters() and state_dict() see them under 'name.key'."""
import numbers

from .module import Module, Parameter

__all__ = ["ModuleDict", "ParameterList", "ParameterDict"]


def _as_parameter(value):
    """A Parameter as it is; any other tensor or array becomes one (as torch does)."""
    return value if isinstance(value, Parameter) or value is None else Parameter(value)


def _pairs(values, what):
    if hasattr(values, "keys"):
        return list(values.items())
    out = []
    for i, kv in enumerate(values):
        if not isinstance(kv, (tuple, list)) or len(kv) != 2:
            raise TypeError(f"{what}.update: element #{i} should be a (key, value) pair, got "
                            f"{type(kv).__name__}")
        out.append(tuple(kv))
    return out


class ModuleDict(Module):
    """An ordered dict of modules, registered under their keys; no forward of its own."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def update(self, modules):
        for k, m in _pairs(modules, "ModuleDict"):
            self[k] = m


class ParameterList(Module):
    """A list of parameters registered as '0', '1', …; tensors that are not Parameters yet
    are made Parameters (sharing memory), as in torch."""

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _index(self, idx):
        n = len(self._parameters)
        if not isinstance(idx, numbers.Integral):
            raise TypeError(f"ParameterList indices must be integers or slices, not "
                            f"{type(idx).__name__}")
        if not -n <= idx < n:  # type: ignore[operator]  # typeshed's numbers ABCs: no order with int
            raise IndexError(f"index {idx} is out of range for ParameterList of length {n}")
        return idx % n

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[str(self._index(idx))]

    def __setitem__(self, idx, param):
        self.register_parameter(str(self._index(idx)), _as_parameter(param))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __iadd__(self, values):
        return self.extend(values)

    def append(self, value):
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values):
        for v in values:
            self.append(v)
        return self

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})"
                         for k, p in self._parameters.items() if p is not None)


class ParameterDict(Module):
    """An ordered dict of parameters registered under their (string) keys; tensors that are
    not Parameters yet are made Parameters."""

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        self.register_parameter(key, _as_parameter(value))

    def __delitem__(self, key):
        del self._parameters[key]
        self.__dict__.pop(key, None)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def items(self):
        return self._parameters.items()

    def values(self):
        return self._parameters.values()

    def get(self, key, default=None):
        return self._parameters.get(key, default)

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def clear(self):
        for k in list(self._parameters):
            del self[k]

    def update(self, parameters):
        for k, v in _pairs(parameters, "ParameterDict"):
            self[k] = v

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)} ({p.dtype})"
                         for k, p in self._parameters.items() if p is not None)


