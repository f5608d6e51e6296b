"""`wengert grad EXPR … --source`: the program wg.compile generates for the gradient, printed
after the derivative table. The real compiler's tests skip while wg.compile is missing; the
plumbing is tested with a stand-in."""
import json

import numpy as np
import pytest

import wengert as wg
from tests.test_cli import one_error_line, run


class StandIn:
    """Records what the CLI compiles; source() runs the function and prints its result."""
    made = []

    def __init__(self, fn):
        self.fn = fn
        StandIn.made.append(self)

    def __call__(self, *args):
        return self.fn(*args)

    def source(self, *args):
        self.args = args
        return "def grad_f(v1, v2):\n    return " + repr(tuple(float(g) for g in self.fn(*args))) + "\n"


def test_without_compile_it_is_one_error_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.delattr(wg, "compile", raising=False)
    code, out, err = run(capsys, "grad", "x**2*y", "x=3", "y=4", "--source")
    assert code == 2 and out == ""
    assert one_error_line(err) == ("wengert: error: --source needs wg.compile, which this "
                                   "wengert does not have")


def test_source_follows_the_table(capsys, monkeypatch):
    StandIn.made.clear()
    monkeypatch.setattr(wg, "compile", StandIn, raising=False)
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--source",
                         "--no-symbolic")
    assert code == 0 and err == ""
    table, _, program = out.partition("the gradient compiled")
    assert "∂f/∂x  24" in table and "∂f/∂y  10" in table
    assert program.rstrip().endswith("def grad_f(v1, v2):\n    return (24.0, 10.0)")
    (c,) = StandIn.made
    assert all(isinstance(a, np.ndarray) and a.shape == () and a.dtype == np.float64
               for a in c.args)
    assert [float(a) for a in c.args] == [3.0, 4.0]


def test_source_in_json(capsys, monkeypatch):
    monkeypatch.setattr(wg, "compile", StandIn, raising=False)
    code, out, _ = run(capsys, "grad", "sin(x)", "x=0", "--source", "--json", "--no-symbolic")
    assert code == 0
    assert json.loads(out)["source"].startswith("def grad_f")


def test_source_errors_are_one_line(capsys, monkeypatch):
    monkeypatch.setattr(wg, "compile", StandIn, raising=False)
    code, out, err = run(capsys, "grad", "2 + 3", "--source")
    assert code == 2 and out == ""
    assert "no variables" in one_error_line(err)

    class Refuses(StandIn):
        def source(self, *args):
            raise TypeError("unsupported construct: while loop in op 'sin'")

    monkeypatch.setattr(wg, "compile", Refuses, raising=False)
    code, out, err = run(capsys, "grad", "sin(x)", "x=1", "--source")
    assert code == 2
    assert one_error_line(err) == ("wengert: error: --source: wg.compile cannot compile this "
                                   "gradient: unsupported construct: while loop in op 'sin'")


def test_real_compiled_program_is_python_and_names_numpy(capsys):
    if not hasattr(wg, "compile"):
        pytest.skip("wg.compile not available")
    code, out, err = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--source",
                         "--no-symbolic")
    assert code == 0 and err == ""
    program = out.partition("the gradient compiled (wg.compile(wg.grad(f, argnums=all))):")[2]
    assert "np." in program
    compile(program.strip("\n"), "<source>", "exec")          # runnable Python as it stands
    code, out, _ = run(capsys, "grad", "x**2*y + y + 2", "x=3", "y=4", "--source", "--json",
                       "--no-symbolic")
    assert json.loads(out)["source"].strip() == program.strip()
