"""The tape printed as the textbooks' Wengert list: primal trace, then adjoints."""
import numpy as np

import wengert as wg
from wengert.tape import record

PRIMAL = """\
v    name  op        inputs  value
v-1  x     input             3
v0   y     input             4
v1         power     v-1, 2  9
v2         multiply  v1, v0  36
v3         add       v2, v0  40
v4         add       v3, 2   42"""

ADJOINT = """\
v    name  op        inputs  value  adjoint
v-1  x     input             3      24
v0   y     input             4      10
v1         power     v-1, 2  9      4
v2         multiply  v1, v0  36     1
v3         add       v2, v0  40     1
v4         add       v3, 2   42     1"""


def _f():
    x = wg.tensor(3.0, requires_grad=True, name="x")
    y = wg.tensor(4.0, requires_grad=True, name="y")
    with record() as tape:
        f = x**2 * y + y + 2
    return tape, f


def test_the_primal_trace_then_the_adjoint_trace(capsys):
    tape, f = _f()
    assert tape.table() == PRIMAL
    f.backward()
    assert tape.table() == ADJOINT
    print(tape)
    assert capsys.readouterr().out == ADJOINT + "\n"
    assert "4 op applications" in repr(tape)


def test_rows_carry_the_numbers():
    tape, f = _f()
    f.backward()
    rows = tape.rows()
    assert [r["v"] for r in rows] == ["v-1", "v0", "v1", "v2", "v3", "v4"]
    assert [float(r["value"]) for r in rows] == [3, 4, 9, 36, 40, 42]
    assert [float(r["adjoint"]) for r in rows] == [24, 10, 4, 1, 1, 1]


def test_numbers_are_compact_and_arrays_summarised():
    a = wg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="a")
    with record() as tape:
        s = wg.sin(a).sum(axis=0)
        m = (s * 2).max()
    m.backward()
    lines = tape.table().splitlines()
    assert lines[0].split() == ["v", "name", "op", "inputs", "value", "adjoint"]
    assert lines[1].split()[:4] == ["v0", "a", "input", "float64[2,2]"]
    assert "[1, 2, 3, 4]" in lines[1]
    assert "sin" in lines[2] and "[0.841471, 0.909297, 0.14112, -0.756802]" in lines[2]
    assert "sum(axis=(-2,), keepdims=False)" in lines[3]
    assert lines[4].split()[1:4] == ["multiply", "v2,", "2"]
    assert lines[5].split()[-2:] == ["1.96518", "1"]


def test_a_long_array_shows_its_first_values_and_last():
    x = wg.tensor(np.arange(10.0), requires_grad=True)
    with record() as tape:
        y = x * 0.5
    assert "float64[10] [0, 0.5, 1, … 4.5]" in tape.table()
    assert y.shape == (10,)


def test_constants_are_written_out_and_unreached_rows_have_no_adjoint():
    x = wg.tensor(2.0, requires_grad=True, name="x")
    c = wg.tensor([1.0, 2.0])
    with record() as tape:
        d = c * 3               # no gradient flows here
        y = (d * x).sum()
        z = x * 5               # not on the path to y
    y.backward()
    rows = {r["v"]: r for r in tape.rows()}
    assert rows["v1"]["inputs"] == "float64[2] [1, 2], 3" and rows["v1"]["adjoint"] is None
    assert rows["v4"]["adjoint"] is None
    table = tape.table()
    assert table.splitlines()[2].rstrip().endswith("-")
    assert z.item() == 10.0


def test_an_old_leaf_gradient_does_not_show_an_adjoint_column():
    x = wg.tensor(3.0, requires_grad=True, name="x")
    (x * x).backward()
    with record() as tape:
        x + 1
    assert "adjoint" not in tape.table()


def test_an_empty_tape_and_a_cap_on_rows():
    with record() as tape:
        pass
    assert "empty tape" in tape.table()
    x = wg.tensor(1.0, requires_grad=True)
    with record() as tape:
        for _ in range(10):
            x = x + 1
    text = tape.table(max_rows=4)
    assert len(text.splitlines()) == 6 and text.endswith("7 more rows (table(max_rows=None) shows them all)")
