"""Evaluation protocols: cross-validation, learning curves and the data-leakage experiment.

Each fits fresh clones of a scikit-learn-style estimator (``dlmi.estimators``) and scores
balanced accuracy, as Wen et al. (2020) did, or, for a regressor, the mean absolute error:

* ``cross_validate`` — one score per fold and the out-of-fold outputs (``CVResult``);
* ``cross_validate_regression`` — its twin for a continuous target (``RegressionCVResult``);
* ``learning_curve`` — the score against the number of training subjects;
* ``leakage_experiment`` — a 2D CNN scored under a slice-level and a subject-level split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral
from typing import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import train_test_split

from .data.splits import patient_split
from .estimators import CNNClassifier, SliceCNNClassifier, fit_with_groups
from .metrics import balanced_accuracy, fold_interval, mean_absolute_error
from .validation import as_array, check_binary, check_scalar, rng_argument, seed_from


class _FoldScores:
    """The mean of per-fold ``scores`` and its interval, for the results of the cross-validations."""

    scores: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.scores.mean())

    def interval(self, level: float = 0.95) -> tuple[float, float, float]:
        """``(mean, low, high)`` over folds (``fold_interval``)."""
        return fold_interval(self.scores, level)


@dataclass
class CVResult(_FoldScores):
    """Per-fold balanced accuracies and the out-of-fold outputs of a cross-validation."""

    scores: np.ndarray
    y_true: np.ndarray
    y_score: np.ndarray
    params: list[dict] = field(default_factory=list)


@dataclass
class RegressionCVResult(_FoldScores):
    """Per-fold mean absolute errors and the out-of-fold predictions of a cross-validated regressor.

    ``y_true``, ``y_pred`` (and ``y_corrected``, the bias-corrected predictions when asked for) hold
    one value per tested row, in row order; ``models`` the estimator fitted on each fold.
    """

    scores: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    y_corrected: np.ndarray | None = None
    models: list = field(default_factory=list)


def _indexable(X, name: str) -> None:
    if not hasattr(X, "shape") or not hasattr(X, "__getitem__"):
        raise TypeError(f"{name} must be an array, got {type(X).__name__}")


def cross_validate(estimator, X, y, folds, *, groups=None) -> CVResult:
    """Fit a fresh clone of ``estimator`` on each training fold, score it on the test fold.

    ``folds`` is a list of (train, test) row indices (``dlmi.data.patient_folds``); ``groups`` (n,)
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


def cross_validate_regression(estimator, X, y, folds, *, groups=None, corrected: bool = False) -> RegressionCVResult:
    """Fit a fresh clone of a regressor on each training fold, predict its test fold.

    ``folds`` is a list of (train, test) row indices with no subject on both sides; ``groups`` (n,)
    subject ids are passed to ``fit`` for inner splits when it takes them (``RidgeRegressor``,
    ``dlmi.brain_age.BrainAgeRegressor``). ``corrected=True`` also asks an estimator with
    ``predict_corrected(X, y)`` (a ``BrainAgeRegressor``) for the bias-corrected predictions of each
    test fold, from the coefficients it learned on the training fold. Returns a ``RegressionCVResult``
    with the MAE of each fold and the out-of-fold predictions.
    """
    _indexable(X, "X")
    y = as_array(y, "y", ndim=1)
    if len(folds) < 1:
        raise ValueError("folds must hold at least one (train, test) pair")
    if corrected and not hasattr(estimator, "predict_corrected"):
        raise TypeError("corrected=True needs an estimator with predict_corrected(X, y), such as "
                        "dlmi.brain_age.BrainAgeRegressor")
    groups = None if groups is None else np.asarray(groups)
    y_pred, y_corrected = np.full(len(y), np.nan), np.full(len(y), np.nan)
    scores, models = [], []
    for train, test in folds:
        model = fit_with_groups(clone(estimator), X[train], y[train], None if groups is None else groups[train])
        y_pred[test] = model.predict(X[test])
        if corrected:
            y_corrected[test] = model.predict_corrected(X[test], y[test])
        scores.append(mean_absolute_error(y[test], y_pred[test]))
        models.append(model)
    tested = ~np.isnan(y_pred)
    return RegressionCVResult(np.array(scores), y[tested], y_pred[tested],
                              y_corrected[tested] if corrected else None, models)


def learning_curve(estimator, X, y, folds, sizes: Sequence[int], *, rng=0, seed: int | None = None) -> pd.DataFrame:
    """Balanced accuracy against the number of training subjects.

    For each fold and each ``n`` in ``sizes``, a stratified random ``n`` of the fold's training
    rows (one row per subject) trains a clone of ``estimator``, scored on the whole test fold.
    Returns a DataFrame with columns ``n_train``, ``fold``, ``balanced_accuracy``.
    """
    _indexable(X, "X")
    y = check_binary(y, "y").astype(int)
    seed = seed_from(rng_argument(rng, seed))
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
                       rng=0, seed: int | None = None) -> dict[str, float]:
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
    check_scalar(test_size, "test_size", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    seed = seed_from(rng_argument(rng, seed))
    fractions = (1 - test_size, test_size)
    splits = {"slice-level split": patient_split(np.arange(len(y)), y, fractions, rng=seed),
              "subject-level split": patient_split(subject_index, y, fractions, rng=seed)}
    scores = {}
    for name, (train, test) in splits.items():
        model = clone(estimator).fit(slices[train], y[train])
        scores[name] = balanced_accuracy(y[test], model.predict(slices[test]))
    return scores
