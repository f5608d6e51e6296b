"""An op's face to help(), inspect and doctest: its docstring, its class, its signature.

Each op gets a class of its own at declaration (own_class), whose `__doc__` is the op's
docstring, so `help(wg.exp)` is about exp and not about UnaryOp.

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

import inspect
import sys

class SignatureOf:
    """`op.__signature__`: the typed ``__call__``'s parameters, or, for an op whose forward
    is a Python function, that function's (so help(wg.sum) shows axis, keepdims, ...).
    None on the class, where inspect then reads ``__call__`` as for any class."""

    def __get__(self, op, cls=None):
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


# The op's own docstring read off the op itself: pydoc shows an instance's __doc__ only when
# it is not the class's (pydoc._getowndoc), so the class holds this property, not a string.
_op_doc = property(lambda op: op._doc)


class Documented:
    """What makes an op read as a function to inspect, pydoc and doctest (Op's base)."""
    __slots__ = ()
    __signature__ = SignatureOf()
    signature_of_forward = True     # help() shows the forward's parameters (not x or x, y)

    @property
    def doc(self):
        """The op's docstring (what help() shows)."""
        return self._doc

    @doc.setter
    def doc(self, text):
        self._doc = compose(self.name, self.grad_name, text)

    # A method descriptor that binds to nothing: inspect.isroutine(op) holds, so pydoc
    # renders "exp(x)" and the docstring, and doctest finds the op's examples.
    def __get__(self, obj, objtype=None):
        return self

    @property
    def __name__(self):
        return self.name


def own_class(op, module):
    """Give `op` a class of its own, whose `__doc__` is the op's docstring: help(op),
    op.__doc__ and inspect.getdoc(op) then describe this op, not its kind (UnaryOp, ...).
    The class adds no slot and no method, so calls cost what they did and `observe()`
    (which swaps the kinds' __call__) still reaches them."""
    cls = type(op.name, (type(op),), {"__slots__": (), "__doc__": _op_doc,
                                       "__module__": module})
    cls.__qualname__ = cls.__name__
    op.__class__ = cls


def caller_module(depth):
    """The name of the module `depth` frames above the caller (where an op is declared)."""
    return sys._getframe(depth + 1).f_globals.get("__name__", __name__)


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


def compose(name, grad_name, doc):
    """The docstring of op `name` from its row's `doc` (a tuple, see above; a str is kept;
    None stays None)."""
    if doc is None or isinstance(doc, str):
        return doc
    summary, math, *example = doc
    if len(example) == 3:
        point, value, grad = example
        lines = [f">>> x = wg.tensor({point}, requires_grad=True)",
                 f">>> y = wg.{name}(x)",
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
                 f">>> z = wg.{name}(x, y)",
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
