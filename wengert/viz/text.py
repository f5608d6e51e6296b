"""A graph drawn as text: `to_text(y)`, an indented tree from y down to its leaves.

It needs neither the graphviz package nor Graphviz's `dot`, so it is the drawing offered
where those are missing. Each line is one node, with its value and, after backward, its
gradient, as in `draw`; a node used twice is written out once, and "(shown above)" where
it comes again::

    f = add  data 42  grad 1
    ├── add  data 40  grad 1
    │   ├── multiply  data 36  grad 1
    │   │   ├── power  data 9  grad 4
    │   │   │   ├── x (leaf)  data 3  grad 24
    │   │   │   └── constant 2
    │   │   └── y (leaf)  data 4  grad 10
    │   └── y (leaf, shown above)
    └── constant 2
"""
from .draw import MAX_NODES, collect

__all__ = ["to_text"]


def _head(it):
    if it.kind == "leaf":
        return f"{it.name or 'leaf'} (leaf)"
    if it.kind == "const":
        return f"{it.name} = constant" if it.name else "constant"
    if it.kind == "cut":
        return "… (beyond max_nodes, not drawn)"
    return f"{it.name} = {it.label}" if it.name else it.label


def _line(it, values, grads):
    head = _head(it)
    if it.kind == "cut":
        return head
    if it.kind == "const":
        return f"{head} {it.value_text()}" if values and it.value is not None else head
    parts = [head]
    if values:
        parts.append(f"data {it.value_text()}")
    if grads:
        parts.append(f"grad {it.grad_text()}")
    return "  ".join(parts)


def to_text(y, values=True, grads=True, max_nodes=MAX_NODES, graph=None):
    """y's graph as an indented tree of text, from y down to its leaves.

    Each node shows its op (or name), its value and, after backward, its gradient
    ∂y/∂value, as `draw` does; it needs no Graphviz. Values of every node need the graph
    to be built under ``wengert.tape.record()``. A node feeding several others is written
    out the first time and marked "(shown above)" after.

    Parameters
    ----------
    y : Tensor
        The output whose graph is drawn.
    values, grads : bool
        Show each node's value, and its gradient (once a backward pass has run).
    max_nodes : int
        Draw at most this many nodes, those nearest y.

    Returns
    -------
    str

    Examples
    --------
    >>> import wengert as wg
    >>> from wengert.tape import record
    >>> x = wg.tensor(3.0, requires_grad=True, name="x")
    >>> with record():
    ...     f = x * x + 1
    >>> f.backward()
    >>> print(wg.viz.to_text(f))
    add  data 10  grad 1
    ├── multiply  data 9  grad 1
    │   ├── x (leaf)  data 3  grad 6
    │   └── x (leaf, shown above)
    └── constant 1
    """
    g = collect(y, max_nodes) if graph is None else graph
    grads = grads and g.has_grads
    lines = []
    seen = set()
    if g.root is None:          # collect() always sets it; a Graph made by hand may lack it
        raise ValueError("to_text: this graph has no root; make it with wengert.viz.draw(y) "
                         "or pass the output tensor y")
    # depth first, iteratively (a long chain must not exhaust Python's recursion limit)
    stack = [(g.root, "", "")]
    while stack:
        nid, lead, prefix = stack.pop()
        it = g.by_id[nid]
        if nid in seen and it.kind in ("op", "leaf"):
            head = _head(it)
            shown = head[:-1] + ", shown above)" if head.endswith(")") else \
                head + " (shown above)"
            lines.append(lead + shown)
            continue
        seen.add(nid)
        lines.append(lead + _line(it, values, grads))
        kids = it.inputs
        for k in range(len(kids) - 1, -1, -1):
            last = k == len(kids) - 1
            stack.append((kids[k], prefix + ("└── " if last else "├── "),
                          prefix + ("    " if last else "│   ")))
    if g.hidden:
        lines.append(f"… {g.hidden:,} more nodes not drawn (max_nodes={g.max_nodes})")
    return "\n".join(lines)
