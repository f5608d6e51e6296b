"""Handwritten digits: an MLP and a small CNN trained with wengert.

The 1797 8×8 digit images that ship inside scikit-learn (`load_digits`, nothing downloaded),
split 80/20 (stratified, seeded), standardised with the training split's statistics, and
trained with Adam on mini-batches under softmax cross-entropy. Writes a PNG of the loss and
accuracy curves; `--save PATH` also stores the weights (safetensors, `wg.save`) and reloads
them (`wg.load` + `load_state_dict`) to show the same test accuracy.

Needs the examples extra:  pip install 'wengert[examples]'   (scikit-learn, matplotlib, tqdm)
Run:  python examples/digits.py [--model mlp|cnn|both] [--epochs N] [--seed S]
                                [--out digits.png] [--save weights.safetensors]
"""
import argparse
import sys
import time

import numpy as np

import wengert as wg
from wengert import nn, optim
from wengert.nn import functional as F
from wengert.demo import progress

MODELS = ("mlp", "cnn")


def load_data(seed=0, test_size=0.2):
    """(x_train, y_train, x_test, y_test): x float32 (n, 64) standardised per pixel with the
    training split's mean and standard deviation, y int64 class labels 0–9."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as e:
        raise ImportError("examples/digits.py needs scikit-learn: "
                          "pip install 'wengert[examples]'") from e
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data, digits.target.astype(np.int64), test_size=test_size,
        random_state=seed, stratify=digits.target)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0                    # border pixels that are blank in every training image
    return (((x_train - mean) / std).astype(np.float32), y_train,
            ((x_test - mean) / std).astype(np.float32), y_test)


def build(kind):
    """The MLP (64-128-64-10, ReLU) or the CNN (two 3×3 conv + ReLU + 2×2 max-pool stages,
    8×8 → 4×4 → 2×2, then a linear classifier)."""
    if kind == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                             nn.Linear(64, 10))
    if kind == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(32 * 2 * 2, 10))
    raise ValueError(f"unknown model {kind!r}; expected one of {MODELS}")


def _inputs(kind, x):
    # The CNN reads the 64 standardised pixels as one 8×8 channel (N, C, H, W).
    return wg.asarray(x.reshape(-1, 1, 8, 8) if kind == "cnn" else x)


def evaluate(model, kind, x, y):
    """(mean cross-entropy, accuracy) of `model` on (x, y), without recording a graph."""
    model.eval()
    with wg.no_grad():
        logits = model(_inputs(kind, x))
        loss = F.cross_entropy(logits, wg.asarray(y)).item()
    return loss, float((logits.numpy().argmax(axis=1) == y).mean())


def train(kind, data, epochs=30, seed=0, lr=1e-3, batch_size=32, show_progress=True):
    """Train a fresh `kind` model with Adam; returns (model, history) where history holds the
    per-epoch train_loss, test_loss, train_acc, test_acc lists and the wall time in seconds."""
    x_train, y_train, x_test, y_test = data
    wg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = build(kind)
    opt = optim.Adam(model.parameters(), lr=lr)
    hist = {"train_loss": [], "test_loss": [], "train_acc": [], "test_acc": []}
    n = len(x_train)
    start = time.perf_counter()
    bar = progress(range(epochs), epochs, kind, enabled=show_progress)
    for _ in bar:
        model.train()
        order = rng.permutation(n)
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            loss = F.cross_entropy(model(_inputs(kind, x_train[idx])), wg.asarray(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        # Curves from full passes over both splits in eval mode, so the two are comparable.
        for split, (xs, ys) in (("train", (x_train, y_train)), ("test", (x_test, y_test))):
            l, a = evaluate(model, kind, xs, ys)
            hist[f"{split}_loss"].append(l)
            hist[f"{split}_acc"].append(a)
        bar.set_postfix(loss=hist["train_loss"][-1], test_acc=hist["test_acc"][-1])
    bar.close()
    hist["seconds"] = time.perf_counter() - start
    return model, hist


def plot(histories, out):
    """Write the loss and accuracy curves of every trained model (dict kind -> history) to
    the PNG `out`, drawn by matplotlib's Agg canvas (no display needed)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("examples/digits.py needs matplotlib for its curves: "
                          "pip install 'wengert[examples]'") from e
    fig = Figure(figsize=(10, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_acc = fig.subplots(1, 2)
    for i, (kind, h) in enumerate(histories.items()):
        epochs = np.arange(1, len(h["train_loss"]) + 1)
        for split, style in (("train", "-"), ("test", "--")):
            kw = {"color": f"C{i}", "linestyle": style, "label": f"{kind} {split}"}
            ax_loss.plot(epochs, h[f"{split}_loss"], **kw)
            ax_acc.plot(epochs, 100 * np.asarray(h[f"{split}_acc"]), **kw)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("wengert on scikit-learn's 8×8 digits")
    fig.savefig(out, format="png", dpi=100)


def save_and_reload(models, path, data):
    """Save every model's state_dict in one safetensors file (keys prefixed 'mlp.' / 'cnn.'),
    load it back into fresh models and return {kind: reloaded test accuracy}."""
    wg.save({f"{kind}.{k}": v for kind, m in models.items()
             for k, v in m.state_dict().items()}, path)
    loaded = wg.load(path)
    accs = {}
    for kind in models:
        fresh = build(kind)
        prefix = f"{kind}."
        fresh.load_state_dict({k[len(prefix):]: v for k, v in loaded.items()
                               if k.startswith(prefix)})
        accs[kind] = evaluate(fresh, kind, data[2], data[3])[1]
    return accs


def _parser():
    p = argparse.ArgumentParser(
        prog="digits.py", description="Train an MLP and a small CNN on scikit-learn's 8×8 "
                                      "digits with wengert; plot the curves.")
    p.add_argument("--model", choices=("mlp", "cnn", "both"), default="both")
    p.add_argument("--epochs", type=int, default=30, help="training epochs (default 30)")
    p.add_argument("--seed", type=int, default=0, help="split, init and batch-order seed")
    p.add_argument("--out", default="digits.png", help="PNG of the curves (default digits.png)")
    p.add_argument("--save", metavar="PATH", help="also save the weights (safetensors) here "
                                                  "and check that reloading them reproduces "
                                                  "the test accuracy")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def run(argv=None):
    """Parse `argv`, train, plot (and save); returns {kind: history} with, after --save,
    'reloaded_acc' in each history."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    kinds = MODELS if args.model == "both" else (args.model,)
    data = load_data(args.seed)
    print(f"digits: {len(data[0])} training and {len(data[2])} test images, 8×8, 10 classes")
    models, histories = {}, {}
    for kind in kinds:
        models[kind], h = train(kind, data, epochs=args.epochs, seed=args.seed,
                                show_progress=not args.quiet)
        histories[kind] = h
        print(f"{kind}: test accuracy {100 * h['test_acc'][-1]:.2f}% "
              f"(train {100 * h['train_acc'][-1]:.2f}%), {args.epochs} epochs in "
              f"{h['seconds']:.1f} s")
    plot(histories, args.out)
    print(f"curves written to {args.out}")
    if args.save:
        reloaded = save_and_reload(models, args.save, data)
        for kind, acc in reloaded.items():
            histories[kind]["reloaded_acc"] = acc
        same = all(acc == histories[k]["test_acc"][-1] for k, acc in reloaded.items())
        print(f"weights saved to {args.save} (safetensors); reloaded into fresh models with "
              f"wg.load + load_state_dict: test accuracy "
              + ", ".join(f"{k} {100 * a:.2f}%" for k, a in reloaded.items())
              + (" (the same)" if same else " (DIFFERENT from the trained models)"))
    return histories


def main(argv=None):
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
