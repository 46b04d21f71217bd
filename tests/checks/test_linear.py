"""dlmi.checks.linear: each exercise check accepts a right answer and explains wrong ones."""

import numpy as np
import pytest

from dlmi import checks


def sigma(z):
    return 1 / (1 + np.exp(-z))


def ridge_right(X, y, alpha):
    D = np.eye(X.shape[1])
    D[0, 0] = 0.0
    return np.linalg.solve(X.T @ X + alpha * D, X.T @ y)


def sequential_step(w, X, y, lr):
    w = w.copy()
    for j in range(w.size):
        w[j] = w[j] - lr * (X.T @ (sigma(X @ w) - y) / len(y))[j]
    return w


CASES = [
    # check, right answer, [(wrong answer, what the verdict must say)]
    (checks.check_squared_error_cost, lambda w, X, y: (y - X @ w) @ (y - X @ w) / len(y), [
        (lambda w, X, y: np.sum((y - X @ w) ** 2), "summed the squared residuals"),
        (lambda w, X, y: np.mean(y - X @ w) ** 2, "averaged the residuals before squaring"),
        (lambda w, X, y: (y - X @ w) ** 2, "wrong shape"),
    ]),
    (checks.check_normal_equation, lambda X, y: np.linalg.inv(X.T @ X) @ X.T @ y, [
        (lambda X, y: X.T @ X @ X.T @ y, "multiplied by XᵀX instead of inverting"),
        (lambda X, y: np.linalg.solve(X.T @ X, X.T @ y)[1:], "wrong shape"),
    ]),
    (checks.check_ridge, ridge_right, [
        (lambda X, y, a: np.linalg.solve(X.T @ X + a * np.eye(X.shape[1]), X.T @ y), "also penalised the intercept"),
        (lambda X, y, a: np.linalg.lstsq(X, y, rcond=None)[0], "relative error"),
    ]),
    (checks.check_one_hot, lambda labels, k: np.eye(k)[labels], [
        (lambda labels, k: np.eye(int(labels.max()) + 1)[labels], "wrong shape"),
        (lambda labels, k: 1 - np.eye(k)[labels], "relative error"),
    ]),
    (checks.check_logistic, sigma, [
        (lambda z: sigma(-z), "σ(−z)"),
        (lambda z: np.tanh(z), "relative error"),
    ]),
    (checks.check_logistic_gradient, lambda w, X, y: X.T @ (sigma(X @ w) - y) / len(y), [
        (lambda w, X, y: X.T @ (y - sigma(X @ w)) / len(y), "sign is flipped"),
        (lambda w, X, y: X.T @ (sigma(X @ w) - y), "forgot the 1/n"),
    ]),
    (checks.check_gradient_descent_step, lambda w, X, y, lr: w - lr * X.T @ (sigma(X @ w) - y) / len(y), [
        (sequential_step, "updates are sequential"),
        (lambda w, X, y, lr: w + lr * X.T @ (sigma(X @ w) - y) / len(y), "climbed the gradient"),
    ]),
]


@pytest.mark.parametrize("check, right, wrongs", CASES, ids=[c[0].__name__ for c in CASES])
def test_check_accepts_the_right_answer_and_explains_wrong_ones(check, right, wrongs, capsys, failure):
    assert check(right) is True
    assert "✓" in capsys.readouterr().out
    for wrong, verdict in wrongs:  # each wrong answer fails, and the verdict says why
        message = failure(check, wrong)
        assert verdict in message, message


def test_an_in_place_update_is_accepted_and_cannot_corrupt_the_reference(capsys):
    def in_place_step(w, X, y, lr):
        w -= lr * X.T @ (sigma(X @ w) - y) / len(y)
        return w

    assert checks.check_gradient_descent_step(in_place_step)


@pytest.mark.parametrize("check", [c[0] for c in CASES], ids=[c[0].__name__ for c in CASES])
def test_check_reports_an_unfinished_exercise_without_a_traceback(check, failure):
    def unfinished(*args):
        raise NotImplementedError

    assert "not implemented yet" in failure(check, unfinished)
    assert "expected a function" in failure(check, "not a function")


def test_a_right_logistic_that_is_tiny_far_from_zero_passes(capsys):
    with np.errstate(over="ignore"):
        assert checks.check_logistic(lambda z: 1 - 1 / (1 + np.exp(z)))


def test_a_wrong_answer_never_prints_a_tick_for_the_cases_it_gets_right(failure):
    message = failure(checks.check_logistic, lambda z: np.full_like(z, 0.5))  # right only for z = 0
    assert "✓" not in message and message.count("✗") == 1
