import os
import sys

import numpy as np
import pytest

import wengert as wg
from wengert.serialization import load, save

pytest.importorskip("safetensors")


def test_round_trip_dtypes_and_shapes(tmp_path):
    rng = np.random.default_rng(0)
    sd = {"f32": rng.standard_normal((3, 4)).astype(np.float32),
          "f64": rng.standard_normal(5),
          "i64": np.arange(-3, 3, dtype=np.int64).reshape(2, 3),
          "scalar": np.array(2.5, dtype=np.float32),
          "empty": np.zeros((0, 3)),
          "flags": np.array([True, False])}
    save(sd, tmp_path / "w.safetensors")
    out = load(tmp_path / "w.safetensors")
    assert set(out) == set(sd)
    for k, a in sd.items():
        t = out[k]
        assert type(t) is np.ndarray and t.flags.writeable      # an ndarray comes back as one
        assert t.dtype == a.dtype and t.shape == a.shape
        np.testing.assert_array_equal(t, a)
    save({k: wg.tensor(a) for k, a in sd.items()}, tmp_path / "t.safetensors")
    for k, t in load(tmp_path / "t.safetensors").items():
        assert isinstance(t, wg.Tensor) and not t.requires_grad and t.is_leaf
        assert t.dtype == sd[k].dtype and t.shape == sd[k].shape
        np.testing.assert_array_equal(t.numpy(), sd[k])


def test_model_like_dict_of_tensors(tmp_path):
    sd = {"0.weight": wg.randn(8, 4).astype(wg.float32).requires_grad_(),
          "0.bias": wg.zeros(8, dtype=wg.float32, requires_grad=True),
          "bn.running_mean": wg.ones(8, dtype=wg.float32),
          "bn.num_batches_tracked": wg.tensor(7)}
    path = str(tmp_path / "model.safetensors")
    save(sd, path)
    out = load(path)
    for k, t in sd.items():
        np.testing.assert_array_equal(out[k].numpy(force=True), t.numpy(force=True))
        assert out[k].dtype == t.dtype
    out["0.weight"] += 1.0                     # loaded values are ordinary writable tensors
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors"]


def test_non_contiguous_and_big_endian_arrays(tmp_path):
    a = np.arange(24.0).reshape(4, 6)
    sd = {"t": a.T, "step": a[:, ::2], "be": np.arange(5, dtype=">f8"),
          "tensor_view": wg.tensor(a).T}
    save(sd, tmp_path / "x.safetensors")
    out = load(tmp_path / "x.safetensors")
    for k, v in sd.items():
        np.testing.assert_array_equal(np.asarray(out[k]), np.asarray(v))
    assert out["be"].dtype == np.float64


def test_file_is_safetensors_not_pickle(tmp_path):
    path = tmp_path / "x.safetensors"
    save({"a": np.ones(2)}, path, metadata={"format": "np"})
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = raw[8:8 + n]
    assert header.startswith(b"{") and b'"a"' in header and b'"format"' in header
    assert not raw.startswith(b"\x80")           # a pickle would begin with its protocol byte


@pytest.mark.parametrize("bad, match", [
    ({"a": {1, 2}}, r"obj\['a'\] is a set, which a checkpoint cannot hold"),
    ({"a": [1.0, lambda e: e]}, r"obj\['a'\]\[1\] is a function.*never pickle"),
    ({"a": {"b": object()}}, r"obj\['a'\]\['b'\] is a object"),
    ({"a": 1 + 2j}, "is a complex"),
    ({"a": b"raw"}, "is a bytes"),
    ({"a": np.datetime64("2020-01-01")}, r"obj\['a'\] has dtype datetime64\[D\]"),
    ({frozenset([1]): 1.0}, "dict keys must be"),
    ({"a": np.array(["x"])}, "cannot store"),
    ({"a": np.array([None])}, "cannot store"),
    ({"a": np.zeros(2, np.complex128)}, "cannot store"),
])
def test_bad_entries_are_type_errors(tmp_path, bad, match):
    with pytest.raises(TypeError, match=match):
        save(bad, tmp_path / "x.safetensors")
    assert not os.listdir(tmp_path)


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="metadata"):
        save({"a": np.ones(2)}, tmp_path / "x.safetensors", metadata={"n": 3})
    with pytest.raises(ValueError, match="wengert's own"):
        save({"a": np.ones(2)}, tmp_path / "x.safetensors",
             metadata={"wengert.checkpoint": "{}"})
    cyclic = {"a": []}
    cyclic["a"].append(cyclic)
    with pytest.raises(ValueError, match=r"obj\['a'\]\[0\] contains itself"):
        save(cyclic, tmp_path / "x.safetensors")
    assert not os.listdir(tmp_path)


