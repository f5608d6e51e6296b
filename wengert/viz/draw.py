"""Drawings of a graph: each node's op, its value and, after backward, its gradient.

`draw(y)` returns a `graphviz.Digraph` (the optional `graphviz` package; rendering needs
Graphviz's `dot` program). Values of every node need the graph to be built under
``wengert.tape.record()``: a graph alone keeps only what its derivative rules need, so
without a tape only y, the leaves and the tensors the nodes saved are known, and the rest is
marked "not recorded".

`collect(y)` is the picture-independent part, shared with `wengert.viz.html`: the nodes
reachable from y in the order of the engine's one iterative walk, each with its inputs,
value and gradient.
"""
from __future__ import annotations

import html
import itertools
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np

from ..engine.graph import walk
from ..engine.node import Node
from ..printing import summarize as _summarize
from ..tape import entry_for
from ..tensor import Tensor
from .drawing import DotNotFound, _drawing_class, _import_graphviz

__all__ = ["draw", "collect", "summarize", "Graph", "Item", "DotNotFound"]

# Each drawn node costs Graphviz a few milliseconds of layout (superlinear in the count):
# beyond a few hundred the drawing is unreadable anyway.
MAX_NODES = 500

# Binary ops whose operands may swap: their edges need no position label.
_SYMMETRIC = frozenset({"add", "multiply", "maximum", "minimum", "hypot", "logaddexp",
                        "fmax", "fmin"})


def summarize(value: Any, n: int = 3) -> str:
    """Short text for a value: 4 significant digits for a scalar; a tensor shows dtype,
    shape and a few numbers, e.g. ``float32[3,4] [0.1, 0.2, 0.3, … 0.9]``.

    Examples
    --------
    >>> wg.viz.summarize(wg.tensor(3.14159))
    '3.142'
    >>> wg.viz.summarize(wg.arange(10.))
    'float64[10] [0, 1, 2, … 9]'
    """
    return _summarize(value, n, digits=4)


class Item:
    """One drawn node. `kind`: "op" (a Node), "leaf" (a Tensor), "const" (an input that
    needs no gradient), "cut" (an input left out by the cap) or "more" (the note saying
    how many were left out). `inputs`: ids of the
    items feeding it, one per positional argument. `value`/`grad` are arrays or None;
    `value_known`/`grad_known` say whether None means "not recorded"."""
    __slots__ = ("id", "kind", "label", "name", "inputs", "value", "grad",
                 "value_known", "grad_known", "ref", "outputs")

    def __init__(self, id: str, kind: str, label: str, name: Optional[str] = None,
                 inputs: Iterable[str] = (), value: Any = None, grad: Any = None,
                 value_known: bool = False, grad_known: bool = False, ref: Any = None) -> None:
        self.id, self.kind, self.label, self.name = id, kind, label, name
        self.inputs = list(inputs)
        self.value, self.grad = value, grad
        self.value_known, self.grad_known = value_known, grad_known
        self.ref = ref
        self.outputs = 0      # > 0: an op with several outputs, each drawn as its own node

    @property
    def title(self) -> str:
        """What the node is called on screen: its name, else its op."""
        return self.name or self.label

    def value_text(self) -> str:
        """The value as drawn: a summary, or why there is none."""
        if self.outputs:
            return f"{self.outputs} outputs"
        if self.value is not None:
            return summarize(self.value)
        return "not recorded" if not self.value_known else "—"

    def grad_text(self) -> str:
        """The gradient as drawn: a summary, or why there is none."""
        if self.outputs:
            return "on each output"
        if self.grad is not None:
            return summarize(self.grad)
        return "none" if self.grad_known else "not recorded"

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.kind} {self.title}>"


class Graph:
    """Items in forward order (`items`: constants and leaves before the ops using them,
    ops in a topological order), `backward`: ids in the order reverse mode finishes each
    gradient (root first), `hidden`: how many nodes were left out by the cap, `recorded`:
    whether a tape saw the graph, `has_grads`: whether any gradient is known."""
    __slots__ = ("items", "by_id", "root", "backward", "hidden", "recorded", "has_grads",
                 "max_nodes")

    def __init__(self) -> None:
        self.items: List[Item] = []
        self.by_id: Dict[str, Item] = {}
        self.backward: List[str] = []
        self.root: Optional[str] = None
        self.hidden, self.recorded, self.has_grads = 0, False, False
        self.max_nodes = MAX_NODES

    def add(self, item: Item) -> Item:
        """Append `item` (and index it by id); returns it."""
        self.items.append(item)
        self.by_id[item.id] = item
        return item

    def ops(self) -> List[Item]:
        """The op items, in forward order."""
        return [it for it in self.items if it.kind == "op"]


