"""Interactive figures of notebooks 01–02: fitting a line by hand, and gradient descent.

Each figure is a class that draws everything once and then, in ``update``, only moves its
artists (line data, residual segments, a marker, a text), so that a slider step costs one
redraw and not a rebuild. ``update`` is the pure callback that the tests and
``benchmarks/widgets.py`` call; the ``*_widget`` functions only add sliders that call it.
"""

from __future__ import annotations

from numbers import Integral
from typing import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure

from ..linear import Descent, add_bias, cost_grid, descend_cost, squared_error_cost, squared_error_gradient
from ..validation import as_array, check_positive, check_scalar, check_X_y
from ..viz import PALETTE, figure_image
from .live import LiveImage

#: Learning rates for :class:`LearningRateFigure` that show, on standardised data (where
#: J''(w1) = 2), the four behaviours of the course: each step multiplies the distance to the
#: minimum by 1 − 2η, i.e. 0.98, 0.4, −0.8 and −2.
LEARNING_RATE_PRESETS: dict[str, float] = {"too small": 0.01, "good": 0.3, "oscillates": 0.9, "diverges": 1.5}


def plot_cost_contour(
    ax: Axes, cost: Callable[[np.ndarray], float], w0_values, w1_values, *, n_levels: int = 12
) -> QuadContourSet:
    """Draw the contour lines of ``J(w0, w1)`` on ``ax``, log-spaced above the grid's minimum."""
    J = cost_grid(cost, w0_values, w1_values)
    excess = J.max() - J.min()
    levels = J.min() + np.geomspace(excess * 1e-3, excess, n_levels)
    return ax.contour(w0_values, w1_values, J, levels=levels, cmap="viridis", linewidths=1.3)


def _new_figure(figsize: tuple[float, float]) -> tuple[Figure, np.ndarray]:
    """Two side-by-side axes in a figure outside pyplot (so that Jupyter does not show it twice).

    At most 6 ticks per axis: fewer, larger labels read better from the back of the room and
    redraw faster (text is most of the cost of a redraw).
    """
    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2)
    for ax in axes:
        ax.locator_params(nbins=6)
    return figure, axes


def _freeze_layout(figure: Figure) -> None:
    """Lay the figure out once, now, instead of at every redraw (it would double a slider step's cost)."""
    figure.canvas.draw()
    figure.set_layout_engine("none")


def _interval(bounds, name: str) -> tuple[float, float]:
    """``(low, high)`` with low < high, both finite, named in the error otherwise."""
    values = as_array(bounds, name)
    if values.shape != (2,) or not values[0] < values[1]:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {bounds!r}")
    return float(values[0]), float(values[1])


