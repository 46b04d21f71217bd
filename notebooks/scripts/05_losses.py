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
# # 05 · Losses and cost functions
#
# Section 2.5 of Part 2, with the cost function of section 2.6: what a network minimises. Least
# squares for regression and cross-entropy for classification, the same choices as linear and
# logistic regression (notebooks 01–02), and why the pairing of a sigmoid output with
# cross-entropy, rather than with squared error, is what lets a network recover from its mistakes.
# (The slides give the classification loss first; we start with least squares, which notebook 01
# already used.)

# %% [markdown]
# ## Learning objectives
#
# - Tell the loss of one prediction $\ell(y, f(x))$ from the cost $J(f) = \frac{1}{N}\sum_i \ell(y_i, f(x_i))$, the average that training minimises.
# - Use the least-squares loss for regression and say what its minimiser is.
# - Use the cross-entropy loss for classification, computed stably from logits.
# - Show, with plots of the losses and of their gradients with respect to the logit, why squared
#   error on a sigmoid output learns nothing from confidently wrong predictions and cross-entropy does.
# - Compute the softmax and the multi-class cross-entropy, and its gradient $\mathbf{p} - \mathbf{y}$.
#
# ## Prerequisites
#
# Notebook 04 (networks in `dlmi.nn`, backpropagation); the sigmoid and its derivative
# (notebook 03); logarithms and the derivative of $\log$.

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

from dlmi import nn
from dlmi.checks import expect
from dlmi.data import make_gaussian_blobs
from dlmi.viz import PALETTE

# %% [markdown]
# ## 1. Loss, cost and learning
#
# The **loss** $\ell(y, f(x))$ scores one prediction $f(x)$ against the truth $y$. The **cost**
# is its average over the $N$ training samples, and learning is finding the function of the
# model family $\mathcal{F}$ (for a network: its weights) with the smallest cost:
#
# $$J(f) = \frac{1}{N}\sum_{i=1}^N \ell\big(y_i, f(x_i)\big), \qquad \hat{f} = \arg\min_{f \in \mathcal{F}} J(f).$$
#
# The losses of `dlmi.nn`, like PyTorch's, return the cost directly (the mean over the batch).
# Per sample, then averaged, the two agree:

# %%
y_true = np.array([3.0, -1.0, 0.5, 2.0])
y_pred = np.array([2.5, 0.0, 0.5, 3.5])
per_sample = (y_true - y_pred) ** 2            # ℓ(y_i, f(x_i)), one number per sample
cost = nn.MSELoss().forward(y_pred, y_true)    # J = the mean of the losses
print(f"losses: {per_sample}   their mean: {per_sample.mean():.4f}   MSELoss: {cost:.4f}")

# %% tags=["check"]
np.testing.assert_allclose(per_sample, [0.25, 1.0, 0.0, 2.25])
assert np.isclose(cost, per_sample.mean()) and np.isclose(cost, 0.875)

# %% [markdown]
# ## 2. Least squares for regression
#
# For a continuous target the loss is the squared error, and the cost is the mean squared
# error, as in linear regression:
#
# $$J(\mathbf{w}) = \frac{1}{n}\sum_{i=1}^n \left(y^{(i)} - f(x^{(i)}; \mathbf{w})\right)^2.$$
#
# Two reasons for this choice. If the targets are the truth plus Gaussian noise,
# $y = f(x) + \varepsilon$ with $\varepsilon \sim \mathcal{N}(0, \sigma^2)$, then
# $-\log p(y \mid x) = \frac{(y - f(x))^2}{2\sigma^2} + \text{const}$: minimising the squared error is
# maximising the likelihood. And the constant $c$ that minimises $\frac{1}{n}\sum_i (y_i - c)^2$ is
# the mean $\bar{y}$ (set the derivative $-\frac{2}{n}\sum_i (y_i - c)$ to 0): a network trained by least
# squares predicts, at each $x$, the average of the targets it has seen there.

