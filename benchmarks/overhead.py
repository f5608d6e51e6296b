"""Per-op overhead of recording and differentiating: wengert against the hand-written floor.

A chain of ops (mul, add, sin, tanh, repeating; values stay in about [-1.1, 1.1]) is run
forward, then differentiated with respect to its three inputs x, w, b:

    h = x;  h = h·w;  h = h + b;  h = sin(h);  h = tanh(h);  h = h·w;  …

on 0-d float64 tensors (20,000 ops) and on 16-element float64 vectors (5,000 ops; the
vector result is summed, one more op for everyone). It compares

* numpy   — hand-written NumPy: the same arithmetic, its gradients written out by hand and
            run from a tape. No autodiff system can do less work: this is the floor.
* wengert — the library as a user writes it (operators, wg.sin, .backward()).
* torch   — PyTorch eager on CPU, when it is installed (skipped otherwise).

Every measurement runs in a fresh process (one warm-up chain, then the fastest of five timed
chains), the processes are interleaved across implementations and repeats, and the report
gives medians over processes (with the spread) in µs per op, for forward, backward, freeing
the graph, and their total. Times are the process's CPU time by default (time.process_time,
which other load on the machine disturbs less than elapsed time); `--clock wall` uses
time.perf_counter. The ratios are medians of per-repeat ratios between processes run side by
side, so a machine whose speed drifts still compares like with like.
BLAS and PyTorch run single-threaded so the numbers measure Python overhead, not threads.

    python benchmarks/overhead.py                  # the checkout's wengert, 9 repeats
    python benchmarks/overhead.py --repeats 3      # quicker, noisier
    python benchmarks/overhead.py --path /tmp/wg   # another copy of the package

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

import numpy as np

from _fresh import cpu_name, reproduce_line, run_child

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(HERE)
CASES = {"0-d": ((), 20_000), "16-vector": ((16,), 5_000)}
IMPLS = ("numpy", "wengert", "torch")
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def inputs(shape, seed=0):
    """x in [-1, 1], w in [0.5, 1], b in [-0.1, 0.1], as float64 arrays of `shape`."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1.0, 1.0, shape), rng.uniform(0.5, 1.0, shape),
            rng.uniform(-0.1, 0.1, shape))


# ---- the three implementations: each returns run(n) -> (forward, backward, free) seconds,
# ---- and leaves the gradients (dx, dw, db) as ndarrays in run.grads

def numpy_impl(shape):
    x0, w, b = inputs(shape)
    vector = bool(shape)

    def run(n):
        t0 = clock()
        tape = []                                 # what each op's derivative needs
        h = x0
        for i in range(n):
            k = i & 3
            if k == 0:
                tape.append(h)
                h = h * w
            elif k == 1:
                h = h + b
            elif k == 2:
                tape.append(h)
                h = np.sin(h)
            else:
                h = np.tanh(h)
                tape.append(h)
        s = h.sum() if vector else h
        t1 = clock()
        g = np.ones_like(h)                       # d s / d h
        gw = gb = 0.0
        for i in range(n - 1, -1, -1):
            k = i & 3
            if k == 3:
                y = tape.pop()
                g = g * (1 - y * y)               # tanh′ = 1 − y²
            elif k == 2:
                g = g * np.cos(tape.pop())        # sin′ = cos
            elif k == 1:
                gb = gb + g                       # ∂(h + b)/∂b = 1
            else:
                gw = gw + g * tape.pop()          # ∂(h·w)/∂w = h
                g = g * w                         # ∂(h·w)/∂h = w
        t2 = clock()
        del tape, s
        t3 = clock()
        run.grads = tuple(np.asarray(v, dtype=np.float64) for v in (g, gw, gb))
        return t1 - t0, t2 - t1, t3 - t2
    return run


def wengert_impl(shape):
    import wengert as wg
    x0, w0, b0 = inputs(shape)
    vector = bool(shape)

    def run(n):
        x = wg.tensor(x0, requires_grad=True)
        w = wg.tensor(w0, requires_grad=True)
        b = wg.tensor(b0, requires_grad=True)
        sin, tanh = wg.sin, wg.tanh
        t0 = clock()
        h = x
        for i in range(n):
            k = i & 3
            if k == 0:
                h = h * w
            elif k == 1:
                h = h + b
            elif k == 2:
                h = sin(h)
            else:
                h = tanh(h)
        s = h.sum() if vector else h
        t1 = clock()
        s.backward()
        t2 = clock()
        del h, s                                  # the graph goes with its last reference
        t3 = clock()
        run.grads = tuple(t.grad.numpy() for t in (x, w, b))
        return t1 - t0, t2 - t1, t3 - t2
    return run


def torch_impl(shape):
    import torch
    torch.set_num_threads(1)
    x0, w0, b0 = inputs(shape)
    vector = bool(shape)

    def run(n):
        x, w, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x0, w0, b0))
        sin, tanh = torch.sin, torch.tanh
        t0 = clock()
        h = x
        for i in range(n):
            k = i & 3
            if k == 0:
                h = h * w
            elif k == 1:
                h = h + b
            elif k == 2:
                h = sin(h)
            else:
                h = tanh(h)
        s = h.sum() if vector else h
        t1 = clock()
        s.backward()
        t2 = clock()
        del h, s
        t3 = clock()
        run.grads = tuple(t.grad.numpy() for t in (x, w, b))
        return t1 - t0, t2 - t1, t3 - t2
    return run


