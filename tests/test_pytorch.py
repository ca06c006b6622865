"""The hand-off to PyTorch (`nn.to_torch`, `nn.from_torch`) and the side-by-side training
recipe (`autograd.compare`). Torch is only in the bench environment: `make test-torch` runs
these; `make test` runs only the checks that need no torch."""

import json
from pathlib import Path

import numpy as np
import pytest

from autograd import Tensor, nn, optim
from autograd.nn.pytorch import LAYERS

NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "07_pytorch.ipynb"


def _torch():
    return pytest.importorskip("torch", reason="torch is only in the bench extra (make test-torch)")


IMAGES = (2, 3, 7, 6)  # (N, C, H, W) input of the conv layers; the others take (4, 5)


def _layer_cases():
    """One of every layer in the table (both bias settings, non-default arguments), with the
    shape of its input."""
    return {
        "Linear": (lambda: nn.Linear(5, 3, init="he_normal", rng=1), (4, 5)),
        "Linear-nobias": (lambda: nn.Linear(5, 3, bias=False, rng=2), (4, 5)),
        "Linear-float64": (lambda: nn.Linear(5, 3, rng=3, dtype=np.float64), (4, 5)),
        "Sigmoid": (nn.Sigmoid, (4, 5)),
        "Tanh": (nn.Tanh, (4, 5)),
        "ReLU": (nn.ReLU, (4, 5)),
        "LeakyReLU": (lambda: nn.LeakyReLU(0.2), (4, 5)),
        "ELU": (lambda: nn.ELU(0.7), (4, 5)),
        "Softmax": (lambda: nn.Softmax(axis=0), (4, 5)),
        "Identity": (nn.Identity, (4, 5)),
        "Dropout": (lambda: nn.Dropout(0.3), (4, 5)),
        "Conv2d": (lambda: nn.Conv2d(3, 4, 3, rng=0), IMAGES),
        "Conv2d-strided": (
            lambda: nn.Conv2d(3, 2, (3, 2), stride=(2, 1), padding=(1, 2), bias=False, rng=1),
            IMAGES,
        ),
        "MaxPool2d": (lambda: nn.MaxPool2d(2), IMAGES),
        "MaxPool2d-padded": (lambda: nn.MaxPool2d(3, stride=2, padding=1), IMAGES),
        "AvgPool2d": (lambda: nn.AvgPool2d((2, 3), stride=1, padding=(1, 1)), IMAGES),
        "Flatten": (nn.Flatten, IMAGES),
        "Flatten-middle": (lambda: nn.Flatten(2, 3), IMAGES),
    }


CASES = _layer_cases()


def test_every_table_entry_has_a_case():
    covered = {type(make()) for make, _ in CASES.values()}
    assert covered == {row.ours for row in LAYERS}


def _dtype(layer):
    p = next(layer.parameters(), None)
    return np.float32 if p is None else p.data.dtype


@pytest.mark.parametrize("name", CASES)
def test_layer_round_trip(name):
    torch = _torch()
    make, shape = CASES[name]
    ours = make()
    ours.eval()  # Dropout: identity in both libraries (masks are random)
    theirs = nn.to_torch(ours)
    row = next(r for r in LAYERS if r.ours is type(ours))
    assert type(theirs) is getattr(torch.nn, row.torch_name)
    assert not theirs.training
    x = np.random.default_rng(0).normal(size=shape).astype(_dtype(ours))
    expected = ours(Tensor(x)).data
    got = theirs(torch.from_numpy(x)).detach().numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert set(theirs.state_dict()) == set(ours.state_dict())
    back = nn.from_torch(theirs)
    assert type(back) is type(ours) and back.config() == ours.config()
    for key, value in ours.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value)
        assert back.state_dict()[key].dtype == value.dtype
    np.testing.assert_array_equal(back(Tensor(x)).data, expected)


