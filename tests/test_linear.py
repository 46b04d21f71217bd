"""dlmi.linear: the normal equation and gradient descent, against scikit-learn and by hand."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.linear_model import Ridge

from dlmi.data import simulate_flat_prices, simulate_purchases
from dlmi.data.toy import noisy_sine
from dlmi.linear import (
    ConvergenceWarning,
    DivergenceError,
    IllConditionedWarning,
    LinearRegression,
    LogisticRegressionGD,
    add_bias,
    cost_grid,
    cross_entropy_cost,
    cross_entropy_gradient,
    Perceptron,
    descend_cost,
    fit_polynomial,
    polynomial_design,
    polynomial_errors,
    predict_polynomial,
    sigmoid,
    squared_error_cost,
    squared_error_gradient,
)


@pytest.fixture
def flats():
    table, weights = simulate_flat_prices(n=200, rng=0)
    return table[["size_m2", "rooms", "floor"]].to_numpy(float), table["price_eur"].to_numpy(), weights


@pytest.fixture
def purchases():
    table, _ = simulate_purchases(n=300, with_income=True, rng=1)
    X = table[["age", "income_keur"]].to_numpy(float)
    return (X - X.mean(axis=0)) / X.std(axis=0), table["purchased"].to_numpy()


def numerical_gradient(f, w, eps=1e-6):
    return np.array([(f(w + eps * e) - f(w - eps * e)) / (2 * eps) for e in np.eye(w.size)])


# --------------------------------------------------------------------------- costs


def test_add_bias_prepends_ones():
    Xb = add_bias(np.array([[2.0, 3.0], [4.0, 5.0]]))
    np.testing.assert_array_equal(Xb, [[1, 2, 3], [1, 4, 5]])
    assert add_bias([1.0, 2.0, 3.0]).shape == (3, 2)


def test_squared_error_cost_matches_its_definition_and_gradient():
    rng = np.random.default_rng(0)
    X, w, y = add_bias(rng.normal(size=(20, 2))), rng.normal(size=3), rng.normal(size=20)
    r = y - X @ w
    assert squared_error_cost(w, X, y) == pytest.approx(r @ r / 20)
    np.testing.assert_allclose(
        squared_error_gradient(w, X, y), numerical_gradient(lambda v: squared_error_cost(v, X, y), w), rtol=1e-6
    )


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    z = np.array([-3.0, 0.0, 2.0])
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extreme = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(extreme, [0.0, 1.0])
    assert sigmoid(0.0) == 0.5


def test_cross_entropy_is_the_mean_of_the_two_log_cases_and_its_gradient_is_right():
    rng = np.random.default_rng(1)
    X, w = add_bias(rng.normal(size=(30, 2))), rng.normal(size=3)
    y = (rng.random(30) < 0.5).astype(float)
    f = sigmoid(X @ w)
    by_hand = -np.mean(y * np.log(f) + (1 - y) * np.log(1 - f))
    assert cross_entropy_cost(w, X, y) == pytest.approx(by_hand, rel=1e-12)
    np.testing.assert_allclose(
        cross_entropy_gradient(w, X, y), numerical_gradient(lambda v: cross_entropy_cost(v, X, y), w), rtol=1e-6
    )
    # far from the data, sigma rounds to 0 or 1: the cost stays finite (no log(0))
    assert np.isfinite(cross_entropy_cost(np.array([0.0, 1e4, 0.0]), X, y))


@pytest.mark.parametrize(
    "w, X, y, match",
    [
        (np.ones(2), np.ones((4, 3)), np.ones(4), "w must have one weight per column of X"),
        (np.ones(3), np.ones((4, 3)), np.ones(5), "same number of samples"),
        (np.ones(3), np.full((4, 3), np.nan), np.ones(4), "X contains NaN"),
        (np.ones(3), np.ones((4, 3)), np.array([0.0, 1.0, np.nan, 1.0]), "y contains NaN"),
    ],
)
def test_costs_reject_bad_shapes_and_nans(w, X, y, match):
    with pytest.raises(ValueError, match=match):
        squared_error_cost(w, X, y)


def test_cross_entropy_rejects_non_binary_labels():
    with pytest.raises(ValueError, match="y must hold binary labels"):
        cross_entropy_cost(np.zeros(2), add_bias(np.arange(3.0)), np.array([0.0, 1.0, 2.0]))


# --------------------------------------------------------------------------- gradient descent


def quadratic(curvature: float):
    """J(w) = curvature/2 · w², minimum at 0, so a step multiplies w by 1 − η·curvature."""
    return (lambda w: float(curvature / 2 * w @ w)), (lambda w: curvature * w)


def test_descend_cost_converges_and_says_when():
    cost, grad = quadratic(2.0)
    run = descend_cost(cost, grad, [1.0], lr=0.25, n_steps=100, tol=1e-6)
    assert run.converged and not run.diverged
    assert run.status.startswith("converged at step") and "|∇J| < 1e-6" in run.status
    np.testing.assert_allclose(run.path[:4, 0], [1.0, 0.5, 0.25, 0.125])  # w ← (1 − 0.25·2) w
    assert np.all(np.diff(run.costs) < 0)
    assert run.w.shape == (1,) and run.cost == pytest.approx(run.costs[-1])


def test_descend_cost_reports_divergence_in_words_without_nans():
    cost, grad = quadratic(2.0)
    run = descend_cost(cost, grad, [1.0], lr=1.5, n_steps=100)  # w ← −2 w
    assert run.diverged and not run.converged
    assert run.status == "diverged at step 20: |w| > 1e6"  # 2^20 > 1e6 > 2^19
    assert np.isfinite(run.path).all() and np.isfinite(run.costs).all()
    overflow = descend_cost(lambda w: float(np.exp(w[0])), lambda w: np.array([-1.0]), [0.0], 1e3, 10, max_norm=1e300)
    assert overflow.diverged and "no longer finite" in overflow.status
    assert np.isfinite(overflow.costs).all()


def test_descend_cost_says_when_it_ran_out_of_steps():
    cost, grad = quadratic(2.0)
    run = descend_cost(cost, grad, [1.0], lr=0.01, n_steps=5, tol=1e-6)
    assert not run.converged and not run.diverged and len(run.path) == 6
    assert run.status.startswith("not converged after 5 steps")


def test_sequential_updates_differ_from_simultaneous_ones():
    # coupled quadratic: J = w0² + w1² + w0·w1, gradient (2w0 + w1, 2w1 + w0)
    cost = lambda w: float(w[0] ** 2 + w[1] ** 2 + w[0] * w[1])  # noqa: E731
    grad = lambda w: np.array([2 * w[0] + w[1], 2 * w[1] + w[0]])  # noqa: E731
    simultaneous = descend_cost(cost, grad, [1.0, 0.0], 0.4, 1)
    sequential = descend_cost(cost, grad, [1.0, 0.0], 0.4, 1, simultaneous=False)
    np.testing.assert_allclose(simultaneous.w, [1 - 0.4 * 2, 0 - 0.4 * 1])
    w0 = 1 - 0.4 * 2
    np.testing.assert_allclose(sequential.w, [w0, 0 - 0.4 * w0])  # w1's gradient saw the new w0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"lr": 0.0}, ValueError, "lr must be in"),
        ({"lr": -0.1}, ValueError, "lr must be in"),
        ({"n_steps": 0}, ValueError, "n_steps"),
        ({"n_steps": 2.5}, TypeError, "n_steps must be an integer"),
        ({"tol": -1.0}, ValueError, "tol"),
        ({"w_init": [[1.0]]}, ValueError, "w_init must have 1 dimension"),
        ({"w_init": [np.nan]}, ValueError, "w_init contains NaN"),
    ],
)
def test_descend_cost_rejects_bad_arguments(kwargs, error, match):
    cost, grad = quadratic(1.0)
    arguments = {"w_init": [1.0], "lr": 0.1, "n_steps": 10, **kwargs}
    with pytest.raises(error, match=match):
        descend_cost(cost, grad, **arguments)


def test_descend_cost_wants_functions():
    with pytest.raises(TypeError, match="gradient must be a function"):
        descend_cost(lambda w: 0.0, np.zeros(1), [1.0], 0.1, 5)


def test_descend_cost_checks_the_gradient_shape():
    with pytest.raises(ValueError, match="gradient must return shape"):
        descend_cost(lambda w: 0.0, lambda w: np.zeros(3), [1.0, 2.0], 0.1, 5)


# --------------------------------------------------------------------------- LinearRegression


def test_normal_equation_matches_scikit_learn(flats):
    X, y, _ = flats
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a well-posed problem: no warning
        ours = LinearRegression().fit(X, y)
    theirs = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-8)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)
    assert ours.condition_number_ < 1e8


def test_normal_equation_recovers_the_simulation_weights_within_their_standard_errors(flats):
    X, y, true = flats
    model = LinearRegression().fit(X, y)
    w_hat = np.r_[model.intercept_, model.coef_]
    Xb = add_bias(X)
    sigma2 = np.sum((y - Xb @ w_hat) ** 2) / (len(y) - Xb.shape[1])
    standard_error = np.sqrt(np.diag(sigma2 * np.linalg.inv(Xb.T @ Xb)))
    assert np.all(np.abs(w_hat - true.to_numpy()) < 3 * standard_error)


def test_a_redundant_feature_is_refused_with_the_remedies(flats):
    X, y, _ = flats
    with_feet = np.column_stack([X, X[:, 0] * 10.7639])  # the same size in ft²
    with pytest.raises(np.linalg.LinAlgError, match=r"(?s)condition number.*redundant.*solver='pinv'.*alpha"):
        LinearRegression().fit(with_feet, y)
    pinv = LinearRegression(solver="pinv").fit(with_feet, y)
    ridge = LinearRegression(alpha=10.0).fit(with_feet, y)
    plain = LinearRegression().fit(X, y)
    # the price of one m², shared between the two columns: exactly for pinv, shrunk a little by ridge
    for model, rtol in ((pinv, 1e-6), (ridge, 1e-2)):
        assert model.coef_[0] + 10.7639 * model.coef_[3] == pytest.approx(plain.coef_[0], rel=rtol)
        np.testing.assert_allclose(model.predict(with_feet), plain.predict(X), rtol=rtol)


def test_a_nearly_redundant_feature_gives_a_warning_and_exploding_weights(flats):
    X, y, _ = flats
    rounded_feet = np.column_stack([X, np.round(X[:, 0] * 10.764)])  # ft² as listings give it
    with pytest.warns(IllConditionedWarning, match=r"condition number .* unstable.*ridge regression \(alpha > 0\)"):
        model = LinearRegression().fit(rounded_feet, y)
    assert model.coef_[0] < -10_000  # "each extra m² lowers the price by more than 10 k€"
    with pytest.warns(IllConditionedWarning, match=r"increase alpha \(now 0.1\)"):
        LinearRegression(alpha=0.1).fit(rounded_feet, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ridge = LinearRegression(alpha=10.0).fit(rounded_feet, y)
    assert ridge.coef_[0] > -2_000 and ridge.coef_[3] > 0


def test_more_weights_than_samples_is_refused_and_pinv_interpolates(flats):
    X, y, _ = flats
    X3, y3 = X[:3], y[:3]  # 3 flats, 4 weights
    with pytest.raises(np.linalg.LinAlgError, match=r"more weights \(p \+ 1 = 4\) than samples \(n = 3\)"):
        LinearRegression().fit(X3, y3)
    pinv = LinearRegression(solver="pinv").fit(X3, y3)
    np.testing.assert_allclose(pinv.predict(X3), y3, rtol=1e-8)
    # the minimum-norm solution: orthogonal to the null space of the design matrix
    null = np.linalg.svd(add_bias(X3))[2][-1]
    assert abs(np.r_[pinv.intercept_, pinv.coef_] @ null) < 1e-6 * np.linalg.norm(pinv.coef_)


def test_ridge_matches_scikit_learn(flats):
    X, y, _ = flats
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    ours = LinearRegression(alpha=50.0).fit(Xs, y)
    theirs = Ridge(alpha=50.0).fit(Xs, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
    assert ours.intercept_ == pytest.approx(theirs.intercept_, rel=1e-8)


@pytest.mark.parametrize(
    "params, X, y, error, match",
    [
        ({}, np.ones((3, 2, 1)), np.ones(3), ValueError, "X must have 1 or 2 dimension"),
        ({}, np.ones((3, 2)), np.ones(4), ValueError, "same number of samples"),
        ({}, [[1.0], [np.nan]], [1.0, 2.0], ValueError, "X contains NaN"),
        ({}, [[1.0], [2.0]], [1.0, np.nan], ValueError, "y contains NaN"),
        ({"solver": "cholesky"}, [[1.0], [2.0]], [1.0, 2.0], ValueError, "solver must be one of"),
        ({"alpha": -1.0}, [[1.0], [2.0]], [1.0, 2.0], ValueError, "alpha must be in"),
    ],
)
def test_linear_regression_rejects_bad_input(params, X, y, error, match):
    with pytest.raises(error, match=match):
        LinearRegression(**params).fit(X, y)


def test_predict_checks_fit_and_feature_count(flats):
    X, y, _ = flats
    with pytest.raises(RuntimeError, match="not fitted yet"):
        LinearRegression().predict(X)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X must have 3 feature column"):
        model.predict(X[:, :2])


# --------------------------------------------------------------------------- LogisticRegressionGD


def test_logistic_regression_gd_matches_unpenalised_scikit_learn(purchases):
    X, y = purchases
    ours = LogisticRegressionGD(lr=1.0, n_iter=5000, tol=1e-8).fit(X, y)
    theirs = SkLogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)  # C=inf: no penalty
    assert ours.converged_ and ours.status_.startswith("converged")
    np.testing.assert_allclose(ours.coef_, theirs.coef_[0], atol=1e-3)
    assert ours.intercept_ == pytest.approx(theirs.intercept_[0], abs=1e-3)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_logistic_regression_gd_history_decreases_from_log_2(purchases):
    X, y = purchases
    model = LogisticRegressionGD(lr=0.5, n_iter=200, tol=0.0).fit(X, y)
    assert model.history_[0] == pytest.approx(np.log(2))  # w = 0: f = 0.5 for everybody
    assert len(model.history_) == 201 and model.n_iter_ == 200
    assert np.all(np.diff(model.history_) <= 1e-12)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), (model.decision_function(X) >= 0).astype(int))


def test_logistic_regression_gd_warns_when_out_of_steps(purchases):
    X, y = purchases
    with pytest.warns(ConvergenceWarning, match=r"not converged after 3 steps.*increase n_iter"):
        model = LogisticRegressionGD(lr=0.1, n_iter=3).fit(X, y)
    assert not model.converged_


def test_logistic_regression_gd_raises_in_words_when_the_learning_rate_is_too_large():
    table, _ = simulate_purchases(n=200, with_income=True, rng=0)
    X, y = table[["age", "income_keur"]].to_numpy(float), table["purchased"].to_numpy()  # not standardised
    with pytest.raises(DivergenceError, match=r"diverged: the cost rose from 0.693 to .* lr=1: .*too large"):
        LogisticRegressionGD(lr=1.0, n_iter=200).fit(X, y)


@pytest.mark.parametrize(
    "params, y, error, match",
    [
        ({}, [0, 1, 2, 1], ValueError, "y must hold binary labels"),
        ({}, [0, 1, np.nan, 1], ValueError, "y contains NaN"),
        ({}, [0, 1, 1], ValueError, "same number of samples"),
        ({"lr": 0.0}, [0, 1, 0, 1], ValueError, "lr must be in"),
        ({"lr": -1.0}, [0, 1, 0, 1], ValueError, "lr must be in"),
        ({"n_iter": 0}, [0, 1, 0, 1], ValueError, "n_iter"),
        ({"tol": -1e-3}, [0, 1, 0, 1], ValueError, "tol"),
    ],
)
def test_logistic_regression_gd_rejects_bad_input(params, y, error, match):
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    with pytest.raises(error, match=match):
        LogisticRegressionGD(**params).fit(X, np.array(y, dtype=float))


def test_logistic_regression_gd_rejects_nan_features_and_wrong_width():
    with pytest.raises(ValueError, match="X contains NaN"):
        LogisticRegressionGD().fit([[0.0], [np.nan]], [0, 1])
    model = LogisticRegressionGD(n_iter=10, tol=0.0).fit([[0.0, 1.0], [1.0, 0.0]], [0, 1])
    with pytest.raises(ValueError, match="X must have 2 feature column"):
        model.predict_proba([[1.0, 2.0, 3.0]])


# --------------------------------------------------------------------------- polynomial regression
def _notebook_polynomial_data():
    """The data of notebook 07, section 1."""
    return (*noisy_sine(20, noise=0.25, rng=1, stratified=True), *noisy_sine(200, noise=0.25, rng=2))


def test_legendre_features_fit_the_same_polynomials_as_monomials():
    x, y = noisy_sine(30, rng=0)
    coef = fit_polynomial(x, y, 4)
    np.testing.assert_allclose(predict_polynomial(coef, x), np.polyval(np.polyfit(x, y, 4), x), atol=1e-9)
    assert polynomial_design(x, 4).shape == (30, 5)
    with pytest.raises(ValueError, match="degree"):
        polynomial_design(x, -1)


def test_l2_fit_minimises_the_penalised_cost_and_shrinks_the_coefficients():
    x, y = noisy_sine(15, rng=1)
    lam = 1e-3
    coef = fit_polynomial(x, y, 10, l2=lam)
    A = polynomial_design(x, 10)
    mask = np.r_[0.0, np.ones(10)]
    gradient = -2 / len(y) * A.T @ (y - A @ coef) + 2 * lam * mask * coef
    np.testing.assert_allclose(gradient, 0.0, atol=1e-9)
    plain = fit_polynomial(x, y, 10)
    assert np.sum(coef[1:] ** 2) < np.sum(plain[1:] ** 2)


def test_polynomial_errors_fall_on_training_data_with_degree():
    errors = polynomial_errors(*_notebook_polynomial_data(), degrees=range(20))
    assert np.all(np.diff(errors.train_mse) <= 1e-12)      # nested least squares: never worse
    assert errors.train_mse[19] < 1e-12                     # 20 points, 20 coefficients
    with pytest.raises(ValueError, match="degree"):
        errors.index(20)


# --------------------------------------------------------------------------- the perceptron
def test_perceptron_converges_on_separable_data_and_fails_on_xor():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    y = (1 + 3 * X[:, 0] - 2 * X[:, 1] > 0).astype(float)
    p = Perceptron(lr=1.0, n_epochs=200).fit(X, y)
    assert p.score(X, y) == 1.0 and p.mistakes_[-1] == 0
    X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y_xor = np.array([0, 1, 1, 0], dtype=float)
    p = Perceptron(n_epochs=50).fit(X_xor, y_xor)
    assert p.score(X_xor, y_xor) <= 0.75 and len(p.mistakes_) == 50 and p.mistakes_.min() > 0


def test_perceptron_validates_input():
    with pytest.raises(ValueError, match="binary labels"):
        Perceptron().fit(np.ones((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(RuntimeError, match="not fitted"):
        Perceptron().predict(np.ones((3, 2)))
    with pytest.raises(ValueError, match="lr must be in"):
        Perceptron(lr=0).fit(np.ones((2, 1)), np.array([0, 1]))


def test_perceptron_predicts_on_the_1d_inputs_it_fits_on():
    model = Perceptron().fit(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
    np.testing.assert_array_equal(model.predict(np.array([-3.0, 3.0])), [0.0, 1.0])


def test_cost_grid_puts_w1_on_rows_and_w0_on_columns():
    grid = cost_grid(lambda w: 10 * w[0] + w[1], [0.0, 1.0, 2.0], [0.0, 5.0])
    np.testing.assert_array_equal(grid, [[0, 10, 20], [5, 15, 25]])
