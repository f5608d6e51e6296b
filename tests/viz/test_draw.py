"""wg.viz.draw: a Graphviz drawing with each node's op, value and gradient."""
import re
import shutil
import sys
import time

import numpy as np
import pytest

import wengert as wg
from wengert.tape import record

from .seed import seed_graph
from wengert.viz.draw import collect, draw, summarize

graphviz = pytest.importorskip("graphviz")
HAVE_DOT = shutil.which("dot") is not None


def labels(dot):
    """DOT node id → its label, from the source."""
    out = {}
    for m in re.finditer(r"^\t(\w+) \[label=(<.*>|\S+)", dot.source, re.M):
        out[m.group(1)] = m.group(2)
    return out


def test_every_node_shows_op_value_and_grad():
    f, x, y = seed_graph()
    g = collect(f)
    ops = g.ops()
    assert [it.label for it in ops] == ["power", "multiply", "add", "add"]
    assert [float(it.value) for it in ops] == [9.0, 36.0, 40.0, 42.0]
    assert [float(it.grad) for it in ops] == [4.0, 1.0, 1.0, 1.0]     # ∂f/∂(x²) = y = 4
    leaves = {it.name: it for it in g.items if it.kind == "leaf"}
    assert float(leaves["x"].grad) == 24.0 and float(leaves["y"].grad) == 10.0
    consts = [it for it in g.items if it.kind == "const"]
    assert [float(c.value) for c in consts] == [2.0, 2.0]

    dot = draw(f)
    assert isinstance(dot, graphviz.Digraph)
    lab = labels(dot)
    by_op = {k: v for k, v in lab.items() if k.endswith("_op")}
    assert sorted(by_op.values()) == ["add", "add", "multiply", "power"]
    src = dot.source
    for text in ("<B>x</B>", "<B>y</B>", "data 3", "grad 24", "data 4", "grad 10",
                 "data 9", "grad 4", "data 36", "data 40", "data 42"):
        assert text in src, text
    # each op ellipse sits between its inputs and its output box
    assert re.search(r"\tn2_op -> n2\b", src)        # x, y are n0, n1; power is n2
    assert len(re.findall(r"-> n\d+_op", src)) == 8      # two inputs each, constants too
    # power's inputs are ordered (not symmetric): edges labelled with positions
    assert re.search(r"n0 -> n2_op \[label=0", src)


def test_values_and_grads_can_be_hidden_and_no_grads_before_backward():
    f, _, _ = seed_graph()
    assert "grad " not in draw(f, grads=False).source
    assert "data " not in draw(f, values=False).source
    f2, _, _ = seed_graph(backward=False)
    src = draw(f2).source
    assert "data 42" in src and "grad " not in src


def test_without_a_tape_unknown_values_are_marked():
    f, x, y = seed_graph(tape=False, backward=False)
    g = collect(f)
    assert not g.recorded
    vals = {it.label: it.value_text() for it in g.ops()}
    assert vals["power"] == "9"          # saved by multiply, so known
    assert vals["multiply"] == "not recorded"
    assert g.by_id[g.root].value_text() == "42"
    f.backward()                         # frees what the nodes saved: only y and leaves left
    g = collect(f)
    assert [it.value_text() for it in g.ops()] == ["not recorded"] * 3 + ["42"]
    src = draw(f).source
    assert "not recorded" in src and "grad 24" in src and "grad 10" in src


def test_summaries():
    assert summarize(np.float64(3.14159265)) == "3.142"
    assert summarize(np.float32(42.0)) == "42"
    assert summarize(np.int64(7)) == "7"
    assert summarize(np.bool_(True)) == "True"
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    assert summarize(a) == "float32[3,4] [0, 0.1, 0.2, … 1.1]"
    assert summarize(np.array([1.0, 2.0])) == "float64[2] [1, 2]"
    assert summarize(np.zeros((0, 3))) == "float64[0,3]"
    assert summarize(np.array(1e-8)) == "1e-08"


def test_large_tensors_are_summarised():
    x = wg.tensor(np.ones((30, 40), dtype=np.float32), requires_grad=True, name="big")
    with record():
        y = (wg.tanh(x) * 2.0).sum()
    y.backward()
    src = draw(y).source
    assert "float32[30,40] [0.7616" in src
    assert len(src) < 5000


def test_names_are_escaped():
    x = wg.tensor(1.0, requires_grad=True, name='<b>"x" & y</b>')
    with record():
        y = x * 2.0
    src = draw(y).source
    assert "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;" in src
    assert '<b>"x"' not in src


def test_multi_output_ops_and_leaf_roots():
    A = wg.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True, name="A")
    with record():
        s, logdet = wg.linalg.slogdet(A)
        y = s * logdet
    y.backward()
    g = collect(y)
    lab = [it.label for it in g.ops()]
    assert lab == ["slogdet", "slogdet[0]", "slogdet[1]", "multiply"]
    assert g.ops()[0].value_text() == "2 outputs"
    assert np.isclose(float(g.ops()[2].value), np.log(5.0))
    assert "slogdet[1]" in draw(y).source
    # a leaf, or a constant, alone
    leaf = collect(A)
    assert [it.kind for it in leaf.items] == ["leaf"]
    c = collect(wg.tensor(5.0))
    assert [(it.kind, it.value_text()) for it in c.items] == [("const", "5")]
    assert "5" in draw(wg.tensor(5.0)).source


def test_errors_and_missing_graphviz(monkeypatch):
    f, _, _ = seed_graph()
    with pytest.raises(TypeError, match="Tensor"):
        draw(np.ones(3))
    with pytest.raises(ValueError, match="at least 1"):
        draw(f, max_nodes=0)
    with pytest.raises(TypeError, match="max_nodes must be an int"):
        draw(f, max_nodes=2.5)
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=r"pip install 'wengert\[viz\]'"):
        draw(f)


def test_renders_to_svg():
    f, _, _ = seed_graph()
    dot = draw(f)
    assert dot.source.startswith("digraph")
    if not HAVE_DOT:
        pytest.skip("Graphviz's dot is not installed (apt install graphviz): DOT source checked only")
    svg = dot.pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in ("grad 24", "grad 10", "data 42", "multiply"):
        assert text in svg


def test_thousands_of_nodes_are_capped_quickly(tmp_path):
    x = wg.tensor(np.linspace(0.0, 1.0, 12).reshape(3, 4), requires_grad=True, name="x")
    with record():
        h = x
        for i in range(5000):
            h = wg.sin(h) * 0.5 + x if i % 2 else h * 1.001
        y = h.sum()
    y.backward()
    t = time.perf_counter()
    dot = draw(y)
    elapsed = time.perf_counter() - t
    assert elapsed < 2.0, elapsed
    g = collect(y)
    kept = sum(it.kind in ("op", "leaf") for it in g.items)
    assert kept == 500 and g.hidden > 7000
    assert f"… {g.hidden:,} more nodes not drawn (max_nodes=500)" in dot.source
    assert any(it.kind == "cut" for it in g.items)       # inputs left out, marked "…"
    if not HAVE_DOT:
        pytest.skip("Graphviz's dot is not installed (apt install graphviz): DOT source checked only")
    t = time.perf_counter()
    out = dot.render(tmp_path / "big", format="svg")
    assert (tmp_path / "big.svg").stat().st_size > 10_000 and out.endswith(".svg")
    assert time.perf_counter() - t < 30
