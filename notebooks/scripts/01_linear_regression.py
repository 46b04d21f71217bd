# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -slideshow
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · Linear regression
#
# The first model of Part 2 (*classification and regression*, section 2.1): predict a number from
# several inputs with a weighted sum. Logistic regression (notebook 02) and every neural network
# after it reuse the same ingredients: a model with weights, a cost, and a way to minimise it.

# %% [markdown]
# ## Learning objectives
#
# - Write the linear model with the bias folded into the weights, $y = \mathbf{w}^T\mathbf{x}$, and in matrix form for a whole training set.
# - Compute the cost $J(\mathbf{w}) = \frac{1}{n}(\mathbf{y}-\mathbf{X}\mathbf{w})^T(\mathbf{y}-\mathbf{X}\mathbf{w})$ and minimise it exactly with the normal equation.
# - Check a from-scratch implementation against scikit-learn and against the weights that generated the data.
# - Recognise when $\mathbf{X}^T\mathbf{X}$ is not invertible, read its condition number, and use the pseudo-inverse or ridge regression.
#
# ## Prerequisites
#
# NumPy arrays and the `@` product; transposing and inverting a matrix; the derivative of $x^2$.
# No earlier notebook.

# %% tags=["setup"]
# Set-up: find dlmi, check its version, seed everything, use the course figure style.
import pathlib, sys
try:
    import dlmi
except ModuleNotFoundError:  # a clone whose package is not installed (Colab, a bare kernel)
    root = next((p for p in [pathlib.Path.cwd(), *pathlib.Path.cwd().parents]
                 if (p / "dlmi" / "__init__.py").is_file()), None)
    if root is None:
        raise ModuleNotFoundError("dlmi is not installed: run `make lab` in the repository "
                                  "root, or `pip install -e .` there") from None
    sys.path.insert(0, str(root))
    import dlmi
SEED = dlmi.setup_notebook(min_version="0.1.0")  # DLMI_SEED, 0 by default: draw everything from it

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression as SklearnLinearRegression

from dlmi.checks import expect
from dlmi.data import simulate_flat_prices
from dlmi.linear import LinearRegression, add_bias, squared_error_cost

# %% [markdown]
# ## 1. The data: the price of a flat
#
# The course's example: predict the price of a flat in Paris from its size, its number of rooms
# and its floor.
#
# | $i$ | $x_1$ size (m²) | $x_2$ rooms | $x_3$ floor | $y$ price (€) |
# |---|---|---|---|---|
# | 1 | 100 | 5 | 1 | 940,000 |
# | 2 | 53 | 3 | 5 | 510,000 |
# | 3 | 25 | 1 | 6 | 280,000 |
#
# We simulate 1,000 such flats from weights that we choose, plus noise, so that we can check
# later whether the model learns them back.

# %%
flats, true_w = simulate_flat_prices(n=1000, rng=SEED)
flats.head()

# %% [markdown]
# The weights behind the simulation, in € per unit: 8,500 € per m², 10,000 € per room, 5,000 €
# per floor, plus 35,000 € for any flat. They give the first flat of the table its price exactly.

# %%
print(true_w)
first_flat = np.array([1.0, 100.0, 5.0, 1.0])  # a 1 for the intercept, then size, rooms, floor
print(f"price of 100 m², 5 rooms, floor 1: {true_w.to_numpy() @ first_flat:,.0f} €")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), sharey=True)
for ax, column, label in zip(axes, ["size_m2", "rooms", "floor"], ["size (m²)", "number of rooms", "floor"]):
    ax.scatter(flats[column], flats["price_eur"] / 1000, s=18, alpha=0.6)
    ax.set(xlabel=label, title=f"price against {label.split(' (')[0]}")
axes[0].set_ylabel("price (k€)")
plt.show()

# %% [markdown]
# The size says most of the price; rooms and floor add a little, and the scatter around any
# trend is the noise (30,000 € here).

# %% tags=["check"]
assert true_w.to_numpy() @ first_flat == 940_000
expect(np.corrcoef(flats["size_m2"], flats["price_eur"])[0, 1], ">", 0.9, what="correlation of size and price")

