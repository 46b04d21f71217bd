"""``expect``: the numeric bound of a check cell, asserted and recorded.

A check cell states what a section teaches, for example that a CNN's AUC is above 0.7. Written as

    expect(auc, ">", 0.7, what="Mass AUC")

it reads like ``assert auc > 0.7`` and fails the same way (``CheckFailed``, an ``AssertionError``),
with one line naming the quantity and no traceback in a notebook. When
the environment variable ``DLMI_RECORD`` names a file, every call also appends one JSON line to it
(what, value, op, bound, margin, passed), which ``benchmarks/robustness.py`` collects over seeds.
The margin is signed and in the quantity's units: observed minus bound for ``>``/``>=``, bound
minus observed for ``<``/``<=``, so a margin below 0 is a failure. Imports numpy only.
"""

from __future__ import annotations

import json
import math
import os
import operator

import numpy as np

from .core import CheckFailed

OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _scalar(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got a bool")
    array = np.asarray(value)
    if array.size != 1 or not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{name} must be one number, got {type(value).__name__} of shape {array.shape}")
    return float(array.reshape(()))


def margin(value: float, op: str, bound: float) -> float:
    """Signed distance of ``value`` from ``bound``, positive on the side ``op`` asks for."""
    return value - bound if op in (">", ">=") else bound - value


def expect(value, op: str, bound, *, what: str) -> None:
    """Assert ``value op bound`` for a check cell (``op``: ``<``, ``<=``, ``>``, ``>=``).

    Raises :class:`~dlmi.checks.core.CheckFailed` (an ``AssertionError``) with one line naming
    ``what`` when the claim does not hold (NaN never holds); records the margin when
    ``DLMI_RECORD`` is set.
    """
    if op not in OPS:
        raise ValueError(f"op must be one of {sorted(OPS)}, got {op!r}")
    if not isinstance(what, str) or not what.strip():
        raise TypeError("what must be a non-empty string naming the quantity checked")
    value, bound = _scalar(value, "value"), _scalar(bound, "bound")
    ok = not math.isnan(value) and bool(OPS[op](value, bound))
    gap = margin(value, op, bound)
    path = os.environ.get("DLMI_RECORD")
    if path:
        record = {"what": what, "value": value, "op": op, "bound": bound,
                  "margin": gap if math.isfinite(gap) else None, "passed": ok}
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(record) + "\n")
    if not ok:
        raise CheckFailed(f"✗ {what}: {value:.4g} is not {op} {bound:.4g}")
