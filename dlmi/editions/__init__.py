"""Build tooling: the editions of the notebooks. Not part of the teaching API.

The notebooks import ``dlmi.linear``, ``dlmi.nn``, ...; nothing in a notebook imports this
subpackage. It holds what the Makefile, the command line (``dlmi`` or ``python -m
dlmi.editions``, see :mod:`dlmi.editions.__main__`) and the tests use to turn the notebooks in
``notebooks/`` into the other forms they are read, run or presented in.

Those notebooks are the instructor edition: every exercise has its solution (a code cell tagged
``solution``). From them this package builds

- the *student edition* (:func:`student_edition`): each solution becomes a stub that keeps the
  function signatures and the solution's opening comments and raises ``NotImplementedError``;
  the check cells stay, so a student sees "not implemented yet" until the answer is right;
- *slide metadata* (:func:`add_slide_metadata`) so that RISE and ``nbconvert --to slides``
  present a notebook: title and ``##`` sections open slides, ``###`` headings and each new
  idea (prose after code) open sub-slides, solutions appear as fragments;
- executed copies (:func:`execute`), static HTML with an index page (:func:`write_html`) and
  reveal.js slides (:func:`write_slides`);
- the percent scripts ``notebooks/scripts/NN_title.py`` paired with the notebooks by jupytext
  (:mod:`dlmi.editions.scripts`, ``make pair``), derived from the notebooks, one way.
"""

from __future__ import annotations

import ast
import copy
import html
import io
import os
import re
import shutil
import tempfile
import tokenize
from datetime import datetime
from pathlib import Path
from typing import Iterable

import nbformat

STUB_TAG = "exercise"
SOLUTION_TAG = "solution"
CHECK_TAG = "check"
EXERCISE_HEADING = re.compile(r"^###\s+Exercise\s+(\d+)\s*(?:[—–:-]\s*(.*))?$", re.MULTILINE)
#: nbconvert's default reveal.js (4.0.2 from a CDN); pass a local copy's path to work offline.
REVEAL_URL_PREFIX = "https://unpkg.com/reveal.js@4.0.2"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def read(path: str | os.PathLike) -> nbformat.NotebookNode:
    """Read an ``.ipynb`` as nbformat 4; a ``ValueError`` names the file when it is not one."""
    path = Path(path)
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise
    except Exception as exc:  # JSON or schema errors: say which file
        raise ValueError(f"{path} is not a readable notebook: {exc}") from None


# --------------------------------------------------------------------------- student edition


def _leading_comments(lines: list[str], start: int, stop: int) -> list[str]:
    """The comment lines among ``lines[start:stop]`` up to the first line of code."""
    out = []
    for line in lines[start:stop]:
        if line.strip().startswith("#"):
            out.append(line.rstrip())
        elif line.strip():
            break
    return out


def _signature_end(source: str, def_line: int) -> tuple[int, int]:
    """(line, column) of the ``:`` that ends the ``def``/``class`` header starting on ``def_line``."""
    depth = 0
    started = False
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.start[0] < def_line:
            continue
        if tok.type == tokenize.NAME and tok.string in ("def", "class") and not started:
            started = True
        elif started and tok.type == tokenize.OP:
            if tok.string in "([{":
                depth += 1
            elif tok.string in ")]}":
                depth -= 1
            elif tok.string == ":" and depth == 0:
                return tok.start
    raise ValueError("no end of header found")  # unreachable for code that parsed


def _has_docstring(node) -> bool:
    first = node.body[0]
    return isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)


