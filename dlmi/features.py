"""Hand-crafted features of a frontal chest radiograph: the classical pipeline's φ(x).

Before deep learning, a chest classifier measured what radiologists look at and fed the
numbers to a linear model (slides, section 2.2: "define φ manually"). Here, for images
(N, 1, S, S) with bright = dense:

* **lung fields** — row by row, the two dips of the brightness profile, from the chest wall
  to the mediastinum;
* **cardiothoracic ratio** (CTR) — the widest gap between the two lungs (the heart) over the
  widest span of the lungs (the thorax), in the lower zone; above 0.5 means cardiomegaly;
* **regional intensity** — mean, spread and 10th/90th percentiles in six lung zones (upper,
  middle, lower × right, left) — opacities raise them, air lowers them;
* **texture** — mean gradient magnitude (Sobel) and mean |Laplacian| per zone (nodules,
  reticular fibrosis, pleural lines), and left–right asymmetry of every zone statistic.

``chest_features`` returns them all as a named table, ready for scikit-learn.
"""

from __future__ import annotations

import numpy as np

from .conv import KERNELS
from .validation import as_array

__all__ = ["cardiothoracic_ratio", "chest_features", "lung_fields"]

#: Rows of the lung zones, as fractions of the image height: upper, middle, lower.
ZONE_ROWS = ((0.12, 0.38), (0.38, 0.6), (0.6, 0.82))
#: Columns of the right lung zones (image left is the patient's right); the left ones mirror them.
ZONE_COLUMNS = (0.08, 0.46)


def _check_images(images) -> np.ndarray:
    """(N, 1, S, S) or (N, S, S) images as a float32 (N, S, S) array."""
    images = as_array(images, "images", ndim=(3, 4), dtype=np.float32)
    if images.ndim == 4:
        if images.shape[1] != 1:
            raise ValueError(f"images must have one channel, (N, 1, S, S), got shape {images.shape}")
        images = images[:, 0]
    if images.shape[1] < 16 or images.shape[2] < 16:
        raise ValueError(f"images must be at least 16×16 pixels, got {images.shape[1:]}")
    return images


