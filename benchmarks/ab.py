"""A/B of two versions of wengert in one process (not a test: prints figures).

On a shared 2-core machine the speed of fresh processes drifts by up to ±30 % from one
minute to the next, so comparing a figure before and after a change across processes needs
many repeats. Here both versions are imported side by side in each worker process (the old
one from `git archive REV`, under another package name) and run the same sequence of calls
in turn, so drift hits both alike; the figure is the median, over workers, of each worker's ratio of
medians. Two copies of identical code still differ by up to ±2 % (code layout): compare
against `python3 benchmarks/ab.py HEAD` before trusting a smaller difference.

The workload is benchmarks/transforms.py's group (a), imported from it: the Rosenbrock
function in 10⁴ variables, its gradient and hvp through wengert, beside the NumPy f and
the hand-written NumPy gradient, in that script's order. Workers run with one BLAS thread
and glibc's default allocator settings; with --tuned-malloc, glibc is told to keep freed
memory (see transforms.py --tuned-malloc).

    python3 benchmarks/ab.py REV [--processes 6] [--reps 400] [--tuned-malloc]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NAMES = ("wg_old", "wg_new")


def _install(src_tree, dest, name):
    """The package at src_tree/wengert as dest/name, its self-imports renamed."""
    shutil.copytree(os.path.join(src_tree, "wengert"), os.path.join(dest, name),
                    ignore=shutil.ignore_patterns("__pycache__"))
    for root, _, files in os.walk(os.path.join(dest, name)):
        for fn in files:
            if fn.endswith(".py"):
                path = os.path.join(root, fn)
                with open(path) as fh:
                    text = fh.read()
                new = re.sub(r"\bimport wengert as (\w+)", rf"import {name} as \1", text).replace(
                    "        import wengert\n", f"        import {name} as wengert\n")
                if new != text:
                    with open(path, "w") as fh:
                        fh.write(new)


def worker(dest, reps, first):
    sys.path.insert(0, dest)
    sys.path.insert(0, HERE)
    import importlib
    import numpy as np
    from transforms import _rosenbrock
    fns = {k: _rosenbrock(importlib.import_module(k))[0] for k in NAMES}
    # each version's calls in transforms.py's order, the versions alternating (which one
    # goes first alternates between workers): every call follows the same kind of call
    order = NAMES if first == 0 else NAMES[::-1]
    calls = [(k, q, f) for k in order for q, f in fns[k].items()]
    times = {(k, q): [] for k, q, _ in calls}
    for _, _, f in calls:
        f()
    for _ in range(reps):
        for k, q, f in calls:
            t0 = time.process_time()
            f()
            times[k, q].append(time.process_time() - t0)
    med = {f"{k} {q}": float(np.median(t)) for (k, q), t in times.items()}
    print(json.dumps(med))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rev", help="the old version: a git revision of this repository")
    p.add_argument("--processes", type=int, default=6)
    p.add_argument("--reps", type=int, default=400)
    p.add_argument("--tuned-malloc", action="store_true",
                   help="workers keep freed memory (see transforms.py); default: glibc's settings")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        worker(a.worker, a.reps, a.first)
        return
    dest = tempfile.mkdtemp(prefix="wengert-ab-")
    try:
        old = os.path.join(dest, "old-tree")
        os.makedirs(old)
        archive = subprocess.run(["git", "-C", ROOT, "archive", a.rev, "wengert"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", old], input=archive, check=True)
        _install(old, dest, NAMES[0])
        _install(ROOT, dest, NAMES[1])
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        if a.tuned_malloc:
            env.update(MALLOC_MMAP_THRESHOLD_=str(4 << 20), MALLOC_TRIM_THRESHOLD_=str(64 << 20))
        runs = []
        for i in range(a.processes):
            out = subprocess.run([sys.executable, os.path.abspath(__file__), a.rev, "--worker",
                                  dest, "--reps", str(a.reps), "--first", str(i % 2)],
                                 env=env, capture_output=True, text=True, check=True)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    print(f"command: python3 benchmarks/ab.py {' '.join(sys.argv[1:])}")
    print(f"old: {a.rev}, new: the working tree; CPU time, medians over {a.processes} "
          f"workers of each worker's median of {a.reps} interleaved calls\n")
    quantities = [k.split(" ", 1)[1] for k in runs[0] if k.startswith(NAMES[0])]
    print(f"    {'':28s}{'old':>10s}{'new':>10s}   new/old")
    for q in quantities:
        old_t = statistics.median(r[f"{NAMES[0]} {q}"] for r in runs)
        new_t = statistics.median(r[f"{NAMES[1]} {q}"] for r in runs)
        ratio = statistics.median(r[f"{NAMES[1]} {q}"] / r[f"{NAMES[0]} {q}"] for r in runs)
        print(f"    {q:28s}{old_t * 1e6:8.1f}µs{new_t * 1e6:8.1f}µs   {ratio:6.3f}")
    for name in NAMES:
        f = "f (wengert, a Tensor)"
        ratio = statistics.median(r[f"{name} grad"] / r[f"{name} {f}"] for r in runs)
        hvp = statistics.median(r[f"{name} hvp"] / r[f"{name} grad"] for r in runs)
        print(f"    {name[3:]}: grad / f {ratio:.2f}×, hvp / grad {hvp:.2f}×")


if __name__ == "__main__":
    main()
