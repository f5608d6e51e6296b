"""An op's docstring from the short form its declaration row gives.

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
