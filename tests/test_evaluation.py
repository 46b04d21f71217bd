"""Evaluation protocols: cross-validation, learning curves and the leakage experiment."""

import numpy as np
import pytest
from sklearn.model_selection import KFold
from torch import nn

from dlmi.brain_age import BrainAgeRegressor
from dlmi.data import patient_folds
from dlmi.estimators import CNNClassifier, RegionalSVM, RidgeRegressor, SliceCNNClassifier
from dlmi.evaluation import cross_validate, cross_validate_regression, leakage_experiment, learning_curve
from dlmi.metrics import mean_absolute_error


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


def _ageing_features(n=200, p=10, seed=0):
    """Ages in 20–90 years and p features that fall with age under unit noise."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20.0, 90.0, n)
    return -0.5 * (age[:, None] - 55.0) / 20.0 + rng.normal(size=(n, p)), age


def test_cross_validate_regression_predicts_every_subject_once_from_the_other_folds():
    X, age = _ageing_features()
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    result = cross_validate_regression(RidgeRegressor(), X, age, folds)
    assert result.scores.shape == (4,) and len(result.models) == 4 and result.y_corrected is None
    np.testing.assert_array_equal(result.y_true, age)
    train, test = folds[2]
    np.testing.assert_allclose(result.y_pred[test], RidgeRegressor().fit(X[train], age[train]).predict(X[test]))
    assert result.scores[2] == pytest.approx(mean_absolute_error(age[test], result.y_pred[test]))
    mean, low, high = result.interval()
    assert low < mean < high < 0.8 * mean_absolute_error(age, np.full(len(age), age.mean()))
    with pytest.raises(TypeError, match="predict_corrected"):
        cross_validate_regression(RidgeRegressor(), X, age, folds, corrected=True)
    with pytest.raises(ValueError, match="folds must hold at least one"):
        cross_validate_regression(RidgeRegressor(), X, age, [])


def test_the_brain_age_correction_of_a_fold_never_sees_its_test_subjects():
    """Replace fold 0's test subjects by noise with absurd ages: fold 0's model, correction included, is unchanged."""
    X, age = _ageing_features()
    folds = list(KFold(4, shuffle=True, random_state=0).split(X))
    model = BrainAgeRegressor(RidgeRegressor(), inner_splits=4)
    result = cross_validate_regression(model, X, age, folds, corrected=True)
    rng = np.random.default_rng(1)
    X_altered, age_altered = X.copy(), age.copy()
    test = folds[0][1]
    X_altered[test], age_altered[test] = 50 * rng.normal(size=(len(test), X.shape[1])), rng.uniform(0, 500, len(test))
    altered = cross_validate_regression(model, X_altered, age_altered, folds, corrected=True)

    def coefficients(fitted):
        return fitted.correction_.slope_, fitted.correction_.intercept_, fitted.estimator_.alpha_

    assert coefficients(altered.models[0]) == coefficients(result.models[0])
    alone = BrainAgeRegressor(RidgeRegressor(), inner_splits=4).fit(X[folds[0][0]], age[folds[0][0]])
    assert coefficients(alone) == coefficients(result.models[0])
    # the test has teeth: the other folds trained on those rows, and their corrections moved
    assert coefficients(altered.models[1])[:2] != coefficients(result.models[1])[:2]
    # corrected ages of fold 0 come from its own coefficients and each subject's own age
    expected = alone.predict_corrected(X_altered[test], age_altered[test])
    np.testing.assert_allclose(altered.y_corrected[test], expected)
