"""Notebook 07's interactive figures: a polynomial-degree slider, and early stopping as an epoch slider.

The data are the noisy sine of ``dlmi.data.toy.noisy_sine``.

- :class:`PolynomialFitFigure` shows the fit of one degree (``dlmi.linear.polynomial_errors``
  fits every degree once) next to the training and validation errors of all degrees, and
  ``update(degree)`` only moves the curve and the markers.
- :class:`EarlyStoppingFigure` replays a ``dlmi.regularisation.TrainingRecord``, and
  ``update(epoch)`` only moves the curve and the marker: nothing is retrained.

Both figures reuse :class:`dlmi.widgets.optimizers.BlittedFigure` (static background drawn
once), so a slider step stays far below 100 ms (``benchmarks/optim_widgets.py``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Callable

import numpy as np

from ..data.toy import sine
from ..linear import polynomial_errors, predict_polynomial
from ..regularisation import TrainingRecord
from ..validation import as_array, check_scalar
from ..viz import PALETTE
from .optimizers import BlittedFigure, _show

#: Slider positions named after what they teach. Degrees are for the data of notebook 07
#: (20 stratified training samples of ``noisy_sine`` with noise 0.25); epochs are functions of the record.
PRESETS: dict[str, dict] = {
    "polynomial degree": {
        "underfits: a straight line": 1,
        "about right: a cubic": 3,
        "overfits: degree 19 through 20 points": 19,
    },
    "early stopping": {
        "too early: still underfitting": lambda record: max(1, record.best_epoch // 10),
        "stop here: lowest validation loss": lambda record: record.best_epoch,
        "too late: overfitted": lambda record: record.epochs,
    },
}


# --------------------------------------------------------------------------- polynomials
def _draw_data(ax, x_train, y_train, x_val, y_val, truth: Callable | None) -> None:
    grid = np.linspace(0, 1, 300)
    ax.plot(x_val, y_val, ".", ms=4, color="grey", alpha=0.5, label="validation samples")
    ax.plot(x_train, y_train, "o", ms=8, color=PALETTE[0], label="training samples", zorder=3)
    if truth is not None:
        ax.plot(grid, truth(grid), "--", color="black", lw=1.5, label="true curve")
    spread = np.ptp(y_val)
    ax.set(xlim=(0, 1), ylim=(y_val.min() - 0.3 * spread, y_val.max() + 0.3 * spread), xlabel="x", ylabel="y")


class PolynomialFitFigure(BlittedFigure):
    """Left: the data and the least-squares polynomial of one degree; right: errors against degree.

    ``update(degree)`` moves the curve and the markers and returns (training MSE, validation MSE).
    """

    def __init__(self, x_train, y_train, x_val, y_val, *, max_degree: int = 15, truth: Callable | None = sine):
        super().__init__((15.0, 5.5))
        check_scalar(max_degree, "max_degree", kind=Integral, low=1)
        self.errors = polynomial_errors(x_train, y_train, x_val, y_val, range(max_degree + 1))
        ax_fit, ax_err = self.figure.subplots(1, 2)
        _draw_data(ax_fit, x_train, y_train, x_val, y_val, truth)
        self._grid = np.linspace(0, 1, 300)
        (self.curve,) = ax_fit.plot([], [], color=PALETTE[3], lw=2.5, label="fitted polynomial")
        ax_fit.legend(loc="lower left", fontsize=11)
        ax_fit.set(title="Least-squares polynomial")
        e = self.errors
        ax_err.semilogy(e.degrees, e.train_mse, "o-", color=PALETTE[0], label="training error")
        ax_err.semilogy(e.degrees, e.val_mse, "o-", color=PALETTE[1], label="validation error")
        ax_err.axvline(e.best_degree, color="grey", ls=":", label=f"best validation ({e.best_degree})")
        low, high = max(1e-4, 0.5 * e.train_mse.min()), min(1e3, 2 * e.val_mse.max())
        clipped = e.train_mse.min() < low or e.val_mse.max() > high
        ax_err.set(xlabel="degree of the polynomial", ylabel="mean squared error", ylim=(low, high),
                   title="Error against model complexity" + (" (axis clipped)" if clipped else ""))
        ax_err.legend(loc="upper left", fontsize=11)
        (self.marker,) = ax_err.plot([], [], "o", ms=14, mfc="none", mec="black", mew=2)
        self.readout = self.figure.suptitle(" ", fontsize=15)
        self.moving = [self.curve, self.marker, self.readout]

    def update(self, degree: int) -> tuple[float, float]:
        """Show the fit of ``degree``; return its (training MSE, validation MSE)."""
        i = self.errors.index(check_scalar(degree, "degree", kind=Integral, low=0))
        train, val = float(self.errors.train_mse[i]), float(self.errors.val_mse[i])
        self.curve.set_data(self._grid, predict_polynomial(self.errors.coefs[i], self._grid))
        self.marker.set_data([degree, degree], [train, val])
        self.readout.set_text(f"degree {degree}: training error {train:.3g}, validation error {val:.3g}")
        return train, val


def polynomial_widget(x_train, y_train, x_val, y_val, *, degree: int = 3, max_degree: int = 19):
    """A degree slider and the presets over a :class:`PolynomialFitFigure`; returns the controls' box."""
    import ipywidgets as widgets

    view = PolynomialFitFigure(x_train, y_train, x_val, y_val, max_degree=max_degree)
    slider = widgets.IntSlider(value=degree, min=0, max=max_degree, description="degree")
    return _slider_and_presets(view, slider, PRESETS["polynomial degree"],
                               lambda d, train, val: f"degree {d}: training MSE {train:.3g} · validation MSE {val:.3g}")


