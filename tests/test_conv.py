"""Convolution and pooling: conv2d, max_pool2d, avg_pool2d against central differences
(float64) over kernel sizes, strides, paddings, channel counts and odd image sizes; against a
direct loop-over-pixels definition; PyTorch's tie-breaking in max-pool; memory layouts of the
input; the layers (nn.Conv2d, pools, Flatten), their errors, save/load and diagram text; a
tiny LeNet that learns a synthetic image task."""

from __future__ import annotations

import numpy as np
import pytest

import autograd.functional as F
from autograd import Tensor, nn, optim
from autograd.tensor import OPS
from tests.test_tensor import check_gradients, normal

conv2d = OPS["conv2d"].function
max_pool2d = OPS["max_pool2d"].function
avg_pool2d = OPS["avg_pool2d"].function


def test_the_table_holds_the_functional_ops():
    assert conv2d is F.conv2d and max_pool2d is F.max_pool2d and avg_pool2d is F.avg_pool2d


# --- direct definitions: loops over every output pixel (slow, obviously right) ----------------
def conv_reference(x, w, b, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh = (h + 2 * padding - kh) // stride + 1
    ow = (wd + 2 * padding - kw) // stride + 1
    y = np.zeros((n, o, oh, ow))
    for p in range(oh):
        for q in range(ow):
            window = xp[:, :, p * stride : p * stride + kh, q * stride : q * stride + kw]
            y[:, :, p, q] = np.einsum("ncij,ocij->no", window, w)
    return y if b is None else y + b[None, :, None, None]


def pool_reference(x, k, stride, padding, reduce, fill):
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)),
                constant_values=fill)  # fmt: skip
    oh = (x.shape[2] + 2 * padding - k) // stride + 1
    ow = (x.shape[3] + 2 * padding - k) // stride + 1
    y = np.zeros(x.shape[:2] + (oh, ow))
    for p in range(oh):
        for q in range(ow):
            window = xp[:, :, p * stride : p * stride + k, q * stride : q * stride + k]
            y[:, :, p, q] = reduce(window, axis=(2, 3))
    return y


CONV_CASES = [
    # (N, C, H, W), (O, kh, kw), stride, padding
    ((2, 1, 5, 5), (1, 1, 1), 1, 0),
    ((2, 3, 7, 6), (4, 3, 3), 1, 0),
    ((1, 2, 9, 7), (3, 3, 3), 2, 1),
    ((2, 2, 8, 8), (2, 4, 4), 1, 2),
    ((1, 3, 11, 9), (2, 5, 5), 2, 0),
    ((2, 1, 7, 7), (3, 5, 5), 3, 2),
    ((1, 4, 6, 5), (1, 2, 3), 1, 1),
]


