"""Brain age: the gap, its bias against age, and a correction fitted on training subjects only."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GroupKFold

from dlmi.brain_age import AgeBiasCorrection, BrainAgeRegressor, brain_age_gap
from dlmi.estimators import RidgeRegressor
from dlmi.metrics import mean_absolute_error


def _cohort(n, seed, p=20, signal=0.3):
    """Ages uniform in 20–90 years and p regional features that fall with age under unit noise."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(20.0, 90.0, n)
    X = -signal * (age[:, None] - 55.0) / 20.0 * np.linspace(0.5, 1.5, p) + rng.normal(size=(n, p))
    return X, age


def _slope(x, y):
    return np.polyfit(x, y, 1)[0]


def test_brain_age_gap_is_predicted_minus_age_and_names_bad_input():
    np.testing.assert_allclose(brain_age_gap([50.0, 70.0], [55.0, 60.0]), [-5.0, 10.0])
    with pytest.raises(ValueError, match="predicted and age must have the same shape"):
        brain_age_gap([50.0, 70.0], [55.0])
    with pytest.raises(ValueError, match="age contains NaN"):
        brain_age_gap([50.0], [np.nan])


def test_age_bias_correction_removes_the_training_trend_with_either_formula():
    rng = np.random.default_rng(0)
    age = rng.uniform(20, 90, 200)
    predicted = 25 + 0.6 * age + rng.normal(0, 5, 200)  # regression to the mean: slope < 1
    correction = AgeBiasCorrection().fit(predicted, age)
    slope, intercept = np.polyfit(age, predicted, 1)
    assert correction.slope_ == pytest.approx(slope, rel=1e-10)
    assert correction.intercept_ == pytest.approx(intercept, rel=1e-10)
    corrected = correction.transform(predicted, age)
    np.testing.assert_allclose(corrected, predicted + age - (intercept + slope * age), rtol=1e-12)
    assert _slope(age, brain_age_gap(predicted, age)) < -0.3
    assert abs(_slope(age, brain_age_gap(corrected, age))) < 1e-10
    inverse = AgeBiasCorrection(method="inverse").fit(predicted, age)
    np.testing.assert_allclose(inverse.transform(predicted, age), (predicted - intercept) / slope, rtol=1e-12)
    assert abs(_slope(age, brain_age_gap(inverse.transform(predicted, age), age))) < 1e-10


