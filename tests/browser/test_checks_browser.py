"""A failed check cell in JupyterLab, as a student sees it: the verdict once, and no traceback.

A check (``dlmi.checks.check_*`` or ``expect``) that fails raises ``CheckFailed``, which IPython
shows as its message alone: under the cell, the ✗ line with what was expected, what came back and a
hint, once, with no ``AssertionError:`` line and no frames of the check's code. JupyterLab and
Chromium are started as in test_widgets_browser.py, whose ``Lab`` server this test borrows.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def _widgets_browser():
    """tests/browser/test_widgets_browser.py as a module (pytest imports test files by path)."""
    path = Path(__file__).with_name("test_widgets_browser.py")
    spec = importlib.util.spec_from_file_location("_dlmi_widgets_browser", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_helpers = _widgets_browser()
Lab, CHROMIUM_FLAGS, PANEL, STATUS_JS = _helpers.Lab, _helpers.CHROMIUM_FLAGS, _helpers.PANEL, _helpers.STATUS_JS

#: name -> (cells, the failing check cell's first line); the failing cell comes last, so Run All runs every cell.
NOTEBOOKS = {
    "00_failed_check.ipynb": (
        ["import numpy as np\nimport dlmi.checks",
         "def sigmoid(z):\n    \"\"\"A wrong answer: tanh is not the sigmoid.\"\"\"\n    return np.tanh(z)",
         "assert dlmi.checks.check_sigmoid(sigmoid)"],
        "✗ sigmoid: relative error"),
    "00_failed_expect.ipynb": (
        ["from dlmi.checks import expect",
         "expect(0.4, '>', 0.5, what='training accuracy')"],
        "✗ training accuracy: 0.4 is not > 0.5"),
}
RUN_TIMEOUT_S = 120


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get("DLMI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.skip("Chromium is not installed: as root run `apt-get install -y chromium` "
                    "(or `make test-browser`, which does), or set DLMI_CHROMIUM=/path/to/chromium")
    return path


@pytest.fixture(scope="module")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in the test extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root_dir = base / "notebooks"
    root_dir.mkdir()
    for name, (sources, _) in NOTEBOOKS.items():
        cells = [new_markdown_cell(f"# {name}")] + [new_code_cell(source) for source in sources]
        cells[-1].metadata["tags"] = ["check"]
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, root_dir / name)
    server = Lab(base, root_dir)
    yield server
    left = server.shut_down()
    assert not left, f"kernels or processes left running after the server shut down: {left}"


def run_all(page, lab, name: str, n_code: int) -> None:
    """Open ``name`` in JupyterLab and Run All; return once every code cell has a prompt number."""
    page.goto(f"{lab.url}/lab/tree/{name}?reset&token={lab.token}")
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=60_000)
    page.wait_for_function(
        f"() => {{ const t = ({STATUS_JS})(); return /\\|\\s*Idle/.test(t) && !/No Kernel/.test(t); }}",
        timeout=60_000)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    prompts = (f"() => [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')]"
               ".map(p => p.textContent)")
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        shown = page.evaluate(prompts)
        if len(shown) == n_code and all(re.fullmatch(r"\s*\[\d+\]:\s*", p) for p in shown):
            return
        time.sleep(0.5)
    raise AssertionError(f"{name}: the cells did not all run within {RUN_TIMEOUT_S} s: {page.evaluate(prompts)}")


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_a_failed_check_shows_its_verdict_once_and_no_traceback(name, browser, lab):
    sources, first_line = NOTEBOOKS[name]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        run_all(page, lab, name, len(sources))
        cell = page.locator(f"{PANEL} .jp-CodeCell").last
        cell.locator(".jp-OutputArea-output").first.wait_for(timeout=30_000)
        outputs = cell.locator(".jp-OutputArea-output")
        texts = outputs.all_inner_texts()
        shown = "\n".join(texts)
        assert len(texts) == 1, f"one output under the cell, its verdict: {texts}"
        assert outputs.first.get_attribute("data-mime-type") == "application/vnd.jupyter.stderr", \
            "the verdict is the cell's error: shown in red, and a notebook run (nbval) still fails"
        assert shown.startswith(first_line) and shown.count("✗") == 1, shown
        for noise in ("AssertionError", "CheckFailed", "Traceback", "File ", "core.py", "bounds.py", "----"):
            assert noise not in shown, f"{noise!r} under the failed check:\n{shown}"
        if "check_sigmoid" in sources[-1]:
            assert "expected:" in shown and "got:" in shown and "hint:" in shown and "for z = [0.]" in shown
    finally:
        page.close()
