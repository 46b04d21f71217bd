"""The machinery behind every exercise check: run the student's code, compare, explain.

A check never lets a traceback reach the student. It prints ✓ when the answer is right; otherwise
it raises :class:`CheckFailed`, whose message says what was expected, what came back and a hint,
and which Jupyter shows as that message alone. ``CheckFailed`` is an ``AssertionError``, so a
wrong answer still fails a notebook run (nbval, nbclient) as an ``assert`` would.
"""

from __future__ import annotations

import copy
import inspect
import sysconfig
import traceback
from pathlib import Path
from typing import Any, Callable, NoReturn

import numpy as np


ATOL = 1e-12
"""Absolute slack of every comparison: values within 1e-12 of each other match even where both are
near 0, so that a right answer such as 1 − 1/(1 + e^z) ≈ 1e-13 is not failed on rounding."""

SHOWN_SIZE = 16
"""Arrays of at most this many numbers are written out in a failure message; larger ones by shape."""


class CheckFailed(AssertionError):
    """A check's verdict on a wrong answer: ``✗ name: problem``, then expected, got and a hint.

    IPython calls ``_render_traceback_`` instead of formatting a traceback, so a notebook shows the
    verdict once, as the cell's error, with no ``AssertionError`` line or frames of the check's code.
    """

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


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


def short(value: Any) -> str:
    """``value`` on one line: numbers to 4 significant digits, small arrays written out, larger ones by shape."""
    if isinstance(value, (float, np.floating)):
        return f"{value + 0.0:.4g}"  # + 0.0 turns −0 into 0
    if isinstance(value, np.ndarray):
        if value.size > SHOWN_SIZE:
            return f"{value.shape} array"
        if np.issubdtype(value.dtype, np.floating):
            value = value + 0.0
        text = np.array2string(value, precision=4, separator=", ", max_line_width=10**6).replace("\n", "")
    else:
        text = repr(value)
    return text if len(text) < 300 else text[:300] + " …"


def passed(name: str, detail: str = "") -> bool:
    """Print the success line of check ``name``; return True."""
    print(f"✓ {name}: correct{' — ' + detail if detail else ''}")
    return True


def failed(name: str, problem: str, *, expected: Any = None, got: Any = None, hint: str = "") -> NoReturn:
    """Raise :class:`CheckFailed` saying what went wrong in check ``name`` (expected, got, hint)."""
    lines = [f"✗ {name}: {problem}"]
    if expected is not None:
        lines.append(f"    expected: {short(expected)}")
    if got is not None:
        lines.append(f"    got:      {short(got)}")
    if hint:
        lines.append(f"    hint: {hint}")
    raise CheckFailed("\n".join(lines))


def _where(exc: BaseException) -> str:
    """`` (line N of f: code)``: the innermost line of the student's own code that ``exc`` went through.

    Frames in dlmi, the standard library and installed packages are not the student's.
    """
    libraries = [str(Path(__file__).parents[1])] + [sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")]
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not any(f.filename.startswith(folder) for folder in libraries)]
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f" (line {frame.lineno} of {frame.name}{code})"


def call(name: str, fn: Callable, *args, hint: str = "", **kwargs) -> Any:
    """``fn(*args, **kwargs)``, the student's function; an exception or a forgotten ``return`` fails the check.

    Returns the result; raises :class:`CheckFailed` with one line saying what happened.
    """
    if not callable(fn):
        failed(name, f"expected a function, got {type(fn).__name__}", hint=hint)
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        failed(name, "not implemented yet", hint=hint or "replace the `raise NotImplementedError` with your code")
    except Exception as exc:  # the student's code raised: explain in one line where and what
        failed(name, f"your function raised {type(exc).__name__}: {exc}{_where(exc)}", hint=hint)
    if result is None:
        failed(name, "your function returned None — did you forget `return`?", hint=hint)
    return result


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
    if got is None:
        failed(name, "got None: the answer is not computed yet", hint=hint)
    reason = mismatch(expected, got, tol=tol)
    if reason is not None:
        failed(name, reason, expected=expected, got=got, hint=hint)
    return passed(name, f"relative error {relative_error(expected, got):.1e}")


def number(name: str, value, *, what: str, hint: str = "") -> float:
    """``value``, one number the student computed, as a float; None or anything else fails the check.

    ``what`` names the variable in the message, e.g. "`ratio`".
    """
    if value is None:
        failed(name, f"{what} is still None: compute it in the exercise cell above and run that cell", hint=hint)
    array = np.asarray(value)
    if isinstance(value, (bool, np.bool_)) or array.size != 1 or not np.issubdtype(array.dtype, np.number):
        failed(name, f"{what} must be one number, got {type(value).__name__}", got=value, hint=hint)
    result = float(array.reshape(()))
    if not np.isfinite(result):
        failed(name, f"{what} is {result}: expected a finite number", hint=hint)
    return result


def describe(args: tuple, fn: Callable | None = None) -> str:
    """The arguments of one case, named after ``fn``'s parameters where it has them: ``z = [0., 1.]``."""
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):  # not a function, or a builtin without a signature
        params = []
    names = params if len(params) >= len(args) else [f"argument {i + 1}" for i in range(len(args))]
    return ", ".join(f"{name} = {short(arg)}" for name, arg in zip(names, args))


def check_function(name: str, fn: Callable, cases, reference: Callable, *, tol: float = 1e-6, hint: str = "",
                   mistakes: dict[str, Callable] | None = None) -> bool:
    """Compare ``fn(*args)`` with ``reference(*args)`` for each tuple of arguments in ``cases``.

    The reference runs first and ``fn`` gets deep copies, so an in-place change cannot touch the
    reference. ``mistakes`` maps a diagnosis to a function computing a known wrong answer. Prints
    ✓ once every case matches; raises :class:`CheckFailed` for the first case that does not,
    naming that case's input.
    """
    cases = list(cases)
    largest = 0.0
    for args in cases:
        expected = reference(*args)
        got = call(name, fn, *copy.deepcopy(args), hint=hint)
        reason = mismatch(expected, got, tol=tol)
        if reason is None:
            largest = max(largest, relative_error(expected, got))
            continue
        for problem, mistake in (mistakes or {}).items():
            if close(got, mistake(*args)) and not close(got, expected):
                failed(name, f"{problem}, for {describe(args, fn)}", expected=expected, got=got, hint=hint)
        failed(name, f"{reason}, for {describe(args, fn)}", expected=expected, got=got, hint=hint)
    return passed(name, f"{len(cases)} cases match (relative error ≤ {largest:.1e})")
