"""The exercise checks of notebooks 06–07 accept right answers and explain the usual wrong ones."""

import numpy as np
import pytest

from dlmi import checks


# ------------------------------------------------------------------------------- right answers
def momentum_step(theta, g, b, lr, momentum):
    b = momentum * b + g
    return theta - lr * b, b


def rmsprop_step(theta, g, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g**2
    return theta - lr * g / (np.sqrt(v) + eps), v


def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def dropout_forward(x, p, training, rng):
    if not training:
        return x
    return x * (rng.random(x.shape) >= p) / (1 - p)


def early_stopping(val_losses, patience):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value < best:
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def l2_gradient(w, X, y, weight_decay):
    return -2 / len(y) * X.T @ (y - X @ w) + weight_decay * w


@pytest.mark.parametrize("check,fn", [
    (checks.check_momentum_step, momentum_step),
    (checks.check_rmsprop_step, rmsprop_step),
    (checks.check_adam_step, adam_step),
    (checks.check_dropout_forward, dropout_forward),
    (checks.check_early_stopping, early_stopping),
    (checks.check_l2_gradient, l2_gradient),
])
def test_right_answers_pass(check, fn, capsys):
    assert check(fn)
    assert "✓" in capsys.readouterr().out


def test_in_place_updates_pass_too():
    def momentum_in_place(theta, g, b, lr, momentum):
        b *= momentum
        b += g
        theta -= lr * b
        return theta, b

    assert checks.check_momentum_step(momentum_in_place)


# ------------------------------------------------------------------------------- wrong answers
def _old_velocity(theta, g, b, lr, momentum):
    return theta - lr * b, momentum * b + g


def _averaged_velocity(theta, g, b, lr, momentum):
    b = momentum * b + (1 - momentum) * g
    return theta - lr * b, b


def _no_sqrt(theta, g, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g**2
    return theta - lr * g / (v + eps), v


def _eps_inside(theta, g, v, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g**2
    return theta - lr * g / np.sqrt(v + eps), v


def _no_bias_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v


def _shifted_t(theta, g, m, v, t, lr, beta1, beta2, eps):
    return adam_step(theta, g, m, v, t + 1, lr, beta1, beta2, eps)


def _forgets_state(theta, g, m, v, t, lr, beta1, beta2, eps):
    return theta - lr * g, m, v


@pytest.mark.parametrize("check,fn,message", [
    (checks.check_momentum_step, _old_velocity, "old velocity"),
    (checks.check_momentum_step, _averaged_velocity, "averaged"),
    (checks.check_momentum_step, lambda theta, g, b, lr, momentum: theta - lr * g, "tuple"),
    (checks.check_momentum_step, lambda theta, g, b, lr, momentum: 1 / 0, "ZeroDivisionError"),
    (checks.check_rmsprop_step, _no_sqrt, "root mean square"),
    (checks.check_rmsprop_step, _eps_inside, "inside the square root"),
    (checks.check_adam_step, _no_bias_correction, "no bias correction"),
    (checks.check_adam_step, _shifted_t, "one step off"),
    (checks.check_adam_step, _forgets_state, "relative error"),
])
def test_wrong_update_rules_are_explained(check, fn, message, failure):
    assert message in failure(check, fn)


def _dropout_keep_prob(x, p, training, rng):
    return dropout_forward(x, 1 - p, training, rng) if training and 0 < p < 1 else dropout_forward(x, p, training, rng)


def _dropout_unscaled(x, p, training, rng):
    return x * (rng.random(x.shape) >= p) if training else x


def _dropout_times_keep(x, p, training, rng):
    return x * (rng.random(x.shape) >= p) * (1 - p) if training else x


def _dropout_in_eval(x, p, training, rng):
    return dropout_forward(x, p, True, rng)


def _dropout_global_rng(x, p, training, rng):
    return x * (np.random.random(x.shape) >= p) / (1 - p) if training else x


@pytest.mark.parametrize("fn,message", [
    (_dropout_keep_prob, "probability of dropping"),
    (_dropout_unscaled, "not rescaled"),
    (_dropout_times_keep, "multiplied"),
    (_dropout_in_eval, "unchanged"),
    (_dropout_global_rng, "generator rng"),
])
def test_wrong_dropouts_are_explained(fn, message, failure):
    assert message in failure(checks.check_dropout_forward, fn)


def _stop_from_zero(val_losses, patience):
    best, stop = early_stopping(val_losses, patience)
    return best - 1, stop - 1


def _ties_improve(val_losses, patience):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, value in enumerate(val_losses, start=1):
        if value <= best:
            best, best_epoch, waited = value, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


def _global_minimum(val_losses, patience):
    return int(np.argmin(val_losses)) + 1, len(val_losses)


@pytest.mark.parametrize("fn,message", [
    (_stop_from_zero, "counted from 1"),
    (_ties_improve, "patience=2"),
    (_global_minimum, "patience=3"),
    (lambda val_losses, patience: "stop", "two integers"),
])
def test_wrong_early_stoppings_are_explained(fn, message, failure):
    assert message in failure(checks.check_early_stopping, fn)


@pytest.mark.parametrize("fn,message", [
    (lambda w, X, y, wd: -2 / len(y) * X.T @ (y - X @ w), "penalty is missing"),
    (lambda w, X, y, wd: -2 / len(y) * X.T @ (y - X @ w) + 2 * wd * w, "2λw"),
    (lambda w, X, y, wd: -2 / len(y) * X.T @ (y - X @ w) - wd * w, "wrong sign"),
    (lambda w, X, y, wd: -1 / len(y) * X.T @ (y - X @ w) + wd * w, "relative error"),
])
def test_wrong_l2_gradients_are_explained(fn, message, failure):
    assert message in failure(checks.check_l2_gradient, fn)


@pytest.mark.parametrize("fn", [
    lambda theta, g, b, lr, momentum: ("theta", b),
    lambda theta, g, b, lr, momentum: ([1.0, [2.0, 3.0]], b),  # ragged θ
])
def test_odd_update_returns_are_explained_without_a_traceback(fn, failure):
    assert "arrays of numbers" in failure(checks.check_momentum_step, fn)


def test_early_stopping_returning_infinity_is_explained(failure):
    assert "two integers" in failure(checks.check_early_stopping, lambda val_losses, patience: (float("inf"), 3))


def test_dropout_returning_a_ragged_list_is_explained(failure):
    ragged = lambda x, p, training, rng: x if not training else [[1.0], []]
    assert "array of numbers" in failure(checks.check_dropout_forward, ragged)


def test_a_wrong_l2_gradient_prints_no_tick(failure):
    def right_for_the_first_case_only(w, X, y, wd):
        return l2_gradient(w, X, y, wd) if len(y) == 20 else l2_gradient(w, X, y, wd) * 1.5

    message = failure(checks.check_l2_gradient, right_for_the_first_case_only)
    assert "✓" not in message and message.count("✗") == 1
