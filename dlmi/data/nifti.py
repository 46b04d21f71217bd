"""NIfTI files: read and write the 3D volumes of brain MRI with their voxel-to-world affine."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..validation import as_array, check_affine


def save_nifti(volume, affine, path) -> Path:
    """Write a volume (D, H, W) with its affine (4, 4) to a NIfTI file (``.nii`` or ``.nii.gz``)."""
    import nibabel as nib

    volume = as_array(volume, "volume", ndim=3, dtype=np.float32)
    affine = check_affine(affine)
    path = Path(path)
    if not (path.name.endswith(".nii") or path.name.endswith(".nii.gz")):
        raise ValueError(f"path must end with .nii or .nii.gz, got {path.name!r}")
    nib.save(nib.Nifti1Image(volume, affine), path)
    return path


def load_nifti(path) -> tuple[np.ndarray, np.ndarray]:
    """Read a 3-D NIfTI file: returns (volume (D, H, W) float32, affine (4, 4))."""
    import nibabel as nib

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path must be an existing NIfTI file, got {str(path)!r}")
    img = nib.load(path)
    volume = np.asarray(img.dataobj, dtype=np.float32)
    if volume.ndim != 3:
        raise ValueError(f"{path.name} holds a {volume.ndim}-D image; load_nifti reads 3-D volumes")
    return volume, np.array(img.affine, dtype=float)
