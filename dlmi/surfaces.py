r"""Two-dimensional loss surfaces :math:`J(\theta_1, \theta_2)` that show why training is hard.

* ``ill_conditioned_quadratic`` — a long narrow valley: plain gradient descent zig-zags across it.
* ``rosenbrock`` — a curved, flat-bottomed banana valley: easy to fall into, slow to follow.
* ``local_minima`` — a bowl with a deep well and shallower ones: where you end depends on the path.

Each is a :class:`Surface` with vectorised ``value(x, y)`` and ``gradient(x, y)``, and
``optimize_on_surface`` runs any optimizer of ``dlmi.optim.OPTIMIZERS`` on it, and ``race`` runs
several from the same start (the optimizer race of notebook 06):

>>> path = optimize_on_surface("momentum", "quadratic", start=(-4.0, 1.5), steps=100, lr=0.05, momentum=0.8)
>>> path.points.shape            # (steps + 1, 2), or fewer rows when it diverged
(101, 2)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral
from typing import Callable, Sequence

import numpy as np

from . import optim
from .divergence import divergence_status
from .validation import as_array, check_choice, check_positive, check_scalar

__all__ = [
    "SLIDES_OPTIMIZERS",
    "SURFACES",
    "Surface",
    "Trajectory",
    "get_surface",
    "ill_conditioned_quadratic",
    "local_minima",
    "optimize_on_surface",
    "race",
    "rosenbrock",
]

#: An optimizer that leaves this box around the origin has diverged.
DIVERGENCE_RADIUS = 1e4


@dataclass(frozen=True)
class Surface:
    """A loss surface J(x, y) on a plotting box, with its global minimum.

    ``value(x, y)`` and ``gradient(x, y) -> (∂J/∂x, ∂J/∂y)`` take arrays of any (equal) shape.
    """

    name: str
    formula: str  # LaTeX, without $
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    minimum: tuple[float, float]
    start: tuple[float, float]

    @property
    def min_value(self) -> float:
        """J at the global minimum."""
        return float(self.value(*self.minimum))

    def grid(self, n: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``X, Y, Z`` of shape (n, n) over the plotting box, for contour plots."""
        check_scalar(n, "n", kind=Integral, low=2)
        X, Y = np.meshgrid(np.linspace(*self.xlim, n), np.linspace(*self.ylim, n))
        return X, Y, self.value(X, Y)


def ill_conditioned_quadratic(condition: float = 50.0) -> Surface:
    r"""J = ½ (x² + κ y²): curvature 1 along x and κ = ``condition`` along y; minimum 0 at (0, 0).

    Gradient descent is stable only for lr < 2/κ, at which rate x shrinks by (1 − lr) a step.
    """
    kappa = float(check_scalar(condition, "condition", low=1.0))

    def value(x, y):
        return 0.5 * (x**2 + kappa * y**2)

    def gradient(x, y):
        return x, kappa * y

    return Surface(
        name="quadratic",
        formula=rf"J(x, y) = \frac{{1}}{{2}}\,(x^2 + {kappa:g}\,y^2)",
        value=value, gradient=gradient,
        xlim=(-5.0, 5.0), ylim=(-2.0, 2.0), minimum=(0.0, 0.0), start=(-4.5, 1.5),
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """J = (a − x)² + b (y − x²)²: a curved valley y = x² with its minimum 0 at (a, a²)."""
    check_scalar(a, "a")
    check_positive(b, "b")

    def value(x, y):
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(x, y):
        return -2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)

    return Surface(
        name="rosenbrock",
        formula=rf"J(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
        value=value, gradient=gradient,
        xlim=(-2.0, 2.0), ylim=(-1.0, 3.0), minimum=(a, a * a), start=(-1.2, 1.0),
    )


#: The wells of ``local_minima``, one column each: centre x, centre y, depth d, width s.
_WELLS = np.array([[2.0, -1.5, -1.5], [1.0, -1.0, 2.0], [3.0, 1.2, 1.5], [1.0, 0.6, 0.7]])


@lru_cache(maxsize=1)
def local_minima() -> Surface:
    r"""A wide bowl with three Gaussian wells: J = 0.05 (x² + y²) − Σ_k d_k exp(−|θ − c_k|² / (2 s_k²)).

    The deepest well, near (2, 1), holds the global minimum; the two shallower ones trap an
    optimiser whose steps are too small, or too short-sighted, to climb out.
    """
    cx, cy, depth, width = _WELLS
    decay, slope = -1 / (2 * width**2), depth / width**2

    def wells(x, y):
        """exp(−|θ − c_k|² / 2s_k²) for each well k, shape (..., 3), and the offsets θ − c_k."""
        dx, dy = np.asarray(x)[..., None] - cx, np.asarray(y)[..., None] - cy
        return np.exp((dx * dx + dy * dy) * decay), dx, dy

    def value(x, y):
        return 0.05 * (x * x + y * y) - wells(x, y)[0] @ depth

    def gradient(x, y):
        e, dx, dy = wells(x, y)
        return 0.1 * x + (e * dx) @ slope, 0.1 * y + (e * dy) @ slope

    from scipy.optimize import minimize

    best = minimize(lambda p: value(*p), x0=(cx[0], cy[0]), jac=lambda p: np.array(gradient(*p)), tol=1e-12)
    return Surface(
        name="local minima",
        formula=r"J(\theta) = 0.05\,\|\theta\|^2 - \sum_k d_k\, e^{-\|\theta - c_k\|^2 / 2 s_k^2}",
        value=value, gradient=gradient,
        xlim=(-4.0, 4.0), ylim=(-3.0, 4.0), minimum=(float(best.x[0]), float(best.x[1])), start=(-3.5, 0.5),
    )


