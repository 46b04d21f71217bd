"""Notebook 07's interactive figures: a polynomial-degree slider, and early stopping as an epoch slider.

The data are the classic noisy sine of Bishop's *Pattern Recognition and Machine Learning*
(§1.1): ``y = sin(2πx) + ε`` with ``x`` uniform in [0, 1], few samples, Gaussian noise.

- :func:`polynomial_errors` fits every degree once (pure numbers);
  :class:`PolynomialFitFigure` shows the fit of one degree next to the training and validation
  errors of all degrees, and ``update(degree)`` only moves the curve and the markers.
- :func:`record_training` trains a ``dlmi.nn`` model full-batch and records, after every epoch,
  the losses and the model's curve on a grid; :class:`EarlyStoppingFigure` replays it, and
  ``update(epoch)`` only moves the curve and the marker: nothing is retrained.
- :func:`repeat_training` repeats notebook 07's network experiment on many fresh training sets
  at once (torch, one batched tensor per layer), so that its claims are about averages and not
  about the luck of one draw of 20 samples.

Both figures reuse :class:`dlmi.widgets.optimisers.BlittedFigure` (static background drawn
once), so a slider step stays far below 100 ms (``benchmarks/optim_widgets.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Callable, Sequence

import numpy as np

from ..nn import Module
from ..optim import Optimizer
from ..validation import as_array, check_X_y, check_rng, check_scalar
from ..viz import PALETTE
from .optimisers import BlittedFigure, _show

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


def sine(x: np.ndarray) -> np.ndarray:
    """The noiseless curve sin(2πx)."""
    return np.sin(2 * np.pi * np.asarray(x, dtype=float))


def noisy_sine(n_samples: int, noise: float = 0.25, rng=None, *,
               stratified: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (n,) uniform in [0, 1], sorted, and ``y = sin(2πx) + ε`` (n,) with ε ~ N(0, noise²).

    ``stratified=True`` draws one ``x`` uniformly in each of the ``n`` equal slices of [0, 1]: still
    random, but without the large gaps that a few uniform draws can leave.
    """
    check_scalar(n_samples, "n_samples", kind=Integral, low=1)
    check_scalar(noise, "noise", low=0.0)
    if not isinstance(stratified, (bool, np.bool_)):
        raise TypeError(f"stratified must be True or False, got {stratified!r}")
    rng = check_rng(rng)
    if stratified:
        x = (np.arange(n_samples) + rng.uniform(0.0, 1.0, n_samples)) / n_samples
    else:
        x = np.sort(rng.uniform(0.0, 1.0, n_samples))
    return x, sine(x) + rng.normal(0.0, noise, n_samples)


# --------------------------------------------------------------------------- polynomials
def polynomial_design(x, degree: int) -> np.ndarray:
    """Features 1, P₁(t), …, P_degree(t) of ``x`` (n,) in [0, 1], with t = 2x − 1 and P_k the Legendre
    polynomials: the same models as 1, x, …, x^degree, but well conditioned. Shape (n, degree + 1)."""
    x = as_array(x, "x", ndim=1)
    check_scalar(degree, "degree", kind=Integral, low=0)
    return np.polynomial.legendre.legvander(2 * x - 1, int(degree))


def fit_polynomial(x, y, degree: int, l2: float = 0.0) -> np.ndarray:
    """Coefficients (degree + 1,) minimising (1/n) Σ (y − f(x))² + ``l2`` ‖c‖² (the constant unpenalised)."""
    x, y = check_X_y(x, y, X_name="x")
    check_scalar(l2, "l2", low=0.0)
    A = polynomial_design(x[:, 0], degree)
    if l2 == 0:
        return np.linalg.lstsq(A, y, rcond=None)[0]
    penalty = len(y) * l2 * np.diag([0.0] + [1.0] * degree)
    return np.linalg.solve(A.T @ A + penalty, A.T @ y)


def predict_polynomial(coef, x) -> np.ndarray:
    """f(x) for the coefficients of :func:`fit_polynomial`, shape of ``x``."""
    coef = as_array(coef, "coef", ndim=1)
    return polynomial_design(x, len(coef) - 1) @ coef


@dataclass
class PolynomialErrors:
    """Mean squared errors of one least-squares fit per degree."""

    degrees: np.ndarray
    coefs: list[np.ndarray]
    train_mse: np.ndarray
    val_mse: np.ndarray

    @property
    def best_degree(self) -> int:
        """The degree with the lowest validation error."""
        return int(self.degrees[np.argmin(self.val_mse)])

    def index(self, degree: int) -> int:
        """Position of ``degree`` in ``degrees``."""
        matches = np.flatnonzero(self.degrees == degree)
        if not matches.size:
            raise ValueError(f"degree must be one of {self.degrees.tolist()}, got {degree}")
        return int(matches[0])


