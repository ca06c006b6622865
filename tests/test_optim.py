"""Optimizers, learning-rate schedules and early stopping.

The expected numbers are worked out by hand from PyTorch's update formulas on a tiny problem:
loss 0.5 * |p|^2, so the gradient is p itself, from p0 = (1, -2).
"""

import contextlib
import math

import numpy as np
import pytest

from autograd import nn, optim


class Param:
    """The least a parameter needs: a float array `data` (updated in place) and `grad`."""

    def __init__(self, values, dtype=np.float32):
        self.data = np.array(values, dtype=dtype)
        self.grad = None


def run(make_optimizer, steps=3, p0=(1.0, -2.0), kind="stand-in"):
    """Take `steps` steps on loss 0.5*|p|^2 (gradient = p); return p after each step.

    kind "stand-in": a bare Param whose grad is set by hand; "nn.Parameter": a real Parameter
    whose grad comes from backward() through the Tensor graph.
    """
    p = Param(p0) if kind == "stand-in" else nn.Parameter(np.array(p0, np.float32))
    opt = make_optimizer([p])
    array = p.data
    out = []
    for _ in range(steps):
        if kind == "stand-in":
            p.grad = p.data.copy()
        else:
            opt.zero_grad()
            ((p * p).sum() * 0.5).backward()
            np.testing.assert_array_equal(p.grad, p.data)
        opt.step()
        assert p.data is array and p.data.dtype == np.float32  # in place, still float32
        out.append(p.data.copy())
    return out


@pytest.fixture(params=["stand-in", "nn.Parameter"])
def kind(request):
    return request.param


def check(got, expected):
    np.testing.assert_allclose(np.array(got), np.array(expected), rtol=2e-6, atol=1e-7)


# --- SGD -----------------------------------------------------------------------------------------
def test_sgd_plain(kind):
    # p <- p - 0.1 p = 0.9 p
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.SGD(ps, lr=0.1)),
        [[0.9, -1.8], [0.81, -1.62], [0.729, -1.458]],
    )


def test_sgd_weight_decay(kind):
    # g' = g + 0.1 p = 1.1 p;  p <- p - 0.1 * 1.1 p = 0.89 p
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.1)),
        [[0.89, -1.78], [0.7921, -1.5842], [0.704969, -1.409938]],
    )


def test_sgd_momentum(kind):
    # step 1: b = g = (1, -2);                        p = (0.9, -1.8)
    # step 2: b = 0.9 (1, -2) + (0.9, -1.8) = (1.8, -3.6);   p = (0.72, -1.44)
    # step 3: b = 0.9 (1.8, -3.6) + (0.72, -1.44) = (2.34, -4.68);  p = (0.486, -0.972)
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)),
        [[0.9, -1.8], [0.72, -1.44], [0.486, -0.972]],
    )


def test_sgd_nesterov(kind):
    # step 1: b = g = (1, -2); d = g + 0.9 b = (1.9, -3.8);  p = (0.81, -1.62)
    # step 2: b = 0.9 (1, -2) + (0.81, -1.62) = (1.71, -3.42); d = (2.349, -4.698)
    #         p = (0.81 - 0.2349, -1.62 + 0.4698) = (0.5751, -1.1502)
    check(
        run(
            kind=kind,
            make_optimizer=lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
            steps=2,
        ),
        [[0.81, -1.62], [0.5751, -1.1502]],
    )


def test_sgd_momentum_with_weight_decay(kind):
    # step 1: g' = 1.1 p0 = (1.1, -2.2) = b;  p = p0 - 0.11 p0 = (0.89, -1.78)
    # step 2: g' = 1.1 (0.89, -1.78) = (0.979, -1.958); b = 0.9 (1.1, -2.2) + g' = (1.969, -3.938)
    #         p = (0.89 - 0.1969, -1.78 + 0.3938) = (0.6931, -1.3862)
    check(
        run(
            kind=kind,
            make_optimizer=lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1),
            steps=2,
        ),
        [[0.89, -1.78], [0.6931, -1.3862]],
    )


