"""End to end in a real browser: JupyterLab runs a notebook, its learning-rate slider moves, and
the figure and the readout follow; the notebook's HTML export shows the static figures.

JupyterLab listens on 127.0.0.1 (free port, token) over a temporary copy of the notebooks, with
its settings, runtime files and kernels' environment (DLMI_FAST=1) kept to that run. Debian's
Chromium, headless, is driven by Playwright (``executable_path``: Playwright downloads no browser).
At the end the server is shut down through its API and the test checks that no kernel it
started is left running; only processes started here are ever signalled.

Run with ``make test-browser`` or ``pytest tests/browser``; ``DLMI_CHROMIUM`` names another
Chromium binary.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from dlmi import editions

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_02 = ROOT / "notebooks" / "02_logistic_regression.ipynb"
SLIDER_LABEL = re.compile(r"learning rate|η", re.I)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
RUN_TIMEOUT_S = 180  # Run All of a notebook in fast mode, on a busy 2-core machine

HARNESS = '''import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display


def costs(lr, steps=30):
    """J(w) = w² along gradient descent from w = 1."""
    w = [1.0]
    for _ in range(steps):
        w.append(w[-1] - lr * 2 * w[-1])
    return np.array(w) ** 2


def readout_text(lr):
    J = costs(lr)
    return f"final J = {J[-1]:.3g} · " + ("converges" if J[-1] < J[0] else "diverges")


def draw(lr):
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.semilogy(costs(lr))
    ax.set(title=f"η = {lr:.2f}", xlabel="step", ylabel="J")
    return fig


draw(0.1)
plt.show()  # the default state as a static figure
slider = widgets.FloatSlider(value=0.1, min=0.05, max=1.5, step=0.05, description="learning rate")
readout = widgets.HTML(readout_text(slider.value))
out = widgets.Output()


def update(change):
    readout.value = readout_text(change["new"])
    with out:
        out.clear_output(wait=True)
        draw(change["new"])
        plt.show()


slider.observe(update, "value")
update({"new": slider.value})
display(widgets.VBox([slider, readout, out]))
'''


def harness_notebook() -> nbformat.NotebookNode:
    """A one-widget notebook built like the course's: it checks the harness itself."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cell = new_code_cell(HARNESS)
    cell.metadata["tags"] = ["widget"]
    nb = new_notebook(cells=[new_markdown_cell("# 00 · Widget harness"), cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


# --------------------------------------------------------------------------- processes


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state, ppid, ...), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _children(pid: int) -> dict[int, str]:
    """Every living descendant of ``pid``, with its start time (which tells a reused pid apart)."""
    stats = {int(e.name): _stat(int(e.name)) for e in Path("/proc").iterdir() if e.name.isdigit()}
    stats = {p: fields for p, fields in stats.items() if fields}
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, fields in stats.items() if int(fields[1]) in frontier} - found
        found |= frontier
    return {p: stats[p][19] for p in found}


