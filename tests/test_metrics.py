"""dlmi.metrics agrees with scikit-learn to 1e-12, and the bootstrap behaves as the paper's."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
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
    fold_interval,
    mean_auc,
    paper_table,
    roc_auc,
    roc_curve,
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
