"""An op's face to help(), inspect and doctest: its docstring and its signature.

Each op carries its docstring (`op.doc`, shown as `op.__doc__`), so `help(wg.exp)` is about
exp and not about the class UnaryOp.

The docstring may come in a short form from the declaration row.

A row of an op table (ops/elementwise.py) carries its docstring beside its forward and its
derivative, as a tuple that this module turns into a NumPy-style docstring:

* unary:  ``(summary, math, x, value, grad)``
* binary: ``(summary, math, "x, y", value, grad_x, grad_y)``

`summary` is the first line, `math` the function and its derivative in plain text (several
lines joined by "\\n"), and the rest an example at one point: the input(s) as Python
literals, then the printed value of the result and of each gradient. The example becomes
doctest lines (tests/test_docstrings.py runs them, so they stay true):

    >>> x = wg.tensor(0.5, requires_grad=True)
    >>> y = wg.exp(x)
    >>> y
    tensor(1.64872127, grad_fn=<ExpBackward>)
    >>> y.backward()
    >>> x.grad
    tensor(1.64872127)

A docstring given as a plain string is kept as it is. Examples assume ``import numpy as np``
and ``import wengert as wg``.
"""

from __future__ import annotations

import inspect
from typing import Any


class SignatureOf:
    """`op.__signature__`: the typed ``__call__``'s parameters, or, for an op whose forward
    is a Python function, that function's (so help(wg.sum) shows axis, keepdims, ...).
    None on the class, where inspect then reads ``__call__`` as for any class."""

    def __get__(self, op: Any, cls: type | None = None) -> inspect.Signature | None:
        if op is None:
            return None
        call = inspect.signature(type(op).__call__)
        call = call.replace(parameters=list(call.parameters.values())[1:])
        if op.signature_of_forward and inspect.isfunction(op.forward):
            try:
                return inspect.signature(op.forward).replace(
                    return_annotation=call.return_annotation)
            except (TypeError, ValueError):
                pass
        return call


# An op's docstring is its own (op._doc), read off the op itself: every op class holds this
# property as its __doc__ (Documented.__init_subclass__), so op.__doc__, inspect.getdoc(op)
# and help(op) give the op's text, and pydoc, which shows an instance's __doc__ only when it
# is not the class's own string, shows it. Ops keep their kinds' classes (UnaryOp, ...): a
# class per op would make the kinds' methods' attribute reads miss the interpreter's
# per-type inline caches as ops alternate (about 5% on a chain of small ops).
_op_doc = property(lambda op: op._doc)


class Documented:
    # What makes an op read as a function to inspect, pydoc and doctest (Op's base). (No
    # docstring: __doc__ is the property above, in this class and in each subclass.)
    __slots__ = ()
    name: str
    __signature__ = SignatureOf()
    signature_of_forward = True     # help() shows the forward's parameters (not x or x, y)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__doc__ = _op_doc       # type: ignore[assignment]  # a str on a class; here a property

    # A method descriptor that binds to nothing: inspect.isroutine(op) holds, so pydoc
    # renders "exp(x)" and the docstring (not the methods of the op's class).
    def __get__(self, obj: object, objtype: type | None = None) -> Documented:
        return self

    @property
    def __name__(self) -> str:
        return self.name


_UNARY_PARAMS = """Parameters
----------
x : array_like or Tensor
    The input; a Tensor that requires grad makes the result record its derivative.

Returns
-------
Tensor
    The result, elementwise, in x's floating dtype."""

_BINARY_PARAMS = """Parameters
----------
x, y : array_like or Tensor
    The operands, broadcast against each other as in NumPy; gradients are summed back to
    each operand's shape.

Returns
-------
Tensor
    The result, elementwise, in the operands' result dtype."""


class Short(tuple):
    """A short-form docstring for an op reached as `space`.name (wg.special.erfc, ...)."""
    space = "wg"


def short(space: str, *parts: str) -> Short:
    """The short form `parts` (see above) of an op of the namespace `space`."""
    doc = Short(parts)
    doc.space = space
    return doc


def compose(name: str, grad_name: str, doc: str | tuple | None) -> str | None:
    """The docstring of op `name` from its row's `doc` (a tuple, see above; a str is kept;
    None stays None)."""
    if doc is None or isinstance(doc, str):
        return doc
    space = getattr(doc, "space", "wg")
    summary, math, *example = doc
    if len(example) == 3:
        point, value, grad = example
        lines = [f">>> x = wg.tensor({point}, requires_grad=True)",
                 f">>> y = {space}.{name}(x)",
                 ">>> y",
                 f"tensor({value}, grad_fn=<{grad_name}>)",
                 ">>> y.backward()",
                 ">>> x.grad",
                 f"tensor({grad})"]
        params = _UNARY_PARAMS
    elif len(example) == 4:
        point, value, gx, gy = example
        px, py = (p.strip() for p in point.split(","))
        lines = [f">>> x = wg.tensor({px}, requires_grad=True)",
                 f">>> y = wg.tensor({py}, requires_grad=True)",
                 f">>> z = {space}.{name}(x, y)",
                 ">>> z",
                 f"tensor({value}, grad_fn=<{grad_name}>)",
                 ">>> z.backward()",
                 ">>> x.grad, y.grad",
                 f"(tensor({gx}), tensor({gy}))"]
        params = _BINARY_PARAMS
    else:
        raise ValueError(f"op {name!r}: a docstring tuple is (summary, math, x, value, grad) "
                         f"or (summary, math, 'x, y', value, grad_x, grad_y)")
    return "\n\n".join([summary, math, params, "Examples\n--------\n" + "\n".join(lines)])