# %%
rng = np.random.default_rng(SEED)
targets = rng.normal(5.0, 2.0, size=50)
constants = np.linspace(0, 10, 501)
J_constants = np.array([nn.MSELoss().forward(np.full(50, c), targets) for c in constants])
best_constant = constants[J_constants.argmin()]

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(constants, J_constants)
ax.axvline(targets.mean(), color=PALETTE[3], linestyle="--", label=f"mean of the targets = {targets.mean():.2f}")
ax.set(xlabel="constant prediction $c$ (a.u.)", ylabel="cost $J(c)$ (a.u.²)",
       title="The squared error of a constant is smallest at the mean")
ax.legend()
plt.show()

# %% tags=["check"]
assert abs(best_constant - targets.mean()) <= 0.01  # the grid's step is 0.02

# %% [markdown]
# A regression example: a 1 → 16 → 16 → 1 network with tanh learns $y = \sin(\pi x)$ from 120
# noisy samples (noise standard deviation 0.1), by full-batch gradient descent on the mean
# squared error (`nn.fit` with a learning rate `lr`: the slides' algorithm, with $\eta = 0.05$). With enough capacity and no
# overfitting, the training cost should come down to the noise's variance, $0.1^2 = 0.01$, and
# not below it by much.

# %%
x_train = rng.uniform(-1, 1, size=(120, 1))
y_train = np.sin(np.pi * x_train) + rng.normal(0, 0.1, size=(120, 1))
x_plot = np.linspace(-1, 1, 200)[:, None]

regressor = nn.mlp([1, 16, 16, 1], "tanh", rng=SEED + 1)
n_steps = 2000  # fast mode too: under a second, and fewer steps would stop short of the noise level
history = nn.fit(regressor, nn.MSELoss(), x_train, y_train, lr=0.05, epochs=n_steps).train_loss  # J at steps 0, 1, …
rmse_to_truth = np.sqrt(np.mean((regressor.forward(x_plot) - np.sin(np.pi * x_plot)) ** 2))

fig, axes = plt.subplots(1, 2, figsize=(14, 4.8))
axes[0].scatter(x_train, y_train, s=14, alpha=0.6, label="training samples")
axes[0].plot(x_plot, np.sin(np.pi * x_plot), color="black", linestyle="--", label="truth $\\sin(\\pi x)$")
axes[0].plot(x_plot, regressor.forward(x_plot), color=PALETTE[3], label="network")
axes[0].set(xlabel="$x$ (a.u.)", ylabel="$y$ (a.u.)", title="Least-squares regression with a small MLP")
axes[0].legend()
axes[1].plot(history)
axes[1].axhline(0.01, color="black", linestyle=":", label="noise variance 0.01")
axes[1].set(yscale="log", xlabel="gradient-descent step", ylabel="training cost $J$ (a.u.²)", title="The cost during training")
axes[1].legend()
plt.show()
print(f"final training cost {history[-1]:.4f}; RMSE to the noiseless truth {rmse_to_truth:.3f}")

# %% tags=["check"]
expect(np.diff(history).max(), "<", 0, what="largest one-step change of the regression cost")  # with η = 0.05 every step lowers the cost
expect(history[-1] / y_train.var(), "<", 0.1, what="final cost over the best constant's cost")  # over 90 % of the variance explained
expect(history[-1], ">", 0.005, what="final regression training cost")   # about the noise variance, 0.01
expect(history[-1], "<", 0.03, what="final regression training cost")
expect(rmse_to_truth, "<", 0.15, what="regression's RMSE to the noiseless truth")  # the network follows the truth, not the noise

