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
# # 02 · Logistic regression and gradient descent
#
# From predicting a number (notebook 01) to predicting a class (section 2.1 of Part 2): squash the
# linear model into a probability, measure it with the cross-entropy, and, since no formula
# minimises that cost, learn the weights by gradient descent, the algorithm that trains every
# neural network of the course.

# %% [markdown]
# ## Learning objectives
#
# - Encode classes as indicator (one-hot) vectors, and explain why linear regression is a poor classifier.
# - Use the logistic function to read $f(\mathbf{x}) = \sigma(\mathbf{w}^T\mathbf{x})$ as the probability $P(Y = 1 \mid \mathbf{x})$, and draw the decision boundary $\mathbf{w}^T\mathbf{x} = 0$ for one and two inputs.
# - Derive the cross-entropy cost from its two cases, and its gradient.
# - Run gradient descent with one and two parameters; recognise slow convergence, oscillation and divergence from the learning rate; update all parameters simultaneously.
# - Fit logistic regression by gradient descent and match scikit-learn.
#
# ## Prerequisites
#
# Notebook 01 (the linear model with the bias folded into $\mathbf{w}$, the cost $J$, the
# normal equation); derivatives and the chain rule; $\log$ and $\exp$.

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
from sklearn.linear_model import LogisticRegression

from dlmi.checks import expect
from dlmi.data import simulate_flat_prices, simulate_purchases
from dlmi.linear import (DivergenceError, LinearRegression, LogisticRegressionGD, add_bias, cross_entropy_cost,
                         cross_entropy_gradient, descend_cost, sigmoid)
from dlmi.widgets.regression import plot_cost_contour

# %% [markdown]
# ## 1. Classes as indicator vectors
#
# In classification the output is a class, $y \in \{C_1, \dots, C_K\}$. Numbering the classes
# $1, \dots, K$ would invent an order (is "malignant" twice "benign"?). Instead each class gets
# an **indicator** $y_k$, equal to 1 if the sample belongs to $C_k$ and 0 otherwise, and the output
# is the vector $\mathbf{y} = (y_1, \dots, y_K)$, one 1 and $K - 1$ zeros: the *one-hot* encoding.

# %%
lesions = np.array(["benign", "malignant", "normal", "benign", "normal"])
classes, codes = np.unique(lesions, return_inverse=True)  # classes sorted: benign, malignant, normal
one_hot = np.eye(len(classes))[codes]                     # row i: the identity's row for sample i's class
pd.DataFrame(one_hot.astype(int), index=lesions, columns=classes)

# %% [markdown]
# With two classes one indicator is enough: $y = 1$ for the class of interest, $y = 0$ for the other.

# %% tags=["check"]
assert np.all(one_hot.sum(axis=1) == 1) and np.all(one_hot.argmax(axis=1) == codes)

# %% [markdown]
# ## 2. Purchased or not: why not linear regression?
#
# The course's example: did a customer buy the product ($y = 1$) or not ($y = 0$), given their age?
# The simulation draws each purchase with a probability that rises with age (even odds at 42).

# %%
customers, true_w = simulate_purchases(n=2000, rng=SEED)
age, purchased = customers["age"].to_numpy(float), customers["purchased"].to_numpy()
fig, ax = plt.subplots(figsize=(9, 4.5))
ax.scatter(age, purchased + np.random.default_rng(SEED + 1).uniform(-0.04, 0.04, len(age)), s=8, alpha=0.3)
ax.set(xlabel="age (years)", ylabel="purchased (0 = no, 1 = yes)", yticks=[0, 1], title=f"{len(age):,} customers")
plt.show()

# %% [markdown]
# A first idea: fit a line to the 0/1 labels (notebook 01) and predict "purchased" when the line
# is above 0.5. With one input the **decision boundary** is a number, the age where the line
# crosses 0.5: $w_0 + w_1 \cdot \text{age} = 0.5$.
#
# Take a sample of 30 customers, then add five older customers, aged 82 to 98, who all bought.
# They are the easiest customers to classify, yet they tilt the line and, in most samples, push
# the boundary to the right: customers that were classified correctly no longer are. Thirty
# customers are a noisy sample (in some, the boundary even moves left), so the experiment is
# repeated on 200 other samples of 30.

