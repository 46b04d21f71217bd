"""dlmi.widgets.regression: the pure callbacks behind the sliders of notebooks 01–02, and the widgets."""

import ipywidgets as widgets
import numpy as np
import pytest

from dlmi.data import simulate_flat_prices
from dlmi.linear import add_bias, squared_error_cost
from dlmi.widgets import regression
from dlmi.viz import figure_image
from dlmi.widgets.regression import (
    LEARNING_RATE_PRESETS,
    LearningRateFigure,
    LineFitFigure,
    learning_rate_widget,
    line_fit_widget,
)


@pytest.fixture(scope="module")
def size_price():
    table, _ = simulate_flat_prices(n=120, rng=0)
    return table["size_m2"].to_numpy(float), table["price_eur"].to_numpy() / 1000


@pytest.fixture(scope="module")
def standardised(size_price):
    x, y = size_price
    return (x - x.mean()) / x.std(), (y - y.mean()) / y.std()


@pytest.fixture
def line_view(size_price):
    x, y = size_price
    return LineFitFigure(x, y, w0_range=(-300, 400), w1_range=(2, 16), x_label="size (m²)", y_label="price (k€)",
                         w0_unit="k€", w1_unit="k€/m²", cost_unit="(k€)²", grid_size=20)



def test_line_fit_update_moves_the_artists_and_returns_j(line_view, size_price):
    x, y = size_price
    lines_before = list(line_view.figure.axes[0].lines)
    J = line_view.update(100.0, 6.0)
    assert J == pytest.approx(squared_error_cost([100.0, 6.0], add_bias(x), y))
    np.testing.assert_allclose(line_view.line.get_ydata(), 100.0 + 6.0 * line_view.line.get_xdata())
    segments = line_view.residuals.get_segments()
    assert len(segments) == len(x)
    np.testing.assert_allclose([s[0] for s in segments], np.column_stack([x, y]))
    np.testing.assert_allclose([s[1] for s in segments], np.column_stack([x, 100.0 + 6.0 * x]))
    np.testing.assert_allclose(np.ravel(line_view.point.get_data()), [100.0, 6.0])
    assert f"J = {J:,.0f} (k€)²" in line_view.readout.get_text()
    assert list(line_view.figure.axes[0].lines) == lines_before  # the same artists, moved, not new ones


def test_line_fit_cost_is_smallest_at_the_least_squares_line(line_view, size_price):
    x, y = size_price
    best = np.linalg.lstsq(add_bias(x), y, rcond=None)[0]
    J_best = line_view.update(*best)
    assert all(line_view.update(best[0] + d0, best[1] + d1) > J_best for d0, d1 in [(20, 0), (0, 0.3), (-20, 0.2)])


def test_line_fit_rejects_bad_input(size_price):
    x, y = size_price
    ranges = {"w0_range": (0, 1), "w1_range": (0, 1)}
    with pytest.raises(ValueError, match="x must have 1 dimension"):
        LineFitFigure(np.column_stack([x, x]), y, **ranges)
    with pytest.raises(ValueError, match="same number of samples"):
        LineFitFigure(x, y[:-1], **ranges)
    with pytest.raises(ValueError, match="y contains NaN"):
        LineFitFigure(x, np.where(x > 50, np.nan, y), **ranges)
    view = LineFitFigure(x, y, grid_size=5, **ranges)
    with pytest.raises(ValueError, match="w0 must be finite"):
        view.update(np.nan, 1.0)


@pytest.fixture(scope="module")
def lr_view(standardised):
    return LearningRateFigure(*standardised, w_init=-1.5, n_steps=40)