# %% [markdown]
# ## 3. Cross-entropy for classification
#
# For a binary label $y \in \{0, 1\}$ and a predicted probability $f(x) \in (0, 1)$ of class 1,
# the loss is the **cross-entropy**, the same as in logistic regression:
#
# $$J(\mathbf{W}) = -\frac{1}{n}\sum_{i=1}^n \Big[\, y^{(i)} \log f(x^{(i)}; \mathbf{W}) + (1 - y^{(i)}) \log\big(1 - f(x^{(i)}; \mathbf{W})\big) \Big].$$
#
# (The slide writes the sum without its minus sign; with it, $J \ge 0$ and smaller is better.)
# For one sample only one term survives: $-\log f(x)$ when $y = 1$, $-\log(1 - f(x))$ when $y = 0$,
# minus the log of the probability given to the right class. It is the negative log-likelihood
# of a Bernoulli model: a right and confident prediction costs almost nothing, a wrong and
# confident one costs a lot.

# %%
for p in [0.99, 0.9, 0.5, 0.1, 0.01]:
    print(f"y = 1, f(x) = {p:<4}: loss −log f(x) = {-np.log(p):.3f}")

# %% [markdown]
# A network outputs a logit $z$ and $f(x) = \sigma(z)$. Computing $\sigma(z)$ first and its log
# second fails for confident predictions: for $z = -800$, $\sigma(z)$ rounds to 0 and
# $\log 0 = -\infty$. `nn.BCEWithLogitsLoss` takes the logit and uses the equivalent form
# $\max(z, 0) - z\,y + \log(1 + e^{-|z|})$, which never overflows.

# %%
z_confident = np.array([-800.0])
with np.errstate(divide="ignore"):
    naive = -np.log(nn.sigmoid(z_confident))[0]
stable = nn.BCEWithLogitsLoss().forward(z_confident, np.array([1.0]))
print(f"z = −800, y = 1:  −log σ(z) computed naively = {naive}, stably = {stable}")

# %% tags=["check"]
assert np.isclose(-np.log(0.9), 0.1054, atol=1e-4) and np.isclose(-np.log(0.5), np.log(2))
assert np.isinf(naive) and np.isclose(stable, 800.0)
assert np.isclose(nn.BCEWithLogitsLoss().forward(np.array([0.0]), np.array([1.0])), np.log(2))

# %% [markdown]
# ## 4. Why cross-entropy, and not squared error, after a sigmoid
#
# Both losses could score a probability. The difference is in their gradients with respect to
# the logit $z$, which backpropagation sends into the network. Take $y = 1$ and $\hat{y} = \sigma(z)$:
#
# | | loss | $\partial \ell / \partial z$ |
# |---|---|---|
# | squared error | $(\sigma(z) - 1)^2$ | $2(\sigma(z) - 1)\,\sigma(z)(1 - \sigma(z))$ |
# | cross-entropy | $-\log \sigma(z)$ | $\sigma(z) - 1$ |
#
# When the network is confidently wrong ($z \ll 0$), $\sigma(z) \approx 0$: the squared error's
# gradient carries the factor $\sigma'(z) = \sigma(z)(1 - \sigma(z)) \approx 0$ and **vanishes**,
# while the cross-entropy's tends to $-1$: the log cancels the sigmoid's flatness. We let
# `dlmi.nn` compute both gradients by backpropagation (the losses average over the batch, so we
# multiply by the batch size to get the per-sample derivative).

# %%
z_values = np.linspace(-8, 8, 321)[:, None]   # one logit per sample
ones = np.ones_like(z_values)                 # y = 1 for every sample
n = len(z_values)

sigmoid_layer, mse = nn.Sigmoid(), nn.MSELoss()
mse_loss = (sigmoid_layer.forward(z_values) - 1) ** 2
mse.forward(sigmoid_layer.forward(z_values), ones)
mse_grad = n * sigmoid_layer.backward(mse.backward())    # ∂ℓ/∂z through the sigmoid

bce = nn.BCEWithLogitsLoss()
ce_loss = -np.log(nn.sigmoid(z_values))
bce.forward(z_values, ones)
ce_grad = n * bce.backward()

fig, axes = plt.subplots(1, 2, figsize=(14, 4.8))
for label, loss_values, colour in [("squared error $(\\sigma(z) - 1)^2$", mse_loss, PALETTE[0]),
                                   ("cross-entropy $-\\log \\sigma(z)$", ce_loss, PALETTE[3])]:
    axes[0].plot(z_values, loss_values, color=colour, label=label)
