"""The simulated Alzheimer's disease cohort: its table, its maps, the template, bad input."""

import socket

import matplotlib
import numpy as np
import pandas as pd
import pytest

from dlmi.data import brain, parcellation, transforms

matplotlib.use("agg")


@pytest.fixture(scope="module")
def default8():
    """The slides' cohort (1259 subjects) at 8 mm, with its regional features."""
    cohort = brain.simulate_cohort(voxel_size=8, rng=0)
    return cohort, parcellation.regional_features(cohort.maps, parcellation.regions(8))


# ---------------------------------------------------------------- participants


def test_default_table_matches_the_slides():
    people = brain.simulate_participants()
    assert len(people) == 1259 and people["participant_id"].is_unique
    for group, spec in brain.ADNI_TABLE.items():
        rows = people[people["group"] == group]
        n = spec["subjects"]
        assert len(rows) == n
        mean, sd, low, high = spec["age"]
        assert rows["age"].mean() == pytest.approx(mean, abs=3 * sd / np.sqrt(n))
        assert rows["age"].std() == pytest.approx(sd, rel=0.12)
        assert low <= rows["age"].min() <= low + 4 and high - 4 <= rows["age"].max() <= high
        assert (rows["sex"] == "M").sum() == spec["males"]
        mean, sd, low, high = spec["mmse"]
        assert rows["MMSE"].dtype.kind == "i"
        assert rows["MMSE"].mean() == pytest.approx(mean, abs=3 * sd / np.sqrt(n))
        assert rows["MMSE"].std() == pytest.approx(sd, rel=0.15)
        assert rows["MMSE"].min() >= low and rows["MMSE"].max() == high
        assert rows["CDR"].value_counts().to_dict() == spec["cdr"]
    assert (people.loc[people["group"] == "CN", "stage"] == 0).all()
    stage = people.groupby("group", observed=True)["stage"].mean()
    assert stage["CN"] < stage["sMCI"] < stage["pMCI"] < stage["AD"]


def test_lower_mmse_means_higher_stage_and_cdr():
    people = brain.simulate_participants()
    for group in ("sMCI", "pMCI", "AD"):
        rows = people[people["group"] == group]
        assert np.corrcoef(rows["MMSE"], rows["stage"])[0, 1] < -0.2
    ad = people[people["group"] == "AD"]
    assert ad.loc[ad["CDR"] >= 1, "MMSE"].mean() < ad.loc[ad["CDR"] == 0.5, "MMSE"].mean()


def test_cohort_table_summarises_like_the_slides():
    table = brain.cohort_table(brain.simulate_participants())
    slides = brain.adni_table()
    assert list(table.index) == list(slides.index) == list(brain.GROUPS)
    assert (table["Subjects"] == slides["Subjects"]).all()
    assert (table["Gender"] == slides["Gender"]).all() and (table["CDR"] == slides["CDR"]).all()
    assert slides.loc["CN", "Age"] == "74.4 ± 5.8 [59.8, 89.6]"
    with pytest.raises(ValueError, match="columns"):
        brain.cohort_table(pd.DataFrame({"age": [70]}))
    with pytest.raises(TypeError, match="participants"):
        brain.cohort_table([1, 2])


def test_n_subjects_scales_groups_or_sets_them():
    sizes = brain.simulate_participants(200)["group"].value_counts()
    assert sizes.sum() == 200 and sizes["AD"] == pytest.approx(200 * 336 / 1259, abs=1)
    people = brain.simulate_participants({"CN": 5, "AD": 7})
    assert people["group"].value_counts().to_dict() == {"CN": 5, "AD": 7, "sMCI": 0, "pMCI": 0}
    people = brain.simulate_participants(10, groups=("sMCI", "pMCI"))
    assert set(people["group"]) == {"sMCI", "pMCI"} and len(people) == 10


