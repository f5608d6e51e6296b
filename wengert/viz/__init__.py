"""Pictures of a graph: `draw(y)` (a Graphviz drawing), `to_html(y)` / `write_html(y,
path)` (one self-contained page that steps through the forward and backward passes) and
`to_text(y)` (an indented tree of text, which needs no Graphviz).

Build the graph under ``wengert.tape.record()`` so every node's value and gradient is known.
"""
from .draw import DotNotFound, draw, summarize
from .html import to_html, write_html
from .text import to_text

__all__ = ["draw", "summarize", "to_html", "write_html", "to_text", "DotNotFound"]
