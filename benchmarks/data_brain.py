"""Speed, memory and calibration of the simulated Alzheimer's cohort (dlmi.data.brain).

    python benchmarks/data_brain.py             # speed, then calibration (about an hour on 2 cores)
    python benchmarks/data_brain.py --no-calibration

Speed: subjects simulated per second at 4 and 8 mm (caches warm), the first call's cost
(template, atrophy fields, regions) and the peak memory traced during a call. Calibration:
balanced accuracy of a linear SVM on the 100 regional features, subject-level 5-fold
cross-validation, C chosen by an inner 3-fold search, for several seeds; the slides report
86 % (AD vs CN) and 72 % (sMCI vs pMCI) for ADNI. Learnability: a small 3D CNN trained on
the hippocampus crops and on the whole maps (3-fold cross-validation), to check that the
signal is in the images at a scale a CNN sees.

Brain age (``ageing="regional"``): a ridge regression on the regional features of a healthy
lifespan cohort (``simulate_lifespan_cohort``), 5-fold cross-validated, against predicting the
training folds' mean age; the brain-age gap (predicted minus chronological age) that ridge,
trained on a lifespan cohort, gives each group of an ADNI-like cohort; and a ``SimpleCNN3d``
regressor on whole 8 mm maps (3-fold cross-validation, seed 0).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import table, write  # noqa: E402

from dlmi.data import brain, parcellation, transforms  # noqa: E402

N_SPEED = 256


def svm_balanced_accuracy(X: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Mean and SD over the outer folds of a nested-CV linear SVM's balanced accuracy."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    inner = GridSearchCV(make_pipeline(StandardScaler(), LinearSVC(dual=False)),
                         {"linearsvc__C": np.logspace(-4, 0, 5)},
                         cv=StratifiedKFold(3, shuffle=True, random_state=seed),
                         scoring="balanced_accuracy")
    scores = cross_val_score(inner, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                             scoring="balanced_accuracy")
    return float(scores.mean()), float(scores.std())


def clear_caches() -> None:
    for cached in (brain._template, brain._ellipsoid_distance, brain._atrophy_weights, brain._ageing_weights,
                   parcellation._regions, parcellation._parcel_centres):
        cached.cache_clear()


def speed_rows(repeat: int = 3) -> list[tuple]:
    rows = []
    for simulate, voxel_size in ((brain.simulate_cohort, 4), (brain.simulate_cohort, 8),
                                 (brain.simulate_lifespan_cohort, 4), (brain.simulate_lifespan_cohort, 6)):
        clear_caches()
        start = time.perf_counter()
        simulate(4, voxel_size=voxel_size)
        parcellation.regions(voxel_size)
        cold = time.perf_counter() - start
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            cohort = simulate(N_SPEED, voxel_size=voxel_size)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        simulate(N_SPEED, voxel_size=voxel_size)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rate = N_SPEED / statistics.median(times)
        rows.append((f"`{simulate.__name__}`", f"{voxel_size} mm", "x".join(map(str, cohort.maps.shape[1:])),
                     f"{rate:.0f}", f"{cold:.2f}", f"{cohort.maps.nbytes / 2**20:.0f}", f"{peak / 2**20:.0f}"))
        print(rows[-1], flush=True)
    return rows


def calibration_rows(settings) -> list[tuple]:
    rows = []
    for n_subjects, voxel_size, seeds in settings:
        results = {"AD vs CN": [], "sMCI vs pMCI": []}
        for seed in seeds:
            cohort = brain.simulate_cohort(n_subjects, voxel_size=voxel_size, rng=seed)
            X = parcellation.regional_features(cohort.maps, parcellation.regions(voxel_size))
            group = cohort.participants["group"].to_numpy()
            for task, (negative, positive) in (("AD vs CN", ("CN", "AD")),
                                               ("sMCI vs pMCI", ("sMCI", "pMCI"))):
                keep = np.isin(group, (negative, positive))
                results[task].append(svm_balanced_accuracy(X[keep], group[keep] == positive, seed)[0])
        cells = [f"{np.mean(r):.3f} ± {np.std(r):.3f} ({', '.join(f'{a:.2f}' for a in r)})"
                 for r in results.values()]
        rows.append(("slides' sizes (1259)" if n_subjects is None else str(n_subjects),
                     f"{voxel_size} mm", ", ".join(map(str, seeds)), *cells))
        print(rows[-1], flush=True)
    return rows


def small_cnn(in_channels: int):
    """Three conv blocks (8, 16, 32 filters, batch norm, ReLU, two max-pools), dropout, linear."""
    from torch import nn

    layers, widths = [], (in_channels, 8, 16, 32)
    for i in range(3):
        layers += [nn.Conv3d(widths[i], widths[i + 1], 3, padding=1), nn.BatchNorm3d(widths[i + 1]),
                   nn.ReLU()]
        if i < 2:
            layers.append(nn.MaxPool3d(2, ceil_mode=True))
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.5), nn.LazyLinear(2))


def cnn_balanced_accuracy(X: np.ndarray, y: np.ndarray, epochs: int = 30, lr: float = 3e-3) -> float:
    """Mean balanced accuracy of ``small_cnn`` over 3 stratified folds (voxel-wise standardised)."""
    import torch
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold

    import dlmi

    scores = []
    for fold, (train, test) in enumerate(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y)):
        dlmi.seed_everything(fold)
        mean, sd = X[train].mean(0), X[train].std(0) + 1e-3
        inputs, labels = torch.tensor((X - mean) / sd, dtype=torch.float32), torch.tensor(y)
        model = small_cnn(X.shape[1])
        model(inputs[:2])  # sizes the lazy linear layer
        optimiser = torch.optim.AdamW(model.parameters(), lr, weight_decay=1e-2)
        steps_per_epoch = -(-len(train) // 32)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, lr, total_steps=epochs * steps_per_epoch)
        for epoch in range(epochs):
            model.train()
            order = np.random.default_rng(epoch).permutation(train)
            for i in range(0, len(order), 32):
                batch = order[i:i + 32]
                loss = torch.nn.functional.cross_entropy(model(inputs[batch]), labels[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        model.eval()
        with torch.no_grad():
            predicted = model(inputs[test]).argmax(1).numpy()
        scores.append(balanced_accuracy_score(y[test], predicted))
    return float(np.mean(scores))


def cnn_rows() -> list[tuple]:
    rows = []
    for n_subjects, voxel_size, input_name, tasks in (
            (None, 4, "hippocampus crops", ("AD vs CN", "sMCI vs pMCI")),
            (None, 8, "whole maps", ("AD vs CN",)),
            (400, 6, "hippocampus crops", ("AD vs CN",)),
            (400, 8, "whole maps", ("AD vs CN",))):
        cohort = brain.simulate_cohort(n_subjects, voxel_size=voxel_size, rng=0)
        group = cohort.participants["group"].to_numpy()
        for task in tasks:
            negative, positive = {"AD vs CN": ("CN", "AD"), "sMCI vs pMCI": ("sMCI", "pMCI")}[task]
            keep = np.isin(group, (negative, positive))
            maps = cohort.maps[keep]
            X = transforms.crop_hippocampi(maps, cohort.affine) if input_name.startswith("hippo") else maps[:, None]
            y = (group[keep] == positive).astype(np.int64)
            rows.append(("slides' sizes" if n_subjects is None else str(n_subjects), f"{voxel_size} mm",
                         input_name, "x".join(map(str, X.shape[1:])), task, len(y),
                         f"{cnn_balanced_accuracy(X, y):.3f}"))
            print(rows[-1], flush=True)
    return rows


def ridge():
    """Standardised features, then ridge regression with its penalty chosen by generalised CV."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-2, 4, 25)))


