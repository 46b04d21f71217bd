"""The Alzheimer's disease case study (notebook 10): feature engineering against three CNNs.

Follows Wen et al., *Convolutional neural networks for classification of Alzheimer's disease:
overview and reproducible evaluation*, Medical Image Analysis 2020 (the slides, section 2.7),
on the simulated cohort of ``dlmi.data.brain``:

* ``task_labels`` — the subjects of a task ("AD vs CN", "sMCI vs pMCI") and their 0/1 labels;
* ``subject_folds`` / ``subject_split`` — splits in which no subject is on both sides;
* ``RegionalSVM`` — a linear SVM on regional gray-matter features, C chosen by inner CV;
* ``CNNClassifier`` / ``SliceCNNClassifier`` — torch networks trained with ``dlmi.train.fit``,
  with the scikit-learn ``fit``/``predict_proba`` interface (3D maps, ROI crops, 2D slices);
* ``cross_validate``, ``learning_curve``, ``leakage_experiment`` — the experiments;
* ``pretrain_on_chest_xrays`` — a 2D CNN pre-trained on another task, to fine-tune on slices.

Labels are 0/1: 1 for the later disease stage of a task (AD in "AD vs CN", pMCI in
"sMCI vs pMCI"). Scores are balanced accuracies, the mean of sensitivity and specificity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .nn import sigmoid
from .runtime import seed_everything
from .train import History, fit, predict, tensor_loader
from .validation import as_array, check_binary, check_choice, check_scalar

#: The two classification tasks: name -> (label 0 group, label 1 group).
TASKS: dict[str, tuple[str, str]] = {"AD vs CN": ("CN", "AD"), "sMCI vs pMCI": ("sMCI", "pMCI")}

#: Balanced accuracies published by Wen et al. (2020) on ADNI, as in the slides (None: not reported).
PUBLISHED: dict[str, dict[str, float | None]] = {
    "3D whole-brain CNN": {"AD vs CN": 0.84, "sMCI vs pMCI": 0.73},
    "3D hippocampus CNN": {"AD vs CN": 0.86, "sMCI vs pMCI": 0.73},
    "2D slice CNN": {"AD vs CN": 0.76, "sMCI vs pMCI": None},
    "Linear SVM": {"AD vs CN": 0.86, "sMCI vs pMCI": 0.72},
}


# ----------------------------------------------------------------------------------------
# Tasks and inputs
# ----------------------------------------------------------------------------------------


def task_labels(participants: pd.DataFrame, task: str, group_column: str = "group") -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``participants`` in ``task`` and their 0/1 labels: ``(rows (n,) int, y (n,) int)``."""
    if not isinstance(participants, pd.DataFrame):
        raise TypeError(f"participants must be a pandas DataFrame, got {type(participants).__name__}")
    check_choice(task, "task", list(TASKS))
    negative, positive = TASKS[task]
    groups = participants[group_column].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(groups, (negative, positive)))
    return rows, (groups[rows] == positive).astype(int)


def downsample(maps, factor: int = 2) -> np.ndarray:
    """Average ``factor``³ blocks of voxels: maps (N, D, H, W) → (N, ⌈D/f⌉, ⌈H/f⌉, ⌈W/f⌉) float32.

    A 4 mm map becomes an 8 mm one: eight times fewer voxels for a 3D CNN to read.
    """
    maps = as_array(maps, "maps", ndim=4, dtype=np.float32)
    check_scalar(factor, "factor", kind=Integral, low=1)
    pooled = torch.nn.functional.avg_pool3d(torch.from_numpy(maps)[:, None], factor, ceil_mode=True)
    return pooled[:, 0].numpy()


