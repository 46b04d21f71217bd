"""Time per epoch and peak memory of the CNNs of notebook 10 at the notebook's sizes (CPU).

    python benchmarks/alzheimer.py [--epochs 2]

For each network of notebook 10 (3D whole-brain, 3D hippocampus, 2D slice-level), in full and in
fast mode, one training epoch over the notebook's AD-vs-CN training subjects (batch sizes of the
notebook, random inputs of the right shapes), with 1 and with 2 torch threads. Each case runs in
a fresh process, so that its peak resident memory (``resource.getrusage``) is its own; the
figure given is the peak during training minus the memory before the model and data existed.
Writes benchmarks/results/alzheimer.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

# name, mode, input shape of one sample, training samples per epoch, batch size: 4 mm maps of
# (38, 49, 42) voxels averaged to 8 mm for the whole-brain CNN; 499 (full) and 166 (fast) AD-vs-CN
# training subjects; 16 sagittal slices a subject
CASES = [
    ("3D whole-brain CNN", "full", (1, 19, 25, 21), 499, 16),
    ("3D hippocampus CNN", "full", (2, 8, 12, 9), 499, 16),
    ("2D slice CNN", "full", (1, 49, 42), 499 * 16, 64),
    ("3D whole-brain CNN", "fast", (1, 19, 25, 21), 166, 16),
    ("3D hippocampus CNN", "fast", (2, 8, 12, 9), 166, 16),
    ("2D slice CNN", "fast", (1, 49, 42), 166 * 16, 64),
]


def _model(name: str):
    from dlmi.models import FineTunedCNN2d, ROICNN3d, SimpleCNN2d, SimpleCNN3d

    if name.startswith("3D whole-brain"):
        return SimpleCNN3d(1, 1, widths=(8, 16, 32, 64), dropout=0.2)
    if name.startswith("3D hippocampus"):
        return ROICNN3d(2, 1, widths=(8, 16, 32), dropout=0.2)
    return FineTunedCNN2d(SimpleCNN2d(1, 14, widths=(8, 16, 32, 64)), 1, n_frozen_blocks=2, dropout=0.2)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _run_case(args: tuple, queue) -> None:
    """In a fresh process: seconds per epoch (wall, CPU) and the peak memory the training added."""
    name, shape, n, batch, threads, epochs = args
    import numpy as np
    import torch
    from torch import nn

    from dlmi.train import fit, tensor_loader

    torch.set_num_threads(threads)
    before = _peak_mib()
    rng = np.random.default_rng(0)
    X = rng.random((n, *shape), dtype=np.float32)
    y = (rng.random((n, 1)) < 0.5).astype(np.float32)
    model = _model(name)
    loader = tensor_loader(X, y, batch_size=batch, shuffle=True)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=optimizer, epochs=1, progress=False)  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=optimizer, epochs=epochs, progress=False)
    wall, cpu = (time.perf_counter() - wall) / epochs, (time.process_time() - cpu) / epochs
    queue.put((wall, cpu, _peak_mib() - before, X.nbytes / 2**20))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    rows = []
    for name, mode, shape, n, batch in CASES:
        for threads in (1, 2):
            queue = context.Queue()
            process = context.Process(target=_run_case, args=((name, shape, n, batch, threads, args.epochs), queue))
            process.start()
            wall, cpu, peak, data = queue.get()
            process.join()
            rows.append([name, mode, "×".join(map(str, shape)), n, batch, threads, wall, cpu, peak, data])
            print(rows[-1], flush=True)
    load = os.getloadavg()
    body = table(["network", "mode", "input", "samples / epoch", "batch", "torch threads", "wall s / epoch",
                  "CPU s / epoch", "peak memory added (MiB)", "of which inputs (MiB)"], rows)
    speedups = [one[6] / two[6] for one, two in zip(rows[::2], rows[1::2])]
    note = (f"Load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) on "
            f"{os.cpu_count()} cores. Two threads against one: {min(speedups):.2f}x to {max(speedups):.2f}x as fast "
            "(below 1: slower). On a busy shared machine the second thread mostly waits for a core and two "
            "threads can be many times slower than one, which is why notebook 10 trains with one thread. CPU time "
            "counts every thread of the process, spinning included.")
    write("alzheimer", "Notebook 10: time per epoch and memory of its CNNs", body, note)


if __name__ == "__main__":
    main()
