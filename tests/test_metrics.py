"""dlmi.metrics agrees with scikit-learn to 1e-12, and the bootstrap behaves as the paper's."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit, logit
from sklearn import metrics as sk_metrics
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from dlmi.metrics import (
    BootstrapResult,
    _resamples,
    auc_comparison_table,
    balanced_accuracy,
    balanced_accuracy_ci,
    balanced_accuracy_difference,
    bootstrap_ci,
    bootstrap_difference,
    bootstrap_replicates,
    brier_score,
    calibration_curve,
    expected_calibration_error,
    fold_interval,
    mean_absolute_error,
    mean_auc,
    paper_table,
    pearson_r,
    r2_score,
    roc_auc,
    roc_curve,
    root_mean_squared_error,
)


def _data(n=120, k=4, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, k)) < 0.3).astype(float)
    y[0], y[1] = 1.0, 0.0  # both classes in every column
    s = y * np.linspace(0.3, 2.0, k) + rng.normal(size=(n, k))
    return y, (np.round(s, 1) if ties else s)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ties", [False, True])
def test_roc_auc_matches_sklearn_per_column(seed, ties):
    y, s = _data(seed=seed, ties=ties)
    expected = [roc_auc_score(y[:, j], s[:, j]) for j in range(y.shape[1])]
    np.testing.assert_allclose(roc_auc(y, s), expected, rtol=0, atol=1e-12)
    assert roc_auc(y[:, 0], s[:, 0]) == pytest.approx(expected[0], abs=1e-12)


def test_roc_auc_extremes_and_all_ties():
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc(y, [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert roc_auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5


def test_roc_auc_single_class_column_is_nan_with_warning():
    y = np.array([[0, 1], [0, 0], [0, 1], [0, 0]], dtype=float)
    with pytest.warns(RuntimeWarning, match=r"column\(s\) \[0\]"):
        auc = roc_auc(y, np.random.default_rng(0).random((4, 2)))
    assert np.isnan(auc[0]) and np.isfinite(auc[1])
    # mean_auc, the training metric, averages the columns that have an AUC, silently
    assert mean_auc(y, np.array([[0, 1], [0, 0], [0, 2], [0, -1.0]])) == 1.0


def test_roc_auc_rejects_bad_input():
    with pytest.raises(ValueError, match="binary"):
        roc_auc([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="same shape"):
        roc_auc([0, 1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        roc_auc([0, 1], [0.1, np.nan])


def test_roc_curve_matches_sklearn():
    y, s = _data(seed=3)
    fpr, tpr, thr = roc_curve(y[:, 1], s[:, 1])
    e_fpr, e_tpr, e_thr = sk_roc_curve(y[:, 1], s[:, 1], drop_intermediate=False)
    np.testing.assert_allclose(fpr, e_fpr, atol=1e-12)
    np.testing.assert_allclose(tpr, e_tpr, atol=1e-12)
    np.testing.assert_array_equal(thr[1:], e_thr[1:])
    assert np.isinf(thr[0])
    # the trapezoidal area under the curve is the AUC
    assert np.trapezoid(tpr, fpr) == pytest.approx(roc_auc(y[:, 1], s[:, 1]), abs=1e-12)
    with pytest.raises(ValueError, match="both classes"):
        roc_curve([1, 1], [0.2, 0.3])


def test_vectorised_bootstrap_auc_matches_sklearn_on_the_same_resamples():
    y, s = _data(n=60, seed=1)
    reps = bootstrap_replicates(roc_auc, y, s, n_boot=40, seed=7)
    counts = np.concatenate(list(_resamples(60, 40, 7)))
    assert counts.shape == (40, 60) and (counts.sum(axis=1) == 60).all()
    for b in range(40):
        rows = np.repeat(np.arange(60), counts[b])
        for j in range(y.shape[1]):
            yb, sb = y[rows, j], s[rows, j]
            if yb.min() == yb.max():
                assert np.isnan(reps[b, j])
            else:
                assert reps[b, j] == pytest.approx(roc_auc_score(yb, sb), abs=1e-12)


def test_vectorised_and_generic_bootstrap_agree():
    y, s = _data(n=50, k=2, seed=2)

    def auc_loop(yt, ys):
        return np.array([roc_auc_score(yt[:, j], ys[:, j]) if 0 < yt[:, j].sum() < len(yt) else np.nan
                         for j in range(yt.shape[1])])

    fast = bootstrap_replicates(roc_auc, y, s, n_boot=30, seed=3)
    slow = bootstrap_replicates(auc_loop, y, s, n_boot=30, seed=3)
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_single_class_replicates_are_dropped_and_counted():
    y = np.zeros(30)
    y[:2] = 1  # two positives among 30: many resamples miss both
    s = np.random.default_rng(0).normal(size=30) + 2 * y
    result = bootstrap_ci(roc_auc, y, s, n_boot=2000, seed=0)
    expected_missing = (28 / 30) ** 30  # P(no positive drawn) ≈ 0.126
    assert result.n_dropped == pytest.approx(2000 * expected_missing, rel=0.2)
    assert np.isnan(result.replicates).sum() == result.n_dropped
    assert np.isfinite([result.low, result.high]).all()
    # a column with one class only has no AUC on any replicate
    both = np.column_stack([y, np.zeros(30)])
    reps = bootstrap_replicates(roc_auc, both, np.column_stack([s, s]), n_boot=50)
    assert np.isnan(reps[:, 1]).all() and np.isfinite(reps[:, 0]).sum() > 30


def test_bootstrap_ci_contains_estimate_and_narrows_with_more_images():
    rng = np.random.default_rng(0)

    def sample(n):
        y = (rng.random(n) < 0.4).astype(float)
        return y, y + rng.normal(size=n)

    small = bootstrap_ci(roc_auc, *sample(100), n_boot=2000)
    large = bootstrap_ci(roc_auc, *sample(1600), n_boot=2000)
    for r in (small, large):
        assert isinstance(r, BootstrapResult) and r.level == 0.95
        assert r.low < r.estimate < r.high
    # the width shrinks like 1/sqrt(n): 16× the images, about 4× narrower
    ratio = (small.high - small.low) / (large.high - large.low)
    assert 3.0 < ratio < 5.5
    assert "95.0% CI" in str(small)


def test_bootstrap_coverage_is_close_to_nominal():
    """Over repeated samples from a known population, the 90% interval covers the true AUC ≈90%."""
    rng = np.random.default_rng(1)
    from scipy.stats import norm

    true_auc = norm.cdf(1.0 / np.sqrt(2))  # positives N(1, 1), negatives N(0, 1)
    covered = 0
    trials = 150
    for t in range(trials):
        y = (rng.random(150) < 0.5).astype(float)
        s = y + rng.normal(size=150)
        r = bootstrap_ci(roc_auc, y, s, n_boot=400, alpha=0.10, seed=t)
        covered += r.low <= true_auc <= r.high
    assert 0.82 <= covered / trials <= 0.97


def test_paired_difference_uses_the_same_replicates():
    y, s = _data(n=200, k=3, seed=4)
    noisy = s + np.random.default_rng(9).normal(scale=2.0, size=s.shape)
    a = bootstrap_ci(roc_auc, y, s, n_boot=500, seed=5)
    b = bootstrap_ci(roc_auc, y, noisy, n_boot=500, seed=5)
    d = bootstrap_difference(roc_auc, y, s, noisy, n_boot=500, alpha=0.05 / 3, seed=5)
    np.testing.assert_allclose(d.replicates, a.replicates - b.replicates)
    np.testing.assert_allclose(d.estimate, a.estimate - b.estimate)
    assert d.level == pytest.approx(1 - 0.05 / 3)
    # a paired interval is narrower than what two independent intervals would suggest
    assert np.all(d.high - d.low < (a.high - a.low) + (b.high - b.low))


def test_bootstrap_rejects_bad_arguments():
    y, s = _data()
    with pytest.raises(TypeError, match="metric"):
        bootstrap_ci("auc", y, s)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_ci(roc_auc, y, s, n_boot=0)
    with pytest.raises(ValueError, match="alpha"):
        bootstrap_ci(roc_auc, y, s, alpha=1.5)
    with pytest.raises(ValueError, match="every bootstrap replicate"):
        bootstrap_ci(lambda yt, ys: np.nan, y[:, 0], s[:, 0], n_boot=10)


def test_auc_comparison_table_in_the_papers_format():
    rng = np.random.default_rng(0)
    n = 400
    y = (rng.random((n, 3)) < 0.3).astype(float)
    strong = y * 3.0 + rng.normal(size=(n, 3))
    weak = y * 0.5 + rng.normal(size=(n, 3))
    weak[:, 1] = strong[:, 1] + rng.normal(scale=0.05, size=n)  # finding 1: practically the same
    table = auc_comparison_table(y, strong, weak, ["A", "B", "C"], names=("CNN", "Comparator"), n_boot=1000)
    assert list(table.index) == ["A", "B", "C"]
    assert list(table["advantage"]) == ["CNN", "No difference", "CNN"]
    swapped = auc_comparison_table(y, weak, strong, ["A", "B", "C"], n_boot=1000)
    assert list(swapped["advantage"]) == ["Comparator", "No difference", "Comparator"]
    assert (table["low_a"] <= table["auc_a"]).all() and (table["auc_a"] <= table["high_a"]).all()
    assert table.attrs["difference_level"] == pytest.approx(1 - 0.05 / 3)
    html = paper_table(table).to_html()
    assert "CNN (95% CI)" in html and "98.3% CI" in html
    assert f"{table.loc['A', 'auc_a']:.3f} ({table.loc['A', 'low_a']:.3f} to" in html
    with pytest.raises(ValueError, match="findings"):
        auc_comparison_table(y, strong, weak, ["A", "B"])
    with pytest.raises(TypeError, match="auc_comparison_table"):
        paper_table(pd.DataFrame({"x": [1]}))


def test_cluster_bootstrap_resamples_whole_patients():
    """Two identical films per patient: resampling patients gives exactly the replicates of one
    film per patient, where resampling films would count every patient twice (too narrow)."""
    y, s = _data(n=80, k=2, seed=4)
    y2, s2, patients = np.repeat(y, 2, axis=0), np.repeat(s, 2, axis=0), np.repeat(np.arange(80) * 7 + 3, 2)
    per_patient = bootstrap_replicates(roc_auc, y2, s2, n_boot=300, seed=1, groups=patients)
    np.testing.assert_allclose(per_patient, bootstrap_replicates(roc_auc, y, s, n_boot=300, seed=1), atol=1e-12)
    cluster = bootstrap_ci(roc_auc, y2, s2, n_boot=2000, seed=1, groups=patients)
    films = bootstrap_ci(roc_auc, y2, s2, n_boot=2000, seed=1)
    assert np.all(cluster.high - cluster.low > 1.2 * (films.high - films.low))  # about √2 wider


def test_cluster_bootstrap_generic_path_and_singleton_groups():
    y, s = _data(n=40, k=1, seed=6)
    groups = np.arange(40) // 3  # patients of 3 films
    fast = bootstrap_replicates(roc_auc, y, s, n_boot=50, seed=2, groups=groups)
    slow = bootstrap_replicates(lambda yt, ys: roc_auc(yt, ys) if 0 < yt.sum() < len(yt) else np.nan,
                                y[:, 0], s[:, 0], n_boot=50, seed=2, groups=groups)
    np.testing.assert_allclose(fast[:, 0], slow, atol=1e-12)
    # one film per group is the ordinary bootstrap, replicate for replicate
    np.testing.assert_array_equal(bootstrap_replicates(roc_auc, y, s, n_boot=50, seed=2, groups=np.arange(40)),
                                  bootstrap_replicates(roc_auc, y, s, n_boot=50, seed=2))


def test_cluster_bootstrap_rejects_groups_of_the_wrong_shape():
    y, s = _data(n=30, k=1, seed=0)
    with pytest.raises(ValueError, match="groups must be one label per row"):
        bootstrap_ci(roc_auc, y, s, n_boot=10, groups=np.arange(29))
    table = auc_comparison_table(y, s, s[::-1], ["a"], n_boot=20, groups=np.arange(30) // 2)
    assert table.attrs["resampled"] == "groups"
    with pytest.raises(ValueError, match="y_true and y_score_b must have the same shape"):
        auc_comparison_table(y, s, s[:-1], ["a"], n_boot=20)


# ---------------------------------------------------------------- balanced accuracy


@pytest.mark.parametrize("seed", range(4))
def test_balanced_accuracy_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true = (rng.random(50) < 0.3).astype(int)
    y_true[:2] = [0, 1]
    y_pred = rng.integers(0, 2, 50)
    assert balanced_accuracy(y_true, y_pred) == pytest.approx(balanced_accuracy_score(y_true, y_pred))


def test_balanced_accuracy_is_a_half_for_the_majority_answer_and_names_bad_input():
    y = np.r_[np.zeros(90), np.ones(10)]
    assert balanced_accuracy(y, np.zeros(100)) == 0.5
    with pytest.raises(ValueError, match="same length"):
        balanced_accuracy([0, 1], [0, 1, 1])
    with pytest.raises(TypeError, match="y_pred"):
        balanced_accuracy([0, 1], ["a", "b"])


def test_fold_interval_is_a_student_t_interval():
    scores = np.array([0.8, 0.85, 0.9, 0.82, 0.88])
    mean, low, high = fold_interval(scores)
    half = stats.t.ppf(0.975, 4) * scores.std(ddof=1) / np.sqrt(5)
    assert mean == pytest.approx(0.85) and (low, high) == pytest.approx((0.85 - half, 0.85 + half))
    assert np.isnan(fold_interval([0.8])[1])
    with pytest.raises(ValueError, match="level"):
        fold_interval(scores, level=1.0)


def test_balanced_accuracy_ci_brackets_the_score_and_narrows_with_more_subjects():
    rng = np.random.default_rng(0)
    widths = []
    for n in (60, 600):
        y = rng.integers(0, 2, n)
        score = np.where(rng.random(n) < 0.8, 2 * y - 1, 1 - 2 * y) + 0.1 * rng.normal(size=n)  # 80 % right
        estimate, low, high = balanced_accuracy_ci(y, score, n_boot=500, rng=0)
        assert estimate == pytest.approx(balanced_accuracy(y, score > 0))
        assert low < estimate < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2


def test_balanced_accuracy_refuses_scores():
    assert balanced_accuracy([0, 0, 1, 1], [0, 1, 1, 1]) == 0.75
    assert balanced_accuracy(np.array([0, 1]), np.array([False, True])) == 1.0  # thresholded scores
    with pytest.raises(ValueError, match="y_pred must hold binary labels"):
        balanced_accuracy([0, 0, 1, 1], [0.2, 0.4, 0.7, 0.9])


def test_paired_difference_sees_what_two_overlapping_intervals_hide():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    signal = 2 * y - 1
    noise = rng.normal(size=300)
    better, worse = signal + 0.9 * noise, signal + 1.0 * noise  # same subjects, same noise, two models
    difference, low, high = balanced_accuracy_difference(y, better, worse, n_boot=1000, rng=0)
    assert balanced_accuracy_difference(y, better, worse, n_boot=1000, seed=0) == (difference, low, high)  # older name
    assert difference == pytest.approx(balanced_accuracy(y, better > 0) - balanced_accuracy(y, worse > 0))
    assert 0 < low < difference < high
    _, a_low, a_high = balanced_accuracy_ci(y, better, n_boot=1000)
    _, b_low, b_high = balanced_accuracy_ci(y, worse, n_boot=1000)
    assert a_low < b_high  # the two intervals overlap, yet the paired interval excludes 0
    assert balanced_accuracy_difference(y, better, better, n_boot=100)[1:] == (0.0, 0.0)
    with pytest.raises(ValueError, match="same length"):
        balanced_accuracy_difference(y, better, worse[:-1])


# ---------------------------------------------------------------- regression


REGRESSION_METRICS = [mean_absolute_error, root_mean_squared_error, r2_score, pearson_r]


def _regression_data(n=80, k=3, seed=0):
    """Ages (years) and noisy, biased predictions of them, (n, k)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(70, 8, size=(n, k))
    return y, 0.8 * y + 12 + rng.normal(0, 4, size=(n, k))


