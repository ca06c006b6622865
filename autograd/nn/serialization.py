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
a half-loaded model. Writes go through `autograd.files.write_atomic` (a temporary file, then
``os.replace``): a crash mid-write leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from autograd.files import write_atomic
from autograd.nn import layers
from autograd.nn.module import Concat, Module, Sequential
from autograd.safe_read import fill_from, npy_header, npz_members, open_npz

__all__ = [
    "save",
    "load",
    "save_state",
    "load_state",
    "CheckpointError",
    "describe",
    "build",
    "refuse_shared_weights",
]

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
    refuse_shared_weights(
        module,
        where,
        seen,
        "nn.save cannot describe",
        "Save the weights with nn.save_state(model, path) and rebuild the model in code",
    )
    if type(module) is Sequential:
        return {
            "type": "Sequential",
            "layers": [describe(m, f"{where}[{i}]", seen) for i, m in enumerate(module)],
        }
    if type(module) is Concat:
        return {
            "type": "Concat",
            "axis": module.axis,
            "branches": [describe(m, f"{where}[{i}]", seen) for i, m in enumerate(module)],
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


def refuse_shared_weights(module: Module, where: str, seen: dict, doing: str, remedy: str):
    """The rule of `nn.save` and `nn.to_torch` for a layer with weights used twice (tied
    weights): TypeError, since the copy would get two separate layers. Call it for every
    module of a walk, with one ``seen`` dict (``{id(layer): where}``) for the walk.

    NOTE: only layers with weights are recorded: a shared Tanh is fine."""
    if id(module) in seen:
        raise TypeError(
            f"{doing} {where}: it is the same layer object as {seen[id(module)]} (shared "
            f"weights), and the copy would get two separate layers. {remedy}"
        )
    if next(module.parameters(), None) is not None:
        seen[id(module)] = where


def build(description, where: str = "model", listing: dict | None = None, _prefix="") -> Module:
    """Rebuild a module from `describe`'s output; ValueError says which part is wrong.

    ``listing`` (a file's ``{name: {"shape": [...], "dtype": ...}}``): each layer's weight is
    checked against it before it is allocated, so a file cannot make this allocate more than
    it lists."""
    if not isinstance(description, dict) or not isinstance(description.get("type"), str):
        raise ValueError(f"{where}: expected an object with a 'type', got {description!r:.80}")
    kind = description["type"]
    if kind == "Sequential":
        parts = description.get("layers")
        if not isinstance(parts, list):
            raise ValueError(f"{where}: a Sequential needs a list 'layers'")
        return Sequential(
            *(build(d, f"{where}[{i}]", listing, f"{_prefix}{i}.") for i, d in enumerate(parts))
        )
    if kind == "Concat":
        parts, axis = description.get("branches"), description.get("axis", 1)
        if not isinstance(parts, list) or not parts:
            raise ValueError(f"{where}: a Concat needs a non-empty list 'branches'")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"{where}: a Concat's 'axis' must be an int, got {axis!r:.80}")
        return Concat(
            *(build(d, f"{where}[{i}]", listing, f"{_prefix}{i}.") for i, d in enumerate(parts)),
            axis=axis,
        )
    cls = LAYERS.get(kind)
    if cls is None:
        raise ValueError(
            f"{where}: unknown layer type {kind!r}; expected Sequential, Concat or one of "
            f"{', '.join(LAYERS)}"
        )
    given = description.get("config", {})
    if not isinstance(given, dict):
        raise ValueError(f"{where}: 'config' of {kind} must be an object, got {given!r:.80}")
    config = given
    if cls in (layers.Linear, layers.Conv2d):  # the file's weights replace these
        init = "zeros" if listing is None else _listed_zeros(listing, f"{_prefix}weight")
        config = {**config, "init": init, "rng": 0}
    try:
        return cls(**config)
    except WeightMismatch:
        raise
    except (TypeError, ValueError, MemoryError) as exc:  # MemoryError: absurd sizes
        raise ValueError(f"{where}: cannot build {kind} from {given!r:.200}: {exc}") from None