def _slider_and_presets(view: BlittedFigure, slider, presets: dict, describe: Callable[[int, float, float], str]):
    """Show ``view`` under a preset menu and ``slider``, whose value ``view.update`` takes.

    A preset is a slider value; ``describe(value, training error, validation error)`` is the readout.
    """
    import ipywidgets as widgets

    menu = widgets.Dropdown(options=["(slider)", *presets], value="(slider)", description="preset")
    menu.observe(lambda change: change["new"] in presets and setattr(slider, "value", presets[change["new"]]),
                 names="value")

    def refresh() -> str:
        return describe(slider.value, *view.update(slider.value))

    box, redraw = _show(view, [menu, slider], refresh)
    slider.observe(lambda _change: redraw(), names="value")
    return box


# --------------------------------------------------------------------------- early stopping
class EarlyStoppingFigure(BlittedFigure):
    """The slides' early-stopping frames as one figure: the model at an epoch, and the two loss curves.

    ``update(epoch)`` moves the curve, the epoch line and the markers; returns
    (training loss, validation loss) at that epoch.
    """

    def __init__(self, record: TrainingRecord, x_train, y_train, x_val, y_val, *, truth: Callable | None = sine):
        super().__init__((15.0, 5.5))
        if not isinstance(record, TrainingRecord):
            raise TypeError(f"record must be a TrainingRecord (from record_training), got {type(record).__name__}")
        self.record = record
        ax_fit, ax_loss = self.figure.subplots(1, 2)
        _draw_data(ax_fit, as_array(x_train, "x_train"), as_array(y_train, "y_train"), as_array(x_val, "x_val"),
                   as_array(y_val, "y_val"), truth)
        (self.curve,) = ax_fit.plot([], [], color=PALETTE[3], lw=2.5, label="network")
        ax_fit.legend(loc="lower left", fontsize=11)
        ax_fit.set(title="The network's fit")
        epochs = np.arange(record.epochs + 1)
        ax_loss.semilogy(epochs, record.train_loss, color=PALETTE[0], label="training loss")
        ax_loss.semilogy(epochs, record.val_loss, color=PALETTE[1], label="validation loss")
        ax_loss.axvline(record.best_epoch, color="grey", ls=":", label=f"lowest validation loss ({record.best_epoch})")
        ax_loss.set(xlabel="epoch (iterations, full batch)", ylabel="mean squared error", xlim=(0, record.epochs),
                    title="Stop training before we have a chance to overfit")
        ax_loss.legend(loc="upper right", fontsize=11)
        self.epoch_line = ax_loss.axvline(0, color="black", lw=1.5)
        (self.markers,) = ax_loss.plot([], [], "o", ms=10, color="black")
        self.readout = self.figure.suptitle(" ", fontsize=15)
        self.moving = [self.curve, self.epoch_line, self.markers, self.readout]

    def update(self, epoch: int) -> tuple[float, float]:
        """Show the network after ``epoch`` epochs; return its (training loss, validation loss)."""
        r = self.record
        check_scalar(epoch, "epoch", kind=Integral, low=0, high=r.epochs)
        train, val = float(r.train_loss[epoch]), float(r.val_loss[epoch])
        self.curve.set_data(r.grid, r.predictions[epoch])
        self.epoch_line.set_xdata([epoch, epoch])
        self.markers.set_data([epoch, epoch], [train, val])
        self.readout.set_text(f"epoch {epoch}: training loss {train:.3f}, validation loss {val:.3f}")
        return train, val


def early_stopping_widget(record: TrainingRecord, x_train, y_train, x_val, y_val, *, epoch: int | None = None):
    """An epoch slider and the presets over an :class:`EarlyStoppingFigure`; returns the controls' box."""
    import ipywidgets as widgets

    view = EarlyStoppingFigure(record, x_train, y_train, x_val, y_val)
    slider = widgets.IntSlider(value=record.best_epoch if epoch is None else epoch, min=0, max=record.epochs,
                               description="epoch")
    presets = {name: epoch_of(record) for name, epoch_of in PRESETS["early stopping"].items()}
    return _slider_and_presets(view, slider, presets,
                               lambda e, train, val: f"epoch {e}: training loss {train:.4f} · validation loss {val:.4f}")
