"""A SIMULATED Alzheimer's disease cohort: gray-matter maps and clinical table, ADNI-like.

The brain case study of the course (slides, section 2.7; Wen et al., *Medical Image Analysis*
2020) uses ADNI, which cannot be downloaded without an agreement. This module builds a
stand-in whose ground truth is known. **Nothing here is patient data**: every subject, score
and image is drawn from a random model, seeded, so the same call returns the same bytes.

What is modelled
    * Demographics and scores per group (CN, sMCI, pMCI, AD) drawn to match the ADNI baseline
      table of the slides: group sizes, age mean ± SD inside its range, exact sex ratio, MMSE
      mean ± SD inside its range (integers), exact CDR counts (lower MMSE, higher CDR).
    * Modulated gray-matter maps in MNI space, as a VBM pipeline would give them, built on
      nilearn's MNI152 (2009 symmetric) gray-matter template resampled to ``voxel_size`` mm:

      ``map = tiv · (1 - age loss) · template(x + u(x)) · anatomy(x) · (1 - atrophy(x)) · (1 + noise(x))``

      with ``u`` a smooth random displacement (anatomical variability, about 2.5 mm),
      ``anatomy`` a smooth random regional volume factor, ``tiv`` the head size (men larger),
      an age loss of 0.4 % of gray matter per year, and ``noise`` smooth scanner/pipeline
      noise (FWHM 8 mm).
    * Disease atrophy in the known spatial pattern, regions recruited in order as the latent
      disease stage grows: hippocampus and amygdala first, entorhinal cortex, lateral temporal
      lobe, posterior cingulate and precuneus, then parietal cortex (``ATROPHY_REGIONS``,
      ellipsoids in MNI mm). The latent stage is 0 for CN, mild for sMCI (0.15 on average),
      larger for pMCI (0.4, with 20 % extra medial-temporal atrophy), strong and widely spread
      for AD (0.7 ± 0.55: some patients show little atrophy), and within a group a lower
      MMSE means a higher stage.
      Subjects differ in how much each region is hit (disease heterogeneity).
    * Follow-up sessions (``sessions > 1``, one a year): age, stage and MMSE progress; pMCI
      subjects convert to AD within 36 months.

What is not modelled
    White matter, CSF and T1 intensities (only gray-matter maps); scanner and site effects;
    amyloid or tau; realistic cortical folding (the deformations are smooth and small);
    vascular lesions; missing visits. The anatomical regions are ellipsoids, not atlas labels.

Calibration (one session, subject-level 5-fold cross-validation, linear SVM on the 100
``regions`` features, standardised, C chosen by an inner 3-fold search; balanced accuracy,
mean ± SD over seeds; ``benchmarks/results/data_brain.md``). The slides report 0.86 and 0.72
for the Linear SVM on ADNI::

    subjects              voxel size   seeds   AD vs CN        sMCI vs pMCI
    slides' sizes (1259)  4 mm         0-2     0.863 ± 0.011   0.733 ± 0.011
    slides' sizes (1259)  8 mm         0-4     0.860 ± 0.008   0.728 ± 0.011
    200 (fast mode)       6 mm         0-4     0.850 ± 0.031   0.678 ± 0.054
    200 (fast mode)       8 mm         0-4     0.852 ± 0.023   0.688 ± 0.039

The signal is in the images at a scale a CNN sees (the atrophy regions span several voxels
even at 8 mm): an untuned small 3D CNN (same benchmark, 3-fold cross-validation, seed 0)
reaches AD vs CN 0.84 on the 4 mm hippocampus crops and 0.78 on the whole 8 mm maps, and
sMCI vs pMCI 0.65 on the crops; with 400 subjects, 0.79 (6 mm crops) and 0.67 (8 mm maps).

Quick use::

    cohort = simulate_cohort(200, voxel_size=6, seed=0)   # fast mode
    parc = regions(voxel_size=6)
    X = regional_features(cohort.maps, parc)              # (200, 100)
    y = cohort.participants["diagnosis"]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import ndimage, optimize, sparse, stats
from scipy.spatial import cKDTree

from ..validation import as_array, check_choice, check_scalar

# ----------------------------------------------------------------------------------------
# The ADNI baseline table of the slides (Wen et al. 2020, Table 2)
# ----------------------------------------------------------------------------------------

#: Per group: subjects, sessions, age (mean, SD, min, max) in years, males, MMSE (mean, SD,
#: min, max) and CDR counts, as in the slides' ADNI table at baseline.
ADNI_TABLE: dict[str, dict] = {
    "CN": dict(subjects=330, sessions=1830, age=(74.4, 5.8, 59.8, 89.6), males=160,
               mmse=(29.1, 1.1, 24, 30), cdr={0.0: 330}),
    "sMCI": dict(subjects=298, sessions=1046, age=(72.3, 7.4, 55.0, 88.4), males=175,
                 mmse=(28.0, 1.7, 23, 30), cdr={0.5: 298}),
    "pMCI": dict(subjects=295, sessions=865, age=(73.8, 6.9, 55.1, 88.3), males=176,
                 mmse=(26.9, 1.7, 23, 30), cdr={0.5: 293, 1.0: 2}),
    "AD": dict(subjects=336, sessions=1106, age=(75.0, 7.8, 55.1, 90.9), males=185,
               mmse=(23.2, 2.1, 18, 27), cdr={0.5: 160, 1.0: 175, 2.0: 1}),
}
GROUPS = tuple(ADNI_TABLE)

# ----------------------------------------------------------------------------------------
# The disease model (dimensionless stage: 0 = no disease atrophy, 1 = every region at `loss`)
# ----------------------------------------------------------------------------------------

#: Atrophy regions of the left hemisphere (the right one is the mirror image, x -> -x):
#: ellipsoid centre and semi-axes in MNI mm, the stage at which the region starts to lose
#: gray matter, and the fraction it has lost at stage 1.
ATROPHY_REGIONS: dict[str, dict] = {
    "hippocampus": dict(centre=(-26, -24, -12), axes=(7, 16, 8), onset=0.0, loss=0.30),
    "amygdala": dict(centre=(-23, -4, -19), axes=(7, 7, 7), onset=0.0, loss=0.28),
    "entorhinal": dict(centre=(-24, -12, -30), axes=(7, 10, 6), onset=0.1, loss=0.26),
    "lateral_temporal": dict(centre=(-56, -26, -14), axes=(11, 28, 13), onset=0.3, loss=0.16),
    "posterior_cingulate": dict(centre=(-6, -48, 30), axes=(6, 12, 10), onset=0.4, loss=0.15),
    "precuneus": dict(centre=(-8, -64, 44), axes=(8, 13, 13), onset=0.45, loss=0.14),
    "parietal": dict(centre=(-44, -60, 42), axes=(14, 16, 12), onset=0.55, loss=0.12),
}
_MEDIAL_TEMPORAL = ("hippocampus", "amygdala", "entorhinal")

# stage at baseline: mean, SD, and how strongly it follows the MMSE deficit (correlation)
_STAGE = {"CN": (0.0, 0.0), "sMCI": (0.15, 0.15), "pMCI": (0.40, 0.25), "AD": (0.72, 0.55)}
_STAGE_MMSE_CORR = 0.5
_PMCI_MEDIAL_TEMPORAL = 1.2  # pMCI: extra hippocampal/amygdala/entorhinal atrophy
_HETEROGENEITY = 0.4  # SD of the log of each subject's per-region atrophy factor
# progression per year of follow-up: stage and MMSE points
_STAGE_RATE = {"CN": 0.0, "sMCI": 0.02, "pMCI": 0.15, "AD": 0.2}
_MMSE_RATE = {"CN": 0.0, "sMCI": 0.2, "pMCI": 1.5, "AD": 2.5}
_CDR_MMSE_CUTS, _CDR_FROM_MMSE = (5.5, 12.5, 20.5), (3.0, 2.0, 1.0, 0.5)  # follow-up CDR

# imaging nuisances
_AGE_LOSS = 0.004  # fraction of gray matter lost per year of age, around 70
_TIV_SD, _TIV_SEX = 0.07, 0.04  # head size: SD, and +/- for men/women
_DISPLACEMENT_MM, _CONTROL_MM = 2.5, 24.0  # deformation SD and its control-point spacing
_ANATOMY_SD, _ANATOMY_MM = 0.10, 12.0  # smooth regional volume variation
_NOISE_SD, _NOISE_FWHM = 0.06, 8.0  # smooth noise of the VBM maps

_HIPPOCAMPUS_BOX = dict(centre=(-26.0, -20.0, -16.0), size=(32.0, 48.0, 36.0))  # left, MNI mm
_N_REGIONS = 100
_CHUNK = 64  # subjects simulated together


# ----------------------------------------------------------------------------------------
# Template
# ----------------------------------------------------------------------------------------


def _check_voxel_size(voxel_size) -> float:
    return float(check_scalar(voxel_size, "voxel_size", low=1.0, high=16.0))


@functools.lru_cache(maxsize=8)
def _template(voxel_size: float) -> tuple[np.ndarray, np.ndarray]:
    """MNI152 gray-matter probability on a ``voxel_size`` mm grid (D, H, W) and its affine.

    The grid is symmetric about the midline (x = 0 falls between two voxels), so flipping the
    first axis swaps the hemispheres. Arrays are read-only: they are cached.
    """
    from nilearn.datasets import load_mni152_gm_template

    img = load_mni152_gm_template(resolution=1)  # ships inside nilearn: no download
    src = np.asarray(img.dataobj, dtype=np.float32)
    src_affine = np.array(img.affine, dtype=float)
    res = float(abs(src_affine[0, 0]))
    block = max(1, int(voxel_size // (2 * res)))
    if block > 1:  # average blocks of voxels along y and z first (x keeps its symmetry): cheaper
        src = src[:, : src.shape[1] - src.shape[1] % block, : src.shape[2] - src.shape[2] % block]
        src = src.reshape(src.shape[0], src.shape[1] // block, block, src.shape[2] // block,
                          block).mean(axis=(2, 4))
        src_affine[:3, 3] += src_affine[:3, 1:3] @ np.full(2, (block - 1) / 2.0)
        src_affine[:3, 1:3] *= block
    steps = np.abs(np.diag(src_affine)[:3])
    if voxel_size > res:  # low-pass before sampling (FWHM of the new voxel)
        src = ndimage.gaussian_filter(src, np.sqrt(np.maximum(voxel_size**2 - steps**2, 0)) / 2.355 / steps)
    v = voxel_size
    half_x = int(np.ceil(74.0 / v + 0.5))
    y0, z0 = np.floor(-110.0 / v) * v, np.floor(-74.0 / v) * v
    shape = (2 * half_x, int(np.ceil((78.0 - y0) / v)) + 1, int(np.ceil((86.0 - z0) / v)) + 1)
    affine = np.diag([v, v, v, 1.0])
    affine[:3, 3] = (-(half_x - 0.5) * v, y0, z0)
    ijk = np.indices(shape, dtype=np.float64).reshape(3, -1)
    xyz = affine[:3, :3] @ ijk + affine[:3, 3:]
    inverse = np.linalg.inv(src_affine)
    src_ijk = inverse[:3, :3] @ xyz + inverse[:3, 3:]
    gm = ndimage.map_coordinates(src, src_ijk, order=1, cval=0.0).reshape(shape)
    gm = np.clip(gm, 0.0, 1.0)
    gm = ((gm + gm[::-1]) / 2).astype(np.float32)  # the template is symmetric: keep it exactly so
    gm.setflags(write=False)
    affine.setflags(write=False)
    return gm, affine


def gray_matter_template(voxel_size: float = 4) -> tuple[np.ndarray, np.ndarray]:
    """The MNI152 gray-matter probability map resampled to ``voxel_size`` mm, and its affine.

    Returns ``(gm, affine)``: ``gm`` (D, H, W) float32 in [0, 1], ``affine`` (4, 4) from voxel
    indices to MNI mm. Both are cached and read-only (copy them to modify).
    """
    return _template(_check_voxel_size(voxel_size))


def _gray_matter_mask(voxel_size: float) -> np.ndarray:
    gm, _ = _template(voxel_size)
    return gm >= 0.2


def _world_coordinates(shape: Sequence[int], affine: np.ndarray) -> np.ndarray:
    """MNI mm coordinates of every voxel centre, (3, D*H*W)."""
    ijk = np.indices(shape, dtype=np.float64).reshape(3, -1)
    return affine[:3, :3] @ ijk + affine[:3, 3:]


def _region_ellipsoids() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, centre, semi-axes) of every atrophy region, left then right."""
    out = []
    for side, sign in (("left", 1.0), ("right", -1.0)):
        for name, spec in ATROPHY_REGIONS.items():
            centre = np.array(spec["centre"], dtype=float) * (sign, 1.0, 1.0)
            out.append((f"{name}_{side}", centre, np.array(spec["axes"], dtype=float)))
    return out


