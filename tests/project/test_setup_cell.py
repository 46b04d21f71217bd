"""The set-up cell finds dlmi in a clone whose package is not installed, or says what to run.

The cell's code runs in a fresh interpreter (``python -I``: no PYTHONPATH, no user site) in
which the installed dlmi is hidden: a finder placed first on ``sys.meta_path`` answers the
import of ``dlmi`` from the non-site-packages entries of ``sys.path`` only, so neither the
editable install's finder nor a copy in site-packages can provide it. The kernel's working
directory goes first on ``sys.path``, as in Jupyter.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

HIDE_INSTALLED_DLMI = '''
import importlib.machinery, os, site, sys

SITE = set(site.getsitepackages() + [site.getusersitepackages()])


class HideInstalledDlmi:
    """Find the top-level dlmi only outside site-packages (so never the installed one)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "dlmi":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, [p for p in sys.path if p not in SITE])
        if spec is None:
            raise ModuleNotFoundError("No module named 'dlmi'", name="dlmi")
        return spec


sys.meta_path.insert(0, HideInstalledDlmi)
sys.path.insert(0, os.getcwd())
'''


def contributing_setup() -> str:
    text = (ROOT / "CONTRIBUTING.md").read_text()
    block = re.search(r"the set-up cell, tagged `setup`, exactly:\s*```python\n(.*?)```", text, re.S)
    assert block, "CONTRIBUTING.md lost its set-up cell"
    lines = block.group(1).rstrip().splitlines()
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] for line in lines)


def setup_code() -> str:
    """A real notebook's set-up cell when there is one, else the one CONTRIBUTING.md shows."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "setup" in cell.metadata.get("tags", []):
                return cell.source
    return contributing_setup()


def run_setup(cwd: Path, code: str) -> subprocess.CompletedProcess:
    program = HIDE_INSTALLED_DLMI + code + "\nprint('DLMI_FROM', dlmi.__file__)\nprint('PATH0', sys.path[0])\n"
    return subprocess.run([sys.executable, "-I", "-c", program], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MPLBACKEND": "agg"})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_use_the_set_up_cell_of_contributing_exactly(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    assert len(cells) == 1 and cells[0].source.strip() == contributing_setup().strip()


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A bare copy of the repository's package and notebooks folder, installed nowhere."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(ROOT / "dlmi", root / "dlmi", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "notebooks").mkdir()
    return root


def test_setup_cell_finds_dlmi_in_the_clone_it_is_opened_from(clone):
    done = run_setup(clone / "notebooks", setup_code())
    assert done.returncode == 0, done.stderr
    assert f"DLMI_FROM {clone / 'dlmi' / '__init__.py'}" in done.stdout
    assert f"PATH0 {clone}" in done.stdout
    assert re.search(r"^dlmi \d+\.\d+\.\d+ · (full|fast) mode", done.stdout, re.M), done.stdout


def test_setup_cell_outside_a_clone_says_what_to_run(tmp_path):
    done = run_setup(tmp_path, setup_code())
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: dlmi is not installed")
    assert "make lab" in last and "pip install -e ." in last
    assert "During handling" not in done.stderr, "one clear message, not a chained traceback"


def test_the_hiding_really_hides_the_installed_package(tmp_path):
    """Without the set-up cell's search, the installed dlmi must be out of reach."""
    done = run_setup(tmp_path, "import dlmi")
    assert done.returncode != 0 and "No module named 'dlmi'" in done.stderr
    visible = subprocess.run([sys.executable, "-I", "-c", "import dlmi; print(dlmi.__file__)"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert visible.returncode == 0, "dlmi should be installed in this environment (make install)"
