"""Estimators with the scikit-learn interface: the regional SVM, the CNN classifiers and regressor,
ridge regression and the ordinal (proportional-odds) classifier."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from torch import nn

import dlmi
from dlmi.divergence import DivergenceError
from dlmi.estimators import (
    REGRESSION_LOSSES,
    CNNClassifier,
    CNNRegressor,
    OrdinalLogisticRegression,
    RegionalSVM,
    RidgeRegressor,
    SliceCNNClassifier,
    aggregate_slices,
    fit_with_groups,
)
from dlmi.metrics import balanced_accuracy, mean_absolute_error, r2_score
from dlmi.models import SimpleCNN2d


def test_aggregate_slices_averages_per_subject_in_any_order():
    p = np.array([0.2, 0.9, 0.4, 0.7, 0.1])
    subject = np.array([1, 0, 1, 0, 2])
    np.testing.assert_allclose(aggregate_slices(p, subject), [0.8, 0.3, 0.1])
    with pytest.raises(ValueError, match="cover every subject"):
        aggregate_slices(p, np.array([0, 0, 2, 2, 2]))
    with pytest.raises(ValueError, match="one integer subject index"):
        aggregate_slices(p, subject.astype(float))


def test_regional_svm_chooses_c_inside_the_training_data_and_separates(regional_data):
    X, y = regional_data()
    svm = RegionalSVM(Cs=(1e-3, 1e-1, 10.0)).fit(X, y)
    assert svm.C_ in (1e-3, 1e-1, 10.0)
    assert balanced_accuracy(y, svm.predict(X)) > 0.9
    assert svm.decision_function(X).shape == (len(y),)
    with pytest.raises(ValueError, match="Cs must be positive"):
        RegionalSVM(Cs=(0.0, 1.0)).fit(X, y)
    with pytest.raises(ValueError, match="y must hold binary labels"):
        RegionalSVM().fit(X, y + 1)


def _tiny_images(n=64, seed=0):
    """(n, 1, 12, 12) images whose label is a bright square in the upper half."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    X = rng.normal(0.0, 0.3, (n, 1, 12, 12)).astype(np.float32)
    X[y == 1, :, 2:6, 3:9] += 1.0
    return X, y


def _small_cnn():
    return SimpleCNN2d(1, 1, widths=(4, 8))


def test_cnn_classifier_learns_and_repeats_exactly():
    X, y = _tiny_images()
    first = CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, rng=0).fit(X, y)
    assert balanced_accuracy(y, first.predict(X)) > 0.9
    proba = first.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(1), 1)
    second = CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, rng=0).fit(X, y)
    np.testing.assert_allclose(second.decision_function(X), first.decision_function(X), rtol=1e-5, atol=1e-6)
    assert len(first.history_["train_loss"]) == 15


def test_cnn_classifier_names_bad_input():
    X, y = _tiny_images(8)
    with pytest.raises(TypeError, match="make_model"):
        CNNClassifier(lambda: "not a network").fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        CNNClassifier(_small_cnn).fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="not fitted"):
        CNNClassifier(_small_cnn).predict(X)
    with pytest.raises(ValueError, match="lr"):
        CNNClassifier(_small_cnn, lr=0.0).fit(X, y)
    with pytest.raises(ValueError, match=r"y must be one 0/1 label per subject"):
        CNNClassifier(_small_cnn).fit(X, y[:, None])
    with pytest.raises(NotFittedError, match="not fitted"):
        RegionalSVM().decision_function(np.ones((3, 4)))


def test_batchnorm_statistics_are_those_of_the_training_data_after_fit():
    X, y = _tiny_images(48)
    X = X * 2 + 3  # far from the batch-norm's initial statistics (mean 0, variance 1)
    model = CNNClassifier(lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(),
                                                    nn.Linear(2 * 10 * 10, 1)),
                              epochs=2, batch_size=8).fit(X, y)
    conv, norm = model.model_[0], model.model_[1]
    with torch.no_grad():
        out = conv(torch.from_numpy(X))
    torch.testing.assert_close(norm.running_mean, out.mean(dim=(0, 2, 3)), rtol=1e-4, atol=1e-4)
    assert norm.momentum == 0.1 and not model.model_.training


def test_slice_classifier_aggregates_slices_per_subject():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(12), np.ones(12)]
    maps = rng.normal(0.0, 0.3, (24, 10, 12, 12)).astype(np.float32)
    maps[y == 1, :, 2:6, 3:9] += 1.0  # every sagittal slice of a patient shows the sign
    clf = SliceCNNClassifier(_small_cnn, axis=0, discard=0.2, epochs=10, lr=3e-3, batch_size=32).fit(maps, y)
    probabilities, subject = clf.predict_slices(maps)
    assert probabilities.shape == subject.shape == (24 * 6,)
    np.testing.assert_allclose(clf.predict_proba(maps)[:, 1], aggregate_slices(probabilities, subject), atol=1e-6)
    assert balanced_accuracy(y, clf.predict(maps)) > 0.9
    with pytest.raises(ValueError, match="same number of subjects"):
        clf.fit(maps, y[:-1])


