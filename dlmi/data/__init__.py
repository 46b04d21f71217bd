"""Data: simulators with known ground truth, loaders for real files, and patient-level splits.

Names are imported on first use, so that ``import dlmi.data`` does not load nilearn or torch.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

# public name -> submodule of dlmi.data that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        ["TOY_DATASETS", "make_circles", "make_gaussian_blobs", "make_moons", "make_spiral",
         "make_toy_dataset", "make_xor"],
        "toy",
    ),
    **dict.fromkeys(["simulate_flat_prices", "simulate_purchases"], "tabular"),
    **dict.fromkeys(["ADNI_TABLE", "ATROPHY_REGIONS", "BrainCohort", "Parcellation", "adni_table",
                     "atrophy_pattern", "cohort_table", "crop_hippocampi", "gray_matter_template",
                     "hippocampus_boxes", "load_nifti", "plot_brain_slices", "regional_features",
                     "regions", "save_nifti", "simulate_cohort", "simulate_participants"], "brain"),
    **dict.fromkeys(["CHESTXRAY14_PREVALENCE", "FINDINGS", "ChestXrays", "show_chest_xrays", "simulate_chest_xrays"],
                    "chestxray"),
    **dict.fromkeys(["assert_no_patient_overlap", "patient_split"], "splits"),
    **dict.fromkeys(["MEDMNIST_FILES", "load_medmnist"], "medmnist"),
    "ArrayDataset": "datasets",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