# --- Adam family ---------------------------------------------------------------------------------
def test_adam(kind):
    # step 1: m = 0.1 g, v = 0.001 g^2; bias-corrected m/sqrt(v) = sign(g):  p = p0 - 0.1 sign
    #         (exactly 1 - 0.1/(1 + 1e-8) = 0.900000001 with eps)
    # step 2: g = (0.9, -1.9); m = (0.18, -0.37); v = (0.001809, 0.007606)
    #         m/(1-0.81) = (0.947368, -1.947368); sqrt(v/(1-0.998001)) = (0.951290, 1.950616)
    #         p = (0.9 - 0.0995878, -1.9 + 0.0998335) = (0.8004122, -1.8001665)
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.Adam(ps, lr=0.1)),
        [[0.900000001, -1.9000000005], [0.80041223, -1.80016649], [0.70158627, -1.70062339]],
    )


def test_adam_coupled_weight_decay(kind):
    # Adam's weight_decay adds wd*p to the gradient (L2), unlike AdamW: g' = 1.1 p
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.1)),
        [[0.90000000091, -1.90000000045], [0.80041223, -1.80016649], [0.70158627, -1.70062339]],
    )


def test_adamw_decoupled_weight_decay(kind):
    # step 1: p <- p0 (1 - 0.1*0.1) = (0.99, -1.98), then the Adam step -0.1 sign(g):
    #         (0.89, -1.88)
    # step 2: g = (0.89, -1.88); m = (0.179, -0.368); v = (0.0017911, 0.0075304)
    #         decay: 0.99 * 0.89 = 0.8811; Adam: m/0.19 = 0.942105, sqrt(v/0.001999) = 0.946572
    #         p = 0.8811 - 0.1 * 0.942105/0.946572 = 0.8811 - 0.0995283 = 0.7815717
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.AdamW(ps, lr=0.1, weight_decay=0.1)),
        [[0.890000001, -1.8800000005], [0.78157186, -1.76140895], [0.67510122, -1.64436868]],
    )


def test_adagrad(kind):
    # step 1: G = g^2 = (1, 4); p = p0 - 0.1 g/|g| = (0.9, -1.9)
    # step 2: g = (0.9, -1.9); G = (1.81, 7.61); p = 0.9 - 0.09/sqrt(1.81) = 0.8331035,
    #         -1.9 + 0.19/sqrt(7.61) = -1.8311251
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.Adagrad(ps, lr=0.1)),
        [[0.9, -1.9], [0.83310353, -1.83112505], [0.78045618, -1.77582152]],
    )


def test_rmsprop(kind):
    # step 1: v = 0.01 g^2 = (0.01, 0.04); d = g/(sqrt(v) + 1e-8) = (10, -10) (minus a hair);
    #         p = p0 - 0.01 d = (0.9, -1.9)
    # step 2: g = (0.9, -1.9); v = 0.99 (0.01, 0.04) + 0.01 (0.81, 3.61) = (0.018, 0.0757)
    #         p = 0.9 - 0.01 * 0.9/0.1341641 = 0.8329180, -1.9 + 0.01 * 1.9/0.2751363 = -1.8309433
    check(
        run(kind=kind, make_optimizer=lambda ps: optim.RMSprop(ps, lr=0.01)),
        [[0.90000001, -1.900000005], [0.83291798, -1.83094333], [0.77998228, -1.77534945]],
    )


def test_rmsprop_momentum_and_centered_first_step(kind):
    # centered: a = 0.01 g, v~ = 0.01 g^2 - 0.0001 g^2 = 0.0099 g^2, d = g/sqrt(0.0099 g^2)
    # momentum: b = d = sign(g)/sqrt(0.0099) = (10.050378, -10.050378); p = p0 - 0.01 b
    got = run(
        kind=kind,
        make_optimizer=lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
        steps=1,
    )
    check(got, [[1 - 0.10050378, -2 + 0.10050378]])


def test_rmsprop_accepts_momentum_of_one_as_pytorch(kind):
    # torch.optim.RMSprop([p], lr=0.01, momentum=1.0), two steps from (1, -2), float64
    got = run(kind=kind, make_optimizer=lambda ps: optim.RMSprop(ps, lr=0.01, momentum=1.0),
              steps=2)  # fmt: skip
    check(got, [[0.90000001, -1.900000005], [0.73291799, -1.73094334]])
    with pytest.raises(ValueError, match="momentum must be a finite number >= 0"):
        optim.RMSprop([Param([1.0])], momentum=-0.5)


