"""The overfitting widgets of notebook 07: polynomial degree and early stopping, presets and redraws."""

import numpy as np
import pytest

from dlmi import nn, optim
from dlmi.data.toy import noisy_sine
from dlmi.linear import polynomial_errors, predict_polynomial
from dlmi.regularisation import record_training
from dlmi.widgets import overfitting as of


def _notebook_polynomial_data():
    """The data of notebook 07, section 1."""
    return (*noisy_sine(20, noise=0.25, rng=1, stratified=True), *noisy_sine(200, noise=0.25, rng=2))







def test_polynomial_presets_show_under_right_and_overfitting():
    errors = polynomial_errors(*_notebook_polynomial_data(), degrees=range(20))
    presets = of.PRESETS["polynomial degree"]
    under, right, over = (errors.index(presets[k]) for k in presets)
    assert list(presets) == ["underfits: a straight line", "about right: a cubic",
                             "overfits: degree 19 through 20 points"]
    assert errors.val_mse[right] <= 1.25 * errors.val_mse.min()
    assert errors.train_mse[under] > 2 * errors.train_mse[right] and errors.val_mse[under] > 2 * errors.val_mse[right]
    assert errors.train_mse[over] < errors.train_mse[right] and errors.val_mse[over] > 10 * errors.val_mse[right]


def test_polynomial_figure_update_matches_the_errors():
    data = _notebook_polynomial_data()
    view = of.PolynomialFitFigure(*data, max_degree=12)
    train, val = view.update(3)
    assert (train, val) == (view.errors.train_mse[3], view.errors.val_mse[3])
    np.testing.assert_allclose(view.curve.get_ydata(), predict_polynomial(view.errors.coefs[3], view._grid))
    assert "degree 3" in view.readout.get_text()
    assert view.render().shape[2] == 4
    with pytest.raises(ValueError, match="degree"):
        view.update(13)


def _sets():
    pairs = [noisy_sine(20, rng=1), noisy_sine(200, rng=2)]
    return [(x[:, None], y[:, None]) for x, y in pairs]


@pytest.fixture(scope="module")
def overfitted():
    """Notebook 07's network in fast mode: 500 full-batch Adam epochs on 20 samples."""
    model = nn.mlp([1, 32, 32, 1], "tanh", rng=0)
    train, val = _sets()
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99))
    return record_training(model, nn.MSELoss(), opt, train, val, epochs=500, grid=np.linspace(0, 1, 50)[:, None])




def test_early_stopping_presets_show_their_moment(overfitted):
    r = overfitted
    epochs = {name: preset(r) for name, preset in of.PRESETS["early stopping"].items()}
    early, best, late = epochs.values()
    assert best == r.best_epoch and late == r.epochs and 1 <= early < best
    assert r.val_loss[early] > r.val_loss[best] and r.train_loss[early] > r.train_loss[best]
    assert r.val_loss[late] > 2 * r.val_loss[best] and r.train_loss[late] < r.train_loss[best]


def test_early_stopping_figure_replays_the_record(overfitted):
    x_train, y_train = noisy_sine(20, rng=1)
    x_val, y_val = noisy_sine(200, rng=2)
    view = of.EarlyStoppingFigure(overfitted, x_train, y_train, x_val, y_val)
    assert view.update(120) == (overfitted.train_loss[120], overfitted.val_loss[120])
    np.testing.assert_allclose(view.curve.get_ydata(), overfitted.predictions[120])
    assert list(view.epoch_line.get_xdata()) == [120, 120]
    with pytest.raises(ValueError, match="epoch"):
        view.update(501)
    with pytest.raises(TypeError, match="record"):
        of.EarlyStoppingFigure({"val_loss": [1.0]}, x_train, y_train, x_val, y_val)


def test_overfitting_widgets_redraw_on_slider_and_preset(overfitted):
    box = of.polynomial_widget(*_notebook_polynomial_data(), degree=2)
    menu, slider, readout = box.children
    assert "degree 2" in readout.value
    menu.value = "overfits: degree 19 through 20 points"
    assert slider.value == 19 and "degree 19" in readout.value
    x_train, y_train = noisy_sine(20, rng=1)
    x_val, y_val = noisy_sine(200, rng=2)
    box = of.early_stopping_widget(overfitted, x_train, y_train, x_val, y_val)
    menu, slider, readout = box.children
    assert slider.value == overfitted.best_epoch
    menu.value = "too late: overfitted"
    assert slider.value == 500 and "epoch 500" in readout.value