# %% [markdown]
# ## 2. The model and its cost
#
# The model predicts $y = w_0 + \sum_{j=1}^p w_j x_j = w_0 + \mathbf{w}^T\mathbf{x}$. With a
# constant input $x_0 = 1$ the intercept $w_0$ becomes one more weight:
#
# $$\mathbf{x} = \begin{bmatrix}1\\ x_1\\ \vdots\\ x_p\end{bmatrix},\qquad y = \sum_{j=0}^p w_j x_j = \mathbf{w}^T\mathbf{x}.$$
#
# Stacking the $n$ training inputs as rows gives the $n \times (p+1)$ matrix $\mathbf{X}$, whose
# first column is all ones, and the predictions of the whole training set are $\mathbf{X}\mathbf{w}$.

# %%
features = flats[["size_m2", "rooms", "floor"]].to_numpy(float)  # (n, p) = (1000, 3)
y = flats["price_eur"].to_numpy()                                 # (n,)
X = add_bias(features)                                            # (n, p + 1): a column of ones first
X[:3]

# %% [markdown]
# The loss of one prediction is the squared error $(y - f(\mathbf{x}))^2$; the cost is its mean
# over the training set:
#
# $$J(\mathbf{w}) = \frac{1}{n}\sum_{i=1}^n \left(y^{(i)} - \mathbf{w}^T\mathbf{x}^{(i)}\right)^2 = \frac{1}{n}(\mathbf{y}-\mathbf{X}\mathbf{w})^T(\mathbf{y}-\mathbf{X}\mathbf{w}).$$
#
# At the true weights only the noise is left, so $\sqrt{J}$ is about the noise's 30,000 €;
# weights far from them do much worse. (The weights fitted in section 3 do slightly *better* on
# these 1,000 flats than the true ones: they also fit part of the noise.)

# %%
J_true = squared_error_cost(true_w.to_numpy(), X, y)
J_guess = squared_error_cost(np.array([0.0, 10_000.0, 0.0, 0.0]), X, y)  # "10 k€ per m², that's all"
print(f"true weights: √J = {np.sqrt(J_true):,.0f} €    a guess: √J = {np.sqrt(J_guess):,.0f} €")

# %% tags=["check"]
expect(np.sqrt(J_true), ">", 25_000, what="√J at the true weights (€)")  # the noise of the simulation is 30,000 €
expect(np.sqrt(J_true), "<", 35_000, what="√J at the true weights (€)")
expect(J_guess / J_true, ">", 1, what="cost of the 10 k€/m² guess over that of the true weights")

# %% [markdown]
# ## 3. The normal equation
#
# $J$ is a convex quadratic function of $\mathbf{w}$: a bowl with a single lowest point, where
# its gradient vanishes:
#
# $$\nabla J(\mathbf{w}) = -\frac{2}{n}\mathbf{X}^T(\mathbf{y}-\mathbf{X}\mathbf{w}) = 0
# \iff \mathbf{X}^T\mathbf{X}\,\mathbf{w} = \mathbf{X}^T\mathbf{y}
# \iff \hat{\mathbf{w}} = (\mathbf{X}^T\mathbf{X})^{-1}\mathbf{X}^T\mathbf{y}.$$
#
# In code we *solve* the $(p+1) \times (p+1)$ system rather than form the inverse: same answer,
# fewer rounding errors.

# %%
w_hat = np.linalg.solve(X.T @ X, X.T @ y)
pd.DataFrame({"true": true_w, "normal equation": w_hat}, index=true_w.index).round(0)

# %% [markdown]
# `dlmi.linear.LinearRegression` does exactly this behind scikit-learn's interface (`fit`,
# `predict`, `coef_`, `intercept_`), so we can compare the two.

# %%
ours = LinearRegression().fit(features, y)
theirs = SklearnLinearRegression().fit(features, y)
pd.DataFrame({"dlmi": np.r_[ours.intercept_, ours.coef_], "scikit-learn": np.r_[theirs.intercept_, theirs.coef_]},
             index=true_w.index)

# %% [markdown]
# The estimates are not the true weights: they come from noisy prices. Their standard errors,
# $\sqrt{\operatorname{diag}\,\hat\sigma^2(\mathbf{X}^T\mathbf{X})^{-1}}$ with $\hat\sigma^2$ the
# residual variance, say how far off they may be. Rooms and size go together (about one room per
# 20 m²), so the data cannot tell their effects apart precisely: the rooms weight is the least
# certain relative to its size (a standard error of about a sixth of its value; the size weight's is about 1 %).

