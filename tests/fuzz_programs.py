"""Random straight-line NumPy programs, run on ndarrays (the reference) and through wengert.

`generate(seed)` writes a program as Python source:

    def prog(a, b):
        v0 = np.tanh(a)
        v1 = v0[1:]              # a view of v0
        v1 += b                  # writes through into v0 (NumPy's semantics)
        ...
        return <scalar>, (v0, ...)

over a few float64 inputs, mixing elementwise ops, broadcasting, basic and fancy indexing,
views (slices, .T, reshape, ravel, [::-1]) and in-place updates through them, buffers filled
by rows, lists (stack, concatenate), reductions, matmuls, and ndarray constants changed after
use. `W` names the array library: NumPy for the reference, wengert for the run under test
(`W.zeros`, `W.stack`); everything else is `np.*`, so the same text runs both ways. Constants
(`K0`, `M0`, …) are ndarrays drawn from the seed.

`check(seed)` runs one program: the values must equal NumPy's, and the gradient of the scalar
must equal central finite differences of the NumPy program — or wengert raises a clear error
(TypeError, ValueError or RuntimeError with a message). It returns an Outcome; a wrong number
is outcome "wrong". Programs whose finite differences are unstable (a kink within reach of ε)
are "skipped".
"""
from dataclasses import dataclass

import numpy as np

import wengert as wg
from tests.numcheck import central_diff, mismatch

INPUT_SHAPES = [(3, 4), (4,), (3,), (3, 1), (2, 3)]
UNARY = ["np.tanh({0})", "np.sin({0})", "np.cos({0})", "np.arctan({0})", "{0} * {0}",
         "np.exp(0.3 * {0})", "{0} / (1.0 + {0} * {0})", "np.sqrt(1.0 + {0} * {0})",
         "np.log1p({0} * {0})", "-{0}", "0.5 * {0}"]
CLEAR_ERRORS = (TypeError, ValueError, RuntimeError)


@dataclass
class Var:
    name: str
    shape: tuple
    kind: str          # "input", "readonly" (may alias an input), "owned", "view", "scalar"

    @property
    def mutable(self):
        return self.kind in ("owned", "view")


def _broadcasts_to(src, dst):
    try:
        return np.broadcast_shapes(src, dst) == tuple(dst)
    except ValueError:
        return False


def _broadcastable(s, t):
    try:
        np.broadcast_shapes(s, t)
        return True
    except ValueError:
        return False


