"""Regions of the simulated brain and the mean gray matter in each: the features of a linear SVM.

``regions(voxel_size)`` cuts the gray-matter mask of ``dlmi.data.brain``'s template into 100
parcels: the 14 atrophy regions (left and right), and seeded k-means cells for the rest, the
same at every voxel size. ``regional_features(maps, parcellation)`` averages each map over
each parcel, as the regional features of Wen et al. (2020) average an atlas's regions.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from ..validation import as_array
from .brain import _check_voxel_size, _ellipsoid_distance, _gray_matter_mask, _region_ellipsoids, _template, \
    _world_coordinates

_N_REGIONS = 100


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