def _tensor_arrays(t: Tensor, with_grad: bool) -> Tuple[Any, Any]:
    g = t._grad if with_grad else None     # (no warning: a drawing reads non-leaves too)
    return t.data, (None if g is None else g.data)


def collect(y: Tensor, max_nodes: int = MAX_NODES) -> Graph:
    """The graph of `y` as a `Graph`, walked once with the engine's iterative walk.

    At most `max_nodes` nodes and leaves are kept: those nearest the output (the walk
    yields a node only after all its users, so the kept part is closed upwards); each input
    cut off becomes a small "cut" item and one "more" item counts what was left out.
    """
    if not isinstance(y, Tensor):
        raise TypeError(f"expected a wengert Tensor to draw, got {type(y).__name__}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)):
        raise TypeError(f"max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")
    root = y.grad_fn if y.grad_fn is not None else y
    everything = walk([root])
    total = len(everything)
    order = everything[:int(max_nodes)]
    kept = set(order)

    # tensors whose value is known without a tape: y itself and what the nodes saved
    known: Dict[Any, Tensor] = {root: y} if root is not y else {}
    recorded = False
    entries: Dict[Any, Any] = {}
    multi: Dict[Any, Any] = {}   # multi-output node → an entry of one of its outputs
    for item in order:
        if type(item) is not Node:
            continue
        e = entry_for(item)
        if e is not None:
            recorded = True
            entries[item] = e
            if e.index is not None and item.parents and type(item.parents[0]) is Node:
                multi.setdefault(item.parents[0], e)
        saved = item.saved
        if type(saved) is tuple:
            for s in saved:
                if type(s) is Tensor and s.grad_fn is not None and s.grad_fn not in known:
                    known[s.grad_fn] = s

    g = Graph()
    g.recorded = recorded
    g.max_nodes = int(max_nodes)
    g.hidden = total - len(kept)
    ids: Dict[Any, str] = {}
    n_const, n_cut = itertools.count(), itertools.count()
    # forward order: the reverse of the walk, so every input comes before its users
    for k, item in enumerate(reversed(order)):
        nid = f"n{k}"
        ids[item] = nid
        if type(item) is not Node:                       # a leaf (or a constant y)
            value, grad = _tensor_arrays(item, True)
            g.add(Item(nid, "leaf" if item.requires_grad else "const",
                       item.name or ("leaf" if item.requires_grad else "constant"),
                       name=item.name, value=value, grad=grad, value_known=True,
                       grad_known=item.requires_grad, ref=item))
            continue
        e = entries.get(item)
        inputs: List[str] = []
        args = None
        if e is not None and e.index is None:
            args = e.inputs
        elif item in multi:
            args = multi[item].inputs
        if args is not None and len(args) != len(item.parents):
            args = None                                  # a shape this code cannot align
        for i, p in enumerate(item.parents):
            if p is None:
                cid = f"c{next(n_const)}"
                if args is not None:
                    a = args[i]
                    v = a.data if isinstance(a, Tensor) else np.asarray(a)
                    nm = a.name if isinstance(a, Tensor) else None
                    g.add(Item(cid, "const", "constant", name=nm, value=v, value_known=True,
                               ref=a if isinstance(a, Tensor) else None))
                else:
                    g.add(Item(cid, "const", "constant"))
                inputs.append(cid)
            elif p in kept:
                inputs.append(ids[p])
            else:
                # a stub beside its user, not one note fed by every cut edge: a shared
                # node with hundreds of long edges costs Graphviz minutes of layout
                cid = f"m{next(n_cut)}"
                g.add(Item(cid, "cut", "…"))
                inputs.append(cid)
        label = item.op.name
        if e is not None:
            out = e.output
            value, grad = _tensor_arrays(out, True)
            # a name given to y after it was recorded is not on the tape's record of it
            name = y.name if item is root and y.name else out.name
            g.add(Item(nid, "op", label, name=name, inputs=inputs, value=value,
                       grad=grad, value_known=True, grad_known=True, ref=item))
        elif item in known:
            t = known[item]
            value, grad = _tensor_arrays(t, True)
            g.add(Item(nid, "op", label, name=t.name, inputs=inputs, value=value, grad=grad,
                       value_known=True, grad_known=t.retains_grad, ref=item))
        else:
            it = g.add(Item(nid, "op", label, inputs=inputs, ref=item))
            if item in multi:
                it.outputs = getattr(item.op, "nout", 0) or 0
    if g.hidden:
        g.add(Item("more", "more", f"… {g.hidden:,} more nodes not drawn "
                                   f"(max_nodes={g.max_nodes})"))
    g.root = ids[root]
    g.backward = [ids[item] for item in order]
    g.has_grads = any(it.grad is not None for it in g.items)
    return g


def _cell(text: str, bold: bool = False, color: Optional[str] = None,
          italic: bool = False) -> str:
    t = html.escape(text, quote=True)
    if bold:
        t = f"<B>{t}</B>"
    if italic:
        t = f"<I>{t}</I>"
    if color:
        t = f'<FONT COLOR="{color}">{t}</FONT>'
    return f"<TD>{t}</TD>"


def _record(item: Item, values: bool, grads: bool) -> str:
    cells = []
    if item.name:
        cells.append(_cell(item.name, bold=True))
    elif item.kind == "leaf":
        cells.append(_cell("leaf", italic=True))
    if values:
        known = item.value is not None
        cells.append(_cell(f"data {item.value_text()}", italic=not known,
                           color=None if known else "gray50"))
    if grads:
        known = item.grad is not None
        cells.append(_cell(f"grad {item.grad_text()}", italic=not known,
                           color=None if known else "gray50"))
    if not cells:
        cells.append(_cell(item.label))
    return ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"><TR>'
            + "".join(cells) + "</TR></TABLE>>")


