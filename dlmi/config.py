"""Run-time settings read from the environment, in one place.

``DLMI_FAST=1`` shrinks epochs and data sets so that every notebook runs in a few seconds
(for CI and for live teaching) while every check it makes stays meaningful.
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