def test_presets_show_the_behaviour_they_are_named_for(lr_view):
    distance = {}
    runs = {name: lr_view.update(lr) for name, lr in LEARNING_RATE_PRESETS.items()}
    for name, run in runs.items():
        distance[name] = run.path[:, 0] - lr_view.w_best
    # too small: still going down after 40 steps, monotonically, and still far from the minimum
    too_small = runs["too small"]
    assert not too_small.converged and not too_small.diverged and np.all(np.diff(too_small.costs) < 0)
    assert abs(distance["too small"][-1]) > 0.3 * abs(distance["too small"][0])
    # good: converges quickly, without overshooting
    good = runs["good"]
    assert good.converged and len(good.costs) <= 25 and np.all(np.sign(distance["good"][:-1]) == np.sign(distance["good"][0]))
    # oscillates: jumps from one side of the minimum to the other, yet gets closer
    oscillating = distance["oscillates"]
    assert not runs["oscillates"].diverged and np.all(np.sign(oscillating[1:]) == -np.sign(oscillating[:-1]))
    assert abs(oscillating[-1]) < 0.01 * abs(oscillating[0])
    # diverges: reported in words
    assert runs["diverges"].diverged and runs["diverges"].status.startswith("diverged at step")
    assert np.isfinite(runs["diverges"].costs).all()


def test_learning_rate_readout_changes_with_the_learning_rate(lr_view):
    lr_view.update(0.3)
    good = lr_view.readout.get_text()
    lr_view.update(1.5)
    diverged = lr_view.readout.get_text()
    assert good != diverged and "η = 0.3: converged" in good and "η = 1.5: diverged at step" in diverged
    run = lr_view.update(0.01)
    assert len(lr_view.history.get_xdata()) == len(run.costs)
    with pytest.raises(ValueError, match="lr must be in"):
        lr_view.update(0.0)


def test_figure_image_is_a_png(line_view):
    assert figure_image(line_view.figure)[:8] == b"\x89PNG\r\n\x1a\n"


def _find(box, kind, **attributes):
    stack, found = [box], []
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        if isinstance(widget, kind) and all(getattr(widget, k) == v for k, v in attributes.items()):
            found.append(widget)
    return found


def test_line_fit_widget_sliders_drive_the_view(line_view, capsys):
    box = line_fit_widget(line_view, w0=50.0, w1=8.0)
    assert "image/png" in capsys.readouterr().out  # the default state, displayed as an ordinary output
    (w1_slider,) = _find(box, widgets.FloatSlider, description="w1 (k€/m²)")
    (readout,) = _find(box, widgets.HTML)
    assert not _find(box, widgets.Image)  # the figure is shown once: as the output that the sliders redraw
    before, picture = readout.value, box.image.data
    w1_slider.value = 10.0
    assert readout.value != before and box.image.data != picture  # the readout and the live figure follow
    assert box.image.data == figure_image(line_view.figure)
    np.testing.assert_allclose(np.ravel(line_view.point.get_data()), [50.0, 10.0])


def test_learning_rate_widget_slider_and_presets_drive_the_readout(lr_view):
    box = learning_rate_widget(lr_view)
    (slider,) = _find(box, widgets.FloatLogSlider, description="learning rate")
    (readout,) = _find(box, widgets.HTML)
    assert slider.value == LEARNING_RATE_PRESETS["good"] and "converged" in readout.value
    picture = box.image.data
    slider.value = 0.9
    assert "η = 0.9: not converged" in readout.value and box.image.data != picture
    (diverge,) = [b for b in _find(box, widgets.Button) if b.description.startswith("diverges")]
    diverge.click()
    assert slider.value == LEARNING_RATE_PRESETS["diverges"] and "diverged at step" in readout.value
    assert "diverged at step" in lr_view.readout.get_text()  # the figure's own readout too


def test_widgets_module_is_reached_lazily():
    import dlmi.widgets

    assert dlmi.widgets.regression is regression
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        dlmi.widgets.nope


def test_figures_name_bad_arguments():
    x, y = np.arange(1.0, 6.0), np.arange(1.0, 6.0)
    with pytest.raises(ValueError, match=r"w0_range must .* \(low, high\)"):
        LineFitFigure(x, y, w0_range=5, w1_range=(0, 1))
    with pytest.raises(ValueError, match=r"w1_range must be a pair \(low, high\) with low < high"):
        LineFitFigure(x, y, w0_range=(0, 1), w1_range=(2, 1))
    with pytest.raises(TypeError, match="n_steps"):
        LearningRateFigure(x, y, n_steps="40")
    with pytest.raises(ValueError, match="x must not be all zeros"):
        LearningRateFigure(np.zeros(5), y)
