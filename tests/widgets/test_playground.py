"""dlmi.widgets.playground: the pure state/drawing functions, the presets' lessons, the widget."""

from dataclasses import replace

import numpy as np
import pytest

from dlmi import nn
from dlmi.widgets import playground as pg


@pytest.fixture(scope="module")
def state0():
    return pg.init_state()


def test_config_validates_every_field():
    with pytest.raises(ValueError, match="dataset must be one of"):
        pg.PlaygroundConfig(dataset="swiss roll")
    with pytest.raises(TypeError, match="hidden must be a tuple"):
        pg.PlaygroundConfig(hidden=[4, 2])
    with pytest.raises(ValueError, match=r"hidden\[1\] must be in"):
        pg.PlaygroundConfig(hidden=(4, 0))
    with pytest.raises(ValueError, match="activation must be one of"):
        pg.PlaygroundConfig(activation="gelu")
    with pytest.raises(ValueError, match="learning_rate must be in"):
        pg.PlaygroundConfig(learning_rate=0.0)
    with pytest.raises(ValueError, match="test_fraction must be in"):
        pg.PlaygroundConfig(test_fraction=1.0)
    with pytest.raises(ValueError, match="l2 must be in"):
        pg.PlaygroundConfig(l2=-1e-3)
    with pytest.raises(TypeError, match="batch_size must be an integer"):
        pg.PlaygroundConfig(batch_size=2.5)
    with pytest.raises(TypeError, match="config must be a PlaygroundConfig"):
        pg.init_state({"dataset": "xor"})
    with pytest.raises(ValueError, match="n_steps must be in"):
        pg.train_steps(pg.init_state(), -1)


def test_init_state_splits_the_data_and_builds_the_network(state0):
    cfg = state0.config
    assert len(state0.y_test) == round(cfg.test_fraction * cfg.n_samples)
    assert len(state0.y_train) + len(state0.y_test) == cfg.n_samples
    assert state0.X_train.shape[1] == 2 and state0.step == 0 and not state0.diverged
    widths = [lin.out_features for lin in state0.model.layers if isinstance(lin, nn.Linear)]
    assert widths == [*cfg.hidden, 1]
    assert state0.history["step"] == [0]
    assert state0.history["train_loss"][0] == pytest.approx(np.log(2), abs=0.15)  # untrained: near chance
    again = pg.init_state()
    np.testing.assert_array_equal(again.X_train, state0.X_train)
    for a, b in zip(again.model.parameters(), state0.model.parameters()):
        np.testing.assert_array_equal(a, b)


def test_the_network_is_an_mlp_with_he_init_for_relu_layers():
    linear = pg.init_state(pg.PlaygroundConfig(hidden=(3, 5), activation="linear")).model
    assert [type(m) for m in linear.layers] == [nn.Linear] * 3
    relu = pg.init_state(pg.PlaygroundConfig(hidden=(3,), activation="relu")).model
    assert [type(m) for m in relu.layers] == [nn.Linear, nn.ReLU, nn.Linear]
    assert relu.layers[0].init == "he" and relu.layers[2].init == "xavier"
    assert pg.init_state(pg.PlaygroundConfig(hidden=(3,), activation="tanh")).model.layers[0].init == "xavier"
    assert [type(m) for m in pg.init_state(pg.PlaygroundConfig(hidden=())).model.layers] == [nn.Linear]


def test_train_steps_is_pure_deterministic_and_learns(state0):
    before = [p.copy() for p in state0.model.parameters()]
    history_before = {k: list(v) for k, v in state0.history.items()}
    a = pg.train_steps(state0, 400)
    b = pg.train_steps(state0, 400)
    for p, saved in zip(state0.model.parameters(), before):
        np.testing.assert_array_equal(p, saved)
    assert state0.history == history_before and state0.step == 0
    assert a.step == 400 and a.history["step"] == [0, 400]
    for p, q in zip(a.model.parameters(), b.model.parameters()):
        np.testing.assert_array_equal(p, q)
    c = pg.train_steps(pg.train_steps(a, 300), 300)
    assert c.history["step"] == [0, 400, 700, 1000]
    assert c.history["train_loss"][-1] < 0.6 * c.history["train_loss"][0]
    assert nn.accuracy(c.model, c.X_test, c.y_test) > 0.85
    assert pg.train_steps(a, 0) is a


def test_l2_shrinks_the_weights():
    cfg = pg.PlaygroundConfig(dataset="moons", hidden=(8,), learning_rate=0.3)
    plain = pg.train_steps(pg.init_state(cfg), 1000)
    shrunk = pg.train_steps(pg.init_state(replace(cfg, l2=0.05)), 1000)

    def norm(state):
        return sum(float(np.sum(w**2)) for name, w in state.model.params.items() if name.endswith(".W"))

    assert norm(shrunk) < 0.7 * norm(plain)


def test_divergence_is_detected_and_stops_training(state0):
    broken = pg.train_steps(state0, 1)
    broken.model.layers[0].params["W"][0, 0] = np.inf
    after = pg.train_steps(broken, 5)
    assert after.diverged and after.status.startswith("diverged at step")
    assert pg.train_steps(after, 5) is after
    assert "diverged" in pg._title(after)
    view = pg.draw_playground(after)  # draws a neutral surface, no NaN warnings
    assert np.allclose(view.surface.get_array(), 0.5)


