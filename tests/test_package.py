"""The package's foundation: version, seeding, device choice and fast mode."""

import importlib
import random

import numpy as np
import pytest
import torch

import dlmi


def test_version_is_a_dotted_triple():
    parts = dlmi.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_require_version_accepts_older_and_rejects_newer():
    dlmi.require_version("0.0.1")
    dlmi.require_version(dlmi.__version__)
    with pytest.raises(ImportError, match="make lab"):
        dlmi.require_version("99.0.0")
    with pytest.raises(ValueError, match="version"):
        dlmi.require_version("latest")


def test_seed_everything_repeats_python_numpy_and_torch_draws():
    def draws():
        rng = dlmi.seed_everything(123)
        return random.random(), np.random.rand(), torch.rand(1).item(), rng.normal()

    assert draws() == draws()
    first = draws()
    dlmi.seed_everything(124)
    assert torch.rand(1).item() != first[2]


@pytest.mark.parametrize("bad, error", [(1.5, TypeError), ("0", TypeError), (True, TypeError), (-1, ValueError)])
def test_seed_everything_rejects_bad_seeds(bad, error):
    with pytest.raises(error, match="seed"):
        dlmi.seed_everything(bad)


def test_get_device_prefers_cuda_when_present(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert dlmi.get_device().type == "cuda"
    assert dlmi.get_device("cpu").type == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert dlmi.get_device().type == "cpu"
    with pytest.raises(RuntimeError, match="CUDA"):
        dlmi.get_device("cuda")
    with pytest.raises(ValueError, match="prefer"):
        dlmi.get_device("tpu")


def test_setup_notebook_prints_mode_and_applies_style(capsys, monkeypatch):
    import matplotlib as mpl

    monkeypatch.setenv("DLMI_FAST", "1")
    dlmi.setup_notebook(min_version="0.1.0")
    out = capsys.readouterr().out
    assert "fast mode" in out and dlmi.__version__ in out
    assert mpl.rcParams["font.size"] == dlmi.viz.STYLE["font.size"]


@pytest.mark.parametrize("value, seed", [("", 0), ("0", 0), ("7", 7), (" 12 ", 12)])
def test_setup_notebook_returns_the_seed_of_dlmi_seed(capsys, monkeypatch, value, seed):
    import numpy as np

    monkeypatch.setenv("DLMI_SEED", value)
    assert dlmi.config.seed() == seed
    assert dlmi.setup_notebook(min_version="0.1.0") == seed
    assert f"seed {seed}" in capsys.readouterr().out
    first = np.random.rand()
    dlmi.setup_notebook(min_version="0.1.0")
    assert np.random.rand() == first  # the global generators are seeded with it


@pytest.mark.parametrize("value", ["-1", "one", "1.5", str(2**31), str(2**32)])
def test_a_bad_dlmi_seed_is_named(monkeypatch, value):
    monkeypatch.setenv("DLMI_SEED", value)
    with pytest.raises(ValueError, match="DLMI_SEED"):
        dlmi.setup_notebook(min_version="0.1.0")


def test_an_explicit_seed_wins_over_dlmi_seed(capsys, monkeypatch):
    monkeypatch.setenv("DLMI_SEED", "5")
    assert dlmi.setup_notebook(min_version="0.1.0", seed=3) == 3


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_module"):
        dlmi.no_such_module


@pytest.mark.parametrize("package", ["dlmi", "dlmi.data", "dlmi.widgets"])
def test_lazy_packages_name_themselves_in_attribute_errors(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=rf"module '{package}' has no attribute 'no_such_module'"):
        module.no_such_module


def test_lazy_getattr_reports_a_missing_dependency_as_it_is(tmp_path, monkeypatch):
    """A submodule that fails to import its own dependency must not pass for a missing attribute."""
    package = tmp_path / "lazy_probe"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from dlmi._lazy import lazy_getattr\n__getattr__ = lazy_getattr(__name__, {'thing': 'broken'})\n")
    (package / "broken.py").write_text("import a_dependency_that_is_not_installed\nthing = 1\n")
    (package / "fine.py").write_text("thing = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = importlib.import_module("lazy_probe")
    assert probe.fine.thing == 2
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_not_installed"):
        probe.thing
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_is_not_installed"):
        probe.broken
