"""SIMULATED brain cohorts: gray-matter maps and clinical tables, ADNI-like and lifespan.

The brain case study of the course (slides, section 2.7; Wen et al., *Medical Image Analysis*
2020) uses ADNI, which cannot be downloaded without an agreement. This module builds a
stand-in whose ground truth is known: ``simulate_cohort`` (CN, sMCI, pMCI, AD) for
classification, and ``simulate_lifespan_cohort`` (healthy adults aged 20-90, as IXI or OASIS-1)
for brain-age regression. **Nothing here is patient data**: every subject, score and image is
drawn from a random model, seeded, so the same call returns the same bytes.

What is modelled
    * Demographics and scores per group (CN, sMCI, pMCI, AD) drawn to match the ADNI baseline
      table of the slides: group sizes, age mean ± SD inside its range, exact sex ratio, MMSE
      mean ± SD inside its range (integers), exact CDR counts (lower MMSE, higher CDR).
    * Modulated gray-matter maps in MNI space, as a VBM pipeline would give them, built on
      nilearn's MNI152 (2009 symmetric) gray-matter template resampled to ``voxel_size`` mm:

      ``map = tiv · (1 - age loss) · template(x + u(x)) · anatomy(x) · (1 - atrophy(x)) · (1 + noise(x))``

      with ``u`` a smooth random displacement (anatomical variability, about 2.5 mm),
      ``anatomy`` a smooth random regional volume factor, ``tiv`` the head size (men larger),
      an age loss of 0.4 % of gray matter per year (``ageing="global"``, the default: one
      number, the same everywhere), and ``noise`` smooth scanner/pipeline noise (FWHM 8 mm).
    * Regional ageing (``ageing="regional"``, and every ``simulate_lifespan_cohort``): the
      age loss becomes ``1 - (1 - global(b)) · (1 - ageing(x, b))`` at the subject's brain age
      ``b``: 0.2 % of all gray matter a year after 20, and the regions of ``AGEING_REGIONS``
      (ellipsoids in MNI mm, ``ageing_pattern(age)`` for figures), each losing
      ``loss · ((b - onset)+ / (80 - onset)) ** power``: prefrontal, medial frontal,
      orbitofrontal cortex, insula and putamen fast from 20 (a third of their gray matter by
      80, a little faster each decade), temporal, parietal, cingulate cortex and thalamus from
      30-40, the hippocampus and amygdala late (from 55, quadratic: AD's medial-temporal
      atrophy adds to what age does there, so AD brains look older), the occipital cortex
      little. Each subject ages at its own rate: ``brain_age = 20 + rate · (age - 20)``, the
      rate log-normal (SD of its log 0.07, a gap of SD about 4 years at 75), recorded in the
      table as ground truth, and each region of each subject by its own factor (log-normal,
      SD 0.2). With ``"global"``, ``brain_age`` is the age.
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
    * ``CDR_SB``, a clinical-dementia-rating sum of boxes (0-18 in steps of 0.5), an ordinal
      grade that is not the group label: ``severity = 3 · stage + 0.5 · max(28.5 - MMSE, 0) -
      0.5 + e_subject + e_session`` (noise SD 0.5 and 0.25), rounded to the nearest 0.5,
      clipped to [0, 18], at least 0.5 where the global CDR is. At the slides' sizes its mean
      is about 0.1 (CN), 0.9 (sMCI), 1.8 (pMCI) and 4.3 (AD, SD 2.2, up to about 10): it
      grows with the stage within every group and the groups overlap. It and ``brain_age``
      come from random streams of their own, so that every other column and map keeps the
      bytes it had before they were added.
    * The lifespan cohort: healthy controls (CN, CDR 0, stage 0), ages uniform over
      ``age_range``, half of them men, MMSE and head size as ADNI's controls, one session.

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

Brain age (``simulate_lifespan_cohort``, ages 20-90; ridge regression, standardised, penalty
by ``RidgeCV``, on the 100 ``regions`` features, shuffled 5-fold cross-validation, one map per
subject; mean ± SD over seeds 0-4; predicting the training folds' mean age gives an MAE of
about 17.5 years). Brain-age literature on real T1 images reaches 4-6 years::

    subjects   voxel size   ridge MAE (years)   R²            MAE to brain_age
    300        6 mm         6.86 ± 0.27         0.82 ± 0.02   6.57 ± 0.22
    300        8 mm         6.27 ± 0.31         0.85 ± 0.02   5.90 ± 0.31
    600        4 mm         7.16 ± 0.12         0.80 ± 0.01   6.80 ± 0.09

Twice the subjects on a finer grid do not lower the ridge's error: a straight line in the
regional means cannot follow ageing that accelerates, and the parcels mix each ageing region
with its neighbours (a coarser grid blurs the regions' edges over more of their parcels: a
little more signal at 8 mm). A ``SimpleCNN3d`` regressor on the whole 8 mm maps (300
subjects, 3-fold, seed 0, 30 epochs) has signal to learn: MAE 10.3 years against 18.1 for
the mean (ridge 5.9 on the same folds).

Brain-age gap (predicted minus chronological age) of an ADNI-like cohort simulated with
``ageing="regional"`` (rng=seed + 1), scored by a ridge fitted on a lifespan cohort (rng=seed),
mean per group over seeds 0-4 (every group is older than the lifespan mean, so a ridge
underestimates it: the gaps are relative)::

    lifespan / ADNI-like      CN            sMCI          pMCI          AD            AD - CN
    300 / 200 at 6 mm        -3.3 ± 0.7    -3.4 ± 0.4    -0.4 ± 1.8    +4.7 ± 1.7    8.0 ± 1.4 (min 6.5)
    600 / 400 at 4 mm        -4.1 ± 0.5    -3.4 ± 0.1    -0.1 ± 0.5    +5.1 ± 1.1    9.2 ± 1.6 (min 7.7)

sMCI look as old as CN, pMCI older (pMCI - sMCI 3.3 ± 0.5, min 2.4, at 4 mm; 3.0 ± 2.0,
min 0.5, at 6 mm with 200 subjects), AD far older.

Regional features live in ``dlmi.data.parcellation``, crops and slices in
``dlmi.data.transforms``, NIfTI files in ``dlmi.data.nifti``, figures in ``dlmi.viz``.

Quick use::

    cohort = simulate_cohort(200, voxel_size=6, rng=0)    # fast mode
    parc = regions(voxel_size=6)
    X = regional_features(cohort.maps, parc)              # (200, 100)
    y = cohort.participants["diagnosis"]

    lifespan = simulate_lifespan_cohort(300, voxel_size=6, rng=0)
    X, age = regional_features(lifespan.maps, parc), lifespan.participants["age"]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from numbers import Integral
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import ndimage, optimize, stats

from ..validation import check_choice, check_scalar, rng_argument, seed_from

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

# ----------------------------------------------------------------------------------------
# Ageing (``ageing="regional"``; ``"global"`` keeps one factor, ``_AGE_LOSS``)
# ----------------------------------------------------------------------------------------

AGEING = ("global", "regional")  # the two ageing models of simulate_cohort

#: Ageing regions of the left hemisphere (mirrored to the right): ellipsoid centre and
#: semi-axes in MNI mm, the age (years) at which the region starts to lose gray matter, the
#: exponent of its time course and the fraction it has lost at 80. A region's loss at brain
#: age ``a`` is ``loss * ((a - onset)+ / (80 - onset)) ** power``: it accelerates with age.
AGEING_REGIONS: dict[str, dict] = {
    "prefrontal": dict(centre=(-38, 36, 26), axes=(12, 18, 14), onset=20, power=1.3, loss=0.33),
    "medial_frontal": dict(centre=(-7, 40, 18), axes=(6, 16, 16), onset=20, power=1.3, loss=0.30),
    "orbitofrontal": dict(centre=(-24, 36, -16), axes=(12, 12, 6), onset=20, power=1.5, loss=0.27),
    "insula": dict(centre=(-38, 2, 2), axes=(6, 16, 10), onset=20, power=1.3, loss=0.33),
    "precentral": dict(centre=(-38, -16, 52), axes=(10, 10, 12), onset=30, power=1.3, loss=0.15),
    "superior_temporal": dict(centre=(-54, -16, 6), axes=(8, 14, 6), onset=30, power=1.5, loss=0.18),
    "superior_parietal": dict(centre=(-22, -62, 58), axes=(10, 12, 8), onset=30, power=1.5, loss=0.15),
    "putamen": dict(centre=(-25, 4, 2), axes=(5, 10, 7), onset=20, power=1.3, loss=0.24),
    "thalamus": dict(centre=(-11, -18, 6), axes=(7, 10, 7), onset=30, power=1.5, loss=0.22),
    "lateral_temporal": dict(centre=(-56, -26, -14), axes=(11, 28, 13), onset=40, power=1.5, loss=0.12),
    "posterior_cingulate": dict(centre=(-6, -48, 30), axes=(6, 12, 10), onset=40, power=1.5, loss=0.12),
    "precuneus": dict(centre=(-8, -64, 44), axes=(8, 13, 13), onset=40, power=1.5, loss=0.10),
    "hippocampus": dict(centre=(-26, -24, -12), axes=(7, 16, 8), onset=55, power=2.0, loss=0.16),
    "amygdala": dict(centre=(-23, -4, -19), axes=(7, 7, 7), onset=55, power=2.0, loss=0.14),
    "cerebellum": dict(centre=(-26, -62, -36), axes=(18, 14, 12), onset=40, power=1.5, loss=0.12),
    "occipital": dict(centre=(-20, -92, 2), axes=(14, 10, 14), onset=30, power=1.0, loss=0.05),
}
_AGEING_REFERENCE = 80.0  # the age at which each region has lost its ``loss``
_AGEING_FROM = 20.0  # brain age = _AGEING_FROM + rate * (age - _AGEING_FROM)
_AGEING_RATE_SD = 0.07  # SD of the log of each subject's ageing rate
_AGEING_GLOBAL = 0.002  # fraction of all gray matter lost per year of brain age after 20
_AGEING_HETEROGENEITY = 0.2  # SD of the log of each subject's per-region ageing factor

# ----------------------------------------------------------------------------------------
# The clinical-dementia-rating sum of boxes (CDR_SB): 0-18 in steps of 0.5
# ----------------------------------------------------------------------------------------

# severity = stage weight * stage + MMSE weight * max(reference - MMSE, 0) + offset + noise
_CDR_SB_STAGE, _CDR_SB_MMSE, _CDR_SB_MMSE_REFERENCE, _CDR_SB_OFFSET = 3.0, 0.5, 28.5, -0.5
_CDR_SB_SUBJECT_SD, _CDR_SB_SESSION_SD = 0.5, 0.25

# imaging nuisances
_AGE_LOSS = 0.004  # ageing="global": fraction of gray matter lost per year of age, around 70
_TIV_SD, _TIV_SEX = 0.07, 0.04  # head size: SD, and +/- for men/women
_DISPLACEMENT_MM, _CONTROL_MM = 2.5, 24.0  # deformation SD and its control-point spacing
_ANATOMY_SD, _ANATOMY_MM = 0.10, 12.0  # smooth regional volume variation
_NOISE_SD, _NOISE_FWHM = 0.06, 8.0  # smooth noise of the VBM maps

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


def _ellipsoids(regions: Mapping[str, dict]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, centre, semi-axes) of every region of ``regions``, left then right."""
    out = []
    for side, sign in (("left", 1.0), ("right", -1.0)):
        for name, spec in regions.items():
            centre = np.array(spec["centre"], dtype=float) * (sign, 1.0, 1.0)
            out.append((f"{name}_{side}", centre, np.array(spec["axes"], dtype=float)))
    return out


