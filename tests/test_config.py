"""dlmi.config: DLMI_FAST and DLMI_SEED, read here and nowhere else."""

import pytest

import dlmi
from dlmi import config


@pytest.mark.parametrize("value, fast", [("1", True), ("true", True), ("0", False), ("", False)])
def test_fast_mode_reads_dlmi_fast(monkeypatch, value, fast):
    monkeypatch.setenv("DLMI_FAST", value)
    assert dlmi.fast_mode() is fast
    assert dlmi.pick(full=100, fast=10) == (10 if fast else 100)


@pytest.mark.parametrize("value, seed", [("", 0), ("0", 0), ("7", 7), (" 12 ", 12), (str(2**31 - 1), 2**31 - 1)])
def test_seed_reads_dlmi_seed(monkeypatch, value, seed):
    monkeypatch.setenv("DLMI_SEED", value)
    assert config.seed() == seed


@pytest.mark.parametrize("value", ["-1", "one", "1.5", str(2**31)])
def test_a_bad_dlmi_seed_is_a_value_error_naming_it(monkeypatch, value):
    monkeypatch.setenv("DLMI_SEED", value)
    with pytest.raises(ValueError, match="DLMI_SEED"):
        config.seed()
