"""Safe arithmetic expressions for the command line: parsed with `ast`, never evaluated as code.

`parse(text)` checks the syntax tree against an allow-list — numbers, variable names,
``+ - * / **``, unary ``-``/``+``, calls of known math functions by bare name, and the
constants ``pi`` and ``e`` — and raises `ExprError` (one line, naming the problem) for
anything else. `Expr.evaluate(values)` walks the checked tree applying wengert ops, so the
result is a Tensor carrying whatever the inputs carry (a graph, a dual-number tangent).
"""
import ast
import math

import numpy as np

__all__ = ["ExprError", "Expr", "parse", "parse_assignments", "FUNCTIONS", "CONSTANTS",
           "MAX_LENGTH"]

MAX_LENGTH = 1000          # characters: keeps parsing, evaluation and SymPy quick

CONSTANTS = {"pi": math.pi, "e": math.e}

# name → (name of the wengert function, number of arguments)
FUNCTIONS = {
    **{n: (n, 1) for n in (
        "sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh "
        "exp exp2 expm1 log log2 log10 log1p sqrt cbrt square reciprocal abs "
        "sigmoid relu softplus erf gelu sign floor ceil").split()},
    **{a: (n, 1) for a, n in (("asin", "arcsin"), ("acos", "arccos"), ("atan", "arctan"),
                              ("asinh", "arcsinh"), ("acosh", "arccosh"),
                              ("atanh", "arctanh"))},
    **{n: (n, 2) for n in ("arctan2", "hypot", "logaddexp", "maximum", "minimum")},
    "atan2": ("arctan2", 2), "pow": ("power", 2), "max": ("maximum", 2), "min": ("minimum", 2),
}

_BINOPS = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide",
           ast.Pow: "power"}
_OP_SYMBOLS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<",
               ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&"}
_EXACT_INT = 2 ** 53       # larger integer literals become floats (and Python ints stay small)

# what a disallowed node is called in the error message
_KINDS = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons", ast.BoolOp: "'and'/'or'", ast.IfExp: "conditional expressions",
    ast.List: "lists", ast.Tuple: "tuples", ast.Set: "sets", ast.Dict: "dicts",
    ast.JoinedStr: "strings", ast.Starred: "starred arguments", ast.NamedExpr: "':='",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}


class ExprError(ValueError):
    """Bad input to the expression parser; the message is one line naming the problem."""


class Expr:
    """A checked expression: `text`, `tree` (the ast), `variables` (in order of first use)
    and `functions` used."""

    __slots__ = ("text", "tree", "variables", "functions")

    def __init__(self, text, tree, variables, functions):
        self.text, self.tree, self.variables, self.functions = text, tree, variables, functions

    def evaluate(self, values):
        """The expression with each variable replaced by `values[name]` (Tensors, floats),
        computed with wengert ops. Constant sub-expressions are folded in float64 (so
        ``9**9**9`` is inf, not a giant integer)."""
        import wengert as wg
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise ExprError(f"no value for {missing[0]!r} (give {missing[0]}=NUMBER)")
        # post-order walk with an explicit stack: deep expressions need no recursion
        out: dict = {}
        stack = [(self.tree.body, False)]
        with np.errstate(all="ignore"):
            while stack:
                node, ready = stack.pop()
                if not ready:
                    stack.append((node, True))
                    stack.extend((c, False) for c in reversed(_operands(node)))
                    continue
                args = [out.pop(id(c)) for c in _operands(node)]
                out[id(node)] = _apply(wg, node, args, values)
        return out[id(self.tree.body)]

    def __repr__(self):
        return f"Expr({self.text!r})"


def _operands(node):
    if isinstance(node, ast.BinOp):
        return (node.left, node.right)
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    if isinstance(node, ast.Call):
        return tuple(node.args)
    return ()


def _is_number(v):
    return type(v) in (int, float, np.float64)


def _apply(wg, node, args, values):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        (a,) = args
        if isinstance(node.op, ast.UAdd):
            return a if _is_number(a) else wg.positive(a)
        return -a if _is_number(a) else wg.negative(a)
    if isinstance(node, ast.BinOp):
        a, b = args
        name = _BINOPS[type(node.op)]
        if _is_number(a) and _is_number(b):
            return _fold(name, a, b)
        return getattr(wg, name)(a, b)
    fname, _ = FUNCTIONS[node.func.id]
    return getattr(wg, fname)(*args)


def _fold(name, a, b):
    """An operation on two constants: exact for small integers under + − ×, float64 otherwise."""
    if type(a) is int and type(b) is int and name in ("add", "subtract", "multiply"):
        r = a + b if name == "add" else a - b if name == "subtract" else a * b
        return r if abs(r) <= _EXACT_INT else float(r)
    x, y = np.float64(a), np.float64(b)
    r = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
         "divide": np.divide, "power": np.power}[name](x, y)
    return float(r)


