"""The optimizer-race widget of notebook 06: the pure callbacks, the blitted redraw, and every preset's teaching claim."""

import numpy as np
import pytest

from dlmi.surfaces import SLIDES_OPTIMIZERS, get_surface, race
from dlmi.widgets import optimizers as ow


# ------------------------------------------------------------------------------- optimizer race
def _run_preset(name):
    p = ow.PRESETS[name]
    runs = race(p["surface"], p["optimizers"], lr=p["lr"], adaptive_lr=p["adaptive_lr"], momentum=p["momentum"],
                   steps=p["steps"])
    return runs, get_surface(p["surface"])


def _gd_zigzags(runs, s):
    y = runs["gd"].points[:20, 1]
    return np.all(np.sign(y[1:]) == -np.sign(y[:-1])) and runs["gd"].steps_to(1e-3) > 100


def _diverges(runs, s):
    return runs["gd"].diverged and "too large" in runs["gd"].status


def _momentum_damps(runs, s):
    return runs["momentum"].steps_to(1e-3) * 3 < runs["gd"].steps_to(1e-3)


def _momentum_overshoots(runs, s):
    x = runs["momentum"].points[:, 0]
    return x.max() > 1.0 and runs["gd"].points[:, 0].max() <= 0.0 and not runs["momentum"].diverged


def _adagrad_stalls(runs, s):
    steps = np.abs(np.diff(runs["adagrad"].points, axis=0)).max(axis=1)
    return (runs["adagrad"].values[-1] > 1.0 and runs["rmsprop"].values[-1] < 1e-3 and runs["adam"].values[-1] < 1e-3
            and steps[-1] < steps[0] / 10)


def _banana(runs, s):
    final = {k: r.values[-1] - s.min_value for k, r in runs.items()}
    x, y = runs["adam"].final
    return final["gd"] > 1.0 and final["adam"] < 0.05 and final["momentum"] < 0.05 and abs(y - x**2) < 0.05


def _escapes(runs, s):
    return runs["gd"].values[-1] > s.min_value + 1.0 and runs["momentum"].values[-1] < s.min_value + 1e-3


def _all_six(runs, s):
    return set(runs) == set(SLIDES_OPTIMIZERS) and not any(r.diverged for r in runs.values())


CLAIMS = {
    "GD zig-zags across the ravine": _gd_zigzags,
    "too large a learning rate diverges": _diverges,
    "momentum damps the zig-zag": _momentum_damps,
    "momentum overshoots": _momentum_overshoots,
    "Adagrad stalls": _adagrad_stalls,
    "GD crawls along the banana valley": _banana,
    "momentum escapes a local minimum": _escapes,
    "all six on the quadratic": _all_six,
}


def test_every_preset_has_a_tested_claim_and_every_control():
    assert set(CLAIMS) == set(ow.PRESETS)
    for name, p in ow.PRESETS.items():
        assert set(p) == {"surface", "optimizers", "lr", "adaptive_lr", "momentum", "steps"}, name
        assert 1e-4 <= p["lr"] <= 1 and 1e-3 <= p["adaptive_lr"] <= 1, f"{name}: outside the sliders' range"
        assert 0 <= p["momentum"] <= 0.99 and 20 <= p["steps"] <= 500


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_preset_shows_what_its_name_says(name):
    runs, surface = _run_preset(name)
    assert CLAIMS[name](runs, surface), name


def test_race_uses_one_learning_rate_per_family():
    runs = race("quadratic", ("gd", "nesterov", "adam", "adadelta"), lr=0.01, adaptive_lr=0.2, momentum=0.5,
                   steps=5)
    assert runs["gd"].hyper["lr"] == 0.01 and runs["nesterov"].hyper == {"lr": 0.01, "momentum": 0.5, "nesterov": True}
    assert runs["adam"].hyper["lr"] == 0.2 and "lr" not in runs["adadelta"].hyper
    plain = race("quadratic", ("nesterov",), lr=0.01, adaptive_lr=0.2, momentum=0.0, steps=5)["nesterov"]
    np.testing.assert_allclose(plain.points, runs["gd"].points)
    with pytest.raises(ValueError, match="adaptive_lr"):
        race("quadratic", lr=0.01, adaptive_lr=0.0, momentum=0.5, steps=5)
    with pytest.raises(ValueError, match=r"optimizers\[1\]"):
        race("quadratic", ("gd", "sgdr"), lr=0.01, adaptive_lr=0.1, momentum=0.5, steps=5)
    with pytest.raises(ValueError, match="momentum"):
        race("quadratic", lr=0.01, adaptive_lr=0.1, momentum=1.0, steps=5)


def test_figure_update_moves_the_lines_and_reports_divergence():
    view = ow.OptimizerRaceFigure("quadratic", ("gd", "adam"))
    runs = view.update(lr=0.045, adaptive_lr=0.1, momentum=0.5, steps=100)
    np.testing.assert_allclose(view.paths["adam"].get_xydata(), runs["adam"].points)
    assert len(view.losses["gd"].get_xdata()) == len(runs["gd"].values) < 101
    assert "GD diverged at step" in view.readout.get_text()
    view.update(lr=0.01, adaptive_lr=0.1, momentum=0.5, steps=100)
    assert "diverged" not in view.readout.get_text()


def test_blitted_render_matches_a_full_redraw():
    view = ow.OptimizerRaceFigure("rosenbrock")
    view.update(**ow.SETTINGS["rosenbrock"])
    view.render()
    view.update(**{**ow.SETTINGS["rosenbrock"], "lr": 8e-4})  # same limits: the cached background is reused
    assert view._background is not None
    fast = view.render().copy()
    view.invalidate()
    full = view.render()
    differing = np.any(fast != full, axis=-1).mean()
    assert differing < 0.01, f"{differing:.1%} of the pixels differ"
    assert view.image("png")[:8] == b"\x89PNG\r\n\x1a\n" and view.image("jpeg")[:2] == b"\xff\xd8"
    with pytest.raises(ValueError, match="format"):
        view.image("gif")


def test_set_surface_switches_contours_and_lines():
    view = ow.OptimizerRaceFigure("quadratic")
    view.set_surface("local minima", ("gd", "momentum"))
    assert view.surface.name == "local minima" and set(view.paths) == {"gd", "momentum"}
    assert view.ax_path.get_xlim() == view.surface.xlim
    with pytest.raises(ValueError, match="optimizers"):
        view.set_surface("quadratic", ("newton",))


def test_widget_builds_and_redraws_on_slider_and_preset_changes():
    box = ow.optimizer_race_widget("momentum damps the zig-zag")
    menu, lr, adaptive_lr, momentum, steps, readout = box.children
    first = readout.value
    momentum.value = 0.0
    assert readout.value != first and "momentum" in readout.value
    menu.value = "momentum escapes a local minimum"
    assert momentum.value == 0.9 and lr.value == pytest.approx(0.1)
    assert "GD" in readout.value and "J − min J" in readout.value
    with pytest.raises(ValueError, match="preset"):
        ow.optimizer_race_widget("no such preset")
