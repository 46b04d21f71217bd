"""Patient-level splits: no patient in two parts, shares met, labels stratified, bad input refused."""

import numpy as np
import pytest

from dlmi.data import assert_no_patient_overlap, patient_folds, patient_split


def _cohort(n_patients=2000, seed=0):
    rng = np.random.default_rng(seed)
    patient_ids = np.repeat(np.arange(n_patients), rng.integers(1, 4, n_patients))
    rates = np.linspace(0.01, 0.2, 14)
    labels = (rng.random((len(patient_ids), 14)) < rates).astype(np.uint8)
    return patient_ids, labels


def test_parts_cover_every_image_once_and_share_no_patient():
    patient_ids, labels = _cohort()
    parts = patient_split(patient_ids, labels, (0.7, 0.1, 0.2), seed=0)
    assert len(parts) == 3
    together = np.concatenate(parts)
    np.testing.assert_array_equal(np.sort(together), np.arange(len(patient_ids)))
    assert all(p.dtype == np.int64 and np.all(np.diff(p) > 0) for p in parts)
    assert_no_patient_overlap(*parts, patient_ids=patient_ids)
    for part, share in zip(parts, (0.7, 0.1, 0.2)):
        assert len(part) / len(patient_ids) == pytest.approx(share, abs=0.01)


def test_multilabel_stratification_keeps_every_rate_close():
    patient_ids, labels = _cohort()
    parts = patient_split(patient_ids, labels, (0.6, 0.2, 0.2), seed=1)
    overall = labels.mean(axis=0)
    for part in parts:
        ratio = labels[part].mean(axis=0) / overall
        np.testing.assert_allclose(ratio, 1.0, atol=0.15)
    # the rarest finding (about 40 positive images) is dealt out to within 3 images of its shares
    strat_error = max(abs(labels[p, 0].sum() - share * labels[:, 0].sum()) for p, share in zip(parts, (0.6, 0.2, 0.2)))
    assert strat_error <= 3


def test_binary_multiclass_and_continuous_labels_are_stratified():
    rng = np.random.default_rng(2)
    patient_ids = np.arange(1000)
    binary = (rng.random(1000) < 0.1).astype(int)
    train, test = patient_split(patient_ids, binary, (0.8, 0.2), seed=0)
    assert binary[test].sum() == pytest.approx(0.2 * binary.sum(), abs=1)
    classes = rng.integers(0, 5, 1000)
    train, test = patient_split(patient_ids, classes, (0.5, 0.5), seed=0)
    np.testing.assert_allclose(np.bincount(classes[train]), np.bincount(classes[test]), atol=2)
    age = rng.normal(70, 8, 1000)
    train, test = patient_split(patient_ids, age, (0.5, 0.5), seed=0)
    assert np.median(age[train]) == pytest.approx(np.median(age[test]), abs=1.0)


def test_same_seed_same_split_other_seed_other_split():
    patient_ids, labels = _cohort(300)
    first = patient_split(patient_ids, labels, seed=4)
    again = patient_split(patient_ids, labels, seed=4)
    other = patient_split(patient_ids, labels, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_string_ids_and_tiny_cohorts():
    ids = np.array(["ann", "bob", "bob", "cy", "dee", "dee"])
    parts = patient_split(ids, None, (0.5, 0.25, 0.25), seed=0)
    assert all(len(p) > 0 for p in parts)
    assert_no_patient_overlap(*parts, patient_ids=ids)
    with pytest.raises(ValueError, match="cannot split 2 patient"):
        patient_split(["a", "b"], None, (0.5, 0.25, 0.25))


def test_overlap_is_reported_with_the_patients():
    assert_no_patient_overlap([1, 2], [3], [4, 5])
    with pytest.raises(AssertionError, match=r"1 patient\(s\) appear in both group 0 and group 2, e.g. \[2\]"):
        assert_no_patient_overlap([1, 2], [3], [2, 5])
    ids = np.array([10, 10, 11, 12])
    with pytest.raises(AssertionError, match=r"\[10\]"):
        assert_no_patient_overlap([0], [1, 2], patient_ids=ids)
    with pytest.raises(ValueError, match="at least 2 groups"):
        assert_no_patient_overlap([1, 2])
    with pytest.raises(ValueError, match=r"groups\[1\] must hold image indices"):
        assert_no_patient_overlap([0], [7], patient_ids=ids)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(fractions=(0.7, 0.2)), ValueError, "sum to 1"),
        (dict(fractions=(1.0,)), ValueError, "at least 2 parts"),
        (dict(fractions=(1.2, -0.2)), ValueError, "non-negative"),
        (dict(labels=np.zeros(3)), ValueError, "one row per image"),
        (dict(labels=np.full((10, 2), 3)), ValueError, "multi-label 0/1"),
        (dict(seed=-1), ValueError, "seed"),
    ],
)
def test_bad_arguments_name_what_is_wrong(kwargs, error, match):
    with pytest.raises(error, match=match):
        patient_split(np.arange(10), **kwargs)


