"""wg.symbolic.to_sympy: graphs and traced functions as SymPy expressions."""
import numpy as np
import pytest

import wengert as wg
from wengert import symbolic
from wengert.tape import record

sp = pytest.importorskip("sympy")
X, Y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


def named(v, name):
    return wg.tensor(v, requires_grad=True, name=name)


def test_the_tutorial_function_and_its_derivatives():
    x, y = named(3.0, "x"), named(4.0, "y")
    with record():
        f = x**2 * y + y + 2
        gx, gy = wg.autograd.grad(f, (x, y), create_graph=True)
    assert symbolic.to_sympy(f) == X**2 * Y + Y + 2
    assert sp.simplify(symbolic.to_sympy(gx)) == 2 * X * Y
    assert sp.simplify(symbolic.to_sympy(gy)) == X**2 + 1


def test_second_derivative_graph():
    x = named(0.7, "x")
    with record():
        f = wg.sin(x) * wg.exp(x)
        (g,) = wg.autograd.grad(f, x, create_graph=True)
        (h,) = wg.autograd.grad(g, x, create_graph=True)
    e = sp.sin(X) * sp.exp(X)
    assert sp.simplify(symbolic.to_sympy(g) - sp.diff(e, X)) == 0
    assert sp.simplify(symbolic.to_sympy(h) - sp.diff(e, X, 2)) == 0


def test_chains_of_functions_match_sympys_own_derivative():
    x = named(0.6, "x")
    with record():
        f = wg.exp(wg.sin(x) ** 2) + wg.tanh(wg.log(x)) * wg.sqrt(x) + wg.arctan2(x, 2.0)
        (g,) = wg.autograd.grad(f, x, create_graph=True)
    e = symbolic.to_sympy(f)
    assert e == sp.exp(sp.sin(X) ** 2) + sp.tanh(sp.log(X)) * sp.sqrt(X) + sp.atan2(X, 2)
    assert sp.simplify(symbolic.to_sympy(g) - sp.diff(e, X)) == 0
    assert float(e.subs(X, 0.6)) == pytest.approx(f.item(), rel=1e-14)


@pytest.mark.parametrize("name, value", [
    ("exp", .6), ("exp2", .6), ("expm1", .6), ("log", .6), ("log2", .6), ("log10", .6),
    ("log1p", .6), ("sqrt", .6), ("cbrt", .6), ("square", .6), ("reciprocal", .6),
    ("abs", .6), ("sin", .6), ("cos", .6), ("tan", .6), ("arcsin", .6), ("arccos", .6),
    ("arctan", .6), ("sinh", .6), ("cosh", .6), ("tanh", .6), ("arcsinh", .6),
    ("arccosh", 1.5), ("arctanh", .6), ("erf", .6), ("sigmoid", .6), ("softplus", .6),
    ("gelu", .6), ("negative", .6), ("positive", .6), ("deg2rad", .6), ("rad2deg", .6),
])
def test_each_function_and_its_derivative(name, value):
    x = named(value, "x")
    with record():
        y = getattr(wg, name)(x)
        (g,) = wg.autograd.grad(y, x, create_graph=True)
    e, d = symbolic.to_sympy(y), symbolic.to_sympy(g)
    assert float(e.subs(X, value)) == pytest.approx(y.item(), rel=1e-13, abs=1e-15)
    assert sp.simplify(sp.diff(e, X) - d) == 0


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "power", "maximum",
                                  "minimum", "hypot", "arctan2", "logaddexp"])
def test_binary_functions_and_their_derivatives(name):
    x, y = named(0.6, "x"), named(0.7, "y")
    with record():
        z = getattr(wg, name)(x, y)
        gx, gy = wg.autograd.grad(z, (x, y), create_graph=True)
    e = symbolic.to_sympy(z)
    at = {X: 0.6, Y: 0.7}
    assert float(e.subs(at)) == pytest.approx(z.item(), rel=1e-13)
    for g, s, v in ((gx, X, gx.item()), (gy, Y, gy.item())):
        d = symbolic.to_sympy(g)
        assert float(d.subs(at)) == pytest.approx(v, rel=1e-13)
        if name not in ("maximum", "minimum"):     # their masks are constants at this point
            assert sp.simplify(sp.diff(e, s) - d) == 0


def test_relu_is_max_and_its_mask_is_decided_at_the_point():
    x = named(0.6, "x")
    with record():
        y = wg.relu(x)
        (g,) = wg.autograd.grad(y, x, create_graph=True)
    assert symbolic.to_sympy(y) == sp.Max(0, X)
    assert symbolic.to_sympy(g) == 1


