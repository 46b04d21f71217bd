"""A neural-network playground in the spirit of TensorFlow Playground, built on ``dlmi.nn``.

Three pure functions do the work and are what the tests and ``benchmarks/playground.py`` call:

* :func:`init_state` — configuration → a fresh state (data split, untrained network);
* :func:`train_steps` — state → new state after ``n`` mini-batch SGD steps of
  :func:`dlmi.nn.fit` (the input state is left untouched);
* :func:`draw_playground` — state → figure: draws the decision surface, the train and test
  points and the loss curves, or, given the view of a previous call, only moves its artists.

:func:`playground_widget` adds ipywidgets controls around them: an ipywidgets ``Play`` widget
drives the training from the browser, so no thread outlives the kernel. :data:`PRESETS` holds
the instructor's one-click scenarios, each with the test accuracy its lesson predicts.
"""

from __future__ import annotations

import copy
from dataclasses import InitVar, dataclass, field, replace
from numbers import Integral

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure

from .. import nn, optim
from ..data.toy import TOY_DATASETS, make_toy_dataset
from ..validation import as_array, check_choice, check_positive, check_scalar, rng_argument
from ..viz import PALETTE, encode_image
from .live import LiveImage

__all__ = [
    "PRESETS",
    "PlaygroundConfig",
    "PlaygroundState",
    "PlaygroundView",
    "Preset",
    "draw_playground",
    "init_state",
    "plot_decision_surface",
    "playground_widget",
    "train_steps",
]

#: Light blue (class 0) → white → light orange (class 1): the course palette's first two
#: colours mixed with white, so that the points (full colours) stand out on the surface.
CLASS_CMAP = LinearSegmentedColormap.from_list(
    "class01", [np.array(to_rgb(PALETTE[0])) * 0.45 + 0.55, (1.0, 1.0, 1.0), np.array(to_rgb(PALETTE[1])) * 0.45 + 0.55]
)
EXTENT = 1.6  # the surface covers [−EXTENT, EXTENT]²


@dataclass(frozen=True)
class PlaygroundConfig:
    """Everything the playground's controls set.

    ``hidden`` lists the widths of the hidden layers (``()``: no hidden layer, i.e. logistic
    regression); ``activation`` is one of ``dlmi.nn.ACTIVATIONS``; ``l2`` is λ in J + (λ/2) Σ θ²
    (SGD's weight decay, on every parameter as in torch); ``noise`` is the standard deviation of
    the points' noise; ``test_fraction`` the share held out for testing; ``rng`` the int seed of
    the data, the initial weights and the mini-batches (``seed=`` is accepted as its older name).
    """

    dataset: str = "circles"
    noise: float = 0.05
    n_samples: int = 300
    test_fraction: float = 0.5
    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    learning_rate: float = 0.1
    l2: float = 0.0
    batch_size: int = 10
    rng: int = 0
    seed: InitVar[int | None] = None

    def __post_init__(self, seed: int | None) -> None:
        object.__setattr__(self, "rng", rng_argument(self.rng, seed))
        check_choice(self.dataset, "dataset", TOY_DATASETS)
        check_scalar(self.noise, "noise", low=0.0, high=1.0)
        check_scalar(self.n_samples, "n_samples", kind=Integral, low=10)
        check_scalar(self.test_fraction, "test_fraction", low=0.0, high=1.0, low_inclusive=False, high_inclusive=False)
        if not isinstance(self.hidden, tuple):
            raise TypeError(f"hidden must be a tuple of layer widths, got {type(self.hidden).__name__}")
        for i, width in enumerate(self.hidden):
            check_scalar(width, f"hidden[{i}]", kind=Integral, low=1)
        check_choice(self.activation, "activation", list(nn.ACTIVATIONS))
        check_positive(self.learning_rate, "learning_rate")
        check_scalar(self.l2, "l2", low=0.0)
        check_scalar(self.batch_size, "batch_size", kind=Integral, low=1)
        check_scalar(self.rng, "rng", kind=Integral, low=0)


@dataclass(frozen=True)
class Preset:
    """An instructor's scenario: a configuration, the lesson in one sentence, and the test
    accuracy range that lesson predicts after ``n_steps`` SGD steps (the tests check it)."""

    config: PlaygroundConfig
    lesson: str
    n_steps: int
    test_accuracy: tuple[float, float]


