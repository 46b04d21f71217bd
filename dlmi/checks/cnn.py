"""Checks for the exercises of notebooks 08 (CNNs) and 09 (chest radiographs)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..conv import conv2d, max_pool2d, output_size
from ..metrics import roc_auc
from .core import call, check_function, failed, passed


def check_output_size(fn: Callable) -> bool:
    """``fn(I, k, S, P)`` → number of output pixels along one axis, ⌊(I − k + 2P)/S⌋ + 1."""
    cases = [(64, 3, 1, 1), (64, 3, 2, 1), (7, 3, 1, 0), (224, 7, 2, 3), (5, 5, 1, 0), (28, 5, 1, 0), (9, 3, 3, 0)]
    return check_function("output_size", fn, cases, output_size, tol=0,
                           hint="O = (I − k + 2P) / S + 1, with integer division (//)")


def check_conv2d(fn: Callable) -> bool:
    """``fn(image, kernel, stride=1, padding=0)`` → 2D cross-correlation of one (H, W) image by one (k, k) kernel."""
    rng = np.random.default_rng(8)
    cases = [
        (rng.integers(-3, 4, (5, 6)).astype(float), np.array([[1.0, 2.0], [0.0, -1.0]]), 1, 0),
        (rng.normal(size=(6, 6)), rng.normal(size=(3, 3)), 1, 0),
        (rng.normal(size=(7, 7)), rng.normal(size=(3, 3)), 1, 1),
        (rng.normal(size=(9, 8)), rng.normal(size=(3, 3)), 2, 1),
    ]
    hint = ("pad with np.pad(image, padding), then the window of output (i, j) starts at row i·stride, "
            "column j·stride; check the stride=2, padding=1 case")
    flipped = {"you flipped the kernel: CNNs compute a cross-correlation, "
               "out[i, j] = Σ x[i·S + u, j·S + v] · w[u, v], no flip":
               lambda x, w, s, p: conv2d(x, w[::-1, ::-1], stride=s, padding=p)}
    return check_function("conv2d", fn, cases, lambda x, w, s, p: conv2d(x, w, stride=s, padding=p), tol=1e-8,
                          hint=hint, mistakes=flipped)


def check_max_pool(fn: Callable) -> bool:
    """``fn(image, size)`` → max over non-overlapping size × size windows of one (H, W) image."""
    rng = np.random.default_rng(9)
    cases = [(rng.normal(size=(4, 4)), 2), (rng.normal(size=(6, 9)), 3), (rng.normal(size=(7, 7)), 2)]
    return check_function("max_pool", fn, cases, lambda image, size: max_pool2d(image, size), tol=0,
                           hint="windows do not overlap (stride = size); a 7×7 image pooled by 2 gives 3×3: "
                                "the last row and column are dropped")


def check_auc(fn: Callable) -> bool:
    """``fn(y_true, y_score)`` → ROC AUC of 1-D labels and scores, ties counted as one half."""
    rng = np.random.default_rng(10)
    y = (rng.random(80) < 0.3).astype(float)
    y[:2] = [0.0, 1.0]
    cases = [
        (np.array([0.0, 0.0, 1.0, 1.0]), np.array([0.1, 0.4, 0.35, 0.8])),
        (y, y + rng.normal(size=80)),
        (y, np.round(y + rng.normal(size=80))),  # many ties
        (np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.5, 0.5, 0.5, 0.5])),
    ]
    hint = ("AUC = P(score of a positive > score of a negative) + ½ P(equal): compare every positive "
            "with every negative, or use average ranks (scipy.stats.rankdata)")
    return check_function("auc", fn, cases, roc_auc, tol=1e-9, hint=hint)


def check_dense_block_channels(fn: Callable) -> bool:
    """``fn(in_channels, n_layers, growth_rate)`` → channels that leave a dense block: c₀ + L·k."""
    cases = [(64, 6, 32), (128, 12, 32), (16, 4, 12), (3, 1, 1)]
    return check_function("dense_block_channels", fn, cases, lambda c, n, k: c + n * k, tol=0,
                           hint="each layer adds growth_rate new feature maps, and all earlier maps are kept")


def check_pointing_game(fn: Callable) -> bool:
    """``fn(cam, mask)`` → True when the maximum of the (H, W) map ``cam`` lies inside the boolean ``mask``."""
    rng = np.random.default_rng(11)
    cam = rng.random((16, 16))
    cam[4, 10] = 2.0
    cam[11, 3] = 1.95  # a strong runner-up outside the lesion: "high inside the mask" is not enough
    inside = np.zeros((16, 16), dtype=bool)
    inside[3:6, 9:12] = True
    outside = np.zeros((16, 16), dtype=bool)
    outside[10:14, 2:6] = True
    edge = np.zeros((16, 16), dtype=bool)
    edge[4, 10] = True
    for mask, expected in ((inside, True), (outside, False), (edge, True), (inside.T, False)):
        got = call("pointing_game", fn, cam.copy(), mask.copy())
        if not isinstance(got, (bool, np.bool_)) or bool(got) != expected:
            failed("pointing_game", "wrong verdict", expected=expected, got=got,
                   hint="find the row and column of the maximum with np.unravel_index(np.argmax(cam), "
                        "cam.shape), then look the mask up there (rows first)")
    return passed("pointing_game", "4 maps judged right")