def test_constants_become_exact_numbers():
    x = named(2.0, "x")
    with record():
        y = 0.5 * x + 0.1 / x + 3 * wg.pi + wg.e / x**2 + 2.0 * wg.sqrt(wg.tensor(2.0)) * x
        z = x * 1.2345678901
    e = symbolic.to_sympy(y)
    assert e == X / 2 + 2 * sp.sqrt(2) * X + 1 / (10 * X) + 3 * sp.pi + sp.E / X**2
    (c,) = symbolic.to_sympy(z).atoms(sp.Float)          # no short exact form: a Float
    assert float(c) == 1.2345678901


def test_unnamed_leaves_become_numbers_and_named_constants_symbols():
    a = wg.tensor(0.25, requires_grad=True)             # unnamed leaf
    c = wg.tensor(5.0, name="c")                         # named constant
    x = named(1.0, "x")
    with record():
        y = a * x + c
    assert symbolic.to_sympy(y) == X / 4 + sp.Symbol("c", real=True)


def test_leaves_and_plain_values():
    assert symbolic.to_sympy(named(1.0, "x")) == X
    assert symbolic.to_sympy(wg.tensor(0.75)) == sp.Rational(3, 4)
    assert symbolic.to_sympy(2.0) == 2
    x = named(1.0, "x")
    with record():
        pair = (x + 1, x * 3)
    assert symbolic.to_sympy(pair) == (X + 1, 3 * X)


def test_where_follows_the_branch_taken():
    x = named(0.5, "x")
    with record():
        y = wg.where(x > 0, wg.sin(x), x**2)
    assert symbolic.to_sympy(y) == sp.sin(X)


def test_one_element_reductions_and_reshapes_are_identities():
    x = named(2.0, "x")
    with record():
        y = wg.sum(wg.reshape(x * 3, (1, 1))) + wg.mean(x)
    assert symbolic.to_sympy(y) == 4 * X


def test_traced_function():
    e = symbolic.to_sympy(lambda x, y: x**2 * y + y + 2, "x", "y")
    assert e == X**2 * Y + Y + 2

    def df(x, y):
        f = x**2 * y + y + 2
        return wg.autograd.grad(f, (x, y), create_graph=True)
    gx, gy = symbolic.to_sympy(df, "x", "y")
    assert sp.simplify(gx) == 2 * X * Y and sp.simplify(gy) == X**2 + 1


def test_traced_function_at_given_values_picks_branches_there():
    f = lambda x: wg.where(x > 0, x, -x)                 # noqa: E731
    assert symbolic.to_sympy(f, "x") == X                 # 0.5 by default
    assert symbolic.to_sympy(f, "x", at=[-1.0]) == -X
    assert symbolic.to_sympy(f, "x", at={"x": -1.0}) == -X


def test_a_deep_graph_converts_without_recursion():
    x = named(0.5, "x")
    with record():
        y = x
        for _ in range(3000):
            y = y + 1
    assert symbolic.to_sympy(y) == X + 3000


def test_graph_built_outside_the_tape_is_recovered_where_possible():
    x, y = named(0.5, "x"), named(2.0, "y")
    f = wg.sin(x) * y + x * 3           # no tape: binary ops still hold their constants
    assert symbolic.to_sympy(f) == sp.sin(X) * Y + 3 * X


def test_freed_constants_raise_an_error_that_says_to_record():
    x = named(0.5, "x")
    f = wg.exp(x * 3)
    f.backward()                        # frees the saved constant 3
    with pytest.raises(ValueError, match=r"wengert\.tape\.record\(\)"):
        symbolic.to_sympy(f)


def test_op_without_a_counterpart_is_named():
    x = named(0.5, "x")
    with record():
        y = wg.rint(x) + wg.fmod(x, 0.3)
    with pytest.raises(ValueError, match="op 'rint' has no SymPy counterpart"):
        symbolic.to_sympy(y)


def test_non_scalar_graphs_are_an_error():
    v = wg.tensor([1.0, 2.0], requires_grad=True, name="v")
    with record():
        y = (v * 2).sum()
    with pytest.raises(ValueError, match=r"graphs of scalars.*\(2,\)"):
        symbolic.to_sympy(y)


def test_multi_output_ops_are_an_error():
    a = wg.tensor([[2.0]], requires_grad=True)
    with record():
        w, _ = wg.linalg.eigh(a)
        y = w.sum()
    with pytest.raises(ValueError, match="eigh"):
        symbolic.to_sympy(y)