# %%
sample, _ = simulate_purchases(n=30, rng=SEED + 97)
x30, y30 = sample["age"].to_numpy(float), sample["purchased"].to_numpy()
x35, y35 = np.r_[x30, 82, 86, 90, 94, 98], np.r_[y30, 1, 1, 1, 1, 1]

def boundary_of_line(x, y):
    """The age where the least-squares line through (x, y) crosses 0.5, and the line."""
    line = LinearRegression().fit(x, y)
    return (0.5 - line.intercept_) / line.coef_[0], line

def newly_wrong(x, y, before, after):
    """How many customers (x, y) the boundary `before` classifies right and the boundary `after` wrong."""
    return np.sum(((x >= before) == y) & ((x >= after) != y))

before, line_before = boundary_of_line(x30, y30)
after, line_after = boundary_of_line(x35, y35)
print(f"this sample: boundary {before:.1f} → {after:.1f} years; "
      f"{newly_wrong(x30, y30, before, after)} of the 30 customers were right and are now wrong")

moves, wrongs, at_18 = [], [], []  # the same experiment on 200 other samples of 30 customers
for i in range(200):
    other, _ = simulate_purchases(n=30, rng=SEED + 1000 + i)
    x, y = other["age"].to_numpy(float), other["purchased"].to_numpy()
    b_before, line = boundary_of_line(x, y)
    b_after, _ = boundary_of_line(np.r_[x, x35[30:]], np.r_[y, y35[30:]])
    moves.append(b_after - b_before)
    wrongs.append(newly_wrong(x, y, b_before, b_after))
    at_18.append(line.predict([18.0])[0])
moves = np.array(moves)
print(f"200 samples: the boundary moves right in {np.mean(moves > 0):.0%} of them, by {moves.mean():.1f} years on "
      f"average; {np.mean(wrongs):.1f} customers per sample were right and are now wrong")

# %%
grid = np.linspace(15, 100, 200)
fig, ax = plt.subplots(figsize=(10, 5))
ax.scatter(x30, y30, s=30, alpha=0.6, label="30 customers")
ax.scatter(x35[30:], y35[30:], s=60, marker="D", color="C3", label="5 older customers")
for line, boundary, color, name in [(line_before, before, "C0", "without"), (line_after, after, "C3", "with")]:
    ax.plot(grid, line.predict(grid), color=color, label=f"line {name} them")
    ax.axvline(boundary, color=color, ls="--", lw=1.5)
ax.axhline(0.5, color="gray", lw=1)
ax.set(xlabel="age (years)", ylabel="prediction", ylim=(-0.4, 1.5),
       title=f"the 0.5 boundary moves from {before:.0f} to {after:.0f} years")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# Two problems: far-away points that are *right* still pull the line, and the predictions are
# not in $[0, 1]$ (the line goes above 1 on the right and, in most samples, below 0 on the
# left), so they cannot be read as probabilities. $y$ is binary, not continuous.

# %% tags=["check"]
expect(moves.mean(), ">", 1,
       what="mean shift of the line's boundary over 200 samples (years)")  # the boundary moves right ...
expect(np.mean(moves > 0), ">", 2 / 3, what="share of the samples whose boundary moves right")
expect(np.mean(wrongs), ">", 0.3,
       what="customers per sample right before and wrong after")  # ... and misclassifies customers it got right before
expect(line_after.predict([98.0])[0], ">", 1, what="line's prediction at 98 years")
expect(np.mean(at_18), "<", 0, what="line's prediction at 18 years, mean over 200 samples")

# %% [markdown]
# ## 3. The logistic function
#
# Keep the linear score $z = \mathbf{w}^T\mathbf{x}$ and squash it into $[0, 1]$ with the
# **logistic function**
#
# $$g(z) = \frac{1}{1 + e^{-z}}, \qquad f(\mathbf{x}) = \frac{1}{1 + e^{-\mathbf{w}^T\mathbf{x}}}.$$
#
# It belongs to the family of *sigmoid* (S-shaped) functions, with $\tanh$ and $\arctan$: in
# neural networks they will be called *activation functions*.

