"""The simulated Alzheimer's disease cohort: its table, its maps, the template, bad input;
the lifespan cohort and its regional ageing; the CDR sum of boxes."""

import hashlib
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


# ---------------------------------------------------------------- the cohort of notebook 10 keeps its bytes

# The columns and maps of the first version of the module, computed before regional ageing and
# CDR_SB were added: ageing="global" must keep them. The table is hashed with its floats written
# to 6 decimals, and the maps are pinned by per-map sums (plain and weighted by a ramp over the
# voxels) to 1e-6: the same draws give the same numbers on any CPU, while the last bits of float
# kernels may differ between CPUs (AVX2, AVX-512), so raw bytes are not pinned.
FIRST_COLUMNS = ["participant_id", "session_id", "group", "diagnosis", "age", "sex", "MMSE", "CDR", "stage", "tiv"]
PINNED = {
    "40 subjects, seed 3": (
        dict(n_subjects=40, voxel_size=8, rng=3),
        "f3f55c97e4a68de60033948745e2340d85bb3a1ce162bc96228f6e6411e2a561"),
    "two sessions, seed 7": (
        dict(n_subjects={"CN": 3, "pMCI": 4, "AD": 3}, voxel_size=8, sessions=2, rng=7),
        "6bad26592f2a87cfffad9088f7fdcfcea1e661d66aed06cb166ff5da5e7be6b2"),
}
PINNED_SUMS = {  # the 40 maps of "40 subjects, seed 3": sums, then sums weighted by the ramp
    "plain": [2367.809, 1863.837, 1876.457, 1928.941, 2075.544, 1904.214, 1832.408, 2115.998, 1867.304, 1978.504,
              1849.094, 2061.027, 1785.86, 1937.06, 2062.491, 1990.621, 2084.334, 2021.569, 2039.62, 1657.931,
              2105.565, 1759.549, 1826.085, 2093.294, 1790.698, 1917.399, 2131.734, 1743.873, 1955.901, 1880.325,
              2237.908, 2197.45, 1772.428, 1809.199, 1865.101, 1710.578, 1995.87, 1936.778, 1782.23, 2123.465],
    "ramp": [1173.02, 921.4256, 928.7506, 955.9568, 1030.215, 949.924, 914.8993, 1055.169, 929.1789, 980.1748,
             924.6323, 1024.55, 890.4531, 960.9182, 1027.509, 992.6495, 1041.959, 1003.605, 1011.354, 825.4374,
             1052.509, 874.7389, 912.8455, 1039.769, 889.1395, 961.7638, 1064.122, 866.6253, 964.8985, 936.8405,
             1106.508, 1085.915, 884.9985, 897.0824, 928.9194, 852.1126, 995.4098, 966.6176, 889.0728, 1058.424],
}


def _table_hash(people: pd.DataFrame) -> str:
    return hashlib.sha256(people[FIRST_COLUMNS].to_csv(index=False, float_format="%.6f").encode()).hexdigest()


@pytest.mark.parametrize("name", PINNED)
def test_global_ageing_keeps_the_first_versions_table(name):
    kwargs, table_hash = PINNED[name]
    assert _table_hash(brain.simulate_cohort(**kwargs).participants) == table_hash  # ageing="global" by default
    assert _table_hash(brain.simulate_participants(**{k: v for k, v in kwargs.items() if k != "voxel_size"})) == table_hash


def test_global_ageing_keeps_the_first_versions_maps():
    maps = brain.simulate_cohort(**PINNED["40 subjects, seed 3"][0]).maps.astype(np.float64)
    ramp = np.linspace(0, 1, maps[0].size).reshape(maps.shape[1:])
    np.testing.assert_allclose(maps.sum(axis=(1, 2, 3)), PINNED_SUMS["plain"], rtol=1e-6)
    np.testing.assert_allclose((maps * ramp).sum(axis=(1, 2, 3)), PINNED_SUMS["ramp"], rtol=1e-6)


def test_regional_ageing_keeps_the_table_and_changes_the_maps():
    regional = brain.simulate_cohort(12, voxel_size=8, ageing="regional", rng=3)
    default = brain.simulate_cohort(12, voxel_size=8, rng=3)
    pd.testing.assert_frame_equal(regional.participants.drop(columns="brain_age"),
                                  default.participants.drop(columns="brain_age"))
    np.testing.assert_array_equal(default.participants["brain_age"], default.participants["age"])
    gap = regional.participants["brain_age"] - regional.participants["age"]
    assert 0 < gap.abs().mean() < 8
    assert np.abs(regional.maps - default.maps).mean() > 0.01
    again = brain.simulate_cohort(12, voxel_size=8, ageing="regional", rng=3)
    assert again.maps.tobytes() == regional.maps.tobytes()
    pd.testing.assert_frame_equal(regional.participants,
                                  brain.simulate_participants(12, ageing="regional", rng=3))