@pytest.mark.parametrize("shape, kernel, stride, padding", CONV_CASES)
def test_conv2d_matches_the_definition_and_central_differences(shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    o, kh, kw = kernel
    x = normal(rng, shape)
    w = normal(rng, (o, shape[1], kh, kw))
    b = normal(rng, (o,))
    y = conv2d(Tensor(x), Tensor(w), Tensor(b), stride=stride, padding=padding)
    np.testing.assert_allclose(y.data, conv_reference(x, w, b, stride, padding), atol=1e-12)

    def f(x, w, b):
        return conv2d(x, w, b, stride, padding)

    check_gradients(f, [x, w, b], rng)
    check_gradients(lambda x, w: conv2d(x, w, stride=stride, padding=padding), [x, w], rng)


@pytest.mark.parametrize("k, stride, padding", [(2, None, 0), (3, None, 1), (3, 1, 0),
                                                (2, 1, 1), (3, 2, 1), (1, None, 0),
                                                (4, 3, 2), (5, 2, 0)])  # fmt: skip
@pytest.mark.parametrize("shape", [(2, 3, 7, 7), (1, 2, 9, 6)])
def test_pools_match_the_definition_and_central_differences(k, stride, padding, shape):
    rng = np.random.default_rng(1)
    x = normal(rng, shape)
    s = k if stride is None else stride
    y = max_pool2d(Tensor(x), k, stride, padding)
    np.testing.assert_array_equal(y.data, pool_reference(x, k, s, padding, np.max, -np.inf))
    y = avg_pool2d(Tensor(x), k, stride, padding)
    np.testing.assert_allclose(y.data, pool_reference(x, k, s, padding, np.mean, 0.0),
                               atol=1e-12)  # fmt: skip
    check_gradients(lambda x: max_pool2d(x, k, stride, padding), [x], rng)
    check_gradients(lambda x: avg_pool2d(x, k, stride, padding), [x], rng)


def test_max_pool_gives_a_tie_to_the_first_maximum_in_row_major_order():
    # PyTorch scans a window row by row and keeps the first maximum.
    x = np.array([[[[1.0, 3.0, 3.0, 0.0],
                    [3.0, 3.0, 0.0, 3.0],
                    [2.0, 2.0, 5.0, 5.0],
                    [2.0, 2.0, 5.0, 5.0]]]], dtype=np.float32)  # fmt: skip
    t = Tensor(x, requires_grad=True)
    max_pool2d(t, 2).sum().backward()
    expected = np.array([[[[0, 1, 1, 0],
                           [0, 0, 0, 0],
                           [1, 0, 1, 0],
                           [0, 0, 0, 0]]]], dtype=np.float32)  # fmt: skip
    np.testing.assert_array_equal(t.grad, expected)
    # overlapping windows (stride 1): a pixel that is the max of two windows gets both
    t = Tensor(np.array([[[[0.0, 9.0, 0.0]]]], dtype=np.float32), requires_grad=True)
    max_pool2d(t, (1, 2), 1).sum().backward()
    np.testing.assert_array_equal(t.grad, [[[[0, 2, 0]]]])


@pytest.mark.parametrize("layout", ["C", "F", "transposed", "strided"])
def test_ops_accept_any_memory_layout(layout):
    rng = np.random.default_rng(2)
    base = rng.standard_normal((2, 3, 9, 8))
    if layout == "C":
        x = base
    elif layout == "F":
        x = np.asfortranarray(base)
    elif layout == "transposed":
        x = np.ascontiguousarray(base.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    else:
        x = np.repeat(base, 2, axis=3)[:, :, :, ::2]
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    expected = conv_reference(np.ascontiguousarray(x), w, b, 1, 1)
    np.testing.assert_allclose(conv2d(Tensor(x), Tensor(w), Tensor(b), 1, 1).data, expected)
    for op, reduce in ((max_pool2d, np.max), (avg_pool2d, np.mean)):
        np.testing.assert_allclose(op(Tensor(x), 2).data, pool_reference(x, 2, 2, 0, reduce, 0))
    # gradients too: the same numbers whatever the input's layout
    t = Tensor(x.copy(order="K") if layout != "strided" else x, requires_grad=True)
    g = rng.standard_normal((2, 4, 9, 8))
    conv2d(max_pool2d(t, 3, 1, 1), Tensor(w), padding=1).backward(g)
    ref = Tensor(np.ascontiguousarray(x), requires_grad=True)
    conv2d(max_pool2d(ref, 3, 1, 1), Tensor(w), padding=1).backward(g)
    np.testing.assert_allclose(t.grad, ref.grad)


def test_float32_end_to_end_and_float64_data_is_cast_to_the_weights():
    rng = np.random.default_rng(3)
    w = Tensor(rng.standard_normal((2, 1, 3, 3)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32), requires_grad=True)
    x = rng.standard_normal((2, 1, 6, 6))  # float64 data, as x / 255.0 gives
    y = max_pool2d(conv2d(x, w, b), 2)
    assert y.dtype == np.float32
    avg_pool2d(y, 2).sum().backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32
    with pytest.raises(TypeError, match="float64 and requires grad"):
        conv2d(Tensor(x, requires_grad=True), w)


@pytest.mark.parametrize("call, message", [
    (lambda: conv2d(np.zeros((2, 3, 8, 8)), Tensor(np.zeros((4, 2, 3, 3)))),
     r"3 channels \(shape \(2, 3, 8, 8\)\).*\(4, 2, 3, 3\).*expects 2"),
    (lambda: conv2d(np.zeros((2, 1, 4, 8)), Tensor(np.zeros((4, 1, 5, 5)))),
     r"height \(shape \(2, 1, 4, 8\)\) is 4.*kernel is 5.*smaller than the kernel"),
    (lambda: conv2d(np.zeros((1, 8, 8)), Tensor(np.zeros((4, 1, 3, 3)))),
     r"4-d input \(N, C, H, W\), got shape \(1, 8, 8\)"),
    (lambda: conv2d(np.zeros((1, 1, 8, 8)), Tensor(np.zeros((4, 1, 3, 3))), stride=0),
     "stride must be an int >= 1"),
    (lambda: conv2d(np.zeros((1, 1, 8, 8)), Tensor(np.zeros((4, 1, 3, 3))), padding=-1),
     "padding must be an int >= 0"),
    (lambda: conv2d(np.zeros((1, 1, 8, 8)), Tensor(np.zeros((4, 1, 3, 3))), Tensor(np.zeros(3))),
     r"bias has shape \(3,\), expected \(4,\)"),
    (lambda: max_pool2d(np.zeros((1, 1, 3, 8)), 4), r"height .* is 3.*kernel is 4"),
    (lambda: max_pool2d(np.zeros((1, 1, 8, 8)), 2, padding=2), "at most half the kernel"),
    (lambda: avg_pool2d(np.zeros((8, 8)), 2), "4-d input"),
])  # fmt: skip
def test_bad_input_is_refused_with_the_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_diagram_text_names_kernel_and_channels():
    from autograd.viz.dot import op_text

    x = Tensor(np.zeros((1, 3, 12, 12), np.float32))
    w = Tensor(np.zeros((6, 3, 5, 5), np.float32), requires_grad=True)
    assert op_text(conv2d(x, w)) == "Conv 5×5, 3→6"
    assert op_text(conv2d(x, w, stride=2, padding=1)) == "Conv 5×5, 3→6, stride 2, padding 1"
    assert op_text(max_pool2d(x, 2)) == "MaxPool 2×2"
    assert op_text(max_pool2d(x, 3, 1)) == "MaxPool 3×3, stride 1"
    assert op_text(avg_pool2d(x, (2, 3))) == "AvgPool 2×3"
    # a whole network's diagram: each layer's op node says what the layer is
    from autograd.viz.dot import to_dot
    from autograd.viz.style import Style

    net = nn.Sequential(nn.Conv2d(3, 6, 5, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
    dot = to_dot(net(x).sum(), Style())
    assert "label=<Conv 5×5, 3→6>" in dot and "label=<MaxPool 2×2>" in dot


# --- layers ---------------------------------------------------------------------------------
def lenet5(rng=0):
    return nn.Sequential(
        nn.Conv2d(3, 6, 5, rng=rng), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5, rng=rng + 1), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120, rng=rng + 2), nn.ReLU(),
        nn.Linear(120, 84, rng=rng + 3), nn.ReLU(),
        nn.Linear(84, 10, rng=rng + 4),
    )  # fmt: skip


def test_conv2d_has_pytorchs_names_shapes_and_default_init():
    conv = nn.Conv2d(3, 6, 5, rng=0)
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert conv.weight.shape == (6, 3, 5, 5) and conv.bias.shape == (6,)
    assert conv.weight.dtype == np.float32 and conv.bias.dtype == np.float32
    big = nn.Conv2d(16, 64, 3, rng=1)  # enough weights to see the distribution
    bound = 1 / np.sqrt(16 * 3 * 3)  # kaiming_uniform(a=sqrt(5)) = U(±1/sqrt(fan_in))
    w = big.weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.03 * bound
    assert np.abs(big.bias.data).max() <= bound and big.bias.data.std() > 0.3 * bound
    assert nn.Conv2d(1, 2, (3, 4), stride=2, padding=(1, 0)).weight.shape == (2, 1, 3, 4)
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None
    assert not np.any(nn.Conv2d(1, 2, 3, init="he_normal", rng=0).bias.data)
    assert repr(nn.Conv2d(3, 6, 5)) == "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1))"


def test_pool_and_flatten_layers():
    x = Tensor(np.arange(2 * 3 * 6 * 6, dtype=np.float32).reshape(2, 3, 6, 6))
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 3, 3)  # stride defaults to the kernel size
    assert nn.MaxPool2d(2).stride == (2, 2) and nn.MaxPool2d(3, 1).stride == (1, 1)
    assert nn.AvgPool2d(3, 1, 1)(x).shape == (2, 3, 6, 6)
    np.testing.assert_array_equal(nn.Flatten()(x).data, x.data.reshape(2, -1))
    # on a conv's channels-last output, Flatten still gives PyTorch's (C, H, W) order
    y = nn.MaxPool2d(2)(x)
    np.testing.assert_array_equal(nn.Flatten()(y).data, np.ascontiguousarray(y.data).reshape(2, -1))
    assert nn.Flatten(0)(x).shape == (2 * 3 * 6 * 6,)
    with pytest.raises(ValueError, match="cannot flatten axes 3 to -1"):
        nn.Flatten(3)(Tensor(np.zeros((2, 3))))


@pytest.mark.parametrize("layer, shape, message", [
    (nn.Conv2d(3, 6, 5), (2, 1, 32, 32),
     r"Conv2d\(3, 6, kernel_size=\(5, 5\).*: conv2d: the input has 1 channels "
     r"\(shape \(2, 1, 32, 32\)\)"),
    (nn.Conv2d(1, 6, 5), (2, 1, 4, 32),
     r"Conv2d\(1, 6.*height \(shape \(2, 1, 4, 32\)\) is 4.*smaller than the kernel"),
    (nn.MaxPool2d(2), (2, 1, 1, 1), r"MaxPool2d\(kernel_size=\(2, 2\).*smaller than the kernel"),
    (nn.Conv2d(1, 6, 5), (2, 784), r"Conv2d\(1, 6.*4-d input \(N, C, H, W\), got shape"),
])  # fmt: skip
def test_layers_name_themselves_and_the_shapes_in_errors(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer(Tensor(np.zeros(shape, np.float32)))


def test_lenet5_shapes_save_and_load(tmp_path):
    model = lenet5()
    x = np.random.default_rng(0).standard_normal((4, 3, 32, 32)).astype(np.float32)
    y = model(Tensor(x))
    assert y.shape == (4, 10) and y.dtype == np.float32
    state = model.state_dict()
    assert state["0.weight"].shape == (6, 3, 5, 5) and state["3.weight"].shape == (16, 6, 5, 5)
    path = nn.save(model, tmp_path / "lenet")
    loaded = nn.load(path)
    assert repr(loaded) == repr(model)
    np.testing.assert_array_equal(loaded(Tensor(x)).data, y.data)
    size = sum(a.nbytes for a in model.state_dict().values())
    assert size == 4 * (6 * 3 * 25 + 6 + 16 * 6 * 25 + 16 + 400 * 120 + 120 + 120 * 84 + 84
                        + 84 * 10 + 10)  # fmt: skip
    assert path.stat().st_size < size + 16000  # the weights and a JSON header: ~250 KB


def bars(n, rng, size=10):
    """A small image task: a noisy horizontal bar (class 0), vertical bar (1) or diagonal (2)
    at a random place: position-invariant, so a conv net learns it from few samples."""
    y = rng.integers(0, 3, n)
    x = 0.3 * rng.standard_normal((n, 1, size, size)).astype(np.float32)
    at = rng.integers(1, size - 1, n)
    for i in range(n):
        if y[i] == 0:
            x[i, 0, at[i], 1:-1] += 1.0
        elif y[i] == 1:
            x[i, 0, 1:-1, at[i]] += 1.0
        else:
            d = np.arange(size)
            x[i, 0, d, (d + at[i]) % size] += 1.0
    return x, y


def test_a_tiny_lenet_learns_a_synthetic_image_task():
    rng = np.random.default_rng(0)
    x, y = bars(600, rng)
    x_test, y_test = bars(300, rng)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, rng=1), nn.ReLU(), nn.AvgPool2d(3),
        nn.Flatten(), nn.Linear(8, 3, rng=2),
    )  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=0.02)

    def accuracy():
        return float((model(Tensor(x_test)).data.argmax(1) == y_test).mean())

    before = accuracy()
    for _epoch in range(8):
        for start in range(0, len(x), 30):
            opt.zero_grad()
            loss = loss_fn(model(Tensor(x[start : start + 30])), y[start : start + 30])
            loss.backward()
            opt.step()
    after = accuracy()
    assert before < 0.6 and after > 0.95, (before, after)


