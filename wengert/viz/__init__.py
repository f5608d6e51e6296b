"""Pictures of a graph: `draw(y)` (a Graphviz drawing) and `to_html(y)` / `write_html(y,
path)` (one self-contained page that steps through the forward and backward passes).

Build the graph under ``wengert.tape.record()`` so every node's value and gradient is known.
"""
from .draw import draw, summarize
from .html import to_html, write_html

__all__ = ["draw", "summarize", "to_html", "write_html"]
