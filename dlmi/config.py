"""Run-time settings read from the environment, in one place.

``DLMI_FAST=1`` shrinks epochs and data sets so that every notebook runs in a few seconds
(for CI and for live teaching) while every check it makes stays meaningful. ``DLMI_SEED=N`` is
the seed a notebook draws everything from (default 0): its lessons must hold for every seed.
"""

from __future__ import annotations

import os
from typing import TypeVar

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}


def fast_mode() -> bool:
    """True when the environment variable ``DLMI_FAST`` is set to 1/true/yes/on."""
    return os.environ.get("DLMI_FAST", "").strip().lower() in _TRUE


def pick(full: T, fast: T) -> T:
    """Return ``fast`` in fast mode and ``full`` otherwise.

    >>> n_epochs = pick(full=200, fast=20)
    """
    return fast if fast_mode() else full


def seed() -> int:
    """The seed of a notebook: ``DLMI_SEED`` when set (a non-negative integer), else 0."""
    text = os.environ.get("DLMI_SEED", "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"DLMI_SEED must be a non-negative integer, got {text!r}") from None
    if not 0 <= value < 2**31:  # notebooks draw from SEED + k (k up to a few thousand): keep those valid seeds
        raise ValueError(f"DLMI_SEED must be in [0, 2**31), got {value}")
    return value