def test_sequential_round_trip_same_names_outputs_and_modes():
    torch = _torch()
    model = nn.Sequential(
        nn.Linear(6, 8, rng=0),
        nn.Tanh(),
        nn.Sequential(nn.Linear(8, 8, rng=1), nn.LeakyReLU(0.1)),
        nn.Dropout(0.25),
        nn.Linear(8, 3, rng=2),
    )
    theirs = nn.to_torch(model)
    assert type(theirs) is torch.nn.Sequential and type(theirs[2]) is torch.nn.Sequential
    assert list(theirs.state_dict()) == list(model.state_dict())
    assert theirs.training and theirs[3].training
    model.eval()
    theirs = nn.to_torch(model)
    assert not theirs.training and not theirs[3].training
    x = np.random.default_rng(1).normal(size=(7, 6)).astype(np.float32)
    np.testing.assert_allclose(
        theirs(torch.from_numpy(x)).detach().numpy(), model(Tensor(x)).data, rtol=1e-5, atol=1e-6
    )
    back = nn.from_torch(theirs)
    assert repr(back) == repr(model)
    assert not back.training and not back[3].training
    np.testing.assert_array_equal(back(Tensor(x)).data, model(Tensor(x)).data)
    # Our Linear keeps its column-major layout after the trip (the fast one, bench/README.md)
    assert back[0].weight.data.flags.f_contiguous


def test_lenet_round_trip():
    """A LeNet-5 built in PyTorch, here and back: same outputs, same state_dict."""
    torch = _torch()
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.Tanh(), torch.nn.AvgPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.Tanh(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 10),
    )  # fmt: skip
    ours = nn.from_torch(theirs)
    x = np.random.default_rng(3).normal(size=(3, 1, 28, 28)).astype(np.float32)
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(x)).data, expected, rtol=1e-4, atol=1e-5)
    again = nn.to_torch(ours)
    assert list(again.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(again(torch.from_numpy(x)).detach().numpy(), expected, atol=1e-6)


def test_from_torch_reads_a_model_built_in_torch():
    torch = _torch()
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2), torch.nn.Softmax(dim=1)
    )
    ours = nn.from_torch(theirs)
    x = np.random.default_rng(2).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(
        ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_no_memory_is_shared():
    torch = _torch()
    model = nn.Sequential(nn.Linear(3, 2, rng=0))
    theirs = nn.to_torch(model)
    before = model[0].weight.data.copy()
    with torch.no_grad():
        theirs[0].weight.add_(1.0)
    np.testing.assert_array_equal(model[0].weight.data, before)
    back = nn.from_torch(theirs)
    back[0].weight.data[...] = 0
    assert float(theirs[0].weight.detach().abs().sum()) > 0


def test_unknown_layers_are_refused_by_name():
    torch = _torch()
    with pytest.raises(TypeError, match=r"module\[1\] is torch.nn.modules.conv.Conv1d.*supported: "
                       r"Sequential, Concat, Linear"):  # fmt: skip
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Conv1d(1, 1, 1)))

    class Custom(torch.nn.Linear):
        pass

    with pytest.raises(TypeError, match="Custom.*no subclasses"):
        nn.from_torch(torch.nn.Sequential(Custom(2, 2)))
    with pytest.raises(ValueError, match="without dim"):
        nn.from_torch(torch.nn.Softmax())
    with pytest.raises(ValueError, match=r"module\[0\]: Conv2d with dilation=\(2, 2\)"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Conv2d(1, 1, 3, dilation=2)))
    with pytest.raises(ValueError, match="padding='same'"):
        nn.from_torch(torch.nn.Conv2d(1, 1, 3, padding="same"))
    with pytest.raises(ValueError, match="ceil_mode=True"):
        nn.from_torch(torch.nn.MaxPool2d(2, ceil_mode=True))
    with pytest.raises(ValueError, match="count_include_pad=False"):
        nn.from_torch(torch.nn.AvgPool2d(2, padding=1, count_include_pad=False))
    with pytest.raises(ValueError, match="names its layers"):
        from collections import OrderedDict

        nn.from_torch(torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(2, 2))))
    with pytest.raises(TypeError, match="expects a torch.nn.Module"):
        nn.from_torch(nn.Linear(2, 2))

    class Mine(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(
        TypeError, match=r"model\[1\] is a Mine.*supported: Sequential, Concat, Linear"
    ):
        nn.to_torch(nn.Sequential(nn.ReLU(), Mine()))


def test_to_torch_refuses_a_layer_used_twice_as_nn_save_does(tmp_path):
    """Issue 24: to_torch silently untied a layer used twice (two torch layers, trained apart)
    while nn.save refused the model; one rule (`refuse_shared_weights`) for both."""
    torch = _torch()
    shared = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(shared, nn.Tanh(), shared)
    for convert in (nn.to_torch, lambda m: nn.save(m, tmp_path / "tied.npz")):
        with pytest.raises(TypeError, match=r"model\[2\]: it is the same layer object as model"):
            convert(model)
    act = nn.Tanh()  # no weights: nothing to tie, converted as two layers by both
    untied = nn.to_torch(nn.Sequential(nn.Linear(3, 3, rng=0), act, act))
    assert isinstance(untied[2], torch.nn.Tanh)


def test_from_torch_names_a_dtype_numpy_lacks():
    """Issue 24: a bfloat16 torch model got numpy's bare "data type not understood"."""
    torch = _torch()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2)).to(torch.bfloat16)
    with pytest.raises(TypeError, match=r"module\[0\] \(Linear\) has weight of dtype "
                       r"torch.bfloat16.*module.float\(\)"):  # fmt: skip
        nn.from_torch(model)
    half = nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2)).half())
    assert half[0].weight.dtype == np.float16