axes[0].set(ylim=(0, 5), xlabel="logit $z$ (a.u.)", ylabel="loss for $y = 1$", title="The losses")
axes[1].plot(z_values, mse_grad, color=PALETTE[0], label="squared error")
axes[1].plot(z_values, ce_grad, color=PALETTE[3], label="cross-entropy")
axes[1].axvspan(-8, -3, color="0.9", label="confidently wrong")
axes[1].set(xlabel="logit $z$ (a.u.)", ylabel="$\\partial \\ell / \\partial z$", title="Their gradients with respect to the logit")
for ax in axes:
    ax.legend()
plt.show()

# %% [markdown]
# On the left, the squared error is capped at 1 however wrong the prediction; the
# cross-entropy grows without bound. On the right, in the grey zone, the squared error's
# gradient is almost 0: gradient descent barely moves a network that is confidently wrong.
# The squared error's gradient never exceeds $8/27 \approx 0.30$ in size (at $\sigma(z) = 1/3$).

# %% tags=["check"]
np.testing.assert_allclose(mse_grad, 2 * (nn.sigmoid(z_values) - 1) * nn.sigmoid(z_values) * (1 - nn.sigmoid(z_values)), atol=1e-12)
np.testing.assert_allclose(ce_grad, nn.sigmoid(z_values) - 1, atol=1e-12)
assert abs(mse_grad[0, 0]) < 1e-3 and abs(ce_grad[0, 0]) > 0.99   # at z = −8
assert np.isclose(np.abs(mse_grad).max(), 8 / 27, atol=1e-3)

# %% [markdown]
# ## 5. Several classes: softmax and cross-entropy
#
# With $C$ classes (say *normal*, *pneumonia*, *other finding* on a chest X-ray) the network
# outputs $C$ logits and the **softmax** turns them into probabilities:
#
# $$p_c = \frac{e^{z_c}}{\sum_{k=1}^C e^{z_k}}, \qquad p_c > 0, \quad \sum_c p_c = 1.$$
#
# Adding the same number to every logit does not change $\mathbf{p}$, so we subtract the largest
# logit before exponentiating and nothing overflows. With two classes, $p_1 = \sigma(z_1 - z_0)$:
# the sigmoid is the two-class softmax.
#
# The multi-class cross-entropy of a one-hot label $\mathbf{y}$ is
# $\ell = -\sum_c y_c \log p_c = -\log p_{\text{label}}$, and its gradient with respect to the logits
# is as simple as in the binary case: $\partial \ell / \partial \mathbf{z} = \mathbf{p} - \mathbf{y}$.
# `nn.CrossEntropyLoss` takes the logits and either integer labels or one-hot rows, like PyTorch's.

# %%
logits = np.array([[2.0, 1.0, 0.1]])           # one image, three classes
label = np.array([0])                           # the truth: class 0
p = nn.softmax(logits)
ce = nn.CrossEntropyLoss()
ce_value = ce.forward(logits, label)
print(f"softmax: {p.round(3)}   sum = {p.sum():.6f}")
print(f"cross-entropy: {ce_value:.4f} = −log p_0 = {-np.log(p[0, 0]):.4f}")
print(f"gradient: {ce.backward().round(4)} = p − y = {(p - np.eye(3)[label]).round(4)}")

# %% tags=["check"]
np.testing.assert_allclose(p, [[0.659, 0.242, 0.099]], atol=1e-3)
np.testing.assert_allclose(nn.softmax(logits + 1000.0), p, rtol=1e-12)                       # shift invariance
np.testing.assert_allclose(nn.softmax(np.array([[0.0, 1.3]]))[0, 1], nn.sigmoid(1.3), rtol=1e-12)  # 2 classes = sigmoid
assert np.isclose(ce_value, -np.log(p[0, 0]))
assert np.isclose(nn.CrossEntropyLoss().forward(np.zeros((5, 4)), np.arange(5) % 4), np.log(4))   # uniform: log C
np.testing.assert_allclose(ce.backward(), p - np.eye(3)[label], atol=1e-12)

