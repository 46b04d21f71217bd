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
# # 09 · Chest radiograph classification, like CheXNeXt
#
# Section 2.7 of Part 2, first example: *Deep learning for chest radiograph diagnosis*
# (Rajpurkar et al., PLoS Medicine 2018). A DenseNet learns 14 findings at once from
# radiographs whose labels were mined from reports; it is compared with a reference by AUC with
# bootstrap confidence intervals, and its class activation maps show where it looks. We redo
# every step on simulated radiographs whose truth we know — including where each lesion is.

# %% [markdown]
# ## Learning objectives
#
# - Describe ChestX-ray14 and what a simulator can and cannot stand in for; split data **by patient** and show what an image-level split leaks.
# - Train a multi-label CNN (14 sigmoid outputs, binary cross-entropy) of the DenseNet family, with early stopping on the tuning set's mean AUC.
# - Compute AUCs with bootstrap confidence intervals, compare two models on the same replicates with Bonferroni-corrected intervals, and read a Table 1 like the paper's.
# - Ask whether a predicted probability means what it says: reliability diagrams, the Brier score and the expected calibration error; recalibrate with temperature scaling fitted on the tuning set, and see why the AUC cannot tell.
# - Compare learned features with hand-crafted ones, measure what label noise costs, and score class activation maps against the true lesions.
#
# ## Prerequisites
#
# Notebook 08 (convolution, pooling, a CNN in torch) and notebook 07 (`dlmi.train.fit`, early
# stopping). The ROC curve and its AUC from notebook 02.

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
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from dlmi.calibration import TemperatureScaling
from dlmi.checks import expect
from dlmi.data import FINDINGS, assert_no_patient_overlap, load_medmnist, patient_split, simulate_chest_xrays
from dlmi.features import chest_features
from dlmi.interpret import class_activation_map, localisation_table
from dlmi.metrics import (auc_comparison_table, bootstrap_ci, brier_score, expected_calibration_error, mean_auc,
                          paper_table, roc_auc, roc_curve)
from dlmi.models import DenseNetSmall, count_parameters, densenet121
from dlmi.train import EarlyStopping, fit, predict, tensor_loader
from dlmi.viz import reliability_diagram, show_chest_xrays

# %% [markdown]
# **Which data.** `DATA = "simulated"` uses the simulator. To run the same notebook on real
# radiographs, set `DATA` to the path of a MedMNIST chest file — `chestmnist.npz` (ChestX-ray14
# itself, 14 labels, 28 × 28) or `pneumoniamnist.npz` (one label) — that you downloaded
# yourself (https://medmnist.com; `dlmi.data.load_medmnist` says how if the file is missing).
# Real files carry no truth beyond their labels, so the sections that need it (label noise,
# localisation, the leaky split) say so and skip.

# %%
DATA = "simulated"  # or e.g. "../data/chestmnist.npz"
SIMULATED = DATA == "simulated"

# %% [markdown]
# ## 1. The data card: ChestX-ray14 and its stand-in
#
# CheXNeXt was developed on **ChestX-ray14** (Wang et al., 2017): 112,120 frontal radiographs of
# 30,805 patients from one hospital, each with 14 binary labels mined from its radiology report
# by natural-language processing — so some labels are wrong. Its validation set, 420 images
# with at least 50 cases of each finding, was relabelled by three thoracic radiologists (majority
# vote), and the model was scored against that consensus.
#
# ChestX-ray14 cannot be downloaded here, so we draw *simulated* radiographs with
# `dlmi.data.simulate_chest_xrays`. What it reproduces, and what it does not:

# %%
card = pd.DataFrame(
    {
        "ChestX-ray14 (CheXNeXt)": [
            "112,120 frontal radiographs", "30,805 (3.6 films each on average, many more for some)",
            "14 findings, mined from reports (NLP): noisy",
            "validation: 3 radiologists' majority vote (420 images)",
            "1024 × 1024, downscaled for the network", "PA and AP",
            "0.2 % (hernia) to 17.7 % (infiltration)", "yes (effusion with cardiomegaly, …)",
            "984 boxes, 8 findings", "real anatomy, real diseases, one hospital"],
        "this notebook's simulator": [
            "any number (here a few thousand)", "1 to 3 films each; chronic findings persist",
            "the same 14, mined from the truth with ~3 % errors (label_noise)",
            "the true labels themselves, known exactly",
            "64 × 64 here (any size ≥ 32)", "PA and AP (AP magnifies the heart; bedside films for acute findings)",
            "ChestX-ray14's by default; 12 % each here, like a curated set", "yes, the same pairs",
            "a mask for every finding of every image", "drawn: each sign from a simple radiological rule"],
    },
    index=["images", "patients", "labels", "reference standard", "image size", "views", "prevalence",
           "co-occurring findings", "lesion locations", "realism"],
)
card

# %% [markdown]
# With ChestX-ray14's prevalences a few thousand images would hold a handful of hernias, so,
# like the paper's curated validation set, we ask for 12 % of every finding. Films are 64 × 64
# pixels to train on a laptop CPU (fewer films in fast mode), 128 × 128 when a GPU is there.

# %%
device = dlmi.get_device()
n_patients = dlmi.pick(full=1200, fast=800)
if SIMULATED:
    start = time.perf_counter()
    size = 128 if device.type == "cuda" else 64  # a GPU trains DenseNet-121 on larger films
    data = simulate_chest_xrays(n_patients, size=size, prevalence=0.12, label_noise=0.03, rng=SEED)
    findings = list(FINDINGS)
    images, labels, true_labels, patient_ids = data.images, data.labels, data.true_labels, data.patient_ids
    print(data, f"— simulated in {time.perf_counter() - start:.1f} s")
