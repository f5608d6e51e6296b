"""One training step of an MLP in float32: wengert against hand-written NumPy (and PyTorch).

The step is forward, softmax cross-entropy (mean over the batch), backward, and a plain SGD
update (lr 0.01) of every weight and bias, for two sizes and two activations:

    A: batch 64,  784-256-256-10          B: batch 512, 1024-2048-2048-10
    activation tanh or relu between the layers; logits from the last layer

* numpy        — hand-written NumPy, gradients written out by hand: the matmuls, the
                 activation and its derivative (1 − y² for tanh, y > 0 for relu), the stable
                 log-softmax cross-entropy and its gradient (softmax − onehot)/N, and the SGD
                 update in place into a preallocated buffer. Written the way a NumPy user
                 would (out-of-place expressions), it is the floor an autodiff library can
                 reach for the same arithmetic.
* wengert      — the library as a user writes it: nn.Sequential of nn.Linear and nn.Tanh/ReLU,
                 nn.functional.cross_entropy, optim.SGD (zero_grad, backward, step).
* wengert-ops  — wengert without nn/optim: `h @ W.T + b`, wg.tanh / wg.relu, wg.log_softmax,
                 picking the targets' log-probabilities by indexing, and the update written as
                 `p -= lr * p.grad` under no_grad().
* torch        — PyTorch eager on CPU (torch.nn, F.cross_entropy, torch.optim.SGD), when it
                 is installed.

All four start from the same weights and data; before timing, the script checks that they
compute the same loss, the same gradients and the same updated weights (float32 tolerance).

Method (as benchmarks/overhead.py): every measurement runs in a fresh process (two warm-up
steps, then the fastest of --inner timed steps run back to back, as in a training loop),
processes are interleaved across
implementations and repeats, and the report gives medians over processes, in ms per step,
split into forward (with the loss), backward, and update (zero_grad + optimizer step). Times
are CPU time by default (time.process_time; `--clock wall` for elapsed time); BLAS and PyTorch
run single-threaded, so the numbers compare the same matmuls plus each library's overhead.
Ratios are medians of per-repeat ratios between processes run side by side.

Memory, measured in the same fresh process after the timed steps, for one more step:
* traced — the peak of tracemalloc's count during the step, above what was allocated before
  it. NumPy reports its array buffers to tracemalloc, so for numpy and wengert this is the
  step's peak of live arrays plus Python objects; PyTorch's allocator is invisible to it
  (shown as "n/a").
* rss — the growth of the process's peak resident set during the step (Linux: the peak is
  reset through /proc/self/clear_refs before the step, then VmHWM − VmRSS-before). It sees
  every allocator, but memory that malloc kept from earlier steps is not counted again.

    python benchmarks/mlp.py                      # 5 repeats, both sizes, both activations
    python benchmarks/mlp.py --configs A --repeats 3
    python benchmarks/mlp.py --profile wengert B tanh   # cProfile of 5 steps, by own time

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
CONFIGS = {"A": (64, (784, 256, 256, 10)), "B": (512, (1024, 2048, 2048, 10))}
ACTS = ("tanh", "relu")
IMPLS = ("numpy", "wengert", "wengert-ops", "torch")
INNER = {"A": 20, "B": 3}
LR = 0.01
CLOCKS = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCKS["cpu"]


def problem(config, seed=0):
    """x (batch, in) ~ N(0, 1), labels in [0, 10), and per layer W (out, in) and b (out,)
    ~ U(−1/√in, 1/√in) as torch.nn.Linear starts them; all float32 (labels int64)."""
    batch, sizes = CONFIGS[config]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], batch)
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        layers.append((rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                       rng.uniform(-bound, bound, n_out).astype(np.float32)))
    return x, y, layers


# ---- the implementations: each returns step() -> (forward, backward, update) seconds, with
# ---- step.loss (float), step.grads() and step.params() (lists of ndarrays W1, b1, W2, …)

def numpy_impl(config, act):
    x, y, layers = problem(config)
    Ws = [W.copy() for W, _ in layers]
    bs = [b.copy() for _, b in layers]
    params = [a for pair in zip(Ws, bs) for a in pair]
    n, L = x.shape[0], len(Ws)
    rows = np.arange(n)
    scratch = np.empty(max(p.size for p in params), np.float32)
    bufs = [scratch[:p.size].reshape(p.shape) for p in params]
    grads = [None] * len(params)
    f = np.tanh if act == "tanh" else (lambda z: np.maximum(z, 0))

    def step():
        t0 = clock()
        hs = [x]
        h = x
        for i in range(L):
            z = h @ Ws[i].T + bs[i]
            h = f(z) if i < L - 1 else z
            hs.append(h)
        m = h.max(axis=1, keepdims=True)                  # stable log-softmax
        s = h - m
        logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        t1 = clock()
        g = np.exp(logp)                                  # d loss / d logits = (softmax − onehot)/N
        g[rows, y] -= 1
        g /= n
        for i in range(L - 1, -1, -1):
            grads[2 * i] = g.T @ hs[i]
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                gh = g @ Ws[i]
                hi = hs[i]
                g = gh * (1 - hi * hi) if act == "tanh" else gh * (hi > 0)
        t2 = clock()
        for p, gp, buf in zip(params, grads, bufs):       # SGD, in place
            np.multiply(gp, LR, out=buf)
            p -= buf
        t3 = clock()
        step.loss = float(loss)
        return t1 - t0, t2 - t1, t3 - t2

    step.grads = lambda: list(grads)
    step.drop_held = lambda: grads.__setitem__(slice(None), [None] * len(grads))
    step.params = lambda: params
    return step


def _nn_impl(nn, optim, tensor, set_param, to_numpy, config, act):
    """The step written once against torch.nn's interface, which wengert.nn follows: the
    wengert and PyTorch variants differ only in what is passed in (the import)."""
    F = nn.functional
    x0, y0, layers = problem(config)
    mods = []
    for i, (W, b) in enumerate(layers):
        lin = nn.Linear(W.shape[1], W.shape[0])
        set_param(lin.weight, W)
        set_param(lin.bias, b)
        mods.append(lin)
        if i < len(layers) - 1:
            mods.append(nn.Tanh() if act == "tanh" else nn.ReLU())
    model = nn.Sequential(*mods)
    params = list(model.parameters())
    opt = optim.SGD(params, lr=LR)
    x, y = tensor(x0), tensor(y0)

    def step():
        t0 = clock()
        loss = F.cross_entropy(model(x), y)
        t1 = clock()
        loss.backward()
        t2 = clock()
        opt.step()
        opt.zero_grad()
        t3 = clock()
        step.loss = loss.item()
        return t1 - t0, t2 - t1, t3 - t2

    grads = []

    def step_keeping_grads():                 # verification only: read .grad before zero_grad
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        grads[:] = [to_numpy(p.grad).copy() for p in params]
        opt.step()
        step_keeping_grads.loss = loss.item()
    step.verify = step_keeping_grads
    step.grads = lambda: grads
    step.params = lambda: [to_numpy(p) for p in params]
    return step


def wengert_impl(config, act):
    import wengert as wg
    from wengert import nn, optim

    def set_param(p, value):
        p.data[...] = value

    return _nn_impl(nn, optim, wg.tensor, set_param, lambda t: t.detach().numpy(), config, act)


def wengert_ops_impl(config, act):
    import wengert as wg
    x0, y0, layers = problem(config)
    Ws = [wg.tensor(W, requires_grad=True) for W, _ in layers]
    bs = [wg.tensor(b, requires_grad=True) for _, b in layers]
    params = [a for pair in zip(Ws, bs) for a in pair]
    x = wg.tensor(x0)
    rows, y = np.arange(x0.shape[0]), y0
    L = len(Ws)
    f = wg.tanh if act == "tanh" else wg.relu

    def step():
        t0 = clock()
        h = x
        for i in range(L):
            h = h @ Ws[i].T + bs[i]
            if i < L - 1:
                h = f(h)
        loss = -wg.log_softmax(h, axis=-1)[rows, y].mean()
        t1 = clock()
        loss.backward()
        t2 = clock()
        with wg.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        t3 = clock()
        step.loss = loss.item()
        return t1 - t0, t2 - t1, t3 - t2

    grads = []

    def step_keeping_grads():
        h = x
        for i in range(L):
            h = h @ Ws[i].T + bs[i]
            if i < L - 1:
                h = f(h)
        loss = -wg.log_softmax(h, axis=-1)[rows, y].mean()
        loss.backward()
        grads[:] = [p.grad.numpy().copy() for p in params]
        with wg.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None
        step_keeping_grads.loss = loss.item()
    step.verify = step_keeping_grads
    step.grads = lambda: grads
    step.params = lambda: [p.detach().numpy() for p in params]
    return step


def torch_impl(config, act):
    import torch
    torch.set_num_threads(1)

    def set_param(p, value):
        with torch.no_grad():
            p.copy_(torch.from_numpy(value))

    return _nn_impl(torch.nn, torch.optim, torch.from_numpy, set_param,
                    lambda t: t.detach().numpy(), config, act)


MAKERS = {"numpy": numpy_impl, "wengert": wengert_impl, "wengert-ops": wengert_ops_impl,
          "torch": torch_impl}


def have(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ---- child: one measurement in a fresh process --------------------------------------------

def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(field)


def step_memory(step):
    """(traced peak bytes or None, rss peak growth bytes or None) of one step."""
    rss = None
    try:
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")                          # reset VmHWM to the current RSS
        before = _status_kb("VmRSS")
        step()
        rss = (_status_kb("VmHWM") - before) * 1024
    except OSError:
        pass
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    step()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, rss


def child(impl, config, act, inner, which):
    global clock
    clock = CLOCKS[which]
    step = MAKERS[impl](config, act)
    step()
    step()                                        # warm-up: imports, caches, optimizer state
    best = None
    # back-to-back steps, as a training loop runs them (no gc.collect() in between: that
    # walks every Python object and leaves the caches cold for the step that follows)
    for _ in range(inner):                        # the fastest: a passing hiccup is not the step
        t = step()
        if best is None or sum(t) < sum(best):
            best = t
    traced, rss = step_memory(step)
    print(json.dumps({"fwd": best[0], "bwd": best[1], "upd": best[2],
                      "traced": None if impl == "torch" else traced, "rss": rss}))


def profile(impl, config, act, steps=5):
    import cProfile
    import pstats
    step = MAKERS[impl](config, act)
    step()
    step()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(steps):
        step()
    pr.disable()
    print(f"cProfile of {steps} steps: {impl}, config {config}, {act}")
    pstats.Stats(pr).sort_stats("tottime").print_stats(30)


# ---- parent: check, schedule, summarise ---------------------------------------------------

def verify(impls, configs, acts):
    """Same loss, gradients and updated weights as the hand-written NumPy step."""
    for config in configs:
        for act in acts:
            ref = MAKERS["numpy"](config, act)
            ref()
            ref_grads, ref_params = ref.grads(), [p.copy() for p in ref.params()]
            for impl in impls[1:]:
                s = MAKERS[impl](config, act)
                s.verify()
                if not np.isclose(s.verify.loss, ref.loss, rtol=1e-5):
                    sys.exit(f"{impl} ({config}, {act}) loss {s.verify.loss} differs from the "
                             f"hand-written {ref.loss}")
                for what, got, want in (("gradient", s.grads(), ref_grads),
                                        ("updated weight", s.params(), ref_params)):
                    for k, (a, e) in enumerate(zip(got, want)):
                        tol = 1e-4 * float(np.abs(e).max()) + 1e-7
                        if a.shape != e.shape or not np.allclose(a, e, rtol=1e-4, atol=tol):
                            sys.exit(f"{impl} ({config}, {act}) {what} {k} differs from the "
                                     f"hand-written one: max |diff| "
                                     f"{np.abs(a - e).max() if a.shape == e.shape else a.shape}")


def measure(impl, config, act, path, inner, which):
    return run_child(__file__, path, [impl, config, act, "--inner", str(inner), "--clock", which],
                     f"{impl} {config} {act}")


def _mib(v):
    return "n/a" if v is None else f"{v / 2 ** 20:.1f}"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=5, help="fresh processes per measurement")
    p.add_argument("--inner", type=int, default=None,
                   help=f"timed steps per process after two warm-ups; the fastest counts "
                        f"(default {INNER})")
    p.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    p.add_argument("--acts", nargs="+", choices=ACTS, default=list(ACTS))
    p.add_argument("--impls", nargs="+", choices=IMPLS, default=None,
                   help="implementations to measure (numpy is always included)")
    p.add_argument("--clock", choices=CLOCKS, default="cpu",
                   help="cpu: CPU time of the process (default); wall: elapsed time")
    p.add_argument("--path", default=CHECKOUT,
                   help="directory holding the wengert package to measure (default: this checkout)")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if installed")
    p.add_argument("--profile", nargs=3, metavar=("IMPL", "CONFIG", "ACT"),
                   help="print a cProfile of a few steps of one implementation and exit")
    p.add_argument("--child", nargs=3, metavar=("IMPL", "CONFIG", "ACT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        impl, config, act = args.child
        return child(impl, config, act, args.inner or INNER[config], args.clock)
    path = os.path.abspath(args.path)
    sys.path.insert(0, path)
    if args.profile:
        return profile(*args.profile)

    import wengert
    impls = [i for i in (args.impls or IMPLS) if i != "numpy"]
    if not have("wengert.nn") or not have("wengert.optim"):
        impls = [i for i in impls if i != "wengert"]
        print("wengert.nn / wengert.optim not found: measuring wengert-ops only")
    torch_ok = not args.no_torch and have("torch")
    impls = ["numpy"] + [i for i in impls if i != "torch" or torch_ok]
    versions = f"Python {platform.python_version()}, NumPy {np.__version__}"
    if "torch" in impls:
        import torch
        versions += f", PyTorch {torch.__version__}"
    elif not args.no_torch and not torch_ok:
        versions += ", PyTorch not installed"
    print(f"wengert from {os.path.dirname(wengert.__file__)}")
    print(f"{versions}; {cpu_name()}, {os.cpu_count()} CPUs; single-threaded BLAS/torch")
    verify(impls, args.configs, args.acts)
    print("check: every implementation gives the hand-written loss, gradients and update")

    cases = [(c, a) for c in args.configs for a in args.acts]
    results = {(i, c, a): [] for i in impls for c, a in cases}
    for r in range(args.repeats):
        order = impls[r % len(impls):] + impls[:r % len(impls)]     # rotate: no fixed slot
        for c, a in cases:
            for impl in order:
                results[impl, c, a].append(
                    measure(impl, c, a, path, args.inner or INNER[c], args.clock))
        if sys.stderr.isatty():
            print(f"\rrepeat {r + 1}/{args.repeats}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print(file=sys.stderr)

    def total(m):
        return m["fwd"] + m["bwd"] + m["upd"]

    def med(key, ms):
        vals = [total(m) if key == "total" else m[key] for m in ms]
        return statistics.median(vals) * 1e3, min(vals) * 1e3, max(vals) * 1e3

    def ratio(a, b, c, act):
        return statistics.median(total(x) / total(y)
                                 for x, y in zip(results[a, c, act], results[b, c, act]))

    print(f"\nms per step ({args.clock} time), median of {args.repeats} fresh processes, each the "
          f"fastest of its timed steps; memory of one step in MiB")
    print(f"{'case':<30}{'impl':<13}{'forward':>8}{'backward':>9}{'update':>8}{'total':>8}"
          f"   {'spread':<14}{'traced':>7}{'rss':>7}")
    within = []
    for c, a in cases:
        batch, sizes = CONFIGS[c]
        label = f"{c}: {batch}×{'-'.join(map(str, sizes))} {a}"
        for impl in impls:
            ms = results[impl, c, a]
            f, b, u = (med(k, ms)[0] for k in ("fwd", "bwd", "upd"))
            t, lo, hi = med("total", ms)
            traced = [m["traced"] for m in ms if m["traced"] is not None]
            rss = [m["rss"] for m in ms if m["rss"] is not None]
            print(f"{label if impl == impls[0] else '':<30}{impl:<13}{f:>8.2f}{b:>9.2f}{u:>8.2f}"
                  f"{t:>8.2f}   {f'{lo:.2f}–{hi:.2f}':<14}"
                  f"{_mib(statistics.median(traced) if traced else None):>7}"
                  f"{_mib(statistics.median(rss) if rss else None):>7}")
        parts = []
        for impl in impls[1:]:
            if impl != "torch":
                r = ratio(impl, "numpy", c, a)
                parts.append(f"{impl}/numpy = {r:.3f}×")
                if impl == "wengert":
                    within.append(r <= 1.15)
        if "torch" in impls:
            parts += [f"{i}/torch = {ratio(i, 'torch', c, a):.3f}×" for i in impls[1:]
                      if i.startswith("wengert")]
        print(f"{'':<30}" + ", ".join(parts))
    print("(ratios: median over repeats of the ratio between processes run side by side)")
    if within:
        print(f"target: wengert within 1.15× the hand-written floor on every case: "
              f"{'yes' if all(within) else 'NO'}")
    print(reproduce_line(__file__, argv))


if __name__ == "__main__":
    main()