# %%
residual_variance = np.sum((y - X @ w_hat) ** 2) / (len(y) - X.shape[1])
standard_error = np.sqrt(np.diag(residual_variance * np.linalg.inv(X.T @ X)))
pd.DataFrame({"true": true_w, "estimate": w_hat, "standard error": standard_error}, index=true_w.index).round(0)

# %%
fig, ax = plt.subplots(figsize=(6.5, 6))
ax.scatter(y / 1000, ours.predict(features) / 1000, s=18, alpha=0.6)
ax.axline((500, 500), slope=1, color="black", lw=1.5, label="perfect prediction")
ax.set(xlabel="actual price (k€)", ylabel="predicted price (k€)", title="normal-equation fit")
ax.legend()
plt.show()

# %% tags=["check"]
np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8)
assert abs(ours.intercept_ - theirs.intercept_) <= 1e-8 * abs(theirs.intercept_)
np.testing.assert_allclose(np.r_[ours.intercept_, ours.coef_], w_hat, rtol=1e-8)
expect(np.max(np.abs(w_hat - true_w.to_numpy()) / standard_error), "<", 4,
       what="largest error of a weight, in standard errors")  # recovered within the noise
expect(abs(w_hat[1] - true_w["size_m2"]) / true_w["size_m2"], "<", 0.05,
       what="relative error of the price per m²")  # the price per m² within 5 %

# %% [markdown]
# ## 4. The cost as a landscape: fit a line by hand
#
# With one feature, price against size, there are two weights and $J(w_0, w_1)$ can be drawn:
# its contour lines are ellipses around the minimum that the normal equation finds (the star).
# Move the sliders: the line, its residuals (the vertical segments) and the point on the map
# move together, and $J$ is the mean of the squared residuals.

# %% tags=["widget"]
from dlmi.widgets.regression import LineFitFigure, line_fit_widget

size, price_keur = flats["size_m2"].to_numpy(float), flats["price_eur"].to_numpy() / 1000
view = LineFitFigure(size, price_keur, w0_range=(-300, 400), w1_range=(2, 16), x_label="size (m²)",
                     y_label="price (k€)", w0_unit="k€", w1_unit="k€/m²", cost_unit="(k€)²")
line_fit_widget(view, w0=100.0, w1=6.0);

# %% [markdown]
# The valley is long and thin: raising the slope by 1 k€/m² while lowering the intercept by
# about 60 k€ (the mean size is about 60 m²) changes the predictions far less than either change
# alone, so $J$ rises much less (less than a third as much).
# Two weights that can compensate each other: the next section pushes this to the extreme.

# %% tags=["check"]
best_line = LinearRegression().fit(size, price_keur)
J_best = view.update(best_line.intercept_, best_line.coef_[0])
assert view.update(100.0, 6.0) > J_best
assert all(view.update(best_line.intercept_ + d0, best_line.coef_[0] + d1) > J_best
           for d0, d1 in [(10, 0), (0, 0.1), (-10, 0.1), (60, -1)])
# the valley: slope and intercept moved together cost far less than the intercept moved alone
expect((view.update(best_line.intercept_ + 60, best_line.coef_[0] - 1) - J_best)
       / (view.update(best_line.intercept_ + 60, best_line.coef_[0]) - J_best), "<", 1 / 3,
       what="rise of J along the valley over the rise for the intercept alone")
expect(best_line.intercept_, ">", -300, what="best intercept (k€)")  # the star is on the map
expect(best_line.intercept_, "<", 400, what="best intercept (k€)")
expect(best_line.coef_[0], ">", 2, what="best slope (k€/m²)")
expect(best_line.coef_[0], "<", 16, what="best slope (k€/m²)")

# %% [markdown]
# ## 5. When $\mathbf{X}^T\mathbf{X}$ is not invertible
#
# The normal equation needs $(\mathbf{X}^T\mathbf{X})^{-1}$. It does not exist when
#
# - an input is redundant, e.g. the size in m² *and* in ft²: one column is a multiple of another;
# - there are more weights than samples, $p + 1 > n$.
#
# How close a matrix is to singular is measured by its **condition number**
# $\kappa = \lambda_{\max}/\lambda_{\min}$ (ratio of its extreme eigenvalues): relative errors in
# the data can be amplified $\kappa$ times in the solution. Our flats give a harmless $\kappa$:

