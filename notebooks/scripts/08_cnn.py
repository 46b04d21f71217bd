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
# # 08 · Convolutional neural networks
#
# Section 2.6 of Part 2: the network built for images. A convolutional layer slides a small
# filter over the image, so that it sees local patterns and reuses the same few weights
# everywhere; stacked with non-linearities and pooling, such layers learn the features that
# earlier methods had to design by hand. Notebook 09 trains one on chest radiographs.

# %% [markdown]
# ## Learning objectives
#
# - See an image as a matrix of numbers, and count why a fully connected layer does not scale to images.
# - Compute a convolution by hand and in vectorised numpy, with stride and padding, and predict the output size $(I - k + 2P)/S + 1$.
# - Read feature maps: the slides' "X" detectors, and sharpen and edge filters on a radiograph.
# - Chain convolution → ReLU → max pooling → fully connected → softmax, train such a CNN in torch, and look at what its first layer learned.
#
# ## Prerequisites
#
# Notebooks 04 (multi-layer perceptron, backpropagation) and 06–07 (optimisation, training in
# torch with `dlmi.train.fit`). NumPy indexing and slicing.

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
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from torch import nn

from dlmi.checks import expect
from dlmi.conv import KERNELS, conv2d, max_pool2d, output_size, relu, x_image
from dlmi.data import FINDINGS, simulate_chest_xrays
from dlmi.metrics import roc_auc
from dlmi.train import fit, predict, tensor_loader

# %% [markdown]
# ## 1. An image is a matrix
#
# A radiograph reaches the computer as a grid of numbers, one per pixel: here grey levels from
# 0 (black: air lets the X-rays through) to 255 (white: bone and dense tissue stop them). We use
# a *simulated* frontal chest radiograph (`dlmi.data.simulate_chest_xrays`, described in
# notebook 09), 128 × 128 pixels.

# %%
film = simulate_chest_xrays(1, size=128, images_per_patient=1, prevalence=0.0, rng=SEED + 3)
radiograph = np.round(255 * film.images[0, 0]).astype(np.uint8)  # (128, 128) grey levels
print(radiograph.shape, radiograph.dtype, radiograph.min(), radiograph.max())

# %% [markdown]
# What the computer sees of a 12 × 12 patch at the edge of the right lung, against what we see.
# Patients differ in size, so we place the patch from the image itself: it starts 4 pixels left of
# the brightest column of the chest wall (rows 50–61, left part of the film), and runs into the lung.

# %%
top, size = 50, 12
wall = int(np.argmax(radiograph[top:top + size, :48].mean(axis=0)))  # the densest column of the right chest wall
left = wall - 4
patch = radiograph[top:top + size, left:left + size]

fig, (ax_full, ax_patch) = plt.subplots(1, 2, figsize=(13, 6.2), gridspec_kw={"width_ratios": [1, 1.1]})
ax_full.imshow(radiograph, cmap="gray", vmin=0, vmax=255)
ax_full.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="tab:orange", lw=2.5))
ax_full.set(title="what we see (128 × 128 pixels)", xlabel="column (pixel)", ylabel="row (pixel)")
ax_full.grid(False)
ax_patch.imshow(patch, cmap="gray", vmin=0, vmax=255)
for (i, j), value in np.ndenumerate(patch):
    ax_patch.text(j, i, value, ha="center", va="center", fontsize=8.5, color="black" if value > 120 else "white")
ax_patch.set(title="what the computer sees: grey levels 0–255",
             xticks=range(size), yticks=range(size), xticklabels=range(left, left + size),
             yticklabels=range(top, top + size), xlabel="column (pixel)", ylabel="row (pixel)")
ax_patch.grid(False)
plt.show()

# %% tags=["check"]
assert radiograph.shape == (128, 128) and radiograph.dtype == np.uint8
assert patch.shape == (12, 12) and np.array_equal(patch, radiograph[50:62, left:left + 12])
expect(int(patch.max()) - int(patch.min()), ">", 60, what="range of grey levels in the patch")  # the patch spans chest wall and lung: very different grey levels

