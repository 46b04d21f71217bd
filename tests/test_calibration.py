"""Temperature and Platt scaling: they recover known miscalibration, improve held-out calibration, and
learn only from the tuning set they are given."""

import warnings

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression

from dlmi.calibration import PlattScaling, TemperatureScaling
from dlmi.metrics import brier_score, expected_calibration_error, roc_auc


def _overconfident(n=10_000, temperatures=(3.0,), seed=0):
    """Labels drawn from calibrated logits z, and the logits a network reports, z × T per column.

    Returns (reported logits, labels), each (n, K) for K temperatures.
    """
    rng = np.random.default_rng(seed)
    z = rng.normal(0, 1.5, size=(n, len(temperatures)))
    y = (rng.random(z.shape) < expit(z)).astype(float)
    return z * np.asarray(temperatures), y


@pytest.mark.parametrize("seed", range(5))
def test_temperature_scaling_recovers_the_over_confidence_and_calibrates_held_out_data(seed):
    logits, y = _overconfident(seed=seed)
    tune, test = slice(0, 5000), slice(5000, None)
    scaler = TemperatureScaling().fit(logits[tune, 0], y[tune, 0])
    assert isinstance(scaler.temperature_, float) and scaler.temperature_ == pytest.approx(3.0, abs=0.35)
    before, after = expit(logits[test, 0]), scaler.predict_proba(logits[test, 0])
    assert after.shape == (5000,)
    assert expected_calibration_error(y[test, 0], after) < 0.5 * expected_calibration_error(y[test, 0], before)
    assert brier_score(y[test, 0], after) < brier_score(y[test, 0], before)
    # one increasing map: the ranking, hence the AUC, is untouched
    assert roc_auc(y[test, 0], after) == pytest.approx(roc_auc(y[test, 0], before), abs=1e-12)


def test_calibrated_logits_keep_a_temperature_near_one():
    logits, y = _overconfident(temperatures=(1.0,), seed=7)
    assert TemperatureScaling().fit(logits, y).temperature_ == pytest.approx(1.0, abs=0.1)


def test_one_temperature_per_column_or_one_shared():
    logits, y = _overconfident(temperatures=(3.0, 0.5), seed=1)
    per_column = TemperatureScaling().fit(logits, y)
    assert per_column.temperature_.shape == (2,) and per_column.n_columns_ == 2
    np.testing.assert_allclose(per_column.temperature_, [3.0, 0.5], rtol=0.12)
    shared = TemperatureScaling(shared=True).fit(logits, y)
    assert isinstance(shared.temperature_, float) and 0.5 < shared.temperature_ < 3.0
    # each column's temperature is the one fitted on that column alone
    alone = TemperatureScaling().fit(logits[:, 1], y[:, 1]).temperature_
    assert per_column.temperature_[1] == pytest.approx(alone, rel=1e-6)
    p = per_column.predict_proba(logits)
    np.testing.assert_allclose(p, expit(logits / per_column.temperature_))
    np.testing.assert_allclose(shared.predict_proba(logits), expit(logits / shared.temperature_))


def test_temperature_minimises_the_tuning_cross_entropy():
    logits, y = _overconfident(n=2000, seed=2)
    t = TemperatureScaling().fit(logits, y).temperature_

    def cross_entropy(temperature):
        p = expit(logits / temperature)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert cross_entropy(t) <= min(cross_entropy(t * 0.99), cross_entropy(t * 1.01))
    # numerically stable: logits of ±1000 give a finite loss and a finite temperature
    extreme = np.r_[logits[:, 0], 1000.0, -1000.0]
    assert np.isfinite(TemperatureScaling().fit(extreme, np.r_[y[:, 0], 1.0, 0.0]).temperature_)


def test_fitting_learns_from_the_tuning_set_only():
    logits, y = _overconfident(seed=3)
    tune_logits, tune_y = logits[:3000].copy(), y[:3000].copy()
    scaler = TemperatureScaling().fit(tune_logits, tune_y)
    fitted = scaler.temperature_
    scaler.predict_proba(logits[3000:])  # other data: read, never learnt from
    scaler.predict_proba(10 * logits[3000:])
    assert scaler.temperature_ == fitted
    np.testing.assert_array_equal(tune_logits, logits[:3000])  # the inputs are left as they were
    assert TemperatureScaling().fit(logits[:3000], y[:3000]).temperature_ == fitted  # the same data, the same T
    platt = PlattScaling().fit(tune_logits, tune_y)
    coef = platt.coef_.copy()
    platt.predict_proba(logits[3000:])
    np.testing.assert_array_equal(platt.coef_, coef)