def test_seeded_runs_do_not_depend_on_the_global_generator():
    X, y = _tiny_images(32)
    dlmi.seed_everything(123)
    a = CNNClassifier(_small_cnn, epochs=2, rng=5).fit(X, y).decision_function(X)
    torch.manual_seed(999)
    b = CNNClassifier(_small_cnn, epochs=2, rng=5).fit(X, y).decision_function(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("estimator", [CNNClassifier, CNNRegressor])
def test_fitting_leaves_the_callers_global_generator_where_it_was(estimator):
    """Library code never reseeds: what the caller draws after a fit is what it would have drawn."""
    X, y = _tiny_images(32)
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    estimator(_small_cnn, epochs=1, rng=5).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_a_numpy_generator_is_a_valid_rng_and_seed_is_its_older_name(regional_data):
    X, y = _tiny_images(32)
    a = CNNClassifier(_small_cnn, epochs=1, rng=np.random.default_rng(3)).fit(X, y).decision_function(X)
    assert np.isfinite(a).all()
    svm = RegionalSVM(rng=np.random.default_rng(0)).fit(*regional_data(60))
    assert svm.C_ > 0


# ---------------------------------------------------------------------------------------------
# Regressors and the ordinal classifier
# ---------------------------------------------------------------------------------------------
def _mean_intensity_images(n=128, seed=0):
    """(n, 1, 8, 8) noisy images and a target in "years": 50 + 20 × their mean intensity."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(-1.0, 1.0, n)
    X = (level[:, None, None, None] + rng.normal(0.0, 0.5, (n, 1, 8, 8))).astype(np.float32)
    return X, 50 + 20 * X.mean(axis=(1, 2, 3), dtype=np.float64)


def _two_layer_cnn():
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 1))


@pytest.mark.parametrize("loss", REGRESSION_LOSSES)
def test_cnn_regressor_beats_the_mean_with_every_loss(loss, one_torch_thread):
    X, y = _mean_intensity_images()
    X_test, y_test = _mean_intensity_images(256, seed=1)
    model = CNNRegressor(_two_layer_cnn, loss=loss, epochs=20, lr=1e-2, batch_size=32, rng=0).fit(X, y)
    predicted = model.predict(X_test)
    assert predicted.shape == (256,) and predicted.dtype == np.float64
    baseline = mean_absolute_error(y_test, np.full_like(y_test, y.mean()))  # about 10 years
    assert mean_absolute_error(y_test, predicted) < 0.2 * baseline
    assert model.y_mean_ == pytest.approx(y.mean()) and model.y_scale_ == pytest.approx(y.std())
    assert len(model.history_["train_mae"]) == 20 and model.history_["train_mae"][-1] < 0.2 * baseline


def test_cnn_regressor_repeats_exactly_with_the_same_rng(one_torch_thread):
    X, y = _mean_intensity_images(64)
    make = lambda rng: CNNRegressor(_two_layer_cnn, epochs=3, lr=1e-2, validation_fraction=0.25, rng=rng)
    first, second, other = make(3).fit(X, y), clone(make(3)).fit(X, y), make(4).fit(X, y)
    np.testing.assert_array_equal(second.predict(X), first.predict(X))
    assert np.abs(other.predict(X) - first.predict(X)).max() > 1e-3
    assert np.isfinite(make(np.random.default_rng(0)).fit(X, y).predict(X)).all()


def test_cnn_regressor_stops_early_on_the_validation_mae_of_held_out_subjects(one_torch_thread):
    X, y = _mean_intensity_images(64)
    subject = np.repeat(np.arange(16), 4)  # four images per subject: a subject is on one side only
    model = CNNRegressor(_two_layer_cnn, epochs=200, lr=1e-2, batch_size=16, validation_fraction=0.25,
                         patience=2, rng=0).fit(X, y, groups=subject)
    history = model.history_
    assert history.status.startswith("stopped early") and len(history["val_mae"]) < 200
    best = history.best_epoch
    assert history["val_mae"][best - 1] == min(history["val_mae"])
    baseline = mean_absolute_error(y, np.full_like(y, y.mean()))
    assert min(history["val_mae"]) < 0.5 * baseline  # in years, not in standard deviations


def test_l1_and_huber_losses_are_less_pulled_by_outliers_than_mse():
    """A line y = 2x, with the points at x > 0.9 moved 10 units down: MSE follows them, L1 hardly."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.0, 1.0, 200)
    y = 2 * x + 0.1 * rng.normal(size=200)
    y[x > 0.9] -= 10.0
    X, ends = x[:, None].astype(np.float32), np.array([[0.0], [1.0]], dtype=np.float32)
    slope_error = {}
    for loss in REGRESSION_LOSSES:
        line = CNNRegressor(lambda: nn.Linear(1, 1), loss=loss, huber_delta=0.5, epochs=60, lr=0.05,
                            weight_decay=0.0, batch_size=50, rng=0).fit(X, y)
        slope_error[loss] = abs(np.diff(line.predict(ends))[0] - 2.0)
    assert slope_error["mse"] > 3.0  # the least-squares line even slopes down
    assert slope_error["l1"] < 0.3
    assert slope_error["huber"] < 0.5 * slope_error["mse"]


def test_cnn_regressor_names_bad_input():
    X, y = _mean_intensity_images(8)
    with pytest.raises(ValueError, match="loss must be one of"):
        CNNRegressor(_two_layer_cnn, loss="l2").fit(X, y)
    with pytest.raises(ValueError, match="huber_delta"):
        CNNRegressor(_two_layer_cnn, loss="huber", huber_delta=0.0).fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        CNNRegressor(_two_layer_cnn, validation_fraction=1.0).fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        CNNRegressor(_two_layer_cnn).fit(X, y[:-1])
    with pytest.raises(ValueError, match="y must have 1 dimension"):
        CNNRegressor(_two_layer_cnn).fit(X, y[:, None])
    with pytest.raises(ValueError, match="y is constant"):
        CNNRegressor(_two_layer_cnn).fit(X, np.ones(8))
    with pytest.raises(ValueError, match="groups must hold one subject id per sample"):
        CNNRegressor(_two_layer_cnn).fit(X, y, groups=np.arange(3))
    with pytest.raises(TypeError, match="make_model"):
        CNNRegressor(lambda: "not a network").fit(X, y)
    with pytest.raises(NotFittedError, match="not fitted"):
        CNNRegressor(_two_layer_cnn).predict(X)
    with pytest.raises(ValueError, match="X must have 2 or 3 or 4 or 5 dimension"):
        CNNRegressor(_two_layer_cnn).fit(y, y)


def test_a_diverging_training_raises_with_its_status():
    def broken():
        layer = nn.Linear(1, 1)
        nn.init.constant_(layer.weight, float("nan"))
        return layer

    X = np.linspace(0, 1, 16, dtype=np.float32)[:, None]
    with pytest.warns(RuntimeWarning, match="diverged"), pytest.raises(DivergenceError, match="diverged at epoch 1"):
        CNNRegressor(broken, epochs=2).fit(X, 3 * X[:, 0])
    with pytest.warns(RuntimeWarning, match="diverged"), pytest.raises(DivergenceError, match="diverged at epoch 1"):
        CNNClassifier(lambda: nn.Sequential(nn.Flatten(), broken())).fit(X[:, None], np.r_[np.zeros(8), np.ones(8)])


def _linear_data(n=120, p=10, noise=1.0, seed=0):
    """Features (n, p) in assorted units and y = 3 + X @ w + noise, three features informative."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * np.linspace(0.1, 10.0, p)
    w = np.zeros(p)
    w[:3] = [1.0, -2.0, 0.5] / X[:, :3].std(axis=0)
    return X, 3 + X @ w + noise * rng.normal(size=n)


def test_ridge_regressor_chooses_alpha_inside_the_training_data_and_predicts():
    X, y = _linear_data()
    ridge = RidgeRegressor(alphas=(1e-2, 1.0, 100.0, 1e4)).fit(X, y)
    assert ridge.alpha_ in (1e-2, 1.0, 100.0) and ridge.search_.cv.get_n_splits() == 5
    np.testing.assert_allclose(ridge.predict(X), ridge.intercept_ + X @ ridge.coef_, atol=1e-10)
    X_test, y_test = _linear_data(500, seed=1)
    assert r2_score(y_test, ridge.predict(X_test)) > 0.7
    # noise alone: the inner CV shrinks every weight away
    noise = RidgeRegressor(alphas=(1e-2, 1.0, 100.0, 1e4)).fit(np.random.default_rng(2).normal(size=X.shape), y)
    assert noise.alpha_ == 1e4


def test_ridge_regressor_keeps_each_subject_in_one_inner_fold():
    """Two near-copies of each subject: row-level folds reward memorising (small alpha), subject-level ones do not."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 60)), rng.normal(size=40)  # no signal at all
    X, y = np.repeat(X, 2, axis=0) + 0.01 * rng.normal(size=(80, 60)), np.repeat(y, 2)
    subject = np.repeat(np.arange(40), 2)
    alphas = (1e-2, 1e4)
    assert RidgeRegressor(alphas).fit(X, y).alpha_ == 1e-2  # one row per subject assumed: copies leak
    assert RidgeRegressor(alphas).fit(X, y, groups=subject).alpha_ == 1e4


def test_ridge_regressor_names_bad_input():
    X, y = _linear_data(20)
    with pytest.raises(ValueError, match="alphas must be positive"):
        RidgeRegressor(alphas=(0.0, 1.0)).fit(X, y)
    with pytest.raises(ValueError, match="inner_splits"):
        RidgeRegressor(inner_splits=30).fit(X, y)
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        RidgeRegressor().fit(X, y[:-1])
    with pytest.raises(ValueError, match="groups must hold one subject id per sample"):
        RidgeRegressor().fit(X, y, groups=[0, 1])
    with pytest.raises(NotFittedError, match="not fitted"):
        RidgeRegressor().predict(X)


def test_fit_with_groups_passes_groups_only_by_name_and_only_to_a_fit_that_takes_them():
    from sklearn.linear_model import LinearRegression

    X, y = _linear_data(30)
    subject = np.repeat(np.arange(10), 3)
    assert fit_with_groups(RidgeRegressor(inner_splits=2), X, y, subject).alpha_ > 0
    plain = fit_with_groups(LinearRegression(), X, y, subject)  # its third argument is sample_weight
    np.testing.assert_allclose(plain.coef_, LinearRegression().fit(X, y).coef_)


def _proportional_odds_data(n, seed=0):
    """Grades 0, 0.5, 1, 1.5 (as a CDR) from y* = x·w + logistic noise cut at known thresholds."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    w, thresholds = np.array([1.0, -0.5, 2.0]), np.array([-1.0, 0.5, 2.0])
    latent = X @ w + rng.logistic(size=n)
    return X, 0.5 * (latent[:, None] > thresholds).sum(axis=1), w, thresholds


def test_ordinal_regression_recovers_known_weights_and_thresholds():
    X, y, w, thresholds = _proportional_odds_data(4000)
    model = OrdinalLogisticRegression(C=1e4).fit(X, y)
    np.testing.assert_array_equal(model.classes_, [0.0, 0.5, 1.0, 1.5])
    np.testing.assert_allclose(model.coef_, w, atol=0.1)
    np.testing.assert_allclose(model.thresholds_, thresholds, atol=0.15)
    proba = model.predict_proba(X[:50])
    assert proba.shape == (50, 4) and (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.cumulative_proba(X[:50]), np.cumsum(proba, axis=1)[:, :3])
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.score(X, y) > 0.5  # accuracy, well above the 0.25 of guessing one of four grades


def test_ordinal_regression_with_two_grades_is_logistic_regression():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)) * [1.0, 5.0, 0.2, 1.0]
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    for C in (0.01, 1.0, 100.0):
        ordinal = OrdinalLogisticRegression(C=C).fit(X, y)
        logistic = make_pipeline(StandardScaler(), LogisticRegression(C=C, tol=1e-10, max_iter=10_000)).fit(X, y)
        np.testing.assert_allclose(ordinal.predict_proba(X), logistic.predict_proba(X), atol=1e-5)
        np.testing.assert_array_equal(ordinal.predict(X), logistic.predict(X))


def test_ordinal_regression_median_and_mode_predictions():
    X, y, _, _ = _proportional_odds_data(2000)
    model = OrdinalLogisticRegression().fit(X, y)
    proba, median = model.predict_proba(X), model.predict_median(X)
    cumulative = np.cumsum(proba, axis=1)
    k = np.searchsorted(model.classes_, median)
    assert (cumulative[np.arange(len(y)), k] >= 0.5).all()  # the median: P(y ≤ it) ≥ ½ ...
    assert (np.where(k > 0, cumulative[np.arange(len(y)), k - 1], 0.0) < 0.5).all()  # ... and not below it
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    # on average over the grades, the median is the better guess for the MAE, the mode for accuracy
    mode = model.predict(X)
    assert mean_absolute_error(y, median) <= mean_absolute_error(y, mode) + 1e-12
    assert np.mean(mode == y) >= np.mean(median == y) - 1e-12
    assert np.all(np.diff(model.thresholds_) > 0)
    assert model.decision_function(X).shape == (len(y),)


def test_ordinal_regression_names_bad_input():
    X, y, _, _ = _proportional_odds_data(40)
    with pytest.raises(ValueError, match="C must be in"):
        OrdinalLogisticRegression(C=0.0).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 distinct grades"):
        OrdinalLogisticRegression().fit(X, np.ones(40))
    with pytest.raises(ValueError, match="X and y must have the same number of samples"):
        OrdinalLogisticRegression().fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="not fitted"):
        OrdinalLogisticRegression().predict(X)
    with pytest.raises(ValueError, match="X must have 3 features"):
        OrdinalLogisticRegression().fit(X, y).predict(X[:, :2])