else:
    parts = {split: load_medmnist(DATA, split) for split in ("train", "val", "test")}
    images = np.concatenate([parts[s][0] for s in parts])[:, None].astype(np.float32) / 255
    labels = np.concatenate([parts[s][1].reshape(len(parts[s][1]), -1) for s in parts]).astype(np.uint8)
    true_labels = None
    patient_ids = None  # MedMNIST ships no patient ids: we keep its official splits below
    chestmnist = ["Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia",
                  "Pneumothorax", "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural thickening", "Hernia"]
    findings = chestmnist if labels.shape[1] == 14 else ["Pneumonia"]
    print(f"{DATA}: {len(images)} images of {images.shape[-1]} × {images.shape[-1]}, labels {findings}")
# CheXNeXt's DenseNet-121 where a GPU is present and the films are large enough for it
chexnext = device.type == "cuda" and images.shape[-1] >= 128


# %%
if SIMULATED:
    show_chest_xrays(data, idx=[0, 1, 2, 3, 5, 8, 13, 21], ncols=4)
    plt.show()
    display(data.prevalence().round(3).T)

# %% [markdown]
# Each film lists its true findings, outlined in the colour of their mask; below in red, what
# the mined label got wrong ("missed", "false"). The prevalence table shows both label sets: the
# mined one is right on about 97 % of (image, finding) entries.

# %% tags=["check"]
assert images.ndim == 4 and images.shape[1] == 1 and labels.shape == (len(images), len(findings))
if SIMULATED:
    expect(len(images) / n_patients, ">", 1.8, what="films per patient")  # 1 to 3 films per patient: 2 on average
    expect(len(images) / n_patients, "<", 2.2, what="films per patient ")
    # the prevalence asked for, within sampling noise: each finding's error in standard errors of a
    # proportion over n_patients (films of one patient share findings, so fewer than the films)
    standard_error = np.sqrt(0.12 * 0.88 / n_patients)
    expect(np.abs(true_labels.mean(axis=0) - 0.12).max() / standard_error, "<", 4,
           what="largest prevalence error, in standard errors")
    expect((labels != true_labels).mean(), ">", 0.01, what="share of wrong labels")  # about 3 % of labels wrong
    expect((labels != true_labels).mean(), "<", 0.05, what="share of wrong labels ")

# %% [markdown]
# ## 2. Splitting by patient
#
# CheXNeXt used three sets: **training** (to fit the weights), **tuning** (to choose networks
# and when to stop) and **validation** (to report), "with no patient overlap". Films of one
# patient share anatomy and chronic findings; a patient on both sides would let a model score by
# recognising *people* instead of diseases. `patient_split` deals out whole patients and keeps
# each finding's share in every part.

# %%
if SIMULATED:
    train, tune, valid = patient_split(patient_ids, labels, (0.7, 0.1, 0.2), rng=SEED)
    assert_no_patient_overlap(train, tune, valid, patient_ids=patient_ids)
else:  # MedMNIST's own training, validation and test splits
    sizes = np.cumsum([len(parts[s][0]) for s in parts])
    train, tune, valid = np.arange(sizes[0]), np.arange(sizes[0], sizes[1]), np.arange(sizes[1], sizes[2])
pd.DataFrame({"images": [len(train), len(tune), len(valid)],
              "patients": [len(np.unique(patient_ids[p])) if SIMULATED else "?" for p in (train, tune, valid)]},
             index=["training", "tuning", "validation"])

# %% [markdown]
# What an image-level split leaks: shuffle the *images* instead, and many validation films have
# a sibling — a film of the same patient — in training, with the same anatomy and the same
# chronic findings (cardiomegaly, emphysema, fibrosis, hernia, mass, nodule, pleural
# thickening). Deep networks can recognise a patient from a chest radiograph almost perfectly
# (Packhäuser et al., *Scientific Reports* 2022, on ChestX-ray14); a network that does so can
# simply recall that patient's labels. We measure the leak with exactly that model — a
# *patient recogniser* that answers, for a film of a patient it has seen, the mean training
# label of that patient, and the training prevalence otherwise — scored on the chronic findings.

# %%
if SIMULATED:
    rng = np.random.default_rng(SEED)
    shuffled = rng.permutation(len(images))
    leaky_train, leaky_valid = shuffled[:len(train) + len(tune)], shuffled[len(train) + len(tune):]
    shared = np.intersect1d(patient_ids[leaky_train], patient_ids[leaky_valid])
    siblings = np.isin(patient_ids[leaky_valid], shared)
    print(f"image-level split: {len(shared)} patients on both sides; "
          f"{siblings.mean():.0%} of the validation films have a sibling in training")

    chronic = [findings.index(f) for f in ("Cardiomegaly", "Emphysema", "Fibrosis", "Hernia", "Mass", "Nodule",
                                             "Pleural thickening")]

    def patient_recogniser_auc(fit_on, score_on):
        """Mean AUC (true labels, chronic findings) of a model that recalls the labels of patients it has seen."""
        seen = pd.DataFrame(labels[fit_on][:, chronic]).groupby(patient_ids[fit_on]).mean()
        guesses = seen.reindex(patient_ids[score_on]).fillna(seen.mean()).to_numpy()
        return mean_auc(true_labels[score_on][:, chronic], guesses)

    leak = {"image-level split (leaky)": patient_recogniser_auc(leaky_train, leaky_valid),
            "patient-level split": patient_recogniser_auc(np.r_[train, tune], valid)}
    print({name: round(value, 3) for name, value in leak.items()})

