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
# # 10 · Alzheimer's disease from brain MRI: feature engineering against deep learning
#
# Section 2.7 of Part 2, the brain-image example: can we tell from an anatomical MRI that a
# patient has Alzheimer's disease? We redo, at CPU size, the comparison of Wen et al. (2020) —
# a linear SVM on hand-crafted regional features against three convolutional networks — and
# let the numbers of this run say whether twenty years of feature engineering still hold their
# own against deep learning.

# %% [markdown]
# ## Learning objectives
#
# - Describe the data of an Alzheimer's disease study (groups CN, sMCI, pMCI, AD; MMSE, CDR) and the atrophy the disease causes in gray-matter maps.
# - Build features from domain knowledge — the gray matter of each brain region, $\mathbf{x} \in \mathbb{R}^p$ — and evaluate a linear SVM with subject-level, nested cross-validation.
# - Train the three CNNs of Wen et al. with `dlmi.train`: a 3D whole-brain CNN, a 3D CNN on the hippocampi, and a pre-trained 2D CNN fine-tuned on slices whose predictions are averaged per subject.
# - Compare them with balanced accuracies and confidence intervals, read a learning curve, and measure how much a slice-level split (data leakage) inflates a score.
# - Turn the SVM's margins and the CNN's outputs into probabilities that can be trusted — Platt and temperature scaling, fitted inside the training subjects — and judge them with reliability diagrams and the Brier score.
#
# ## Prerequisites
#
# Notebooks 07 (overfitting; training, validation and test sets), 08 (CNNs) and 09 (training a
# CNN on medical images with `dlmi.train.fit`, bootstrap confidence intervals, splitting by
# patient).

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
from scipy.special import expit
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from dlmi.alzheimer import PUBLISHED, TASKS, comparison_table, task_labels
from dlmi.calibration import PlattScaling, TemperatureScaling
from dlmi.checks import expect
from dlmi.data import (adni_table, cohort_table, crop_hippocampi, downsample, extract_slices, patient_folds,
                       patient_split, regional_features, regions, simulate_cohort)
from dlmi.estimators import CNNClassifier, RegionalSVM, SliceCNNClassifier
from dlmi.evaluation import cross_validate, leakage_experiment, learning_curve
from dlmi.metrics import (balanced_accuracy_ci, balanced_accuracy_difference, bootstrap_ci, bootstrap_difference,
                          brier_score, expected_calibration_error, roc_auc)
from dlmi.models import FineTunedCNN2d, ROICNN3d, SimpleCNN3d, count_parameters
from dlmi.recipes import pretrain_on_chest_xrays
from dlmi.viz import plot_brain_slices, reliability_diagram

# Small networks on small batches: one CPU thread. Two are up to 1.7 times faster on an idle
# machine, but many times slower on a busy shared one (benchmarks/alzheimer.py measures both).
threadpool_limits(1)
torch.set_num_threads(1)

# %% [markdown]
# ## 1. The clinical question and the data
#
# Alzheimer's disease is a neurodegenerative disease: neurons and their connections are lost,
# which ultimately shows on an anatomical (T1-weighted) MRI as **atrophy of the gray matter**,
# first in the medial temporal lobe (hippocampus, amygdala, entorhinal cortex), then in the
# lateral temporal, posterior cingulate and parietal cortices. Wen et al. used ADNI (the
# Alzheimer's Disease Neuroimaging Initiative: over 1,000 participants, multicentric, public
# on request) and two tasks:
#
# - **AD vs CN**: patients with Alzheimer's disease against cognitively normal controls;
# - **sMCI vs pMCI**: among patients with mild cognitive impairment, those who stay stable
#   (sMCI) against those who progress to Alzheimer's disease within three years (pMCI) — a
#   prediction of the future, and much harder.
#
# ADNI cannot be shipped with a course, so this notebook uses a **simulated** cohort
# (`dlmi.data.simulate_cohort`): gray-matter maps in MNI space, as a voxel-based-morphometry
# pipeline would output them, built from the MNI152 template with random anatomy, head size,
# ageing, smooth noise and the disease's atrophy pattern, and a clinical table drawn to match
# ADNI's. Nothing in it is patient data.
#
# The CPU budget sets the sizes: 4 mm voxels (64 times fewer than in a 1 mm image); in full
# mode the 1,259 subjects of the slides' CN, sMCI, pMCI and AD rows, with `DLMI_FAST=1` a third
# of them.

# %%
VOXEL_MM = 4
N_SUBJECTS = dlmi.pick(full=None, fast=420)  # None: the slides' group sizes, 1,259 subjects

cohort = simulate_cohort(N_SUBJECTS, voxel_size=VOXEL_MM, rng=SEED)
participants = cohort.participants
subject_ids = participants["participant_id"].to_numpy()
cohort

# %% [markdown]
# The table of the slides — subjects, sessions, age (mean ± SD [range]), sex, MMSE (the
# mini-mental state examination, 30 = no error) and CDR (the clinical dementia rating, 0 =
# normal, 0.5 = questionable, 1 = mild dementia) — computed from the simulated participants,
# one session each, then ADNI's published one (without its MCI row: sMCI and pMCI are the MCI
# patients whose course is known, the other 194 MCI patients are left out):

# %%
display(cohort_table(participants))
display(adni_table())

# %% tags=["check"]
table = cohort_table(participants)
assert table["Subjects"].sum() == len(cohort) == participants["participant_id"].nunique()
mmse = participants.groupby("group", observed=True)["MMSE"].mean()
assert mmse["AD"] < mmse["pMCI"] < mmse["CN"] and mmse["AD"] < mmse["sMCI"] < mmse["CN"]
if N_SUBJECTS is None:  # full mode: the slides' group sizes
    assert table["Subjects"].to_dict() == adni_table()["Subjects"].to_dict()

# %% [markdown]
# ## 2. Looking at the images
#
# Each map gives, in every voxel, the volume of gray matter there (0 outside the brain, about 1
# in the cortex), after registration to a common space, so that a voxel is the same anatomical
# place in every subject. Three orthogonal slices through the left hippocampus of a control and
# of a patient:

# %%
groups = participants["group"].astype(str).to_numpy()
cn_map = cohort.maps[np.flatnonzero(groups == "CN")[0]]
ad_map = cohort.maps[np.flatnonzero(groups == "AD")[0]]
plot_brain_slices(cn_map, cohort.affine, vmin=0, vmax=1.2, title="A cognitively normal subject (simulated)")
plot_brain_slices(ad_map, cohort.affine, vmin=0, vmax=1.2, title="A patient with Alzheimer's disease (simulated)")
plt.show()

# %% [markdown]
# The difference of the two maps mixes the disease with everything else that makes two brains
# differ — size, shape, noise. Averaging over the groups keeps what the patients share: the
# atrophy, strongest in the medial temporal lobe.

# %%
group_difference = cohort.maps[groups == "AD"].mean(axis=0) - cohort.maps[groups == "CN"].mean(axis=0)
for volume, title in [(ad_map - cn_map, "AD patient − CN subject"),
                      (group_difference, "mean AD map − mean CN map")]:
    limit = np.abs(volume).max()
    plot_brain_slices(volume, cohort.affine, cmap="RdBu_r", vmin=-limit, vmax=limit, label="gray matter difference",
                      title=title)
plt.show()

# %% [markdown]
# The 3D ROI network of Wen et al. reads only a box around each hippocampus. The right box is
# mirrored left-right so that both hippocampi look the same way round and one network can read
# both. A sagittal slice through the middle of each box:

# %%
crops = crop_hippocampi(cohort.maps, cohort.affine)  # (N, 2, d, h, w): left, mirrored right
subjects = {"CN": np.flatnonzero(groups == "CN")[0], "AD": np.flatnonzero(groups == "AD")[0]}
fig, axes = plt.subplots(2, 2, figsize=(8, 7), layout="constrained")
for row, (group, i) in enumerate(subjects.items()):
    for col, side in enumerate(("left", "right, mirrored")):
        crop = crops[i, col]
        image = axes[row, col].imshow(crop[crop.shape[0] // 2].T, origin="lower", cmap="gray", vmin=0, vmax=1.2)
        axes[row, col].set(title=f"{group}: {side}", xlabel="y (voxel)", ylabel="z (voxel)")
        axes[row, col].grid(False)
fig.colorbar(image, ax=axes, shrink=0.8, label="gray matter")
fig.suptitle(f"Hippocampus crops, {crops.shape[2]}×{crops.shape[3]}×{crops.shape[4]} voxels of {VOXEL_MM} mm")
plt.show()

# %% tags=["check"]
d, h, w = crops.shape[2:]  # the hippocampus fills the centre of its box; the edges hold white matter and CSF
hippocampal_gm = crops[:, :, d // 4:d - d // 4, h // 4:h - h // 4, w // 4:w - w // 4].mean(axis=(1, 2, 3, 4))
by_group = {g: hippocampal_gm[groups == g].mean() for g in ("CN", "sMCI", "pMCI", "AD")}
print({g: round(v, 3) for g, v in by_group.items()})
expect(by_group["pMCI"] - by_group["AD"], ">", 0, what="hippocampal GM, pMCI minus AD")  # atrophy grows with the stage
expect(min(by_group["sMCI"], by_group["CN"]) - by_group["pMCI"], ">", 0, what="hippocampal GM, sMCI or CN minus pMCI")
strongest_loss = np.unravel_index(np.argmin(group_difference), group_difference.shape)
where_mm = cohort.affine[:3, :3] @ np.array(strongest_loss) + cohort.affine[:3, 3]
print("strongest mean loss", round(float(group_difference.min()), 3), "at MNI", where_mm, "mm")
expect(group_difference.min(), "<", -0.1, what="strongest mean GM loss")  # over a tenth of the gray matter ...
expect(min(np.linalg.norm(where_mm - [side * 26, -20, -16]) for side in (-1, 1)), "<", 25,
       what="distance of the strongest loss from a hippocampus (mm)")  # ... in the medial temporal lobe

# %% [markdown]
# ## 3. Feature extraction with domain knowledge, and a linear SVM
#
# Two pieces of knowledge make the features: the disease causes **atrophy of the gray matter**,
# so quantify gray matter; it strikes **some regions** more than others, so parcellate the
# brain into regions. The feature vector of a subject is the amount of gray matter in each of
# the $p$ regions of a parcellation (here $p = 100$: the regions the disease reaches and the
# rest of the cortex cut into cells),
#
# $$\mathbf{x} = (x_1, \dots, x_p) \in \mathbb{R}^p, \qquad x_j = \frac{1}{|R_j|} \sum_{v \in R_j} \mathrm{GM}(v),$$
#
# the mean gray matter of the voxels $v$ of region $R_j$ (its volume of gray matter divided by
# its number of voxels, the same for every subject since all maps share one space).
#
# (The slides show the CNNs first; we build the cheaper baseline first, so that every network
# has a reference to beat.)
#
# The classifier is a **linear SVM**, $f(\mathbf{x}) = \mathbf{w}^\top \mathbf{x} + w_0$, trained
# on standardised features by minimising $\tfrac12 \|\mathbf{w}\|^2 + C \sum_i \max(0, 1 - y_i f(\mathbf{x}_i))$.

# %%
parcellation = regions(VOXEL_MM)
X_regions = regional_features(cohort.maps, parcellation)  # (N, p)
print(parcellation, "→ features", X_regions.shape)

# %% [markdown]
# **Evaluation done right.** With a few hundred subjects, a single test set of 20 % is small
# and its score noisy. **$k$-fold cross-validation** uses every subject for testing once: cut
# the subjects into $k$ folds, train on $k - 1$ of them, test on the one left out, in turn,
# and average the $k$ scores. Three rules from Wen et al.:
#
# 1. Split by **subject**: every map of a subject in the same fold (`patient_folds`).
# 2. Choose the hyper-parameter $C$ **inside the training folds only**: a grid search with an
#    inner 3-fold cross-validation in each of the 5 outer folds (*nested* cross-validation).
#    Choosing $C$ on the test folds would be a leak: the test subjects would have picked it.
# 3. Report the **balanced accuracy**, the mean of sensitivity and specificity,
#    $\mathrm{BA} = \tfrac12\left(\tfrac{TP}{TP + FN} + \tfrac{TN}{TN + FP}\right)$, which a
#    classifier cannot raise by favouring the larger group (chance is 0.5).

# %%
tasks = {}
for task in TASKS:
    rows, y = task_labels(participants, task)
    tasks[task] = {"rows": rows, "y": y}

svm_cv = {}
for task, t in tasks.items():
    folds = patient_folds(subject_ids[t["rows"]], t["y"], n_splits=5, rng=SEED)
    svm_cv[task] = cross_validate(RegionalSVM(), X_regions[t["rows"]], t["y"], folds,
                                      groups=subject_ids[t["rows"]])
    mean, low, high = svm_cv[task].interval()
    print(f"{task:>13}: balanced accuracy {mean:.3f} (t-interval over the folds {low:.3f}–{high:.3f}, optimistic: folds share training subjects); "
          f"per fold {np.round(svm_cv[task].scores, 3)}, C chosen {[p['C'] for p in svm_cv[task].params]}")

# %% [markdown]
# A linear model says what it uses: the weights of the AD-vs-CN SVM, trained on every subject,
# on standardised features. The largest negative ones should be the regions the disease reaches
# first. Positive weights on regions it spares are no mistake: a larger head has more gray
# matter everywhere, and they let the SVM compare the affected regions with the rest of the brain.

# %%
t = tasks["AD vs CN"]
svm_all = RegionalSVM().fit(X_regions[t["rows"]], t["y"])
weights = pd.Series(svm_all.search_.best_estimator_["svm"].coef_[0], index=parcellation.names)
top = weights.reindex(weights.abs().sort_values(ascending=False).index)[:12][::-1]
fig, ax = plt.subplots(figsize=(8, 5.5))
ax.barh(top.index, top.values, color=np.where(top.values < 0, "#0072B2", "#D55E00"))
ax.set(xlabel="SVM weight (per SD of the feature); < 0: less gray matter → AD",
       title=f"The 12 largest weights of the AD-vs-CN linear SVM (C = {svm_all.C_:g})")
plt.show()

# %% tags=["check"]
svm_ad = svm_cv["AD vs CN"].mean
# full: the simulator's calibration, 0.86 ± 0.04; fast: 0.79-0.88 measured over cohort seeds 0-7
band = dlmi.pick(full=(0.82, 0.90), fast=(0.75, 0.92))
expect(svm_ad, ">=", band[0], what="SVM AD vs CN, cross-validated")
expect(svm_ad, "<=", band[1], what="SVM AD vs CN, cross-validated ")
expect(svm_cv["sMCI vs pMCI"].mean, ">", 0.6, what="SVM sMCI vs pMCI, cross-validated")  # harder, yet above chance
if not dlmi.fast_mode():  # 420 subjects in fast mode: the fold means are too noisy to order the two tasks
    expect(svm_ad - svm_cv["sMCI vs pMCI"].mean, ">", 0, what="SVM, AD vs CN minus sMCI vs pMCI")
assert any(top[name] < 0 and name.startswith(("hippocampus", "amygdala", "entorhinal"))  # less GM → AD
           for name in top.index[-4:])

# %% [markdown]
# ## 4. Three convolutional networks
#
# Wen et al. trained CNNs directly on the images, with no hand-crafted features. We train
# small versions of their three designs with `dlmi.train.fit` (Adam with weight decay, binary
# cross-entropy on one logit; after training, the batch-norm statistics are re-estimated on the
# training data, which matters when a few hundred subjects make a few dozen steps per epoch).
#
# **One split for the CNNs.** Training a CNN costs seconds to minutes where the SVM costs
# milliseconds, so each network is trained once per task, on a stratified subject-level split:
# 75 % of the subjects for training, 25 % for testing, the same split for every model (and for
# the SVM in the comparison of section 5). The confidence intervals then come from a
# bootstrap over the test subjects.

# %%
for task, t in tasks.items():
    t["train"], t["test"] = patient_split(subject_ids[t["rows"]], t["y"], (0.75, 0.25), rng=SEED)
    print(f"{task}: {len(t['train'])} training and {len(t['test'])} test subjects")
results = {}  # (model, task) -> balanced accuracy on the test subjects, 95 % bootstrap interval
test_scores = {}  # (model, task) -> decision values of the test subjects (> 0: the later stage)


def evaluate(name, estimator, inputs, task):
    """Train a fresh copy of ``estimator`` on the task's training subjects; score its test subjects."""
    t = tasks[task]
    model = clone(estimator).fit(inputs[t["rows"][t["train"]]], t["y"][t["train"]])
    test_scores[name, task] = test_score = model.decision_function(inputs[t["rows"][t["test"]]])
    results[name, task] = balanced_accuracy_ci(t["y"][t["test"]], test_score, n_boot=2000, rng=SEED)
    print("{}, {}: balanced accuracy on the test subjects {:.3f} (95 % CI {:.3f}–{:.3f})".format(
        name, task, *results[name, task]))
    return model


# %% [markdown]
# ### 4.1 The 3D whole-brain CNN
#
# The whole map goes in. Wen et al. used 1 mm images and five convolutional blocks; on a CPU we
# average the maps down to 8 mm voxels and use `SimpleCNN3d`: four blocks of convolution →
# batch-norm → ReLU → max-pooling, global average pooling and a linear layer.

# %%
maps_coarse = downsample(cohort.maps, 2)[:, None]  # (N, 1, D/2, H/2, W/2): 8 mm voxels


def whole_brain_cnn():
    return SimpleCNN3d(1, 1, widths=(8, 16, 32, 64), dropout=0.2)


print(f"input {maps_coarse.shape[2:]} voxels of 8 mm, {count_parameters(whole_brain_cnn()):,} parameters")
whole_brain = CNNClassifier(whole_brain_cnn, epochs=10, lr=1e-3, batch_size=16, rng=SEED)
for task in TASKS:
    evaluate("3D whole-brain CNN", whole_brain, maps_coarse, task)

# %% [markdown]
# ### 4.2 The 3D hippocampus (ROI) CNN
#
# Domain knowledge again, but only to choose *where* to look: the two hippocampus boxes of
# section 2. `ROICNN3d` runs one small 3D CNN on the left box and on the mirrored right box
# (shared weights) and averages the two logits, a soft vote.

# %%
def hippocampus_cnn():
    return ROICNN3d(2, 1, widths=(8, 16, 32), dropout=0.2)


print(f"input 2 × {crops.shape[2:]} voxels, {count_parameters(hippocampus_cnn()):,} parameters")
hippocampus = CNNClassifier(hippocampus_cnn, epochs=10, lr=1e-3, batch_size=16, rng=SEED)
for task in TASKS:
    evaluate("3D hippocampus CNN", hippocampus, crops, task)

# %% [markdown]
# ### 4.3 The 2D slice-level CNN, pre-trained on another task
#
# Wen et al. cut each image into 2D sagittal slices, took a ResNet pre-trained on ImageNet,
# froze its early layers, fine-tuned its last ones and a new output layer on the slices (each
# labelled with its subject's diagnosis), and combined the predictions of a subject's slices
# into one (a soft vote).
#
# ImageNet weights are not shipped with this course: they weigh tens of megabytes and would be
# downloaded at run time, which no notebook here does. So the 2D network is pre-trained here,
# in a few seconds, on another medical task: the 14 findings of the simulated chest
# radiographs of notebook 09. What can transfer are the early filters — edges, blobs, textures.

# %%
pretrained, pretraining = pretrain_on_chest_xrays(dlmi.pick(full=800, fast=400), size=48, epochs=3,
                                                      widths=(8, 16, 32, 64), rng=SEED)
print(f"pre-trained on chest radiographs: training loss {pretraining['train_loss'][0]:.3f} → "
      f"{pretraining['train_loss'][-1]:.3f}")


def slice_cnn():
    return FineTunedCNN2d(pretrained, 1, n_frozen_blocks=2, dropout=0.2)


net = slice_cnn()
print(f"{count_parameters(net):,} parameters, {count_parameters(net, trainable_only=True):,} of them fine-tuned")
slices, subject_index = extract_slices(cohort.maps[:1], axis=0, discard=0.3)
print(f"each subject gives {len(slices)} sagittal slices of {slices.shape[2]}×{slices.shape[3]} voxels")

# %% [markdown]
# A subject's probability of AD is the mean of its slices' probabilities,
# $\hat p(\text{subject}) = \frac1S \sum_{s=1}^{S} \sigma(f(\text{slice}_s))$
# (`aggregate_slices` in `dlmi.estimators`, Exercise 3). Wen et al. did not report this network for sMCI vs
# pMCI ("N/A" in the slides); neither do we, which also saves CPU time.

# %%
slice_level = SliceCNNClassifier(slice_cnn, axis=0, discard=0.3, epochs=dlmi.pick(full=3, fast=6), lr=1e-3,
                                   batch_size=64, rng=SEED)
slice_model = evaluate("2D slice CNN", slice_level, cohort.maps, "AD vs CN")

# %% [markdown]
# Every network should beat chance (0.5) clearly: its interval should exclude 0.5. The exception
# is the whole-brain CNN on sMCI vs pMCI: it reads the whole brain to find a subtle, local difference, and
# even with the full cohort its interval reaches down to about 0.5 on some draws of the subjects
# (section 7 shows how its score grows with their number); in fast mode its 150 training subjects
# are too few to learn the task at all. In fast mode the other sMCI-vs-pMCI intervals are too wide
# to exclude chance, and only their scores are checked.

# %% tags=["check"]
assert len(results) == 5
for (name, task), (score, low, high) in results.items():
    if name == "3D whole-brain CNN" and task == "sMCI vs pMCI":  # the hungriest network on the hardest task
        if not dlmi.fast_mode():  # above chance, but its interval may reach 0.5
            expect(score, ">", 0.5, what=f"balanced accuracy, {name}, {task}")
    elif task == "AD vs CN" or not dlmi.fast_mode():  # clearly above chance: 0.5 is outside the interval
        expect(low, ">", 0.5, what=f"lower end of the 95 % interval, {name}, {task}")
    else:  # fast mode: about 50 test subjects, wide intervals
        expect(score, ">", 0.5, what=f"balanced accuracy, {name}, {task}")

# %% [markdown]
# ## 5. Linear SVM vs deep learning
#
# The SVM joins the comparison on the same split (its $C$ still chosen by an inner
# cross-validation of the training subjects). Each cell gives the balanced accuracy on the test
# subjects with a 95 % bootstrap interval, next to the numbers Wen et al. published on ADNI.

# %%
for task in TASKS:
    evaluate("Linear SVM", RegionalSVM(), X_regions, task)
comparison = comparison_table(results)
comparison

# %% [markdown]
# **Reading the table.** Compare each network with the SVM *on the same task*, and ask whether
# the difference is larger than its uncertainty. With a test set of one or two hundred
# subjects, each interval spans several points either way. Two overlapping intervals do not
# settle it: the models are tested on the same subjects, so the right tool is a **paired**
# bootstrap (notebook 09), which resamples the subjects once for both models and gives an
# interval for the difference — Bonferroni-corrected, as in notebook 09, since we make several
# comparisons at once. Then compare the columns: are the simulated numbers in the
# range of the published ones, and is sMCI vs pMCI harder for every method? The run's own
# numbers:

# %%
pairs = [(name, task) for task in TASKS for name in ("3D whole-brain CNN", "3D hippocampus CNN", "2D slice CNN")
         if (name, task) in test_scores]
level = 1 - 0.05 / len(pairs)  # Bonferroni: every comparison at 1 − 0.05 / (number of comparisons)
differences = {}
for name, task in pairs:
    y_test = tasks[task]["y"][tasks[task]["test"]]
    differences[name, task] = diff, low, high = balanced_accuracy_difference(
        y_test, test_scores[name, task], test_scores["Linear SVM", task], n_boot=2000, level=level, rng=SEED)
    verdict = ("no evidence either way" if low <= 0 <= high else
               "the CNN is better" if diff > 0 else "the SVM is better")
    print(f"{task}: {name} − linear SVM = {diff:+.2f} ({100 * level:.0f} % CI {low:+.2f} to {high:+.2f}): {verdict}")
half_width = np.mean([(high - low) / 2 for _, low, high in results.values()])
print(f"mean half-width of the intervals: {half_width:.2f}")
best = {task: max((results[m, task][0], m) for m in PUBLISHED if (m, task) in results)[1] for task in TASKS}
print("highest score per task:", best)

# %% tags=["check"]
assert comparison.shape == (4, 4) and comparison.loc["2D slice CNN", ("sMCI vs pMCI", "this run (95 % CI)")] == "N/A"
for (name, task), (score, low, high) in results.items():
    assert low <= score <= high
    expect(high - low, "<", 0.35, what=f"interval width, {name}, {task}")
for (name, task), (diff, low, high) in differences.items():  # paired differences match the table's scores
    assert abs(diff - (results[name, task][0] - results["Linear SVM", task][0])) < 1e-9 and low <= diff <= high

# %% [markdown]
# ## 6. Can the probabilities be trusted? Calibration
#
# The balanced accuracy judges decisions. A clinician told "probability of AD: 0.7" also needs the
# number to be right: among the patients given 0.7, about 70 % should have the disease. Notebook 09
# (section 6) measured this **calibration** with the reliability diagram, the Brier score and the
# expected calibration error. Neither of our models gives such a probability by itself:
#
# - the SVM's decision value $f(\mathbf{x}) = \mathbf{w}^\top \mathbf{x} + w_0$ is a signed distance
#   to the hyperplane, in units of the margin; its scale is set by $C$ and by the features, not by
#   any probability, and reading $\sigma(f)$ as one is a guess;
# - the CNN's $\sigma(z)$ is a probability by construction (binary cross-entropy), but a network
#   trained for a few epochs on a few hundred subjects may be over- or under-confident.
#
# **Platt scaling** (Platt, 1999) fits a logistic regression of the label on the score,
#
# $$\hat p = \sigma(a f + b),$$
#
# a slope $a$ that sets the scale and an intercept $b$ that moves the point where $\hat p = 0.5$
# (to $f = -b/a$: the decisions at 0.5 can change). **Temperature scaling**, $\hat p = \sigma(z / T)$,
# is its one-parameter case for logits that are already log-odds ($a = 1/T$, $b = 0$). With $a > 0$
# both are increasing maps, so the AUC does not move.

# %% [markdown]
# **Where to fit them.** Never on the test subjects, and not on the training subjects' own scores
# either: on the subjects it was fitted to, a model's scores are more extreme than on new ones (the
# SVM pushes its training subjects beyond the margin). Section 3's protocol gives scores the model
# has not seen: a 3-fold, subject-level cross-validation *inside the training subjects* (the SVM's
# $C$ still chosen by its own inner folds), whose out-of-fold scores calibrate the model trained on
# all of them — what scikit-learn's `CalibratedClassifierCV(ensemble=False)` does. The test
# subjects of section 4 then judge the result. For AD vs CN, the SVM (`dlmi.calibration.PlattScaling`)
# and the 3D hippocampus CNN (`TemperatureScaling`: three more trainings of a few seconds each):

# %%
t = tasks["AD vs CN"]
ad_train, ad_test = t["rows"][t["train"]], t["rows"][t["test"]]
y_ad_train, y_ad_test = t["y"][t["train"]], t["y"][t["test"]]
inner_folds = patient_folds(subject_ids[ad_train], y_ad_train, n_splits=3, rng=SEED)  # inside the training subjects
svm_inner = cross_validate(RegionalSVM(), X_regions[ad_train], y_ad_train, inner_folds, groups=subject_ids[ad_train])
cnn_inner = cross_validate(hippocampus, crops[ad_train], y_ad_train, inner_folds)
platt = PlattScaling().fit(svm_inner.y_score, svm_inner.y_true)  # σ(a f + b), on out-of-fold decision values
temperature = TemperatureScaling().fit(cnn_inner.y_score, cnn_inner.y_true)  # σ(z / T), on out-of-fold logits
print(f"linear SVM: a = {platt.coef_:.2f}, b = {platt.intercept_:+.2f}; "
      f"3D hippocampus CNN: T = {temperature.temperature_:.2f}")

# %%
svm_test, cnn_test = test_scores["Linear SVM", "AD vs CN"], test_scores["3D hippocampus CNN", "AD vs CN"]
probabilities = {("Linear SVM", "σ(f): the margin read as log-odds"): expit(svm_test),
                 ("Linear SVM", "Platt scaling, σ(a f + b)"): platt.predict_proba(svm_test),
                 ("3D hippocampus CNN", "σ(z), as trained"): expit(cnn_test),
                 ("3D hippocampus CNN", "temperature scaling, σ(z / T)"): temperature.predict_proba(cnn_test)}
pd.DataFrame({"AUC": [roc_auc(y_ad_test, p) for p in probabilities.values()],
              "Brier score": [brier_score(y_ad_test, p) for p in probabilities.values()],
              "ECE (5 bins)": [expected_calibration_error(y_ad_test, p, n_bins=5) for p in probabilities.values()]},
             index=pd.MultiIndex.from_tuples(probabilities, names=["model", "probability"])).round(3)

# %% [markdown]
# Each model keeps its AUC to the last digit: only the probabilities moved. Always answering the
# training share of AD would score a Brier of about 0.25 here (the two groups are about equal);
# every row beats that clearly, because the scores rank the subjects well. The reliability diagrams,
# with each bin's 95 % interval:

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 6))
for ax, name in zip(axes, ("Linear SVM", "3D hippocampus CNN")):
    reliability_diagram(y_ad_test, {version: p for (model, version), p in probabilities.items() if model == name},
                        n_bins=5, errorbars=True, counts=True, ax=ax, title=f"{name}, AD vs CN")
    ax.legend(loc="upper left", fontsize=10)
fig.suptitle(f"Reliability on the {len(y_ad_test)} test subjects (calibrated on out-of-fold training scores)")
plt.show()

# %% [markdown]
# With one or two hundred test subjects, five bins hold a few dozen each and every point is
# uncertain by ±0.1 or more: a diagram this size reveals a gross miscalibration, not a subtle one.
# Whether $\sigma(f)$ looks calibrated is luck: it depends on the $C$ that the inner
# cross-validation chose, and another $C$ rescales every $f$ (Exercise 4); Platt scaling learns the
# scale instead of assuming it. What the test subjects can show, with a bootstrap over them: they
# measure a Brier score to within a few hundredths, recalibrating must not make it worse by as much
# as that, and the probabilities must beat the base rate (a paired bootstrap of the difference).
# Out-of-fold scores stand in for the final model's only if the models trained on the folds behave
# like it; a CNN trained on a few hundred subjects varies from one training to the next, and in
# fast mode its probabilities can come out shifted (all too low, say) in a way that no calibration
# fitted on the other trainings corrects.

# %% tags=["check"]
# increasing maps of the scores: the AUC sees only the ranking, and does not move
assert platt.coef_ > 0 and temperature.temperature_ > 0
versions = [("Linear SVM", svm_test, expit(svm_test), platt.predict_proba(svm_test)),
            ("3D hippocampus CNN", cnn_test, expit(cnn_test), temperature.predict_proba(cnn_test))]
base_rate = np.full(len(y_ad_test), y_ad_train.mean())  # the training share of AD, for everybody
for name, score, raw, calibrated in versions:
    assert abs(roc_auc(y_ad_test, calibrated) - roc_auc(y_ad_test, score)) < 1e-12
    # the test subjects measure a Brier score to ± its 95 % interval's half-width; calibrated on out-of-fold
    # training scores, the probabilities are not worse by as much as that
    before = bootstrap_ci(brier_score, y_ad_test, raw, n_boot=2_000, rng=SEED)
    after = bootstrap_ci(brier_score, y_ad_test, calibrated, n_boot=2_000, rng=SEED)
    print(f"{name}: Brier score {before.estimate:.3f} ± {(before.high - before.low) / 2:.3f} before, "
          f"{after.estimate:.3f} after")
    expect(after.estimate - before.estimate, "<", (before.high - before.low) / 2,
           what=f"Brier change after calibration, against the Brier score's 95 % half-width, {name}")
    # and they carry information beyond the base rate: the paired interval of the Brier gain excludes 0 (in fast
    # mode, a CNN trained on 165 subjects may come out shifted, unlike its folds: only its gain itself is checked)
    gain = bootstrap_difference(brier_score, y_ad_test, base_rate, calibrated, n_boot=2_000, rng=SEED)
    if name == "3D hippocampus CNN" and dlmi.fast_mode():
        expect(gain.estimate, ">", 0, what=f"Brier gain over the base rate, {name}")
    else:
        expect(gain.low, ">", 0, what=f"lower end of the 95 % interval of the Brier gain over the base rate, {name}")

# %% [markdown]
# ## 7. How many subjects does a CNN need? A learning curve
#
# A network learns its features from the data; the SVM is handed them. The difference should
# show when training subjects are few. Both are trained on random subsets of the AD-vs-CN
# training subjects (stratified) and scored on the same test subjects. One split and one seed:
# each point is uncertain by several points (section 5), so read the trend, not the wiggles.
# In fast mode (200 subjects, about 30 of them tested) the whole trend is within that
# uncertainty (the CNN with the most subjects scored 0.61 to 0.84 over ten seeds, the SVM with
# the fewest 0.66 to 0.89): the checks there ask only that both beat chance, and the full run
# checks the CNN's gain and the SVM's score with few subjects.

# %%
t = tasks["AD vs CN"]
sizes = dlmi.pick(full=[50, 100, 200, 400], fast=[30, 60, 120])
split = [(t["train"], t["test"])]
curves = {
    "Linear SVM (regions)": learning_curve(RegionalSVM(), X_regions[t["rows"]], t["y"], split, sizes, rng=SEED),
    "3D whole-brain CNN": learning_curve(whole_brain, maps_coarse[t["rows"]], t["y"], split, sizes, rng=SEED),
}
fig, ax = plt.subplots()
for name, curve in curves.items():
    ax.plot(curve["n_train"], curve["balanced_accuracy"], marker="o", label=name)
ax.axhline(0.5, color="grey", linestyle=":", label="chance")
ax.set(xscale="log", xlabel="training subjects (log scale)", ylabel="balanced accuracy on the test subjects",
       title="AD vs CN: learning curves", ylim=(0.4, 1.0))
ax.minorticks_off()
ax.set_xticks(sizes, labels=sizes)
ax.legend()
plt.show()

# %%
svm_curve = curves["Linear SVM (regions)"]["balanced_accuracy"].to_numpy()
cnn_curve = curves["3D whole-brain CNN"]["balanced_accuracy"].to_numpy()
gap = svm_curve - cnn_curve
for n, s, c in zip(sizes, svm_curve, cnn_curve):
    print(f"{n:>4} training subjects: SVM {s:.2f}, CNN {c:.2f}, SVM − CNN = {s - c:+.2f}")
caught_up = [n for n, g in zip(sizes, gap) if g <= 0]
reading = (f"the CNN first reaches the SVM at {caught_up[0]} training subjects" if caught_up else
           "the CNN stays below the SVM at every size tried here")
print(f"{reading}; with {sizes[-1]}, SVM − CNN = {gap[-1]:+.2f}")

# %% tags=["check"]
if dlmi.fast_mode():  # about 30 test subjects: each point is uncertain by about ±0.15, a few points' gain is noise
    expect(cnn_curve[-1], ">", 0.5, what="CNN with the most subjects, against chance")
    expect(svm_curve[0], ">", 0.5, what="SVM with the fewest subjects, against chance")
else:
    expect(cnn_curve[-1] - cnn_curve[0], ">", 0.03, what="CNN's gain from the fewest to the most subjects")
    expect(svm_curve[0], ">", 0.65, what="SVM with the fewest subjects")  # hand-crafted features work with few subjects

# %% [markdown]
# ## 8. Data leakage: the main warning of Wen et al.
#
# Wen et al. found that several published studies split their data at the level of **slices**
# (or of sessions) rather than subjects: slices of the same brain then sit in the training and
# in the test set, the network recognises the brain rather than the disease, and the reported
# accuracy is too good to be true. We repeat the mistake on purpose with the 2D network:
# the same slices, once split at random (slice level), once by subject. Every block of the
# network is fine-tuned this time and it trains longer: the more a network can memorise, the
# more a wrong split flatters it. The score is the slice-level balanced accuracy in both cases;
# only the split differs. In fast mode (8 epochs) the network has memorised little and the gap
# varies from one draw of the cohort to the next: the check there confirms the mechanism (the same
# brains on both sides of a slice-level split), and the full run (15 epochs) checks the inflated score.

# %%
leak_rows = np.random.default_rng(SEED).choice(t["rows"][t["train"]], dlmi.pick(full=100, fast=120), replace=False)
leak_slices, leak_subject = extract_slices(cohort.maps[leak_rows], axis=0, discard=0.3)
leak_y = (groups[leak_rows] == "AD").astype(int)[leak_subject]
memoriser = CNNClassifier(lambda: FineTunedCNN2d(pretrained, 1, n_frozen_blocks=0),
                              epochs=dlmi.pick(full=15, fast=8), lr=1e-3, batch_size=64, rng=SEED)
leakage = leakage_experiment(memoriser, leak_slices, leak_y, leak_subject, test_size=0.25, rng=SEED)
fig, ax = plt.subplots(figsize=(7, 4.5))
bars = ax.bar(list(leakage), list(leakage.values()), color=["#D55E00", "#0072B2"])
ax.bar_label(bars, fmt="%.2f")
ax.axhline(0.5, color="grey", linestyle=":")
ax.set(ylabel="balanced accuracy (test slices)", ylim=(0.4, 1.0),
       title=f"2D CNN, {len(leak_rows)} subjects, {len(leak_slices)} slices")
plt.show()
print({k: round(v, 3) for k, v in leakage.items()},
      f"→ the wrong split adds {leakage['slice-level split'] - leakage['subject-level split']:+.2f}")

# %% tags=["check"]
slice_train, slice_test = patient_split(np.arange(len(leak_y)), leak_y, (0.75, 0.25), rng=SEED)
assert set(leak_subject[slice_train]) & set(leak_subject[slice_test])  # the leak: brains on both sides
if not dlmi.fast_mode():  # 15 epochs: the network has memorised brains, and the wrong split flatters it
    expect(leakage["slice-level split"] - leakage["subject-level split"], ">", 0,
           what="leak: slice- minus subject-level split")

# %% [markdown]
# ## Summary
#
# - Alzheimer's disease shrinks the gray matter, first in the medial temporal lobe. From
#   registered gray-matter maps, two tasks: AD vs CN, and the harder prediction sMCI vs pMCI.
# - Feature engineering: the gray matter of $p$ regions, $\mathbf{x} \in \mathbb{R}^p$, and a
#   linear SVM whose $C$ is chosen inside the training folds (nested, subject-level
#   cross-validation); its weights point at the hippocampus and its neighbours.
# - Three CNNs after Wen et al.: a 3D whole-brain CNN, a 3D CNN on the two hippocampi (shared
#   weights, soft vote), a 2D CNN pre-trained on another task with frozen early blocks whose
#   slice probabilities are averaged per subject.
# - Compare with balanced accuracies and confidence intervals on the same subjects; differences
#   inside the intervals are no evidence. Wen et al. found the linear SVM on par with the best
#   CNNs on ADNI's hundreds of subjects; this run's table and learning curve say whether, and
#   from how many subjects, networks that learn from raw maps catch up with features built on
#   twenty years of medical image computing.
# - A score is not a probability until it is calibrated: Platt scaling $\sigma(af + b)$ for the
#   SVM's margins, temperature scaling for the CNN's logits, fitted on out-of-fold scores of the
#   training subjects and judged on the test subjects (reliability diagram, Brier score). The
#   AUC does not move; with a few hundred test subjects, only a gross miscalibration shows.
# - Split by subject, choose hyper-parameters on training data only: a slice-level split
#   inflates the score of the very same network.
#
# ## Exercises
#
# **Next:** notebook 11 (`11_brain_age_regression.ipynb`) predicts a number rather than a class from
# the same kind of maps: brain age, the brain-age gap as a marker of Alzheimer's disease, and clinical scores.
#

# %% [markdown]
# ### Exercise 1 — Balanced accuracy
#
# Write `balanced_accuracy(y_true, y_pred)` for 0/1 arrays: the mean of the sensitivity (the
# fraction of 1s predicted 1) and the specificity (the fraction of 0s predicted 0). Then
# compare it with the plain accuracy of a classifier that answers 0 for everybody, on 200
# subjects labelled 0 and 100 labelled 1.

# %% tags=["solution"]
def balanced_accuracy(y_true, y_pred):
    """Mean of sensitivity and specificity of 0/1 predictions."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    sensitivity = np.mean(y_pred[y_true == 1] == 1)
    specificity = np.mean(y_pred[y_true == 0] == 0)
    return (sensitivity + specificity) / 2


# %% tags=["check"]
assert dlmi.checks.check_balanced_accuracy(balanced_accuracy)
y_unbalanced = np.r_[np.zeros(200), np.ones(100)]
always_zero = np.zeros(300)
print(f"accuracy {np.mean(always_zero == y_unbalanced):.2f}, balanced accuracy "
      f"{balanced_accuracy(y_unbalanced, always_zero):.2f}")
assert balanced_accuracy(y_unbalanced, always_zero) == 0.5

# %% [markdown]
# ### Exercise 2 — A subject-level split
#
# Write `subject_split(subject_ids, test_size, seed)` that returns the row indices
# `(train, test)` of a table with one row per session (or slice), such that every row of a
# subject is on the same side and about `test_size` of the subjects are in the test set. Use
# `np.unique` and a `np.random.default_rng(seed)` permutation of the subjects. Then check on a
# two-session cohort that no subject is on both sides.

# %% tags=["solution"]
def subject_split(subject_ids, test_size, seed):
    """Row indices (train, test), every subject's rows on one side."""
    subject_ids = np.asarray(subject_ids)
    subjects = np.random.default_rng(seed).permutation(np.unique(subject_ids))
    test_subjects = subjects[:int(round(test_size * len(subjects)))]
    in_test = np.isin(subject_ids, test_subjects)
    return np.flatnonzero(~in_test), np.flatnonzero(in_test)


# %% tags=["check"]
assert dlmi.checks.check_subject_split(subject_split)
two_sessions = dlmi.data.simulate_participants(40, sessions=2, rng=SEED + 1)
train_rows, test_rows = subject_split(two_sessions["participant_id"], 0.25, seed=SEED)
both = set(two_sessions["participant_id"].iloc[train_rows]) & set(two_sessions["participant_id"].iloc[test_rows])
assert not both and len(train_rows) + len(test_rows) == len(two_sessions)

# %% [markdown]
# ### Exercise 3 — From slices to subjects
#
# Write `aggregate_slices(probabilities, subject_index)`: given the probability of AD of every
# slice and the index (0 to n − 1) of the subject it comes from, return the n subject-level
# probabilities, each the mean over that subject's slices (slices need not be in order). Use
# `np.bincount` with `weights`. Then compare the slice-level and the subject-level balanced
# accuracy of the 2D CNN of section 4.3 on its test subjects.

# %% tags=["solution"]
def aggregate_slices(probabilities, subject_index):
    """Mean probability of each subject's slices, subject i at position i."""
    totals = np.bincount(subject_index, weights=probabilities)
    counts = np.bincount(subject_index)
    return totals / counts


# %% tags=["check"]
assert dlmi.checks.check_aggregate_slices(aggregate_slices)
t = tasks["AD vs CN"]
probabilities, test_subject = slice_model.predict_slices(cohort.maps[t["rows"][t["test"]]])
y_test = t["y"][t["test"]]
subject_probability = aggregate_slices(probabilities, test_subject)
print(f"balanced accuracy of single slices {balanced_accuracy(y_test[test_subject], probabilities > 0.5):.3f}, "
      f"of subjects (mean over their slices) {balanced_accuracy(y_test, subject_probability > 0.5):.3f}")
assert np.allclose(subject_probability, slice_model.predict_proba(cohort.maps[t["rows"][t["test"]]])[:, 1], atol=1e-6)


# %% [markdown]
# ### Exercise 4 — A margin is not a probability
#
# The scale of the SVM's decision value is set by $C$: a small $C$ keeps $\|\mathbf{w}\|$ small and
# tolerates subjects inside the margin, so the decision values crowd near 0; a large $C$ spreads
# them out. Write `margin_and_brier(C)`: fit `RegionalSVM(Cs=[C])` on the AD-vs-CN training
# subjects of section 6 (`ad_train`, `y_ad_train`) and return, on the test subjects (`ad_test`,
# `y_ad_test`), the mean $|f|$, the Brier score of $\sigma(f)$, and the Brier score of Platt scaling
# fitted on the out-of-fold decision values of the folds `inner_folds` (`cross_validate`). Compare
# $C = 0.001$ and $C = 1$: for which is $\sigma(f)$ timid, for which over-confident, and what does
# Platt's slope $a$ do in each case?

# %% tags=["solution"]
def margin_and_brier(C):
    """Mean |f| on the test subjects, Brier score of σ(f) and of Platt-scaled f, for a linear SVM with this C."""
    svm = RegionalSVM(Cs=[C]).fit(X_regions[ad_train], y_ad_train, subject_ids[ad_train])
    f = svm.decision_function(X_regions[ad_test])
    out_of_fold = cross_validate(RegionalSVM(Cs=[C]), X_regions[ad_train], y_ad_train, inner_folds,
                                 groups=subject_ids[ad_train])
    scaled = PlattScaling().fit(out_of_fold.y_score, out_of_fold.y_true).predict_proba(f)
    return np.abs(f).mean(), brier_score(y_ad_test, expit(f)), brier_score(y_ad_test, scaled)


# %% tags=["check"]
by_C = {C: dlmi.checks.call("margin_and_brier", margin_and_brier, C) for C in (0.001, 1.0)}
for C, (size, raw, scaled) in by_C.items():
    print(f"C = {C:g}: mean |f| {size:.2f}; Brier score of σ(f) {raw:.3f}, after Platt scaling {scaled:.3f}")
expect(by_C[1.0][0] / by_C[0.001][0], ">", 2, what="mean |f|, C = 1 over C = 0.001")  # C sets the scale of f
# with C = 0.001 the decision values crowd near 0 and σ(f) stays near ½: timid; Platt's slope sharpens it
expect(by_C[0.001][1] - by_C[0.001][2], ">", 0, what="Brier score of σ(f) minus Platt's, C = 0.001")
