"""Brain age (notebook 11): the brain-age gap, its regression-to-the-mean bias and its correction.

A regressor trained to predict chronological age from the brain images of healthy people gives a
*brain age*; its *gap*, brain age minus chronological age, is read as a marker: a brain that looks
older than its years (Cole & Franke, "Predicting age using neuroimaging: innovative brain ageing
biomarkers", Trends in Neurosciences 2017). Any model that minimises a squared or absolute error on
imperfect features predicts towards the training ages' mean: the young are predicted older and the
old younger, so that the raw gap falls with age (its slope against age is negative) and a gap
compared between groups of different ages measures their ages as much as their brains. The
correction here regresses the predicted age on the chronological age on the *training* subjects
(out-of-fold predictions) and removes that trend (de Lange & Cole, "Commentary: correction procedures
in brain-age prediction", NeuroImage: Clinical 2020):

* ``brain_age_gap`` — predicted minus chronological age;
* ``AgeBiasCorrection`` — the bias fitted on training predictions, applied to any subject;
* ``BrainAgeRegressor`` — any regressor (``dlmi.estimators.RidgeRegressor``, ``CNNRegressor``, ...)
  with the correction fitted on its cross-validated predictions of the training subjects only.

Ages are in years, any scale works; everything is (n,) one value per subject.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.model_selection import GroupKFold
from sklearn.utils.validation import check_is_fitted

from .estimators import _check_groups, fit_with_groups
from .validation import as_array, check_choice, check_scalar

__all__ = ["CORRECTIONS", "AgeBiasCorrection", "BrainAgeRegressor", "brain_age_gap"]

#: How ``AgeBiasCorrection`` removes the trend: see its docstring.
CORRECTIONS = ("residual", "inverse")


def _check_predicted_and_age(predicted, age) -> tuple[np.ndarray, np.ndarray]:
    predicted = as_array(predicted, "predicted", ndim=1)
    age = as_array(age, "age", ndim=1)
    if predicted.shape != age.shape:
        raise ValueError(f"predicted and age must have the same shape, got {predicted.shape} and {age.shape}")
    return predicted, age


def brain_age_gap(predicted, age) -> np.ndarray:
    """The brain-age gap, predicted minus chronological age: (n,) years, positive for an older-looking brain."""
    predicted, age = _check_predicted_and_age(predicted, age)
    return predicted - age


class AgeBiasCorrection(BaseEstimator):
    """The age bias of predicted ages, fitted on training subjects and removed from any subject's.

    ``fit(predicted, age)`` regresses the predicted age on the chronological age by least squares,
    predicted ≈ intercept_ + slope_·age (slope_ < 1 for a model that regresses to the mean). It must
    be given the *training* subjects' out-of-fold predictions (as ``BrainAgeRegressor`` does): their
    in-sample predictions are over-fitted, and the test subjects must never be seen.
    ``transform(predicted, age)`` then corrects each subject with its own age and the fixed
    coefficients, with ``method``:

    * ``"residual"``: corrected = predicted + age − (intercept_ + slope_·age), i.e. the corrected gap
      is the residual of the training trend, predicted − (intercept_ + slope_·age);
    * ``"inverse"``: corrected = (predicted − intercept_) / slope_, the trend inverted; its gap is the
      residual gap divided by slope_, so larger and noisier when slope_ is small.

    de Lange & Cole (2020) compare the two forms, both in use in the brain-age literature.

    Either way the corrected gap has no linear trend with age on the training subjects, and, on new
    subjects from the same population, none up to the error of the fitted slope.

    Pitfall: fitting the correction on the *test* subjects' own predictions and ages makes their
    corrected gap uncorrelated with age by construction (whatever the model), and since the
    correction uses the subject's true age, it pulls every prediction towards it: the MAE, R² and r
    of corrected ages fitted that way look better than any model could be on new subjects. Report the
    accuracy of the raw predictions; fit the correction on training data only.

    Learned: ``slope_``, ``intercept_`` (floats).
    """

    def __init__(self, method: str = "residual"):
        self.method = method

    def fit(self, predicted, age) -> "AgeBiasCorrection":
        """Fit predicted ≈ intercept_ + slope_·age on training subjects' predicted (n,) and true ages (n,)."""
        check_choice(self.method, "method", CORRECTIONS)
        predicted, age = _check_predicted_and_age(predicted, age)
        centred = age - age.mean()
        if not np.any(centred):
            raise ValueError("age is constant: the bias of predicted age against age cannot be fitted")
        self.slope_ = float(centred @ (predicted - predicted.mean()) / (centred @ centred))
        self.intercept_ = float(predicted.mean() - self.slope_ * age.mean())
        if self.method == "inverse" and self.slope_ <= 0:
            raise ValueError(f"method='inverse' needs predicted ages that increase with age, got slope {self.slope_:.3g}")
        return self

    def transform(self, predicted, age) -> np.ndarray:
        """Corrected predicted ages (n,) of subjects with raw ``predicted`` (n,) and chronological ``age`` (n,)."""
        check_is_fitted(self, "slope_")
        predicted, age = _check_predicted_and_age(predicted, age)
        if self.method == "inverse":
            return (predicted - self.intercept_) / self.slope_
        return predicted + age - (self.intercept_ + self.slope_ * age)