# %% [markdown]
# ## 2. Why not a fully connected network?
#
# The networks of notebooks 03–07 take a *vector*. Flattening the image into one gives a
# vector of $H \times W$ values, and a fully connected layer connects each of its $n$ neurons to
# all of them: $n \cdot HW + n$ parameters. With as many neurons as pixels:
#
# - no **spatial information**: the layer does not know which pixels are neighbours — shuffle
#   the pixels the same way in every image and it learns just as well (or badly);
# - **many, many parameters**, growing with the square of the number of pixels.
#
# A convolutional layer instead gives each neuron a small $k \times k$ window (**local
# connectivity**) and uses the same $k \times k$ weights at every position (**parameter
# sharing**): $F$ filters on $C$ input channels have $F(Ck^2 + 1)$ parameters, whatever the image
# size.

# %%
def dense_parameters(height, width, n_neurons):
    """Weights and biases of a fully connected layer on a flattened height × width image."""
    return n_neurons * height * width + n_neurons


def conv_parameters(in_channels, n_filters, k):
    """Weights and biases of a convolutional layer with n_filters k × k filters."""
    return n_filters * (in_channels * k * k + 1)


rows = []
for side in (64, 224):
    rows.append({"image": f"{side} × {side}", "fully connected, one neuron per pixel": dense_parameters(side, side, side * side),
                 "convolution, 16 filters 3 × 3": conv_parameters(1, 16, 3)})
pd.DataFrame(rows).set_index("image").style.format("{:,}")

# %% [markdown]
# 16.8 million parameters for a 64 × 64 image, 2.5 *billion* at 224 × 224 (DenseNet-121's
# ImageNet input size, which CheXNet used) — against 160 for sixteen 3 × 3 filters. torch's own layers agree with the formulas:

# %% tags=["check"]
count = lambda layer: sum(p.numel() for p in layer.parameters())
assert count(nn.Linear(64 * 64, 64 * 64)) == dense_parameters(64, 64, 64 * 64) == 16_781_312
assert count(nn.Conv2d(1, 16, 3)) == conv_parameters(1, 16, 3) == 160
assert dense_parameters(224, 224, 224 * 224) > 2.5e9

# %% [markdown]
# ## 3. The convolution operation
#
# A filter $\mathbf{w}$ of size $k \times k$ slides over the input; at each position the
# output is the sum of the element-wise products of the filter with the patch under it, plus
# a bias:
#
# $$z_{i,j} = b + \sum_{u=0}^{k-1} \sum_{v=0}^{k-1} w_{u,v}\; x_{iS + u,\; jS + v}.$$
#
# The **stride** $S$ is the step between positions; **padding** $P$ adds $P$ rows and columns of
# zeros around the input so that the filter can also sit on the border. Along each axis an
# input of $I$ pixels gives
#
# $$O = \frac{I - k + 2P}{S} + 1$$
#
# output pixels. When the division is not exact the windows do not tile the input: libraries
# such as torch round down and silently leave the last rows out.
# (Mathematicians would flip the filter first; deep-learning libraries do not, and call this
# cross-correlation "convolution" anyway. With learned filters it makes no difference.)
#
# The slides' example: the "↘ diagonal" filter on a patch that holds the same diagonal.
# Every product is $+1$, and the sum is 9, the best possible match.

# %%
diagonal = KERNELS["X: diagonal ↘"]
patch_x = x_image()[1:4, 1:4]  # top-left corner of the X: the ↘ diagonal
print(diagonal, patch_x, sep="\n\n")
print("element-wise products:\n", diagonal * patch_x, "\nsum =", (diagonal * patch_x).sum())

# %% [markdown]
# `dlmi.conv.conv2d` computes every output pixel at once: it takes all the $k \times k$ windows
# as a view of the padded input (`numpy.lib.stride_tricks.sliding_window_view`, no copy), then
# does the sum over channels and window as one matrix product — the *im2col* trick that
# libraries use. Output sizes follow the formula:

# %%
for I, k, S, P in [(64, 3, 1, 0), (64, 3, 1, 1), (64, 3, 2, 1), (224, 7, 2, 3)]:
    print(f"I={I:3d}, k={k}, S={S}, P={P}  →  O = ({I} − {k} + 2·{P})/{S} + 1 = {output_size(I, k, S, P)}")

try:
    output_size(6, 3, stride=2, padding=0, exact=True)