def _region_ellipsoids() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, centre, semi-axes) of every atrophy region, left then right."""
    return _ellipsoids(ATROPHY_REGIONS)


def _distances(voxel_size: float, ellipsoids) -> np.ndarray:
    """Normalised ellipsoid distance of every voxel to every ellipsoid, (R, D*H*W)."""
    gm, affine = _template(voxel_size)
    xyz = _world_coordinates(gm.shape, affine)
    r = np.stack([np.sqrt((((xyz - c[:, None]) / a[:, None]) ** 2).sum(0)) for _, c, a in ellipsoids])
    r.setflags(write=False)
    return r


def _membership(r: np.ndarray, voxel_size: float) -> np.ndarray:
    """Soft membership (R, D*H*W) float32 in [0, 1] from normalised ellipsoid distances."""
    width = max(0.15, 0.5 * voxel_size / 10.0)  # the edge never gets sharper than a voxel
    w = (1.0 / (1.0 + np.exp(-(1.0 - r) / width))).astype(np.float32)
    w.setflags(write=False)
    return w


@functools.lru_cache(maxsize=8)
def _ellipsoid_distance(voxel_size: float) -> np.ndarray:
    """Normalised ellipsoid distance of every voxel to every atrophy region, (14, D*H*W)."""
    return _distances(voxel_size, _region_ellipsoids())


@functools.lru_cache(maxsize=8)
def _atrophy_weights(voxel_size: float) -> np.ndarray:
    """Soft membership of each voxel in each atrophy region, (14, D*H*W) float32 in [0, 1]."""
    return _membership(_ellipsoid_distance(voxel_size), voxel_size)


@functools.lru_cache(maxsize=8)
def _ageing_weights(voxel_size: float) -> np.ndarray:
    """Soft membership of each voxel in each ageing region, (32, D*H*W) float32 in [0, 1]."""
    return _membership(_distances(voxel_size, _ellipsoids(AGEING_REGIONS)), voxel_size)


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


def _ageing_amplitudes(brain_age: np.ndarray) -> np.ndarray:
    """Fraction of gray matter lost in each ageing region, (N, 32), from brain ages (N,) in years."""
    amps = []
    for spec in AGEING_REGIONS.values():
        t = np.maximum(brain_age - spec["onset"], 0.0) / (_AGEING_REFERENCE - spec["onset"])
        amps.append(spec["loss"] * t ** spec["power"])
    amps = np.stack(amps, axis=1)
    return np.concatenate([amps, amps], axis=1)  # left, right


def _global_ageing(brain_age: np.ndarray) -> np.ndarray:
    """Fraction of all gray matter lost with age, outside the ageing regions too, (N,)."""
    return _AGEING_GLOBAL * np.maximum(brain_age - _AGEING_FROM, 0.0)


def ageing_pattern(age: float = 80.0, *, voxel_size: float = 4) -> np.ndarray:
    """The ground-truth fraction of gray matter lost by ``age`` (years), (D, H, W) float32.

    The typical subject of ``ageing="regional"`` (brain age = age, no heterogeneity): the
    regions of ``AGEING_REGIONS`` on top of a small global loss; 0 outside the gray-matter
    mask. Nothing is lost before 20.
    """
    age = check_scalar(age, "age", low=0.0, high=120.0)
    voxel_size = _check_voxel_size(voxel_size)
    gm, _ = _template(voxel_size)
    brain_age = np.array([float(age)])
    regional = np.clip(_ageing_amplitudes(brain_age) @ _ageing_weights(voxel_size), 0.0, 0.9)
    loss = 1 - (1 - _global_ageing(brain_age)[0]) * (1 - regional.reshape(gm.shape))
    return (loss * _gray_matter_mask(voxel_size)).astype(np.float32)


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


def _draw_tiv(rng: np.random.Generator, sex: np.ndarray) -> np.ndarray:
    """Head sizes (N,) relative to the template, from sexes (N,) "M"/"F": men larger."""
    return np.exp(rng.normal(0.0, _TIV_SD, len(sex))) * np.where(sex == "M", 1 + _TIV_SEX, 1 - _TIV_SEX)


def _draw_mmse(rng: np.random.Generator, n: int, mean: float, sd: float, low: int, high: int) -> np.ndarray:
    """Integer MMSE scores (n,): a truncated normal on [low - 0.5, high + 0.5], rounded."""
    # rounding adds 1/12 to the variance: draw with that much less
    mmse = np.round(_draw_truncated(rng, n, mean, np.sqrt(max(sd**2 - 1 / 12, 0.1)),
                                    low - 0.5, high + 0.5)).astype(int)
    return np.clip(mmse, low, high)


def _baseline(rng: np.random.Generator, group: str, n: int) -> dict[str, np.ndarray]:
    """Baseline demographics, scores and latent variables of ``n`` subjects of ``group``."""
    spec = ADNI_TABLE[group]
    age = np.round(_draw_truncated(rng, n, *spec["age"]), 1)
    males = _apportion(n, [spec["males"], spec["subjects"] - spec["males"]])[0]
    sex = rng.permutation(np.array(["M"] * males + ["F"] * (n - males)))
    m_mean, m_sd, m_low, m_high = spec["mmse"]
    mmse = _draw_mmse(rng, n, m_mean, m_sd, m_low, m_high)
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
    tiv = _draw_tiv(rng, sex)
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
    return _table(rows)


def _lifespan_participants(n: int, age_range: tuple[float, float], rng: np.random.Generator) -> pd.DataFrame:
    """Healthy adults, one session each: ages uniform over ``age_range``, half of them men."""
    age = np.round(rng.uniform(*age_range, n), 1)
    males = _apportion(n, [1, 1])[0]
    sex = rng.permutation(np.array(["M"] * males + ["F"] * (n - males)))
    m_mean, m_sd, m_low, m_high = ADNI_TABLE["CN"]["mmse"]
    mmse = _draw_mmse(rng, n, m_mean, m_sd, m_low, m_high)
    tiv = _draw_tiv(rng, sex)
    return _table([dict(participant_id=f"sub-SIM{i + 1:04d}", session_id="ses-M00", group="CN",
                        diagnosis="CN", age=age[i], sex=sex[i], MMSE=int(mmse[i]), CDR=0.0, stage=0.0,
                        tiv=tiv[i]) for i in range(n)])


def _table(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for column, categories in (("group", GROUPS), ("diagnosis", GROUPS), ("sex", ("F", "M"))):
        df[column] = pd.Categorical(df[column], categories=categories)
    return df


def _subjects(people: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(first, subject_index): whether each row is its subject's first, and the subject's number."""
    subjects = people["participant_id"].to_numpy()
    first = np.r_[True, subjects[1:] != subjects[:-1]]
    return first, np.cumsum(first) - 1


