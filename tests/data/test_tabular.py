"""dlmi.data.tabular: the flat-price and purchase tables, simulated from known weights."""

import numpy as np
import pandas as pd
import pytest

from dlmi.data import simulate_flat_prices, simulate_purchases
from dlmi.linear import sigmoid


def test_flat_prices_table_has_realistic_columns_and_ranges():
    table, weights = simulate_flat_prices(n=500, rng=0)
    assert isinstance(table, pd.DataFrame) and list(table.columns) == ["size_m2", "rooms", "floor", "price_eur"]
    assert len(table) == 500 and table.notna().all().all()
    assert table["size_m2"].between(15, 200).all() and table["rooms"].between(1, 8).all()
    assert table["floor"].between(0, 7).all()
    assert 300_000 < table["price_eur"].median() < 900_000  # Paris-like
    assert (table["price_eur"] % 1000 == 0).all()
    assert list(weights.index) == ["intercept", "size_m2", "rooms", "floor"]


def test_flat_prices_weights_give_the_course_example():
    _, weights = simulate_flat_prices(n=5)
    assert weights @ np.array([1.0, 100.0, 5.0, 1.0]) == pytest.approx(940_000)  # slide: 100 m², 5 rooms, floor 1


def test_flat_prices_follow_the_weights_plus_the_stated_noise():
    table, weights = simulate_flat_prices(n=4000, noise_std=30_000.0, rng=3)
    X = np.column_stack([np.ones(len(table)), table[["size_m2", "rooms", "floor"]].to_numpy(float)])
    residual = table["price_eur"].to_numpy() - X @ weights.to_numpy()
    assert abs(residual.mean()) < 2_000
    assert residual.std() == pytest.approx(30_000, rel=0.05)
    noiseless, _ = simulate_flat_prices(n=50, noise_std=0.0, rng=3)
    X0 = np.column_stack([np.ones(50), noiseless[["size_m2", "rooms", "floor"]].to_numpy(float)])
    np.testing.assert_allclose(noiseless["price_eur"], np.round(X0 @ weights.to_numpy(), -3))


def test_simulators_repeat_with_a_seed_and_differ_across_seeds():
    pd.testing.assert_frame_equal(simulate_flat_prices(rng=4)[0], simulate_flat_prices(seed=4)[0])  # seed: older name
    pd.testing.assert_frame_equal(simulate_flat_prices(rng=4)[0], simulate_flat_prices(rng=4)[0])
    assert not simulate_flat_prices(rng=4)[0].equals(simulate_flat_prices(rng=5)[0])
    pd.testing.assert_frame_equal(simulate_purchases(rng=4)[0], simulate_purchases(rng=4)[0])


def test_purchases_follow_the_logistic_model():
    table, weights = simulate_purchases(n=20_000, rng=0)
    assert list(table.columns) == ["age", "purchased"] and list(weights.index) == ["intercept", "age"]
    assert table["age"].between(18, 70).all() and set(table["purchased"].unique()) == {0, 1}
    for age in (30, 42, 55):
        near = table[(table["age"] - age).abs() <= 1]
        expected = sigmoid(weights["intercept"] + weights["age"] * near["age"].to_numpy()).mean()
        assert near["purchased"].mean() == pytest.approx(expected, abs=0.05)
    assert -weights["intercept"] / weights["age"] == pytest.approx(42.0)  # even odds at 42


def test_purchases_with_income_add_a_correlated_income_column():
    table, weights = simulate_purchases(n=2000, with_income=True, rng=0)
    assert list(table.columns) == ["age", "income_keur", "purchased"]
    assert list(weights.index) == ["intercept", "age", "income_keur"]
    assert table["income_keur"].min() >= 12 and 25 < table["income_keur"].median() < 60
    assert np.corrcoef(table["age"], table["income_keur"])[0, 1] > 0.3
    assert 0.2 < table["purchased"].mean() < 0.8


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: simulate_flat_prices(n=0), ValueError, "n must be in"),
        (lambda: simulate_flat_prices(n=10.0), TypeError, "n must be an integer"),
        (lambda: simulate_flat_prices(noise_std=-1.0), ValueError, "noise_std"),
        (lambda: simulate_flat_prices(rng=-1), ValueError, "rng"),
        (lambda: simulate_flat_prices(seed=-1), ValueError, "seed"),
        (lambda: simulate_purchases(n=1), ValueError, "n must be in"),
        (lambda: simulate_purchases(with_income="yes"), TypeError, "with_income"),
    ],
)
def test_simulators_reject_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
