"""Recalibrating a classifier's probabilities on a tuning set: temperature scaling and Platt scaling.

A network trained with the cross-entropy is often over-confident: its probabilities sit nearer 0
and 1 than its accuracy warrants (Guo et al., "On calibration of modern neural networks", ICML
2017). Both estimators learn, on a *tuning* set that the network did not train on, an increasing
map from score to probability, so that the ranking of the images (and the AUC) stays the same and
only the probabilities move:

- ``TemperatureScaling``: p = σ(z / T), the logits z divided by one learned temperature T > 0;
  T > 1 softens over-confident probabilities, T < 1 sharpens timid ones;
- ``PlattScaling`` (Platt 1999): p = σ(a·s + b), a logistic regression of the label on any score
  s (a logit, an SVM's margin), two parameters.

Both take (n,) scores — one binary problem — or (n, K) — K findings, each calibrated on its own
column — with 0/1 labels of the same shape, and follow scikit-learn: ``fit`` learns from what it is
given and nothing else, and returns the estimator; learned attributes end with ``_``.

    scaler = TemperatureScaling().fit(tuning_logits, tuning_labels)
    probabilities = scaler.predict_proba(test_logits)
    expected_calibration_error(test_labels, probabilities)   # dlmi.metrics: lower than before
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from .validation import as_array, check_binary

__all__ = ["PlattScaling", "TemperatureScaling"]

#: The temperatures ``TemperatureScaling`` searches, [1e-3, 1e3], as bounds on log T.
_LOG_T_BOUNDS = (np.log(1e-3), np.log(1e3))


def _cross_entropy(s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of logits ``s`` against labels ``y``, element-wise: log(1 + eˢ) − y·s.

    The same as −[y log σ(s) + (1 − y) log(1 − σ(s))], written so that no log of 0 is ever taken.
    """
    return np.logaddexp(0.0, s) - y * s