# %%
print(f"κ(XᵀX) = {np.linalg.cond(X.T @ X):.1e}")

# %% [markdown]
# **A redundant feature.** Listings also give the size in ft² (1 m² = 10.764 ft²), rounded to
# whole ft². The two columns are nearly proportional: $\kappa$ jumps by four orders of magnitude,
# and the weights explode.

# %%
flats["size_ft2"] = (flats["size_m2"] * 10.764).round()
X_ft2 = add_bias(flats[["size_m2", "rooms", "floor", "size_ft2"]].to_numpy(float))
print(f"κ(XᵀX) = {np.linalg.cond(X_ft2.T @ X_ft2):.1e}")
w_ft2 = np.linalg.solve(X_ft2.T @ X_ft2, X_ft2.T @ y)
residual_variance_ft2 = np.sum((y - X_ft2 @ w_ft2) ** 2) / (len(y) - X_ft2.shape[1])
standard_error_ft2 = np.sqrt(np.diag(residual_variance_ft2 * np.linalg.inv(X_ft2.T @ X_ft2)))
pd.DataFrame({"estimate": w_ft2, "standard error": standard_error_ft2},
             index=["intercept", "size_m2", "rooms", "floor", "size_ft2"]).round(0)

# %% [markdown]
# The m² weight can now land tens of thousands of euros away from 8,500 € per m², up or down
# depending on the draw, made up by the ft² weight: the predictions are still good, but the
# weights mean nothing. Their standard errors have grown hundreds of times, so new data would
# change them completely. `LinearRegression` warns about it; with the exact conversion (no
# rounding) the matrix is singular and it refuses, saying what to do.

# %%
LinearRegression().fit(X_ft2[:, 1:], y)

exact = np.column_stack([features, features[:, 0] * 10.764])
try:
    LinearRegression().fit(exact, y)
except np.linalg.LinAlgError as error:
    print(error)

# %% [markdown]
# **More weights than samples.** With only the three flats of the course's table there are 4
# weights for 3 equations: infinitely many weights fit them exactly.

# %%
three_flats = np.array([[100.0, 5, 1], [53, 3, 5], [25, 1, 6]])
three_prices = np.array([940_000.0, 510_000, 280_000])
X3 = add_bias(three_flats)
print(f"κ(XᵀX) = {np.linalg.cond(X3.T @ X3):.1e}   (rank {np.linalg.matrix_rank(X3.T @ X3)} of 4)")
try:
    LinearRegression().fit(three_flats, three_prices)
except np.linalg.LinAlgError as error:
    print(error)

# %% [markdown]
# **Two remedies.**
#
# - The **pseudo-inverse** $\mathbf{X}^+$ picks, among all the weights that minimise $J$, the
#   one of smallest norm: `LinearRegression(solver="pinv")`.
# - **Ridge regression** adds $\alpha \sum_{j\geq 1} w_j^2$ to the *summed* squared error
#   $nJ(\mathbf{w}) = (\mathbf{y}-\mathbf{X}\mathbf{w})^T(\mathbf{y}-\mathbf{X}\mathbf{w})$ (as scikit-learn's `Ridge` does;
#   added to the mean $J$ it would be $\alpha/n$), so the normal equation becomes $\hat{\mathbf{w}} = (\mathbf{X}^T\mathbf{X} + \alpha \mathbf{D})^{-1}\mathbf{X}^T\mathbf{y}$
#   ($\mathbf{D}$: the identity with a 0 for the intercept), which is invertible for any
#   $\alpha > 0$: `LinearRegression(alpha=...)`. It keeps both size weights small instead of
#   letting them grow into huge opposite values, and together they still give the price of a m².

# %%
pinv_three = LinearRegression(solver="pinv").fit(three_flats, three_prices)
print("pinv, three flats: predictions", pinv_three.predict(three_flats).round(0))

ridge = LinearRegression(alpha=100.0).fit(X_ft2[:, 1:], y)
price_per_m2 = ridge.coef_[0] + 10.764 * ridge.coef_[3]  # both size columns together
print(f"ridge: {ridge.coef_[0]:,.0f} € per m² + {ridge.coef_[3]:,.0f} € per ft² = {price_per_m2:,.0f} € per m²")
print(f"without the ft² column: {ours.coef_[0]:,.0f} € per m²")