# %% [markdown]
# On the leaky split the recogniser looks like an excellent radiologist on the chronic findings,
# without looking at a single lesion; on the patient-level split it is at chance (0.5) by construction
# — for a new patient it can only answer the training prevalence — which is what it is worth on
# new patients. Any model that can recognise people is flattered the same
# way by an image-level split, by an amount we cannot know in advance: only the patient-level
# score says how it would do in the clinic.

# %% tags=["check"]
if SIMULATED:
    assert_no_patient_overlap(train, tune, valid, patient_ids=patient_ids)
    expect(siblings.mean(), ">", 0.2, what="validation films with a sibling in training (leaky split)")
    expect(leak["image-level split (leaky)"], ">", 0.8, what="patient recogniser's AUC, leaky split")
    assert abs(leak["patient-level split"] - 0.5) < 1e-9  # a patient-level split leaves it nothing to recall
assert len(np.intersect1d(train, valid)) == 0 and len(train) > len(valid) > len(tune) / 2

# %% [markdown]
# ## 3. Multi-label learning with a DenseNet
#
# A film can show several findings at once, so the network has **14 outputs**, each through its
# own sigmoid $\hat{y}_k = \sigma(z_k)$ — not a softmax, which would make them compete. The loss
# is the binary cross-entropy averaged over the 14 findings (and over the images):
#
# $$L = -\frac{1}{14}\sum_{k=1}^{14} \left[ y_k \log \hat{y}_k + (1 - y_k) \log(1 - \hat{y}_k) \right].$$
#
# `nn.BCEWithLogitsLoss` computes it from the logits $z_k$ directly (numerically safer):

# %%
z = torch.tensor([[2.0, -1.0, 0.0]])
y = torch.tensor([[1.0, 0.0, 1.0]])
by_hand = -(y * torch.log(torch.sigmoid(z)) + (1 - y) * torch.log(1 - torch.sigmoid(z))).mean()
print(f"BCE by hand {by_hand.item():.4f} = nn.BCEWithLogitsLoss {nn.BCEWithLogitsLoss()(z, y).item():.4f}")

# %% [markdown]
# CheXNeXt's network is a **121-layer DenseNet** (Huang et al., 2017). In a *dense block*, every
# layer receives the feature maps of all earlier layers of the block, concatenated, and adds
# `growth_rate` new maps; *transitions* (1 × 1 convolution, 2 × 2 average pooling) shrink the
# maps between blocks. DenseNet-121 has blocks of 6, 12, 24 and 16 layers with growth rate 32. We
# build it (`dlmi.models.densenet121`) and count its parameters:

# %%
chexnext_net = densenet121(in_channels=1, n_outputs=14)
small_net = DenseNetSmall(in_channels=1, n_outputs=len(findings))
print(f"DenseNet-121, 14 outputs:  {count_parameters(chexnext_net):>9,} parameters "
      f"({sum(isinstance(m, nn.Conv2d) for m in chexnext_net.modules())} convolutions + 1 linear layer)")
print(f"DenseNet-121, ImageNet:    {count_parameters(densenet121(in_channels=3, n_outputs=1000)):>9,} parameters")
print(f"DenseNetSmall (ours):      {count_parameters(small_net):>9,} parameters, 2 blocks of 4 layers, growth rate 16")

# %% [markdown]
# Seven million weights need a GPU and far more than a few thousand films; on a CPU we train
# `DenseNetSmall` — the same dense blocks and transition, 60 times smaller. When a GPU is
# present (`dlmi.get_device()`), the notebook trains DenseNet-121 itself, unchanged.

# %% tags=["check"]
assert abs(by_hand.item() - nn.BCEWithLogitsLoss()(z, y).item()) < 1e-6
assert count_parameters(densenet121(in_channels=3, n_outputs=1000)) == 7_978_856  # torchvision's figure
assert 6.9e6 < count_parameters(chexnext_net) < 7.0e6
assert count_parameters(small_net) < count_parameters(chexnext_net) / 50

# %% [markdown]
# ## 4. Training, with early stopping on the tuning AUC
#
# As in the paper, the network learns from the **mined** labels (they are all a large data set
# has), and the tuning set decides when to stop: after each epoch we compute the mean AUC over
# the 14 findings on the tuning films, and keep the weights of the best epoch.
# Inputs are standardised with the training set's mean and standard deviation.

# %%
mean, std = images[train].mean(), images[train].std()
X = (images - mean) / std


def loader(index, target, shuffle=False):
    return tensor_loader(X[index], target[index].astype(np.float32), batch_size=32 if shuffle else 256,
                         shuffle=shuffle, rng=SEED)


dlmi.seed_everything(SEED)
model = densenet121(1, len(findings)) if chexnext else DenseNetSmall(1, len(findings))
start = time.perf_counter()
history = fit(model, loader(train, labels, shuffle=True), loader(tune, labels),
              loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), lr=3e-3),
              epochs=dlmi.pick(full=14, fast=6), metrics={"auc": mean_auc},
              early_stopping=EarlyStopping("val_auc", mode="max", patience=4), device=device, progress=False)
print(f"{type(model).__name__} trained on {device} in {time.perf_counter() - start:.0f} s; {history.status}; "
      f"best tuning AUC {max(history['val_auc']):.3f} at epoch {history.best_epoch}")
history.plot(title=f"{type(model).__name__}, 14 findings")
plt.show()

# %% tags=["check"]
tune_scores, _ = predict(model, loader(tune, labels))  # early stopping kept the best epoch's weights
assert abs(mean_auc(labels[tune], tune_scores) - max(history["val_auc"])) < 1e-6
expect(max(history["val_auc"]), ">", dlmi.pick(full=0.72, fast=0.6), what="best tuning mean AUC")
expect(history["train_loss"][-1] / history["train_loss"][0], "<", 1, what="last over first training loss")

