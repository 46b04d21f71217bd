"""Metrics: ROC AUC per finding, bootstrap intervals and Table 1 as in CheXNeXt; balanced accuracy;
regression errors (MAE, RMSE, R², Pearson r); calibration (Brier score, reliability curve, ECE).

The AUC is the probability that a random positive scores above a random negative (ties count
one half) — the Mann–Whitney statistic:

    AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ n₋),

with R₊ the sum of the positives' ranks among all scores (ties get their average rank).

Uncertainty follows the paper's nonparametric bootstrap: draw ``n_boot`` resamples of the
evaluation images with replacement, compute the metric on each, report the 2.5th and 97.5th
percentiles. Two models are compared on the *same* resamples (a paired bootstrap), and the
interval of their difference is widened for the 14 findings tested together (Bonferroni,
1 − 0.05/14 ≈ 99.6 %). A resample in which a finding has no positive or no negative image has
no AUC: it is recorded as NaN and left out of that finding's percentiles (``n_dropped`` counts
them). Where several images come from one patient, ``groups=patient_ids`` resamples patients
instead (a cluster bootstrap), since a patient's images are not independent.

>>> result = bootstrap_ci(roc_auc, y_true, y_score)          # doctest: +SKIP
>>> result.estimate, result.low, result.high                 # doctest: +SKIP

Every metric takes arrays of shape (n,), giving a float, or (n, K), giving one value per column
(K findings, or K regression targets) as a (K,) array: ``y_true`` and the predictions must have
the same shape. The same bootstrap serves the regression metrics (``bootstrap_ci(mean_absolute_error,
age, predicted_age)``), vectorised like the AUC's.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Sequence

import numpy as np
from scipy.stats import rankdata

from .validation import as_array, check_binary, check_choice, check_scalar, rng_argument, seed_from

__all__ = [
    "BootstrapResult",
    "auc_comparison_table",
    "balanced_accuracy",
    "balanced_accuracy_ci",
    "balanced_accuracy_difference",
    "bootstrap_ci",
    "bootstrap_difference",
    "bootstrap_replicates",
    "brier_score",
    "calibration_curve",
    "expected_calibration_error",
    "fold_interval",
    "mean_absolute_error",
    "mean_auc",
    "paper_table",
    "pearson_r",
    "r2_score",
    "roc_auc",
    "roc_curve",
    "root_mean_squared_error",
]

#: Cells of a resample matrix (replicates × images) processed at once, to bound memory.
_CHUNK_CELLS = 2_000_000


def _check_scores(y_true, y_score, name: str = "y_score") -> tuple[np.ndarray, np.ndarray, bool]:
    """Binary labels and scores (called ``name`` in errors) as (n, K) float64 arrays; ``True`` when 1-D."""
    y_true = check_binary(as_array(y_true, "y_true", ndim=(1, 2)), "y_true")
    y_score = as_array(y_score, name, ndim=(1, 2))
    if y_true.shape != y_score.shape:
        raise ValueError(f"y_true and {name} must have the same shape, got {y_true.shape} and {y_score.shape}")
    flat = y_true.ndim == 1
    return (y_true[:, None], y_score[:, None], True) if flat else (y_true, y_score, False)


def roc_auc(y_true, y_score) -> float | np.ndarray:
    """Area under the ROC curve of each column, from ranks (ties get their average rank).

    ``y_true`` holds 0/1 labels and ``y_score`` any scores (logits or probabilities), both of
    shape (n,) — giving a float — or (n, K) — giving K AUCs. A column with only one class has no
    AUC: it is NaN, with a warning naming it.
    """
    y_true, y_score, flat = _check_scores(y_true, y_score)
    n_pos = y_true.sum(axis=0)
    n_neg = y_true.shape[0] - n_pos
    ranks = rankdata(y_score, axis=0)  # method="average": tied scores share their mean rank
    rank_sum = (ranks * y_true).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    degenerate = (n_pos == 0) | (n_neg == 0)
    if degenerate.any():
        auc[degenerate] = np.nan
        warnings.warn(f"no AUC for column(s) {np.flatnonzero(degenerate).tolist()}: only one class present",
                      RuntimeWarning, stacklevel=2)
    return float(auc[0]) if flat else auc


def mean_auc(y_true, y_out) -> float:
    """Mean AUC over the columns that have both classes: the metric to give ``dlmi.train.fit``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(np.nanmean(roc_auc(y_true, y_out)))


