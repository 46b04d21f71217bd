"""Every third-party module that dlmi imports is declared in pyproject.toml, where it is needed.

The teaching package's imports are [project] dependencies; the build tooling's (dlmi/editions/)
are the `editions` extra, which the `test` extra includes.
"""

import ast
import re
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
#: Import names that differ from the distribution's name on PyPI.
DISTRIBUTION = {"PIL": "pillow", "IPython": "ipython", "sklearn": "scikit-learn", "yaml": "pyyaml"}


def _names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.\-]+", r).group(0).lower().replace("_", "-") for r in requirements}


def _imports(folder: Path, exclude: Path | None = None) -> dict[str, str]:
    """Distribution -> one file importing it, for the third-party imports of the files below ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        if exclude is not None and exclude in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top != "dlmi" and top not in sys.stdlib_module_names:
                    found.setdefault(DISTRIBUTION.get(top, top).lower(), str(path.relative_to(ROOT)))
    return found


def test_the_teaching_package_imports_only_declared_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _names(project["dependencies"])
    used = _imports(ROOT / "dlmi", exclude=ROOT / "dlmi" / "editions")
    missing = {name: where for name, where in used.items() if name not in declared}
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_the_build_tooling_imports_only_what_its_extra_declares():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    declared = _names(project["dependencies"]) | _names(extras["editions"])
    missing = {n: w for n, w in _imports(ROOT / "dlmi" / "editions").items() if n not in declared}
    assert not missing, f"imported by dlmi/editions but in neither [project] dependencies nor the editions extra: {missing}"
    assert "dlmi[editions]" in extras["test"], "the test extra must install the editions extra (the tests build editions)"
