"""The course's experiments, one call each: a `Config` (plain data, TOML on disk), the
`PRESETS` that reproduce the course by name, and `run`, which trains, evaluates and writes a
run folder; `evaluate_model`, the report of a trained model on data. The ``autograd train``,
``repeat``, ``reproduce``, ``presets`` and ``evaluate`` commands are thin layers over this API.

    from autograd import experiments

    config = experiments.resolve("cifar10-relu-ce", epochs=5, data_dir="~/data")
    result = experiments.run(config, "runs/relu-ce")       # folder: see experiments.run
    result.metrics["test_accuracy"], result.history.val_accuracy

    experiments.PRESETS["xor-arch1"].reported              # the course's number
    experiments.TABLES["c1"]                               # the presets of one exercise table
    data = experiments.load_data(config)                   # reuse the data across seeds:
    for seed in range(5):
        experiments.run(config.replace(seed=seed), data=data)
    raw = experiments.load_raw(config).head(5000, 1000)    # read once, a quick subset
    experiments.run(config, data=experiments.load_data(config, raw=raw))

Nothing here is imported by ``import autograd``.
"""

from autograd.experiments.build import build_loss, build_model, build_optimizer
from autograd.experiments.config import CHOICES, DATASETS, Config, ConfigError, load_config, resolve
from autograd.experiments.data import Data, DataError, Raw, load_data, load_raw
from autograd.experiments.evaluate import evaluate_model
from autograd.experiments.presets import PRESETS, TABLES, Preset
from autograd.experiments.run import (
    OutputExists,
    Result,
    RunInterrupted,
    load_run,
    predicted_labels,
    run,
)

__all__ = [
    "Config",
    "ConfigError",
    "CHOICES",
    "DATASETS",
    "resolve",
    "load_config",
    "PRESETS",
    "TABLES",
    "Preset",
    "Data",
    "DataError",
    "load_data",
    "load_raw",
    "Raw",
    "build_model",
    "build_loss",
    "build_optimizer",
    "run",
    "Result",
    "RunInterrupted",
    "OutputExists",
    "load_run",
    "predicted_labels",
    "evaluate_model",
]
