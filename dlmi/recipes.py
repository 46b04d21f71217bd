"""Training recipes: a model trained end to end on simulated data, in one call.

* ``pretrain_on_chest_xrays`` — a 2D CNN pre-trained on the 14 findings of simulated chest
  radiographs, to fine-tune on another task (notebook 10's slice CNN);
* ``cnn_baseline_aucs`` — the per-finding AUCs of a small CNN trained briefly on simulated
  radiographs, the calibration of ``dlmi.data.chestxray``.

Each seeds torch inside the call only (``dlmi.runtime.local_seed``): the caller's random state
is left as it was.
"""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

import numpy as np
import torch
from torch import nn

from .data.chestxray import FINDINGS, simulate_chest_xrays
from .data.splits import patient_split
from .models import SimpleCNN2d
from .runtime import local_seed
from .train import History, fit, predict, tensor_loader
from .validation import check_scalar, rng_argument, seed_from


def pretrain_on_chest_xrays(n_patients: int = 600, *, size: int = 32, epochs: int = 3,
                            widths: Sequence[int] = (16, 32, 64, 128), rng=0, device=None,
                            seed: int | None = None) -> tuple[nn.Module, History]:
    """A ``SimpleCNN2d`` trained on the 14 findings of simulated chest radiographs: ``(model, history)``.

    Stands in for ImageNet pre-training (whose weights the course does not ship): the network
    learns edges, textures and blobs on one task before ``FineTunedCNN2d`` adapts it to another.
    """
    check_scalar(n_patients, "n_patients", kind=Integral, low=10)
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    seed = seed_from(rng_argument(rng, seed))
    xrays = simulate_chest_xrays(n_patients, size=size, rng=seed, with_masks=False)
    with local_seed(seed):
        model = SimpleCNN2d(1, xrays.labels.shape[1], widths=widths)
        loader = tensor_loader(xrays.images, xrays.labels.astype(np.float32), batch_size=32, shuffle=True, rng=seed)
        history = fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(),
                      optimizer=torch.optim.Adam(model.parameters(), 2e-3), epochs=epochs, device=device,
                      progress=False)
    return model.cpu(), history


def cnn_baseline_aucs(n_patients: int = 1500, *, epochs: int = 8, rng=0, size: int = 64,
                      seed: int | None = None) -> dict[str, float]:
    """Per-finding test AUCs of a small CNN trained briefly on simulated radiographs: the recipe
    behind the calibration table of ``dlmi.data.chestxray``'s docstring.

    ``simulate_chest_xrays(n_patients, size=size, prevalence=0.1, rng=rng)``; a patient-level
    split, 75 % training and 25 % test (``patient_split``); ``dlmi.models.SimpleCNN2d(1, 14)``
    trained with ``dlmi.train.fit`` on the *mined* labels (binary cross-entropy, Adam, learning
    rate 2e-3, batches of 64, ``epochs`` epochs, one CPU thread); AUC against the *true* labels
    of the test images, as CheXNeXt was scored against radiologists rather than against the
    mined labels. About 40 s of one CPU core with the defaults.
    """
    from sklearn.metrics import roc_auc_score

    check_scalar(n_patients, "n_patients", kind=Integral, low=200)  # enough positives of each finding to test
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    seed = seed_from(rng_argument(rng, seed))
    data = simulate_chest_xrays(n_patients, size=size, prevalence=0.1, rng=seed, with_masks=False)
    train, test = patient_split(data.patient_ids, data.labels, (0.75, 0.25), rng=seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with local_seed(seed):
            model = SimpleCNN2d(1, len(FINDINGS))
            fit(model, tensor_loader(data.images[train], data.labels[train], batch_size=64, shuffle=True, rng=seed),
                loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), lr=2e-3),
                epochs=epochs, device="cpu", progress=False)
        scores, truth = predict(model, tensor_loader(data.images[test], data.true_labels[test], batch_size=256),
                                torch.device("cpu"))
    finally:
        torch.set_num_threads(threads)
    return {name: float(roc_auc_score(truth[:, k], scores[:, k])) for k, name in enumerate(FINDINGS)}
