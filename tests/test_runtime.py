"""Random state inside library code: local generators and blocks that leave the caller's state alone."""

import numpy as np
import pytest
import torch

from dlmi.runtime import local_seed, torch_generator


def test_local_seed_draws_from_its_seed_and_restores_the_callers_state():
    torch.manual_seed(11)
    expected = torch.rand(4)
    torch.manual_seed(11)
    with local_seed(3) as seed:
        inside = torch.rand(2)
    assert seed == 3
    np.testing.assert_array_equal(torch.rand(4).numpy(), expected.numpy())
    with local_seed(3):
        again = torch.rand(2)
    np.testing.assert_array_equal(inside.numpy(), again.numpy())


def test_local_seed_takes_a_numpy_generator_and_names_bad_input():
    a = np.random.default_rng(5)
    b = np.random.default_rng(5)
    with local_seed(a):
        first = torch.rand(2)
    with local_seed(b):
        second = torch.rand(2)
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    with pytest.raises(TypeError, match="rng"):
        with local_seed("0"):
            pass


def test_torch_generator_is_seeded_from_rng():
    assert torch_generator(7).initial_seed() == 7
    x = torch.rand(3, generator=torch_generator(np.random.default_rng(1)))
    y = torch.rand(3, generator=torch_generator(np.random.default_rng(1)))
    np.testing.assert_array_equal(x.numpy(), y.numpy())
    with pytest.raises(ValueError, match="rng"):
        torch_generator(-2)
