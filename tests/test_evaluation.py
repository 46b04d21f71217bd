"""Evaluation protocols: cross-validation, learning curves and the leakage experiment."""

import numpy as np
import pytest
from torch import nn

from dlmi.data import patient_folds
from dlmi.estimators import CNNClassifier, RegionalSVM, SliceCNNClassifier
from dlmi.evaluation import cross_validate, leakage_experiment, learning_curve


def test_cross_validate_scores_every_fold_on_unseen_subjects(regional_data):
    X, y = regional_data()
    folds = patient_folds(np.arange(len(y)), y, n_splits=4, rng=0)
    result = cross_validate(RegionalSVM(), X, y, folds)
    assert result.scores.shape == (4,) and len(result.params) == 4 and "C" in result.params[0]
    assert len(result.y_score) == len(y) and 0.8 < result.mean <= 1.0
    mean, low, high = result.interval()
    assert low < mean < high
    noise = cross_validate(RegionalSVM(), np.random.default_rng(1).normal(size=X.shape), y, folds)
    assert noise.mean < 0.7  # no signal, no score: the test folds were never seen


def test_learning_curve_has_one_row_per_fold_and_size(regional_data):
    X, y = regional_data(160)
    folds = patient_folds(np.arange(len(y)), y, n_splits=2, rng=0)
    curve = learning_curve(RegionalSVM(), X, y, folds, [10, 40, 80])
    assert list(curve.columns) == ["n_train", "fold", "balanced_accuracy"] and len(curve) == 6
    means = curve.groupby("n_train")["balanced_accuracy"].mean()
    assert means[80] >= means[10] - 0.05 and means[80] > 0.8
    with pytest.raises(ValueError, match="sizes"):
        learning_curve(RegionalSVM(), X, y, folds, [1000])


def test_a_slice_level_split_rewards_memorising_subjects():
    """Labels carry no signal, only subjects do: a slice split scores high, a subject split at chance."""
    rng = np.random.default_rng(0)
    n_subjects, n_slices = 40, 10
    identity = rng.normal(size=(n_subjects, 1, 6, 6))
    subject = np.repeat(np.arange(n_subjects), n_slices)
    slices = (identity[subject] + 0.2 * rng.normal(size=(len(subject), 1, 6, 6))).astype(np.float32)
    labels = rng.permutation(np.r_[np.zeros(20), np.ones(20)])[subject]

    def memoriser():
        return nn.Sequential(nn.Flatten(), nn.Linear(36, 64), nn.ReLU(), nn.Linear(64, 1))

    scores = leakage_experiment(CNNClassifier(memoriser, epochs=30, lr=3e-3, batch_size=32), slices,
                                    labels, subject, rng=0)
    assert set(scores) == {"slice-level split", "subject-level split"}
    assert scores["slice-level split"] > 0.9
    assert abs(scores["subject-level split"] - 0.5) < 0.2
    with pytest.raises(TypeError, match="2D slices"):
        leakage_experiment(SliceCNNClassifier(memoriser), slices, labels, subject)
