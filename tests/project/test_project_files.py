"""The files of a maintained project: LICENSE, CITATION.cff and the pre-commit hooks agree with pyproject.toml."""

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _licence() -> str:
    """pyproject's licence: ``license = "MIT"`` or ``license = { text = "MIT" }``."""
    licence = PROJECT["license"]
    return licence if isinstance(licence, str) else licence["text"]


def test_license_is_the_mit_licence_that_pyproject_declares():
    assert _licence() == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 The dlmi authors" in text


def test_citation_matches_pyproject():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert str(citation["version"]) == PROJECT["version"], "CITATION.cff's version is not pyproject.toml's"
    assert citation["license"] == _licence(), "CITATION.cff's licence is not pyproject.toml's"
    assert citation["type"] == "software" and citation["title"] and citation["message"]
    assert citation["authors"] == [{"name": "The dlmi authors"}], "the authors are one entity"
    assert str(citation["date-released"]) == "2026-12-03"
    assert citation["abstract"].strip().count(". ") == 0, "the abstract is one sentence"


def _hooks() -> list[dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return [dict(hook, repo=repo["repo"]) for repo in config["repos"] for hook in repo["hooks"]]


def test_every_pre_commit_hook_is_local_with_a_language_and_an_entry():
    hooks = _hooks()
    assert hooks
    for hook in hooks:
        assert hook["repo"] == "local", f"hook {hook['id']}: the hook repositories on GitHub cannot be fetched here"
        assert hook.get("language") and hook.get("entry"), f"hook {hook['id']} needs a language and an entry"
        if hook["language"] == "python":
            pins = hook.get("additional_dependencies", [])
            assert pins and all("==" in pin for pin in pins), f"hook {hook['id']}: pin its dependencies"


def test_pre_commit_runs_ruff_nbstripout_and_jupytext():
    hooks = {hook["id"]: hook for hook in _hooks()}
    assert {"ruff", "nbstripout", "jupytext"} <= set(hooks)
    for name in ("ruff", "nbstripout", "jupytext"):
        assert hooks[name]["entry"].split()[0] == name
        assert any(pin.startswith(f"{name}==") for pin in hooks[name]["additional_dependencies"])
    assert hooks["ruff"]["entry"].split()[1] == "check"
    assert "--to scripts//py:percent" in hooks["jupytext"]["entry"], "the same one-way conversion as `make pair`"


def test_the_tools_are_in_the_extras():
    extras = PROJECT["optional-dependencies"]
    names = {extra: {pin.split(">")[0].split("=")[0].split(";")[0].strip() for pin in pins}
             for extra, pins in extras.items()}
    assert "jupytext" in names["editions"], "make pair (dlmi.editions.scripts) needs jupytext"
    assert "dlmi[editions]" in names["test"], "the pairing test needs jupytext, through the editions extra"
    assert {"pre-commit", "ruff", "nbstripout"} <= names["dev"]