# --- behaviour shared by all -------------------------------------------------------------------
ALL = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "adam": lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.1),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, weight_decay=0.01),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.1, weight_decay=0.01, momentum=0.9),
}


@pytest.mark.parametrize("name", ALL)
def test_skips_params_without_grad_and_keeps_grad_and_dtype(name):
    a, b = Param([1.0, -2.0]), Param([[3.0]])
    opt = ALL[name]([a, b])
    a.grad = np.array([0.5, 0.5], np.float32)
    grad_before = a.grad.copy()
    b_before = b.data.copy()
    opt.step()
    np.testing.assert_array_equal(b.data, b_before)  # grad None: untouched
    np.testing.assert_array_equal(a.grad, grad_before)  # the gradient is not modified
    assert a.data.dtype == np.float32 and b.data.dtype == np.float32
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_state_does_not_advance_while_grad_is_none():
    # b first gets a gradient at step 2: its Adam step count is 1, so its update is the
    # bias-corrected first step, lr * sign(g), exactly as if it were a fresh optimizer.
    a, b = Param([1.0]), Param([1.0])
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = np.array([1.0], np.float32)
    opt.step()
    b.grad = np.array([3.0], np.float32)
    opt.step()
    np.testing.assert_allclose(b.data, [0.9], rtol=1e-6)


def test_numpy_float64_hyperparameters_keep_float32():
    p = Param([1.0, -2.0])
    opt = optim.SGD([p], lr=np.float64(0.1), momentum=np.float64(0.9))
    p.grad = np.array([1.0, 1.0], np.float32)
    opt.step()
    assert p.data.dtype == np.float32
    assert type(opt.lr) is float


def test_float64_parameters_stay_float64():
    p = Param([1.0, -2.0], dtype=np.float64)
    opt = optim.Adam([p], lr=0.1)
    p.grad = p.data.copy()
    opt.step()
    assert p.data.dtype == np.float64
    np.testing.assert_allclose(p.data, [0.900000001, -1.9000000005], rtol=1e-12)


def test_lr_is_settable_and_used():
    p = Param([1.0])
    opt = optim.SGD([p], lr=0.1)
    opt.lr = 0.5
    p.grad = np.array([1.0], np.float32)
    opt.step()
    np.testing.assert_allclose(p.data, [0.5])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda ps: optim.SGD(ps, lr=-0.1), "lr must be"),
        (lambda ps: optim.Adam(ps, lr=-1e-3), "lr must be"),
        (lambda ps: optim.Adam(ps, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\)"),
        (lambda ps: optim.AdamW(ps, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda ps: optim.Adam(ps, betas=0.9), "betas must be a pair"),
        (lambda ps: optim.SGD(ps, lr=0.1, nesterov=True), "nesterov=True needs momentum"),
        (lambda ps: optim.SGD(ps, lr=0.1, momentum=1.5), r"momentum must be in \[0, 1\)"),
        (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=-1), "weight_decay must be"),
        (lambda ps: optim.RMSprop(ps, alpha=1.0), r"alpha must be in \[0, 1\)"),
        (lambda ps: optim.SGD(ps, lr=float("nan")), "lr must be"),
    ],
)
def test_bad_hyperparameters(make, message):
    with pytest.raises(ValueError, match=message):
        make([Param([1.0])])


def test_bad_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam(iter(()))
    p = Param([1.0])
    with pytest.raises(TypeError, match="single parameter"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="appears twice"):
        optim.SGD([p, p], lr=0.1)
    with pytest.raises(TypeError, match="floating numpy array"):
        optim.SGD([np.zeros(3)], lr=0.1)
    model = nn.Sequential(nn.Linear(2, 2))  # iterable (its layers), but not its parameters
    with pytest.raises(TypeError, match=r"got the Sequential itself: pass model.parameters\(\)"):
        optim.SGD(model, lr=0.1)
    opt = optim.SGD([p], lr=0.1)
    p.grad = np.zeros(2, np.float32)
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but data has shape \(1,\)"):
        opt.step()
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1


# --- schedules -----------------------------------------------------------------------------------
def lrs(schedule, epochs):
    """The lr in force during epochs 0..epochs-1, stepping once per epoch."""
    out = []
    for _ in range(epochs):
        out.append(schedule.optimizer.lr)
        assert schedule.lr == schedule.optimizer.lr
        schedule.step()
    return out


