"""The Alzheimer case study's own pieces: its tasks and the slides' comparison table."""

import numpy as np
import pandas as pd
import pytest

from dlmi.alzheimer import PUBLISHED, comparison_table, task_labels
from dlmi.data import simulate_participants


def test_task_labels_select_the_two_groups():
    people = simulate_participants(40, rng=0)
    rows, y = task_labels(people, "sMCI vs pMCI")
    groups = people["group"].astype(str).to_numpy()
    assert set(groups[rows]) == {"sMCI", "pMCI"} and len(rows) == np.isin(groups, ["sMCI", "pMCI"]).sum()
    np.testing.assert_array_equal(y, groups[rows] == "pMCI")
    with pytest.raises(ValueError, match="task must be one of"):
        task_labels(people, "AD vs MCI")
    with pytest.raises(TypeError, match="participants"):
        task_labels(people.to_numpy(), "AD vs CN")


def test_comparison_table_has_the_slides_rows_and_columns():
    results = {("Linear SVM", "AD vs CN"): (0.861, 0.80, 0.91), ("2D slice CNN", "AD vs CN"): (0.7, 0.6, 0.8)}
    table = comparison_table(results)
    assert list(table.index) == list(PUBLISHED)
    assert table.loc["Linear SVM", ("AD vs CN", "this run (95 % CI)")] == "86 % [80, 91]"
    assert table.loc["Linear SVM", ("AD vs CN", "Wen et al. 2020")] == "86 %"
    assert table.loc["2D slice CNN", ("sMCI vs pMCI", "Wen et al. 2020")] == "N/A"
    assert table.loc["3D whole-brain CNN", ("sMCI vs pMCI", "this run (95 % CI)")] == "N/A"
    assert isinstance(table.columns, pd.MultiIndex)
