"""Simulated chest radiographs: generation speed and memory, and the CNN calibration table.

    python benchmarks/data_chestxray.py                  # speed at 64 and 128 px, calibration over 3 seeds
    python benchmarks/data_chestxray.py --seeds 0        # speed only

Speed: ``simulate_chest_xrays`` at each size, median of ``--repeat`` runs, in images per second
of wall time and per second of CPU time (all threads; the figure an idle machine approaches),
with the peak memory numpy allocated (tracemalloc) and the size of what is returned.
Calibration: ``dlmi.recipes.cnn_baseline_aucs`` (the recipe of the module docstring) for each seed.
Writes benchmarks/results/data_chestxray.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.data.chestxray import FINDINGS, simulate_chest_xrays  # noqa: E402
from dlmi.recipes import cnn_baseline_aucs  # noqa: E402

SIZES = {32: 2000, 64: 2000, 128: 500, 256: 120}  # side -> images per run
TARGET = {64: 1000, 128: 250}  # images per second asked for on the course's 2-core machine


def speed(size: int, n_images: int, repeat: int) -> tuple[float, float, float, float]:
    """Median wall and CPU images per second, peak numpy memory (MiB), returned bytes per image."""
    simulate_chest_xrays(4, size=size)  # warm up
    wall, cpu = [], []
    for seed in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        simulate_chest_xrays(n_images, size=size, images_per_patient=1, rng=seed)
        wall.append(n_images / (time.perf_counter() - start))
        cpu.append(n_images / (time.process_time() - start_cpu))
    tracemalloc.start()
    data = simulate_chest_xrays(n_images, size=size, images_per_patient=1)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    returned = (data.images.nbytes + data.masks.nbytes + data.labels.nbytes * 2) / n_images
    return statistics.median(wall), statistics.median(cpu), peak, returned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    args = parser.parse_args()

    load = os.getloadavg()[0]
    rows = []
    for size, n_images in SIZES.items():
        wall, cpu, peak, returned = speed(size, n_images, args.repeat)
        target = TARGET.get(size)
        rows.append((f"{size} × {size}", n_images, f"{wall:.0f}", f"{cpu:.0f}", "–" if target is None else target,
                     f"{peak:.0f}", f"{returned / 1024:.0f}"))
        print(rows[-1], flush=True)
    body = "## Generation speed\n\n" + table(
        ["image size", "images", "images/s (wall)", "images/s (CPU time)", "asked for (wall, idle machine)",
         "peak memory (MiB)", "returned per image (KiB)"], rows)
    body += (f"\n\nLoad average when measured: {load:.1f} on {os.cpu_count()} cores (other jobs share the "
             "machine; the CPU-time rate is what an idle machine approaches). Returned memory is dominated "
             "by the masks, 14 bytes per pixel; `with_masks=False` leaves 4.")

    if args.seeds:
        runs, cpu_seconds = [], []
        for seed in args.seeds:
            start = time.process_time()
            runs.append(list(cnn_baseline_aucs(rng=seed).values()))
            cpu_seconds.append(time.process_time() - start)
        aucs = np.array(runs)
        auc_rows = [(name, f"{aucs[:, k].mean():.3f}", f"{aucs[:, k].std():.3f}", *[f"{a:.3f}" for a in aucs[:, k]])
                    for k, name in enumerate(FINDINGS)]
        auc_rows.append(("mean", f"{aucs.mean():.3f}", "", *[f"{a:.3f}" for a in aucs.mean(1)]))
        body += "\n\n## Calibration: AUC of a small CNN per finding\n\n" + table(
            ["finding", "mean", "SD", *[f"seed {s}" for s in args.seeds]], auc_rows)
        body += ("\n\n`cnn_baseline_aucs(rng=s)`: 1,500 simulated patients (about 3,000 images, 64 × 64, "
                 "prevalence 0.1 each), patient-level 75/25 split, SimpleCNN2d trained 8 epochs on the mined "
                 "labels, AUC against the true labels of the test images. CPU time per run (simulation, "
                 f"training and test): {', '.join(f'{t:.0f}' for t in cpu_seconds)} s.")
    write("data_chestxray", "Simulated chest radiographs: speed, memory and difficulty", body)


if __name__ == "__main__":
    main()
