"""dlmi.checks.expect: a check cell's numeric bound, asserted like ``assert`` and recorded for the robustness benchmark."""

import json
import subprocess
import sys

import numpy as np
import pytest

from dlmi.checks import CheckFailed, expect
from dlmi.checks.bounds import margin


@pytest.mark.parametrize("value, op, bound", [(0.9, ">", 0.8), (0.8, ">=", 0.8), (0.1, "<", 0.2), (0.2, "<=", 0.2),
                                              (np.float32(3.0), ">", 2), (np.array(0.5), "<", 1.0)])
def test_a_claim_that_holds_passes_silently(capsys, value, op, bound):
    assert expect(value, op, bound, what="x") is None
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("value, op, bound", [(0.7, ">", 0.8), (0.8, ">", 0.8), (0.3, "<", 0.2), (0.2, "<", 0.2),
                                              (float("nan"), ">", 0.0), (float("nan"), "<", 1.0)])
def test_a_claim_that_fails_raises_one_line_naming_the_quantity(value, op, bound):
    with pytest.raises(CheckFailed) as info:  # an AssertionError, that a notebook shows without a traceback
        expect(value, op, bound, what="Mass AUC")
    message = str(info.value)
    assert message.startswith("✗ Mass AUC:") and f"is not {op}" in message and "\n" not in message
    assert info.value._render_traceback_() == [message]


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="op"):
        expect(1.0, "=>", 0.0, what="x")
    with pytest.raises(TypeError, match="value"):
        expect(np.array([1.0, 2.0]), ">", 0.0, what="x")
    with pytest.raises(TypeError, match="value"):
        expect(True, ">", 0.0, what="x")
    with pytest.raises(TypeError, match="bound"):
        expect(1.0, ">", "0", what="x")
    with pytest.raises(TypeError, match="what"):
        expect(1.0, ">", 0.0, what="")


def test_margin_is_signed_and_in_the_quantitys_units():
    assert margin(0.9, ">", 0.8) == pytest.approx(0.1)
    assert margin(0.7, ">=", 0.8) == pytest.approx(-0.1)
    assert margin(0.1, "<", 0.25) == pytest.approx(0.15)


def test_dlmi_record_collects_every_claim_passed_or_failed(tmp_path, monkeypatch):
    record = tmp_path / "record.jsonl"
    monkeypatch.setenv("DLMI_RECORD", str(record))
    expect(0.9, ">", 0.8, what="a")
    with pytest.raises(AssertionError):
        expect(0.3, "<", 0.2, what="b")
    with pytest.raises(AssertionError):
        expect(float("nan"), "<", 0.2, what="c")
    rows = [json.loads(line) for line in record.read_text().splitlines()]
    assert [r["what"] for r in rows] == ["a", "b", "c"] and [r["passed"] for r in rows] == [True, False, False]
    assert rows[0]["margin"] == pytest.approx(0.1) and rows[1]["margin"] == pytest.approx(-0.1)
    assert rows[2]["margin"] is None and rows[1]["op"] == "<" and rows[1]["bound"] == 0.2


def test_without_dlmi_record_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("DLMI_RECORD", raising=False)
    monkeypatch.chdir(tmp_path)
    expect(1.0, ">", 0.0, what="a")
    assert list(tmp_path.iterdir()) == []


def test_importing_dlmi_checks_imports_neither_torch_nor_scikit_learn():
    code = ("import sys, dlmi.checks; from dlmi.checks import expect; "
            "print(sorted(m for m in ('torch', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_chapter_check_is_reachable_lazily():
    import dlmi.checks

    names = [n for n in dlmi.checks.__all__ if n.startswith("check_")]
    assert len(names) >= 20 and set(names) <= set(dir(dlmi.checks))
    assert dlmi.checks.check_sigmoid.__module__ == "dlmi.checks.nn"
    with pytest.raises(AttributeError):
        dlmi.checks.check_nothing_of_that_name
