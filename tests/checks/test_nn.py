"""dlmi.checks.nn: every check accepts a right answer and rejects wrong ones with an explanation."""

import re

import numpy as np
import pytest

from dlmi import checks
from dlmi.checks import nn as nn_checks


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def perceptron_update(w, w0, x, y, lr):
    y_hat = 1.0 if w0 + x @ w > 0 else 0.0
    return w + lr * (y - y_hat) * x, w0 + lr * (y - y_hat)


def perceptron_update_always(w, w0, x, y, lr):  # updates even when right
    y_hat = 1.0 if w0 + x @ w > 0 else 0.0
    return w + lr * (2 * y - 1) * x, w0 + lr * (2 * y - 1) * (y != y_hat)


def linear_backward(x, W, grad_out):
    return grad_out @ W.T, x.T @ grad_out, grad_out.sum(axis=0)


def two_weights(x, y, w1, w2):
    a = sigmoid(w1 * x)
    d = 2 * (w2 * a - y)
    return d * w2 * a * (1 - a) * x, d * a


def cross_entropy(z, y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean()


def naive_cross_entropy(z, y):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean()


def stub(*args):
    raise NotImplementedError


_S = sigmoid(-8.0)
RATIO = 1 / (2 * _S * (1 - _S))  # the cross-entropy's gradient over the squared error's at z = −8, y = 1
VALUE_CHECKS = {
    "check_tanh_saturation": (2.994, [1.5, 4.0, 0.01]),
    "check_perceptron_training": (1.0, [0.5, 0.99]),
    "check_vanishing_gradient_ratio": (RATIO, [1 / RATIO, -RATIO, 100.0]),
}
CASES = {
    "check_sigmoid": (sigmoid, [lambda z: 1 / (1 + np.exp(z)), lambda z: np.tanh(z), stub]),
    "check_tanh_derivative": (lambda z: 1 - np.tanh(z) ** 2, [lambda z: 1 - np.tanh(z), lambda z: np.tanh(z) ** 2]),
    "check_perceptron_update": (perceptron_update, [perceptron_update_always, lambda w, w0, x, y, lr: (w, w0), lambda *a: 3.0]),
    "check_relu_backward": (lambda z, g: g * (z > 0), [lambda z, g: (z > 0).astype(float), lambda z, g: g * (z >= 0) + 0.1 * (z < 0) * g]),
    "check_linear_backward": (linear_backward, [
        lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)),  # grad_W transposed
        lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)),  # mean instead of sum
        lambda x, W, g: (g @ W.T, x.T @ g),  # a part missing
    ]),
    "check_two_weight_gradients": (two_weights, [
        lambda x, y, w1, w2: two_weights(x, y, w1, w2)[::-1],
        lambda x, y, w1, w2: (2 * (w2 * sigmoid(w1 * x) - y) * w2 * x, 2 * (w2 * sigmoid(w1 * x) - y) * sigmoid(w1 * x)),
    ]),
    "check_softmax": (softmax, [lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), lambda z: np.exp(z) / np.exp(z).sum()]),
    "check_cross_entropy": (cross_entropy, [naive_cross_entropy, lambda z, y: cross_entropy(z, y) * len(y)]),
    "check_squared_error_logit_gradient": (
        lambda z, y: 2 * (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)),
        [lambda z, y: 2 * (sigmoid(z) - y), lambda z, y: sigmoid(z) - y],
    ),
    **VALUE_CHECKS,
}
FUNCTION_CHECKS = set(CASES) - set(VALUE_CHECKS)