# %%
z = np.linspace(-8, 8, 400)
fig, ax = plt.subplots(figsize=(9, 5))
ax.plot(z, sigmoid(z), lw=3, label="logistic  1 / (1 + e⁻ᶻ)")
ax.plot(z, np.tanh(z), ls="--", label="tanh(z)")
ax.plot(z, 2 / np.pi * np.arctan(z), ls=":", label="(2/π) arctan(z)")
ax.axhline(0.5, color="gray", lw=1)
ax.set(xlabel="z = wᵀx", ylabel="g(z)", title="sigmoid functions")
ax.legend()
plt.show()

# %% tags=["check"]
assert sigmoid(0.0) == 0.5
np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), atol=1e-15)
assert sigmoid(z).min() > 0 and sigmoid(z).max() < 1

# %% [markdown]
# ## 4. The probabilistic reading
#
# $f(\mathbf{x})$ is the probability that $Y = 1$ given the input:
#
# $$f(\mathbf{x}) = P(Y = 1 \mid \mathbf{x}, \mathbf{w}), \qquad P(Y = 0 \mid \mathbf{x}, \mathbf{w}) = 1 - f(\mathbf{x}).$$
#
# Here: the probability that a customer purchased, given their age. We fit it with
# `LogisticRegressionGD` (built in sections 6–9) on the standardised age $a = (\text{age} - \mu)/s$,
# and convert the weights back to years.

# %%
mu, s = age.mean(), age.std()
model = LogisticRegressionGD(lr=1.0, n_iter=5000, tol=1e-8).fit((age - mu) / s, purchased)
w1 = model.coef_[0] / s                 # log-odds per year
w0 = model.intercept_ - w1 * mu
print(f"P(purchased | age) = σ({w0:.2f} + {w1:.3f} × age)    (simulated from σ({true_w['intercept']} + {true_w['age']} × age))")

# %%
fig, ax = plt.subplots(figsize=(10, 5))
ages = np.linspace(15, 75, 200)
ax.scatter(age, purchased, s=18, alpha=0.4, label="customers")
ax.plot(ages, sigmoid(w0 + w1 * ages), lw=3, label="fitted P(purchased | age)")
ax.plot(ages, sigmoid(true_w["intercept"] + true_w["age"] * ages), ls="--", color="black", label="true probability")
ax.axvline(-w0 / w1, color="C3", ls="--", lw=1.5, label=f"boundary: {-w0 / w1:.1f} years")
ax.set(xlabel="age (years)", ylabel="P(purchased | age)", title="logistic regression on age")
ax.legend(loc="center right")
plt.show()

# %% [markdown]
# **The decision boundary.** Predict $Y = 1$ when $f(\mathbf{x}) \geq 0.5$, that is when
# $\mathbf{w}^T\mathbf{x} \geq 0$: with one input, when age $\geq -w_0/w_1$. It is a *linear*
# classifier even though $\sigma$ is not linear. And the five older customers of section 2 hardly
# move it: far on the right side, $\sigma$ is already close to 1 and they cost almost nothing.

# %%
def logistic_boundary(x, y):
    """The age where P = 0.5 for a logistic regression of y on x (ages standardised with fixed units)."""
    # tol=0: exactly 5000 steps. 30 customers can be separable by age, and then the weights grow for ever
    fitted = LogisticRegressionGD(lr=3.0, n_iter=5000, tol=0).fit((x - 45) / 15, y)
    return 45 - 15 * fitted.intercept_ / fitted.coef_[0]

logistic_before, logistic_after = logistic_boundary(x30, y30), logistic_boundary(x35, y35)
print(f"logistic boundary: {logistic_before:.1f} → {logistic_after:.1f} years   (the line's: {before:.1f} → {after:.1f})")

# %% tags=["check"]
expect(abs(-w0 / w1 - 42), "<", 3, what="distance of the fitted boundary from 42 years")  # the true boundary is 42 years
probability_gap = [abs(sigmoid(w0 + w1 * a) - sigmoid(true_w["intercept"] + true_w["age"] * a)) for a in (30, 42, 55)]
expect(max(probability_gap), "<", 0.1, what="largest error of P(purchased) at 30, 42 and 55 years")
expect(abs(logistic_after - logistic_before), "<", 1,
       what="shift of the logistic boundary (years)")  # not pulled by the five older customers