def test_a_temperature_with_no_finite_best_is_reported():
    logits, labels = np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1])
    with pytest.warns(RuntimeWarning, match="separate the tuning labels perfectly: the best temperature is 0"):
        scaler = TemperatureScaling().fit(logits, labels)  # every sign right: sharper is always better
    assert 1e-3 <= scaler.temperature_ < 0.2
    with pytest.warns(RuntimeWarning, match="no better than chance on the tuning labels"):
        TemperatureScaling().fit(-logits, labels)
    with pytest.warns(RuntimeWarning, match="the logits of column 1 separate"):
        TemperatureScaling().fit(np.column_stack([[-1.0, 1.0, -0.5, 1.0], logits]),
                                 np.column_stack([[0, 0, 1, 1], labels]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TemperatureScaling().fit(*_overconfident(n=200, seed=0))  # an ordinary tuning set: no warning


def test_platt_scaling_is_a_logistic_regression_of_the_label_on_the_score():
    rng = np.random.default_rng(4)
    score = rng.normal(50, 20, 4000)  # any score, here on a scale of tens
    y = (rng.random(4000) < expit(0.08 * (score - 50) + 0.5)).astype(float)
    platt = PlattScaling().fit(score, y)
    reference = LogisticRegression(C=1e10, tol=1e-12, max_iter=10_000).fit(score[:, None], y)
    assert platt.coef_ == pytest.approx(reference.coef_[0, 0], rel=1e-5)
    assert platt.intercept_ == pytest.approx(reference.intercept_[0], rel=1e-5, abs=1e-6)
    assert platt.coef_ == pytest.approx(0.08, rel=0.15)
    np.testing.assert_allclose(platt.predict_proba(score), reference.predict_proba(score[:, None])[:, 1], atol=1e-6)
    # a rescaled score gets a rescaled slope and the same probabilities
    rescaled = PlattScaling().fit(1000 * score, y)
    np.testing.assert_allclose(rescaled.predict_proba(1000 * score), platt.predict_proba(score), atol=1e-8)


def test_platt_scaling_per_column_and_calibrating_over_confident_logits():
    logits, y = _overconfident(temperatures=(3.0, 0.5), seed=5)
    platt = PlattScaling().fit(logits[:5000], y[:5000])
    assert platt.coef_.shape == platt.intercept_.shape == (2,)
    np.testing.assert_allclose(platt.coef_, [1 / 3.0, 2.0], rtol=0.12)  # slope 1/T
    np.testing.assert_allclose(platt.intercept_, [0.0, 0.0], atol=0.1)
    alone = PlattScaling().fit(logits[:5000, 0], y[:5000, 0])
    assert platt.coef_[0] == pytest.approx(alone.coef_, rel=1e-6)
    held_out = platt.predict_proba(logits[5000:])
    assert held_out.shape == (5000, 2)
    ece_before = expected_calibration_error(y[5000:], expit(logits[5000:]))
    assert np.all(expected_calibration_error(y[5000:], held_out) < 0.5 * ece_before)


@pytest.mark.parametrize("estimator", [TemperatureScaling, PlattScaling])
def test_bad_input_is_named(estimator):
    name = "logits" if estimator is TemperatureScaling else "scores"
    with pytest.raises(RuntimeError, match=rf"not fitted yet: call fit\({name}, y\)"):
        estimator().predict_proba([0.1, 0.2])
    with pytest.raises(ValueError, match=rf"{name} and y must have the same shape"):
        estimator().fit([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match="y must hold binary labels"):
        estimator().fit([0.1, 0.2, 0.3], [0, 1, 2])
    with pytest.raises(ValueError, match=f"{name} contains NaN"):
        estimator().fit([0.1, np.nan, 0.3], [0, 1, 1])
    with pytest.raises(TypeError, match=f"{name} must hold numbers"):
        estimator().fit(["a", "b"], [0, 1])
    fitted = estimator().fit(np.array([[-1.0, 0.5], [0.2, -0.3], [1.0, 0.9], [0.4, 0.1]]),
                             np.array([[0, 0], [1, 0], [1, 1], [0, 1]]))
    with pytest.raises(ValueError, match=rf"{name} must have shape \(n, 2\) as in fit, got shape \(3,\)"):
        fitted.predict_proba([0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=rf"{name} must have shape \(n, 2\)"):
        fitted.predict_proba(np.ones((3, 3)))


def test_options_are_checked():
    with pytest.raises(TypeError, match="shared"):
        TemperatureScaling(shared="yes").fit([0.1, 0.2], [0, 1])
    with pytest.raises(ValueError, match=r"scores column\(s\) \[0\] are constant"):
        PlattScaling().fit([0.3, 0.3, 0.3], [0, 1, 1])
