"""Rendering of the simulated chest radiographs: attenuation, detector, and the threaded renderer.

``_attenuation`` sums the normal anatomy and the findings' layers (and fills the masks),
``_detector`` turns attenuation into film brightness with blur and noise, and ``_render`` draws
all images in chunks on a small thread pool, each chunk with its own random stream.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from .anatomy import (
    _body,
    _Canvas,
    _clavicles,
    _gastric_bubble,
    _heart,
    _lungs,
    _ribs,
    _spine,
    _trachea,
    _vessels,
)
from .labels import FINDINGS
from .signs import _DRAW

_WORKERS = min(2, os.cpu_count() or 1)  # threads drawing chunks of images

AIR = 0.55  # attenuation that the air of a full-thickness lung removes from the soft tissue


# ----------------------------------------------------------------------------------------
# Putting an image together
# ----------------------------------------------------------------------------------------


def _attenuation(c: _Canvas, truth: np.ndarray, rng, masks: np.ndarray | None) -> np.ndarray:
    """(n, S, S) attenuation of a chunk of images; fills ``masks`` (n, 14, S, S) if given."""
    lung, heart = _lungs(c), _heart(c)
    opacity = np.zeros_like(lung)
    density = np.zeros_like(lung)
    vessel_gain = np.ones_like(lung)
    for k, name in enumerate(FINDINGS):
        rows = np.flatnonzero(truth[:, k])
        if rows.size == 0:
            continue
        layer = _DRAW[name](c.take(rows), rng)
        for total, change in ((opacity, layer.opacity), (density, layer.density)):
            if change is not None:
                total[rows] += change
        if layer.vessels is not None:
            vessel_gain[rows] *= layer.vessels
        if masks is not None:
            masks[rows, k] = _nonempty(layer.region)
    depth = 0.6 + 0.4 * np.sqrt(np.clip(1 - c.maps["rho"] ** 2, 0.0, 1.0))  # thicker lung, more air
    air = AIR * c.p["air_gain"] * depth * lung * (1 - 0.85 * heart) * (1 - np.clip(opacity, -1.0, 1.0))
    markings = _vessels(c) * lung * vessel_gain * (1 - np.clip(opacity, 0.0, 1.0))
    bones = _ribs(c) + _clavicles(c) + _spine(c)
    soft = _body(c) + _trachea(c) + _gastric_bubble(c)
    return soft - air + markings + bones + density


def _nonempty(region: np.ndarray) -> np.ndarray:
    """``region > 0.5``, or its strongest pixel where nothing passes: a drawn finding is never maskless."""
    mask = region > 0.5
    empty = ~mask.any(axis=(1, 2))
    if empty.any():
        flat = region[empty].reshape(int(empty.sum()), -1)
        strongest = np.zeros_like(flat, dtype=bool)
        strongest[np.arange(len(flat)), flat.argmax(axis=1)] = True
        mask[empty] = strongest.reshape(-1, *region.shape[1:])
    return mask




def _blur(images: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Gaussian blur of each (S, S) image with its own ``sigma`` (n, 1, 1) in pixels: ``B @ I @ B.T``."""
    size = images.shape[-1]
    offset = np.arange(size, dtype=np.float32)
    kernel = np.exp(-0.5 * ((offset[:, None] - offset[None, :]) / sigma) ** 2)
    kernel /= kernel.sum(axis=-1, keepdims=True)
    return kernel @ images @ np.swapaxes(kernel, -1, -2)


def _detector(attenuation: np.ndarray, c: _Canvas, rng) -> np.ndarray:
    """Film response: brightness ``1 - exp(-k·attenuation)`` (bright = dense), contrast (gamma),
    blur and noise, clipped to [0, 1]."""
    p, size = c.p, attenuation.shape[-1]
    k = p["exposure"]
    image = (1 - np.exp(-k * np.clip(attenuation, 0.0, None))) ** p["gamma"]
    image = _blur(image, p["blur"] * size / 64)
    image += p["noise"] * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(image, 0.0, 1.0)


def _render(params: dict[str, np.ndarray], truth: np.ndarray, size: int, seed: np.random.SeedSequence,
            with_masks: bool):
    """Images (N, 1, S, S) float32 and masks (N, 14, S, S) bool, drawn in chunks of about 0.5 M
    pixels, two chunks at a time (numpy releases the GIL; BLAS is kept to one thread each);
    each chunk has its own random stream, so the result does not depend on the threads' timing."""
    n = len(truth)
    images = np.empty((n, 1, size, size), dtype=np.float32)
    masks = np.zeros((n, len(FINDINGS), size, size), dtype=bool) if with_masks else None
    chunk = max(8, 2**19 // size**2)
    starts = range(0, n, chunk)

    def draw(start: int, chunk_seed: np.random.SeedSequence) -> None:
        rows = slice(start, min(start + chunk, n))
        rng = np.random.default_rng(chunk_seed)
        canvas = _Canvas.build(params, rows, size)
        attenuation = _attenuation(canvas, truth[rows], rng, None if masks is None else masks[rows])
        images[rows, 0] = _detector(attenuation, canvas, rng)

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        list(pool.map(draw, starts, seed.spawn(len(starts))))
    return images, masks