# %% [markdown]
# ## 5. AUC per finding, with bootstrap confidence intervals
#
# The **AUC** is the probability that a random film with the finding scores higher than a
# random film without it (ties count ½): 0.5 is chance, 1 a perfect ranking. `dlmi.metrics.roc_auc`
# computes it from ranks, for all 14 columns at once:
#
# $$\mathrm{AUC} = \frac{R_+ - n_+(n_+ + 1)/2}{n_+\, n_-},$$
#
# with $R_+$ the sum of the positive films' ranks among all scores. We score the validation
# films against their **true** labels — the simulator's stand-in for the radiologists' consensus.

# %%
scores, _ = predict(model, loader(valid, labels))
reference = true_labels if SIMULATED else labels
y_valid = reference[valid]
cnn_auc = roc_auc(y_valid, scores)

fig, ax = plt.subplots(figsize=(7, 6))
for k in np.argsort(cnn_auc)[[-1, len(findings) // 2, 0]] if len(findings) > 2 else range(len(findings)):
    fpr, tpr, _ = roc_curve(y_valid[:, k], scores[:, k])
    ax.plot(fpr, tpr, label=f"{findings[k]} (AUC {cnn_auc[k]:.3f})")
ax.plot([0, 1], [0, 1], "--", color="grey", label="chance (AUC 0.5)")
ax.set(xlabel="false-positive rate (1 − specificity)", ylabel="true-positive rate (sensitivity)",
       title="ROC curves on the validation films: best, median, worst finding")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# How sure are these numbers? The paper's answer is the **nonparametric bootstrap**: draw
# 10,000 resamples of the validation films with replacement, recompute every AUC on each, and
# report the 2.5th and 97.5th percentiles. `bootstrap_ci` does all the replicates at once (about
# a second for 14 findings; `benchmarks/bootstrap.py`). A resample in which a finding has no
# positive film has no AUC for it; such replicates are dropped from that finding's percentiles
# and counted.

# %%
n_boot = dlmi.pick(full=10_000, fast=2_000)
cnn_ci = bootstrap_ci(roc_auc, y_valid, scores, n_boot=n_boot, alpha=0.05, rng=SEED)
pd.DataFrame({"AUC": cnn_ci.estimate, "95% CI low": cnn_ci.low, "95% CI high": cnn_ci.high,
              "positives": y_valid.sum(axis=0).astype(int), "dropped replicates": cnn_ci.n_dropped},
             index=pd.Index(findings, name="finding")).round(3)

# %% tags=["check"]
assert np.allclose(cnn_auc, [roc_auc_score(y_valid[:, k], scores[:, k]) for k in range(len(findings))], atol=1e-12)
assert np.all(cnn_ci.low <= cnn_ci.estimate) and np.all(cnn_ci.estimate <= cnn_ci.high)
expect((cnn_ci.high - cnn_ci.low).max(), "<", 0.35, what="widest 95 % interval")
# better than chance beyond sampling noise: the 95 % interval of the mean AUC over the findings
mean_auc_low = np.percentile(np.nanmean(cnn_ci.replicates, axis=1), 2.5)
expect(mean_auc_low, ">", 0.5, what="lower end of the mean AUC's 95 % interval")
if not dlmi.fast_mode():  # no finding is worse than chance beyond sampling noise (subtle ones may sit near 0.5)
    expect(cnn_ci.high.min(), ">", 0.5, what="lowest upper end of the findings' 95 % intervals")

# %% [markdown]
# **Films or patients?** The paper's validation set had one film per patient. Ours has about
# two, and a patient's films share chronic findings, so they are not independent: resampling
# films counts each patient about twice and narrows the intervals. A **cluster bootstrap**
# resamples *patients*, each bringing all their films (`groups=` the patient ids):

# %% tags=["check"]
if SIMULATED:
    patient_ci = bootstrap_ci(roc_auc, y_valid, scores, n_boot=n_boot, alpha=0.05, rng=SEED,
                              groups=patient_ids[valid])
    widening = (patient_ci.high - patient_ci.low).mean() / (cnn_ci.high - cnn_ci.low).mean()
    # the films of a patient share their chronic findings: for these, the film-level bootstrap is too optimistic
    chronic_widening = (patient_ci.high - patient_ci.low)[chronic].mean() / (cnn_ci.high - cnn_ci.low)[chronic].mean()
    print(f"{len(valid)} films of {len(np.unique(patient_ids[valid]))} patients: resampling patients widens "
          f"the 95 % intervals by {100 * (widening - 1):.0f} % on average, "
          f"{100 * (chronic_widening - 1):.0f} % for the chronic findings")
    expect(chronic_widening, ">", 1, what="patient over film interval width, chronic findings")

# %% [markdown]
# ## 6. Is the CNN's 0.8 an 80 % chance? Calibration
#
# The AUC says how well the network *ranks* the films. A radiologist reading "effusion: 0.8" wants
# more: that among the films it gives 0.8, about 80 % have an effusion. Probabilities that mean what
# they say are **calibrated**. The network's are $\hat p = \sigma(z)$, the sigmoid of its logits
# $z$; are they?
#
# The **reliability diagram** answers by binning: cut $[0, 1]$ into $B$ bins and, in each bin $b$,
# plot the share of films that have the finding, $\bar y_b$, against their mean predicted
# probability, $\bar p_b$. Calibrated probabilities lie on the diagonal. Two numbers sum it up:
# the **Brier score** $\frac1n \sum_i (\hat p_i - y_i)^2$, the mean squared error of the
# probabilities (0 is perfect; always answering the prevalence $\pi$ scores $\pi(1 - \pi)$), and
# the **expected calibration error**, the gap to the diagonal weighted by how many of the $n$ films
# each bin holds:
#
# $$\mathrm{ECE} = \sum_{b=1}^{B} \frac{n_b}{n}\, \bigl| \bar y_b - \bar p_b \bigr|.$$
#
# On finite data even perfect probabilities have an ECE above 0: each bin's share of positives
# carries sampling noise, the more so the fewer films it holds.

# %% [markdown]
# **Why the AUC cannot see it.** The AUC counts pairs — a film with the finding against one
# without — and asks which scores higher. Any strictly increasing function $g$ keeps every pair in
# order, so $\mathrm{AUC}(g(s)) = \mathrm{AUC}(s)$: a network that says 0.27 where it means 0.8
# has the same AUC. Recalibration uses the same property the other way round: it changes the
# probabilities and never the ranking.
#
# **Temperature scaling** (Guo et al., *On calibration of modern neural networks*, ICML 2017)
# divides the logits by one learned temperature $T > 0$,
#
# $$\hat p = \sigma(z / T),$$
#
# $T > 1$ softening over-confident probabilities, $T < 1$ sharpening timid ones. $T$ minimises the
# cross-entropy of the **tuning** films, which the network did not train on; the validation films
# stay untouched, to judge the result (`dlmi.calibration.TemperatureScaling`, a scikit-learn-style
# estimator). The tuning films carry the mined labels, as for early stopping.
#
# **One $T$, or one per finding?** A shared $T$ draws on the tuning labels of all 14 findings at
# once, but it can only stretch every finding alike. The findings differ: the network grows sure of a
# sign it learnt early and stays timid on a subtle one, and one temperature splits the difference.
# Fourteen temperatures are fourteen parameters, each fitted on every tuning film (20 to 30 of them
# with the finding): few enough to estimate. We fit both and compare them on the validation films.

# %%
tune_logits, _ = predict(model, loader(tune, labels))
per_finding = TemperatureScaling().fit(tune_logits, labels[tune])  # one T per finding (column)
shared_T = TemperatureScaling(shared=True).fit(tune_logits, labels[tune])  # one T for all 14
p_before = expit(scores)  # σ(z): the validation films' probabilities as trained
p_after = per_finding.predict_proba(scores)  # σ(z / T), T fitted on the tuning films only
versions = {"σ(z), as trained": p_before, "σ(z / T), one shared T": shared_T.predict_proba(scores),
            "σ(z / T), one T per finding": p_after, "σ(z) / 3: same ranking": p_before / 3}
print(f"shared T = {shared_T.temperature_:.2f}; per finding, T from {per_finding.temperature_.min():.2f} "
      f"to {per_finding.temperature_.max():.2f}")
pd.DataFrame({"mean AUC": [roc_auc(y_valid, p).mean() for p in versions.values()],
              "mean Brier score": [brier_score(y_valid, p).mean() for p in versions.values()],
              "mean ECE": [expected_calibration_error(y_valid, p).mean() for p in versions.values()]},
             index=pd.Index(list(versions), name="validation films")).round(4)

# %% [markdown]
# The four rows share one mean AUC, to the last digit: the AUC is blind to everything else in
# the table. Dividing every probability by 3 keeps the ranking and ruins the probabilities; the
# temperatures move them only as far as the tuning films asked. Per finding:

# %%
pd.DataFrame({"T": per_finding.temperature_,
              "AUC before": roc_auc(y_valid, p_before), "AUC after": roc_auc(y_valid, p_after),
              "Brier before": brier_score(y_valid, p_before), "Brier after": brier_score(y_valid, p_after),
              "ECE before": expected_calibration_error(y_valid, p_before),
              "ECE after": expected_calibration_error(y_valid, p_after)},
             index=pd.Index(findings, name="finding")).round(3)

# %% [markdown]
# The reliability diagram of all 14 findings together (every validation film counts 14 times; the
# legend's ECE is that of these pooled probabilities), with each bin's 95 % interval for its share
# of positives, and along the bottom how many probabilities fall in each bin — most are small,
# since each finding is rare:

# %%
reliability_diagram(y_valid.ravel(), {"σ(z), as trained": p_before.ravel(),
                                      "σ(z / T), one T per finding": p_after.ravel()},
                    n_bins=10, errorbars=True, counts=True,
                    title=f"All {len(findings)} findings, {len(valid)} validation films")
plt.show()

# %% [markdown]
# One finding at a time the films are few, and so are the bins' cases: the two findings with the
# smallest temperatures and the two with the largest, with five bins:

# %%
order = np.argsort(per_finding.temperature_)
shown = [*order[:2], *order[-2:]] if len(findings) >= 4 else list(order)
fig, axes = plt.subplots(1, len(shown), figsize=(4.6 * len(shown), 5), squeeze=False)
for ax, k in zip(axes[0], shown):
    reliability_diagram(y_valid[:, k], {"as trained": p_before[:, k], "scaled": p_after[:, k]}, n_bins=5,
                        errorbars=True, ax=ax, title=f"{findings[k]}, T = {per_finding.temperature_[k]:.2f}")
    ax.legend(loc="upper left", fontsize=10)
fig.suptitle("Reliability per finding, validation films: before and after temperature scaling")
plt.show()


# %% [markdown]
# An over-confident finding's curve is flatter than the diagonal — above it at small probabilities,
# below it at large ones: the network strays further from ½ than the outcomes do — and $T > 1$ pulls
# it towards the diagonal; a timid finding's is steeper, and $T < 1$ straightens it. A curve that
# stays on one side of the diagonal throughout — a finding predicted too often, or too rarely —
# needs an intercept, which temperature scaling lacks (Platt scaling, notebook 10, has one). Where
# a bin's interval crosses the diagonal, its gap is within sampling noise, and a few hundred films
# make wide intervals: one finding's diagram can show a gross miscalibration, not a subtle one, and
# one finding's ECE is noisy.
#
# What the validation films can show, pooling the findings: they measure the mean Brier score to
# within its bootstrap interval (patients resampled, as in section 5), and the temperatures, fitted
# on the tuning films alone, must not make it worse by as much as that — a harm these films could
# see. The change itself, resampled on the same patients for both versions (a paired bootstrap), has
# a much narrower interval: a film that is hard before scaling is hard after it.

# %% tags=["check"]
def mean_brier(y_true, y_prob):
    """Brier score averaged over the findings."""
    return brier_score(y_true, y_prob).mean()


# the AUC sees only the ranking: any increasing map of the scores leaves it as it was, up to rounding
for p in versions.values():
    assert np.abs(roc_auc(y_valid, p) - cnn_auc).max() < 1e-12
# the validation films measure the mean Brier score to ± its 95 % interval's half-width (patients resampled);
# fitted on the tuning films only, the temperatures do not make it worse by as much as that
groups = patient_ids[valid] if SIMULATED else None
before = bootstrap_ci(mean_brier, y_valid, p_before, n_boot=2_000, rng=SEED, groups=groups)
after = bootstrap_ci(mean_brier, y_valid, p_after, n_boot=2_000, rng=SEED, groups=groups)  # the same resamples
change_low, change_high = np.percentile(after.replicates - before.replicates, [2.5, 97.5])
resolution = (before.high - before.low) / 2
print(f"mean Brier score {before.estimate:.4f} ± {resolution:.4f} before, {after.estimate:.4f} after; "
      f"change {after.estimate - before.estimate:+.4f} (paired 95 % CI {change_low:+.4f} to {change_high:+.4f})")
expect(after.estimate - before.estimate, "<", resolution,
       what="Brier change after temperature scaling, against the Brier score's 95 % half-width")

# %% [markdown]
# ## 7. Learned against hand-crafted features: a Table 1
#
# The paper compared the algorithm with radiologists. We have no radiologists, but we can answer
# section 2.2's question — *learned* features φ against *hand-crafted* ones — with the paper's
# method. The comparator is a classical pipeline: measurements a radiologist would name
# (`dlmi.features.chest_features`: the cardiothoracic ratio, brightness and its spread in six lung
# zones, edge and texture energy, left–right asymmetries — 52 numbers per film), then one
# logistic regression per finding, trained on the same films and mined labels.

# %%
start = time.perf_counter()
features = chest_features(images)
comparator = [make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000)).fit(features.iloc[train], labels[train, k])
              for k in range(len(findings))]
