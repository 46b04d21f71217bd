"""Reproducibility and hardware: seeding every generator and choosing the device."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int = 0) -> np.random.Generator:
    """Seed Python's, NumPy's and PyTorch's generators and return a fresh ``np.random.Generator``.

    On the CPU a seeded run then repeats exactly; on a GPU, cuDNN's fastest kernels are not all
    deterministic, so results may differ in the last digits from run to run.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must be in [0, 2**32), got {seed}")
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed)
    import torch

    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    return np.random.default_rng(seed)


def get_device(prefer: str | None = None):
    """The ``torch.device`` to compute on: CUDA when available, else CPU.

    ``prefer="cpu"`` forces the CPU; ``prefer="cuda"`` raises if no GPU is present.
    """
    import torch

    if prefer is not None and prefer not in ("cpu", "cuda"):
        raise ValueError(f"prefer must be None, 'cpu' or 'cuda', got {prefer!r}")
    if prefer == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("prefer='cuda' was asked for but no CUDA device is available")
    if prefer == "cpu":
        return torch.device("cpu")
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
