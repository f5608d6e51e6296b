"""`wengert demo` (also `python -m wengert demo`): the tour a new user runs first.

Part one differentiates the tutorials' two seed examples three ways, side by side: reverse
mode (one `.backward()` gives every partial), forward mode (a dual number a + bε, one pass
per input) and central finite differences (f(x + h) − f(x − h)) / 2h as the independent
check; then one second-order line (a Hessian, forward over reverse).
Part two trains a small MLP on two interleaved half-moons generated from the seed (nothing
is downloaded) with Adam on mini-batches, and prints its train and held-out accuracy.
"""
import argparse
import sys
import time

import numpy as np

__all__ = ["SEEDS", "derivative_table", "hessian_line", "make_moons", "progress",
           "train_moons", "main"]

# (title, f, point): the two worked examples of the tutorials wengert grew from.
SEEDS = (
    ("d = a·(b + c)", lambda a, b, c: a * (b + c), {"a": 2.2, "b": -1.8, "c": 0.1}),
    ("f = x²y + y + 2", lambda x, y: x**2 * y + y + 2, {"x": 3.0, "y": 4.0}),
)


def derivative_table(title, f, point):
    """The value of f at `point` (a dict name -> float) and every partial derivative by
    reverse mode, forward mode and central finite differences, as an aligned text table."""
    import wengert as wg                       # (the facade, as a user writes it)
    names, values = list(point), [float(v) for v in point.values()]
    xs = [wg.tensor(v, requires_grad=True) for v in values]
    out = f(*xs)
    out.backward()                                   # reverse mode: all partials in one pass
    numeric = wg.numerical_grad(f, *values, argnums=tuple(range(len(values))))
    at = ", ".join(f"{n} = {v:g}" for n, v in point.items())
    lines = [f"{title} at {at}:  {title.split('=')[0].strip()} = {out.item():.6g}",
             f"  {'':7}{'reverse mode':>16}{'forward mode':>16}{'finite differences':>22}"]
    for i, (n, x, num) in enumerate(zip(names, xs, numeric)):
        assert x.grad is not None           # (out.backward() above reached every input)
        # Forward mode seeds the tangent 1 on input i and 0 elsewhere: one pass per input.
        duals = [wg.dual(v, 1.0 if j == i else 0.0) for j, v in enumerate(values)]
        fwd = f(*duals).tangent.item()
        lines.append(f"  ∂/∂{n:<4}{x.grad.item():>16.12g}{fwd:>16.12g}{num:>22.12g}")
    return "\n".join(lines)


def hessian_line():
    """One line of second order: the Hessian of f = x²y + y + 2 at (3, 4) by wg.hessian
    (forward over reverse), which is [[2y, 2x], [2x, 0]] = [[8, 6], [6, 0]]."""
    import wengert as wg
    f = SEEDS[1][1]
    h = wg.hessian(lambda v: f(v[0], v[1]))(np.array([3.0, 4.0]))
    rows = ", ".join("[" + ", ".join(f"{e:g}" for e in row) + "]" for row in h)
    return (f"second order: wg.hessian(f)(3, 4) = [{rows}]"
            f"   (exact: [[2y, 2x], [2x, 0]])")


def make_moons(n, noise=0.15, rng=None):
    """Two interleaving half circles, n points in all (float32 (n, 2), int64 labels 0/1):
    the upper moon (cos t, sin t) and the lower one (1 − cos t, ½ − sin t), t ~ U(0, π),
    plus Gaussian noise of standard deviation `noise`; the order is shuffled."""
    rng = np.random.default_rng(rng)
    n0 = n // 2
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t[:n0]), np.sin(t[:n0])], axis=1)
    lower = np.stack([1.0 - np.cos(t[n0:]), 0.5 - np.sin(t[n0:])], axis=1)
    x = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n - n0, np.int64)])
    order = rng.permutation(n)
    return x[order].astype(np.float32), y[order]