def test_age_bias_correction_names_bad_input():
    with pytest.raises(ValueError, match="method must be one of"):
        AgeBiasCorrection(method="cole").fit([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="age is constant"):
        AgeBiasCorrection().fit([50.0, 60.0], [55.0, 55.0])
    with pytest.raises(ValueError, match="increase with age"):
        AgeBiasCorrection(method="inverse").fit([60.0, 50.0], [40.0, 70.0])
    with pytest.raises(ValueError, match="predicted must have 1 dimension"):
        AgeBiasCorrection().fit(np.ones((2, 2)), [1.0, 2.0])
    with pytest.raises(NotFittedError, match="not fitted"):
        AgeBiasCorrection().transform([50.0], [55.0])


def test_a_ridge_brain_age_is_biased_and_the_correction_removes_it_on_held_out_subjects():
    X, age = _cohort(500, seed=0)
    X_test, age_test = _cohort(5000, seed=1)  # held-out subjects of the same population
    model = BrainAgeRegressor(RidgeRegressor(), inner_splits=5).fit(X, age)
    raw = model.predict(X_test)
    assert mean_absolute_error(age_test, raw) < 0.7 * mean_absolute_error(age_test, np.full(5000, age.mean()))
    assert _slope(age_test, brain_age_gap(raw, age_test)) < -0.2  # young predicted old, old predicted young
    corrected = model.predict_corrected(X_test, age_test)
    assert abs(_slope(age_test, brain_age_gap(corrected, age_test))) < 0.1
    assert model.correction_.slope_ < 0.9 and model.cv_predictions_.shape == (500,)


def test_the_correction_never_sees_the_subjects_it_corrects():
    X, age = _cohort(300, seed=0)
    train, test = np.arange(200), np.arange(200, 300)
    model = BrainAgeRegressor(RidgeRegressor(), inner_splits=4).fit(X[train], age[train])
    learned = (model.correction_.slope_, model.correction_.intercept_)

    # its coefficients are those of the training subjects' out-of-fold predictions, computed by hand
    out_of_fold = np.empty(200)
    for inner_train, inner_test in GroupKFold(4).split(X[train], age[train], np.arange(200)):
        out_of_fold[inner_test] = RidgeRegressor().fit(X[inner_train], age[inner_train]).predict(X[inner_test])
    np.testing.assert_allclose(model.cv_predictions_, out_of_fold, rtol=1e-12)
    by_hand = AgeBiasCorrection().fit(out_of_fold, age[train])
    assert learned == (by_hand.slope_, by_hand.intercept_)

    # correcting the test subjects, however absurd their images and ages, fits nothing ...
    rng = np.random.default_rng(1)
    first = model.predict_corrected(X[test], age[test])
    X_odd, age_odd = X[test].copy(), age[test].copy()
    X_odd[1:] = 100 * rng.normal(size=(99, X.shape[1]))
    age_odd[1:] = rng.uniform(0, 300, 99)
    second = model.predict_corrected(X_odd, age_odd)
    assert (model.correction_.slope_, model.correction_.intercept_) == learned
    # ... and each subject's corrected age depends on its own image and age only
    assert second[0] == first[0]
    # a model fitted on the training rows of the altered data set is the same model
    X_altered, age_altered = X.copy(), age.copy()
    X_altered[test], age_altered[test] = 100 * rng.normal(size=(100, X.shape[1])), rng.uniform(0, 300, 100)
    again = BrainAgeRegressor(RidgeRegressor(), inner_splits=4).fit(X_altered[train], age_altered[train])
    assert (again.correction_.slope_, again.correction_.intercept_) == learned


def test_corrected_ages_flatter_any_model_so_accuracy_is_reported_on_raw_ones():
    """A model of pure noise predicts the mean age for everyone; its corrected ages are nearly exact."""
    rng = np.random.default_rng(0)
    X, age = rng.normal(size=(300, 20)), rng.uniform(20, 90, 300)
    X_test, age_test = rng.normal(size=(300, 20)), rng.uniform(20, 90, 300)
    model = BrainAgeRegressor(RidgeRegressor()).fit(X, age)
    raw, corrected = model.predict(X_test), model.predict_corrected(X_test, age_test)
    assert mean_absolute_error(age_test, raw) > 15  # the mean age: an error of about 17 years
    assert mean_absolute_error(age_test, corrected) < 0.2 * mean_absolute_error(age_test, raw)
    # and a correction fitted on the test subjects themselves makes any gap look unbiased, by construction
    on_test = AgeBiasCorrection().fit(raw, age_test).transform(raw, age_test)
    assert abs(_slope(age_test, brain_age_gap(on_test, age_test))) < 1e-10


class _SubjectRecorder(RegressorMixin, BaseEstimator):
    """Predicts 1 for the rows whose subject (column 0 of X) it was trained on, else 0."""

    def fit(self, X, y, groups=None):
        self.groups_ = groups
        self.subjects_ = set(X[:, 0])
        return self

    def predict(self, X):
        return np.array([float(s in self.subjects_) for s in X[:, 0]])


def test_inner_folds_keep_each_subject_on_one_side_and_pass_groups_on():
    subject = np.repeat(np.arange(30), 3)  # three scans per subject
    X = np.c_[subject, np.zeros(90)]
    age = np.repeat(np.linspace(20, 90, 30), 3)
    model = BrainAgeRegressor(_SubjectRecorder(), inner_splits=3).fit(X, age, groups=subject)
    np.testing.assert_array_equal(model.cv_predictions_, 0.0)  # no subject predicted by a model trained on it
    np.testing.assert_array_equal(model.predict(X), 1.0)  # the final model: trained on every subject
    np.testing.assert_array_equal(model.estimator_.groups_, subject)
    leaky = BrainAgeRegressor(_SubjectRecorder(), inner_splits=3).fit(X, age)  # rows taken as subjects
    assert leaky.cv_predictions_.mean() > 0.9


def test_brain_age_regressor_names_bad_input():
    X, age = _cohort(20, seed=0)
    with pytest.raises(ValueError, match="inner_splits"):
        BrainAgeRegressor(RidgeRegressor(inner_splits=2), inner_splits=30).fit(X, age)
    with pytest.raises(ValueError, match="method must be one of"):
        BrainAgeRegressor(RidgeRegressor(), method="offset").fit(X, age)
    with pytest.raises(ValueError, match="X and age must have the same number of samples"):
        BrainAgeRegressor(RidgeRegressor()).fit(X, age[:-1])
    with pytest.raises(ValueError, match="groups must hold one subject id per sample"):
        BrainAgeRegressor(RidgeRegressor()).fit(X, age, groups=[1, 2])
    with pytest.raises(NotFittedError, match="not fitted"):
        BrainAgeRegressor(RidgeRegressor()).predict(X)