class WeightMismatch(ValueError):
    """`build`: a layer's weight would differ from the one the file lists."""


def _listed_zeros(listing: dict, name: str):
    """An initializer that allocates only a weight of the shape and dtype the file lists."""

    def zeros(shape, rng=None, dtype=np.float32):
        spec = listing.get(name)
        if not isinstance(spec, dict):
            raise WeightMismatch(f"missing: {name!r}")
        shape, dtype = tuple(shape), np.dtype(dtype)
        if spec.get("shape") != list(shape):
            raise WeightMismatch(
                f"{name!r} has shape {tuple(spec.get('shape'))}, the model's is {shape}"
            )
        if spec.get("dtype") != str(dtype):
            raise WeightMismatch(f"{name!r} has dtype {spec.get('dtype')}, the model's is {dtype}")
        return np.zeros(shape, dtype)

    return zeros


# --- writing ----------------------------------------------------------------------------------
def _npz_path(path) -> Path:
    """The path a file is written to: ``.npz`` is appended when missing (as np.savez does)."""
    path = Path(os.fspath(path))
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def _write_array(member, array: np.ndarray) -> None:
    np.lib.format.write_array(member, array, allow_pickle=False)


def _write_npz(path, arrays: dict[str, np.ndarray]) -> Path:
    """Write ``arrays`` as an .npz, atomically (`autograd.files.write_atomic`).

    NOTE: zipfile directly rather than np.savez(file, **arrays): a parameter named ``file``
    or ``allow_pickle`` would collide with np.savez's own arguments.
    """

    def write(f) -> None:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for name, array in arrays.items():
                with zf.open(name + ".npy", "w", force_zip64=True) as member:
                    _write_array(member, np.asanyarray(array))

    return write_atomic(_npz_path(path), write)


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


# NOTE: every size a file declares is checked against the file and the format before anything
# is allocated from it: a 2 kB file must not make us allocate gigabytes before refusing it.
HEADER_MAX_BYTES = 64 * 2**20  # the JSON description: a few kB even for a large model
MAX_LAYERS = 10_000  # modules in one model file (Sequentials included); ResNet-152 has ~500


def _layer_count(description) -> int:
    """How many modules `description` declares (Sequentials included), counted without
    building any, and without recursion; stops counting past `MAX_LAYERS`."""
    count, stack = 0, [description]
    while stack and count <= MAX_LAYERS:
        part = stack.pop()
        count += 1
        if isinstance(part, dict) and isinstance(part.get("layers"), list):
            stack.extend(part["layers"])
    return count


