"""Fixtures shared by the tests of dlmi.data."""

import pytest

from dlmi.data import brain


@pytest.fixture(scope="module")
def small():
    """A few subjects of every group at 6 mm, two sessions."""
    return brain.simulate_cohort(16, voxel_size=6, sessions=2, rng=3)