comparator_scores = np.column_stack([m.decision_function(features.iloc[valid]) for m in comparator])
print(f"{features.shape[1]} features per film, {len(findings)} logistic regressions: {time.perf_counter() - start:.1f} s")
features.iloc[:3, :8].round(3)

# %% [markdown]
# For instance the estimated cardiothoracic ratio, alone, already separates cardiomegaly:

# %%
if SIMULATED:
    k = findings.index("Cardiomegaly")
    ctr = features["ctr"].to_numpy()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bins = np.linspace(0.2, 0.9, 36)
    ax.hist(ctr[true_labels[:, k] == 0], bins=bins, alpha=0.6, label="no cardiomegaly")
    ax.hist(ctr[true_labels[:, k] == 1], bins=bins, alpha=0.6, label="cardiomegaly")
    ax.axvline(0.5, color="black", linestyle="--", label="0.5: the textbook threshold")
    ax.set(xlabel="estimated cardiothoracic ratio", ylabel="films",
           title=f"one hand-crafted feature: AUC {roc_auc(true_labels[:, k], ctr):.2f} for cardiomegaly")
    ax.legend()
    plt.show()

# %% [markdown]
# Now the table, in the paper's format: each model's AUC with its 95 % bootstrap interval, and
# their difference with a **99.6 %** interval — Bonferroni's correction for 14 comparisons
# ($1 - 0.05/14$), computed on the *same* replicates for both models (a paired bootstrap, so
# that the films that are hard for both do not widen the interval), resampling patients as
# above. "Advantage" names a model only when the interval of the difference excludes 0.

