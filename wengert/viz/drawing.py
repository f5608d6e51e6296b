"""The object `draw` returns: a `graphviz.Digraph` that also writes itself as text
(`.to_text()`), and that says how to install Graphviz when its `dot` program is missing,
before graphviz writes any file (it writes the DOT source first, then fails to run `dot`).

The graphviz package is optional and imported on first use, so the Digraph subclass and
the error that is also graphviz's own `ExecutableNotFound` are made then.
"""
import shutil
from typing import Any

__all__ = ["DotNotFound"]


def _import_graphviz():
    try:
        import graphviz
    except ImportError as err:
        raise ImportError(
            "wengert.viz.draw needs the 'graphviz' Python package: pip install 'wengert[viz]' "
            "(rendering also needs Graphviz's dot program: apt install graphviz / "
            "brew install graphviz / conda install graphviz). Without either, "
            "wengert.viz.to_text(y) draws the graph as text and wengert.viz.write_html(y, "
            "path) as a web page") from err
    return graphviz


class DotNotFound(RuntimeError):
    """Rendering a drawing needs Graphviz's `dot` program (or the engine asked for), and it
    is not on PATH. The error raised is also a ``graphviz.ExecutableNotFound``.
    """

    def __init__(self, message):
        RuntimeError.__init__(self, message)


# (the error is also graphviz's own, so code written against graphviz catches it)
_not_found: dict[type, type] = {}

# The text drawing goes into the error message up to this many lines; beyond, it is offered.
_TEXT_IN_ERROR = 30


def _missing(engine, drawing):
    """The error for a missing Graphviz program, saying how to install it and offering (or,
    when short, showing) the graph as text."""
    from .text import to_text
    graphviz = _import_graphviz()
    cls = _not_found.get(graphviz.ExecutableNotFound)
    if cls is None:
        cls = _not_found[graphviz.ExecutableNotFound] = type(
            "DotNotFound", (DotNotFound, graphviz.ExecutableNotFound),
            {"__module__": __name__, "__doc__": DotNotFound.__doc__})
    msg = (f"rendering a drawing needs Graphviz's `{engine}` program, which is not on PATH. "
           f"Install Graphviz: apt install graphviz (Debian, Ubuntu), brew install graphviz "
           f"(macOS), conda install graphviz (conda), or from graphviz.org. Meanwhile, "
           f"wengert.viz.to_text(y) (or this drawing's .to_text()) draws the graph as text "
           f"and wengert.viz.write_html(y, path) as a web page; neither needs Graphviz.")
    if drawing._wengert_graph is not None:
        values, grads = drawing._wengert_view
        text = to_text(None, values, grads, graph=drawing._wengert_graph)
        if text.count("\n") < _TEXT_IN_ERROR:
            msg += "\nThe graph as text:\n" + text
    return cls(msg)


_drawing_classes: dict[type, type] = {}


def _drawing_class(graphviz):
    """graphviz.Digraph, plus `.to_text()` and a clear error before anything is written
    when Graphviz's program is missing (graphviz would write the DOT source file first)."""
    cls = _drawing_classes.get(graphviz.Digraph)
    if cls is not None:
        return cls

    digraph: Any = graphviz.Digraph     # graphviz is optional: its classes are known at run time

    class Drawing(digraph):
        """A `graphviz.Digraph` of a wengert graph (see `wengert.viz.draw`)."""
        _wengert_graph = None
        _wengert_view = (True, True)

        def _need(self, engine):
            engine = engine or self.engine
            if shutil.which(engine) is None:
                raise _missing(engine, self)

        def render(self, *args, **kwargs):
            self._need(kwargs.get("engine"))
            return super().render(*args, **kwargs)

        def pipe(self, *args, **kwargs):
            self._need(kwargs.get("engine"))
            return super().pipe(*args, **kwargs)

        def copy(self):
            new = super().copy()
            new._wengert_graph, new._wengert_view = self._wengert_graph, self._wengert_view
            return new

        def to_text(self):
            """The drawn graph as an indented tree of text (`wengert.viz.to_text`)."""
            from .text import to_text
            if self._wengert_graph is None:
                raise ValueError("this drawing was not made by wengert.viz.draw: no graph "
                                 "to write as text")
            values, grads = self._wengert_view
            return to_text(None, values, grads, graph=self._wengert_graph)

    Drawing.__qualname__ = "Drawing"
    _drawing_classes[graphviz.Digraph] = Drawing
    return Drawing