def polynomial_errors(x_train, y_train, x_val, y_val, degrees: Sequence[int] = range(16)) -> PolynomialErrors:
    """Fit each degree on the training set; its training and validation mean squared errors."""
    x_train, y_train = check_X_y(x_train, y_train, X_name="x_train", y_name="y_train")
    x_val, y_val = check_X_y(x_val, y_val, X_name="x_val", y_name="y_val")
    degrees = np.array([check_scalar(d, "degrees", kind=Integral, low=0) for d in degrees])
    coefs = [fit_polynomial(x_train[:, 0], y_train, d) for d in degrees]
    train = np.array([np.mean((predict_polynomial(c, x_train[:, 0]) - y_train) ** 2) for c in coefs])
    val = np.array([np.mean((predict_polynomial(c, x_val[:, 0]) - y_val) ** 2) for c in coefs])
    return PolynomialErrors(degrees, coefs, train, val)


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
@dataclass
class TrainingRecord:
    """Losses after each epoch (index 0 = before training) and the model's curve on ``grid``.

    ``train_loss``, ``val_loss`` (and ``test_loss`` if a test set was given) have shape
    (epochs + 1,); ``predictions`` (epochs + 1, len(grid)). Losses are measured in evaluation
    mode (dropout off).
    """

    grid: np.ndarray
    predictions: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    test_loss: np.ndarray | None
    status: str

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.train_loss) - 1

    @property
    def best_epoch(self) -> int:
        """The epoch (from 1) with the lowest validation loss: where early stopping keeps the model."""
        if self.epochs == 0:
            raise ValueError(f"no epoch was trained ({self.status})")
        return int(np.argmin(self.val_loss[1:])) + 1


def record_training(model: Module, loss, optimizer: Optimizer, train: tuple, val: tuple, *, epochs: int,
                    grid, test: tuple | None = None) -> TrainingRecord:
    """Train ``model`` (``dlmi.nn``) full-batch for ``epochs`` epochs, recording every epoch.

    ``train``, ``val`` and ``test`` are pairs ``(X, y)`` of arrays (n, d) and (n, 1); ``grid``
    (G, d) are inputs where the model's curve is recorded; ``optimizer`` holds
    ``model.parameters()``. A diverging run stops and says so in ``status``.
    """
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a dlmi.optim optimiser, got {type(optimizer).__name__}")
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    sets = {"train": train, "val": val, **({"test": test} if test is not None else {})}
    for name, pair in sets.items():
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"{name} must be a pair (X, y) of arrays")
    grid = as_array(grid, "grid", ndim=2)
    X_train, y_train = train
    losses = {name: [] for name in sets}
    predictions = []

    def measure() -> None:
        model.eval()
        try:
            row = {name: loss.forward(model.forward(X), y) for name, (X, y) in sets.items()}
            curve = model.forward(grid)[:, 0]
        finally:
            model.train()
        for name, value in row.items():
            losses[name].append(value)
        predictions.append(curve)

    status = f"completed {epochs} epochs"
    measure()
    for epoch in range(1, epochs + 1):
        try:
            loss.forward(model.forward(X_train), y_train)
            model.backward(loss.backward())
            optimizer.step(model.gradients())
            measure()
        except ValueError as error:  # dlmi.nn and dlmi.optim refuse NaN and inf: the run diverged
            if "NaN" not in str(error):
                raise
            status = f"diverged at epoch {epoch}: {error}"
            break
    return TrainingRecord(grid[:, 0], np.array(predictions), np.array(losses["train"]), np.array(losses["val"]),
                          np.array(losses["test"]) if test is not None else None, status)


@dataclass
class RepeatedTraining:
    """One configuration of :func:`repeat_training`, one value per training set (shape (n_repeats,)).

    ``train``, ``val``, ``test``: mean squared errors after the last epoch (dropout off);
    ``best_epoch``: the epoch of lowest validation loss, checked every ``every`` epochs, where early
    stopping would keep the network, and ``val_at_best``, ``test_at_best``, ``train_at_best`` its errors there.
    """

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    best_epoch: np.ndarray
    train_at_best: np.ndarray
    val_at_best: np.ndarray
    test_at_best: np.ndarray