def _sklearn_regression(metric, y, p):
    """The scikit-learn (or scipy) value of ``metric``, one per column. scikit-learn >= 1.3 has no
    root_mean_squared_error before 1.4: its square root of mean_squared_error."""
    if metric is mean_absolute_error:
        return sk_metrics.mean_absolute_error(y, p, multioutput="raw_values")
    if metric is root_mean_squared_error:
        return np.sqrt(sk_metrics.mean_squared_error(y, p, multioutput="raw_values"))
    if metric is r2_score:
        return sk_metrics.r2_score(y, p, multioutput="raw_values")
    return np.array([stats.pearsonr(y[:, j], p[:, j])[0] for j in range(y.shape[1])])


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("metric", REGRESSION_METRICS, ids=lambda m: m.__name__)
def test_regression_metrics_match_scikit_learn_per_column(metric, seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 300)), int(rng.integers(1, 5))
    scale = 10.0 ** rng.uniform(-2, 3)  # units from hundredths to thousands
    y = scale * rng.normal(size=(n, k)) + rng.normal()
    p = y * rng.uniform(0.2, 1.5) + scale * rng.normal(size=(n, k))
    expected = _sklearn_regression(metric, y, p)
    values = metric(y, p)
    assert isinstance(values, np.ndarray) and values.shape == (k,)
    tolerance = 1e-12 * (scale if metric in (mean_absolute_error, root_mean_squared_error) else 1.0)
    np.testing.assert_allclose(values, expected, rtol=0, atol=tolerance)
    one = metric(y[:, 0], p[:, 0])
    assert isinstance(one, float) and one == pytest.approx(expected[0], rel=0, abs=tolerance)


