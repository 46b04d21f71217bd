"""Do the notebooks' lessons hold for every seed, thread count and CPU kernel? Run them and count.

    python benchmarks/robustness.py                          # the plan below, 2 runs at a time
    python benchmarks/robustness.py --mode fast --seeds 0-9 09 10
    python benchmarks/robustness.py --mode fast --seeds 0-2 --threads 1 --capability avx2
    python benchmarks/robustness.py --report                 # rewrite the report from the data

Each run executes one notebook top to bottom in a fresh kernel with ``DLMI_SEED``, ``DLMI_FAST``,
``OMP_NUM_THREADS`` (torch's threads) and, unless "native", ``ATEN_CPU_CAPABILITY`` (torch's CPU
kernels: ``default`` or ``avx2`` compute as a machine without AVX-512 would). A cell that raises does
not stop the run: every cell is tried, and every check cell (tag ``check``) counts as passed or
failed. ``dlmi.checks.expect`` records each numeric bound (``DLMI_RECORD``), so the report gives,
for each bound, the worst margin over the runs (observed minus bound, in the quantity's units).

Without arguments the plan is: every notebook in fast mode with seeds 0-9 and in full mode with
seeds 0-2 (torch threads 2, native kernels), then fast mode with seeds 0-2 under 1 thread, and
under 2 threads with ``ATEN_CPU_CAPABILITY=default`` and ``avx2``. Runs accumulate in
``results/robustness.json`` (a rerun of the same configuration replaces it), and
``results/robustness.md`` is rewritten from all of them after each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import RESULTS, table, write  # noqa: E402
from notebooks import peak_memory_mb  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
DATA = RESULTS / "robustness.json"
PLAN = [  # (mode, seeds, threads, capability)
    ("fast", range(10), 2, "native"),
    ("full", range(3), 2, "native"),
    ("fast", range(3), 1, "native"),
    ("fast", range(3), 2, "default"),
    ("fast", range(3), 2, "avx2"),
]


def run_notebook(path: Path, mode: str, seed: int, threads: int, capability: str, timeout: int = 1800) -> dict:
    """Execute ``path`` once, every cell, and return what each check cell and bound did."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    record = Path(tempfile.mkstemp(prefix="dlmi-record-", suffix=".jsonl")[1])
    env = {"MPLBACKEND": "agg", "DLMI_FAST": "1" if mode == "fast" else "0", "DLMI_SEED": str(seed),
           "OMP_NUM_THREADS": str(threads), "DLMI_RECORD": str(record)}
    os.environ.update(env)  # the kernel inherits this process's environment (one run per process)
    if capability == "native":
        os.environ.pop("ATEN_CPU_CAPABILITY", None)
    else:
        os.environ["ATEN_CPU_CAPABILITY"] = capability
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    cells, bounds, seen, peak_mb = [], [], 0, None
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            error = None
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as exc:
                error = f"{exc.ename}: {exc.evalue}".strip().splitlines()[0][:300] if exc.ename else str(exc)[:300]
            tags = cell.metadata.get("tags", [])
            lines = record.read_text().splitlines()
            for line in lines[seen:]:
                bounds.append({"cell": index, **json.loads(line)})
            seen = len(lines)
            if "check" in tags or error:
                first = next((ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")), "")
                cells.append({"cell": index, "check": "check" in tags, "solution_check": "solution" in tags,
                              "first": first[:90], "error": error})
        peak_mb = peak_memory_mb(client)
    record.unlink(missing_ok=True)
    return {"notebook": path.name, "mode": mode, "seed": seed, "threads": threads, "capability": capability,
            "seconds": round(time.perf_counter() - start, 1), "peak_mb": peak_mb, "cells": cells, "bounds": bounds,
            "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def key(run: dict) -> str:
    return f"{run['notebook']}|{run['mode']}|{run['seed']}|{run['threads']}|{run['capability']}"


def config_name(run: dict) -> str:
    extra = [] if run["threads"] == 2 else [f"{run['threads']} thread"]
    extra += [] if run["capability"] == "native" else [f"ATEN_CPU_CAPABILITY={run['capability']}"]
    return run["mode"] + (f" ({', '.join(extra)})" if extra else "")


def report(runs: dict, data: Path = DATA) -> None:
    """Rewrite results/robustness.md (or, for another ``data`` file, the .md beside it) from ``runs``."""
    runs = sorted(runs.values(), key=lambda r: (r["notebook"], r["mode"] != "fast", r["threads"], r["capability"], r["seed"]))
    # 1. notebooks x configurations: runs with every check passing
    summary = defaultdict(list)
    for run in runs:
        summary[run["notebook"], config_name(run)].append(run)
    rows = []
    for (name, config), group in summary.items():
        clean = [r for r in group if not any(c["error"] for c in r["cells"])]
        seeds = sorted(r["seed"] for r in group)
        peaks = [r["peak_mb"] for r in group if r["peak_mb"]]
        rows.append((name, config, _seeds(seeds), f"{len(clean)} / {len(group)}",
                     f"{max(r['seconds'] for r in group):.0f}", f"{max(peaks):.0f}" if peaks else "?"))
    body = ["## Runs in which every cell passed", "",
            table(["notebook", "configuration", "seeds", "all checks pass", "slowest (s)", "peak kernel memory (MB)"], rows)]
    # 2. check cells: how many runs pass each
    errors = defaultdict(lambda: defaultdict(int))  # (notebook, cell) -> configuration -> failed runs
    first, n_runs = {}, defaultdict(int)
    for run in runs:
        n_runs[run["notebook"], config_name(run)] += 1
        for cell in run["cells"]:
            k = (run["notebook"], cell["cell"])
            first[k] = ("" if cell["check"] else "(not a check cell) ") + cell["first"]
            errors[k][config_name(run)] += cell["error"] is not None
    cells = {k: {c: (n - errors[k].get(c, 0), n) for (name, c), n in n_runs.items() if name == k[0]} for k in errors}
    configs = sorted({config_name(r) for r in runs}, key=lambda c: (c != "fast", c != "full", c))
    rows = [(f"{k[0][:2]} [{k[1]}]", f"`{first[k]}`", *(_ratio(cells[k].get(c)) for c in configs)) for k in sorted(cells)]
    body += ["", "## Check cells: runs passing, by configuration", "",
             table(["notebook [cell]", "first line", *configs], rows)]
    # 3. bounds: worst margin
    bounds = defaultdict(list)
    for run in runs:
        for b in run["bounds"]:
            bounds[run["notebook"], b["what"], b["op"], b["bound"], run["mode"]].append((b, run))
    rows = []
    for (name, what, op, bound, mode), group in sorted(bounds.items()):
        worst_b, worst_run = min(group, key=lambda g: float("-inf") if g[0]["margin"] is None else g[0]["margin"])
        rel = (abs(worst_b["margin"] / bound) if bound and worst_b["margin"] is not None else None)
        rows.append((name[:2], what, f"{op} {bound:.4g}", mode, len(group), f"{sum(g[0]['passed'] for g in group)}",
                     f"{worst_b['value']:.4g}", _fmt(worst_b["margin"]), "" if rel is None else f"{100 * rel:.0f} %",
                     f"{config_name(worst_run)}, seed {worst_run['seed']}"))
    body += ["", "## Numeric bounds (`dlmi.checks.expect`): worst margin over the runs", "",
             "Margin: observed minus bound, in the quantity's units, positive on the side the claim asks for; "
             "relative: the margin over |bound|.", "",
             table(["nb", "quantity", "claim", "mode", "runs", "held", "worst value", "worst margin", "relative", "worst run"], rows)]
    # 4. failures
    fails = [(r["notebook"][:2], config_name(r), r["seed"], c["cell"], c["error"]) for r in runs for c in r["cells"] if c["error"]]
    body += ["", "## Failures", ""]
    body += [table(["nb", "configuration", "seed", "cell", "error"], fails)] if fails else ["None."]
    note = ("Each run: one notebook top to bottom in a fresh kernel (nbclient), every cell tried even after a failure. "
            "Runs were measured between " + min(r["when"] for r in runs) + " and " + max(r["when"] for r in runs)
            + "; `python benchmarks/robustness.py --help` says how to rerun them.")
    title = "Robustness of the notebooks' checks over seeds, threads and CPU kernels"
    if data == DATA:
        write("robustness", title, "\n".join(body), note)
    else:
        data.with_suffix(".md").write_text(f"# {title}\n\n" + "\n".join(body) + f"\n\n{note}\n")
        print(f"wrote {data.with_suffix('.md')}")


def _seeds(seeds: list[int]) -> str:
    return f"{seeds[0]}–{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 1 else ", ".join(map(str, seeds))


def _ratio(counts) -> str:
    if not counts:
        return ""
    ok, total = counts
    return f"{ok}/{total}" if ok == total else f"**{ok}/{total}**"


def _fmt(value) -> str:
    return "NaN" if value is None else f"{value:.3g}"


def _parse_seeds(text: str) -> list[int]:
    seeds = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds += list(range(int(low), int(high or low) + 1))
    return seeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="*", help="notebook numbers to run (default: all)")
    parser.add_argument("--mode", choices=["fast", "full"], help="one configuration instead of the plan")
    parser.add_argument("--seeds", default="0-9", help="with --mode: e.g. 0-9 or 0,3,5")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--capability", default="native", choices=["native", "default", "avx2", "avx512"])
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (each its own kernel)")
    parser.add_argument("--report", action="store_true", help="only rewrite the report from the data")
    parser.add_argument("--data", type=Path, default=DATA, help="where runs accumulate (default: results/robustness.json)")
    parser.add_argument("--one", nargs=5, metavar=("PATH", "MODE", "SEED", "THREADS", "CAP"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:  # a child process: one run, printed as JSON
        path, mode, seed, threads, capability = args.one
        print(json.dumps(run_notebook(Path(path), mode, int(seed), int(threads), capability)))
        return
    runs = json.loads(args.data.read_text()) if args.data.exists() else {}
    if not args.report:
        plan = [(args.mode, _parse_seeds(args.seeds), args.threads, args.capability)] if args.mode else PLAN
        paths = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) if not args.only or p.name[:2] in args.only]
        todo = [(p, mode, s, t, c) for mode, seeds, t, c in plan for p in paths for s in seeds]
        todo.sort(key=lambda job: -_expected_seconds(job))  # the long runs first keep both workers busy

        def one(job):
            path, mode, seed, threads, capability = job
            out = subprocess.run([sys.executable, __file__, "--one", str(path), mode, str(seed), str(threads), capability],
                                 capture_output=True, text=True)
            if out.returncode == 0:
                return json.loads(out.stdout.strip().splitlines()[-1])
            crash = (out.stderr.strip().splitlines() or ["no output"])[-1][:300]
            return {"notebook": path.name, "mode": mode, "seed": seed, "threads": threads, "capability": capability,
                    "seconds": 0.0, "peak_mb": None, "bounds": [], "when": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "cells": [{"cell": -1, "check": False, "solution_check": False, "first": "(the run)", "error": crash}]}

        with ThreadPoolExecutor(args.jobs) as pool:
            for run in pool.map(one, todo):
                runs[key(run)] = run
                failed = [c["cell"] for c in run["cells"] if c["error"]]
                print(f"{run['notebook']:36s} {config_name(run):32s} seed {run['seed']}: {run['seconds']:6.1f} s, "
                      + (f"FAILED cells {failed}" if failed else "all checks pass"), flush=True)
                args.data.write_text(json.dumps(runs, indent=0, sort_keys=True))
    report(runs, args.data)


def _expected_seconds(job) -> float:
    path, mode = job[0], job[1]
    return (10.0 if mode == "full" else 1.0) * (5.0 if path.name[:2] in ("09", "10") else 1.0)


if __name__ == "__main__":
    main()