def _alive(pid: int, started: str) -> bool:
    """True while the process ``pid`` that started at ``started`` runs (a zombie does not)."""
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] != "Z"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server of this test's own, on 127.0.0.1 with a token."""

    def __init__(self, base: Path, root_dir: Path):
        self.root_dir = root_dir
        self.token = secrets.token_hex(16)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = base / "lab-settings"
        for plugin, values in {
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none", "autoStartDefaultKernel": True},
            "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels draw inline
        env.update(
            DLMI_FAST="1",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            JUPYTER_CONFIG_DIR=str(base / "config"),
            JUPYTER_RUNTIME_DIR=str(base / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        )
        command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root_dir}",
                   "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(base / "jupyterlab.log", "w")
        self.process = subprocess.Popen(command, env=env, cwd=root_dir, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.log_path = base / "jupyterlab.log"
        try:
            self._wait_until_up()
        except BaseException:
            self.shut_down()
            raise

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer in {timeout} s:\n{self.log_path.read_text()[-3000:]}")

    def shut_down(self) -> list[int]:
        """Stop the kernels and the server through the API; return the pids of anything left.

        Whatever is left (after a grace period) is killed: the server's own process group, then
        each leftover descendant by its pid. All of them were started by this test.
        """
        started = _children(self.process.pid)
        try:
            for kernel in self.api("/api/kernels"):
                self.api(f"/api/kernels/{kernel['id']}", method="DELETE")
            self.api("/api/shutdown", method="POST")
        except OSError:
            pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and self.process.poll() is None:
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=30 if sig is None else 10)
                break
            except subprocess.TimeoutExpired:
                continue
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p, t) for p, t in started.items()):
            time.sleep(0.2)
        left = sorted(p for p, t in started.items() if _alive(p, t))
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        self.log.close()
        return left


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get("DLMI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        pytest.skip("Chromium is not installed: as root run `apt-get install -y chromium` "
                    "(or `make test-browser`, which does), or set DLMI_CHROMIUM=/path/to/chromium")
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root_dir = base / "notebooks"
    root_dir.mkdir()
    nbformat.write(harness_notebook(), root_dir / "00_widget_harness.ipynb")
    if NOTEBOOK_02.is_file():
        shutil.copy2(NOTEBOOK_02, root_dir / NOTEBOOK_02.name)
    server = Lab(base, root_dir)
    yield server
    left = server.shut_down()
    assert not left, f"kernels or processes left running after the server shut down: {left}"


@pytest.fixture(scope="module")
def browser(chromium):
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in the test extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# --------------------------------------------------------------------------- the page


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in view, not others the workspace holds
PROMPTS_JS = f"""() => [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt')]
    .map(p => p.textContent.trim())"""
STATUS_JS = "() => document.querySelector('#jp-main-statusbar')?.innerText || ''"


def open_and_run_all(page, lab: Lab, name: str) -> None:
    """Open notebook ``name`` in JupyterLab, run every cell, wait until each has run.

    Fails at once, with the error shown, when a cell raises (Run All stops there).
    """
    page.goto(f"{lab.url}/lab/tree/{name}?reset&token={lab.token}")  # reset: this notebook alone
    page.wait_for_selector(f"{PANEL} .jp-CodeCell", timeout=60_000)
    page.wait_for_function(  # the kernel is up and idle: the status bar says "Python 3 ... | Idle"
        f"() => {{ const t = ({STATUS_JS})(); return /\\|\\s*Idle/.test(t) && !/No Kernel/.test(t); }}",
        timeout=60_000)
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    n_code = sum(c.cell_type == "code" for c in nbformat.read(lab.root_dir / name, as_version=4).cells)
    deadline, idle_polls = time.monotonic() + RUN_TIMEOUT_S, 0
    while time.monotonic() < deadline:
        prompts = page.evaluate(PROMPTS_JS)
        if len(prompts) == n_code and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            return
        busy = "[*]:" in prompts or "Busy" in page.evaluate(STATUS_JS)
        idle_polls = 0 if busy else idle_polls + 1
        if idle_polls >= 3 and any(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            errors = page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            shown = "\n".join(errors.all_inner_texts())[-2000:]
            raise AssertionError(f"{name}: Run All stopped ({prompts}):\n{shown}")
        time.sleep(0.5)
    raise AssertionError(f"{name}: the cells did not all run within {RUN_TIMEOUT_S} s: {page.evaluate(PROMPTS_JS)}")


WIDGET_STATE_JS = """(cell, labelPattern) => {
    const label = new RegExp(labelPattern, 'i');
    const slider = [...cell.querySelectorAll('.widget-slider')]
        .find(s => label.test(s.querySelector('.widget-label')?.textContent || ''));
    const pixels = el => el.tagName === 'CANVAS' ? el.toDataURL() : el.src;
    const drawn = [...cell.querySelectorAll('.jp-Cell-outputArea img, .jp-Cell-outputArea canvas')];
    // the readout: the innermost element outside the slider that shows J and a status
    const readouts = [...cell.querySelectorAll('.jp-Cell-outputArea *')]
        .filter(el => !slider || !slider.contains(el))
        .filter(el => /J/.test(el.innerText || '') && /converg|diverg/i.test(el.innerText || ''))
        .filter(el => ![...el.children].some(c => /converg|diverg/i.test(c.innerText || '')));
    return {
        value: slider?.querySelector('.widget-readout')?.textContent.trim() ?? null,
        figures: drawn.map(pixels),
        // a figure shown as an ordinary output (not inside a widget) is what a headless run keeps
        outsideWidgets: drawn.filter(el => el.closest('.jupyter-widgets') === null).length,
        readout: readouts.map(el => el.innerText.trim()).join(' | '),
    };
}"""


def widget_state(cell) -> dict:
    """What the reader sees of a widget cell: slider value, readout text, figures' pixels."""
    return cell.evaluate(WIDGET_STATE_JS, SLIDER_LABEL.pattern)


def slider_cell(page):
    cells = page.locator(f"{PANEL} .jp-CodeCell").filter(has=page.locator(".widget-slider .widget-label",
                                                                 has_text=SLIDER_LABEL))
    assert cells.count() >= 1, "no slider whose description says 'learning rate' or 'η'"
    return cells.first


def drag_slider(page, cell, fraction: float) -> None:
    """Drag the learning-rate slider's handle by ``fraction`` of its track's width."""
    slider = cell.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text=SLIDER_LABEL)).first
    handle = slider.locator(".noUi-handle").first
    track = slider.locator(".noUi-target, .slider").first
    handle.scroll_into_view_if_needed()
    box, width = handle.bounding_box(), track.bounding_box()["width"]
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + fraction * width, y, steps=8)
    page.mouse.up()


