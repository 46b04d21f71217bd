"""Exercise checks for notebooks 03–05: activations, the perceptron rule, backprop, losses.

Each ``check_*`` calls the student's function on prepared inputs and compares with ``dlmi.nn``'s
answer: it prints ✓ and returns ``True``, or raises ``CheckFailed`` saying what went wrong. The
value checks (``check_tanh_saturation``, ``check_perceptron_training``,
``check_vanishing_gradient_ratio``) judge a number the student computed without giving it away.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .. import nn
from .core import call, check_function, close, describe, failed, mismatch, number, passed

__all__ = [
    "check_cross_entropy",
    "check_linear_backward",
    "check_perceptron_training",
    "check_perceptron_update",
    "check_relu_backward",
    "check_sigmoid",
    "check_softmax",
    "check_squared_error_logit_gradient",
    "check_tanh_derivative",
    "check_tanh_saturation",
    "check_two_weight_gradients",
    "check_vanishing_gradient_ratio",
]


def _compare_parts(name: str, expected: tuple, got, labels: tuple[str, ...], *, tol: float, hint: str,
                   case: str = "") -> None:
    """Compare a tuple of results part by part; fail on the first wrong part (``case`` names the input)."""
    where = f", for {case}" if case else ""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        failed(name, f"expected a tuple of {len(expected)} values ({', '.join(labels)}){where}", got=got, hint=hint)
    for label, e, g in zip(labels, expected, got):
        reason = mismatch(e, g, tol=tol)
        if reason is not None:
            failed(name, f"{label}: {reason}{where}", expected=e, got=g, hint=hint)


# --------------------------------------------------------------------------------------------
# Notebook 03
# --------------------------------------------------------------------------------------------
def check_sigmoid(fn: Callable) -> bool:
    """``fn(z)`` must return σ(z) = 1 / (1 + e^(−z)) elementwise, for any array ``z``."""
    cases = [(np.array([0.0]),), (np.linspace(-6, 6, 13),), (np.array([-30.0, -5.0, 5.0, 30.0]),)]
    return check_function(
        "sigmoid", fn, cases, nn.sigmoid, tol=1e-6,
        hint="σ(z) = 1 / (1 + np.exp(-z)), applied to the whole array at once; σ(0) = 0.5",
    )


def check_tanh_derivative(fn: Callable) -> bool:
    """``fn(z)`` must return g'(z) = 1 − tanh(z)² elementwise."""
    cases = [(np.array([0.0]),), (np.linspace(-3, 3, 13),)]
    return check_function(
        "tanh derivative", fn, cases, lambda z: 1 - np.tanh(z) ** 2, tol=1e-6,
        hint="g'(z) = 1 − g(z)² with g = np.tanh; at z = 0 the slope is 1",
    )


def check_tanh_saturation(z_one_percent) -> bool:
    """``z_one_percent``: the smallest |z| at which tanh's slope 1 − tanh(z)² falls below 1 % of its value at 0.

    Read from a grid, so any |z| from the threshold (about 3) to 0.05 past it passes; the message
    says on which side a wrong value lies, never the threshold itself.
    """
    name = "tanh saturation"
    hint = ("evaluate tanh_derivative on a fine grid such as np.linspace(0, 5, 5001) and take the first z "
            "where it is below 0.01 (np.argmax of a boolean array finds the first True)")
    z = abs(number(name, z_one_percent, what="`z_one_percent`", hint=hint))
    slope = 1 - np.tanh(z) ** 2
    if slope > 0.0102:  # 1 % of the slope at 0 (which is 1), with the slack of a grid step of 0.01
        failed(name, f"at |z| = {z:.3g} the slope is {slope:.3g}, still above 1 % of its value at 0 (which is 1)",
               hint=hint)
    if 1 - np.tanh(max(z - 0.05, 0.0)) ** 2 < 0.01:
        failed(name, f"at |z| = {z:.3g} the slope is {slope:.2g}, but it fell below 0.01 earlier: "
               "find the first |z| where it does", hint=hint)
    return passed(name, f"past |z| ≈ {z:.2f} tanh is flat: its slope is below 1 % of its slope at 0")


def _perceptron_step(w, w0, x, y, lr):
    y_hat = float(w0 + x @ w > 0)
    return w + lr * (y - y_hat) * x, w0 + lr * (y - y_hat)


