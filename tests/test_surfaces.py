"""dlmi.surfaces: exact gradients, the minima they claim, and trajectories that say when they diverge."""

import numpy as np
import pytest
from scipy.optimize import minimize

from dlmi.optim import OPTIMIZERS
from dlmi.surfaces import (
    SURFACES,
    Surface,
    get_surface,
    ill_conditioned_quadratic,
    local_minima,
    optimize_on_surface,
    rosenbrock,
)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_gradient_matches_central_differences_on_arrays(name):
    s = get_surface(name)
    rng = np.random.default_rng(0)
    x = rng.uniform(*s.xlim, size=(4, 5))
    y = rng.uniform(*s.ylim, size=(4, 5))
    gx, gy = s.gradient(x, y)
    h = 1e-6
    np.testing.assert_allclose(gx, (s.value(x + h, y) - s.value(x - h, y)) / (2 * h), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(gy, (s.value(x, y + h) - s.value(x, y - h)) / (2 * h), rtol=1e-6, atol=1e-6)
    assert s.value(x, y).shape == (4, 5)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_minimum_is_stationary_and_lowest_on_the_plotting_box(name):
    s = get_surface(name)
    np.testing.assert_allclose(s.gradient(*s.minimum), (0.0, 0.0), atol=1e-6)
    _, _, Z = s.grid(301)
    assert Z.min() >= s.min_value - 1e-9
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]


def test_quadratic_curvatures_are_1_and_kappa():
    s = ill_conditioned_quadratic(condition=30.0)
    h = 1e-4
    columns = [(np.array(s.gradient(*step)) - np.array(s.gradient(*-step))) / (2 * h) for step in h * np.eye(2)]
    hessian = np.column_stack(columns)
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [1.0, 30.0], rtol=1e-8)
    assert s.min_value == 0.0


def test_rosenbrock_minimum_sits_at_a_a_squared():
    s = rosenbrock(a=2.0, b=10.0)
    assert s.minimum == (2.0, 4.0) and s.min_value == 0.0
    with pytest.raises(ValueError, match="b"):
        rosenbrock(b=-1.0)


def test_local_minima_surface_has_three_distinct_local_minima_and_one_global():
    s = local_minima()
    found = []
    for x0 in [(-3, 3), (-3, -2), (3, 2), (0, 3), (-1, -2.5), (3, -2)]:
        res = minimize(lambda p: s.value(*p), x0, jac=lambda p: np.array(s.gradient(*p)), tol=1e-12)
        if not any(np.allclose(res.x, f, atol=1e-3) for f in found):
            found.append(res.x)
    assert len(found) == 3
    values = sorted(s.value(*f) for f in found)
    assert values[0] == pytest.approx(s.min_value, abs=1e-9)
    assert values[1] > values[0] + 1.0, "the shallower wells must be clearly worse than the global one"


def test_plain_gd_on_the_quadratic_follows_the_closed_form():
    """On J = ½(x² + κy²), GD gives x_k = (1 − η)^k x_0 and y_k = (1 − ηκ)^k y_0."""
    s = ill_conditioned_quadratic(condition=10.0)
    path = optimize_on_surface("gd", s, start=(2.0, -1.0), steps=30, lr=0.15)
    k = np.arange(31)
    np.testing.assert_allclose(path.points[:, 0], 2.0 * 0.85**k, rtol=1e-12)
    np.testing.assert_allclose(path.points[:, 1], -1.0 * (1 - 1.5) ** k, rtol=1e-12)
    np.testing.assert_allclose(path.values, s.value(path.points[:, 0], path.points[:, 1]))
    assert path.status == "completed 30 steps" and not path.diverged
    assert path.steps_to(1e-2) == int(np.argmax(s.value(2.0 * 0.85**k, -(-0.5) ** k) <= 1e-2))


def test_too_large_a_learning_rate_is_reported_in_words():
    s = get_surface("quadratic")
    lr = 2.2 / 50  # above the stability limit 2/κ
    path = optimize_on_surface("gd", s, steps=500, lr=lr)
    assert path.diverged and path.status.startswith("diverged at step")
    assert "learning rate" in path.status and "too large" in path.status
    assert len(path.points) < 500 and np.isfinite(path.points).all()


def test_every_route_runs_with_momentum_default_and_start_default():
    for name in OPTIMIZERS:
        hyper = {} if name == "adadelta" else {"lr": 1e-3}
        path = optimize_on_surface(name, "rosenbrock", steps=5, **hyper)
        assert path.points.shape == (6, 2) and np.allclose(path.points[0], rosenbrock().start)
    assert optimize_on_surface("momentum", steps=3, lr=0.01).hyper["momentum"] == 0.9
    assert optimize_on_surface("nesterov", steps=3, lr=0.01, momentum=0.5).hyper == {
        "lr": 0.01, "momentum": 0.5, "nesterov": True}


def test_momentum_beats_gd_on_the_ravine_and_escapes_a_local_minimum():
    quad = get_surface("quadratic")
    gd = optimize_on_surface("gd", quad, steps=300, lr=0.035)
    heavy = optimize_on_surface("momentum", quad, steps=300, lr=0.035, momentum=0.7)
    assert heavy.steps_to(1e-3) < gd.steps_to(1e-3) / 3
    bumpy = get_surface("local minima")
    stuck = optimize_on_surface("gd", bumpy, steps=300, lr=0.1)
    rolling = optimize_on_surface("momentum", bumpy, steps=300, lr=0.1, momentum=0.9)
    assert stuck.values[-1] > bumpy.min_value + 1.0
    assert rolling.values[-1] == pytest.approx(bumpy.min_value, abs=1e-4)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="optimizer_name"):
        optimize_on_surface("lbfgs", "quadratic", steps=3)
    with pytest.raises(ValueError, match="surface"):
        optimize_on_surface("gd", "himmelblau", steps=3, lr=0.1)
    with pytest.raises(ValueError, match="start"):
        optimize_on_surface("gd", "quadratic", start=(1.0, 2.0, 3.0), steps=3, lr=0.1)
    with pytest.raises(ValueError, match="steps"):
        optimize_on_surface("gd", "quadratic", steps=0, lr=0.1)
    with pytest.raises(ValueError, match="momentum"):
        optimize_on_surface("gd", "quadratic", steps=3, lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="lr"):
        optimize_on_surface("adam", "quadratic", steps=3, lr=-0.1)
    with pytest.raises(ValueError, match="condition"):
        ill_conditioned_quadratic(condition=0.5)
    assert isinstance(get_surface(rosenbrock()), Surface)
