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
# # 06 · Optimisation
#
# Section 2.6 of Part 2, *Training*: we know how to compute the gradient of the cost of a
# network (backpropagation); this notebook is about what to do with it. Why plain gradient
# descent struggles, how momentum and adaptive learning rates help, why we train on
# mini-batches, and why the initial weights matter.

# %% [markdown]
# ## Learning objectives
#
# - See the three difficulties of a loss surface — a narrow valley, a curved flat valley,
#   several local minima — and how the learning rate $\eta$ decides between crawling and diverging.
# - Read the update rules of momentum, Adagrad, Adadelta, RMSprop and Adam as equations and as
#   the few lines of `dlmi.optim` that implement them (identical to `torch.optim`).
# - Compare batch gradient descent, stochastic gradient descent with one sample and mini-batches
#   of $B$ samples: the noise of the gradient (its variance falls as $1/B$), the cost of an
#   epoch, and the loss against epochs and against seconds.
# - Explain what too small and too large an initialisation $\mathcal{N}(0, \sigma^2)$ does to the
#   activations and the gradients of a deep network.
#
# ## Prerequisites
#
# Gradient descent on a cost (notebook 02); multi-layer perceptrons and backpropagation with
# `dlmi.nn` (notebook 04): `forward`, `backward`, `parameters()`, `gradients()`; the binary
# cross-entropy loss (notebook 05).

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
from IPython.display import Markdown, display

from dlmi import nn, optim
from dlmi.checks import expect
from dlmi.data import make_moons
from dlmi.surfaces import get_surface, optimize_on_surface
from dlmi.widgets.optimizers import COLOURS, contour_levels, optimizer_race_widget

# %% [markdown]
# ## 1. Gradient descent on three loss surfaces
#
# Training a network means finding $\hat{\mathbf{W}} = \arg\min_{\mathbf{W}} J(\mathbf{W})$, with
# the algorithm of the slides:
#
# 1. initialise the weights randomly, $\sim \mathcal{N}(0, \sigma^2)$;
# 2. loop until convergence: compute the gradient $\frac{\partial J(\mathbf{W})}{\partial \mathbf{W}}$
#    and update the weights, $\mathbf{W} \leftarrow \mathbf{W} - \eta\, \frac{\partial J(\mathbf{W})}{\partial \mathbf{W}}$;
# 3. return the weights.
#
# A network has millions of weights, but the difficulties already show with two. `dlmi.surfaces`
# holds three costs $J(\theta_1, \theta_2)$, each a caricature of what a real loss surface does:
#
# - an **ill-conditioned quadratic**, a long narrow valley: its curvature is 50 times larger
#   across ($\theta_2$) than along ($\theta_1$);
# - **Rosenbrock's function**, a curved valley with an almost flat floor;
# - a bowl with **three wells**: one global minimum and two local ones.
#
# Plain gradient descent (GD) runs 300 steps on each, from the white dot.

# %%
surfaces = [get_surface(name) for name in ("quadratic", "rosenbrock", "local minima")]
gd_lr = {"quadratic": 0.035, "rosenbrock": 1e-3, "local minima": 0.1}
gd_runs = {s.name: optimize_on_surface("gd", s, steps=300, lr=gd_lr[s.name]) for s in surfaces}

fig, axes = plt.subplots(1, 3, figsize=(18, 5.5))
for ax, s in zip(axes, surfaces):
    X, Y, Z = s.grid(160)
    ax.contour(X, Y, Z, levels=contour_levels(s, Z), cmap="viridis", linewidths=0.9)
    run = gd_runs[s.name]
    ax.plot(*run.points.T, "-o", ms=2.5, lw=1.3, color=COLOURS["gd"], label=f"GD, η = {gd_lr[s.name]:g}")
    ax.plot(*s.start, "o", ms=9, color="black", mfc="white")
    ax.plot(*s.minimum, "*", ms=16, color="black", label="global minimum")
    ax.set(xlabel="θ₁", ylabel="θ₂", title=f"{s.name}: J − min J = {run.values[-1] - s.min_value:.2g}")
    ax.legend(loc="lower right", fontsize=11)