except ValueError as error:
    print("\nwindows that do not tile the input (torch would drop the last row):", error)

# %% [markdown]
# It matches torch's `conv2d` on a batch of 4 three-channel images, 8 filters, stride 2 and
# padding 1, in float32:

# %%
rng = np.random.default_rng(SEED)
x = rng.normal(size=(4, 3, 32, 32)).astype(np.float32)  # (N, C, H, W)
w = rng.normal(size=(8, 3, 3, 3)).astype(np.float32)    # (F, C, k, k)
b = rng.normal(size=8).astype(np.float32)
ours = conv2d(x, w, b, stride=2, padding=1)
theirs = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=2, padding=1).numpy()
print(ours.shape, theirs.shape, f"largest difference: {np.abs(ours - theirs).max():.1e}")

# %% tags=["check"]
assert ours.shape == (4, 8, output_size(32, 3, 2, 1), output_size(32, 3, 2, 1)) == (4, 8, 16, 16)
np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
assert (diagonal * patch_x).sum() == 9

# %% [markdown]
# ## 4. Filters detect features: the slides' "X"
#
# Three 3 × 3 filters of $\pm 1$ detect the three pieces an X is made of: the ↘ diagonal, the
# crossing, the ↙ diagonal. Convolved with the 9 × 9 X, each produces a **feature map** that is
# high (up to 9) exactly where its piece is.

# %%
X_picture = x_image()  # (9, 9): +1 on the diagonals, −1 elsewhere
names = ["X: diagonal ↘", "X: crossing", "X: diagonal ↙"]
maps = {name: conv2d(X_picture, KERNELS[name]) for name in names}  # each (7, 7)


def show_values(ax, values, fmt="{:.0f}", threshold=0.0):
    """Write each value in its cell: black on light cells, white on dark ones."""
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9, color="black" if v > threshold else "white")


fig, axes = plt.subplots(2, 4, figsize=(15, 8), layout="constrained")
axes[0, 0].imshow(X_picture, cmap="gray")
axes[0, 0].set_title("input: the X (9 × 9, ±1)")
axes[1, 0].axis("off")
for col, name in enumerate(names, start=1):
    axes[0, col].imshow(KERNELS[name], cmap="coolwarm", vmin=-1.5, vmax=1.5)
    show_values(axes[0, col], KERNELS[name], "{:+.0f}", threshold=-2)
    axes[0, col].set_title(f"filter {name[3:]}")
    axes[1, col].imshow(maps[name], cmap="magma", vmin=-9, vmax=9)
    show_values(axes[1, col], maps[name])
    axes[1, col].set_title(f"feature map: max {maps[name].max():.0f}")
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
plt.show()

# %% [markdown]
# The ↘ filter scores 9 along the ↘ diagonal of the X, the ↙ filter along the ↙ one, and the
# crossing filter in the middle: three maps that a next layer can combine into "an X is here".

# %% tags=["check"]
assert all(maps[name].shape == (7, 7) and maps[name].max() == 9 for name in names)
assert maps["X: crossing"][3, 3] == 9                                         # the centre of the X
assert [maps["X: diagonal ↘"][i, i] for i in (0, 1, 5, 6)] == [7, 9, 9, 7]  # along the ↘ diagonal
assert maps["X: diagonal ↙"][1, 5] == 9 and maps["X: diagonal ↘"][1, 5] < 9

# %% [markdown]
# ## 5. Feature maps of a radiograph
#
# Classic image filters are convolutions too. On the radiograph (as grey levels in [0, 1]):
#
# - **sharpen** $\begin{bmatrix}0&-1&0\\-1&5&-1\\0&-1&0\end{bmatrix}$ adds to each pixel its difference with its neighbours: edges stand out, flat regions keep their level (the weights sum to 1);
# - **edge detect** $\begin{bmatrix}0&1&0\\1&-4&1\\0&1&0\end{bmatrix}$ (a Laplacian) keeps only that difference: 0 on flat regions (the weights sum to 0), large at ribs, vessels and borders;
# - **"strong" edge detect** $\begin{bmatrix}-1&-1&-1\\-1&8&-1\\-1&-1&-1\end{bmatrix}$ uses the diagonal neighbours as well.
#
# An edge is a difference between neighbours, and so is pixel noise: edge filters amplify both.
# We therefore smooth the film first with a 3 × 3 **box blur** (all weights 1/9) — one more
# convolution, so the edge maps are two convolutions in a row, as in a CNN's successive layers.

