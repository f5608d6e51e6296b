"""The `wengert` command (also `python -m wengert`).

    wengert grad 'x**2*y + y + 2' x=3 y=4        f and ∂f/∂x, ∂f/∂y four ways
    wengert grad EXPR name=value … --json        the same as JSON
    wengert grad EXPR name=value … --graph g.svg|g.png|g.pdf|g.html
    wengert grad EXPR name=value … --trace       also the Wengert list: primal and adjoint trace
    wengert grad EXPR name=value … --source      also the compiled program of the gradient
    wengert fd-error EXPR name=value … --out eps.png [--wrt x]
    wengert demo                                 the tutorials' examples
    wengert --version

`grad` computes each partial derivative by reverse mode (one backward pass), forward mode
(dual numbers, one pass per input), central finite differences (with |fd − reverse|) and
symbolically (SymPy, from the graph that reverse mode records with create_graph=True).
EXPR is parsed safely (`wengert.expr`): numbers, variables, + − * / **, known functions.

Exit status: 0 success; 1 a needed extra or tool is missing, or a file cannot be written;
2 bad input (a one-line `wengert: error: …` on stderr, never a traceback), which includes
a point where f itself is not finite (log(-1)): the point is outside f's domain. A finite f
with an infinite or NaN derivative (sqrt at 0) is a result: exit 0 with a warning line.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

from .expr import FUNCTIONS, ExprError, parse, parse_assignments

PROG = "wengert"
GRAPH_FORMATS = (".svg", ".png", ".pdf", ".html")
PLOT_FORMATS = (".png", ".svg", ".pdf")
SIMPLIFY_SECONDS = 5.0    # SymPy's simplify can take minutes; after this the formulas stay as built
SIMPLIFY_ENV = "WENGERT_SIMPLIFY_SECONDS"     # overrides SIMPLIFY_SECONDS; --simplify-seconds both


class UsageError(Exception):
    """Bad input: printed as one line, exit status 2."""


class Unavailable(Exception):
    """A missing extra or tool, or an unwritable file: one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        if message.startswith("unrecognized arguments: -"):
            hint = " (an expression starting with '-' goes after --: wengert grad -- '-x' x=1)"
        else:
            hint = f" (see {self.prog} --help)"
        raise UsageError(message + hint)


# ---- output ---------------------------------------------------------------------------------

def _write(stream, text):
    """Print, falling back to ASCII ('d' for '∂') on a terminal that cannot encode Unicode."""
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        print(text.replace("∂", "d").encode("ascii", "replace").decode("ascii"), file=stream)


def fmt(v):
    """A float as its shortest round-trip text, integers without '.0'."""
    if v is None:
        return "-"
    v = float(v)
    if math.isfinite(v) and v == int(v) and abs(v) < 1e16:
        return str(int(v))
    return repr(v)


def fmt_error(v):
    if v is None or not math.isfinite(v):
        return fmt(v)
    return "0" if v == 0 else f"{v:.1e}"


def table(rows, header):
    """Left-aligned columns, two spaces apart."""
    rows = [header] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _json_number(v):
    return float(v) if v is not None and math.isfinite(v) else None


# ---- computing --------------------------------------------------------------------------------

def _as_tensor(v):
    import wengert as wg
    return v if isinstance(v, wg.Tensor) else wg.tensor(float(v))


def _first_not_finite(tape):
    for e in tape:
        d = np.asarray(e.output.data)
        if d.dtype.kind == "f" and not np.isfinite(d).all():
            return e
    return None


