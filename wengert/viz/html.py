"""One self-contained HTML page that animates a graph's forward and backward passes.

`to_html(y)` lays the graph out itself (columns by longest path from the inputs, rows
ordered by a few barycentre sweeps) and emits inline SVG, CSS and JavaScript: no network,
no Graphviz, and it works opened from disk. Step 0 shows the inputs; each forward step
computes one op (in the tape's order when `tape` is given, else a topological order from
the engine's walk); each backward step shows the gradient ∂y/∂v of one node, in the order
reverse mode finishes them (y first, seed 1). Every node is a ``<g class="node">`` with
``id="node-<id>"`` and data attributes: ``data-node-id``, ``data-kind``, ``data-label``,
``data-name``, ``data-value`` / ``data-grad`` (JSON, empty when unknown), their ``-text``
summaries, ``data-forward-step`` and ``data-backward-step`` (1-based; 0 = none).

As for `draw`, values of every node need the graph built under ``wengert.tape.record()``.
"""
import html
import json
import os

import numpy as np

from ..tensor import Tensor
from .draw import _SYMMETRIC, MAX_NODES, collect

__all__ = ["to_html", "write_html", "layout"]

_CHAR_W = 7.0          # px per character of the 12 px monospace font used in the boxes
_LINE_H = 16
_COL_GAP = 64
_ROW_GAP = 18
_PAD = 20
_MAX_JSON = 4096       # larger values go in data-value as their summary only
_WAY_H = 4             # height of an edge's waypoint row in a column it passes through
_MAX_WAYPOINTS = 20000  # beyond this, remaining long edges are drawn straight across


def _drawn(g):
    """The items the picture shows: the count of what was left out is a note above it."""
    return [it for it in g.items if it.kind != "more"]


def _ranks(g):
    """Column of each item: leaves 0, an op 1 + its deepest input, a constant just left
    of its one user (so it sits next to it rather than with the inputs)."""
    rank: dict = {}
    users: dict = {}
    for it in _drawn(g):
        if it.kind == "op":
            r = 0
            for src in it.inputs:
                users.setdefault(src, []).append(it.id)
                if src in rank:
                    r = max(r, rank[src])
            rank[it.id] = r + 1
        elif it.kind == "leaf":
            rank[it.id] = 0
    for it in _drawn(g):
        if it.kind in ("const", "cut"):
            us = users.get(it.id)
            rank[it.id] = max(0, min(rank[u] for u in us) - 1) if us else 0
    return rank, users


def _box_size(it):
    if it.kind == "const":
        lines = [it.value_text()] + ([it.name] if it.name else [])
    elif it.kind == "cut":
        lines = [it.label]
    else:
        lines = [it.title, "value " + it.value_text(), "grad " + it.grad_text()]
    w = max(60.0, max(len(s) for s in lines) * _CHAR_W + 16)
    return w, len(lines) * _LINE_H + 10


