"""Same seed, same machine, same numbers: two fast runs of a training notebook record identical checks.

Notebook 08 trains a small CNN with torch; every numeric bound of its check cells goes through
``dlmi.checks.expect``, which writes the observed value to ``DLMI_RECORD``. Two runs in fresh
kernels with the same ``DLMI_SEED`` must record the same values to the last bit.
"""

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "08_cnn.ipynb"


def run(record: Path, seed: int) -> list[dict]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {"DLMI_FAST": "1", "DLMI_SEED": str(seed), "DLMI_RECORD": str(record), "MPLBACKEND": "agg"}
    old = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return [json.loads(line) for line in record.read_text().splitlines()]


@pytest.mark.parametrize("seed", [3])
def test_two_runs_with_one_seed_record_identical_check_values(tmp_path, seed):
    first = run(tmp_path / "first.jsonl", seed)
    second = run(tmp_path / "second.jsonl", seed)
    assert len(first) >= 3, "notebook 08's check cells should record their bounds with dlmi.checks.expect"
    assert [r["what"] for r in first] == [r["what"] for r in second]
    for a, b in zip(first, second):
        assert a["value"] == b["value"], f"{a['what']}: {a['value']!r} then {b['value']!r}"