def test_every_public_check_is_covered_and_exported():
    public = set(nn_checks.__all__)
    assert public == set(CASES)
    for name in public:
        assert getattr(checks, name) is getattr(nn_checks, name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answer_passes_and_wrong_ones_fail_with_an_explanation(name, capsys, failure):
    check = getattr(nn_checks, name)
    right, wrongs = CASES[name]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert check(right) is True
        assert "✓" in capsys.readouterr().out
        for wrong in wrongs:
            assert "hint" in failure(check, wrong)
    if name in FUNCTION_CHECKS:
        assert "expected a function" in failure(check, "not a function")


def test_checks_do_not_mutate_their_cases_through_the_student_function(capsys):
    def sloppy(w, w0, x, y, lr):  # updates w in place
        y_hat = 1.0 if w0 + x @ w > 0 else 0.0
        w += lr * (y - y_hat) * x
        return w, w0 + lr * (y - y_hat)

    assert nn_checks.check_perceptron_update(sloppy)
    assert nn_checks.check_perceptron_update(perceptron_update)


def test_an_in_place_right_answer_passes(capsys):
    def sigmoid_in_place(z):
        np.exp(-z, out=z)
        z += 1
        return np.divide(1, z, out=z)

    assert nn_checks.check_sigmoid(sigmoid_in_place)
    assert nn_checks.check_tanh_derivative(lambda z: np.subtract(1, np.square(np.tanh(z, out=z), out=z), out=z))


def test_a_right_sigmoid_that_is_tiny_far_from_zero_passes(capsys):
    assert nn_checks.check_sigmoid(lambda z: 1 - 1 / (1 + np.exp(z)))


def test_a_forgotten_return_is_named(failure):
    message = failure(nn_checks.check_sigmoid, lambda z: None)
    assert "forget `return`" in message and "NaN" not in message


def test_a_failure_shows_the_input_when_it_is_small(failure):
    message = failure(nn_checks.check_relu_backward, lambda z, grad_out: (z > 0).astype(float))
    assert "for z = [[-2. , -0.5,  0.3,  4. ], [ 1. , -1. ,  2. , -3. ]], grad_out = [[" in message
    assert "array" not in message and not re.search(r"-0\.(?!\d)", message), "small inputs written out, without −0"
    message = failure(nn_checks.check_perceptron_update, lambda w, w0, x, y, lr: (w, w0))
    assert "for w = [ 0.5, -1. ], w0 = 0.2, x = [0., 2.], y = 1, lr = 0.1" in message


def test_an_exception_in_the_students_code_names_its_line(failure):
    def sigmoid(z):
        e = np.exp(-z)
        return 1 / (1 + e) + undefined_name  # noqa: F821

    message = failure(nn_checks.check_sigmoid, sigmoid)
    assert "NameError" in message and "of sigmoid: return 1 / (1 + e) + undefined_name" in message


@pytest.mark.parametrize("name, value, says", [
    ("check_tanh_saturation", None, "is still None"),
    ("check_tanh_saturation", "3", "one number"),
    ("check_tanh_saturation", np.array([3.0, 3.1]), "one number"),
    ("check_tanh_saturation", 1.0, "still above 1 %"),
    ("check_tanh_saturation", 3.2, "fell below 0.01 earlier"),
    ("check_perceptron_training", None, "is still None"),
    ("check_perceptron_training", True, "one number"),
    ("check_perceptron_training", 100, "not a percentage"),
    ("check_perceptron_training", 0.98, "98.0%"),
    ("check_vanishing_gradient_ratio", 1 / RATIO, "upside down"),
    ("check_vanishing_gradient_ratio", -RATIO, "sign"),
    ("check_vanishing_gradient_ratio", 2 * RATIO, "factor 2"),
    ("check_vanishing_gradient_ratio", float("nan"), "finite"),
])
def test_value_checks_say_what_is_wrong_without_giving_the_answer_away(name, value, says, failure):
    message = failure(getattr(nn_checks, name), value)
    assert says in message
    assert "expected:" not in message


@pytest.mark.parametrize("z", [np.arctanh(np.sqrt(0.99)), 2.994, 3.0, -3.0, np.float32(3.0)])
def test_tanh_saturation_accepts_the_threshold_read_from_any_reasonable_grid(z, capsys):
    assert nn_checks.check_tanh_saturation(z)
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("name, wrong", [
    ("check_relu_backward", lambda z, g: (z > 0).astype(float)),
    ("check_linear_backward", lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0))),
    ("check_softmax", lambda z: np.exp(z) / np.exp(z).sum()),
    ("check_cross_entropy", lambda z, y: 2.0),
])
def test_reruns_give_the_same_verdict(name, wrong, failure):
    check = getattr(nn_checks, name)
    with np.errstate(over="ignore", invalid="ignore"):
        assert failure(check, wrong) == failure(check, wrong)
