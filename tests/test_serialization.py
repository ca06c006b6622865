"""nn.save / nn.load / nn.save_state / nn.load_state: round trips, the file format, and bad
files (truncated, not an npz, missing or mismatched arrays, bad JSON) that must give a clear
error naming the file, and writes that a crash cannot half-finish."""

import io
import json
import os
import stat
import zipfile

import numpy as np
import pytest

from autograd import nn
from autograd.nn import serialization
from autograd.tensor import Tensor

X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


def every_layer_model():
    return nn.Sequential(
        nn.Linear(4, 6, init="he_normal", rng=1),
        nn.ReLU(),
        nn.Linear(6, 5, rng=2),
        nn.LeakyReLU(0.1),
        nn.Sequential(nn.Linear(5, 5, bias=False, rng=3), nn.ELU(0.5), nn.Dropout(0.2)),
        nn.Tanh(),
        nn.Linear(5, 3, rng=4),
        nn.Sigmoid(),
        nn.Identity(),
        nn.Softmax(axis=1),
    )


def outputs(model, x=X):
    return model(Tensor(x)).data


def with_bias_noise(model):
    """Non-zero biases, so a load that dropped them would be noticed."""
    rng = np.random.default_rng(9)
    for name, p in model.named_parameters():
        if name.endswith("bias"):
            p.data[...] = rng.standard_normal(p.shape)
    return model


# --- round trips --------------------------------------------------------------------------------
def test_save_load_round_trip_gives_identical_outputs(tmp_path):
    model = with_bias_noise(every_layer_model()).eval()
    path = nn.save(model, tmp_path / "model.npz")
    assert path == tmp_path / "model.npz"
    loaded = nn.load(path)
    assert repr(loaded) == repr(model)
    assert not loaded.training  # saved in eval mode
    np.testing.assert_array_equal(outputs(loaded), outputs(model))
    for (name_a, a), (name_b, b) in zip(model.named_parameters(), loaded.named_parameters()):
        assert name_a == name_b and a.dtype == b.dtype == np.float32
        np.testing.assert_array_equal(a.data, b.data)


def test_training_mode_and_float64_are_kept(tmp_path):
    model = nn.Sequential(nn.Linear(4, 2, rng=0, dtype=np.float64), nn.Dropout(0.5))
    loaded = nn.load(nn.save(model, tmp_path / "m.npz"))
    assert loaded.training and loaded[1].training
    assert loaded[0].weight.dtype == np.float64
    np.testing.assert_array_equal(loaded[0].weight.data, model[0].weight.data)


def test_a_single_built_in_layer_round_trips(tmp_path):
    layer = with_bias_noise(nn.Sequential(nn.Linear(4, 2, rng=0)))[0]
    loaded = nn.load(nn.save(layer, tmp_path / "layer.npz"))
    assert type(loaded) is nn.Linear
    np.testing.assert_array_equal(outputs(loaded), outputs(layer))


def test_npz_suffix_is_added_and_found(tmp_path):
    model = nn.Sequential(nn.Linear(4, 2, rng=0))
    path = nn.save(model, tmp_path / "mlp")
    assert path == tmp_path / "mlp.npz" and path.is_file()
    assert not (tmp_path / "mlp").exists()
    np.testing.assert_array_equal(outputs(nn.load(tmp_path / "mlp")), outputs(model))
    np.testing.assert_array_equal(outputs(nn.load(str(path))), outputs(model))


