"""The ``dlmi`` command: build the editions of the notebooks (build tooling, not the teaching API).

    dlmi student-edition OUT_DIR [--force]       the notebooks with exercise stubs, for students
    dlmi slides-metadata NOTEBOOK... [--check]   set the RISE / reveal.js slide types
    dlmi execute NOTEBOOK... --out DIR           run the notebooks, keep the outputs
    dlmi html OUT_DIR NOTEBOOK... [--solutions]  static HTML and an index page
    dlmi slides OUT_DIR NOTEBOOK...              reveal.js slides
    dlmi pair [--check]                          notebooks/scripts/*.py from notebooks/*.ipynb (make pair)
    dlmi from-script SCRIPT...                   an edited script's cells back into its notebook

Also ``python -m dlmi.editions ...``. Exit status: 0 done, 1 failed (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from .. import editions
from . import scripts


def _default_notebooks() -> Path:
    """``notebooks/`` of the clone this package runs from, else of the working directory."""
    beside = Path(__file__).resolve().parents[2] / "notebooks"
    return beside if beside.is_dir() else Path.cwd() / "notebooks"


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it, for shorter messages."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _notebook_paths(paths: list[str]) -> list[Path]:
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise ValueError(f"no such notebook: {', '.join(missing)}")
    return [Path(p) for p in paths]


def _student_edition(args) -> int:
    source = Path(args.source) if args.source else _default_notebooks()
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks found in {source}: pass --from DIR, the folder holding the .ipynb files")
    out_dir = Path(args.out_dir)
    if out_dir.resolve() == source.resolve():
        raise ValueError(f"OUT_DIR must differ from the instructor notebooks' folder {source}")
    report = editions.write_student_edition(notebooks, out_dir, force=args.force)
    for target, action, backup in report:
        if action == "written":
            print(f"wrote    {target}")
        elif action == "replaced":
            print(f"replaced {target} (your previous version is in {backup.name})")
        else:
            print(f"kept     {target}: it exists, so it holds your work (--force replaces it and keeps a backup)")
    kept = sum(action == "kept" for _, action, _ in report)
    print(f"student edition in {out_dir}: {len(report) - kept} written, {kept} kept")
    return 0


def _slides_metadata(args) -> int:
    changed = editions.write_slide_metadata(_notebook_paths(args.notebooks), check=args.check)
    if args.check:
        for path in changed:
            print(f"{path}: slide metadata is missing or out of date")
        if changed:
            print("run: python -m dlmi.editions slides-metadata " + " ".join(str(p) for p in changed))
        return 1 if changed else 0
    for path in changed:
        print(f"updated {path}")
    print(f"slide metadata: {len(changed)} updated, {len(args.notebooks) - len(changed)} already right")
    return 0


def _execute(args) -> int:
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in _notebook_paths(args.notebooks):
        print(f"executing {path} ...", flush=True)
        try:
            nb = editions.execute(editions.read(path), cwd=path.resolve().parent)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            print(f"dlmi execute: {path} failed to run:\n{exc}", file=sys.stderr)
            return 1
        nbformat.write(nb, out_dir / path.name)
        print(f"wrote     {out_dir / path.name}")
    return 0


def _html(args) -> int:
    index = editions.write_html(_notebook_paths(args.notebooks), args.out_dir, solutions=args.solutions)
    print(f"wrote {len(args.notebooks)} notebooks as HTML; open {index}")
    return 0


def _slides(args) -> int:
    written = editions.write_slides(_notebook_paths(args.notebooks), args.out_dir,
                                    reveal_url_prefix=args.reveal_url_prefix)
    for path in written:
        print(f"wrote {path}")
    return 0


def _pair(args) -> int:
    source = Path(args.source) if args.source else _default_notebooks()
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise ValueError(f"no notebooks found in {source}: pass --from DIR, the folder holding the .ipynb files")
    report = scripts.pair(notebooks, check=args.check)
    orphans = scripts.orphans(source)
    edited = [(nb, script) for nb, script, state in report if state == scripts.EDITED]
    behind = [(script, state) for _, script, state in report if state in (scripts.MISSING, scripts.BEHIND)]
    for script, state in behind:
        print(f"{'out of step' if args.check else 'wrote'} {_shown(script)} ({state})")
    for notebook, script in edited:
        print(f"kept {_shown(script)}: it differs from {notebook.name} and is not older, so it holds edits "
              f"of its own; bring them into the notebook with `python -m dlmi.editions from-script {_shown(script)}`, "
              "or delete the script to write it again from the notebook")
    for script in orphans:
        print(f"orphan {_shown(script)}: there is no {scripts.notebook_path(script).name}; delete the script, "
              f"or make it a notebook with `python -m dlmi.editions from-script {_shown(script)}`")
    if args.check:
        if behind:
            print("run: make pair (or python -m dlmi.editions pair)")
        return 1 if behind or edited or orphans else 0
    print(f"scripts: {len(report) - len(edited)} written from their notebooks ({len(behind)} changed), "
          f"{len(edited)} kept, {len(orphans)} without a notebook")
    return 1 if edited or orphans else 0


def _from_script(args) -> int:
    for path in args.scripts:
        if not Path(path).is_file():
            raise ValueError(f"no such script: {path}")
    for path in args.scripts:
        notebook = scripts.from_script(path)
        print(f"wrote {_shown(notebook)} from {path}, and the script again from it")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlmi", description="Build the editions of the dlmi notebooks.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("student-edition", help="write the notebooks with exercise stubs instead of solutions")
    p.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the student notebooks into")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="folder of the instructor notebooks (default: notebooks/ of this clone)")
    p.add_argument("--force", action="store_true",
                   help="replace notebooks that already exist in OUT_DIR, after backing each up")
    p.set_defaults(run=_student_edition)

    p = commands.add_parser("slides-metadata", help="set each cell's slide type, for RISE and reveal.js")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook needs updating")
    p.set_defaults(run=_slides_metadata)

    p = commands.add_parser("execute", help="run notebooks and write them with their outputs")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the executed notebooks")
    p.set_defaults(run=_execute)

    p = commands.add_parser("html", help="render notebooks (executed ones, ideally) as HTML with an index page")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--solutions", action="store_true", help="show the solutions (instructor edition)")
    p.set_defaults(run=_html)

    p = commands.add_parser("slides", help="render notebooks as reveal.js slides")
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--reveal-url-prefix", default=editions.REVEAL_URL_PREFIX, metavar="URL",
                   help="where reveal.js 4 is: a CDN (default, needs network) or a local copy's path")
    p.set_defaults(run=_slides)

    p = commands.add_parser("pair", help="write notebooks/scripts/NN_title.py from each notebook (jupytext, one way)")
    p.add_argument("--from", dest="source", metavar="DIR",
                   help="folder of the notebooks (default: notebooks/ of this clone)")
    p.add_argument("--check", action="store_true",
                   help="change nothing; exit 1 if a script is missing, out of step or has no notebook")
    p.set_defaults(run=_pair)

    p = commands.add_parser("from-script", help="write an edited script's cells into its notebook, then pair it")
    p.add_argument("scripts", nargs="+", metavar="SCRIPT", help="notebooks/scripts/NN_title.py")
    p.set_defaults(run=_from_script)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, OSError) as exc:
        print(f"dlmi {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
