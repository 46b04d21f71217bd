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
# # 03 · From the perceptron to activation functions
#
# Section 2.3 of Part 2 (*classification and regression*): the artificial neuron that every
# deep network is built from. It is logistic regression (notebook 02) seen as a neuron, with a
# choice of non-linearity, and it already shows the limit that multi-layer networks
# (notebook 04) remove.

# %% [markdown]
# ## Learning objectives
#
# - Describe the McCulloch–Pitts neuron (1943) and Rosenblatt's perceptron (1958).
# - Write the perceptron $\hat{y} = g\left(w_0 + \sum_{i=1}^m x_i w_i\right)$ with a sum and as a vector product $\hat{y} = g(w_0 + \mathbf{X}^T\mathbf{W})$.
# - Compute and plot the sigmoid, tanh and ReLU activations and their derivatives.
# - Draw the decision line of a perceptron and explain why it is a linear classifier.
# - Train a perceptron with the perceptron learning rule, and see it fail on XOR.
#
# ## Prerequisites
#
# Notebook 02 (logistic regression, the sigmoid, decision boundaries); NumPy arrays and the `@`
# product; the derivative of a composed function.

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
from dlmi.data import make_xor
from dlmi.linear import Perceptron

# %% [markdown]
# ## 1. 1943: the McCulloch–Pitts neuron
#
# Warren McCulloch, a neurophysiologist, and Walter Pitts, a logician, modelled a neuron as a
# unit that receives binary inputs $x_i \in \{0, 1\}$ through connections of fixed weights
# $w_i$ and *fires* ($\hat{y} = 1$) when the weighted sum reaches a threshold $\theta$:
#
# $$\hat{y} = \begin{cases} 1 & \text{if } \sum_i x_i w_i \ge \theta \\ 0 & \text{otherwise.} \end{cases}$$
#
# Nothing is learned: the weights and the threshold are set by hand. With two inputs of weight 1,
# a threshold of 2 computes the logical AND and a threshold of 1 the logical OR.

# %%
def mcculloch_pitts(x, w, threshold):
    """Fire (1) when the weighted sum of the binary inputs reaches the threshold. x: (n, m)."""
    return (x @ w >= threshold).astype(int)


inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
unit_weights = np.array([1, 1])
for name, threshold in [("AND", 2), ("OR", 1)]:
    print(f"{name}: inputs {inputs.tolist()} → {mcculloch_pitts(inputs, unit_weights, threshold).tolist()}")

# %% tags=["check"]
assert mcculloch_pitts(inputs, unit_weights, 2).tolist() == [0, 0, 0, 1]  # AND
assert mcculloch_pitts(inputs, unit_weights, 1).tolist() == [0, 1, 1, 1]  # OR

# %% [markdown]
# ## 2. 1958: the perceptron
#
# Frank Rosenblatt's perceptron adds what McCulloch and Pitts lacked: the weights are *learned*
# from examples. The Mark I Perceptron, funded by the US Navy, was a machine: a camera of
# 20 × 20 photocells (a 400-pixel image) wired to potentiometers that held the adaptive weights,
# and it learned to recognise letters. The *New York Times* reported that the Navy expected it
# to "walk, talk, see, write, reproduce itself and be conscious of its existence".
#
# In the slides' notation, the perceptron computes a **linear combination of the inputs** plus a
# **bias** $w_0$, and passes it through a **non-linear activation function** $g$:
#
# $$\hat{y} = g\left(w_0 + \sum_{i=1}^m x_i w_i\right) = g\left(w_0 + \mathbf{X}^T\mathbf{W}\right),
# \qquad \mathbf{X} = \begin{bmatrix} x_1 \\ \vdots \\ x_m \end{bmatrix},\;
# \mathbf{W} = \begin{bmatrix} w_1 \\ \vdots \\ w_m \end{bmatrix}.$$
#
# The sum and the vector product are the same number; the vector form is the one we compute
# with, and it extends to many samples at once (one row per sample).

# %%
x = np.array([0.5, -1.2, 2.0])  # m = 3 inputs
W = np.array([0.8, 0.1, -0.4])  # one weight per input
w0 = 0.3                        # the bias