@dataclass(frozen=True)
class PlaygroundState:
    """A snapshot of the playground: the configuration, the data, the network and its history.

    ``history`` maps "step", "train_loss", "test_loss" to equally long lists (one entry per
    call of :func:`train_steps`); ``diverged`` is set when the outputs, the loss or the weights
    stop being finite, and the training then stops; ``status`` says so in words.
    """

    config: PlaygroundConfig
    model: nn.Sequential
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    rng: np.random.Generator
    step: int = 0
    history: dict[str, list[float]] = field(default_factory=dict)
    diverged: bool = False
    status: str = "step 0"


def init_state(config: PlaygroundConfig | None = None) -> PlaygroundState:
    """Draw the data set, split it, build an untrained network: the playground at step 0.

    The network is ``dlmi.nn.mlp`` with 2 inputs, ``config.hidden`` and 1 logit; He
    initialisation for ReLU layers, else Xavier (and Xavier for the output layer).
    """
    config = PlaygroundConfig() if config is None else config
    if not isinstance(config, PlaygroundConfig):
        raise TypeError(f"config must be a PlaygroundConfig, got {type(config).__name__}")
    rng = np.random.default_rng(config.rng)
    X, y = make_toy_dataset(config.dataset, config.n_samples, config.noise, rng)
    n_test = min(max(1, round(config.test_fraction * len(y))), len(y) - 1)
    hidden_init = "he" if config.activation == "relu" else "xavier"
    model = nn.mlp([2, *config.hidden, 1], config.activation, init=[hidden_init] * len(config.hidden) + ["xavier"],
                   rng=rng)
    state = PlaygroundState(config, model, X[n_test:], y[n_test:], X[:n_test], y[:n_test], rng)
    return _advance(state, 0)


def train_steps(state: PlaygroundState, n_steps: int) -> PlaygroundState:
    """``n_steps`` steps of mini-batch SGD from ``state`` (``dlmi.nn.fit``); returns a new state.

    Each step draws ``batch_size`` training points at random, computes ∂J/∂W by backprop and
    applies W ← W − η (∂J/∂W + λ W) (SGD with weight decay λ = ``l2``). ``state`` itself is not
    modified.
    """
    check_scalar(n_steps, "n_steps", kind=Integral, low=0)
    if state.diverged or n_steps == 0:
        return state
    return _advance(state, n_steps)


def _advance(state: PlaygroundState, n_steps: int) -> PlaygroundState:
    """Train a copy of ``state``'s network and generator ``n_steps`` steps; append the losses to the history."""
    model, rng = copy.deepcopy((state.model, state.rng))
    cfg = state.config
    run = nn.fit(model, nn.BCEWithLogitsLoss(), state.X_train, state.y_train[:, None].astype(float),
                 optimizer=optim.SGD(model.parameters(), lr=cfg.learning_rate, weight_decay=cfg.l2),
                 steps=n_steps, batch_size=cfg.batch_size, val=(state.X_test, state.y_test[:, None].astype(float)),
                 rng=rng)
    train_loss, test_loss = (np.nan, np.nan) if run.diverged else (run.train_loss[-1], run.val_loss[-1])
    step = state.step + n_steps
    history = {key: [*state.history.get(key, []), value]
               for key, value in (("step", step), ("train_loss", train_loss), ("test_loss", test_loss))}
    return replace(state, model=model, rng=rng, step=step, history=history, diverged=run.diverged,
                   status=run.status if run.diverged else f"step {step}")


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------
class PlaygroundView:
    """The figure of :func:`draw_playground`, redrawn by blitting.

    The static part (axes, ticks, labels, legend) is rendered once and kept as a background;
    an update pastes the background back and draws only the artists that change (the
    surface, the points above it, the loss curves and the title), about five times faster
    than a full redraw. The loss axes grow by doubling, which costs a full redraw now and then.
    Read the pixels with :meth:`png` (a plain ``savefig`` would skip the changing artists);
    in a notebook, a view displays itself as that PNG.
    """

    def __init__(self, state: PlaygroundState, resolution: int = 60) -> None:
        from matplotlib.lines import Line2D

        self.grid, self.resolution = _grid(resolution), resolution
        self.figure = Figure(figsize=(10.5, 4.6), dpi=80)
        FigureCanvasAgg(self.figure)
        self.ax_surface, self.ax_loss = self.figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        self.surface = plot_decision_surface(self.ax_surface, state.model, resolution=resolution, boundary=False)
        self.points = [
            _scatter(self.ax_surface, state.X_train, state.y_train, marker="o"),
            _scatter(self.ax_surface, state.X_test, state.y_test, marker="^"),
        ]
        (self.train_curve,) = self.ax_loss.plot([], [], color=PALETTE[0])
        (self.test_curve,) = self.ax_loss.plot([], [], color=PALETTE[3])
        self.ax_loss.set(xlabel="SGD step", ylabel="cross-entropy loss", title="Loss curves", xlim=(0, 100))
        grey = {"linestyle": "", "markerfacecolor": "0.6", "markersize": 7}
        handles = [
            Line2D([], [], color=PALETTE[0], label="train loss"),
            Line2D([], [], color=PALETTE[3], label="test loss"),
            Line2D([], [], marker="o", markeredgecolor="white", label="train points", **grey),
            Line2D([], [], marker="^", markeredgecolor="black", label="test points", **grey),
        ]
        self.ax_loss.legend(handles=handles, loc="upper right", fontsize=10)
        self.ax_surface.set_title(" ", fontsize=12)
        self.figure.tight_layout()
        self.changing = [self.surface, *self.points, self.train_curve, self.test_curve, self.ax_surface.title]
        for artist in self.changing:
            artist.set_animated(True)
        self.y_max = 0.0
        self._background = None

    def set_loss_limits(self, last_step: int, losses: list[float]) -> None:
        """Grow the loss axes (x doubles, y to 1.2 × the largest loss) when the curves leave them."""
        x_max = self.ax_loss.get_xlim()[1]
        finite = [v for v in losses if np.isfinite(v)]
        largest = max(finite, default=0.7)
        changed = False
        while last_step > x_max:
            x_max *= 2
            changed = True
        if largest > self.y_max:
            self.y_max = 1.2 * largest
            changed = True
        if changed:
            self.ax_loss.set(xlim=(0, x_max), ylim=(0, self.y_max))
            self._background = None

    def blit(self) -> None:
        """Paint the background (rendering it first if needed) and the changing artists."""
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()  # animated artists are left out of a full draw
            self.figure.set_layout_engine("none")
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for artist in self.changing:
            self.figure.draw_artist(artist)

    def png(self) -> bytes:
        """The current picture as PNG bytes (what the widget sends at each update)."""
        return encode_image(self.figure.canvas.buffer_rgba())

    def _repr_png_(self) -> bytes:
        return self.png()