def test_regression_metrics_on_simple_cases():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert mean_absolute_error(y, y + [1, -1, 1, -1]) == 1.0
    assert root_mean_squared_error(y, y + [2, 0, 0, 0]) == 1.0
    assert r2_score(y, y) == 1.0 and r2_score(y, np.full(4, y.mean())) == 0.0
    assert pearson_r(y, y) == pytest.approx(1.0) and pearson_r(y, -y) == pytest.approx(-1.0)
    # r is blind to bias and scale; the errors are not
    assert pearson_r(y, 2 * y + 10) == pytest.approx(1.0)
    assert mean_absolute_error(y, 2 * y + 10) == pytest.approx(12.5)


def test_r2_of_a_constant_target_follows_scikit_learn():
    """scikit-learn: 1 for perfect predictions of a constant target, else 0 (not −inf or NaN)."""
    y = np.full(5, 3.0)
    imperfect = np.array([3.0, 3.0, 3.0, 3.0, 4.0])
    assert r2_score(y, y) == sk_metrics.r2_score(y, y) == 1.0
    assert r2_score(y, imperfect) == sk_metrics.r2_score(y, imperfect) == 0.0
    both = r2_score(np.column_stack([y, y]), np.column_stack([y, imperfect]))
    np.testing.assert_array_equal(both, [1.0, 0.0])
    # where scikit-learn's rounded mean of 0.1, 0.1, 0.1 is not 0.1 (a huge negative R²), constancy is exact here
    assert r2_score([0.1, 0.1, 0.1], [0.1, 0.1, 0.2]) == 0.0 and r2_score([0.1] * 3, [0.1] * 3) == 1.0
    with pytest.warns(RuntimeWarning, match="fewer than 2 samples"):
        assert np.isnan(r2_score([1.0], [2.0]))