#: The course's three surfaces, by name.
SURFACES: dict[str, Callable[[], Surface]] = {
    "quadratic": ill_conditioned_quadratic,
    "rosenbrock": rosenbrock,
    "local minima": local_minima,
}


def get_surface(surface: str | Surface) -> Surface:
    """A ``Surface`` from itself or from its name in ``SURFACES``."""
    if isinstance(surface, Surface):
        return surface
    check_choice(surface, "surface", tuple(SURFACES))
    return SURFACES[surface]()


@dataclass
class Trajectory:
    """The path of one optimiser on one surface: ``points`` (k+1, 2) and ``values`` (k+1,).

    ``k`` is the number of steps taken; fewer than asked when the run diverged, which
    ``status`` says in words.
    """

    optimizer: str
    hyper: dict
    points: np.ndarray
    values: np.ndarray
    status: str
    diverged: bool = False

    @property
    def final(self) -> np.ndarray:
        """The last point reached, shape (2,)."""
        return self.points[-1]

    def steps_to(self, level: float) -> int | None:
        """The first step at which J ≤ ``level``, or ``None`` if it never gets there."""
        below = np.flatnonzero(self.values <= level)
        return int(below[0]) if below.size else None


def optimize_on_surface(optimizer_name: str, surface: str | Surface = "quadratic", start=None, steps: int = 200,
                        **hyper) -> Trajectory:
    """Run ``steps`` steps of a ``dlmi.optim`` optimizer on ``surface`` from ``start``.

    ``optimizer_name`` is one of ``dlmi.optim.OPTIMIZERS`` (``"gd"``, ``"momentum"``,
    ``"nesterov"``, ``"adagrad"``, ``"adadelta"``, ``"rmsprop"``, ``"adam"``); ``hyper`` goes to the
    optimizer (``lr=...``, ``momentum=...``, ``betas=...``), with torch's defaults for what is not
    given (``momentum=0.9`` for ``"momentum"`` and ``"nesterov"``). ``start`` defaults to the
    surface's. A run that leaves the box |θ| < 10⁴ stops there and says it diverged.
    """
    check_choice(optimizer_name, "optimizer_name", tuple(optim.OPTIMIZERS))
    surface = get_surface(surface)
    theta = as_array(surface.start if start is None else start, "start", ndim=1).copy()
    if theta.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got shape {theta.shape}")
    check_scalar(steps, "steps", kind=Integral, low=1)
    settings = optim.OPTIMIZERS[optimizer_name].settings(optimizer_name, **hyper)
    opt = optim.make_optimizer(optimizer_name, [theta], **settings)

    points = [theta.copy()]
    status, diverged = f"completed {steps} steps", False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, steps + 1):
            opt.step([np.array(surface.gradient(*theta), dtype=float)])
            if not max(abs(theta[0]), abs(theta[1])) < DIVERGENCE_RADIUS:  # also catches NaN
                status = divergence_status("step", k, f"|θ| left the box of radius {DIVERGENCE_RADIUS:g} — "
                                                      f"the learning rate lr={opt.lr:g} is too large")
                diverged = True
                break
            points.append(theta.copy())
    points = np.array(points)
    return Trajectory(optimizer_name, settings, points, surface.value(points[:, 0], points[:, 1]), status, diverged)


#: What a race shows by default: the optimizers of the slides.
SLIDES_OPTIMIZERS: tuple[str, ...] = ("gd", "momentum", "adagrad", "adadelta", "rmsprop", "adam")


def race(surface: str | Surface = "quadratic", optimizers: Sequence[str] = SLIDES_OPTIMIZERS, *, lr: float,
         adaptive_lr: float, momentum: float, steps: int, start=None) -> dict[str, Trajectory]:
    """Run each optimizer of ``optimizers`` from the same start; return their trajectories by name.

    ``lr`` is the learning rate of ``"gd"``, ``"momentum"`` and ``"nesterov"`` (with
    ``momentum``); ``adaptive_lr`` that of ``"adagrad"``, ``"rmsprop"`` and ``"adam"``;
    ``"adadelta"`` keeps torch's ``lr=1``.
    """
    surface = get_surface(surface)
    check_positive(lr, "lr")
    check_positive(adaptive_lr, "adaptive_lr")
    check_scalar(momentum, "momentum", low=0.0, high=1.0, high_inclusive=False)
    for i, name in enumerate(optimizers):
        check_choice(name, f"optimizers[{i}]", tuple(optim.OPTIMIZERS))
    hyper = {
        "gd": {"lr": lr},
        "momentum": {"lr": lr, "momentum": momentum},
        # Nesterov with no momentum is plain gradient descent, which torch's SGD spells nesterov=False
        "nesterov": {"lr": lr, "momentum": momentum} if momentum > 0 else {"lr": lr},
        "adagrad": {"lr": adaptive_lr},
        "adadelta": {},
        "rmsprop": {"lr": adaptive_lr},
        "adam": {"lr": adaptive_lr},
    }
    routes = {"nesterov": "nesterov" if momentum > 0 else "gd"}
    return {
        name: optimize_on_surface(routes.get(name, name), surface, start, steps, **hyper[name])
        for name in optimizers
    }
