"""The README's pictures in this folder; regenerate them with
.venv/bin/python graphs/pictures/make_pictures.py"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from autograd.exercises import a1  # noqa: E402
from autograd.experiments import resolve, run  # noqa: E402
from autograd.nn.scalar_graph import draw_network  # noqa: E402
from autograd.plots import save_figure  # noqa: E402
from autograd.viz import Style, draw  # noqa: E402

HERE = Path(__file__).resolve().parent

# the decision boundary of xor-arch1 as it trains: seed 0 solves XOR, seed 1 gets stuck
for seed, verdict in ((0, "solved"), (1, "stuck")):
    result = run(resolve("xor-arch1", seed=seed, boundary=True), progress=False)
    fig = result.boundary.plot_frames(max_frames=4, title=f"xor-arch1, seed {seed}: {verdict}")
    save_figure(fig, HERE / f"boundary_xor_{verdict}.png", dpi=80)

# the XOR network of part B, each neuron folded into one box
result = run(resolve("xor-arch1", seed=0), progress=False)
x, t = result.data.x_train[1], result.data.y_train[1]
network = draw_network(result.model, x, t, level="neuron", dpi=60)
network.save(HERE / "xor_neurons.png")

# A1 in the dark theme, for slides
draw(a1("sigmoid").output, Style.theme("dark", dpi=60)).save(HERE / "a1_dark.png")
