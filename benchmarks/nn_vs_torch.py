"""One SGD training step of a 784-256-128-10 MLP, batch 128, float32: dlmi.nn against torch (CPU).

    python benchmarks/nn_vs_torch.py [--blocks 15]

A step is forward, cross-entropy loss, backward and the update W ← W − η ∂J/∂W (written out
in place, and through ``dlmi.optim.SGD``). Both libraries
start from the same weights and run on the same batch, with one thread and with torch's default
number, alternating in one run so that the machine's load affects both alike.
Writes benchmarks/results/nn_vs_torch.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi import nn  # noqa: E402
from dlmi.optim import SGD  # noqa: E402

SIZES = (784, 256, 128, 10)
BATCH = 128
LR = 0.01


def build(rng: np.random.Generator):
    """The same MLP in dlmi.nn and in torch, with identical float32 weights."""
    layers, torch_layers = [], []
    for i, (d_in, d_out) in enumerate(zip(SIZES[:-1], SIZES[1:])):
        lin = nn.Linear(d_in, d_out, rng=rng, init="he", dtype=np.float32)
        t_lin = torch.nn.Linear(d_in, d_out)
        with torch.no_grad():
            t_lin.weight.copy_(torch.from_numpy(lin.params["W"].T.copy()))
            t_lin.bias.copy_(torch.from_numpy(lin.params["w0"]))
        layers.append(lin)
        torch_layers.append(t_lin)
        if i < len(SIZES) - 2:
            layers.append(nn.ReLU())
            torch_layers.append(torch.nn.ReLU())
    return nn.Sequential(*layers), torch.nn.Sequential(*torch_layers)


def time_steps(threads: int, blocks: int, block: int = 20) -> tuple[dict[str, list[float]], tuple[float, float]]:
    """Milliseconds per step of each library with ``threads`` BLAS/torch threads.

    The libraries alternate in blocks of ``block`` steps: interleaving single steps makes
    OpenBLAS's and torch's spinning thread pools wait on each other and measures that instead.
    """
    torch.set_num_threads(threads)
    with threadpool_limits(threads):
        rng = np.random.default_rng(0)
        model, t_model = build(rng)
        x = rng.normal(size=(BATCH, SIZES[0])).astype(np.float32)
        y = rng.integers(0, SIZES[-1], size=BATCH)
        t_x, t_y = torch.from_numpy(x), torch.from_numpy(y)
        loss, t_loss = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
        t_opt = torch.optim.SGD(t_model.parameters(), lr=LR)
        params = model.parameters()

        def dlmi_step() -> float:
            value = loss.forward(model.forward(x), y)
            model.backward(loss.backward())
            for w, g in zip(params, model.gradients()):
                w -= LR * g
            return value

        optimizer = SGD(model.parameters(), lr=LR)

        def dlmi_optim_step() -> float:
            value = loss.forward(model.forward(x), y)
            model.backward(loss.backward())
            optimizer.step(model.gradients())
            return value

        def torch_step() -> float:
            t_opt.zero_grad()
            value = t_loss(t_model(t_x), t_y)
            value.backward()
            t_opt.step()
            return value.item()

        first = (dlmi_step(), torch_step())  # same weights, same batch: same loss
        assert abs(first[0] - first[1]) < 1e-4 * max(1.0, abs(first[1])), first
        steps = {"dlmi.nn": dlmi_step, "dlmi.nn + dlmi.optim.SGD": dlmi_optim_step, "torch": torch_step}
        times: dict[str, list[float]] = {name: [] for name in steps}
        for b in range(blocks + 1):  # block 0 warms up
            for name, step in steps.items():
                for _ in range(block):
                    start = time.perf_counter()
                    step()
                    if b:
                        times[name].append(1e3 * (time.perf_counter() - start))
    return times, first


def main(blocks: int) -> None:
    rows, summary, firsts = [], [], None
    for threads in sorted({1, torch.get_num_threads()}):
        times, firsts = time_steps(threads, blocks)
        median = {name: statistics.median(t) for name, t in times.items()}
        p10 = {name: float(np.percentile(t, 10)) for name, t in times.items()}
        for name in times:
            rows.append([threads, name, median[name], p10[name], median[name] / median["torch"], p10[name] / p10["torch"]])
        summary.append(
            f"{threads} thread{'s' * (threads > 1)}: {median['dlmi.nn'] / median['torch']:.2f}× "
            f"(10th percentile {p10['dlmi.nn'] / p10['torch']:.2f}×)"
        )
    body = (
        f"One training step (forward, cross-entropy, backward, SGD update) of a "
        f"{'-'.join(map(str, SIZES))} ReLU MLP, batch {BATCH}, float32; {blocks} blocks of 20 "
        f"steps per library, alternating.\n\n"
        + table(
            ["threads", "library", "median step (ms)", "10th percentile (ms)", "ratio to torch (median)",
             "ratio to torch (10th pct.)"],
            rows,
        )
        + f"\n\n**dlmi.nn / torch — {'; '.join(summary)}** (target ≤ 1.5×)."
    )
    note = (
        "Both libraries start from the same weights; their first losses agree "
        f"({firsts[0]:.6f} vs {firsts[1]:.6f}). dlmi.nn also computes ∂J/∂x for the input "
        "layer, which torch skips because the input does not require a gradient. \"dlmi.nn\" "
        "updates with `w -= lr * g`; the dlmi.optim row goes through `SGD.step`, which also "
        "validates the gradients and promotes them to float64. The machine is shared with other "
        "jobs: the 10th percentile is the least disturbed figure, the median the typical one."
    )
    write("nn_vs_torch", "dlmi.nn against torch: one MLP training step on the CPU", body, note)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=15, help="blocks of 20 steps per library")
    main(parser.parse_args().blocks)
