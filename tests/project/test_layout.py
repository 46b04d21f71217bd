"""The tests mirror the package: a reader finds the tests of dlmi/<path>.py in tests/<path>'s folder."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
#: Folders of tests that are not about one module: the repository itself, real data end to end,
#: the browser and the class's JupyterHub.
NOT_MIRRORED = {"project", "integration", "browser", "hub"}
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


#: The package's layers, lowest first: a module imports only from layers below its own (function-level
#: imports included), so that chapter 2 never needs chapter 4 and the data never need a model.
LAYERS = [
    {"_lazy", "validation", "config"},
    {"runtime", "divergence"},
    {"data"},
    {"linear", "optim", "conv", "models", "metrics", "interpret", "alzheimer"},
    {"nn", "surfaces", "train", "features", "calibration"},
    {"regularisation", "estimators", "recipes"},
    {"evaluation", "viz", "brain_age"},
    {"widgets", "checks", "editions"},
    {"__init__"},
]


def _unit(path: Path) -> str:
    """dlmi/data/brain.py -> "data", dlmi/nn.py -> "nn", dlmi/__init__.py -> "__init__"."""
    parts = path.relative_to(ROOT / "dlmi").with_suffix("").parts
    return parts[0] if parts[:1] != ("__init__",) else "__init__"


def _imports(path: Path) -> set[str]:
    """The units of dlmi that ``path`` imports, anywhere in the file."""
    import ast

    package = path.relative_to(ROOT / "dlmi").parent.parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            base = list(package[:len(package) - node.level + 1])
            target = base + (node.module.split(".") if node.module else [])
            found |= {target[0]} if target else {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dlmi."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("dlmi.")}
    return found


def test_lower_layers_never_import_higher_ones():
    layer = {unit: k for k, units in enumerate(LAYERS) for unit in units}
    upward = []
    for path in sorted((ROOT / "dlmi").rglob("*.py")):
        unit = _unit(path)
        assert unit in layer, f"{path.relative_to(ROOT)}: add its unit {unit!r} to LAYERS"
        for other in _imports(path) - {unit}:
            if layer[other] >= layer[unit]:
                upward.append(f"{path.relative_to(ROOT)} imports {other}")
    assert not upward, f"imports that go up (or across) a layer: {upward}"
