"""One way to say that a run diverged, shared by every descent and training loop of the course.

A result object (``linear.Descent``, ``surfaces.Trajectory``, ``nn.TrainingHistory``,
``train.History``, the playground's state) has ``diverged: bool`` and a ``status: str`` that reads
"diverged at step 12: ..." or "diverged at epoch 3: ...", written by :func:`divergence_status`.
A caller who prefers an exception gets :class:`DivergenceError`, whose message is that status.
"""

from __future__ import annotations

from .validation import check_choice

__all__ = ["ON_DIVERGENCE", "DivergenceError", "divergence_status", "stop_or_raise"]

#: What a training loop does when it diverges: stop and say so in its result, or raise.
ON_DIVERGENCE = ("stop", "raise")


class DivergenceError(FloatingPointError):
    """A descent or a training run diverged: the cost, the outputs or the weights ran off to infinity."""


def divergence_status(unit: str, number: int, reason: str) -> str:
    """The status of a diverged run: ``"diverged at <unit> <number>: <reason>"``.

    ``unit`` is ``"step"`` or ``"epoch"``; ``reason`` says what stopped being finite.
    """
    check_choice(unit, "unit", ("step", "epoch"))
    return f"diverged at {unit} {number}: {reason}"


def stop_or_raise(status: str, on_divergence: str) -> None:
    """Raise :class:`DivergenceError` with ``status`` when ``on_divergence == "raise"``; else return."""
    if check_choice(on_divergence, "on_divergence", ON_DIVERGENCE) == "raise":
        raise DivergenceError(status)
