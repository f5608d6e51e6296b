"""How a Tensor prints: `tensor(…)`, or, carrying a forward-mode tangent, `dual(…, tangent=…)`.

A dual number a + bε prints both parts, `dual(42., tangent=24.)`, so the tangent that forward
mode carries along is in plain sight. Under nested forward mode (`jvp` of `jvp`) a value
carries one tangent per level; the innermost level is peeled off first, as forward mode does,
so `dual(dual(3., tangent=1.), tangent=1.)` reads (3 + 1ε₁) + 1ε₂. A value taken out of a dual
number (its `.primal` or `.tangent`) carries no tangent and prints as a tensor.

This module imports nothing of wengert: tensor.py calls it for `repr` and `str`.
"""
import numpy as np

__all__ = ["tensor_repr", "summarize"]

_PLAIN_DTYPES = (np.float64, np.int64, np.bool_)
_DUAL = "dual("
_TANGENT = "tangent="


def tensor_repr(t):
    """The text of Tensor t: its value (and tangents), then dtype, grad_fn or requires_grad
    where they differ from the defaults."""
    d = t.data
    tans = t._tangents
    head = _DUAL if tans else "tensor("
    body = _value_text(d, tans, 0) if tans else \
        np.array2string(d, separator=", ", prefix=head)
    if tans:
        body = body[len(_DUAL):]       # (the outermost "dual(" is the head)
    extras = []
    if d.size == 0 and d.ndim != 1:          # `[]` alone would hide the shape, e.g. (0, 3)
        extras.append(f"shape={d.shape}")
    if d.dtype not in _PLAIN_DTYPES:
        extras.append(f"dtype={d.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t._requires_grad:
        extras.append("requires_grad=True")
    return head + ", ".join([body] + extras) + ")"


def _value_text(data, tangents, indent):
    """data with the given tangents (level → Tensor) as text, continuation lines indented by
    `indent` columns. A dual's text is left open (no closing parenthesis): the outermost one
    is closed after the extras, a nested one by `_nested`."""
    if not tangents:
        return np.array2string(np.asarray(data), separator=", ", prefix=" " * indent)
    top = max(tangents)
    inner = {k: v for k, v in tangents.items() if k != top}
    tan = tangents[top]
    t_data, t_tans = getattr(tan, "data", tan), getattr(tan, "_tangents", None)
    at = indent + len(_DUAL)
    primal = _nested(data, inner, at)
    one_line = at + len(primal) + len(", " + _TANGENT)
    tangent = _nested(t_data, t_tans, one_line)
    if "\n" in primal or "\n" in tangent:
        tangent = _nested(t_data, t_tans, at + len(_TANGENT))
        return f"{_DUAL}{primal},\n{' ' * at}{_TANGENT}{tangent}"
    return f"{_DUAL}{primal}, {_TANGENT}{tangent}"


def _nested(data, tangents, indent):
    text = _value_text(data, tangents, indent)
    return text + ")" if tangents else text


def summarize(value, n=3, digits=4):
    """Short text for a number or an array (a Tensor's value): `digits` significant digits
    for a number; an array as its dtype, shape and first `n` values and its last, e.g.
    ``float32[3,4] [0.1, 0.2, 0.3, … 0.9]``. Used by the drawings and the tape's table."""
    plain = isinstance(value, (np.ndarray, np.generic, int, float, complex, bool))
    a = np.asarray(value if plain else value.data)      # (a Tensor's value, read, not taken)
    if a.ndim == 0:
        return _number(a.item(), digits)
    head = f"{a.dtype}[{','.join(map(str, a.shape))}]"
    flat = a.reshape(-1)
    if flat.size == 0:
        return head
    if flat.size <= n + 1:
        nums = ", ".join(_number(v, digits) for v in flat.tolist())
    else:
        nums = ", ".join(_number(v, digits) for v in flat[:n].tolist()) + \
            f", … {_number(flat[-1].item(), digits)}"
    return f"{head} [{nums}]"


def _number(v, digits):
    if isinstance(v, (bool, int)) or not isinstance(v, (float, complex)):
        return str(v)                   # (an int, a bool, or a str/object entry: never raises)
    return f"{v:.{digits}g}"
