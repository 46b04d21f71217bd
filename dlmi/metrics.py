"""Metrics: ROC AUC per finding, bootstrap intervals and Table 1 as in CheXNeXt; balanced accuracy.

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
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Sequence

import numpy as np
from scipy.stats import rankdata

from .validation import as_array, check_binary, check_scalar, rng_argument, seed_from

__all__ = [
    "BootstrapResult",
    "auc_comparison_table",
    "balanced_accuracy",
    "balanced_accuracy_ci",
    "balanced_accuracy_difference",
    "bootstrap_ci",
    "bootstrap_difference",
    "bootstrap_replicates",
    "fold_interval",
    "mean_auc",
    "paper_table",
    "roc_auc",
    "roc_curve",
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
    about a second); any other ``metric(y_true, y_score)`` is called once per replicate.
    """
    if not callable(metric):
        raise TypeError(f"metric must be a function (y_true, y_score) -> float or (K,), e.g. roc_auc, got {metric!r}")
    check_scalar(n_boot, "n_boot", kind=Integral, low=1)
    seed = seed_from(rng_argument(rng, seed))
    if metric is roc_auc:
        y_true, y_score, flat = _check_scores(y_true, y_score)
        codes = _group_codes(groups, len(y_true))
        reps = np.concatenate([_resampled_auc(y_true, y_score, counts)
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
    (see ``bootstrap_replicates``); replicates where the metric is undefined (NaN: one class only) are dropped from the
    percentiles and counted in ``n_dropped``.
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
