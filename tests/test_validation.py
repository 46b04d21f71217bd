import numpy as np
import pytest
from numbers import Integral

from dlmi.validation import (
    as_array,
    check_affine,
    check_X_y,
    check_binary,
    check_choice,
    check_positive,
    check_rng,
    check_scalar,
    rng_argument,
    seed_from,
)


def test_as_array_converts_and_checks_dimensions():
    assert as_array([1, 2], "x").dtype == np.float64
    assert as_array(np.ones(2, np.float32), "x", dtype=None).dtype == np.float32
    with pytest.raises(ValueError, match="x must have 2 dimension"):
        as_array([1, 2], "x", ndim=2)
    with pytest.raises(ValueError, match="x contains NaN"):
        as_array([1, np.nan], "x")
    with pytest.raises(TypeError, match="x must hold numbers"):
        as_array(["a", "b"], "x")
    with pytest.raises(ValueError, match="empty"):
        as_array([], "x")


def test_check_X_y_matches_lengths_and_reshapes_one_feature():
    X, y = check_X_y([1, 2, 3], [0, 1, 0])
    assert X.shape == (3, 1)
    with pytest.raises(ValueError, match="same number of samples"):
        check_X_y(np.ones((3, 2)), np.ones(4))


def test_check_binary_names_the_bad_values():
    check_binary(np.array([0, 1, 1]))
    with pytest.raises(ValueError, match=r"y must hold binary labels .*2"):
        check_binary(np.array([0, 1, 2]))


def test_check_scalar_bounds_and_types():
    assert check_positive(0.1, "lr") == 0.1
    with pytest.raises(ValueError, match=r"lr must be in \(0"):
        check_positive(0.0, "lr")
    with pytest.raises(TypeError, match="lr must be a real number"):
        check_positive("0.1", "lr")
    with pytest.raises(ValueError, match=r"beta1 must be in \[0, 1\)"):
        check_scalar(1.0, "beta1", low=0, high=1, high_inclusive=False)
    with pytest.raises(TypeError, match="epochs must be an integer"):
        check_scalar(2.5, "epochs", kind=Integral)
    with pytest.raises(ValueError, match="finite"):
        check_scalar(float("nan"), "lr")
    with pytest.raises(ValueError, match="mode must be one of"):
        check_choice("avg", "mode", ["min", "max"])


def test_check_rng_makes_a_generator_or_names_the_argument():
    rng = np.random.default_rng(0)
    assert check_rng(rng) is rng
    assert isinstance(check_rng(None), np.random.Generator)
    assert check_rng(np.int64(4)).random() == np.random.default_rng(4).random()
    with pytest.raises(ValueError, match="seed must be a non-negative int seed, got -1"):
        check_rng(-1, "seed")
    for bad in ("0", 1.5, True, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
            check_rng(bad)


def test_rng_argument_accepts_the_older_seed_spelling_but_not_both():
    assert rng_argument(0) == 0
    assert rng_argument(0, seed=4) == 4
    generator = np.random.default_rng(0)
    assert rng_argument(generator) is generator
    with pytest.raises(TypeError, match="not both"):
        rng_argument(3, seed=4)
    with pytest.raises(ValueError, match="seed"):
        rng_argument(0, seed=-1)


def test_seed_from_keeps_an_int_and_draws_one_from_a_generator():
    assert seed_from(12) == 12
    a, b = seed_from(np.random.default_rng(2)), seed_from(np.random.default_rng(2))
    assert a == b and 0 <= a < 2**31
    assert isinstance(seed_from(None), int)
    with pytest.raises(TypeError, match="rng"):
        seed_from(1.5)



def test_check_affine_wants_4_by_4_and_axis_alignment_when_asked():
    affine = np.diag([4.0, 4.0, 4.0, 1.0])
    np.testing.assert_array_equal(check_affine(affine, axis_aligned=True), affine)
    rotated = affine.copy()
    rotated[0, 1] = 1.0
    assert check_affine(rotated) is not None  # a rotation is a valid affine
    with pytest.raises(ValueError, match="axis-aligned"):
        check_affine(rotated, axis_aligned=True)
    with pytest.raises(ValueError, match="axis-aligned"):
        check_affine(np.diag([4.0, 0.0, 4.0, 1.0]), axis_aligned=True)
    with pytest.raises(ValueError, match=r"vox2mm must have shape \(4, 4\)"):
        check_affine(np.eye(3), "vox2mm")
