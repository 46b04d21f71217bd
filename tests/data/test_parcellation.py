"""Regions of the simulated brain and their mean gray matter: the features of the linear SVM."""

import numpy as np
import pytest

from dlmi.data import brain, parcellation


@pytest.mark.parametrize("voxel_size", [4, 8])
def test_regions_partition_the_gray_matter_mask(voxel_size):
    parc = parcellation.regions(voxel_size)
    gm, affine = brain.gray_matter_template(voxel_size)
    assert parc.n_regions == 100 and len(set(parc.names)) == 100
    assert parc.labels.shape == gm.shape
    np.testing.assert_array_equal(parc.labels > 0, gm >= 0.2)
    assert set(np.unique(parc.labels)) == set(range(101))
    x = affine[0, 0] * np.indices(gm.shape)[0] + affine[0, 3]
    for k, name in enumerate(parc.names, start=1):
        side = np.sign(x[parc.labels == k])
        if name.startswith("cell"):
            assert (side == (-1 if name.endswith("left") else 1)).all(), name


def test_regional_features_are_region_means(small):
    parc = parcellation.regions(6)
    features = parcellation.regional_features(small.maps, parc)
    assert features.shape == (32, 100)
    k = parc.names.index("amygdala_right")
    np.testing.assert_allclose(features[:, k], small.maps[:, parc.labels == k + 1].mean(1), rtol=1e-5)
    np.testing.assert_allclose(parcellation.regional_features(small.maps[0], parc), features[:1], rtol=1e-6)
    with pytest.raises(ValueError, match="shape"):
        parcellation.regional_features(small.maps[:, :-1], parc)
    with pytest.raises(TypeError, match="parcellation"):
        parcellation.regional_features(small.maps, parc.labels)


def test_regional_features_of_a_cohort_larger_than_one_chunk():
    """Subjects are averaged 64 at a time (bounded memory); every chunk gives the same means."""
    parc = parcellation.regions(6)
    maps = np.random.default_rng(0).random((150, *parc.labels.shape), dtype=np.float32)
    features = parcellation.regional_features(maps, parc)
    assert features.shape == (150, parc.n_regions) and features.dtype == np.float64
    expected = np.stack([maps[:, parc.labels == r + 1].mean(1, dtype=np.float64) for r in range(parc.n_regions)], 1)
    np.testing.assert_allclose(features, expected, rtol=1e-10)