def _describe(node):
    kind = _KINDS.get(type(node))
    if kind is None:
        kind = type(node).__name__
    if isinstance(node, ast.Attribute):
        return f"attribute access (.{node.attr}) is not allowed"
    if isinstance(node, ast.Subscript):
        return "subscripts ([...]) are not allowed"
    return f"{kind} are not allowed" if kind.endswith("s") else f"{kind} is not allowed"


def _check(tree):
    """Walk the tree (iteratively) and raise ExprError at the first node outside the allow-list.
    Returns (variables in order of first use, function names used)."""
    variables: dict = {}
    functions: dict = {}
    stack = [tree.body]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or v is None or v is Ellipsis:
                raise ExprError(f"{v!r} is not a number")
            if isinstance(v, str):
                raise ExprError("strings are not allowed")
            if isinstance(v, bytes):
                raise ExprError("bytes are not allowed")
            if isinstance(v, complex):
                raise ExprError(f"complex numbers are not allowed ({v!r})")
            if isinstance(v, int) and abs(v) > _EXACT_INT:
                try:
                    node.value = float(v)
                except OverflowError:
                    raise ExprError("a number in the expression is too large for float64") from None
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise ExprError("a number in the expression is too large for float64")
        elif isinstance(node, ast.Name):
            name = node.id
            if name in FUNCTIONS:
                raise ExprError(f"{name!r} is a function: call it, as in {name}(x)")
            if name not in CONSTANTS:
                variables.setdefault(name, None)
        elif isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _BINOPS:
                if op is ast.BitXor:
                    raise ExprError("operator '^' is not allowed (write powers as x**2)")
                raise ExprError(f"operator {_OP_SYMBOLS.get(op, op.__name__)!r} is not allowed "
                                f"(allowed: + - * / **)")
            stack.extend((node.right, node.left))
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                sym = "not" if isinstance(node.op, ast.Not) else "~"
                raise ExprError(f"operator {sym!r} is not allowed (allowed: unary - and +)")
            stack.append(node.operand)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                if isinstance(node.func, ast.Attribute):
                    raise ExprError(f"attribute access (.{node.func.attr}) is not allowed")
                raise ExprError("only known functions may be called, by name")
            fname = node.func.id
            if fname not in FUNCTIONS:
                raise ExprError(f"unknown function {fname!r} (known: "
                                f"{', '.join(sorted(FUNCTIONS))})")
            if node.keywords:
                raise ExprError(f"keyword arguments are not allowed ({fname}(...))")
            nargs = FUNCTIONS[fname][1]
            if len(node.args) != nargs:
                raise ExprError(f"{fname} takes {nargs} argument{'s' if nargs > 1 else ''}, "
                                f"got {len(node.args)}")
            functions.setdefault(fname, None)
            stack.extend(reversed(node.args))
        else:
            raise ExprError(_describe(node))
    return tuple(variables), tuple(functions)


def parse(text):
    """Check `text` and return an Expr; ExprError (one line) when it is not allowed."""
    if not isinstance(text, str):
        raise ExprError(f"the expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is too long ({len(text)} characters; at most "
                        f"{MAX_LENGTH})")
    if not text.strip():
        raise ExprError("the expression is empty")
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        where = f" at column {err.offset + lead}" if err.offset else ""
        raise ExprError(f"invalid expression{where}: {err.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("invalid expression: nested too deeply") from None
    variables, functions = _check(tree)
    return Expr(text.strip(), tree, variables, functions)


def parse_assignments(items, expr=None):
    """``["x=3", "y=-1.5"]`` → ``{"x": 3.0, "y": -1.5}``: each value a finite number, each
    name a variable (of `expr`, when given: a name it does not use is an error, since it is
    almost always a typo), none given twice, none missing."""
    values = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise ExprError(f"{item!r} is not of the form name=value")
        if not name.isidentifier():
            raise ExprError(f"{name!r} in {item!r} is not a valid variable name")
        if name in CONSTANTS:
            raise ExprError(f"{name!r} is a constant and cannot be given a value")
        if name in FUNCTIONS:
            raise ExprError(f"{name!r} is a function and cannot be given a value")
        if name in values:
            raise ExprError(f"{name} is given twice")
        try:
            v = float(text)
        except ValueError:
            raise ExprError(f"the value of {name} is not a number: {text!r}") from None
        if not math.isfinite(v):
            raise ExprError(f"the value of {name} must be a finite number, got {text!r}")
        values[name] = v
    if expr is not None:
        for name in values:
            if name not in expr.variables:
                known = ", ".join(expr.variables) or "none"
                raise ExprError(f"{name} does not appear in the expression (its variables: "
                                f"{known})")
        for name in expr.variables:
            if name not in values:
                raise ExprError(f"no value for {name} (give {name}=NUMBER)")
    return values