def _grid(resolution: int) -> np.ndarray:
    axis = np.linspace(-EXTENT, EXTENT, resolution)
    xx, yy = np.meshgrid(axis, axis)
    return np.column_stack([xx.ravel(), yy.ravel()])


def plot_decision_surface(
    ax, model: nn.Module, X=None, y=None, *, resolution: int = 80, title: str = "", boundary: bool = True
):
    """Colour ``ax`` by P(class 1 | x) of ``model`` over [−1.6, 1.6]² and scatter (X, y) on top.

    Blue is class 0, orange class 1, white P = 0.5; ``boundary`` also draws the line P = 0.5
    in black. Returns the image artist.
    """
    check_scalar(resolution, "resolution", kind=Integral, low=2)
    grid = _grid(resolution)
    proba = nn.predict_proba(model, grid).reshape(resolution, resolution)
    image = ax.imshow(
        proba, origin="lower", cmap=CLASS_CMAP, vmin=0, vmax=1, extent=(-EXTENT, EXTENT, -EXTENT, EXTENT),
        interpolation="bilinear", aspect="equal",
    )
    if boundary and proba.min() < 0.5 < proba.max():
        axis = grid[:resolution, 0]
        ax.contour(axis, axis, proba, levels=[0.5], colors="black", linewidths=1.3)
    if X is not None:
        _scatter(ax, as_array(X, "X", ndim=2), y, marker="o")
    ax.set(xlim=(-EXTENT, EXTENT), ylim=(-EXTENT, EXTENT), xlabel="$x_1$ (a.u.)", ylabel="$x_2$ (a.u.)", title=title)
    ax.grid(False)
    return image


def _scatter(ax, X, y, *, marker: str):
    colours = np.where(np.asarray(y) == 1, PALETTE[1], PALETTE[0])
    edge = "white" if marker == "o" else "black"
    return ax.scatter(X[:, 0], X[:, 1], c=colours, marker=marker, s=28, edgecolors=edge, linewidths=0.7)


def _title(state: PlaygroundState) -> str:
    if state.diverged:
        return f"step {state.step}: training diverged — lower the learning rate"
    train = nn.accuracy(state.model, state.X_train, state.y_train)
    test = nn.accuracy(state.model, state.X_test, state.y_test)
    return f"step {state.step}: train accuracy {train:.0%}, test {test:.0%}"


