"""A character-level language model: an LSTM learns to continue a short story.

The text is examples/data/lighthouse.txt (about 4 KB of prose written for this example, in the
public domain). Its characters are the vocabulary; the last tenth is held out. The model reads
one character at a time and predicts the next:

    Embedding(V, E) -> LSTM(E, H, batch_first=True) -> Linear(H, V)

trained with Adam on random windows of the text under softmax cross-entropy, with the gradient
norm clipped to 1. The code is what one would write with PyTorch, imports aside. It prints the
held-out loss (in nats per character; a model that guesses uniformly scores ln V) and a sample
of generated text, draws a progress bar (tqdm's when installed) and, with `--plot FILE`, the
loss curves (needs matplotlib); `--save FILE` writes a checkpoint (model, optimizer, step,
vocabulary) with `wg.save`.

Run:  python examples/char_lm.py [--steps N] [--hidden H] [--seq-len T] [--batch-size B]
                                 [--plot curves.png] [--save ckpt.safetensors] [--quiet]
"""
import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

import wengert as wg
import wengert.nn as nn
import wengert.nn.functional as F
from wengert import optim

TEXT = Path(__file__).resolve().parent / "data" / "lighthouse.txt"


class CharLM(nn.Module):
    """Embedding, one or more LSTM layers, and a linear read-out to the next character's
    logits."""

    def __init__(self, vocab_size, embed=32, hidden=128, num_layers=1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=num_layers, batch_first=True)
        self.head = nn.Linear(hidden, vocab_size)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


def load_text(path=TEXT):
    """(ids int64, vocabulary str): the text as character indices into its sorted alphabet."""
    text = Path(path).read_text(encoding="utf-8")
    vocab = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocab)}
    return np.array([index[c] for c in text], dtype=np.int64), vocab


def batches(ids, seq_len, batch_size, rng):
    """Endless (inputs, targets) pairs of shape (batch_size, seq_len): random windows of
    `ids`, targets shifted by one character."""
    starts_max = len(ids) - seq_len - 1
    while True:
        starts = rng.integers(0, starts_max + 1, size=batch_size)
        win = np.stack([ids[s:s + seq_len + 1] for s in starts])
        yield wg.tensor(win[:, :-1]), wg.tensor(win[:, 1:])


def loss_on(model, x, y):
    logits, _ = model(x)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def evaluate(model, ids, seq_len):
    """Mean cross-entropy per character over `ids`, cut into consecutive windows."""
    n = (len(ids) - 1) // seq_len
    if n == 0:
        raise ValueError(f"the held-out text ({len(ids)} characters) is shorter than one "
                         f"window of --seq-len {seq_len}")
    x = ids[:n * seq_len].reshape(n, seq_len)
    y = ids[1:n * seq_len + 1].reshape(n, seq_len)
    model.eval()
    with wg.no_grad():
        loss = loss_on(model, wg.tensor(x), wg.tensor(y)).item()
    model.train()
    return loss


def sample(model, vocab, prompt, length, temperature=0.8, seed=0):
    """`prompt` continued by `length` characters drawn from the model's predictions
    (softmax of logits / temperature)."""
    index = {c: i for i, c in enumerate(vocab)}
    unknown = sorted(set(prompt) - set(index))
    if unknown:
        raise ValueError(f"the prompt has characters the text never uses: {unknown}")
    rng = np.random.default_rng(seed)
    out = list(prompt)
    model.eval()
    with wg.no_grad():
        logits, state = model(wg.tensor([[index[c] for c in prompt]]))
        for _ in range(length):
            z = logits[0, -1].numpy().astype(np.float64) / temperature
            p = np.exp(z - z.max())
            nxt = int(rng.choice(len(vocab), p=p / p.sum()))
            out.append(vocab[nxt])
            logits, state = model(wg.tensor([[nxt]]), state)
    model.train()
    return "".join(out)