class LineFitFigure:
    """A line ``w0 + w1 x`` through the data with its residuals, beside the contour of ``J(w0, w1)``.

    ``x`` (n,) and ``y`` (n,) are the data; ``w0_range`` and ``w1_range`` the extent of the
    contour plot (and of the widget's sliders). ``update(w0, w1)`` moves the line, the
    residuals and the marked point, writes J in the title and returns it.
    """

    def __init__(
        self,
        x,
        y,
        *,
        w0_range: tuple[float, float],
        w1_range: tuple[float, float],
        x_label: str = "x",
        y_label: str = "y",
        w0_unit: str = "",
        w1_unit: str = "",
        cost_unit: str = "",
        grid_size: int = 50,
    ):
        x = as_array(x, "x", ndim=1)
        _, y = check_X_y(x, y, X_name="x")
        self.x, self.y = x, y
        self.w0_range, self.w1_range = _interval(w0_range, "w0_range"), _interval(w1_range, "w1_range")
        check_scalar(grid_size, "grid_size", kind=Integral, low=2)
        self.units = (w0_unit, w1_unit, cost_unit)
        self._Xb = add_bias(x)
        self.figure, (ax_fit, ax_cost) = _new_figure((14.0, 5.6))

        ax_fit.scatter(x, y, s=22, alpha=0.6, color=PALETTE[0], label="data", zorder=3)
        margin = 0.05 * (x.max() - x.min())
        self._line_x = np.array([x.min() - margin, x.max() + margin])
        (self.line,) = ax_fit.plot(self._line_x, self._line_x * 0, color=PALETTE[3], lw=3, label="w0 + w1·x")
        self.residuals = LineCollection([], colors=PALETTE[1], linewidths=1.2, label="residuals")
        ax_fit.add_collection(self.residuals)
        spread = y.max() - y.min()
        ax_fit.set(xlim=self._line_x, ylim=(y.min() - 0.3 * spread, y.max() + 0.3 * spread))
        ax_fit.set(xlabel=x_label, ylabel=y_label)
        ax_fit.legend(loc="upper left")
        self.readout = ax_fit.set_title(" ")

        def cost(w: np.ndarray) -> float:
            return squared_error_cost(w, self._Xb, y)

        w0_values = np.linspace(*self.w0_range, grid_size)
        w1_values = np.linspace(*self.w1_range, grid_size)
        plot_cost_contour(ax_cost, cost, w0_values, w1_values)
        best = np.linalg.lstsq(self._Xb, y, rcond=None)[0]
        ax_cost.plot(*best, "*", color="black", ms=16, label="minimum of J")
        (self.point,) = ax_cost.plot([], [], "o", color=PALETTE[3], ms=12, label="(w0, w1)")
        ax_cost.set(xlim=self.w0_range, ylim=self.w1_range, title="cost J(w0, w1)")
        ax_cost.set(xlabel=f"w0 ({w0_unit})" if w0_unit else "w0", ylabel=f"w1 ({w1_unit})" if w1_unit else "w1")
        ax_cost.legend(loc="upper right")
        self.update(*best)
        _freeze_layout(self.figure)

    def update(self, w0: float, w1: float) -> float:
        """Show the line ``w0 + w1 x``; return its cost ``J(w0, w1)``."""
        check_scalar(w0, "w0")
        check_scalar(w1, "w1")
        self.line.set_ydata(w0 + w1 * self._line_x)
        fitted = w0 + w1 * self.x
        self.residuals.set_segments(np.stack([np.column_stack([self.x, self.y]), np.column_stack([self.x, fitted])], axis=1))
        self.point.set_data([w0], [w1])
        J = squared_error_cost(np.array([w0, w1]), self._Xb, self.y)
        w0_unit, w1_unit, cost_unit = self.units
        self.readout.set_text(f"w0 = {w0:.0f} {w0_unit}, w1 = {w1:.2f} {w1_unit}  →  J = {J:,.0f} {cost_unit}")
        return J


class LearningRateFigure:
    """Gradient descent on the one-parameter cost ``J(w1) = (1/n) Σᵢ (yᵢ − w1 xᵢ)²`` for one learning rate.

    Left: the parabola J(w1) and the iterates on it; right: how far J is above its minimum,
    step after step (log scale). ``update(lr)`` runs :func:`dlmi.linear.descend_cost`
    from ``w_init`` for ``n_steps`` steps, redraws, writes the status in the title and returns
    the run. With standardised ``x`` and ``y`` the presets of
    :data:`LEARNING_RATE_PRESETS` show their four behaviours.
    """

    def __init__(self, x, y, *, w_init: float = -1.5, n_steps: int = 40, tol: float = 1e-6):
        x = as_array(x, "x", ndim=1)
        _, y = check_X_y(x, y, X_name="x")
        if not np.any(x):
            raise ValueError("x must not be all zeros: J(w1) would not depend on w1")
        check_scalar(w_init, "w_init")
        check_scalar(n_steps, "n_steps", kind=Integral, low=1)
        check_positive(tol, "tol")
        self.w_init, self.n_steps, self.tol = float(w_init), n_steps, tol
        self._X, self._y = x[:, None], y
        self.w_best = float(x @ y / (x @ x))
        self.cost_min = squared_error_cost([self.w_best], self._X, y)
        self.figure, (ax_path, ax_history) = _new_figure((14.0, 5.4))

        span = 1.5 * max(abs(self.w_init - self.w_best), 1.0)
        grid = np.linspace(self.w_best - span, self.w_best + span, 200)
        parabola = ((y[None, :] - grid[:, None] * x[None, :]) ** 2).mean(axis=1)
        ax_path.plot(grid, parabola, color=PALETTE[0], label="J(w1)")
        ax_path.plot(self.w_best, self.cost_min, "*", color="black", ms=16, label="minimum")
        (self.path,) = ax_path.plot([], [], "o-", color=PALETTE[3], ms=7, lw=1.3, label="iterates")
        ax_path.set(xlim=(grid[0], grid[-1]), ylim=(0, 1.1 * parabola.max()))
        ax_path.set(xlabel="w1 (standardised units)", ylabel="cost J(w1)", title="iterates on the cost")
        ax_path.legend(loc="lower left")

        (self.history,) = ax_history.plot([], [], "o-", color=PALETTE[3], ms=5, lw=1.3)
        start_excess = squared_error_cost([self.w_init], self._X, y) - self.cost_min
        ax_history.set(yscale="log", xlim=(-0.5, n_steps + 0.5), ylim=(1e-12, 1e2 * start_excess))
        ax_history.set(xlabel="step", ylabel="J − min J", title="distance to the minimum")
        self.readout = self.figure.suptitle(" ", fontsize=16)
        self.update(LEARNING_RATE_PRESETS["good"])
        _freeze_layout(self.figure)

    def update(self, lr: float) -> Descent:
        """Run gradient descent with learning rate ``lr`` and show it; return the run."""
        check_positive(lr, "lr")
        run = descend_cost(
            lambda w: squared_error_cost(w, self._X, self._y),
            lambda w: squared_error_gradient(w, self._X, self._y),
            [self.w_init],
            lr,
            self.n_steps,
            tol=self.tol,
        )
        self.path.set_data(run.path[:, 0], run.costs)
        self.history.set_data(np.arange(len(run.costs)), np.maximum(run.costs - self.cost_min, 1e-15))
        self.readout.set_text(f"η = {lr:.3g}: {run.status}; final J = {run.cost:.4g}")
        return run