plt.show()

# %% [markdown]
# Three different failures. In the narrow valley GD zig-zags across it and then crawls along it;
# on Rosenbrock it drops into the valley quickly and then hardly moves along its flat floor;
# among the wells it settles in the nearest one, which is not the deepest.

# %% tags=["check"]
quad, rosen, wells = surfaces
expect(gd_runs["quadratic"].values[-1], "<", 1e-4, what="GD's final J on the quadratic")             # the quadratic is solved, slowly
expect(gd_runs["rosenbrock"].values[-1], ">", 1.0, what="GD's final J on Rosenbrock")               # still far from (1, 1) after 300 steps
expect(gd_runs["local minima"].values[-1] - wells.min_value, ">", 1.0, what="GD's final J − min J among the wells")  # stuck in a local minimum

# %% [markdown]
# ## 2. The learning rate
#
# $$\mathbf{W} \leftarrow \mathbf{W} - \eta\, \frac{\partial J(\mathbf{W})}{\partial \mathbf{W}}$$
#
# How can we set $\eta$? If it is too small, training is slow (and may stop in a local minimum);
# if it is too large, it may diverge. The quadratic $J = \frac{1}{2}(\theta_1^2 + \kappa\,\theta_2^2)$
# makes this exact: one step multiplies $\theta_1$ by $1 - \eta$ and $\theta_2$ by $1 - \eta\kappa$.
# With $\kappa = 50$ the second factor leaves $[-1, 1]$ as soon as $\eta > 2/\kappa = 0.04$: the
# zig-zag across the valley grows instead of shrinking. And since the slow direction shrinks by
# $1 - \eta$ per step, the best GD can do is limited by the steepest direction.

# %%
learning_rates = {"too small": 0.005, "good": 0.035, "oscillates": 0.039, "too large": 0.041}
lr_runs = {name: optimize_on_surface("gd", quad, steps=300, lr=lr) for name, lr in learning_rates.items()}

fig, ax = plt.subplots(figsize=(9, 5))
for name, run in lr_runs.items():
    ax.semilogy(run.values - quad.min_value, label=f"η = {learning_rates[name]} ({name})")
ax.set(xlabel="step", ylabel="J(θ) − min J", title="Gradient descent on the quadratic (κ = 50)")
ax.legend()
plt.show()
for name, run in lr_runs.items():
    print(f"η = {learning_rates[name]:<6} {run.status}; J ≤ 1e-3 after {run.steps_to(1e-3)} steps")

# %% [markdown]
# A diverging run says so in words: `optimize_on_surface` stops as soon as $\theta$ leaves a
# large box instead of carrying NaNs along.

# %% tags=["check"]
assert lr_runs["too large"].diverged and "too large" in lr_runs["too large"].status
assert not lr_runs["good"].diverged and not lr_runs["oscillates"].diverged
expect(lr_runs["good"].values[-1], "<", 1e-4, what="J after 300 steps with η = 0.035")
expect(lr_runs["too small"].values[-1], ">", 0.1, what="J after 300 steps with η = 0.005")   # 300 steps: done vs far
assert 2 / 50 < learning_rates["too large"] and learning_rates["oscillates"] < 2 / 50

# %% [markdown]
# ## 3. Momentum
#
# Learning rates need not be fixed: they can be made larger or smaller depending on how large
# the gradient is, how fast learning is happening, and so on. The first idea (Qian, 1999) is
# a ball rolling downhill: keep a velocity $b$ that accumulates the gradients,
#
# $$b_t = \mu\, b_{t-1} + g_t, \qquad \theta_t = \theta_{t-1} - \eta\, b_t .$$
#
# Across the valley the gradients alternate in sign and cancel in $b$; along it they agree and
# add up, up to $1/(1-\mu)$ times a single gradient. Here is the rule of `torch.optim.SGD`
# (in the course's symbols: $\eta$ is the learning rate, which torch's documentation calls $\gamma$), and the code of `dlmi.optim.SGD.step` that follows it line by line:

# %%
display(Markdown(optim.update_rule(optim.SGD)))

# %%
heavy = optimize_on_surface("momentum", quad, steps=200, lr=0.035, momentum=0.7)
plain = optimize_on_surface("gd", quad, steps=200, lr=0.035)
X, Y, Z = quad.grid(160)
fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(16, 5), gridspec_kw={"width_ratios": (1.4, 1)})
ax.contour(X, Y, Z, levels=contour_levels(quad, Z), cmap="viridis", linewidths=0.9)
for name, run in {"gd": plain, "momentum": heavy}.items():
    ax.plot(*run.points.T, "-o", ms=2.5, lw=1.3, color=COLOURS[name], label=optim.OPTIMIZERS[name].label)
    ax_loss.semilogy(run.values - quad.min_value, color=COLOURS[name], label=optim.OPTIMIZERS[name].label)
ax.set(xlabel="θ₁", ylabel="θ₂", title="Same η = 0.035; momentum μ = 0.7")
ax.legend()
ax_loss.set(xlabel="step", ylabel="J(θ) − min J", title="Distance to the minimum")
ax_loss.legend()
plt.show()
print(f"J ≤ 1e-3 after {plain.steps_to(1e-3)} steps without momentum, {heavy.steps_to(1e-3)} with")

# %% tags=["check"]
expect(heavy.steps_to(1e-3) / plain.steps_to(1e-3), "<", 1 / 3,
       what="steps to J ≤ 1e-3, momentum over plain GD")   # momentum: several times fewer steps

# %% [markdown]
# ## 4. Adaptive learning rates
#
# The four other methods of the slides give **each weight its own step size**, from the history
# of its own gradients. They differ in which history. (We take them in a different order from
# the slides' list, so that each builds on the previous one.)
#
# **Adagrad** (Duchi et al., 2011) divides by the root of the *sum* of all past squared
# gradients. Steep directions get small steps, flat ones large steps — but the sum only grows,
# so every step eventually shrinks towards zero.

# %%
display(Markdown(optim.update_rule(optim.Adagrad)))

# %% [markdown]
# **RMSprop** (Hinton, 2012) replaces the sum by an exponential moving *average*, which forgets
# old gradients: the step size no longer dies out.

# %%
display(Markdown(optim.update_rule(optim.RMSprop)))

# %% [markdown]
# **Adadelta** (Zeiler, 2012) also averages squared gradients, and multiplies by a running RMS
# of its own past *updates*, so that the step has the units of $\theta$ and there is no learning
# rate to choose (torch keeps `lr` as a scale, 1 by default).

# %%
display(Markdown(optim.update_rule(optim.Adadelta)))

# %% [markdown]
# **Adam** (Kingma & Ba, 2014) combines momentum (an average $m$ of the gradients) with
# RMSprop's scaling (an average $v$ of their squares). Both averages start at 0, so $m$ is
# divided by $1 - \beta_1^t$ and $v$ by $1 - \beta_2^t$ to remove that bias in the first steps.

# %%
display(Markdown(optim.update_rule(optim.Adam)))

# %% [markdown]
# The first step shows the "own step size per weight": from the same gradient $(-4.5, 75)$ at
# the start of the quadratic, GD moves $\theta_2$ 17 times more than $\theta_1$, while Adam and
# Adagrad move both by about $\eta$, whatever the size of the gradient.

# %%
first_steps = {}
for name, make in {"GD": lambda p: optim.SGD(p, lr=0.01), "Adagrad": lambda p: optim.Adagrad(p, lr=0.1),
                   "Adam": lambda p: optim.Adam(p, lr=0.1)}.items():
    theta = np.array(quad.start)
    make([theta]).step([np.array(quad.gradient(*theta))])
    first_steps[name] = theta - np.array(quad.start)