def roc_curve(y_true, y_score) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False- and true-positive rates at every distinct threshold, from the strictest down.

    For 1-D ``y_true`` (0/1) and ``y_score``, returns ``(fpr, tpr, thresholds)``; the curve
    starts at (0, 0) with threshold +∞ and a point is "positive" when its score ≥ threshold.
    """
    y_true, y_score, flat = _check_scores(y_true, y_score)
    if not flat:
        raise ValueError(f"roc_curve takes one column: y_true and y_score must be 1-D, got shape {y_true.shape}")
    y, s = y_true[:, 0], y_score[:, 0]
    if y.min() == y.max():
        raise ValueError("y_true must hold both classes to draw a ROC curve")
    order = np.argsort(-s, kind="stable")
    s, y = s[order], y[order]
    last_of_tie = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last_of_tie]
    fp = (last_of_tie + 1) - tp
    fpr = np.r_[0.0, fp / fp[-1]]
    tpr = np.r_[0.0, tp / tp[-1]]
    return fpr, tpr, np.r_[np.inf, s[last_of_tie]]


# ---------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------
def _group_codes(groups, n: int) -> np.ndarray | None:
    """``groups`` (n,) labels (patient ids, ...) as codes 0..G-1, or None."""
    if groups is None:
        return None
    groups = np.asarray(groups)
    if groups.ndim != 1 or len(groups) != n:
        raise ValueError(f"groups must be one label per row, shape ({n},), got shape {groups.shape}")
    return np.unique(groups, return_inverse=True)[1].ravel()


def _resamples(n: int, n_boot: int, seed: int, groups: np.ndarray | None = None):
    """Resamples as copies of each row, (B, n) counts in chunks; the same for a given seed.

    Without ``groups``, n rows are drawn with replacement. With ``groups`` (codes 0..G-1, see
    ``_group_codes``), G groups are drawn with replacement and each brings all its rows: a
    cluster bootstrap, for rows that are not independent (several films of one patient).
    """
    rng = np.random.default_rng(seed)
    m = n if groups is None else int(groups.max()) + 1
    chunk = max(1, _CHUNK_CELLS // max(n, m))
    for start in range(0, n_boot, chunk):
        B = min(chunk, n_boot - start)
        draws = rng.integers(0, m, size=(B, m))
        counts = np.bincount((draws + m * np.arange(B)[:, None]).ravel(), minlength=B * m).reshape(B, m)
        yield counts if groups is None else counts[:, groups]


def _resampled_auc(y_true: np.ndarray, y_score: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """AUC of each column on each resample → (B, K), NaN where a class is absent.

    A resample is a weight per image: ``counts[b, i]`` copies of image i (``counts`` is (B, n)). With each column's
    negatives sorted by score once, the Mann–Whitney count of replicate b is
    Σ_positives counts[b, i] · (weight of the negatives below s_i + ½ weight of those tied with
    it); the weights below come from one cumulative sum over the sorted negatives, looked up at
    each positive's place (``searchsorted``) — a few array operations over all replicates.
    """
    counts = counts.astype(np.float64)
    B, n = counts.shape
    aucs = np.empty((B, y_true.shape[1]))
    cumulative = np.zeros((B, n + 1))
    for k in range(y_true.shape[1]):
        positives = np.flatnonzero(y_true[:, k] == 1)
        negatives = np.flatnonzero(y_true[:, k] == 0)
        negatives = negatives[np.argsort(y_score[negatives, k], kind="stable")]
        neg_scores, pos_scores = y_score[negatives, k], y_score[positives, k]
        lo = np.searchsorted(neg_scores, pos_scores, side="left")   # negatives strictly below
        hi = np.searchsorted(neg_scores, pos_scores, side="right")  # ... or tied
        weight_below = cumulative[:, :len(negatives) + 1]
        np.cumsum(counts[:, negatives], axis=1, out=weight_below[:, 1:])
        below = weight_below[:, lo]
        tied = weight_below[:, hi] - below
        pos_counts = counts[:, positives]
        n_pos, n_neg = pos_counts.sum(axis=1), weight_below[:, -1]
        with np.errstate(divide="ignore", invalid="ignore"):
            aucs[:, k] = (pos_counts * (below + 0.5 * tied)).sum(axis=1) / (n_pos * n_neg)
        aucs[(n_pos == 0) | (n_neg == 0), k] = np.nan
    return aucs


def bootstrap_replicates(metric: Callable, y_true, y_score, *, n_boot: int = 10_000, rng=0, groups=None,
                         seed: int | None = None) -> np.ndarray:
    """``metric`` on ``n_boot`` resamples of the images (rows) with replacement: (n_boot,) or (n_boot, K).

    The resamples depend only on ``rng`` (an int seed, or a Generator to draw one from; ``seed``
    is its older name), the number of images and ``groups``, so two calls with the same int
    seed evaluate two models on the same replicates. ``groups`` (n,), e.g. the
    patient of each film, resamples whole groups instead of rows (a cluster bootstrap).
    ``metric=roc_auc`` takes a vectorised path (10,000 replicates × 14 findings × 420 images in
    about a second), and so do ``mean_absolute_error``, ``root_mean_squared_error``, ``r2_score``
    and ``pearson_r`` (weighted sums over the same resamples); any other
    ``metric(y_true, y_score)`` is called once per replicate.
    """
    if not callable(metric):
        raise TypeError(f"metric must be a function (y_true, y_score) -> float or (K,), e.g. roc_auc, got {metric!r}")
    check_scalar(n_boot, "n_boot", kind=Integral, low=1)
    seed = seed_from(rng_argument(rng, seed))
    regression = any(metric is m for m in _REGRESSION_METRICS)
    if metric is roc_auc or regression:
        check = _check_regression if regression else _check_scores
        y_true, y_score, flat = check(y_true, y_score, "y_score")
        codes = _group_codes(groups, len(y_true))
        reps = np.concatenate([
            _resampled_regression(metric, y_true, y_score, counts) if regression
            else _resampled_auc(y_true, y_score, counts)
            for counts in _resamples(len(y_true), n_boot, seed, codes)])
        return reps[:, 0] if flat else reps
    y_true, y_score = np.asarray(y_true), np.asarray(y_score)
    if len(y_true) != len(y_score):
        raise ValueError(f"y_true and y_score must have the same number of rows, got {len(y_true)} and {len(y_score)}")
    codes, rows = _group_codes(groups, len(y_true)), np.arange(len(y_true))
    reps = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # single-class replicates: NaN, counted later
        for counts in _resamples(len(y_true), n_boot, seed, codes):
            for c in counts:
                i = np.repeat(rows, c)
                reps.append(np.asarray(metric(y_true[i], y_score[i]), dtype=np.float64))
    return np.stack(reps)


@dataclass
class BootstrapResult:
    """A point estimate with its bootstrap percentile interval, per column.

    ``estimate``, ``low``, ``high`` and ``n_dropped`` are floats for one column, (K,) arrays
    otherwise; ``replicates`` is (n_boot,) or (n_boot, K); ``level`` is the coverage, 1 − alpha.
    """

    estimate: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    level: float
    replicates: np.ndarray
    n_dropped: int | np.ndarray

    def __str__(self) -> str:
        def one(e, lo, hi):
            return f"{e:.3f} ({lo:.3f} to {hi:.3f})"

        if np.ndim(self.estimate) == 0:
            return f"{one(self.estimate, self.low, self.high)}, {100 * self.level:.1f}% CI"
        rows = [one(*v) for v in zip(self.estimate, self.low, self.high)]
        return f"{100 * self.level:.1f}% CIs: " + "; ".join(rows)


def _percentile_result(estimate, replicates: np.ndarray, alpha: float) -> BootstrapResult:
    """The percentile interval of ``replicates``, ignoring NaN replicates."""
    dropped = np.isnan(replicates).sum(axis=0)
    if np.any(dropped == replicates.shape[0]):
        raise ValueError("every bootstrap replicate lacks a class: the metric is undefined on this data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanpercentile(replicates, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    if np.ndim(estimate) == 0:
        return BootstrapResult(float(estimate), float(low), float(high), 1 - alpha, replicates, int(dropped))
    return BootstrapResult(np.asarray(estimate, dtype=np.float64), low, high, 1 - alpha, replicates, dropped)


def bootstrap_ci(metric: Callable, y_true, y_score, n_boot: int = 10_000, alpha: float = 0.05,
                 rng=0, groups=None, *, seed: int | None = None) -> BootstrapResult:
    """Point estimate ``metric(y_true, y_score)`` and its (1 − alpha) bootstrap percentile interval.

    Images (rows) are resampled with replacement ``n_boot`` times, or whole ``groups`` of them
    (see ``bootstrap_replicates``); replicates where the metric is undefined (NaN: an AUC with one class
    only, a correlation with a constant side) are dropped from the percentiles and counted in ``n_dropped``.
    """
    check_scalar(alpha, "alpha", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    replicates = bootstrap_replicates(metric, y_true, y_score, n_boot=n_boot, rng=rng_argument(rng, seed),
                                      groups=groups)
    return _percentile_result(metric(y_true, y_score), replicates, alpha)


def bootstrap_difference(metric: Callable, y_true, y_score_a, y_score_b, n_boot: int = 10_000,
                         alpha: float = 0.05, rng=0, groups=None, *, seed: int | None = None) -> BootstrapResult:
    """``metric`` of model a minus model b, with a paired bootstrap interval (same resamples for both).

    For K findings tested at once, pass ``alpha=0.05 / K`` for Bonferroni-corrected intervals.
    """
    check_scalar(alpha, "alpha", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    seed = seed_from(rng_argument(rng, seed))  # one seed: both models on the same resamples
    reps_a = bootstrap_replicates(metric, y_true, y_score_a, n_boot=n_boot, rng=seed, groups=groups)
    reps_b = bootstrap_replicates(metric, y_true, y_score_b, n_boot=n_boot, rng=seed, groups=groups)
    estimate = np.asarray(metric(y_true, y_score_a)) - np.asarray(metric(y_true, y_score_b))
    return _percentile_result(estimate, reps_a - reps_b, alpha)


# ---------------------------------------------------------------------------------------------
# Regression: MAE, RMSE, R², Pearson r (per column, as scikit-learn's multioutput="raw_values")
# ---------------------------------------------------------------------------------------------
def _check_regression(y_true, y_pred, name: str = "y_pred") -> tuple[np.ndarray, np.ndarray, bool]:
    """Targets and predictions (called ``name`` in errors) as (n, K) float64 arrays; ``True`` when 1-D."""
    y_true = as_array(y_true, "y_true", ndim=(1, 2))
    y_pred = as_array(y_pred, name, ndim=(1, 2))
    if y_true.shape != y_pred.shape:
        hint = " (reshape one of them, e.g. y.reshape(-1))" if y_true.size == y_pred.size else ""
        raise ValueError(f"y_true and {name} must have the same shape, got {y_true.shape} and {y_pred.shape}{hint}")
    flat = y_true.ndim == 1
    return (y_true[:, None], y_pred[:, None], True) if flat else (y_true, y_pred, False)


def _per_column(values: np.ndarray, flat: bool) -> float | np.ndarray:
    """A float for 1-D input, else the (K,) array of per-column values."""
    return float(values[0]) if flat else values


def _r2_from_sums(ss_res: np.ndarray, ss_tot: np.ndarray, constant: np.ndarray, n_rows: np.ndarray) -> np.ndarray:
    """R² = 1 − SS_res / SS_tot, with scikit-learn's convention for a constant target (1 or 0), NaN below 2 rows."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1 - ss_res / ss_tot
    r2 = np.where(constant, np.where(ss_res == 0, 1.0, 0.0), r2)
    return np.where(n_rows < 2, np.nan, r2)