def test_file_is_a_plain_npz_readable_without_pickle(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    path = nn.save(model, tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == sorted(
            ["__architecture__", "0.weight", "0.bias", "2.weight", "2.bias"]
        )
        header = json.loads(str(f["__architecture__"]))
        np.testing.assert_array_equal(f["2.weight"], model[2].weight.data)
    assert header["format"] == "autograd-lab" and header["version"] == 1
    assert header["model"]["layers"][1] == {"type": "Tanh", "config": {}}
    assert header["model"]["layers"][0]["config"] == {
        "in_features": 4,
        "out_features": 3,
        "bias": True,
        "dtype": "float32",
    }
    assert header["parameters"]["0.weight"] == {"shape": [3, 4], "dtype": "float32"}


def test_new_files_get_the_usual_permissions(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = nn.save(nn.Sequential(nn.Identity()), tmp_path / "m.npz")
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


# --- custom modules: weights only ---------------------------------------------------------------
class Skip(nn.Module):
    def __init__(self, rng=0):
        super().__init__()
        self.hidden = nn.Linear(4, 3, rng=rng)
        self.out = nn.Linear(7, 2, rng=rng + 1)

    def forward(self, x):
        from autograd.functional import concatenate

        return self.out(concatenate([x, self.hidden(x).tanh()], axis=1))


def test_custom_module_cannot_be_described_and_says_what_to_do(tmp_path):
    with pytest.raises(TypeError, match=r"model \(Skip\).*nn.save_state\(model, path\)"):
        nn.save(Skip(), tmp_path / "skip.npz")
    wrapped = nn.Sequential(nn.Linear(4, 4, rng=0), Skip())
    with pytest.raises(TypeError, match=r"model\[1\] \(Skip\)"):
        nn.save(wrapped, tmp_path / "skip.npz")
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_layer_used_twice_is_refused_not_saved_unloadable(tmp_path):
    shared = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(shared, nn.Tanh(), shared)  # tied weights: state_dict lists them once
    with pytest.raises(TypeError, match=r"model\[2\]: it is the same layer object as model\[0\]"):
        nn.save(model, tmp_path / "tied.npz")
    assert not list(tmp_path.iterdir())
    # one activation object used twice has no weights to share: saved and rebuilt as two
    act = nn.Tanh()
    model = nn.Sequential(nn.Linear(3, 3, rng=0), act, nn.Linear(3, 3, rng=1), act)
    loaded = nn.load(nn.save(model, tmp_path / "ok"))
    np.testing.assert_array_equal(outputs(loaded, X[:, :3]), outputs(model, X[:, :3]))


def test_save_state_load_state_round_trip_for_a_custom_module(tmp_path):
    model = with_bias_noise(Skip(rng=0))
    path = nn.save_state(model, tmp_path / "skip")
    assert path.name == "skip.npz"
    fresh = Skip(rng=10)
    fresh.load_state_dict(nn.load_state(path))
    np.testing.assert_array_equal(outputs(fresh), outputs(model))
    with pytest.raises(nn.CheckpointError, match="weights only.*load_state_dict"):
        nn.load(path)
    # load_state also reads a full model file
    full = nn.save(nn.Sequential(nn.Linear(4, 2, rng=0)), tmp_path / "full.npz")
    assert sorted(nn.load_state(full)) == ["0.bias", "0.weight"]


# --- bad files ----------------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1))
    return model, nn.save(model, tmp_path / "model.npz")


def rewrite(path, arrays, header=None):
    """Write an npz by hand, optionally with a changed header (a dict or raw text)."""
    arrays = dict(arrays)
    if header is not None:
        text = header if isinstance(header, str) else json.dumps(header)
        arrays["__architecture__"] = np.array(text)
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def contents(path):
    with np.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files}
    header = json.loads(str(arrays.pop("__architecture__")))
    return header, arrays


def test_truncated_file(saved):
    _, path = saved
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 30, 100):
        path.write_bytes(data[:cut])
        with pytest.raises(nn.CheckpointError, match=str(path)):
            nn.load(path)


def test_damaged_array_data_is_detected(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    header_at = data.find(b"0.weight.npy")
    data[header_at + 200] ^= 0xFF  # flip a byte inside the weight data: the CRC catches it
    path.write_bytes(bytes(data))
    with pytest.raises(nn.CheckpointError, match="damaged or truncated"):
        nn.load(path)


def test_a_text_file_is_not_said_to_be_pickled_data(tmp_path):
    path = tmp_path / "model.npz"
    path.write_text("hello, not a model\n", encoding="utf-8")
    with pytest.raises(nn.CheckpointError) as info:
        nn.load(path)
    assert "pickle" not in str(info.value) and "not an .npz" in str(info.value)


def test_not_an_npz(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("these are not weights")
    with pytest.raises(
        nn.CheckpointError, match=f"{text}: cannot read as an .npz model file, it is truncated"
    ):
        nn.load(text)
    npy = tmp_path / "array.npz"
    with open(npy, "wb") as f:
        np.save(f, np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="single .npy array"):
        nn.load(npy)
    plain = tmp_path / "plain.npz"
    rewrite(plain, {"w": np.zeros(3)})
    with pytest.raises(nn.CheckpointError, match="not one written by autograd.nn.save"):
        nn.load(plain)
    with pytest.raises(FileNotFoundError, match="no model file at"):
        nn.load(tmp_path / "absent.npz")


def test_pickled_object_arrays_are_refused(saved):
    _, path = saved
    header, arrays = contents(path)
    arrays["0.bias"] = np.array([{"evil": 1}, None, 3], dtype=object)
    with open(path, "wb") as f:
        np.savez(f, __architecture__=np.array(json.dumps(header)), **arrays)
    with pytest.raises(nn.CheckpointError, match=str(path)):
        nn.load(path)


def test_missing_array(saved):
    _, path = saved
    header, arrays = contents(path)
    del arrays["2.bias"]
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match="array '2.bias' is listed but missing"):
        nn.load(path)
    header["parameters"].pop("2.bias")  # consistent listing, but the architecture needs it
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match="do not fit.*missing from the state dict: 2.bias"):
        nn.load(path)


def test_mismatched_array_shape_and_dtype(saved):
    _, path = saved
    header, arrays = contents(path)
    arrays["0.weight"] = np.zeros((3, 5), np.float32)
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match=r"'0.weight' is float32 \[3, 5\], listed as"):
        nn.load(path)
    header["parameters"]["0.weight"]["shape"] = [3, 5]
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match=r"'0.weight' has shape \(3, 5\)"):
        nn.load(path)
    arrays["0.weight"] = np.zeros((3, 4), np.float64)
    header["parameters"]["0.weight"] = {"shape": [3, 4], "dtype": "float64"}
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match="'0.weight' has dtype float64"):
        nn.load(path)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h: "{not json", "not valid JSON"),
        (lambda h: {**h, "format": "other"}, "does not describe an autograd-lab file"),
        (lambda h: {**h, "version": 99}, "version 99"),
        (lambda h: {k: v for k, v in h.items() if k != "parameters"}, "'parameters' listing"),
        (
            lambda h: {**h, "model": {"type": "Sequential", "layers": [{"type": "os.system"}]}},
            r"model\[0\]: unknown layer type 'os.system'",
        ),
        (
            lambda h: {**h, "model": {"type": "Sequential", "layers": {"0": 1}}},
            "needs a list 'layers'",
        ),
        (
            lambda h: {
                **h,
                "model": {"type": "Sequential", "layers": [{"type": "Tanh", "config": {"x": 1}}]},
            },
            r"model\[0\]: cannot build Tanh",
        ),
        (
            lambda h: {
                **h,
                "model": {
                    "type": "Sequential",
                    "layers": [{"type": "Linear", "config": {"in_features": -4}}],
                },
            },
            r"model\[0\]: cannot build Linear",
        ),
        (  # a damaged size must not end in a MemoryError (or a 40 PB allocation)
            lambda h: {
                **h,
                "model": {
                    "type": "Sequential",
                    "layers": [
                        {"type": "Linear", "config": {"in_features": 10**8, "out_features": 10**8}}
                    ],
                },
            },
            # refused before the 40-petabyte weight is allocated
            r"weights do not fit the architecture: '0.weight' has shape \(3, 4\), the "
            r"model's is \(100000000, 100000000\)",
        ),
    ],
)
def test_wrong_json_description(saved, change, message):
    _, path = saved
    header, arrays = contents(path)
    rewrite(path, arrays, change(header))
    with pytest.raises(nn.CheckpointError, match=message) as info:
        nn.load(path)
    assert str(path) in str(info.value)