# %%
image = film.images[0, 0].astype(np.float64)                  # (128, 128), in [0, 1]
smooth = conv2d(image, KERNELS["box blur"], padding=1)         # padding 1 keeps 128 × 128
filters = ["sharpen", "edge detect", "strong edge detect"]
responses = {"sharpen": conv2d(image, KERNELS["sharpen"], padding=1)}
responses |= {name: conv2d(smooth, KERNELS[name], padding=1) for name in filters[1:]}

fig, axes = plt.subplots(1, 4, figsize=(17, 4.8))
axes[0].imshow(image, cmap="gray", vmin=0, vmax=1)
axes[0].set_title("original")
axes[1].imshow(responses["sharpen"], cmap="gray", vmin=0, vmax=1)
axes[1].set_title("sharpen")
for ax, name in zip(axes[2:], filters[1:]):
    magnitude = np.abs(responses[name])[2:-2, 2:-2]  # leave out the frame where the zero padding makes edges
    ax.imshow(magnitude, cmap="gray", vmin=0, vmax=np.percentile(magnitude, 99))
    ax.set_title(f"|{name}| of the smoothed film")
for ax in axes:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
plt.show()

# %% [markdown]
# The edge maps draw the ribs, the borders of the heart and diaphragm, and the lung
# markings: the *low-level features* (lines and edges) of the slides, from which a CNN builds
# mid- and high-level ones. A CNN does not get these filters from us; it learns its own.

# %% tags=["check"]
flat = np.full((10, 10), 0.4)
assert np.allclose(conv2d(flat, KERNELS["edge detect"]), 0) and np.allclose(conv2d(flat, KERNELS["sharpen"]), 0.4)
inner = (slice(2, -2), slice(2, -2))  # away from the zero padding
expect(abs(responses["sharpen"][inner].mean() - image[inner].mean()), "<", 0.01, what="mean change made by sharpening")
expect(np.abs(responses["strong edge detect"][inner]).mean() / np.abs(responses["edge detect"][inner]).mean(), ">", 1,
       what="mean edge response, strong over plain")
# blurring first tames the noise: the Laplacian of the raw film is much larger
expect(np.abs(conv2d(image, KERNELS["edge detect"]))[inner].mean() / np.abs(responses["edge detect"][inner]).mean(), ">", 2,
       what="mean Laplacian response, raw over blurred film")

# %% [markdown]
# ## 6. A convolution explorer
#
# In the spirit of [CNN Explainer](https://poloclub.github.io/cnn-explainer/): choose a
# kernel (or type your own 3 × 3 values with "custom"), the input size, the kernel size, the
# stride and the padding, then move the window ("position", or press play). The panels show the
# padded input with the window, the kernel, the element-wise products, and the output pixel
# their sum becomes. Settings that do not fit are flagged in words: a kernel larger than the
# padded input cannot work at all (try kernel size 7 on a 4-pixel input), and a stride that does
# not tile the input leaves its last rows out (stride 2 on an 8-pixel input with a 3 × 3 kernel). Start with the X.

# %% tags=["widget"]
from dlmi.conv import convolution_step
from dlmi.widgets.convolution import ConvolutionFigure, convolution_widget

explorer = ConvolutionFigure()
convolution_widget(X_picture, kernel="X: diagonal ↘", view=explorer);

# %% [markdown]
# The explorer draws with `convolution_step`, a plain function, so we can ask it the same
# questions directly: the window at output pixel (1, 1) of the X with the ↘ filter, and an
# impossible stride.

# %% tags=["check"]
step = convolution_step(X_picture, KERNELS["X: diagonal ↘"], position=8)  # row 1, column 1 of a 7 × 7 output
assert (step.row, step.col) == (1, 1) and step.value == 9 == maps["X: diagonal ↘"][1, 1]
assert np.array_equal(step.products, step.window * KERNELS["X: diagonal ↘"])
bad = convolution_step(np.zeros((8, 8)), np.ones((3, 3)), stride=2)
assert bad.output is None and "does not tile" in bad.problem