class _Lines:
    """The progress bar's stand-in when tqdm is not installed: a plain line every tenth of
    the way (and at the end), with the latest postfix values."""

    def __init__(self, iterable, total, desc, file):
        self._it, self._total, self._desc, self._file = iterable, total, desc, file
        self._post = ""
        self._every = max(1, total // 10)

    def __iter__(self):
        for k, item in enumerate(self._it, 1):
            yield item
            if k % self._every == 0 or k == self._total:
                print(f"{self._desc}: {k}/{self._total} {self._post}", file=self._file,
                      flush=True)

    def set_postfix(self, **values):
        self._post = " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in values.items())

    def close(self):
        pass


class _Silent:
    """The progress bar's stand-in with progress switched off (--quiet)."""
    __slots__ = ("_it",)

    def __init__(self, iterable):
        self._it = iterable

    def __iter__(self):
        return iter(self._it)

    def set_postfix(self, **values):
        pass

    def close(self):
        pass


def progress(iterable, total, desc, enabled=True, file=None):
    """A progress bar over `iterable` with `.set_postfix(**values)`: tqdm's when installed
    (an optional extra, imported only here), else plain periodic lines, or nothing at all
    when not `enabled`."""
    if not enabled:
        return _Silent(iterable)
    file = sys.stderr if file is None else file
    try:
        from tqdm import tqdm
    except ImportError:
        return _Lines(iterable, total, desc, file)
    return tqdm(iterable, total=total, desc=desc, file=file, unit="epoch", leave=True,
                dynamic_ncols=True)


def train_moons(seed=0, epochs=40, n_train=1000, n_test=500, batch_size=64, hidden=32,
                lr=0.01, show_progress=True, file=None):
    """Train a 2-hidden-hidden-2 tanh MLP (hidden = 32) on two moons with Adam and softmax cross-entropy.
    Returns a dict: train_acc, test_acc, loss (last epoch's mean), seconds, steps."""
    import wengert as wg                       # (the facade, as a user writes it)
    import wengert.nn as nn                    # the walkthrough needs only the core
    import wengert.nn.functional as F
    import wengert.optim as optim

    rng = np.random.default_rng(seed)
    x, y = make_moons(n_train + n_test, rng=rng)
    # Standardise with the training split's statistics only (the held-out set stays unseen).
    mean, std = x[:n_train].mean(axis=0), x[:n_train].std(axis=0)
    x = ((x - mean) / std).astype(np.float32)
    x_train, y_train, x_test, y_test = x[:n_train], y[:n_train], x[n_train:], y[n_train:]

    wg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden),
                          nn.Tanh(), nn.Linear(hidden, 2))
    opt = optim.Adam(model.parameters(), lr=lr)

    def accuracy(xs, ys):
        with wg.no_grad():
            return float((model(wg.asarray(xs)).numpy().argmax(axis=1) == ys).mean())

    start, steps, loss_mean = time.perf_counter(), 0, float("nan")
    bar = progress(range(epochs), epochs, "training", enabled=show_progress, file=file)
    for _ in bar:
        model.train()
        order = rng.permutation(n_train)
        total = 0.0
        for lo in range(0, n_train, batch_size):
            idx = order[lo:lo + batch_size]
            loss = F.cross_entropy(model(wg.asarray(x_train[idx])), wg.asarray(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            steps += 1
        loss_mean = total / n_train
        bar.set_postfix(loss=loss_mean)
    bar.close()
    model.eval()
    return {"train_acc": accuracy(x_train, y_train), "test_acc": accuracy(x_test, y_test),
            "loss": loss_mean, "seconds": time.perf_counter() - start, "steps": steps}


def _parser():
    p = argparse.ArgumentParser(
        prog="wengert demo",
        description="Differentiate the tutorials' two examples by reverse mode, forward mode "
                    "and finite differences, then train a small MLP on two moons.")
    p.add_argument("--seed", type=int, default=0, help="random seed (data, init, batches)")
    p.add_argument("--epochs", type=int, default=40, help="training epochs (default 40)")
    p.add_argument("--no-train", action="store_true", help="only the derivative walkthrough")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv=None):
    """Run the demo; returns 0 (a bad option is argparse's SystemExit(2), one line on stderr)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    print("1. Derivatives three ways: reverse mode (.backward()), forward mode (dual numbers,")
    print("   one pass per input) and central finite differences (f(x+h) - f(x-h)) / 2h.\n")
    for title, f, point in SEEDS:
        print(derivative_table(title, f, point))
        print()
    print(hessian_line())
    if args.no_train:
        return 0
    print("\n2. Training a 2-32-32-2 tanh MLP on two moons (1000 train / 500 held-out points)")
    print(f"   with Adam (lr 0.01), mini-batches of 64, {args.epochs} epochs, seed {args.seed}.",
          flush=True)                         # before the progress bar starts on stderr
    r = train_moons(seed=args.seed, epochs=args.epochs, show_progress=not args.quiet)
    print(f"   final loss {r['loss']:.4f}; accuracy: train {100 * r['train_acc']:.1f}%, "
          f"held-out {100 * r['test_acc']:.1f}%  ({r['steps']} steps in "
          f"{r['seconds']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
