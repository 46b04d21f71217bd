"""Estimators with scikit-learn's ``fit``/``predict`` interface for the case studies.

* ``RegionalSVM`` — a linear SVM on standardised regional features, C chosen by inner CV;
* ``CNNClassifier`` — a torch network for a binary task, trained with ``dlmi.train.fit``
  (3D maps, ROI crops, 2D slices), so that ``dlmi.evaluation.cross_validate`` treats it like
  the SVM;
* ``SliceCNNClassifier`` — a 2D CNN trained on the slices of volumes, its subject-level output
  the mean of the slice probabilities (``aggregate_slices``).

Labels are 0/1; decision values are positive for label 1.
"""

from __future__ import annotations

from numbers import Integral
from typing import Callable, Sequence

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .data.transforms import extract_slices
from .linear import sigmoid
from .metrics import _labels
from .runtime import local_seed
from .train import History, fit, predict, tensor_loader
from .validation import as_array, check_binary, check_scalar, seed_from


class RegionalSVM(ClassifierMixin, BaseEstimator):
    """Linear SVM on standardised features, its C chosen by an inner cross-validation.

    ``fit(X, y, groups)`` runs a grid search over ``Cs`` with ``inner_splits`` subject-level
    folds of the training data only (nested CV when called inside an outer fold), scoring
    balanced accuracy, then refits on all the training data. Learned: ``C_``, ``search_``.
    """

    def __init__(self, Cs: Sequence[float] = (1e-3, 1e-2, 1e-1, 1.0), inner_splits: int = 3, rng=0):
        self.Cs = Cs
        self.inner_splits = inner_splits
        self.rng = rng

    def fit(self, X, y, groups=None) -> "RegionalSVM":
        X = as_array(X, "X", ndim=2)
        y = check_binary(y, "y").astype(int)
        check_scalar(self.inner_splits, "inner_splits", kind=Integral, low=2)
        Cs = as_array(self.Cs, "Cs", ndim=1)
        if (Cs <= 0).any():
            raise ValueError(f"Cs must be positive, got {list(self.Cs)}")
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        pipeline = Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="linear", class_weight="balanced"))])
        inner = StratifiedGroupKFold(self.inner_splits, shuffle=True, random_state=seed_from(self.rng))
        self.search_ = GridSearchCV(pipeline, {"svm__C": list(Cs)}, cv=inner, scoring="balanced_accuracy")
        self.search_.fit(X, y, groups=groups)
        self.C_ = float(self.search_.best_params_["svm__C"])
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X) -> np.ndarray:
        """Signed distance to the separating hyperplane, (n,); positive means label 1."""
        check_is_fitted(self, "search_")
        return self.search_.decision_function(as_array(X, "X", ndim=2))

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


