"""Checks for the exercises of notebook 10 (Alzheimer's disease from brain MRI)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..estimators import aggregate_slices
from ..metrics import balanced_accuracy
from .core import call, failed, mismatch, passed


def check_balanced_accuracy(fn: Callable) -> bool:
    """``fn(y_true, y_pred)`` → mean of sensitivity and specificity of 0/1 predictions."""
    name = "balanced_accuracy"
    rng = np.random.default_rng(10)
    y = np.r_[np.zeros(30), np.ones(10)]
    cases = [
        (np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])),
        (y, np.zeros(40)),  # always the larger class: accuracy 0.75, balanced accuracy 0.5
        (y, np.r_[np.zeros(25), np.ones(5), np.ones(8), np.zeros(2)]),
        (rng.integers(0, 2, 200), rng.integers(0, 2, 200)),
    ]
    for y_true, y_pred in cases:
        got = call(name, fn, y_true.copy(), y_pred.copy(), hint="BA = (TP/(TP+FN) + TN/(TN+FP)) / 2")
        expected = balanced_accuracy(y_true, y_pred)
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            failed(name, f"expected one number, got {type(got).__name__}", expected=expected, got=got)
        if mismatch(expected, got, tol=1e-9) is not None:
            accuracy = float(np.mean(y_true == y_pred))
            hint = ("that is the plain accuracy: average the accuracy within each class instead"
                    if abs(got - accuracy) < 1e-9 else
                    "sensitivity = mean(y_pred[y_true == 1] == 1), specificity = mean(y_pred[y_true == 0] == 0)")
            failed(name, f"wrong value for {len(y_true)} labels ({int(y_true.sum())} positive)",
                   expected=expected, got=got, hint=hint)
    return passed(name, f"{len(cases)} cases match, including one where accuracy and balanced accuracy differ")


def check_subject_split(fn: Callable) -> bool:
    """``fn(subject_ids, test_size, seed)`` → row indices (train, test), no subject on both sides."""
    name = "subject_split"
    rng = np.random.default_rng(11)
    subjects = np.array([f"sub-{i:03d}" for i in range(60)])
    ids = rng.permutation(np.repeat(subjects, rng.integers(1, 5, len(subjects))))  # 1-4 rows each, shuffled
    for test_size, seed in ((0.25, 0), (0.5, 3)):
        got = call(name, fn, ids.copy(), test_size, seed,
                   hint="split the unique subject ids, then map back to rows")
        try:
            train, test = (np.asarray(part, dtype=np.int64).ravel() for part in got)
        except (TypeError, ValueError, OverflowError):
            failed(name, "expected two arrays of row indices (train, test)", got=got)
        rows = np.concatenate([train, test])
        if len(rows) != len(ids) or not np.array_equal(np.sort(rows), np.arange(len(ids))):
            failed(name, f"train and test must together hold every row 0..{len(ids) - 1} exactly once",
                   expected=f"{len(ids)} distinct rows",
                   got=f"{len(rows)} rows, {len(np.unique(rows))} distinct",
                   hint="return row positions (np.flatnonzero of a boolean mask), not subject ids")
        shared = np.intersect1d(ids[train], ids[test])
        if len(shared):
            failed(name, f"{len(shared)} subject(s) have rows in both train and test, e.g. {shared[0]}",
                   hint="draw the test set among the unique subjects (np.unique), then take all their rows")
        fraction = len(np.unique(ids[test])) / len(subjects)
        if abs(fraction - test_size) > 0.05:
            failed(name, f"test_size={test_size} but {fraction:.2f} of the subjects are in the test set",
                   expected=test_size, got=fraction, hint="test_size is a fraction of subjects, not of rows")
    return passed(name, "no subject on both sides, every row used once, test fraction right")


def check_aggregate_slices(fn: Callable) -> bool:
    """``fn(probabilities, subject_index)`` → (n,) mean slice probability of each subject."""
    name = "aggregate_slices"
    rng = np.random.default_rng(12)
    ordered = np.repeat(np.arange(5), 4)
    shuffled = rng.permutation(np.repeat(np.arange(7), rng.integers(2, 9, 7)))  # unequal counts, any order
    cases = [(rng.random(len(ordered)), ordered), (rng.random(len(shuffled)), shuffled)]
    for probabilities, subject_index in cases:
        got = call(name, fn, probabilities.copy(), subject_index.copy(),
                   hint="np.bincount(subject_index, weights=probabilities) / np.bincount(subject_index)")
        expected = aggregate_slices(probabilities, subject_index)
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            failed(name, f"expected an array of {len(expected)} numbers, got {type(got).__name__}")
        if got.shape != expected.shape:
            failed(name, f"wrong shape {got.shape}: one probability per subject expected",
                   expected=expected, got=got)
        if mismatch(expected, got, tol=1e-9) is not None:
            failed(name, "wrong subject probabilities", expected=expected, got=got,
                   hint="subject i's value is the mean over the slices with subject_index == i; "
                        "subjects have different numbers of slices and their slices are not in order")
    return passed(name, "mean per subject, with unequal numbers of slices in any order")
