"""The Alzheimer case-study pipeline: splits, scores, estimators and experiments on small inputs."""

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from torch import nn

import dlmi
from dlmi import alzheimer as alz
from dlmi.data import simulate_participants
from dlmi.models import SimpleCNN2d


# ------------------------------------------------------------------ tasks, scores, splits


def test_task_labels_select_the_two_groups():
    people = simulate_participants(40, seed=0)
    rows, y = alz.task_labels(people, "sMCI vs pMCI")
    groups = people["group"].astype(str).to_numpy()
    assert set(groups[rows]) == {"sMCI", "pMCI"} and len(rows) == np.isin(groups, ["sMCI", "pMCI"]).sum()
    np.testing.assert_array_equal(y, groups[rows] == "pMCI")
    with pytest.raises(ValueError, match="task must be one of"):
        alz.task_labels(people, "AD vs MCI")
    with pytest.raises(TypeError, match="participants"):
        alz.task_labels(people.to_numpy(), "AD vs CN")


@pytest.mark.parametrize("seed", range(4))
def test_balanced_accuracy_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true = (rng.random(50) < 0.3).astype(int)
    y_true[:2] = [0, 1]
    y_pred = rng.integers(0, 2, 50)
    assert alz.balanced_accuracy(y_true, y_pred) == pytest.approx(balanced_accuracy_score(y_true, y_pred))


def test_balanced_accuracy_is_a_half_for_the_majority_answer_and_names_bad_input():
    y = np.r_[np.zeros(90), np.ones(10)]
    assert alz.balanced_accuracy(y, np.zeros(100)) == 0.5
    with pytest.raises(ValueError, match="same length"):
        alz.balanced_accuracy([0, 1], [0, 1, 1])
    with pytest.raises(TypeError, match="y_pred"):
        alz.balanced_accuracy([0, 1], ["a", "b"])


def test_fold_interval_is_a_student_t_interval():
    scores = np.array([0.8, 0.85, 0.9, 0.82, 0.88])
    mean, low, high = alz.fold_interval(scores)
    half = stats.t.ppf(0.975, 4) * scores.std(ddof=1) / np.sqrt(5)
    assert mean == pytest.approx(0.85) and (low, high) == pytest.approx((0.85 - half, 0.85 + half))
    assert np.isnan(alz.fold_interval([0.8])[1])
    with pytest.raises(ValueError, match="level"):
        alz.fold_interval(scores, level=1.0)


def test_balanced_accuracy_ci_brackets_the_score_and_narrows_with_more_subjects():
    rng = np.random.default_rng(0)
    widths = []
    for n in (60, 600):
        y = rng.integers(0, 2, n)
        score = np.where(rng.random(n) < 0.8, 2 * y - 1, 1 - 2 * y) + 0.1 * rng.normal(size=n)  # 80 % right
        estimate, low, high = alz.balanced_accuracy_ci(y, score, n_boot=500, seed=0)
        assert estimate == pytest.approx(alz.balanced_accuracy(y, score > 0))
        assert low < estimate < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2


def _two_session_ids(n_subjects=30, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_subjects), rng.integers(1, 4, n_subjects))
    labels = (np.arange(n_subjects) % 3 == 0).astype(int)  # a third of the subjects are positive
    return ids, labels[ids]


def test_subject_split_keeps_every_subject_on_one_side_and_stratifies():
    ids, y = _two_session_ids()
    train, test = alz.subject_split(ids, y, test_size=0.3, seed=1)
    assert not set(ids[train]) & set(ids[test])
    np.testing.assert_array_equal(np.sort(np.r_[train, test]), np.arange(len(ids)))
    assert len(np.unique(ids[test])) == 9  # 30 % of 30 subjects
    assert y[test][np.unique(ids[test], return_index=True)[1]].sum() == 3  # a third of them positive


def test_subject_split_names_bad_input():
    ids, y = _two_session_ids()
    y_bad = y.copy()
    y_bad[np.flatnonzero(ids == ids[0])[-1]] ^= 1 if (ids == ids[0]).sum() > 1 else 0
    if (ids == ids[0]).sum() > 1:
        with pytest.raises(ValueError, match="same for every row of a subject"):
            alz.subject_split(ids, y_bad)
    with pytest.raises(ValueError, match="test_size"):
        alz.subject_split(ids, test_size=1.5)
    with pytest.raises(ValueError, match="groups"):
        alz.subject_split(np.zeros((3, 2)))


