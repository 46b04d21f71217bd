"""environment.yml (conda, Binder) must ask for the same packages as pyproject.toml."""

import re
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONDA_TO_PIP = {"pytorch-cpu": "torch", "pytorch": "torch"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return dict(_split(r) for r in project["dependencies"])


def _environment() -> tuple[dict[str, str], list[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    packages, pip_lines = {}, []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip_lines = entry["pip"]
            continue
        name, spec = _split(entry.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", entry) else entry)
        if name not in ("python", "pip"):
            packages[CONDA_TO_PIP.get(name, name)] = spec
    for line in pip_lines:
        if not line.startswith("-"):
            name, spec = _split(line)
            packages[name] = spec
    return packages, pip_lines


def test_environment_lists_the_same_packages_and_versions_as_pyproject():
    packages, _ = _environment()
    assert packages == _pyproject()


def test_environment_installs_the_project_itself():
    _, pip_lines = _environment()
    assert "-e ." in pip_lines


def test_environment_python_satisfies_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(e for e in env["dependencies"] if isinstance(e, str) and e.startswith("python="))
    minimum = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    want = tuple(int(x) for x in minimum.removeprefix(">=").split("."))
    have = tuple(int(x) for x in python.split("=")[1].split("."))
    assert have >= want


def test_constraints_pin_the_cpu_torch_that_the_makefile_installs():
    makefile = (ROOT / "Makefile").read_text()
    pin = re.search(r"TORCH_PIN := (torch==[\d.]+)", makefile).group(1)
    constraints = [
        line.strip() for line in (ROOT / "constraints.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert constraints == [pin]
    assert "torch" in _pyproject()
