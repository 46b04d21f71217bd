"""The machinery behind every exercise check: run the student's code, compare, explain.

A check never lets a traceback reach the student. It prints ✓ when the answer is right, and
otherwise what was expected, what came back and a hint; it returns ``True``/``False`` so that a
check cell can ``assert`` it.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import numpy as np


ATOL = 1e-12
"""Absolute slack of every comparison: values within 1e-12 of each other match even where both are
near 0, so that a right answer such as 1 − 1/(1 + e^z) ≈ 1e-13 is not failed on rounding."""


def relative_error(expected, got) -> float:
    """max |expected − got| / max(|expected|, |got|, 1e-12) over all elements, as in CS231n."""
    expected = np.asarray(expected, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    scale = np.maximum(np.maximum(np.abs(expected), np.abs(got)), 1e-12)
    return float(np.max(np.abs(expected - got) / scale))


def close(a, b, *, rtol: float = 1e-6, atol: float = ATOL) -> bool:
    """Same shape and values (``np.allclose``), False for anything that is not numbers."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
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
    """Call the student's ``fn``; report an exception, or a forgotten ``return``, in one line.

    Returns ``(ok, result)``.
    """
    if not callable(fn):
        return failed(name, f"expected a function, got {type(fn).__name__}", hint=hint), None
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        return failed(name, "not implemented yet", hint=hint or "replace the `...` or `raise NotImplementedError` with your code"), None
    except Exception as exc:  # the student's code raised: explain, never a traceback
        return failed(name, f"your function raised {type(exc).__name__}: {exc}", hint=hint), None
    if result is None:
        return failed(name, "your function returned None — did you forget `return`?", hint=hint), None
    return True, result


def mismatch(expected, got, *, tol: float) -> str | None:
    """Why ``got`` does not match ``expected`` (numbers, shape, finite, values); None if it does.

    Values match when |expected − got| ≤ tol · max(|expected|, |got|) + ``ATOL``, element by element.
    """
    if got is None:
        return "got None — did you forget `return`?"
    try:
        got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return f"expected numbers, got {type(got).__name__}"
    expected_arr = np.asarray(expected, dtype=np.float64)
    if got_arr.shape != expected_arr.shape:
        return f"wrong shape {got_arr.shape}, expected {expected_arr.shape}"
    if not np.isfinite(got_arr).all():
        return "the result holds NaN, inf or None"
    scale = np.maximum(np.abs(expected_arr), np.abs(got_arr))
    if np.all(np.abs(expected_arr - got_arr) <= tol * scale + ATOL):
        return None
    return f"relative error {relative_error(expected_arr, got_arr):.2e} is above {tol:.0e}"


def compare(name: str, expected, got, *, tol: float = 1e-6, hint: str = "") -> bool:
    """Check that ``got`` has ``expected``'s shape and matches it to relative error ``tol``."""
    reason = mismatch(expected, got, tol=tol)
    if reason is not None:
        return failed(name, reason, expected=expected, got=got, hint=hint)
    return passed(name, f"relative error {relative_error(expected, got):.1e}")


def _describe(args: tuple) -> str:
    return ", ".join(f"{a.shape} array" if isinstance(a, np.ndarray) else _short(a) for a in args)


def check_function(name: str, fn: Callable, cases, reference: Callable, *, tol: float = 1e-6, hint: str = "",
                   mistakes: dict[str, Callable] | None = None) -> bool:
    """Compare ``fn(*args)`` with ``reference(*args)`` for each tuple of arguments in ``cases``.

    The reference runs first and ``fn`` gets deep copies, so an in-place change cannot touch the
    reference. ``mistakes`` maps a diagnosis to a function computing a known wrong answer. Prints
    one line: ✓ once every case matches, or ✗ for the first case that does not.
    """
    cases = list(cases)
    largest = 0.0
    for args in cases:
        expected = reference(*args)
        ok, got = call(name, fn, *copy.deepcopy(args), hint=hint)
        if not ok:
            return False
        reason = mismatch(expected, got, tol=tol)
        if reason is None:
            largest = max(largest, relative_error(expected, got))
            continue
        for problem, mistake in (mistakes or {}).items():
            if close(got, mistake(*args)) and not close(got, expected):
                return failed(name, problem, expected=expected, got=got, hint=hint)
        return failed(name, f"{reason}, for ({_describe(args)})", expected=expected, got=got, hint=hint)
    return passed(name, f"{len(cases)} cases match (relative error ≤ {largest:.1e})")
