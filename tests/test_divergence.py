"""dlmi.divergence: one exception and one status, in the same words for every descent and training loop."""

import re

import numpy as np
import pytest

from dlmi import linear, nn, surfaces, train
from dlmi.divergence import DivergenceError, divergence_status, stop_or_raise

DIVERGED = re.compile(r"^diverged at (step|epoch) \d+: ")


def test_status_and_error():
    assert divergence_status("epoch", 3, "the loss is no longer finite") == "diverged at epoch 3: the loss is no longer finite"
    assert issubclass(DivergenceError, FloatingPointError) and linear.DivergenceError is DivergenceError
    stop_or_raise("diverged at step 1: x", "stop")
    with pytest.raises(DivergenceError, match="diverged at step 1: x"):
        stop_or_raise("diverged at step 1: x", "raise")
    with pytest.raises(ValueError, match="unit"):
        divergence_status("batch", 1, "x")
    with pytest.raises(ValueError, match="on_divergence"):
        stop_or_raise("x", "warn")


def test_every_result_reports_divergence_the_same_way():
    descent = linear.descend_cost(lambda w: float(w @ w), lambda w: 2 * w, [1.0], lr=1.5, n_steps=100)
    trajectory = surfaces.optimize_on_surface("gd", "quadratic", steps=200, lr=0.045)
    x = np.linspace(-1, 1, 20)[:, None]
    history = nn.fit(nn.Linear(1, 1, rng=0), nn.MSELoss(), x, 3 * x, lr=50.0, epochs=100)
    for result in (descent, trajectory, history):
        assert result.diverged and DIVERGED.match(result.status), result.status
    assert "diverged" in train.History.__dataclass_fields__