def test_pearson_r_of_a_constant_column_is_nan_with_a_warning():
    y, p = _regression_data(n=30, k=2)
    p[:, 1] = 5.0
    with pytest.warns(RuntimeWarning, match=r"column\(s\) \[1\]"):
        r = pearson_r(y, p)
    assert np.isfinite(r[0]) and np.isnan(r[1])


def test_regression_metrics_name_bad_input():
    for metric in REGRESSION_METRICS:
        with pytest.raises(ValueError, match=r"y_true and y_pred must have the same shape, got \(3,\) and \(3, 1\)"):
            metric([1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]])
        with pytest.raises(ValueError, match="same shape"):
            metric([1.0, 2.0, 3.0], [1.0, 2.0])
        with pytest.raises(ValueError, match="y_pred contains NaN or infinite"):
            metric([1.0, 2.0, 3.0], [1.0, np.inf, 3.0])
        with pytest.raises(ValueError, match="y_true contains NaN"):
            metric([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
        with pytest.raises(TypeError, match="y_true must hold numbers"):
            metric(["a", "b"], [1.0, 2.0])
        with pytest.raises(ValueError, match="y_pred must have 1 or 2 dimension"):
            metric(np.ones((2, 2)), np.ones((2, 2, 1)))


@pytest.mark.parametrize("grouped", [False, True], ids=["rows", "groups"])
@pytest.mark.parametrize("metric", REGRESSION_METRICS, ids=lambda m: m.__name__)
def test_vectorised_regression_bootstrap_equals_the_generic_path(metric, grouped):
    """The weighted sums over resample counts give, replicate by replicate, the metric of the resampled rows."""
    y, p = _regression_data(n=60, k=2, seed=3)
    groups = np.arange(60) // 3 if grouped else None  # patients of 3 visits

    def one_call_per_replicate(yt, yp):  # not the function itself: the generic path
        return metric(yt, yp)

    fast = bootstrap_replicates(metric, y, p, n_boot=60, rng=4, groups=groups)
    slow = bootstrap_replicates(one_call_per_replicate, y, p, n_boot=60, rng=4, groups=groups)
    assert fast.shape == (60, 2)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-10)
    flat = bootstrap_replicates(metric, y[:, 1], p[:, 1], n_boot=60, rng=4, groups=groups)
    np.testing.assert_allclose(flat, fast[:, 1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("metric", [r2_score, pearson_r], ids=lambda m: m.__name__)
def test_vectorised_regression_bootstrap_on_replicates_with_a_constant_target(metric):
    """Two patients, one with a constant target: a replicate that draws that patient twice has a
    constant target, where R² takes scikit-learn's convention and r is undefined (NaN), on both paths."""
    y = np.array([5.0, 5.0, 5.0, 1.0, 2.0, 4.0])
    p = np.array([5.0, 5.0, 4.0, 1.5, 2.0, 3.0])
    groups = np.array([0, 0, 0, 1, 1, 1])
    fast = bootstrap_replicates(metric, y, p, n_boot=200, rng=0, groups=groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        slow = bootstrap_replicates(lambda yt, yp: metric(yt, yp), y, p, n_boot=200, rng=0, groups=groups)
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-10)  # NaN where the other is NaN
    constant = np.isin(fast, [0.0]) if metric is r2_score else np.isnan(fast)
    assert 30 < constant.sum() < 80  # the first patient twice: a quarter of the replicates


def test_bootstrap_ci_of_the_mae_covers_the_population_value():
    """Errors e ~ N(0, σ²) have MAE σ√(2/π): the 90% interval covers it in about 90% of samples."""
    rng = np.random.default_rng(2)
    sigma, covered, trials = 4.0, 0, 150
    for t in range(trials):
        age = rng.normal(70, 8, 150)
        result = bootstrap_ci(mean_absolute_error, age, age + rng.normal(0, sigma, 150), n_boot=500, alpha=0.10,
                              rng=t)
        assert result.low < result.estimate < result.high and result.n_dropped == 0
        covered += result.low <= sigma * np.sqrt(2 / np.pi) <= result.high
    assert 0.82 <= covered / trials <= 0.97


def test_paired_difference_of_two_regressors():
    y, p = _regression_data(n=300, k=1, seed=5)
    better = y + np.random.default_rng(1).normal(0, 2, size=y.shape)
    d = bootstrap_difference(mean_absolute_error, y[:, 0], p[:, 0], better[:, 0], n_boot=2000)
    assert d.estimate == pytest.approx(mean_absolute_error(y, p)[0] - mean_absolute_error(y, better)[0])
    assert d.low > 0  # the noisier, biased predictions err more


# ---------------------------------------------------------------- calibration


def _probabilities(n=400, k=1, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.beta(0.7, 1.2, size=(n, k))
    return (rng.random((n, k)) < p).astype(float), p


@pytest.mark.parametrize("seed", range(10))
def test_brier_score_matches_scikit_learn(seed):
    y, p = _probabilities(n=50 + 30 * seed, k=3, seed=seed)
    expected = [sk_metrics.brier_score_loss(y[:, j], p[:, j]) for j in range(3)]
    np.testing.assert_allclose(brier_score(y, p), expected, rtol=0, atol=1e-12)
    assert brier_score(y[:, 2], p[:, 2]) == pytest.approx(expected[2], abs=1e-12)
    assert brier_score([0, 1, 1], [0.0, 1.0, 1.0]) == 0.0
    assert brier_score([0, 0, 0, 1], [0.25] * 4) == pytest.approx(0.25 * 0.75)  # the prevalence π: π(1 − π)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 5, 10, 17])
def test_calibration_curve_matches_scikit_learn(seed, strategy, n_bins):
    y, p = _probabilities(n=300, seed=seed)
    y, p = y[:, 0], p[:, 0]
    if seed % 2:
        p = np.round(p, 1)  # probabilities on the bin edges, and 0 and 1 themselves
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    expected_true, expected_pred = sk_calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    assert prob_true.shape == expected_true.shape
    np.testing.assert_allclose(prob_true, expected_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(prob_pred, expected_pred, rtol=0, atol=1e-12)


def test_expected_calibration_error_by_hand():
    y = np.array([0, 1, 1, 0])
    # two bins: [0, 0.5] holds 0.1 and 0.2 (one positive: 0.5 against a mean of 0.15), (0.5, 1] the others
    assert expected_calibration_error(y, [0.1, 0.2, 0.8, 0.9], n_bins=2) == pytest.approx(0.5 * 0.35 + 0.5 * 0.35)
    # one bin: |prevalence − mean probability|
    assert expected_calibration_error(y, [0.1, 0.2, 0.8, 0.7], n_bins=1) == pytest.approx(abs(0.5 - 0.45))
    # every probability in one bin: |0.6 − 0.5|
    assert expected_calibration_error([0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5], n_bins=3) == pytest.approx(0.1)
    assert expected_calibration_error([0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0]) == 0.0  # certain and right
    assert expected_calibration_error([0, 0, 1, 1], [0.05, 0.05, 0.95, 0.95]) == pytest.approx(0.05)


@pytest.mark.parametrize("seed", range(5))
def test_expected_calibration_error_is_the_weighted_gap_of_the_reliability_curve(seed):
    y, p = _probabilities(n=500, k=2, seed=seed)
    for n_bins in (4, 10):
        counts = np.bincount(np.minimum((p[:, 0] * n_bins).astype(int), n_bins - 1), minlength=n_bins)
        assert counts.sum() == 500  # (no probability on an edge: the equal-width bins count the same)
        prob_true, prob_pred = calibration_curve(y[:, 0], p[:, 0], n_bins=n_bins)
        weights = counts[counts > 0] / 500
        expected = np.sum(weights * np.abs(prob_true - prob_pred))
        ece = expected_calibration_error(y, p, n_bins=n_bins)
        assert ece.shape == (2,) and ece[0] == pytest.approx(expected, abs=1e-12)
        assert ece[1] == expected_calibration_error(y[:, 1], p[:, 1], n_bins=n_bins)


@pytest.mark.parametrize("seed", range(5))
def test_a_calibrated_predictor_has_an_ece_near_zero_and_a_sharpened_one_does_not(seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.01, 0.99, 20_000)
    y = (rng.random(p.shape) < p).astype(float)  # calibrated: P(y = 1 | p) = p
    sharpened = expit(3 * logit(p))  # over-confident: the same ranking, probabilities pushed to 0 and 1
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, sharpened) > 0.1
    assert brier_score(y, sharpened) > brier_score(y, p)
    assert roc_auc(y, sharpened) == pytest.approx(roc_auc(y, p), abs=1e-12)


def test_calibration_metrics_name_bad_input():
    y, p = [0, 1, 1], [0.2, 0.6, 0.9]
    for metric in (brier_score, expected_calibration_error, calibration_curve):
        with pytest.raises(ValueError, match=r"y_prob must hold probabilities in \[0, 1\], got values from -0.1"):
            metric(y, [-0.1, 0.6, 0.9])
        with pytest.raises(ValueError, match="to 1.5"):
            metric(y, [0.1, 0.6, 1.5])
        with pytest.raises(ValueError, match="y_true must hold binary labels"):
            metric([0, 2, 1], p)
        with pytest.raises(ValueError, match="y_true and y_prob must have the same shape"):
            metric(y, p[:2])
        with pytest.raises(ValueError, match="y_prob contains NaN"):
            metric(y, [0.2, np.nan, 0.9])
    with pytest.raises(ValueError, match="calibration_curve takes one column"):
        calibration_curve(np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(y, p, n_bins=0)
    with pytest.raises(TypeError, match="n_bins"):
        calibration_curve(y, p, n_bins=2.5)
    with pytest.raises(ValueError, match="strategy"):
        calibration_curve(y, p, strategy="equal")
