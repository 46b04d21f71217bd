"""Reproducibility and hardware: seeding every generator and choosing the device."""

from __future__ import annotations

import contextlib
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


def torch_generator(rng=0, name: str = "rng"):
    """A CPU ``torch.Generator`` seeded from ``rng`` (an int seed, a numpy Generator or None).

    For shuffling, augmentation and sampling inside library code, which never reseeds torch's
    global generator.
    """
    import torch

    from .validation import seed_from

    return torch.Generator().manual_seed(seed_from(rng, name))


@contextlib.contextmanager
def local_seed(rng=0, name: str = "rng"):
    """Seed torch's global generator for the block only, then restore the caller's state.

    Building an ``nn.Module`` (its initial weights) and dropout draw from torch's global
    generator, which has no per-call argument; inside this block they draw from ``rng``, and
    whatever the caller seeded continues untouched afterwards.
    """
    import torch

    from .validation import seed_from

    seed = seed_from(rng, name)
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield seed
