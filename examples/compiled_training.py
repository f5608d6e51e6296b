"""Training with a compiled gradient: `wg.compile(wg.value_and_grad(loss))`.

The demo's network (`wengert demo`: a 2-32-32-2 tanh MLP, softmax cross-entropy, Adam,
mini-batches of 64 on two moons) is trained twice from the same initial weights on the same
batches:

- eagerly, as in the README: `loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()`;
- compiled: the loss is written as a function of the parameter dict with
  `wg.func.functional_call`, `step = wg.compile(wg.value_and_grad(loss))` turns it into a
  generated NumPy program (traced once per batch shape), and Adam steps on the gradients it
  returns (`p.grad = grads[name]`).

Both runs must agree step by step: the same loss at every step and the same final
parameters, to rounding (float32). Prints a short report; exit status 0 when they agree,
1 when they do not or when this wengert has no `wg.compile`.

Run:  python examples/compiled_training.py [--steps N] [--seed S]
"""
import argparse
import sys
import time

import numpy as np

import wengert as wg
import wengert.nn.functional as F
from wengert import nn, optim
from wengert.demo import make_moons

LOSS_RTOL = 1e-4     # float32 losses: the two programs may round in a different order,
PARAM_ATOL = 1e-4    # and Adam carries those roundings from step to step


def make_model(seed, hidden=32):
    wg.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                         nn.Tanh(), nn.Linear(hidden, 2))


def batches(seed, steps, n=1000, batch_size=64):
    """`steps` mini-batches (float32 x standardised, int64 y), reshuffled every epoch; the
    last batch of an epoch is smaller (a second input signature for the compiled step)."""
    rng = np.random.default_rng(seed)
    x, y = make_moons(n, rng=rng)
    x = ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32)
    out = []
    while len(out) < steps:
        order = rng.permutation(n)
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            out.append((x[idx], y[idx]))
    return out[:steps]


def train_eager(model, data, lr):
    opt = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for x, y in data:
        loss = F.cross_entropy(model(wg.asarray(x)), wg.asarray(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def train_compiled(model, data, lr):
    def loss(params, x, target):
        # cross-entropy against one-hot float targets: integer labels would be part of the
        # compiled step's signature by value (a new program for every batch of labels)
        logp = F.log_softmax(wg.func.functional_call(model, params, x), dim=1)
        return -(target * logp).sum(axis=1).mean()

    step = wg.compile(wg.value_and_grad(loss))
    opt = optim.Adam(model.parameters(), lr=lr)
    named = dict(model.named_parameters())
    losses = []
    for x, y in data:
        # the current values (detach shares memory, so no copy), as the argument to differentiate
        params = {k: p.detach() for k, p in named.items()}
        target = np.eye(2, dtype=np.float32)[np.asarray(y)]
        value, grads = step(params, wg.asarray(x), target)
        for k, p in named.items():
            p.grad = wg.asarray(grads[k]).detach()
        opt.step()
        losses.append(float(np.asarray(wg.asarray(value).detach())))
    return losses, step


def run(steps=100, seed=0, lr=0.01):
    """Train both ways; returns a dict with both loss curves and the largest differences."""
    data = batches(seed, steps)
    eager, compiled = make_model(seed), make_model(seed)
    t0 = time.perf_counter()
    losses_e = train_eager(eager, data, lr)
    t1 = time.perf_counter()
    losses_c, step = train_compiled(compiled, data, lr)
    t2 = time.perf_counter()
    le, lc = np.array(losses_e), np.array(losses_c)
    loss_diff = float(np.max(np.abs(le - lc) / np.maximum(np.abs(le), 1e-30)))
    pe, pc = eager.state_dict(), compiled.state_dict()
    param_diff = max(float(np.max(np.abs(pe[k].numpy() - pc[k].numpy()))) for k in pe)
    return {"steps": steps, "losses_eager": losses_e, "losses_compiled": losses_c,
            "loss_rel_diff": loss_diff, "param_abs_diff": param_diff,
            "agree": loss_diff <= LOSS_RTOL and param_diff <= PARAM_ATOL,
            "seconds_eager": t1 - t0, "seconds_compiled": t2 - t1, "step": step,
            "model": compiled, "first_batch": data[0]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show-source", action="store_true",
                   help="also print the generated program of the first batch's step")
    args = p.parse_args(argv)
    if not hasattr(wg, "compile"):
        print("compiled_training.py needs wg.compile, which this wengert does not have",
              file=sys.stderr)
        return 1
    r = run(args.steps, args.seed)
    print(f"2-32-32-2 tanh MLP on two moons, Adam, {r['steps']} steps of 64 points")
    print(f"loss: step 1 {r['losses_eager'][0]:.6f}, step {r['steps']} "
          f"{r['losses_eager'][-1]:.6f} (eager) / {r['losses_compiled'][-1]:.6f} (compiled)")
    print(f"largest relative loss difference over all steps: {r['loss_rel_diff']:.1e} "
          f"(allowed {LOSS_RTOL:.0e})")
    print(f"largest final parameter difference: {r['param_abs_diff']:.1e} "
          f"(allowed {PARAM_ATOL:.0e})")
    print(f"time: eager {r['seconds_eager']:.2f} s, compiled {r['seconds_compiled']:.2f} s "
          f"(tracing included)")
    if args.show_source:
        x, y = r["first_batch"]
        params = {k: p.detach() for k, p in r["model"].named_parameters()}
        print(r["step"].source(params, wg.asarray(x), np.eye(2, dtype=np.float32)[np.asarray(y)]))
    print("the compiled run equals the eager one" if r["agree"]
          else "MISMATCH: the compiled run differs from the eager one")
    return 0 if r["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