@functools.lru_cache(maxsize=8)
def _ellipsoid_distance(voxel_size: float) -> np.ndarray:
    """Normalised ellipsoid distance of every voxel to every atrophy region, (14, D*H*W)."""
    gm, affine = _template(voxel_size)
    xyz = _world_coordinates(gm.shape, affine)
    r = np.stack([np.sqrt((((xyz - c[:, None]) / a[:, None]) ** 2).sum(0))
                  for _, c, a in _region_ellipsoids()])
    r.setflags(write=False)
    return r


@functools.lru_cache(maxsize=8)
def _atrophy_weights(voxel_size: float) -> np.ndarray:
    """Soft membership of each voxel in each atrophy region, (14, D*H*W) float32 in [0, 1]."""
    r = _ellipsoid_distance(voxel_size)
    width = max(0.15, 0.5 * voxel_size / 10.0)  # the edge never gets sharper than a voxel
    w = (1.0 / (1.0 + np.exp(-(1.0 - r) / width))).astype(np.float32)
    w.setflags(write=False)
    return w


def _region_amplitudes(stage: np.ndarray, medial_temporal: np.ndarray) -> np.ndarray:
    """Fraction of gray matter lost in each atrophy region, (N, 14), from stages (N,)."""
    amps = []
    for _, spec in ATROPHY_REGIONS.items():
        amps.append(spec["loss"] * np.maximum(stage - spec["onset"], 0.0) / (1.0 - spec["onset"]))
    amps = np.stack(amps, axis=1)
    mt = [i for i, name in enumerate(ATROPHY_REGIONS) if name in _MEDIAL_TEMPORAL]
    amps[:, mt] *= medial_temporal[:, None]
    return np.concatenate([amps, amps], axis=1)  # left, right


