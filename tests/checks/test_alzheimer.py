"""The exercise checks of notebook 10 accept right answers and explain wrong ones."""

import numpy as np

from dlmi import checks


def balanced_accuracy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return (np.mean(y_pred[y_true == 1] == 1) + np.mean(y_pred[y_true == 0] == 0)) / 2


def subject_split(subject_ids, test_size, seed):
    subject_ids = np.asarray(subject_ids)
    subjects = np.random.default_rng(seed).permutation(np.unique(subject_ids))
    in_test = np.isin(subject_ids, subjects[:round(test_size * len(subjects))])
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


def aggregate_slices(probabilities, subject_index):
    return np.bincount(subject_index, weights=probabilities) / np.bincount(subject_index)


def test_check_balanced_accuracy(failure):
    assert checks.check_balanced_accuracy(balanced_accuracy)
    plain_accuracy = lambda t, p: float(np.mean(np.asarray(t) == np.asarray(p)))
    sensitivity = lambda t, p: float(np.mean(np.asarray(p)[np.asarray(t) == 1] == 1))
    assert "plain accuracy" in failure(checks.check_balanced_accuracy, plain_accuracy)
    assert "specificity" in failure(checks.check_balanced_accuracy, sensitivity)


def test_check_balanced_accuracy_reports_errors_without_a_traceback(failure):
    def unfinished(y_true, y_pred):
        raise NotImplementedError

    assert "not implemented" in failure(checks.check_balanced_accuracy, unfinished)
    failure(checks.check_balanced_accuracy, lambda t, p: "0.5")
    assert "expected one number" in failure(checks.check_balanced_accuracy, lambda t, p: [0.5, 0.5])


def test_check_subject_split(failure):
    assert checks.check_subject_split(subject_split)

    def row_split(subject_ids, test_size, seed):  # the leak: rows, not subjects, are drawn
        rows = np.random.default_rng(seed).permutation(len(subject_ids))
        cut = round(test_size * len(rows))
        return rows[cut:], rows[:cut]

    assert "both train and test" in failure(checks.check_subject_split, row_split)

    def ids_not_rows(subject_ids, test_size, seed):
        subjects = np.unique(subject_ids)
        cut = round(test_size * len(subjects))
        return subjects[cut:], subjects[:cut]

    assert "row" in failure(checks.check_subject_split, ids_not_rows)

    def too_few_subjects(subject_ids, test_size, seed):
        return subject_split(subject_ids, test_size / 2, seed)

    assert "fraction of subjects" in failure(checks.check_subject_split, too_few_subjects)


def test_check_aggregate_slices(failure):
    assert checks.check_aggregate_slices(aggregate_slices)

    def assumes_equal_blocks(probabilities, subject_index):  # reshapes as if slices came in equal, ordered blocks
        n = subject_index.max() + 1
        return probabilities[: n * (len(probabilities) // n)].reshape(n, -1).mean(axis=1)

    assert "not in order" in failure(checks.check_aggregate_slices, assumes_equal_blocks)
    failure(checks.check_aggregate_slices, lambda p, s: np.bincount(s, weights=p))  # sums, not means
    assert "wrong shape" in failure(checks.check_aggregate_slices, lambda p, s: p)


def test_odd_returns_are_explained_without_a_traceback(failure):
    assert "expected one number" in failure(checks.check_balanced_accuracy, lambda y_true, y_pred: 10**400)
    assert "row indices" in failure(checks.check_subject_split, lambda ids, test_size, seed: ([np.inf], [0]))
    assert "forget `return`" in failure(checks.check_aggregate_slices, lambda p, s: None)
