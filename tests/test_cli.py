"""The `wengert` command line, run in-process (`main([...])` returns the exit status)."""
import io
import json
import math
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest

from wengert import cli
from wengert.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("wengert: error: ")
    assert "Traceback" not in err
    return lines[0]


# ---- wengert grad: results ------------------------------------------------------------------

def test_grad_table(capsys):
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "f(x=3, y=4) = 42"
    assert lines[1] == "f = x**2*y + y + 2"
    header = lines[3]
    rx = next(line for line in lines if line.startswith("∂f/∂x"))
    ry = next(line for line in lines if line.startswith("∂f/∂y"))
    assert rx.split()[:3] == ["∂f/∂x", "24", "24"] and rx.endswith("2*x*y")
    assert ry.split()[:3] == ["∂f/∂y", "10", "10"] and ry.endswith("x**2 + 1")
    # columns line up under their headers
    for col in ("reverse", "forward", "finite diff", "|error|", "symbolic"):
        i = header.index(col)
        assert rx[i - 1] == " " and rx[i] != " " and ry[i] != " "
    fd = float(rx.split()[3])
    assert abs(fd - 24) < 1e-8 and float(rx.split()[4]) == pytest.approx(abs(fd - 24), rel=0.05)


def test_grad_json(capsys):
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--json")
    assert code == 0 and err == ""
    res = json.loads(out)
    assert res["f"] == 42.0 and res["point"] == {"x": 3.0, "y": 4.0}
    assert res["formula"] == "x**2*y + y + 2"
    px, py = res["partials"]["x"], res["partials"]["y"]
    assert (px["reverse"], px["forward"], px["symbolic"]) == (24.0, 24.0, "2*x*y")
    assert (py["reverse"], py["forward"], py["symbolic"]) == (10.0, 10.0, "x**2 + 1")
    assert px["error"] == abs(px["finite_diff"] - 24.0) < 1e-8
    assert res["warnings"] == []


def test_grad_of_functions_and_constants(capsys):
    code, out, _ = run(capsys, "grad", "sin(x)*exp(y) + pi", "x=0", "y=0", "--json")
    res = json.loads(out)
    assert code == 0 and res["f"] == pytest.approx(math.pi)
    assert res["partials"]["x"]["reverse"] == 1.0 and res["partials"]["y"]["forward"] == 0.0
    assert res["partials"]["x"]["symbolic"] == "exp(y)*cos(x)"
    assert res["formula"] == "exp(y)*sin(x) + pi"


def test_every_method_agrees_on_a_harder_function(capsys):
    code, out, _ = run(capsys, "grad", "log1p(x**2) * tanh(y) / sqrt(x + y) + erf(x*y)",
                       "x=0.7", "y=1.3", "--json", "--no-symbolic")
    assert code == 0
    for p in json.loads(out)["partials"].values():
        assert p["forward"] == pytest.approx(p["reverse"], rel=1e-14)
        assert p["error"] < 1e-8


def test_variable_that_cancels_has_zero_derivative(capsys):
    code, out, _ = run(capsys, "grad", "x - x + y", "x=1", "y=2", "--json")
    p = json.loads(out)["partials"]["x"]
    assert code == 0 and p["reverse"] == 0 and p["forward"] == 0 and p["symbolic"] == "0"


def test_no_variables(capsys):
    code, out, _ = run(capsys, "grad", "2 + 3")
    assert code == 0 and out.splitlines() == ["f = 5", "(no variables: nothing to differentiate)"]


def test_slow_simplification_is_cut_short(capsys, monkeypatch):
    # sympy.simplify spends minutes on this one; the CLI prints the formula as built instead
    sp = pytest.importorskip("sympy")
    monkeypatch.setattr(cli, "SIMPLIFY_SECONDS", 0.5)
    text = "log1p(x**2) * tanh(y) / sqrt(x + y) + erf(x*y)"
    start = time.monotonic()
    code, out, _ = run(capsys, "grad", text, "x=0.7", "y=1.3", "--json")
    assert code == 0 and time.monotonic() - start < 30
    x, y = sp.symbols("x y", real=True)
    f = sp.log(1 + x**2) * sp.tanh(y) / sp.sqrt(x + y) + sp.erf(x * y)
    for name, s in (("x", x), ("y", y)):
        got = sp.sympify(json.loads(out)["partials"][name]["symbolic"], locals={"x": x, "y": y})
        for at in ({x: 0.7, y: 1.3}, {x: 2.0, y: 0.1}):
            assert float(got.subs(at)) == pytest.approx(float(sp.diff(f, s).subs(at)), rel=1e-12)