def draw_playground(state: PlaygroundState, view: PlaygroundView | None = None, *, resolution: int = 60) -> PlaygroundView:
    """Draw ``state``: decision surface with train (○) and test (△) points, and the loss curves.

    Without ``view`` a new figure is made (``resolution`` × ``resolution`` surface); with the
    view of an earlier call on the same data only what changes is redrawn. Returns the view;
    ``view.png()`` gives the picture.
    """
    if view is None:
        view = PlaygroundView(state, resolution)
    n = view.resolution
    proba = np.full(n * n, 0.5) if state.diverged else nn.predict_proba(state.model, view.grid)
    view.surface.set_data(np.nan_to_num(proba, nan=0.5).reshape(n, n))
    steps = np.asarray(state.history["step"], dtype=float)
    view.train_curve.set_data(steps, state.history["train_loss"])
    view.test_curve.set_data(steps, state.history["test_loss"])
    view.set_loss_limits(state.step, [*state.history["train_loss"], *state.history["test_loss"]])
    view.ax_surface.set_title(_title(state), fontsize=12)
    view.blit()
    return view


# --------------------------------------------------------------------------------------------
# Instructor presets
# --------------------------------------------------------------------------------------------
PRESETS: dict[str, Preset] = {
    "XOR: no hidden layer": Preset(
        PlaygroundConfig(dataset="xor", hidden=(), learning_rate=0.3, n_samples=2000),
        "Without a hidden layer the network is logistic regression: one straight line cannot "
        "separate XOR, and the accuracy stays near chance.",
        n_steps=1500, test_accuracy=(0.0, 0.7),
    ),
    "XOR needs a hidden layer": Preset(
        PlaygroundConfig(dataset="xor", hidden=(8,), learning_rate=0.3, n_samples=2000),
        "One hidden layer of 8 tanh units bends the boundary: XOR is solved.",
        n_steps=1500, test_accuracy=(0.9, 1.0),
    ),
    "Circles: linear activations": Preset(
        PlaygroundConfig(dataset="circles", hidden=(8, 8), activation="linear", learning_rate=0.1, n_samples=2000),
        "With linear activations, two hidden layers still compute a linear function: the "
        "boundary is a straight line and the ring is not separated.",
        n_steps=1500, test_accuracy=(0.0, 0.7),
    ),
    "Circles: ReLU activations": Preset(
        PlaygroundConfig(dataset="circles", hidden=(8, 8), activation="relu", learning_rate=0.1, n_samples=2000),
        "The same network with ReLU activations draws a closed boundary around the disc.",
        n_steps=1500, test_accuracy=(0.95, 1.0),
    ),
    "Spiral: one wide layer": Preset(
        PlaygroundConfig(dataset="spiral", hidden=(64,), activation="relu", learning_rate=0.1, n_samples=400),
        "One hidden layer of 64 ReLU units, after 3000 steps, still cuts the spiral with a few "
        "straight pieces: far from the two arms.",
        n_steps=3000, test_accuracy=(0.0, 0.8),
    ),
    "Spiral needs depth": Preset(
        PlaygroundConfig(dataset="spiral", hidden=(16, 16, 16), activation="relu", learning_rate=0.1, n_samples=400),
        "Three hidden layers of 16 ReLU units compose their folds into the spiral within the "
        "same 3000 steps.",
        n_steps=3000, test_accuracy=(0.9, 1.0),
    ),
    "Too large a learning rate": Preset(
        PlaygroundConfig(dataset="circles", hidden=(8, 8), activation="relu", learning_rate=30.0),
        "η = 30: each step overshoots, the loss jumps instead of decreasing and the network "
        "ends no better than chance (or diverges).",
        n_steps=1500, test_accuracy=(0.0, 0.7),
    ),
}


# --------------------------------------------------------------------------------------------
# The widget (a thin layer over the functions above)
# --------------------------------------------------------------------------------------------
L2_CHOICES = (0.0, 1e-4, 1e-3, 1e-2, 1e-1)


