"""Fixtures shared by the unit tests."""

import pytest
import torch


@pytest.fixture
def one_torch_thread():
    """Tiny networks train fastest on one thread; on a busy 2-core machine two threads spin-wait."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