def _check_scores_and_labels(scores, y, name: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Scores (called ``name``) and 0/1 labels ``y`` of the same shape, as (n, K) float64; ``True`` when 1-D."""
    scores = as_array(scores, name, ndim=(1, 2))
    y = check_binary(as_array(y, "y", ndim=(1, 2)), "y")
    if scores.shape != y.shape:
        raise ValueError(f"{name} and y must have the same shape, got {scores.shape} and {y.shape}")
    flat = scores.ndim == 1
    return (scores[:, None], y[:, None], True) if flat else (scores, y, False)


def _warn_if_unbounded(z: np.ndarray, y: np.ndarray, n_params: int) -> None:
    """Warn where the best temperature is 0 or ∞, i.e. where the cross-entropy has no minimum at a finite T > 0.

    In β = 1/T the cross-entropy L(β) = mean(log(1 + e^{βz}) − yβz) is convex, with slope
    mean((½ − y) z) at β = 0: when that slope is ≥ 0 the logits are no better than chance and
    the best T is ∞; when every logit has the sign of its label (z > 0 for y = 1, z < 0 for
    y = 0), L falls for ever as β grows and the best T is 0. ``fit`` then stops wherever the
    optimiser stops (inside [1e-3, 1e3]), which means nothing.
    """
    columns = [slice(None)] if n_params == 1 else [slice(k, k + 1) for k in range(z.shape[1])]
    for k, cols in enumerate(columns):
        zk, yk = z[:, cols], y[:, cols]
        if np.mean((0.5 - yk) * zk) >= 0:
            problem = "are no better than chance on the tuning labels: the best temperature is infinite"
        elif np.all(zk * (2 * yk - 1) >= 0):
            problem = "separate the tuning labels perfectly: the best temperature is 0"
        else:
            continue
        where = "the logits" if n_params == 1 else f"the logits of column {k}"
        warnings.warn(f"{where} {problem}, and temperature_ is where the search stopped (tune on more, or "
                      "held-out, data)", RuntimeWarning, stacklevel=3)


class _Calibrator:
    """What both estimators share: the check of the scores given to ``predict_proba``."""

    _input = "scores"

    def _check_input(self, scores) -> tuple[np.ndarray, bool]:
        if not hasattr(self, "n_columns_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit({self._input}, y) first")
        scores = as_array(scores, self._input, ndim=(1, 2))
        columns = None if scores.ndim == 1 else scores.shape[1]
        if columns != self.n_columns_:
            fitted = "(n,)" if self.n_columns_ is None else f"(n, {self.n_columns_})"
            raise ValueError(f"{self._input} must have shape {fitted} as in fit, got shape {scores.shape}")
        return (scores[:, None], True) if columns is None else (scores, False)


class TemperatureScaling(_Calibrator):
    """Probabilities σ(z / T) from logits z, with the temperature T > 0 fitted on a tuning set.

    ``fit(logits, y)`` chooses T to minimise the tuning set's binary cross-entropy

        L(T) = −(1/n) Σᵢ [yᵢ log σ(zᵢ/T) + (1 − yᵢ) log(1 − σ(zᵢ/T))],

    searching u = log T (so that T stays positive) in [log 1e-3, log 1e3] by L-BFGS-B with the exact
    gradient dL/du = −(1/n) Σᵢ (σ(zᵢ/T) − yᵢ) zᵢ/T. Where no finite T > 0 is best (tuning logits that
    separate the labels perfectly, or that are no better than chance) a warning says so.

    Parameters
    ----------
    shared : bool, default False
        For (n, K) logits: ``False`` fits one temperature per column (K findings, each its own
        over-confidence); ``True`` one temperature for all columns, fitted on their summed
        cross-entropies. Irrelevant for (n,) logits.

    Attributes
    ----------
    temperature_ : float or ndarray of shape (K,)
        A float for (n,) logits or ``shared=True``, else one temperature per column.
    n_columns_ : int or None
        K, or None when fitted on (n,) logits; ``predict_proba`` takes logits of that shape.
    """

    _input = "logits"

    def __init__(self, shared: bool = False):
        self.shared = shared

    def fit(self, logits, y) -> "TemperatureScaling":
        """Fit the temperature on tuning ``logits`` (n,) or (n, K) and their 0/1 labels ``y`` (same shape)."""
        if not isinstance(self.shared, bool):
            raise TypeError(f"shared must be True or False, got {self.shared!r}")
        z, y, flat = _check_scores_and_labels(logits, y, "logits")
        n, K = z.shape
        n_params = 1 if self.shared or flat else K

        def loss_and_gradient(u: np.ndarray) -> tuple[float, np.ndarray]:
            s = z * np.exp(-u)  # z / T, with u broadcast over the columns
            gradient = -((expit(s) - y) * s).sum(axis=0) / n
            return _cross_entropy(s, y).sum() / n, (gradient.sum(keepdims=True) if n_params == 1 else gradient)

        _warn_if_unbounded(z, y, n_params)
        result = minimize(loss_and_gradient, np.zeros(n_params), jac=True, method="L-BFGS-B",
                          bounds=[_LOG_T_BOUNDS] * n_params, options={"ftol": 1e-14, "gtol": 1e-10})
        temperature = np.exp(result.x)
        self.temperature_ = float(temperature[0]) if n_params == 1 else temperature
        self.n_columns_ = None if flat else K
        return self

    def predict_proba(self, logits) -> np.ndarray:
        """σ(logits / T), of the shape of ``logits`` ((n,) or (n, K), as in ``fit``)."""
        z, flat = self._check_input(logits)
        p = expit(z / self.temperature_)
        return p[:, 0] if flat else p


class PlattScaling(_Calibrator):
    """Probabilities σ(a·s + b) from scores s: a logistic regression of the label on the score.

    ``fit(scores, y)`` finds the slope a and the intercept b of each column by maximum likelihood
    (the binary cross-entropy of the tuning set, minimised by L-BFGS-B with the exact gradient, on
    standardised scores so that any scale of score converges alike). Unlike Platt's paper, which
    moves the targets 0 and 1 slightly towards the prevalence, the labels are used as they are:
    on tuning scores that separate the labels perfectly, the slope grows very large (probabilities
    near 0 and 1), as in any unpenalised logistic regression.

    Attributes
    ----------
    coef_, intercept_ : float or ndarray of shape (K,)
        a and b: floats for (n,) scores, one per column for (n, K).
    n_columns_ : int or None
        K, or None when fitted on (n,) scores; ``predict_proba`` takes scores of that shape.
    """

    def fit(self, scores, y) -> "PlattScaling":
        """Fit a and b on tuning ``scores`` (n,) or (n, K) and their 0/1 labels ``y`` (same shape)."""
        s, y, flat = _check_scores_and_labels(scores, y, "scores")
        n, K = s.shape
        centre, scale = s.mean(axis=0), s.std(axis=0)
        if np.any(scale == 0):
            raise ValueError(f"scores column(s) {np.flatnonzero(scale == 0).tolist()} are constant: "
                             "there is no slope to fit")
        x = (s - centre) / scale

        def loss_and_gradient(params: np.ndarray) -> tuple[float, np.ndarray]:
            a, b = params[:K], params[K:]
            t = a * x + b
            residual = expit(t) - y  # d(cross-entropy)/dt
            return _cross_entropy(t, y).sum() / n, np.r_[(residual * x).sum(axis=0), residual.sum(axis=0)] / n

        result = minimize(loss_and_gradient, np.zeros(2 * K), jac=True, method="L-BFGS-B",
                          options={"ftol": 1e-14, "gtol": 1e-10})
        a, b = result.x[:K] / scale, result.x[K:] - result.x[:K] * centre / scale  # back to the raw scores
        self.coef_, self.intercept_ = (float(a[0]), float(b[0])) if flat else (a, b)
        self.n_columns_ = None if flat else K
        return self

    def predict_proba(self, scores) -> np.ndarray:
        """σ(a·scores + b), of the shape of ``scores`` ((n,) or (n, K), as in ``fit``)."""
        s, flat = self._check_input(scores)
        p = expit(self.coef_ * s + self.intercept_)
        return p[:, 0] if flat else p