pd.DataFrame(first_steps, index=["Δθ₁", "Δθ₂"]).T.round(4)

# %% tags=["check"]
np.testing.assert_allclose(np.abs(first_steps["Adam"]), [0.1, 0.1], rtol=1e-6)
np.testing.assert_allclose(np.abs(first_steps["Adagrad"]), [0.1, 0.1], rtol=1e-6)
expect(abs(first_steps["GD"][1] / first_steps["GD"][0]), ">", 15, what="GD's first step, θ₂ over θ₁")

# %% [markdown]
# ## 5. The race
#
# All six methods from the same start, in the spirit of Distill's
# [*Why momentum really works*](https://distill.pub/2017/momentum/). Two learning-rate sliders,
# because the two families use $\eta$ differently: GD and momentum move by $\eta$ times the
# gradient, while Adagrad, RMSprop and Adam move each weight by about $\eta$. Pick a preset
# named after what it shows, or move the sliders: the trajectories are recomputed at every move
# (a few hundred steps of `dlmi.optim` per method).

# %% tags=["widget"]
optimizer_race_widget("all six on the quadratic");

# %% [markdown]
# Things to try: "Adagrad stalls" (its step sizes only shrink), "momentum overshoots"
# (too much momentum swings past the minimum), "GD crawls along the banana valley" (Rosenbrock),
# "momentum escapes a local minimum" (the three wells). The checks below replay two of them.

# %%
race_rosen = {name: optimize_on_surface(name, rosen, steps=300, **hyper)
              for name, hyper in {"gd": {"lr": 1e-3}, "adam": {"lr": 0.2}}.items()}
adam_end = race_rosen["adam"].final
print("GD:", race_rosen["gd"].status, "at", race_rosen["gd"].final.round(3))
print("Adam:", race_rosen["adam"].status, "at", adam_end.round(3),
      f"— distance to the valley floor |θ₂ − θ₁²| = {abs(adam_end[1] - adam_end[0] ** 2):.4f}")

# %% tags=["check"]
expect(abs(adam_end[1] - adam_end[0] ** 2), "<", 0.05, what="Adam's distance to the Rosenbrock valley floor")
expect(adam_end[0], ">", 0.5, what="Adam's final θ₁ on Rosenbrock")             # Adam is in the valley, near (1, 1)
expect(race_rosen["adam"].values[-1] / race_rosen["gd"].values[-1], "<", 1 / 20, what="final J on Rosenbrock, Adam over GD")
escape = optimize_on_surface("momentum", wells, steps=200, lr=0.1, momentum=0.9)
expect(escape.values[-1] - wells.min_value, "<", 1e-3, what="momentum's final J − min J among the wells")  # momentum reaches the deep well

# %% [markdown]
# ## 6. Batch, stochastic and mini-batch gradient descent
#
# The gradient of the cost is an average over the whole training set,
# $\frac{\partial J}{\partial \mathbf{W}} = \frac{1}{N}\sum_{i=1}^N \frac{\partial J_i}{\partial \mathbf{W}}$:
# one step of (batch) gradient descent costs a pass over all $N$ samples. The slides' two
# alternatives estimate it from a few samples instead:
#
# - **stochastic gradient descent** with one sample $i$: easy to compute but very noisy;
# - **mini-batches** of $B$ samples, $\frac{1}{B}\sum_{k=1}^B \frac{\partial J_k}{\partial \mathbf{W}}$:
#   fast to compute and a much better estimate of the true gradient.
#
# A problem of realistic size: a few thousand points of the two-moons data set, and a small
# MLP from `dlmi.nn`.

# %%
n_samples = dlmi.pick(full=4000, fast=2000)
X_moons, y_moons = make_moons(n_samples, noise=0.2, rng=SEED)
y_moons = y_moons[:, None].astype(float)       # (N, 1), as the loss expects
loss_fn = nn.BCEWithLogitsLoss()