def _stub_function(node, lines: list[str], source: str, exercise: str, owner: str = "") -> list[str]:
    """Signature, docstring and opening comments of ``def`` ``node``, then a ``raise``.

    ``owner`` is the class name of a method, for the message.
    """
    top = min([node.lineno] + [d.lineno for d in node.decorator_list])
    colon_line, colon_col = _signature_end(source, node.lineno)
    raise_line = f'raise NotImplementedError("{exercise}: write the body of {owner}{node.name}")'
    rest = lines[colon_line - 1][colon_col + 1 :]
    if rest.strip() and not rest.strip().startswith("#"):  # a one-line def: keep the header only
        header = lines[top - 1 : colon_line - 1] + [lines[colon_line - 1][: colon_col + 1]]
        return [line.rstrip() for line in header] + [" " * (node.col_offset + 4) + raise_line]
    out = [line.rstrip() for line in lines[top - 1 : colon_line]]
    body, after = node.body, colon_line
    if _has_docstring(node):
        out += [line.rstrip() for line in lines[colon_line : body[0].end_lineno]]
        after = body[0].end_lineno
        body = body[1:]
    indent = " " * (body[0].col_offset if body else node.col_offset + 4)
    stop = body[0].lineno - 1 if body else node.end_lineno
    out += _leading_comments(lines, after, stop)
    return out + [indent + raise_line]


def _stub_class(node, lines: list[str], source: str, exercise: str) -> list[str]:
    """Header and docstring of class ``node``, and a stub for each of its methods."""
    top = min([node.lineno] + [d.lineno for d in node.decorator_list])
    colon_line, _ = _signature_end(source, node.lineno)
    out = [line.rstrip() for line in lines[top - 1 : colon_line]]
    if _has_docstring(node):
        out += [line.rstrip() for line in lines[colon_line : node.body[0].end_lineno]]
    for child in node.body:
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += [""] + _stub_function(child, lines, source, exercise, owner=f"{node.name}.")
    return out


