"""Benchmark of the functional transforms (not a test: prints figures and targets).

(a) Cheap-gradient bounds on the Rosenbrock function in n = 10,000 variables:
    one gradient ≤ 3× one function evaluation, and hvp (one forward-over-reverse pass) ≤ 4×
    one gradient. A hand-written NumPy gradient beside the NumPy f shows how far the
    allocator alone moves such a ratio (any gradient keeps the forward's temporaries alive).
(b) Batched Jacobians against a Python loop of single passes (target: ≥ 10× faster):
    jacrev and jacfwd of a 200 → 200 function, hessian of a 200-variable function.
    The loops are the most favourable ones: jacrev's loop is one vjp (one forward pass) and
    200 calls of its vjp_fn; jacfwd's loop is 200 jvp calls; hessian's loop is 200 hvp calls.

Each figure is measured in several fresh processes (OPENBLAS_NUM_THREADS=1, one BLAS thread),
the quantities of a group interleaved round-robin so that machine load hits them alike; a
process reports its median per quantity, and the figure is the median over processes. Times
are CPU time of the process (time.process_time) by default, which a busy machine disturbs
less than wall time; `--clock wall` uses time.perf_counter.

`--tuned-malloc` runs the workers with glibc's allocator told to keep freed memory
(MALLOC_MMAP_THRESHOLD_=4 MiB, MALLOC_TRIM_THRESHOLD_=64 MiB). By default every NumPy array
above 128 KiB is a fresh mmap and smaller ones come from a heap that is trimmed back; either
way each new temporary page-faults on first touch. Passes over 10⁴–10⁵-element arrays (which
the transforms make several of per op) then pay that per allocation; the flag shows how much
of a figure is the allocator rather than wengert.

    python3 benchmarks/transforms.py [--processes 5] [--clock cpu|wall] [--tuned-malloc]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---- the workloads (run inside a worker process) ----------------------------------------------

def _rosenbrock(wg=None):
    """The group's calls (wg: the wengert module to measure; ab.py passes two versions)."""
    import numpy as np
    if wg is None:
        import wengert as wg

    def rosen(x):
        a, b = x[:-1], x[1:]
        return (100.0 * (b - a * a) ** 2 + (1.0 - a) ** 2).sum()

    def rosen_grad(x):                 # by hand: what the allocator does to any gradient
        a, b = x[:-1], x[1:]
        r, s = b - a * a, 1.0 - a
        out = np.zeros_like(x)
        out[:-1] = -400.0 * r * a - 2.0 * s
        out[1:] += 200.0 * r
        return out

    rng = np.random.default_rng(0)
    n = 10_000
    x = rng.uniform(-1.0, 1.0, n)
    v = rng.standard_normal(n)
    xt = wg.tensor(x)
    grad = wg.grad(rosen)
    np.testing.assert_allclose(grad(x), rosen_grad(x), rtol=1e-12, atol=1e-12)
    return {
        "f (wengert, a Tensor)": lambda: rosen(xt),
        "f (plain NumPy)": lambda: rosen(x),
        "grad": lambda: grad(x),
        "hvp": lambda: wg.hvp(rosen, x, v),
        "grad (hand-written NumPy)": lambda: rosen_grad(x),
    }, 200