# %%
table = auc_comparison_table(y_valid, scores, comparator_scores, findings, names=("CNN", "Comparator"),
                             n_boot=n_boot, rng=SEED, groups=patient_ids[valid] if SIMULATED else None)
paper_table(table)

# %%
for side in ("CNN", "Comparator", "No difference"):
    print(f"{side:>14}: {', '.join(table.index[table['advantage'] == side]) or '—'}")
print(f"mean AUC: CNN {table['auc_a'].mean():.3f}, comparator {table['auc_b'].mean():.3f}; "
      f"largest CNN gains: {', '.join(table['difference'].nlargest(3).index)}")

# %% [markdown]
# Read it finding by finding. Where a finding *is* one of the pipeline's measurements — a wide
# heart, a dark hyperinflated lung, a white base — the hand-crafted features stay close to the
# CNN, often with no significant difference. The learned features gain most (printed above) on
# signs that no fixed zone average captures: small, or shaped, or lying where no zone looks —
# a mass, the thin rim of a pneumothorax along the chest wall, a reticular pattern. A nodule of
# one or two pixels defeats both. Many differences stay inside their 99.6 % interval: the
# width of these intervals is set by the *validation* films, not the training films — ours are
# about as many as the paper's 420, and the paper too found a significant difference on only 4
# of its 14 findings. (Rerun with another seed, and the
# findings that just miss or just reach significance change: that is what the interval says.)