def test_subject_folds_test_each_subject_once():
    ids, y = _two_session_ids(45)
    folds = alz.subject_folds(ids, y, n_splits=3, seed=0)
    tested = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tested), np.arange(len(ids)))
    for train, test in folds:
        assert not set(ids[train]) & set(ids[test])
        assert 0 < y[test].mean() < 1
    with pytest.raises(ValueError, match="n_splits"):
        alz.subject_folds(ids, y, n_splits=1)


def test_downsample_averages_blocks():
    maps = np.arange(2 * 4 * 4 * 6, dtype=np.float32).reshape(2, 4, 4, 6)
    small = alz.downsample(maps, 2)
    assert small.shape == (2, 2, 2, 3)
    assert small[1, 0, 1, 2] == pytest.approx(maps[1, 0:2, 2:4, 4:6].mean())
    assert alz.downsample(np.ones((1, 5, 5, 5)), 2).shape == (1, 3, 3, 3)
    np.testing.assert_allclose(alz.downsample(np.ones((1, 5, 5, 5)), 2), 1.0)  # partial blocks too
    with pytest.raises(ValueError, match="maps must have 4"):
        alz.downsample(np.ones((5, 5, 5)))


# ------------------------------------------------------------------ slices


def test_extract_slices_cuts_along_an_axis_and_drops_the_ends():
    maps = np.random.default_rng(0).random((3, 10, 6, 7)).astype(np.float32)
    slices, subject = alz.extract_slices(maps, axis=0, discard=0.2)
    assert slices.shape == (3 * 6, 1, 6, 7)
    np.testing.assert_array_equal(subject, np.repeat(np.arange(3), 6))
    np.testing.assert_array_equal(slices[7, 0], maps[1, 3])  # subject 1, second kept slice (index 2 + 1)
    coronal, _ = alz.extract_slices(maps, axis=1, discard=0.0)
    assert coronal.shape == (18, 1, 10, 7)
    np.testing.assert_array_equal(coronal[8, 0], maps[1, :, 2])
    with pytest.raises(ValueError, match="axis"):
        alz.extract_slices(maps, axis=3)


def test_aggregate_slices_averages_per_subject_in_any_order():
    p = np.array([0.2, 0.9, 0.4, 0.7, 0.1])
    subject = np.array([1, 0, 1, 0, 2])
    np.testing.assert_allclose(alz.aggregate_slices(p, subject), [0.8, 0.3, 0.1])
    with pytest.raises(ValueError, match="cover every subject"):
        alz.aggregate_slices(p, np.array([0, 0, 2, 2, 2]))
    with pytest.raises(ValueError, match="one integer subject index"):
        alz.aggregate_slices(p, subject.astype(float))


# ------------------------------------------------------------------ estimators


def _regional_data(n=120, p=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)].astype(int)
    X = rng.normal(size=(n, p))
    X[:, :3] -= 2.0 * y[:, None]  # three "regions" lose gray matter in patients
    return X, y


def test_regional_svm_chooses_c_inside_the_training_data_and_separates():
    X, y = _regional_data()
    svm = alz.RegionalSVM(Cs=(1e-3, 1e-1, 10.0)).fit(X, y)
    assert svm.C_ in (1e-3, 1e-1, 10.0)
    assert alz.balanced_accuracy(y, svm.predict(X)) > 0.9
    assert svm.decision_function(X).shape == (len(y),)
    with pytest.raises(ValueError, match="Cs must be positive"):
        alz.RegionalSVM(Cs=(0.0, 1.0)).fit(X, y)
    with pytest.raises(ValueError, match="y must hold binary labels"):
        alz.RegionalSVM().fit(X, y + 1)


def test_cross_validate_scores_every_fold_on_unseen_subjects():
    X, y = _regional_data()
    folds = alz.subject_folds(np.arange(len(y)), y, n_splits=4, seed=0)
    result = alz.cross_validate(alz.RegionalSVM(), X, y, folds)
    assert result.scores.shape == (4,) and len(result.params) == 4 and "C" in result.params[0]
    assert len(result.y_score) == len(y) and 0.8 < result.mean <= 1.0
    mean, low, high = result.interval()
    assert low < mean < high
    noise = alz.cross_validate(alz.RegionalSVM(), np.random.default_rng(1).normal(size=X.shape), y, folds)
    assert noise.mean < 0.7  # no signal, no score: the test folds were never seen


