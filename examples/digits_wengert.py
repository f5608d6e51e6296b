"""Handwritten digits: an MLP and a small CNN, written as a PyTorch user writes them.

examples/digits_pytorch.py runs on PyTorch, examples/digits_wengert.py on wengert; the two files
differ only in their import lines. The 1797 8×8 images ship inside scikit-learn (nothing is
downloaded). Both print the loss and test accuracy per epoch, save a checkpoint (model state,
epoch, loss), load it into a fresh model and print that model's test accuracy.

Run:  python examples/digits_pytorch.py [EPOCHS]     (or DIGITS_EPOCHS=N; default 10)
"""
import os
import sys
import tempfile

import numpy as np
from sklearn.datasets import load_digits

import wengert as torch
import wengert.nn as nn
import wengert.nn.functional as F
from wengert.utils.data import DataLoader, TensorDataset


class MLP(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.fc1 = nn.Linear(64, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.out = nn.Linear(hidden, 10)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.drop(F.relu(self.fc2(x)))
        return self.out(x)


class CNN(nn.Module):
    def __init__(self, channels=16):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, 2 * channels, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(2 * channels * 2 * 2, 10)

    def forward(self, x):
        x = x.view(-1, 1, 8, 8)
        x = self.pool(F.relu(self.conv1(x)))           # 8×8 → 4×4
        x = self.pool(F.relu(self.conv2(x)))           # 4×4 → 2×2
        x = x.permute(0, 2, 3, 1)                      # channels last, then flattened
        return self.fc(torch.flatten(x, 1))


def load_data(seed=0):
    digits = load_digits()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(digits.target))
    x = torch.tensor(digits.data[order] / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target[order], dtype=torch.long)
    n_test = len(y) // 5
    x_train, y_train, x_test, y_test = x[n_test:], y[n_test:], x[:n_test], y[:n_test]
    mean = x_train.mean(dim=0, keepdim=True)
    std = x_train.std(dim=0, keepdim=True).clamp(min=1e-3)
    return (x_train - mean) / std, y_train, (x_test - mean) / std, y_test


def evaluate(model, loader, device):
    model.eval()
    logits, labels = [], []
    with torch.no_grad():
        for xb, yb in loader:
            logits.append(model(xb.to(device)))
            labels.append(yb.to(device))
    logits, labels = torch.cat(logits, dim=0), torch.cat(labels, dim=0)
    probs = F.softmax(logits, dim=1)
    confidence = probs.max(dim=1).values.mean().item()
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return accuracy, confidence


def train(model, train_loader, test_loader, device, epochs, lr=3e-3):
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 2),
                                                gamma=0.5)
    losses = []
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for xb, yb in train_loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
            total += loss.item() * xb.shape[0]
            count += xb.shape[0]
        scheduler.step()
        losses.append(total / count)
        accuracy, _ = evaluate(model, test_loader, device)
        print(f"  epoch {epoch + 1:2d}  loss {losses[-1]:.4f}  test accuracy {accuracy:.3f}"
              f"  lr {scheduler.get_last_lr()[0]:.5f}")
    return losses


def main(epochs=None):
    if epochs is None:
        epochs = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("DIGITS_EPOCHS", 10))
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    x_train, y_train, x_test, y_test = load_data()
    generator = torch.Generator().manual_seed(0)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True,
                              generator=generator)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=256)

    # a look at the data: per-image brightness, and one image as (H, W, C)
    images = x_train.view(-1, 1, 8, 8)
    brightness = images.flatten(1).mean(dim=1, keepdim=True)
    first = images[0].permute(1, 2, 0)
    print(f"{len(x_train)} training and {len(x_test)} test images; image 0 is "
          f"{tuple(first.shape)}, brightness {brightness[0].item():+.3f}")

    results = {}
    for name, model in (("mlp", MLP()), ("cnn", CNN())):
        model = model.to(device)
        print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters")
        losses = train(model, train_loader, test_loader, device, epochs)

        path = os.path.join(tempfile.mkdtemp(), f"digits_{name}.pt")
        torch.save({"model": model.state_dict(), "epoch": epochs, "loss": losses[-1]}, path)
        checkpoint = torch.load(path)
        fresh = (MLP() if name == "mlp" else CNN()).to(device)
        fresh.load_state_dict(checkpoint["model"])
        accuracy, confidence = evaluate(fresh, test_loader, device)

        one = x_test[0].unsqueeze(0).to(device)
        with torch.no_grad():
            guess = fresh(one).argmax(dim=1).item()
        print(f"{name}: test accuracy {accuracy:.3f} (reloaded from epoch "
              f"{checkpoint['epoch']}), mean confidence {confidence:.3f}, "
              f"first test image read as {guess} (label {y_test[0].item()})")
        results[name] = {"losses": losses, "accuracy": accuracy}
    return results


if __name__ == "__main__":
    main()
