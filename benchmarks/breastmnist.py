"""BreastMNIST (real breast ultrasound, 28 × 28): dlmi.models + dlmi.train against the MedMNIST v2 baseline.

    python benchmarks/breastmnist.py [--path ../shared/data/medmnist/breastmnist.npz] [--budget 120]

Trains small CNNs from ``dlmi.models`` with ``dlmi.train.fit`` on the official training split
(with light augmentation, ``dlmi.data.ArrayDataset(augment=True)``), stops each on its
validation AUC, picks the candidate with the best validation AUC, and only then evaluates that
one model once on the test split — against the published ResNet-18 (28) test AUC of 0.901
(Yang et al., Scientific Data 2023). Candidates are tried in order while the next one is
expected to fit in ``--budget`` seconds of CPU time (this process's, all threads).
Writes benchmarks/results/breastmnist.md; skips with a message when the file is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

import dlmi  # noqa: E402
from dlmi.data import ArrayDataset, load_medmnist  # noqa: E402
from dlmi.metrics import roc_auc  # noqa: E402
from dlmi.models import DenseNetSmall, SimpleCNN2d, count_parameters  # noqa: E402
from dlmi.train import EarlyStopping, fit, predict, tensor_loader  # noqa: E402

DEFAULT_PATH = ROOT.parent / "shared" / "data" / "medmnist" / "breastmnist.npz"
BASELINE_AUC = 0.901  # MedMNIST v2, ResNet-18 (28), test AUC

#: name -> (model factory, learning rate, epochs)
CANDIDATES = {
    "SimpleCNN2d (16, 32, 64, 128), dropout 0.3": (lambda: SimpleCNN2d(1, 1, dropout=0.3), 2e-3, 40),
    "SimpleCNN2d (32, 64, 128), dropout 0.3": (lambda: SimpleCNN2d(1, 1, widths=(32, 64, 128), dropout=0.3), 2e-3, 40),
    "DenseNetSmall (growth 16, blocks 4-4), dropout 0.2": (lambda: DenseNetSmall(1, 1, drop_rate=0.2), 3e-3, 40),
}


def auc(y_true: np.ndarray, y_out: np.ndarray) -> float:
    return float(roc_auc(y_true[:, 0], y_out[:, 0]))


def main(path: Path, budget: float) -> None:
    if not path.is_file():
        print(f"skipped: {path} is absent (the MedMNIST BreastMNIST file; see dlmi.data.load_medmnist for how to get it)")
        return
    splits = {split: load_medmnist(path, split) for split in ("train", "val", "test")}
    device = dlmi.get_device()
    val_loader = tensor_loader(splits["val"][0][:, None] / 255.0, splits["val"][1][:, None].astype(np.float32),
                               batch_size=256)
    rows, best, spent = [], None, []
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    for name, (build, lr, epochs) in CANDIDATES.items():
        if spent and sum(spent) + np.mean(spent) > budget:  # the next candidate would likely overrun
            rows.append([f"{name}: not trained (CPU budget)", "", "", "", "", ""])
            continue
        dlmi.seed_everything(0)
        model = build()
        train = ArrayDataset(*splits["train"], augment=True, rng=0)
        loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True,
                                             generator=torch.Generator().manual_seed(0))
        t0 = time.process_time()
        history = fit(model, loader, val_loader, loss_fn=nn.BCEWithLogitsLoss(),
                      optimizer=torch.optim.Adam(model.parameters(), lr=lr, weight_decay=1e-4), epochs=epochs,
                      metrics={"auc": auc}, early_stopping=EarlyStopping("val_auc", mode="max", patience=10),
                      device=device, progress=False)
        val_auc = max(history["val_auc"])
        spent.append(time.process_time() - t0)
        rows.append([name, f"{count_parameters(model):,}", history.best_epoch, len(history.epochs), f"{val_auc:.3f}",
                     f"{spent[-1]:.0f}"])
        if best is None or val_auc > best[1]:
            best = (name, val_auc, model)
    name, val_auc, model = best
    test_out, test_y = predict(model, tensor_loader(splits["test"][0][:, None] / 255.0,
                                                    splits["test"][1][:, None].astype(np.float32), batch_size=256))
    test_auc = auc(test_y, test_out)
    accuracy = float(((test_out[:, 0] > 0) == (test_y[:, 0] > 0.5)).mean())
    cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start_wall
    verdict = "**at or above**" if test_auc >= BASELINE_AUC else "**below**"
    body = (
        table(["candidate", "parameters", "best epoch", "epochs run", "val AUC", "CPU s"], rows)
        + f"\n\nChosen on validation AUC: **{name}** (val AUC {val_auc:.3f}).\n\n"
        + table(["model", "test AUC", "test accuracy"],
                [[f"dlmi: {name}", f"{test_auc:.3f}", f"{accuracy:.3f}"],
                 ["MedMNIST v2 ResNet-18 (28), published", f"{BASELINE_AUC:.3f}", "0.863"]])
        + f"\n\nThe chosen model is {verdict} the published baseline. Total: {cpu:.0f} s of CPU time "
        f"({wall:.0f} s wall clock) on {device}, budget {budget:.0f} s."
    )
    note = (
        f"Data: {path.name} (546 / 78 / 156 images, 28 × 28, 0 = malignant, 1 = normal or benign), the "
        "official MedMNIST v2 splits, read with dlmi.data.load_medmnist (MD5 checked). Training: "
        "BCEWithLogitsLoss, Adam with weight decay 1e-4, batches of 64, shifts/rotations/intensity "
        "jitter from ArrayDataset(augment=True), early stopping on validation AUC (patience 10) with the "
        "best weights restored, seed 0. The test split is used once, for the chosen model only."
    )
    write("breastmnist", "BreastMNIST: a small dlmi CNN against the MedMNIST v2 ResNet-18 baseline", body, note)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--budget", type=float, default=120.0, help="CPU seconds for training all candidates")
    args = parser.parse_args()
    main(args.path, args.budget)
