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
# # 07 · Overfitting and regularisation
#
# The end of section 2.6 of Part 2: a network that fits its training data perfectly can still
# predict new data badly. This notebook makes overfitting visible and compares three ways to
# fight it — dropout, early stopping and weight decay — on the same small problem.

# %% [markdown]
# ## Learning objectives
#
# - Recognise overfitting from the training and validation errors, for a polynomial whose degree
#   grows and for a network with far more weights than samples.
# - Explain what dropout does in training and in evaluation, and why the kept activations are
#   divided by $1 - p$ (inverted dropout, as in `torch.nn.Dropout`).
# - Use early stopping: read the epoch to stop at from the validation curve, and let
#   `dlmi.train.EarlyStopping` pick it.
# - Add weight decay (an L2 penalty on the weights) and compare the three regularisers.
#
# ## Prerequisites
#
# Notebook 06 (training with `dlmi.optim`, the learning rate, epochs); multi-layer perceptrons
# with `dlmi.nn` (notebook 04) and the mean squared error (notebook 05). A little `torch.nn`:
# `Sequential`, `Linear`, `Tanh`.

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
import torch

from dlmi import nn, optim
from dlmi.checks import expect
from dlmi.data.toy import noisy_sine, sine
from dlmi.linear import fit_polynomial, polynomial_design, polynomial_errors, predict_polynomial
from dlmi.regularisation import record_training, repeat_training
from dlmi.train import EarlyStopping, fit, predict, tensor_loader
from dlmi.widgets.overfitting import early_stopping_widget, polynomial_widget

# %% [markdown]
# ## 1. The problem of overfitting
#
# A regression problem small enough to see everything: $y = \sin(2\pi x) + \varepsilon$ with
# $x$ in $[0, 1]$ and Gaussian noise $\varepsilon$ of standard deviation 0.25. We get
# 20 training samples, spread over $[0, 1]$: one at a random place in each twentieth of the
# interval, so that no large gap decides the comparison of the models for us. 200 more, with $x$
# uniform, are the validation set that tells us how well a model predicts data it has not seen.
# No model can do better on average than the noise: a mean squared error of $0.25^2 = 0.0625$.

# %%
x_train, y_train = noisy_sine(20, noise=0.25, rng=SEED + 1, stratified=True)
x_val, y_val = noisy_sine(200, noise=0.25, rng=SEED + 2)
print(f"{len(x_train)} training and {len(x_val)} validation samples; noise floor 0.25² = {0.25**2}")

# %% [markdown]
# The first model: a polynomial of degree $d$, fitted by least squares. Its degree is its
# complexity — $d + 1$ coefficients. Move the slider: a straight line misses the curve
# (**underfitting**), a cubic follows it, and a degree-19 polynomial passes through all 20
# training points with wild swings in between (**overfitting**): its training error keeps
# falling while its validation error explodes.

# %% tags=["widget"]
polynomial_widget(x_train, y_train, x_val, y_val, degree=19, max_degree=19);

# %%
errors = polynomial_errors(x_train, y_train, x_val, y_val, degrees=range(20))
pd.DataFrame({"training MSE": errors.train_mse, "validation MSE": errors.val_mse},
             index=pd.Index(errors.degrees, name="degree")).iloc[[0, 1, 3, 5, 9, 14, 19]].round(4)

# %% tags=["check"]
best = errors.best_degree
train_best, val_best = errors.train_mse[best], errors.val_mse[best]
train_19, val_19 = errors.train_mse[19], errors.val_mse[19]
# a cubic-ish curve generalises best: the best of degrees 3 to 5 is within 25 % of the best degree
expect(errors.val_mse[3:6].min() / val_best, "<", 1.25, what="best validation MSE of degrees 3–5 over the best degree's")
assert train_19 < train_best                                                  # degree 19: better on training,
expect(val_19 / val_best, ">", 10, what="validation MSE, degree 19 over the best degree")  # far worse on validation
assert errors.train_mse[19] < 1e-12                  # 20 coefficients through 20 points: zero training error
expect(errors.val_mse[1] / val_best, ">", 2, what="validation MSE, straight line over the best degree")  # a straight line underfits
expect(val_best, "<", 2 * 0.25**2, what="lowest validation MSE of the polynomials")  # the best model is close to the noise floor