def atrophy_pattern(stage: float = 1.0, *, voxel_size: float = 4) -> np.ndarray:
    """The ground-truth fraction of gray matter lost at a disease ``stage``, (D, H, W) float32.

    Stage 0 is no disease atrophy; at stage 1 every region of ``ATROPHY_REGIONS`` has lost its
    ``loss``. At baseline sMCI subjects average about 0.15, pMCI 0.4 and AD 0.7. The typical
    pattern (no subject heterogeneity), 0 outside the gray-matter mask.
    """
    stage = check_scalar(stage, "stage", low=0.0, high=5.0)
    voxel_size = _check_voxel_size(voxel_size)
    gm, _ = _template(voxel_size)
    amps = _region_amplitudes(np.array([float(stage)]), np.ones(1))
    loss = np.clip(amps @ _atrophy_weights(voxel_size), 0.0, 0.9).reshape(gm.shape)
    return (loss * _gray_matter_mask(voxel_size)).astype(np.float32)


# ----------------------------------------------------------------------------------------
# Regions and hippocampus crops
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Parcellation:
    """Labels of the gray-matter mask into regions.

    ``labels`` (D, H, W) int: 0 outside the mask, ``k`` in region ``names[k - 1]``;
    ``affine`` (4, 4) voxel -> MNI mm.
    """

    labels: np.ndarray
    names: tuple[str, ...]
    affine: np.ndarray

    @property
    def n_regions(self) -> int:
        return len(self.names)

    def __repr__(self) -> str:
        return f"Parcellation({self.n_regions} regions on a {self.labels.shape} grid)"


def _kmeans(points: np.ndarray, k: int, seed: int = 0, iterations: int = 30) -> np.ndarray:
    """Centres (k, 3) of Lloyd's k-means on points (n, 3), seeded with k-means++."""
    rng = np.random.default_rng(seed)
    centres = [points[rng.integers(len(points))]]
    for _ in range(k - 1):  # k-means++: the next centre far from those already chosen
        d2 = cKDTree(np.array(centres)).query(points)[0] ** 2
        centres.append(points[rng.choice(len(points), p=d2 / d2.sum())])
    centres = np.array(centres)
    for _ in range(iterations):
        nearest = cKDTree(centres).query(points)[1]
        counts = np.bincount(nearest, minlength=k)[:, None]
        sums = np.stack([np.bincount(nearest, weights=points[:, a], minlength=k) for a in range(3)], 1)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres)
    return centres


