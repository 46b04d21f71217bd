"""Data: simulators with known ground truth, loaders for real files, transforms, and patient-level splits.

The bottom layer of the package: nothing here imports a model, a training loop or a figure.

Names are imported on first use, so that ``import dlmi.data`` does not load nilearn or torch.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

# public name -> submodule of dlmi.data that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(
        ["TOY_DATASETS", "make_circles", "make_gaussian_blobs", "make_moons", "make_spiral",
         "make_toy_dataset", "make_xor", "noisy_sine", "sine"],
        "toy",
    ),
    **dict.fromkeys(["simulate_flat_prices", "simulate_purchases"], "tabular"),
    **dict.fromkeys(["ADNI_TABLE", "AGEING_REGIONS", "ATROPHY_REGIONS", "BrainCohort", "adni_table", "ageing_pattern",
                     "atrophy_pattern", "cohort_table", "gray_matter_template", "simulate_cohort",
                     "simulate_lifespan_cohort", "simulate_participants"], "brain"),
    **dict.fromkeys(["Parcellation", "regional_features", "regions"], "parcellation"),
    **dict.fromkeys(["crop_hippocampi", "downsample", "extract_slices", "hippocampus_boxes"], "transforms"),
    **dict.fromkeys(["load_nifti", "save_nifti"], "nifti"),
    **dict.fromkeys(["CHESTXRAY14_PREVALENCE", "FINDINGS", "ChestXrays", "simulate_chest_xrays"], "chestxray"),
    **dict.fromkeys(["assert_no_patient_overlap", "patient_folds", "patient_split"], "splits"),
    **dict.fromkeys(["MEDMNIST_FILES", "load_medmnist"], "medmnist"),
    "ArrayDataset": "datasets",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