def analyse(expr, values, symbolic=True, simplify_seconds=None):
    """Everything `wengert grad` prints, as a dict: f, its formula, and per variable the
    partial derivative by reverse mode, forward mode, finite differences (+ error against
    reverse) and its simplified symbolic formula."""
    import wengert as wg
    from wengert.tape import record
    names = expr.variables
    point = ", ".join(f"{n}={fmt(values[n])}" for n in names)
    with record() as tape, np.errstate(all="ignore"):
        xs = {n: wg.tensor(values[n], dtype=wg.float64, requires_grad=True, name=n)
              for n in names}
        f = _as_tensor(expr.evaluate(xs))
        fval = float(f.data)
        if not math.isfinite(fval):
            e = _first_not_finite(tape)
            first = (f": {e.op.name} gives {fmt(float(np.asarray(e.output.data)))} first"
                     if e else "")
            raise UsageError(f"f = {fmt(fval)} at {point or 'this point'}{first} "
                             f"(the point is outside the function's domain)")
        if names and f.requires_grad:
            rev = wg.autograd.grad(f, [xs[n] for n in names], create_graph=True,
                                   allow_unused=True)
        else:
            rev = [None] * len(names)

    result = {"expression": expr.text, "point": dict(values), "f": fval, "formula": None,
              "partials": {}, "warnings": []}
    sym = _symbolic(f, rev, result["warnings"], simplify_seconds) if symbolic else None
    if sym is not None:
        result["formula"] = sym[0]

    fd = _fd(expr, names, values) if names else ()
    for i, n in enumerate(names):
        g = rev[i]
        r = 0.0 if g is None else float(g.data)
        fw = _forward(expr, names, values, n)
        err = abs(fd[i] - r) if math.isfinite(fd[i]) and math.isfinite(r) else math.nan
        result["partials"][n] = {"reverse": r, "forward": fw, "finite_diff": fd[i],
                                 "error": err, "symbolic": None if sym is None else sym[1][i]}
        bad = [(how, v) for how, v in (("reverse mode", r), ("forward mode", fw))
               if not math.isfinite(v)]
        if bad:
            result["warnings"].append(f"∂f/∂{n} is {fmt(bad[0][1])} at {point} "
                                      f"({' and '.join(how for how, _ in bad)})")
    return result


def _forward(expr, names, values, name):
    """∂f/∂name by one forward pass with the dual number value + 1·ε for `name`."""
    import wengert as wg
    inputs = {n: (wg.dual(values[n], 1.0) if n == name else wg.tensor(values[n]))
              for n in names}
    with np.errstate(all="ignore"):
        out = expr.evaluate(inputs)
    t = getattr(out, "tangent", None)
    return 0.0 if t is None else float(t.data)


def _fd(expr, names, values):
    """Central differences for every variable (wg.numerical_grad's step)."""
    import wengert as wg

    def f(*vals):
        return expr.evaluate(dict(zip(names, vals)))

    with np.errstate(all="ignore"):
        g = wg.numerical_grad(f, *(values[n] for n in names), argnums=tuple(range(len(names))))
    return tuple(float(v) for v in g)


def _symbolic(f, rev, warnings, seconds=None):
    """(formula of f, [simplified formula of each partial]) or None without SymPy."""
    try:
        import sympy
    except ImportError:
        warnings.append("symbolic formulas need SymPy: pip install 'wengert[symbolic]'")
        return None
    from wengert.symbolic import simplify_within, to_sympy
    try:
        formula = str(to_sympy(f))
        exprs = [sympy.Integer(0) if g is None else to_sympy(g) for g in rev]
    except (ValueError, TypeError) as err:
        warnings.append(f"no symbolic formula: {err}")
        return None
    seconds = _simplify_seconds(seconds)
    out, done = simplify_within(exprs, timeout=seconds)
    if not all(done):
        warnings.append(f"simplification was skipped after {seconds:g} s (SymPy ran out of "
                        f"time): the formulas are shown as built; allow more with "
                        f"--simplify-seconds or {SIMPLIFY_ENV}")
    return formula, [str(e) for e in out]


def _simplify_seconds(seconds):
    """The deadline: the option, else the environment variable, else SIMPLIFY_SECONDS."""
    if seconds is None:
        text = os.environ.get(SIMPLIFY_ENV)
        if not text:
            return SIMPLIFY_SECONDS
        try:
            seconds = float(text)
        except ValueError:
            raise UsageError(f"{SIMPLIFY_ENV}={text!r} is not a number of seconds") from None
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(f"the simplification deadline must be a finite number of seconds "
                         f"≥ 0, got {seconds:g}")
    return seconds


# ---- wengert grad -----------------------------------------------------------------------------