# ---------------------------------------------------------------- the CDR sum of boxes


def test_cdr_sum_of_boxes_grades_the_stage_across_groups():
    people = brain.simulate_participants()
    cdr_sb = people["CDR_SB"]
    assert cdr_sb.between(0, 18).all() and (2 * cdr_sb == np.round(2 * cdr_sb)).all()
    assert not np.signbit(cdr_sb).any()
    assert (cdr_sb[people["CDR"] > 0] >= 0.5).all()
    by_group = people.groupby("group", observed=True)["CDR_SB"]
    mean = by_group.mean()
    assert mean["CN"] < 0.3 < mean["sMCI"] < mean["pMCI"] < mean["AD"]
    assert (by_group.nunique()[["sMCI", "pMCI", "AD"]] >= 5).all()  # it varies within a group
    # ... and overlaps across groups: not the group label again
    assert by_group.max()["sMCI"] > by_group.quantile(0.25)["AD"]
    assert by_group.max()["CN"] > by_group.min()["pMCI"]
    for group in ("sMCI", "pMCI", "AD"):  # within a group, a higher stage, a higher score
        rows = people[people["group"] == group]
        assert np.corrcoef(rows["stage"], rows["CDR_SB"])[0, 1] > 0.4
        assert np.corrcoef(rows["MMSE"], rows["CDR_SB"])[0, 1] < -0.4
    stage_bins = pd.cut(people["stage"], [-0.01, 0.05, 0.3, 0.6, 1.0, 5.0])
    binned = people.groupby(stage_bins, observed=True)["CDR_SB"].mean()
    assert (np.diff(binned.to_numpy()) > 0).all()


def test_cdr_sum_of_boxes_worsens_with_follow_up():
    people = brain.simulate_participants(100, sessions=4, rng=1)
    ad = people[people["group"] == "AD"].groupby("session_id", observed=True)["CDR_SB"].mean()
    assert ad["ses-M36"] > ad["ses-M00"] + 2
    cn = people[people["group"] == "CN"]["CDR_SB"]
    assert cn.max() <= 2


# ---------------------------------------------------------------- the lifespan cohort and its ageing


@pytest.fixture(scope="module")
def lifespan8():
    """60 healthy adults aged 20-90 at 8 mm."""
    return brain.simulate_lifespan_cohort(60, voxel_size=8, rng=2)


def test_lifespan_cohort_shapes_and_table(lifespan8):
    gm, affine = brain.gray_matter_template(8)
    assert lifespan8.maps.shape == (60, *gm.shape) and lifespan8.maps.dtype == np.float32
    np.testing.assert_array_equal(lifespan8.affine, affine)
    assert lifespan8.mask.shape == gm.shape and "SIMULATED" in repr(lifespan8)
    assert np.isfinite(lifespan8.maps).all() and lifespan8.maps.min() >= 0
    people = lifespan8.participants
    assert list(people.columns) == list(brain.simulate_participants(4).columns)
    assert people["participant_id"].is_unique and (people["session_id"] == "ses-M00").all()
    assert (people["group"] == "CN").all() and (people["diagnosis"] == "CN").all()
    assert (people["CDR"] == 0).all() and (people["stage"] == 0).all()
    assert (people["sex"] == "M").sum() == 30 and people["MMSE"].between(24, 30).all()
    assert people["group"].dtype == brain.simulate_participants(4)["group"].dtype


def test_lifespan_ages_fill_the_range():
    people = brain.simulate_lifespan_cohort(40, age_range=(30, 60), voxel_size=8, rng=1).participants
    assert people["age"].between(30, 60).all()
    assert people["age"].min() < 35 and people["age"].max() > 55
    ages = brain.simulate_lifespan_cohort(200, voxel_size=8, rng=0).participants["age"]
    assert ages.between(20, 90).all()
    counts = np.histogram(ages, bins=7, range=(20, 90))[0]
    assert counts.min() > 12  # about 29 a decade: uniform


def test_brain_age_is_age_with_a_subject_rate(lifespan8):
    people = lifespan8.participants
    gap = people["brain_age"] - people["age"]
    assert 0.5 < gap.std() < 6 and abs(gap.mean()) < 2
    # a rate per subject: the gap grows with the years since 20
    old, young = gap[people["age"] > 60], gap[people["age"] < 35]
    assert old.abs().mean() > 2 * young.abs().mean()


def test_lifespan_same_seed_same_bytes():
    a = brain.simulate_lifespan_cohort(6, voxel_size=8, rng=4)
    b = brain.simulate_lifespan_cohort(6, voxel_size=8, rng=4)
    c = brain.simulate_lifespan_cohort(6, voxel_size=8, rng=5)
    assert a.maps.tobytes() == b.maps.tobytes()
    pd.testing.assert_frame_equal(a.participants, b.participants)
    assert np.abs(a.maps - c.maps).mean() > 0.01