# %% [markdown]
# ## 5. The decision boundary with two inputs
#
# With age and income, $\mathbf{w}^T\mathbf{x} = w_0 + w_1\,\text{age} + w_2\,\text{income} = 0$
# is a **line** in the (age, income) plane: purchase predicted on one side, not on the other.

# %%
buyers, true_w2 = simulate_purchases(n=1000, with_income=True, rng=SEED)
inputs = buyers[["age", "income_keur"]].to_numpy(float)
labels = buyers["purchased"].to_numpy()
centre, scale = inputs.mean(axis=0), inputs.std(axis=0)
model2 = LogisticRegressionGD(lr=1.0, n_iter=5000, tol=1e-8).fit((inputs - centre) / scale, labels)
w_age, w_income = model2.coef_ / scale
w_0 = model2.intercept_ - np.sum(model2.coef_ * centre / scale)
accuracy = np.mean(model2.predict((inputs - centre) / scale) == labels)

fig, ax = plt.subplots(figsize=(9, 6))
for value, marker, name in [(0, "o", "did not purchase"), (1, "^", "purchased")]:
    chosen = labels == value
    ax.scatter(inputs[chosen, 0], inputs[chosen, 1], marker=marker, s=16, alpha=0.5, label=name)
ends = np.array([18, 70])
ax.plot(ends, -(w_0 + w_age * ends) / w_income, color="C3", lw=3, label="fitted boundary  wᵀx = 0")
ax.plot(ends, -(true_w2["intercept"] + true_w2["age"] * ends) / true_w2["income_keur"], "k--", label="true boundary")
ax.set(xlabel="age (years)", ylabel="income (k€ per year)", ylim=(5, inputs[:, 1].max() + 5),
       title=f"two inputs: the boundary is a line (accuracy {accuracy:.0%})")
ax.legend(loc="upper right")
plt.show()

# %% tags=["check"]
expect(accuracy, ">", 0.8, what="training accuracy on age and income")
ages_checked = np.array([45, 60])  # the fitted boundary is near the true one where it crosses the customers
fitted_income = -(w_0 + w_age * ages_checked) / w_income
true_income = -(true_w2["intercept"] + true_w2["age"] * ages_checked) / true_w2["income_keur"]
expect(np.abs(fitted_income - true_income).max(), "<", 10,
       what="largest gap between the boundaries at 45 and 60 years (k€)")

# %% [markdown]
# ## 6. The cross-entropy cost
#
# As before, learning minimises a cost, the mean of a loss over the training set,
# $J = \frac{1}{n}\sum_i \ell(y^{(i)}, f(\mathbf{x}^{(i)}))$. The loss should be low when the
# prediction agrees with the label:
#
# - if $y = 1$: low when $f(\mathbf{x})$ is high, e.g. $\ell = -\log f(\mathbf{x})$;
# - if $y = 0$: low when $f(\mathbf{x})$ is low, e.g. $\ell = -\log(1 - f(\mathbf{x}))$.
#
# Both cases in one formula (one of the two terms is always zero), the **cross-entropy**:
#
# $$\ell(y, f(\mathbf{x})) = -y\log f(\mathbf{x}) - (1 - y)\log(1 - f(\mathbf{x})), \qquad
# J(\mathbf{w}) = -\frac{1}{n}\sum_{i=1}^n \Big(y^{(i)}\log f(\mathbf{x}^{(i)}) + (1 - y^{(i)})\log(1 - f(\mathbf{x}^{(i)}))\Big).$$

# %%
f = np.linspace(0.001, 0.999, 500)
fig, ax = plt.subplots(figsize=(9, 5))
ax.plot(f, -np.log(f), label="y = 1:  −log f(x)")
ax.plot(f, -np.log(1 - f), label="y = 0:  −log(1 − f(x))")
ax.set(xlabel="predicted probability f(x)", ylabel="loss ℓ(y, f(x))", ylim=(0, 5), title="cross-entropy loss")
ax.legend(loc="upper center")
plt.show()