def test_missing_torch_is_a_clear_import_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch":
            raise ImportError("No module named 'torch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match=r"to_torch needs PyTorch.*autograd-lab\[torch\]"):
        nn.to_torch(nn.ReLU())


def test_trained_here_continues_in_torch():
    torch = _torch()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(4, 16, rng=0), nn.Tanh(), nn.Linear(16, 2, rng=1))
    opt = optim.SGD(model.parameters(), lr=0.5)
    for _ in range(20):
        opt.zero_grad()
        loss = nn.CrossEntropyLoss()(model(Tensor(x)), y)
        loss.backward()
        opt.step()
    ours_after = loss.item()
    theirs = nn.to_torch(model)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    start = torch.nn.functional.cross_entropy(theirs(xt), yt).item()
    np.testing.assert_allclose(start, nn.CrossEntropyLoss()(model(Tensor(x)), y).item(), rtol=1e-5)
    assert start < ours_after  # the last step of ours improved on the loss it reported
    topt = torch.optim.SGD(theirs.parameters(), lr=0.5)
    for _ in range(20):
        topt.zero_grad()
        tloss = torch.nn.functional.cross_entropy(theirs(xt), yt)
        tloss.backward()
        topt.step()
    assert tloss.item() < start
    back = nn.from_torch(theirs)  # and back again: the torch-trained weights, here
    np.testing.assert_allclose(
        nn.CrossEntropyLoss()(back(Tensor(x)), y).item(),
        torch.nn.functional.cross_entropy(theirs(xt), yt).item(),
        rtol=1e-5,
    )


@pytest.mark.parametrize(
    "loss, momentum, weight_decay", [("cross_entropy", 0.0, 0.0), ("mse", 0.9, 1e-3)]
)
def test_compare_with_torch_agrees_to_float32_precision(loss, momentum, weight_decay):
    _torch()
    from autograd.compare import compare_with_torch

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 10)).astype(np.float32)
    labels = (x[:, :3].sum(axis=1) > 0).astype(np.int64)
    y = labels if loss == "cross_entropy" else np.eye(2, dtype=np.float32)[labels]
    model = nn.Sequential(nn.Linear(10, 32, rng=0), nn.Sigmoid(), nn.Linear(32, 2, rng=1))
    result = compare_with_torch(
        model, x, y, loss=loss, epochs=4, batch_size=16, lr=0.1, momentum=momentum,
        weight_decay=weight_decay,
    )  # fmt: skip
    assert len(result.ours) == len(result.theirs) == 4
    assert result.ours[-1] < result.ours[0]  # it trained
    np.testing.assert_allclose(result.ours, result.theirs, rtol=2e-5)
    assert result.max_weight_difference < 1e-4
    assert "PyTorch" in str(result) and str(round(result.ours[0], 6))[:6] in str(result)


