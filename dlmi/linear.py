"""Linear and logistic regression from scratch: the normal equation and gradient descent.

Notation of the course (part 2.1): the bias is folded into the weights by a column of ones,
so a design matrix ``X`` is (n, p + 1), the weights ``w = (w0, w1, ..., wp)`` are (p + 1,) and
a prediction is ``X @ w``.

- Linear regression: ``J(w) = (1/n) (y − Xw)ᵀ (y − Xw)``, minimised exactly by the normal
  equation ``ŵ = (XᵀX)⁻¹ Xᵀ y`` (:class:`LinearRegression`).
- Logistic regression: ``f(x) = σ(wᵀx)`` and the mean cross-entropy
  ``J(w) = −(1/n) Σ y log f + (1 − y) log(1 − f)``, minimised by gradient descent
  (:func:`descend_cost`, :class:`LogisticRegressionGD`).
- The perceptron (part 2.3): a step instead of σ, trained by Rosenblatt's rule (:class:`Perceptron`).
- Polynomial (ridge) regression on one input, the overfitting chapter's example
  (:func:`fit_polynomial`, :func:`polynomial_errors`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Sequence

import numpy as np

from .divergence import DivergenceError, divergence_status
from .validation import as_array, check_binary, check_choice, check_positive, check_rng, check_scalar, check_X_y

__all__ = [
    "ConvergenceWarning",
    "Descent",
    "DivergenceError",
    "IllConditionedWarning",
    "LinearRegression",
    "LogisticRegressionGD",
    "Perceptron",
    "PolynomialErrors",
    "add_bias",
    "cost_grid",
    "cross_entropy_cost",
    "cross_entropy_gradient",
    "descend_cost",
    "fit_polynomial",
    "polynomial_design",
    "polynomial_errors",
    "predict_polynomial",
    "sigmoid",
    "squared_error_cost",
    "squared_error_gradient",
]

#: Largest condition number of XᵀX that ``solver="solve"`` accepts. Beyond it the weights
#: lose more than 12 of their 16 significant digits to rounding: XᵀX is singular in practice.
MAX_CONDITION = 1e12

#: Above this condition number :class:`LinearRegression` warns: the system is solvable, but a
#: tiny change in the data moves the weights a lot (nearly redundant features, unscaled units).
WARN_CONDITION = 1e8


class IllConditionedWarning(UserWarning):
    """XᵀX is nearly singular: the weights are unstable even though they could be computed."""


class ConvergenceWarning(UserWarning):
    """Gradient descent stopped before the gradient was small enough."""


# --------------------------------------------------------------------------- costs


def sigmoid(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), elementwise, without overflow for large |z|; float dtype kept.

    The logistic function of logistic regression, and the one implementation of the package
    (``dlmi.nn``'s sigmoid layer and losses use it).
    """
    z = as_array(z, "z", dtype=None, allow_nan=True)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


