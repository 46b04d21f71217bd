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
# # 04 · Multi-layer perceptron and backpropagation
#
# Sections 2.4 and 2.6 (backpropagation) of Part 2: stacking perceptrons into layers gives
# networks that draw curved boundaries, and the chain rule, applied layer by layer, gives the
# gradient that trains them. Notebook 03 ended on XOR, which no single perceptron solves; this
# one solves it, and builds the playground where you can watch a network learn.

# %% [markdown]
# ## Learning objectives
#
# - Write a layer with several outputs, a hidden layer and a deep network in the slides'
#   notation $z_{k,i} = w^{(k)}_{0,i} + \sum_j g(z_{k-1,j})\,w^{(k)}_{j,i}$, and give the shape of every matrix.
# - Explain why linear activations give linear boundaries however deep the network, and see
#   non-linear ones bend the boundary.
# - Compute $\partial J/\partial w_2$ and $\partial J/\partial w_1$ of a two-weight network by hand with the chain rule.
# - State backpropagation layer by layer, and check an implementation against finite
#   differences and against PyTorch's autograd.
# - Use the playground to see what depth, width, activation and learning rate change.
#
# ## Prerequisites
#
# Notebook 03 (the perceptron, activation functions and their derivatives); matrix products and
# their shapes; the chain rule $\frac{d}{dx} f(g(x)) = f'(g(x))\,g'(x)$.

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
import inspect
from dataclasses import replace

import matplotlib.pyplot as plt
import numpy as np
import torch

from dlmi import nn
from dlmi.checks import expect
from dlmi.widgets import playground as pg

# %% [markdown]
# ## 1. Several outputs: a layer
#
# From now on the weighted sum and the activation are drawn as two steps: $z$ is the linear
# part, and the activation $g$ is applied to it afterwards. With several outputs
# $z_1, \dots, z_d$, each output $i$ has its own bias $w_{0,i}$ and its own weight $w_{j,i}$ for
# every input $j$:
#
# $$z_i = w_{0,i} + \sum_{j=1}^m x_j\,w_{j,i}, \qquad i = 1, \dots, d.$$
#
# The weights form an $m \times d$ matrix $\mathbf{W}$ (row $j$: input, column $i$: output), the
# biases a vector $\mathbf{w}_0$ of length $d$, and all outputs at once are
# $\mathbf{z} = \mathbf{x}^T\mathbf{W} + \mathbf{w}_0^T$. With $n$ samples stacked as the rows of
# $\mathbf{X}$ ($n \times m$), $\mathbf{Z} = \mathbf{X}\mathbf{W} + \mathbf{w}_0^T$ is $n \times d$:
# one row per sample, one column per output. That is `nn.Linear(m, d)`.

# %%
layer = nn.Linear(3, 2, rng=SEED)                 # m = 3 inputs, d = 2 outputs
W, w0 = layer.params["W"], layer.params["w0"]
print(f"W: {W.shape} (inputs × outputs)   w0: {w0.shape}")

x = np.array([1.0, -2.0, 0.5])
z_formula = np.array([w0[i] + sum(x[j] * W[j, i] for j in range(3)) for i in range(2)])  # z_i, term by term
X_batch = np.stack([x, -x, 2 * x, np.zeros(3)])  # n = 4 samples
Z = layer.forward(X_batch)                        # (4, 2)
print(f"z by the formula: {z_formula.round(4)}   first row of Z = XW + w0: {Z[0].round(4)}   Z: {Z.shape}")

# %% tags=["check"]
np.testing.assert_allclose(Z[0], z_formula, rtol=1e-12)
np.testing.assert_allclose(Z, X_batch @ W + w0, rtol=1e-12)
assert Z.shape == (4, 2)

