"""Every notebook has its percent script in notebooks/scripts/, in step with it (``make pair``).

The notebook is the source and the script is derived from it, one way (dlmi.editions.scripts):
a notebook edited without ``make pair`` fails here, and so does a script left without a notebook.
"""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import jupytext
import nbformat
import pytest
from jupytext.paired_paths import paired_paths

from dlmi.editions import scripts

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SCRIPTS = sorted((NOTEBOOK_DIR / "scripts").glob("*.py"))
RUN = "run `make pair` (python -m dlmi.editions pair) to write the scripts from the notebooks"


def _cells(nb):
    """Each cell's type, source (less trailing newlines, which a script cannot keep) and tags."""
    return [(c.cell_type, c.source.rstrip("\n"), c.metadata.get("tags", [])) for c in nb.cells]


def test_jupytext_pairs_each_notebook_with_its_percent_script():
    """notebooks/jupytext.toml pairs NN_title.ipynb with scripts/NN_title.py (JupyterLab saves both)."""
    config_file = jupytext.config.find_jupytext_configuration_file(str(NOTEBOOK_DIR))
    assert config_file and Path(config_file) == NOTEBOOK_DIR / "jupytext.toml"
    formats = tomllib.loads(Path(config_file).read_text())["formats"]
    assert formats == f"ipynb,{scripts.SCRIPT_FORMAT}"
    notebook = NOTEBOOK_DIR / "01_any.ipynb"
    paths = [Path(path) for path, _ in paired_paths(str(notebook), "ipynb", formats)]
    assert paths == [notebook, scripts.script_path(notebook)] == [notebook, NOTEBOOK_DIR / "scripts" / "01_any.py"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_script_exists_and_has_the_notebooks_cells(path):
    script = NOTEBOOK_DIR / "scripts" / f"{path.stem}.py"
    assert script.is_file(), f"{path.name} has no script {script.relative_to(ROOT)}: {RUN}"
    text = script.read_text(encoding="utf-8")
    assert "format_name: percent" in text and "# %%" in text, f"{script.name} is not a percent script: {RUN}"
    notebook, paired = _cells(nbformat.read(path, as_version=4)), _cells(jupytext.read(script))
    differ = [i for i, (a, b) in enumerate(zip(notebook, paired)) if a != b]
    assert not differ and len(notebook) == len(paired), (
        f"{script.relative_to(ROOT)} is out of step with {path.name} ({len(paired)} cells for {len(notebook)}; "
        f"first different cell: {(differ or [min(len(notebook), len(paired))])[0]}): {RUN}"
    )


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_has_its_notebook(script):
    assert (NOTEBOOK_DIR / f"{script.stem}.ipynb").is_file(), (
        f"{script.relative_to(ROOT)} has no notebook {script.stem}.ipynb: delete it (or `python -m dlmi.editions "
        f"from-script {script.relative_to(ROOT)}` to make it one)"
    )


def test_paired_cells_agree_with_this_test():
    nb = nbformat.read(NOTEBOOKS[0], as_version=4)
    assert scripts.paired_cells(nb) == [(t, s, tuple(tags)) for t, s, tags in _cells(nb)]
