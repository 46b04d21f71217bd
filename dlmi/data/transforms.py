"""Transforms of brain volumes for the CNNs of the case study: crops, coarser grids, slices.

* ``hippocampus_boxes`` / ``crop_hippocampi`` — the two hippocampal regions of interest, fixed
  in MNI mm (Wen et al.'s ROI-based 3D CNN);
* ``downsample`` — a coarser voxel grid for a whole-brain 3D CNN;
* ``extract_slices`` — 2D slices for a slice-level CNN.
"""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

import numpy as np

from ..validation import as_array, check_affine, check_choice, check_scalar

#: The box around the left hippocampus (with the amygdala and entorhinal cortex), MNI mm; the
#: right box is its mirror image.
_HIPPOCAMPUS_BOX = dict(centre=(-26.0, -20.0, -16.0), size=(32.0, 48.0, 36.0))


def hippocampus_boxes(affine, shape: Sequence[int] | None = None) -> dict[str, tuple[slice, ...]]:
    """Voxel slices of a box around each hippocampus (with the amygdala and entorhinal cortex).

    The boxes are fixed in MNI mm (32 x 48 x 36 mm, centred at x = -/+26, y = -20, z = -16)
    and converted through ``affine`` (4, 4), which must be axis-aligned. Both boxes have the
    same number of voxels. With ``shape`` the boxes are checked to lie inside the volume.
    Returns ``{"left": (sx, sy, sz), "right": (sx, sy, sz)}``.
    """
    affine = check_affine(affine, axis_aligned=True)
    steps = np.abs(np.diag(affine[:3, :3]))
    size = np.maximum(np.round(np.array(_HIPPOCAMPUS_BOX["size"]) / steps), 1).astype(int)
    inverse = np.linalg.inv(affine)
    boxes = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        centre = np.array(_HIPPOCAMPUS_BOX["centre"]) * (sign, 1.0, 1.0)
        c = inverse[:3, :3] @ centre + inverse[:3, 3]
        start = np.round(c - (size - 1) / 2.0).astype(int)
        if shape is not None and (np.any(start < 0) or np.any(start + size > np.asarray(shape))):
            raise ValueError(f"the {side} hippocampus box {start.tolist()} + {size.tolist()} does "
                             f"not fit in a volume of shape {tuple(shape)}")
        boxes[side] = tuple(slice(int(s), int(s + n)) for s, n in zip(start, size))
    return boxes


def crop_hippocampi(maps, affine, *, mirror_right: bool = True) -> np.ndarray:
    """Crops of the two hippocampus boxes: maps (N, D, H, W) -> (N, 2, d, h, w).

    Channel 0 is the left, channel 1 the right box; with ``mirror_right`` the right crop is
    flipped left-right so that both show a hippocampus the same way round (one CNN for both).
    """
    maps = as_array(maps, "maps", ndim=4, dtype=None)
    boxes = hippocampus_boxes(affine, maps.shape[1:])
    left = maps[(slice(None), *boxes["left"])]
    right = maps[(slice(None), *boxes["right"])]
    if mirror_right:
        right = right[:, ::-1]
    return np.ascontiguousarray(np.stack([left, right], axis=1))


def downsample(maps, factor: int = 2) -> np.ndarray:
    """Average ``factor``³ blocks of voxels: maps (N, D, H, W) → (N, ⌈D/f⌉, ⌈H/f⌉, ⌈W/f⌉) float32.

    A 4 mm map becomes an 8 mm one: eight times fewer voxels for a 3D CNN to read.
    """
    import torch

    maps = as_array(maps, "maps", ndim=4, dtype=np.float32)
    check_scalar(factor, "factor", kind=Integral, low=1)
    pooled = torch.nn.functional.avg_pool3d(torch.from_numpy(maps)[:, None], factor, ceil_mode=True)
    return pooled[:, 0].numpy()


def extract_slices(maps, *, axis: int = 0, discard: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Cut volumes into 2D slices: maps (N, D, H, W) → slices (N·S, 1, h, w), subject_index (N·S,).

    ``axis`` 0, 1 or 2 of the volume (0 is sagittal for the maps of ``dlmi.data.brain``);
    the first and last ``discard`` fraction of the slices along it (mostly outside the brain,
    as Wen et al. dropped the outermost sagittal slices) are left out.
    """
    maps = as_array(maps, "maps", ndim=4, dtype=np.float32)
    check_choice(axis, "axis", (0, 1, 2))
    check_scalar(discard, "discard", low=0.0, high=0.5, high_inclusive=False)
    n, depth = maps.shape[0], maps.shape[axis + 1]
    start = int(round(discard * depth))
    kept = np.moveaxis(maps, axis + 1, 1)[:, start:depth - start]  # (N, S, h, w)
    n_slices = kept.shape[1]
    slices = np.ascontiguousarray(kept.reshape(n * n_slices, 1, *kept.shape[2:]))
    return slices, np.repeat(np.arange(n), n_slices)