def _pearson_from_sums(cov: np.ndarray, var_true: np.ndarray, var_pred: np.ndarray,
                       undefined: np.ndarray) -> np.ndarray:
    """r = cov / √(var_true · var_pred), clipped to [−1, 1]; NaN where either side is constant."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip(cov / np.sqrt(var_true * var_pred), -1.0, 1.0)
    return np.where(undefined, np.nan, r)


def mean_absolute_error(y_true, y_pred) -> float | np.ndarray:
    """Mean absolute error, (1/n) Σᵢ |yᵢ − ŷᵢ|, in the targets' units (years for a brain age).

    ``y_true`` and ``y_pred`` of shape (n,) give a float; (n, K) give the K columns' errors.
    """
    y_true, y_pred, flat = _check_regression(y_true, y_pred)
    return _per_column(np.abs(y_true - y_pred).mean(axis=0), flat)


def root_mean_squared_error(y_true, y_pred) -> float | np.ndarray:
    """Root mean squared error, √((1/n) Σᵢ (yᵢ − ŷᵢ)²), in the targets' units; (n,) → float, (n, K) → (K,)."""
    y_true, y_pred, flat = _check_regression(y_true, y_pred)
    return _per_column(np.sqrt(((y_true - y_pred) ** 2).mean(axis=0)), flat)