# %% [markdown]
# ## 2. A hidden layer, then a deep network
#
# Put a layer between the inputs and the outputs: its units are *hidden* (neither input nor
# output). Hidden unit 2 of the first layer computes
#
# $$z_2 = w^{(1)}_{0,2} + \sum_{j=1}^m x_j\,w^{(1)}_{j,2} = w^{(1)}_{0,2} + x_1 w^{(1)}_{1,2} + x_2 w^{(1)}_{2,2} + \dots + x_m w^{(1)}_{m,2},$$
#
# where the superscript $(1)$ numbers the layer. The next layer reads the activations
# $g(z_j)$ of the hidden units instead of the inputs. In a deep network every layer
# $k = 1, \dots, L$ does the same with the layer before it (with $g(z_{0,j})$ read as $x_j$):
#
# $$z_{k,i} = w^{(k)}_{0,i} + \sum_{j=1}^{d_{k-1}} g(z_{k-1,j})\,w^{(k)}_{j,i}.$$
#
# For a batch of $n$ samples and $d_k$ units in layer $k$ ($d_0 = m$ inputs):
#
# | | shape |
# |---|---|
# | $\mathbf{Z}_{k-1}$, activations $g(\mathbf{Z}_{k-1})$ | $n \times d_{k-1}$ |
# | weights $\mathbf{W}^{(k)}$ | $d_{k-1} \times d_k$ |
# | biases $\mathbf{w}^{(k)}_0$ | $d_k$ |
# | $\mathbf{Z}_k = g(\mathbf{Z}_{k-1})\,\mathbf{W}^{(k)} + \mathbf{w}_0^{(k)T}$ | $n \times d_k$ |
#
# Below, a 2 → 4 → 4 → 1 network with tanh: we compute its output for one sample with the
# formula, unit by unit, and compare with `Sequential`, which chains `Linear` and `Tanh` layers.

# %%
model = nn.Sequential(nn.Linear(2, 4, rng=SEED + 1), nn.Tanh(), nn.Linear(4, 4, rng=SEED + 2), nn.Tanh(),
                      nn.Linear(4, 1, rng=SEED + 3))
for name, value in model.params.items():
    print(f"{name:5s} {value.shape}")
n_params = sum(p.size for p in model.parameters())
print(f"{n_params} parameters: (2·4 + 4) + (4·4 + 4) + (4·1 + 1)")

# %%
def deep_network_formula(x, linears, g=np.tanh):
    """z_{k,i} = w0[i] + Σ_j g(z_{k−1,j}) W[j, i], layer by layer, for one sample x (a list of numbers)."""
    activations = list(x)                     # g(z_{0,j}) is read as x_j
    for k, lin in enumerate(linears):
        W, w0 = lin.params["W"], lin.params["w0"]
        z = [w0[i] + sum(activations[j] * W[j, i] for j in range(len(activations))) for i in range(len(w0))]
        last = k == len(linears) - 1
        activations = z if last else [g(z_i) for z_i in z]  # no activation after the output layer
    return np.array(z)


linears = [m for m in model.layers if isinstance(m, nn.Linear)]
sample = np.array([0.3, -0.7])
print(f"by the formula: {deep_network_formula(sample, linears)}   model.forward: {model.forward(sample[None, :])[0]}")

# %% tags=["check"]
np.testing.assert_allclose(deep_network_formula(sample, linears), model.forward(sample[None, :])[0], rtol=1e-12)
assert n_params == 12 + 20 + 5
assert model.forward(np.zeros((7, 2))).shape == (7, 1)

# %% [markdown]
# ## 3. Why the activations must be non-linear
#
# Remove the activations and stack two layers: $(\mathbf{X}\mathbf{W}^{(1)} + \mathbf{w}^{(1)T}_0)\mathbf{W}^{(2)} + \mathbf{w}^{(2)T}_0
# = \mathbf{X}\,(\mathbf{W}^{(1)}\mathbf{W}^{(2)}) + (\mathbf{w}^{(1)T}_0\mathbf{W}^{(2)} + \mathbf{w}^{(2)T}_0)$: again one linear layer.
# However many linear layers are stacked, the network is one weight matrix and one bias, and
# its decision boundary is a straight line. First the algebra, numerically:

# %%
linear_stack = nn.Sequential(nn.Linear(2, 8, rng=SEED + 4), nn.Linear(8, 8, rng=SEED + 5), nn.Linear(8, 1, rng=SEED + 6))
for lin in linear_stack.layers:
    lin.params["w0"][...] = np.random.default_rng(SEED + 7).normal(size=lin.out_features)
(W1, b1), (W2, b2), (W3, b3) = [(lin.params["W"], lin.params["w0"]) for lin in linear_stack.layers]
W_single = W1 @ W2 @ W3                      # (2, 1): one matrix
b_single = (b1 @ W2 + b2) @ W3 + b3          # (1,): one bias
X_test_points = np.random.default_rng(SEED + 8).normal(size=(5, 2))
print(linear_stack.forward(X_test_points)[:, 0].round(6))
print((X_test_points @ W_single + b_single)[:, 0].round(6))

# %% tags=["check"]
np.testing.assert_allclose(linear_stack.forward(X_test_points), X_test_points @ W_single + b_single, rtol=1e-10)

# %% [markdown]
# Now train two networks of the same shape, 2 → 8 → 8 → 1, on the circles data set: one with
# linear activations (none), one with ReLU. We use the playground's functions (section 7):
# `init_state` draws the data and builds the network, `train_steps` runs mini-batch gradient
# descent on the cross-entropy loss, `plot_decision_surface` colours the plane by the predicted
# probability of class 1 (orange), white where it is 0.5.

# %%
n_steps = dlmi.pick(full=1500, fast=800)
trained = {}
for activation in ["linear", "relu"]:
    config = pg.PlaygroundConfig(dataset="circles", hidden=(8, 8), activation=activation, learning_rate=0.1,
                                  n_samples=2000, rng=SEED)
    trained[activation] = pg.train_steps(pg.init_state(config), n_steps)

fig, axes = plt.subplots(1, 2, figsize=(13, 6))
for ax, (activation, state) in zip(axes, trained.items()):
    test_accuracy = nn.accuracy(state.model, state.X_test, state.y_test)
    pg.plot_decision_surface(ax, state.model, state.X_test, state.y_test,
                             title=f"{activation} activations: test accuracy {test_accuracy:.0%}")
fig.suptitle(f"The same 2-8-8-1 network after {n_steps} steps, on the test points")
plt.show()

# %% [markdown]
# With linear activations the boundary is a straight line, whatever the training: a line
# cannot put a disc on one side and the ring around it on the other. With ReLU, the network
# bends its boundary around the disc.

# %% tags=["check"]
linear_acc = nn.accuracy(trained["linear"].model, trained["linear"].X_test, trained["linear"].y_test)
relu_acc = nn.accuracy(trained["relu"].model, trained["relu"].X_test, trained["relu"].y_test)
expect(linear_acc, "<", 0.7, what="test accuracy with linear activations")  # a line: the best one gets about 65 %
expect(relu_acc, ">", 0.95, what="test accuracy with ReLU activations")

# %% [markdown]
# ## 4. Backpropagation by hand: the two-weight network
#
# Training needs $\partial J / \partial w$ for every weight (section 2.6, gradient descent). Take
# the slides' smallest network: one input, one hidden unit, one output, two weights.
#
# $$x \xrightarrow{\;w_1\;} z_1 = w_1 x \xrightarrow{\;g\;} g(z_1) \xrightarrow{\;w_2\;} \hat{y} = w_2\,g(z_1) \longrightarrow J(\mathbf{W}) = (\hat{y} - y)^2$$
#
# with $g$ the sigmoid, and the numbers $x = 2$, $y = 1$, $w_1 = 0.5$, $w_2 = -1$.
#
# **Forward pass.** $z_1 = 0.5 \times 2 = 1$, $g(z_1) = \sigma(1) = 0.7311$,
# $\hat{y} = -0.7311$, $J = (-0.7311 - 1)^2 = 2.9966$.
#
# **The last weight.** $w_2$ acts on $J$ only through $\hat{y}$, so by the chain rule
#
# $$\frac{\partial J}{\partial w_2} = \frac{\partial J}{\partial \hat{y}} \cdot \frac{\partial \hat{y}}{\partial w_2}
# = 2(\hat{y} - y) \cdot g(z_1) = (-3.4621)(0.7311) = -2.5310.$$
#
# **The first weight.** $w_1$ acts through $z_1$, then $\hat{y}$: one more link in the chain,
#
# $$\frac{\partial J}{\partial w_1} = \frac{\partial J}{\partial \hat{y}} \cdot \frac{\partial \hat{y}}{\partial z_1} \cdot \frac{\partial z_1}{\partial w_1}
# = 2(\hat{y} - y) \cdot w_2\,g'(z_1) \cdot x = (-3.4621)(-1 \times 0.1966)(2) = 1.3614.$$
#
# The first factor, $\partial J / \partial \hat{y}$, is shared: computed once for $w_2$, it is
# reused for $w_1$. That reuse, from the output back to the input, is *backpropagation*.