def _assigned_names(node) -> list[str]:
    """Names bound by a top-level assignment ``node`` (``a = ...``, ``a, b = ...``, ``a: int = ...``)."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = []
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                names.append(sub.id)
    return names


def solution_stub(source: str, number: int | None = None, title: str = "") -> str:
    """The student's version of a solution cell: what to write, and ``NotImplementedError``.

    Keeps the cell's opening comments, its imports, and each function's (or method's)
    signature, docstring and opening comments; the bodies become
    ``raise NotImplementedError("Exercise N: ...")``, so a check cell calling the function
    reports "not implemented yet". Other top-level code is the answer itself: the names it
    assigns are set to ``None`` (so a check cannot pick up an older value) and the cell raises.
    """
    exercise = f"Exercise {number}" if number is not None else "Exercise"
    lines = source.splitlines()
    heading = f"# {exercise}{' — ' + title if title else ''}: your answer. The check cell below says when it is right."
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics and the like: stub the whole cell
        tree = None
    if tree is None or not tree.body:
        comments = _leading_comments(lines, 0, len(lines))
        return "\n".join([heading, *comments, f'raise NotImplementedError("{exercise}: write the code described above")'])

    out = [heading] + _leading_comments(lines, 0, tree.body[0].lineno - 1)
    answer_names: list[str] = []
    answer_code = False
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out += [line.rstrip() for line in lines[node.lineno - 1 : node.end_lineno]]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out += [""] + _stub_function(node, lines, source, exercise)
        elif isinstance(node, ast.ClassDef) and any(
            isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)) for c in node.body
        ):
            out += [""] + _stub_class(node, lines, source, exercise)
        else:
            answer_code = True
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                answer_names += [n for n in _assigned_names(node) if n not in answer_names]
    if answer_code:
        what = ", ".join(f"`{n}`" for n in answer_names) or "the code described above"
        out += ["", f"# TODO: write the code that computes {what}."]
        out += [f"{name} = None" for name in answer_names]
        out.append(f'raise NotImplementedError("{exercise}: write the code that computes {what.replace("`", "")}")')
    return "\n".join(out).strip("\n")


def exercise_numbers(nb) -> list[tuple[int, int | None, str]]:
    """``(cell index, exercise number, title)`` of every solution cell, from the ``### Exercise N`` above it."""
    number, title, out = None, "", []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = EXERCISE_HEADING.findall(cell.source)
            if found:
                number, title = int(found[-1][0]), found[-1][1].strip()
        elif SOLUTION_TAG in _tags(cell):
            out.append((i, number, title))
    return out


def student_edition(nb) -> nbformat.NotebookNode:
    """A copy of ``nb`` whose solution cells are stubs (tagged ``exercise``), without outputs.

    Every other cell is kept as it is, check cells included.
    """
    student = copy.deepcopy(nb)
    for i, number, title in exercise_numbers(nb):
        cell = student.cells[i]
        cell.source = solution_stub(cell.source, number, title)
        cell.metadata["tags"] = [STUB_TAG if t == SOLUTION_TAG else t for t in _tags(cell)]
    for cell in student.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    student.metadata.setdefault("dlmi", {})["edition"] = "student"
    return student


def _write_atomically(nb, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            nbformat.write(nb, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _backup_name(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak-{stamp}-{n}")
        n += 1
    return backup


def write_student_edition(
    notebooks: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *, force: bool = False
) -> list[tuple[Path, str, Path | None]]:
    """Write the student edition of each notebook into ``out_dir``.

    A notebook already in ``out_dir`` is a student's work and is kept, unless ``force``: then it
    is first copied to ``NAME.ipynb.bak-YYYYmmdd-HHMMSS``. Returns ``(target, action, backup)``
    per notebook, ``action`` being ``"written"``, ``"kept"`` or ``"replaced"``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"out_dir must be a directory, but {out_dir} is a file")
    sources = [Path(p) for p in notebooks]
    if not sources:
        raise ValueError("notebooks must name at least one .ipynb file, got none")
    editions = [(src, student_edition(read(src))) for src in sources]  # all readable before writing
    out_dir.mkdir(parents=True, exist_ok=True)
    report = []
    for src, nb in editions:
        target = out_dir / src.name
        backup = None
        if target.exists() and not force:
            report.append((target, "kept", None))
            continue
        action = "written"
        if target.exists():
            backup = _backup_name(target)
            shutil.copy2(target, backup)
            action = "replaced"
        _write_atomically(nb, target)
        report.append((target, action, backup))
    return report


# --------------------------------------------------------------------------- slide metadata


def _slide_type(cell, previous) -> str:
    if previous is None:
        return "slide"
    if cell.cell_type == "markdown":
        first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
        if re.match(r"^#{1,2}\s", first):
            return "slide"
        if re.match(r"^###\s", first):
            return "subslide"
        if previous.cell_type == "code":
            return "subslide"
        return "-"
    if SOLUTION_TAG in _tags(cell):
        return "fragment"
    return "-"


def add_slide_metadata(nb) -> nbformat.NotebookNode:
    """Set ``metadata.slideshow.slide_type`` of every cell of ``nb`` (in place) and return ``nb``.

    The first cell and ``#``/``##`` headings open a slide; ``###`` headings and prose that follows
    code open a sub-slide (one idea per sub-slide); solutions are fragments, shown on a key
    press after their statement; every other cell continues its slide (``-``). The types follow
    from the cells alone, so running it again changes nothing.
    """
    previous = None
    for cell in nb.cells:
        cell.metadata.setdefault("slideshow", {})["slide_type"] = _slide_type(cell, previous)
        previous = cell
    return nb


def write_slide_metadata(paths: Iterable[str | os.PathLike], *, check: bool = False) -> list[Path]:
    """Add slide metadata to each notebook file; return those that changed (or would, if ``check``).

    A notebook whose metadata is already right is not rewritten.
    """
    changed = []
    for path in map(Path, paths):
        nb = read(path)
        updated = add_slide_metadata(copy.deepcopy(nb))
        if updated != nb:
            changed.append(path)
            if not check:
                _write_atomically(updated, path)
    return changed


# --------------------------------------------------------------------------- executed editions


def execute(nb, *, cwd: str | os.PathLike, env: dict[str, str] | None = None,
            allow_errors: bool = False, timeout: int = 900) -> nbformat.NotebookNode:
    """Run every cell of a copy of ``nb`` in a fresh python3 kernel started in ``cwd``.

    ``env`` adds to (``None`` values remove from) the kernel's environment. ``MPLBACKEND`` is
    removed unless ``env`` sets it, so that figures are captured as images. The kernel is shut
    down afterwards, also when a cell fails.
    """
    from nbclient import NotebookClient

    kernel_env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    for key, value in (env or {}).items():
        if value is None:
            kernel_env.pop(key, None)
        else:
            kernel_env[key] = value
    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=kernel_env)
    return nb


def title_of(nb, default: str = "") -> tuple[str, str]:
    """(title, opening paragraph as plain text) from a notebook's title cell ``# 01 · Title``."""
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    lines = first.source.strip().splitlines() if first is not None else []
    if not lines or not lines[0].startswith("# "):
        return default, ""
    paragraph = []
    for line in lines[1:]:
        if not line.strip():
            if paragraph:
                break
            continue
        paragraph.append(line.strip())
    blurb = re.sub(r"[*_`]+", "", " ".join(paragraph))
    return lines[0][2:].strip(), blurb


def _for_students(nb) -> nbformat.NotebookNode:
    """``nb`` with its solutions replaced by stubs, keeping every other output.

    The check cells of the exercises lose their outputs too (they reported on the solution).
    """
    shown = copy.deepcopy(nb)
    stubbed = student_edition(nb)
    in_exercise = False
    for cell, stub in zip(shown.cells, stubbed.cells):
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            in_exercise = bool(EXERCISE_HEADING.search(cell.source))
        if SOLUTION_TAG in _tags(cell):
            cell.source, cell.metadata, cell.outputs, cell.execution_count = (
                stub.source, stub.metadata, [], None)
        elif in_exercise and CHECK_TAG in _tags(cell) and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return shown


def write_html(notebooks: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *,
               solutions: bool = False) -> Path:
    """Render each notebook (executed, ideally) to ``out_dir/NAME.html`` and write ``index.html``.

    Without ``solutions`` the exercises show the student's stubs. Returns the index's path.
    """
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter(template_name="lab")
    entries = []
    for path in sorted(map(Path, notebooks), key=lambda p: p.name):
        nb = read(path)
        title, blurb = title_of(nb, default=path.stem)
        body, _ = exporter.from_notebook_node(nb if solutions else _for_students(nb),
                                              resources={"metadata": {"name": title}})
        target = out_dir / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        entries.append((target.name, title, blurb))
    if not entries:
        raise ValueError("notebooks must name at least one .ipynb file, got none")
    items = "\n".join(
        f'  <li><a href="{html.escape(name)}">{html.escape(title)}</a>'
        f'{"<br><span>" + html.escape(blurb) + "</span>" if blurb else ""}</li>'
        for name, title, blurb in entries
    )
    index = out_dir / "index.html"
    index.write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>Deep learning for medical imaging — Part 2: the notebooks</title>\n"
        "<style>body{font:18px/1.5 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}"
        "li{margin:.6em 0}span{color:#555}</style>\n</head>\n<body>\n"
        "<h1>Deep learning for medical imaging — Part 2</h1>\n"
        "<p>The notebooks in course order, run once, to read before you run them yourself.</p>\n"
        f"<ol>\n{items}\n</ol>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return index


def write_slides(notebooks: Iterable[str | os.PathLike], out_dir: str | os.PathLike, *,
                 reveal_url_prefix: str = REVEAL_URL_PREFIX) -> list[Path]:
    """Write reveal.js slides ``out_dir/NAME.slides.html`` for each notebook; return their paths.

    reveal.js is loaded from ``reveal_url_prefix``: the CDN by default (needs network when
    presenting), or a relative path to a local copy of reveal.js 4 placed in ``out_dir``.
    """
    from nbconvert import SlidesExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    exporter = SlidesExporter(reveal_url_prefix=reveal_url_prefix, reveal_scroll=True)
    written = []
    for path in sorted(map(Path, notebooks), key=lambda p: p.name):
        nb = add_slide_metadata(read(path))
        title, _ = title_of(nb, default=path.stem)
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    if not written:
        raise ValueError("notebooks must name at least one .ipynb file, got none")
    return written
