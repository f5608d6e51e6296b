"""Functions of a Module's parameters: `wg.func.functional_call`.

A Module keeps its parameters inside itself; a transform (`wg.grad`, `wg.value_and_grad`,
`wg.compile`) differentiates with respect to a function's arguments. functional_call joins
the two: it runs the module with a dict of tensors standing in for its parameters, so a loss
becomes a function of that dict,

    loss(params, x, y) = L(module_params(x), y),   ∇_params loss = the dict of ∂L/∂params,

and `wg.grad(loss)(dict(model.named_parameters()), x, y)` is a dict with one gradient per
name. This module sits above `wengert.nn` (it imports nn; nn never imports it).
"""
from collections import OrderedDict

from .creation import asarray
from .nn.module import Module, key_mismatch
from .tensor import Tensor

__all__ = ["functional_call"]


def _slots(module):
    """Every place a parameter or buffer lives: (dotted name, owning module, local name,
    registry, tensor), over every path to it (a module or tensor shared by two owners, e.g.
    tied weights, appears under each of its names)."""
    out = []
    for prefix, m in module.named_modules(remove_duplicate=False):
        dot = prefix + ("." if prefix else "")
        for kind in ("_parameters", "_buffers"):
            for name, t in m.__dict__[kind].items():
                if t is not None:
                    out.append((dot + name, m, name, kind, t))
    return out


def _replacements(module, params, strict):
    """The checked plan: a list of (owner, local name, registry, new tensor). Everything is
    checked before the module is touched."""
    slots = _slots(module)
    known = {s[0] for s in slots}
    # the tensors behind the names, each once, in named_parameters() order; its first name
    # is the one named_parameters() gives it
    names_of: OrderedDict = OrderedDict()
    kind_of, tensor_of = {}, {}
    for full, _, _, kind, t in slots:
        names_of.setdefault(id(t), []).append(full)
        kind_of[id(t)] = kind
        tensor_of[id(t)] = t
    for key in params:
        if not isinstance(key, str):
            raise TypeError(f"functional_call: parameter names are strings (as in "
                            f"named_parameters()), got {type(key).__name__} {key!r}")
    missing, unexpected = [], [k for k in params if k not in known]
    chosen, tied = {}, []
    for tid, names in names_of.items():
        given = [n for n in names if n in params]
        if not given:
            if kind_of[tid] == "_parameters":
                missing.append(names[0])
            continue
        values = {id(params[n]) for n in given}
        if len(values) > 1:
            tied.append(" and ".join(f'"{n}"' for n in given))
        chosen[tid] = params[given[0]]
    if strict and (missing or unexpected):
        lines = key_mismatch(f"Error(s) in functional_call for {type(module).__name__}:",
                             "the parameter dict", missing, unexpected)
        lines.append("(pass strict=False to keep the module's own tensor for a missing name "
                     "and to ignore an unexpected one)")
        raise RuntimeError("\n\t".join(lines))
    if tied:
        raise ValueError(f"functional_call: {'; '.join(tied)} name one tensor shared (tied) "
                         f"in {type(module).__name__} but were given different values; give "
                         f"one value for all of its names")
    converted, bad = {}, []
    for tid, v in chosen.items():
        v = v if isinstance(v, Tensor) else asarray(v)
        original = tensor_of[tid]
        if v.shape != original.shape:
            bad.append(f'"{names_of[tid][0]}": the module\'s is {original.shape}, the '
                       f"dict's is {v.shape}")
        converted[tid] = v
    if bad:
        raise ValueError(f"functional_call: shape mismatch for {type(module).__name__}: "
                         + "; ".join(bad))
    return [(m, name, kind, converted[id(t)]) for _, m, name, kind, t in slots
            if id(t) in converted]


def functional_call(module, params, *args, strict=True, **kwargs):
    """module(*args, **kwargs) computed with the tensors of `params` in place of the module's
    own parameters (and buffers), without changing the module.

    params: a dict from dotted names, as `module.named_parameters()` (and
    `module.named_buffers()`) give them, to Tensors (arrays and numbers are converted). Every
    parameter must be named (a buffer may be: a buffer not named keeps the module's own
    tensor); shapes must match the module's. The result depends on the given tensors, so
    `wg.grad(lambda p: loss(functional_call(model, p, x), y))(params)` is the dict of
    ∂loss/∂p. A BatchNorm in training mode updates the running statistics it uses in place:
    those given in `params` when given, else the module's own.

    strict=True (the default): a missing parameter or a name the module does not have is a
    RuntimeError listing all of them at once (as load_state_dict's). strict=False: a missing
    parameter keeps the module's own tensor and an unexpected name is ignored. `strict` is
    taken by functional_call, so a forward with an argument named `strict` cannot receive it
    by keyword here. A tensor shared by two names (tied weights) may be given under either
    name or both (then the same tensor). A shape that differs is a ValueError naming it.

    The module's tensors are swapped in for the call and restored afterwards, also when
    forward raises. Not thread-safe: another thread using the module during the call sees the
    swapped tensors."""
    if not isinstance(module, Module):
        raise TypeError(f"functional_call: expected an nn.Module, got {type(module).__name__}")
    if not hasattr(params, "keys") or not hasattr(params, "__getitem__"):
        raise TypeError(f"functional_call: params must be a dict from names to tensors (e.g. "
                        f"dict(model.named_parameters())), got {type(params).__name__}")
    plan = _replacements(module, params, strict)
    saved = []
    try:
        for m, name, kind, new in plan:
            d = m.__dict__
            saved.append((d, name, kind, d[kind][name], d.get(name)))
            # straight into the registries: __setattr__ admits only nn.Parameter objects as
            # parameters, and layers read `self.weight` from the instance __dict__
            d[kind][name] = new
            d[name] = new
        return module(*args, **kwargs)
    finally:
        for d, name, kind, reg_value, attr_value in reversed(saved):
            d[kind][name] = reg_value
            d[name] = attr_value