# %% tags=["check"]
assert list(table.index) == findings and set(table["advantage"]) <= {"CNN", "Comparator", "No difference"}
assert np.all((table["difference_low"] <= table["difference"]) & (table["difference"] <= table["difference_high"]))
assert np.allclose(table["auc_a"], cnn_auc) and table.attrs["difference_level"] == 1 - 0.05 / len(findings)
# the advantage column follows the 99.6 % interval of the difference
assert all((row.advantage == "No difference") == (row.difference_low <= 0 <= row.difference_high)
           for row in table.itertuples())
if SIMULATED:
    easy = [findings.index(f) for f in ("Cardiomegaly", "Effusion", "Mass", "Pneumothorax")]
    if dlmi.fast_mode():  # a few hundred films, 8 epochs: the easy signs are learnt, beyond sampling noise
        easy_low = np.percentile(np.nanmean(patient_ci.replicates[:, easy], axis=1), 2.5)  # patients resampled
        expect(easy_low, ">", 0.5, what="lower end of the easy signs' mean AUC interval")
    else:  # the easy signs of the simulator's calibration (dlmi.data.chestxray) reach its AUC band; each one's
        # AUC, from about 60 positive films, has a standard error near 0.03: their mean has half of it
        expect(table["auc_a"].iloc[easy].mean(), ">", 0.8, what="mean AUC of the easy signs")

# %% [markdown]
# ## 8. What label noise costs
#
# The network learned from mined labels, and we scored it against the truth. Scoring the *same*
# predictions against the mined labels of the validation films — what one would do without a
# radiologists' consensus — mixes the model's errors with the labels' errors:

# %%
if SIMULATED:
    auc_true = roc_auc(true_labels[valid], scores)
    auc_mined = roc_auc(labels[valid], scores)
    noise = pd.DataFrame({"AUC vs true labels": auc_true, "AUC vs mined labels": auc_mined,
                          "wrong labels (validation)": (labels[valid] != true_labels[valid]).mean(axis=0)},
                         index=pd.Index(findings, name="finding"))
    display(noise.round(3))
    print(f"mean AUC: {auc_true.mean():.3f} against the truth, {auc_mined.mean():.3f} against mined labels")
else:
    print("a real file has only its mined labels: there is nothing to compare them with")

# %% [markdown]
# A few percent of wrong labels lower the measured AUC noticeably, most for the findings whose
# labels are wrong most often relative to how rare they are: a missed label turns a correct
# detection into a "false positive". This is why CheXNeXt's validation set was relabelled by
# radiologists — and why a model can look worse than it is against report-mined labels.

# %% tags=["check"]
if SIMULATED:
    expect(auc_true.mean() - auc_mined.mean(), ">", 0, what="mean AUC, true minus mined labels")
    if not dlmi.fast_mode():  # on most findings, once the network has learnt them (full mode)
        expect((auc_true > auc_mined).mean(), ">=", 0.7, what="share of findings scored higher on true labels")

# %% [markdown]
# ## 9. Where does the network look?
#
# CheXNeXt showed *class activation maps* (CAM; Zhou et al., 2016). Because our networks end
# with global average pooling and one linear layer, the score of finding $k$ is the average over
# positions of the map below, plus the bias $b_k$ of the linear layer:
#
# $$\mathrm{CAM}_k(i, j) = \sum_c w_{kc}\, A_c(i, j),$$
#
# where $A_c$ are the last feature maps and $w_{kc}$ the weights of the linear layer: a map of how
# much each location adds to the score, upsampled to the film (`dlmi.interpret.class_activation_map`).

# %%
if SIMULATED:
    show = ["Nodule", "Mass", "Pneumothorax", "Effusion"]
    fig, axes = plt.subplots(2, len(show), figsize=(4.2 * len(show), 8.6))
    for col, name in enumerate(show):
        k = findings.index(name)
        positives = valid[true_labels[valid, k] == 1]
        best = positives[np.argsort(-scores[np.searchsorted(valid, positives), k])[:2]]  # the two most confident
        cams = class_activation_map(model, X[best], target=k)
        for row, (i, cam) in enumerate(zip(best, cams)):
            ax = axes[row, col]
            ax.imshow(images[i, 0], cmap="gray")
            ax.imshow(cam, cmap="jet", alpha=0.35)
            ax.contour(data.masks[i, k], levels=[0.5], colors="white", linewidths=1.5)
            peak = np.unravel_index(cam.argmax(), cam.shape)
            ax.plot(peak[1], peak[0], "w+", ms=14, mew=2.5)
            ax.set(xticks=[], yticks=[], title=f"{name}: film {i}")
            ax.grid(False)
    fig.suptitle("CAM of the finding (colour), true lesion (white outline), CAM maximum (+)")
    plt.show()

# %% [markdown]
# The simulator knows where every lesion is, so we can *score* the maps. The **pointing game**
# asks whether the map's maximum falls in the lesion (here within 2 pixels of it); the **energy
# inside** is the share of the map's positive mass that lies in the lesion. A map that knows
# nothing scores, on average, the share of the film within 2 pixels of the lesion: that is the
# chance level.

# %%
if SIMULATED:
    masks_valid = data.masks[valid]
    localisation = localisation_table(model, X[valid], masks_valid, true_labels[valid], findings, tolerance=2)
    localisation["pointing / chance"] = localisation["pointing game"] / localisation["chance (pointing)"]
    display(localisation.round(3))