def sgd(lr=0.1):
    return optim.SGD([Param([1.0])], lr=lr)


def test_linear_saturated():
    # max(0.02, 0.1 (1 - t/10)): 0.1, 0.09, ..., 0.03, then the floor 0.02 from t = 8 on
    got = lrs(optim.LinearSaturated(sgd(), T=10, lr_min=0.02), 12)
    expected = [0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_exponential():
    got = lrs(optim.lr_scheduler.Exponential(sgd(0.2), gamma=0.5), 4)
    np.testing.assert_allclose(got, [0.2, 0.1, 0.05, 0.025], rtol=1e-12)


def test_step():
    got = lrs(optim.Step(sgd(), step_size=3, gamma=0.1), 7)
    np.testing.assert_allclose(got, [0.1] * 3 + [0.01] * 3 + [0.001], rtol=1e-12)


def test_cosine():
    # lr_min + (lr0 - lr_min)(1 + cos(pi t/T))/2 with lr0 0.1, lr_min 0.01, T 4; flat after T
    got = lrs(optim.Cosine(sgd(), T=4, lr_min=0.01), 6)
    c = math.cos(math.pi / 4)  # 0.7071068
    expected = [0.1, 0.01 + 0.09 * (1 + c) / 2, 0.055, 0.01 + 0.09 * (1 - c) / 2, 0.01, 0.01]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert abs(expected[1] - 0.0868198) < 1e-7


def test_schedule_sets_optimizer_lr_and_lr_at_is_pure():
    opt = sgd(0.3)
    sched = optim.Exponential(opt, gamma=0.9)
    assert sched.lr_at(2) == pytest.approx(0.3 * 0.81)
    assert sched.t == 0 and opt.lr == 0.3  # lr_at does not step
    assert sched.step() == pytest.approx(0.27) and opt.lr == pytest.approx(0.27)


def test_schedule_errors():
    with pytest.raises(ValueError, match="T must be > 0"):
        optim.LinearSaturated(sgd(), T=0)
    with pytest.raises(TypeError, match="step_size must be a positive int, got 2.5"):
        optim.Step(sgd(), step_size=2.5)
    with pytest.raises(ValueError, match="gamma must be > 0"):
        optim.Exponential(sgd(), gamma=0)
    with pytest.raises(TypeError, match="optimizer with an `lr`"):
        optim.Exponential(object(), gamma=0.9)


# --- early stopping ------------------------------------------------------------------------------
class TinyModel:
    """state_dict / load_state_dict over one array, like nn.Module's."""

    def __init__(self):
        self.w = np.zeros(2, np.float32)

    def state_dict(self):
        return {"w": self.w}  # a view on purpose: EarlyStopping must copy it

    def load_state_dict(self, state):
        self.w[...] = state["w"]


def test_early_stopping_patience_and_min_delta():
    stop = optim.EarlyStopping("val_loss", patience=2, min_delta=0.1, restore_best=False)
    assert stop.mode == "min"
    # 1.0 best; 0.95 is not better by > 0.1 (wait 1); 0.8 is (reset); 0.75 (1), 0.85 (2): stop
    assert [stop.step(v) for v in [1.0, 0.95, 0.8, 0.75, 0.85]] == [False] * 4 + [True]
    assert stop.best == 0.8 and stop.best_epoch == 2 and stop.stopped


def test_early_stopping_max_mode_and_nan():
    stop = optim.EarlyStopping("val_accuracy", patience=3, restore_best=False)
    assert stop.mode == "max"
    assert [stop.step(v) for v in [0.5, 0.7, float("nan"), 0.6, 0.7]] == [False] * 4 + [True]
    assert stop.best == 0.7 and stop.best_epoch == 1


def test_early_stopping_restores_the_best_weights():
    model = TinyModel()
    stop = optim.EarlyStopping("val_loss", patience=2)
    for epoch, loss in enumerate([3.0, 1.0, 2.0, 2.5]):
        model.w[...] = epoch  # "training" changes the weights in place
        if stop.step(loss, model):
            break
    assert epoch == 3 and model.w.tolist() == [3.0, 3.0]
    assert stop.restore(model)
    assert model.w.tolist() == [1.0, 1.0]  # the weights of epoch 1, the best


def test_early_stopping_lives_with_training_and_keeps_its_old_import():
    from autograd import train
    from autograd.early_stopping import EarlyStopping

    assert train.EarlyStopping is EarlyStopping is optim.EarlyStopping


def test_early_stopping_errors():
    with pytest.raises(ValueError, match="pass mode='min' or mode='max'"):
        optim.EarlyStopping("val_score")
    with pytest.raises(ValueError, match="mode must be"):
        optim.EarlyStopping("val_loss", mode="lowest")
    with pytest.raises(ValueError, match="patience must be"):
        optim.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="needs the model"):
        optim.EarlyStopping().step(1.0)
    assert optim.EarlyStopping(restore_best=False).restore(TinyModel()) is False


