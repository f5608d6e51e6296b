"""The tape as the textbooks print a Wengert list (Baydin et al., "Automatic differentiation
in machine learning: a survey", table 2): the forward primal trace and the reverse adjoint
trace side by side.

The inputs come first, numbered up to 0 (v-1, v0 for f(x, y)), then one row per recorded op
application, v1, v2, … in the order they ran: the op, its inputs (earlier rows, or constants
written out), its value and, once a backward pass has run, its adjoint v̄ᵢ = ∂y/∂vᵢ (the
gradient the latest pass brought to it; an input's adjoint is its .grad, which adds up the
passes since it was last zeroed, as always). `wengert.tape.record`'s docstring shows the
table of f(x, y) = x**2*y + y + 2 at x=3, y=4.

Numbers print with up to 6 significant digits; an array as its dtype, shape and first values.
"""
from typing import Any

from .printing import summarize
from .tensor import Tensor

__all__ = ["rows", "format_table", "compact"]

_HEADER = ("v", "name", "op", "inputs", "value", "adjoint")


def compact(value, n=3):
    """Short text for a number or array: ``42``, ``0.841471``, ``float64[2,3] [0, 1, 2, … 5]``."""
    return summarize(value, n, digits=6)


def _label(k):
    return f"v{k}"


def rows(tape):
    """The table's rows, inputs first: dicts with keys v (e.g. "v-1"), name (or None), op,
    inputs (text), value and adjoint (arrays; adjoint None when no backward pass reached
    the row)."""
    inputs_seen: dict[int, tuple[Tensor, dict[str, Any]]] = {}     # id(tensor) → (tensor, row): tensors the tape did not produce
    input_rows = []

    def build():
        produced: dict[Any, dict[str, Any]] = {}    # node or id(output tensor) → its row

        def ref(a):
            if isinstance(a, Tensor):
                node = a.grad_fn
                if node is not None and node in produced:
                    return produced[node]
                if id(a) in produced:
                    return produced[id(a)]
                if a.requires_grad or a.name is not None:
                    hit = inputs_seen.get(id(a))
                    if hit is None:
                        row = {"v": "?", "name": a.name, "op": "input", "inputs": "",
                               "value": a.data, "adjoint": _adjoint(a._grad)}
                        hit = inputs_seen[id(a)] = (a, row)    # (holds a: its id stays unique)
                        input_rows.append(row)
                    return hit[1]
                return compact(a)
            if isinstance(a, (list, tuple)) and _plain(a):
                return repr(a)
            if isinstance(a, (list, tuple)):
                inner = ", ".join(_text(ref(b)) for b in a)
                if isinstance(a, list):
                    return f"[{inner}]"
                return f"({inner},)" if len(a) == 1 else f"({inner})"
            if a is None or isinstance(a, (str, slice, type(Ellipsis))):
                return repr(a)
            try:
                return compact(a)
            except (TypeError, ValueError):
                return type(a).__name__

        out = []
        for k, e in enumerate(tape.entries, start=1):
            args = ", ".join(_text(ref(a)) for a in e.inputs)
            op = e.op.name if e.index is None else f"{e.op.name}[{e.index}]"
            if e.params:
                op += "(" + ", ".join(f"{p}={_text(ref(v))}" for p, v in e.params.items()) + ")"
            row = {"v": _label(k), "name": e.output.name, "op": op, "inputs": args,
                   "value": e.output.data, "adjoint": _adjoint(e.output._grad)}
            out.append(row)
            node = e.node
            if node is not None:
                produced[node] = row
            o = e.produced()
            if o is not None:
                produced[id(o)] = row
        return out

    build()                       # finds the inputs, so they can be numbered up to 0
    for i, row in enumerate(input_rows):
        row["v"] = _label(i + 1 - len(input_rows))
    return input_rows + build()


def _plain(a):
    """Whether a is made of Python scalars only (an axis tuple, a shape): shown as written."""
    if isinstance(a, (list, tuple)):
        return all(_plain(b) for b in a)
    return a is None or type(a) in (int, float, bool)


def _adjoint(g):
    return None if g is None else g.data


def _text(r):
    return r["v"] if isinstance(r, dict) else r


def format_table(tape, max_rows=None):
    """The tape as text: one line per row (see the module's docstring)."""
    rs = rows(tape)
    if not rs:
        return "(an empty tape: no op ran inside wengert.tape.record())"
    hidden = 0
    if max_rows is not None and len(rs) > max_rows:
        hidden, rs = len(rs) - max_rows, rs[:max_rows]
    with_names = any(r["name"] for r in rs)
    # (a leaf's .grad may be left from an earlier pass: only a pass over this tape counts)
    with_adjoints = any(r["adjoint"] is not None for r in rs if r["op"] != "input")
    header = [h for h in _HEADER if (h != "name" or with_names)
              and (h != "adjoint" or with_adjoints)]
    lines = [header]
    for r in rs:
        cells = {"v": r["v"], "name": r["name"] or "", "op": r["op"], "inputs": r["inputs"],
                 "value": compact(r["value"]),
                 "adjoint": "-" if r["adjoint"] is None else compact(r["adjoint"])}
        lines.append([cells[h] for h in header])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip()
                     for line in lines)
    if hidden:
        text += f"\n… {hidden:,} more rows (table(max_rows=None) shows them all)"
    return text
