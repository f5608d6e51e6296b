"""`wengert demo`: the seeds' derivatives three ways, the Hessian line, two-moons training."""
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

from wengert import demo

ROOT = Path(__file__).resolve().parents[1]


def _rows(table):
    """{name: (reverse, forward, finite differences)} from a derivative table."""
    return {m[1]: tuple(float(v) for v in m.group(2, 3, 4))
            for m in re.finditer(r"∂/∂(\w+)\s+(\S+)\s+(\S+)\s+(\S+)", table)}


@pytest.mark.parametrize("k, value, partials", [
    (0, -3.74, {"a": -1.7, "b": 2.2, "c": 2.2}),
    (1, 42.0, {"x": 24.0, "y": 10.0}),
])
def test_derivative_table_three_ways(k, value, partials):
    title, f, point = demo.SEEDS[k]
    table = demo.derivative_table(title, f, point)
    assert f"= {value:g}" in table.splitlines()[0]
    rows = _rows(table)
    assert set(rows) == set(partials)
    for name, (rev, fwd, num) in rows.items():
        assert rev == pytest.approx(partials[name], abs=1e-12)
        assert fwd == pytest.approx(partials[name], abs=1e-12)
        assert num == pytest.approx(partials[name], abs=1e-8)


def test_table_columns_aligned():
    table = demo.derivative_table(*demo.SEEDS[0])
    lines = table.splitlines()[1:]
    assert len({len(line) for line in lines}) == 1


def test_hessian_line():
    assert "[[8, 6], [6, 0]]" in demo.hessian_line()


def test_main_no_train(capsys):
    assert demo.main(["--no-train"]) == 0
    out = capsys.readouterr().out
    assert "d = -3.74" in out and "f = 42" in out
    assert {"a", "b", "c", "x", "y"} <= set(_rows(out))
    assert "[[8, 6], [6, 0]]" in out
    assert "Training" not in out


def test_main_quiet_trains_to_high_accuracy(capsys):
    assert demo.main(["--quiet", "--epochs", "15", "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""                       # --quiet: no progress bar
    assert "d = -3.74" in captured.out and "f = 42" in captured.out
    m = re.search(r"train ([\d.]+)%, held-out ([\d.]+)%", captured.out)
    assert m, captured.out
    assert float(m[1]) > 95 and float(m[2]) > 95


def test_training_is_deterministic_under_seed():
    a = demo.train_moons(seed=3, epochs=2, n_train=256, n_test=128, show_progress=False)
    b = demo.train_moons(seed=3, epochs=2, n_train=256, n_test=128, show_progress=False)
    assert (a["loss"], a["train_acc"], a["test_acc"]) == (b["loss"], b["train_acc"],
                                                           b["test_acc"])
    assert a["steps"] == 2 * 4


@pytest.mark.parametrize("argv", [["--bogus"], ["--epochs", "many"], ["--epochs", "0"]])
def test_bad_option_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        demo.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_make_moons():
    x, y = demo.make_moons(201, rng=0)
    assert x.shape == (201, 2) and x.dtype == np.float32
    assert y.dtype == np.int64 and np.bincount(y).tolist() == [100, 101]
    x2, y2 = demo.make_moons(201, rng=0)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    # Noise-free, each moon lies on its circle: the upper one of radius 1 about the origin.
    x0, y0 = demo.make_moons(50, noise=0.0, rng=1)
    np.testing.assert_allclose(np.hypot(*x0[y0 == 0].T), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(x0[y0 == 1, 0] - 1, x0[y0 == 1, 1] - 0.5), 1.0,
                               rtol=1e-6)


def test_progress_falls_back_to_lines_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)       # import tqdm now raises ImportError
    bar = demo.progress(range(20), 20, "training")
    seen = []
    for i in bar:
        seen.append(i)
        bar.set_postfix(loss=0.5)
    bar.close()
    assert seen == list(range(20))
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 10 and lines[-1] == "training: 20/20 loss=0.5"


def test_progress_uses_tqdm_when_installed(capsys):
    tqdm = pytest.importorskip("tqdm")
    bar = demo.progress(range(3), 3, "training")
    assert isinstance(bar, tqdm.tqdm)
    assert list(bar) == [0, 1, 2]
    bar.close()
    assert "training" in capsys.readouterr().err


def test_progress_disabled_is_silent(capsys):
    bar = demo.progress(range(3), 3, "training", enabled=False)
    bar.set_postfix(loss=1.0)
    assert list(bar) == [0, 1, 2]
    assert capsys.readouterr() == ("", "")


def test_seeds_example_uses_the_shared_table(capsys):
    runpy.run_path(str(ROOT / "examples" / "seeds.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert out.count("reverse mode") == 2
    assert set(_rows(out)) == {"a", "b", "c", "x", "y"}