def check_perceptron_update(fn: Callable) -> bool:
    """``fn(w, w0, x, y, lr) -> (w, w0)``: one step of the perceptron rule on one sample.

    ŷ = 1 if w0 + xᵀw > 0 else 0;  w ← w + η (y − ŷ) x;  w0 ← w0 + η (y − ŷ).
    """
    name = "perceptron update"
    hint = "ŷ = 1 if w0 + x·w > 0 else 0; then w + lr·(y − ŷ)·x and w0 + lr·(y − ŷ): no change when ŷ = y"
    w = np.array([0.5, -1.0])
    cases = [  # right (no change), a missed positive, a false positive
        (w, 0.2, np.array([1.0, 0.0]), 1.0, 0.1),
        (w, 0.2, np.array([0.0, 2.0]), 1.0, 0.1),
        (w, 0.2, np.array([1.0, -1.0]), 0.0, 0.5),
    ]
    for args in cases:
        got = call(name, fn, *(a.copy() if isinstance(a, np.ndarray) else a for a in args), hint=hint)
        _compare_parts(name, _perceptron_step(*args), got, ("w", "w0"), tol=1e-9, hint=hint,
                       case=describe(args, fn))
    return passed(name, "the line moves only on mistakes")


def check_perceptron_training(accuracy) -> bool:
    """``accuracy``: the training accuracy, a fraction in [0, 1], after 20 epochs of the perceptron rule
    on linearly separable data; the rule separates such data, so it must be 1."""
    name = "perceptron training"
    hint = ("start from w = 0, w0 = 0; for each of the 20 epochs, call perceptron_update on every sample "
            "(x_i, y_i) in turn with lr = 1; then accuracy = the mean of (w0 + X_sep @ w > 0) == (y_sep == 1)")
    value = number(name, accuracy, what="`accuracy`", hint=hint)
    if not 0 <= value <= 1:
        failed(name, f"`accuracy` is {value:g}: it must be a fraction between 0 and 1, not a percentage or "
               "a count", hint=hint)
    if value < 1:
        failed(name, f"training accuracy {value:.1%} after 20 epochs: on linearly separable data the perceptron "
               "rule classifies every training sample right", hint=hint)
    return passed(name, "100 % training accuracy: the rule found a separating line")


# --------------------------------------------------------------------------------------------
# Notebook 04
# --------------------------------------------------------------------------------------------
def check_relu_backward(fn: Callable) -> bool:
    """``fn(z, grad_out)`` must return ∂J/∂z = grad_out · 1[z > 0] (same shape as ``z``)."""
    z = np.array([[-2.0, -0.5, 0.3, 4.0], [1.0, -1.0, 2.0, -3.0]])
    grad_out = np.random.default_rng(41).normal(size=z.shape)

    def reference(z, grad_out):
        layer = nn.ReLU()
        layer.forward(z)
        return layer.backward(grad_out)

    return check_function(
        "ReLU backward", fn, [(z, grad_out)], reference, tol=1e-12,
        hint="the incoming gradient passes where z > 0 and is 0 elsewhere: grad_out * (z > 0)",
    )