def _tiny_images(n=64, seed=0):
    """(n, 1, 12, 12) images whose label is a bright square in the upper half."""
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n // 2), np.ones(n // 2)]
    X = rng.normal(0.0, 0.3, (n, 1, 12, 12)).astype(np.float32)
    X[y == 1, :, 2:6, 3:9] += 1.0
    return X, y


def _small_cnn():
    return SimpleCNN2d(1, 1, widths=(4, 8))


def test_cnn_classifier_learns_and_repeats_exactly():
    X, y = _tiny_images()
    first = alz.CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, seed=0).fit(X, y)
    assert alz.balanced_accuracy(y, first.predict(X)) > 0.9
    proba = first.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.allclose(proba.sum(1), 1)
    second = alz.CNNClassifier(_small_cnn, epochs=15, lr=3e-3, batch_size=16, seed=0).fit(X, y)
    np.testing.assert_allclose(second.decision_function(X), first.decision_function(X), rtol=1e-5, atol=1e-6)
    assert len(first.history_["train_loss"]) == 15


def test_cnn_classifier_names_bad_input():
    X, y = _tiny_images(8)
    with pytest.raises(TypeError, match="make_model"):
        alz.CNNClassifier(lambda: "not a network").fit(X, y)
    with pytest.raises(ValueError, match="same number of samples"):
        alz.CNNClassifier(_small_cnn).fit(X, y[:-1])
    with pytest.raises(NotFittedError, match="not fitted"):
        alz.CNNClassifier(_small_cnn).predict(X)
    with pytest.raises(ValueError, match="lr"):
        alz.CNNClassifier(_small_cnn, lr=0.0).fit(X, y)
    with pytest.raises(ValueError, match=r"y must be one 0/1 label per subject"):
        alz.CNNClassifier(_small_cnn).fit(X, y[:, None])
    with pytest.raises(NotFittedError, match="not fitted"):
        alz.RegionalSVM().decision_function(np.ones((3, 4)))


def test_balanced_accuracy_refuses_scores():
    assert alz.balanced_accuracy([0, 0, 1, 1], [0, 1, 1, 1]) == 0.75
    assert alz.balanced_accuracy(np.array([0, 1]), np.array([False, True])) == 1.0  # thresholded scores
    with pytest.raises(ValueError, match="y_pred must hold binary labels"):
        alz.balanced_accuracy([0, 0, 1, 1], [0.2, 0.4, 0.7, 0.9])


def test_batchnorm_statistics_are_those_of_the_training_data_after_fit():
    X, y = _tiny_images(48)
    X = X * 2 + 3  # far from the batch-norm's initial statistics (mean 0, variance 1)
    model = alz.CNNClassifier(lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(),
                                                    nn.Linear(2 * 10 * 10, 1)),
                              epochs=2, batch_size=8).fit(X, y)
    conv, norm = model.model_[0], model.model_[1]
    with torch.no_grad():
        out = conv(torch.from_numpy(X))
    torch.testing.assert_close(norm.running_mean, out.mean(dim=(0, 2, 3)), rtol=1e-4, atol=1e-4)
    assert norm.momentum == 0.1 and not model.model_.training


def test_slice_classifier_aggregates_slices_per_subject():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(12), np.ones(12)]
    maps = rng.normal(0.0, 0.3, (24, 10, 12, 12)).astype(np.float32)
    maps[y == 1, :, 2:6, 3:9] += 1.0  # every sagittal slice of a patient shows the sign
    clf = alz.SliceCNNClassifier(_small_cnn, axis=0, discard=0.2, epochs=10, lr=3e-3, batch_size=32).fit(maps, y)
    probabilities, subject = clf.predict_slices(maps)
    assert probabilities.shape == subject.shape == (24 * 6,)
    np.testing.assert_allclose(clf.predict_proba(maps)[:, 1], alz.aggregate_slices(probabilities, subject), atol=1e-6)
    assert alz.balanced_accuracy(y, clf.predict(maps)) > 0.9
    with pytest.raises(ValueError, match="same number of subjects"):
        clf.fit(maps, y[:-1])


# ------------------------------------------------------------------ experiments


