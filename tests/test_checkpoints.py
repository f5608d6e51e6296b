"""wg.save / wg.load of whole checkpoints: nested structures round-trip exactly, a resumed run
continues the same trajectory, the file stays plain safetensors (no pickle), errors."""
import json
import math

import numpy as np
import pytest

import wengert as wg
from wengert import nn, optim
from wengert.optim import lr_scheduler as L

pytest.importorskip("safetensors")


def _same(a, b, where="obj"):
    """a and b equal in type, structure, dtype, shape and value (NaN equal to NaN)."""
    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, (wg.Tensor, np.ndarray, np.generic)):
        x = a.numpy(force=True) if isinstance(a, wg.Tensor) else np.asarray(a)
        y = b.numpy(force=True) if isinstance(b, wg.Tensor) else np.asarray(b)
        assert x.dtype == y.dtype and x.shape == y.shape, where
        np.testing.assert_array_equal(x, y, err_msg=where)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, where


def test_nested_checkpoint_round_trips_exactly(tmp_path):
    rng = np.random.default_rng(0)
    obj = {
        "model": {"0.weight": wg.tensor(rng.standard_normal((3, 2)), dtype=wg.float32),
                  "0.bias": wg.zeros(3, dtype=wg.float16), "n": wg.tensor(7)},
        "optimizer": {"state": {0: {"step": 4, "exp_avg": rng.standard_normal((3, 2))}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1]}]},
        "epoch": 12, "best": float("inf"), "worst": -math.inf, "undefined": float("nan"),
        "meta": {"name": "run α", "tags": ["a", "b"], "done": False, "note": None,
                 "$odd": 1, "ratio": 0.1 + 0.2},
        "scalars": [np.float32(1.5), np.int64(-3), np.bool_(True), np.uint8(200)],
        "mixed keys": {1: "one", "1": "string one", 2.5: [], None: (), (1, "x"): {}},
        "empty": {}, "arrays": [np.zeros((0, 4), np.int32), np.arange(6, dtype=np.int32)[::2],
                                np.array(3 + 4j, np.complex64), np.array([True, False])],
        "top tuple": (1, (2.0, "3")),
    }
    path = tmp_path / "ckpt.safetensors"
    wg.save(obj, path)
    back = wg.load(path)
    _same(obj, back)
    assert back["optimizer"]["state"][0]["exp_avg"].flags.writeable
    t = back["model"]["0.weight"]
    assert t.is_leaf and not t.requires_grad


def test_top_level_values_of_any_supported_kind(tmp_path):
    for obj in ([wg.ones(2), 3], wg.arange(4.0), 5, "text", None, (np.eye(2),)):
        wg.save(obj, tmp_path / "x.safetensors")
        _same(obj, wg.load(tmp_path / "x.safetensors"))


def test_shared_objects_are_stored_once_and_stay_shared(tmp_path):
    t, a = wg.ones(3), np.zeros(2)
    wg.save({"p": t, "q": t, "r": [a, a]}, tmp_path / "s.safetensors")
    back = wg.load(tmp_path / "s.safetensors")
    assert back["p"] is back["q"] and back["r"][0] is back["r"][1]
    import safetensors
    with safetensors.safe_open(str(tmp_path / "s.safetensors"), framework="numpy") as f:
        assert sorted(f.keys()) == ["p", "r.0"]


def test_file_is_plain_safetensors_with_json_structure(tmp_path):
    model = nn.Linear(3, 2)
    path = tmp_path / "m.safetensors"
    wg.save({"model": model.state_dict(), "epoch": 3}, path, metadata={"author": "me"})
    raw = path.read_bytes()
    assert not raw.startswith(b"\x80")                 # not a pickle
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    assert set(header) == {"__metadata__", "model.weight", "model.bias"}
    meta = header["__metadata__"]
    assert meta["author"] == "me"
    doc = json.loads(meta["wengert.checkpoint"])      # the structure is plain JSON
    assert doc["tree"] == {"model": {"weight": {"$tensor": "model.weight"},
                                     "bias": {"$tensor": "model.bias"}}, "epoch": 3}
    # any safetensors reader sees the tensors under their paths
    import safetensors.numpy
    plain = safetensors.numpy.load_file(str(path))
    np.testing.assert_array_equal(plain["model.weight"], model.weight.numpy(force=True))


def test_foreign_and_flat_files_load_as_dicts_of_tensors(tmp_path):
    import safetensors.numpy
    safetensors.numpy.save_file({"w": np.ones((2, 2), np.float32)}, str(tmp_path / "f.st"))
    back = wg.load(tmp_path / "f.st")
    assert list(back) == ["w"] and isinstance(back["w"], wg.Tensor)
    model = nn.Linear(2, 2)
    wg.save(model.state_dict(), tmp_path / "m.st")
    plain = safetensors.numpy.load_file(str(tmp_path / "m.st"))
    assert sorted(plain) == ["bias", "weight"]         # a flat state_dict keeps its names
    fresh = nn.Linear(2, 2)
    fresh.load_state_dict(wg.load(tmp_path / "m.st"))
    np.testing.assert_array_equal(fresh.weight.numpy(force=True), model.weight.numpy(force=True))


