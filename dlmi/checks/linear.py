"""Checks for the exercises of notebooks 01 (linear regression) and 02 (logistic regression).

Every design matrix ``X`` given to the student's function already holds the column of ones,
as in the course: ``X`` is (n, p + 1) and ``w`` is (p + 1,). The student gets copies, so an
in-place change cannot touch the reference.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..linear import cross_entropy_gradient, sigmoid, squared_error_cost
from .core import check_function


def _problem(rng: np.random.Generator, n: int, p: int, binary: bool = False):
    """A random ``(w, X, y)`` with a column of ones in ``X``."""
    X = np.hstack([np.ones((n, 1)), rng.normal(size=(n, p))])
    w = rng.normal(size=p + 1)
    y = (rng.random(n) < sigmoid(X @ w)).astype(float) if binary else X @ w + rng.normal(size=n)
    return w, X, y


# --------------------------------------------------------------------------- notebook 01


def check_squared_error_cost(fn: Callable) -> bool:
    """``fn(w, X, y)`` → ``J(w) = (1/n) (y − Xw)ᵀ (y − Xw)``, one number."""
    rng = np.random.default_rng(1)
    cases = [_problem(rng, 5, 1), _problem(rng, 30, 3), _problem(rng, 8, 2)]
    return check_function(
        "squared_error_cost", fn, cases, squared_error_cost,
        hint="J is the mean of the squared residuals y − X @ w: one number, not a vector",
        mistakes={
            "you summed the squared residuals instead of averaging them (a factor n too large)":
                lambda w, X, y: len(y) * squared_error_cost(w, X, y),
            "you averaged the residuals before squaring them":
                lambda w, X, y: float(np.mean(y - X @ w) ** 2),
        },
    )


def _normal_equation(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.solve(X.T @ X, X.T @ y)


def check_normal_equation(fn: Callable) -> bool:
    """``fn(X, y)`` → ``ŵ = (XᵀX)⁻¹ Xᵀ y``, shape (p + 1,)."""
    rng = np.random.default_rng(2)
    cases = [_problem(rng, n, p)[1:] for n, p in [(10, 1), (40, 3), (25, 5)]]
    return check_function(
        "normal_equation", fn, cases, _normal_equation,
        hint="ŵ = (XᵀX)⁻¹ Xᵀ y: np.linalg.solve(X.T @ X, X.T @ y) solves it without forming the inverse",
        mistakes={"you multiplied by XᵀX instead of inverting it": lambda X, y: X.T @ X @ X.T @ y},
        tol=1e-8,
    )


def _ridge(X: np.ndarray, y: np.ndarray, alpha: float, penalise_intercept: bool = False) -> np.ndarray:
    penalty = np.eye(X.shape[1])
    if not penalise_intercept:
        penalty[0, 0] = 0.0
    return np.linalg.solve(X.T @ X + alpha * penalty, X.T @ y)


def check_ridge(fn: Callable) -> bool:
    """``fn(X, y, alpha)`` → ``(XᵀX + αD)⁻¹ Xᵀ y``, with ``D`` the identity except ``D[0, 0] = 0``."""
    rng = np.random.default_rng(3)
    cases = [(*_problem(rng, n, p)[1:], alpha) for n, p, alpha in [(12, 2, 1.0), (30, 4, 10.0), (6, 8, 0.5)]]
    return check_function(
        "ridge", fn, cases, _ridge,
        hint="add alpha to the diagonal of XᵀX except its first entry: the intercept w0 is not penalised",
        mistakes={"you also penalised the intercept w0 (alpha on every diagonal entry)":
                  lambda X, y, alpha: _ridge(X, y, alpha, penalise_intercept=True)},
        tol=1e-8,
    )


# --------------------------------------------------------------------------- notebook 02


def check_one_hot(fn: Callable) -> bool:
    """``fn(labels, n_classes)`` → (n, K) indicator matrix: row i is 1 in column ``labels[i]``, 0 elsewhere."""
    cases = [(np.array([0, 2, 1, 2]), 3), (np.array([1, 1, 0]), 2), (np.array([3, 0]), 5)]
    return check_function(
        "one_hot", fn, cases, lambda labels, k: np.eye(k)[labels],
        hint="start from np.zeros((len(labels), n_classes)) and put a 1 in column labels[i] of row i",
        tol=0.0,
    )


def check_logistic(fn: Callable) -> bool:
    """``fn(z)`` → ``σ(z) = 1 / (1 + e^(−z))`` elementwise, including large |z|."""
    cases = [(np.array([0.0]),), (np.linspace(-6.0, 6.0, 13),), (np.array([-40.0, -5.0, 5.0, 40.0]),)]
    with np.errstate(over="ignore"):
        return check_function(
            "logistic", fn, cases, sigmoid,
            hint="σ(z) = 1 / (1 + np.exp(-z)): σ(0) = 0.5, σ(large z) → 1, σ(−large z) → 0",
            mistakes={"you computed σ(−z): check the sign inside the exponential": lambda z: sigmoid(-z)},
        )


def check_logistic_gradient(fn: Callable) -> bool:
    """``fn(w, X, y)`` → ``∇J(w) = (1/n) Xᵀ (σ(Xw) − y)`` of the mean cross-entropy, shape (p + 1,)."""
    rng = np.random.default_rng(4)
    cases = [_problem(rng, n, p, binary=True) for n, p in [(6, 1), (50, 2), (20, 4)]]
    return check_function(
        "logistic_gradient", fn, cases, cross_entropy_gradient,
        hint="∇J = (1/n) Xᵀ (σ(Xw) − y): one entry per weight",
        mistakes={
            "the sign is flipped: you computed (1/n) Xᵀ (y − σ(Xw))": lambda w, X, y: -cross_entropy_gradient(w, X, y),
            "you forgot the 1/n: that is the gradient of the sum, not of the mean":
                lambda w, X, y: len(y) * cross_entropy_gradient(w, X, y),
        },
    )


def _step(w: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float) -> np.ndarray:
    return w - lr * cross_entropy_gradient(w, X, y)


def _sequential_step(w: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float) -> np.ndarray:
    w = w.copy()
    for j in range(w.size):
        w[j] -= lr * cross_entropy_gradient(w, X, y)[j]
    return w


def check_gradient_descent_step(fn: Callable) -> bool:
    """``fn(w, X, y, lr)`` → ``w − lr ∇J(w)`` for the cross-entropy: one simultaneous update of every weight."""
    rng = np.random.default_rng(5)
    cases = [(*_problem(rng, n, p, binary=True), lr) for n, p, lr in [(10, 1, 0.5), (40, 2, 2.0), (30, 3, 1.0)]]
    return check_function(
        "gradient_descent_step", fn, cases, _step,
        hint="compute the whole gradient at the old w first, then return w - lr * gradient",
        mistakes={
            "your updates are sequential: w1 was updated with a gradient computed after w0 had changed":
                _sequential_step,
            "you climbed the gradient (w + lr ∇J) instead of descending it": lambda w, X, y, lr: _step(w, X, y, -lr),
        },
    )