def test_no_symbolic(capsys):
    code, out, _ = run(capsys, "grad", "x**2", "x=3", "--no-symbolic", "--json")
    res = json.loads(out)
    assert code == 0 and res["formula"] is None and res["partials"]["x"]["symbolic"] is None


def test_without_sympy_the_rest_still_works(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sympy", None)
    code, out, err = run(capsys, "grad", "x**2", "x=3")
    assert code == 0 and "∂f/∂x  6" in out
    assert "pip install 'wengert[symbolic]'" in err


def test_expression_starting_with_minus_after_double_dash(capsys):
    code, out, _ = run(capsys, "grad", "--", "-x**2", "x=1")
    assert code == 0 and "-2*x" in out


# ---- non-finite results: f outside its domain is bad input; an infinite slope is a result --

def test_f_not_finite_is_bad_input(capsys):
    code, out, err = run(capsys, "grad", "log(x) + 1", "x=-1")
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert "f = nan at x=-1" in line and "log gives nan first" in line and "domain" in line


def test_infinite_derivative_is_a_result_with_a_warning(capsys):
    code, out, err = run(capsys, "grad", "sqrt(x)", "x=0")
    assert code == 0
    assert "∂f/∂x  inf" in out
    assert err == "wengert: warning: ∂f/∂x is inf at x=0 (reverse mode and forward mode)\n"


def test_infinite_derivative_in_json_is_null(capsys):
    code, out, _ = run(capsys, "grad", "sqrt(x)", "x=0", "--json")
    res = json.loads(out)                   # strict JSON: no Infinity/NaN tokens
    assert code == 0 and res["partials"]["x"]["reverse"] is None
    assert res["warnings"] == ["∂f/∂x is inf at x=0 (reverse mode and forward mode)"]


# ---- bad input: exit 2, one line, no evaluation ---------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["grad", "x**2"], "no value for x (give x=NUMBER)"),
    (["grad", "x**2", "x=1", "x=2"], "x is given twice"),
    (["grad", "x**2", "x=abc"], "the value of x is not a number: 'abc'"),
    (["grad", "x**2", "x=inf"], "must be a finite number"),
    (["grad", "x**2", "x"], "'x' is not of the form name=value"),
    (["grad", "x**2", "x=1", "z=2"], "z does not appear in the expression (its variables: x)"),
    (["grad", "x**2", "pi=3"], "'pi' is a constant"),
    (["grad", "x.real", "x=1"], "attribute access (.real) is not allowed"),
    (["grad", "x[0]", "x=1"], "subscripts ([...]) are not allowed"),
    (["grad", "lambda: x", "x=1"], "lambdas are not allowed"),
    (["grad", "[x for x in y]", "y=1"], "comprehensions are not allowed"),
    (["grad", "foo(x)", "x=1"], "unknown function 'foo'"),
    (["grad", "sin(x, x)", "x=1"], "sin takes 1 argument, got 2"),
    (["grad", "x ^ 2", "x=1"], "operator '^' is not allowed (write powers as x**2)"),
    (["grad", "x +", "x=1"], "invalid expression"),
    (["grad", "'x'", "x=1"], "strings are not allowed"),
    (["grad", "x" * 1001], "too long"),
    (["grad", "x", "x=1", "--graph", "g.jpg"], "--graph: cannot write .jpg (use .svg, .png, .pdf or .html)"),
    (["grad", "-x", "x=1"], "an expression starting with '-' goes after --"),
    (["grad"], "the following arguments are required: expression"),
    (["grad", "x", "x=1", "--bogus"], "unrecognized arguments: --bogus"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: COMMAND"),
    (["fd-error", "x**2", "x=1"], "the following arguments are required: --out"),
    (["fd-error", "x**2", "x=1", "--out", "e.gif"], "--out: cannot write .gif"),
    (["fd-error", "x**2", "x=1", "--out", "e.png", "--wrt", "z"],
     "--wrt z: z is not a variable of the expression (its variables: x)"),
    (["fd-error", "2 + 3", "--out", "e.png"], "the expression has no variables"),
    (["fd-error", "x.y", "x=1", "--out", "e.png"], "attribute access"),
    (["fd-error", "log(x)", "x=-1", "--out", "e.png"], "f = nan at this point"),
    (["fd-error", "sqrt(x)", "x=0", "--out", "e.png"], "∂f/∂x = inf at this point"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in one_error_line(err)
    assert list(tmp_path.iterdir()) == []          # nothing written


@pytest.mark.parametrize("text", ["__import__('os').system('touch {m}')", "().__class__",
                                  "open('{m}', 'w')", "exec(\"open('{m}', 'w')\")",
                                  "[c for c in ().__class__.__bases__[0].__subclasses__()]"])
def test_malicious_input_is_rejected_without_evaluation(capsys, tmp_path, text):
    marker = tmp_path / "pwned"
    code, out, err = run(capsys, "grad", text.format(m=marker))
    assert code == 2 and out == ""
    one_error_line(err)
    assert not marker.exists()


# ---- help --------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["--help"], ["grad", "fd-error", "demo", "Exit status"]),
    (["grad", "--help"], ["--json", "--graph", "name=value", "sigmoid"]),
    (["fd-error", "--help"], ["--out", "--wrt", "numerical_grad"]),
])
def test_help(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 0 and err == ""
    assert out.startswith("usage: wengert")
    for w in words:
        assert w in out


# ---- --graph ---------------------------------------------------------------------------------

def test_graph_html(capsys, tmp_path):
    path = tmp_path / "g.html"
    code, out, _ = run(capsys, "grad", "sin(x)*y", "x=1", "y=2", "--graph", str(path))
    assert code == 0 and f"graph written to {path}" in out
    page = path.read_text()
    assert page.lstrip().lower().startswith("<!doctype html") and "sin" in page


@pytest.mark.parametrize("ext, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG\r\n\x1a\n"),
                                        (".pdf", b"%PDF-")])