def make_mlp(rng=SEED):
    """2 → 32 → 32 → 1, ReLU, Xavier initialisation."""
    return nn.mlp([2, 32, 32, 1], "relu", init="xavier", rng=rng)


def gradient_vector(model, X, y):
    """∂J/∂W for every weight of the model, flattened into one vector."""
    loss_fn.forward(model.forward(X), y)
    model.backward(loss_fn.backward())
    return np.concatenate([g.ravel() for g in model.gradients()])

# %% [markdown]
# **The noise of the estimate.** At fixed weights, draw many mini-batches of size $B$ and measure
# how far their gradient falls from the full one: $\mathbb{E}\,\|g_B - g\|^2$. For $B$ independent
# samples it is $\sigma^2 / B$, where $\sigma^2$ is the variance of a one-sample gradient; drawing
# without replacement from $N$ samples multiplies it by $(N - B)/(N - 1)$.

# %%
model = make_mlp()
full_gradient = gradient_vector(model, X_moons, y_moons)
rng = np.random.default_rng(SEED)
batch_sizes = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
n_draws = dlmi.pick(full=500, fast=400)  # enough for each mean to be within a few % of its expectation
variance = np.array([
    np.mean([np.sum((gradient_vector(model, X_moons[idx], y_moons[idx]) - full_gradient) ** 2)
             for idx in (rng.choice(n_samples, size=B, replace=False) for _ in range(n_draws))])
    for B in batch_sizes
])
predicted = variance[0] / batch_sizes * (n_samples - batch_sizes) / (n_samples - 1)

fig, ax = plt.subplots(figsize=(8, 5))
ax.loglog(batch_sizes, variance, "o", ms=9, label=f"measured ({n_draws} mini-batches each)")
ax.loglog(batch_sizes, predicted, "--", color="black", label="σ²/B · (N − B)/(N − 1)")
ax.set(xlabel="batch size B", ylabel="E‖g_B − g‖²", title="Noise of the mini-batch gradient")
ax.legend()
plt.show()
slope = np.polyfit(np.log(batch_sizes), np.log(variance), 1)[0]
print(f"slope on the log-log plot: {slope:.2f} (1/B would give −1)")

# %% tags=["check"]
expect(slope, ">", -1.15, what="log-log slope of the gradient noise against B")
expect(slope, "<", -0.85, what="log-log slope of the gradient noise against B")
expect(np.abs(variance / predicted - 1).max(), "<", 0.3, what="largest relative gap, measured vs predicted noise")

# %% [markdown]
# **Loss against epochs and against time.** The training loop itself is `nn.fit`: each epoch
# shuffles the samples and walks through them $B$ at a time (`batch_size=B`); after every tenth of
# an epoch (`evals_per_epoch=10`) it stops the clock and measures the cost on the whole training
# set. All three use the same learning rate. The
# seconds per epoch of the table are the median over those tenths of an epoch, so that a moment
# when the computer was busy with something else does not count.

# %%
schedules = {"SGD, B = 1": (1, dlmi.pick(full=2, fast=1)), "mini-batch, B = 32": (32, dlmi.pick(full=10, fast=3)),
             "batch GD, B = N": (n_samples, dlmi.pick(full=100, fast=30))}
curves = {name: nn.fit(make_mlp(), loss_fn, X_moons, y_moons, lr=0.1, epochs=epochs, batch_size=B, rng=SEED,
                       evals_per_epoch=10)
          for name, (B, epochs) in schedules.items()}

fig, (ax_epoch, ax_time) = plt.subplots(1, 2, figsize=(15, 5), sharey=True)
for name, run in curves.items():
    ax_epoch.plot(run.epoch, run.train_loss, label=name)
    ax_time.plot(np.cumsum(run.seconds), run.train_loss, label=name)  # seconds: training time of each tenth
