"""dlmi.conv.conv2d (numpy, im2col) against torch.nn.functional.conv2d, and the explorer's latency.

    python benchmarks/conv.py [--repeat 20]

Part 1 times a forward convolution of float32 batches of the sizes the notebooks use, with one
thread and with torch's default number, the two libraries alternating so that the machine's
load affects both alike; both outputs are compared first. Part 2 times one step of the
convolution explorer of notebook 08: ``convolution_step`` for a new window position (or new
settings) followed by ``ConvolutionFigure.update`` and ``figure.canvas.draw()`` on Agg, against
the 100 ms target. Writes benchmarks/results/conv.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.conv import KERNELS, conv2d, convolution_step, make_kernel, resize_image, x_image  # noqa: E402
from dlmi.viz import use_style  # noqa: E402
from dlmi.widgets.convolution import ConvolutionFigure  # noqa: E402

#: (label, input (N, C, H, W), kernels (F, C, k, k), stride, padding)
SHAPES = [
    ("one 128² radiograph, one 3×3 filter", (1, 1, 128, 128), (1, 1, 3, 3), 1, 1),
    ("notebook 08 layer 1: 32 images 32², 8 filters", (32, 1, 32, 32), (8, 1, 3, 3), 1, 1),
    ("notebook 08 layer 2: 32 × 8 maps 16², 16 filters", (32, 8, 16, 16), (16, 8, 3, 3), 1, 1),
    ("DenseNet stem: 8 images 224², 64 filters 7×7, stride 2", (8, 1, 224, 224), (64, 1, 7, 7), 2, 3),
]
TARGET_MS = 100.0


def time_conv(threads: int, repeat: int) -> list[list]:
    rows = []
    torch.set_num_threads(threads)
    with threadpool_limits(threads):
        for label, x_shape, w_shape, stride, padding in SHAPES:
            rng = np.random.default_rng(0)
            x = rng.normal(size=x_shape).astype(np.float32)
            w = rng.normal(size=w_shape).astype(np.float32)
            tx, tw = torch.from_numpy(x), torch.from_numpy(w)
            ours = conv2d(x, w, stride=stride, padding=padding)
            theirs = F.conv2d(tx, tw, stride=stride, padding=padding).numpy()
            error = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
            times = {"dlmi": [], "torch": []}
            for _ in range(repeat):
                for name, run in (("dlmi", lambda: conv2d(x, w, stride=stride, padding=padding)),
                                  ("torch", lambda: F.conv2d(tx, tw, stride=stride, padding=padding))):
                    start = time.perf_counter()
                    run()
                    times[name].append(1e3 * (time.perf_counter() - start))
            ours_ms, torch_ms = statistics.median(times["dlmi"]), statistics.median(times["torch"])
            rows.append([threads, label, ours_ms, torch_ms, ours_ms / torch_ms, f"{error:.1e}"])
    return rows


def time_explorer(repeat: int) -> list[list]:
    """Median wall and CPU ms of one explorer step (settings change, then draw) for a few settings."""
    use_style()
    radiograph = np.random.default_rng(0).random((64, 64))
    settings = [
        ("the X, 3×3 ↘ filter, window moves", x_image(), KERNELS["X: diagonal ↘"], 1, 0, None),
        ("radiograph at 16 px, sharpen, padding 1", radiograph, make_kernel("sharpen"), 1, 1, 16),
        ("radiograph at 32 px, 5×5 box blur, stride 3, padding 2", radiograph, make_kernel("box blur", 5), 3, 2, 32),
        ("radiograph at 28 px, 7×7 identity, stride 3", radiograph, make_kernel("identity", 7), 3, 0, 28),
        ("invalid: stride 2 on 8 px with 3×3 (flagged)", radiograph, make_kernel("edge detect"), 2, 0, 8),
    ]
    rows = []
    view = ConvolutionFigure()
    view.figure.canvas.draw()
    for label, image, kernel, stride, padding, size in settings:
        wall, cpu = [], []
        for i in range(repeat + 2):
            start, start_cpu = time.perf_counter(), time.process_time()
            source = resize_image(image, size) if size else image
            view.update(convolution_step(source, kernel, stride=stride, padding=padding, position=i))
            view.figure.canvas.draw()
            if i >= 2:  # the first draws lay the figure out
                wall.append(1e3 * (time.perf_counter() - start))
                cpu.append(1e3 * (time.process_time() - start_cpu))
        med_wall, med_cpu = statistics.median(wall), statistics.median(cpu)
        verdict = f"{'yes' if med_wall < TARGET_MS else '**no**'} / {'yes' if med_cpu < TARGET_MS else '**no**'}"
        rows.append([label, med_wall, float(np.percentile(wall, 90)), med_cpu, verdict])
    return rows


def main(repeat: int) -> None:
    conv_rows = []
    for threads in sorted({1, torch.get_num_threads()}):
        conv_rows += time_conv(threads, repeat)
    explorer_rows = time_explorer(repeat)
    body = (
        "## conv2d: numpy (sliding windows + one matrix product) against torch, forward, float32\n\n"
        + table(["threads", "case", "dlmi.conv (ms)", "torch (ms)", "ratio", "max rel. difference"], conv_rows)
        + "\n\n## Convolution explorer (notebook 08): one step = new setting or window position + redraw\n\n"
        + table(["setting", "median (ms)", "90th pct (ms)", "CPU median (ms)", "under 100 ms: wall / CPU"],
                explorer_rows)
    )
    note = (
        f"Medians of {repeat} runs. The numpy convolution copies every k×k window into one matrix "
        "(im2col) before the product, which costs memory traffic torch's direct kernels avoid; it is "
        "written to be read, and is fast enough for the notebooks' single images and small batches. "
        "The machine is shared: the CPU column of the explorer is the process's own CPU time, which a "
        "busy machine inflates much less than the wall-clock time."
    )
    write("conv", "Convolution from scratch against torch, and the convolution explorer's latency", body, note)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    main(parser.parse_args().repeat)