def test_graph_rendered(capsys, tmp_path, ext, magic):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = tmp_path / f"g{ext}"
    code, out, _ = run(capsys, "grad", "sin(x)*y", "x=1", "y=2", "--graph", str(path), "--json")
    assert code == 0 and json.loads(out)["graph"] == str(path)
    data = path.read_bytes()
    assert data.startswith(magic)
    if ext == ".svg":
        text = data.decode()
        assert ">x<" in text and ">y<" in text and "sin" in text


def test_graph_to_an_unwritable_place_exits_1(capsys, tmp_path):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    code, out, err = run(capsys, "grad", "x", "x=1", "--graph", str(tmp_path / "no" / "g.svg"))
    assert code == 1 and "cannot write" in one_error_line(err)


# ---- fd-error ----------------------------------------------------------------------------------

def test_fd_error_writes_a_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "eps.png"
    code, out, err = run(capsys, "fd-error", "sin(x)*exp(x)", "x=1", "--out", str(path))
    assert code == 0 and err == ""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert "∂f/∂x = 3.756049227094727" in out and f"plot written to {path}" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.startswith(("forward", "central"))}
    # numerical_grad's central step sits near the bottom of the V: far better than forward's
    assert float(rows["central"][4]) < 1e-9 < float(rows["forward"][4]) < 1e-6


