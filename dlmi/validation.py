"""Input checks shared by every public function: clear errors that name the argument.

Each helper raises ``TypeError`` when the kind of value is wrong and ``ValueError`` when the
kind is right but the value is not (shape, range, NaN), always naming the argument.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Sequence

import numpy as np


def as_array(
    x,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    dtype=np.float64,
    allow_nan: bool = False,
) -> np.ndarray:
    """``x`` as a numeric array of ``dtype``, with ``ndim`` dimensions, free of NaN and inf.

    ``dtype=None`` keeps a floating dtype as it is (float32 stays float32) and turns
    anything else into float64.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be array-like of numbers: {exc}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if dtype is None:
        arr = arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)
    else:
        arr = arr.astype(dtype, copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, Integral) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name} must have {want} dimension(s), got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if not allow_nan and np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def check_X_y(X, y, *, X_name: str = "X", y_name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """A design matrix (n, p) and targets (n,) as float64 arrays with matching n.

    A 1-D ``X`` is read as one feature, (n,) -> (n, 1).
    """
    X = as_array(X, X_name, ndim=(1, 2))
    if X.ndim == 1:
        X = X[:, None]
    y = as_array(y, y_name, ndim=1)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"{X_name} and {y_name} must have the same number of samples, "
            f"got {X.shape[0]} and {y.shape[0]}"
        )
    return X, y


def check_binary(y: np.ndarray, name: str = "y") -> np.ndarray:
    """``y`` as float64 0/1 labels; any other value is a ``ValueError``."""
    y = as_array(y, name)
    values = np.unique(y)
    if not np.isin(values, (0.0, 1.0)).all():
        shown = ", ".join(f"{v:g}" for v in values[:6])
        raise ValueError(f"{name} must hold binary labels 0 and 1, got values {{{shown}}}")
    return y


def check_scalar(
    value,
    name: str,
    *,
    kind: type = Real,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
):
    """A real (or integer, with ``kind=Integral``) scalar inside ``[low, high]``.

    Bounds are inclusive unless said otherwise; ``None`` leaves that side open.
    """
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if kind is Integral else "a real number"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    if isinstance(value, Real) and not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "(-inf" if low is None else ("[" if low_inclusive else "(") + f"{low:g}"
        right = "inf)" if high is None else f"{high:g}" + ("]" if high_inclusive else ")")
        raise ValueError(f"{name} must be in {left}, {right}, got {value}")
    return value


def check_positive(value, name: str):
    """A real number strictly above 0 (a learning rate, a width, a standard deviation)."""
    return check_scalar(value, name, low=0.0, low_inclusive=False)


def check_choice(value, name: str, choices: Sequence):
    """One of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """A ``np.random.Generator`` from ``None`` (fresh entropy), a non-negative int seed or a Generator.

    A Generator is returned as it is (its draws continue); anything else is a ``TypeError``,
    a negative seed a ``ValueError``, both naming the argument.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, Integral):
        raise TypeError(f"{name} must be None, an int seed or a numpy Generator, got {type(rng).__name__}")
    if rng < 0:
        raise ValueError(f"{name} must be a non-negative int seed, got {rng}")
    return np.random.default_rng(int(rng))


def rng_argument(rng, seed=None):
    """The ``rng`` argument of a public function that also accepts the older ``seed=`` spelling.

    Returns ``seed`` when it is given (and ``rng`` was left at its default, 0), else ``rng``; pass
    the result to :func:`check_rng` or :func:`dlmi.runtime.torch_generator`. Giving both is a
    ``TypeError``.
    """
    if seed is None:
        return rng
    if not (isinstance(rng, Integral) and not isinstance(rng, bool) and rng == 0):
        raise TypeError("pass the random state as rng or as seed (its older name), not both")
    check_rng(seed, "seed")  # names the argument the caller used when it is wrong
    return seed


def seed_from(rng, name: str = "rng") -> int:
    """An int seed from ``rng``: the int itself, one draw from a Generator, fresh entropy for None.

    For libraries that take a seed (torch, scikit-learn) where ``rng`` is the public argument.
    """
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**31 - 1))
    if rng is None:
        return int(np.random.default_rng().integers(2**31 - 1))
    check_rng(rng, name)
    return int(rng)


def check_affine(affine, name: str = "affine", *, axis_aligned: bool = False) -> np.ndarray:
    """A voxel-to-world matrix (4, 4), as float64; ``axis_aligned`` also asks for a diagonal,
    invertible 3x3 part (voxel axes along x, y, z: what cutting boxes and slices in mm needs)."""
    affine = as_array(affine, name, ndim=2)
    if affine.shape != (4, 4):
        raise ValueError(f"{name} must have shape (4, 4), got {affine.shape}")
    linear = affine[:3, :3]
    if axis_aligned and (np.abs(linear - np.diag(np.diag(linear))).max() > 1e-6 or np.any(np.diag(linear) == 0)):
        raise ValueError(f"{name} must be axis-aligned (a diagonal 3x3 part with no zero on it)")
    return affine