# %% tags=["check"]
expect(np.linalg.cond(X_ft2.T @ X_ft2) / np.linalg.cond(X.T @ X), ">", 1e4, what="growth of κ with the ft² column")
expect(standard_error_ft2[1] / standard_error[1], ">", 100,
       what="growth of the m² weight's standard error with the ft² column")  # the exploded weight
np.testing.assert_allclose(pinv_three.predict(three_flats), three_prices, rtol=1e-8)
expect(abs(price_per_m2 - ours.coef_[0]) / ours.coef_[0], "<", 0.02,
       what="ridge: relative error of the price per m²")  # ridge: the price of a m² is back
expect(ridge.coef_[0], ">", -2_000, what="ridge: m² weight")
expect(ridge.coef_[3], ">", 0, what="ridge: ft² weight")

# %% [markdown]
# ## Summary
#
# - Linear regression predicts a continuous output from several inputs with a linear model
#   $y = \mathbf{w}^T\mathbf{x}$, the intercept folded into $\mathbf{w}$ by a constant input 1.
# - Its cost $J(\mathbf{w}) = \frac{1}{n}(\mathbf{y}-\mathbf{X}\mathbf{w})^T(\mathbf{y}-\mathbf{X}\mathbf{w})$
#   is convex, with a single global minimum.
# - The minimum is found exactly: $\hat{\mathbf{w}} = (\mathbf{X}^T\mathbf{X})^{-1}\mathbf{X}^T\mathbf{y}$,
#   the same weights as scikit-learn, and the true weights up to the noise.
# - $\mathbf{X}^T\mathbf{X}$ is not invertible with redundant inputs or with $p + 1 > n$; a large
#   condition number warns of it; the pseudo-inverse or ridge regression still give an answer.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — The cost J
#
# Write `cost_J(w, X, y)` that returns $J(\mathbf{w}) = \frac{1}{n}(\mathbf{y}-\mathbf{X}\mathbf{w})^T(\mathbf{y}-\mathbf{X}\mathbf{w})$
# as one number, for a design matrix `X` (n, p + 1) that already holds the column of ones.

# %% tags=["solution"]
def cost_J(w, X, y):
    """Mean squared error of the predictions X @ w against y: one number."""
    # residuals first, then the mean of their squares
    residual = y - X @ w
    return residual @ residual / len(y)


# %% tags=["check"]
assert dlmi.checks.check_squared_error_cost(cost_J)

# %% [markdown]
# ### Exercise 2 — The normal equation
#
# Write `normal_equation(X, y)` that returns $\hat{\mathbf{w}} = (\mathbf{X}^T\mathbf{X})^{-1}\mathbf{X}^T\mathbf{y}$,
# shape (p + 1,). Then use it on the flats: it should give the weights of section 3.

# %% tags=["solution"]
def normal_equation(X, y):
    """The weights that minimise the squared error: solve XᵀX w = Xᵀy."""
    # np.linalg.solve(A, b) solves A w = b without forming the inverse of A
    return np.linalg.solve(X.T @ X, X.T @ y)


# %% tags=["check"]
assert dlmi.checks.check_normal_equation(normal_equation)
np.testing.assert_allclose(normal_equation(X, y), w_hat, rtol=1e-8)

# %% [markdown]
# ### Exercise 3 — Ridge regression
#
# Write `ridge_weights(X, y, alpha)` that returns $(\mathbf{X}^T\mathbf{X} + \alpha\mathbf{D})^{-1}\mathbf{X}^T\mathbf{y}$,
# where $\mathbf{D}$ is the identity except $D_{00} = 0$: the intercept is not penalised. Check
# on the three flats of section 5 that it works where the normal equation failed, and watch what
# happens to the weights as `alpha` grows from 1e-3 to 1e3.

# %% tags=["solution"]
def ridge_weights(X, y, alpha):
    """Ridge regression: the normal equation with alpha added to the diagonal, except for w0."""
    # D is the identity with a 0 in the top-left corner
    D = np.eye(X.shape[1])
    D[0, 0] = 0.0
    return np.linalg.solve(X.T @ X + alpha * D, X.T @ y)


# %% tags=["check"]
assert dlmi.checks.check_ridge(ridge_weights)
for alpha in [1e-3, 1.0, 1e3]:
    print(f"alpha = {alpha:g}:", ridge_weights(X3, three_prices, alpha).round(0))