@functools.lru_cache(maxsize=1)
def _parcel_centres() -> tuple[np.ndarray, np.ndarray]:
    """k-means centres (mm) of the unnamed gray matter of each hemisphere, from the 4 mm grid.

    Returns (centres (K, 3), hemisphere sign (K,)): the same cells at every voxel size.
    """
    gm, affine = _template(4.0)
    mask = _gray_matter_mask(4.0).ravel()
    xyz = _world_coordinates(gm.shape, affine)
    named = (_ellipsoid_distance(4.0) <= 1.0).any(axis=0)
    per_hemisphere = (_N_REGIONS - len(_region_ellipsoids())) // 2
    centres, signs = [], []
    for sign in (-1.0, 1.0):
        keep = mask & ~named & (np.sign(xyz[0]) == sign)
        found = _kmeans(xyz[:, keep].T, per_hemisphere)
        centres.append(found[np.lexsort(found.T[::-1])])  # sorted by x, then y, then z
        signs.append(np.full(per_hemisphere, sign))
    return np.concatenate(centres), np.concatenate(signs)


@functools.lru_cache(maxsize=8)
def _regions(voxel_size: float) -> Parcellation:
    gm, affine = _template(voxel_size)
    mask = _gray_matter_mask(voxel_size).ravel()
    xyz = _world_coordinates(gm.shape, affine)
    named = _region_ellipsoids()
    centres, signs = _parcel_centres()
    labels = np.zeros(mask.size, dtype=np.int32)
    for sign in (-1.0, 1.0):  # unnamed cells: nearest k-means centre in the voxel's hemisphere
        cells = np.flatnonzero(signs == sign)
        side = mask & (np.sign(xyz[0]) == sign)
        _, nearest = cKDTree(centres[cells]).query(xyz[:, side].T)
        labels[side] = len(named) + 1 + cells[nearest]
    # named atrophy regions: voxels inside their ellipsoid (the nearest one if several)
    r = _ellipsoid_distance(voxel_size)
    inside = mask & (r.min(axis=0) <= 1.0)
    labels[inside] = 1 + np.argmin(r[:, inside], axis=0)
    for k in range(len(named)):  # a coarse grid may miss a small ellipsoid: take its best voxel
        if not (labels == k + 1).any():
            candidates = np.flatnonzero(mask & (labels > len(named)))
            labels[candidates[np.argmin(r[k, candidates])]] = k + 1
    n_side = int((signs < 0).sum())
    names = [name for name, _, _ in named]
    names += [f"cell{i + 1:02d}_left" for i in range(n_side)]
    names += [f"cell{i + 1:02d}_right" for i in range(len(signs) - n_side)]
    labels = labels.reshape(gm.shape)
    labels.setflags(write=False)
    return Parcellation(labels, tuple(names), affine)


def regions(voxel_size: float = 4) -> Parcellation:
    """A parcellation of the gray-matter mask into 100 regions (50 per hemisphere).

    The 14 atrophy regions of ``ATROPHY_REGIONS`` (``"hippocampus_left"``, ...) are parcels of
    their own; the rest of each hemisphere is cut into 43 cells (``"cell01_left"``, ...), the
    Voronoi cells of seeded k-means centres of the gray-matter voxels, the same at every
    voxel size. Use with ``regional_features``.
    """
    return _regions(_check_voxel_size(voxel_size))


def regional_features(maps, parcellation: Parcellation) -> np.ndarray:
    """Mean gray matter of each region: maps (N, D, H, W) -> features (N, R) float64."""
    if not isinstance(parcellation, Parcellation):
        raise TypeError(f"parcellation must be a Parcellation from regions(), "
                        f"got {type(parcellation).__name__}")
    maps = as_array(maps, "maps", ndim=(3, 4), dtype=None)
    if maps.ndim == 3:
        maps = maps[None]
    if maps.shape[1:] != parcellation.labels.shape:
        raise ValueError(f"maps must have volumes of shape {parcellation.labels.shape} (the "
                         f"parcellation's grid), got {maps.shape[1:]}")
    labels = parcellation.labels.ravel()
    inside = np.flatnonzero(labels > 0)
    region = labels[inside] - 1
    counts = np.bincount(region, minlength=parcellation.n_regions)
    # (R, V) averaging matrix: row r holds 1/count_r on the voxels of region r
    average = sparse.csr_matrix((1.0 / counts[region], (region, inside)),
                                shape=(parcellation.n_regions, labels.size))
    flat = maps.reshape(maps.shape[0], -1)
    # a float64 copy of 64 subjects at a time, not of the whole cohort (2 GB at 4 mm)
    return np.concatenate([(average @ flat[i:i + 64].T.astype(np.float64)).T
                           for i in range(0, len(flat), 64)])


def hippocampus_boxes(affine, shape: Sequence[int] | None = None) -> dict[str, tuple[slice, ...]]:
    """Voxel slices of a box around each hippocampus (with the amygdala and entorhinal cortex).

    The boxes are fixed in MNI mm (32 x 48 x 36 mm, centred at x = -/+26, y = -20, z = -16)
    and converted through ``affine`` (4, 4), which must be axis-aligned. Both boxes have the
    same number of voxels. With ``shape`` the boxes are checked to lie inside the volume.
    Returns ``{"left": (sx, sy, sz), "right": (sx, sy, sz)}``.
    """
    affine = as_array(affine, "affine", ndim=2)
    if affine.shape != (4, 4):
        raise ValueError(f"affine must have shape (4, 4), got {affine.shape}")
    linear = affine[:3, :3]
    if np.abs(linear - np.diag(np.diag(linear))).max() > 1e-6 or np.any(np.diag(linear) == 0):
        raise ValueError("affine must be axis-aligned (a diagonal 3x3 part) to cut boxes")
    steps = np.abs(np.diag(linear))
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