# %% [markdown]
# ## 6. Training a classifier with each loss
#
# The same logistic-regression neuron, $\hat{y} = \sigma(w_0 + \mathbf{x}^T\mathbf{W})$, on two Gaussian
# blobs, trained by gradient descent ($\eta = 0.5$) with each loss and from two starts:
#
# - small random weights, the usual initialisation;
# - *confidently wrong* weights $\mathbf{W} = (-8, -8)$: most points get a probability below
#   0.01 for their true class.
#
# We follow the mean probability that the neuron gives to the true class (the same scale for
# both losses).
#
# The training loop is the slides' algorithm, written out: forward, loss, backward, update.

# %%
X_blobs, y_blobs = make_gaussian_blobs(200, noise=0.1, rng=SEED)
Y_blobs = y_blobs[:, None].astype(float)
n_steps_cls = dlmi.pick(full=200, fast=200)
starts = {"small random": np.random.default_rng(SEED + 1).normal(0, 0.01, size=(2, 1)), "confidently wrong": np.full((2, 1), -8.0)}


def train_classifier(loss_name, W_start):
    """Gradient descent (η = 0.5) on one sigmoid neuron.

    Returns, after each step, the mean probability given to the true class and the accuracy.
    """
    cross_entropy = loss_name == "cross-entropy"
    model = nn.Sequential(nn.Linear(2, 1, rng=SEED), *([] if cross_entropy else [nn.Sigmoid()]))
    model[0].params["W"][...] = W_start

    def p_true_and_accuracy(model):
        proba = model.forward(X_blobs)[:, 0]
        proba = nn.sigmoid(proba) if cross_entropy else proba  # that model outputs logits
        return {"p_true": np.mean(np.where(y_blobs == 1, proba, 1 - proba)),
                "accuracy": np.mean((proba > 0.5) == (y_blobs == 1))}

    loss = nn.BCEWithLogitsLoss() if cross_entropy else nn.MSELoss()
    history = nn.fit(model, loss, X_blobs, Y_blobs, lr=0.5, epochs=n_steps_cls, record=p_true_and_accuracy)
    return history["p_true"][1:], history["accuracy"][1:]  # entry 0 is before the first step


runs = {(start, loss_name): train_classifier(loss_name, W)
        for start, W in starts.items() for loss_name in ["squared error", "cross-entropy"]}

fig, axes = plt.subplots(1, 2, figsize=(14, 4.8), sharey=True)
for ax, start in zip(axes, starts):
    for loss_name, colour in [("squared error", PALETTE[0]), ("cross-entropy", PALETTE[3])]:
        ax.plot(np.arange(1, n_steps_cls + 1), runs[start, loss_name][0], color=colour, label=loss_name)
    ax.set(xlabel="gradient-descent step", title=f"Start: {start} weights")
axes[0].set_ylabel("mean probability of the true class")
axes[0].legend()
plt.show()
for (start, loss_name), (p_true, accuracy) in runs.items():
    print(f"{start:>17} start, {loss_name:>13}: P(true class) {p_true[-1]:.2f}, accuracy {accuracy[-1]:.0%} "
          f"after {n_steps_cls} steps")

# %% [markdown]
# From small weights both losses learn the (almost separable) blobs, cross-entropy a little
# faster. From the confidently wrong start, cross-entropy recovers within about 50 steps, while
# squared error hardly moves: every point sits where its gradient has vanished (section 4). This is why
# classification networks end with a sigmoid or a softmax *and* a cross-entropy loss.