# ----------------------------------------------------------------------------------------
# Scores and splits
# ----------------------------------------------------------------------------------------


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean of sensitivity and specificity, for 0/1 labels ``y_true`` (n,) and 0/1 predictions ``y_pred`` (n,).

    Scores or probabilities are refused: threshold them first (e.g. ``y_score > 0``).
    """
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    return float(np.mean([(y_pred[y_true == c] == c).mean() for c in np.unique(y_true)]))


def _labels(y, name: str) -> np.ndarray:
    """0/1 labels of shape (n,), named in the error otherwise."""
    y = check_binary(y, name)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one 0/1 label per subject, shape (n,), got shape {y.shape}")
    return y


def fold_interval(scores, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-fold ``scores`` and a Student-t interval: ``(mean, low, high)``.

    Folds share training subjects, so the interval is optimistic; it still shows the spread.
    """
    scores = as_array(scores, "scores", ndim=1)
    check_scalar(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    mean = float(scores.mean())
    if len(scores) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(scores) - 1) * scores.std(ddof=1) / np.sqrt(len(scores))
    return mean, mean - half, mean + half


def _decision_balanced_accuracy(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Balanced accuracy of the decisions ``y_score > 0``; NaN for a bootstrap replicate with one class."""
    if not 0 < np.sum(y_true) < len(y_true):
        return float("nan")
    return balanced_accuracy(y_true, (y_score > 0).astype(float))


def balanced_accuracy_ci(y_true, y_score, *, n_boot: int = 2000, level: float = 0.95,
                         seed: int = 0) -> tuple[float, float, float]:
    """Balanced accuracy of ``y_score > 0`` and its bootstrap interval over subjects: ``(score, low, high)``."""
    from .metrics import bootstrap_ci

    check_scalar(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    y_true = check_binary(y_true, "y_true")
    y_score = as_array(y_score, "y_score", ndim=1)
    result = bootstrap_ci(_decision_balanced_accuracy, y_true, y_score, n_boot=n_boot, alpha=1 - level, seed=seed)
    return result.estimate, result.low, result.high


def balanced_accuracy_difference(y_true, y_score_a, y_score_b, *, n_boot: int = 2000, level: float = 0.95,
                                 seed: int = 0) -> tuple[float, float, float]:
    """Balanced accuracy of model a minus model b on the same subjects, with a paired bootstrap interval.

    Both models are scored on the same resampled subjects, so that what the subjects share
    cancels: ``(difference, low, high)``; an interval that excludes 0 is evidence of a difference.
    """
    from .metrics import bootstrap_difference

    check_scalar(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    y_true = check_binary(y_true, "y_true")
    y_score_a = as_array(y_score_a, "y_score_a", ndim=1)
    y_score_b = as_array(y_score_b, "y_score_b", ndim=1)
    if not len(y_true) == len(y_score_a) == len(y_score_b):
        raise ValueError(f"y_true, y_score_a and y_score_b must have the same length, got {len(y_true)}, "
                         f"{len(y_score_a)} and {len(y_score_b)}")
    result = bootstrap_difference(_decision_balanced_accuracy, y_true, y_score_a, y_score_b, n_boot=n_boot,
                                  alpha=1 - level, seed=seed)
    return float(result.estimate), float(result.low), float(result.high)


def _subject_labels(groups: np.ndarray, y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    subjects, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    if y is None:
        return subjects, inverse, None
    if y.shape != groups.shape:
        raise ValueError(f"y must have one label per row of groups, got shapes {y.shape} and {groups.shape}")
    if (y != y[first][inverse]).any():
        raise ValueError("y must be the same for every row of a subject (a subject-level label)")
    return subjects, inverse, y[first]


def subject_split(groups, y=None, *, test_size: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, test)`` such that no subject (value of ``groups``) is on both sides.

    ``groups`` (n,) holds each row's subject id (rows may be sessions or slices);
    ``test_size`` is the fraction of *subjects* in the test set, stratified by ``y`` (n,) if given.
    """
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) < 2:
        raise ValueError(f"groups must be a 1-D array of subject ids, got shape {groups.shape}")
    check_scalar(test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    y = None if y is None else np.asarray(y)
    subjects, inverse, labels = _subject_labels(groups, y)
    train_subjects, _ = train_test_split(np.arange(len(subjects)), test_size=test_size, random_state=seed,
                                         stratify=labels)
    in_train = np.isin(inverse, train_subjects)
    return np.flatnonzero(in_train), np.flatnonzero(~in_train)


def subject_folds(groups, y, *, n_splits: int = 5, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified ``n_splits``-fold cross-validation at the subject level: a list of (train, test) rows."""
    groups = np.asarray(groups)
    y = np.asarray(y)
    check_scalar(n_splits, "n_splits", kind=Integral, low=2)
    if groups.shape != y.shape or groups.ndim != 1:
        raise ValueError(f"groups and y must be 1-D of the same length, got {groups.shape} and {y.shape}")
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, groups)]


# ----------------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------------


class RegionalSVM(ClassifierMixin, BaseEstimator):
    """Linear SVM on standardised features, its C chosen by an inner cross-validation.

    ``fit(X, y, groups)`` runs a grid search over ``Cs`` with ``inner_splits`` subject-level
    folds of the training data only (nested CV when called inside an outer fold), scoring
    balanced accuracy, then refits on all the training data. Learned: ``C_``, ``search_``.
    """

    def __init__(self, Cs: Sequence[float] = (1e-3, 1e-2, 1e-1, 1.0), inner_splits: int = 3, seed: int = 0):
        self.Cs = Cs
        self.inner_splits = inner_splits
        self.seed = seed

    def fit(self, X, y, groups=None) -> "RegionalSVM":
        X = as_array(X, "X", ndim=2)
        y = check_binary(y, "y").astype(int)
        check_scalar(self.inner_splits, "inner_splits", kind=Integral, low=2)
        Cs = as_array(self.Cs, "Cs", ndim=1)
        if (Cs <= 0).any():
            raise ValueError(f"Cs must be positive, got {list(self.Cs)}")
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        pipeline = Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="linear", class_weight="balanced"))])
        inner = StratifiedGroupKFold(self.inner_splits, shuffle=True, random_state=self.seed)
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
    are re-estimated on the training data (see ``_recalibrate_batchnorm``). Learned: ``model_``,
    ``history_``.
    """

    def __init__(self, make_model: Callable[[], nn.Module], *, epochs: int = 10, lr: float = 1e-3,
                 weight_decay: float = 1e-4, batch_size: int = 16, seed: int = 0, device=None):
        self.make_model = make_model
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.seed = seed
        self.device = device

    def _train(self, X: np.ndarray, y: np.ndarray) -> "CNNClassifier":
        if not callable(self.make_model):
            raise TypeError("make_model must be a function that returns a fresh nn.Module")
        check_scalar(self.lr, "lr", low=0.0, low_inclusive=False)
        check_scalar(self.weight_decay, "weight_decay", low=0.0)
        seed_everything(self.seed)
        self.model_ = self.make_model()
        if not isinstance(self.model_, nn.Module):
            raise TypeError(f"make_model() must return an nn.Module, got {type(self.model_).__name__}")
        trainable = [p for p in self.model_.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(trainable, lr=self.lr, weight_decay=self.weight_decay)
        loader = tensor_loader(X, y[:, None], batch_size=self.batch_size, shuffle=True, seed=self.seed)
        self.history_: History = fit(self.model_, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=optimizer,
                                     epochs=self.epochs, device=self.device, progress=False)
        if self.history_.status.startswith("diverged"):
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


def extract_slices(maps, *, axis: int = 0, discard: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Cut volumes into 2D slices: maps (N, D, H, W) → slices (N·S, 1, h, w), subject_index (N·S,).

    ``axis`` 0, 1 or 2 of the volume (0 is sagittal for the maps of ``dlmi.data.brain``);
    the first and last ``discard`` fraction of the slices along it (mostly outside the brain,
    as Wen et al. dropped the outermost sagittal slices) are left out.
    """
    maps = as_array(maps, "maps", ndim=4, dtype=np.float32)
    check_choice(axis, "axis", (0, 1, 2))
    check_scalar(discard, "discard", low=0.0, high=0.5, high_inclusive=False)
    n, depth = maps.shape[0], maps.shape[axis + 1]
    start = int(round(discard * depth))
    kept = np.moveaxis(maps, axis + 1, 1)[:, start:depth - start]  # (N, S, h, w)
    n_slices = kept.shape[1]
    slices = np.ascontiguousarray(kept.reshape(n * n_slices, 1, *kept.shape[2:]))
    return slices, np.repeat(np.arange(n), n_slices)


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
    slice probabilities (``aggregate_slices``). ``axis`` and ``discard`` as in ``extract_slices``.
    """

    def __init__(self, make_model: Callable[[], nn.Module], *, axis: int = 0, discard: float = 0.2,
                 epochs: int = 5, lr: float = 1e-3, weight_decay: float = 1e-4, batch_size: int = 64,
                 seed: int = 0, device=None):
        super().__init__(make_model, epochs=epochs, lr=lr, weight_decay=weight_decay, batch_size=batch_size,
                         seed=seed, device=device)
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


# ----------------------------------------------------------------------------------------
# Experiments
# ----------------------------------------------------------------------------------------


@dataclass
class CVResult:
    """Per-fold balanced accuracies and the out-of-fold outputs of a cross-validation."""

    scores: np.ndarray
    y_true: np.ndarray
    y_score: np.ndarray
    params: list[dict] = field(default_factory=list)

    @property
    def mean(self) -> float:
        return float(self.scores.mean())

    def interval(self, level: float = 0.95) -> tuple[float, float, float]:
        """``(mean, low, high)`` over folds (``fold_interval``)."""
        return fold_interval(self.scores, level)


def _indexable(X, name: str) -> None:
    if not hasattr(X, "shape") or not hasattr(X, "__getitem__"):
        raise TypeError(f"{name} must be an array, got {type(X).__name__}")


def cross_validate(estimator, X, y, folds, *, groups=None) -> CVResult:
    """Fit a fresh clone of ``estimator`` on each training fold, score it on the test fold.

    ``folds`` is a list of (train, test) row indices (``subject_folds``); ``groups`` (n,)
    subject ids are passed to ``fit`` for inner splits (``RegionalSVM``). Returns a ``CVResult``
    with the balanced accuracy of each fold, the out-of-fold decision values and each fold's
    learned ``C_`` if the estimator has one.
    """
    _indexable(X, "X")
    y = check_binary(y, "y").astype(int)
    if len(folds) < 1:
        raise ValueError("folds must hold at least one (train, test) pair")
    y_score = np.full(len(y), np.nan)
    scores, params = [], []
    for train, test in folds:
        model = clone(estimator).fit(X[train], y[train], None if groups is None else np.asarray(groups)[train])
        y_score[test] = model.decision_function(X[test])
        scores.append(balanced_accuracy(y[test], (y_score[test] > 0).astype(int)))
        params.append({"C": model.C_} if hasattr(model, "C_") else {})
    tested = ~np.isnan(y_score)
    return CVResult(np.array(scores), y[tested], y_score[tested], params)


def learning_curve(estimator, X, y, folds, sizes: Sequence[int], *, seed: int = 0) -> pd.DataFrame:
    """Balanced accuracy against the number of training subjects.

    For each fold and each ``n`` in ``sizes``, a stratified random ``n`` of the fold's training
    rows (one row per subject) trains a clone of ``estimator``, scored on the whole test fold.
    Returns a DataFrame with columns ``n_train``, ``fold``, ``balanced_accuracy``.
    """
    _indexable(X, "X")
    y = check_binary(y, "y").astype(int)
    rows = []
    for k, (train, test) in enumerate(folds):
        for n in sizes:
            check_scalar(n, "sizes", kind=Integral, low=4, high=len(train))
            subset = train if n == len(train) else train_test_split(
                train, train_size=int(n), stratify=y[train], random_state=seed + k)[0]
            model = clone(estimator).fit(X[subset], y[subset])
            rows.append({"n_train": int(n), "fold": k,
                         "balanced_accuracy": balanced_accuracy(y[test], model.predict(X[test]))})
    return pd.DataFrame(rows)


def leakage_experiment(estimator: CNNClassifier, slices, y, subject_index, *, test_size: float = 0.25,
                       seed: int = 0) -> dict[str, float]:
    """Slice-level balanced accuracy of a 2D CNN under a wrong and a right split of the same slices.

    ``slices`` (M, 1, h, w), ``y`` (M,) slice labels (their subject's), ``subject_index`` (M,).
    "slice-level split": slices drawn at random, so most subjects have slices on both sides;
    "subject-level split": every slice of a subject on the same side. Returns both scores.
    """
    if not isinstance(estimator, CNNClassifier) or isinstance(estimator, SliceCNNClassifier):
        raise TypeError("estimator must be a CNNClassifier over 2D slices")
    y = check_binary(y, "y").astype(int)
    subject_index = np.asarray(subject_index)
    if len(slices) != len(y) or len(y) != len(subject_index):
        raise ValueError("slices, y and subject_index must have the same length")
    splits = {"slice-level split": subject_split(np.arange(len(y)), y, test_size=test_size, seed=seed),
              "subject-level split": subject_split(subject_index, y, test_size=test_size, seed=seed)}
    scores = {}
    for name, (train, test) in splits.items():
        model = clone(estimator).fit(slices[train], y[train])
        scores[name] = balanced_accuracy(y[test], model.predict(slices[test]))
    return scores


def pretrain_on_chest_xrays(n_patients: int = 600, *, size: int = 32, epochs: int = 3,
                            widths: Sequence[int] = (16, 32, 64, 128), seed: int = 0,
                            device=None) -> tuple[nn.Module, History]:
    """A ``SimpleCNN2d`` trained on the 14 findings of simulated chest radiographs: ``(model, history)``.

    Stands in for ImageNet pre-training (whose weights the course does not ship): the network
    learns edges, textures and blobs on one task before ``FineTunedCNN2d`` adapts it to another.
    """
    from .data.chestxray import simulate_chest_xrays
    from .models import SimpleCNN2d

    check_scalar(n_patients, "n_patients", kind=Integral, low=10)
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    xrays = simulate_chest_xrays(n_patients, size=size, seed=seed, with_masks=False)
    seed_everything(seed)
    model = SimpleCNN2d(1, xrays.labels.shape[1], widths=widths)
    loader = tensor_loader(xrays.images, xrays.labels.astype(np.float32), batch_size=32, shuffle=True, seed=seed)
    history = fit(model, loader, loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), 2e-3),
                  epochs=epochs, device=device, progress=False)
    return model.cpu(), history


def comparison_table(results: dict[tuple[str, str], tuple[float, float, float]]) -> pd.DataFrame:
    """The slides' comparison: rows = models, columns = (task, "this run" / "Wen et al. 2020").

    ``results[(model, task)] = (mean, low, high)`` balanced accuracies; cells read "84 % [79, 89]".
    """
    def cell(value):
        if value is None:
            return "N/A"
        mean, low, high = value
        return f"{100 * mean:.0f} % [{100 * low:.0f}, {100 * high:.0f}]"

    table = {}
    for model, published in PUBLISHED.items():
        row = {}
        for task in TASKS:
            row[(task, "this run (95 % CI)")] = cell(results.get((model, task)))
            row[(task, "Wen et al. 2020")] = "N/A" if published[task] is None else f"{100 * published[task]:.0f} %"
        table[model] = row
    frame = pd.DataFrame.from_dict(table, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame
