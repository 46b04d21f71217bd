"""dlmi.models + dlmi.train learn the real BreastMNIST file (skipped where the file is absent)."""

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import dlmi
from dlmi.data import load_medmnist
from dlmi.metrics import roc_auc
from dlmi.models import SimpleCNN2d
from dlmi.train import fit, predict, tensor_loader

PATH = Path(__file__).resolve().parents[3] / "shared" / "data" / "medmnist" / "breastmnist.npz"

pytestmark = [
    pytest.mark.skipif(not PATH.is_file(), reason=f"{PATH} is absent (real MedMNIST file, not shipped)"),
    pytest.mark.usefixtures("one_torch_thread"),
]


def test_a_small_cnn_learns_breastmnist_well_above_chance():
    (x_train, y_train), (x_val, y_val) = (load_medmnist(PATH, split) for split in ("train", "val"))
    assert x_train.shape == (546, 28, 28) and set(np.unique(y_train)) == {0, 1}
    dlmi.seed_everything(0)
    model = SimpleCNN2d(1, 1, widths=(16, 32, 64))
    fit(model, tensor_loader(x_train[:, None] / 255.0, y_train[:, None], batch_size=64, shuffle=True),
        loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), 2e-3), epochs=6,
        device="cpu", progress=False)
    scores, targets = predict(model, tensor_loader(x_val[:, None] / 255.0, y_val[:, None], batch_size=128))
    assert roc_auc(targets[:, 0], scores[:, 0]) > 0.75