def _add_cdr_sb(people: pd.DataFrame, rng: np.random.Generator) -> None:
    """Insert ``CDR_SB`` after ``CDR``: a sum-of-boxes-like rating, 0-18 in steps of 0.5.

    ``severity = 3 stage + 0.5 max(28.5 - MMSE, 0) - 0.5 + subject noise (SD 0.5) + session
    noise (SD 0.25)``, rounded to the nearest 0.5, clipped to [0, 18], and at least 0.5 where
    the global CDR is (a CDR of 0.5 or more needs a box at 0.5 or more).
    """
    first, subject_index = _subjects(people)
    noise = rng.normal(0.0, _CDR_SB_SUBJECT_SD, int(first.sum()))[subject_index] \
        + rng.normal(0.0, _CDR_SB_SESSION_SD, len(people))
    deficit = np.maximum(_CDR_SB_MMSE_REFERENCE - people["MMSE"].to_numpy(), 0.0)
    severity = _CDR_SB_STAGE * people["stage"].to_numpy() + _CDR_SB_MMSE * deficit + _CDR_SB_OFFSET + noise
    floor = np.where(people["CDR"].to_numpy() > 0, 0.5, 0.0)
    cdr_sb = np.clip(np.round(2 * severity) / 2, floor, 18.0) + 0.0  # + 0.0: no -0.0
    people.insert(people.columns.get_loc("CDR") + 1, "CDR_SB", cdr_sb)