# %% [markdown]
# Large findings (effusion, consolidation, emphysema) are hit often, but so would be a random
# point; the ratio to chance is the figure to read. An 8 × 8 grid of last feature maps (4 × 4 for
# DenseNet-121 on 128-pixel films) is coarse
# for a nodule of a few pixels: the maps point at the right region more often than chance, not
# always at the exact spot — the same caveat the paper's heat maps carry. In fast mode
# (`DLMI_FAST=1`: 800 patients, 6 epochs) the network is still learning, and its maxima beat chance
# on some draws of the data and not on others; what every draw shows is the energy: the maps put
# more of their weight inside the lesions than a uniform map would. The pointing game is checked
# in full mode.

# %% tags=["check"]
if SIMULATED:
    assert (localisation["pointing game"] >= 0).all() and (localisation["chance (pointing)"] > 0).all()
    # the maps put more of their weight inside the lesions than a uniform map would
    expect((localisation["energy inside"] - localisation["chance (energy)"]).mean(), ">", 0,
           what="energy inside the lesion minus chance, mean over findings")
    if not dlmi.fast_mode():  # a network trained on 1,200 patients: its maxima point at the lesions
        expect(localisation["pointing game"].mean() - localisation["chance (pointing)"].mean(), ">", 0,
               what="pointing game minus chance, mean over findings")
        # above chance on many findings: half of them with 8 × 8 maps, a third with DenseNet-121's coarser 4 × 4
        expect((localisation["pointing / chance"] > 1).mean(), ">=", 0.3 if chexnext else 0.5,
               what="share of findings where CAMs point above chance")

# %% [markdown]
# ## Summary
#
# - ChestX-ray14 has 112,120 films of 30,805 patients with 14 report-mined labels; a simulator
#   reproduces its structure (patients, views, co-occurring findings, noisy labels) and adds what
#   real data lacks: the true labels and where every lesion is.
# - Split **by patient**: an image-level split puts a patient's siblings on both sides and
#   flatters any model that can recognise people.
# - Multi-label classification: one sigmoid per finding, binary cross-entropy; a DenseNet
#   (dense blocks: each layer sees all earlier maps) with early stopping on the tuning mean AUC.
# - Report AUCs with bootstrap percentile intervals; compare two models on the same replicates,
#   with Bonferroni-corrected intervals for the difference — the paper's Table 1.
# - A probability is calibrated when it comes true as often as it says. The reliability diagram,
#   the Brier score and the ECE measure it; temperature scaling, $\hat p = \sigma(z / T)$ with $T$
#   fitted on the tuning set (one per finding), recalibrates without moving any AUC: the AUC sees
#   only the ranking, and is blind to calibration.
# - Hand-crafted features compete where the finding is a measurement; learned features win on
#   small, variable signs. Label noise lowers measured AUCs; CAMs show where the network looks,
#   and with known lesions their localisation can be scored against chance.
#
# ## Exercises

# %% [markdown]
# ### Exercise 1 — AUC from ranks
#
# Write `auc(y_true, y_score)` for one finding (1-D arrays): rank all scores with
# `scipy.stats.rankdata` (ties get their average rank), sum the ranks of the positives, and apply
# $\mathrm{AUC} = (R_+ - n_+(n_+ + 1)/2)/(n_+ n_-)$. Check it against the CNN's AUC for one finding.

# %% tags=["solution"]
from scipy.stats import rankdata


def auc(y_true, y_score):
    """ROC AUC of one finding from the ranks of its scores (ties share their average rank)."""
    ranks = rankdata(y_score)
    n_pos = y_true.sum()
    n_neg = len(y_true) - n_pos
    return (ranks[y_true == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


# %% tags=["check"]
assert dlmi.checks.check_auc(auc)
assert abs(auc(y_valid[:, 0], scores[:, 0]) - cnn_auc[0]) < 1e-12

# %% [markdown]
# ### Exercise 2 — Channels of a dense block
#
# A dense block receives $c_0$ feature maps and has $L$ layers, each adding $k$ (the growth
# rate) maps to all those before it. Write `dense_block_channels(c0, L, k)`, the number of maps
# that leave the block, and use it to follow DenseNet-121: 64 maps enter block 1 (6 layers,
# $k = 32$), each transition halves the number of maps; how many reach the classifier?

# %% tags=["solution"]
def dense_block_channels(c0, L, k):
    """Feature maps after a dense block: the c0 inputs plus k new maps from each of its L layers."""
    return c0 + L * k


# %% tags=["check"]
assert dlmi.checks.check_dense_block_channels(dense_block_channels)
channels = 64
for i, L in enumerate((6, 12, 24, 16)):
    channels = dense_block_channels(channels, L, 32)
    channels = channels // 2 if i < 3 else channels  # a transition after each block but the last
print("maps reaching DenseNet-121's classifier:", channels)
assert channels == chexnext_net.n_features == 1024

# %% [markdown]
# ### Exercise 3 — The pointing game
#
# Write `points_inside(cam, mask)`: `True` when the maximum of the (H, W) map `cam` lies inside
# the boolean lesion `mask`. Then play the game with the CNN's CAMs of one finding on its
# validation films, and compare the hit rate with the chance level (the mask's share of the film).

# %% tags=["solution"]
def points_inside(cam, mask):
    """Whether the (row, column) of the map's maximum is inside the lesion mask."""
    row, col = np.unravel_index(np.argmax(cam), cam.shape)
    return bool(mask[row, col])


# %% tags=["check"]
assert dlmi.checks.check_pointing_game(points_inside)
if SIMULATED:
    k = findings.index("Pneumothorax")
    films = valid[true_labels[valid, k] == 1]
    cams = class_activation_map(model, X[films], target=k)
    hits = np.mean([points_inside(c, m) for c, m in zip(cams, data.masks[films, k])])
    print(f"pneumothorax: hit rate {hits:.2f}, chance {data.masks[films, k].mean():.2f}")