# %% [markdown]
# **A network with too many weights.** The same happens with a neural network: an MLP with two
# hidden layers of 32 tanh units has 1,153 weights for 20 training samples (a new draw, with $x$
# uniform this time). Trained long enough (full-batch Adam), it drives its training loss far below
# the noise floor — it learns the noise — and its validation loss, after a minimum, rises again.
# Its first layer starts with steep units whose steps are spread over $[0, 1]$, so that the network
# can bend anywhere from the first epochs. `record_training` trains a `dlmi.nn` model and records,
# after every epoch, the losses on the three sets (a third, independent **test** set of 200
# samples judges the final choices) and the network's curve.

# %%
x_train_net, y_train_net = noisy_sine(20, noise=0.25, rng=SEED + 1)
x_test, y_test = noisy_sine(200, noise=0.25, rng=SEED + 3)


def column(a):
    """(n,) → (n, 1): one sample per row, as dlmi.nn expects."""
    return np.asarray(a, dtype=float)[:, None]


train_set, val_set, test_set = ((column(x), column(y)) for x, y in
                                [(x_train_net, y_train_net), (x_val, y_val), (x_test, y_test)])
grid = column(np.linspace(0, 1, 200))
epochs = dlmi.pick(full=2000, fast=1500)


def mlp(dropout=0.0, width=32, rng=SEED):
    """1 → width → width → 1 with tanh, optionally dropout after each hidden layer.

    The first layer's weights are drawn from N(0, 10²) and its biases put the step of each unit at
    a random place in [0, 1]: steep units all over the data, that can fit even its noise.
    """
    model = nn.mlp([1, width, width, 1], "tanh", init=["normal", "xavier", "xavier"], sigma=10.0, dropout=dropout,
                   rng=rng)
    first = model[0]
    first.params["w0"][...] = -first.params["W"][0] * np.random.default_rng(rng + 20).uniform(0, 1, width)
    return model


def train_and_record(model, weight_decay=0.0):
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99), weight_decay=weight_decay)
    return record_training(model, nn.MSELoss(), opt, train_set, val_set, epochs=epochs, grid=grid, test=test_set)


plain_model = mlp()
plain = train_and_record(plain_model)
print(f"{sum(p.size for p in plain_model.parameters())} weights; {plain.status}")
print(f"training loss {plain.train_loss[-1]:.4f}, validation loss {plain.val_loss[-1]:.4f} "
      f"(lowest {plain.val_loss.min():.4f}, at epoch {plain.best_epoch})")

# %%
fig, ax = plt.subplots(figsize=(9, 5))
ax.semilogy(plain.train_loss, label="training loss")
ax.semilogy(plain.val_loss, label="validation loss")
ax.axhline(0.25**2, color="grey", ls=":", label="noise floor 0.0625")
ax.set(xlabel="epoch", ylabel="mean squared error", title="An MLP with 1,153 weights and 20 samples")
ax.legend()
plt.show()

# %% [markdown]
# One draw of 20 samples is a matter of luck: how far a network overfits, and how much a
# regulariser then helps, changes from one draw to the next. So that our conclusions are about
# the method and not about the luck of one draw, `repeat_training` runs the same experiment on
# more fresh training sets (each with its own validation and test sets and initial weights) and
# we compare averages. It trains all the networks side by side in torch, one batched tensor per
# layer; we also train, on the same sets, the regularised networks of section 2, for the
# comparisons there and in section 3.

# %%
torch.set_num_threads(1)  # networks this small run faster on one thread than on several
n_repeats = dlmi.pick(full=24, fast=16)
levers = {"none": {}, "dropout p = 0.2": {"dropout": 0.2}, "weight decay λ = 1e-3": {"weight_decay": 1e-3}}
repeats = repeat_training(n_repeats, levers, epochs=epochs, rng=SEED, every=10)
none = repeats["none"]
print(f"{n_repeats} more training sets, no regularisation: mean training loss {none.train.mean():.4f}, "
      f"mean validation loss {none.val.mean():.4f} (lowest on the way: {none.val_at_best.mean():.4f} on average)")

