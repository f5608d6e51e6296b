"""What each special case in the eager engine saves on a realistic workload (not a test:
prints figures).

A special case (a second code path that exists only because it is cheaper than the general
one) stays only if it saves at least 20 % on a realistic workload; `benchmarks/README.md`
keeps the figures this script prints. Each case below can be switched off at run time, which
puts the general path in its place. Every worker process (fresh, one BLAS thread) builds the
case's workload once, then times it with the case on and off in alternation, so both see the
same machine; the figure is the median over workers of each worker's ratio of medians
(off / on: how much slower the general path is).

    python3 benchmarks/special_cases.py [--processes 5] [--reps 200] [--only NAME ...]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


# ---- the workloads ------------------------------------------------------------------------

def _mlp_step():
    sys.path.insert(0, HERE)
    from mlp import wengert_impl
    step = wengert_impl("A", "relu")
    return step


def _demo_step():
    """One training step of `wengert demo`'s model: 2-32-32-2 tanh MLP, batch 64, Adam."""
    import numpy as np
    import wengert as wg
    from wengert import nn, optim
    rng = np.random.default_rng(0)
    x = wg.tensor(rng.standard_normal((64, 2)))
    y = wg.tensor(rng.integers(0, 2, 64))
    model = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                          nn.Linear(32, 2))
    opt = optim.Adam(model.parameters(), lr=0.01)

    def step():
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def _scalar_chain():
    """The 0-d chain of overhead.py: a scalar function of 200 ops and its gradient."""
    import numpy as np
    import wengert as wg
    x = wg.tensor(np.float64(0.3), requires_grad=True)

    def run():
        y = x
        for _ in range(50):
            y = y * 1.0001 + 0.5
            y = y - 0.25 * y
        y.backward()
        x.grad = None
    return run


# ---- the cases: (workload, switch) where switch(False) puts the general path in place --------

def _switch_linear(on):
    from wengert.ops import nn as ops_nn
    if not hasattr(_switch_linear, "saved"):
        _switch_linear.saved = ops_nn.linear
    if on:
        ops_nn.linear = _switch_linear.saved
    else:
        from wengert.ops.linalg import matmul
        from wengert.ops.shape import swapaxes

        def linear(x, w, b=None):               # transpose, matmul, add: three nodes
            y = matmul(x, swapaxes(w, -1, -2))
            return y if b is None else y + b
        ops_nn.linear = linear


def _switch_cross_entropy(on):
    from wengert.ops import nn as ops_nn
    if not hasattr(_switch_cross_entropy, "saved"):
        _switch_cross_entropy.saved = ops_nn.cross_entropy_indices
    if on:
        ops_nn.cross_entropy_indices = _switch_cross_entropy.saved
    else:
        import numpy as np

        def cross_entropy_indices(x, target, valid=None, reduction="mean"):
            logp = ops_nn.log_softmax(x, axis=-1)          # log_softmax, pick, mean, negate
            picked = logp[np.arange(len(target)), np.asarray(target)]
            return -picked.mean()
        ops_nn.cross_entropy_indices = cross_entropy_indices


def _switch_operators(on):
    from wengert.ops import _primitive
    from wengert.ops._primitive import registry
    if not hasattr(_switch_operators, "saved"):
        _switch_operators.saved = {op: op.fast for op in registry.values()
                                   if isinstance(op, _primitive.BinaryOp)}
    for op, fast in _switch_operators.saved.items():
        op.fast = fast if on else op.forward


CASES = {
    "linear-primitive": (_mlp_step, _switch_linear,
                         "linear as one primitive, MLP step 64×784-256-256-10 relu float32"),
    "cross-entropy-primitive": (_mlp_step, _switch_cross_entropy,
                                "cross-entropy as one primitive, same MLP step"),
    "linear-primitive/demo": (_demo_step, _switch_linear,
                              "linear as one primitive, `wengert demo`'s step: 2-32-32-2 "
                              "tanh, batch 64, Adam"),
    "cross-entropy-primitive/demo": (_demo_step, _switch_cross_entropy,
                                     "cross-entropy as one primitive, `wengert demo`'s step"),
    "python-operators": (_scalar_chain, _switch_operators,
                         "Python's operators for NumPy scalars, 0-d chain of 200 ops + backward"),
}


def worker(name, reps):
    build, switch, _ = CASES[name]
    run = build()
    times = {True: [], False: []}
    for _ in range(5):
        for on in (True, False):
            switch(on)
            run()
    for i in range(reps):
        for on in ((True, False) if i % 2 == 0 else (False, True)):
            switch(on)
            t = time.process_time()
            run()
            times[on].append(time.process_time() - t)
    switch(True)
    return {str(k): statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=int, default=5)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--only", nargs="*", choices=sorted(CASES))
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        sys.path.insert(0, ROOT)
        print(json.dumps(worker(a.child[0], int(a.child[1]))))
        return
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    print(f"command: python3 benchmarks/special_cases.py {' '.join(sys.argv[1:])}")
    print("CPU time per call, medians over interleaved calls; off/on = the general path's "
          f"cost relative to the special case (median over {a.processes} fresh processes)\n")
    for name in a.only or CASES:
        ratios, ons, offs = [], [], []
        for _ in range(a.processes):
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", name,
                                  str(a.reps)], env=env, capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL)
            if out.returncode:
                sys.exit(out.stderr)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            ons.append(r["True"])
            offs.append(r["False"])
            ratios.append(r["False"] / r["True"])
        saved = 1 - 1 / statistics.median(ratios)
        print(f"  {name:30s} on {statistics.median(ons) * 1e6:9.1f}µs  off "
              f"{statistics.median(offs) * 1e6:9.1f}µs  off/on {statistics.median(ratios):.3f}"
              f"  saves {saved:5.1%}   ({CASES[name][2]})")


if __name__ == "__main__":
    main()