# %% [markdown]
# A confident wrong answer costs a lot (the loss grows without bound), a confident right one
# almost nothing. With $f = \sigma(\mathbf{w}^T\mathbf{x})$ and $\sigma' = \sigma(1 - \sigma)$, the
# chain rule gives a gradient with the same shape as in linear regression:
#
# $$\nabla J(\mathbf{w}) = \frac{1}{n}\mathbf{X}^T\big(\sigma(\mathbf{X}\mathbf{w}) - \mathbf{y}\big).$$
#
# Setting it to zero gives no closed-form solution (unlike the normal equation): we need an
# optimisation algorithm, **gradient descent**. $J$ is convex, so it has no local minimum to get
# stuck in. Gradient descent also works on non-convex costs, such as those of neural networks,
# but then nothing guarantees that it finds the global minimum.

# %% tags=["check"]
X_age = add_bias((age - mu) / s)
assert abs(cross_entropy_cost(np.zeros(2), X_age, purchased) - np.log(2)) < 1e-12  # f = 0.5 for everybody
w_fit = np.r_[model.intercept_, model.coef_]
expect(cross_entropy_cost(w_fit, X_age, purchased) / np.log(2), "<", 0.5,
       what="cost of the fit over log 2")                                             # the fit halves it
expect(np.linalg.norm(cross_entropy_gradient(w_fit, X_age, purchased)), "<", 1e-6,
       what="norm of the gradient at the fit")                                        # the gradient vanishes there

# %% [markdown]
# ## 7. Gradient descent with one parameter
#
# Start from some $w_1$ and repeat until convergence
#
# $$w_1 \leftarrow w_1 - \eta\,\frac{dJ}{dw_1}.$$
#
# Where the slope is positive, $w_1$ decreases; where it is negative, $w_1$ increases: each step
# goes downhill. The **learning rate** $\eta$ sets the step size. To see its effect on a cost whose
# minimum we know, take the flats of notebook 01, size and price standardised, and the one-weight
# model price $= w_1 \times$ size: $J(w_1) = \frac{1}{n}\sum_{i=1}^n \big(y^{(i)} - w_1 x^{(i)}\big)^2$ is a parabola with
# $J'' = 2$, so each step multiplies the distance to the minimum by $1 - 2\eta$.
#
# Move the slider, or press a preset: too small, $\eta$ crawls; good, it converges in a few steps;
# above $0.5$ it overshoots and oscillates; above 1 it diverges.

# %% tags=["widget"]
from dlmi.widgets.regression import LEARNING_RATE_PRESETS, LearningRateFigure, learning_rate_widget

flats, _ = simulate_flat_prices(n=200, rng=SEED)
x_std = (flats["size_m2"] - flats["size_m2"].mean()) / flats["size_m2"].std(ddof=0)
y_std = (flats["price_eur"] - flats["price_eur"].mean()) / flats["price_eur"].std(ddof=0)
lr_view = LearningRateFigure(x_std.to_numpy(), y_std.to_numpy(), w_init=-1.5, n_steps=40)
learning_rate_widget(lr_view);

# %%
runs = {name: lr_view.update(lr) for name, lr in LEARNING_RATE_PRESETS.items()}
pd.DataFrame({"η": LEARNING_RATE_PRESETS, "status": {k: r.status for k, r in runs.items()},
              "final J": {k: r.cost for k, r in runs.items()}})

# %% tags=["check"]
assert not runs["too small"].converged and np.all(np.diff(runs["too small"].costs) < 0)  # slow but steady
assert runs["good"].converged and abs(runs["good"].w[0] - lr_view.w_best) < 1e-6
side = np.sign(runs["oscillates"].path[:, 0] - lr_view.w_best)
assert np.all(side[1:] == -side[:-1])                                                   # it oscillates ...
assert runs["oscillates"].costs[-1] < runs["oscillates"].costs[0]                      # ... yet converges
assert runs["diverges"].diverged and runs["diverges"].status.startswith("diverged at step")

