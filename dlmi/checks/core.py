"""The machinery behind every exercise check: run the student's code, compare, explain.

A check never lets a traceback reach the student. It prints ✓ when the answer is right, and
otherwise what was expected, what came back and a hint; it returns ``True``/``False`` so that a
check cell can ``assert`` it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def relative_error(expected, got) -> float:
    """max |expected − got| / max(|expected|, |got|, 1e-12) over all elements, as in CS231n."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    scale = np.maximum(np.maximum(np.abs(expected), np.abs(got)), 1e-12)
    return float(np.max(np.abs(expected - got) / scale))


def close(a, b, *, rtol: float = 1e-6, atol: float = 1e-12) -> bool:
    """Same shape and values (``np.allclose``), False for anything that is not numbers."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _short(value: Any) -> str:
    text = np.array2string(value, precision=4, threshold=8) if isinstance(value, np.ndarray) else repr(value)
    return text if len(text) < 300 else text[:300] + " …"


def passed(name: str, detail: str = "") -> bool:
    """Print the success line of check ``name``; return True."""
    print(f"✓ {name}: correct{' — ' + detail if detail else ''}")
    return True


def failed(name: str, problem: str, *, expected: Any = None, got: Any = None, hint: str = "") -> bool:
    """Print what went wrong in check ``name`` (expected, got, hint); return False."""
    lines = [f"✗ {name}: {problem}"]
    if expected is not None:
        lines.append(f"    expected: {_short(expected)}")
    if got is not None:
        lines.append(f"    got:      {_short(got)}")
    if hint:
        lines.append(f"    hint: {hint}")
    print("\n".join(lines))
    return False


def call(name: str, fn: Callable, *args, hint: str = "", **kwargs) -> tuple[bool, Any]:
    """Call the student's ``fn``; on an exception report it in one line instead of a traceback.

    Returns ``(ok, result)``.
    """
    if not callable(fn):
        return failed(name, f"expected a function, got {type(fn).__name__}", hint=hint), None
    try:
        return True, fn(*args, **kwargs)
    except NotImplementedError:
        return failed(name, "not implemented yet", hint=hint or "replace the `...` or `raise NotImplementedError` with your code"), None
    except Exception as exc:  # the student's code raised: explain, never a traceback
        return failed(name, f"your function raised {type(exc).__name__}: {exc}", hint=hint), None


def mismatch(expected, got, *, tol: float) -> str | None:
    """Why ``got`` does not match ``expected`` (numbers, shape, finite, relative error ``tol``); None if it does."""
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}"
    expected_arr = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != expected_arr.shape:
        return f"wrong shape {got_arr.shape}, expected {expected_arr.shape}"
    if not np.isfinite(got_arr).all():
        return "the result holds NaN or inf"
    error = relative_error(expected_arr, got_arr)
    return f"relative error {error:.2e} is above {tol:.0e}" if error > tol else None


def compare(name: str, expected, got, *, tol: float = 1e-6, hint: str = "") -> bool:
    """Check that ``got`` has ``expected``'s shape and matches it to relative error ``tol``."""
    reason = mismatch(expected, got, tol=tol)
    if reason is not None:
        return failed(name, reason, expected=expected, got=got, hint=hint)
    error = relative_error(np.asarray(expected, dtype=np.float64), np.asarray(got, dtype=np.float64))
    return passed(name, f"relative error {error:.1e}")


def check_function(name: str, fn: Callable, cases, reference: Callable, *, tol: float = 1e-6, hint: str = "") -> bool:
    """Compare ``fn(*args)`` with ``reference(*args)`` for each tuple of arguments in ``cases``.

    Stops at the first failing case and reports it.
    """
    for args in cases:
        ok, got = call(name, fn, *args, hint=hint)
        if not ok:
            return False
        expected = reference(*args)
        if not compare(name, expected, got, tol=tol, hint=hint):
            return False
    return True