def r2_score(y_true, y_pred) -> float | np.ndarray:
    """Coefficient of determination, R² = 1 − Σᵢ (yᵢ − ŷᵢ)² / Σᵢ (yᵢ − ȳ)²; (n,) → float, (n, K) → (K,).

    1 for perfect predictions, 0 for predicting the mean ȳ, negative for worse than that. A
    constant target (every yᵢ equal: Σ (yᵢ − ȳ)² = 0) follows scikit-learn's convention: R² = 1 if
    the predictions are perfect, else 0 (where scikit-learn rounds ȳ and may return a huge
    negative number instead, constancy is tested here exactly). Fewer than 2 rows: NaN, with a
    warning, as in scikit-learn.
    """
    y_true, y_pred, flat = _check_regression(y_true, y_pred)
    n = len(y_true)
    if n < 2:
        warnings.warn("R² is not defined for fewer than 2 samples", RuntimeWarning, stacklevel=2)
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    constant = y_true.min(axis=0) == y_true.max(axis=0)
    return _per_column(_r2_from_sums(ss_res, ss_tot, constant, np.full(y_true.shape[1], n)), flat)


def pearson_r(y_true, y_pred) -> float | np.ndarray:
    """Pearson correlation of targets and predictions, Σ (yᵢ − ȳ)(ŷᵢ − ŷ̄) / √(Σ (yᵢ − ȳ)² Σ (ŷᵢ − ŷ̄)²).

    (n,) → float, (n, K) → one r per column. Blind to bias and scale (predictions 2ŷ + 10 have the
    same r), so report it beside the MAE, never alone. A constant column (of either argument) has no
    correlation: NaN, with a warning naming it.
    """
    y_true, y_pred, flat = _check_regression(y_true, y_pred)
    d_true, d_pred = y_true - y_true.mean(axis=0), y_pred - y_pred.mean(axis=0)
    undefined = (y_true.min(axis=0) == y_true.max(axis=0)) | (y_pred.min(axis=0) == y_pred.max(axis=0))
    if undefined.any():
        warnings.warn(f"no correlation for column(s) {np.flatnonzero(undefined).tolist()}: a constant input",
                      RuntimeWarning, stacklevel=2)
    r = _pearson_from_sums((d_true * d_pred).sum(axis=0), (d_true ** 2).sum(axis=0), (d_pred ** 2).sum(axis=0),
                           undefined)
    return _per_column(r, flat)


