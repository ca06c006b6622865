"""One experiment as plain data: `Config`, its TOML form, and `resolve` (a preset + overrides).

Every field has a default, so ``Config()`` is a complete experiment (B1's XOR, architecture 1);
a preset (`autograd.experiments.presets.PRESETS`) is a dict of fields that differ from these
defaults, and ``resolve("xor-arch1", seed=3)`` applies the preset, then the overrides, and
checks the result. ``config.to_toml()`` writes every field, so a run's folder holds a file
that repeats the run: ``autograd train --config runs/x/config.toml``.

Definitions (EXERCISES.md, "Definitions the reports train with"):

- ``loss = "mse"`` is the course's MSE, (1/n) sum_i ||y_i - t_i||^2: summed over the outputs,
  averaged over the batch. ``"mse-mean"`` is PyTorch's ``MSELoss()`` (the mean over every
  element, C times smaller gradients on C outputs).
- ``l2`` is the course's penalty (lambda/2) sum ||W||^2 over the weight matrices only (not the
  biases): it adds lambda*W to each weight's gradient (the reported losses are the data loss).
  ``weight_decay`` is the optimizer's own (PyTorch's: biases too; AdamW's is decoupled).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from autograd.experiments.presets import PRESETS
from autograd.files import TomlError, read_toml

__all__ = [
    "Config",
    "ConfigError",
    "resolve",
    "load_config",
    "CHOICES",
    "DATASETS",
    "CONV_ARCHS",
]

# Data sets by name; anything else is a path to the user's own data (.npz or image folder).
DATASETS = ("xor", "xnor", "parity", "moons", "spirals", "mnist", "fashion-mnist", "cifar10")

# C5's convolutional networks, each for the image size of its data set (flat pixels per
# sample): `autograd.experiments.build.build_model` has their layers.
CONV_ARCHS = {"conv1": 784, "conv2": 784, "lenet5": 3072, "conv-dense": 3072}

CHOICES = {
    "arch": ("mlp", "skip", *CONV_ARCHS),
    "act": ("sigmoid", "tanh", "relu", "elu", "leaky_relu"),
    "out_act": ("softmax", "linear", "sigmoid", "tanh"),
    "init": ("glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "uniform"),
    "loss": ("mse", "mse-mean", "ce", "bce"),
    "optimizer": ("sgd", "adam", "adamw", "adagrad", "rmsprop"),
    "schedule": ("none", "linear", "exponential", "step", "cosine"),
    "normalize": ("none", "mean-image", "standardize"),
    "targets": ("auto", "zero-one", "plus-minus-one"),
    "augment": ("none", "hflip"),
    "monitor": ("val_loss", "val_accuracy"),
}


def _setting(default=None, help: str = "", factory=None):
    """A field with its help text (the ``autograd train`` flag's help)."""
    if factory is not None:
        return field(default_factory=factory, metadata={"help": help})
    return field(default=default, metadata={"help": help})


class ConfigError(ValueError):
    """A field with a bad value, an unknown field or an unknown preset; the message names it."""


@dataclass
class Config:
    """Every choice of one training run. Field names are the ``autograd train`` flags
    (``batch_size`` is ``--batch-size``) and the keys of a config TOML file."""

    name: str = _setting("", "the run's label (plots, summary); default: the preset or data set")
    preset: str = _setting("", "the preset this config came from (informational)")
    # data
    dataset: str = _setting(
        "xor", "xor, xnor, parity, moons, spirals, mnist, fashion-mnist, cifar10, or your data: "
        "FILE.npz (arrays x, y) or a folder with one sub-folder of images per class"
    )  # fmt: skip
    data_dir: str = _setting(
        "", "folder of the official files: cifar-10-binary.tar.gz, *-ubyte.gz, or extracted"
    )
    parity_n: int = _setting(4, "N, the number of inputs of the parity data set (B2)")
    samples: int = _setting(200, "number of samples of moons and spirals")
    image_size: list[int] = _setting(factory=list, help="image folders: resize to HxW")
    grayscale: bool = _setting(False, "image folders: one channel instead of RGB")
    fraction: float = _setting(1.0, "fraction of the training part trained on (C3: 0.25)")
    split: list[float] = _setting(
        factory=list,
        help="train,val fractions of the training set (sets with their own test set; "
        "default 0.8,0.2) or train,val,test (default 0.8,0.1,0.1); xor/parity: all patterns",
    )
    split_seed: int = _setting(0, "seed of the split and of --fraction")
    # preprocessing
    scale: bool = _setting(True, "uint8 pixels divided by 255")
    normalize: str = _setting(
        "none", "subtract the mean training image, or standardize each input (training stats)"
    )
    targets: str = _setting(
        "auto", "MSE/BCE targets: one-hot (or one column) in {0,1} or {-1,1}; auto: tanh -> +-1"
    )
    augment: str = _setting("none", "hflip: mirror a random half of each training batch")
    shift: int = _setting(
        0, "move each training image by up to N pixels in x and y (black border); 0: off"
    )
    # architecture
    arch: str = _setting(
        "mlp",
        "skip: B1's architecture, the inputs also wired into the output; conv1, conv2, lenet5, "
        "conv-dense: C5's conv nets (layers = pixels-classes, images as N×C×H×W)",
    )
    layers: list[int] = _setting(
        factory=lambda: [2, 2, 1],
        help="sizes, e.g. 3072-100-10; 0 first or last: the data's inputs or classes (0-100-0)",
    )
    act: str = _setting("tanh", "hidden activation")
    out_act: str = _setting(
        "tanh", "output activation: softmax (with ce: logits), linear, sigmoid or tanh"
    )
    dropout: float = _setting(0.0, "dropout after every hidden activation")
    init: str = _setting("glorot_normal", "initial weights (the course's: glorot_normal)")
    # loss
    loss: str = _setting(
        "mse", "mse: the course's (summed over outputs, mean over the batch); mse-mean: "
        "PyTorch's; ce: softmax cross-entropy; bce: binary cross-entropy"
    )  # fmt: skip
    class_weights: dict[str, float] = _setting(
        factory=dict, help="cross-entropy weight per class, e.g. 5=2,7=2,9=2"
    )
    label_smoothing: float = _setting(
        0.0, "cross-entropy towards (1-e)*onehot + e/classes (PyTorch's label_smoothing); 0: off"
    )
    # optimizer and schedule
    optimizer: str = _setting("sgd", "the optimizer")
    lr: float = _setting(0.5, "learning rate")
    momentum: float = _setting(0.0, "momentum (sgd, rmsprop)")
    nesterov: bool = _setting(False, "Nesterov momentum (sgd)")
    betas: list[float] = _setting(factory=lambda: [0.9, 0.999], help="Adam's betas, e.g. 0.9,0.999")
    weight_decay: float = _setting(0.0, "the optimizer's weight decay (biases too)")
    l2: float = _setting(0.0, "the course's L2: (lambda/2) sum ||W||^2, weight matrices only")
    schedule: str = _setting("none", "learning-rate schedule, stepped once per epoch")
    lr_min: float = _setting(0.0, "lowest learning rate (linear, cosine)")
    gamma: float = _setting(0.95, "factor per epoch (exponential) or per step (step)")
    step_size: int = _setting(10, "epochs per step (step)")
    schedule_epochs: int = _setting(0, "T of linear and cosine; 0: the number of epochs")
    # training
    epochs: int = _setting(200, "number of epochs")
    batch_size: int = _setting(0, "mini-batch size; 0: the whole training set")
    patience: int = _setting(0, "early stopping after this many epochs without progress; 0: off")
    monitor: str = _setting("val_loss", "what early stopping watches")
    seed: int = _setting(0, "seed of the initial weights, shuffling, dropout and flips")
    # pictures
    boundary: bool = _setting(
        False, "2-input data: draw the decision boundary as it trains (boundary.gif, "
        "boundary.png: the last frame, boundary_frames.png: a grid of frames)"
    )  # fmt: skip
    boundary_every: int = _setting(0, "epochs between two boundary frames; 0: about 40 frames")

    # ---- checks -------------------------------------------------------------------------

    def validate(self) -> Config:
        """Check every field's type and range; raise `ConfigError` naming the first bad one."""
        for f in dataclasses.fields(self):
            _check_type(f.name, getattr(self, f.name), f.type)
        if self.name:
            _require(
                _one_component(self.name),
                "name",
                f"a run's name is one folder name of printable characters, at most "
                f"{NAME_MAX_CHARS} (no / or \\, not . or ..), got {self.name!r}",
            )
        for name, options in CHOICES.items():
            if getattr(self, name) not in options:
                raise ConfigError(
                    f"{name}: unknown value {getattr(self, name)!r}; expected one of "
                    f"{', '.join(options)}"
                )
        _require(
            self.dataset != "",
            "dataset",
            f"{'preset ' + self.preset + ' needs' if self.preset else 'give'} your data: "
            "--dataset FILE.npz (arrays x (N, ...) and y (N,)) or a folder with one sub-folder "
            "of images per class",
        )
        _require(self.parity_n >= 1, "parity_n", f"must be >= 1, got {self.parity_n}")
        _require(self.samples >= 10, "samples", f"must be >= 10, got {self.samples}")
        _require(0 < self.fraction <= 1, "fraction", f"must be in (0, 1], got {self.fraction}")
        if self.split:
            _require(
                len(self.split) in (2, 3) and all(f > 0 for f in self.split),
                "split",
                f"must be 2 or 3 positive fractions (train, val[, test]), got {self.split}",
            )
            _require(
                abs(sum(self.split) - 1) < 1e-6, "split", f"must add up to 1, got {self.split}"
            )
        if self.image_size:
            _require(
                len(self.image_size) == 2 and min(self.image_size) >= 1,
                "image_size",
                f"must be [height, width], got {self.image_size}",
            )
        _require(
            len(self.layers) >= 2
            and min(self.layers) >= 0
            and min(self.layers[1:-1], default=1) >= 1,
            "layers",
            f"must be two or more positive sizes (inputs-...-outputs; 0 first or last: from the "
            f"data), got {self.layers}",
        )
        weights = sum(a * b for a, b in zip(self.layers, self.layers[1:]))
        _require(
            weights <= MAX_WEIGHTS,
            "layers",
            f"{'-'.join(map(str, self.layers))} has {weights:,} weights, more than this "
            f"project trains ({MAX_WEIGHTS:,}, {MAX_WEIGHTS * 4 / 1e9:g} GB of float32)",
        )
        if self.arch in CONV_ARCHS:
            pixels = CONV_ARCHS[self.arch]
            _require(
                len(self.layers) == 2 and self.layers[0] == pixels,
                "layers",
                f"the {self.arch} network takes [{pixels}, classes] (its own layers in between, "
                f"{'28x28x1' if pixels == 784 else '32x32x3'} images), got {self.layers}",
            )
            _require(self.loss == "ce", "loss", f"the {self.arch} network is trained with ce")
            _require(self.dropout == 0, "dropout", f"the {self.arch} network has no dropout")
        if self.arch == "skip":
            _require(
                len(self.layers) == 3,
                "layers",
                f"the skip architecture has one hidden layer (IN-H-OUT), got {self.layers}",
            )
        _require(0 <= self.shift <= 8, "shift", f"must be 0 to 8 pixels, got {self.shift}")
        _require(0 <= self.dropout < 1, "dropout", f"must be in [0, 1), got {self.dropout}")
        for key, weight in self.class_weights.items():
            _require(
                key.isdigit() and weight >= 0 and math.isfinite(weight),
                "class_weights",
                f"expected class index -> weight >= 0, got {key!r}: {weight!r}",
            )
        if self.class_weights:
            _require(self.loss == "ce", "class_weights", "apply to the cross-entropy (loss ce)")
        _require(0.0 <= self.label_smoothing < 1.0, "label_smoothing",
                 f"must be at least 0 and below 1, got {self.label_smoothing}")  # fmt: skip
        if self.label_smoothing:
            _require(self.loss == "ce", "label_smoothing", "applies to the cross-entropy (loss ce)")
        if self.loss == "ce":
            _require(
                self.out_act == "softmax",
                "out_act",
                f"the cross-entropy loss needs a softmax output, got {self.out_act!r}",
            )
        if self.loss == "bce":
            _require(
                self.out_act in ("sigmoid", "linear"),
                "out_act",
                f"bce takes a sigmoid output (probabilities) or linear (logits), got "
                f"{self.out_act!r}",
            )
        for name in ("lr", "momentum", "weight_decay", "l2", "lr_min", "gamma"):
            value = getattr(self, name)
            _require(math.isfinite(value) and value >= 0, name, f"must be >= 0, got {value}")
        _require(self.lr > 0, "lr", f"must be > 0, got {self.lr}")
        _require(self.momentum < 1, "momentum", f"must be in [0, 1), got {self.momentum}")
        _require(0 < self.gamma <= 1, "gamma", f"must be in (0, 1], got {self.gamma}")
        _require(
            len(self.betas) == 2 and all(0 <= b < 1 for b in self.betas),
            "betas",
            f"must be two numbers in [0, 1), got {self.betas}",
        )
        if self.nesterov:
            _require(self.momentum > 0, "nesterov", "needs momentum > 0")
        _require(self.step_size >= 1, "step_size", f"must be >= 1, got {self.step_size}")
        _require(self.schedule_epochs >= 0, "schedule_epochs", "must be >= 0")
        _require(self.epochs >= 1, "epochs", f"must be >= 1, got {self.epochs}")
        _require(self.batch_size >= 0, "batch_size", "must be >= 0 (0: full batch)")
        _require(self.patience >= 0, "patience", "must be >= 0 (0: no early stopping)")
        _require(self.boundary_every >= 0, "boundary_every", "must be >= 0 (0: about 40 frames)")
        for name in ("seed", "split_seed"):
            value = getattr(self, name)
            _require(value >= 0, name, f"must be a whole number >= 0, got {value}")
        return self

    def threshold(self) -> float:
        """Where one output per sample splits class 0 from class 1, by the output this config
        trains: 0 for tanh towards {-1, 1} targets and for logits (BCE on a linear output), 0.5
        for probabilities and {0, 1} targets. Every path that scores such a model passes it to
        `autograd.metrics` (a split holding one class cannot tell the convention by itself)."""
        plus_minus = self.targets == "plus-minus-one" or (
            self.targets == "auto" and self.out_act == "tanh"
        )
        logits = self.loss == "bce" and self.out_act == "linear"
        return 0.0 if plus_minus or logits else 0.5

    # ---- conversions --------------------------------------------------------------------

    @property
    def label(self) -> str:
        stem = Path(self.dataset).stem
        return self.name or self.preset or (stem if _one_component(stem) else "data")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes) -> Config:
        """A checked copy with some fields changed (unknown names raise `ConfigError`)."""
        return _apply(self, changes).validate()

    def to_toml(self) -> str:
        """Every field as TOML (``load_config`` reads it back to an equal Config)."""
        lines = ["# autograd train --config THIS_FILE repeats the run", ""]
        tables = []
        for key, value in self.to_dict().items():
            if isinstance(value, dict):
                tables.append(f"\n[{key}]")
                tables += [f'"{k}" = {_toml_value(v)}' for k, v in value.items()]
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines + tables) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