MAKERS = {"numpy": numpy_impl, "wengert": wengert_impl, "torch": torch_impl}


def have_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ---- child: one measurement in a fresh process --------------------------------------------

def child(impl, case, inner, which):
    global clock
    clock = CLOCKS[which]
    shape, n = CASES[case]
    run = MAKERS[impl](shape)
    run(n)                               # warm-up: imports, first-call caches, allocator
    best = None
    for _ in range(inner):               # the fastest of a few: a passing hiccup is not overhead
        gc.collect()
        t = run(n)
        if best is None or sum(t) < sum(best):
            best = t
    fwd, bwd, free = best
    print(json.dumps({"fwd": fwd / n, "bwd": bwd / n, "free": free / n}))


# ---- parent: check, schedule, summarise ---------------------------------------------------

def verify(impls, n=64):
    """All implementations agree on a short chain (the long ones underflow to 0 in dx)."""
    for case, (shape, _) in CASES.items():
        ref = MAKERS["numpy"](shape)
        ref(n)
        for impl in impls[1:]:
            run = MAKERS[impl](shape)
            run(n)
            for name, a, e in zip(("x", "w", "b"), run.grads, ref.grads):
                if not np.allclose(a, e, rtol=1e-10, atol=1e-12):
                    sys.exit(f"{impl} disagrees with the hand-written gradient d/d{name} "
                             f"({case}): {a} vs {e}")


def measure(impl, case, path, inner, which):
    return run_child(__file__, path, [impl, case, "--inner", str(inner), "--clock", which],
                     f"{impl} {case}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=9, help="fresh processes per measurement")
    p.add_argument("--inner", type=int, default=5,
                   help="timed chains per process, after one warm-up; the fastest counts")
    p.add_argument("--clock", choices=CLOCKS, default="cpu",
                   help="cpu: CPU time of the process, which a busy machine disturbs less "
                        "(default); wall: elapsed time")
    p.add_argument("--path", default=CHECKOUT,
                   help="directory holding the wengert package to measure (default: this checkout)")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    p.add_argument("--child", nargs=2, metavar=("IMPL", "CASE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(*args.child, args.inner, args.clock)

    path = os.path.abspath(args.path)
    sys.path.insert(0, path)
    import wengert
    impls = ["numpy", "wengert"] + (["torch"] if not args.no_torch and have_torch() else [])
    versions = f"Python {platform.python_version()}, NumPy {np.__version__}"
    if "torch" in impls:
        import torch
        versions += f", PyTorch {torch.__version__}"
    else:
        versions += ", PyTorch not measured" + (" (not installed)" if not args.no_torch else "")
    print(f"wengert from {os.path.dirname(wengert.__file__)}")
    print(f"{versions}; {cpu_name()}, {os.cpu_count()} CPUs; single-threaded BLAS/torch")
    verify(impls)

    results = {(i, c): [] for i in impls for c in CASES}
    for r in range(args.repeats):
        order = impls[r % len(impls):] + impls[:r % len(impls)]     # rotate: no fixed slot
        for case in CASES:
            for impl in order:
                results[impl, case].append(measure(impl, case, path, args.inner, args.clock))
        if sys.stderr.isatty():
            print(f"\rrepeat {r + 1}/{args.repeats}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    def total(m):
        return m["fwd"] + m["bwd"] + m["free"]

    def med(impl, case, key):
        vals = [total(m) if key == "total" else m[key] for m in results[impl, case]]
        return statistics.median(vals) * 1e6, min(vals) * 1e6, max(vals) * 1e6

    def ratio(a, b, case):
        # per repeat, between neighbouring processes: robust to the machine's speed drifting
        return statistics.median(total(x) / total(y)
                                 for x, y in zip(results[a, case], results[b, case]))

    print(f"\nµs per op ({args.clock} time), median of {args.repeats} fresh processes, each the "
          f"fastest of {args.inner} chains (spread of the total: min–max)")
    print(f"{'case':<22}{'impl':<9}{'forward':>9}{'backward':>10}{'free':>7}{'total':>8}   spread")
    for case, (shape, n) in CASES.items():
        for impl in impls:
            f, b, fr = (med(impl, case, k)[0] for k in ("fwd", "bwd", "free"))
            t, lo, hi = med(impl, case, "total")
            label = f"{case}, {n:,} ops" if impl == impls[0] else ""
            print(f"{label:<22}{impl:<9}{f:>9.2f}{b:>10.2f}{fr:>7.2f}{t:>8.2f}   {lo:.2f}–{hi:.2f}")
        line = f"{'':<22}wengert/numpy = {ratio('wengert', 'numpy', case):.2f}×"
        if "torch" in impls:
            line += f", wengert/torch = {ratio('wengert', 'torch', case):.2f}×"
        print(line)
    print("(ratios: median over repeats of the ratio between processes run side by side)")
    verdict = [f"16-vector within 3× the floor: {'yes' if ratio('wengert', 'numpy', '16-vector') <= 3 else 'NO'}"]
    if "torch" in impls:
        faster = all(ratio("wengert", "torch", c) < 1 for c in CASES)
        verdict.append(f"faster than PyTorch eager on both: {'yes' if faster else 'NO'}")
    print("targets: " + "; ".join(verdict))
    print(reproduce_line(__file__, argv))


if __name__ == "__main__":
    main()
