import nbclient
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from dlmi import checks
from dlmi.checks import CheckFailed, core


def test_compare_accepts_right_and_explains_wrong(capsys, failure):
    assert checks.compare("demo", [1.0, 2.0], np.array([1.0, 2.0 + 1e-9]))
    assert "✓ demo" in capsys.readouterr().out
    message = failure(lambda got: checks.compare("demo", [1.0, 2.0], got, hint="look again"), [1.0, 2.5])
    assert message.startswith("✗ demo") and "expected" in message and "got" in message and "look again" in message
    assert "wrong shape" in failure(lambda got: checks.compare("demo", [1.0, 2.0], got), [1.0])
    assert "NaN" in failure(lambda got: checks.compare("demo", [1.0], got), [np.nan])
    assert "not computed yet" in failure(lambda got: checks.compare("demo", [1.0], got), None)


def test_call_turns_exceptions_into_one_line(failure):
    def broken(x):
        return x / undefined_name  # noqa: F821

    def stub(x):
        raise NotImplementedError

    message = failure(lambda fn: checks.call("demo", fn, 1.0), broken)
    assert "NameError" in message and "\n" not in message
    assert "not implemented yet" in failure(lambda fn: checks.call("demo", fn, 1.0), stub)
    assert "expected a function" in failure(lambda fn: checks.call("demo", fn, 1.0), 3.0)
    assert checks.call("demo", lambda x: 2 * x, 1.5) == 3.0


def test_check_function_runs_every_case(failure):
    cases = [(np.array([0.0, 1.0]),), (np.array([-3.0]),)]
    assert checks.check_function("square", lambda x: x**2, cases, np.square)
    failure(lambda fn: checks.check_function("square", fn, cases, np.square), lambda x: x**2 if x.size > 1 else x)


def test_relative_error_is_scale_free():
    assert checks.relative_error(1e6, 1e6 + 1) < 1e-5
    assert checks.relative_error(0.0, 0.0) == 0.0


def _lines(out):
    return [line for line in out.splitlines() if line.startswith(("✓", "✗"))]


def test_check_function_gives_the_student_copies_and_computes_the_reference_first(capsys):
    cases = [(np.linspace(-2.0, 2.0, 5),), (np.array([0.5]),)]
    assert checks.check_function("tanh", lambda z: np.tanh(z, out=z), cases, np.tanh)
    assert cases[0][0][0] == -2.0  # the case itself is untouched


def test_check_function_gives_one_verdict_even_when_early_cases_pass(capsys, failure):
    cases = [(np.array([0.0, 1.0]),), (np.array([-3.0]),)]
    assert checks.check_function("square", lambda x: x**2, cases, np.square)
    assert _lines(capsys.readouterr().out) == ["✓ square: correct — 2 cases match (relative error ≤ 0.0e+00)"]
    message = failure(lambda fn: checks.check_function("square", fn, cases, np.square),
                      lambda x: x**2 if x.size > 1 else x)
    lines = _lines(message)
    assert len(lines) == 1 and lines[0].startswith("✗ square") and lines[0].endswith("for x = [-3.]")


def test_a_failure_names_the_input_written_out_when_small_and_by_shape_when_large(failure):
    def check(fn):
        return checks.check_function("f", fn, [(np.arange(6.0).reshape(2, 3), 2.0), (np.ones((20, 3)), 1.0)],
                                     lambda a, k: a * k)

    assert "for a = [[0., 1., 2.], [3., 4., 5.]], k = 2" in failure(check, lambda a, k: a + k)
    assert "for a = (20, 3) array, k = 1" in failure(check, lambda a, k: a * k if k == 2 else a + 1)
    assert "for argument 1 = [[0., 1., 2.], [3., 4., 5.]]" in failure(check, lambda *args: args[0])


def test_check_function_names_a_known_mistake(failure):
    cases = [(np.array([1.0, 2.0]),)]
    mistakes = {"you cubed instead of squaring": lambda x: x**3}
    message = failure(lambda fn: checks.check_function("square", fn, cases, np.square, mistakes=mistakes),
                      lambda x: x**3)
    assert "you cubed instead of squaring" in message


def test_values_near_zero_match_within_the_absolute_slack(capsys):
    assert core.mismatch(9.3576e-14, 9.3481e-14, tol=1e-6) is None
    assert core.mismatch(0.0, 2 * core.ATOL, tol=1e-6) is not None
    assert checks.compare("tiny", [9.3576e-14, 0.5], [9.3481e-14, 0.5])


def test_none_is_reported_as_a_forgotten_return(failure):
    message = failure(lambda fn: checks.call("demo", fn, 1.0), lambda x: None)
    assert "returned None" in message and "forget `return`" in message
    message = failure(lambda fn: checks.check_function("square", fn, [(np.ones(2),)], np.square), lambda x: None)
    assert "forget `return`" in message and "shape" not in message


@pytest.mark.parametrize("value, says", [(None, "is still None"), ("1", "one number"), (True, "one number"),
                                          (np.ones(2), "one number"), (np.inf, "finite")])
def test_number_explains_what_is_not_one_number(value, says, failure):
    assert says in failure(lambda v: core.number("demo", v, what="`x`"), value)


def test_number_accepts_numpy_and_python_numbers():
    assert core.number("demo", np.float32(0.5), what="`x`") == 0.5
    assert core.number("demo", np.array([[2]]), what="`x`") == 2.0


def test_check_failed_is_an_assertion_error_that_ipython_shows_as_its_message_alone():
    error = CheckFailed("✗ demo: wrong\n    hint: look again")
    assert isinstance(error, AssertionError)
    assert error._render_traceback_() == ["✗ demo: wrong", "    hint: look again"]


# --------------------------------------------------------------------------- in a real kernel

KERNEL_CELLS = [
    "import numpy as np\nimport dlmi.checks",
    "def sigmoid(z):\n    return np.tanh(z)",
    "assert dlmi.checks.check_sigmoid(sigmoid)",
    "dlmi.checks.expect(0.4, '>', 0.5, what='accuracy')",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``KERNEL_CELLS`` run by nbclient in a python3 kernel, errors kept as outputs."""
    nb = new_notebook(cells=[new_code_cell(source) for source in KERNEL_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path_factory.mktemp("kernel"))}})
    client.execute()
    return nb


def _shown(cell) -> str:
    """What Jupyter shows under a cell: the streams, and an error's traceback lines."""
    parts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.append("\n".join(output.traceback))
    return "\n".join(parts)


def test_a_failed_check_in_a_kernel_shows_its_message_once_and_no_traceback(executed):
    cell = executed.cells[2]
    errors = [o for o in cell.outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "CheckFailed", "nbval and nbclient still see a failure"
    shown = _shown(cell)
    assert shown.count("✗") == 1, shown
    assert shown.startswith("✗ sigmoid: ") and "hint:" in shown and "for z = [0.]" in shown
    assert "AssertionError" not in shown and "Traceback" not in shown and "core.py" not in shown, shown


def test_a_failed_expect_in_a_kernel_is_one_line(executed):
    shown = _shown(executed.cells[3])
    assert shown == "✗ accuracy: 0.4 is not > 0.5", shown