# %% [markdown]
# ## 8. Gradient descent with two parameters
#
# With $J(w_0, w_1)$ the derivative becomes the **gradient**
# $\nabla J = \left(\frac{\partial J}{\partial w_0}, \frac{\partial J}{\partial w_1}\right)$, and
# the step is $\mathbf{w} \leftarrow \mathbf{w} - \eta\nabla J$, that is
#
# $$w_0 \leftarrow w_0 - \eta\frac{\partial J}{\partial w_0}, \qquad w_1 \leftarrow w_1 - \eta\frac{\partial J}{\partial w_1}.$$
#
# The two updates must be **simultaneous**: both partial derivatives are computed at the old
# $(w_0, w_1)$, and only then are both weights changed. Below, the cross-entropy of the purchases
# against $a = (\text{age} - 40)/10$ (decades from 40), with gradient descent done right, and done
# wrong: updating $w_0$ first, then computing $\partial J / \partial w_1$ with the *new* $w_0$.

# %%
X_dec = add_bias((age - 40) / 10)

def J_dec(w):
    return cross_entropy_cost(w, X_dec, purchased)

def grad_dec(w):
    return cross_entropy_gradient(w, X_dec, purchased)

right = descend_cost(J_dec, grad_dec, [1.5, 0.0], lr=3.0, n_steps=300, tol=1e-6)
wrong = descend_cost(J_dec, grad_dec, [1.5, 0.0], lr=3.0, n_steps=300, tol=1e-6, simultaneous=False)
print("simultaneous:", right.status, "\nsequential:  ", wrong.status)

# %%
fig, ax = plt.subplots(figsize=(9, 7))
plot_cost_contour(ax, J_dec, np.linspace(-3, 2, 60), np.linspace(-0.5, 3.5, 60))
ax.plot(*right.path.T, "o-", ms=5, lw=1.5, color="C3", label="simultaneous updates")
ax.plot(*wrong.path.T, "s-", ms=5, lw=1.5, color="C1", label="sequential updates (wrong)")
ax.plot(*right.path[0], "kX", ms=12, label="start")
ax.set(xlabel="w0 (log-odds at 40 years)", ylabel="w1 (log-odds per decade)", title="cross-entropy J(w0, w1)")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# Both paths go down the same bowl, but they are different paths: the sequential version is no
# longer gradient descent, its steps are not $-\eta\nabla J$, and its path depends on the order
# in which the weights are written in the code (here both paths still end at the same minimum). What we know of gradient descent (its behaviour
# against $\eta$ above, the optimisers of later chapters) holds only for the simultaneous update:
# compute the whole gradient first, then move.

# %% tags=["check"]
assert right.converged and np.all(np.diff(right.costs) < 0)            # J decreases at every step
gap = np.linalg.norm(right.path[1:6] - wrong.path[1:6], axis=1)
expect(gap.max(), ">", 0.1, what="largest gap between the two paths")                # the two paths differ
np.testing.assert_allclose(right.path[1], [1.5, 0.0] - 3.0 * grad_dec(np.array([1.5, 0.0])))

# %% [markdown]
# ## 9. Logistic regression by gradient descent
#
# `LogisticRegressionGD` runs this loop on the cross-entropy, from $\mathbf{w} = 0$, until
# $\|\nabla J\| <$ `tol`, and keeps the cost of every step in `history_`. On the standardised age
# and income of section 5 it finds scikit-learn's weights (`C=np.inf`: no penalty).

# %%
sklearn_model = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit((inputs - centre) / scale, labels)
pd.DataFrame({"dlmi (gradient descent)": np.r_[model2.intercept_, model2.coef_],
              "scikit-learn": np.r_[sklearn_model.intercept_, sklearn_model.coef_[0]]},
             index=["w0", "w_age", "w_income"])

# %%
fig, ax = plt.subplots(figsize=(9, 4.8))
ax.plot(model2.history_)
ax.set(xlabel="step", ylabel="cost J (cross-entropy)", title=model2.status_)
plt.show()

# %% [markdown]
# Without standardising, ages (tens of years) and incomes (tens of k€) make the gradient large,
# and $\eta = 1$ is far too large: the cost goes up instead of down. The fit says so in words
# instead of returning nonsense.

# %%
try:
    LogisticRegressionGD(lr=1.0, n_iter=500).fit(inputs, labels)
except DivergenceError as error:
    print(error)