@torch.no_grad()
def _recalibrate_batchnorm(model: nn.Module, loader) -> None:
    """Re-estimate the running statistics of the trainable batch-norm layers on the training data.

    During training they are exponential averages over the last few batches, which lag behind
    weights that change fast when there are only a few hundred subjects; evaluation then uses
    stale statistics. One pass with fixed weights and a cumulative average ("precise BN") fixes it.
    """
    model.train()  # FineTunedCNN2d keeps its frozen blocks, and their statistics, in evaluation mode
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.training]
    if not norms:
        return
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    device = next(model.parameters()).device
    for x, _ in loader:
        model(x.to(device))
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    model.eval()


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """A torch network for a binary task, trained with ``dlmi.train.fit`` (AdamW, BCE on one logit).

    ``make_model()`` returns a fresh ``nn.Module`` mapping (B, ...) inputs to (B, 1) logits, so
    that every ``fit`` (every fold of a cross-validation) starts from new weights.
    ``fit(X, y)``: X (N, C, ...) float, y (N,) 0/1. After training, the batch-norm statistics
    are re-estimated on the training data (see ``_recalibrate_batchnorm``). ``rng`` (an int seed
    or a Generator) seeds the initial weights, the batches and dropout, inside the fit only:
    torch's global generator is left as it was. Learned: ``model_``, ``history_``.
    """

    def __init__(self, make_model: Callable[[], nn.Module], *, epochs: int = 10, lr: float = 1e-3,
                 weight_decay: float = 1e-4, batch_size: int = 16, rng=0, device=None):
        self.make_model = make_model
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.rng = rng
        self.device = device

    def _train(self, X: np.ndarray, y: np.ndarray) -> "CNNClassifier":
        if not callable(self.make_model):
            raise TypeError("make_model must be a function that returns a fresh nn.Module")
        check_scalar(self.lr, "lr", low=0.0, low_inclusive=False)
        check_scalar(self.weight_decay, "weight_decay", low=0.0)
        with local_seed(self.rng) as seed:
            self.model_ = self.make_model()
            if not isinstance(self.model_, nn.Module):
                raise TypeError(f"make_model() must return an nn.Module, got {type(self.model_).__name__}")
            trainable = [p for p in self.model_.parameters() if p.requires_grad]
            optimizer = torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay)
            loader = tensor_loader(X, y[:, None], batch_size=self.batch_size, shuffle=True, rng=seed)
            self.history_: History = fit(self.model_, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=optimizer,
                                         epochs=self.epochs, device=self.device, progress=False)
        if self.history_.diverged:
            raise RuntimeError(f"the CNN did not train: {self.history_.status}")
        _recalibrate_batchnorm(self.model_, tensor_loader(X, y, batch_size=64))
        self.classes_ = np.array([0, 1])
        return self

    def fit(self, X, y, groups=None) -> "CNNClassifier":
        """Train on X (N, C, ...) and y (N,) 0/1; ``groups`` is accepted and unused (one row per subject)."""
        X = as_array(X, "X", ndim=(3, 4, 5), dtype=np.float32)
        y = _labels(y, "y").astype(np.float32)
        if len(X) != len(y):
            raise ValueError(f"X and y must have the same number of samples, got {len(X)} and {len(y)}")
        return self._train(X, y)

    def _logits(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "model_")
        out, _ = predict(self.model_, tensor_loader(X, np.zeros(len(X)), batch_size=64))
        return out[:, 0]

    def decision_function(self, X) -> np.ndarray:
        """Logits (N,); positive means label 1."""
        return self._logits(as_array(X, "X", ndim=(3, 4, 5), dtype=np.float32))

    def predict_proba(self, X) -> np.ndarray:
        """(N, 2) probabilities of labels 0 and 1."""
        p = sigmoid(self.decision_function(X).astype(np.float64))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


def aggregate_slices(probabilities, subject_index) -> np.ndarray:
    """Subject-level probabilities: the mean of each subject's slice probabilities (soft voting).

    ``probabilities`` (M,) and ``subject_index`` (M,) ints 0..n-1 → (n,), subject ``i`` at row ``i``.
    """
    probabilities = as_array(probabilities, "probabilities", ndim=1)
    subject_index = np.asarray(subject_index)
    if subject_index.shape != probabilities.shape or not np.issubdtype(subject_index.dtype, np.integer):
        raise ValueError("subject_index must hold one integer subject index per probability")
    if subject_index.min() < 0:
        raise ValueError("subject_index must be non-negative")
    counts = np.bincount(subject_index)
    if (counts == 0).any():
        raise ValueError("subject_index must cover every subject 0..n-1")
    return np.bincount(subject_index, weights=probabilities) / counts


class SliceCNNClassifier(CNNClassifier):
    """2D slice-level CNN: trained on the slices of the subjects' maps, each with its subject's label.

    ``fit(maps, y)`` with maps (N, D, H, W); ``predict_proba(maps)`` averages each subject's
    slice probabilities (``aggregate_slices``). ``axis`` and ``discard`` as in ``dlmi.data.transforms.extract_slices``.
    """

    def __init__(self, make_model: Callable[[], nn.Module], *, axis: int = 0, discard: float = 0.2,
                 epochs: int = 5, lr: float = 1e-3, weight_decay: float = 1e-4, batch_size: int = 64,
                 rng=0, device=None):
        super().__init__(make_model, epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                         rng=rng, device=device)
        self.axis = axis
        self.discard = discard

    def fit(self, X, y, groups=None) -> "SliceCNNClassifier":
        """Train on the slices of maps X (N, D, H, W) labelled with y (N,) 0/1."""
        y = check_binary(y, "y").astype(np.float32)
        slices, subject = extract_slices(X, axis=self.axis, discard=self.discard)
        if subject[-1] + 1 != len(y):
            raise ValueError(f"X and y must have the same number of subjects, got {subject[-1] + 1} and {len(y)}")
        return self._train(slices, y[subject])

    def predict_slices(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Label-1 probability of each slice of maps X (N, D, H, W): (probabilities (M,), subject_index (M,))."""
        slices, subject = extract_slices(X, axis=self.axis, discard=self.discard)
        return sigmoid(self._logits(slices).astype(np.float64)), subject

    def decision_function(self, X) -> np.ndarray:
        """Subject-level log-odds (N,) of the mean slice probability."""
        p = np.clip(aggregate_slices(*self.predict_slices(X)), 1e-7, 1 - 1e-7)
        return np.log(p / (1 - p))