def _graph_path(path):
    if path is None:
        return None
    ext = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if ext not in GRAPH_FORMATS:
        raise UsageError(f"--graph: cannot write {ext or 'a file without extension'!s} "
                         f"(use .svg, .png, .pdf or .html)")
    return ext


def _recorded(expr, values):
    """f evaluated at the point on a tape (wengert.tape.record), then one backward pass, so
    every node holds its value and its gradient: (tape, f)."""
    import wengert as wg
    from wengert.tape import record
    with record() as tape, np.errstate(all="ignore"):
        xs = {n: wg.tensor(values[n], dtype=wg.float64, requires_grad=True, name=n)
              for n in expr.variables}
        y = _as_tensor(expr.evaluate(xs))
        if y.grad_fn is not None:
            y.name = "f"                  # (a bare variable keeps its own name)
            e = tape.entry_for(y.grad_fn)
            if e is not None:
                e.output.name = "f"       # (named after it was recorded)
        if y.requires_grad:
            y.backward()
    return tape, y


def trace_rows(tape):
    """The Wengert list as JSON-ready rows (numbers as floats, None where unknown)."""
    out = []
    for r in tape.rows():
        row = dict(r)
        for k in ("value", "adjoint"):
            v = r[k]
            row[k] = None if v is None else _json_number(float(np.asarray(v)))
        out.append(row)
    return out


def write_graph(expr, values, path, ext):
    """Draw f's graph, each node with its value and gradient (after one backward pass)."""
    try:
        from wengert import viz
        draw, write_html = viz.draw, viz.write_html
    except (ImportError, AttributeError) as err:
        raise Unavailable(f"--graph needs wengert.viz: {err}") from None
    tape, y = _recorded(expr, values)
    try:
        if ext == ".html":
            write_html(y, path, title=f"f = {expr.text}", tape=tape)
            return
        data = draw(y, values=True, grads=True).pipe(format=ext[1:])
    except ImportError as err:
        raise Unavailable(" ".join(str(err).split())) from None
    except Exception as err:    # graphviz raises its own types (ExecutableNotFound, …)
        if type(err).__name__ in ("DotNotFound", "ExecutableNotFound"):
            raise Unavailable(
                f"--graph: no drawing made: {ext} needs Graphviz's `dot` program, which is not "
                f"on PATH (apt install graphviz, brew install graphviz or conda install "
                f"graphviz); a .html graph needs neither, and --trace prints the graph as "
                f"the Wengert list") from None
        raise
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as err:
        raise Unavailable(f"cannot write {path}: {err.strerror}") from None


def _compiler():
    """wg.compile, or the one-line error that this wengert has none."""
    import wengert as wg
    compile_ = getattr(wg, "compile", None)
    if compile_ is None:
        raise UsageError("--source needs wg.compile, which this wengert does not have")
    return compile_


def compiled_source(expr, values, compile_=None):
    """The program that wg.compile generates for the gradient of f (every partial, by
    wg.grad with argnums = all variables), at the point's input signature (float64 scalars)."""
    import wengert as wg
    compile_ = compile_ or _compiler()
    names = expr.variables

    def f(*vals):
        return expr.evaluate(dict(zip(names, vals)))

    point = [np.asarray(values[n], dtype=np.float64) for n in names]
    try:
        with np.errstate(all="ignore"):
            return compile_(wg.grad(f, argnums=tuple(range(len(names))))).source(*point)
    except (TypeError, ValueError, NotImplementedError) as err:
        raise UsageError(f"--source: wg.compile cannot compile this gradient: {err}") from None