# --- against PyTorch itself (runs where torch is installed: make test-torch) -------------------
TORCH_CASES = {
    "SGD": {"lr": 0.1},
    "SGD momentum weight_decay": {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01},
    "SGD nesterov": {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adam weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "AdamW": {"lr": 0.01, "weight_decay": 0.1},
    "Adagrad lr_decay": {"lr": 0.1, "weight_decay": 0.01, "lr_decay": 0.1},
    "RMSprop": {"lr": 0.01, "weight_decay": 0.01},
    "RMSprop centered momentum": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "RMSprop momentum 1": {"lr": 0.01, "momentum": 1.0},
}


@pytest.mark.parametrize("case", TORCH_CASES)
def test_ten_steps_match_torch(case):
    torch = pytest.importorskip("torch", reason="torch is only in the bench extra")
    kwargs = TORCH_CASES[case]
    name = case.split()[0]
    rng = np.random.default_rng(0)
    p0 = rng.standard_normal((5, 7)).astype(np.float32)
    ours = Param(p0)
    opt = getattr(optim, name)([ours], **kwargs)
    theirs = torch.nn.Parameter(torch.from_numpy(p0.copy()))
    ref = getattr(torch.optim, name)([theirs], **kwargs)
    for _ in range(10):
        g = rng.standard_normal((5, 7)).astype(np.float32)
        ours.grad = g
        opt.step()
        theirs.grad = torch.from_numpy(g.copy())
        ref.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-5, atol=1e-6)


# --- the compiled kernels (the `fast` extra) against the numpy path ----------------------------
@pytest.fixture
def numpy_only():
    """Run the numpy path (the reference) inside the `with`, whatever is installed."""
    from contextlib import contextmanager

    from autograd.kernels import use_numba

    @contextmanager
    def off():
        previous = use_numba(False)
        try:
            yield
        finally:
            use_numba(previous)

    return off


