"""Toy data: two-dimensional classification problems, as in TensorFlow Playground, and a noisy sine.

Every generator returns ``X`` of shape (n_samples, 2), float64, with the clean points inside
[−1, 1]² (except the Gaussian blobs' tails: about 1.4 % of their clean points fall outside), and
``y`` of shape (n_samples,), int64 labels 0/1, the two classes as equal in size as ``n_samples``
allows, in random order. ``noise`` is the standard deviation of Gaussian
noise added to each coordinate, in the same units as X.

>>> X, y = make_toy_dataset("spiral", n_samples=200, noise=0.05, rng=0)

The overfitting chapter's regression problem is :func:`noisy_sine`, the classic example of Bishop's
*Pattern Recognition and Machine Learning* (§1.1): ``y = sin(2πx) + ε`` with ``x`` in [0, 1].
"""

from __future__ import annotations

from numbers import Integral
from typing import Callable

import numpy as np

from ..validation import check_choice, check_rng, check_scalar

__all__ = [
    "TOY_DATASETS",
    "make_circles",
    "make_gaussian_blobs",
    "make_moons",
    "make_spiral",
    "make_toy_dataset",
    "make_xor",
    "noisy_sine",
    "sine",
]


def _setup(n_samples, noise, rng) -> tuple[int, int, float, np.random.Generator]:
    """Validate the shared arguments; return (n of class 0, n of class 1, noise, generator)."""
    check_scalar(n_samples, "n_samples", kind=Integral, low=2)
    check_scalar(noise, "noise", low=0.0)
    rng = check_rng(rng)
    n0 = int(n_samples) // 2
    return n0, int(n_samples) - n0, float(noise), rng


def _finish(points: list[np.ndarray], noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stack the class-0 and class-1 points, add noise, shuffle."""
    X = np.concatenate(points)
    y = np.concatenate([np.full(len(p), label, dtype=np.int64) for label, p in enumerate(points)])
    X = X + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X
    order = rng.permutation(len(y))
    return X[order], y[order]


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def make_circles(n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Class 0 fills a disc of radius 0.5, class 1 a ring between radii 0.7 and 1."""
    n0, n1, noise, rng = _setup(n_samples, noise, rng)
    inner = _polar(0.5 * np.sqrt(rng.uniform(size=n0)), rng.uniform(0, 2 * np.pi, n0))
    ring = _polar(rng.uniform(0.7, 1.0, n1), rng.uniform(0, 2 * np.pi, n1))
    return _finish([inner, ring], noise, rng)


def make_xor(n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Class 1 where x1·x2 > 0 (first and third quadrants), class 0 elsewhere; points keep
    0.05 away from the axes so that the clean problem has a margin."""
    n0, n1, noise, rng = _setup(n_samples, noise, rng)

    def quadrant_points(n: int, same_sign: bool) -> np.ndarray:
        a = rng.uniform(0.05, 1.0, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 1))
        if not same_sign:
            a[:, 1] *= -1
        return a

    return _finish([quadrant_points(n0, False), quadrant_points(n1, True)], noise, rng)


def make_gaussian_blobs(n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two round Gaussian clouds (standard deviation 0.2) centred at (−0.5, −0.5) and (0.5, 0.5):
    linearly separable when the noise is small. Unbounded: about 1.4 % of the clean points lie
    outside [−1, 1]²."""
    n0, n1, noise, rng = _setup(n_samples, noise, rng)
    blobs = [rng.normal(loc, 0.2, size=(n, 2)) for loc, n in ((-0.5, n0), (0.5, n1))]
    return _finish(blobs, noise, rng)


def make_spiral(n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved arms r = t, θ = 3.5π t (t in [0, 1], 1¾ turns), the second rotated by π."""
    n0, n1, noise, rng = _setup(n_samples, noise, rng)
    arms = []
    for n, offset in ((n0, 0.0), (n1, np.pi)):
        t = np.sqrt(rng.uniform(0.0, 1.0, n))  # denser where the arm is long (outside)
        arms.append(_polar(t, 3.5 * np.pi * t + offset))
    return _finish(arms, noise, rng)


def make_moons(n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles of radius 2/3 (scikit-learn's moons, centred and scaled)."""
    n0, n1, noise, rng = _setup(n_samples, noise, rng)
    upper_angle, lower_angle = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.column_stack([np.cos(upper_angle), np.sin(upper_angle)])
    lower = np.column_stack([1 - np.cos(lower_angle), 0.5 - np.sin(lower_angle)])
    centre = np.array([0.5, 0.25])
    return _finish([(upper - centre) / 1.5, (lower - centre) / 1.5], noise, rng)


_GENERATORS: dict[str, Callable] = {
    "circles": make_circles,
    "xor": make_xor,
    "gaussian": make_gaussian_blobs,
    "spiral": make_spiral,
    "moons": make_moons,
}

#: The names accepted by :func:`make_toy_dataset`.
TOY_DATASETS: tuple[str, ...] = tuple(_GENERATORS)


def make_toy_dataset(name: str, n_samples: int = 200, noise: float = 0.1, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """The toy problem called ``name`` (one of :data:`TOY_DATASETS`): ``X`` (n, 2), ``y`` (n,)."""
    check_choice(name, "name", TOY_DATASETS)
    return _GENERATORS[name](n_samples, noise, rng)


def sine(x) -> np.ndarray:
    """The noiseless curve sin(2πx), shape of ``x``."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def noisy_sine(n_samples: int, noise: float = 0.25, rng=None, *,
               stratified: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (n,) uniform in [0, 1], sorted, and ``y = sin(2πx) + ε`` (n,) with ε ~ N(0, noise²).

    ``stratified=True`` draws one ``x`` uniformly in each of the ``n`` equal slices of [0, 1]: still
    random, but without the large gaps that a few uniform draws can leave.
    """
    check_scalar(n_samples, "n_samples", kind=Integral, low=1)
    check_scalar(noise, "noise", low=0.0)
    if not isinstance(stratified, (bool, np.bool_)):
        raise TypeError(f"stratified must be True or False, got {stratified!r}")
    rng = check_rng(rng)
    if stratified:
        x = (np.arange(n_samples) + rng.uniform(0.0, 1.0, n_samples)) / n_samples
    else:
        x = np.sort(rng.uniform(0.0, 1.0, n_samples))
    return x, sine(x) + rng.normal(0.0, noise, n_samples)