def _members(path: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's members by array name, each checked (`autograd.safe_read.npz_members`)."""
    return npz_members(path, zf, CheckpointError)


def _npy_header(path: Path, name: str, info: zipfile.ZipInfo, stream) -> tuple:
    """Read an .npy header from `stream`: ``(shape, dtype, fortran_order)``, checked against
    the member's declared size (no array is allocated here)."""
    return npy_header(f"{path}: array {name!r:.80}", info, stream, CheckpointError)


def _npy_data(path: Path, name: str, stream, shape, dtype, fortran) -> np.ndarray:
    """The array's data, read into an array of the (already checked) shape."""
    try:
        return fill_from(stream, shape, dtype, f"array {name!r}", fortran)
    except ValueError as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def _read(path, architecture=None) -> tuple[Path, dict, dict[str, np.ndarray]]:
    """Read and check a file: ``(path, header, arrays)``; `CheckpointError` on any problem.

    The header is read first and every array's .npy header is compared with its listing
    before any data is read; ``architecture(header)`` (if given) runs between the two, so
    a model can be checked against the listing before the weights are loaded."""
    path = _existing(path)
    zf = open_npz(path, CheckpointError, ".npz model file")
    try:
        with zf:
            members = _members(path, zf)
            header = _read_header(path, zf, members)
            listed = _check_listing(path, header, members)
            shapes = {}
            for name in listed:
                with zf.open(members[name]) as stream:
                    shapes[name] = _npy_header(path, name, members[name], stream)
            problems = [
                f"array {n!r} is {dtype} {list(shape)}, listed as {listed[n][1]} "
                f"{list(listed[n][0])}"
                for n, (shape, dtype, _) in shapes.items()
                if (tuple(shape), str(dtype)) != listed[n]
            ]
            if problems:
                raise CheckpointError(f"{path}: " + "; ".join(problems))
            built = architecture(path, header) if architecture is not None else None
            arrays = {}
            for name, (shape, dtype, fortran) in shapes.items():
                with zf.open(members[name]) as stream:
                    _npy_header(path, name, members[name], stream)
                    arrays[name] = _npy_data(path, name, stream, shape, dtype, fortran)
    except CheckpointError:
        raise
    except (
        OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error, NotImplementedError,
        RuntimeError, OverflowError,
    ) as exc:  # fmt: skip
        raise CheckpointError(
            f"{path}: damaged or truncated .npz file ({type(exc).__name__}: {exc})"
        ) from None
    return path, header, arrays if built is None else (arrays, built)


def _read_header(path: Path, zf: zipfile.ZipFile, members: dict) -> dict:
    info = members.get(HEADER)
    if info is None:
        raise CheckpointError(
            f"{path}: no {HEADER} entry: an .npz file, but not one written by autograd.nn.save"
        )
    if info.file_size > HEADER_MAX_BYTES:
        raise CheckpointError(
            f"{path}: {HEADER} declares {info.file_size} bytes; a model description is a few kB"
        )
    with zf.open(info) as stream:
        shape, dtype, fortran = _npy_header(path, HEADER, info, stream)
        if shape != () or dtype.kind != "U":
            raise CheckpointError(f"{path}: {HEADER} must be a text, got a {dtype} array")
        text = _npy_data(path, HEADER, stream, shape, dtype, fortran)
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
    return header


def _check_listing(path: Path, header: dict, members: dict) -> dict[str, tuple]:
    """The header's ``parameters`` listing as ``{name: (shape, dtype name)}``, checked against
    the zip's members (names only: nothing is read)."""
    listed = header.get("parameters")
    if not isinstance(listed, dict):
        raise CheckpointError(f"{path}: {HEADER} lacks the 'parameters' listing")
    arrays = [n for n in members if n != HEADER]
    problems = [f"array {n!r} is listed but missing" for n in listed if n not in members]
    problems += [f"array {n!r} is not listed" for n in arrays if n not in listed]
    out = {}
    for name, spec in listed.items():
        shape = spec.get("shape") if isinstance(spec, dict) else None
        if (
            not isinstance(shape, list)
            or not all(type(n) is int and n >= 0 for n in shape)
            or not isinstance(spec.get("dtype"), str)
        ):
            problems.append(f"the listing of {name!r} is not {{'shape': [ints], 'dtype': name}}")
        elif name in members:
            out[name] = (tuple(shape), spec["dtype"])
    if problems:
        raise CheckpointError(f"{path}: " + "; ".join(problems))
    return out


def load(path) -> Module:
    """Rebuild the model saved by `save`: architecture from the JSON, weights from the arrays,
    training/eval mode as saved. Everything is checked before the model is returned."""

    def architecture(path, header):
        # Built before the weights are read, with every weight's shape checked against the
        # file's listing before it is allocated (a 2 kB file may ask for Linear(16000, 16000)).
        if header.get("kind") != "model" or "model" not in header:
            raise CheckpointError(
                f"{path}: holds weights only (written by nn.save_state), no architecture: "
                "build the model in code and call model.load_state_dict(nn.load_state(path))"
            )
        if _layer_count(header["model"]) > MAX_LAYERS:
            raise CheckpointError(
                f"{path}: the architecture declares more than {MAX_LAYERS} layers; a model "
                f"file holds at most {MAX_LAYERS}"
            )
        try:
            return build(header["model"], listing=header["parameters"])
        except WeightMismatch as exc:
            raise CheckpointError(f"{path}: weights do not fit the architecture: {exc}") from None
        except (ValueError, RecursionError) as exc:
            raise CheckpointError(f"{path}: bad architecture description: {exc}") from None

    path, header, (arrays, model) = _read(path, architecture)
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