def test_kernel_stride_and_padding_take_an_int_or_a_pair():
    assert nn.Conv2d(1, 2, (3, 5), stride=(1, 2), padding=(0, 2)).kernel_size == (3, 5)
    for bad in (0, (3,), (3, 3, 3), 2.0, True, "3"):
        with pytest.raises(ValueError, match="Conv2d kernel_size must be an int >= 1 or a pair"):
            nn.Conv2d(1, 2, bad)
    with pytest.raises(ValueError, match=r"MaxPool2d padding must be an int >= 0 .* got -1"):
        nn.MaxPool2d(2, padding=-1)


# --- PyTorch's edge cases (issue 24): NaN, all -inf windows, empty kernels --------------------
def test_max_pool_propagates_a_nan_wherever_it_is_in_the_window():
    # PyTorch: a window holding a NaN pools to NaN and sends the gradient to that NaN (the
    # last one in row-major order when there are several), whatever its place in the window.
    x = np.array([[[[1.0, np.nan, 5.0, 2.0],
                    [3.0, 2.0, 1.0, np.nan],
                    [np.nan, 7.0, np.nan, 1.0],
                    [2.0, np.nan, 4.0, 3.0]]]], dtype=np.float32)  # fmt: skip
    t = Tensor(x, requires_grad=True)
    y = max_pool2d(t, 2)
    assert np.isnan(y.data).all(), y.data
    y.backward(np.ones(y.shape, np.float32))
    # window (1, 0) holds NaNs at (2, 0) and (3, 1): the gradient goes to the last one
    expected = np.array([[[[0, 1, 0, 0],
                           [0, 0, 0, 1],
                           [0, 0, 1, 0],
                           [0, 1, 0, 0]]]], dtype=np.float32)  # fmt: skip
    np.testing.assert_array_equal(t.grad, expected)
    # windows without a NaN are untouched by a NaN elsewhere in the batch
    x = np.arange(32, dtype=np.float32).reshape(2, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    y = max_pool2d(Tensor(x), 2).data
    assert np.isnan(y[0, 0, 0, 0]) and np.isnan(y).sum() == 1
    np.testing.assert_array_equal(y[1], pool_reference(x[1:], 2, 2, 0, np.max, -np.inf)[0])


def test_max_pool_gives_an_all_minus_inf_window_its_first_pixel_not_the_padding():
    # An all -inf window that overlaps the padding: the gradient goes to the window's first
    # pixel inside the image (PyTorch), not to the padding, where it would be lost.
    x = np.full((1, 1, 2, 2), -np.inf, np.float32)
    t = Tensor(x, requires_grad=True)
    y = max_pool2d(t, 2, 2, 1)
    assert y.shape == (1, 1, 2, 2) and np.all(y.data == -np.inf)
    y.backward(np.ones(y.shape, np.float32))
    np.testing.assert_array_equal(t.grad, np.ones((1, 1, 2, 2)))
    t = Tensor(np.full((1, 1, 3, 3), -np.inf, np.float32), requires_grad=True)
    max_pool2d(t, 3, 1, 1).sum().backward()  # overlapping windows: first in-image pixel each
    np.testing.assert_array_equal(t.grad, [[[[4, 2, 0], [2, 1, 0], [0, 0, 0]]]])


@pytest.mark.parametrize("kernel", [(0, 0), (0, 3), (3, 0)])
def test_conv2d_refuses_an_empty_kernel(kernel):
    # PyTorch refuses it; before, a 0x0 kernel gave a 5x5 output from a 4x4 image
    w = Tensor(np.zeros((2, 1, *kernel), np.float32))
    with pytest.raises(ValueError, match=r"conv2d: the kernel .* is empty"):
        conv2d(np.zeros((1, 1, 4, 4), np.float32), w)


@pytest.mark.parametrize("shape, kernel, padding", [
    ((2, 3, 7, 6), (4, 3, 3), 0), ((2, 2, 8, 8), (2, 4, 4), 2), ((1, 4, 6, 5), (1, 2, 3), 1),
    ((2, 5, 6, 6), (1, 1, 1), 0), ((1, 2, 5, 7), (3, 2, 2), (0, 1)), ((2, 6, 5, 5), (2, 1, 3), 3),
])  # fmt: skip
@pytest.mark.parametrize("correlation", [True, False])
def test_both_input_gradients_of_a_conv_match_the_definition(monkeypatch, shape, kernel, padding,
                                                             correlation):  # fmt: skip
    # the input gradient as a full correlation of the output gradient, or as col2im: whichever
    # the size rule picks, both give the same numbers (central differences, float64)
    monkeypatch.setattr(F, "_correlation_pays", lambda *args: correlation)
    rng = np.random.default_rng(5)
    x = normal(rng, shape)
    w = normal(rng, (kernel[0], shape[1], *kernel[1:]))
    check_gradients(lambda x, w: conv2d(x, w, padding=padding), [x, w], rng)


# --- the compiled kernels (the `fast` extra) against the numpy path ----------------------------
POOL_KERNEL_CASES = [(2, None, 0), (3, 1, 1), (2, 2, 1), (3, 2, 1), ((2, 3), (1, 2), (1, 1)),
                     (1, None, 0), (2, 1, 0), (2, (1, 3), 1)]  # fmt: skip


@pytest.mark.parametrize("k, stride, padding", POOL_KERNEL_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply")  # inf·0, numpy path
def test_max_pool_compiled_kernel_equals_numpy(k, stride, padding, dtype):
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    from autograd.kernels import compiled, use_numba

    assert compiled() is not None
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 3, (3, 4, 9, 8)).astype(dtype)  # ties, as after ReLU
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.05] = -np.inf
    x[1, 2] = -np.inf
    results = []
    for numba in (False, True):
        previous = use_numba(numba)
        try:
            t = Tensor(x.copy(), requires_grad=True)
            y = max_pool2d(t, k, stride, padding)
            g = np.random.default_rng(8).standard_normal(y.shape).astype(dtype)
            g[0, 0, 0, 0], g[2, 1, -1, -1] = np.nan, -np.inf  # g·0 off the arg-max: NaN
            y.backward(g)
        finally:
            use_numba(previous)
        assert y.dtype == dtype
        results.append((y.data, t.grad))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


