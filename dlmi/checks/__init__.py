"""Exercise checks: each ``check_*`` calls the student's code on prepared inputs and gives a verdict.

Checks live in one module per chapter (``dlmi/checks/linear.py``, ...); every public ``check_*``
of those modules is available here, e.g. ``dlmi.checks.check_sigmoid(fn)``. Each prints ✓ and
returns ``True`` when the answer is right, so a check cell reads ``assert check_sigmoid(sigmoid)``,
and raises ``CheckFailed`` (an ``AssertionError`` that a notebook shows as its message alone: what
was expected, what came back, a hint) when it is not.
``expect(value, ">", bound, what=...)`` states a check cell's numeric bound (``bounds.py``).

Importing this package imports numpy only: a chapter's module (and torch, scikit-learn) is
imported when one of its checks is first used.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .._lazy import lazy_getattr
from .bounds import expect
from .core import CheckFailed, call, check_function, compare, failed, passed, relative_error


def _check_names() -> dict[str, str]:
    """``check_*`` name -> the chapter module defining it, read from the sources without importing."""
    names = {}
    for path in sorted(Path(__file__).parent.glob("[a-z]*.py")):
        if path.stem in ("core", "bounds"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_"):
                names[node.name] = path.stem
    return names


_CHECKS = _check_names()
__all__ = ["CheckFailed", "call", "check_function", "compare", "expect", "failed", "passed", "relative_error", *_CHECKS]
__getattr__ = lazy_getattr(__name__, _CHECKS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
