import numpy as np

from dlmi import checks
from dlmi.checks import core


def test_compare_accepts_right_and_explains_wrong(capsys):
    assert checks.compare("demo", [1.0, 2.0], np.array([1.0, 2.0 + 1e-9]))
    assert "✓ demo" in capsys.readouterr().out
    assert not checks.compare("demo", [1.0, 2.0], [1.0, 2.5], hint="look again")
    out = capsys.readouterr().out
    assert "✗ demo" in out and "expected" in out and "got" in out and "look again" in out
    assert not checks.compare("demo", [1.0, 2.0], [1.0])
    assert "wrong shape" in capsys.readouterr().out
    assert not checks.compare("demo", [1.0], [np.nan])
    assert "NaN" in capsys.readouterr().out


def test_call_turns_exceptions_into_one_line(capsys):
    def broken(x):
        return x / undefined_name  # noqa: F821

    def stub(x):
        raise NotImplementedError

    ok, _ = checks.call("demo", broken, 1.0)
    assert not ok and "NameError" in capsys.readouterr().out
    ok, _ = checks.call("demo", stub, 1.0)
    assert not ok and "not implemented yet" in capsys.readouterr().out
    ok, _ = checks.call("demo", 3.0)
    assert not ok and "expected a function" in capsys.readouterr().out


def test_check_function_runs_every_case():
    cases = [(np.array([0.0, 1.0]),), (np.array([-3.0]),)]
    assert checks.check_function("square", lambda x: x**2, cases, np.square)
    assert not checks.check_function("square", lambda x: x**2 if x.size > 1 else x, cases, np.square)


def test_relative_error_is_scale_free():
    assert checks.relative_error(1e6, 1e6 + 1) < 1e-5
    assert checks.relative_error(0.0, 0.0) == 0.0


def _lines(out):
    return [line for line in out.splitlines() if line.startswith(("✓", "✗"))]


def test_check_function_gives_the_student_copies_and_computes_the_reference_first(capsys):
    cases = [(np.linspace(-2.0, 2.0, 5),), (np.array([0.5]),)]
    assert checks.check_function("tanh", lambda z: np.tanh(z, out=z), cases, np.tanh)
    assert cases[0][0][0] == -2.0  # the case itself is untouched


def test_check_function_prints_one_verdict_even_when_early_cases_pass(capsys):
    cases = [(np.array([0.0, 1.0]),), (np.array([-3.0]),)]
    assert checks.check_function("square", lambda x: x**2, cases, np.square)
    assert _lines(capsys.readouterr().out) == ["✓ square: correct — 2 cases match (relative error ≤ 0.0e+00)"]
    assert not checks.check_function("square", lambda x: x**2 if x.size > 1 else x, cases, np.square)
    lines = _lines(capsys.readouterr().out)
    assert len(lines) == 1 and lines[0].startswith("✗ square") and "(1,) array" in lines[0]


def test_check_function_names_a_known_mistake(capsys):
    cases = [(np.array([1.0, 2.0]),)]
    mistakes = {"you cubed instead of squaring": lambda x: x**3}
    assert not checks.check_function("square", lambda x: x**3, cases, np.square, mistakes=mistakes)
    assert "you cubed instead of squaring" in capsys.readouterr().out


def test_values_near_zero_match_within_the_absolute_slack(capsys):
    assert core.mismatch(9.3576e-14, 9.3481e-14, tol=1e-6) is None
    assert core.mismatch(0.0, 2 * core.ATOL, tol=1e-6) is not None
    assert checks.compare("tiny", [9.3576e-14, 0.5], [9.3481e-14, 0.5])


def test_none_is_reported_as_a_forgotten_return(capsys):
    ok, _ = checks.call("demo", lambda x: None, 1.0)
    out = capsys.readouterr().out
    assert not ok and "returned None" in out and "forget `return`" in out
    assert not checks.compare("demo", 0.5, None)
    out = capsys.readouterr().out
    assert "forget `return`" in out and "NaN" not in out
    assert not checks.check_function("square", lambda x: None, [(np.ones(2),)], np.square)
    out = capsys.readouterr().out
    assert "forget `return`" in out and "shape" not in out