def _tamper(path, change):
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    change(header["__metadata__"])
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n:])


@pytest.mark.parametrize("change, error, match", [
    (lambda m: m.update({"wengert.checkpoint": "{not json"}), ValueError, "not the JSON"),
    (lambda m: m.update({"wengert.checkpoint": '{"version": 99, "tree": 1}'}), ValueError,
     "newer wengert"),
    (lambda m: m.update({"wengert.checkpoint": '{"version": 1, "tree": {"$tensor": "zz"}}'}),
     ValueError, "array 'zz' that the file does not hold"),
    (lambda m: m.update({"wengert.checkpoint": '{"version": 1, "tree": {"$pickle": "x"}}'}),
     ValueError, "unknown entry"),
    (lambda m: m.update({"wengert.checkpoint": '{"version": 1, "tree": {"$dict": [[[1], 2]]}}'}),
     ValueError, "not hashable"),
])
def test_corrupt_structure_is_a_clear_error(tmp_path, change, error, match):
    path = tmp_path / "c.safetensors"
    wg.save({"a": wg.ones(2), "b": 1}, path)
    _tamper(path, change)
    with pytest.raises(error, match=match) as e:
        wg.load(path)
    assert str(path) in str(e.value)


# ---- resuming training -------------------------------------------------------------------------

RNG = np.random.default_rng(3)
DATA = [(RNG.standard_normal((8, 3)).astype(np.float32),
         RNG.standard_normal((8, 2)).astype(np.float32)) for _ in range(10)]


def _setup(make_opt, make_sched):
    wg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 6), nn.Tanh(), nn.Dropout(0.0), nn.Linear(6, 2),
                          nn.BatchNorm1d(2))
    opt = make_opt(model)
    return model, opt, make_sched(opt)


def _train(model, opt, sched, steps, plateau=False):
    for xb, yb in steps:
        opt.zero_grad()
        loss = ((model(wg.tensor(xb)) - wg.tensor(yb)) ** 2).mean()
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step(loss.item()) if plateau else sched.step()


RESUMES = [
    ("Adam+StepLR", lambda m: optim.Adam(m.parameters(), lr=0.01, weight_decay=0.01),
     lambda o: L.StepLR(o, step_size=3, gamma=0.5)),
    ("SGD+OneCycleLR", lambda m: optim.SGD(m.parameters(), lr=0.1, momentum=0.9),
     lambda o: L.OneCycleLR(o, max_lr=0.2, total_steps=12)),
    ("RMSprop+Plateau", lambda m: optim.RMSprop(m.parameters(), lr=0.01, centered=True),
     lambda o: L.ReduceLROnPlateau(o, patience=0, factor=0.5)),
    ("AdamW-amsgrad+Cosine", lambda m: optim.AdamW(m.parameters(), lr=0.01, amsgrad=True),
     lambda o: L.CosineAnnealingLR(o, T_max=6)),
    ("Adagrad", lambda m: optim.Adagrad(m.parameters(), lr=0.1, lr_decay=0.01),
     lambda o: None),
]


@pytest.mark.parametrize("name, make_opt, make_sched", RESUMES, ids=[r[0] for r in RESUMES])
def test_resuming_from_a_checkpoint_continues_the_same_trajectory(tmp_path, name, make_opt,
                                                                  make_sched):
    plateau = "Plateau" in name
    straight = _setup(make_opt, make_sched)
    _train(*straight, DATA, plateau)

    first = _setup(make_opt, make_sched)
    _train(*first, DATA[:5], plateau)
    model, opt, sched = first
    ckpt = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 5,
            "meta": {"lr": opt.param_groups[0]["lr"], "note": "half way"}}
    if sched is not None:
        ckpt["scheduler"] = sched.state_dict()
    wg.save(ckpt, tmp_path / "ckpt.safetensors")
    del first, model, opt, sched

    wg.manual_seed(123)                                 # a fresh start with other weights
    model, opt, sched = _setup(make_opt, make_sched)
    back = wg.load(tmp_path / "ckpt.safetensors")
    model.load_state_dict(back["model"])
    opt.load_state_dict(back["optimizer"])
    if sched is not None:
        sched.load_state_dict(back["scheduler"])
    assert back["epoch"] == 5 and back["meta"]["note"] == "half way"
    _train(model, opt, sched, DATA[back["epoch"]:], plateau)

    for (k, a), b in zip(straight[0].state_dict().items(), model.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(force=True), b.numpy(force=True), err_msg=k)
    assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in straight[1].param_groups]