# %%
x_, y_, w1, w2 = 2.0, 1.0, 0.5, -1.0

# forward: keep every intermediate value
z1 = w1 * x_
a1 = nn.sigmoid(z1)
y_hat = w2 * a1
J = (y_hat - y_) ** 2

# backward: one factor per link, from J back to each weight
dJ_dyhat = 2 * (y_hat - y_)
dJ_dw2 = dJ_dyhat * a1                         # ∂ŷ/∂w2 = g(z1)
dJ_dz1 = dJ_dyhat * w2 * a1 * (1 - a1)         # ∂ŷ/∂z1 = w2 g'(z1), with g' = g(1 − g)
dJ_dw1 = dJ_dz1 * x_                           # ∂z1/∂w1 = x
print(f"z1 = {z1:.4f}  g(z1) = {a1:.4f}  ŷ = {y_hat:.4f}  J = {J:.4f}")
print(f"∂J/∂ŷ = {dJ_dyhat:.4f}  ∂J/∂w2 = {dJ_dw2:.4f}  ∂J/∂w1 = {dJ_dw1:.4f}")

# %% [markdown]
# A check that needs no calculus: nudge each weight by $\pm\varepsilon$ and measure how $J$
# moves, $\frac{J(w + \varepsilon) - J(w - \varepsilon)}{2\varepsilon}$ (a *central difference*).

# %%
def J_of(w1, w2):
    return (w2 * nn.sigmoid(w1 * x_) - y_) ** 2


eps = 1e-6
numeric_w1 = (J_of(w1 + eps, w2) - J_of(w1 - eps, w2)) / (2 * eps)
numeric_w2 = (J_of(w1, w2 + eps) - J_of(w1, w2 - eps)) / (2 * eps)
print(f"central differences: ∂J/∂w1 ≈ {numeric_w1:.6f}   ∂J/∂w2 ≈ {numeric_w2:.6f}")

# %% tags=["check"]
assert np.isclose(J, 2.9966, atol=1e-4) and np.isclose(dJ_dw2, -2.5310, atol=1e-4) and np.isclose(dJ_dw1, 1.3614, atol=1e-4)
assert np.isclose(dJ_dw1, numeric_w1, rtol=1e-8) and np.isclose(dJ_dw2, numeric_w2, rtol=1e-8)

