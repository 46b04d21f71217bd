"""Notebook 09 in its GPU configuration — DenseNet-121 on 128-pixel films — run on this machine.

    python benchmarks/notebook09_gpu.py [--timeout 3600]

With a GPU, notebook 09 trains CheXNeXt's DenseNet-121 on 128-pixel films; without one,
DenseNetSmall on 64-pixel films. This script executes the notebook (full mode) with the GPU
configuration switched on, on CUDA when available and otherwise on the CPU (about 20 minutes on
2 cores), so that the configuration a GPU user gets is checked even where no GPU is. It reports
whether every check cell passed, the notebook's wall time, the training time, and the results
the checks are about. Writes benchmarks/results/notebook09_gpu.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.editions import execute  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "09_chest_xray.ipynb"
#: the two lines of the notebook that choose the configuration, and what they become here
SWITCHES = {
    'size = 128 if device.type == "cuda" else 64': "size = 128",
    'chexnext = device.type == "cuda" and images.shape[-1] >= 128': "chexnext = True",
}
SUMMARY = '''
import json
print("DLMI_SUMMARY " + json.dumps({
    "device": str(device), "model": type(model).__name__, "films": int(images.shape[-1]),
    "status": history.status, "best_epoch": history.best_epoch, "best_tuning_auc": max(history["val_auc"]),
    "findings": list(table.index), "cnn": table["auc_a"].round(3).tolist(),
    "comparator": table["auc_b"].round(3).tolist(), "advantage": table["advantage"].tolist(),
    "auc_true": float(auc_true.mean()), "auc_mined": float(auc_mined.mean()),
    "pointing_ratio": localisation["pointing / chance"].round(2).tolist(),
}))
'''


def gpu_configuration() -> nbformat.NotebookNode:
    """Notebook 09 with the GPU configuration forced, and a last cell that prints its results."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for old, new in SWITCHES.items():
        cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        if len(cells) != 1:
            raise RuntimeError(f"{NOTEBOOK.name} no longer has exactly one line {old!r}: update SWITCHES")
        cells[0].source = cells[0].source.replace(old, new)
    nb.cells.append(nbformat.v4.new_code_cell(SUMMARY))
    return nb


def outputs(nb, kind: str):
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.output_type == kind:
                yield i, cell, out


def main(timeout: int) -> None:
    start = time.perf_counter()
    ran = execute(gpu_configuration(), cwd=NOTEBOOK.parent, env={"MPLBACKEND": "agg", "DLMI_FAST": None},
                  allow_errors=True, timeout=timeout)
    wall = time.perf_counter() - start
    failures = [f"cell {i}: {out.ename}: {out.evalue.splitlines()[0] if out.evalue else ''}"
                for i, _, out in outputs(ran, "error")]
    streams = "".join(out.text for _, _, out in outputs(ran, "stream"))
    trained = next((line for line in streams.splitlines() if " trained on " in line), "(no training line)")
    summary = next((json.loads(line.split(" ", 1)[1]) for line in streams.splitlines()
                    if line.startswith("DLMI_SUMMARY ")), None)
    lines = [f"**{'Every check cell passed' if not failures else 'Failed: ' + '; '.join(failures)}.** "
             f"Notebook wall time {wall / 60:.1f} min. {trained}"]
    if summary is not None:
        rows = [[f, cnn, comp, adv, ratio] for f, cnn, comp, adv, ratio in
                zip(summary["findings"], summary["cnn"], summary["comparator"], summary["advantage"],
                    summary["pointing_ratio"])]
        lines.append(f"{summary['model']} on {summary['films']}-pixel films, on {summary['device']}; "
                     f"best tuning AUC {summary['best_tuning_auc']:.3f} at epoch {summary['best_epoch']} "
                     f"({summary['status']}).")
        lines.append(table(["finding", "CNN AUC", "comparator AUC", "advantage (99.6 % CI)",
                            "pointing game / chance"], rows))
        n_cnn = summary["advantage"].count("CNN")
        lines.append(f"Mean AUC: CNN {sum(summary['cnn']) / len(rows):.3f}, comparator "
                     f"{sum(summary['comparator']) / len(rows):.3f}; the CNN is significantly better on {n_cnn} "
                     f"of {len(rows)} findings. Label noise: mean AUC {summary['auc_true']:.3f} against the true "
                     f"labels, {summary['auc_mined']:.3f} against the mined ones. CAMs point above chance on "
                     f"{sum(r > 1 for r in summary['pointing_ratio'])} of {len(rows)} findings.")
    note = ("The notebook as a GPU user runs it (full mode: 1,200 patients, 14 epochs at most, early stopping "
            "on the tuning AUC), with its two configuration lines switched to DenseNet-121 on 128-pixel films. "
            "On a CPU it takes a quarter of an hour or more (the wall time above); on a GPU it shows how long the notebook takes there.")
    write("notebook09_gpu", "Notebook 09 in its GPU configuration: DenseNet-121 on 128-pixel films",
          "\n\n".join(lines), note)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per cell")
    main(parser.parse_args().timeout)
