"""Training recipes: pre-training on simulated chest radiographs."""

import numpy as np

from dlmi.models import SimpleCNN2d
from dlmi.recipes import pretrain_on_chest_xrays


def test_pretraining_on_chest_xrays_returns_a_14_finding_network():
    model, history = pretrain_on_chest_xrays(20, size=32, epochs=1, widths=(4, 8))
    assert isinstance(model, SimpleCNN2d) and model.head[-1].out_features == 14
    assert len(history["train_loss"]) == 1 and np.isfinite(history["train_loss"][0])