def errors_in(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [f"cell {i}: {o.ename}: {o.evalue}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for o in c.outputs if o.output_type == "error"]


def check_slider_drives_figure_and_readout(page, lab: Lab, name: str) -> None:
    open_and_run_all(page, lab, name)
    cell = slider_cell(page)
    cell.scroll_into_view_if_needed()
    state = f"({WIDGET_STATE_JS})(cell, {json.dumps(SLIDER_LABEL.pattern)})"
    page.wait_for_function(f"cell => {state}.figures.length > 0", arg=cell.element_handle(), timeout=30_000)
    before = widget_state(cell)
    assert before["outsideWidgets"], "the widget cell must also show its figure as an ordinary output"
    assert before["readout"], (
        "no readout text next to the figure: the widget must show the final J and whether the run "
        "converges or diverges as text (an ipywidgets HTML/Label or printed output)")

    drag_slider(page, cell, 0.6)
    page.wait_for_function(
        f"""([cell, before]) => {{
            const now = {state};
            return now.figures.length > 0 && JSON.stringify(now.figures) !== JSON.stringify(before.figures)
                && now.readout !== before.readout;
        }}""",
        arg=[cell.element_handle(), before], timeout=30_000)
    after = widget_state(cell)
    assert after["value"] != before["value"], "the slider's value did not move"
    assert after["figures"] != before["figures"], "the figure did not change"
    assert after["readout"] != before["readout"], f"the readout did not change: {after['readout']!r}"
    for text in (before["readout"], after["readout"]):
        assert "nan" not in text.lower(), f"the readout prints NaN instead of saying it diverges: {text!r}"


# --------------------------------------------------------------------------- tests


def test_harness_slider_drives_figure_and_readout(browser, lab):
    """The harness notebook first: if this fails, the browser set-up is at fault, not notebook 02."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        check_slider_drives_figure_and_readout(page, lab, "00_widget_harness.ipynb")
    finally:
        page.close()


@pytest.fixture(scope="module")
def notebook_02_saved(browser, lab):
    """Notebook 02 run in JupyterLab, its slider moved, then saved with its outputs."""
    if not NOTEBOOK_02.is_file():
        pytest.skip(f"{NOTEBOOK_02.relative_to(ROOT)} is not there yet")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        check_slider_drives_figure_and_readout(page, lab, NOTEBOOK_02.name)
        dirty = """name => [...document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab')]
            .filter(tab => tab.textContent.includes(name)).map(tab => tab.classList.contains('jp-mod-dirty'))"""
        assert page.evaluate(dirty, NOTEBOOK_02.name) == [True], "the run notebook should be unsaved"
        page.keyboard.press("Control+s")
        page.wait_for_function(f"name => ({dirty})(name).join() === 'false'", arg=NOTEBOOK_02.name,
                               timeout=30_000)
        saved = lab.root_dir / NOTEBOOK_02.name
        assert any(c.get("outputs") for c in nbformat.read(saved, as_version=4).cells), "saved without outputs"
    finally:
        page.close()
    return saved


def test_notebook_02_slider_drives_figure_and_readout(notebook_02_saved):
    assert not errors_in(notebook_02_saved), errors_in(notebook_02_saved)


def test_html_export_shows_the_widgets_static_figure(notebook_02_saved, browser, tmp_path):
    """The notebook as run in JupyterLab, exported by `dlmi html`, opened in Chromium."""
    index = editions.write_html([notebook_02_saved], tmp_path)
    page = browser.new_page()
    try:
        page.goto(index.as_uri())
        page.locator("a", has_text="02").first.click()
        page.wait_for_load_state("load")
        figures = page.evaluate(
            """() => [...document.querySelectorAll('.celltag_widget img')]
                .filter(img => img.src.startsWith('data:image/png;base64,'))
                .map(img => [img.naturalWidth, img.naturalHeight])""")
        assert figures, "the widget cell's default-state figure is missing from the HTML export"
        assert all(w > 100 and h > 100 for w, h in figures), f"figures that did not decode: {figures}"
        all_png = page.evaluate(
            "() => document.querySelectorAll('img[src^=\"data:image/png;base64,\"]').length")
        assert all_png >= len(figures)
    finally:
        page.close()


def test_rise_presents_notebook_02_offline(browser, lab):
    """RISE (jupyterlab-rise) bundles reveal.js and JupyterLab's MathJax: slides with no network.

    One reveal.js slide per ``slide`` cell, one section per slide and sub-slide, the solutions as
    fragments, the equations typeset, and the arrow key moves on.
    """
    import importlib.util

    if importlib.util.find_spec("jupyterlab_rise") is None:
        pytest.skip("jupyterlab-rise is not installed: it presents the notebooks live, offline")
    if not NOTEBOOK_02.is_file():
        pytest.skip(f"{NOTEBOOK_02.relative_to(ROOT)} is not there yet")
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in editions.read(NOTEBOOK_02).cells]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(f"{lab.url}/rise/{NOTEBOOK_02.name}?token={lab.token}")
        page.wait_for_selector(".reveal .slides > section", timeout=60_000)
        page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0", timeout=30_000)
        shown = page.evaluate("""() => ({
            slides: document.querySelectorAll('.reveal .slides > section').length,
            sections: document.querySelectorAll('.reveal .slides section').length,
            fragments: document.querySelectorAll('.reveal .slides .fragment').length,
        })""")
        assert shown == {"slides": types.count("slide"),
                         "sections": 2 * types.count("slide") + types.count("subslide"),
                         "fragments": types.count("fragment")}
        current = "() => [...document.querySelectorAll('.reveal .slides > section')].findIndex(s => s.classList.contains('present'))"
        assert page.evaluate(current) == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({current})() === 1", timeout=10_000)
    finally:
        page.close()