# %% tags=["check"]
expect(none.train.mean(), "<", 0.5 * 0.25**2, what="mean final training loss of the MLPs")   # below the noise floor: it fits the noise
expect(none.val.mean() / none.val_at_best.mean(), ">", 2, what="mean final over mean lowest validation loss")  # validation rises after its minimum
expect(plain.best_epoch / epochs, "<", 0.6, what="epoch of lowest validation loss, share of the epochs")

# %% [markdown]
# ## 2. Regularisation
#
# *Regularisation: a technique that constrains our optimisation problem to discourage complex
# models, to improve the generalisation of our model on unseen data.* Three of them follow, each
# applied to the same network and data.
#
# ### Dropout
#
# During training, dropout sets each activation to 0 with probability $p$, a new random choice
# at every forward pass, so that no unit can rely on a few others. The kept activations are
# divided by $1 - p$: then the expected value of each activation is unchanged,
# $\mathbb{E}[\tilde a] = (1 - p)\cdot \frac{a}{1-p} + p \cdot 0 = a$, and in evaluation mode
# dropout does nothing at all. This is *inverted dropout*, what both `dlmi.nn.Dropout` and
# `torch.nn.Dropout` do. On a block of ones, with $p = 0.5$:

# %%
ones = np.ones((6, 16))
ours = nn.Dropout(p=0.5, rng=SEED)
theirs = torch.nn.Dropout(p=0.5)
masks = {"dlmi.nn.Dropout, training": ours.train().forward(ones),
         "torch.nn.Dropout, training": theirs.train()(torch.ones(6, 16)).numpy(),
         "dlmi.nn.Dropout, evaluation": ours.eval().forward(ones),
         "torch.nn.Dropout, evaluation": theirs.eval()(torch.ones(6, 16)).numpy()}

fig, axes = plt.subplots(2, 2, figsize=(14, 4.6), layout="constrained")
for ax, (name, out) in zip(axes.T.flat, masks.items()):
    image = ax.imshow(out, cmap="viridis", vmin=0, vmax=2)
    ax.set(title=f"{name}: values {np.unique(out).round(6).tolist()}", xticks=[], yticks=[])
fig.colorbar(image, ax=axes, label="output of dropout on 1")
plt.show()

# %% [markdown]
# Averaged over many forward passes, both give back the input: the expected value is kept.

# %%
many = np.ones((2000, 500))
mean_ours = ours.train().forward(many).mean()
mean_theirs = theirs.train()(torch.ones(2000, 500)).mean().item()
print(f"mean output: dlmi {mean_ours:.4f}, torch {mean_theirs:.4f} (input 1, p = 0.5)")

# %% tags=["check"]
for name, out in masks.items():
    expected_values = {0.0, 2.0} if "training" in name else {1.0}
    assert set(np.unique(out).round(6)) <= expected_values, name
expect(abs(mean_ours - 1), "<", 0.01, what="mean output of dlmi's dropout minus 1")
expect(abs(mean_theirs - 1), "<", 0.01, what="mean output of torch's dropout minus 1")
zeroed = np.mean(ours.train().forward(many) == 0)
expect(zeroed, ">", 0.45, what="share of activations dropped, p = 0.5")
expect(zeroed, "<", 0.55, what="share of activations dropped, p = 0.5")

# %% [markdown]
# Now the network of section 1 with dropout $p = 0.2$ after each hidden layer. The losses are
# measured in evaluation mode, as they would be for a prediction. The check also compares the
# averages over the repeated training sets.

# %%
dropout = train_and_record(mlp(dropout=0.2))

fig, ax = plt.subplots(figsize=(9, 5))
for name, run in {"no regularisation": plain, "dropout p = 0.2": dropout}.items():
    ax.semilogy(run.val_loss, label=f"{name}: validation")
