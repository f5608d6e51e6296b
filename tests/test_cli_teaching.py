"""`wengert grad --trace` (the Wengert list), and --graph when Graphviz's dot is missing:
the derivatives first, then one clear line, exit status 1."""
import json
import shutil

import pytest

from wengert.cli import main

from .test_cli import one_error_line, run

TRACE = """\
the Wengert list (value: the forward primal trace; adjoint = ∂f/∂v: the reverse adjoint trace):

v    name  op        inputs  value  adjoint
v-1  x     input             3      24
v0   y     input             4      10
v1         power     v-1, 2  9      4
v2         multiply  v1, v0  36     1
v3         add       v2, v0  40     1
v4   f     add       v3, 2   42     1
"""


def test_trace_prints_the_wengert_list_after_the_derivatives(capsys):
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--trace")
    assert code == 0 and err == ""
    assert out.startswith("f(x=3, y=4) = 42\n")
    assert out.index("∂f/∂y") < out.index("the Wengert list")
    assert out.endswith("\n\n" + TRACE)


def test_trace_as_json(capsys):
    code, out, _ = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--trace", "--json",
                       "--no-symbolic")
    assert code == 0
    rows = json.loads(out)["trace"]
    assert [(r["v"], r["op"], r["inputs"], r["value"], r["adjoint"]) for r in rows] == [
        ("v-1", "input", "", 3.0, 24.0), ("v0", "input", "", 4.0, 10.0),
        ("v1", "power", "v-1, 2", 9.0, 4.0), ("v2", "multiply", "v1, v0", 36.0, 1.0),
        ("v3", "add", "v2, v0", 40.0, 1.0), ("v4", "add", "v3, 2", 42.0, 1.0)]
    assert rows[-1]["name"] == "f" and rows[0]["name"] == "x"


def test_trace_of_a_function_and_a_bare_variable(capsys):
    code, out, _ = run(capsys, "grad", "sin(x)", "x=0", "--trace", "--no-symbolic")
    assert code == 0
    assert out.splitlines()[-1].split() == ["v1", "f", "sin", "v0", "0", "1"]
    code, out, _ = run(capsys, "grad", "x", "x=2", "--trace", "--no-symbolic")
    assert code == 0 and out.splitlines()[-1] == "(an empty tape: no op ran inside " \
                                                 "wengert.tape.record())"


def _no_dot(monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    real = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: None if name == "dot" else real(name, *a, **k))


@pytest.mark.parametrize("ext", [".svg", ".png", ".pdf"])
def test_without_dot_the_table_comes_first_then_one_line(capsys, monkeypatch, tmp_path, ext):
    pytest.importorskip("graphviz")
    _no_dot(monkeypatch, tmp_path)
    path = tmp_path / f"f{ext}"
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--graph", str(path))
    assert code == 1
    assert out.startswith("f(x=3, y=4) = 42\n") and "∂f/∂x  24" in out
    assert "graph written" not in out
    line = one_error_line(err)
    for text in ("no drawing made", "`dot`", "apt install graphviz", "brew install graphviz",
                 ".html"):
        assert text in line
    assert not path.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin"]


def test_without_dot_json_and_trace_still_print(capsys, monkeypatch, tmp_path):
    pytest.importorskip("graphviz")
    _no_dot(monkeypatch, tmp_path)
    code, out, err = run(capsys, "grad", "x*y", "x=3", "y=4", "--graph",
                         str(tmp_path / "g.svg"), "--json", "--trace", "--no-symbolic")
    assert code == 1 and "`dot`" in one_error_line(err)
    res = json.loads(out)
    assert "graph" not in res and res["partials"]["x"]["reverse"] == 4.0
    assert res["trace"][-1]["value"] == 12.0


def test_without_the_graphviz_package_the_table_comes_first(capsys, monkeypatch, tmp_path):
    import sys
    monkeypatch.setitem(sys.modules, "graphviz", None)
    code, out, err = run(capsys, "grad", "x*y", "x=3", "y=4", "--graph",
                         str(tmp_path / "g.png"), "--no-symbolic")
    assert code == 1 and "∂f/∂x  4" in out
    assert "pip install 'wengert[viz]'" in one_error_line(err)


def test_html_needs_no_dot(capsys, monkeypatch, tmp_path):
    _no_dot(monkeypatch, tmp_path)
    path = tmp_path / "g.html"
    code, out, err = run(capsys, "grad", "x*y", "x=3", "y=4", "--graph", str(path),
                         "--no-symbolic")
    assert code == 0 and err == "" and path.exists() and f"graph written to {path}" in out


def test_pdf_is_drawn_with_dot(capsys, tmp_path):
    pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    path = tmp_path / "g.PDF"
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--graph", str(path))
    assert code == 0 and err == "" and out.rstrip().endswith(f"graph written to {path}")
    assert path.read_bytes().startswith(b"%PDF-")


def test_main_returns_exit_codes_not_tracebacks(capsys):
    assert main(["grad", "x", "x=1", "--graph", "g.gif"]) == 2
    assert "use .svg, .png, .pdf or .html" in one_error_line(capsys.readouterr().err)