def _smooth(images: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of each (S, S) image, ``sigma`` in pixels."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(images, sigma=(0, sigma, sigma))


def _row_edges(images: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per image and row, the columns of the lungs' borders: four (N, S) int arrays.

    Along each row of the smoothed image the brightness dips twice, once per lung. The
    darkest column of each half marks a lung; walking out of it towards the midline, the
    lung ends where the brightness passes half-way up to the mediastinum or heart (inner
    border); walking towards the side, where it passes half-way up to the chest wall (outer
    border). Returns ``outer_right, inner_right, inner_left, outer_left`` (image left is the
    patient's right); a border not found is at the lung's darkest column. A fifth (N, S) bool
    array says in which rows both lungs are really there: both dips are deeper than a quarter
    of the image's contrast.
    """
    n, h, w = images.shape
    profile = _smooth(images, 1.0)
    cols = np.arange(w, dtype=np.int16)
    mid = w // 2
    right_half = (cols >= int(0.08 * w)) & (cols < mid)
    left_half = (cols >= mid) & (cols < int(0.92 * w))
    r_min = np.where(right_half, profile, np.inf).argmin(axis=2)[..., None]  # (N, S, 1)
    l_min = np.where(left_half, profile, np.inf).argmin(axis=2)[..., None]
    r_low = np.take_along_axis(profile, r_min, axis=2)
    l_low = np.take_along_axis(profile, l_min, axis=2)
    between = (cols > r_min) & (cols < l_min)
    centre = np.where(between, profile, -np.inf).max(axis=2, keepdims=True)
    right_wall = np.where(cols < r_min, profile, -np.inf).max(axis=2, keepdims=True)
    left_wall = np.where(cols > l_min, profile, -np.inf).max(axis=2, keepdims=True)
    # inner borders: last dark column before the centre rises, first after it
    inner_right = np.where(between & (profile < (r_low + centre) / 2) & (cols < mid), cols, r_min).max(axis=2)
    inner_left = np.where(between & (profile < (l_low + centre) / 2) & (cols >= mid), cols, l_min).min(axis=2)
    # outer borders: first dark column after the right chest wall, last before the left one
    outer_right = np.where((cols <= r_min) & (profile > (r_low + right_wall) / 2), cols + 1, 0).max(axis=2)
    outer_left = np.where((cols >= l_min) & (profile > (l_low + left_wall) / 2), cols - 1, w - 1).min(axis=2)
    outer_right = np.minimum(outer_right, r_min[..., 0])
    outer_left = np.maximum(outer_left, l_min[..., 0])
    low, high = np.percentile(profile.reshape(n, -1), [5, 95], axis=1)
    depth = (0.25 * (high - low))[:, None]
    deep_right = (np.minimum(centre, right_wall) - r_low)[..., 0] > depth
    deep_left = (np.minimum(centre, left_wall) - l_low)[..., 0] > depth
    return outer_right, inner_right, inner_left, outer_left, deep_right & deep_left


def _lungs(borders: tuple[np.ndarray, ...], width: int) -> np.ndarray:
    outer_right, inner_right, inner_left, outer_left, both = (e[..., None] for e in borders)
    cols = np.arange(width, dtype=np.int16)
    lungs = ((cols >= outer_right) & (cols <= inner_right)) | ((cols >= inner_left) & (cols <= outer_left))
    return lungs & both


def _ctr(borders: tuple[np.ndarray, ...], height: int) -> np.ndarray:
    rows = slice(int(0.45 * height), int(0.7 * height))
    outer_right, inner_right, inner_left, outer_left, _ = (e[:, rows].astype(np.float64) for e in borders)
    heart = np.median(inner_left - inner_right - 1, axis=1)
    thorax = np.median(outer_left - outer_right + 1, axis=1)
    return heart / np.maximum(thorax, 1)


def lung_fields(images) -> np.ndarray:
    """(N, S, S) bool: the lungs, row by row between their outer and inner borders.

    A geometric outline from the brightness profile of each row (``_row_edges``): it follows the
    chest wall and the mediastinum, and includes what lies inside the lungs (opacities too).
    """
    images = _check_images(images)
    return _lungs(_row_edges(images), images.shape[2])


def cardiothoracic_ratio(images) -> np.ndarray:
    """Estimated cardiothoracic ratio of each image: (N,), about 0.4–0.5 normal, above 0.5 enlarged.

    In each row of the heart's band (45–70 % of the height) the heart is the gap between the
    lungs' inner borders and the thorax the span between their outer borders
    (``_row_edges``); the ratio is the median heart width over the median thoracic width —
    medians, so that the rows where a dome cuts a lung do not count.
    """
    images = _check_images(images)
    return _ctr(_row_edges(images), images.shape[1])


def _zones(h: int, w: int):
    """(name, (row slice, column slice)) of the six lung zones; left and right mirror each other."""
    first, last = int(ZONE_COLUMNS[0] * w), int(ZONE_COLUMNS[1] * w)
    for row_name, (top, bottom) in zip(("upper", "middle", "lower"), ZONE_ROWS):
        rows = slice(int(top * h), int(bottom * h))
        yield f"{row_name} right", (rows, slice(first, last))
        yield f"{row_name} left", (rows, slice(w - last, w - first))


def chest_features(images):
    """Hand-crafted features of each image, a ``pandas.DataFrame`` of N rows and 52 named columns.

    Columns: ``ctr``, ``lung fraction`` (share of the thorax that is lung), ``lung mean``;
    for each of six zones ``"<zone> mean"``, ``"<zone> sd"``, ``"<zone> p10"``,
    ``"<zone> p90"``, ``"<zone> gradient"``, ``"<zone> laplacian"``; and for each zone row
    and statistic the right-minus-left asymmetry ``"<row> <stat> asymmetry"`` (mean, sd,
    gradient) — 3 + 36 + 9, plus 4 whole-image values (mediastinum and sub-diaphragm
    brightness, overall gradient and spread).
    """
    import pandas as pd

    from scipy.ndimage import correlate

    images = _check_images(images)
    n, h, w = images.shape

    def filtered(name: str) -> np.ndarray:
        """Each image convolved (as in CNNs: no flip) with the 3×3 kernel ``name``, zero-padded."""
        return correlate(images, KERNELS[name][None], mode="constant")

    gradient = np.hypot(filtered("vertical edges (Sobel)"), filtered("horizontal edges (Sobel)"))
    laplacian = np.abs(filtered("edge detect"))
    borders = _row_edges(images)
    lungs = _lungs(borders, w)

    columns: dict[str, np.ndarray] = {
        "ctr": _ctr(borders, h),
        "lung fraction": lungs[:, int(0.08 * h):int(0.85 * h)].mean(axis=(1, 2)),
        "lung mean": (images * lungs).sum(axis=(1, 2)) / np.maximum(lungs.sum(axis=(1, 2)), 1),
    }
    for name, (rows, cols) in _zones(h, w):
        region = images[:, rows, cols].reshape(n, -1)
        columns[f"{name} mean"] = region.mean(axis=1)
        columns[f"{name} sd"] = region.std(axis=1)
        columns[f"{name} p10"], columns[f"{name} p90"] = np.percentile(region, [10, 90], axis=1)
        columns[f"{name} gradient"] = gradient[:, rows, cols].mean(axis=(1, 2))
        columns[f"{name} laplacian"] = laplacian[:, rows, cols].mean(axis=(1, 2))
    for row_name in ("upper", "middle", "lower"):
        for stat in ("mean", "sd", "gradient"):
            columns[f"{row_name} {stat} asymmetry"] = columns[f"{row_name} right {stat}"] - columns[f"{row_name} left {stat}"]
    centre = images[:, int(0.1 * h):int(0.9 * h), int(0.1 * w):int(0.9 * w)]
    columns["mediastinum mean"] = images[:, int(0.2 * h):int(0.8 * h), int(0.45 * w):int(0.55 * w)].mean(axis=(1, 2))
    columns["below diaphragm mean"] = images[:, int(0.85 * h):, int(0.15 * w):int(0.85 * w)].mean(axis=(1, 2))
    columns["image gradient"] = gradient[:, int(0.1 * h):int(0.9 * h), int(0.1 * w):int(0.9 * w)].mean(axis=(1, 2))
    columns["image sd"] = centre.std(axis=(1, 2))
    return pd.DataFrame(columns).astype(np.float64)