def test_draw_shows_the_state_and_updates_in_place(state0):
    view = pg.draw_playground(state0)
    png0 = view.png()
    assert png0[:8] == b"\x89PNG\r\n\x1a\n" and view._repr_png_() == png0
    n = view.resolution
    np.testing.assert_allclose(
        view.surface.get_array(), nn.predict_proba(state0.model, view.grid).reshape(n, n)
    )
    trained = pg.train_steps(state0, 1000)
    same = pg.draw_playground(trained, view)
    assert same is view
    np.testing.assert_allclose(view.surface.get_array(), nn.predict_proba(trained.model, view.grid).reshape(n, n))
    np.testing.assert_array_equal(view.train_curve.get_xdata(), [0, 1000])
    np.testing.assert_array_equal(view.test_curve.get_ydata(), trained.history["test_loss"])
    assert view.ax_loss.get_xlim()[1] >= 1000  # the axes grew to show the whole curve
    assert "step 1000" in view.ax_surface.get_title()
    assert view.png() != png0
    # a blitted update shows the same picture as a view drawn from scratch
    fresh = pg.draw_playground(trained)
    pixels = np.asarray(view.figure.canvas.buffer_rgba())
    assert np.mean(pixels != np.asarray(fresh.figure.canvas.buffer_rgba())) < 0.01


def test_plot_decision_surface_colours_probabilities(state0):
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    image = pg.plot_decision_surface(ax, state0.model, state0.X_train, state0.y_train, resolution=20, title="t",
                                     boundary=False)
    values = image.get_array()
    assert values.shape == (20, 20) and values.min() >= 0 and values.max() <= 1
    np.testing.assert_allclose(values.ravel(), nn.predict_proba(state0.model, pg._grid(20)))
    assert ax.get_title() == "t" and len(ax.collections) == 1  # the points only
    trained = pg.train_steps(state0, 500)
    ax = Figure().subplots()
    pg.plot_decision_surface(ax, trained.model, resolution=30)
    (contour,) = ax.collections  # the line P = 0.5
    assert list(contour.levels) == [0.5]


@pytest.mark.parametrize("name", list(pg.PRESETS))
def test_each_preset_teaches_what_it_says(name):
    preset = pg.PRESETS[name]
    assert isinstance(preset.config, pg.PlaygroundConfig) and preset.lesson
    state = pg.train_steps(pg.init_state(preset.config), preset.n_steps)
    low, high = preset.test_accuracy
    assert low <= nn.accuracy(state.model, state.X_test, state.y_test) <= high


def test_xor_presets_differ_only_by_the_hidden_layer():
    without, with_hidden = pg.PRESETS["XOR: no hidden layer"], pg.PRESETS["XOR needs a hidden layer"]
    assert replace(without.config, hidden=with_hidden.config.hidden) == with_hidden.config
    assert without.test_accuracy[1] <= 0.7 and with_hidden.test_accuracy[0] >= 0.9


def test_widget_builds_steps_and_applies_presets():
    pytest.importorskip("ipywidgets")
    import ipywidgets as widgets

    box = pg.playground_widget(steps_per_frame=5)

    def find(kind, predicate=lambda w: True):
        found, stack = [], [box]
        while stack:
            w = stack.pop()
            if isinstance(w, kind) and predicate(w):
                found.append(w)
            stack.extend(getattr(w, "children", ()))
        return found

    status = next(w for w in find(widgets.HTML) if "step 0" in w.value)
    step = find(widgets.Button, lambda w: w.description.startswith("step"))[0]
    step.click()
    assert "step 5:" in status.value
    play = find(widgets.Play)[0]
    play.value = 1  # what the browser does at each tick while playing
    assert "step 10:" in status.value
    preset = find(widgets.Dropdown, lambda w: w.description == "preset")[0]
    preset.value = "XOR: no hidden layer"
    assert "step 0:" in status.value  # a preset resets the training
    layers = find(widgets.IntSlider, lambda w: w.description == "hidden layers")[0]
    dataset = find(widgets.Dropdown, lambda w: w.description == "dataset")[0]
    assert layers.value == 0 and dataset.value == "xor"
    # a preset trains exactly its configuration (400 samples, 64 units), the same as the pure functions
    preset.value = "Spiral: one wide layer"
    units = find(widgets.IntSlider, lambda w: w.description == "units per layer")[0]
    assert units.value == 64 and dataset.value == "spiral"
    step.click()
    expected = pg.train_steps(pg.init_state(pg.PRESETS["Spiral: one wide layer"].config), 5)
    assert status.value == f"<b>{pg._title(expected)}</b>"
    # moving a control retrains from the controls' values
    layers.value = 2
    assert "step 0:" in status.value


def test_widget_presets_keep_the_widgets_seed():
    pytest.importorskip("ipywidgets")
    import ipywidgets as widgets

    box = pg.playground_widget(pg.PlaygroundConfig(rng=3), steps_per_frame=5)
    found, stack = [], [box]
    while stack:
        w = stack.pop()
        found.append(w)
        stack.extend(getattr(w, "children", ()))
    preset = next(w for w in found if isinstance(w, widgets.Dropdown) and w.description == "preset")
    step = next(w for w in found if isinstance(w, widgets.Button) and w.description.startswith("step"))
    status = next(w for w in found if isinstance(w, widgets.HTML) and "step 0" in w.value)
    preset.value = "XOR needs a hidden layer"
    step.click()
    expected = pg.train_steps(pg.init_state(replace(pg.PRESETS["XOR needs a hidden layer"].config, rng=3)), 5)
    assert pg.PlaygroundConfig(seed=3) == pg.PlaygroundConfig(rng=3)  # seed: the older name of rng
    assert status.value == f"<b>{pg._title(expected)}</b>"
