"""Transforms of brain volumes: coarser grids and slices."""

import numpy as np
import pytest

from dlmi.data.transforms import downsample, extract_slices


def test_downsample_averages_blocks():
    maps = np.arange(2 * 4 * 4 * 6, dtype=np.float32).reshape(2, 4, 4, 6)
    small = downsample(maps, 2)
    assert small.shape == (2, 2, 2, 3)
    assert small[1, 0, 1, 2] == pytest.approx(maps[1, 0:2, 2:4, 4:6].mean())
    assert downsample(np.ones((1, 5, 5, 5)), 2).shape == (1, 3, 3, 3)
    np.testing.assert_allclose(downsample(np.ones((1, 5, 5, 5)), 2), 1.0)  # partial blocks too
    with pytest.raises(ValueError, match="maps must have 4"):
        downsample(np.ones((5, 5, 5)))


def test_extract_slices_cuts_along_an_axis_and_drops_the_ends():
    maps = np.random.default_rng(0).random((3, 10, 6, 7)).astype(np.float32)
    slices, subject = extract_slices(maps, axis=0, discard=0.2)
    assert slices.shape == (3 * 6, 1, 6, 7)
    np.testing.assert_array_equal(subject, np.repeat(np.arange(3), 6))
    np.testing.assert_array_equal(slices[7, 0], maps[1, 3])  # subject 1, second kept slice (index 2 + 1)
    coronal, _ = extract_slices(maps, axis=1, discard=0.0)
    assert coronal.shape == (18, 1, 10, 7)
    np.testing.assert_array_equal(coronal[8, 0], maps[1, :, 2])
    with pytest.raises(ValueError, match="axis"):
        extract_slices(maps, axis=3)
