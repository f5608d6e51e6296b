"""examples/char_lm.py: a short run of the character-level LSTM learns (its loss falls), samples
text, plots and writes a checkpoint that loads back."""
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import wengert as wg

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def char_lm():
    spec = importlib.util.spec_from_file_location("char_lm_example",
                                                  ROOT / "examples" / "char_lm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_text_is_shipped_and_encoded(char_lm):
    ids, vocab = char_lm.load_text()
    text = (ROOT / "examples" / "data" / "lighthouse.txt").read_text(encoding="utf-8")
    assert 3000 < len(text.encode()) < 20000
    assert ids.dtype == np.int64 and len(ids) == len(text)
    assert "".join(vocab[i] for i in ids) == text
    x, y = next(char_lm.batches(ids, 10, 4, np.random.default_rng(0)))
    assert x.shape == y.shape == (4, 10)
    np.testing.assert_array_equal(x.numpy()[:, 1:], y.numpy()[:, :-1])


def test_short_run_learns_and_samples(char_lm, tmp_path, capsys):
    out, ckpt = tmp_path / "curves.png", tmp_path / "ckpt.safetensors"
    args = ["--steps", "40", "--hidden", "32", "--embed", "16", "--seq-len", "24",
            "--batch-size", "8", "--sample", "40", "--quiet", "--save", str(ckpt)]
    try:
        import matplotlib  # noqa: F401
        args += ["--plot", str(out)]
    except ImportError:
        out = None
    hist = char_lm.run(args)
    _, vocab = char_lm.load_text()
    assert len(hist["loss"]) == 40
    # from about ln V (a uniform guess) to clearly better, on training and held-out text
    assert abs(hist["loss"][0] - math.log(len(vocab))) < 0.3
    assert np.mean(hist["loss"][-5:]) < hist["loss"][0] - 0.6
    assert hist["val_loss"][-1] < hist["val_loss"][0] - 0.6
    assert hist["sample"].startswith("The keeper") and len(hist["sample"]) == 50
    assert set(hist["sample"]) <= set(vocab)
    text = capsys.readouterr().out
    assert "held-out loss" in text and "sample:" in text
    if out is not None:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if ckpt.exists():                       # written when safetensors is installed
        back = wg.load(ckpt)
        assert back["vocab"] == vocab and back["step"] == 40
        fresh = char_lm.CharLM(len(vocab), 16, 32)
        fresh.load_state_dict(back["model"])


def test_bad_options_exit_2(char_lm, capsys):
    with pytest.raises(SystemExit) as e:
        char_lm.main(["--steps", "0"])
    assert e.value.code == 2
    assert "--steps must be at least 1" in capsys.readouterr().err


def test_prompt_outside_the_alphabet_is_an_error(char_lm):
    ids, vocab = char_lm.load_text()
    model = char_lm.CharLM(len(vocab), 4, 4)
    with pytest.raises(ValueError, match="never uses"):
        char_lm.sample(model, vocab, "The ~keeper", 5)
