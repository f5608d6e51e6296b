"""Values leaving the graph (API §9): the one check at every door a value goes out by.

NumPy and Python take a tensor's value only through its conversion methods: `__array__`
(np.asarray, np.array, a list of tensors handed to NumPy, `b[:] = t`), `numpy()`, and
`__float__`, `__int__`, `item()`, `tolist()` (float(t), math.exp(t), `b[0] = t`). A value
taken there is a constant to the engine, so its derivative would be lost without a word.
`check_exit` decides, at those doors only, whether that loss may happen:

* an array door (`__array__`, `numpy()`) refuses a tensor that requires grad (grad mode on)
  and a tensor carrying a forward-mode tangent;
* a value door (`float`, `int`, `item`, `tolist`) is an explicit exit, as in PyTorch, except
  for a tensor requiring grad that is stored into an ndarray (`b[i] = t`: NumPy calls
  float() there) and, inside a transform, a tensor through which the gradient or the
  tangent of a running transform flows (JAX's rule).

`wg.no_grad()` opens every door (the user says the value is a constant), as do `.detach()`
and `.numpy(force=True)`: the explicit ways out. `bool()` and comparisons
never ask: Python control flow on values keeps working.

Which values a running transform differentiates: a forward transform registers its tangent
level (`marks.levels`), so a tangent at that level answers at once; a reverse transform
registers the entry points of its private copies of the inputs (`marks.keys`: the copies'
graph nodes, or the copies themselves when they are fresh leaves) while the function runs,
and the check walks the graph back from the value looking for one. The walk runs only at a door, only for
a tensor that requires grad while a transform runs; ops never pay for it.
"""
import opcode
import sys
import threading

from .engine.graph import reaches
from .grad_mode import state as _grad


class _Marks(threading.local):
    def __init__(self):
        self.keys = []      # graph entry points of the running reverse transforms' inputs
        self.levels = []    # the tangent levels of the running forward transforms


marks = _Marks()

_STORE_SUBSCR = opcode.opmap["STORE_SUBSCR"]

_WAY_OUT = ("to combine tensors into one, use wg.stack([...]) (or wg.tensor([...]), "
            "wg.asarray([...])); for the value as a constant without gradient, use t.detach() "
            "(or t.numpy(force=True))")


def depends_on_transform(t):
    """Does the gradient of a running reverse transform flow through t (a tensor requiring
    grad)? A walk back through t's graph to the transforms' copies of their inputs."""
    keys = marks.keys
    if not keys:
        return False
    keys = set(keys)  # type: ignore[assignment]
    return reaches([t.grad_fn if t.grad_fn is not None else t], keys.__contains__, keys)


def _stored_into_array():
    """Is the caller's caller a store into a container (`b[i] = t`)? NumPy's __setitem__
    converts a scalar position with float()/int(), from the frame doing the store."""
    f = sys._getframe(3)
    return f.f_code.co_code[f.f_lasti] == _STORE_SUBSCR


def check_exit(t, door, array=False):
    """Raise TypeError when the value of tensor t may not leave through `door` (§9).

    door: how the value leaves, for the message ("np.asarray(t)", "float()", ...); array:
    an array door (__array__, numpy()) rather than a value door (float, int, item, tolist).
    The one check every exit shares; a compiling tracer adds its own refusal here."""
    if not _grad.enabled:
        return                          # wg.no_grad(): the user says the value is a constant
    tans = t._tangents
    if tans and (array or any(k in marks.levels for k in tans)):
        raise TypeError(
            f"{door} of a tensor that carries a forward-mode tangent (wg.jvp, jacfwd, hessian, "
            f"hvp, linearize or wg.dual) would drop the tangent without a word: keep the value "
            f"a tensor (wengert/NumPy ops on it; bool() and comparisons still work for "
            f"control flow), or take t.detach() first if it is meant as a constant")
    if not t._requires_grad:
        return
    if array:
        raise TypeError(
            f"{door} of a tensor that requires grad would take its value out of the graph, "
            f"and its gradient would be lost without a word (NumPy asks for this in "
            f"np.asarray(t), np.array(t), t.numpy(), np.array([a, b]), np.sum([a, b]), "
            f"b[:] = t); {_WAY_OUT}")
    if door in ("float()", "int()") and _stored_into_array():
        raise TypeError(
            f"storing a tensor that requires grad into an ndarray (b[i] = t) would take its "
            f"value out of the graph, and its gradient would be lost without a word; build "
            f"the array as a tensor instead (wg.stack, or b = wg.zeros(n); b[i] = t, which is "
            f"differentiable), or store t.detach()")
    if marks.keys and depends_on_transform(t):
        raise TypeError(
            f"{door} of a value that a running transform (wg.grad, value_and_grad, vjp, "
            f"jacrev, hessian, ...) differentiates: its derivative cannot flow through a "
            f"Python number, so the result would be silently wrong. Keep it a tensor "
            f"(wengert/NumPy ops on it; bool() and comparisons still work for control "
            f"flow), or take t.detach() first if it is meant as a constant")


def check_deepcopy(t):
    """copy.deepcopy(t) copies t's graph too, down to new leaves. Inside a transform, a copy of
    a value the transform differentiates would no longer reach the transform's inputs: its
    gradient would be zero without a word. That is a TypeError; outside transforms the copy is
    an independent graph, as before."""
    if _grad.enabled and t._requires_grad and marks.keys and depends_on_transform(t):
        raise TypeError(
            "copy.deepcopy of a value that a running transform (wg.grad, value_and_grad, "
            "vjp, jacrev, hessian, ...) differentiates would copy its graph away from the "
            "transform's input, and its gradient would be lost without a word; use t.copy() "
            "(a differentiable copy), or t.detach() for a constant")