def test_sessions_progress_and_pmci_converts():
    people = brain.simulate_participants(100, sessions=4, rng=1)
    assert len(people) == 400
    assert list(people["session_id"][:4]) == ["ses-M00", "ses-M12", "ses-M24", "ses-M36"]
    by_subject = people.groupby("participant_id", observed=True)
    np.testing.assert_allclose(by_subject["age"].agg(np.ptp), 3.0)
    assert (by_subject["stage"].agg(lambda s: np.all(np.diff(s) >= 0))).all()
    pmci = people[people["group"] == "pMCI"]
    converted = pmci.groupby("participant_id", observed=True)["diagnosis"].agg(
        lambda d: d.iloc[-1] == "AD")
    assert converted.all()  # every pMCI subject has converted by 36 months
    assert (pmci.loc[pmci["session_id"] == "ses-M00", "diagnosis"] == "pMCI").all()
    ad = people[people["group"] == "AD"]
    first, last = (ad[ad["session_id"] == s]["MMSE"].mean() for s in ("ses-M00", "ses-M36"))
    assert last < first - 4


# ---------------------------------------------------------------- maps


def test_cohort_shapes_dtypes_and_grid(small):
    gm, affine = brain.gray_matter_template(6)
    assert small.maps.shape == (32, *gm.shape) and small.maps.dtype == np.float32
    assert small.mask.shape == gm.shape and small.mask.dtype == bool
    np.testing.assert_array_equal(small.affine, affine)
    assert small.voxel_size == 6.0 and len(small) == 32
    assert len(small.participants) == 32 and "SIMULATED" in repr(small)
    assert np.isfinite(small.maps).all() and small.maps.min() >= 0
    inside = small.maps[:, small.mask].mean()
    assert inside > 3 * small.maps[:, ~small.mask].mean() and 0.3 < inside < 0.9
    # MNI origin: the grid is symmetric about x = 0
    x = affine[0, 0] * np.arange(gm.shape[0]) + affine[0, 3]
    np.testing.assert_allclose(x, -x[::-1])


def test_same_seed_same_bytes_other_seed_other_maps():
    a = brain.simulate_cohort(8, voxel_size=8, rng=5)
    b = brain.simulate_cohort(8, voxel_size=8, rng=5)
    c = brain.simulate_cohort(8, voxel_size=8, rng=6)
    assert a.maps.tobytes() == b.maps.tobytes()
    pd.testing.assert_frame_equal(a.participants, b.participants)
    pd.testing.assert_frame_equal(a.participants, brain.simulate_participants(8, rng=5))
    assert np.abs(a.maps - c.maps).mean() > 0.01


def test_sessions_share_anatomy_and_lose_gray_matter(small):
    people = small.participants
    baseline = people["session_id"] == "ses-M00"
    ad = (people["group"] == "AD").to_numpy()
    first, second = small.maps[ad & baseline], small.maps[ad & ~baseline]
    other = small.maps[(people["group"] == "CN").to_numpy() & baseline][0]
    # the same subject a year later is far closer to itself than to another subject
    assert np.abs(first - second).mean() < 0.5 * np.abs(first[0] - other).mean()
    assert second[:, small.mask].mean() < first[:, small.mask].mean()


def test_hippocampal_gray_matter_orders_the_groups(default8):
    cohort, features = default8
    names = parcellation.regions(8).names
    hippocampus = features[:, [names.index("hippocampus_left"), names.index("hippocampus_right")]]
    mean = pd.Series(hippocampus.mean(1)).groupby(cohort.participants["group"].to_numpy()).mean()
    assert mean["AD"] < mean["pMCI"] < mean["sMCI"] < mean["CN"]
    assert mean["AD"] < 0.9 * mean["CN"]
    # a region recruited late (parietal) is hit far less than the hippocampus
    parietal = features[:, names.index("parietal_left")]
    loss = lambda f: 1 - f[cohort.participants["group"] == "AD"].mean() / f[
        cohort.participants["group"] == "CN"].mean()
    assert loss(parietal) < 0.6 * loss(hippocampus.mean(1))