def mean_sd(values) -> str:
    return f"{np.mean(values):.2f} ± {np.std(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})"


def lifespan_rows(settings) -> list[tuple]:
    """Ridge brain age on lifespan cohorts: MAE and R² (5-fold CV) against the mean's MAE."""
    from sklearn.dummy import DummyRegressor
    from sklearn.model_selection import KFold, cross_val_predict

    rows = []
    for n_subjects, voxel_size, seeds in settings:
        results = {"ridge MAE": [], "R²": [], "mean's MAE": [], "ridge MAE to brain age": [],
                   "mean abs(brain age - age)": []}
        for seed in seeds:
            cohort = brain.simulate_lifespan_cohort(n_subjects, voxel_size=voxel_size, rng=seed)
            X = parcellation.regional_features(cohort.maps, parcellation.regions(voxel_size))
            age = cohort.participants["age"].to_numpy()
            brain_age = cohort.participants["brain_age"].to_numpy()
            folds = KFold(5, shuffle=True, random_state=seed)
            predicted = cross_val_predict(ridge(), X, age, cv=folds)
            mean = cross_val_predict(DummyRegressor(), X, age, cv=folds)
            results["ridge MAE"].append(np.abs(predicted - age).mean())
            results["R²"].append(1 - ((predicted - age) ** 2).sum() / ((age - age.mean()) ** 2).sum())
            results["mean's MAE"].append(np.abs(mean - age).mean())
            results["ridge MAE to brain age"].append(np.abs(predicted - brain_age).mean())
            results["mean abs(brain age - age)"].append(np.abs(brain_age - age).mean())
        rows.append((n_subjects, f"{voxel_size} mm", ", ".join(map(str, seeds)),
                     *(mean_sd(r) for r in results.values())))
        print(rows[-1], flush=True)
    return rows