class _Progress:
    """tqdm's bar when tqdm is installed, else a line every tenth of the run; silent when
    not `enabled`."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.bar = total, enabled, None
        if enabled:
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=total, desc="training", unit="step", file=sys.stderr,
                                dynamic_ncols=True)
            except ImportError:
                pass
        self.step = 0

    def update(self, loss):
        self.step += 1
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.3f}")
        elif self.enabled and (self.step % max(1, self.total // 10) == 0
                               or self.step == self.total):
            print(f"step {self.step}/{self.total}  loss {loss:.3f}", file=sys.stderr)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def train(steps=300, seq_len=48, batch_size=16, embed=32, hidden=128, num_layers=1, lr=0.01,
          seed=0, eval_every=50, show_progress=True, text=TEXT):
    """Train on the text; returns (model, vocab, history, optimizer) where history has
    'step', 'loss' (one per training step), 'val_step' and 'val_loss', and 'seconds'."""
    ids, vocab = load_text(text)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    wg.manual_seed(seed)
    model = CharLM(len(vocab), embed, hidden, num_layers)
    opt = optim.Adam(model.parameters(), lr=lr)
    sched = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr / 10)
    data = batches(train_ids, seq_len, batch_size, np.random.default_rng(seed))
    hist = {"step": [], "loss": [], "val_step": [0], "val_loss": [evaluate(model, val_ids,
                                                                             seq_len)]}
    bar = _Progress(steps, show_progress)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = next(data)
        loss = loss_on(model, x, y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        hist["step"].append(step)
        hist["loss"].append(loss.item())
        bar.update(hist["loss"][-1])
        if step % eval_every == 0 or step == steps:
            hist["val_step"].append(step)
            hist["val_loss"].append(evaluate(model, val_ids, seq_len))
    bar.close()
    hist["seconds"] = time.perf_counter() - start
    return model, vocab, hist, opt


def plot(hist, vocab_size, out):
    """Write the training and held-out loss curves to the image `out` (matplotlib's Agg
    canvas, no display needed)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("--plot needs matplotlib: pip install 'wengert[examples]'") from e
    fig = Figure(figsize=(7, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.plot(hist["step"], hist["loss"], color="C0", alpha=0.5, label="training batch")
    ax.plot(hist["val_step"], hist["val_loss"], "o-", color="C1", label="held-out text")
    ax.axhline(math.log(vocab_size), color="grey", linestyle=":",
               label=f"uniform guess (ln {vocab_size})")
    ax.set(xlabel="step", ylabel="cross-entropy (nats per character)",
           title="character-level LSTM on lighthouse.txt")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.savefig(out, dpi=100)


def _parser():
    p = argparse.ArgumentParser(prog="char_lm.py", description="Train a character-level LSTM "
                                "language model on a short story with wengert.")
    p.add_argument("--steps", type=int, default=300, help="training steps (default 300)")
    p.add_argument("--seq-len", type=int, default=48, help="characters per window (48)")
    p.add_argument("--batch-size", type=int, default=16, help="windows per step (16)")
    p.add_argument("--embed", type=int, default=32, help="embedding size (32)")
    p.add_argument("--hidden", type=int, default=128, help="LSTM hidden size (128)")
    p.add_argument("--layers", type=int, default=1, help="LSTM layers (1)")
    p.add_argument("--lr", type=float, default=0.01, help="Adam's learning rate (0.01)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and windows")
    p.add_argument("--sample", type=int, default=200, metavar="N",
                   help="characters to generate at the end (200; 0 for none)")
    p.add_argument("--prompt", default="The keeper", help="text the sample continues")
    p.add_argument("--plot", metavar="FILE", help="write the loss curves here (matplotlib)")
    p.add_argument("--save", metavar="FILE", help="write a checkpoint here (wg.save)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def run(argv=None):
    """Parse `argv`, train, report; returns the history dict (see `train`) with 'sample'."""
    parser = _parser()
    args = parser.parse_args(argv)
    for name in ("steps", "seq_len", "batch_size", "embed", "hidden", "layers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, "
                         f"got {getattr(args, name)}")
    model, vocab, hist, opt = train(args.steps, args.seq_len, args.batch_size, args.embed,
                                    args.hidden, args.layers, args.lr, args.seed,
                                    eval_every=max(1, args.steps // 6),
                                    show_progress=not args.quiet)
    print(f"{len(vocab)} characters, {args.steps} steps in {hist['seconds']:.1f} s: held-out "
          f"loss {hist['val_loss'][0]:.3f} -> {hist['val_loss'][-1]:.3f} nats per character "
          f"(uniform guess {math.log(len(vocab)):.3f})")
    hist["sample"] = ""
    if args.sample:
        hist["sample"] = sample(model, vocab, args.prompt, args.sample, seed=args.seed)
        print("sample:\n" + hist["sample"])
    if args.plot:
        plot(hist, len(vocab), args.plot)
        print(f"loss curves written to {args.plot}")
    if args.save:
        wg.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
                 "step": args.steps, "vocab": vocab, "args": vars(args)}, args.save)
        print(f"checkpoint written to {args.save}")
    return hist


def main(argv=None):
    run(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