# ----------------------------------------------------------------------------------------
# Participants
# ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _truncated_normal_parent(mean: float, sd: float, low: float, high: float) -> tuple[float, float]:
    """(mu, sigma) of the normal that, truncated to [low, high], has this mean and SD."""

    def gap(params):
        mu, log_sigma = params
        sigma = np.exp(log_sigma)
        a, b = (low - mu) / sigma, (high - mu) / sigma
        m, v = stats.truncnorm.stats(a, b, loc=mu, scale=sigma, moments="mv")
        return [float(m) - mean, np.sqrt(float(v)) - sd]

    sol = optimize.least_squares(gap, [mean, np.log(sd)], xtol=1e-10, ftol=1e-10)
    return float(sol.x[0]), float(np.exp(sol.x[1]))


def _draw_truncated(rng, n, mean, sd, low, high) -> np.ndarray:
    mu, sigma = _truncated_normal_parent(mean, sd, low, high)
    return stats.truncnorm.rvs((low - mu) / sigma, (high - mu) / sigma, loc=mu, scale=sigma,
                               size=n, random_state=rng)


def _apportion(total: int, weights: Sequence[float]) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainders)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


def _group_sizes(n_subjects, groups) -> dict[str, int]:
    if groups is not None:
        if isinstance(groups, str) or not isinstance(groups, Sequence) or len(groups) == 0:
            raise TypeError(f"groups must be a non-empty sequence of names among {list(GROUPS)}, "
                            f"got {groups!r}")
        for g in groups:
            check_choice(g, "groups", GROUPS)
        if len(set(groups)) != len(groups):
            raise ValueError(f"groups must not repeat a group, got {list(groups)}")
    if isinstance(n_subjects, Mapping):
        for g, n in n_subjects.items():
            check_choice(g, "n_subjects (its keys)", GROUPS)
            check_scalar(n, f"n_subjects[{g!r}]", kind=Integral, low=1)
        if groups is not None and set(groups) != set(n_subjects):
            raise ValueError(f"groups {list(groups)} and the keys of n_subjects "
                             f"{list(n_subjects)} must name the same groups")
        return {g: int(n_subjects[g]) for g in GROUPS if g in n_subjects}
    groups = GROUPS if groups is None else tuple(g for g in GROUPS if g in groups)
    if n_subjects is None:
        return {g: ADNI_TABLE[g]["subjects"] for g in groups}
    check_scalar(n_subjects, "n_subjects", kind=Integral, low=len(groups))
    sizes = _apportion(int(n_subjects) - len(groups), [ADNI_TABLE[g]["subjects"] for g in groups])
    return {g: int(n) + 1 for g, n in zip(groups, sizes)}


def _baseline(rng: np.random.Generator, group: str, n: int) -> dict[str, np.ndarray]:
    """Baseline demographics, scores and latent variables of ``n`` subjects of ``group``."""
    spec = ADNI_TABLE[group]
    age = np.round(_draw_truncated(rng, n, *spec["age"]), 1)
    males = _apportion(n, [spec["males"], spec["subjects"] - spec["males"]])[0]
    sex = rng.permutation(np.array(["M"] * males + ["F"] * (n - males)))
    m_mean, m_sd, m_low, m_high = spec["mmse"]
    # integer scores: a truncated normal on [low - 0.5, high + 0.5] rounded (rounding adds 1/12)
    mmse = np.round(_draw_truncated(rng, n, m_mean, np.sqrt(max(m_sd**2 - 1 / 12, 0.1)),
                                    m_low - 0.5, m_high + 0.5)).astype(int)
    mmse = np.clip(mmse, m_low, m_high)
    cdr_values = sorted(spec["cdr"])
    counts = _apportion(n, [spec["cdr"][v] for v in cdr_values])
    order = np.argsort(-mmse + rng.normal(0.0, 1.5, n), kind="stable")  # worse MMSE first
    cdr = np.empty(n)
    cdr[order] = np.repeat(cdr_values, counts)
    stage_mean, stage_sd = _STAGE[group]
    z = (m_mean - mmse) / m_sd  # MMSE deficit in SDs of the group
    stage = stage_mean + stage_sd * (_STAGE_MMSE_CORR * z
                                     + np.sqrt(1 - _STAGE_MMSE_CORR**2) * rng.normal(size=n))
    stage = np.maximum(stage, 0.0)
    tiv = np.exp(rng.normal(0.0, _TIV_SD, n)) * np.where(sex == "M", 1 + _TIV_SEX, 1 - _TIV_SEX)
    rate = _STAGE_RATE[group] * np.exp(rng.normal(0.0, 0.3, n))
    conversion = rng.integers(1, 4, n) if group == "pMCI" else np.full(n, -1)  # years
    return dict(age=age, sex=sex, mmse=mmse, cdr=cdr, stage=stage, tiv=tiv, rate=rate,
                conversion=conversion)