def test_bad_patient_ids():
    with pytest.raises(ValueError, match="patient_ids must be a non-empty 1-D"):
        patient_split(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="patient_ids must hold integers or strings"):
        patient_split(np.array([0.5, 1.5]))


def test_pandas_string_ids_and_string_class_labels():
    pd = pytest.importorskip("pandas")
    ids = pd.Series(["p1", "p1", "p2", "p3"])
    parts = patient_split(ids, None, (0.5, 0.5))
    assert sorted(np.concatenate(parts).tolist()) == [0, 1, 2, 3]
    assert_no_patient_overlap(*parts, patient_ids=ids)
    assert len(patient_split(pd.Series([7, 7, 8, 9], dtype=object), None, (0.5, 0.5))) == 2
    ids = np.repeat(np.arange(40), 2)
    names = np.where(np.arange(80) % 8 < 2, "sick", "healthy")
    for labels in (names, pd.Series(names), names.astype(object)):
        train, test = patient_split(ids, labels, (0.5, 0.5), seed=0)
        assert (names[train] == "sick").sum() == (names[test] == "sick").sum() == 10
    with pytest.raises(TypeError, match="patient_ids must hold integers or strings, all of one kind, got a mix of int"):
        patient_split(pd.Series(["p1", 2, "p3"]), None, (0.5, 0.5))
    with pytest.raises(TypeError, match="labels must hold numbers or class names, all of one kind, got a mix of fl"):
        patient_split(np.arange(3), pd.Series(["a", np.nan, "b"]), (0.5, 0.5))
    with pytest.raises(ValueError, match=r"labels holding class names must have shape \(3,\)"):
        patient_split(np.arange(3), ["a", "b"], (0.5, 0.5))


# ---------------------------------------------------------------- subjects with several sessions, folds


def _two_session_ids(n_subjects=30, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(n_subjects), rng.integers(1, 4, n_subjects))
    labels = (np.arange(n_subjects) % 3 == 0).astype(int)  # a third of the subjects are positive
    return ids, labels[ids]


@pytest.mark.parametrize("rng", [1, np.random.default_rng(1)])
def test_sessions_of_a_subject_stay_together_and_labels_stay_balanced(rng):
    """Several sessions (rows) per subject, a subject-level label: the Alzheimer case study's split."""
    ids, y = _two_session_ids(60)
    train, test = patient_split(ids, y, (0.7, 0.3), rng=rng)
    assert not set(ids[train]) & set(ids[test])
    np.testing.assert_array_equal(np.sort(np.r_[train, test]), np.arange(len(ids)))
    assert abs(len(test) / len(ids) - 0.3) < 0.05
    assert abs(y[test].mean() - y.mean()) < 0.1


def test_seed_is_the_older_name_of_rng():
    ids, y = _two_session_ids()
    for a, b in zip(patient_split(ids, y, (0.5, 0.5), seed=3), patient_split(ids, y, (0.5, 0.5), rng=3)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="not both"):
        patient_split(ids, y, (0.5, 0.5), rng=2, seed=3)


def test_patient_folds_test_each_subject_once():
    ids, y = _two_session_ids(45)
    folds = patient_folds(ids, y, n_splits=3, rng=0)
    tested = np.concatenate([test for _, test in folds])
    np.testing.assert_array_equal(np.sort(tested), np.arange(len(ids)))
    for train, test in folds:
        assert not set(ids[train]) & set(ids[test])
        assert 0 < y[test].mean() < 1
    with pytest.raises(ValueError, match="n_splits"):
        patient_folds(ids, y, n_splits=1)
    with pytest.raises(ValueError, match="labels"):
        patient_folds(ids, y[:-1])
