"""Operands that are not Tensors, as API §9 wants them: by value, and lists stacked.

An ndarray operand is used by value: a node that keeps one for its derivative keeps a copy,
so changing the caller's array after the op changes neither the op's result nor its gradient
(a scratch buffer reused in a loop). The copy is made only when a node saves the array, that
is, only while a gradient is recorded.

A list of tensors given where an array is expected is stacked, differentiably.

NumPy would turn `[a, b]` into an array through each tensor's `__array__`, taking the values
out of the graph; wengert's own functions stack the list instead, so `wg.sum([a, b])`,
`wg.exp([a, b])`, `wg.tensor([a, b])` keep their gradients. The check runs only where an
argument is a list or tuple (the non-Tensor branches of the ops' calls and the creation
functions), never for Tensor arguments.
"""
import numpy as np

from ..tensor import Tensor, _make, _strip
from ..views import by_value  # noqa: F401  (re-exported: the ops keep constants by it)

SEQUENCES = (list, tuple)


def value_of(a):
    """a's value: a Tensor's ndarray, anything else as it is."""
    return a.data if isinstance(a, Tensor) else a


def read_values(obj, what):
    """obj with each Tensor (at any depth of lists, tuples, dicts) as its ndarray, for `what`
    (a function that answers from the values and records no op: np.nonzero, wg.unique). A
    compiling tracer swaps this function for one that refuses a value computed from its
    inputs, whose answer would become a constant of the program (compile/trace.py)."""
    return _strip(obj)


def detached(a):
    """a for a test or a constant of a rule (no gradient flows through it): a Tensor detached
    (a compiling tracer still knows it as a step of the program), anything else as is."""
    return a.detach() if isinstance(a, Tensor) else a


def array_of(a):
    """a's value as an ndarray: a Tensor's data, anything else through np.asarray."""
    return a.data if isinstance(a, Tensor) else np.asarray(a)


def holds_tensor(obj):
    """Does the list or tuple obj hold a Tensor, at any depth of nesting?"""
    for o in obj:
        if isinstance(o, Tensor):
            return True
        if isinstance(o, SEQUENCES) and holds_tensor(o):
            return True
    return False


def pack(obj):
    """obj, a (nested) list or tuple holding Tensors, as one Tensor: np.array(obj) written
    as a stack of its entries, so d(pack(obj))/d(entry i) is the slice [i]."""
    from .shape import stack
    parts = [pack(o) if isinstance(o, SEQUENCES) and holds_tensor(o) else o for o in obj]
    if not parts:
        raise ValueError("cannot stack an empty list")
    return stack(parts)


def packed(obj):
    """obj stacked when it is a list or tuple holding Tensors; otherwise obj itself."""
    if isinstance(obj, SEQUENCES) and holds_tensor(obj):
        return pack(obj)
    return obj


def as_input(a):
    """A Tensor as it is, anything else as an ndarray."""
    return a if isinstance(a, Tensor) else np.asarray(a)


def as_tensor(a):
    """A Tensor as it is, anything else as a constant Tensor."""
    return a if isinstance(a, Tensor) else _make(np.asarray(a), None)


def shape_of(a):
    """The shape of a Tensor, an array, a number or a nested list."""
    return a.data.shape if isinstance(a, Tensor) else np.shape(a)