NAME_MAX_CHARS = 100
MAX_WEIGHTS = 200_000_000  # C1's widest net has 0.3 M, conv-dense 24 M


def _one_component(name: str) -> bool:
    """A run's name names its folder (``runs/NAME``): one path component that cannot climb
    out (``..``) or into another folder, printable (a newline would break config.toml)."""
    return (
        len(name) <= NAME_MAX_CHARS
        and name.isprintable()
        and name.strip() == name
        and name not in (".", "..")
        and not any(c in name for c in "/\\")
    )


def _require(ok: bool, name: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{name}: {message}")


_TYPES = {"str": str, "int": int, "float": float, "bool": bool}


def _check_type(name: str, value, annotation: str) -> None:
    annotation = str(annotation)
    if annotation.startswith("list["):
        inner = _TYPES[annotation[5:-1]]
        ok = isinstance(value, list) and all(_is(v, inner) for v in value)
        kind = f"a list of {inner.__name__}"
    elif annotation.startswith("dict["):
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and _is(v, float) for k, v in value.items()
        )
        kind = "a table of class -> weight"
    else:
        ok, kind = _is(value, _TYPES[annotation]), _TYPES[annotation].__name__
    if not ok:
        raise ConfigError(f"{name}: expected {kind}, got {value!r}")