def draw(y: Tensor, values: bool = True, grads: bool = True, max_nodes: int = MAX_NODES,
         graph: Optional[Graph] = None) -> Any:
    """A `graphviz.Digraph` of y's graph, left to right: every value a box (leaves with
    their names, then data and, after backward, grad = ∂y/∂value), every op an ellipse
    between its inputs and its output, constants as small boxes.

    Values of every node need the graph to be built under ``wengert.tape.record()``;
    without a tape only y, the leaves and tensors saved by the nodes are known and the
    other values are marked "not recorded". At most `max_nodes` nodes are drawn (those
    nearest y); a note counts the rest. `.render()` / `.pipe(format='svg')` need
    Graphviz's `dot`: without it they raise `DotNotFound` (saying how to install it) before
    writing anything. `.to_text()` (or `wengert.viz.to_text(y)`) draws the graph as text,
    with no Graphviz.

    Examples
    --------
    >>> x = wg.tensor(2.0, requires_grad=True)
    >>> with wg.tape.record():
    ...     y = x * x
    >>> y.backward()
    >>> dot = wg.viz.draw(y)            # needs the graphviz package, not the dot program
    >>> import graphviz
    >>> isinstance(dot, graphviz.Digraph), "grad 4" in dot.source
    (True, True)
    """
    graphviz = _import_graphviz()
    g = collect(y, max_nodes) if graph is None else graph
    show_grads = grads and g.has_grads
    dot = _drawing_class(graphviz)("wengert", graph_attr={"rankdir": "LR"},
                                   node_attr={"fontname": "Helvetica", "fontsize": "11"},
                                   edge_attr={"arrowsize": "0.7"})
    dot._wengert_graph, dot._wengert_view = g, (values, grads)
    for it in g.items:
        if it.kind == "more":
            dot.node(it.id, it.label, shape="note", style="dashed", fontcolor="gray30")
        elif it.kind == "cut":
            dot.node(it.id, it.label, shape="plaintext", fontcolor="gray50", height="0.2",
                     width="0.2")
        elif it.kind == "const":
            text = it.value_text() if values else it.label
            if it.name:
                text = f"{it.name} = {text}"
            dot.node(it.id, text, shape="box", fontsize="9", fontcolor="gray20",
                     color="gray60", height="0.25", margin="0.05,0.02")
        elif it.kind == "leaf":
            dot.node(it.id, _record(it, values, show_grads), shape="plain")
        else:
            dot.node(it.id, _record(it, values, show_grads), shape="plain")
            op_id = it.id + "_op"
            dot.node(op_id, it.label, shape="ellipse", style="filled", fillcolor="lightblue2")
            labelled = len(it.inputs) > 1 and it.label not in _SYMMETRIC
            for pos, src in enumerate(it.inputs):
                if g.by_id[src].kind == "cut":
                    dot.edge(src, op_id, style="dashed", color="gray50")
                elif labelled:
                    dot.edge(src, op_id, label=str(pos), fontsize="8", fontcolor="gray40")
                else:
                    dot.edge(src, op_id)
            dot.edge(op_id, it.id)
    return dot