#: The regression metrics ``bootstrap_replicates`` computes from weighted sums (``_resampled_regression``).
_REGRESSION_METRICS = (mean_absolute_error, root_mean_squared_error, r2_score, pearson_r)


def _constant_in_replicate(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(B,) whether every row that replicate b draws (``weights[b] > 0``) has the same ``values`` (n,)."""
    drawn = weights > 0
    first = values[np.argmax(drawn, axis=1)]  # the value of one drawn row, per replicate
    return ~np.any(drawn & (values != first[:, None]), axis=1)


def _resampled_regression(metric: Callable, y_true: np.ndarray, y_pred: np.ndarray,
                          counts: np.ndarray) -> np.ndarray:
    """MAE, RMSE, R² or Pearson r of each column on each resample → (B, K), from weighted sums.

    A resample is a weight per row, ``counts[b, i]`` copies of row i (``counts`` is (B, n)), so the
    mean of a per-row quantity v over replicate b is (counts @ v)[b] / counts[b].sum(): one matrix
    product for all replicates. MAE and RMSE are such means. R² and r first take each replicate's
    own means ȳ_b, then weighted sums of squared deviations from them (two passes, as above).
    """
    weights = counts.astype(np.float64)
    n_rows = weights.sum(axis=1)  # (B,): rows in each replicate (n, or varying with groups)
    error = y_true - y_pred
    if metric is mean_absolute_error:
        return weights @ np.abs(error) / n_rows[:, None]
    if metric is root_mean_squared_error:
        return np.sqrt(weights @ error ** 2 / n_rows[:, None])
    values = np.empty((len(weights), y_true.shape[1]))
    for k in range(y_true.shape[1]):
        y, y_hat = y_true[:, k], y_pred[:, k]
        d_true = y - (weights @ y / n_rows)[:, None]  # (B, n): deviations from each replicate's mean
        ss_tot = (weights * d_true ** 2).sum(axis=1)
        constant_true = _constant_in_replicate(weights, y)
        if metric is r2_score:
            values[:, k] = _r2_from_sums(weights @ error[:, k] ** 2, ss_tot, constant_true, n_rows)
        else:
            d_pred = y_hat - (weights @ y_hat / n_rows)[:, None]
            values[:, k] = _pearson_from_sums(
                (weights * d_true * d_pred).sum(axis=1), ss_tot, (weights * d_pred ** 2).sum(axis=1),
                constant_true | _constant_in_replicate(weights, y_hat))
    return values


# ---------------------------------------------------------------------------------------------
# Calibration: Brier score, reliability curve, expected calibration error
# ---------------------------------------------------------------------------------------------
def _check_probabilities(y_true, y_prob) -> tuple[np.ndarray, np.ndarray, bool]:
    """0/1 labels and probabilities in [0, 1] of the same shape, as (n, K) float64; ``True`` when 1-D."""
    y_true, y_prob, flat = _check_scores(y_true, y_prob, "y_prob")
    if y_prob.min() < 0 or y_prob.max() > 1:
        raise ValueError(f"y_prob must hold probabilities in [0, 1], got values from {y_prob.min():g} to "
                         f"{y_prob.max():g} (for logits, take scipy.special.expit(logits) first)")
    return y_true, y_prob, flat


def brier_score(y_true, y_prob) -> float | np.ndarray:
    """Brier score, (1/n) Σᵢ (pᵢ − yᵢ)²: the mean squared error of predicted probabilities.

    ``y_true`` 0/1 labels and ``y_prob`` probabilities of the positive class, (n,) → float or
    (n, K) → one score per column (K findings, each a binary problem). 0 is perfect; always
    answering the prevalence π scores π(1 − π).
    """
    y_true, y_prob, flat = _check_probabilities(y_true, y_prob)
    return _per_column(((y_prob - y_true) ** 2).mean(axis=0), flat)


def _probability_bins(y_prob: np.ndarray, n_bins: int, strategy: str = "uniform") -> np.ndarray:
    """The bin of each probability (n,) → (n,) in 0..n_bins−1, as scikit-learn's ``calibration_curve``.

    ``"uniform"``: n_bins equal widths on [0, 1]; ``"quantile"``: edges at the quantiles of
    ``y_prob``, so that bins hold about as many rows. Bin k holds (edge_k, edge_k+1], the first
    bin also its left edge.
    """
    check_scalar(n_bins, "n_bins", kind=Integral, low=1)
    check_choice(strategy, "strategy", ("uniform", "quantile"))
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        edges = np.percentile(y_prob, np.linspace(0, 100, n_bins + 1))
    return np.searchsorted(edges[1:-1], y_prob)


def calibration_curve(y_true, y_prob, n_bins: int = 10, strategy: str = "uniform") -> tuple[np.ndarray, np.ndarray]:
    """The reliability diagram: ``(prob_true, prob_pred)``, each (m,) for the m ≤ n_bins non-empty bins.

    Probabilities ``y_prob`` (n,) are cut into ``n_bins`` bins (``strategy="uniform"``: equal
    widths on [0, 1]; ``"quantile"``: equal counts); per non-empty bin, ``prob_true`` is the share of
    positives among its rows and ``prob_pred`` their mean predicted probability. A calibrated model
    lies on the diagonal. As ``sklearn.calibration.calibration_curve``; one column only (the bins
    of K columns differ), so take ``y_prob[:, k]`` for finding k.
    """
    y_true, y_prob, flat = _check_probabilities(y_true, y_prob)
    if not flat:
        raise ValueError(f"calibration_curve takes one column: y_true and y_prob must be 1-D, got shape "
                         f"{y_true.shape} (pass y_true[:, k], y_prob[:, k])")
    y, p = y_true[:, 0], y_prob[:, 0]
    bins = _probability_bins(p, n_bins, strategy)
    total = np.bincount(bins, minlength=n_bins)
    nonempty = total > 0
    prob_true = np.bincount(bins, weights=y, minlength=n_bins)[nonempty] / total[nonempty]
    prob_pred = np.bincount(bins, weights=p, minlength=n_bins)[nonempty] / total[nonempty]
    return prob_true, prob_pred


def expected_calibration_error(y_true, y_prob, n_bins: int = 10) -> float | np.ndarray:
    """Expected calibration error of probabilities of the positive class, over ``n_bins`` equal-width bins.

        ECE = Σ_b (n_b / n) · |ȳ_b − p̄_b| = (1/n) Σ_b |Σ_{i ∈ b} (yᵢ − pᵢ)|,

    with n_b the rows whose probability pᵢ falls in bin b (the bins of ``calibration_curve``),
    ȳ_b the share of positives among them ("accuracy") and p̄_b their mean probability
    ("confidence"): the gap between the reliability diagram and its diagonal, weighted by how
    many rows each bin holds. 0 for a calibrated model (up to sampling noise, which grows with
    ``n_bins`` and shrinks with n). This is the binary ECE of the positive class; Guo et al. (2017)
    bin the top-label confidence max(p, 1 − p) instead, which gives other numbers.
    ``y_true`` 0/1 and ``y_prob`` of shape (n,) give a float; (n, K) give one ECE per column.
    """
    y_true, y_prob, flat = _check_probabilities(y_true, y_prob)
    ece = np.empty(y_true.shape[1])
    for k in range(y_true.shape[1]):
        bins = _probability_bins(y_prob[:, k], n_bins)
        gap_per_bin = np.bincount(bins, weights=y_true[:, k] - y_prob[:, k], minlength=n_bins)
        ece[k] = np.abs(gap_per_bin).sum() / len(y_true)
    return _per_column(ece, flat)


# ---------------------------------------------------------------------------------------------
# Balanced accuracy (Wen et al. 2020) and intervals over folds
# ---------------------------------------------------------------------------------------------
def _labels(y, name: str) -> np.ndarray:
    """0/1 labels of shape (n,), named in the error otherwise."""
    y = check_binary(y, name)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one 0/1 label per subject, shape (n,), got shape {y.shape}")
    return y


def balanced_accuracy(y_true, y_pred) -> float:
    """Mean of sensitivity and specificity, for 0/1 labels ``y_true`` (n,) and 0/1 predictions ``y_pred`` (n,).

    Scores or probabilities are refused: threshold them first (e.g. ``y_score > 0``).
    """
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    return float(np.mean([(y_pred[y_true == c] == c).mean() for c in np.unique(y_true)]))


def _decision_balanced_accuracy(y_true: np.ndarray, y_score: np.ndarray) -> float:
    """Balanced accuracy of the decisions ``y_score > 0``; NaN for a bootstrap replicate with one class."""
    if not 0 < np.sum(y_true) < len(y_true):
        return float("nan")
    return balanced_accuracy(y_true, (y_score > 0).astype(float))


def _check_level(level: float) -> float:
    return check_scalar(level, "level", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)


def balanced_accuracy_ci(y_true, y_score, *, n_boot: int = 2000, level: float = 0.95, rng=0,
                         seed: int | None = None) -> tuple[float, float, float]:
    """Balanced accuracy of ``y_score > 0`` and its bootstrap interval over subjects: ``(score, low, high)``."""
    _check_level(level)
    y_true = check_binary(y_true, "y_true")
    y_score = as_array(y_score, "y_score", ndim=1)
    result = bootstrap_ci(_decision_balanced_accuracy, y_true, y_score, n_boot=n_boot, alpha=1 - level,
                          rng=rng_argument(rng, seed))
    return result.estimate, result.low, result.high


def balanced_accuracy_difference(y_true, y_score_a, y_score_b, *, n_boot: int = 2000, level: float = 0.95,
                                 rng=0, seed: int | None = None) -> tuple[float, float, float]:
    """Balanced accuracy of model a minus model b on the same subjects, with a paired bootstrap interval.

    Both models are scored on the same resampled subjects, so that what the subjects share
    cancels: ``(difference, low, high)``; an interval that excludes 0 is evidence of a difference.
    """
    _check_level(level)
    y_true = check_binary(y_true, "y_true")
    y_score_a = as_array(y_score_a, "y_score_a", ndim=1)
    y_score_b = as_array(y_score_b, "y_score_b", ndim=1)
    if not len(y_true) == len(y_score_a) == len(y_score_b):
        raise ValueError(f"y_true, y_score_a and y_score_b must have the same length, got {len(y_true)}, "
                         f"{len(y_score_a)} and {len(y_score_b)}")
    result = bootstrap_difference(_decision_balanced_accuracy, y_true, y_score_a, y_score_b, n_boot=n_boot,
                                  alpha=1 - level, rng=rng_argument(rng, seed))
    return float(result.estimate), float(result.low), float(result.high)


def fold_interval(scores, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of per-fold ``scores`` and a Student-t interval: ``(mean, low, high)``.

    Folds share training subjects, so the interval is optimistic; it still shows the spread.
    """
    from scipy import stats

    scores = as_array(scores, "scores", ndim=1)
    _check_level(level)
    mean = float(scores.mean())
    if len(scores) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, len(scores) - 1) * scores.std(ddof=1) / np.sqrt(len(scores))
    return mean, mean - half, mean + half


