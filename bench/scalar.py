"""Scalar engine vs micrograd, in one run: throughput of an MLP step and memory per node.

Workload (issue 2): an MLP 2-16-16-1 (ReLU hidden, linear output) forward and backward over
100 samples with an MSE loss, repeated. Rounds alternate between the engines, garbage is
collected before each timed round, and medians are reported with their ratio.
Memory: tracemalloc over a 100,000-node chain of `relu` nodes, bytes per node.

    make bench            # or: bench/.venv/bin/python bench/scalar.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc

import micrograd.engine
import micrograd.nn

from autograd import Value, sum_values

SIZES = [2, 16, 16, 1]


# --- the same MLP, written idiomatically for each engine --------------------------------------
class OurMLP:
    """Neurons are `sum_values([w1*x1, ..., b])`: one sum node per neuron, as the course draws;
    with ``nary_sum=False``, chains of binary `+`, the very graph micrograd builds."""

    def __init__(self, weights, nary_sum=True):
        self.nary_sum = nary_sum
        self.layers = [[([Value(w) for w in ws], Value(b)) for ws, b in layer] for layer in weights]

    def parameters(self):
        return [p for layer in self.layers for ws, b in layer for p in ws + [b]]

    def __call__(self, x):
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            out = []
            for ws, b in layer:
                if self.nary_sum:
                    act = sum_values([w * xi for w, xi in zip(ws, x)] + [b])
                else:  # node for node the graph micrograd builds
                    act = sum((w * xi for w, xi in zip(ws, x)), b)
                out.append(act.relu() if i < last else act)
            x = out
        return x[0]


def our_step(model, xs, ys):
    for p in model.parameters():
        p.grad = 0.0
    errors = [(model(x) - y) ** 2 for x, y in zip(xs, ys)]
    loss = sum_values(errors) * (1.0 / len(errors))
    loss.backward()
    return loss.data


def micrograd_model(weights):
    model = micrograd.nn.MLP(SIZES[0], SIZES[1:])
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, (ws, b) in zip(layer.neurons, layer_weights):
            neuron.w = [micrograd.engine.Value(w) for w in ws]
            neuron.b = micrograd.engine.Value(b)
    return model


def micrograd_step(model, xs, ys):
    model.zero_grad()
    errors = [(model(x) - y) ** 2 for x, y in zip(xs, ys)]
    loss = sum(errors) * (1.0 / len(errors))
    loss.backward()
    return loss.data


def make_problem(seed=0, samples=100):
    rng = random.Random(seed)
    weights = [
        [([rng.uniform(-1, 1) for _ in range(n_in)], rng.uniform(-0.1, 0.1)) for _ in range(n_out)]
        for n_in, n_out in zip(SIZES[:-1], SIZES[1:])
    ]
    xs = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(samples)]
    ys = [x0 * x1 for x0, x1 in xs]
    return weights, xs, ys


def throughput(rounds: int, steps: int):
    weights, xs, ys = make_problem()
    systems = [
        ("autograd", our_step, OurMLP(weights)),
        ("autograd, binary +", our_step, OurMLP(weights, nary_sum=False)),
        ("micrograd", micrograd_step, micrograd_model(weights)),
    ]
    losses = [step(model, xs, ys) for _, step, model in systems]
    if max(losses) - min(losses) > 1e-9 * max(1.0, abs(losses[-1])):
        raise SystemExit(f"the engines disagree on the loss: {losses}")
    times = {name: [] for name, _, _ in systems}
    for _ in range(rounds):
        for name, step, model in systems:
            gc.collect()
            start = time.perf_counter()
            for _ in range(steps):
                step(model, xs, ys)
            times[name].append((time.perf_counter() - start) / steps)
    return {name: statistics.median(t) for name, t in times.items()}


def chain_bytes_per_node(make_leaf, nodes: int) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = make_leaf(1.0)
    for _ in range(nodes):
        y = y.relu()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del y
    return (after - before) / nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds per engine")
    parser.add_argument("--steps", type=int, default=3, help="training steps per round")
    parser.add_argument("--nodes", type=int, default=100_000, help="chain length for memory")
    args = parser.parse_args()

    t = throughput(args.rounds, args.steps)
    print(f"MLP 2-16-16-1, 100 samples, forward+backward+MSE; median of {args.rounds} rounds")
    for name, seconds in t.items():
        print(f"  {name:<20}: {1 / seconds:8.2f} steps/s")
    for name in ("autograd", "autograd, binary +"):
        speedup = t["micrograd"] / t[name]
        print(f"  throughput ratio {name}/micrograd: {speedup:.2f}x  (target >= 4x)")

    ours = chain_bytes_per_node(Value, args.nodes)
    theirs = chain_bytes_per_node(micrograd.engine.Value, args.nodes)
    print(f"memory per node, {args.nodes:,}-node relu chain (tracemalloc)")
    print(f"  {'autograd':<20}: {ours:6.0f} B/node")
    print(f"  {'micrograd':<20}: {theirs:6.0f} B/node")
    print(f"  memory ratio autograd/micrograd: {ours / theirs:.2f}  (target <= 0.5)")


if __name__ == "__main__":
    main()