def _add_brain_age(people: pd.DataFrame, ageing: str, rng: np.random.Generator) -> None:
    """Append ``brain_age``: the age whose typical ageing the maps show (years, 0.1).

    ``"global"``: the age itself. ``"regional"``: ``20 + rate (age - 20)``, each subject's
    ageing ``rate`` log-normal (SD of its log 0.07: a brain-age gap of SD about 4 years at 75).
    """
    age = people["age"].to_numpy()
    if ageing == "global":
        people["brain_age"] = age
        return
    first, subject_index = _subjects(people)
    rate = np.exp(rng.normal(0.0, _AGEING_RATE_SD, int(first.sum())))[subject_index]
    people["brain_age"] = np.round(_AGEING_FROM + rate * (age - _AGEING_FROM), 1)


def _ground_truth(people: pd.DataFrame, ageing: str,
                  seeds: Sequence[np.random.SeedSequence]) -> np.random.Generator:
    """Add ``CDR_SB`` and ``brain_age`` to ``people``, each from its own stream of ``seeds``
    (the older columns keep theirs). Returns the ageing stream, after the brain ages: the maps
    draw each subject's per-region ageing from it."""
    rng_scores, rng_ageing = (np.random.default_rng(s) for s in seeds)
    _add_cdr_sb(people, rng_scores)
    _add_brain_age(people, ageing, rng_ageing)
    return rng_ageing