# %% [markdown]
# ## 7. Non-linearity and pooling
#
# After the convolution comes a non-linearity, usually the **ReLU** $\max(0, z)$: it keeps the
# places where a filter responded positively. Then **max pooling** downsamples each feature map
# by keeping the largest value of each $2 \times 2$ window (stride 2): a quarter of the values,
# and some tolerance to small shifts — the detector fired *somewhere here*.

# %%
edges = conv2d(smooth, KERNELS["strong edge detect"], padding=1)  # (128, 128)
rectified = relu(edges)
pooled = max_pool2d(rectified, 2)                                 # (64, 64)
pooled_twice = max_pool2d(pooled, 2)                              # (32, 32)

fig, axes = plt.subplots(1, 4, figsize=(17, 4.6))
for ax, (title, values) in zip(axes, [("convolution (128 × 128)", edges), ("ReLU (128 × 128)", rectified),
                                      ("max pool 2 × 2 (64 × 64)", pooled), ("max pool again (32 × 32)", pooled_twice)]):
    ax.imshow(values, cmap="magma", vmin=np.percentile(values, 1), vmax=np.percentile(values, 99))
    ax.set(title=title, xticks=[], yticks=[])
    ax.grid(False)
plt.show()

# %% [markdown]
# The bright frame is an artefact of zero padding: at the border the filter compares the
# image with the zeros around it, and sees an edge that is not in the patient.

# %% tags=["check"]
assert pooled.shape == (64, 64) and pooled_twice.shape == (32, 32) and rectified.min() == 0
assert pooled[10, 20] == rectified[20:22, 40:42].max()
np.testing.assert_array_equal(pooled, F.max_pool2d(torch.from_numpy(rectified)[None, None], 2)[0, 0].numpy())

# %% [markdown]
# ## 8. A CNN for classification
#
# The slides' pipeline: **feature learning** by (convolution → ReLU → pooling) blocks, then
# **classification** by a fully connected layer whose outputs a softmax turns into class
# probabilities,
#
# $$\mathrm{softmax}(y_i) = \frac{e^{y_i}}{\sum_j e^{y_j}}.$$
#
# The task: tell three kinds of simulated radiographs apart — **normal**, **cardiomegaly** (an
# enlarged heart) and **effusion** (fluid at a lung base) — at 32 × 32 pixels, small enough to
# train in seconds on a laptop CPU. We keep the images with at most one of the two findings, so
# that the classes exclude each other (softmax, one class per image).

# %%
prevalence = {name: 0.0 for name in FINDINGS} | {"Cardiomegaly": 0.3, "Effusion": 0.3}
films = simulate_chest_xrays(dlmi.pick(full=1100, fast=500), size=32, images_per_patient=1,
                             prevalence=prevalence, label_noise=0.0, rng=SEED, with_masks=False)
cardiomegaly, effusion = films.true_labels[:, FINDINGS.index("Cardiomegaly")], films.true_labels[:, FINDINGS.index("Effusion")]
keep = cardiomegaly + effusion <= 1
classes = ["normal", "cardiomegaly", "effusion"]
y_all = np.where(cardiomegaly == 1, 1, np.where(effusion == 1, 2, 0))[keep]  # class index 0, 1, 2
X_all = films.images[keep]                                                    # (N, 1, 32, 32)
n_train = int(0.7 * len(y_all))
train_mean, train_sd = X_all[:n_train].mean(), X_all[:n_train].std()
X_all = (X_all - train_mean) / train_sd  # standardised with the training images' statistics only
print(f"{len(y_all)} images ({n_train} to train, {len(y_all) - n_train} to validate); per class:",
      dict(zip(classes, np.bincount(y_all).tolist())))

fig, axes = plt.subplots(1, 6, figsize=(16, 3.2))
for ax, i in zip(axes, [*np.flatnonzero(y_all == 0)[:2], *np.flatnonzero(y_all == 1)[:2], *np.flatnonzero(y_all == 2)[:2]]):
    ax.imshow(X_all[i, 0], cmap="gray")
    ax.set(title=classes[y_all[i]], xticks=[], yticks=[])
    ax.grid(False)
