"""One update of the neural-network playground: a chunk of SGD steps plus the redraw.

    python benchmarks/playground.py [--repeat 60]

At the default configuration (circles, 2 hidden layers of 4 tanh units, batch 10, a 60 × 60
decision surface) an update is ``train_steps(state, 10)``, ``draw_playground(state, view)`` and
the PNG encoding the widget sends to the browser. Target: median under 100 ms.
Writes benchmarks/results/playground.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.viz import use_style  # noqa: E402
from dlmi.widgets.playground import PlaygroundConfig, draw_playground, init_state, train_steps  # noqa: E402

STEPS_PER_UPDATE = 10


def main(repeat: int) -> None:
    use_style()
    parts: dict[str, list[float]] = {"train 10 steps": [], "redraw": [], "PNG encoding": [], "whole update": []}
    start = time.perf_counter()
    state = init_state(PlaygroundConfig())
    view = draw_playground(state)
    view.png()
    first_ms = 1e3 * (time.perf_counter() - start)
    for _ in range(repeat):
        t0 = time.perf_counter()
        state = train_steps(state, STEPS_PER_UPDATE)
        t1 = time.perf_counter()
        view = draw_playground(state, view)
        t2 = time.perf_counter()
        view.png()
        t3 = time.perf_counter()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            parts[name].append(1e3 * seconds)
    rows = [[name, statistics.median(v), float(np.percentile(v, 90)), max(v)] for name, v in parts.items()]
    median = statistics.median(parts["whole update"])
    verdict = "within" if median < 100 else "OVER"
    body = (
        f"Default configuration ({PlaygroundConfig()}), {repeat} updates of {STEPS_PER_UPDATE} SGD steps "
        f"each; the first figure (built from scratch) took {first_ms:.0f} ms.\n\n"
        + table(["part", "median (ms)", "90th percentile (ms)", "max (ms)"], rows)
        + f"\n\n**Median update: {median:.1f} ms**, {verdict} the 100 ms target."
    )
    note = (
        "The redraw blits: the static background (axes, ticks, legend) is rendered once and "
        "only the surface, the points, the curves and the title are drawn at each update; the "
        "loss axes grow by doubling, so an occasional update redraws everything (the max column). "
        "The machine is shared with other jobs, so the tail varies from run to run."
    )
    write("playground", "Playground: one live update (training chunk + redraw)", body, note)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    main(parser.parse_args().repeat)