# (N, C, H, W, O, kh, kw, padding, bias): kernels of 1 to 6 columns (the direct kernels take
# four taps at a time, then one), non-square images and paddings, one image, one channel
DIRECT_CASES = [(4, 3, 12, 11, 6, 5, 5, 0, True), (3, 2, 9, 8, 1, 3, 4, 1, False),
                (2, 1, 6, 7, 4, 1, 1, 0, True), (3, 5, 8, 8, 2, 2, 6, (1, 2), True),
                (1, 1, 3, 4, 1, 3, 4, 0, False), (2, 4, 7, 9, 3, 3, 8, (0, 2), True)]  # fmt: skip


def _count_direct_calls(monkeypatch, names=("conv_forward", "conv_weight_grad")):
    """Wrap compiled kernels (the direct conv's by default) so a test sees whether conv2d ran
    them."""
    from autograd.kernels import numba_loops

    calls = dict.fromkeys(names, 0)
    for name in calls:
        kernel = getattr(numba_loops, name)

        def counted(*args, _kernel=kernel, _name=name):
            calls[_name] += 1
            return _kernel(*args)

        monkeypatch.setattr(numba_loops, name, counted)
    return calls


def _conv_both_ways(x, w, b, padding, stride=1, seed=8):
    """conv2d's output and gradients from the numpy path and from the compiled kernels."""
    from autograd.kernels import use_numba

    results = []
    for numba in (False, True):
        previous = use_numba(numba)
        try:
            xt, wt = Tensor(x.copy(), requires_grad=True), Tensor(w.copy(), requires_grad=True)
            bt = None if b is None else Tensor(b.copy(), requires_grad=True)
            y = conv2d(xt, wt, bt, stride=stride, padding=padding)
            y.backward(np.random.default_rng(seed).standard_normal(y.shape).astype(x.dtype))
        finally:
            use_numba(previous)
        assert y.dtype == x.dtype and xt.grad.dtype == x.dtype and wt.grad.dtype == x.dtype
        results.append((y.data, xt.grad, wt.grad, None if bt is None else bt.grad))
    return results


