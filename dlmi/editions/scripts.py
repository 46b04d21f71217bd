"""The percent scripts paired with the notebooks: ``notebooks/scripts/NN_title.py``.

Build tooling, not part of the teaching API (see :mod:`dlmi.editions`). A script shows a
notebook as plain Python (``# %%`` cells, markdown as comments) for diffs, reviews and editors;
jupytext writes it with the options of ``notebooks/jupytext.toml``.

The notebook ``notebooks/NN_title.ipynb`` is the source. :func:`pair` (``make pair``) writes
every script from its notebook, one way, and never writes a notebook. A script that differs
from its notebook *and* is not older than it holds edits of its own: :func:`pair` leaves it as it
is and says so, and :func:`from_script` (``dlmi from-script SCRIPT``), asked by name, brings
those edits into the notebook. What the two must agree on is :func:`paired_cells`: each cell's
type, source and tags, which ``tests/project/test_jupytext_pairing.py`` checks for every notebook.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

from . import _write_atomically, add_slide_metadata, read

#: where the scripts are, relative to the notebooks' folder, and jupytext's name for their format
#: (the same as ``formats`` in ``notebooks/jupytext.toml``)
SCRIPTS_DIR = "scripts"
SCRIPT_FORMAT = f"{SCRIPTS_DIR}//py:percent"

#: the states of a notebook's script (:func:`state`)
IN_STEP, MISSING, BEHIND, EDITED = "in step", "missing", "behind", "edited"


def _jupytext():
    try:
        import jupytext
    except ModuleNotFoundError as exc:
        if exc.name != "jupytext":
            raise
        raise ValueError("jupytext is not installed: run `make install` (or `pip install -e '.[test]'`)") from None
    return jupytext


def script_path(notebook: str | os.PathLike) -> Path:
    """``notebooks/scripts/NN_title.py`` for ``notebooks/NN_title.ipynb``."""
    notebook = Path(notebook)
    return notebook.parent / SCRIPTS_DIR / f"{notebook.stem}.py"


def notebook_path(script: str | os.PathLike) -> Path:
    """``notebooks/NN_title.ipynb`` for ``notebooks/scripts/NN_title.py``."""
    script = Path(script)
    return script.parent.parent / f"{script.stem}.ipynb"


def read_script(script: str | os.PathLike) -> nbformat.NotebookNode:
    """A percent script read as a notebook; a ``ValueError`` names the file when jupytext cannot."""
    script = Path(script)
    jupytext = _jupytext()
    try:
        return jupytext.read(script)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(f"{script} is not a readable percent script: {exc}") from None


def paired_cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    """What a notebook and its script agree on: each cell's type, source and tags.

    Trailing newlines of a source are left out: a percent script cannot keep them. Other cell
    metadata (slide types, which :func:`dlmi.editions.add_slide_metadata` derives) is not compared.
    """
    return [(cell.cell_type, cell.source.rstrip("\n"), tuple(cell.get("metadata", {}).get("tags", [])))
            for cell in nb.cells]


def state(notebook: str | os.PathLike) -> str:
    """Where ``notebook``'s script stands: :data:`IN_STEP`, :data:`MISSING`, :data:`BEHIND` or :data:`EDITED`.

    A script whose cells differ from the notebook's is *behind* when it is older than the notebook
    (the notebook was edited: :func:`pair` rewrites it), else *edited* (the script was edited, or
    both at once: :func:`pair` keeps it, :func:`from_script` brings its edits into the notebook).
    """
    notebook = Path(notebook)
    script = script_path(notebook)
    if not script.is_file():
        return MISSING
    if paired_cells(read_script(script)) == paired_cells(read(notebook)):
        return IN_STEP
    return BEHIND if notebook.stat().st_mtime_ns > script.stat().st_mtime_ns else EDITED


def orphans(notebook_dir: str | os.PathLike) -> list[Path]:
    """Scripts in ``notebook_dir/scripts/`` whose notebook does not exist."""
    return sorted(p for p in (Path(notebook_dir) / SCRIPTS_DIR).glob("*.py") if not notebook_path(p).is_file())


def write_scripts(notebooks: Iterable[str | os.PathLike]) -> None:
    """Write the script of each notebook with the jupytext command line, as the pre-commit hook does."""
    notebooks = [str(p) for p in notebooks]
    if not notebooks:
        return
    _jupytext()
    done = subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", SCRIPT_FORMAT, *notebooks],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ValueError(f"jupytext failed to write the scripts: {done.stderr.strip() or done.stdout.strip()}")


def pair(notebooks: Iterable[str | os.PathLike], *, check: bool = False) -> list[tuple[Path, Path, str]]:
    """Bring the script of each notebook in step with it; return ``(notebook, script, state)`` each.

    ``state`` is the script's :func:`state` before: scripts *missing* or *behind* are (re)written,
    scripts *in step* are rewritten only where jupytext's text differs (its header, say), and an
    *edited* script is left as it is. With ``check``, nothing is written.
    """
    report = [(Path(nb), script_path(nb), state(nb)) for nb in notebooks]
    if not check:
        write_scripts(nb for nb, _, st in report if st != EDITED)
    return report


def from_script(script: str | os.PathLike) -> Path:
    """Bring the cells of an edited ``script`` into its notebook (created when missing); return its path.

    Outputs stay empty (notebooks are stored without them), cell ids and the notebook's metadata
    are kept, slide metadata is derived again, and the script is rewritten from the notebook.
    """
    _jupytext()
    from jupytext.combine import combine_inputs_with_outputs

    script = Path(script)
    if script.parent.name != SCRIPTS_DIR or script.suffix != ".py":
        raise ValueError(f"script must be a notebooks/{SCRIPTS_DIR}/NN_title.py file, got {script}")
    text = read_script(script)
    notebook = notebook_path(script)
    if notebook.exists():
        old = read(notebook)
        nb = combine_inputs_with_outputs(text, old, fmt="py:percent")
        nb.metadata = old.metadata
    else:
        nb = nbformat.v4.new_notebook(cells=text.cells)
        if "kernelspec" in text.metadata:
            nb.metadata["kernelspec"] = text.metadata["kernelspec"]
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb = nbformat.from_dict(add_slide_metadata(nb))
    nbformat.validate(nb)
    _write_atomically(nb, notebook)
    write_scripts([notebook])
    return notebook