@pytest.mark.parametrize("layout", ["C", "F", "transposed view", "strided", "mixed"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_sgd_compiled_update_equals_numpy_bit_for_bit(numpy_only, layout, dtype, weight_decay):
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    from autograd.kernels import compiled

    assert compiled() is not None
    rng = np.random.default_rng(0)

    def arrays():
        p = rng.standard_normal((30, 17)).astype(dtype)
        g = rng.standard_normal((30, 17)).astype(dtype)
        if layout == "F":
            p, g = np.asfortranarray(p), np.asfortranarray(g)
        elif layout == "transposed view":  # nn.Linear's weight layout
            p, g = np.ascontiguousarray(p.T).T, np.ascontiguousarray(g.T).T
        elif layout == "strided":
            p, g = np.repeat(p, 2, axis=1)[:, ::2], np.repeat(g, 2, axis=1)[:, ::2]
        elif layout == "mixed":
            g = np.asfortranarray(g)
        return p, g

    runs = []
    for use_numpy in (True, False):
        rng = np.random.default_rng(1)
        p, g = arrays()
        param = Param(0.0)
        param.data, param.grad = p, g
        g_before = g.copy()
        opt = optim.SGD([param], lr=0.05, weight_decay=weight_decay)
        for _ in range(3):
            with numpy_only() if use_numpy else contextlib.nullcontext():
                opt.step()
        assert param.data is p and p.dtype == dtype
        np.testing.assert_array_equal(param.grad, g_before)  # the gradient is kept
        runs.append(p.copy())
    np.testing.assert_array_equal(runs[0], runs[1])


def test_kernels_can_be_turned_off_and_numba_is_not_imported_by_autograd():
    import subprocess
    import sys

    from autograd.kernels import compiled, use_numba

    previous = use_numba(False)
    try:
        assert compiled() is None
    finally:
        use_numba(previous)
    code = "import sys, autograd, autograd.optim; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    env = {"AUTOGRAD_NUMBA": "0", "PATH": ""}
    code = "from autograd.kernels import compiled; print(compiled())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip() == "None", out.stderr


@pytest.mark.parametrize("layout", ["C", "transposed view", "strided"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weight_decay, lr_decay", [(0.0, 0.0), (0.01, 0.1)])
def test_adagrad_compiled_update_equals_numpy_bit_for_bit(numpy_only, layout, dtype,
                                                         weight_decay, lr_decay):  # fmt: skip
    pytest.importorskip("numba", reason="the compiled kernels need the fast extra (numba)")
    runs = []
    for use_numpy in (True, False):
        rng = np.random.default_rng(2)
        p = rng.standard_normal((20, 13)).astype(dtype)
        g = rng.standard_normal((20, 13)).astype(dtype)
        if layout == "transposed view":  # nn.Linear's weight layout
            p, g = np.ascontiguousarray(p.T).T, np.ascontiguousarray(g.T).T
        elif layout == "strided":
            p, g = np.repeat(p, 2, axis=1)[:, ::2], np.repeat(g, 2, axis=1)[:, ::2]
        param = Param(0.0)
        param.data, param.grad = p, g
        g_before = g.copy()
        opt = optim.Adagrad([param], lr=0.1, lr_decay=lr_decay, weight_decay=weight_decay,
                            initial_accumulator_value=0.1)  # fmt: skip
        for _ in range(3):
            with numpy_only() if use_numpy else contextlib.nullcontext():
                opt.step()
        np.testing.assert_array_equal(param.grad, g_before)
        runs.append((p.copy(), opt.state[0]["sum"].copy()))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


SLICED = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.01),
    "sgd-momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    "sgd-nesterov": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    "adam": lambda ps: optim.Adam(ps, lr=0.1, weight_decay=0.01),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.1),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, weight_decay=0.01, lr_decay=0.1),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.1, weight_decay=0.01, momentum=0.9),
    "rmsprop-centered": lambda ps: optim.RMSprop(ps, lr=0.1, centered=True),
}


@pytest.mark.parametrize("layout", ["C", "transposed view", "strided"])
@pytest.mark.parametrize("name", SLICED)
def test_an_update_in_slices_equals_the_update_of_the_whole_array(numpy_only, monkeypatch,
                                                                 name, layout):  # fmt: skip
    # Large parameters are updated slice by slice (`optimizers._CHUNK` elements at a time, for
    # the cache): with slices of 7 elements, parameters of 30x17 must get the same bits, state
    # included, in every memory layout (a strided one is updated whole).
    from autograd.optim import optimizers

    runs = []
    for chunk in (7, 10**9):
        monkeypatch.setattr(optimizers, "_CHUNK", chunk)
        rng = np.random.default_rng(3)
        params = []
        for _ in range(2):
            p = Param(0.0)
            p.data = rng.standard_normal((30, 17)).astype(np.float32)
            if layout == "transposed view":  # nn.Linear's weight layout
                p.data = np.ascontiguousarray(p.data.T).T
            elif layout == "strided":
                p.data = np.repeat(p.data, 2, axis=1)[:, ::2]
            params.append(p)
        opt = SLICED[name](params)
        for _ in range(4):
            grads = [rng.standard_normal((30, 17)).astype(np.float32) for _ in params]
            for p, g in zip(params, grads):
                p.grad = np.asfortranarray(g) if layout == "transposed view" else g
            with numpy_only():
                opt.step()
            for p, g in zip(params, grads):
                np.testing.assert_array_equal(p.grad, g)  # the gradient is kept
        state = [
            {k: v.copy() for k, v in s.items() if isinstance(v, np.ndarray) and k != "scratch"}
            for s in opt.state
        ]
        runs.append(([p.data.copy() for p in params], state))
    for got, expected in zip(runs[0][0], runs[1][0]):
        np.testing.assert_array_equal(got, expected)
    for got, expected in zip(runs[0][1], runs[1][1]):
        assert got.keys() == expected.keys()
        for key in got:
            np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
