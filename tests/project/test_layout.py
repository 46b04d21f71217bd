"""The tests mirror the package: a reader finds the tests of dlmi/<path>.py in tests/<path>'s folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
#: Folders of tests that are not about one module: the repository itself, real data end to end,
#: and the browser.
NOT_MIRRORED = {"project", "integration", "browser"}
#: Test files named for the package as a whole rather than one module.
PACKAGE_LEVEL = {"test_package.py"}


def _module_of(test: Path) -> Path:
    """tests/data/test_brain.py -> dlmi/data/brain.py (or the subpackage dlmi/data/brain/)."""
    relative = test.relative_to(TESTS)
    return ROOT / "dlmi" / relative.parent / relative.name.removeprefix("test_")


def test_every_unit_test_file_is_named_for_a_module_of_the_package():
    orphans = []
    for test in sorted(TESTS.rglob("test_*.py")):
        folder = test.relative_to(TESTS).parts[0]
        if folder in NOT_MIRRORED or test.name in PACKAGE_LEVEL:
            continue
        module = _module_of(test)
        if not (module.is_file() or module.with_suffix("").is_dir()):
            orphans.append(str(test.relative_to(ROOT)))
    assert not orphans, f"test files with no module of that name in dlmi/ (move or rename them): {orphans}"


def test_every_module_with_code_has_tests():
    untested = []
    for module in sorted((ROOT / "dlmi").rglob("*.py")):
        relative = module.relative_to(ROOT / "dlmi")
        if module.name.startswith("_") or module.parent.name == "chestxray" and module.name != "__init__.py":
            continue  # private modules, and the chest X-ray simulator's parts (tested through it)
        test = TESTS / relative.parent / f"test_{module.stem}.py"
        if not test.is_file():
            untested.append(str(relative))
    assert not untested, f"modules without tests/<same path>/test_<module>.py: {untested}"