ax.semilogy(dropout.train_loss, ":", label="dropout p = 0.2: training")
ax.axhline(0.25**2, color="grey", ls=":", label="noise floor")
ax.set(xlabel="epoch", ylabel="mean squared error", title="Dropout against overfitting")
ax.legend()
plt.show()

# %% tags=["check"]
expect(dropout.train_loss[-1] / plain.train_loss[-1], ">", 1, what="final training loss, dropout over none")  # it no longer fits the noise as well
expect(repeats["dropout p = 0.2"].val.mean() / repeats["none"].val.mean(), "<", 0.75,
       what="mean final validation loss, dropout over none")                                   # lower validation loss, on average

# %% [markdown]
# ### Early stopping
#
# The slides show a sequence of frames: training and validation losses against the iterations,
# the training loss falling all the way, the validation loss falling then rising. *Stop training
# before we have a chance to overfit.* Here is that sequence as one figure, from the run of
# section 1 (recorded, nothing is retrained): move through the epochs and watch the network's
# curve, then pick a preset.

# %% tags=["widget"]
early_stopping_widget(plain, x_train_net, y_train_net, x_val, y_val);

# %% [markdown]
# Early stopping keeps the weights of the epoch with the lowest validation loss. In practice we
# do not train to the end and look back: we stop once the validation loss has not improved for
# `patience` epochs.
#
# From here on, and in the next notebooks, networks are trained in torch with
# `dlmi.train.fit(model, train_loader, val_loader, loss_fn=..., optimizer=..., epochs=...)`: the
# loop of notebook 06 (for each epoch, for each mini-batch of `train_loader`: forward, loss,
# backward, optimiser step), then the validation loss, returned as a `History`;
# `tensor_loader` turns arrays into a torch `DataLoader` (here one batch holds the whole set).
# `EarlyStopping` adds the rule above and restores the best weights at the end. The same data,
# a torch MLP of the same shape (torch's own initial weights, so its own curve: it first settles
# on about a straight line, a plateau, before it bends), and two patiences: 200 epochs outlast the
# plateaus of the validation curve, while a patience of 1 stops at the first epoch that does not
# improve — too early, long before the minimum.

# %%
loaders = {name: tensor_loader(x, y, batch_size=len(x)) for name, (x, y) in
           {"train": train_set, "val": val_set, "test": test_set}.items()}


def torch_mlp(seed=SEED):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                               torch.nn.Linear(32, 1))


stopped = {}
for patience in (1, 200):
    model = torch_mlp()
    history = fit(model, loaders["train"], loaders["val"], loss_fn=torch.nn.MSELoss(),
                  optimizer=torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.9, 0.99)), epochs=epochs,
                  early_stopping=EarlyStopping("val_loss", patience=patience), progress=False)
    outputs, targets = predict(model, loaders["val"])
    stopped[patience] = (history, float(np.mean((outputs - targets) ** 2)))
    print(f"patience {patience}: {history.status}")

history, restored_val = stopped[200]
history.plot(title="dlmi.train.fit with EarlyStopping(patience=200)")
plt.show()

# %% tags=["check"]
val_curve = history["val_loss"]
assert history.status.startswith("stopped early") and len(val_curve) < epochs
assert val_curve[history.best_epoch - 1] == min(val_curve) < val_curve[-1]  # the best epoch: the minimum, below the last
np.testing.assert_allclose(restored_val, min(val_curve), rtol=1e-5)       # and its weights are restored
expect(stopped[1][1] / restored_val, ">", 2,
       what="restored validation loss, patience 1 over 200")              # too little patience: stopped far too early