# %% [markdown]
# ## 5. Backpropagation, layer by layer
#
# For a deep network, repeat the same reasoning "for every weight in the network using
# gradients from later layers". Write $\boldsymbol{\delta}_k = \partial J / \partial \mathbf{Z}_k$
# ($n \times d_k$, the gradient arriving at layer $k$'s output). The forward pass stores each
# layer's input; then, from the last layer back to the first:
#
# 1. start with $\partial J / \partial \hat{\mathbf{Y}}$ from the loss;
# 2. through an activation $\mathbf{A} = g(\mathbf{Z})$: $\partial J/\partial \mathbf{Z} = \partial J/\partial \mathbf{A} \odot g'(\mathbf{Z})$ (elementwise);
# 3. through a linear layer $\mathbf{Z}_k = \mathbf{A}_{k-1}\mathbf{W}^{(k)} + \mathbf{w}^{(k)T}_0$:
#    - $\partial J/\partial \mathbf{W}^{(k)} = \mathbf{A}_{k-1}^T\,\boldsymbol{\delta}_k$ ($d_{k-1} \times d_k$, the shape of $\mathbf{W}^{(k)}$),
#    - $\partial J/\partial \mathbf{w}^{(k)}_0 = \sum_{\text{rows}} \boldsymbol{\delta}_k$ ($d_k$),
#    - $\partial J/\partial \mathbf{A}_{k-1} = \boldsymbol{\delta}_k\,\mathbf{W}^{(k)T}$ ($n \times d_{k-1}$), passed on to the layer before.
#
# Each shape is forced by the product it comes from, a good way to remember the formulas. In
# `dlmi.nn` every layer holds its own forward and backward side by side. Here are the linear
# layer's `backward` and the loop that chains the layers, the whole of backpropagation:

# %%
print(inspect.getsource(nn.Linear.backward))
print(inspect.getsource(nn.Sequential.backward))

# %% [markdown]
# The two-weight network of section 4 is a `Sequential` of `Linear(1, 1)`, `Sigmoid`,
# `Linear(1, 1)` with biases at 0, and the squared error is `MSELoss` on one sample: its
# backward pass reproduces the hand computation.

# %%
tiny = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid(), nn.Linear(1, 1))
tiny[0].params["W"][...] = w1
tiny[2].params["W"][...] = w2
for i in (0, 2):
    tiny[i].params["w0"][...] = 0.0
mse = nn.MSELoss()
J_tiny = mse.forward(tiny.forward(np.array([[x_]])), np.array([[y_]]))
tiny.backward(mse.backward())
print(f"J = {J_tiny:.4f}   ∂J/∂w1 = {tiny.grads['0.W'][0, 0]:.4f}   ∂J/∂w2 = {tiny.grads['2.W'][0, 0]:.4f}")

# %% tags=["check"]
assert np.isclose(J_tiny, J, rtol=1e-12)
assert np.isclose(tiny.grads["0.W"][0, 0], dJ_dw1, rtol=1e-12) and np.isclose(tiny.grads["2.W"][0, 0], dJ_dw2, rtol=1e-12)

# %% [markdown]
# ## 6. Checking backpropagation: finite differences and PyTorch
#
# A wrong backward pass often still lowers the loss, only worse, so the error goes unnoticed:
# it must be tested. Two independent
# references: central differences on every weight (`nn.gradient_check`, which reports the
# largest relative error of each parameter array), and PyTorch's automatic differentiation
# on a copy of the same network. Here a 2 → 8 → 8 → 3 network with tanh and ReLU and the
# multi-class cross-entropy of notebook 05, on a batch of 16.

# %%
rng = np.random.default_rng(SEED)
net = nn.Sequential(nn.Linear(2, 8, rng=rng), nn.Tanh(), nn.Linear(8, 8, rng=rng), nn.ReLU(), nn.Linear(8, 3, rng=rng))
for lin in net.layers[::2]:
    lin.params["w0"][...] = rng.normal(scale=0.1, size=lin.out_features)
X16, y16 = rng.normal(size=(16, 2)), rng.integers(0, 3, size=16)
loss = nn.CrossEntropyLoss()

errors = nn.gradient_check(net, loss, X16, y16)
print("largest relative error against central differences:", {k: f"{v:.1e}" for k, v in errors.items()})

# the same network in PyTorch: dlmi stores W as (inputs, outputs), torch as (outputs, inputs)
torch_net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 3)).double()
with torch.no_grad():
    for ours, theirs in zip(net.layers[::2], torch_net[::2]):
        theirs.weight.copy_(torch.from_numpy(ours.params["W"].T))
        theirs.bias.copy_(torch.from_numpy(ours.params["w0"]))
torch.nn.functional.cross_entropy(torch_net(torch.from_numpy(X16)), torch.from_numpy(y16)).backward()