def layout(g):
    """Positions for a `collect`ed graph: ``(box, routes, buses, (width, height))`` where
    `box` maps an item id to (x, y, w, h), `routes` maps (target id, input position) to
    (points an edge passes through between the columns it spans, whether it starts on its
    source's bus) and `buses` maps a source to the points of its bus.

    An edge spanning several columns is routed through one waypoint per column (the usual
    layered-drawing trick) so it runs between boxes, not across them; edges from the same
    source share their waypoints, so a value used far to the right costs one row per column.
    """
    rank, users = _ranks(g)
    ncol = max(rank.values()) + 1
    cols: list[list] = [[] for _ in range(ncol)]
    for it in _drawn(g):                 # forward order: a sensible first guess for the rows
        cols[rank[it.id]].append(it.id)
    lefts: dict = {it.id: [] for it in _drawn(g)}      # neighbours on the left, waypoints included
    rights: dict = {it.id: [] for it in _drawn(g)}
    chains = {}                                # source → its waypoints, one per column
    reach: dict = {}
    for it in _drawn(g):
        for src in it.inputs:
            reach[src] = max(reach.get(src, 0), rank[it.id])
    budget = _MAX_WAYPOINTS
    for src, far in reach.items():
        span = far - rank[src] - 1
        if span <= 0 or span > budget:
            continue
        budget -= span
        chain = []
        prev = src
        for r in range(rank[src] + 1, far):
            v = f"~{src}~{r}"
            cols[r].append(v)
            lefts[v], rights[v] = [prev], []
            rights[prev].append(v)
            chain.append(v)
            prev = v
        chains[src] = chain
    for it in _drawn(g):
        for src in it.inputs:
            chain = chains.get(src)  # type: ignore[assignment]
            k = rank[it.id] - rank[src] - 2
            via = chain[k] if chain and 0 <= k < len(chain) else src
            lefts[it.id].append(via)
            rights[via].append(it.id)
    pos = {i: k for col in cols for k, i in enumerate(col)}

    def sweep(columns, neighbours):
        for col in columns:
            def key(i):
                ns = [pos[n] for n in neighbours[i]]
                return sum(ns) / len(ns) if ns else pos[i]
            col.sort(key=key)
            for k, i in enumerate(col):
                pos[i] = k

    for _ in range(3):                 # barycentre heuristic: fewer crossings, cheaply
        sweep(cols[1:], lefts)
        sweep(cols[-2::-1], rights)

    size = {it.id: _box_size(it) for it in _drawn(g)}
    col_w = [max([24.0] + [size[i][0] for i in col if i in size]) for col in cols]
    col_h = [sum(size[i][1] if i in size else _WAY_H for i in col)
             + _ROW_GAP * max(0, len(col) - 1) for col in cols]
    tallest = max(col_h)
    box, col_x = {}, []
    x = _PAD
    for c, col in enumerate(cols):
        col_x.append(x)
        y = _PAD + (tallest - col_h[c]) / 2
        for i in col:
            w, h = size.get(i, (0.0, _WAY_H))
            box[i] = (x + (col_w[c] - w) / 2, y, w, h)
            y += h + _ROW_GAP
        x += col_w[c] + _COL_GAP
    def through(v, c):
        vy = box[v][1] + _WAY_H / 2
        return [(col_x[c], vy), (col_x[c] + col_w[c], vy)]

    long_edges: dict = {}
    for it in _drawn(g):
        for src in it.inputs:
            if src in chains and rank[it.id] - rank[src] > 1:
                long_edges[src] = long_edges.get(src, 0) + 1
    # a source feeding many far nodes gets one drawn bus along its waypoints, and each
    # edge only the branch off it (else the page grows as users × columns)
    routes, buses = {}, {}
    for src, n in long_edges.items():
        if n > 2:
            x1, y1, w1, h1 = box[src]
            pts = [(x1 + w1, y1 + h1 / 2)]
            for k, v in enumerate(chains[src]):
                pts += through(v, rank[src] + 1 + k)
            buses[src] = pts
    for it in _drawn(g):
        for p, src in enumerate(it.inputs):
            k = rank[it.id] - rank[src] - 1
            if src not in chains or not 0 < k <= len(chains[src]):
                continue
            if src in buses:
                routes[it.id, p] = (through(chains[src][k - 1], rank[it.id] - 1)[1:], True)
            else:
                pts = []
                for j, v in enumerate(chains[src][:k]):
                    pts += through(v, rank[src] + 1 + j)
                routes[it.id, p] = (pts, False)
    return box, routes, buses, (x - _COL_GAP + _PAD, tallest + 2 * _PAD)


