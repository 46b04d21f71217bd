"""Write a benchmark's figures as a Markdown table under benchmarks/results/.

Every results file starts with the same header: when, on what machine, with which versions, under
what load (a busy shared machine slows every figure).
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
from pathlib import Path
from typing import Sequence

RESULTS = Path(__file__).resolve().parent / "results"


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """One line describing the machine and the software the figures were measured with."""
    import numpy
    import torch

    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU only"
    return (
        f"{cpu_model()} ({platform.machine()}, {os.cpu_count()} cores, torch CPU capability "
        f"{torch.backends.cpu.get_cpu_capability()}), {device}; Python {platform.python_version()}, "
        f"numpy {numpy.__version__}, torch {torch.__version__}, torch threads {torch.get_num_threads()}"
    )


def table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A Markdown table; floats are written with 3 significant digits."""

    def fmt(value) -> str:
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write(name: str, title: str, body: str, note: str = "") -> Path:
    """Write ``results/<name>.md`` and print it; ``body`` is Markdown (tables, lines)."""
    RESULTS.mkdir(exist_ok=True)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    text = f"# {title}\n\nMeasured {stamp} on {machine()}; load average {load} (1 / 5 / 15 min).\n\n{body}\n"
    if note:
        text += f"\n{note}\n"
    path = RESULTS / f"{name}.md"
    path.write_text(text)
    print(text)
    return path