def _at(volume, affine, point):
    """The value of ``volume`` at the voxel nearest an MNI point (mm)."""
    index = np.round(np.linalg.inv(affine)[:3] @ np.r_[point, 1.0]).astype(int)
    return float(volume[tuple(index)])


def test_ageing_is_regional_and_accelerates():
    _, affine = brain.gray_matter_template(4)
    centre = {name: spec["centre"] for name, spec in brain.AGEING_REGIONS.items()}

    def loss(age, region):
        return _at(brain.ageing_pattern(age, voxel_size=4), affine, centre[region])

    assert brain.ageing_pattern(20, voxel_size=4).max() == 0
    for age in (40, 60, 80):  # the frontal cortex and the insula age fast, the occipital cortex little
        assert loss(age, "prefrontal") > 2 * loss(age, "occipital")
        assert loss(age, "insula") > 2 * loss(age, "occipital")
    # the hippocampus holds until its onset (only the small global loss), then accelerates
    assert loss(50, "hippocampus") < 0.1
    assert loss(70, "hippocampus") > loss(50, "hippocampus") + 0.03
    assert loss(85, "hippocampus") - loss(70, "hippocampus") > 2 * (loss(70, "hippocampus") - loss(55, "hippocampus"))
    # the frontal loss is not linear either: each decade costs more than the one before
    decades = np.diff([loss(age, "prefrontal") for age in (30, 50, 70, 90)])
    assert (np.diff(decades) > 0).all()
    pattern = brain.ageing_pattern(80, voxel_size=4)
    mask = brain.gray_matter_template(4)[0] >= 0.2
    assert pattern.dtype == np.float32 and (pattern[~mask] == 0).all() and pattern.max() < 0.9


def test_old_brains_lose_frontal_gray_matter_more_than_occipital(lifespan8):
    age = lifespan8.participants["age"].to_numpy()
    parcels = parcellation.regions(8)
    old, young = (parcellation.regional_features(lifespan8.maps[rows].mean(0), parcels)[0]
                  for rows in (age > 70, age < 40))
    loss = 1 - old / young  # per region: the fraction the old have lost

    def parcel(region):  # the parcel holding an ageing region's centre
        return int(_at(parcels.labels, lifespan8.affine, brain.AGEING_REGIONS[region]["centre"])) - 1

    assert loss[parcel("prefrontal")] > loss[parcel("occipital")] + 0.05
    assert loss[parcel("insula")] > loss[parcel("occipital")] + 0.03
    assert loss[parcels.names.index("hippocampus_left")] > loss[parcel("occipital")] + 0.03


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
    (dict(ageing="linear"), ValueError, "ageing"),
    (dict(ageing=None), ValueError, "ageing"),
])
def test_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        brain.simulate_cohort(**kwargs)
    if "voxel_size" not in kwargs:
        with pytest.raises(error, match=match):
            brain.simulate_participants(**kwargs)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(n_subjects=1), ValueError, "n_subjects"),
    (dict(n_subjects=2.5), TypeError, "n_subjects"),
    (dict(age_range=(50, 40)), ValueError, "age_range"),
    (dict(age_range=(50, 50)), ValueError, "age_range"),
    (dict(age_range=(10, 90)), ValueError, "age_range"),
    (dict(age_range=(20, 120)), ValueError, "age_range"),
    (dict(age_range=(20, "90")), TypeError, "age_range"),
    (dict(age_range="20-90"), TypeError, "age_range"),
    (dict(age_range=(20, 50, 90)), TypeError, "age_range"),
    (dict(voxel_size=0), ValueError, "voxel_size"),
    (dict(rng=-1), ValueError, "rng"),
    (dict(rng="0"), TypeError, "rng"),
])
def test_lifespan_bad_arguments_are_named(kwargs, error, match):
    with pytest.raises(error, match=match):
        brain.simulate_lifespan_cohort(**{"n_subjects": 4, **kwargs})


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="stage"):
        brain.atrophy_pattern(-1.0)
    with pytest.raises(ValueError, match="age"):
        brain.ageing_pattern(-5.0)
    with pytest.raises(TypeError, match="age"):
        brain.ageing_pattern("80")
    with pytest.raises(ValueError, match="voxel_size"):
        brain.ageing_pattern(80, voxel_size=0)
    with pytest.raises(ValueError, match="voxel_size"):
        parcellation.regions(0)
    with pytest.raises(ValueError, match="maps"):
        transforms.crop_hippocampi(np.zeros((4, 4, 4)), np.eye(4))