ax_epoch.set(xscale="log", xlim=(0.1, None), xlabel="epochs (passes over the data)", ylabel="training cost J",
             title="Cost against epochs")
ax_time.set(xlabel="training time (s)", title="Cost against wall-clock time")
ax_epoch.legend()
plt.show()

# %%
cost_table = pd.DataFrame({
    name: {"B": B, "updates per epoch": int(np.ceil(n_samples / B)),
           # the median over the tenths of an epoch: a moment when the computer is busy elsewhere does not count
           "seconds per epoch": np.median(curves[name].seconds[1:] / np.diff(curves[name].epoch)),
           "cost after 1 epoch": np.interp(1.0, curves[name].epoch, curves[name].train_loss)}
    for name, (B, epochs) in schedules.items()
}).T
cost_table

# %% [markdown]
# Per epoch, the more updates the better: one pass of SGD with $B = 1$ makes $N$ small noisy
# steps where batch GD makes a single exact one. Per second, mini-batches win over $B = 1$: a
# batch of 32 costs barely more than one sample (the arithmetic is vectorised), so an epoch is far
# cheaper, and each step is far less noisy.

# %% tags=["check"]
after_one = cost_table["cost after 1 epoch"]
expect(after_one["SGD, B = 1"] / after_one["mini-batch, B = 32"], "<", 1, what="cost after 1 epoch, B = 1 over B = 32")
expect(after_one["mini-batch, B = 32"] / after_one["batch GD, B = N"], "<", 1, what="cost after 1 epoch, B = 32 over B = N")
seconds = cost_table["seconds per epoch"]
expect(seconds["SGD, B = 1"] / seconds["mini-batch, B = 32"], ">", 3,
       what="seconds per epoch, B = 1 over B = 32")   # vectorisation: 32 samples ≈ the price of 1

# %% [markdown]
# ## 7. Initialisation
#
# Step 1 of the algorithm draws the weights from $\mathcal{N}(0, \sigma^2)$. The choice of
# $\sigma$ matters more with depth: each layer multiplies the scale of its input by about
# $\sigma\sqrt{d_\text{in}}$ (times a constant of the activation). Take an MLP of six hidden
# layers of 64 units and three values of $\sigma$:
#
# - $\sigma = 0.01$: about $0.01 \times 8$ per layer, the activations **vanish** layer after
#   layer, and so do the gradients, which are products of the same factors;
# - $\sigma = 1$: about $8$ per layer, with ReLU the activations **explode**; with tanh they
#   cannot, but the units **saturate** at $\pm 1$, where the derivative of tanh is 0;
# - $\sigma^2 = 2/d_\text{in}$ (He et al.'s initialisation for ReLU, $\sigma = 0.18$ here) keeps
#   the scale constant from layer to layer.

# %%
def deep_mlp(sigma, activation="relu", depth=6, width=64, rng=SEED):
    """`depth` hidden layers of `width` units, weights from N(0, sigma²), then one output."""
    return nn.mlp([2, *[width] * depth, 1], activation, init="normal", sigma=sigma, rng=rng)


def layer_statistics(model):
    """Std and saturated fraction (|a| > 0.99) of each hidden activation, and ‖∂J/∂W‖ of each layer."""
    a, spread, saturated = X_moons, [], []
    for layer in model.layers[:-1]:
        a = layer.forward(a)
        if not isinstance(layer, nn.Linear):
            spread.append(a.std())
            saturated.append(np.mean(np.abs(a) > 0.99))
    loss_fn.forward(model.layers[-1].forward(a), y_moons)
    model.backward(loss_fn.backward())
    grads = [np.linalg.norm(layer.grads["W"]) for layer in model.layers if isinstance(layer, nn.Linear)]
    return {"std": np.array(spread), "saturated": np.array(saturated), "grad": np.array(grads)}


