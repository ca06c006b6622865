# Two commands on a fresh machine with Python >= 3.10: `make demo` and `make test`.
# Each creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV := .venv
# NOTE: a Windows venv keeps its programs in Scripts (with GNU make there; README: without make)
BIN := $(VENV)/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint bench bench-tensor bench-conv test-torch clean

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[all,dev]"
	touch $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/autograd demo

test: $(INSTALLED)
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Benchmarks against the reference systems (bench/README.md); their own venv.
bench/.venv/.installed: pyproject.toml
	test -x bench/.venv/bin/python || $(PYTHON) -m venv bench/.venv
	bench/.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[bench]"
	touch $@

bench: bench/.venv/.installed
	bench/.venv/bin/python bench/scalar.py

# Tensor path vs hand-written numpy vs PyTorch CPU (torch only in bench/.venv); ~4 minutes.
bench-tensor: bench/.venv/.installed
	bench/.venv/bin/python bench/tensor.py

# The course's convolutional networks (C5) vs PyTorch CPU; ~6 minutes.
bench-conv: bench/.venv/.installed
	bench/.venv/bin/python bench/conv.py

# What needs torch (skipped by `make test`, which has no torch): the optimizers against
# torch.optim, the conv layers against torch.nn, nn.to_torch / nn.from_torch,
# compare_with_torch and notebook 07; and the compiled kernels (the fast extra, numba) against
# the numpy path.
test-torch: bench/.venv/.installed
	bench/.venv/bin/python -m pytest -q tests/test_pytorch.py tests/test_optim.py -k torch
	bench/.venv/bin/python -m pytest -q tests/test_conv_torch.py
	bench/.venv/bin/python -m pytest -q tests/test_optim.py tests/test_conv.py -k "compiled or kernels"

clean:
	rm -rf $(VENV) bench/.venv
