"""dlmi.checks.nn: every check accepts a right answer and rejects wrong ones with an explanation."""

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
}


def test_every_public_check_is_covered_and_exported():
    public = set(nn_checks.__all__)
    assert public == set(CASES)
    for name in public:
        assert getattr(checks, name) is getattr(nn_checks, name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answer_passes_and_wrong_ones_fail_with_an_explanation(name, capsys):
    check = getattr(nn_checks, name)
    right, wrongs = CASES[name]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        assert check(right) is True
        assert "✓" in capsys.readouterr().out
        for wrong in wrongs:
            assert check(wrong) is False
            out = capsys.readouterr().out
            assert "✗" in out and "hint" in out
    assert check("not a function") is False
    assert "expected a function" in capsys.readouterr().out


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


def test_a_forgotten_return_is_named(capsys):
    assert not nn_checks.check_sigmoid(lambda z: None)
    out = capsys.readouterr().out
    assert "forget `return`" in out and "NaN" not in out


@pytest.mark.parametrize("name, wrong", [
    ("check_relu_backward", lambda z, g: (z > 0).astype(float)),
    ("check_linear_backward", lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0))),
    ("check_softmax", lambda z: np.exp(z) / np.exp(z).sum()),
    ("check_cross_entropy", lambda z, y: 2.0),
])
def test_reruns_print_the_same_verdict(name, wrong, capsys):
    check = getattr(nn_checks, name)
    with np.errstate(over="ignore", invalid="ignore"):
        outs = [check(wrong) or capsys.readouterr().out for _ in range(2)]
    assert outs[0] == outs[1]
