"""wg.compile against the same arithmetic hand-written in NumPy (the targets of issue 14).

Each workload runs a compiled wengert program and its hand-written NumPy counterpart:

* mlp       — one float32 training step, batch 64, 784-256-256-10 (tanh and relu):
              `wg.compile(wg.value_and_grad(loss))` on the parameter dict, then SGD in place
              (`np.multiply(g, lr, out=buf); p -= buf`, buf a view of one scratch array), against mlp.py's hand-written step
              (forward, gradients written out, the same in-place SGD). Target ≤ 1.0×.
* rosen     — the gradient of the Rosenbrock function in 10⁴ variables, compiled
              (`wg.compile(wg.grad(rosen))`), against one evaluation of the function in
              NumPy. Target ≤ 2.5×. (The hand-written NumPy gradient is measured beside it.)
* hvp       — `wg.compile(lambda x, v: wg.hvp(rosen, x, v))` against the compiled
              gradient. Target ≤ 2×.
* 16-vector — a chain of mul, add, sin, tanh (overhead.py's) on 16-element float64 vectors,
  0-d         and on 0-d float64 arrays, differentiated with respect to x, w, b:
              `wg.compile(wg.grad(chain, argnums=(0, 1, 2)))` against overhead.py's
              hand-written forward and backward from a tape; per op of the chain. Targets:
              16-vector ≤ 1.3× per op, 0-d ≤ 1 µs per op.
* first     — CPU time of the first call of `wg.compile(wg.grad(chain))` on a 0-d chain
              whose program holds about 10⁴ ops (tracing, simplifying, generating, checking).
              Target ≤ 0.5 s.
* memory    — tracemalloc peak of one compiled MLP step (tanh) against the hand-written one.
              Target: no more.

Every measurement runs in a fresh process (BLAS single-threaded): warm-up calls, then
--inner timed calls, the median of them (CPU time of the process). The processes are
interleaved: each repeat runs every workload's pair side by side, in alternating order, and
the report gives medians over repeats, and ratios as medians of the per-repeat ratios. Before
timing, the compiled results are checked against the hand-written ones.

    python benchmarks/compile.py --repeats 5
    python benchmarks/compile.py --repeats 3 --workloads mlp rosen
    python benchmarks/compile.py --repeats 5 --tuned-malloc

This is a benchmark, not a test: nothing here asserts a speed.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"          # before NumPy is imported, here and in every child

import argparse
import gc
import json
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

from _fresh import cpu_name, reproduce_line, run_child

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
CHAIN = {"16-vector": ((16,), 1000), "0-d": ((), 1000)}
# as transforms.py's --tuned-malloc: freed memory kept, so temporaries of 10⁴ elements do not
# page-fault by the heap's incidental layout (README: "Why --tuned-malloc")
TUNED_MALLOC = {"MALLOC_TRIM_THRESHOLD_": str(64 << 20), "MALLOC_MMAP_THRESHOLD_": str(4 << 20)}
FIRST_CALL_OPS = 3100           # a 0-d chain of 3,100 ops: its gradient program is 10,075 ops


# ---- the workloads: each maker returns (compiled call, hand-written call, per) where per
# ---- divides the time (ops of a chain; 1 otherwise)

def _chain(wg, n, vector):
    def chain(x, w, b):
        h = x
        for i in range(n):
            k = i & 3
            if k == 0:
                h = h * w
            elif k == 1:
                h = h + b
            elif k == 2:
                h = wg.sin(h)
            else:
                h = wg.tanh(h)
        return h.sum() if vector else h
    return chain


def _rosen(x):
    a, b = x[:-1], x[1:]
    return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()


def _rosen_grad(x):
    a, b = x[:-1], x[1:]
    r, s = b - a * a, 1.0 - a
    out = np.zeros_like(x)
    out[:-1] = -400.0 * r * a - 2.0 * s
    out[1:] += 200.0 * r
    return out


def _mlp_loss(wg, act):
    import wengert.nn.functional as F
    f = wg.tanh if act == "tanh" else wg.relu

    def loss(p, x, y):
        h = x
        for i in range(3):
            h = h @ p[f"W{i}"].T + p[f"b{i}"]
            if i < 2:
                h = f(h)
        return F.cross_entropy(h, y)
    return loss


def make_mlp(act):
    import wengert as wg
    import mlp
    x, y, layers = mlp.problem("A")
    params = {}
    for i, (W, b) in enumerate(layers):
        params[f"W{i}"], params[f"b{i}"] = W.copy(), b.copy()
    step_fn = wg.compile(wg.value_and_grad(_mlp_loss(wg, act)))
    names = ("W0", "b0", "W1", "b1", "W2", "b2")
    # SGD in place, as the hand-written step: one scratch array, viewed per parameter
    scratch = np.empty(max(p.size for p in params.values()), np.float32)
    slots = [(k, params[k], scratch[:params[k].size].reshape(params[k].shape)) for k in names]

    def compiled():
        loss, grads = step_fn(params, x, y)
        for k, p, buf in slots:
            np.multiply(grads[k], mlp.LR, out=buf)
            p -= buf
        compiled.loss = float(loss)
    hand = mlp.numpy_impl("A", act)
    compiled.params = lambda: [params[k] for k in names]
    compiled.step_fn = step_fn
    return compiled, hand, 1


def make_rosen():
    import wengert as wg
    x = np.random.default_rng(0).uniform(-1.0, 1.0, 10_000)
    g = wg.compile(wg.grad(_rosen))
    return (lambda: g(x)), (lambda: _rosen(x)), 1


def make_rosen_hand():
    x = np.random.default_rng(0).uniform(-1.0, 1.0, 10_000)
    return (lambda: _rosen_grad(x)), (lambda: _rosen(x)), 1


def make_hvp():
    import wengert as wg
    rng = np.random.default_rng(0)
    x, v = rng.uniform(-1.0, 1.0, 10_000), rng.standard_normal(10_000)
    h = wg.compile(lambda x, v: wg.hvp(_rosen, x, v))
    g = wg.compile(wg.grad(_rosen))
    return (lambda: h(x, v)), (lambda: g(x)), 1


def make_chain(case):
    import wengert as wg
    import overhead
    shape, n = CHAIN[case]
    x, w, b = overhead.inputs(shape)
    g = wg.compile(wg.grad(_chain(wg, n, bool(shape)), argnums=(0, 1, 2)))
    run = overhead.numpy_impl(shape)
    return (lambda: g(x, w, b)), (lambda: run(n)), n


WORKLOADS = {
    "mlp tanh": lambda: make_mlp("tanh"),
    "mlp relu": lambda: make_mlp("relu"),
    "rosen": make_rosen,
    "rosen hand": make_rosen_hand,
    "hvp": make_hvp,
    "16-vector": lambda: make_chain("16-vector"),
    "0-d": lambda: make_chain("0-d"),
}
# (the name of the compiled side, the name of the reference side, the target ratio)
LABELS = {
    "mlp tanh": ("compiled step", "hand-written step", "≤ 1.0×"),
    "mlp relu": ("compiled step", "hand-written step", "≤ 1.0×"),
    "rosen": ("compiled grad", "NumPy f", "≤ 2.5×"),
    "rosen hand": ("hand-written grad", "NumPy f", "(reference)"),
    "hvp": ("compiled hvp", "compiled grad", "≤ 2×"),
    "16-vector": ("compiled, per op", "hand-written, per op", "≤ 1.3×"),
    "0-d": ("compiled, per op", "hand-written, per op", "≤ 1 µs/op"),
}
GROUPS = {"mlp": ("mlp tanh", "mlp relu"), "rosen": ("rosen", "rosen hand"), "hvp": ("hvp",),
          "chains": ("16-vector", "0-d"), "first": ("first",), "memory": ("memory",)}


# ---- child: one measurement in a fresh process --------------------------------------------

def _median_time(f, inner):
    for _ in range(3):
        f()                             # warm-up: the first call traces, caches, allocator
    gc.collect()
    ts = []
    for _ in range(inner):
        t0 = time.process_time()
        f()
        ts.append(time.process_time() - t0)
    return statistics.median(ts)


def child(workload, side, inner):
    if workload == "first":
        import wengert as wg
        x, w, b = (np.asarray(v) for v in (0.3, 0.7, 0.05))
        g = wg.compile(wg.grad(_chain(wg, FIRST_CALL_OPS, False), argnums=(0, 1, 2)))
        t0 = time.process_time()
        g(x, w, b)
        t = time.process_time() - t0
        n_ops = g.source(x, w, b).split("\ndef ", 1)[1].count("\n    ") - 1
        print(json.dumps({"t": t, "ops": n_ops}))
        return
    if workload == "memory":
        comp, hand, _ = make_mlp("tanh")
        step = comp if side == "compiled" else (lambda: hand())
        for _ in range(3):
            step()
        # what a step keeps for itself between steps counts in its peak: the measured
        # step allocates it again (the compiled program's scratch arrays, compile/plan.py;
        # the hand-written step's list of gradients, which it overwrites slot by slot)
        if side == "compiled":
            for progs in comp.step_fn.cache.values():
                for prog in progs:
                    prog.fn.__globals__["_pool"].clear()
        else:
            hand.drop_held()
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step()
        peak = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
        print(json.dumps({"t": peak}))
        return
    comp, hand, per = WORKLOADS[workload]()
    f = comp if side == "compiled" else hand
    print(json.dumps({"t": _median_time(f, inner) / per}))


# ---- parent: check, schedule, summarise ---------------------------------------------------

def verify():
    """The compiled programs compute what the hand-written NumPy computes."""
    import wengert as wg
    import mlp
    import overhead
    comp, hand, _ = make_mlp("tanh")
    comp()
    hand()
    if not np.isclose(float(comp.loss), hand.loss, rtol=1e-5):
        sys.exit(f"compiled MLP loss {comp.loss} differs from hand-written {hand.loss}")
    for a, e in zip(comp.params(), hand.params()):
        if not np.allclose(a, e, rtol=1e-4, atol=1e-6):
            sys.exit("compiled MLP step updates the weights differently from the hand-written one")
    x = np.random.default_rng(0).uniform(-1.0, 1.0, 10_000)
    if not np.allclose(wg.compile(wg.grad(_rosen))(x), _rosen_grad(x), rtol=1e-12, atol=1e-12):
        sys.exit("compiled Rosenbrock gradient differs from the hand-written one")
    for case, (shape, _) in CHAIN.items():
        n = 64
        xs = overhead.inputs(shape)
        got = wg.compile(wg.grad(_chain(wg, n, bool(shape)), argnums=(0, 1, 2)))(*xs)
        run = overhead.numpy_impl(shape)
        run(n)
        for a, e in zip(got, run.grads):
            if not np.allclose(a, e, rtol=1e-10, atol=1e-12):
                sys.exit(f"compiled {case} chain gradient differs from the hand-written one")
    del mlp


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh processes per measurement")
    p.add_argument("--inner", type=int, default=50, help="timed calls per process (median)")
    p.add_argument("--path", default=CHECKOUT,
                   help="directory holding the wengert package to measure (default: this checkout)")
    p.add_argument("--workloads", nargs="+", choices=GROUPS, default=list(GROUPS))
    p.add_argument("--tuned-malloc", action="store_true",
                   help="run the children with glibc's allocator keeping freed memory "
                        "(README: 'Why --tuned-malloc')")
    p.add_argument("--child", nargs=2, metavar=("WORKLOAD", "SIDE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sys.path.insert(0, HERE)
    if args.child:
        sys.path.insert(0, args.path)
        return child(*args.child, args.inner)

    path = os.path.abspath(args.path)
    if args.tuned_malloc:
        os.environ.update(TUNED_MALLOC)     # (inherited by every child)
    sys.path.insert(0, path)
    import wengert
    print(f"wengert from {os.path.dirname(wengert.__file__)}")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}; {cpu_name()}, "
          f"{os.cpu_count()} CPUs; single-threaded BLAS")
    verify()

    names = [w for g in args.workloads for w in GROUPS[g]]
    res = {(w, s): [] for w in names for s in ("compiled", "hand")}
    for r in range(args.repeats):
        for w in names:
            sides = ("compiled", "hand") if r % 2 == 0 else ("hand", "compiled")
            if w == "first":
                sides = ("compiled",)
            for s in sides:
                res[w, s].append(run_child(__file__, path, [w, s, "--inner", str(args.inner)],
                                           f"{w} {s}"))
        if sys.stderr.isatty():
            print(f"\rrepeat {r + 1}/{args.repeats}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    def med(w, s):
        return statistics.median(m["t"] for m in res[w, s])

    def ratio(w):
        return statistics.median(a["t"] / b["t"] for a, b in zip(res[w, "compiled"], res[w, "hand"]))

    print(f"\nCPU time, medians over {args.repeats} fresh processes of each process's median "
          f"of {args.inner} calls; ratio: median of the per-repeat ratios")
    print(f"{'workload':<12}{'measured':<20}{'time':>11}  {'against':<22}{'time':>11}"
          f"{'ratio':>8}  target")
    for w in names:
        if w == "first":
            t = med(w, "compiled")
            ops = res[w, "compiled"][0]["ops"]
            print(f"{'first call':<12}{f'{ops:,}-op program':<20}{t * 1e3:9.1f}ms  "
                  f"(CPU time){'':<32}  ≤ 0.5 s")
            continue
        if w == "memory":
            a, b = med(w, "compiled"), med(w, "hand")
            print(f"{'peak memory':<12}{'compiled MLP step':<20}{a / 2**20:8.2f}MiB  "
                  f"{'hand-written step':<22}{b / 2**20:8.2f}MiB{a / b:7.2f}×  ≤ 1.0×")
            continue
        c, h, target = LABELS[w]
        a, b = med(w, "compiled"), med(w, "hand")
        unit, scale = ("µs", 1e6) if a < 1e-3 else ("ms", 1e3)
        print(f"{w:<12}{c:<20}{a * scale:9.2f}{unit}  {h:<22}{b * scale:9.2f}{unit}"
              f"{ratio(w):7.2f}×  {target}")
    print(reproduce_line(__file__, argv))


if __name__ == "__main__":
    main()