def check_linear_backward(fn: Callable) -> bool:
    """``fn(x, W, grad_out) -> (grad_x, grad_W, grad_w0)`` for z = x W + w0.

    Shapes: x (n, d_in), W (d_in, d_out), grad_out (n, d_out).
    """
    name = "Linear backward"
    hint = "∂J/∂x = grad_out @ W.T, ∂J/∂W = x.T @ grad_out, ∂J/∂w0 = grad_out.sum(axis=0); check the shapes"
    rng = np.random.default_rng(42)
    x, W, grad_out = rng.normal(size=(5, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    layer = nn.Linear(3, 2, rng=0)
    layer.params["W"][...] = W
    layer.forward(x)
    grad_x = layer.backward(grad_out)
    got = call(name, fn, x.copy(), W.copy(), grad_out.copy(), hint=hint)
    expected = (grad_x, layer.grads["W"], layer.grads["w0"])
    _compare_parts(name, expected, got, ("grad_x", "grad_W", "grad_w0"), tol=1e-9, hint=hint,
                   case=describe((x, W, grad_out), fn))
    return passed(name, "∂J/∂x, ∂J/∂W and ∂J/∂w0 all match")


def _two_weight_gradients(x: float, y: float, w1: float, w2: float) -> tuple[float, float]:
    """The slides' chain x → z1 = w1 x → a = σ(z1) → ŷ = w2 a → J = (ŷ − y)²: (∂J/∂w1, ∂J/∂w2)."""
    z1 = w1 * x
    a = 1 / (1 + np.exp(-z1))
    y_hat = w2 * a
    dJ_dyhat = 2 * (y_hat - y)
    return dJ_dyhat * w2 * a * (1 - a) * x, dJ_dyhat * a


def check_two_weight_gradients(fn: Callable) -> bool:
    """``fn(x, y, w1, w2) -> (dJ_dw1, dJ_dw2)`` for the slides' two-weight network with a sigmoid
    between the weights and the squared error J = (ŷ − y)²."""
    name = "two-weight gradients"
    hint = ("∂J/∂w2 = ∂J/∂ŷ · ∂ŷ/∂w2 = 2(ŷ − y) · σ(z1);  ∂J/∂w1 = ∂J/∂ŷ · ∂ŷ/∂z1 · ∂z1/∂w1 "
            "= 2(ŷ − y) · w2 σ(z1)(1 − σ(z1)) · x")
    for args in [(2.0, 1.0, 0.5, -1.0), (-1.0, 0.0, 1.5, 2.0), (0.3, 2.0, -2.0, 0.7)]:
        got = call(name, fn, *args, hint=hint)
        _compare_parts(name, _two_weight_gradients(*args), got, ("dJ_dw1", "dJ_dw2"), tol=1e-6, hint=hint,
                       case=describe(args, fn))
    return passed(name, "the chain rule, link by link")


# --------------------------------------------------------------------------------------------
# Notebook 05
# --------------------------------------------------------------------------------------------
def check_softmax(fn: Callable) -> bool:
    """``fn(z)`` must return the softmax of each row of ``z`` (n, C), even for huge logits."""
    cases = [
        (np.array([[1.0, 2.0, 3.0]]),),
        (np.random.default_rng(51).normal(size=(4, 5)),),
        (np.array([[1000.0, 999.0, 0.0], [-1000.0, -1000.0, -999.0]]),),
    ]
    return check_function(
        "softmax", fn, cases, lambda z: nn.softmax(z, axis=1), tol=1e-6,
        hint="exp of each logit divided by the row's sum (axis=1, keepdims=True); subtract each row's "
             "maximum first, or exp(1000) overflows",
    )


def check_cross_entropy(fn: Callable) -> bool:
    """``fn(logits, labels)`` must return the mean multi-class cross-entropy (a float).

    ``logits`` (n, C), ``labels`` (n,) integers in [0, C).
    """
    cases = [
        (np.array([[2.0, 0.5, -1.0]]), np.array([0])),
        (np.random.default_rng(52).normal(size=(6, 4)), np.array([0, 3, 1, 2, 2, 0])),
        (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 0])),
    ]
    return check_function(
        "cross-entropy", fn, cases, lambda z, y: nn.CrossEntropyLoss().forward(z, y), tol=1e-6,
        hint="−log softmax(z)[label] for each row, averaged over rows; log softmax = z − max − "
             "log Σ exp(z − max) stays finite for large logits",
    )


def check_squared_error_logit_gradient(fn: Callable) -> bool:
    """``fn(z, y)`` must return ∂/∂z of (σ(z) − y)² elementwise: 2 (σ(z) − y) σ(z)(1 − σ(z))."""

    def reference(z, y):
        s = nn.sigmoid(z)
        return 2 * (s - y) * s * (1 - s)

    z = np.array([-8.0, -2.0, 0.0, 1.0, 8.0])
    return check_function(
        "squared-error gradient w.r.t. the logit", fn,
        [(z, np.ones_like(z)), (z, np.zeros_like(z))], reference, tol=1e-6,
        hint="chain rule: ∂(σ − y)²/∂σ = 2(σ − y), times σ'(z) = σ(z)(1 − σ(z))",
    )


def check_vanishing_gradient_ratio(ratio) -> bool:
    """``ratio``: at z = −8, y = 1, the cross-entropy's gradient σ(z) − y over the squared error's
    2 (σ(z) − y) σ(z)(1 − σ(z)), i.e. how many times smaller the squared error's gradient is."""
    name = "vanishing gradient ratio"
    hint = "ratio = (σ(−8) − 1) / squared_error_logit_gradient(−8.0, 1.0): the cross-entropy's gradient on top"
    value = number(name, ratio, what="`ratio`", hint=hint)
    s = nn.sigmoid(np.array(-8.0))
    expected = float(1 / (2 * s * (1 - s)))
    mistakes = {
        "this is the ratio upside down: the squared error's gradient over the cross-entropy's": 1 / expected,
        "the sign is wrong: both gradients are negative at z = −8, y = 1, so their ratio is positive": -expected,
        "a factor 2 is missing: the derivative of (σ − y)² is 2 (σ − y) σ'": 2 * expected,
    }
    for problem, wrong in mistakes.items():
        if close(value, wrong, rtol=1e-3):
            failed(name, problem, got=value, hint=hint)
    if not close(value, expected, rtol=1e-3):
        failed(name, f"`ratio` = {value:.4g} is not the cross-entropy's gradient over the squared error's "
               "at z = −8, y = 1", hint=hint)
    return passed(name, f"at z = −8 the squared error's gradient is {value:.0f} times smaller")
