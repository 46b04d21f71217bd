"""dlmi.data.toy: shapes, balance, geometry of each problem, noise and seeding."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from dlmi.data import toy
from dlmi.data.toy import noisy_sine


@pytest.mark.parametrize("name", toy.TOY_DATASETS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_dtypes_balance_and_range(name, n):
    X, y = toy.make_toy_dataset(name, n_samples=n, noise=0.0, rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1} and abs(int(y.sum()) - n / 2) <= 0.5
    if name != "gaussian":  # Gaussian clouds have unbounded support
        assert np.abs(X).max() <= 1.0 + 1e-12


@pytest.mark.parametrize("name", toy.TOY_DATASETS)
def test_same_seed_same_data_and_noise_has_the_stated_scale(name):
    X1, y1 = toy.make_toy_dataset(name, 300, noise=0.0, rng=5)
    X2, y2 = toy.make_toy_dataset(name, 300, noise=0.0, rng=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, toy.make_toy_dataset(name, 300, noise=0.0, rng=6)[0])
    # the noisy set is the clean set plus N(0, noise²): same draws up to the noise and the shuffle
    clean, _ = toy.make_toy_dataset(name, 4000, noise=0.0, rng=1)
    noisy, _ = toy.make_toy_dataset(name, 4000, noise=0.3, rng=1)
    extra = noisy.var(axis=0) - clean.var(axis=0)
    np.testing.assert_allclose(extra, 0.09, atol=0.025)


def test_each_problem_has_its_geometry():
    X, y = toy.make_circles(1000, noise=0.0, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 0].max() <= 0.5 and r[y == 1].min() >= 0.7
    X, y = toy.make_xor(1000, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    assert np.abs(X).min() >= 0.05
    X, y = toy.make_gaussian_blobs(1000, noise=0.0, rng=0)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-0.5, -0.5], atol=0.03)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [0.5, 0.5], atol=0.03)
    X, y = toy.make_spiral(1000, noise=0.0, rng=0)
    r, angle = np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])
    expected = np.cos(3.5 * np.pi * r + np.pi * y)  # the arm of each point passes through it
    np.testing.assert_allclose(np.cos(angle), expected, atol=1e-9)


@pytest.mark.parametrize(
    "name, linear_fails",
    [("gaussian", False), ("circles", True), ("xor", True), ("spiral", True), ("moons", False)],
)
def test_which_problems_a_line_can_separate(name, linear_fails):
    X, y = toy.make_toy_dataset(name, 600, noise=0.05, rng=0)
    linear = LogisticRegression().fit(X, y).score(X, y)
    knn = KNeighborsClassifier(5).fit(X[:400], y[:400]).score(X[400:], y[400:])
    assert knn > 0.9  # the classes are learnable from the points
    assert (linear < 0.75) if linear_fails else (linear > 0.85), linear


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="name must be one of"):
        toy.make_toy_dataset("swiss roll")
    with pytest.raises(ValueError, match="n_samples must be in"):
        toy.make_circles(1)
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        toy.make_moons(10.5)
    with pytest.raises(ValueError, match="noise must be in"):
        toy.make_xor(10, noise=-0.1)
    with pytest.raises(TypeError, match="rng must be None, an int seed or a numpy Generator"):
        toy.make_spiral(10, rng="zero")
    with pytest.raises(ValueError, match="rng must be a non-negative int seed, got -1"):
        toy.make_toy_dataset("xor", 10, rng=-1)


def test_a_generator_continues_its_draws():
    rng = np.random.default_rng(3)
    first, second = toy.make_xor(50, rng=rng)[0], toy.make_xor(50, rng=rng)[0]
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("name", toy.TOY_DATASETS)
def test_clean_points_lie_where_the_docstring_says(name):
    X, _ = toy.make_toy_dataset(name, 10000, noise=0.0, rng=0)
    outside = (np.abs(X) > 1).any(axis=1).mean()
    if name == "gaussian":  # unbounded tails, as documented
        assert 0.01 < outside < 0.02
        assert "1.4 %" in toy.__doc__ and "1.4 %" in toy.make_gaussian_blobs.__doc__
    else:
        assert outside == 0


def test_exported_from_dlmi_data():
    import dlmi.data

    for name in ("make_toy_dataset", "TOY_DATASETS", "make_circles", "make_xor", "make_gaussian_blobs",
                 "make_spiral", "make_moons"):
        assert getattr(dlmi.data, name) is getattr(toy, name)


def test_noisy_sine_is_sorted_reproducible_and_noiseless_at_zero_noise():
    x, y = noisy_sine(50, noise=0.0, rng=3)
    assert x.shape == y.shape == (50,) and np.all(np.diff(x) >= 0) and 0 <= x.min() and x.max() <= 1
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x))
    np.testing.assert_array_equal(noisy_sine(10, rng=4)[1], noisy_sine(10, rng=4)[1])
    with pytest.raises(ValueError, match="noise"):
        noisy_sine(10, noise=-1.0)


def test_stratified_noisy_sine_puts_one_sample_in_each_slice():
    x, y = noisy_sine(20, rng=5, stratified=True)
    np.testing.assert_array_equal(np.floor(20 * x), np.arange(20))
    np.testing.assert_array_equal(noisy_sine(20, rng=5, stratified=True)[1], y)
    with pytest.raises(TypeError, match="stratified"):
        noisy_sine(20, stratified="yes")