def _streams(seed: int) -> list[np.random.SeedSequence]:
    """The four independent streams of a cohort: participants, images, CDR_SB, ageing.

    The first two are those of the first version of this module (which spawned two), so
    its columns and maps have kept their bytes.
    """
    return np.random.SeedSequence(seed).spawn(4)


def _check_common(n_subjects, groups, sessions, ageing, rng, seed) -> tuple[dict[str, int], int, int]:
    check_choice(ageing, "ageing", AGEING)
    allowed = n_subjects is None or isinstance(n_subjects, (Integral, Mapping))
    if not allowed or isinstance(n_subjects, bool):
        raise TypeError(f"n_subjects must be None, an int or a dict {{group: int}}, "
                        f"got {type(n_subjects).__name__}")
    sizes = _group_sizes(n_subjects, groups)
    sessions = int(check_scalar(sessions, "sessions", kind=Integral, low=1, high=10))
    return sizes, sessions, seed_from(rng_argument(rng, seed))


def simulate_participants(n_subjects: int | Mapping[str, int] | None = None, *,
                          groups: Sequence[str] | None = None, sessions: int = 1,
                          ageing: str = "global", rng=0, seed: int | None = None) -> pd.DataFrame:
    """The clinical table of ``simulate_cohort`` (same arguments, same rows), without images.

    One row per subject and session: ``participant_id`` (``sub-SIM0001``: simulated),
    ``session_id`` (``ses-M00``, ``ses-M12``, ...), ``group`` (CN, sMCI, pMCI or AD, the
    baseline cohort), ``diagnosis`` (the group, or AD once a pMCI subject has converted),
    ``age`` (years), ``sex`` (M/F), ``MMSE`` (0-30), ``CDR`` (global rating: 0, 0.5, 1, 2),
    ``CDR_SB`` (sum of boxes, 0-18 in steps of 0.5: see the module's docstring); and the
    simulation's ground truth, which real data lack: ``stage`` (latent disease stage, 0 = none;
    see ``atrophy_pattern``), ``tiv`` (head size relative to the template) and ``brain_age``
    (years: the age whose typical ageing the maps show; the age itself when ``ageing="global"``).

    ``n_subjects``: None for the slides' group sizes (1259 subjects), an int to scale every
    group proportionally (at least one subject each), or a dict ``{group: count}``.
    """
    sizes, sessions, seed = _check_common(n_subjects, groups, sessions, ageing, rng, seed)
    rng_people, _, *truth = _streams(seed)
    people = _participants(sizes, sessions, np.random.default_rng(rng_people))
    _ground_truth(people, ageing, truth)
    return people


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