sigmas = {"too small, σ = 0.01": 0.01, "He, σ = √(2/64)": np.sqrt(2 / 64), "too large, σ = 1": 1.0}
relu_stats = {name: layer_statistics(deep_mlp(sigma)) for name, sigma in sigmas.items()}
tanh_stats = {name: layer_statistics(deep_mlp(sigma, "tanh")) for name, sigma in sigmas.items()}

hidden = np.arange(1, 7)
fig, axes = plt.subplots(1, 3, figsize=(18, 4.8))
for name in sigmas:
    axes[0].semilogy(hidden, relu_stats[name]["std"], "o-", label=name)
    axes[1].semilogy(np.arange(1, 8), relu_stats[name]["grad"], "o-", label=name)
    axes[2].plot(hidden, 100 * tanh_stats[name]["saturated"], "o-", label=name)
axes[0].set(xlabel="hidden layer", ylabel="std of the activations", title="ReLU: activations")
axes[1].set(xlabel="layer", ylabel="‖∂J/∂W‖", title="ReLU: gradient of each layer's weights")
axes[2].set(xlabel="hidden layer", ylabel="saturated units, |a| > 0.99 (%)", title="tanh: saturation")
axes[0].legend(fontsize=11)
plt.show()

# %% [markdown]
# And what it does to training: the same epochs of mini-batch SGD ($B = 64$, $\eta = 0.02$) on
# the ReLU network from each initialisation. An exploding network produces infinite outputs;
# `nn.fit` stops there and says so in the history's `status`, which we report.

# %%
init_epochs = 10
init_runs = {name: nn.fit(deep_mlp(sigma), loss_fn, X_moons, y_moons, lr=0.02, epochs=init_epochs, batch_size=64,
                          rng=SEED + 1)
             for name, sigma in sigmas.items()}
init_curves = {name: run.train_loss[1:] for name, run in init_runs.items()}  # the cost after each epoch
init_status = {name: run.status for name, run in init_runs.items()}
for name, status in init_status.items():
    print(f"{name}: {status}")

fig, ax = plt.subplots(figsize=(9, 5))
for name, costs in init_curves.items():
    ax.plot(np.arange(1, len(costs) + 1), costs, "o-", label=name)
ax.axhline(np.log(2), color="grey", ls=":", label="log 2: predicting ½ everywhere")
ax.set(xlabel="epoch", ylabel="training cost J", title="Training the ReLU network from three initialisations")
ax.legend()
plt.show()

# %% tags=["check"]
small, he, large = (relu_stats[name] for name in sigmas)
expect(small["std"][-1], "<", 1e-5, what="std of the last ReLU activations, σ = 0.01")
expect(small["grad"].max(), "<", 1e-5, what="largest ReLU weight gradient, σ = 0.01")   # activations and gradients vanish
expect(large["std"][-1] / large["std"][0], ">", 1e3, what="last over first activation std, ReLU, σ = 1")  # explode
expect(he["std"][-1] / he["std"][0], ">", 0.3, what="last over first activation std, ReLU, He")
expect(he["std"][-1] / he["std"][0], "<", 3, what="last over first activation std, ReLU, He")           # stay put
expect(tanh_stats["too large, σ = 1"]["saturated"][-1], ">", 0.5, what="saturated tanh units in the last layer, σ = 1")
expect(tanh_stats["He, σ = √(2/64)"]["saturated"].max(), "<", 0.05, what="most saturated tanh layer's share, He")
expect(abs(init_curves["too small, σ = 0.01"][-1] - np.log(2)), "<", 0.01,
       what="final cost minus log 2, σ = 0.01")                           # nothing learnt
assert init_status["too large, σ = 1"].startswith("diverged")
expect(init_curves["He, σ = √(2/64)"][-1], "<", 0.4, what="final training cost, He")  # learnt: well below log 2