def _is(value, kind) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _apply(config: Config, changes: dict) -> Config:
    if "out" in changes:  # the former name of out_act (older config.toml files, presets)
        if "out_act" in changes:
            raise ConfigError("give out_act (the output activation) once, not also as out")
        changes = {("out_act" if k == "out" else k): v for k, v in changes.items()}
    known = {f.name: f for f in dataclasses.fields(Config)}
    unknown = sorted(set(changes) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown setting {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
        )
    values = {}
    for key, value in changes.items():
        if str(known[key].type) == "float" and _is(value, int):
            value = float(value)  # lr = 1 in TOML is an int
        if str(known[key].type) == "list[float]" and isinstance(value, (list, tuple)):
            value = [float(v) if _is(v, int) else v for v in value]
        elif isinstance(value, tuple):
            value = list(value)
        if str(known[key].type).startswith("dict") and isinstance(value, dict):
            value = {str(k): float(v) if _is(v, int) else v for k, v in value.items()}
        values[key] = value
    return dataclasses.replace(config, **values)


def resolve(preset: str | None = None, **overrides) -> Config:
    """The checked `Config` of a preset (or of the defaults, with ``preset=None``) with
    ``overrides`` applied on top: ``resolve("cifar10-relu-ce", epochs=5, seed=1)``."""
    config = Config()
    if preset:
        if preset not in PRESETS:
            raise ConfigError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        config = _apply(config, {**PRESETS[preset].settings, "preset": preset})
    return _apply(config, overrides).validate()


def load_config(path, **overrides) -> Config:
    """A `Config` from a TOML file: any fields, optionally ``preset = "NAME"`` as the base
    (the file's other fields override the preset, ``overrides`` override both)."""
    path = Path(path)
    try:
        table = read_toml(path, "the run's config")
    except TomlError as error:
        raise ConfigError(str(error)) from None
    preset = table.pop("preset", None)
    if preset is not None and not isinstance(preset, str):
        raise ConfigError(f'{path}: preset: expected a name such as "xor-arch1", got {preset!r}')
    try:
        return resolve(preset, **{**table, **overrides})
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