def _live(figure: Figure, controls: list, refresh: Callable[[], str], extra: tuple = ()):
    """Show ``controls`` (+ ``extra`` widgets) and a readout, then ``figure`` as a :class:`LiveImage`.

    ``refresh()`` updates the figure's artists and returns the readout text; every change of a
    control calls it and redraws the figure in place. Returns the box of controls, whose
    ``image`` attribute is the live figure.
    """
    import ipywidgets as widgets
    from IPython.display import display

    readout = widgets.HTML(value=refresh())
    box = widgets.VBox([*controls, *extra, readout])
    display(box)
    box.image = LiveImage(figure_image(figure))

    def on_change(_change=None) -> None:
        readout.value = refresh()
        box.image.update(figure_image(figure))

    for control in controls:
        control.observe(on_change, names="value")
    return box


def line_fit_widget(view: LineFitFigure, *, w0: float = 0.0, w1: float = 0.0):
    """Sliders for ``w0`` and ``w1`` over ``view``'s ranges that call ``view.update``; returns the widget box."""
    import ipywidgets as widgets

    w0_unit, w1_unit, cost_unit = view.units
    layout = {"width": "560px"}
    style = {"description_width": "110px"}
    s0 = widgets.FloatSlider(
        value=w0, min=view.w0_range[0], max=view.w0_range[1], step=(view.w0_range[1] - view.w0_range[0]) / 200,
        description=f"w0 ({w0_unit})" if w0_unit else "w0", layout=layout, style=style, continuous_update=True,
    )
    s1 = widgets.FloatSlider(
        value=w1, min=view.w1_range[0], max=view.w1_range[1], step=(view.w1_range[1] - view.w1_range[0]) / 200,
        description=f"w1 ({w1_unit})" if w1_unit else "w1", layout=layout, style=style, continuous_update=True,
    )

    def refresh() -> str:
        J = view.update(s0.value, s1.value)
        return f"<b>J(w0, w1) = {J:,.0f} {cost_unit}</b>"

    return _live(view.figure, [s0, s1], refresh)


def learning_rate_widget(view: LearningRateFigure, *, lr: float | None = None, presets: dict[str, float] | None = None):
    """A log-scale "learning rate" slider (η from 0.001 to about 3) and one button per preset.

    Every change reruns ``view.update(η)``; the readout under the slider repeats the
    figure's title: the status in words and the final J. Returns the widget box.
    """
    import ipywidgets as widgets

    presets = LEARNING_RATE_PRESETS if presets is None else presets
    slider = widgets.FloatLogSlider(
        value=presets.get("good", 0.3) if lr is None else lr, base=10, min=-3, max=0.5, step=0.01,
        description="learning rate", readout_format=".3g", layout={"width": "560px"},
        style={"description_width": "110px"},
    )
    buttons = []
    for name, value in presets.items():
        button = widgets.Button(description=f"{name} (η = {value:g})", layout={"width": "auto"})
        button.on_click(lambda _button, value=value: setattr(slider, "value", value))
        buttons.append(button)

    def refresh() -> str:
        run = view.update(slider.value)
        return f"<b>η = {slider.value:.3g}: {run.status}; final J = {run.cost:.4g}</b>"

    return _live(view.figure, [slider], refresh, extra=(widgets.HBox(buttons),))