# %% tags=["check"]
np.testing.assert_allclose(model2.coef_, sklearn_model.coef_[0], atol=1e-3)
assert abs(model2.intercept_ - sklearn_model.intercept_[0]) < 1e-3
assert model2.converged_ and np.all(np.diff(model2.history_) <= 1e-12)
try:
    LogisticRegressionGD(lr=1.0, n_iter=500).fit(inputs, labels)
    raise AssertionError("a too large learning rate should have been detected")
except DivergenceError:
    pass

# %% [markdown]
# ## Summary
#
# - Classes are encoded by indicator (one-hot) vectors; two classes need a single 0/1 label.
# - Linear regression makes a poor classifier: far-away points pull the 0.5 boundary and its
#   outputs are not probabilities.
# - Logistic regression $f(\mathbf{x}) = \sigma(\mathbf{w}^T\mathbf{x})$ gives $P(Y = 1 \mid \mathbf{x})$;
#   its decision boundary $\mathbf{w}^T\mathbf{x} = 0$ is a number with one input and a line with two.
# - Its cost, the cross-entropy, is convex but has no closed-form minimum; its gradient is
#   $\frac{1}{n}\mathbf{X}^T(\sigma(\mathbf{X}\mathbf{w}) - \mathbf{y})$.
# - Gradient descent $\mathbf{w} \leftarrow \mathbf{w} - \eta\nabla J$ minimises it: too small an
#   $\eta$ crawls, too large oscillates or diverges; every weight is updated simultaneously.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — One-hot encoding
#
# Write `one_hot(labels, n_classes)` that turns integer labels (n,) in $\{0, \dots, K-1\}$ into the
# (n, K) matrix of indicators.

# %% tags=["solution"]
def one_hot(labels, n_classes):
    """(n, K) matrix with a 1 in column labels[i] of row i and 0 elsewhere."""
    # start from zeros, then set one entry per row
    encoded = np.zeros((len(labels), n_classes))
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded


# %% tags=["check"]
assert dlmi.checks.check_one_hot(one_hot)

# %% [markdown]
# ### Exercise 2 — The logistic function
#
# Write `logistic(z)` that returns $\sigma(z) = 1/(1 + e^{-z})$ elementwise for an array `z`.

# %% tags=["solution"]
def logistic(z):
    """σ(z) = 1 / (1 + e^(−z)), elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


# %% tags=["check"]
assert dlmi.checks.check_logistic(logistic)

# %% [markdown]
# ### Exercise 3 — The gradient of the cross-entropy
#
# Write `logistic_gradient(w, X, y)` that returns $\nabla J(\mathbf{w}) = \frac{1}{n}\mathbf{X}^T(\sigma(\mathbf{X}\mathbf{w}) - \mathbf{y})$
# for a design matrix `X` (n, p + 1) that holds the column of ones and 0/1 labels `y`.

# %% tags=["solution"]
def logistic_gradient(w, X, y):
    """Gradient of the mean cross-entropy at w, shape (p + 1,)."""
    # the prediction errors σ(Xw) − y, weighted by the inputs, averaged over the samples
    errors = 1.0 / (1.0 + np.exp(-X @ w)) - y
    return X.T @ errors / len(y)


# %% tags=["check"]
assert dlmi.checks.check_logistic_gradient(logistic_gradient)

# %% [markdown]
# ### Exercise 4 — One gradient-descent step
#
# Write `gradient_step(w, X, y, lr)` that returns the weights after one step of gradient descent
# on the cross-entropy, every weight updated simultaneously. Then repeat it 2,000 times from
# $\mathbf{w} = 0$ with $\eta = 1$ on the standardised age and income of section 5: you should find
# the weights of section 9.

# %% tags=["solution"]
def gradient_step(w, X, y, lr):
    """w − lr ∇J(w): the whole gradient at the old w, then one move."""
    gradient = X.T @ (1.0 / (1.0 + np.exp(-X @ w)) - y) / len(y)
    return w - lr * gradient


# %% tags=["check"]
assert dlmi.checks.check_gradient_descent_step(gradient_step)
X_buyers, w = add_bias((inputs - centre) / scale), np.zeros(3)
for _ in range(2000):
    w = gradient_step(w, X_buyers, labels, 1.0)
np.testing.assert_allclose(w, np.r_[model2.intercept_, model2.coef_], atol=1e-3)