loss.forward(net.forward(X16), y16)
net.backward(loss.backward())
torch_gap = max(
    max(np.abs(ours.grads["W"] - theirs.weight.grad.numpy().T).max(), np.abs(ours.grads["w0"] - theirs.bias.grad.numpy()).max())
    for ours, theirs in zip(net.layers[::2], torch_net[::2])
)
print(f"largest difference from torch.autograd: {torch_gap:.1e}")

# %% tags=["check"]
expect(max(errors.values()), "<", 1e-6, what="largest relative error against central differences")
expect(torch_gap, "<", 1e-12, what="largest difference from torch.autograd")

# %% [markdown]
# ## 7. The playground
#
# In the spirit of [TensorFlow Playground](https://playground.tensorflow.org), built on
# `dlmi.nn`: choose a data set (circles, XOR, Gaussian blobs, spiral, moons), its noise and the
# share held out for testing, the hidden layers, the activation, the learning rate $\eta$, the L2
# penalty $\lambda$ (section 2.6: regularisation) and the batch size. **play** trains
# continuously, **step** runs 10 steps, **reset** starts again from new random weights. The
# left panel shows the predicted probability of class 1 (orange) and 0 (blue), the training points
# (○) and the test points (△); the right one the cross-entropy on both sets.
#
# The *preset* menu holds scenarios for the lecture; each one comes with its lesson:

# %%
for name, preset in pg.PRESETS.items():
    print(f"{name}: {preset.lesson}\n")

# %% tags=["widget"]
pg.playground_widget(pg.PlaygroundConfig(rng=SEED));

# %% [markdown]
# Without a browser the widget shows its first frame. The two XOR presets, trained here as
# the widget would, show the first lesson: the same data, with and without a hidden layer.

# %%
xor_steps = pg.PRESETS["XOR needs a hidden layer"].n_steps  # 1500 steps: about a second, in fast mode too
xor_states = {name: pg.train_steps(pg.init_state(replace(pg.PRESETS[name].config, rng=SEED)), xor_steps)
              for name in ["XOR: no hidden layer", "XOR needs a hidden layer"]}
fig, axes = plt.subplots(1, 2, figsize=(13, 6))
for ax, (name, state) in zip(axes, xor_states.items()):
    accuracy = nn.accuracy(state.model, state.X_test, state.y_test)
    pg.plot_decision_surface(ax, state.model, state.X_test, state.y_test, title=f"{name}: test {accuracy:.0%}")
fig.suptitle(f"Two presets of the playground after {xor_steps} steps, on the test points")
plt.show()

# %% tags=["check"]
xor_accuracy = {name: nn.accuracy(state.model, state.X_test, state.y_test) for name, state in xor_states.items()}
no_hidden_loss = xor_states["XOR: no hidden layer"].history["test_loss"][-1]
expect(xor_accuracy["XOR: no hidden layer"], "<=", 0.75,
       what="XOR test accuracy without a hidden layer")  # a line: three quadrants of four at best
expect(no_hidden_loss / np.log(2), ">", 0.9,
       what="XOR test loss without a hidden layer, over log 2")  # near chance: about the loss of a coin flip
expect(xor_accuracy["XOR needs a hidden layer"], ">", 0.9,
       what="XOR test accuracy with a hidden layer")  # one hidden layer of 8 units solves it