def _path(pts):
    """SVG path data through `pts`: straight where level, else a curve leaving and
    arriving horizontally."""
    d = [f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"]
    for (ax, ay), (bx, by) in zip(pts, pts[1:]):
        if ay == by:
            d.append(f"L{bx:.1f},{by:.1f}")
        else:
            dx = (bx - ax) / 2
            d.append(f"C{ax + dx:.1f},{ay:.1f} {bx - dx:.1f},{by:.1f} {bx:.1f},{by:.1f}")
    return " ".join(d)


def _attr(s):
    return html.escape(str(s), quote=True)


def _json_value(a):
    if a is None:
        return ""
    a = a.data if isinstance(a, Tensor) else np.asarray(a)     # (read, not taken)
    if a.size > _MAX_JSON:
        return ""
    return json.dumps(a.tolist())


def _script_json(obj):
    # inside <script> only "</script" and "<!--" could end the block early: escape every <
    return (json.dumps(obj, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _order_by_tape(ops, tape):
    """The ops in the order `tape` recorded them, or None when the tape did not see all."""
    if tape is None:
        return None
    at = {}
    for k, e in enumerate(tape.entries):
        n = e.node
        if n is not None and n not in at:
            at[n] = k
    if any(it.ref not in at for it in ops):
        return None
    return sorted(ops, key=lambda it: at[it.ref])


def _steps(g, tape):
    ops = g.ops()
    ops = _order_by_tape(ops, tape) or ops
    root = g.by_id[g.root]
    out = root.name or "output"
    fwd = {it.id: k for k, it in enumerate(ops, 1)}
    bwd_items = [g.by_id[i] for i in g.backward if g.by_id[i].kind != "const"] \
        if g.has_grads else []
    bwd = {it.id: k for k, it in enumerate(bwd_items, 1)}
    n_in = sum(it.kind == "leaf" for it in _drawn(g))
    start = (f"start: {n_in} input{'s' * (n_in != 1)}, {len(ops)} operation"
             f"{'s' * (len(ops) != 1)} — press Next or Play")
    if not g.has_grads:
        start += f" (no gradients known: call {out}.backward() before drawing to see the " \
                 f"backward pass)"
    steps = [{"phase": "start", "id": None, "text": start}]
    for k, it in enumerate(ops, 1):
        name = f" ({it.name})" if it.name else ""
        steps.append({"phase": "forward", "id": it.id,
                      "text": f"forward {k}/{len(ops)}: {it.label}{name} → {it.value_text()}"})
    for k, it in enumerate(bwd_items, 1):
        text = f"backward {k}/{len(bwd_items)}: ∂{out}/∂{it.title} = {it.grad_text()}"
        if k == 1 and it.id == g.root:
            text += " (the seed)"
        steps.append({"phase": "backward", "id": it.id, "text": text})
    return steps, fwd, bwd


def _svg(g, fwd, bwd):
    box, routes, buses, (width, height) = layout(g)
    parts = [f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
             f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" orient="auto">'
             '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>', '<g id="edges">']
    for src, pts in buses.items():
        parts.append(f'<path class="edge bus" data-from="{src}" d="{_path(pts)}"/>')
    for it in _drawn(g):
        x2, y2, _, h2 = box[it.id]
        n = len(it.inputs)
        labelled = n > 1 and it.label not in _SYMMETRIC
        for pos, src in enumerate(it.inputs):
            x1, y1, w1, h1 = box[src]
            # inputs enter spread down the left side, in argument order
            via, on_bus = routes.get((it.id, pos), ([], False))
            start = [] if on_bus else [(x1 + w1, y1 + h1 / 2)]
            pts = start + via + [(x2, y2 + h2 * (pos + 1) / (n + 1))]
            parts.append(
                f'<path class="edge" id="edge-{src}-{it.id}-{pos}" data-from="{src}" '
                f'data-to="{it.id}" data-pos="{pos}" d="{_path(pts)}" marker-end="url(#arrow)"/>')
            if labelled:
                bx, by = pts[-1]
                parts.append(f'<text class="port" x="{bx - 16:.1f}" y="{by - 3:.1f}">{pos}</text>')
    parts.append('</g><g id="nodes">')
    for it in _drawn(g):
        x, y, w, h = box[it.id]
        vt, gt = it.value_text(), it.grad_text() if it.grad_known or it.grad is not None else ""
        attrs = (f'class="node {it.kind}" id="node-{it.id}" data-node-id="{it.id}" '
                 f'data-kind="{it.kind}" data-label="{_attr(it.label)}" '
                 f'data-name="{_attr(it.name or "")}" data-value="{_attr(_json_value(it.value))}" '
                 f'data-grad="{_attr(_json_value(it.grad))}" data-value-text="{_attr(vt)}" '
                 f'data-grad-text="{_attr(gt)}" data-forward-step="{fwd.get(it.id, 0)}" '
                 f'data-backward-step="{bwd.get(it.id, 0)}" '
                 f'transform="translate({x:.1f},{y:.1f})"')
        parts.append(f'<g {attrs}><title>{_attr(it.title)}</title>'
                     f'<rect width="{w:.1f}" height="{h:.1f}" rx="6"/>')
        if it.kind == "const":
            parts.append(f'<text class="val" x="8" y="{_LINE_H}">{_attr(vt)}</text>')
            if it.name:
                parts.append(f'<text class="title" x="8" y="{2 * _LINE_H}">'
                             f'{_attr(it.name)}</text>')
        elif it.kind == "cut":
            parts.append(f'<text class="val" x="8" y="{_LINE_H}">{_attr(it.label)}</text>')
        else:
            known_v = "" if it.value is not None else " unknown"
            known_g = "" if it.grad is not None else " unknown"
            parts.append(f'<text class="title" x="{w / 2:.1f}" y="{_LINE_H}" '
                         f'text-anchor="middle">{_attr(it.title)}</text>'
                         f'<text class="val{known_v}" x="8" y="{2 * _LINE_H}">value '
                         f'{_attr(vt)}</text>'
                         f'<text class="grad{known_g}" x="8" y="{3 * _LINE_H}">grad '
                         f'{_attr(gt)}</text>')
        parts.append('</g>')
    parts.append('</g></svg>')
    return "".join(parts)


_CSS = """
body{font-family:system-ui,sans-serif;margin:16px;color:#222;background:#fff}
h1{font-size:18px;margin:0 0 8px}
#controls{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:6px}
#controls button{font-size:14px;padding:4px 12px}
#counter{font-variant-numeric:tabular-nums;color:#555}
#desc{font-family:ui-monospace,monospace;font-size:14px;min-height:1.4em;margin:4px 0 10px}
#canvas{overflow:auto;border:1px solid #ddd;border-radius:6px;max-height:80vh}
.note{color:#666;font-size:13px}
svg text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;fill:#222}
.node rect{fill:#f7f7f7;stroke:#999;stroke-width:1}
.node.leaf rect{fill:#eef6ee;stroke:#4a8a4a}
.node.const rect{fill:#fafafa;stroke:#bbb;stroke-dasharray:3 2}
.node.const text{fill:#666;font-size:11px}
.node.cut rect{fill:#fff;stroke:#bbb;stroke-dasharray:2 2}
#nodes .node.op.computed rect{fill:#e8f0fb;stroke:#4a6fa5}
#nodes .node.has-grad rect{stroke:#c0392b;stroke-width:1.5}
#graph #nodes .node.active rect{stroke:#e67e22;stroke-width:3}
.node .title{font-weight:bold}
.node .val,.node .grad{visibility:hidden}
.node.computed .val{visibility:visible}
.node.has-grad .grad{visibility:visible;fill:#b03020}
.node .unknown{font-style:italic;fill:#888}
.edge{fill:none;stroke:#999;stroke-width:1.2}
#arrow path{fill:#999}
.edge.fwd{stroke:#4a6fa5;stroke-width:2.5}
.edge.bwd{stroke:#c0392b;stroke-width:2.5}
.port{font-size:9px;fill:#888}
"""

_JS = """
(function () {
  "use strict";
  var steps = JSON.parse(document.getElementById("wg-steps").textContent);
  var nodes = Array.prototype.slice.call(document.querySelectorAll("#graph g.node"));
  var edges = Array.prototype.slice.call(document.querySelectorAll("#graph path.edge"));
  var nFwd = steps.filter(function (s) { return s.phase === "forward"; }).length;
  var last = steps.length - 1;
  var cur = 0, timer = null;
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  var play = document.getElementById("play"), speed = document.getElementById("speed");
  var counter = document.getElementById("counter"), desc = document.getElementById("desc");

  function show(s) {
    cur = Math.max(0, Math.min(last, s));
    var fDone = Math.min(cur, nFwd), bDone = Math.max(0, cur - nFwd);
    var step = steps[cur];
    nodes.forEach(function (n) {
      var f = +n.getAttribute("data-forward-step"), b = +n.getAttribute("data-backward-step");
      var kind = n.getAttribute("data-kind");
      n.classList.toggle("computed", kind !== "op" || f <= fDone);
      n.classList.toggle("has-grad", b > 0 && b <= bDone);
      n.classList.toggle("active", step.id !== null && n.getAttribute("data-node-id") === step.id);
    });
    edges.forEach(function (e) {
      e.classList.toggle("fwd", step.phase === "forward" && e.getAttribute("data-to") === step.id);
      e.classList.toggle("bwd", step.phase === "backward" && e.getAttribute("data-from") === step.id);
    });
    counter.textContent = "step " + cur + "/" + last;
    desc.textContent = step.text;
    document.body.setAttribute("data-step", String(cur));
    prev.disabled = cur === 0;
    next.disabled = cur === last;
    var a = step.id === null ? null : document.getElementById("node-" + step.id);
    if (a && a.scrollIntoView) { a.scrollIntoView({block: "nearest", inline: "nearest"}); }
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  }
  function tick() {
    if (cur >= last) { stop(); return; }
    show(cur + 1);
    if (cur >= last) { stop(); }
  }
  function start() {
    if (cur >= last) { show(0); }
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    timer = setInterval(tick, +speed.value);
  }
  prev.addEventListener("click", function () { stop(); show(cur - 1); });
  next.addEventListener("click", function () { stop(); show(cur + 1); });
  play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
  speed.addEventListener("change", function () { if (timer !== null) { stop(); start(); } });
  document.addEventListener("keydown", function (ev) {
    if (ev.target && ev.target.tagName === "SELECT") { return; }
    if (ev.key === "ArrowRight") { stop(); show(cur + 1); }
    else if (ev.key === "ArrowLeft") { stop(); show(cur - 1); }
    else if (ev.key === " ") { ev.preventDefault(); play.click(); }
  });
  show(0);
}());
"""


def to_html(y, title=None, max_nodes=MAX_NODES, tape=None):
    """The page for y's graph, as a string (see the module docstring). `title` heads the
    page (escaped); `tape` (a `wengert.tape.Tape`) fixes the forward steps to its order."""
    g = collect(y, max_nodes)
    steps, fwd, bwd = _steps(g, tape)
    heading = "wengert graph" if title is None else str(title)
    notes = []
    if not g.recorded and any(it.kind == "op" for it in g.items):
        notes.append("Intermediate values were not recorded: build the graph inside "
                     "<code>with wengert.tape.record():</code> to see every value and gradient.")
    if g.hidden:
        drawn = sum(it.kind in ("op", "leaf") for it in g.items)
        notes.append(f"Only the {drawn:,} nodes nearest the output are drawn; {g.hidden:,} "
                     f"more are not (max_nodes={g.max_nodes}); … marks an input left out.")
    note_html = "".join(f'<p class="note">{n}</p>' for n in notes)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_attr(heading)}</title>
<style>{_CSS}</style>
</head>
<body data-step="0">
<h1>{_attr(heading)}</h1>
<div id="controls">
<button id="prev" type="button" title="previous step (←)">◀ Previous</button>
<button id="play" type="button" aria-pressed="false" title="play / pause (space)">Play</button>
<button id="next" type="button" title="next step (→)">Next ▶</button>
<label>speed <select id="speed"><option value="1200">slow</option>
<option value="600" selected>normal</option><option value="150">fast</option></select></label>
<span id="counter">step 0/{len(steps) - 1}</span>
</div>
<div id="desc">{_attr(steps[0]["text"])}</div>
{note_html}
<div id="canvas">{_svg(g, fwd, bwd)}</div>
<noscript><p class="note">JavaScript is off: the graph shows no animation.</p></noscript>
<script type="application/json" id="wg-steps">{_script_json(steps)}</script>
<script>{_JS}</script>
</body>
</html>
"""


def write_html(y, path, title=None, max_nodes=MAX_NODES, tape=None):
    """Write `to_html(y, ...)` to `path` (UTF-8) and return the path."""
    text = to_html(y, title=title, max_nodes=max_nodes, tape=tape)
    with open(os.fspath(path), "w", encoding="utf-8") as fh:
        fh.write(text)
    return path
