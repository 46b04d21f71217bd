"""Fixtures shared by the unit tests."""

import numpy as np
import pytest
import torch


@pytest.fixture
def one_torch_thread():
    """Tiny networks train fastest on one thread; on a busy 2-core machine two threads spin-wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def regional_data():
    """``make(n=120, p=20, seed=0) -> (X (n, p), y (n,))``: regional features in which three
    regions lose gray matter in the patients (half of the subjects), the rest is noise."""

    def make(n: int = 120, p: int = 20, seed: int = 0):
        rng = np.random.default_rng(seed)
        y = np.r_[np.zeros(n // 2), np.ones(n - n // 2)].astype(int)
        X = rng.normal(size=(n, p))
        X[:, :3] -= 2.0 * y[:, None]
        return X, y

    return make

