"""Latency of the widgets of notebooks 06–07: what one slider step costs.

    python benchmarks/optim_widgets.py [--repeat 20]

Each widget's figure is built once; then every step moves its slider to a new value and times
the pure callback (``update``: for the optimizer race, recomputing every trajectory) followed
by the blitted redraw (``render``: restore the cached background, draw the moving artists)
and the JPEG encoding that the widget sends to the browser. For comparison, the same step with
a full ``canvas.draw()`` (what the figure would cost without the cached background). Wall-clock
medians and 90th percentiles, and the median CPU time of this process, which a busy machine
inflates less. Writes benchmarks/results/optim_widgets.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi import nn, optim  # noqa: E402
from dlmi.data.toy import noisy_sine  # noqa: E402
from dlmi.regularisation import record_training  # noqa: E402
from dlmi.viz import use_style  # noqa: E402
from dlmi.widgets import optimizers as ow  # noqa: E402
from dlmi.widgets import overfitting as of  # noqa: E402

TARGET_MS = 100.0


def race_case(surface: str) -> tuple[ow.BlittedFigure, Callable[[int], object]]:
    """All six optimizers on ``surface``; the step moves the GD learning-rate slider."""
    settings = ow.SETTINGS[surface]
    view = ow.OptimizerRaceFigure(surface)
    scales = np.geomspace(0.5, 1.0, 9)

    def step(i: int):
        return view.update(**{**settings, "lr": settings["lr"] * scales[i % len(scales)]})

    return view, step


def polynomial_case() -> tuple[ow.BlittedFigure, Callable[[int], object]]:
    """Notebook 07's polynomial figure; the step moves the degree slider."""
    view = of.PolynomialFitFigure(*noisy_sine(15, rng=1), *noisy_sine(200, rng=2))
    return view, lambda i: view.update(i % 16)


def early_stopping_case() -> tuple[ow.BlittedFigure, Callable[[int], object]]:
    """Notebook 07's early-stopping figure over 800 recorded epochs; the step moves the epoch slider."""
    model = nn.mlp([1, 32, 32, 1], "tanh", rng=0)
    (x, y), (xv, yv) = noisy_sine(20, rng=1), noisy_sine(200, rng=2)
    record = record_training(model, nn.MSELoss(), optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99)),
                             (x[:, None], y[:, None]), (xv[:, None], yv[:, None]), epochs=800,
                             grid=np.linspace(0, 1, 200)[:, None])
    view = of.EarlyStoppingFigure(record, x, y, xv, yv)
    return view, lambda i: view.update((37 * i) % 801)


CASES = {
    "06 race, quadratic (6 × 200 steps)": lambda: race_case("quadratic"),
    "06 race, Rosenbrock (6 × 300 steps)": lambda: race_case("rosenbrock"),
    "06 race, local minima (6 × 200 steps)": lambda: race_case("local minima"),
    "07 polynomial degree": polynomial_case,
    "07 early stopping epoch (800 epochs recorded)": early_stopping_case,
}


def measure(view: ow.BlittedFigure, step: Callable[[int], object], repeat: int, blit: bool) -> tuple[list, list]:
    """Wall and CPU milliseconds of ``repeat`` steps: callback, redraw, JPEG encoding."""
    view.image("png")  # the first display: draws and caches the background
    walls, cpus = [], []
    for i in range(1, repeat + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        step(i)
        if not blit:
            view.invalidate()
        view.image("jpeg")
        walls.append(1e3 * (time.perf_counter() - wall))
        cpus.append(1e3 * (time.process_time() - cpu))
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    use_style()
    rows = []
    for name, build in CASES.items():
        start = time.perf_counter()
        view, step = build()
        built = 1e3 * (time.perf_counter() - start)
        walls, cpus = measure(view, step, args.repeat, blit=True)
        full_walls, _ = measure(view, step, max(5, args.repeat // 4), blit=False)
        median, p90 = statistics.median(walls), float(np.percentile(walls, 90))
        cpu = statistics.median(cpus)
        rows.append((name, built, median, p90, cpu, statistics.median(full_walls),
                     f"{'yes' if median < TARGET_MS else '**no**'} / {'yes' if cpu < TARGET_MS else '**no**'}"))
        print(f"{name:50s} step median {median:6.1f} ms, p90 {p90:6.1f} ms, CPU {cpu:6.1f} ms", flush=True)
    body = table(["widget", "build (ms)", "step, median (ms)", "step, 90th pct (ms)", "step, CPU median (ms)",
                  "step with full redraw, median (ms)", "under 100 ms: wall / CPU"], rows)
    note = (f"A step is the slider's pure callback (`update`) + the blitted redraw (`render`) + the JPEG "
            f"encoding sent to the browser, {args.repeat} steps per widget. 'Full redraw' does the same with "
            "`canvas.draw()` of the whole figure instead of the cached background. 'Build' computes the static "
            "parts once (for the early-stopping figure it includes training the recorded 800 epochs).")
    write("optim_widgets", "Widget latency, notebooks 06–07: one slider step", body, note)


if __name__ == "__main__":
    main()
