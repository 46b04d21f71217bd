"""Transforms of brain volumes: hippocampus crops, coarser grids and slices."""

import numpy as np
import pytest

from dlmi.data import brain, transforms
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


def test_hippocampus_crops_are_mirror_images_on_the_symmetric_template():
    gm, affine = brain.gray_matter_template(4)
    boxes = transforms.hippocampus_boxes(affine, gm.shape)
    sizes = [tuple(s.stop - s.start for s in boxes[side]) for side in ("left", "right")]
    assert sizes[0] == sizes[1] == (8, 12, 9)
    centre_x = affine[0, 0] * (boxes["left"][0].start + boxes["left"][0].stop - 1) / 2 + affine[0, 3]
    assert centre_x == pytest.approx(-26, abs=4)
    crops = transforms.crop_hippocampi(np.stack([gm, gm]), affine)
    assert crops.shape == (2, 2, 8, 12, 9)
    np.testing.assert_array_equal(crops[:, 0], crops[:, 1])  # the template is symmetric
    assert crops.mean() > 1.5 * gm.mean()  # the box holds gray matter
    unmirrored = transforms.crop_hippocampi(gm[None], affine, mirror_right=False)
    np.testing.assert_array_equal(unmirrored[0, 1], crops[0, 1, ::-1])


def test_hippocampus_boxes_reject_bad_affines_and_small_volumes():
    _, affine = brain.gray_matter_template(4)
    rotated = affine.copy()
    rotated[0, 1] = 0.5
    with pytest.raises(ValueError, match="axis-aligned"):
        transforms.hippocampus_boxes(rotated)
    with pytest.raises(ValueError, match="shape"):
        transforms.hippocampus_boxes(np.eye(3))
    with pytest.raises(ValueError, match="does not fit"):
        transforms.hippocampus_boxes(affine, (5, 5, 5))
