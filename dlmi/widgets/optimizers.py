"""Notebook 06's interactive figure: optimizers racing on a loss surface, with learning-rate and momentum sliders.

:func:`dlmi.surfaces.race` is the pure computation (settings → one
:class:`~dlmi.surfaces.Trajectory` per optimizer); :class:`OptimizerRaceFigure` draws the
contour plot and the loss curves once and, in ``update``, recomputes the trajectories and only
moves the lines, so that a slider step costs about 300 optimizer steps and one redraw
(``benchmarks/optim_widgets.py`` times it). :func:`optimizer_race_widget` adds the sliders and
the :data:`PRESETS`.

Gradient descent's learning rate and the adaptive methods' learning rate are two sliders
because they are different quantities: GD moves by η × gradient (η in units of θ²/J), while
Adagrad, RMSprop and Adam move each coordinate by about η (η in units of θ). Adadelta has no
learning rate to speak of (torch's ``lr`` is a scale that defaults to 1; it is kept at 1).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..optim import OPTIMIZERS
from ..surfaces import SLIDES_OPTIMIZERS, Surface, Trajectory, get_surface, race
from ..validation import check_choice
from ..viz import PALETTE, encode_image
from .live import LiveImage

#: One colour per optimizer of ``dlmi.optim.OPTIMIZERS``, the same in every figure.
COLOURS = dict(zip(OPTIMIZERS, (PALETTE[7], PALETTE[0], PALETTE[5], PALETTE[2], PALETTE[4], PALETTE[1], PALETTE[3])))

#: Slider defaults for each surface: learning rates that work, and the number of steps shown.
SETTINGS: dict[str, dict] = {
    "quadratic": {"lr": 0.035, "adaptive_lr": 0.1, "momentum": 0.7, "steps": 200},
    "rosenbrock": {"lr": 1e-3, "adaptive_lr": 0.2, "momentum": 0.9, "steps": 300},
    "local minima": {"lr": 0.1, "adaptive_lr": 0.1, "momentum": 0.9, "steps": 200},
}

#: The range of J − min J shown on the loss axis, per surface (widened when a run leaves it).
LOSS_RANGE: dict[str, tuple[float, float]] = {
    "quadratic": (1e-12, 1e3), "rosenbrock": (1e-4, 1e3), "local minima": (1e-12, 1e1),
}

#: Slider positions named after what they teach; each sets every control of the widget.
PRESETS: dict[str, dict] = {
    "GD zig-zags across the ravine": {
        "surface": "quadratic", "optimizers": ("gd",), "lr": 0.038, "adaptive_lr": 0.1, "momentum": 0.0, "steps": 200},
    "too large a learning rate diverges": {
        "surface": "quadratic", "optimizers": ("gd",), "lr": 0.045, "adaptive_lr": 0.1, "momentum": 0.0, "steps": 200},
    "momentum damps the zig-zag": {
        "surface": "quadratic", "optimizers": ("gd", "momentum"), "lr": 0.035, "adaptive_lr": 0.1, "momentum": 0.7,
        "steps": 200},
    "momentum overshoots": {
        "surface": "quadratic", "optimizers": ("gd", "momentum"), "lr": 0.01, "adaptive_lr": 0.1, "momentum": 0.95,
        "steps": 200},
    "Adagrad stalls": {
        "surface": "quadratic", "optimizers": ("adagrad", "rmsprop", "adam"), "lr": 0.035, "adaptive_lr": 0.1,
        "momentum": 0.7, "steps": 200},
    "GD crawls along the banana valley": {
        "surface": "rosenbrock", "optimizers": ("gd", "momentum", "adam"), **SETTINGS["rosenbrock"]},
    "momentum escapes a local minimum": {
        "surface": "local minima", "optimizers": ("gd", "momentum"), "lr": 0.1, "adaptive_lr": 0.1, "momentum": 0.9,
        "steps": 200},
    "all six on the quadratic": {
        "surface": "quadratic", "optimizers": SLIDES_OPTIMIZERS, **SETTINGS["quadratic"]},
}


def contour_levels(surface: Surface, Z: np.ndarray, n_levels: int = 24) -> np.ndarray:
    """Contour levels for ``Z`` (values on a grid of ``surface``), increasing.

    Equal-area quantiles of ``Z`` spread the lines evenly over the plot; a few levels
    log-spaced just above the minimum show the floor of flat valleys.
    """
    spread = np.quantile(Z, np.linspace(0, 1, n_levels)[1:-1])
    excess = np.quantile(Z, 0.5) - surface.min_value
    floor = surface.min_value + excess * np.geomspace(1e-4, 1e-2, 5)
    return np.unique(np.concatenate([floor[floor < spread[0]], spread]))


class BlittedFigure:
    """A figure whose static parts (axes, ticks, contours, legends) are drawn once.

    ``render`` restores that background and draws only the artists listed in ``moving``
    (lines, markers, a readout), which is what keeps a slider step well under 100 ms.
    Call ``invalidate()`` after changing anything static (limits, titles).
    """

    def __init__(self, figsize: tuple[float, float]):
        self.figure = Figure(figsize=figsize)
        FigureCanvasAgg(self.figure)
        self.moving: list = []
        self._background = None

    def invalidate(self) -> None:
        """Forget the cached background: the next ``render`` draws the whole figure."""
        self._background = None

    def render(self) -> np.ndarray:
        """Draw the figure (only its moving artists when the background is cached); return its RGBA pixels."""
        canvas = self.figure.canvas
        if self._background is None:
            for artist in self.moving:
                artist.set_visible(False)
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
            for artist in self.moving:
                artist.set_visible(True)
        canvas.restore_region(self._background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        return np.asarray(canvas.buffer_rgba())

    def image(self, format: str = "png") -> bytes:
        """The rendered figure as ``"png"`` or ``"jpeg"`` bytes (see :func:`dlmi.viz.encode_image`)."""
        return encode_image(self.render(), format)


class OptimizerRaceFigure(BlittedFigure):
    """Left: trajectories on the contour plot of ``surface``; right: J − min J against the step.

    ``update(lr=..., adaptive_lr=..., momentum=..., steps=...)`` recomputes
    :func:`dlmi.surfaces.race` for
    the optimizers of ``optimizers``, moves the lines, writes the settings (and who diverged)
    in the title and returns the trajectories. ``set_surface`` redraws for another surface.
    """

    def __init__(self, surface: str | Surface = "quadratic", optimizers: Sequence[str] = SLIDES_OPTIMIZERS,
                 grid_size: int = 160):
        super().__init__((15.0, 6.0))
        self.ax_path, self.ax_loss = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": (1.25, 1)})
        self.readout = self.figure.suptitle(" ", fontsize=14)
        self.grid_size = grid_size
        self.optimizers = tuple(optimizers)
        self.surface: Surface | None = None
        self.set_surface(surface)

    def set_surface(self, surface: str | Surface, optimizers: Sequence[str] | None = None) -> None:
        """Draw the contours of ``surface`` and empty lines for ``optimizers`` (default: the current ones)."""
        self.surface = get_surface(surface)
        if optimizers is not None:
            self.optimizers = tuple(optimizers)
        for name in self.optimizers:
            check_choice(name, "optimizers", tuple(OPTIMIZERS))
        ax, s = self.ax_path, self.surface
        ax.clear()
        self.ax_loss.clear()
        X, Y, Z = s.grid(self.grid_size)
        ax.contour(X, Y, Z, levels=contour_levels(s, Z), cmap="viridis", linewidths=0.9, alpha=0.8)
        ax.plot(*s.minimum, "*", color="black", ms=18, zorder=4)
        ax.plot(*s.start, "o", color="black", ms=9, mfc="white", zorder=4)
        ax.set(xlim=s.xlim, ylim=s.ylim, xlabel="θ₁", ylabel="θ₂")
        ax.set_title(f"${s.formula}$   (○ start, ★ minimum)")
        self.paths, self.losses = {}, {}
        for name in self.optimizers:
            style = {"color": COLOURS[name], "label": OPTIMIZERS[name].label}
            (self.paths[name],) = ax.plot([], [], "-o", ms=2.5, lw=1.6, **style)
            (self.losses[name],) = self.ax_loss.plot([], [], lw=2, **style)
        self.ax_loss.legend(loc="upper right", fontsize=11)
        self.ax_loss.set(yscale="log", xlabel="step", ylabel="J(θ) − min J", title="distance to the minimum")
        self.moving = [*self.paths.values(), *self.losses.values(), self.readout]
        self.invalidate()

    def update(self, *, lr: float, adaptive_lr: float, momentum: float, steps: int) -> dict[str, Trajectory]:
        """Recompute the race with these settings, move the lines; return the trajectories."""
        runs = race(self.surface, self.optimizers, lr=lr, adaptive_lr=adaptive_lr, momentum=momentum, steps=steps)
        low, high = LOSS_RANGE.get(self.surface.name, (1e-12, 1e3))
        for name, run in runs.items():
            excess = np.maximum(run.values - self.surface.min_value, 1e-16)
            self.paths[name].set_data(run.points[:, 0], run.points[:, 1])
            self.losses[name].set_data(np.arange(len(excess)), excess)
            high = max(high, 10.0 ** np.ceil(np.log10(excess.max())))
        # fixed limits (widened in whole decades) keep the cached background valid across slider steps
        limits = ((0, steps), (low, high))
        if limits != (self.ax_loss.get_xlim(), self.ax_loss.get_ylim()):
            self.ax_loss.set(xlim=limits[0], ylim=limits[1])
            self.invalidate()
        diverged = [OPTIMIZERS[n].label + " " + r.status.split(":")[0] for n, r in runs.items() if r.diverged]
        self.readout.set_text(
            f"η (GD, momentum) = {lr:.3g}, μ = {momentum:.2f}, η (adaptive) = {adaptive_lr:.3g}"
            + (" — " + "; ".join(diverged) if diverged else "")
        )
        return runs


def _show(view: BlittedFigure, controls: list, refresh: Callable[[], str]):
    """Display ``controls``, a readout and ``view``'s figure; return the box and the function that redraws them.

    The figure is a :class:`LiveImage`: a PNG output (a headless run or a PDF shows the default
    state) replaced in place by a JPEG at each redraw (``box.image``).
    """
    import ipywidgets as widgets
    from IPython.display import display

    readout = widgets.HTML(value=refresh())
    box = widgets.VBox([*controls, readout])
    display(box)
    box.image = LiveImage(view.image("png"))

    def redraw() -> None:
        readout.value = refresh()
        box.image.update(view.image("jpeg"), "jpeg")

    return box, redraw


def _summary(runs: dict[str, Trajectory], surface: Surface) -> str:
    cells = []
    for name, run in runs.items():
        gap = run.values[-1] - surface.min_value
        cells.append(f"<b>{OPTIMIZERS[name].label}</b>: {'diverged' if run.diverged else f'J − min J = {gap:.2g}'}")
    return " · ".join(cells)


def optimizer_race_widget(preset: str = "all six on the quadratic"):
    """Preset menu, log sliders for both learning rates, momentum and steps over an :class:`OptimizerRaceFigure`.

    Displays the controls and the figure in its ``preset`` state (also what a headless run
    shows); returns the ``ipywidgets.VBox`` of controls and readout.
    """
    import ipywidgets as widgets

    check_choice(preset, "preset", tuple(PRESETS))
    settings = PRESETS[preset]
    view = OptimizerRaceFigure(settings["surface"], settings["optimizers"])
    menu = widgets.Dropdown(options=list(PRESETS), value=preset, description="preset")
    lr = widgets.FloatLogSlider(value=settings["lr"], base=10, min=-4, max=0, step=0.05, description="η GD",
                                readout_format=".2g", continuous_update=True)
    adaptive_lr = widgets.FloatLogSlider(value=settings["adaptive_lr"], base=10, min=-3, max=0, step=0.05,
                                         description="η adaptive", readout_format=".2g")
    momentum = widgets.FloatSlider(value=settings["momentum"], min=0.0, max=0.99, step=0.01, description="μ momentum")
    steps = widgets.IntSlider(value=settings["steps"], min=20, max=500, step=20, description="steps")
    sliders = (lr, adaptive_lr, momentum, steps)

    def refresh() -> str:
        runs = view.update(lr=lr.value, adaptive_lr=adaptive_lr.value, momentum=momentum.value, steps=steps.value)
        return _summary(runs, view.surface)

    box, redraw = _show(view, [menu, *sliders], refresh)
    moving_to_preset = False

    def on_preset(change) -> None:
        nonlocal moving_to_preset
        chosen = PRESETS[change["new"]]
        view.set_surface(chosen["surface"], chosen["optimizers"])
        moving_to_preset = True
        for slider, key in zip(sliders, ("lr", "adaptive_lr", "momentum", "steps")):
            slider.value = chosen[key]
        moving_to_preset = False
        redraw()

    def on_slider(_change) -> None:
        if not moving_to_preset:
            redraw()

    menu.observe(on_preset, names="value")
    for slider in sliders:
        slider.observe(on_slider, names="value")
    return box
