"""Execute each notebook headless, in full and in fast mode, and record its wall time.

    python benchmarks/notebooks.py               # every notebook, 3 runs per mode
    python benchmarks/notebooks.py --repeat 1 01 02

Writes the medians to benchmarks/results/notebooks.md (rows for notebooks not measured this
time are kept from the previous file).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import RESULTS, table, write  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
DATA = RESULTS / "notebooks.json"
BUDGET = {"full": 60.0, "fast": 20.0}
LONG = {"09", "10"}  # the case studies have 3 minutes (180 s) in full mode


def run_once(path: Path, fast: bool) -> tuple[float, float | None]:
    """Seconds to execute ``path`` top to bottom in a fresh kernel, and the kernel's peak memory (MB)."""
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, MPLBACKEND="agg", DLMI_FAST="1" if fast else "0")
    client = NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        start = time.perf_counter()
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            seconds = time.perf_counter() - start
            return seconds, peak_memory_mb(client)
    finally:
        os.environ.clear()
        os.environ.update(old)


def peak_memory_mb(client) -> float | None:
    """The kernel process's peak resident memory (Linux's VmHWM), in MB; None where unknown."""
    try:
        pid = client.km.provisioner.process.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (AttributeError, OSError, ValueError):
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="notebook numbers to run (default: all)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    results = json.loads(DATA.read_text()) if DATA.exists() else {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        if args.only and path.name[:2] not in args.only:
            continue
        entry = {}
        for mode in ("full", "fast"):
            runs = [run_once(path, fast=mode == "fast") for _ in range(args.repeat)]
            entry[mode] = statistics.median(t for t, _ in runs)
            peaks = [m for _, m in runs if m is not None]
            entry[f"{mode}_peak_mb"] = max(peaks) if peaks else None
            print(f"{path.name:40s} {mode:4s} median {entry[mode]:6.1f} s of {args.repeat}, "
                  f"peak kernel memory {entry[f'{mode}_peak_mb']} MB", flush=True)
        results[path.name] = entry
    DATA.write_text(json.dumps(results, indent=1, sort_keys=True))

    rows = []
    for name, entry in sorted(results.items()):
        full_budget = 180.0 if name[:2] in LONG else BUDGET["full"]
        ok = entry["full"] <= full_budget and entry["fast"] <= (60.0 if name[:2] in LONG else BUDGET["fast"])
        peak = entry.get("full_peak_mb")
        rows.append((name, f"{entry['full']:.1f}", f"{entry['fast']:.1f}", "yes" if ok else "**no**",
                     "?" if peak is None else f"{peak:.0f}"))
    body = table(["notebook", "full mode (s)", "DLMI_FAST=1 (s)", "within budget", "peak kernel memory, full (MB)"], rows)
    note = (
        "Median wall time of a headless top-to-bottom execution in a fresh kernel (nbclient), "
        f"{args.repeat} run(s) per mode, kernel start included. Budgets: 60 s full and 20 s fast "
        "(notebooks 09 and 10: 180 s full, 60 s fast). Peak kernel memory: the kernel process's largest "
        "resident set (VmHWM), the largest of the full-mode runs."
    )
    write("notebooks", "Notebook execution time", body, note)


if __name__ == "__main__":
    main()
