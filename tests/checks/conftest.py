"""Fixtures of the checks' tests."""

import pytest

from dlmi.checks import CheckFailed


@pytest.fixture
def failure(capsys):
    """``failure(check, answer)``: the message of the ``CheckFailed`` that ``check(answer)`` raises.

    A failed check prints nothing (its message is the cell's error, shown once) and its message
    opens with ✗.
    """

    def run(check, *args):
        capsys.readouterr()
        with pytest.raises(CheckFailed) as info:
            check(*args)
        assert capsys.readouterr().out == "", "a failed check prints nothing: its message is the error"
        message = str(info.value)
        assert message.startswith("✗"), message
        return message

    return run
