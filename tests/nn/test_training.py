"""End to end: a small MLP trained with a hand-written SGD loop learns a toy problem."""
import numpy as np

import wengert as wg
from wengert import nn
from wengert.nn import functional as F


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(),
                                 nn.Linear(16, 2))

    def forward(self, x):
        return self.net(x)


def _two_moons(n, rng):
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], 1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
    x = np.concatenate([upper, lower]) + rng.normal(0, 0.1, (2 * n, 2))
    y = np.concatenate([np.zeros(n, np.int64), np.ones(n, np.int64)])
    return x.astype(np.float32), y


def _train(seed):
    wg.manual_seed(seed)
    x, y = _two_moons(100, np.random.default_rng(seed))
    x = wg.tensor(x)
    model = MLP()
    lr = 0.5
    losses = []
    for _ in range(150):
        loss = F.cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        with wg.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    acc = (model(x).numpy(force=True).argmax(1) == y).mean()
    return losses, acc, model


def test_mlp_learns_two_moons_and_is_reproducible():
    losses, acc, model = _train(0)
    assert losses[-1] < 0.5 * losses[0]
    assert acc > 0.9
    assert all(p.dtype == np.float32 for p in model.parameters())
    losses2, _, _ = _train(0)
    assert losses2 == losses


def test_regression_with_mse_and_batchnorm():
    wg.manual_seed(1)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    model = nn.Sequential(nn.Linear(3, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    xt, yt = wg.tensor(x), wg.tensor(y)
    first = None
    for _ in range(100):
        loss = F.mse_loss(model(xt), yt)
        first = first if first is not None else loss.item()
        model.zero_grad()
        loss.backward()
        with wg.no_grad():
            for p in model.parameters():
                p -= 0.05 * p.grad
    assert loss.item() < 0.2 * first
    model.eval()
    assert F.mse_loss(model(xt), yt).item() < 0.5 * first