plt.show()

# %% [markdown]
# Three blocks halve the image three times (32 → 16 → 8 → 4) while the number of feature maps
# grows (8 → 16 → 32); the last maps are flattened into 32 · 4 · 4 = 512 features for the
# fully connected layer. `nn.CrossEntropyLoss` applies the softmax and the log-loss in one
# numerically safe step, so the network itself outputs the scores $y_i$ (logits).

# %%
dlmi.seed_everything(SEED)
cnn = nn.Sequential(
    nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),    # (8, 16, 16)
    nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # (16, 8, 8)
    nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (32, 4, 4)
    nn.Flatten(),                                                             # 512 features
    nn.Linear(32 * 4 * 4, 3),                                                 # 3 class scores
)
print(cnn)
print(f"{sum(p.numel() for p in cnn.parameters()):,} parameters")

# %%
def accuracy(y_true, y_out):
    """Share of images whose highest score is their class."""
    return float((y_out.argmax(axis=1) == y_true).mean())


train_loader = tensor_loader(X_all[:n_train], y_all[:n_train], batch_size=32, shuffle=True, rng=SEED,
                             y_dtype=torch.long)
val_loader = tensor_loader(X_all[n_train:], y_all[n_train:], batch_size=256, y_dtype=torch.long)
history = fit(cnn, train_loader, val_loader, loss_fn=nn.CrossEntropyLoss(),
              optimizer=torch.optim.Adam(cnn.parameters(), lr=2e-3), epochs=15,
              metrics={"accuracy": accuracy}, device=dlmi.get_device(), progress=False)
history.plot(title="3-class CNN")
plt.show()

# %%
scores, y_val = predict(cnn, val_loader)
probabilities = torch.softmax(torch.from_numpy(scores), dim=1).numpy()  # each row sums to 1
auc = roc_auc(np.eye(3)[y_val], probabilities)                          # one class against the others
majority = np.bincount(y_val).max() / len(y_val)
print(f"validation accuracy {accuracy(y_val, scores):.3f} (always guessing 'normal': {majority:.3f})")
print("one-vs-rest AUC:", dict(zip(classes, auc.round(3).tolist())))
print("softmax of the first validation image:", dict(zip(classes, probabilities[0].astype(float).round(3).tolist())),
      "— truth:", classes[y_val[0]])

# %% tags=["check"]
assert np.allclose(probabilities.sum(axis=1), 1)
expect(accuracy(y_val, scores) - majority, ">", 0.15, what="validation accuracy above the majority guess")
expect(auc.min(), ">", 0.85, what="lowest one-vs-rest AUC")

# %% [markdown]
# ## 9. What did the network learn?
#
# The 8 filters of the first layer are 3 × 3 weights like the ones we designed by hand in
# section 5; their feature maps on one radiograph show what each responds to.

# %%
filters_learned = cnn[0].weight.detach().cpu().numpy()[:, 0]  # (8, 3, 3)
example = torch.from_numpy(X_all[n_train:n_train + 1]).to(dlmi.get_device())
with torch.no_grad():
    feature_maps = cnn[1](cnn[0](example))[0].cpu().numpy()  # after conv and ReLU: (8, 32, 32)

fig, axes = plt.subplots(2, 9, figsize=(18, 5), layout="constrained")
axes[0, 0].imshow(X_all[n_train, 0], cmap="gray")
axes[0, 0].set_title("input")
axes[1, 0].axis("off")
bound = np.abs(filters_learned).max()
for f in range(8):
    axes[0, f + 1].imshow(filters_learned[f], cmap="coolwarm", vmin=-bound, vmax=bound)
    axes[0, f + 1].set_title(f"filter {f + 1}")
    axes[1, f + 1].imshow(feature_maps[f], cmap="magma")
    axes[1, f + 1].set_title(f"map {f + 1}")
for ax in axes.flat:
    ax.set(xticks=[], yticks=[])
    ax.grid(False)
fig.suptitle("first layer: learned 3 × 3 filters (top, blue < 0 < red) and their feature maps after ReLU (bottom)")
plt.show()

