"""The 3D CNN of dlmi.models on the real AdrenalMNIST3D (MedMNIST v2), trained with dlmi.train on the CPU.

    python benchmarks/adrenalmnist3d.py [--epochs 6] [--seeds 0 1 2] [--threads 1]

AdrenalMNIST3D: 1,188 / 98 / 298 adrenal-gland shape masks from CT at 28×28×28, binary (normal
vs hyperplasia). The published MedMNIST v2 baseline, ResNet-18 + 3D, reaches a test AUC of about
0.83. ``SimpleCNN3d`` (widths 8, 16, 32, 64) is trained with AdamW for ``--epochs`` epochs; the
epoch with the best validation AUC is kept (``EarlyStopping`` restores it) and the test set is
scored once, for each seed. Reads ``../shared/data/medmnist/adrenalmnist3d.npz`` relative to the repository
root and skips with a message when it is absent. Writes benchmarks/results/adrenalmnist3d.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi import seed_everything  # noqa: E402
from dlmi.data import load_medmnist  # noqa: E402
from dlmi.metrics import bootstrap_ci, roc_auc  # noqa: E402
from dlmi.models import SimpleCNN3d, count_parameters  # noqa: E402
from dlmi.train import EarlyStopping, fit, predict, tensor_loader  # noqa: E402

PATH = Path(__file__).resolve().parents[2] / "shared" / "data" / "medmnist" / "adrenalmnist3d.npz"
BASELINE_AUC = 0.83  # MedMNIST v2, ResNet-18 + 3D, test set
WIDTHS = (8, 16, 32, 64)


def auc(y_true: np.ndarray, y_out: np.ndarray) -> float:
    return float(roc_auc(y_true.ravel(), y_out.ravel()))


def load(split: str) -> tuple[np.ndarray, np.ndarray]:
    """(N, 1, 28, 28, 28) float32 volumes in [0, 1] and (N, 1) float32 labels."""
    images, labels = load_medmnist(PATH, split)
    return images[:, None].astype(np.float32) / 255.0, labels.reshape(-1, 1).astype(np.float32)


def train_and_test(data, epochs: int, seed: int):
    """Train on train, keep the epoch of best validation AUC, score the test set once."""
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = data
    seed_everything(seed)
    model = SimpleCNN3d(1, 1, widths=WIDTHS, dropout=0.2)
    wall, cpu = time.perf_counter(), time.process_time()
    history = fit(model, tensor_loader(X_train, y_train, batch_size=32, shuffle=True, seed=seed),
                  tensor_loader(X_val, y_val, batch_size=128), loss_fn=nn.BCEWithLogitsLoss(),
                  optimizer=torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4), epochs=epochs,
                  metrics={"auc": auc}, early_stopping=EarlyStopping("val_auc", mode="max", patience=epochs),
                  progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    y_out, y_true = predict(model, tensor_loader(X_test, y_test, batch_size=128))
    test = bootstrap_ci(roc_auc, y_true.ravel(), y_out.ravel(), n_boot=2000, rng=seed)
    return model, history, test, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (one is fastest on a shared machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not PATH.is_file():
        print(f"skipped: {PATH} is absent (the real MedMNIST files live beside the project, not in it)")
        return
    data = [load(split) for split in ("train", "val", "test")]
    runs, first_history = [], None
    for seed in args.seeds:
        model, history, test, wall, cpu = train_and_test(data, args.epochs, seed)
        first_history = first_history or history
        runs.append([f"SimpleCNN3d{WIDTHS}", count_parameters(model), seed, args.epochs, history.best_epoch, wall,
                     cpu, f"{test.estimate:.3f} ({test.low:.3f} to {test.high:.3f})", test.estimate >= BASELINE_AUC])
        print(runs[-1], flush=True)
    rows = [[epoch, row.train_loss, row.train_auc, row.val_loss, row.val_auc]
            for epoch, row in first_history.to_frame().iterrows()]
    body = "\n\n".join([
        table(["model", "parameters", "seed", "epochs", "best epoch (val AUC)", "training wall time (s)",
               "training CPU time, all threads (s)", "test AUC (95 % bootstrap CI)",
               f"≥ ResNet-18+3D ({BASELINE_AUC})"], runs),
        f"Training history of seed {args.seeds[0]}:",
        table(["epoch", "train loss", "train AUC", "val loss", "val AUC"], rows),
    ])
    reached = sum(run[-1] for run in runs)
    note = (f"{reached} of {len(runs)} seeds reach the published baseline (MedMNIST v2 ResNet-18+3D, test AUC "
            f"{BASELINE_AUC}). The epoch is selected on the validation AUC (98 volumes); the test set is scored "
            f"once per seed. AdamW (lr 3e-3, weight decay 1e-4), batch 32, dropout 0.2, {args.threads} torch "
            "thread(s). Wall time counts the other processes sharing the machine; CPU time is this process's, "
            "summed over its threads.")
    write("adrenalmnist3d", "AdrenalMNIST3D: SimpleCNN3d trained with dlmi.train on the CPU", body, note)


if __name__ == "__main__":
    main()