z_sum = w0 + sum(x[i] * W[i] for i in range(len(x)))  # w0 + Σ x_i w_i, term by term
z_vector = w0 + x @ W                                  # w0 + XᵀW
y_hat = nn.sigmoid(z_vector)                           # g = the sigmoid, as in logistic regression
print(f"w0 + Σ x_i w_i = {z_sum:.4f}   w0 + XᵀW = {z_vector:.4f}   ŷ = σ(z) = {y_hat:.4f}")

# %% tags=["check"]
assert np.isclose(z_sum, z_vector) and np.isclose(z_vector, -0.22)
assert np.isclose(y_hat, 1 / (1 + np.exp(0.22)))

# %% [markdown]
# ## 3. Activation functions and their derivatives
#
# The activation $g$ makes the neuron non-linear. The slides list the three common ones, with
# the derivatives that training will need (section 2.6, backpropagation):
#
# | | $g(z)$ | $g'(z)$ |
# |---|---|---|
# | sigmoid | $\dfrac{1}{1 + e^{-z}}$ | $g(z)\,(1 - g(z))$ |
# | hyperbolic tangent | $\dfrac{e^z - e^{-z}}{e^z + e^{-z}}$ | $1 - g(z)^2$ |
# | rectified linear unit (ReLU) | $\max(0, z)$ | $1$ if $z > 0$, else $0$ |
#
# Each derivative is written with $g(z)$ itself, so it costs almost nothing once $g(z)$ is known.
# In `dlmi.nn` each activation is a layer: `forward` computes $g(z)$ and `backward` multiplies the
# gradient it receives by $g'(z)$; sending in ones gives $g'(z)$ itself.

# %%
z = np.linspace(-5, 5, 401)[:, None]  # a column: 401 samples of one input
curves = {}
for name, layer in [("sigmoid", nn.Sigmoid()), ("tanh", nn.Tanh()), ("ReLU", nn.ReLU())]:
    g = layer.forward(z)
    g_prime = layer.backward(np.ones_like(z))  # ∂g/∂z, one value per sample
    curves[name] = (g[:, 0], g_prime[:, 0])

fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
for ax, (name, (g, g_prime)) in zip(axes, curves.items()):
    ax.plot(z[:, 0], g, label="$g(z)$")
    ax.plot(z[:, 0], g_prime, "--", label="$g'(z)$")
    ax.set(title=name, xlabel="$z$ (a.u.)", ylabel="value (a.u.)")
    ax.legend()
plt.show()

# %% [markdown]
# Three things to read on the plots. The sigmoid squashes into $(0, 1)$ (a probability), tanh
# into $(-1, 1)$ (centred on 0). Both saturate: far from 0 their slope vanishes, and the
# sigmoid's slope is never above $0.25$. ReLU does not saturate for $z > 0$, where its slope is
# 1, and is exactly 0 for $z < 0$.
#
# The check compares the layers' derivatives with the slides' formulas and with a finite
# difference $\frac{g(z + \varepsilon) - g(z - \varepsilon)}{2\varepsilon}$.

# %% tags=["check"]
sig, sig_prime = curves["sigmoid"]
tanh, tanh_prime = curves["tanh"]
relu, relu_prime = curves["ReLU"]
np.testing.assert_allclose(sig_prime, sig * (1 - sig), rtol=1e-12)
np.testing.assert_allclose(tanh_prime, 1 - tanh**2, rtol=1e-12)
np.testing.assert_array_equal(relu_prime, (z[:, 0] > 0).astype(float))
eps = 1e-6
np.testing.assert_allclose(sig_prime, (nn.sigmoid(z[:, 0] + eps) - nn.sigmoid(z[:, 0] - eps)) / (2 * eps), atol=1e-8)
np.testing.assert_allclose(tanh_prime, (np.tanh(z[:, 0] + eps) - np.tanh(z[:, 0] - eps)) / (2 * eps), atol=1e-8)
assert np.isclose(sig_prime.max(), 0.25) and np.isclose(tanh_prime.max(), 1.0)
assert sig_prime[0] < 0.01 and tanh_prime[0] < 0.001  # saturated at z = −5

# %% [markdown]
# ## 4. The perceptron is a linear classifier
#
# The slides' example has two inputs and the weights $w_0 = 1$, $w_1 = 3$, $w_2 = -2$:
#
# $$\hat{y} = g(1 + 3x_1 - 2x_2).$$
#
# With the sigmoid, $\hat{y} > 0.5$ exactly when $z = 1 + 3x_1 - 2x_2 > 0$. The boundary
# $z = 0$, i.e. $x_2 = (1 + 3x_1)/2$, is a straight line: like logistic regression, the
# (single-layer) perceptron is a **linear classifier**. Take $\mathbf{X} = (-1, 2)$:
# $z = 1 - 3 - 4 = -6$ and $\hat{y} = \sigma(-6) \approx 0.002$, far on the side of class 0.

