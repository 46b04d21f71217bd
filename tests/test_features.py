"""dlmi.features: the hand-crafted chest measurements are right on drawn geometry and informative on simulated films."""

import numpy as np
import pandas as pd
import pytest

from dlmi.features import cardiothoracic_ratio, chest_features, lung_fields
from dlmi.metrics import roc_auc


def _drawn_chest(heart_gap: int = 11, size: int = 64) -> np.ndarray:
    """A body of brightness 0.7 on black, two dark rectangular lungs, a bright gap (the heart) between."""
    image = np.zeros((size, size))
    image[:, 4:60] = 0.7
    right_inner = 24
    left_inner = right_inner + heart_gap + 1
    image[8:55, 10:right_inner + 1] = 0.2
    image[8:55, left_inner:54] = 0.2
    return image


@pytest.mark.parametrize("gap", [11, 15, 21])
def test_ctr_on_drawn_geometry(gap):
    image = _drawn_chest(gap)
    thorax = 53 - 10 + 1
    assert cardiothoracic_ratio(image[None]) == pytest.approx([gap / thorax])
    assert cardiothoracic_ratio(image[None, None]) == pytest.approx([gap / thorax])


def test_lung_fields_on_drawn_geometry():
    image = _drawn_chest(11)
    lungs = lung_fields(image[None])[0]
    truth = image < 0.45
    truth[:, :8] = truth[:, 56:] = False  # the black outside the body is not lung
    inside = slice(10, 53)
    assert (lungs[inside] == truth[inside]).mean() > 0.97


def test_ctr_separates_cardiomegaly_on_simulated_films():
    from dlmi.data import simulate_chest_xrays

    data = simulate_chest_xrays(150, prevalence=0.2, seed=3, with_masks=False)
    ctr = cardiothoracic_ratio(data.images)
    has = data.true_labels[:, 1] == 1
    assert roc_auc(has.astype(float), ctr) > 0.75
    assert 0.35 < np.median(ctr[~has]) < 0.52 < np.median(ctr[has])


def test_chest_features_table():
    rng = np.random.default_rng(0)
    images = np.stack([_drawn_chest(g) for g in (11, 15)]) + 0.01 * rng.normal(size=(2, 64, 64))
    table = chest_features(images[:, None].astype(np.float32))
    assert isinstance(table, pd.DataFrame) and table.shape == (2, 52)
    assert np.isfinite(table.to_numpy()).all()
    assert table.loc[1, "ctr"] > table.loc[0, "ctr"]
    for zone in ("upper right", "lower left"):
        assert {f"{zone} {s}" for s in ("mean", "sd", "p10", "p90", "gradient", "laplacian")} <= set(table.columns)
    # the zones mirror each other: flipping the image left–right flips the sign of every asymmetry
    mirrored = chest_features(images[:, None, :, ::-1].astype(np.float32))
    asymmetries = [c for c in table.columns if c.endswith("asymmetry")]
    assert len(asymmetries) == 9
    np.testing.assert_allclose(mirrored[asymmetries], -table[asymmetries], atol=1e-6)
    np.testing.assert_allclose(mirrored["middle left mean"], table["middle right mean"], atol=1e-6)


def test_bad_input():
    with pytest.raises(ValueError, match="one channel"):
        chest_features(np.zeros((2, 3, 32, 32)))
    with pytest.raises(ValueError, match="at least 16"):
        cardiothoracic_ratio(np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match="dimension"):
        lung_fields(np.zeros((32, 32)))
