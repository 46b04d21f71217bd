"""The Alzheimer's disease case study (notebook 10): what is specific to the task.

Follows Wen et al., *Convolutional neural networks for classification of Alzheimer's disease:
overview and reproducible evaluation*, Medical Image Analysis 2020 (the slides, section 2.7),
on the simulated cohort of ``dlmi.data.brain``: the two tasks and their labels
(``task_labels``), the published balanced accuracies (``PUBLISHED``) and the slides'
comparison table (``comparison_table``). The pieces it is built from live in the modules of
their subject:

* ``dlmi.data.brain``, ``dlmi.data.parcellation``, ``dlmi.data.transforms`` — the cohort,
  its regional features, hippocampus crops, coarser maps and slices;
* ``dlmi.data.splits`` — ``patient_split`` / ``patient_folds``, no subject on both sides;
* ``dlmi.estimators`` — ``RegionalSVM``, ``CNNClassifier``, ``SliceCNNClassifier``;
* ``dlmi.evaluation`` — ``cross_validate``, ``learning_curve``, ``leakage_experiment``;
* ``dlmi.metrics`` — ``balanced_accuracy`` and its intervals;
* ``dlmi.recipes`` — ``pretrain_on_chest_xrays``, a 2D CNN to fine-tune on slices.

Labels are 0/1: 1 for the later disease stage of a task (AD in "AD vs CN", pMCI in
"sMCI vs pMCI"). Scores are balanced accuracies, the mean of sensitivity and specificity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validation import check_choice

#: The two classification tasks: name -> (label 0 group, label 1 group).
TASKS: dict[str, tuple[str, str]] = {"AD vs CN": ("CN", "AD"), "sMCI vs pMCI": ("sMCI", "pMCI")}

#: Balanced accuracies published by Wen et al. (2020) on ADNI, as in the slides (None: not reported).
PUBLISHED: dict[str, dict[str, float | None]] = {
    "3D whole-brain CNN": {"AD vs CN": 0.84, "sMCI vs pMCI": 0.73},
    "3D hippocampus CNN": {"AD vs CN": 0.86, "sMCI vs pMCI": 0.73},
    "2D slice CNN": {"AD vs CN": 0.76, "sMCI vs pMCI": None},
    "Linear SVM": {"AD vs CN": 0.86, "sMCI vs pMCI": 0.72},
}


def task_labels(participants: pd.DataFrame, task: str, group_column: str = "group") -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``participants`` in ``task`` and their 0/1 labels: ``(rows (n,) int, y (n,) int)``."""
    if not isinstance(participants, pd.DataFrame):
        raise TypeError(f"participants must be a pandas DataFrame, got {type(participants).__name__}")
    check_choice(task, "task", list(TASKS))
    negative, positive = TASKS[task]
    groups = participants[group_column].astype(str).to_numpy()
    rows = np.flatnonzero(np.isin(groups, (negative, positive)))
    return rows, (groups[rows] == positive).astype(int)


def comparison_table(results: dict[tuple[str, str], tuple[float, float, float]]) -> pd.DataFrame:
    """The slides' comparison: rows = models, columns = (task, "this run" / "Wen et al. 2020").

    ``results[(model, task)] = (mean, low, high)`` balanced accuracies; cells read "84 % [79, 89]".
    """
    def cell(value):
        if value is None:
            return "N/A"
        mean, low, high = value
        return f"{100 * mean:.0f} % [{100 * low:.0f}, {100 * high:.0f}]"

    table = {}
    for model, published in PUBLISHED.items():
        row = {}
        for task in TASKS:
            row[(task, "this run (95 % CI)")] = cell(results.get((model, task)))
            row[(task, "Wen et al. 2020")] = "N/A" if published[task] is None else f"{100 * published[task]:.0f} %"
        table[model] = row
    frame = pd.DataFrame.from_dict(table, orient="index")
    frame.columns = pd.MultiIndex.from_tuples(frame.columns)
    return frame
