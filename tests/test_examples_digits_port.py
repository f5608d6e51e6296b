"""examples/digits_pytorch.py and examples/digits_wengert.py: one PyTorch training script, the
wengert copy differing only in its import lines; both learn, and learn alike."""
import difflib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

ROOT = Path(__file__).resolve().parents[1]
PYTORCH, WENGERT = ROOT / "examples" / "digits_pytorch.py", ROOT / "examples" / "digits_wengert.py"
EPOCHS = 3


def _load(path):
    spec = importlib.util.spec_from_file_location(path.stem + "_example", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_files_differ_only_in_their_import_lines():
    a = PYTORCH.read_text(encoding="utf-8").splitlines()
    b = WENGERT.read_text(encoding="utf-8").splitlines()
    removed = [l[1:] for l in difflib.unified_diff(a, b, lineterm="", n=0)
               if l.startswith("-") and not l.startswith("---")]
    added = [l[1:] for l in difflib.unified_diff(a, b, lineterm="", n=0)
             if l.startswith("+") and not l.startswith("+++")]
    assert sorted(removed) == sorted(["import torch", "import torch.nn as nn",
                                      "import torch.nn.functional as F",
                                      "from torch.utils.data import DataLoader, TensorDataset"])
    assert sorted(added) == sorted(["import wengert as torch", "import wengert.nn as nn",
                                    "import wengert.nn.functional as F",
                                    "from wengert.utils.data import DataLoader, TensorDataset"])
    # the script uses what the port was about
    for used in ("torch.flatten(x, 1)", "x.view(-1, 1, 8, 8)", "argmax(dim=1)",
                 "torch.cat(logits, dim=0)", ".unsqueeze(0)", ".permute(0, 2, 3, 1)",
                 "mean(dim=1, keepdim=True)", ".max(dim=1).values", "torch.no_grad()",
                 "weight_decay=", "StepLR", "clip_grad_norm_", ".to(device)",
                 "torch.Generator().manual_seed(0)", "torch.save(", "torch.load(",
                 "load_state_dict", "model.eval()", "model.train()", "nn.CrossEntropyLoss()"):
        assert used in "\n".join(a), used


@pytest.fixture(scope="module")
def wengert_results():
    return _load(WENGERT).main(EPOCHS)


def test_the_wengert_port_learns(wengert_results, capsys):
    for name, r in wengert_results.items():
        assert len(r["losses"]) == EPOCHS
        assert r["losses"][-1] < 0.5 * r["losses"][0], (name, r["losses"])
        assert r["accuracy"] > 0.8, (name, r["accuracy"])     # chance is 0.1
    assert set(wengert_results) == {"mlp", "cnn"}


def test_the_pytorch_original_learns_alike(wengert_results):
    pytest.importorskip("torch")
    ours = wengert_results
    theirs = _load(PYTORCH).main(EPOCHS)
    for name in ("mlp", "cnn"):
        # different random streams (initial weights, shuffles, dropout): similar, not equal
        assert abs(ours[name]["accuracy"] - theirs[name]["accuracy"]) < 0.06, name
        for a, b in zip(ours[name]["losses"], theirs[name]["losses"]):
            assert abs(a - b) < 0.25 * max(a, b), (name, ours[name]["losses"],
                                                   theirs[name]["losses"])


def test_the_wengert_script_runs_as_a_program_with_the_epochs_variable():
    env = dict(os.environ, DIGITS_EPOCHS="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, str(WENGERT)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("epoch  1") == 2 and "epoch  2" not in done.stdout
    assert "mlp: test accuracy" in done.stdout and "(reloaded from epoch 1)" in done.stdout