# %% [markdown]
# ## Summary
#
# - The learning rate trades speed against stability: on a quadratic whose curvatures lie between
#   $\lambda_\text{min}$ and $\lambda_\text{max}$ (1 and κ in section 2), GD diverges as soon as
#   $\eta > 2/\lambda_\text{max}$; below that limit the flattest direction shrinks only by
#   $1 - \eta\lambda_\text{min}$ per step. A badly conditioned problem is slow for GD at any $\eta$.
# - Momentum accumulates gradients that agree and cancels those that alternate: several times
#   fewer steps on a narrow valley, and enough speed to roll out of a shallow local minimum.
# - Adagrad, RMSprop, Adadelta and Adam give each weight its own step size from its gradients'
#   history; Adagrad's only shrinks, RMSprop and Adam forget, Adam adds momentum.
#   `dlmi.optim` implements each in a few lines, identical to `torch.optim` step for step.
# - A mini-batch gradient is an unbiased estimate whose variance falls as $1/B$. SGD with one
#   sample makes the most progress per epoch; mini-batches make the most per second.
# - Initialise with $\sigma$ adapted to the layer widths (He for ReLU, Xavier for tanh): too small
#   and the signal and the gradients vanish; too large and ReLU activations explode, tanh units saturate.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — A momentum step
#
# Write `momentum_step(theta, g, b, lr, momentum)` that returns the new `(theta, b)` after one
# step of SGD with momentum: $b \leftarrow \mu\, b + g$, then $\theta \leftarrow \theta - \eta\, b$.
# The velocity `b` starts at zero. The check runs it for six steps and compares with
# `dlmi.optim.SGD`.

# %% tags=["solution"]
def momentum_step(theta, g, b, lr, momentum):
    """One step of SGD with momentum; returns (theta, b)."""
    # update the velocity first, then move along it
    b = momentum * b + g
    theta = theta - lr * b
    return theta, b


# %% tags=["check"]
assert dlmi.checks.check_momentum_step(momentum_step)

# %% [markdown]
# ### Exercise 2 — An RMSprop step
#
# Write `rmsprop_step(theta, g, v, lr, alpha, eps)` that returns `(theta, v)` after one step of
# RMSprop: $v \leftarrow \alpha v + (1 - \alpha) g^2$, then $\theta \leftarrow \theta - \eta\, g / (\sqrt{v} + \epsilon)$,
# element by element. Which line would you change to get Adagrad?

# %% tags=["solution"]
def rmsprop_step(theta, g, v, lr, alpha, eps):
    """One step of RMSprop; returns (theta, v)."""
    # a moving average of the squared gradients, then a step divided by its root
    v = alpha * v + (1 - alpha) * g**2  # Adagrad: v = v + g**2, a sum that only grows
    theta = theta - lr * g / (np.sqrt(v) + eps)
    return theta, v


# %% tags=["check"]
assert dlmi.checks.check_rmsprop_step(rmsprop_step)

# %% [markdown]
# ### Exercise 3 — An Adam step, and Rosenbrock
#
# Write `adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)` that returns `(theta, m, v)` after
# step number `t` (1 at the first step) of Adam, bias corrections included. Then use it for 300
# steps on Rosenbrock's function from `rosen.start` with `lr=0.2`: you should end in the valley,
# where `optimize_on_surface("adam", ...)` ended in section 5.

# %% tags=["solution"]
def adam_step(theta, g, m, v, t, lr, beta1, beta2, eps):
    """One step of Adam (step number t from 1); returns (theta, m, v)."""
    # moving averages of g and g², corrected for their start at 0, then the step
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


# %% tags=["check"]
assert dlmi.checks.check_adam_step(adam_step)
theta, m, v = np.array(rosen.start), np.zeros(2), np.zeros(2)
for t in range(1, 301):
    theta, m, v = adam_step(theta, np.array(rosen.gradient(*theta)), m, v, t, 0.2, 0.9, 0.999, 1e-8)
np.testing.assert_allclose(theta, adam_end, rtol=1e-6)