def _good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    save({"w": np.arange(12.0).reshape(3, 4), "b": np.ones(3, np.float32)}, path)
    return path.read_bytes()


def _corruptions(raw):
    n = int.from_bytes(raw[:8], "little")
    header = raw[8:8 + n]
    return {
        "truncated data": raw[:-7],
        "truncated header": raw[:8 + n // 2],
        "only the length": raw[:8],
        "shorter than the length": raw[:5],
        "empty": b"",
        "garbage": np.random.default_rng(0).bytes(200),
        "text": b"this is not a safetensors file\n",
        "header not JSON": raw[:8] + header.replace(b'"', b"'", 3) + raw[8 + n:],
        "huge header length": (2 ** 40).to_bytes(8, "little") + raw[8:],
        "offsets out of range": raw[:8] + header.replace(b'"data_offsets":[0,', b'"data_offsets":[9,', 1)
                                + raw[8 + n:],
        "wrong dtype": raw[:8] + header.replace(b'"F64"', b'"X64"', 1) + raw[8 + n:],
    }


@pytest.mark.parametrize("kind", list(_corruptions(b"\x10" + b"\0" * 7 + b"{}" * 8)))
def test_corrupt_files_name_the_path(tmp_path, kind):
    bad = _corruptions(_good_file(tmp_path))[kind]
    path = tmp_path / "bad.safetensors"
    path.write_bytes(bad)
    with pytest.raises(ValueError, match="not a valid safetensors file") as e:
        load(path)
    assert str(path) in str(e.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        load(tmp_path / "nope.safetensors")
    with pytest.raises(OSError, match="directory"):
        load(tmp_path)


def test_clear_import_error_without_safetensors(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"pip install 'wengert\[io\]'"):
        save({"a": np.ones(2)}, tmp_path / "x.safetensors")
    with pytest.raises(ImportError, match=r"wengert\[io\]"):
        load(tmp_path / "x.safetensors")


# ---- bfloat16 --------------------------------------------------------------------------------------

def _write_safetensors(path, entries):
    """A safetensors file written by hand (safetensors.numpy cannot write BF16): an 8-byte
    little-endian header length, the JSON header, then the raw bytes."""
    import json
    import struct
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, raw) in entries.items():
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def _bf16_bits(x):
    """The bfloat16 numbers closest below x's float32 values (upper 16 bits)."""
    return (np.asarray(x, np.float32).view(np.uint32) >> 16).astype("<u2")


def test_bf16_loads_as_float32_exactly(tmp_path):
    x = np.array([[1.0, -2.5, 3.140625], [1e-3, 65280.0, -0.0]], np.float32)
    bits = _bf16_bits(x)
    want = (bits.astype(np.uint32) << 16).view(np.float32)
    other = np.arange(3, dtype=np.int64)
    p = tmp_path / "bf16.safetensors"
    _write_safetensors(p, {"w": ("BF16", x.shape, bits.tobytes()),
                           "empty": ("BF16", (0, 4), b""),
                           "n": ("I64", other.shape, other.astype("<i8").tobytes())})
    got = wg.load(p)
    assert got["w"].dtype == np.float32 and got["w"].shape == (2, 3)
    np.testing.assert_array_equal(got["w"].numpy(), want)
    np.testing.assert_array_equal(got["w"].numpy()[0], [1.0, -2.5, 3.140625])
    assert got["empty"].shape == (0, 4) and got["empty"].dtype == np.float32
    np.testing.assert_array_equal(got["n"].numpy(), other)
    got["w"][0, 0] = 7.0                    # writable, like every loaded tensor
    assert got["w"].numpy()[0, 0] == 7.0
    # the safetensors package agrees on the layout (its torch-free check: bytes and header)
    safetensors = pytest.importorskip("safetensors")
    with safetensors.safe_open(str(p), framework="numpy") as f:
        assert sorted(f.keys()) == ["empty", "n", "w"]


def test_bf16_file_with_bad_offsets_names_the_path(tmp_path):
    p = tmp_path / "bad.safetensors"
    _write_safetensors(p, {"w": ("BF16", (4,), b"\x00\x3f" * 3)})
    with pytest.raises(ValueError, match="bad.safetensors.*data_offsets"):
        wg.load(p)


def test_a_checkpoint_nested_too_deeply_is_a_value_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.safetensors"
    deep = 1.0
    for _ in range(5000):
        deep = {"k": [deep]}
    with pytest.raises(ValueError, match="nested too deeply"):
        wg.save(deep, path)
    assert not path.exists()
    shallow = 1.0
    for _ in range(50):
        shallow = {"k": [shallow]}
    wg.save({"tree": shallow, "t": wg.ones(2)}, path)
    back = wg.load(path)["tree"]
    for _ in range(50):
        back = back["k"][0]
    assert back == 1.0
