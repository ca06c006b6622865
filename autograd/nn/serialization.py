"""Saving and loading models: one ``.npz`` file with the weights and a JSON description.

    nn.save(model, "mlp.npz")        # a Sequential of built-in layers: architecture + weights
    model = nn.load("mlp.npz")       # rebuilt, checked, ready to use

    nn.save_state(custom, "net.npz")                # any Module: the weights only
    custom.load_state_dict(nn.load_state("net.npz"))

The file is an ordinary numpy ``.npz`` (a zip of ``.npy`` arrays): one array per parameter,
named as in ``state_dict()``, plus ``__architecture__``, a JSON text::

    {"format": "autograd-lab", "version": 1, "kind": "model" | "state",
     "model": {"type": "Sequential", "layers": [{"type": "Linear", "config": {...}}, ...]},
     "training": false,
     "parameters": {"0.weight": {"shape": [100, 3072], "dtype": "float32"}, ...}}

Safety: files are read with ``allow_pickle=False`` (loading never runs code) and every part
is checked (zip, JSON, layer types and arguments, array names, shapes, dtypes) before a model
is returned, so a bad file raises `CheckpointError` naming the file and the problem, never
a half-loaded model. Writes go to a temporary file in the target folder, then ``os.replace``:
a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import secrets
import zipfile
import zlib
from pathlib import Path

import numpy as np

from autograd.nn import layers
from autograd.nn.module import Module, Sequential

__all__ = ["save", "load", "save_state", "load_state", "CheckpointError", "describe", "build"]

FORMAT = "autograd-lab"
VERSION = 1
HEADER = "__architecture__"

# The layers a file may name. NOTE: a fixed whitelist: a file can only ask for these classes,
# with JSON arguments, so loading cannot be made to build anything else.
LAYERS = {
    cls.__name__: cls
    for cls in (
        layers.Linear,
        layers.Conv2d,
        layers.MaxPool2d,
        layers.AvgPool2d,
        layers.Flatten,
        layers.Sigmoid,
        layers.Tanh,
        layers.ReLU,
        layers.LeakyReLU,
        layers.ELU,
        layers.Softmax,
        layers.Identity,
        layers.Dropout,
    )
}


class CheckpointError(ValueError):
    """A model file that cannot be loaded: unreadable, truncated, or not matching its
    description. The message names the file and what was wrong."""


# --- architecture <-> JSON -------------------------------------------------------------------
def describe(module: Module, where: str = "model", _seen: dict | None = None) -> dict:
    """The JSON-safe description of a `Sequential` of built-in layers (nested allowed).

    Raises TypeError for anything else: the code of a custom Module cannot be written down
    as data; save its weights with `save_state` instead. A layer with weights used twice
    (shared weights) raises too: the file would rebuild two separate layers.
    """
    seen = {} if _seen is None else _seen
    if id(module) in seen:  # NOTE: only layers with weights are recorded: a shared Tanh is fine
        raise TypeError(
            f"nn.save cannot describe {where}: it is the same layer object as "
            f"{seen[id(module)]} (shared weights), and a rebuilt model would get two separate "
            "layers. Save the weights with nn.save_state(model, path) and rebuild the model in "
            "code"
        )
    if next(module.parameters(), None) is not None:
        seen[id(module)] = where
    if type(module) is Sequential:
        return {
            "type": "Sequential",
            "layers": [describe(m, f"{where}[{i}]", seen) for i, m in enumerate(module)],
        }
    cls = LAYERS.get(type(module).__name__)
    if cls is not type(module):
        raise TypeError(
            f"nn.save cannot describe the architecture of {where} ({type(module).__name__}): "
            f"it saves a Sequential of the built-in layers ({', '.join(LAYERS)}). For a custom "
            "Module save the weights with nn.save_state(model, path) and restore them with "
            "model.load_state_dict(nn.load_state(path))"
        )
    return {"type": cls.__name__, "config": module.config()}


def build(description, where: str = "model") -> Module:
    """Rebuild a module from `describe`'s output; ValueError says which part is wrong."""
    if not isinstance(description, dict) or not isinstance(description.get("type"), str):
        raise ValueError(f"{where}: expected an object with a 'type', got {description!r:.80}")
    kind = description["type"]
    if kind == "Sequential":
        parts = description.get("layers")
        if not isinstance(parts, list):
            raise ValueError(f"{where}: a Sequential needs a list 'layers'")
        return Sequential(*(build(d, f"{where}[{i}]") for i, d in enumerate(parts)))
    cls = LAYERS.get(kind)
    if cls is None:
        raise ValueError(
            f"{where}: unknown layer type {kind!r}; expected Sequential or one of "
            f"{', '.join(LAYERS)}"
        )
    config = description.get("config", {})
    if not isinstance(config, dict):
        raise ValueError(f"{where}: 'config' of {kind} must be an object, got {config!r:.80}")
    if cls in (layers.Linear, layers.Conv2d):
        config = {**config, "init": "zeros", "rng": 0}  # the file's weights replace these
    try:
        return cls(**config)
    except (TypeError, ValueError, MemoryError) as exc:  # MemoryError: absurd sizes
        raise ValueError(f"{where}: cannot build {kind} from {config}: {exc}") from None


