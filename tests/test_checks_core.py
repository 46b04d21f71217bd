import numpy as np

from dlmi import checks


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