# %% [markdown]
# At 32 pixels the filters mostly learned to sort tissues by brightness: mostly negative weights
# fire on the dark lungs, mostly positive ones on the dense heart, mediastinum and diaphragm —
# exactly what the heart's width and a fluid-filled base change; mixed signs add a little edge
# sensitivity. Nothing told them to: gradient descent on the classification loss alone shaped
# them, and the next layers combine these maps into larger patterns.

# %% tags=["check"]
assert filters_learned.shape == (8, 3, 3) and feature_maps.shape == (8, 32, 32) and feature_maps.min() >= 0
expect((feature_maps.reshape(8, -1).max(axis=1) > 0).sum(), ">=", 4, what="first-layer filters that respond somewhere")  # most filters respond somewhere

# %% [markdown]
# ## Summary
#
# - An image is a matrix of numbers; flattened into a vector for a fully connected layer it loses
#   its spatial structure and needs a number of weights that grows with the square of its pixels.
# - A convolutional layer connects each output to a $k \times k$ window (local connectivity) and
#   reuses the same filter everywhere (parameter sharing): $F(Ck^2+1)$ parameters for any image size.
# - Convolution = sliding sum of element-wise products; with stride $S$ and padding $P$ the output
#   has $(I - k + 2P)/S + 1$ pixels per axis. Our vectorised `conv2d` matches torch's.
# - Filters turn an image into feature maps: designed ones (X detectors, sharpen, edges) or, in a
#   CNN, learned ones.
# - A CNN chains convolution → ReLU → pooling blocks (feature learning), then a fully connected
#   layer and a softmax (classification); trained end to end, it learns its own filters.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — Output size
#
# Write `conv_output_size(I, k, S, P)` that returns the number of output pixels along one axis
# for an input of `I` pixels, a `k`-pixel kernel, stride `S` and padding `P` (rounded down, as
# torch does). Then use it: how many pixels does the 7 × 7, stride-2, padding-3 stem of
# DenseNet-121 leave of a 224-pixel radiograph?

# %% tags=["solution"]
def conv_output_size(I, k, S, P):
    """Pixels along one axis after a convolution: floor((I − k + 2P) / S) + 1."""
    # integer division rounds down: windows that would stick out are not used
    return (I - k + 2 * P) // S + 1


# %% tags=["check"]
assert dlmi.checks.check_output_size(conv_output_size)
print("DenseNet-121's stem turns 224 pixels into", conv_output_size(224, 7, 2, 3))

# %% [markdown]
# ### Exercise 2 — Convolution with two loops
#
# Write `conv2d_loops(image, kernel, stride=1, padding=0)` for one (H, W) image and one
# (k, k) kernel, with two `for` loops over the output pixels: pad the image with zeros, then
# for each output pixel take the window under the kernel and sum the element-wise products.
# Do not flip the kernel.

# %% tags=["solution"]
def conv2d_loops(image, kernel, stride=1, padding=0):
    """2D cross-correlation of one image by one square kernel, one output pixel at a time."""
    padded = np.pad(image, padding)
    k = kernel.shape[0]
    out_h = (padded.shape[0] - k) // stride + 1
    out_w = (padded.shape[1] - k) // stride + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            # the window of output (i, j) starts at row i·S, column j·S of the padded image
            window = padded[i * stride:i * stride + k, j * stride:j * stride + k]
            out[i, j] = np.sum(window * kernel)
    return out


# %% tags=["check"]
assert dlmi.checks.check_conv2d(conv2d_loops)

# %% [markdown]
# ### Exercise 3 — Max pooling
#
# Write `max_pool(image, size)` that keeps the largest value of each non-overlapping
# `size` × `size` window of one (H, W) image (stride = size; rows and columns that do not fill a
# whole window are dropped). Hint: crop, then `reshape` to (H/size, size, W/size, size) and take
# the max over axes 1 and 3.

# %% tags=["solution"]
def max_pool(image, size):
    """Max over non-overlapping size × size windows; the incomplete last rows and columns are dropped."""
    h, w = image.shape[0] // size, image.shape[1] // size
    blocks = image[:h * size, :w * size].reshape(h, size, w, size)  # blocks[i, :, j, :] is window (i, j)
    return blocks.max(axis=(1, 3))


# %% tags=["check"]
assert dlmi.checks.check_max_pool(max_pool)
