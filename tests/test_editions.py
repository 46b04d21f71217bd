"""The editions (dlmi.editions, the build tooling): student stubs, slide metadata, HTML and slides —
on small notebooks and on the real ones.

The real notebooks' student edition is checked statically for every notebook and executed (in
fast mode) for every notebook: it may stop only at the exercises.
"""

import ast
import copy
import html
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dlmi import editions
from dlmi.editions.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL_ENV = {"DLMI_FAST": "1", "MPLBACKEND": "agg"}

SQUARE = '''# Write square(x) = x², elementwise, for arrays of any shape.
def square(x):
    """x², same shape as x."""
    # one line is enough
    result = x ** 2
    return result
'''
BEST_LR = '''# Set `best_lr` to the largest learning rate that still converges.
rates = [0.1, 0.5, 2.0]
best_lr = max(r for r in rates if r < 1.0)
'''


def _cell(kind, source, *tags):
    cell = new_code_cell(source) if kind == "code" else new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def make_notebook(*, teaching_bug=False, vacuous_check=False):
    """A two-exercise notebook following CONTRIBUTING.md (optionally with a planted defect)."""
    cells = [
        _cell("markdown", "# 99 · Synthetic\nA notebook for the tests of the editions."),
        _cell("markdown", "## Learning objectives\n- square numbers"),
        _cell("markdown", "## Prerequisites\n- none"),
        _cell("code", "import numpy as np\nimport dlmi\nfrom dlmi import checks", "setup"),
        _cell("markdown", "## 1. Squares\nA square is a number times itself."),
        _cell("code", "values = np.arange(4.0) ** 2 + (1 if %s else 0)\nvalues" % teaching_bug),
        _cell("code", "assert np.allclose(values, [0, 1, 4, 9])", "check"),
        _cell("markdown", "Prose after code opens a sub-slide."),
        _cell("code", "print(values.sum())"),
        _cell("markdown", "## Summary\nSquares."),
        _cell("markdown", "## Exercises"),
        _cell("markdown", "### Exercise 1 — square\nWrite `square`."),
        _cell("code", SQUARE, "solution"),
        _cell("code", 'assert checks.check_function("square", square, [(np.arange(3.0),)], np.square)', "check"),
        _cell("markdown", "### Exercise 2 — the best learning rate\nPick it."),
        _cell("code", BEST_LR, "solution"),
        _cell("code", 'assert True' if vacuous_check else 'assert checks.compare("best_lr", 0.5, best_lr)', "check"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _tags(cell):
    return cell.metadata.get("tags", [])


def answer_lines(instructor):
    """Code lines found only in solution cells: what the student edition must not contain.

    Comments, blank lines, imports, ``def``/``class`` headers and docstrings are the statement
    and may stay; a line that also appears in a non-solution cell gives nothing away.
    """
    elsewhere = {line.strip() for c in instructor.cells if "solution" not in _tags(c) for line in c.source.splitlines()}
    lines = set()
    for cell in instructor.cells:
        if "solution" not in _tags(cell):
            continue
        kept = set()
        try:
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    body = node.body[1:] if editions._has_docstring(node) else node.body
                    first = body[0].lineno if body else node.end_lineno + 1
                    kept.update(range(min([node.lineno] + [d.lineno for d in node.decorator_list]), first))
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    kept.update(range(node.lineno, node.end_lineno + 1))
        except SyntaxError:
            pass
        for number, line in enumerate(cell.source.splitlines(), start=1):
            text = line.strip()
            if number not in kept and text and not text.startswith("#") and text not in elsewhere:
                lines.add(text)
    return lines


def unexpected_errors(instructor, executed_student):
    """Why an executed student edition is wrong, as a list of messages (empty when right).

    Right means: a cell fails only when it is an exercise stub raising NotImplementedError, or a
    check cell of an exercise whose stub comes before it, failing with a check's verdict (a
    ``CheckFailed`` whose message opens with ✗: not a NameError, nor an empty AssertionError);
    and each exercise's check does fail (an unanswered exercise must not pass its check).
    """
    problems, exercise, stub_seen, check_failed = [], None, False, {}
    for i, cell in enumerate(executed_student.cells):
        if cell.cell_type == "markdown":
            found = editions.EXERCISE_HEADING.findall(cell.source)
            if found or re.match(r"^#{1,2}\s", cell.source):
                exercise, stub_seen = (int(found[-1][0]) if found else None), False
            continue
        if editions.STUB_TAG in _tags(cell):
            stub_seen = True
            check_failed.setdefault(exercise, False)
        for error in (o for o in cell.get("outputs", []) if o.output_type == "error"):
            if editions.STUB_TAG in _tags(cell) and error.ename == "NotImplementedError":
                continue
            if "check" in _tags(cell) and stub_seen and error.ename == "CheckFailed" and error.evalue.startswith("✗"):
                check_failed[exercise] = True
                continue
            problems.append(f"cell {i} raised {error.ename}: {error.evalue}\n{cell.source[:300]}")
    problems += [f"exercise {n}: its check passed with the unanswered stub" for n, f in check_failed.items() if not f]
    if any("solution" in _tags(c) for c in instructor.cells) and not check_failed:
        problems.append("no exercise stub found")
    return problems


# --------------------------------------------------------------------------- stubs


def test_function_stub_keeps_signature_docstring_and_opening_comments_only():
    stub = editions.solution_stub(SQUARE, 1, "square")
    assert stub.startswith("# Exercise 1 — square")
    assert "# Write square(x) = x², elementwise" in stub
    assert 'def square(x):\n    """x², same shape as x."""\n    # one line is enough\n' in stub
    assert 'raise NotImplementedError("Exercise 1: write the body of square")' in stub
    assert "x ** 2" not in stub and "return result" not in stub
    namespace = {}
    exec(stub, namespace)  # the stub defines the function, which raises when called
    with pytest.raises(NotImplementedError, match="Exercise 1"):
        namespace["square"](2.0)


def test_top_level_stub_resets_the_answer_names_and_raises():
    stub = editions.solution_stub(BEST_LR, 2)
    assert "max(" not in stub and "0.5" not in stub
    assert "best_lr = None" in stub and "rates = None" in stub
    namespace = {"best_lr": 0.5}  # an older value must not survive
    with pytest.raises(NotImplementedError, match="Exercise 2: write the code that computes rates, best_lr"):
        exec(stub, namespace)
    assert namespace["best_lr"] is None


def test_stub_of_methods_one_line_defs_and_unparsable_cells():
    source = "import torch\nclass Net(torch.nn.Module):\n    def forward(self, x):\n        return 2 * x\n" \
             "def twice(x): return 2 * x\n"
    stub = editions.solution_stub(source, 3)
    assert "import torch" in stub and "class Net(torch.nn.Module):" in stub
    assert "write the body of Net.forward" in stub and "def twice(x):\n    raise" in stub
    assert "2 * x" not in stub
    magic = editions.solution_stub("# time it\n%timeit sum(range(9))", 4)
    assert "# time it" in magic and "%timeit" not in magic and "Exercise 4" in magic


def test_student_edition_replaces_exactly_the_solution_cells():
    nb = make_notebook()
    student = editions.student_edition(nb)
    assert len(student.cells) == len(nb.cells)
    for before, after in zip(nb.cells, student.cells):
        if "solution" in _tags(before):
            assert _tags(after) == ["exercise"] and after.source != before.source
        else:
            assert after == before
    assert student.metadata["dlmi"]["edition"] == "student"
    assert "solution" in _tags(nb.cells[12]), "the instructor notebook is left as it was"
    nbformat.validate(student)


def test_answer_lines_sees_a_solution_that_leaks():
    nb = make_notebook()
    leaked = editions.student_edition(nb)
    leaked.cells[12].source += "\nresult = x ** 2"
    lines = answer_lines(nb)
    assert "result = x ** 2" in lines and "def square(x):" not in lines
    assert any(line in leaked.cells[12].source.splitlines() for line in lines)
    assert not any(line.strip() in lines for c in editions.student_edition(nb).cells for line in c.source.splitlines())


# --------------------------------------------------------------------------- writing, never losing work


def _write(tmp_path, nb, name="99_synthetic.ipynb"):
    path = tmp_path / "instructor" / name
    path.parent.mkdir(exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_never_overwrites_a_students_notebook_unless_forced_and_then_backs_it_up(tmp_path, capsys):
    source = _write(tmp_path, make_notebook())
    out = tmp_path / "student"
    assert main(["student-edition", str(out), "--from", str(source.parent)]) == 0
    target = out / source.name
    assert "wrote" in capsys.readouterr().out
    work = target.read_text().replace("Write square", "My own notes on square")
    target.write_text(work)

    assert main(["student-edition", str(out), "--from", str(source.parent)]) == 0
    assert "kept" in capsys.readouterr().out and target.read_text() == work

    assert main(["student-edition", str(out), "--from", str(source.parent), "--force"]) == 0
    assert "replaced" in capsys.readouterr().out
    backups = list(out.glob(f"{source.name}.bak-*"))
    assert len(backups) == 1 and re.search(r"\.bak-\d{8}-\d{6}$", backups[0].name)
    assert backups[0].read_text() == work and "My own notes" not in target.read_text()
    assert main(["student-edition", str(out), "--from", str(source.parent), "--force"]) == 0
    assert len(list(out.glob(f"{source.name}.bak-*"))) == 2, "a second --force keeps both backups"


def test_command_line_errors_say_what_is_wrong(tmp_path, capsys):
    assert main(["student-edition", str(tmp_path / "out"), "--from", str(tmp_path)]) == 1
    assert "no notebooks found" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    source = _write(tmp_path, make_notebook())
    assert main(["student-edition", str(tmp_path / "file"), "--from", str(source.parent)]) == 1
    assert "is a file" in capsys.readouterr().err
    assert main(["student-edition", str(source.parent), "--from", str(source.parent)]) == 1
    assert "must differ" in capsys.readouterr().err
    (tmp_path / "instructor" / "00_broken.ipynb").write_text("{not json")
    assert main(["student-edition", str(tmp_path / "out"), "--from", str(source.parent)]) == 1
    assert "00_broken.ipynb is not a readable notebook" in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing is written when a notebook is unreadable"
    with pytest.raises(SystemExit) as exit_:
        main(["student-edition"])
    assert exit_.value.code == 2


def test_python_dash_m_dlmi_editions_runs(tmp_path):
    source = _write(tmp_path, make_notebook())
    done = subprocess.run([sys.executable, "-m", "dlmi.editions", "student-edition", str(tmp_path / "s"),
                           "--from", str(source.parent)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s" / source.name).is_file()


def test_the_dlmi_console_script_is_the_editions_command_line():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, name = scripts["dlmi"].partition(":")
    assert module == "dlmi.editions.__main__"
    assert getattr(importlib.import_module(module), name) is main


def test_the_teaching_package_holds_no_build_tooling():
    """dlmi is the teaching API; the tooling that builds the editions lives in dlmi.editions only."""
    package = ROOT / "dlmi"
    assert not (package / "__main__.py").exists() and not (package / "editions.py").exists()
    assert (package / "editions" / "__init__.py").is_file() and (package / "editions" / "__main__.py").is_file()


# --------------------------------------------------------------------------- executing the student edition


def test_the_error_audit_accepts_a_right_edition_and_catches_wrong_ones(tmp_path):
    """One kernel run per case: the audit itself must be able to fail."""
    for kind in ("right", "teaching_bug", "vacuous_check"):
        nb = make_notebook(teaching_bug=kind == "teaching_bug", vacuous_check=kind == "vacuous_check")
        executed = editions.execute(editions.student_edition(nb), cwd=tmp_path, env=KERNEL_ENV,
                                    allow_errors=True, timeout=120)
        problems = unexpected_errors(nb, executed)
        if kind == "right":
            assert problems == []
            errors = [o for o in executed.cells[13].outputs if o.output_type == "error"]
            assert len(errors) == 1 and errors[0].traceback == ["✗ square: not implemented yet",
                                                                "    hint: replace the `raise NotImplementedError` "
                                                                "with your code"]
            assert not [o for o in executed.cells[13].outputs if o.output_type == "stream"], "the verdict shows once"
        elif kind == "teaching_bug":
            assert len(problems) == 1 and "cell 6 raised AssertionError" in problems[0]
        else:
            assert problems == ["exercise 2: its check passed with the unanswered stub"]


def _living_children():
    """Pids of this process's children that are still running (not zombies)."""
    me, found = str(os.getpid()), set()
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and fields[1] == me and fields[0] != "Z":
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_execute_shuts_its_kernel_down_even_when_a_cell_fails(tmp_path):
    from nbclient.exceptions import CellExecutionError

    before = _living_children()
    nb = new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('planted')")])
    with pytest.raises(CellExecutionError, match="planted"):
        editions.execute(nb, cwd=tmp_path, env=KERNEL_ENV, timeout=60)
    assert _living_children() <= before, "a kernel was left running"


def test_execute_command_reports_a_failing_notebook(tmp_path, capsys, monkeypatch):
    for key, value in KERNEL_ENV.items():
        monkeypatch.setenv(key, value)
    path = _write(tmp_path, new_notebook(cells=[new_code_cell("raise ValueError('planted')")]), "98_fails.ipynb")
    assert main(["execute", str(path), "--out", str(tmp_path / "run")]) == 1
    err = capsys.readouterr().err
    assert "98_fails.ipynb failed to run" in err and "planted" in err
    assert not (tmp_path / "run" / path.name).exists(), "no executed copy of a failed notebook"


# --------------------------------------------------------------------------- slide metadata


def test_slide_types_follow_the_headings_and_are_idempotent():
    nb = editions.add_slide_metadata(make_notebook())
    types = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert types[:5] == ["slide", "slide", "slide", "-", "slide"]
    assert types[7] == "subslide", "prose after code opens a sub-slide"
    assert types[11] == "subslide" and types[12] == "fragment" and types[13] == "-"
    again = editions.add_slide_metadata(copy.deepcopy(nb))
    assert again == nb


def test_slides_metadata_command_writes_once_and_checks(tmp_path, capsys):
    path = _write(tmp_path, make_notebook())
    assert main(["slides-metadata", "--check", str(path)]) == 1
    assert "out of date" in capsys.readouterr().out
    assert main(["slides-metadata", str(path)]) == 0
    stamp = path.stat().st_mtime_ns
    assert main(["slides-metadata", str(path)]) == 0
    assert "0 updated" in capsys.readouterr().out.splitlines()[-1]
    assert path.stat().st_mtime_ns == stamp, "an up-to-date notebook is not rewritten"
    assert main(["slides-metadata", "--check", str(path)]) == 0
    assert main(["slides-metadata", str(tmp_path / "missing.ipynb")]) == 1


# --------------------------------------------------------------------------- HTML and slides


@pytest.fixture(scope="module")
def executed_synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("executed")
    nb = make_notebook()
    nb.cells.insert(8, _cell("code", "import matplotlib.pyplot as plt\nplt.plot(values)\nplt.title('squares')\nplt.show()"))
    path = folder / "99_synthetic.ipynb"
    nbformat.write(editions.execute(nb, cwd=folder, env={"DLMI_FAST": "1"}, timeout=120), path)
    return path


def _text(page):
    """What a reader sees of an HTML page: the text without tags (code is split into spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_html_edition_has_an_index_figures_and_no_solutions(executed_synthetic, tmp_path):
    assert main(["html", str(tmp_path / "html"), str(executed_synthetic)]) == 0
    index = (tmp_path / "html" / "index.html").read_text()
    assert '<a href="99_synthetic.html">99 · Synthetic</a>' in index
    assert "<span>A notebook for the tests of the editions.</span>" in index
    page = (tmp_path / "html" / "99_synthetic.html").read_text()
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page), "the figure is embedded"
    assert "result = x ** 2" not in _text(page) and "Exercise 1: write the body of square" in _text(page)
    assert "✓ square" not in page, "the checks' verdicts on the solutions are not shown"
    assert "A square is a number times itself." in _text(page)
    assert main(["html", str(tmp_path / "teacher"), str(executed_synthetic), "--solutions"]) == 0
    teacher = _text((tmp_path / "teacher" / "99_synthetic.html").read_text())
    assert "result = x ** 2" in teacher and "✓ square" in teacher


def test_slides_have_one_section_per_slide(executed_synthetic, tmp_path):
    assert main(["slides", str(tmp_path / "slides"), str(executed_synthetic), "--reveal-url-prefix", "reveal.js"]) == 0
    page = (tmp_path / "slides" / "99_synthetic.slides.html").read_text()
    assert '"reveal.js/dist/reveal.js"' in page and "unpkg.com" not in page
    types = [c.metadata["slideshow"]["slide_type"]
             for c in editions.add_slide_metadata(nbformat.read(executed_synthetic, as_version=4)).cells]
    # reveal.js nests: <section> per slide, holding a <section> per sub-slide (the first included)
    assert page.count("<section><section>") == types.count("slide") == 6
    assert page.count("<section>") == 2 * types.count("slide") + types.count("subslide")
    assert page.count('class="fragment"') >= types.count("fragment") == 2, "solutions appear as fragments"


# --------------------------------------------------------------------------- the real notebooks


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    if NOTEBOOKS:
        editions.write_student_edition(NOTEBOOKS, out)
    return out


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_has_a_stub_per_solution_and_no_solution_left(path, student_dir):
    instructor = editions.read(path)
    student = nbformat.read(student_dir / path.name, as_version=nbformat.NO_CONVERT)
    nbformat.validate(student)
    solutions = editions.exercise_numbers(instructor)
    assert solutions, f"{path.name} has no solution cell"
    stubs = [i for i, c in enumerate(student.cells) if editions.STUB_TAG in _tags(c)]
    assert stubs == [i for i, _, _ in solutions], "one stub in place of each solution cell"
    assert not any("solution" in _tags(c) for c in student.cells)
    for i, number, _ in solutions:
        assert number is not None, f"{path.name} cell {i}: a solution outside any '### Exercise N' section"
        assert f'NotImplementedError("Exercise {number}:' in student.cells[i].source
    leaks = [line for c in student.cells for line in c.source.splitlines() if line.strip() in answer_lines(instructor)]
    assert not leaks, f"{path.name}: solution code left in the student edition: {leaks}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_edition_runs_and_stops_only_at_the_exercises(path, student_dir):
    student = nbformat.read(student_dir / path.name, as_version=4)
    executed = editions.execute(student, cwd=student_dir, env=KERNEL_ENV, allow_errors=True, timeout=600)
    problems = unexpected_errors(editions.read(path), executed)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