# %% tags=["check"]
final_accuracy = {key: accuracy[-1] for key, (_, accuracy) in runs.items()}
expect(final_accuracy["small random", "squared error"], ">", 0.95, what="accuracy from small weights, squared error")
expect(final_accuracy["small random", "cross-entropy"], ">", 0.95, what="accuracy from small weights, cross-entropy")
expect(final_accuracy["confidently wrong", "cross-entropy"], ">", 0.98, what="accuracy from the wrong start, cross-entropy")
expect(final_accuracy["confidently wrong", "squared error"], "<", 0.1,
       what="accuracy from the wrong start, squared error")                # stuck on the wrong side
expect(runs["confidently wrong", "squared error"][0][-1], "<", 0.05,
       what="P(true class) from the wrong start, squared error")           # still confidently wrong
p_start = nn.sigmoid(X_blobs @ starts["confidently wrong"])[:, 0]
expect(np.mean(np.where(y_blobs == 1, p_start, 1 - p_start) < 0.01), ">", 0.5,
       what="share of points below 0.01 at the wrong start")               # "most points below 0.01"

# %% [markdown]
# ## Summary
#
# - The loss scores one prediction; the cost $J$ is the mean loss over the data, and training
#   minimises it. `dlmi.nn`'s losses, like PyTorch's, return the mean.
# - Regression: least squares, $J = \frac{1}{n}\sum_i (y^{(i)} - f(x^{(i)}))^2$: the maximum-likelihood choice
#   under Gaussian noise; its best constant is the mean.
# - Classification: cross-entropy, $-\frac{1}{n}\sum_i [y \log f + (1 - y)\log(1 - f)]$, computed from logits
#   for stability; for $C$ classes, softmax then $-\log p_{\text{label}}$, with gradient $\mathbf{p} - \mathbf{y}$.
# - After a sigmoid, the squared error's gradient vanishes on confidently wrong predictions;
#   the cross-entropy's gradient, $\sigma(z) - y$, does not, so training recovers.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — A softmax that does not overflow
#
# Write `softmax(z)` for logits `z` of shape (n, C) that returns the probabilities, row by row.
# It must work for logits like 1000 (subtract each row's maximum first).

# %% tags=["solution"]
def softmax(z):
    """Row-wise softmax of z (n, C); subtracting the row maximum leaves it unchanged and avoids overflow."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# %% tags=["check"]
assert dlmi.checks.check_softmax(softmax)

# %% [markdown]
# ### Exercise 2 — Multi-class cross-entropy
#
# Write `cross_entropy(logits, labels)` that returns the mean over rows of $-\log p_{\text{label}}$,
# for `logits` (n, C) and integer `labels` (n,). Compute $\log p$ as
# $z - \max(z) - \log\sum e^{z - \max(z)}$ so that large logits stay finite.

# %% tags=["solution"]
def cross_entropy(logits, labels):
    """Mean of −log softmax(logits)[label] over the rows."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels].mean()


# %% tags=["check"]
assert dlmi.checks.check_cross_entropy(cross_entropy)

# %% [markdown]
# ### Exercise 3 — The vanishing gradient, by the chain rule
#
# Write `squared_error_logit_gradient(z, y)` that returns $\frac{\partial}{\partial z}(\sigma(z) - y)^2$
# elementwise. Then compare it at $z = -8$, $y = 1$ with the cross-entropy's gradient
# $\sigma(z) - y$: store in `ratio` how many times smaller it is, the cross-entropy's gradient
# divided by the squared error's.

# %% tags=["solution"]
def squared_error_logit_gradient(z, y):
    """∂/∂z (σ(z) − y)² = 2(σ(z) − y) · σ(z)(1 − σ(z))."""
    s = 1 / (1 + np.exp(-z))
    return 2 * (s - y) * s * (1 - s)


ratio = (nn.sigmoid(-8.0) - 1) / squared_error_logit_gradient(-8.0, 1.0)
print(f"at z = −8 the cross-entropy gradient is {ratio:.0f} times larger")

# %% tags=["check"]
assert dlmi.checks.check_squared_error_logit_gradient(squared_error_logit_gradient)
assert dlmi.checks.check_vanishing_gradient_ratio(ratio)