class _Gen:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.lines, self.vars, self.consts = [], [], {}
        self.mutable_consts = []        # ndarray constants (copies) used by the program
        self.n = 0

    # -- helpers ----------------------------------------------------------------------------
    def new(self, shape, kind, expr):
        name = f"v{self.n}"
        self.n += 1
        if len(shape) == 0:
            kind = "scalar"
        self.vars.append(Var(name, tuple(shape), kind))
        self.lines.append(f"{name} = {expr}")
        return self.vars[-1]

    def const(self, shape, prefix="K", lo=-1.0, hi=1.0):
        name = f"{prefix}{len(self.consts)}"
        self.consts[name] = self.rng.uniform(lo, hi, size=shape)
        return name

    def pick(self, pred=lambda v: True):
        vs = [v for v in self.vars if pred(v)]
        return vs[self.rng.integers(len(vs))] if vs else None

    def derived_kind(self, v):
        """The kind of a view of v: writable only if v itself is the program's own."""
        return "view" if v.mutable else "readonly"

    # -- statements -------------------------------------------------------------------------
    def unary(self):
        x = self.pick()
        f = UNARY[self.rng.integers(len(UNARY))]
        return self.new(x.shape, "owned", f.format(x.name))

    def binary(self):
        x = self.pick()
        y = self.pick(lambda v: _broadcastable(v.shape, x.shape))
        op = ["+", "-", "*"][self.rng.integers(3)]
        return self.new(np.broadcast_shapes(x.shape, y.shape), "owned", f"{x.name} {op} {y.name}")

    def with_const(self):
        x = self.pick(lambda v: len(v.shape) > 0)
        if x is None:
            return None
        shape = x.shape[self.rng.integers(len(x.shape) + 1):]     # a suffix: broadcasts
        k = self.const(shape)
        if self.rng.random() < 0.4:
            # an ndarray operand the program changes afterwards: its use must be by value
            m = f"m{k}"
            self.lines.append(f"{m} = {k}.copy()")
            self.mutable_consts.append(m)
            k = m
        form = ["{x} * {k}", "{k} + {x}", "{x} - 2.0 * {k}", "np.maximum({x}, {k} * 3.0)"]
        return self.new(x.shape, "owned", form[self.rng.integers(4)].format(x=x.name, k=k))

    def mutate_const(self):
        if not self.mutable_consts:
            return None
        m = self.mutable_consts[self.rng.integers(len(self.mutable_consts))]
        self.lines.append([f"{m} += 0.75", f"{m} *= -2.0", f"{m}[...] = 0.5"][self.rng.integers(3)])

    def reduction(self):
        x = self.pick(lambda v: len(v.shape) > 0)
        if x is None:
            return None
        kind = ["sum", "mean", "max", "prod", "min"][self.rng.integers(5)]
        axis = None if self.rng.random() < 0.3 else int(self.rng.integers(len(x.shape)))
        keep = bool(self.rng.random() < 0.3) and axis is not None
        arg = x.name
        if kind in ("max", "min"):      # distinct values by construction: no ties
            arg = f"{x.name} + {self.const(x.shape, lo=-3, hi=3)}"
        elif kind == "prod":
            arg = f"np.tanh({x.name}) + 1.5"
        call = f"np.{kind}({arg}" + ("" if axis is None else f", axis={axis}") + \
            (", keepdims=True" if keep else "") + ")"
        if axis is None:
            shape = ()
        elif keep:
            shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
        else:
            shape = x.shape[:axis] + x.shape[axis + 1:]
        return self.new(shape, "owned", call)

    def matmul(self):
        pairs = [(x, y) for x in self.vars for y in self.vars
                 if 1 <= len(x.shape) <= 2 and 1 <= len(y.shape) <= 2
                 and x.shape[-1] == y.shape[0]]
        if not pairs:
            x = self.pick(lambda v: len(v.shape) == 2)
            if x is None:
                return None
            return self.new((x.shape[0], x.shape[0]), "owned", f"{x.name} @ {x.name}.T")
        x, y = pairs[self.rng.integers(len(pairs))]
        shape = x.shape[:-1] + y.shape[1:]
        return self.new(shape, "owned", f"{x.name} @ {y.name}")

    def view(self):
        x = self.pick(lambda v: len(v.shape) > 0)
        if x is None:
            return None
        s = x.shape
        options = [(f"{x.name}[1:]", (s[0] - 1,) + s[1:]) if s[0] > 1 else None,
                   (f"{x.name}[::-1]", s),
                   (f"{x.name}[::2]", ((s[0] + 1) // 2,) + s[1:]),
                   (f"{x.name}.T", s[::-1]) if len(s) == 2 else None,
                   (f"{x.name}[:, 1:]", (s[0], s[1] - 1)) if len(s) == 2 and s[1] > 1 else None,
                   (f"{x.name}[1]", s[1:]) if len(s) == 2 and s[0] > 1 else None,
                   (f"{x.name}.ravel()", (int(np.prod(s)),)) if len(s) == 2 else None,
                   (f"{x.name}.reshape(-1, 2)", (int(np.prod(s)) // 2, 2)) if np.prod(s) % 2 == 0 else None,
                   (f"{x.name}.reshape({s[-1]}, -1)", (s[-1], int(np.prod(s)) // s[-1]))]
        options = [o for o in options if o is not None]
        expr, shape = options[self.rng.integers(len(options))]
        return self.new(shape, self.derived_kind(x), expr)

    def inplace(self):
        t = self.pick(lambda v: v.mutable and len(v.shape) > 0)
        if t is None:
            return None
        r = self.rng.random()
        y = self.pick(lambda v: _broadcasts_to(v.shape, t.shape))
        if r < 0.45:
            op = ["+=", "-=", "*="][self.rng.integers(3)]
            rhs = y.name if y is not None and self.rng.random() < 0.8 else "0.5"
            if op == "*=" and rhs != "0.5":
                rhs = f"np.tanh({rhs})"
            self.lines.append(f"{t.name} {op} {rhs}")
        elif r < 0.7 and y is not None:
            self.lines.append(f"{t.name}[...] = {y.name}")
        else:
            s = t.shape
            idx = f"{self.rng.integers(s[0])}" if len(s) == 1 or self.rng.random() < 0.5 \
                else f":, {self.rng.integers(s[1])}"
            sub = s[1:] if ":" not in idx else s[:1] + s[2:]      # the shape of t[idx]
            y = self.pick(lambda v: _broadcasts_to(v.shape, sub))
            rhs = "1.25" if y is None else f"np.sin({y.name})"
            op = ["=", "+="][self.rng.integers(2)]
            self.lines.append(f"{t.name}[{idx}] {op} {rhs}")

    def fancy(self):
        x = self.pick(lambda v: len(v.shape) > 0)
        if x is None:
            return None
        s = x.shape
        r = self.rng.random()
        if r < 0.4:
            idx = self.rng.integers(s[0], size=3).tolist()
            return self.new((3,) + s[1:], "owned", f"{x.name}[{idx}]")
        if r < 0.6 and len(s) == 2:
            idx = self.rng.integers(s[1], size=2).tolist()
            return self.new((s[0], 2), "owned", f"{x.name}[:, {idx}]")
        name = f"M{len(self.consts)}"
        mask = self.rng.random(s) < 0.5
        mask.flat[self.rng.integers(mask.size)] = True
        self.consts[name] = mask
        return self.new((int(mask.sum()),), "owned", f"{x.name}[{name}]")

    def fancy_inplace(self):
        t = self.pick(lambda v: v.mutable and len(v.shape) > 0 and v.shape[0] >= 2)
        if t is None:
            return None
        idx = self.rng.choice(t.shape[0], size=2, replace=False).tolist()
        y = self.pick(lambda v: _broadcasts_to(v.shape, (2,) + t.shape[1:]))
        rhs = "0.5" if y is None else y.name
        self.lines.append(f"{t.name}[{idx}] {['+=', '=', '*='][self.rng.integers(3)]} {rhs}")

    def buffer(self):
        rows = int(self.rng.integers(2, 4))
        row = self.pick(lambda v: len(v.shape) <= 1)
        if row is None:
            return None
        shape = (rows,) + row.shape
        buf = self.new(shape, "owned", f"W.zeros({shape})")
        for i in range(rows):
            src = self.pick(lambda v: _broadcasts_to(v.shape, row.shape))
            self.lines.append(f"{buf.name}[{i}] = {UNARY[self.rng.integers(4)].format(src.name)}")
        return buf

    def lists(self):
        x = self.pick(lambda v: len(v.shape) > 0)
        if x is None:
            return None
        same = [v for v in self.vars if v.shape == x.shape]
        y = same[self.rng.integers(len(same))]
        if self.rng.random() < 0.5:
            return self.new((2,) + x.shape, "owned", f"W.stack([{x.name}, {y.name}])")
        tail = [v for v in self.vars if len(v.shape) == len(x.shape) and v.shape[1:] == x.shape[1:]]
        y = tail[self.rng.integers(len(tail))]
        return self.new((x.shape[0] + y.shape[0],) + x.shape[1:], "owned",
                        f"np.concatenate([{x.name}, {y.name}])")

    def copy(self):
        x = self.pick()
        return self.new(x.shape, "owned", f"{x.name}.copy()" if x.shape else f"{x.name} * 1.0")

    STATEMENTS = [("unary", 14), ("binary", 14), ("with_const", 8), ("mutate_const", 4),
                  ("reduction", 8), ("matmul", 5), ("view", 12), ("inplace", 14), ("fancy", 5),
                  ("fancy_inplace", 4), ("buffer", 3), ("lists", 4), ("copy", 3)]

    def program(self):
        k = int(self.rng.integers(1, 4))
        names = "abc"[:k]
        shapes = [INPUT_SHAPES[i] for i in self.rng.integers(len(INPUT_SHAPES), size=k)]
        for name, s in zip(names, shapes):
            self.vars.append(Var(name, s, "input"))
        kinds = [s for s, _ in self.STATEMENTS]
        p = np.array([w for _, w in self.STATEMENTS], dtype=float)
        for _ in range(int(self.rng.integers(5, 14))):
            getattr(self, kinds[self.rng.choice(len(kinds), p=p / p.sum())])()
        made = [v for v in self.vars if v.kind != "input"]
        terms = [f"np.sum({v.name} * {self.const(v.shape, 'T')})" for v in made] or ["0.0"]
        last = self.vars[-1].name
        terms.append(f"np.sum(np.sin({last}) ** 2)")
        body = self.lines + [f"out = {' + '.join(terms)}",
                             f"return out, ({', '.join(v.name for v in made)}{',' if made else ''})"]
        src = f"def prog({', '.join(names)}):\n" + "".join(f"    {ln}\n" for ln in body)
        return src, shapes


@dataclass
class Program:
    seed: int
    source: str
    shapes: list
    consts: dict

    def function(self, lib):
        ns = {"np": np, "W": lib, **{k: v.copy() for k, v in self.consts.items()}}
        exec(compile(self.source, f"<fuzz program {self.seed}>", "exec"), ns)
        return ns["prog"]

    def inputs(self):
        rng = np.random.default_rng(10_000 + self.seed)
        return [rng.uniform(-1.5, 1.5, size=s) for s in self.shapes]

    def describe(self):
        return (f"fuzz program, seed {self.seed} (rerun: python -c 'from tests.fuzz_programs "
                f"import check; print(check({self.seed}))'); W is numpy for the reference and "
                f"wengert under test; constants K*/M*/T* from the seed:\n{self.source}")


def generate(seed):
    g = _Gen(seed)
    src, shapes = g.program()
    return Program(seed, src, shapes, g.consts)


@dataclass
class Outcome:
    status: str            # "ok", "raises", "wrong", "skipped"
    text: str = ""

    def __str__(self):
        return f"{self.status}: {self.text}"


def _value(v):
    return v.detach().numpy() if isinstance(v, wg.Tensor) else np.asarray(v, dtype=np.float64)


def check(seed, transform=None):
    """Run program `seed` both ways and judge it (see the module docstring)."""
    prog = generate(seed)
    ref_f = prog.function(np)
    args = prog.inputs()
    ref_out, ref_vals = ref_f(*[a.copy() for a in args])

    def scalar(*xs):
        return ref_f(*xs)[0]
    if not np.isfinite(ref_out) or abs(ref_out) > 1e8:
        return Outcome("skipped", "values too large")
    fd = [central_diff(scalar, args, i) for i in range(len(args))]
    fd_wide = [central_diff(scalar, args, i, eps=1e-5) for i in range(len(args))]
    scale = max([1.0, abs(float(ref_out))] + [float(np.max(np.abs(g))) for g in fd])
    for g, h in zip(fd, fd_wide):
        if mismatch(g, h, 1e-5, 1e-6 * scale, "fd") is not None:
            return Outcome("skipped", "finite differences unstable (a kink nearby)")
    f = prog.function(wg)
    transform = seed % 2 == 1 if transform is None else transform
    problems = []
    try:
        if transform:
            (out, vals), grads = wg.value_and_grad(f, argnums=tuple(range(len(args))),
                                                   has_aux=True)(*[a.copy() for a in args])
        else:
            ts = [wg.tensor(a, requires_grad=True) for a in args]
            out, vals = f(*ts)
            if not (isinstance(out, wg.Tensor) and out.requires_grad):
                return Outcome("wrong", "the output left the graph\n" + prog.describe())
            out.backward()
            grads = [np.zeros_like(a) if t.grad is None else t.grad.numpy() for a, t in zip(args, ts)]
    except CLEAR_ERRORS as e:
        if not str(e).strip():
            return Outcome("wrong", f"{type(e).__name__} without a message\n" + prog.describe())
        return Outcome("raises", f"{type(e).__name__}: {e}")
    except Exception as e:                                   # an unclear error fails too
        return Outcome("wrong", f"unexpected {type(e).__name__}: {e}\n" + prog.describe())
    for i, (got, want) in enumerate(zip(vals, ref_vals)):
        m = mismatch(_value(got), want, 1e-9, 1e-10 * scale, f"value of the {i}-th variable made")
        if m:
            problems.append(m)
    m = mismatch(_value(out), ref_out, 1e-9, 1e-10 * scale, "output")
    if m:
        problems.append(m)
    for i, (got, want) in enumerate(zip(grads, fd)):
        m = mismatch(_value(got), want, 1e-5, 1e-6 * scale, f"gradient of input {'abc'[i]}")
        if m:
            problems.append(m)
    if problems:
        style = "wg.value_and_grad" if transform else ".backward()"
        return Outcome("wrong", f"({style}) " + "\n".join(problems) + "\n" + prog.describe())
    return Outcome("ok")


def run_many(seeds):
    """{status: [(seed, outcome), …]} over the seeds."""
    out = {"ok": [], "raises": [], "wrong": [], "skipped": []}
    for s in seeds:
        o = check(s)
        out[o.status].append((s, o))
    return out