def _svm_balanced_accuracy(X, y, seed=0):
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    inner = GridSearchCV(make_pipeline(StandardScaler(), LinearSVC(dual=False)),
                         {"linearsvc__C": np.logspace(-4, 0, 5)},
                         cv=StratifiedKFold(3, shuffle=True, random_state=seed),
                         scoring="balanced_accuracy")
    outer = StratifiedKFold(5, shuffle=True, random_state=seed)
    return cross_val_score(inner, X, y, cv=outer, scoring="balanced_accuracy").mean()


def test_linear_svm_reaches_the_slides_accuracies(default8):
    """Linear SVM on regional features: AD vs CN 0.86 ± 0.04, sMCI vs pMCI 0.72 ± 0.05."""
    cohort, features = default8
    group = cohort.participants["group"].to_numpy()
    for (negative, positive), (low, high) in {("CN", "AD"): (0.82, 0.90),
                                              ("sMCI", "pMCI"): (0.67, 0.77)}.items():
        rows = np.isin(group, (negative, positive))
        accuracy = _svm_balanced_accuracy(features[rows], group[rows] == positive)
        assert low <= accuracy <= high, f"{positive} vs {negative}: {accuracy:.3f}"


def test_atrophy_pattern_recruits_regions_in_order():
    names = parcellation.regions(4).names
    labels = parcellation.regions(4).labels

    def loss(stage, region):
        return brain.atrophy_pattern(stage, voxel_size=4)[labels == names.index(region) + 1].mean()

    assert loss(0.0, "hippocampus_left") == 0
    assert loss(0.2, "hippocampus_left") > 0.03 and loss(0.2, "parietal_left") < 1e-4
    assert loss(0.5, "lateral_temporal_right") > 0.02 and loss(0.5, "parietal_right") < 1e-4
    assert loss(1.0, "parietal_left") > 0.05
    assert loss(1.0, "hippocampus_left") > loss(1.0, "precuneus_left")


# ---------------------------------------------------------------- template, files, figures


def test_template_loads_without_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    gm, affine = brain.gray_matter_template(7)  # a voxel size no other test caches
    assert gm.ndim == 3 and 0.8 < gm.max() <= 1.0
    assert affine[0, 0] == 7 and not gm.flags.writeable


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(groups=("CN", "MCI")), ValueError, "groups"),
    (dict(groups="CN"), TypeError, "groups"),
    (dict(groups=("CN", "CN")), ValueError, "repeat"),
    (dict(voxel_size=0), ValueError, "voxel_size"),
    (dict(voxel_size=-4), ValueError, "voxel_size"),
    (dict(voxel_size="4"), TypeError, "voxel_size"),
    (dict(n_subjects=0), ValueError, "n_subjects"),
    (dict(n_subjects=3), ValueError, "n_subjects"),
    (dict(n_subjects=2.5), TypeError, "n_subjects"),
    (dict(n_subjects=True), TypeError, "n_subjects"),
    (dict(n_subjects={"CN": 3, "EMCI": 3}), ValueError, "n_subjects"),
    (dict(n_subjects={"CN": 0}), ValueError, "n_subjects"),
    (dict(n_subjects={"CN": 3}, groups=("AD",)), ValueError, "same groups"),
    (dict(sessions=0), ValueError, "sessions"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(rng=-1), ValueError, "rng"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        brain.simulate_cohort(**kwargs)
    if "voxel_size" not in kwargs:
        with pytest.raises(error, match=match):
            brain.simulate_participants(**kwargs)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="stage"):
        brain.atrophy_pattern(-1.0)
    with pytest.raises(ValueError, match="voxel_size"):
        parcellation.regions(0)
    with pytest.raises(ValueError, match="maps"):
        transforms.crop_hippocampi(np.zeros((4, 4, 4)), np.eye(4))