def _simulate_maps(people: pd.DataFrame, voxel_size: float, rng: np.random.Generator,
                   rng_ageing: np.random.Generator | None = None) -> np.ndarray:
    """One gray-matter map (N, D, H, W) float32 per row of ``people``; sessions of a subject
    share its anatomy (deformation, regional volumes, atrophy and ageing heterogeneity).

    ``rng_ageing``: None for the global ageing factor (``_AGE_LOSS``), else the generator of
    the regional model's per-subject, per-region ageing factors (after the brain ages it drew).
    """
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

    first, subject_index = _subjects(people)
    n_subjects = int(first.sum())
    group = people["group"].to_numpy()[first]
    medial_temporal = np.where(group == "pMCI", _PMCI_MEDIAL_TEMPORAL, 1.0)
    heterogeneity = np.exp(rng.normal(0.0, _HETEROGENEITY, (n_subjects, weights.shape[0])))
    stage = people["stage"].to_numpy()
    if rng_ageing is None:
        age = people["age"].to_numpy()
        scale = (people["tiv"].to_numpy() * (1 - _AGE_LOSS * (age - 70))).astype(np.float32)
    else:
        brain_age = people["brain_age"].to_numpy()
        scale = (people["tiv"].to_numpy() * (1 - _global_ageing(brain_age))).astype(np.float32)
        ageing_weights = _ageing_weights(voxel_size)
        ageing_amplitudes = _ageing_amplitudes(brain_age) * np.exp(
            rng_ageing.normal(0.0, _AGEING_HETEROGENEITY, (n_subjects, ageing_weights.shape[0])))[subject_index]

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
        if rng_ageing is not None:
            kept = 1 - np.clip(ageing_amplitudes[rows].astype(np.float32) @ ageing_weights, 0.0, 0.9)
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
                    sessions: int = 1, ageing: str = "global", rng=0,
                    seed: int | None = None) -> BrainCohort:
    """Simulate an ADNI-like cohort: clinical table and gray-matter maps (SIMULATED data).

    ``n_subjects``: None for the slides' group sizes (CN 330, sMCI 298, pMCI 295, AD 336), an
    int to scale every group proportionally, or a dict ``{group: count}``; ``groups``: which of
    CN, sMCI, pMCI, AD to simulate (default all); ``voxel_size`` in mm (1-16; 4 mm gives
    (38, 49, 42) volumes); ``sessions``: visits per subject, one a year; ``ageing``:
    ``"global"`` (one factor, 0.4 % of gray matter a year, the same everywhere: the cohort of
    notebook 10) or ``"regional"`` (``AGEING_REGIONS``, accelerating with age, each subject
    ageing at its own rate: see ``brain_age``); ``rng``: an int seed (the same seed gives the
    same cohort, byte for byte) or a Generator to draw one from (``seed`` is its older name).
    The participants are those of ``simulate_participants`` with the same arguments. Memory:
    N x D x H x W x 4 bytes.
    """
    sizes, sessions, seed = _check_common(n_subjects, groups, sessions, ageing, rng, seed)
    voxel_size = _check_voxel_size(voxel_size)
    rng_people, rng_images, *truth = _streams(seed)
    people = _participants(sizes, sessions, np.random.default_rng(rng_people))
    return _cohort(people, voxel_size, ageing, rng_images, truth)