# --- writing ----------------------------------------------------------------------------------
def _npz_path(path) -> Path:
    """The path a file is written to: ``.npz`` is appended when missing (as np.savez does)."""
    path = Path(os.fspath(path))
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _write_array(member, array: np.ndarray) -> None:
    np.lib.format.write_array(member, array, allow_pickle=False)


def _write_npz(path, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` as an .npz, atomically: a temporary file in the same folder (same file
    system, so the rename is atomic), flushed to disk, then renamed over the target.

    NOTE: zipfile directly rather than np.savez(file, **arrays): a parameter named ``file``
    or ``allow_pickle`` would collide with np.savez's own arguments.
    """
    path = _npz_path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: folder {folder} does not exist")
    tmp = folder / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    # 0o666 filtered by the umask, like any new file (mkstemp would force 0o600).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
                for name, array in arrays.items():
                    with zf.open(name + ".npy", "w", force_zip64=True) as member:
                        _write_array(member, np.asanyarray(array))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _header(kind: str, state: dict[str, np.ndarray], model=None, training=None) -> np.ndarray:
    header = {"format": FORMAT, "version": VERSION, "kind": kind}
    if model is not None:
        header["model"] = model
        header["training"] = training
    header["parameters"] = {
        name: {"shape": list(a.shape), "dtype": str(a.dtype)} for name, a in state.items()
    }
    return np.array(json.dumps(header, indent=1))


def save(model: Module, path) -> Path:
    """Save a `Sequential` of built-in layers (architecture and weights) to one ``.npz`` file;
    returns the path written (``.npz`` is appended when ``path`` lacks it). A custom Module
    raises TypeError: use `save_state`."""
    if not isinstance(model, Module):
        raise TypeError(f"nn.save expects a Module, got {type(model).__name__}")
    description = describe(model)
    state = model.state_dict()
    return _write_npz(path, {**state, HEADER: _header("model", state, description, model.training)})


def save_state(model_or_state, path) -> Path:
    """Save the weights of any Module (or a state dict) to one ``.npz``; restore them with
    ``model.load_state_dict(nn.load_state(path))``. Returns the path written."""
    if isinstance(model_or_state, Module):
        state = model_or_state.state_dict()
    elif isinstance(model_or_state, dict):
        state = dict(model_or_state)
    else:
        raise TypeError(
            f"nn.save_state expects a Module or a dict of arrays, got "
            f"{type(model_or_state).__name__}"
        )
    for name, array in state.items():
        if not isinstance(name, str) or name == HEADER or not isinstance(array, np.ndarray):
            raise TypeError(f"nn.save_state: entry {name!r} must map a name to a numpy array")
    return _write_npz(path, {**state, HEADER: _header("state", state)})


# --- reading ----------------------------------------------------------------------------------
def _existing(path) -> Path:
    path = Path(os.fspath(path))
    if path.is_file():
        return path
    with_suffix = _npz_path(path)
    if with_suffix != path and with_suffix.is_file():
        return with_suffix  # nn.save("mlp") wrote mlp.npz
    raise FileNotFoundError(f"no model file at {path}")


def _read(path) -> tuple[Path, dict, dict[str, np.ndarray]]:
    """Read and check a file: ``(path, header, arrays)``; `CheckpointError` on any problem."""
    path = _existing(path)
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as exc:  # numpy raises ValueError, OSError, BadZipFile, EOFError...
        raise CheckpointError(
            f"{path}: cannot be read as an .npz model file, it is truncated or not an .npz "
            f"({type(exc).__name__}: {exc})"
        ) from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{path}: holds a single .npy array, not an .npz model file")
    try:
        with loaded:
            arrays = {name: loaded[name] for name in loaded.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise CheckpointError(
            f"{path}: damaged or truncated .npz file ({type(exc).__name__}: {exc})"
        ) from None

    text = arrays.pop(HEADER, None)
    if text is None:
        raise CheckpointError(
            f"{path}: no {HEADER} entry: an .npz file, but not one written by autograd.nn.save"
        )
    if text.ndim != 0 or text.dtype.kind != "U":
        raise CheckpointError(f"{path}: {HEADER} must be a text, got a {text.dtype} array")
    try:
        header = json.loads(str(text))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise CheckpointError(f"{path}: {HEADER} is not valid JSON: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CheckpointError(f"{path}: {HEADER} does not describe an {FORMAT} file")
    version = header.get("version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise CheckpointError(
            f"{path}: file format version {version!r}; this version of autograd reads "
            f"versions 1 to {VERSION}"
        )

    listed = header.get("parameters")
    if not isinstance(listed, dict):
        raise CheckpointError(f"{path}: {HEADER} lacks the 'parameters' listing")
    problems = [f"array {n!r} is listed but missing" for n in listed if n not in arrays]
    problems += [f"array {n!r} is not listed" for n in arrays if n not in listed]
    for name, spec in listed.items():
        if name not in arrays:
            continue
        array = arrays[name]
        if not isinstance(spec, dict):
            problems.append(f"the listing of {name!r} is not an object")
        elif list(array.shape) != spec.get("shape") or str(array.dtype) != spec.get("dtype"):
            problems.append(
                f"array {name!r} is {array.dtype} {list(array.shape)}, listed as "
                f"{spec.get('dtype')} {spec.get('shape')}"
            )
    if problems:
        raise CheckpointError(f"{path}: " + "; ".join(problems))
    return path, header, arrays


def load(path) -> Module:
    """Rebuild the model saved by `save`: architecture from the JSON, weights from the arrays,
    training/eval mode as saved. Everything is checked before the model is returned."""
    path, header, arrays = _read(path)
    if header.get("kind") != "model" or "model" not in header:
        raise CheckpointError(
            f"{path}: holds weights only (written by nn.save_state), no architecture: build "
            "the model in code and call model.load_state_dict(nn.load_state(path))"
        )
    try:
        model = build(header["model"])
    except (ValueError, RecursionError) as exc:
        raise CheckpointError(f"{path}: bad architecture description: {exc}") from None
    try:
        model.load_state_dict(arrays, strict=True)
    except ValueError as exc:
        raise CheckpointError(f"{path}: weights do not fit the architecture: {exc}") from None
    training = header.get("training", False)
    model.train(training if isinstance(training, bool) else False)
    return model


def load_state(path) -> dict[str, np.ndarray]:
    """The ``{name: array}`` weights of a file written by `save_state` or `save`, checked
    against the file's own listing; pass them to ``model.load_state_dict``."""
    _, _, arrays = _read(path)
    return arrays