def gap_rows(settings) -> list[tuple]:
    """Brain-age gap per group of an ADNI-like cohort (regional ageing, rng=seed + 1), scored by
    a ridge trained on a lifespan cohort (rng=seed): mean gap per group, and two differences."""
    rows = []
    for n_lifespan, n_adni, voxel_size, seeds in settings:
        gaps = {g: [] for g in (*brain.GROUPS, "AD - CN", "pMCI - sMCI")}
        for seed in seeds:
            parcels = parcellation.regions(voxel_size)
            lifespan = brain.simulate_lifespan_cohort(n_lifespan, voxel_size=voxel_size, rng=seed)
            model = ridge().fit(parcellation.regional_features(lifespan.maps, parcels),
                                lifespan.participants["age"].to_numpy())
            cohort = brain.simulate_cohort(n_adni, voxel_size=voxel_size, ageing="regional", rng=seed + 1)
            people = cohort.participants
            gap = model.predict(parcellation.regional_features(cohort.maps, parcels)) - people["age"].to_numpy()
            by_group = pd.Series(gap).groupby(people["group"].to_numpy()).mean()
            for g in brain.GROUPS:
                gaps[g].append(by_group[g])
            gaps["AD - CN"].append(by_group["AD"] - by_group["CN"])
            gaps["pMCI - sMCI"].append(by_group["pMCI"] - by_group["sMCI"])
        rows.append((n_lifespan, "slides' sizes (1259)" if n_adni is None else n_adni, f"{voxel_size} mm",
                     ", ".join(map(str, seeds)), *(mean_sd(v) for v in gaps.values())))
        print(rows[-1], flush=True)
    return rows