def _jacobians():
    import numpy as np
    import wengert as wg

    n = 200
    rng = np.random.default_rng(1)
    W = rng.standard_normal((n, n)) / np.sqrt(n)
    b = rng.standard_normal(n)
    x = rng.uniform(-1.0, 1.0, n)
    eye = np.eye(n)

    def F(x):                                  # R²⁰⁰ → R²⁰⁰
        return wg.tanh(W @ x + b) * x + 0.1 * x ** 3

    def g(x):                                  # R²⁰⁰ → R
        return wg.logsumexp(W @ wg.tanh(x)) + 0.25 * (x ** 4).sum()

    jacrev, jacfwd, hessian = wg.jacrev(F), wg.jacfwd(F), wg.hessian(g)

    def loop_rev():
        _, vjp_fn = wg.vjp(F, x)
        return np.stack([vjp_fn(e)[0] for e in eye])

    def loop_fwd():
        return np.stack([wg.jvp(F, (x,), (e,))[1] for e in eye], axis=-1)

    def loop_hvp():
        return np.stack([wg.hvp(g, x, e) for e in eye])

    # the batched results equal the loops (a benchmark of wrong answers is worthless)
    np.testing.assert_allclose(jacrev(x), loop_rev(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(jacfwd(x), loop_fwd(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hessian(x), loop_hvp(), rtol=1e-9, atol=1e-10)
    return {
        "jacrev": lambda: jacrev(x), "jacrev loop": loop_rev,
        "jacfwd": lambda: jacfwd(x), "jacfwd loop": loop_fwd,
        "hessian": lambda: hessian(x), "hessian loop (hvp)": loop_hvp,
    }, 7


GROUPS = {"rosenbrock": _rosenbrock, "jacobians": _jacobians}


def worker(group, clock):
    sys.path.insert(0, ROOT)
    import numpy as np
    fns, reps = GROUPS[group]()
    tick = time.process_time if clock == "cpu" else time.perf_counter
    times = {k: [] for k in fns}
    for f in fns.values():                    # warm up: imports, caches, first allocations
        f()
    for _ in range(reps):
        for k, f in fns.items():
            t0 = tick()
            f()
            times[k].append(tick() - t0)
    print(json.dumps({k: float(np.median(v)) for k, v in times.items()}))


# ---- the driver ---------------------------------------------------------------------------------

TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(4 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}


def run_group(group, processes, clock, tuned_malloc):
    import numpy as np
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if tuned_malloc:
        env.update(TUNED_MALLOC)
    runs = []
    for _ in range(processes):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", group,
                              "--clock", clock], env=env, capture_output=True, text=True,
                             check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {k: float(np.median([r[k] for r in runs])) for k in runs[0]}


def fmt(seconds):
    return f"{seconds * 1e3:9.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:9.1f} µs"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--processes", type=int, default=5, help="fresh processes per group")
    p.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    p.add_argument("--tuned-malloc", action="store_true",
                   help="workers keep freed memory (glibc MALLOC_* variables; see above)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.worker:
        worker(a.worker, a.clock)
        return
    env = "OPENBLAS_NUM_THREADS=1 " + "".join(
        f"{k}={v} " for k, v in TUNED_MALLOC.items() if a.tuned_malloc)
    print(f"command: python3 {' '.join(sys.argv)}")
    print(f"workers: {env}{os.path.basename(sys.executable)} (fresh processes)")
    print(f"clock: {'CPU time (process_time)' if a.clock == 'cpu' else 'wall time'}; "
          f"median over {a.processes} fresh processes of each process's median\n")

    r = run_group("rosenbrock", a.processes, a.clock, a.tuned_malloc)
    print("(a) Rosenbrock, n = 10,000")
    for k, v in r.items():
        print(f"    {k:24s}{fmt(v)}")
    f = r["f (wengert, a Tensor)"]
    rows = [("grad / f", r["grad"] / f, 3.0, "≤"),
            ("grad / f (plain NumPy)", r["grad"] / r["f (plain NumPy)"], None, ""),
            ("hvp / grad", r["hvp"] / r["grad"], 4.0, "≤"),
            ("hand grad / NumPy f", r["grad (hand-written NumPy)"] / r["f (plain NumPy)"], None,
             "")]
    for name, ratio, target, op in rows:
        verdict = "(hand-written: how much of a ratio the allocator alone makes)" if (
            name.startswith("hand")) else "" if target is None else (
            f"target {op} {target:g}: " + ("met" if ratio <= target else "MISSED"))
        print(f"    {name:24s}{ratio:8.2f}×   {verdict}")

    r = run_group("jacobians", a.processes, a.clock, a.tuned_malloc)
    print("\n(b) 200 → 200 Jacobians and a 200-variable Hessian, batched vs a loop of 200 passes")
    for name in ("jacrev", "jacfwd", "hessian"):
        loop = [k for k in r if k.startswith(name + " loop")][0]
        speedup = r[loop] / r[name]
        print(f"    {name:8s}{fmt(r[name])}   {loop:20s}{fmt(r[loop])}   "
              f"{speedup:7.1f}× faster   target ≥ 10×: {'met' if speedup >= 10 else 'MISSED'}")


if __name__ == "__main__":
    main()