# ---------------------------------------------------------------------------------------------
# Table 1 of the paper
# ---------------------------------------------------------------------------------------------
def auc_comparison_table(y_true, y_score_a, y_score_b, findings: Sequence[str], *,
                         names: tuple[str, str] = ("CNN", "Comparator"), n_boot: int = 10_000,
                         alpha: float = 0.05, rng=0, groups=None, seed: int | None = None):
    """Table 1 of CheXNeXt: per finding, both models' AUCs with (1 − alpha) CIs and their difference.

    ``y_true`` (n, K) 0/1, ``y_score_a`` and ``y_score_b`` (n, K) scores of the two models on
    the same images. The difference a − b gets a Bonferroni-corrected (1 − alpha/K) paired
    interval; "Advantage" names the better model when that interval excludes 0, else
    "No difference". ``groups`` (n,) resamples whole groups (patients) instead of images. Returns a numeric ``pandas.DataFrame`` indexed by finding (format it with
    ``paper_table``); ``table.attrs`` records the names and levels.
    """
    import pandas as pd

    y_true, score_a, _ = _check_scores(y_true, y_score_a, "y_score_a")
    _, score_b, _ = _check_scores(y_true, y_score_b, "y_score_b")
    findings = list(findings)
    if len(findings) != y_true.shape[1]:
        raise ValueError(f"findings must name the {y_true.shape[1]} columns, got {len(findings)} names")
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise TypeError(f"names must be two strings, got {names!r}")
    check_scalar(alpha, "alpha", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
    alpha_diff = alpha / y_true.shape[1]
    seed = seed_from(rng_argument(rng, seed))  # one seed: both models on the same resamples
    reps_a = bootstrap_replicates(roc_auc, y_true, score_a, n_boot=n_boot, rng=seed, groups=groups)
    reps_b = bootstrap_replicates(roc_auc, y_true, score_b, n_boot=n_boot, rng=seed, groups=groups)
    a = _percentile_result(roc_auc(y_true, score_a), reps_a, alpha)
    b = _percentile_result(roc_auc(y_true, score_b), reps_b, alpha)
    d = _percentile_result(a.estimate - b.estimate, reps_a - reps_b, alpha_diff)
    advantage = np.where(d.low > 0, names[0], np.where(d.high < 0, names[1], "No difference"))
    table = pd.DataFrame(
        {"auc_a": a.estimate, "low_a": a.low, "high_a": a.high,
         "auc_b": b.estimate, "low_b": b.low, "high_b": b.high,
         "difference": d.estimate, "difference_low": d.low, "difference_high": d.high,
         "advantage": advantage},
        index=pd.Index(findings, name="Finding"),
    )
    table.attrs.update(names=tuple(names), level=1 - alpha, difference_level=1 - alpha_diff, n_boot=n_boot,
                       resampled="groups" if groups is not None else "images")
    return table


def paper_table(table, digits: int = 3):
    """The numeric table of ``auc_comparison_table`` in the paper's format, as a pandas ``Styler``.

    Cells read "0.862 (0.825 to 0.895)"; the advantage column is coloured by winner.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or "names" not in table.attrs:
        raise TypeError("table must be the DataFrame returned by auc_comparison_table")
    a, b = table.attrs["names"]
    level, dlevel = 100 * table.attrs["level"], 100 * table.attrs["difference_level"]

    def cell(v, lo, hi):
        return f"{v:.{digits}f} ({lo:.{digits}f} to {hi:.{digits}f})"

    text = pd.DataFrame(
        {f"{a} ({level:.0f}% CI)": [cell(*r) for r in table[["auc_a", "low_a", "high_a"]].to_numpy()],
         f"{b} ({level:.0f}% CI)": [cell(*r) for r in table[["auc_b", "low_b", "high_b"]].to_numpy()],
         f"{a} – {b} difference ({dlevel:.1f}% CI)": [
             cell(*r) for r in table[["difference", "difference_low", "difference_high"]].to_numpy()],
         "Advantage": table["advantage"].to_numpy()},
        index=table.index,
    )
    colours = {a: "background-color: #cfe8f7", b: "background-color: #fbe3c6"}
    caption = (f"AUC with {level:.0f}% bootstrap CIs ({table.attrs['n_boot']:,} replicates); "
               f"difference with Bonferroni-corrected {dlevel:.1f}% CIs")
    return text.style.map(lambda v: colours.get(v, ""), subset=["Advantage"]).set_caption(caption)