def _cohort(people: pd.DataFrame, voxel_size: float, ageing: str, rng_images: np.random.SeedSequence,
            truth: Sequence[np.random.SeedSequence]) -> BrainCohort:
    """The cohort of ``people``: their ground-truth columns, then their maps."""
    rng_ageing = _ground_truth(people, ageing, truth)
    maps = _simulate_maps(people, voxel_size, np.random.default_rng(rng_images),
                          rng_ageing if ageing == "regional" else None)
    _, affine = _template(voxel_size)
    return BrainCohort(people, maps, affine.copy(), _gray_matter_mask(voxel_size).copy())


def simulate_lifespan_cohort(n_subjects: int = 600, *, age_range: tuple[float, float] = (20, 90),
                             voxel_size: float = 4, rng=0) -> BrainCohort:
    """Simulate healthy adults across the lifespan, as in IXI or OASIS-1 (SIMULATED data).

    ``n_subjects`` healthy controls (group and diagnosis ``"CN"``, CDR 0, stage 0), one session
    each, ages uniform over ``age_range`` (years, within 18-100), half of them men, MMSE and
    head sizes as ADNI's controls; their maps age with ``ageing="regional"`` (see
    ``simulate_cohort``), and ``brain_age`` in the participants table is each subject's true
    biological age. The table has the columns of ``simulate_participants``. ``voxel_size`` in
    mm (1-16); ``rng``: an int seed (the same seed gives the same cohort, byte for byte) or a
    Generator to draw one from.
    """
    n_subjects = int(check_scalar(n_subjects, "n_subjects", kind=Integral, low=2))
    if isinstance(age_range, str) or not isinstance(age_range, Sequence) or len(age_range) != 2:
        raise TypeError(f"age_range must be a pair (youngest, oldest) of ages in years, got {age_range!r}")
    low = float(check_scalar(age_range[0], "age_range[0]", low=18.0, high=100.0))
    high = float(check_scalar(age_range[1], "age_range[1]", low=low, high=100.0, low_inclusive=False))
    voxel_size = _check_voxel_size(voxel_size)
    rng_people, rng_images, *truth = _streams(seed_from(rng))
    people = _lifespan_participants(n_subjects, (low, high), np.random.default_rng(rng_people))
    return _cohort(people, voxel_size, "regional", rng_images, truth)


# ----------------------------------------------------------------------------------------
# Tables
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