def test_fd_error_with_wrt_and_several_variables(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "eps.png"
    code, out, _ = run(capsys, "fd-error", "x**2*y", "x=3", "y=4", "--wrt", "y",
                       "--out", str(path))
    assert code == 0 and "∂f/∂y = 9" in out and "∂f/∂x" not in out
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_fd_errors_shape_of_the_curve():
    import numpy as np
    from wengert.expr import parse
    steps = 10.0 ** np.arange(-12, 0.5, 1.0)
    exact, err = cli.fd_errors(parse("exp(x)"), {"x": 0.5}, "x", steps)
    assert exact == pytest.approx(math.exp(0.5))
    # truncation error: forward ~ h·f''/2, central ~ h²·f'''/6 at large h
    assert err["forward"][-2] == pytest.approx(0.1 * math.exp(0.5) / 2, rel=0.1)
    assert err["central"][-2] == pytest.approx(0.01 * math.exp(0.5) / 6, rel=0.1)
    # rounding error takes over at small h
    assert err["forward"][0] > 100 * err["forward"][4]


# ---- demo --------------------------------------------------------------------------------------

def test_demo_is_called_with_the_rest_of_the_arguments(capsys, monkeypatch):
    seen = []
    fake = types.ModuleType("wengert.demo")
    fake.main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "wengert.demo", fake)
    assert main(["demo", "--no-train", "--epochs", "3"]) == 0
    assert seen == [["--no-train", "--epochs", "3"]]


def test_demo_missing_is_a_clear_error(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "wengert.demo", None)
    code, _, err = run(capsys, "demo")
    assert code == 1 and "wengert demo is not available" in one_error_line(err)


# ---- output details ------------------------------------------------------------------------------

def test_ascii_terminal_gets_d_for_partial():
    buf = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    cli._write(buf, "∂f/∂x  24")
    buf.flush()
    assert buf.buffer.getvalue() == b"df/dx  24\n"


def test_number_formats():
    assert cli.fmt(24.0) == "24" and cli.fmt(-0.5) == "-0.5" and cli.fmt(None) == "-"
    assert cli.fmt(float("inf")) == "inf" and cli.fmt(1e20) == "1e+20"
    assert cli.fmt_error(0.0) == "0" and cli.fmt_error(2.14e-11) == "2.1e-11"


def test_python_dash_m_wengert():
    proc = subprocess.run([sys.executable, "-m", "wengert", "grad", "x**2*y + y + 2", "x=3", "y=4"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**__import__("os").environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for s in ("42", "24", "10", "2*x*y", "x**2 + 1"):
        assert s in out


def test_long_expression_simplification_has_a_deadline(capsys, monkeypatch):
    # factor_terms alone takes many seconds on this 400-character quotient: with a tiny
    # deadline the formulas come back as built, with a note on stderr
    sp = pytest.importorskip("sympy")
    text = "/".join(f"(x*y+{i})" for i in range(1, 48))
    assert len(text) > 400
    monkeypatch.setenv("WENGERT_SIMPLIFY_SECONDS", "0.05")
    start = time.monotonic()
    code, out, err = run(capsys, "grad", text, "x=0.3", "y=0.7", "--json")
    assert code == 0 and time.monotonic() - start < 30
    assert "simplification was skipped after 0.05 s" in err
    assert "WENGERT_SIMPLIFY_SECONDS" in err and "--simplify-seconds" in err
    x, y = sp.symbols("x y", real=True)
    got = sp.sympify(json.loads(out)["partials"]["x"]["symbolic"], locals={"x": x, "y": y})
    res = json.loads(out)["partials"]["x"]
    assert float(got.subs({x: 0.3, y: 0.7})) == pytest.approx(res["reverse"], rel=1e-10)
    # the option wins over the environment
    code, out, err = run(capsys, "grad", "x*y + x*y**2", "x=1", "y=2",
                         "--simplify-seconds", "60")
    assert code == 0 and "skipped" not in err


@pytest.mark.parametrize("args,env,match", [
    (["--simplify-seconds", "-1"], None, "finite number of seconds"),
    ([], "soon", "WENGERT_SIMPLIFY_SECONDS='soon' is not a number"),
])
def test_bad_simplification_deadline(capsys, monkeypatch, args, env, match):
    pytest.importorskip("sympy")
    if env is not None:
        monkeypatch.setenv("WENGERT_SIMPLIFY_SECONDS", env)
    code, out, err = run(capsys, "grad", "x**2", "x=3", *args)
    assert code == 2 and match in err and "Traceback" not in err