def cnn_age_mae(cohort: brain.BrainCohort, epochs: int = 30, lr: float = 3e-3) -> tuple[float, float, float]:
    """Mean over 3 folds of the test MAE of a ``SimpleCNN3d`` regressor of age (MSE on standardised
    ages, voxel-wise standardised maps), of the ridge on regional features, and of the mean."""
    import torch
    from sklearn.model_selection import KFold

    import dlmi
    from dlmi.models import SimpleCNN3d

    features = parcellation.regional_features(cohort.maps, parcellation.regions(cohort.voxel_size))
    age = cohort.participants["age"].to_numpy()
    X = cohort.maps[:, None]
    scores = []
    for fold, (train, test) in enumerate(KFold(3, shuffle=True, random_state=0).split(X)):
        dlmi.seed_everything(fold)
        mean, sd = X[train].mean(0), X[train].std(0) + 1e-3
        inputs = torch.tensor((X - mean) / sd, dtype=torch.float32)
        centre, scale = age[train].mean(), age[train].std()
        targets = torch.tensor((age - centre) / scale, dtype=torch.float32)
        model = SimpleCNN3d(1, 1, dropout=0.2)
        optimiser = torch.optim.AdamW(model.parameters(), lr, weight_decay=1e-2)
        steps_per_epoch = -(-len(train) // 32)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, lr, total_steps=epochs * steps_per_epoch)
        for epoch in range(epochs):
            model.train()
            order = np.random.default_rng(epoch).permutation(train)
            for i in range(0, len(order), 32):
                batch = order[i:i + 32]
                loss = torch.nn.functional.mse_loss(model(inputs[batch])[:, 0], targets[batch])
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        model.eval()
        with torch.no_grad():
            predicted = model(inputs[test])[:, 0].numpy() * scale + centre
        linear = ridge().fit(features[train], age[train]).predict(features[test])
        scores.append((np.abs(predicted - age[test]).mean(), np.abs(linear - age[test]).mean(),
                       np.abs(centre - age[test]).mean()))
    return tuple(float(v) for v in np.mean(scores, axis=0))


def cnn_age_rows() -> list[tuple]:
    rows = []
    for n_subjects, voxel_size in ((300, 8),):
        cohort = brain.simulate_lifespan_cohort(n_subjects, voxel_size=voxel_size, rng=0)
        cnn, linear, mean = cnn_age_mae(cohort)
        rows.append((n_subjects, f"{voxel_size} mm", "x".join(map(str, cohort.maps.shape[1:])),
                     f"{cnn:.2f}", f"{linear:.2f}", f"{mean:.2f}"))
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-calibration", action="store_true", help="speed only (no SVM, no CNN)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)

    body = "## Speed\n\n" + table(
        ["simulator", "voxel size", "volume", "subjects/s", "first call (s)", f"maps of {N_SPEED} (MiB)",
         f"peak traced for {N_SPEED} (MiB)"], speed_rows())
    note = (f"Speed: median of 3 calls of `simulate_cohort({N_SPEED}, voxel_size=...)` (global ageing) or "
            f"`simulate_lifespan_cohort({N_SPEED}, voxel_size=...)` (regional ageing) with warm "
            "caches; the first call also resamples the template and builds the atrophy and ageing fields "
            "(and `regions` its k-means cells). Peak traced memory: tracemalloc during one call, "
            "maps included.")
    if not args.no_calibration:
        settings = [(None, 4, (0, 1, 2)), (None, 8, (0, 1, 2, 3, 4)), (200, 6, (0, 1, 2, 3, 4)),
                    (200, 8, (0, 1, 2, 3, 4))]
        body += "\n\n## Calibration (linear SVM on regional features)\n\n" + table(
            ["subjects", "voxel size", "seeds", "AD vs CN", "sMCI vs pMCI"], calibration_rows(settings))
        body += "\n\n## Learnability by a small 3D CNN (seed 0)\n\n" + table(
            ["subjects", "voxel size", "input", "shape", "task", "n", "balanced accuracy"], cnn_rows())
        note += (" Calibration: balanced accuracy, mean ± SD over seeds (each seed's value in "
                 "brackets); the slides report 0.86 and 0.72 (Linear SVM on ADNI). CNN: "
                 "`small_cnn` (3 conv blocks of 8, 16, 32 filters, dropout 0.5, linear), AdamW "
                 "(lr 3e-3, one-cycle, weight decay 0.01), 30 epochs of batches of 32, 3-fold "
                 "stratified cross-validation; the slides report 86 %/73 % (hippocampus CNN) and "
                 "84 %/73 % (whole-brain CNN) on ADNI.")
        seeds = (0, 1, 2, 3, 4)
        body += "\n\n## Brain age: ridge on the regional features of a lifespan cohort\n\n" + table(
            ["subjects", "voxel size", "seeds", "ridge MAE (years)", "R²", "mean's MAE (years)",
             "ridge MAE to brain age", "mean abs(brain age - age)"],
            lifespan_rows([(300, 6, seeds), (300, 8, seeds), (600, 4, seeds)]))
        body += "\n\n## Brain-age gap of an ADNI-like cohort (regional ageing)\n\n" + table(
            ["lifespan subjects", "ADNI-like subjects", "voxel size", "seeds", *brain.GROUPS, "AD - CN",
             "pMCI - sMCI"],
            gap_rows([(300, 200, 6, seeds), (600, 400, 4, seeds)]))
        body += "\n\n## Brain age by a SimpleCNN3d (seed 0)\n\n" + table(
            ["subjects", "voxel size", "volume", "CNN MAE (years)", "ridge MAE", "mean's MAE"], cnn_age_rows())
        note += (" Brain age: `simulate_lifespan_cohort(n, voxel_size=..., rng=seed)` (ages uniform "
                 "over 20-90), ridge = `StandardScaler` + `RidgeCV` (alphas 1e-2 to 1e4) on the 100 "
                 "`regions` features, predictions of a shuffled 5-fold cross-validation (one map per "
                 "subject: subject-level folds); the mean's MAE predicts each test fold by its training "
                 "folds' mean age; \"ridge MAE to brain age\" compares the same predictions with the "
                 "simulated biological age. Gap: ridge fitted on the whole lifespan cohort (rng=seed), "
                 "applied to `simulate_cohort(n, ageing=\"regional\", rng=seed + 1)`; mean of "
                 "predicted minus chronological age per group (no age-bias correction: the groups "
                 "have similar ages, and every group is older than the lifespan mean, hence the "
                 "negative gaps). CNN: `SimpleCNN3d(1, 1, dropout=0.2)` on voxel-wise standardised "
                 "maps, MSE on standardised ages, AdamW (lr 3e-3, one-cycle, weight decay 0.01), 30 "
                 "epochs of batches of 32, 3-fold cross-validation; ridge and mean on the same folds.")
    write("data_brain", "Simulated Alzheimer's cohort (dlmi.data.brain)", body, note)


if __name__ == "__main__":
    main()
