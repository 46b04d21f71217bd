"""NIfTI files: a volume and its affine survive a write and a read."""

import numpy as np
import pytest

from dlmi.data import nifti


def test_nifti_round_trip(tmp_path, small):
    path = nifti.save_nifti(small.maps[0], small.affine, tmp_path / "sub-SIM0001_gm.nii.gz")
    volume, affine = nifti.load_nifti(path)
    np.testing.assert_array_equal(volume, small.maps[0])
    np.testing.assert_allclose(affine, small.affine)
    with pytest.raises(ValueError, match="nii"):
        nifti.save_nifti(small.maps[0], small.affine, tmp_path / "map.npy")
    with pytest.raises(ValueError, match="existing"):
        nifti.load_nifti(tmp_path / "missing.nii")
    with pytest.raises(ValueError, match="volume"):
        nifti.save_nifti(small.maps, small.affine, tmp_path / "all.nii")