def test_compare_refuses_dropout_in_training_mode():
    _torch()
    from autograd.compare import compare_with_torch

    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with pytest.raises(ValueError, match="Dropout 1 would draw different random masks"):
        compare_with_torch(model, np.zeros((4, 2), np.float32), np.zeros(4, np.int64))


def test_compare_checks_its_arguments_before_needing_torch():
    from autograd.compare import compare_with_torch

    model = nn.Sequential(nn.Linear(2, 2, rng=0))
    x, y = np.zeros((4, 2), np.float32), np.zeros(4, np.int64)
    with pytest.raises(ValueError, match=r"loss must be one of \('cross_entropy', 'mse'\)"):
        compare_with_torch(model, x, y, loss="hinge")
    with pytest.raises(ValueError, match="epochs must be a positive int, got 0"):
        compare_with_torch(model, x, y, epochs=0)


def test_notebook_07_runs(monkeypatch, tmp_path):
    """The recipe notebook, cell by cell (the bench environment has torch but no Jupyter)."""
    _torch()
    monkeypatch.setenv("AUTOGRAD_SMALL", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    namespace = {"__name__": "__main__"}
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            exec(compile(source, f"{NOTEBOOK.name} cell {i}", "exec"), namespace)


def test_integer_tensors_promote_as_in_pytorch():
    """Issue 24: `int32 * 0.5` was float64 here, float32 in PyTorch; every op of an integer
    tensor with a number or a float tensor gives PyTorch's dtype."""
    torch = _torch()
    ints = np.arange(1, 5, dtype=np.int32)
    ops = {
        "i * 0.5": lambda i, f32, f16: i * 0.5,
        "0.5 - i": lambda i, f32, f16: 0.5 - i,
        "i + 1": lambda i, f32, f16: i + 1,
        "i * 2": lambda i, f32, f16: i * 2,
        "i / 2": lambda i, f32, f16: i / 2,
        "i / i": lambda i, f32, f16: i / i,
        "i ** 0.5": lambda i, f32, f16: i**0.5,
        "i ** 2": lambda i, f32, f16: i**2,
        "i * f32": lambda i, f32, f16: i * f32,
        "f16 + i": lambda i, f32, f16: f16 + i,
        "i.sigmoid()": lambda i, f32, f16: i.sigmoid(),
        "i.exp()": lambda i, f32, f16: i.exp(),
        "i.tanh()": lambda i, f32, f16: i.tanh(),
        "i.sqrt()": lambda i, f32, f16: i.sqrt(),
        "i.sum()": lambda i, f32, f16: i.sum(),
    }
    ours = (Tensor(ints), Tensor(np.ones(4, np.float32)), Tensor(np.ones(4, np.float16)))
    theirs = (torch.from_numpy(ints), torch.ones(4), torch.ones(4, dtype=torch.float16))
    differ = {}
    for name, op in ops.items():
        here, there = str(op(*ours).dtype), str(op(*theirs).dtype).removeprefix("torch.")
        if here != there:
            differ[name] = (here, there)
    assert not differ


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_label_smoothing_is_pytorchs(weighted, reduction):
    torch = _torch()
    rng = np.random.default_rng(4)
    z = rng.standard_normal((9, 5)) * 2
    y = rng.integers(0, 5, size=9)
    weight = np.array([1.0, 2.0, 0.5, 3.0, 1.5]) if weighted else None
    ours = Tensor(z, requires_grad=True)
    loss = nn.CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=0.2)(ours, y)
    loss.sum().backward()
    zt = torch.tensor(z, requires_grad=True)
    wt = None if weight is None else torch.tensor(weight)
    theirs = torch.nn.functional.cross_entropy(
        zt, torch.from_numpy(y), weight=wt, reduction=reduction, label_smoothing=0.2
    )
    theirs.sum().backward()
    np.testing.assert_allclose(loss.data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad, zt.grad.numpy(), rtol=1e-10, atol=1e-14)
