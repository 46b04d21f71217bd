"""Small tables simulated from known weights, for the regression chapter (notebooks 01–02).

Because the weights that generated each table are returned with it, a notebook can check that
a fitted model recovers them.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd

from ..validation import check_rng, check_scalar, rng_argument

#: € = 35,000 + 8,500 × size (m²) + 10,000 × rooms + 5,000 × floor, so that the course's first
#: flat (100 m², 5 rooms, floor 1) costs 940,000 €.
FLAT_PRICE_WEIGHTS = pd.Series(
    {"intercept": 35_000.0, "size_m2": 8_500.0, "rooms": 10_000.0, "floor": 5_000.0},
    name="true weight (€ per unit)",
)

#: log-odds of a purchase = −10.5 + 0.25 × age (years): even odds at 42 years.
PURCHASE_WEIGHTS_AGE = pd.Series({"intercept": -10.5, "age": 0.25}, name="true weight (log-odds per unit)")

#: log-odds of a purchase = −12 + 0.15 × age (years) + 0.1 × income (k€ per year).
PURCHASE_WEIGHTS_AGE_INCOME = pd.Series(
    {"intercept": -12.0, "age": 0.15, "income_keur": 0.1}, name="true weight (log-odds per unit)"
)


def simulate_flat_prices(n: int = 200, *, noise_std: float = 30_000.0, rng=0,
                         seed: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """A table of ``n`` Paris-like flats and their prices, and the weights that generated it.

    Columns: ``size_m2`` (m², 15–200), ``rooms`` (1–8, about one per 20 m²), ``floor`` (0–7)
    and ``price_eur`` (€, rounded to the nearest thousand) =
    :data:`FLAT_PRICE_WEIGHTS` · (1, size, rooms, floor) + Gaussian noise of ``noise_std`` €.
    Returns ``(table, true_weights)``; ``true_weights`` is indexed
    ``intercept, size_m2, rooms, floor``. ``rng``: an int seed, a numpy Generator or None
    (``seed`` is its older name).
    """
    check_scalar(n, "n", kind=Integral, low=1)
    check_scalar(noise_std, "noise_std", low=0.0)
    rng = check_rng(rng_argument(rng, seed))
    size = np.clip(np.round(rng.lognormal(np.log(55.0), 0.45, n)), 15, 200)
    rooms = np.clip(np.round(size / 20.0 + rng.normal(0.0, 0.6, n)), 1, 8)
    floor = rng.integers(0, 8, n).astype(float)
    w = FLAT_PRICE_WEIGHTS.to_numpy()
    price = w[0] + w[1] * size + w[2] * rooms + w[3] * floor + rng.normal(0.0, noise_std, n)
    table = pd.DataFrame(
        {
            "size_m2": size.astype(int),
            "rooms": rooms.astype(int),
            "floor": floor.astype(int),
            "price_eur": np.round(price, -3),
        }
    )
    return table, FLAT_PRICE_WEIGHTS.copy()


def simulate_purchases(n: int = 200, *, with_income: bool = False, rng=0,
                       seed: int | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Customers' ages (and incomes) and whether each bought the product, from a logistic model.

    Columns: ``age`` (years, 18–70), ``income_keur`` (k€ per year, only with
    ``with_income=True``) and ``purchased`` (0/1), drawn with
    P(purchased | x) = σ(w · (1, x)) for the weights :data:`PURCHASE_WEIGHTS_AGE` or
    :data:`PURCHASE_WEIGHTS_AGE_INCOME`. Returns ``(table, true_weights)``. ``rng``: an int
    seed, a numpy Generator or None (``seed`` is its older name).
    """
    check_scalar(n, "n", kind=Integral, low=2)
    if not isinstance(with_income, bool):
        raise TypeError(f"with_income must be True or False, got {type(with_income).__name__}")
    rng = check_rng(rng_argument(rng, seed))
    age = rng.integers(18, 71, n).astype(float)
    columns = {"age": age.astype(int)}
    if with_income:
        income = np.clip(np.round(10.0 + 0.6 * age + rng.normal(0.0, 12.0, n)), 12, None)
        columns["income_keur"] = income.astype(int)
        weights = PURCHASE_WEIGHTS_AGE_INCOME
    else:
        weights = PURCHASE_WEIGHTS_AGE
    x = np.column_stack([np.ones(n)] + [np.asarray(v, dtype=float) for v in columns.values()])
    probability = 1.0 / (1.0 + np.exp(-x @ weights.to_numpy()))
    columns["purchased"] = (rng.random(n) < probability).astype(int)
    return pd.DataFrame(columns), weights.copy()