# %% [markdown]
# ### Weight decay
#
# The third lever penalises large weights: minimise $J(\theta) + \frac{\lambda}{2}\|\theta\|^2$.
# The penalty adds $\lambda\theta$ to the gradient, so a gradient step becomes
# $\theta \leftarrow (1 - \eta\lambda)\,\theta - \eta\, \nabla J(\theta)$: the weights *decay*
# towards 0 unless the data hold them up. That is the `weight_decay` argument of every optimiser
# in `dlmi.optim` and `torch.optim` (the first lines of each `step` add $\lambda\theta$ to the
# gradient). For plain SGD this is exactly the decay above. For adaptive methods such as Adam,
# used below, the added $\lambda\theta$ is rescaled like the rest of the gradient: an L2 penalty,
# no longer a pure decay (`torch.optim.AdamW` applies the decay separately). Small weights make
# smooth functions — on the polynomial of degree 19 as on the network. (For the polynomial, the
# penalty is $\lambda\|c\|^2$ on every coefficient but the constant.)

# %%
fine_x = np.linspace(0, 1, 300)
fig, ax = plt.subplots(figsize=(9, 5))
ax.plot(x_train, y_train, "o", ms=8, label="training samples")
ax.plot(fine_x, sine(fine_x), "k--", lw=1.5, label="true curve")
ridge_val = {}
for l2 in (0.0, 1e-5, 1e-3):
    coef = fit_polynomial(x_train, y_train, 19, l2=l2)
    ridge_val[l2] = np.mean((predict_polynomial(coef, x_val) - y_val) ** 2)
    ax.plot(fine_x, predict_polynomial(coef, fine_x), label=f"degree 19, λ = {l2:g}: validation MSE {ridge_val[l2]:.3g}")
ax.set(ylim=(-2, 2), xlabel="x", ylabel="y", title="A penalty on the coefficients tames degree 19")
ax.legend(fontsize=11)
plt.show()

# %%
decayed_model = mlp()
decayed = train_and_record(decayed_model, weight_decay=1e-3)
norms = {name: sum(np.sum(p**2) for p in model.parameters())
         for name, model in {"no regularisation": plain_model, "weight decay": decayed_model}.items()}
print("‖θ‖² after training:", {name: round(float(v), 1) for name, v in norms.items()})

# %% tags=["check"]
expect(ridge_val[1e-3] / ridge_val[0.0], "<", 1 / 10, what="validation MSE of degree 19, λ = 1e-3 over λ = 0")
expect(repeats["weight decay λ = 1e-3"].val.mean() / repeats["none"].val.mean(), "<", 0.75,
       what="mean final validation loss, weight decay over none")
expect(norms["weight decay"] / norms["no regularisation"], "<", 0.5, what="‖θ‖², weight decay over none")

# %% [markdown]
# ## 3. The three regularisers side by side
#
# Each run keeps one model: the last epoch's, except early stopping, which keeps the epoch of
# lowest validation loss. The validation set chose that epoch, so the honest judge is the
# **test** set, used for nothing else. The table gives the averages over the training sets of
# `repeat_training` (section 1): one draw of 20 samples could favour any of the levers by luck.

# %%
kept_at_best = {"none": False, "dropout p = 0.2": False, "early stopping": True, "weight decay λ = 1e-3": False}
comparison = pd.DataFrame({
    name: {"epoch kept (median)": np.median(r.best_epoch) if at_best else epochs,
           "training loss": (r.train_at_best if at_best else r.train).mean(),
           "validation loss": (r.val_at_best if at_best else r.val).mean(),
           "test MSE": (r.test_at_best if at_best else r.test).mean()}
    for name, at_best in kept_at_best.items() for r in [repeats["none" if name == "early stopping" else name]]
}).T
comparison.round(4)  # means over the training sets

# %% tags=["check"]
kept = comparison["validation loss"]
for name in ["dropout p = 0.2", "early stopping", "weight decay λ = 1e-3"]:
    expect(kept[name] / kept["none"], "<", 0.75, what=f"mean validation loss kept, {name} over none")  # every lever helps
    expect(comparison.loc[name, "test MSE"] / comparison.loc["none", "test MSE"], "<", 0.75, what=f"mean test MSE, {name} over none")
assert comparison["training loss"].idxmin() == "none"                              # the overfitted one fits best