def cmd_grad(args):
    ext = _graph_path(args.graph)
    expr = parse(args.expression)
    values = parse_assignments(args.values, expr)
    if args.source:
        _compiler()                 # (before any output: no table without its program)
        if not expr.variables:
            raise UsageError("--source: the expression has no variables: no gradient to "
                             "compile")
    res = analyse(expr, values, symbolic=not args.no_symbolic,
                  simplify_seconds=args.simplify_seconds)
    if args.source:
        res["source"] = compiled_source(expr, values)
    failure = None
    if args.graph:
        # a drawing that cannot be made is reported after the derivatives: they stand
        try:
            write_graph(expr, values, args.graph, ext)
            res["graph"] = args.graph
        except OSError as err:
            failure = f"cannot write {args.graph}: {err.strerror or err}"
        except Unavailable as err:
            failure = str(err)
    if args.trace:
        res["trace"] = _recorded(expr, values)[0]
    if args.json:
        out = dict(res)
        out["f"] = _json_number(res["f"])
        out["partials"] = {n: {k: (_json_number(v) if k != "symbolic" else v)
                               for k, v in p.items()} for n, p in res["partials"].items()}
        if args.trace:
            out["trace"] = trace_rows(res["trace"])
        _write(sys.stdout, json.dumps(out, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        _write(sys.stdout, _report(expr, res))
    for warning in res["warnings"]:
        _write(sys.stderr, f"{PROG}: warning: {warning}")
    if failure is not None:
        _write(sys.stderr, f"{PROG}: error: {failure}")
        return 1
    return 0


def _report(expr, res):
    names = expr.variables
    point = ", ".join(f"{n}={fmt(res['point'][n])}" for n in names)
    lines = [f"f({point}) = {fmt(res['f'])}" if names else f"f = {fmt(res['f'])}"]
    if res["formula"] is not None and names:
        lines.append(f"f = {res['formula']}")
    if not names:
        lines.append("(no variables: nothing to differentiate)")
    else:
        rows = [[f"∂f/∂{n}", fmt(p["reverse"]), fmt(p["forward"]), fmt(p["finite_diff"]),
                 fmt_error(p["error"]), p["symbolic"] or "-"]
                for n, p in res["partials"].items()]
        lines += ["", table(rows, ["", "reverse", "forward", "finite diff", "|error|",
                                   "symbolic"])]
    if "source" in res:
        lines += ["", "the gradient compiled (wg.compile(wg.grad(f, argnums=all))):", "",
                  res["source"].rstrip("\n")]
    if "trace" in res:
        lines += ["", "the Wengert list (value: the forward primal trace; adjoint = ∂f/∂v: the "
                      "reverse adjoint trace):", "",
                  res["trace"].table()]
    if "graph" in res:
        lines += ["", f"graph written to {res['graph']}"]
    return "\n".join(lines)


# ---- wengert fd-error -------------------------------------------------------------------------

def fd_errors(expr, values, name, steps):
    """|forward difference − reverse| and |central difference − reverse| of ∂f/∂name at each
    step h in `steps`, and the reverse-mode derivative itself."""
    import wengert as wg
    names = expr.variables
    i = names.index(name)
    vals = [values[n] for n in names]
    with np.errstate(all="ignore"):
        xs = [wg.tensor(v, dtype=wg.float64, requires_grad=True) for v in vals]
        y = _as_tensor(expr.evaluate(dict(zip(names, xs))))
        if not math.isfinite(float(y.data)):
            raise UsageError(f"f = {fmt(float(y.data))} at this point (outside its domain)")
        (g,) = wg.autograd.grad(y, [xs[i]], allow_unused=True) if y.requires_grad else (None,)
    exact = 0.0 if g is None else float(g.data)
    if not math.isfinite(exact):
        raise UsageError(f"∂f/∂{name} = {fmt(exact)} at this point: nothing to compare "
                         f"finite differences against")

    def f(*v):
        return expr.evaluate(dict(zip(names, v)))

    scale = max(1.0, abs(vals[i]))        # numerical_grad's step is eps·max(1, |x|)
    out = {}
    with np.errstate(all="ignore"):
        for method in ("forward", "central"):
            out[method] = np.array([abs(wg.numerical_grad(f, *vals, argnums=i, eps=h / scale,
                                                          method=method) - exact)
                                    for h in steps])
    return exact, out


def cmd_fd_error(args):
    import wengert as wg
    ext = "." + args.out.rsplit(".", 1)[-1].lower() if "." in args.out else ""
    if ext not in PLOT_FORMATS:
        raise UsageError(f"--out: cannot write {ext or 'a file without extension'} "
                         f"(use .png, .svg or .pdf)")
    expr = parse(args.expression)
    values = parse_assignments(args.values, expr)
    if not expr.variables:
        raise UsageError("the expression has no variables: nothing to differentiate")
    wrt = args.wrt or list(expr.variables)
    for n in wrt:
        if n not in expr.variables:
            raise UsageError(f"--wrt {n}: {n} is not a variable of the expression (its "
                             f"variables: {', '.join(expr.variables)})")
    wrt = list(dict.fromkeys(wrt))
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise Unavailable("fd-error needs matplotlib: pip install 'wengert[plot]'") from None

    steps = 10.0 ** np.arange(-16, 0.01, 0.25)
    eps = np.finfo(np.float64).eps
    fig = Figure(figsize=(7.5, 5), layout="constrained")
    ax = fig.add_subplot()
    colors = ["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"]
    lines = []
    for k, n in enumerate(wrt):
        exact, err = fd_errors(expr, values, n, steps)
        scale = max(1.0, abs(values[n]))
        label = f" ∂f/∂{n}" if len(wrt) > 1 else ""
        c_fwd, c_cen = colors[(2 * k) % 10], colors[(2 * k + 1) % 10]
        # an error of exactly 0 has no place on a log axis: left out (a gap in the curve)
        ax.loglog(steps, np.where(err["forward"] > 0, err["forward"], np.nan), "o-", ms=2.5,
                  color=c_fwd, label=f"forward (f(x+h) − f(x))/h{label}")
        ax.loglog(steps, np.where(err["central"] > 0, err["central"], np.nan), "s-", ms=2.5,
                  color=c_cen, label=f"central (f(x+h) − f(x−h))/2h{label}")
        h_c = wg.checking.default_eps(np.float64, "central") * scale
        h_f = wg.checking.default_eps(np.float64, "forward") * scale
        _, at = fd_errors(expr, values, n, np.array([h_f, h_c]))
        for h, e, c, how in ((h_f, at["forward"][0], c_fwd, "forward: ε^(1/2)"),
                             (h_c, at["central"][1], c_cen, "central: ε^(1/3)")):
            ax.axvline(h, color=c, ls=":", lw=1)
            ax.plot([h], [e if e > 0 else np.nan], "*", ms=13, color=c, mec="black",
                    label=f"numerical_grad's step, {how}·max(1,|{n}|)")
        lines.append((n, exact, steps, err, h_f, at["forward"][0], h_c, at["central"][1]))
    ax.set_xlabel("step h")
    ax.set_ylabel("|finite difference − reverse mode|")
    pt = ", ".join(f"{n}={fmt(values[n])}" for n in expr.variables)
    ax.set_title(f"f = {expr.text} at {pt}\nfinite differences against reverse mode "
                 f"(ε = {eps:.1e}; an error of exactly 0 is not drawn)", fontsize=9)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    try:
        fig.savefig(args.out, dpi=110)
    except OSError as err:
        raise Unavailable(f"cannot write {args.out}: {err.strerror or err}") from None

    for n, exact, st, err_st, h_f, e_f, h_c, e_c in lines:
        rows = []
        for method, h, e in (("forward", h_f, e_f), ("central", h_c, e_c)):
            errs = err_st[method]
            j = int(np.nanargmin(errs))
            rows.append([method, f"{st[j]:.1e}", fmt_error(errs[j]), f"{h:.1e}", fmt_error(e)])
        _write(sys.stdout, f"∂f/∂{n} = {fmt(exact)} (reverse mode)")
        _write(sys.stdout, table(rows, ["differences", "best h", "its error",
                                        "numerical_grad's h", "its error"]))
        _write(sys.stdout, "")
    _write(sys.stdout, f"plot written to {args.out}")
    return 0


# ---- wengert demo -----------------------------------------------------------------------------

def cmd_demo(args):
    return run_demo(args.args)


def run_demo(argv):
    import importlib
    try:
        demo = importlib.import_module("wengert.demo")
    except ModuleNotFoundError as err:
        if err.name == "wengert.demo":
            raise Unavailable("wengert demo is not available in this installation") from None
        raise Unavailable(f"wengert demo needs {err.name}: {err}") from None
    code = demo.main(list(argv))
    return 0 if code is None else int(code)


# ---- the parser -------------------------------------------------------------------------------

def build_parser():
    p = _Parser(prog=PROG, description="wengert: automatic differentiation for NumPy code, "
                "shown at work.",
                epilog="Exit status: 0 success, 1 a needed extra/tool is missing or a file "
                "cannot be written, 2 bad input.")
    from wengert import __version__
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}",
                   help="print wengert's version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    fns = ", ".join(sorted(FUNCTIONS))
    expr_help = ("an expression in the variables: numbers, + - * / ** (and unary -), the "
                 "constants pi and e, and the functions " + fns)
    g = sub.add_parser(
        "grad", help="f and every partial derivative, four ways",
        description="Print f and each partial derivative by reverse mode, forward mode (dual "
        "numbers), central finite differences (with the error against reverse mode) and "
        "symbolically (SymPy).",
        epilog="Example: wengert grad 'x**2*y + y + 2' x=3 y=4.  An expression starting with "
        "'-' goes after --: wengert grad -- '-x**2' x=1")
    g.add_argument("expression", help=expr_help)
    g.add_argument("values", nargs="*", metavar="name=value",
                   help="the point: one finite number for each variable")
    g.add_argument("--json", action="store_true", help="print a JSON object instead of a table")
    g.add_argument("--graph", metavar="FILE", help="also draw the graph with each node's value "
                   "and gradient: FILE.svg, FILE.png, FILE.pdf (need Graphviz's dot) or FILE.html "
                   "(a page that steps through the forward and backward passes)")
    g.add_argument("--trace", action="store_true",
                   help="also print the Wengert list: each input and op application with its "
                   "inputs, value and adjoint (the forward primal trace and the reverse "
                   "adjoint trace)")
    g.add_argument("--source", action="store_true",
                   help="also print the Python program that wg.compile generates for the "
                   "gradient (needs wg.compile)")
    g.add_argument("--no-symbolic", action="store_true",
                   help="skip the SymPy formulas (SymPy takes long on long expressions)")
    g.add_argument("--simplify-seconds", type=float, metavar="S", default=None,
                   help=f"stop SymPy's simplification after S seconds and print the formulas "
                        f"as built (default {SIMPLIFY_SECONDS:g}, or ${SIMPLIFY_ENV})")
    g.set_defaults(run=cmd_grad)

    e = sub.add_parser(
        "fd-error", help="plot finite-difference error against the step size",
        description="Plot |finite difference − reverse mode| against the step h on log-log "
        "axes for forward and central differences: truncation error falls as h shrinks until "
        "rounding error takes over. Stars mark the steps numerical_grad chooses.",
        epilog="Example: wengert fd-error 'sin(x)*exp(x)' x=1 --out eps.png")
    e.add_argument("expression", help=expr_help)
    e.add_argument("values", nargs="*", metavar="name=value", help="the point")
    e.add_argument("--out", required=True, metavar="FILE", help="the plot: FILE.png, .svg or .pdf")
    e.add_argument("--wrt", action="append", metavar="NAME",
                   help="the variable to differentiate by (repeatable; default: all)")
    e.set_defaults(run=cmd_fd_error)

    d = sub.add_parser("demo", help="walk through the tutorials' examples", add_help=False)
    d.add_argument("args", nargs=argparse.REMAINDER, help="passed to the demo")
    d.set_defaults(run=cmd_demo)
    return p


def main(argv=None):
    """Run the command line; returns the exit status (0 ok, 1 unavailable, 2 bad input)."""
    if argv is None:
        argv = sys.argv[1:]
    argv = list(argv)
    parser = build_parser()
    try:
        if argv[:1] == ["demo"]:        # the demo parses its own options (argparse's
            return run_demo(argv[1:])   # REMAINDER would take them for wengert's)
        args = parser.parse_args(argv)
        return args.run(args)
    except SystemExit as stop:          # --help and argparse's own exits
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except (UsageError, ExprError) as err:
        _write(sys.stderr, f"{PROG}: error: {err}")
        return 2
    except Unavailable as err:
        _write(sys.stderr, f"{PROG}: error: {err}")
        return 1