def test_argument_errors():
    with pytest.raises(TypeError, match="names are for tracing a function"):
        symbolic.to_sympy(wg.tensor(1.0), "x")
    with pytest.raises(TypeError, match="identifiers"):
        symbolic.to_sympy(lambda x: x, "1x")
    with pytest.raises(ValueError, match="given twice"):
        symbolic.to_sympy(lambda x, y: x, "x", "x")
    with pytest.raises(ValueError, match="2 names but 1 values"):
        symbolic.to_sympy(lambda x, y: x, "x", "y", at=[1.0])


def test_known_ops_cover_every_cli_function():
    from wengert.expr import FUNCTIONS
    ops = symbolic.known_ops()
    for fname, _ in FUNCTIONS.values():
        op = {"abs": "absolute"}.get(fname, fname)
        assert op in ops, op


def test_numbers():
    n = symbolic._number
    assert n(3.0) == 3 and n(0.5) == sp.Rational(1, 2) and n(0.1) == sp.Rational(1, 10)
    assert n(np.pi) == sp.pi and n(np.e) == sp.E and n(np.pi / 180) == sp.pi / 180
    assert n(1.1283791670955126) == 2 / sp.sqrt(sp.pi)
    assert n(0.6931471805599453) == sp.log(2)
    assert isinstance(n(0.123456789), sp.Float) and float(n(0.123456789)) == 0.123456789
    assert n(float("inf")) == sp.oo and n(float("nan")) is sp.nan


def test_simplify_one_or_many():
    e = sp.sin(X) ** 2 + sp.cos(X) ** 2 + X * (Y + 1) - X * Y
    assert symbolic.simplify(e) == X + 1
    assert symbolic.simplify([e, 2 * X * Y / (2 * X)]) == (X + 1, Y)
    assert symbolic.simplify(e, timeout=None) == X + 1


def test_simplify_gives_a_quick_form_when_out_of_time():
    e = X * Y + X * Y ** 2
    quick = symbolic.simplify(e, timeout=0)
    assert quick == X * Y * (Y + 1)         # factor_terms, no search at all
    slow = sp.log(1 + X**2) * sp.tanh(Y) / sp.sqrt(X + Y) + sp.erf(X * Y)
    d = sp.diff(slow, Y)                     # sympy.simplify takes minutes on this
    r = symbolic.simplify(d, timeout=0.3)
    at = {X: 0.7, Y: 1.3}
    assert float(r.subs(at)) == pytest.approx(float(d.subs(at)), rel=1e-13)


# ---- two leaves of one name -------------------------------------------------------------------------

def test_two_leaves_with_one_name_are_an_error_not_one_symbol():
    a = wg.tensor(1.0, requires_grad=True, name="x")
    b = wg.tensor(2.0, requires_grad=True, name="x")
    with pytest.raises(ValueError, match="two different tensors are named 'x'"):
        symbolic.to_sympy(a * b + a)
    with pytest.raises(ValueError, match="named 'x'"):
        symbolic.to_sympy((a * 2.0, b * 3.0))
    c = wg.tensor(3.0, name="x")                 # a named constant counts too
    with record():
        y = a + c
    with pytest.raises(ValueError, match="named 'x'"):
        symbolic.to_sympy(y)
    x = sp.Symbol("x", real=True)
    assert sp.simplify(symbolic.to_sympy(a * a + a) - (x ** 2 + x)) == 0     # one leaf: one symbol


def test_traced_function_with_a_second_leaf_of_the_traced_name_is_an_error():
    with pytest.raises(ValueError, match="two different tensors are named 'x'"):
        symbolic.to_sympy(lambda x: x * wg.tensor(2.0, requires_grad=True, name="x"), "x")
    y = sp.Symbol("y", real=True)
    assert symbolic.to_sympy(lambda x: x * wg.tensor(2.0, name="y"), "x") == sp.Symbol("x", real=True) * y


def test_simplify_within_reports_what_finished():
    X_, Y_ = sp.symbols("x y", real=True)
    e = sp.Mul(*[1 / (X_ * Y_ + i) for i in range(1, 40)]).diff(X_)
    out, done = symbolic.simplify_within([e, X_ * Y_ + X_ * Y_ ** 2], timeout=0.01)
    assert done == [False, False] and out[0] == e          # nothing arrived: as built
    out, done = symbolic.simplify_within(X_ * Y_ + X_ * Y_ ** 2, timeout=30)
    assert done == [True] and out == X_ * Y_ * (Y_ + 1)