# %% [markdown]
# ## Summary
#
# - Overfitting: the training error keeps falling with model complexity or training time while
#   the validation error rises again; the model has learnt the noise of its few samples.
# - Regularisation constrains the optimisation to discourage complex models, so that they
#   generalise to unseen data.
# - **Dropout** zeroes each activation with probability $p$ in training and divides the others
#   by $1 - p$, so that evaluation (no dropout) sees the same expected values.
# - **Early stopping** keeps the weights of the epoch with the lowest validation loss; its
#   patience must outlast the plateaus. The validation set is then used, so judge on a test set.
# - **Weight decay** adds $\frac{\lambda}{2}\|\theta\|^2$ to the cost, i.e. $\lambda\theta$ to the
#   gradient: the weights shrink unless the data hold them up.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — Dropout, forward
#
# Write `dropout_forward(x, p, training, rng)` that returns inverted dropout of the array `x`:
# in training, each entry is set to 0 with probability `p` (draw the mask from the numpy
# generator `rng`) and the others are divided by $1 - p$; in evaluation (`training=False`), `x`
# itself.

# %% tags=["solution"]
def dropout_forward(x, p, training, rng):
    """Inverted dropout of x: zero with probability p and rescale by 1/(1 − p) in training only."""
    # in evaluation, dropout is the identity
    if not training:
        return x
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)


# %% tags=["check"]
assert dlmi.checks.check_dropout_forward(dropout_forward)

# %% [markdown]
# ### Exercise 2 — When does early stopping stop?
#
# Write `early_stopping(val_losses, patience)` that reads a list of validation losses, one per
# epoch (epoch 1 first), and returns `(best_epoch, stop_epoch)`: training stops at the first
# epoch that ends `patience` epochs in a row without a strictly lower loss than the best so far
# (or at the last epoch), and keeps the best epoch seen until then. Apply it to the validation
# curve of the network of section 1: it rises after its minimum, so with a patience of 200 epochs
# it should stop well before the end and keep the epoch of lowest validation loss.

# %% tags=["solution"]
def early_stopping(val_losses, patience):
    """(epoch of the best loss, epoch at which training stops), both counted from 1."""
    # the best loss so far, its epoch, and how many epochs have passed without improvement
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses)


# %% tags=["check"]
assert dlmi.checks.check_early_stopping(early_stopping)
best_epoch, stop_epoch = early_stopping(list(plain.val_loss[1:]), patience=200)
print(f"stops at epoch {stop_epoch} of {plain.epochs}, keeping epoch {best_epoch}")
assert best_epoch == plain.best_epoch
expect(stop_epoch, "<", plain.epochs, what="epoch at which patience 200 stops")

# %% [markdown]
# ### Exercise 3 — Weight decay is an L2 penalty (for SGD)
#
# Write `l2_gradient(w, X, y, weight_decay)` that returns the gradient of
# $J(\mathbf{w}) = \frac{1}{n}\|\mathbf{y} - \mathbf{X}\mathbf{w}\|^2 + \frac{\lambda}{2}\|\mathbf{w}\|^2$
# with $\lambda$ = `weight_decay`. Then check the claim of section 2: 100 steps of plain gradient
# descent with your gradient follow exactly the path of `dlmi.optim.SGD(..., weight_decay=λ)`
# fed the gradient of the data term alone.

# %% tags=["solution"]
def l2_gradient(w, X, y, weight_decay):
    """Gradient of the mean squared error plus (weight_decay / 2) ‖w‖²."""
    # the data term, then the penalty's gradient λw
    return -2 / len(y) * X.T @ (y - X @ w) + weight_decay * w


# %% tags=["check"]
assert dlmi.checks.check_l2_gradient(l2_gradient)
A, lam, eta = polynomial_design(x_train, 12), 1e-2, 0.05
w_mine, w_sgd = np.zeros(13), np.zeros(13)
sgd = optim.SGD([w_sgd], lr=eta, weight_decay=lam)
for _ in range(100):
    w_mine = w_mine - eta * l2_gradient(w_mine, A, y_train, lam)
    sgd.step([l2_gradient(w_sgd, A, y_train, 0.0)])
np.testing.assert_allclose(w_mine, w_sgd, rtol=1e-10)
