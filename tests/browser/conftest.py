"""The browser tests run only when asked for: ``make test-browser`` or ``pytest tests/browser``.

A plain ``pytest tests`` (``make test-unit``) skips collecting this folder, so that ``make test``,
which runs both, does not start the browser twice, and so that the unit tests need neither
Playwright nor Chromium.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def _asked_for(config) -> bool:
    """True when a command-line argument points into this folder."""
    for arg in config.args:
        path = Path(str(arg).split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    if collection_path.suffix == ".py" and collection_path.name.startswith("test_") and not _asked_for(config):
        return True
    return None
