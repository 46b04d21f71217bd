"""Patient-level splits: every image (session, slice) of a patient goes to the same part, labels stay balanced.

CheXNeXt split ChestX-ray14 into training, tuning and validation sets "with no patient
overlap among the partitions": images of one patient look alike (same anatomy, same chronic
findings), so a patient on both sides of a split lets a model score well by recognising people
instead of diseases. Wen et al. (2020) found the same leak in Alzheimer's studies that split
MRI slices or sessions instead of subjects. ``patient_split`` makes such a split,
``patient_folds`` the folds of a cross-validation, and ``assert_no_patient_overlap`` checks one.

    train, tune, test = patient_split(data.patient_ids, data.labels, (0.7, 0.1, 0.2), rng=0)
    assert_no_patient_overlap(train, tune, test, patient_ids=data.patient_ids)
    folds = patient_folds(subject_ids, y, n_splits=5, rng=0)
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np

from ..validation import as_array, check_rng, check_scalar, rng_argument, seed_from


def _from_object(values: np.ndarray, name: str, wanted: str) -> np.ndarray:
    """An object array (pandas' strings and ids) as str, int64 or float64, whichever all its
    elements are; ``TypeError`` naming ``name`` for a mix. Other arrays are returned as they are."""
    if values.dtype != object:
        return values
    items = values.ravel().tolist()
    for kind, dtype in ((str, str), (Integral, np.int64), (Real, np.float64)):
        if all(isinstance(v, kind) and not isinstance(v, bool) for v in items):
            return values.astype(dtype)
    found = ", ".join(sorted({type(v).__name__ for v in items}))
    raise TypeError(f"{name} must hold {wanted}, all of one kind, got a mix of {found}")


def _patient_index(patient_ids) -> tuple[np.ndarray, np.ndarray]:
    """Unique patients (P,) and, for each image, the position of its patient (N,)."""
    ids = np.asarray(patient_ids)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(f"patient_ids must be a non-empty 1-D array, one id per image, got shape {ids.shape}")
    ids = _from_object(ids, "patient_ids", "integers or strings")
    if ids.dtype.kind not in "iuUS":
        raise TypeError(f"patient_ids must hold integers or strings, got dtype {ids.dtype}")
    return np.unique(ids, return_inverse=True)


def _check_fractions(fractions) -> np.ndarray:
    values = as_array(fractions, "fractions", ndim=1)
    if len(values) < 2:
        raise ValueError(f"fractions must have at least 2 parts, got {len(values)}")
    if (values < 0).any() or not np.isclose(values.sum(), 1.0, atol=1e-6):
        raise ValueError(f"fractions must be non-negative and sum to 1, got {values.tolist()}")
    return values


def _label_matrix(labels, n: int) -> np.ndarray:
    """(N, K) 0/1 indicators to stratify on: multi-label columns as they are, classes one-hot,
    class names (strings) one-hot, non-integer values (a regression target) by their quintile."""
    y = _from_object(np.asarray(labels), "labels", "numbers or class names")
    if y.dtype.kind in "US":
        if y.ndim != 1 or y.shape[0] != n:
            raise ValueError(f"labels holding class names must have shape ({n},), one per image, got {y.shape}")
        y = np.unique(y, return_inverse=True)[1]
    y = as_array(y, "labels", ndim=(1, 2))
    if y.shape[0] != n:
        raise ValueError(f"labels must have one row per image ({n}), got {y.shape[0]}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim == 2:
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError("labels with several columns must be multi-label 0/1 indicators")
        return y
    if not np.array_equal(y, np.round(y)):
        y = np.searchsorted(np.quantile(y, [0.2, 0.4, 0.6, 0.8]), y)
    classes = np.unique(y)
    return (y[:, None] == classes[None, :]).astype(float)


def patient_split(
    patient_ids,
    labels=None,
    fractions: Sequence[float] = (0.7, 0.1, 0.2),
    rng=0,
    *,
    seed: int | None = None,
) -> tuple[np.ndarray, ...]:
    """Image indices of each part (training, tuning, test by default), no patient in two parts.

    Parameters
    ----------
    patient_ids : (N,) the patient of each image (integers or strings; a pandas Series of
        either is fine).
    labels : (N,) classes (binary, multi-class, ordinal; numbers or strings), (N,) a continuous target (stratified
        by quintile), (N, K) multi-label 0/1, or ``None`` not to stratify.
    fractions : share of the images in each part, summing to 1 (two parts or more).
    rng : an int seed (the same seed gives the same split) or a numpy Generator; ``seed`` is
        its older name.

    Returns
    -------
    One sorted int64 array of image indices per part. Patients are dealt out whole, so the
    shares are met as closely as whole patients allow; with labels, each part also gets its
    share of every label's positive images, by iterative stratification (Sechidis et al., 2011)
    over patients: the rarest label first, each of its patients to the part that lacks it most.
    """
    patients, patient_of = _patient_index(patient_ids)
    fractions = _check_fractions(fractions)
    rng = check_rng(rng_argument(rng, seed))
    n_parts, n_patients = len(fractions), len(patients)
    if n_patients < (fractions > 0).sum():
        raise ValueError(f"cannot split {n_patients} patient(s) into {(fractions > 0).sum()} non-empty parts")

    images = np.bincount(patient_of, minlength=n_patients).astype(float)
    if labels is None:
        counts = np.zeros((n_patients, 0))
    else:
        y = _label_matrix(labels, len(patient_of))
        counts = np.zeros((n_patients, y.shape[1]))
        np.add.at(counts, patient_of, y)  # positive images of each label, per patient

    wanted_images = fractions * images.sum()
    wanted_labels = fractions[:, None] * counts.sum(axis=0)[None, :]
    part = np.full(n_patients, -1)

    def assign(patient: int, need: np.ndarray) -> None:
        best = np.flatnonzero(need == need.max())
        if len(best) > 1:
            by_images = wanted_images[best]
            best = best[by_images == by_images.max()]
        chosen = rng.choice(best)
        part[patient] = chosen
        wanted_images[chosen] -= images[patient]
        wanted_labels[chosen] -= counts[patient]

    remaining = counts.copy()
    while (remaining.sum(axis=0) > 0).any():
        carriers = (remaining > 0).sum(axis=0).astype(float)
        carriers[carriers == 0] = np.inf
        label = rng.choice(np.flatnonzero(carriers == carriers.min()))
        for patient in rng.permutation(np.flatnonzero(remaining[:, label] > 0)):
            assign(patient, np.where(fractions > 0, wanted_labels[:, label], -np.inf))
            remaining[patient] = 0
    for patient in rng.permutation(np.flatnonzero(part < 0)):
        assign(patient, np.where(fractions > 0, wanted_images, -np.inf))

    empty = [k for k in range(n_parts) if fractions[k] > 0 and not (part == k).any()]
    for k in empty:  # too few patients for the shares: give each wanted part one patient
        donor = np.bincount(part, minlength=n_parts).argmax()
        part[rng.choice(np.flatnonzero(part == donor))] = k
    return tuple(np.flatnonzero(part[patient_of] == k).astype(np.int64) for k in range(n_parts))


def patient_folds(patient_ids, labels, n_splits: int = 5, rng=0, *,
                  seed: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified ``n_splits``-fold cross-validation by patient: a list of (train, test) row indices.

    ``patient_ids`` (N,) the patient (subject) of each row, ``labels`` (N,) classes, the same for
    every row of a patient. Each patient is tested in exactly one fold; class shares are kept as
    far as whole patients allow (scikit-learn's ``StratifiedGroupKFold``).
    """
    from sklearn.model_selection import StratifiedGroupKFold

    _, patient_of = _patient_index(patient_ids)
    y = np.asarray(labels)
    check_scalar(n_splits, "n_splits", kind=Integral, low=2)
    if y.shape != patient_of.shape:
        raise ValueError(f"labels must be 1-D with one label per row of patient_ids, got shape {y.shape} "
                         f"for {len(patient_of)} rows")
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed_from(rng_argument(rng, seed)))
    return [(train, test) for train, test in splitter.split(np.zeros(len(y)), y, patient_of)]


def assert_no_patient_overlap(*groups, patient_ids=None) -> None:
    """Raise ``AssertionError`` if a patient appears in two of ``groups``.

    Each group is an array of patient ids, or, when ``patient_ids`` (N,) is given, an array
    of image indices into it (as ``patient_split`` returns).
    """
    if len(groups) < 2:
        raise ValueError(f"give at least 2 groups to compare, got {len(groups)}")
    if patient_ids is not None:
        ids = np.asarray(patient_ids)
        resolved = []
        for k, group in enumerate(groups):
            index = np.asarray(group)
            if index.size and (index.dtype.kind not in "iu" or index.min() < 0 or index.max() >= len(ids)):
                raise ValueError(f"groups[{k}] must hold image indices in [0, {len(ids)}) into patient_ids")
            resolved.append(ids[index.astype(np.int64)])
        groups = tuple(resolved)
    sets = [set(np.asarray(group).ravel().tolist()) for group in groups]
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            shared = sets[i] & sets[j]
            if shared:
                shown = sorted(shared, key=str)[:5]
                raise AssertionError(
                    f"{len(shared)} patient(s) appear in both group {i} and group {j}, e.g. {shown}: "
                    "their images must all go to one part"
                )