def repeat_training(n_repeats: int, configs: dict[str, dict], *, epochs: int, seed: int, n_train: int = 20,
                    noise: float = 0.25, width: int = 32, lr: float = 0.01, first_sigma: float = 10.0,
                    every: int = 5) -> dict[str, RepeatedTraining]:
    """Notebook 07's network on ``n_repeats`` fresh training sets, once per configuration, all at once.

    ``configs`` maps a name to the regularisers of that run, e.g. ``{"none": {}, "dropout":
    {"dropout": 0.2}, "weight decay": {"weight_decay": 1e-3}}``. Training set ``r`` is
    ``noisy_sine(n_train, noise, rng=seed + 1000 + r)`` (x uniform), with a validation and a test
    set of 200 samples each (``rng=seed + 2000 + r`` and ``seed + 3000 + r``). On each set, each
    configuration trains its own 1 → ``width`` → ``width`` → 1 tanh network, from the same initial
    weights whatever the configuration (so configurations compare pairwise): first-layer weights
    from N(0, ``first_sigma``²) with their steps spread uniformly over [0, 1], the other layers
    Xavier, biases 0; then ``epochs`` full-batch Adam steps (``lr``, betas (0.9, 0.99)), with inverted
    ``dropout`` after each hidden layer and ``weight_decay`` added to the gradient as in
    ``torch.optim.Adam``. All the networks train side by side in torch, one batched tensor per
    layer; Adam's update is element-wise, so each trains exactly as if it were alone.
    """
    import torch

    check_scalar(n_repeats, "n_repeats", kind=Integral, low=1)
    check_scalar(epochs, "epochs", kind=Integral, low=1)
    check_scalar(seed, "seed", kind=Integral, low=0)
    check_scalar(every, "every", kind=Integral, low=1)
    if not isinstance(configs, dict) or not configs:
        raise TypeError("configs must be a non-empty dict: name -> {'dropout': p, 'weight_decay': λ}")
    for name, config in configs.items():
        unknown = set(config) - {"dropout", "weight_decay"}
        if unknown:
            raise ValueError(f"configs[{name!r}] has unknown keys {sorted(unknown)}; use dropout and weight_decay")
        check_scalar(config.get("dropout", 0.0), "dropout", low=0.0, high=0.95)
        check_scalar(config.get("weight_decay", 0.0), "weight_decay", low=0.0)
    seed, R, C = int(seed), int(n_repeats), len(configs)
    dtype = torch.float32

    def stacked(n: int, offset: int):
        pairs = [noisy_sine(n, noise, rng=seed + offset + r) for r in range(R)]
        x = torch.tensor(np.stack([p[0] for p in pairs]), dtype=dtype)[:, :, None]
        y = torch.tensor(np.stack([p[1] for p in pairs]), dtype=dtype)[:, :, None]
        return x.repeat(C, 1, 1), y.repeat(C, 1, 1)  # network c * R + r: configuration c on set r

    (X, Y), (X_val, Y_val), (X_test, Y_test) = stacked(n_train, 1000), stacked(200, 2000), stacked(200, 3000)
    g = torch.Generator().manual_seed(seed)
    W1 = torch.randn(R, 1, width, generator=g, dtype=dtype) * first_sigma
    b1 = -W1 * torch.rand(R, 1, width, generator=g, dtype=dtype)  # unit j steps at x = −b1/W1, in [0, 1]
    W2 = torch.randn(R, width, width, generator=g, dtype=dtype) * (1.0 / width) ** 0.5
    W3 = torch.randn(R, width, 1, generator=g, dtype=dtype) * (2.0 / (width + 1)) ** 0.5
    b2, b3 = torch.zeros(R, 1, width, dtype=dtype), torch.zeros(R, 1, 1, dtype=dtype)
    params = [p.repeat(C, 1, 1).requires_grad_() for p in (W1, b1, W2, b2, W3, b3)]
    def per_net(key: str):  # one value per network, shaped to broadcast over (network, sample, unit)
        return torch.tensor([c.get(key, 0.0) for c in configs.values() for _ in range(R)], dtype=dtype)[:, None, None]

    drop, decay = per_net("dropout"), per_net("weight_decay")
    optimizer = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.99))

    def forward(x, weights, training: bool = False):
        w1, c1, w2, c2, w3, c3 = weights
        h = torch.tanh(torch.baddbmm(c1, x, w1))
        if training:
            h = h * (torch.rand(h.shape, generator=g, dtype=dtype) >= drop) / (1 - drop)
        h = torch.tanh(torch.baddbmm(c2, h, w2))
        if training:
            h = h * (torch.rand(h.shape, generator=g, dtype=dtype) >= drop) / (1 - drop)
        return torch.baddbmm(c3, h, w3)

    def mse(weights, x, y):
        return ((forward(x, weights) - y) ** 2).mean(dim=(1, 2))  # one mean squared error per network

    best_val = torch.full((C * R,), float("inf"), dtype=dtype)
    best_epoch = torch.zeros(C * R, dtype=torch.long)
    best = [p.detach().clone() for p in params]
    for epoch in range(1, epochs + 1):
        optimizer.zero_grad()
        ((forward(X, params, training=True) - Y) ** 2).mean(dim=(1, 2)).sum().backward()  # each its own mean
        with torch.no_grad():
            for p in params:
                p.grad += decay * p  # weight decay, as torch.optim.Adam(weight_decay=λ) adds it
        optimizer.step()
        if epoch % every == 0 or epoch == epochs:
            with torch.no_grad():
                val = mse(params, X_val, Y_val)
                better = val < best_val
                best_val = torch.where(better, val, best_val)
                best_epoch[better] = epoch
                for kept, p in zip(best, params):
                    kept[better] = p[better]
    with torch.no_grad():
        final = [p.detach() for p in params]
        out = [mse(w, x, y).numpy().reshape(C, R) for w in (final, best)
               for x, y in ((X, Y), (X_val, Y_val), (X_test, Y_test))]
    epochs_kept = best_epoch.numpy().reshape(C, R)
    return {name: RepeatedTraining(out[0][c], out[1][c], out[2][c], epochs_kept[c], out[3][c], out[4][c], out[5][c])
            for c, name in enumerate(configs)}


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