def add_bias(X) -> np.ndarray:
    """Prepend a column of ones to ``X``: (n, p) -> (n, p + 1); a 1-D ``X`` is one feature."""
    X = as_array(X, "X", ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    return np.hstack([np.ones((X.shape[0], 1)), X])


def _check_w_X_y(w, X, y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = check_X_y(X, y)
    w = as_array(w, "w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w must have one weight per column of X ({X.shape[1]}), got shape {w.shape}")
    return w, X, y


def squared_error_cost(w, X, y) -> float:
    """``J(w) = (1/n) (y − Xw)ᵀ (y − Xw)``; ``X`` (n, d) already holds the column of ones."""
    return _squared_error_cost(*_check_w_X_y(w, X, y))


def squared_error_gradient(w, X, y) -> np.ndarray:
    """``∇J(w) = −(2/n) Xᵀ (y − Xw)``, shape (d,)."""
    return _squared_error_gradient(*_check_w_X_y(w, X, y))


def cross_entropy_cost(w, X, y) -> float:
    """Mean cross-entropy of ``f = σ(Xw)`` against 0/1 labels ``y``; ``X`` (n, d) holds the ones.

    Computed as ``log(1 + e^z) − y z`` with ``z = Xw``, which equals
    ``−y log σ(z) − (1 − y) log(1 − σ(z))`` and stays finite when σ(z) rounds to 0 or 1.
    """
    w, X, y = _check_w_X_y(w, X, y)
    return _cross_entropy_cost(w, X, check_binary(y, "y"))


def cross_entropy_gradient(w, X, y) -> np.ndarray:
    """``∇J(w) = (1/n) Xᵀ (σ(Xw) − y)``, shape (d,)."""
    w, X, y = _check_w_X_y(w, X, y)
    return _cross_entropy_gradient(w, X, check_binary(y, "y"))


# The same four formulas without the input checks, for the inner loop of gradient descent.
def _squared_error_cost(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    residual = y - X @ w
    return float(residual @ residual / len(y))


def _squared_error_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -2.0 / len(y) * X.T @ (y - X @ w)


def _cross_entropy_cost(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    z = X @ w
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def _cross_entropy_gradient(w: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return X.T @ (sigmoid(X @ w) - y) / len(y)


# --------------------------------------------------------------------------- gradient descent


@dataclass(frozen=True)
class Descent:
    """What :func:`descend_cost` did: every iterate, its cost, and a status in words."""

    path: np.ndarray  #: (k + 1, d) weights, from ``w_init`` to the last finite iterate
    costs: np.ndarray  #: (k + 1,) the cost at each row of ``path``
    status: str  #: e.g. "converged at step 17: |∇J| < 1e-6" or "diverged at step 12: |w| > 1e6"
    converged: bool
    diverged: bool

    @property
    def w(self) -> np.ndarray:
        """The last iterate, shape (d,)."""
        return self.path[-1]

    @property
    def cost(self) -> float:
        """The cost at the last iterate."""
        return float(self.costs[-1])


def _short(value: float) -> str:
    """1e-06 -> '1e-6', 1000000.0 -> '1e6': thresholds as people write them."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def descend_cost(
    cost: Callable[[np.ndarray], float],
    gradient: Callable[[np.ndarray], np.ndarray],
    w_init,
    lr: float,
    n_steps: int,
    *,
    tol: float = 0.0,
    simultaneous: bool = True,
    max_norm: float = 1e6,
) -> Descent:
    """Repeat ``w ← w − η ∇J(w)`` for at most ``n_steps`` steps and say how it went.

    Stops early when ``|∇J| < tol`` (converged) or when ``|w| > max_norm`` or the cost is no
    longer finite (diverged); the status says which, in words, and no NaN is ever stored.
    ``simultaneous=False`` updates one weight at a time, each with the gradient recomputed
    at the partly updated weights: the mistake the course warns about.

    ``cost(w) -> float`` and ``gradient(w) -> (d,)`` take the weights ``w`` (d,).
    """
    for fn, name in ((cost, "cost"), (gradient, "gradient")):
        if not callable(fn):
            raise TypeError(f"{name} must be a function of the weights, got {type(fn).__name__}")
    w = as_array(w_init, "w_init", ndim=1).copy()
    check_positive(lr, "lr")
    check_scalar(n_steps, "n_steps", kind=Integral, low=1)
    check_scalar(tol, "tol", low=0.0)
    check_positive(max_norm, "max_norm")
    path, costs = [w.copy()], [float(cost(w))]
    grad = np.asarray(gradient(w), dtype=np.float64)
    if grad.shape != w.shape:
        raise ValueError(f"gradient must return shape {w.shape} like w_init, got {grad.shape}")
    converged = diverged = False
    status = ""
    for step in range(1, n_steps + 1):
        if simultaneous:
            w = w - lr * grad
        else:
            for j in range(w.size):
                w[j] -= lr * np.asarray(gradient(w))[j]
        with np.errstate(over="ignore", invalid="ignore"):
            norm = float(np.linalg.norm(w))
            current = float(cost(w)) if np.isfinite(norm) else np.inf
        if not np.isfinite(norm) or norm > max_norm:
            diverged, status = True, divergence_status("step", step, f"|w| > {_short(max_norm)}")
        elif not np.isfinite(current):
            diverged, status = True, divergence_status("step", step, "the cost J is no longer finite")
        if diverged:
            if np.isfinite(current):
                path.append(w.copy())
                costs.append(current)
            break
        path.append(w.copy())
        costs.append(current)
        grad = np.asarray(gradient(w), dtype=np.float64)
        if np.linalg.norm(grad) < tol:
            converged, status = True, f"converged at step {step}: |∇J| < {_short(tol)}"
            break
    if not status:
        status = f"not converged after {n_steps} steps: |∇J| = {np.linalg.norm(grad):.2g}"
    return Descent(np.array(path), np.array(costs), status, converged, diverged)


def cost_grid(cost: Callable[[np.ndarray], float], w0_values, w1_values) -> np.ndarray:
    """``J`` on a grid: entry ``[i, j]`` is ``cost([w0_values[j], w1_values[i]])``, shape (len(w1), len(w0))."""
    w0_values = as_array(w0_values, "w0_values", ndim=1)
    w1_values = as_array(w1_values, "w1_values", ndim=1)
    return np.array([[cost(np.array([w0, w1])) for w0 in w0_values] for w1 in w1_values])


# --------------------------------------------------------------------------- estimators


class _LinearModel:
    """What both estimators share: weights split into ``intercept_`` and ``coef_``."""

    def _check_features(self, X) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit(X, y) first")
        X = as_array(X, "X", ndim=(1, 2))
        if X.ndim == 1:
            X = X[:, None]
        if X.shape[1] != self.coef_.shape[0]:
            raise ValueError(
                f"X must have {self.coef_.shape[0]} feature column(s) as in fit, got shape {X.shape}"
            )
        return X

    def _store(self, w: np.ndarray) -> None:
        self.intercept_ = float(w[0])
        self.coef_ = w[1:].copy()


class LinearRegression(_LinearModel):
    """Least squares by the normal equation ``ŵ = (XᵀX + αD)⁻¹ Xᵀ y``, bias folded into ``w``.

    ``alpha > 0`` adds a ridge penalty α Σⱼ≥₁ wⱼ² (``D`` is the identity with ``D[0, 0] = 0``:
    the intercept is not penalised), which makes the system invertible.
    ``solver="solve"`` solves the system, warns (:class:`IllConditionedWarning`) when the
    condition number of the matrix is above :data:`WARN_CONDITION` and refuses it
    (``np.linalg.LinAlgError``) above :data:`MAX_CONDITION` (redundant features, more
    features than samples);
    ``solver="pinv"`` uses the pseudo-inverse, which returns the least-squares solution of
    smallest norm in those cases.

    Attributes after ``fit``: ``coef_`` (p,), ``intercept_``, ``condition_number_`` (of the
    matrix that was inverted).
    """

    def __init__(self, solver: str = "solve", alpha: float = 0.0):
        self.solver = solver
        self.alpha = alpha

    def fit(self, X, y) -> "LinearRegression":
        """Learn the weights from ``X`` (n, p) and targets ``y`` (n,); returns ``self``."""
        check_choice(self.solver, "solver", ("solve", "pinv"))
        check_scalar(self.alpha, "alpha", low=0.0)
        X, y = check_X_y(X, y)
        Xb = add_bias(X)
        penalty = np.eye(Xb.shape[1])
        penalty[0, 0] = 0.0
        A = Xb.T @ Xb + self.alpha * penalty
        b = Xb.T @ y
        self.condition_number_ = float(np.linalg.cond(A))
        if self.solver == "pinv":
            w = np.linalg.pinv(A, rcond=1.0 / MAX_CONDITION, hermitian=True) @ b
        elif not self.condition_number_ <= MAX_CONDITION:
            n, p = X.shape
            cause = (
                f"there are more weights (p + 1 = {p + 1}) than samples (n = {n})"
                if p + 1 > n
                else "some features are (nearly) redundant, e.g. the same size in m² and in ft²"
            )
            raise np.linalg.LinAlgError(
                f"XᵀX is singular or ill-conditioned (condition number {self.condition_number_:.2e} "
                f"> {MAX_CONDITION:.0e}): {cause}. Use LinearRegression(solver='pinv') for the "
                "minimum-norm solution, or ridge regression with alpha > 0, e.g. alpha=1.0; "
                "features on very different scales also inflate it: standardise them."
            )
        else:
            w = np.linalg.solve(A, b)
            if self.condition_number_ > WARN_CONDITION:
                remedy = "use ridge regression (alpha > 0)" if self.alpha == 0 else f"increase alpha (now {self.alpha:g})"
                warnings.warn(
                    f"XᵀX is ill-conditioned (condition number {self.condition_number_:.2e} > "
                    f"{WARN_CONDITION:.0e}): the weights are unstable, probably because some features "
                    f"are nearly redundant or on very different scales. Standardise the features, or {remedy}.",
                    IllConditionedWarning,
                    stacklevel=2,
                )
        self._store(w)
        return self

    def predict(self, X) -> np.ndarray:
        """Predictions ``w0 + X w``, shape (n,)."""
        X = self._check_features(X)
        return self.intercept_ + X @ self.coef_


class LogisticRegressionGD(_LinearModel):
    """Unpenalised logistic regression fitted by full-batch gradient descent on the cross-entropy.

    Starts from ``w = 0`` and repeats ``w ← w − lr ∇J(w)`` until ``|∇J| < tol`` or ``n_iter``
    steps (``tol=0``: exactly ``n_iter`` steps, without a warning). Warns (:class:`ConvergenceWarning`) when ``n_iter`` steps were not enough, and raises
    :class:`DivergenceError` when the learning rate is too large: the weights run off, or the
    cost ends higher than it started (with a bounded gradient, logistic regression's usual way).

    Attributes after ``fit``: ``coef_`` (p,), ``intercept_``, ``history_`` (cost after each
    step, ``history_[0]`` at ``w = 0``), ``n_iter_``, ``converged_``, ``status_`` (in words).
    """

    def __init__(self, lr: float = 0.1, n_iter: int = 1000, tol: float = 1e-6):
        self.lr = lr
        self.n_iter = n_iter
        self.tol = tol

    def fit(self, X, y) -> "LogisticRegressionGD":
        """Learn the weights from ``X`` (n, p) and 0/1 labels ``y`` (n,); returns ``self``."""
        check_positive(self.lr, "lr")
        check_scalar(self.n_iter, "n_iter", kind=Integral, low=1)
        check_scalar(self.tol, "tol", low=0.0)
        X, y = check_X_y(X, y)
        y = check_binary(y, "y")
        Xb = add_bias(X)
        run = descend_cost(
            lambda w: _cross_entropy_cost(w, Xb, y),
            lambda w: _cross_entropy_gradient(w, Xb, y),
            np.zeros(Xb.shape[1]),
            self.lr,
            self.n_iter,
            tol=self.tol,
        )
        if run.diverged or run.cost > run.costs[0]:
            what = run.status if run.diverged else (
                f"diverged: the cost rose from {run.costs[0]:.3g} to {run.cost:.3g} in {len(run.costs) - 1} steps"
            )
            raise DivergenceError(
                f"gradient descent {what} with lr={self.lr:g}: the learning rate is too large "
                "for these features; use a smaller lr or standardise the features"
            )
        self._store(run.w)
        self.history_ = run.costs
        self.n_iter_ = len(run.costs) - 1
        self.converged_ = run.converged
        self.status_ = run.status
        if not run.converged and self.tol > 0:
            warnings.warn(
                f"gradient descent {run.status} > tol={self.tol:g}: increase n_iter or lr, "
                "or standardise the features",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def decision_function(self, X) -> np.ndarray:
        """``wᵀx`` for each row: positive means class 1, shape (n,)."""
        X = self._check_features(X)
        return self.intercept_ + X @ self.coef_

    def predict_proba(self, X) -> np.ndarray:
        """``[P(y = 0 | x), P(y = 1 | x)]`` for each row, shape (n, 2), as in scikit-learn."""
        p1 = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """Class 1 where ``σ(wᵀx) ≥ 0.5``, i.e. ``wᵀx ≥ 0``; int array (n,)."""
        return (self.decision_function(X) >= 0.0).astype(int)


# --------------------------------------------------------------------------- the 1958 perceptron


class Perceptron:
    """Rosenblatt's perceptron: ŷ = step(w0 + xᵀw) with labels 0/1, trained by the rule

        w ← w + η (y − ŷ) x,   w0 ← w0 + η (y − ŷ)

    applied sample by sample, which moves the line only on mistakes. It converges when the
    classes are linearly separable and never settles otherwise. ``rng`` (an int seed, a numpy
    Generator or None) orders the samples of each epoch when ``shuffle``.

    Learned attributes: ``coef_`` (p,), ``intercept_`` (float), ``mistakes_`` (n_epochs_run,)
    the number of misclassified samples during each epoch.
    """

    def __init__(self, lr: float = 1.0, n_epochs: int = 100, shuffle: bool = True, rng=0) -> None:
        self.lr = lr
        self.n_epochs = n_epochs
        self.shuffle = shuffle
        self.rng = rng

    def fit(self, X, y) -> "Perceptron":
        X, y = check_X_y(X, y)
        y = check_binary(y)
        check_positive(self.lr, "lr")
        check_scalar(self.n_epochs, "n_epochs", kind=Integral, low=1)
        rng = check_rng(self.rng)
        self.coef_ = np.zeros(X.shape[1])
        self.intercept_ = 0.0
        mistakes = []
        for _ in range(self.n_epochs):
            order = rng.permutation(len(y)) if self.shuffle else np.arange(len(y))
            n_wrong = 0
            for i in order:
                y_hat = float(self.intercept_ + X[i] @ self.coef_ > 0)
                error = y[i] - y_hat  # 0 when right, ±1 when wrong
                self.coef_ += self.lr * error * X[i]
                self.intercept_ += self.lr * error
                n_wrong += int(error != 0)
            mistakes.append(n_wrong)
            if n_wrong == 0:
                break
        self.mistakes_ = np.array(mistakes)
        return self

    def decision_function(self, X) -> np.ndarray:
        """w0 + xᵀw for each row of X (n, p) → (n,); a 1-D X is one feature, as in ``fit``."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("this Perceptron is not fitted yet: call fit(X, y) first")
        X = as_array(X, "X", ndim=(1, 2))
        X = X[:, None] if X.ndim == 1 else X
        if X.shape[1] != self.coef_.shape[0]:
            raise ValueError(f"X must have {self.coef_.shape[0]} columns, got shape {X.shape}")
        return X @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """Labels 0/1, shape (n,): 1 where w0 + xᵀw > 0."""
        return (self.decision_function(X) > 0).astype(np.float64)

    def score(self, X, y) -> float:
        """Accuracy in [0, 1]."""
        X, y = check_X_y(X, y)
        return float(np.mean(self.predict(X) == y))


# --------------------------------------------------------------------------- polynomial regression


def polynomial_design(x, degree: int) -> np.ndarray:
    """Features 1, P₁(t), …, P_degree(t) of ``x`` (n,) in [0, 1], with t = 2x − 1 and P_k the Legendre
    polynomials: the same models as 1, x, …, x^degree, but well conditioned. Shape (n, degree + 1)."""
    x = as_array(x, "x", ndim=1)
    check_scalar(degree, "degree", kind=Integral, low=0)
    return np.polynomial.legendre.legvander(2 * x - 1, int(degree))


def fit_polynomial(x, y, degree: int, l2: float = 0.0) -> np.ndarray:
    """Coefficients (degree + 1,) minimising (1/n) Σ (y − f(x))² + ``l2`` ‖c‖² (the constant unpenalised)."""
    x, y = check_X_y(x, y, X_name="x")
    check_scalar(l2, "l2", low=0.0)
    A = polynomial_design(x[:, 0], degree)
    if l2 == 0:
        return np.linalg.lstsq(A, y, rcond=None)[0]
    penalty = len(y) * l2 * np.diag([0.0] + [1.0] * degree)
    return np.linalg.solve(A.T @ A + penalty, A.T @ y)


def predict_polynomial(coef, x) -> np.ndarray:
    """f(x) for the coefficients of :func:`fit_polynomial`, shape of ``x``."""
    coef = as_array(coef, "coef", ndim=1)
    return polynomial_design(x, len(coef) - 1) @ coef


@dataclass
class PolynomialErrors:
    """Mean squared errors of one least-squares fit per degree."""

    degrees: np.ndarray
    coefs: list[np.ndarray]
    train_mse: np.ndarray
    val_mse: np.ndarray

    @property
    def best_degree(self) -> int:
        """The degree with the lowest validation error."""
        return int(self.degrees[np.argmin(self.val_mse)])

    def index(self, degree: int) -> int:
        """Position of ``degree`` in ``degrees``."""
        matches = np.flatnonzero(self.degrees == degree)
        if not matches.size:
            raise ValueError(f"degree must be one of {self.degrees.tolist()}, got {degree}")
        return int(matches[0])


def polynomial_errors(x_train, y_train, x_val, y_val, degrees: Sequence[int] = range(16)) -> PolynomialErrors:
    """Fit each degree on the training set; its training and validation mean squared errors."""
    x_train, y_train = check_X_y(x_train, y_train, X_name="x_train", y_name="y_train")
    x_val, y_val = check_X_y(x_val, y_val, X_name="x_val", y_name="y_val")
    degrees = np.array([check_scalar(d, "degrees", kind=Integral, low=0) for d in degrees])
    coefs = [fit_polynomial(x_train[:, 0], y_train, d) for d in degrees]
    train = np.array([np.mean((predict_polynomial(c, x_train[:, 0]) - y_train) ** 2) for c in coefs])
    val = np.array([np.mean((predict_polynomial(c, x_val[:, 0]) - y_val) ** 2) for c in coefs])
    return PolynomialErrors(degrees, coefs, train, val)