class BrainAgeRegressor(RegressorMixin, BaseEstimator):
    """A brain-age model: any regressor of age, with its age-bias correction fitted on training data only.

    ``fit(X, age, groups=None)``, on the training subjects only:

    1. out-of-fold predictions of the training subjects: ``inner_splits`` subject-level folds
       (``GroupKFold`` on ``groups``; ``None``: one row per subject), a clone of ``estimator``
       fitted on each fold's other subjects (and given ``groups`` if its ``fit`` takes them, for its
       own inner folds: ``RidgeRegressor`` then chooses α by nested CV);
    2. ``correction_``, an ``AgeBiasCorrection(method)`` fitted on those predictions and ages;
    3. ``estimator_``, a clone of ``estimator`` refitted on all the training subjects.

    ``predict(X)`` is the raw brain age (n,); ``predict_corrected(X, age)`` the corrected one, which
    uses each subject's own chronological age with the coefficients learned in ``fit``: nothing about
    the subjects being predicted is fitted (see ``AgeBiasCorrection`` for the pitfall of fitting the
    correction on the test set's own ages). X is whatever ``estimator`` takes ((n, p) features,
    (n, C, D, H, W) maps), indexed by rows.

    Learned: ``estimator_``, ``correction_``, ``cv_predictions_`` (n,) the out-of-fold brain ages of
    the training subjects.
    """

    def __init__(self, estimator, inner_splits: int = 5, method: str = "residual"):
        self.estimator = estimator
        self.inner_splits = inner_splits
        self.method = method

    def fit(self, X, age, groups=None) -> "BrainAgeRegressor":
        """Fit on training subjects: X (n, ...) rows, ``age`` (n,) years, ``groups`` (n,) subject ids."""
        X = as_array(X, "X", dtype=None)
        age = as_array(age, "age", ndim=1)
        if len(X) != len(age):
            raise ValueError(f"X and age must have the same number of samples, got {len(X)} and {len(age)}")
        groups = _check_groups(groups, len(age))
        check_choice(self.method, "method", CORRECTIONS)
        check_scalar(self.inner_splits, "inner_splits", kind=Integral, low=2, high=len(np.unique(groups)))
        self.cv_predictions_ = np.empty(len(age))
        for train, test in GroupKFold(self.inner_splits).split(X, age, groups):
            model = fit_with_groups(clone(self.estimator), X[train], age[train], groups[train])
            self.cv_predictions_[test] = model.predict(X[test])
        self.correction_ = AgeBiasCorrection(self.method).fit(self.cv_predictions_, age)
        self.estimator_ = fit_with_groups(clone(self.estimator), X, age, groups)
        return self

    def predict(self, X) -> np.ndarray:
        """Raw brain ages (n,)."""
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict(X), dtype=np.float64)

    def predict_corrected(self, X, age) -> np.ndarray:
        """Bias-corrected brain ages (n,) of subjects X with chronological ``age`` (n,)."""
        return self.correction_.transform(self.predict(X), age)
