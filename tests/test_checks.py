"""dlmi.checks as a package: every chapter's check is exported, and importing it stays light."""

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import dlmi.checks as checks

CHAPTERS = sorted(p.stem for p in Path(checks.__file__).parent.glob("[a-z]*.py") if p.stem not in ("core", "bounds"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_public_check_of_a_chapter_is_the_packages_own(chapter):
    module = importlib.import_module(f"dlmi.checks.{chapter}")
    defined = [name for name, fn in inspect.getmembers(module, inspect.isfunction)
               if name.startswith("check_") and fn.__module__ == module.__name__]
    assert defined, f"dlmi/checks/{chapter}.py defines no check"
    for name in defined:
        assert getattr(checks, name) is getattr(module, name)
        assert name in checks.__all__ and name in dir(checks)


def test_importing_the_checks_loads_neither_torch_nor_scikit_learn():
    code = "import sys, dlmi.checks; print(sorted(m for m in ('torch', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_unknown_check_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="check_no_such_thing"):
        checks.check_no_such_thing