# --- atomic writes ------------------------------------------------------------------------------
def test_a_crash_mid_write_leaves_the_old_file_intact(saved, monkeypatch):
    model, path = saved
    before = path.read_bytes()
    other = nn.Sequential(nn.Linear(4, 3, rng=5), nn.Tanh(), nn.Linear(3, 2, rng=6))
    calls = []

    def crash_on_second_array(member, array):
        calls.append(1)
        if len(calls) == 2:
            member.write(b"\x93NUMPY half an arr")
            raise OSError("No space left on device")
        np.lib.format.write_array(member, array, allow_pickle=False)

    monkeypatch.setattr(serialization, "_write_array", crash_on_second_array)
    with pytest.raises(OSError, match="No space left"):
        nn.save(other, path)
    assert len(calls) == 2
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left behind
    np.testing.assert_array_equal(outputs(nn.load(path)), outputs(model))


def test_an_interrupt_mid_write_also_cleans_up(saved, monkeypatch):
    _, path = saved
    before = path.read_bytes()

    def interrupted(member, array):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization, "_write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.save_state(nn.Sequential(nn.Linear(4, 3, rng=5)), path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_saving_into_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.save(nn.Sequential(nn.Identity()), tmp_path / "no" / "such" / "m.npz")


# --- issue 15: every corrupt checkpoint is a CheckpointError ------------------------------------
def write_members(path, members: dict[str, bytes], flag_bits: int = 0):
    """A zip whose members hold the given raw bytes (stored), with `flag_bits` set in every
    local and central header (patched in: zipfile writes its own flags)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data = bytearray(path.read_bytes())
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + at] |= flag_bits
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


def npy(array) -> bytes:
    out = io.BytesIO()
    np.lib.format.write_array(out, np.asarray(array), allow_pickle=False)
    return out.getvalue()


@pytest.mark.parametrize(
    "member, message",
    [
        (b"raw bytes, not an array", r"array '0.weight' is not a valid .npy array"),
        (b"", r"array '0.weight' is not a valid .npy array"),
        (npy(np.zeros(5, np.float32))[:-8], "declares shape"),
        (npy(np.zeros((3, 4), np.float32)) + b"more", "declares shape"),
    ],
    ids=["raw bytes", "empty", "short", "long"],
)
def test_a_member_that_is_not_the_listed_array_is_a_checkpoint_error(saved, member, message):
    _, path = saved
    header, arrays = contents(path)
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    members["0.weight.npy"] = member
    members["__architecture__.npy"] = npy(np.array(json.dumps(header)))
    write_members(path, members)
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load(path)


def test_a_header_member_of_raw_json_is_a_checkpoint_error(saved):
    _, path = saved
    header, arrays = contents(path)
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    members["__architecture__.npy"] = json.dumps(header).encode()
    write_members(path, members)
    with pytest.raises(nn.CheckpointError, match="__architecture__' is not a valid .npy array"):
        nn.load(path)


def test_an_npy_header_declaring_a_huge_shape_is_a_checkpoint_error(saved):
    _, path = saved
    header, arrays = contents(path)
    header["parameters"]["0.weight"]["shape"] = [10**12]
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    huge = npy(np.zeros((3, 4), np.float32)).replace(b"(3, 4)", b"(1000000000000,)")
    members["0.weight.npy"] = huge
    members["__architecture__.npy"] = npy(np.array(json.dumps(header)))
    write_members(path, members)
    with pytest.raises(nn.CheckpointError, match=r"declares shape \(1000000000000,\)"):
        nn.load(path)


@pytest.mark.parametrize("flag", [0x1, 0x20], ids=["encrypted", "patched data (bit 5)"])
def test_zip_flags_no_model_file_uses_are_a_checkpoint_error(saved, flag):
    _, path = saved
    header, arrays = contents(path)
    members = {f"{k}.npy": npy(v) for k, v in arrays.items()}
    members["__architecture__.npy"] = npy(np.array(json.dumps(header)))
    write_members(path, members, flag_bits=flag)
    with pytest.raises(nn.CheckpointError, match="encrypted or patched"):
        nn.load(path)


@pytest.mark.parametrize(
    "layer, message",
    [
        ({"type": "Softmax", "config": {"axis": 10**30}}, r"Softmax axis must be in \[-64, 64\)"),
        ({"type": "LeakyReLU", "config": {"alpha": float("inf")}}, "alpha must be a finite"),
        ({"type": "ELU", "config": {"alpha": float("nan")}}, "alpha must be a finite"),
    ],
)
def test_layer_arguments_that_would_fail_in_forward_are_refused_at_load(saved, layer, message):
    _, path = saved
    header, arrays = contents(path)
    header["model"]["layers"].append(layer)  # json writes inf as Infinity, nan as NaN
    rewrite(path, arrays, header)
    with pytest.raises(nn.CheckpointError, match=message):
        nn.load(path)
