"""wg.viz.to_text, and drawings without Graphviz's dot: a clear error, no stray files."""
import os
import shutil
import sys

import numpy as np
import pytest

import wengert as wg
from wengert.tape import record

from .seed import seed_graph

SEED_TEXT = """\
f = add  data 42  grad 1
├── add  data 40  grad 1
│   ├── multiply  data 36  grad 1
│   │   ├── power  data 9  grad 4
│   │   │   ├── x (leaf)  data 3  grad 24
│   │   │   └── constant 2
│   │   └── y (leaf)  data 4  grad 10
│   └── y (leaf, shown above)
└── constant 2"""


def _seed():
    f, x, y = seed_graph()
    f.name = "f"
    return f


def test_the_seed_graph_as_text():
    assert wg.viz.to_text(_seed()) == SEED_TEXT


def test_before_backward_and_without_values():
    f, _, _ = seed_graph(backward=False)
    text = wg.viz.to_text(f)
    assert "grad" not in text and "data 42" in text.splitlines()[0]
    bare = wg.viz.to_text(_seed(), values=False, grads=False)
    assert bare.splitlines()[:2] == ["f = add", "├── add"] and "data" not in bare


def test_without_a_tape_values_are_marked_and_a_cap_is_counted():
    f, _, _ = seed_graph(tape=False)
    assert "not recorded" in wg.viz.to_text(f)
    x = wg.tensor(1.0, requires_grad=True, name="x")
    h = x
    for _ in range(5000):           # deeper than Python's recursion limit
        h = h * 1.0
    text = wg.viz.to_text(h, max_nodes=50)
    assert text.count("multiply") == 50 and "more nodes not drawn (max_nodes=50)" in text
    assert len(wg.viz.to_text(h, max_nodes=6000).splitlines()) > 5000


def test_to_text_needs_no_graphviz(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    assert wg.viz.to_text(_seed()) == SEED_TEXT
    with pytest.raises(ImportError, match=r"to_text\(y\)"):
        wg.viz.draw(_seed())
    with pytest.raises(TypeError, match="Tensor"):
        wg.viz.to_text(np.ones(3))


# ---- a drawing when dot is missing ---------------------------------------------------------

def _graphviz():
    return pytest.importorskip("graphviz")


def _no_dot(monkeypatch, tmp_path):
    """dot missing both ways: shutil.which finds nothing, and PATH holds no Graphviz."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    real = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name, *a, **k: None if name in ("dot", "neato") else real(name, *a, **k))


@pytest.mark.parametrize("how", ["render", "pipe", "view", "jupyter"])
def test_rendering_without_dot_says_how_to_install_it_and_leaves_no_files(
        monkeypatch, tmp_path, how):
    graphviz = _graphviz()
    d = wg.viz.draw(_seed())
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _no_dot(monkeypatch, tmp_path)
    calls = {"render": lambda: d.render("graph", format="svg"),
             "pipe": lambda: d.pipe(format="svg"),
             "view": lambda: d.view(),
             "jupyter": lambda: d._repr_mimebundle_()}
    with pytest.raises(wg.viz.DotNotFound) as info:
        calls[how]()
    err = info.value
    assert isinstance(err, graphviz.ExecutableNotFound) and isinstance(err, RuntimeError)
    msg = str(err)
    for text in ("`dot`", "not on PATH", "apt install graphviz", "brew install graphviz",
                 "conda install graphviz", "wengert.viz.to_text(y)", ".to_text()"):
        assert text in msg
    assert msg.endswith("The graph as text:\n" + SEED_TEXT)
    assert os.listdir(work) == []


def test_another_engine_is_named(monkeypatch, tmp_path):
    _graphviz()
    d = wg.viz.draw(_seed())
    _no_dot(monkeypatch, tmp_path)
    with pytest.raises(wg.viz.DotNotFound, match="`neato`"):
        d.pipe(format="svg", engine="neato")


def test_a_large_graph_is_offered_as_text_not_put_in_the_error(monkeypatch, tmp_path):
    _graphviz()
    x = wg.tensor(1.0, requires_grad=True)
    with record():
        h = x
        for _ in range(40):
            h = wg.sin(h)
    d = wg.viz.draw(h)
    _no_dot(monkeypatch, tmp_path)
    with pytest.raises(wg.viz.DotNotFound) as info:
        d.pipe(format="svg")
    assert "The graph as text" not in str(info.value) and "to_text" in str(info.value)
    assert d.to_text() == wg.viz.to_text(h)
    assert d.copy().to_text() == d.to_text()


def test_the_drawing_is_still_a_digraph_and_renders_with_dot(tmp_path):
    graphviz = _graphviz()
    d = wg.viz.draw(_seed(), grads=False)
    assert isinstance(d, graphviz.Digraph) and d.source.startswith("digraph")
    assert "grad" not in d.to_text()
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = d.render(tmp_path / "g", format="svg")
    assert open(out).read().count("<svg") == 1