# %%
w0_slide, W_slide = 1.0, np.array([3.0, -2.0])


def perceptron_output(X):
    """ŷ = σ(1 + 3 x1 − 2 x2) for each row of X (n, 2)."""
    return nn.sigmoid(w0_slide + X @ W_slide)


grid = np.linspace(-3, 3, 241)
x1_grid, x2_grid = np.meshgrid(grid, grid)
y_hat_grid = perceptron_output(np.column_stack([x1_grid.ravel(), x2_grid.ravel()])).reshape(x1_grid.shape)
examples = np.array([[-1.0, 2.0], [1.0, -1.0]])

fig, ax = plt.subplots(figsize=(7, 6))
image = ax.contourf(x1_grid, x2_grid, y_hat_grid, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.8)
fig.colorbar(image, label="$\\hat{y} = g(1 + 3x_1 - 2x_2)$")
ax.plot(grid, (1 + 3 * grid) / 2, color="black", label="decision line $1 + 3x_1 - 2x_2 = 0$")
for point, y_point in zip(examples, perceptron_output(examples)):
    ax.scatter(*point, s=90, color="black", edgecolors="white", zorder=3)
    ax.annotate(f"$\\mathbf{{X}}$ = ({point[0]:g}, {point[1]:g}): ŷ = {y_point:.3f}", point, xytext=(0, 14),
                textcoords="offset points", ha="center", fontsize=13,
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
ax.set(xlim=(-3, 3), ylim=(-3, 3), xlabel="$x_1$ (a.u.)", ylabel="$x_2$ (a.u.)",
       title="The perceptron $\\hat{y} = g(1 + 3x_1 - 2x_2)$")
ax.legend(loc="lower right")
plt.show()

# %% tags=["check"]
y_examples = perceptron_output(examples)
assert np.isclose(y_examples[0], 1 / (1 + np.exp(6)), rtol=1e-12) and y_examples[0] < 0.003  # z = −6
assert np.isclose(y_examples[1], 1 / (1 + np.exp(-6)), rtol=1e-12)                           # z = 1 + 3 + 2 = 6
on_line = np.column_stack([grid, (1 + 3 * grid) / 2])
np.testing.assert_allclose(perceptron_output(on_line), 0.5, atol=1e-12)  # the line is ŷ = 0.5

# %% [markdown]
# ## 5. Learning the weights: the perceptron rule
#
# Rosenblatt's perceptron uses a step activation, $\hat{y} = 1$ if $w_0 + \mathbf{X}^T\mathbf{W} > 0$
# and 0 otherwise, and learns from one sample at a time with a rule that only acts on mistakes:
#
# $$\mathbf{W} \leftarrow \mathbf{W} + \eta\,(y - \hat{y})\,\mathbf{X}, \qquad w_0 \leftarrow w_0 + \eta\,(y - \hat{y}).$$
#
# When the prediction is right, $y - \hat{y} = 0$ and nothing changes. A missed positive
# ($y = 1$, $\hat{y} = 0$) adds $\eta\mathbf{X}$ to the weights, which raises $z$ for that sample
# next time; a false positive subtracts it. If some line separates the two classes, the rule
# finds one after a finite number of mistakes (the perceptron convergence theorem).
#
# We label points by the slide's line $1 + 3x_1 - 2x_2 > 0$, keeping a small margin of 0.1
# around it, and ask `Perceptron` (from `dlmi.linear`: a linear model) to learn a separating line back.

# %%
rng = np.random.default_rng(SEED)
candidates = rng.uniform(-1, 1, size=(400, 2))
z_true = w0_slide + candidates @ W_slide
margin = np.abs(z_true) / np.linalg.norm(W_slide)  # distance to the line
X_sep = candidates[margin > 0.1][:150]
y_sep = (z_true[margin > 0.1][:150] > 0).astype(float)

perceptron = Perceptron(lr=1.0, n_epochs=100, rng=SEED).fit(X_sep, y_sep)
print(f"mistakes per pass over the data: {perceptron.mistakes_.tolist()}")
print(f"learned: w0 = {perceptron.intercept_:.2f}, W = {perceptron.coef_.round(2)}; "
      f"training accuracy {perceptron.score(X_sep, y_sep):.0%}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(14, 5.5))
epochs = np.arange(1, len(perceptron.mistakes_) + 1)
axes[0].bar(epochs, perceptron.mistakes_)
for epoch, n_wrong in zip(epochs, perceptron.mistakes_):
    axes[0].annotate(str(n_wrong), (epoch, n_wrong), ha="center", va="bottom")
axes[0].set(xticks=epochs, xlabel="epoch (pass over the 150 samples)", ylabel="mistakes during the epoch",
            title="The perceptron rule stops when nothing is wrong")
colours = np.where(y_sep == 1, dlmi.viz.PALETTE[1], dlmi.viz.PALETTE[0])
axes[1].scatter(X_sep[:, 0], X_sep[:, 1], c=colours, s=25)
line_x = np.linspace(-1, 1, 2)
axes[1].plot(line_x, (1 + 3 * line_x) / 2, color="black", label="the slide's line")
learned_x2 = -(perceptron.intercept_ + perceptron.coef_[0] * line_x) / perceptron.coef_[1]
axes[1].plot(line_x, learned_x2, "--", color=dlmi.viz.PALETTE[3], label="learned line")
axes[1].set(xlim=(-1, 1), ylim=(-1, 1), xlabel="$x_1$ (a.u.)", ylabel="$x_2$ (a.u.)",
            title="A separating line, learned from the labels")
axes[1].legend(loc="lower right", framealpha=0.95)
plt.show()

# %% [markdown]
# The learned line is not the slide's line (any line through the empty margin separates the
# classes equally well), but it is close, and every training point is on its correct side.

# %% tags=["check"]
assert perceptron.score(X_sep, y_sep) == 1.0     # 100 % training accuracy
assert perceptron.mistakes_[-1] == 0             # it stopped because an epoch had no mistake
cosine = perceptron.coef_ @ W_slide / (np.linalg.norm(perceptron.coef_) * np.linalg.norm(W_slide))
expect(cosine, ">", 0.97,
       what="cosine between the learned and the true normal")  # the learned normal is within ~14° of (3, −2)

# %% [markdown]
# ## 6. XOR: what one perceptron cannot learn
#
# The exclusive OR is 1 when exactly one input is 1. Its four points put the two 1s on one
# diagonal of the square and the two 0s on the other: no straight line has the 1s on one side
# and the 0s on the other. Since a perceptron's boundary is a line, it must get at least one of
# the four points wrong, whatever its weights: accuracy at most 75 %. Minsky and Papert's book
# *Perceptrons* (1969) made this limit famous.

# %%
X_xor = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y_xor = np.array([0, 1, 1, 0], dtype=float)
xor_perceptron = Perceptron(lr=1.0, n_epochs=100, rng=SEED).fit(X_xor, y_xor)
print(f"mistakes in the last 10 epochs: {xor_perceptron.mistakes_[-10:].tolist()}")
print(f"accuracy after 100 epochs: {xor_perceptron.score(X_xor, y_xor):.0%}")

# %% [markdown]
# The rule never stops making mistakes; the line keeps moving. To be sure that no other line
# does better, try 20,000 random lines and keep the best accuracy; then try the noisy XOR data
# set of the next notebook, 400 points filling the four quadrants of
# $[-1, 1]^2$, class 1 where $x_1$ and $x_2$ have the same sign.

# %%
directions = rng.normal(size=(20_000, 3))  # random (w0, w1, w2)
predictions = (directions[:, :1] + directions[:, 1:] @ X_xor.T > 0)
best_line_accuracy = (predictions == y_xor).mean(axis=1).max()
X_noisy, y_noisy = make_xor(400, noise=0.1, rng=SEED)
noisy_perceptron = Perceptron(lr=0.1, n_epochs=50, rng=SEED).fit(X_noisy, y_noisy)
print(f"best of 20,000 random lines on the four points: {best_line_accuracy:.0%}")
print(f"perceptron on noisy XOR (400 points): {noisy_perceptron.score(X_noisy, y_noisy):.0%}")

# %% tags=["check"]
assert xor_perceptron.score(X_xor, y_xor) <= 0.75
assert xor_perceptron.mistakes_.min() > 0         # never an epoch without a mistake
assert best_line_accuracy == 0.75                 # three out of four, never four
expect(noisy_perceptron.score(X_noisy, y_noisy), "<=", 0.75, what="perceptron's accuracy on noisy XOR")

# %% [markdown]
# ## Summary
#
# - McCulloch and Pitts (1943) modelled a neuron as a threshold on a weighted sum of binary
#   inputs, with weights set by hand.
# - Rosenblatt's perceptron (1958) learns its weights: $\hat{y} = g\left(w_0 + \sum_i x_i w_i\right) = g(w_0 + \mathbf{X}^T\mathbf{W})$,
#   a linear combination, a bias and a non-linear activation.
# - Sigmoid, tanh and ReLU are the common activations; their derivatives are $g(1 - g)$,
#   $1 - g^2$ and the step $\mathbb{1}[z > 0]$. The sigmoid's slope never exceeds 0.25 and both
#   sigmoid and tanh saturate for large $|z|$.
# - A single perceptron is a linear classifier: its boundary $w_0 + \mathbf{X}^T\mathbf{W} = 0$ is a line
#   (a hyperplane). The perceptron rule finds a separating line when one exists, and cannot
#   solve XOR, where none exists. Notebook 04 adds a hidden layer to do it.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — The sigmoid
#
# Write `sigmoid(z)` that returns $\sigma(z) = \frac{1}{1 + e^{-z}}$ elementwise for a NumPy array
# `z` of any shape, without a Python loop.

# %% tags=["solution"]
def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), elementwise."""
    # np.exp works on whole arrays: no loop needed
    return 1.0 / (1.0 + np.exp(-z))


# %% tags=["check"]
assert dlmi.checks.check_sigmoid(sigmoid)

# %% [markdown]
# ### Exercise 2 — The derivative of tanh
#
# Write `tanh_derivative(z)` that returns $g'(z) = 1 - g(z)^2$ with $g = \tanh$. Then find, by
# evaluating it on a fine grid of $z \ge 0$, the smallest $|z|$ at which the slope has fallen below
# 1 % of its value at 0, and store it in `z_one_percent`.

# %% tags=["solution"]
def tanh_derivative(z):
    """g'(z) = 1 − tanh(z)², elementwise."""
    g = np.tanh(z)
    return 1.0 - g**2


# the first z of a grid in steps of 0.001 where the slope is below 1 % of g'(0) = 1
z_one_percent = next(z for z in np.linspace(0, 5, 5001) if tanh_derivative(z) < 0.01)
print(f"the slope of tanh falls below 1 % of its value at 0 for |z| > {z_one_percent:.2f}")

# %% tags=["check"]
assert dlmi.checks.check_tanh_derivative(tanh_derivative)
assert dlmi.checks.check_tanh_saturation(z_one_percent)

# %% [markdown]
# ### Exercise 3 — One step of the perceptron rule
#
# Write `perceptron_update(w, w0, x, y, lr)` that predicts $\hat{y}$ for one sample `x` (shape (m,))
# with the step activation and returns the updated `(w, w0)` by the rule of section 5. Then train
# with it from `w_learned = 0`, `w0_learned = 0` and `lr = 1`: 20 epochs, each a pass over every
# sample of the separable data `X_sep, y_sep`. Store the training accuracy, a fraction between 0 and
# 1, in `accuracy`: on separable data it reaches 100 %.

# %% tags=["solution"]
def perceptron_update(w, w0, x, y, lr):
    """One step of the perceptron rule on the sample (x, y); returns the new (w, w0)."""
    y_hat = 1.0 if w0 + x @ w > 0 else 0.0
    return w + lr * (y - y_hat) * x, w0 + lr * (y - y_hat)


w_learned, w0_learned = np.zeros(2), 0.0
for epoch in range(20):
    for x_i, y_i in zip(X_sep, y_sep):
        w_learned, w0_learned = perceptron_update(w_learned, w0_learned, x_i, y_i, lr=1.0)
accuracy = np.mean((w0_learned + X_sep @ w_learned > 0) == (y_sep == 1))
print(f"training accuracy after 20 epochs: {accuracy:.0%}")

# %% tags=["check"]
assert dlmi.checks.check_perceptron_update(perceptron_update)
assert dlmi.checks.check_perceptron_training(accuracy)