# %% [markdown]
# Things to try: the spiral with one wide layer and then with three layers of 16 ("Spiral needs
# depth"); the circles with sigmoid instead of ReLU (slower: the slope of the sigmoid is at most
# 0.25); noise 0.3 with a small training set (test fraction 0.8) and then L2 = 0.01; a
# learning rate of 30 ("Too large a learning rate").
#
# ## Summary
#
# - A layer computes $z_i = w_{0,i} + \sum_j x_j w_{j,i}$ for all its outputs at once:
#   $\mathbf{Z} = \mathbf{X}\mathbf{W} + \mathbf{w}_0^T$ with $\mathbf{W}$ of shape inputs × outputs.
#   A deep network repeats it: $z_{k,i} = w^{(k)}_{0,i} + \sum_j g(z_{k-1,j})\,w^{(k)}_{j,i}$.
# - Without non-linear activations, any stack of layers is a single linear layer and draws a
#   straight boundary; with them the network bends its boundary (and solves XOR).
# - Backpropagation is the chain rule applied from the loss back to the inputs, reusing the
#   gradient of each layer's output: $\partial J/\partial \mathbf{W} = \mathbf{A}^T\boldsymbol{\delta}$,
#   $\partial J/\partial \mathbf{w}_0 = \sum \boldsymbol{\delta}$, and $\boldsymbol{\delta}\mathbf{W}^T$ passed back.
# - A backward pass is verified against central differences and against an autograd library;
#   `dlmi.nn` matches both to rounding error.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — Backward through ReLU
#
# Write `relu_backward(z, grad_out)` that returns $\partial J/\partial \mathbf{Z}$ for $\mathbf{A} = \max(0, \mathbf{Z})$,
# given `grad_out` $= \partial J/\partial \mathbf{A}$ (same shape as `z`).

# %% tags=["solution"]
def relu_backward(z, grad_out):
    """∂J/∂z = ∂J/∂a · g'(z), with g'(z) = 1 where z > 0 and 0 elsewhere."""
    return grad_out * (z > 0)


# %% tags=["check"]
assert dlmi.checks.check_relu_backward(relu_backward)

# %% [markdown]
# ### Exercise 2 — Backward through a linear layer
#
# Write `linear_backward(x, W, grad_out)` for $\mathbf{Z} = \mathbf{X}\mathbf{W} + \mathbf{w}_0^T$ that returns the
# tuple `(grad_x, grad_W, grad_w0)` of section 5. `x` is $n \times d_{in}$, `W` is
# $d_{in} \times d_{out}$, `grad_out` is $n \times d_{out}$. Let the shapes guide you.

# %% tags=["solution"]
def linear_backward(x, W, grad_out):
    """(∂J/∂x, ∂J/∂W, ∂J/∂w0) for z = x W + w0, given ∂J/∂z = grad_out."""
    # (n, d_out) @ (d_out, d_in) → (n, d_in);  (d_in, n) @ (n, d_out) → (d_in, d_out)
    grad_x = grad_out @ W.T
    grad_W = x.T @ grad_out
    grad_w0 = grad_out.sum(axis=0)  # each bias is added to every row
    return grad_x, grad_W, grad_w0


# %% tags=["check"]
assert dlmi.checks.check_linear_backward(linear_backward)

# %% [markdown]
# ### Exercise 3 — The two-weight network, for any numbers
#
# Write `two_weight_gradients(x, y, w1, w2)` that returns `(dJ_dw1, dJ_dw2)` for the network of
# section 4 ($z_1 = w_1 x$, $\hat{y} = w_2\,\sigma(z_1)$, $J = (\hat{y} - y)^2$). Then use it for 200
# steps of gradient descent with $\eta = 0.5$ from $w_1 = 0.5$, $w_2 = -1$ and watch $J$ fall.

# %% tags=["solution"]
def two_weight_gradients(x, y, w1, w2):
    """(∂J/∂w1, ∂J/∂w2) by the chain rule, for J = (w2 σ(w1 x) − y)²."""
    a = 1 / (1 + np.exp(-w1 * x))
    dJ_dyhat = 2 * (w2 * a - y)
    return dJ_dyhat * w2 * a * (1 - a) * x, dJ_dyhat * a


w1_t, w2_t = 0.5, -1.0
for step in range(200):
    g1, g2 = two_weight_gradients(2.0, 1.0, w1_t, w2_t)
    w1_t, w2_t = w1_t - 0.5 * g1, w2_t - 0.5 * g2
J_final = J_of(w1_t, w2_t)
print(f"after 200 steps: w1 = {w1_t:.3f}, w2 = {w2_t:.3f}, J = {J_final:.2e} (it started at {J:.3f})")

# %% tags=["check"]
assert dlmi.checks.check_two_weight_gradients(two_weight_gradients)
expect(J_final, "<", 1e-3, what="J after 200 steps of the exercise")