def playground_widget(config: PlaygroundConfig | None = None, *, steps_per_frame: int = 10, interval_ms: int = 150):
    """Controls, play/pause/step/reset buttons and the live figure; returns the widget box.

    Each tick of the ``Play`` widget (every ``interval_ms`` while playing) runs
    :func:`train_steps` for ``steps_per_frame`` steps and :func:`draw_playground`. The figure
    is displayed as an ordinary output, so a headless run shows the initial state.
    """
    import ipywidgets as widgets
    from IPython.display import display

    config = PlaygroundConfig() if config is None else config
    style, layout = {"description_width": "110px"}, {"width": "330px"}

    def slider(kind, **kwargs):
        return kind(style=style, layout=layout, continuous_update=False, **kwargs)

    preset = widgets.Dropdown(options=["(custom)", *PRESETS], value="(custom)", description="preset", style=style, layout={"width": "420px"})
    lesson = widgets.HTML()
    controls = {
        "dataset": widgets.Dropdown(options=TOY_DATASETS, value=config.dataset, description="dataset", style=style, layout=layout),
        "noise": slider(widgets.FloatSlider, value=config.noise, min=0.0, max=0.5, step=0.01, description="noise"),
        "test_fraction": slider(widgets.FloatSlider, value=config.test_fraction, min=0.1, max=0.9, step=0.05, description="test fraction"),
        "n_layers": slider(widgets.IntSlider, value=len(config.hidden), min=0, max=4, description="hidden layers"),
        "units": slider(widgets.IntSlider, value=max(config.hidden, default=4), min=1, max=64, description="units per layer"),
        "activation": widgets.Dropdown(options=list(nn.ACTIVATIONS), value=config.activation, description="activation", style=style, layout=layout),
        "learning_rate": slider(widgets.FloatLogSlider, value=config.learning_rate, base=10, min=-3, max=1.5, step=0.01, description="learning rate", readout_format=".3g"),
        "l2": widgets.Dropdown(options=L2_CHOICES, value=config.l2 if config.l2 in L2_CHOICES else 0.0, description="L2 (λ)", style=style, layout=layout),
        "batch_size": slider(widgets.IntSlider, value=config.batch_size, min=1, max=64, description="batch size"),
    }
    play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, description="play")
    step_button = widgets.Button(description=f"step ×{steps_per_frame}")
    reset_button = widgets.Button(description="reset")
    status = widgets.HTML()

    holder: dict = {"config": config}  # the configuration being trained, the state and its view

    def config_from_controls() -> PlaygroundConfig:
        values = {k: w.value for k, w in controls.items() if k not in ("n_layers", "units")}
        hidden = (controls["units"].value,) * controls["n_layers"].value
        return replace(holder["config"], hidden=hidden, **values)

    def show(state: PlaygroundState, new_view: bool = False) -> None:
        holder["state"] = state
        holder["view"] = draw_playground(state, None if new_view else holder.get("view"))
        status.value = f"<b>{_title(state)}</b>"
        if "image" in holder:
            holder["image"].update(holder["view"].png())

    def reset(_=None) -> None:
        play.value = 0
        show(init_state(holder["config"]), new_view=True)

    def control_changed(_change) -> None:
        holder["config"] = config_from_controls()
        reset()

    def advance(_=None) -> None:
        state = holder["state"]
        if state.diverged:
            play.playing = False
        show(train_steps(state, steps_per_frame))

    def apply_preset(change) -> None:
        if change["new"] not in PRESETS:
            lesson.value = ""
            return
        chosen = PRESETS[change["new"]]
        cfg = chosen.config
        lesson.value = f"<i>{chosen.lesson}</i>"
        values = {**{k: getattr(cfg, k) for k in controls if k not in ("n_layers", "units")},
                  "n_layers": len(cfg.hidden), "units": max(cfg.hidden, default=controls["units"].value)}
        for name, widget in controls.items():  # show the preset's values without a reset per control
            widget.unobserve(control_changed, names="value")
            widget.value = values[name]
            widget.observe(control_changed, names="value")
        holder["config"] = replace(cfg, rng=holder["config"].rng)  # exactly the preset (even where a slider
        # rounds its value), drawn with the widget's seed
        reset()

    reset()
    for widget in controls.values():
        widget.observe(control_changed, names="value")
    preset.observe(apply_preset, names="value")
    play.observe(lambda change: advance() if change["new"] > 0 else None, names="value")
    step_button.on_click(advance)
    reset_button.on_click(reset)

    column = list(controls.values())
    box = widgets.VBox([
        widgets.HBox([preset, lesson]),
        widgets.HBox([widgets.VBox(column[:5]), widgets.VBox(column[5:])]),
        widgets.HBox([play, step_button, reset_button, status]),
    ])
    display(box)
    box.image = holder["image"] = LiveImage(holder["view"].png())
    return box