def test_learning_curve_has_one_row_per_fold_and_size():
    X, y = _regional_data(160)
    folds = alz.subject_folds(np.arange(len(y)), y, n_splits=2, seed=0)
    curve = alz.learning_curve(alz.RegionalSVM(), X, y, folds, [10, 40, 80])
    assert list(curve.columns) == ["n_train", "fold", "balanced_accuracy"] and len(curve) == 6
    means = curve.groupby("n_train")["balanced_accuracy"].mean()
    assert means[80] >= means[10] - 0.05 and means[80] > 0.8
    with pytest.raises(ValueError, match="sizes"):
        alz.learning_curve(alz.RegionalSVM(), X, y, folds, [1000])


def test_a_slice_level_split_rewards_memorising_subjects():
    """Labels carry no signal, only subjects do: a slice split scores high, a subject split at chance."""
    rng = np.random.default_rng(0)
    n_subjects, n_slices = 40, 10
    identity = rng.normal(size=(n_subjects, 1, 6, 6))
    subject = np.repeat(np.arange(n_subjects), n_slices)
    slices = (identity[subject] + 0.2 * rng.normal(size=(len(subject), 1, 6, 6))).astype(np.float32)
    labels = rng.permutation(np.r_[np.zeros(20), np.ones(20)])[subject]

    def memoriser():
        return nn.Sequential(nn.Flatten(), nn.Linear(36, 64), nn.ReLU(), nn.Linear(64, 1))

    scores = alz.leakage_experiment(alz.CNNClassifier(memoriser, epochs=30, lr=3e-3, batch_size=32), slices,
                                    labels, subject, seed=0)
    assert set(scores) == {"slice-level split", "subject-level split"}
    assert scores["slice-level split"] > 0.9
    assert abs(scores["subject-level split"] - 0.5) < 0.2
    with pytest.raises(TypeError, match="2D slices"):
        alz.leakage_experiment(alz.SliceCNNClassifier(memoriser), slices, labels, subject)


def test_pretraining_on_chest_xrays_returns_a_14_finding_network():
    model, history = alz.pretrain_on_chest_xrays(20, size=32, epochs=1, widths=(4, 8))
    assert isinstance(model, SimpleCNN2d) and model.head[-1].out_features == 14
    assert len(history["train_loss"]) == 1 and np.isfinite(history["train_loss"][0])


def test_comparison_table_has_the_slides_rows_and_columns():
    results = {("Linear SVM", "AD vs CN"): (0.861, 0.80, 0.91), ("2D slice CNN", "AD vs CN"): (0.7, 0.6, 0.8)}
    table = alz.comparison_table(results)
    assert list(table.index) == list(alz.PUBLISHED)
    assert table.loc["Linear SVM", ("AD vs CN", "this run (95 % CI)")] == "86 % [80, 91]"
    assert table.loc["Linear SVM", ("AD vs CN", "Wen et al. 2020")] == "86 %"
    assert table.loc["2D slice CNN", ("sMCI vs pMCI", "Wen et al. 2020")] == "N/A"
    assert table.loc["3D whole-brain CNN", ("sMCI vs pMCI", "this run (95 % CI)")] == "N/A"
    assert isinstance(table.columns, pd.MultiIndex)


def test_seeded_runs_do_not_depend_on_the_global_generator():
    X, y = _tiny_images(32)
    dlmi.seed_everything(123)
    a = alz.CNNClassifier(_small_cnn, epochs=2, seed=5).fit(X, y).decision_function(X)
    torch.manual_seed(999)
    b = alz.CNNClassifier(_small_cnn, epochs=2, seed=5).fit(X, y).decision_function(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_paired_difference_sees_what_two_overlapping_intervals_hide():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    signal = 2 * y - 1
    noise = rng.normal(size=300)
    better, worse = signal + 0.9 * noise, signal + 1.0 * noise  # same subjects, same noise, two models
    difference, low, high = alz.balanced_accuracy_difference(y, better, worse, n_boot=1000, seed=0)
    assert difference == pytest.approx(alz.balanced_accuracy(y, better > 0) - alz.balanced_accuracy(y, worse > 0))
    assert 0 < low < difference < high
    _, a_low, a_high = alz.balanced_accuracy_ci(y, better, n_boot=1000)
    _, b_low, b_high = alz.balanced_accuracy_ci(y, worse, n_boot=1000)
    assert a_low < b_high  # the two intervals overlap, yet the paired interval excludes 0
    assert alz.balanced_accuracy_difference(y, better, better, n_boot=100)[1:] == (0.0, 0.0)
    with pytest.raises(ValueError, match="same length"):
        alz.balanced_accuracy_difference(y, better, worse[:-1])
