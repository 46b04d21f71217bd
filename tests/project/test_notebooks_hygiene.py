"""Every notebook follows the conventions of CONTRIBUTING.md and is stored clean."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KNOWN_TAGS = {"setup", "check", "solution", "widget"}
NAME = re.compile(r"^(\d\d)_[a-z0-9]+(_[a-z0-9]+)*\.ipynb$")


def _sources(nb, cell_type):
    return [c.source for c in nb.cells if c.cell_type == cell_type]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb"


def test_notebooks_are_numbered_in_course_order_without_gaps():
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.match(path.name)
        assert match, f"{path.name} is not named NN_short_title.ipynb"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    nb = nbformat.read(request.param, as_version=nbformat.NO_CONVERT)
    return request.param, nb


def test_valid_nbformat_4(notebook):
    path, nb = notebook
    assert nb.nbformat == 4, path.name
    nbformat.validate(nb)


def test_stored_without_outputs(notebook):
    path, nb = notebook
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name} cell {i} has stored outputs"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"


def test_python3_kernel(notebook):
    _, nb = notebook
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["kernelspec"]["language"] == "python"


def test_opens_with_title_objectives_prerequisites_then_setup(notebook):
    path, nb = notebook
    number = path.name[:2]
    first = nb.cells[0]
    assert first.cell_type == "markdown" and re.match(rf"# {number} · \S", first.source), (
        f"{path.name} must open with a title cell '# {number} · Title'"
    )
    markdown = "\n".join(_sources(nb, "markdown")[:4])
    assert "## Learning objectives" in markdown
    assert "## Prerequisites" in markdown
    setup = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    assert len(setup) == 1, f"{path.name} needs exactly one cell tagged 'setup'"
    code = setup[0].source
    assert "import dlmi" in code and 'dlmi.setup_notebook(min_version="' in code
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is setup[0], "the set-up cell must be the first code cell"


def test_closes_with_summary_and_exercises(notebook):
    path, nb = notebook
    headings = [line for src in _sources(nb, "markdown") for line in src.splitlines() if line.startswith("## ")]
    assert "## Summary" in headings, path.name
    assert "## Exercises" in headings, path.name
    assert headings.index("## Summary") < headings.index("## Exercises")


def test_has_check_cells_that_assert(notebook):
    path, nb = notebook
    checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) >= 2, f"{path.name} needs check cells at the end of its sections"
    for cell in checks:
        asserts = ("assert" in cell.source or "check_" in cell.source or "expect(" in cell.source)
        assert cell.cell_type == "code" and asserts, (
            f"{path.name}: a check cell must assert something:\n{cell.source[:200]}"
        )


def test_only_known_tags(notebook):
    path, nb = notebook
    for cell in nb.cells:
        unknown = set(cell.metadata.get("tags", [])) - KNOWN_TAGS
        assert not unknown, f"{path.name}: unknown cell tags {unknown}"


def test_solution_cells_are_code(notebook):
    path, nb = notebook
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []):
            assert cell.cell_type == "code", f"{path.name}: a solution cell must be code"


def test_has_slide_metadata(notebook):
    """RISE and `make slides` present each notebook: every cell has its (derived) slide type."""
    from dlmi.editions import add_slide_metadata

    path, nb = notebook
    missing = [i for i, c in enumerate(nb.cells) if "slide_type" not in c.metadata.get("slideshow", {})]
    expected = add_slide_metadata(nbformat.from_dict(nb))
    assert not missing and expected == nb, (
        f"{path.name}: slide metadata is missing (cells {missing[:5]}) or out of date: "
        f"run `python -m dlmi.editions slides-metadata notebooks/*.ipynb`"
    )


def test_at_least_three_exercises_each_with_a_solution_and_a_check(notebook):
    path, nb = notebook
    exercises = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("### Exercise")]
    assert len(exercises) >= 3, f"{path.name} has {len(exercises)} exercises, fewer than 3"
    for start, end in zip(exercises, exercises[1:] + [len(nb.cells)]):
        tags = [t for c in nb.cells[start:end] for t in c.metadata.get("tags", [])]
        title = nb.cells[start].source.splitlines()[0]
        assert "solution" in tags and "check" in tags, f"{path.name}: '{title}' needs a solution cell and a check cell"
