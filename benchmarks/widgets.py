"""Latency of the notebooks' widgets: what one slider step costs.

    python benchmarks/widgets.py [--repeat 30] [substring ...]

Every case is measured the same way: its figure is built once, then each step times the
callback a slider calls (with a new value each time) followed by ``figure.canvas.draw()`` on
Agg; the table gives the median and the 90th percentile in ms against the 100 ms target, and
the median of the same step followed by the PNG encoding that the widget sends to the browser.

To add a widget: write a function that builds its figure and returns ``(figure, step)``, where
``step(i)`` is the callback for the ``i``-th slider position, and decorate it with
``@case("NN notebook: what moves")``. Writes benchmarks/results/widgets.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.viz import use_style  # noqa: E402
from dlmi.viz import figure_image  # noqa: E402

TARGET_MS = 100.0

Step = Callable[[int], object]
#: name -> function that builds the figure once and returns it with its step callback
CASES: dict[str, Callable[[], tuple[Figure, Step]]] = {}


def case(name: str):
    """Register a widget under ``name`` (start it with the notebook number)."""

    def register(setup: Callable[[], tuple[Figure, Step]]):
        CASES[name] = setup
        return setup

    return register


# --------------------------------------------------------------------------- the cases


@case("01 line fit: w0 and w1 sliders")
def _line_fit() -> tuple[Figure, Step]:
    from dlmi.data import simulate_flat_prices
    from dlmi.widgets.regression import LineFitFigure

    flats, _ = simulate_flat_prices(n=200, rng=0)
    view = LineFitFigure(flats["size_m2"].to_numpy(float), flats["price_eur"].to_numpy() / 1000,
                         w0_range=(-300, 400), w1_range=(2, 16), x_label="size (m²)", y_label="price (k€)",
                         w0_unit="k€", w1_unit="k€/m²", cost_unit="(k€)²")
    w0_values, w1_values = np.linspace(-250, 350, 23), np.linspace(3, 15, 19)
    return view.figure, lambda i: view.update(w0_values[i % 23], w1_values[i % 19])


@case("02 learning rate: η slider (40 steps of gradient descent)")
def _learning_rate() -> tuple[Figure, Step]:
    from dlmi.data import simulate_flat_prices
    from dlmi.widgets.regression import LearningRateFigure

    flats, _ = simulate_flat_prices(n=200, rng=0)
    x, y = flats["size_m2"].to_numpy(float), flats["price_eur"].to_numpy()
    view = LearningRateFigure((x - x.mean()) / x.std(), (y - y.mean()) / y.std())
    learning_rates = np.geomspace(1e-3, 3.0, 31)
    return view.figure, lambda i: view.update(learning_rates[i % 31])


# --------------------------------------------------------------------------- measuring


def measure(setup: Callable[[], tuple[Figure, Step]], repeat: int) -> dict[str, float]:
    """Milliseconds: building the first figure, then ``repeat`` steps with a draw, then with a PNG."""
    start = time.perf_counter()
    figure, step = setup()
    figure.canvas.draw()
    first = 1e3 * (time.perf_counter() - start)
    drawn, cpu, encoded = [], [], []
    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        step(i)
        figure.canvas.draw()
        drawn.append(1e3 * (time.perf_counter() - t0))
        cpu.append(1e3 * (time.process_time() - c0))
    for i in range(repeat):
        t0 = time.perf_counter()
        step(i)
        figure_image(figure)
        encoded.append(1e3 * (time.perf_counter() - t0))
    return {"first": first, "median": statistics.median(drawn), "p90": float(np.percentile(drawn, 90)),
            "cpu": statistics.median(cpu), "png": statistics.median(encoded)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="measure only the cases whose name contains one of these")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    use_style()
    rows = []
    for name, setup in CASES.items():
        if args.only and not any(part in name for part in args.only):
            continue
        m = measure(setup, args.repeat)
        verdict = " / ".join("yes" if m[key] < TARGET_MS else "**no**" for key in ("median", "cpu"))
        rows.append([name, m["first"], m["median"], m["p90"], m["cpu"], m["png"], verdict])
        print(f"{name:60s} median {m['median']:6.1f} ms (90 %: {m['p90']:.1f}, CPU {m['cpu']:.1f}), "
              f"with PNG {m['png']:.1f} ms", flush=True)
    body = table(["widget", "first figure (ms)", "step + draw, median (ms)", "step + draw, 90th pct (ms)",
                  "step + draw, CPU median (ms)", "step + PNG, median (ms)", f"under {TARGET_MS:.0f} ms: wall / CPU"], rows)
    note = (
        f"A step is the widget's pure callback (new slider value → moved artists) followed by "
        f"`figure.canvas.draw()` on Agg, {args.repeat} steps per widget; 'step + PNG' adds the PNG "
        "encoding of the redrawn figure that the widget sends to the browser. The first figure "
        "includes computing the static parts (contours, layout) once: the cost of a step if the "
        "figure were rebuilt. The CPU column is this process's CPU time for the same steps, which other "
        "processes on a busy machine inflate much less than the wall-clock time (see the load average)."
    )
    write("widgets", "Widget latency: one slider step", body, note)


if __name__ == "__main__":
    main()