def _participants(sizes: dict[str, int], sessions: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    subject = 0
    for group, n in sizes.items():
        base = _baseline(rng, group, n)
        for i in range(n):
            subject += 1
            for t in range(sessions):
                converted = group == "pMCI" and t >= base["conversion"][i]
                speed = base["rate"][i] / _STAGE_RATE[group] if _STAGE_RATE[group] else 0.0
                mmse = base["mmse"][i] - _MMSE_RATE[group] * speed * t
                cdr = base["cdr"][i]
                if t > 0 and (converted or group == "AD"):  # dementia worsens with the MMSE
                    cdr = max(cdr, _CDR_FROM_MMSE[np.searchsorted(_CDR_MMSE_CUTS, mmse)])
                rows.append(dict(
                    participant_id=f"sub-SIM{subject:04d}", session_id=f"ses-M{12 * t:02d}",
                    group=group, diagnosis="AD" if converted else group,
                    age=round(base["age"][i] + t, 1), sex=base["sex"][i],
                    MMSE=int(np.clip(np.round(mmse), 0, 30)), CDR=cdr,
                    stage=base["stage"][i] + base["rate"][i] * t, tiv=base["tiv"][i],
                ))
    df = pd.DataFrame(rows)
    for column, categories in (("group", GROUPS), ("diagnosis", GROUPS), ("sex", ("F", "M"))):
        df[column] = pd.Categorical(df[column], categories=categories)
    return df


def _check_common(n_subjects, groups, sessions, seed) -> tuple[dict[str, int], int, int]:
    allowed = n_subjects is None or isinstance(n_subjects, (Integral, Mapping))
    if not allowed or isinstance(n_subjects, bool):
        raise TypeError(f"n_subjects must be None, an int or a dict {{group: int}}, "
                        f"got {type(n_subjects).__name__}")
    sizes = _group_sizes(n_subjects, groups)
    sessions = int(check_scalar(sessions, "sessions", kind=Integral, low=1, high=10))
    seed = int(check_scalar(seed, "seed", kind=Integral, low=0, high=2**32 - 1))
    return sizes, sessions, seed


def simulate_participants(n_subjects: int | Mapping[str, int] | None = None, *,
                          groups: Sequence[str] | None = None, sessions: int = 1,
                          seed: int = 0) -> pd.DataFrame:
    """The clinical table of ``simulate_cohort`` (same arguments, same rows), without images.

    One row per subject and session: ``participant_id`` (``sub-SIM0001``: simulated),
    ``session_id`` (``ses-M00``, ``ses-M12``, ...), ``group`` (CN, sMCI, pMCI or AD, the
    baseline cohort), ``diagnosis`` (the group, or AD once a pMCI subject has converted),
    ``age`` (years), ``sex`` (M/F), ``MMSE`` (0-30), ``CDR``; and the simulation's ground
    truth, which real data lack: ``stage`` (latent disease stage, 0 = none; see
    ``atrophy_pattern``) and ``tiv`` (head size relative to the template).

    ``n_subjects``: None for the slides' group sizes (1259 subjects), an int to scale every
    group proportionally (at least one subject each), or a dict ``{group: count}``.
    """
    sizes, sessions, seed = _check_common(n_subjects, groups, sessions, seed)
    rng_people, _ = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    return _participants(sizes, sessions, rng_people)


# ----------------------------------------------------------------------------------------
# Images
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BrainCohort:
    """A simulated cohort: clinical table, gray-matter maps and their grid.

    ``participants``: DataFrame, one row per map (see ``simulate_participants``);
    ``maps``: (N, D, H, W) float32 modulated gray-matter maps (volume fraction, about 0-1.2);
    ``affine``: (4, 4) voxel index -> MNI mm; ``mask``: (D, H, W) bool gray-matter mask.
    """

    participants: pd.DataFrame
    maps: np.ndarray
    affine: np.ndarray
    mask: np.ndarray

    @property
    def voxel_size(self) -> float:
        return float(abs(self.affine[0, 0]))

    def __len__(self) -> int:
        return len(self.maps)

    def __repr__(self) -> str:
        counts = ", ".join(f"{g}: {n}" for g, n in
                           self.participants["group"].value_counts(sort=False).items() if n)
        return (f"BrainCohort(SIMULATED, {len(self)} maps of {self.maps.shape[1:]} voxels at "
                f"{self.voxel_size:g} mm; {counts})")


def _interpolation_matrix(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) linear interpolation between grids spanning the same extent."""
    x = np.clip((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0, n_in - 1)
    low = np.minimum(np.floor(x).astype(int), n_in - 2)  # n_in >= 2
    m = np.zeros((n_out, n_in), dtype=np.float32)
    m[np.arange(n_out), low] = 1 - (x - low)
    m[np.arange(n_out), low + 1] = x - low
    return m


def _upsample(low: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    """Trilinear upsampling of fields (..., d, h, w) to (..., *shape): one matmul per axis."""
    mx, my, mz = (_interpolation_matrix(n, m) for n, m in zip(shape, low.shape[-3:]))
    out = low @ mz.T  # (..., d, h, W)
    out = np.swapaxes(np.swapaxes(out, -1, -2) @ my.T, -1, -2)  # (..., d, H, W)
    out = np.moveaxis(np.moveaxis(out, -3, -1) @ mx.T, -1, -3)  # (..., D, H, W)
    return np.ascontiguousarray(out)


def _simulate_maps(people: pd.DataFrame, voxel_size: float, rng: np.random.Generator) -> np.ndarray:
    """One gray-matter map (N, D, H, W) float32 per row of ``people``; sessions of a subject
    share its anatomy (deformation, regional volumes, atrophy heterogeneity)."""
    gm, _ = _template(voxel_size)
    shape, v = gm.shape, voxel_size
    weights = _atrophy_weights(voxel_size)
    grid = np.indices(shape, dtype=np.float32).reshape(3, -1)
    control = tuple(max(2, int(np.ceil(s * v / _CONTROL_MM)) + 1) for s in shape)
    anatomy_grid = tuple(max(2, int(np.ceil(s * v / _ANATOMY_MM)) + 1) for s in shape)
    noise_sigma = _NOISE_FWHM / 2.355 / v
    noise_gain = 1.0
    if noise_sigma > 0.3:  # smoothing shrinks the variance of white noise by sum(kernel**2)
        noise_gain = 1.0 / np.sqrt((ndimage.gaussian_filter(_unit_impulse(shape), noise_sigma) ** 2).sum())

    subjects = people["participant_id"].to_numpy()
    first = np.r_[True, subjects[1:] != subjects[:-1]]
    subject_index = np.cumsum(first) - 1
    n_subjects = int(first.sum())
    group = people["group"].to_numpy()[first]
    medial_temporal = np.where(group == "pMCI", _PMCI_MEDIAL_TEMPORAL, 1.0)
    heterogeneity = np.exp(rng.normal(0.0, _HETEROGENEITY, (n_subjects, weights.shape[0])))
    stage = people["stage"].to_numpy()
    age = people["age"].to_numpy()
    scale = (people["tiv"].to_numpy() * (1 - _AGE_LOSS * (age - 70))).astype(np.float32)

    maps = np.empty((len(people), *shape), dtype=np.float32)
    for start in range(0, n_subjects, _CHUNK):
        chunk = np.arange(start, min(start + _CHUNK, n_subjects))
        n = len(chunk)
        # each subject's anatomy: a smooth deformation of the template and regional volumes
        disp = _upsample(rng.standard_normal((n, 3, *control), dtype=np.float32), shape)
        disp *= _DISPLACEMENT_MM / v
        anatomy = _upsample(rng.standard_normal((n, *anatomy_grid), dtype=np.float32), shape)
        anatomy = np.exp(_ANATOMY_SD * anatomy, out=anatomy)
        warped = np.empty((n, *shape), dtype=np.float32)
        for k in range(n):
            coords = grid + disp[k].reshape(3, -1)
            warped[k] = ndimage.map_coordinates(gm, coords, order=1, mode="nearest").reshape(shape)
        warped *= anatomy
        # each session: disease atrophy, head size and age, smooth noise
        rows = np.flatnonzero(np.isin(subject_index, chunk))
        block = warped[subject_index[rows] - start]
        amps = _region_amplitudes(stage[rows], medial_temporal[subject_index[rows]]) \
            * heterogeneity[subject_index[rows]]
        kept = 1 - np.clip(amps.astype(np.float32) @ weights, 0.0, 0.9)
        block *= kept.reshape(block.shape)
        noise = rng.standard_normal(block.shape, dtype=np.float32)
        if noise_sigma > 0.3:
            noise = ndimage.gaussian_filter(noise, (0, noise_sigma, noise_sigma, noise_sigma))
        noise *= _NOISE_SD * noise_gain
        noise += 1
        block *= noise
        block *= scale[rows, None, None, None]
        maps[rows] = np.maximum(block, 0.0, out=block)
    return maps


def _unit_impulse(shape: Sequence[int]) -> np.ndarray:
    """A volume with one 1 at the centre; smoothed and squared-summed it gives the noise gain."""
    x = np.zeros(shape, dtype=np.float64)
    x[tuple(s // 2 for s in shape)] = 1.0
    return x


def simulate_cohort(n_subjects: int | Mapping[str, int] | None = None, *,
                    groups: Sequence[str] | None = None, voxel_size: float = 4,
                    sessions: int = 1, seed: int = 0) -> BrainCohort:
    """Simulate an ADNI-like cohort: clinical table and gray-matter maps (SIMULATED data).

    ``n_subjects``: None for the slides' group sizes (CN 330, sMCI 298, pMCI 295, AD 336), an
    int to scale every group proportionally, or a dict ``{group: count}``; ``groups``: which of
    CN, sMCI, pMCI, AD to simulate (default all); ``voxel_size`` in mm (1-16; 4 mm gives
    (38, 49, 42) volumes); ``sessions``: visits per subject, one a year; ``seed``: the same seed
    gives the same cohort, byte for byte. The participants are those of
    ``simulate_participants`` with the same arguments. Memory: N x D x H x W x 4 bytes.
    """
    sizes, sessions, seed = _check_common(n_subjects, groups, sessions, seed)
    voxel_size = _check_voxel_size(voxel_size)
    rng_people, rng_images = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    people = _participants(sizes, sessions, rng_people)
    maps = _simulate_maps(people, voxel_size, rng_images)
    _, affine = _template(voxel_size)
    return BrainCohort(people, maps, affine.copy(), _gray_matter_mask(voxel_size).copy())


# ----------------------------------------------------------------------------------------
# Tables, files and figures
# ----------------------------------------------------------------------------------------


def _summary_rows(rows: dict[str, dict]) -> pd.DataFrame:
    def cdr_text(counts: dict[float, int]) -> str:
        return "; ".join(f"{v:g}: {n}" for v, n in sorted(counts.items()) if n)

    table = {}
    for g, r in rows.items():
        age, mmse = r["age"], r["mmse"]
        table[g] = {
            "Subjects": r["subjects"], "Sessions": r["sessions"],
            "Age": f"{age[0]:.1f} ± {age[1]:.1f} [{age[2]:.1f}, {age[3]:.1f}]",
            "Gender": f"{r['males']} M / {r['subjects'] - r['males']} F",
            "MMSE": f"{mmse[0]:.1f} ± {mmse[1]:.1f} [{mmse[2]:g}, {mmse[3]:g}]",
            "CDR": cdr_text(r["cdr"]),
        }
    return pd.DataFrame.from_dict(table, orient="index")


def adni_table() -> pd.DataFrame:
    """The slides' ADNI baseline table (real published figures), one row per group."""
    return _summary_rows(ADNI_TABLE)


def cohort_table(participants: pd.DataFrame) -> pd.DataFrame:
    """The same table for a simulated cohort: baseline rows summarised per group.

    ``participants`` as returned by ``simulate_participants`` (or ``cohort.participants``).
    """
    if not isinstance(participants, pd.DataFrame):
        raise TypeError(f"participants must be a pandas DataFrame, got {type(participants).__name__}")
    needed = {"participant_id", "session_id", "group", "age", "sex", "MMSE", "CDR"}
    if missing := needed - set(participants.columns):
        raise ValueError(f"participants lacks the columns {sorted(missing)}")
    rows = {}
    first = participants.drop_duplicates("participant_id")
    for g in GROUPS:
        base = first[first["group"] == g]
        if len(base) == 0:
            continue
        rows[g] = dict(
            subjects=len(base), sessions=int((participants["group"] == g).sum()),
            age=(base["age"].mean(), base["age"].std(), base["age"].min(), base["age"].max()),
            males=int((base["sex"] == "M").sum()),
            mmse=(base["MMSE"].mean(), base["MMSE"].std(), base["MMSE"].min(), base["MMSE"].max()),
            cdr=base["CDR"].value_counts().to_dict(),
        )
    return _summary_rows(rows)


def save_nifti(volume, affine, path) -> Path:
    """Write a volume (D, H, W) with its affine (4, 4) to a NIfTI file (``.nii`` or ``.nii.gz``)."""
    import nibabel as nib

    volume = as_array(volume, "volume", ndim=3, dtype=np.float32)
    affine = as_array(affine, "affine", ndim=2)
    if affine.shape != (4, 4):
        raise ValueError(f"affine must have shape (4, 4), got {affine.shape}")
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


def plot_brain_slices(volume, affine=None, *, cut=None, overlay=None, title: str | None = None,
                      cmap: str = "gray", vmin: float | None = None, vmax: float | None = None,
                      overlay_cmap: str = "autumn", overlay_label: str = "",
                      overlay_threshold: float = 0.1, label: str = "gray matter"):
    """Axial, coronal and sagittal slices of a volume (D, H, W) through one point.

    ``affine`` (4, 4) voxel -> MNI mm, to cut at ``cut`` = (x, y, z) in mm (default: through
    the left hippocampus) and label the axes in mm; without it ``cut`` is a voxel index
    (default: the centre) and the axes are voxel indices. ``overlay``, a volume of the same
    shape (an atrophy map, a weight map), is drawn over the image where its magnitude exceeds
    ``overlay_threshold`` times its maximum.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    volume = as_array(volume, "volume", ndim=3)
    if overlay is not None:
        overlay = as_array(overlay, "overlay", ndim=3)
        if overlay.shape != volume.shape:
            raise ValueError(f"overlay must have the volume's shape {volume.shape}, got {overlay.shape}")
    if cut is not None:
        cut = as_array(cut, "cut", ndim=1)
        if cut.shape != (3,):
            raise ValueError(f"cut must hold 3 coordinates (x, y, z), got shape {cut.shape}")
    if affine is not None:
        affine = as_array(affine, "affine", ndim=2)
        if affine.shape != (4, 4) or np.abs(affine[:3, :3] - np.diag(np.diag(affine[:3, :3]))).max() > 1e-6:
            raise ValueError("affine must be an axis-aligned (4, 4) matrix")
        point = np.array(ATROPHY_REGIONS["hippocampus"]["centre"], float) if cut is None else cut
        index = np.round(np.linalg.inv(affine)[:3] @ np.r_[point, 1.0]).astype(int)
    else:
        index = np.array(volume.shape) // 2 if cut is None else cut.astype(int)
    if np.any(index < 0) or np.any(index >= volume.shape):
        raise ValueError(f"cut falls outside the volume (voxel {index.tolist()} of {volume.shape})")

    def extent(axis: int) -> tuple[float, float]:
        if affine is None:
            return -0.5, volume.shape[axis] - 0.5
        ends = affine[axis, axis] * (np.array([-0.5, volume.shape[axis] - 0.5])) + affine[axis, 3]
        return float(ends.min()), float(ends.max())

    names = ("x", "y", "z")
    unit = " (mm)" if affine is not None else " (voxel)"
    views = (("axial", 2, (0, 1)), ("coronal", 1, (0, 2)), ("sagittal", 0, (1, 2)))
    vmin = float(np.min(volume)) if vmin is None else vmin
    vmax = float(np.max(volume)) if vmax is None else vmax
    if overlay is not None:
        top = float(np.abs(overlay).max())
        hidden = np.abs(overlay) <= overlay_threshold * top  # show only the overlay's strong part
        overlay = np.ma.masked_array(overlay, hidden)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), layout="constrained")
    for ax, (name, axis, (a, b)) in zip(axes, views):
        take = [slice(None)] * 3
        take[axis] = index[axis]
        box = (*extent(a), *extent(b))
        image = ax.imshow(volume[tuple(take)].T, origin="lower", cmap=cmap, vmin=vmin, vmax=vmax,
                          extent=box, interpolation="nearest")
        if overlay is not None:
            layer = ax.imshow(overlay[tuple(take)].T, origin="lower", cmap=overlay_cmap, alpha=0.8,
                              extent=box, interpolation="nearest", vmin=0.0 if top > 0 else None)
        where = (f"{affine[axis, axis] * index[axis] + affine[axis, 3]:.0f} mm" if affine is not None
                 else f"{index[axis]}")
        ax.set_title(f"{name}, {names[axis]} = {where}")
        ax.set_xlabel(names[a] + unit)
        ax.set_ylabel(names[b] + unit)
        ax.grid(False)
    fig.colorbar(image, ax=axes, shrink=0.85, label=label)
    if overlay is not None:
        fig.colorbar(layer, ax=axes, shrink=0.85, label=overlay_label)
    if title:
        fig.suptitle(title)
    return fig
