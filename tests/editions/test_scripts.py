"""dlmi.editions.scripts: notebooks paired with percent scripts, one way, hand edits never lost."""

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import dlmi.editions
from dlmi.editions import scripts
from dlmi.editions.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
RUN = "run `make pair` (python -m dlmi.editions pair) to write the scripts from the notebooks"


@pytest.fixture
def folder(tmp_path):
    """A notebooks/ folder with the repository's jupytext.toml and one small notebook."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "jupytext.toml").write_text((NOTEBOOK_DIR / "jupytext.toml").read_text())
    code = new_code_cell("x = 1\nx")
    code.metadata["tags"] = ["check"]
    nb = dlmi.editions.add_slide_metadata(new_notebook(cells=[new_markdown_cell("# 01 · Synthetic\nOne line."), code]))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "01_synthetic.ipynb")
    return notebooks


def _touch_after(path, other):
    """Make ``path`` newer than ``other``, whatever the file system's clock resolution."""
    later = other.stat().st_mtime + 10
    os.utime(path, (later, later))


def _pair(folder, *extra):
    return main(["pair", "--from", str(folder), *extra])


def test_pair_writes_the_scripts_one_way_and_check_says_when_to_run_it(folder, capsys):
    notebook, script = folder / "01_synthetic.ipynb", folder / "scripts" / "01_synthetic.py"
    assert _pair(folder, "--check") == 1 and "missing" in capsys.readouterr().out
    assert not script.exists(), "--check writes nothing"
    before = notebook.read_bytes()
    assert _pair(folder) == 0
    assert notebook.read_bytes() == before, "pairing never writes a notebook"
    assert "# %% tags=[\"check\"]\nx = 1\nx" in script.read_text()
    assert "slide_type" not in script.read_text(), "slide types are derived, not paired"
    assert "jupytext_version:" not in script.read_text(), "the header does not change with jupytext's version"
    assert _pair(folder, "--check") == 0

    nb = nbformat.read(notebook, as_version=4)  # the notebook is edited, without `make pair`
    nb.cells[1].source = "x = 2\nx"
    nbformat.write(nb, notebook)
    _touch_after(notebook, script)
    assert scripts.state(notebook) == scripts.BEHIND
    assert _pair(folder, "--check") == 1 and "make pair" in capsys.readouterr().out
    assert _pair(folder) == 0 and "x = 2" in script.read_text()


def test_the_editions_read_the_notebooks_not_their_scripts(folder, tmp_path):
    assert _pair(folder) == 0
    assert main(["student-edition", str(tmp_path / "student"), "--from", str(folder)]) == 0
    written = sorted(p.relative_to(tmp_path / "student") for p in (tmp_path / "student").rglob("*") if p.is_file())
    assert written == [Path("01_synthetic.ipynb")]


def test_pair_keeps_a_script_edited_by_hand_and_from_script_brings_it_in(folder, capsys):
    notebook, script = folder / "01_synthetic.ipynb", folder / "scripts" / "01_synthetic.py"
    assert _pair(folder) == 0
    script.write_text(script.read_text().replace("x = 1", "x = 3"))
    _touch_after(script, notebook)
    assert scripts.state(notebook) == scripts.EDITED
    before = notebook.read_bytes()
    assert _pair(folder) == 1
    out = capsys.readouterr().out
    assert "kept" in out and "from-script" in out
    assert "x = 3" in script.read_text() and notebook.read_bytes() == before, "neither side is overwritten"

    assert main(["from-script", str(script)]) == 0
    nb = nbformat.read(notebook, as_version=4)
    assert nb.cells[1].source == "x = 3\nx" and nb.cells[1].metadata["tags"] == ["check"]
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells] == ["slide", "-"]
    assert "jupytext" not in nb.metadata and nb.cells[1].outputs == []
    assert _pair(folder, "--check") == 0


def test_a_script_without_notebook_is_reported(folder, capsys):
    assert _pair(folder) == 0
    (folder / "01_synthetic.ipynb").rename(folder / "02_renamed.ipynb")
    assert _pair(folder) == 1
    assert "orphan" in capsys.readouterr().out and (folder / "scripts" / "01_synthetic.py").exists()
    assert main(["from-script", str(folder / "02_renamed.ipynb")]) == 1
    assert "must be a notebooks/scripts/NN_title.py file" in capsys.readouterr().err
