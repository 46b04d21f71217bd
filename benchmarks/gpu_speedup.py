"""Training throughput (images/s) of the notebook-09 networks on the CPU and, when present, a GPU.

    python benchmarks/gpu_speedup.py [--seconds 8]

For each network — ``DenseNetSmall`` on 64-pixel films (what notebook 09 trains on a CPU),
``densenet121`` (CheXNeXt's network) on 128-pixel films (what notebook 09 trains on a GPU) and on
224-pixel films (its ImageNet input size) — times full training steps (forward, 14-output binary cross-entropy, backward, Adam update) on random
films, after warm-up steps, for about ``--seconds`` seconds per case, on the CPU and on CUDA
when ``torch.cuda.is_available()``. The whole script stays under about two minutes.
Writes benchmarks/results/gpu_speedup.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.models import DenseNetSmall, count_parameters, densenet121  # noqa: E402

#: notebook 09's training films in full mode: 1,200 patients, about 2 films each, 70 % to train
TRAINING_FILMS = 1700

#: (label, model factory, image side, batch size on CPU, batch size on GPU)
CASES = [
    ("DenseNetSmall, 64 px (notebook 09 on a CPU)", lambda: DenseNetSmall(1, 14), 64, 64, 256),
    ("densenet121, 128 px (notebook 09 on a GPU)", lambda: densenet121(1, 14), 128, 8, 32),
    ("densenet121, 224 px (ImageNet size)", lambda: densenet121(1, 14), 224, 4, 64),
]


def throughput(build, side: int, batch: int, device: torch.device, seconds: float) -> tuple[float, int]:
    """Images per second of training steps, and the number of timed steps."""
    torch.manual_seed(0)
    model = build().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.randn(batch, 1, side, side, device=device)
    y = (torch.rand(batch, 14, device=device) < 0.12).float()

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(2 if device.type == "cuda" else 1):  # warm-up: allocations, cuDNN's algorithm choice
        step()
    sync()
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or (device.type == "cuda" and steps < 10):
        step()
        steps += 1
        sync()
    return batch * steps / (time.perf_counter() - start), steps


def main(seconds: float) -> None:
    devices = [torch.device("cpu")] + ([torch.device("cuda")] if torch.cuda.is_available() else [])
    rows, speed = [], {}
    for label, build, side, cpu_batch, gpu_batch in CASES:
        for device in devices:
            batch = gpu_batch if device.type == "cuda" else cpu_batch
            rate, steps = throughput(build, side, batch, device, seconds)
            speed[(label, device.type)] = rate
            name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
            rows.append([label, f"{count_parameters(build()):,}", name, batch, steps, f"{rate:,.1f}"])
    lines = [table(["network", "parameters", "device", "batch", "timed steps", "training images/s"], rows)]
    if torch.cuda.is_available():
        ratios = [f"{label}: **{speed[(label, 'cuda')] / speed[(label, 'cpu')]:,.0f}×**" for label, *_ in CASES]
        lines.append("GPU / CPU throughput: " + "; ".join(ratios) + ".")
    else:
        lines.append("No CUDA device here: run this script on a GPU machine to fill in the GPU rows.")
    gpu_case = CASES[1][0]
    epochs = {device: TRAINING_FILMS / speed[(gpu_case, device)] for device in ("cpu", "cuda") if (gpu_case, device) in speed}
    lines.append("One epoch of notebook 09's GPU configuration (densenet121, ~1,700 training films of 128 px): "
                 + "; ".join(f"{seconds:,.0f} s on the {device.upper()}" for device, seconds in epochs.items()) + ".")
    note = (
        "A step is forward, BCEWithLogitsLoss over 14 outputs, backward and an Adam update, float32, on "
        "random films; warm-up steps are not timed. CPU batches are small to keep the script short; GPU "
        "batches are larger, as one would train there. Throughput, not time to a given AUC."
    )
    write("gpu_speedup", "Training throughput of DenseNetSmall and DenseNet-121: CPU and GPU", "\n\n".join(lines), note)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="timed seconds per case and device (about)")
    main(parser.parse_args().seconds)