@pytest.mark.parametrize("case", DIRECT_CASES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_direct_conv_compiled_kernels_equal_numpy_within_rounding(monkeypatch, case, dtype):
    # few output channels, stride 1: the compiled direct kernels compute the output and the
    # weight gradient; they add in another order than the GEMMs, so equal up to rounding
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    n, c, h, w_, o, kh, kw, padding, with_bias = case
    rng = np.random.default_rng(11)
    x = rng.standard_normal((n, c, h, w_)).astype(dtype)
    w = rng.standard_normal((o, c, kh, kw)).astype(dtype)
    b = rng.standard_normal(o).astype(dtype) if with_bias else None
    calls = _count_direct_calls(monkeypatch)
    numpy_path, compiled_path = _conv_both_ways(x, w, b, padding)
    assert calls == {"conv_forward": 1, "conv_weight_grad": 1}
    tolerance = 2e-6 if dtype == np.float32 else 1e-13
    for expected, got in zip(numpy_path, compiled_path):
        if expected is not None:
            scale = np.abs(expected).max()
            np.testing.assert_allclose(got, expected, rtol=0, atol=tolerance * scale)
    if dtype == np.float64:  # and both are the definition's
        reference = conv_reference(x, w, b, 1, padding) if isinstance(padding, int) else None
        if reference is not None:
            np.testing.assert_allclose(compiled_path[0], reference, rtol=1e-12, atol=1e-12)


def test_direct_conv_compiled_weight_gradient_with_an_inf_pixel(monkeypatch):
    # the direct weight gradient reads each image row past the windows' last column (and
    # multiplies it by zero): an inf there must not turn a tap that never reads it into NaN.
    # The inf is in the last column, which only the kernel's last column of taps reads.
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 2, 7, 8))
    x[1, 0, 3, 7] = np.inf
    w = rng.standard_normal((3, 2, 3, 3))
    calls = _count_direct_calls(monkeypatch)
    numpy_path, compiled_path = _conv_both_ways(x, w, None, 0)
    assert calls["conv_forward"] == 1
    gw_numpy, gw_compiled = numpy_path[2], compiled_path[2]
    assert np.isfinite(gw_numpy[:, :, :, :2]).all()  # the first two columns of taps
    np.testing.assert_allclose(gw_compiled, gw_numpy, rtol=1e-12, atol=1e-12)  # NaN where NaN
    np.testing.assert_allclose(compiled_path[0], numpy_path[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("out_channels, stride", [(7, 1), (2, 2)])
def test_compiled_direct_conv_only_for_few_output_channels_at_stride_1_and_col2im(
    monkeypatch, out_channels, stride
):
    # more output channels or another stride: im2col and GEMMs, as without the fast extra; at
    # stride 1 the input gradient's col2im is compiled, with the numpy path's adds and bits
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 3, 9, 10)).astype(np.float32)
    w = rng.standard_normal((out_channels, 3, 3, 4)).astype(np.float32)
    calls = _count_direct_calls(monkeypatch, ("conv_forward", "conv_weight_grad", "col2im"))
    numpy_path, compiled_path = _conv_both_ways(x, w, None, 1, stride=stride)
    assert calls == {"conv_forward": 0, "conv_weight_grad": 0, "col2im": int(stride == 1)}
    for expected, got in zip(numpy_path[:3], compiled_path[:3]):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("slice_elements", [1, 500])
def test_conv_without_a_weight_gradient_takes_the_batch_in_slices(monkeypatch, slice_elements):
    # under no_grad (evaluation) the im2col matrix is made a few images at a time; the output
    # is the definition's, as with the whole batch
    monkeypatch.setattr(F, "_COLS_SLICE", slice_elements)  # 1 or a few images per slice
    rng = np.random.default_rng(17)
    x = rng.standard_normal((7, 2, 9, 8))
    w = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    expected = conv_reference(x, w, b, 2, 1)
    from autograd import no_grad

    with no_grad():
        y = conv2d(Tensor(x), Tensor(w, requires_grad=True), Tensor(b), stride=2, padding=1)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    frozen = Tensor(w)  # a frozen weight: slices too, and the input still gets its gradient
    xt = Tensor(x, requires_grad=True)
    y = conv2d(xt, frozen, Tensor(b), stride=2, padding=1)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-12)
    check_gradients(lambda x: conv2d(x, frozen, stride=2, padding=1), [x], rng)
