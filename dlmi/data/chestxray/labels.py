"""The label model of the simulated chest radiographs: who is ill with what, on which film, and what the reports say.

The 14 ChestX-ray14 ``FINDINGS`` and their ``CHESTXRAY14_PREVALENCE``; the true labels, drawn
from a Gaussian copula with the co-occurrences radiologists expect (chronic findings persist over
a patient's films, acute ones come and go); the view of each film (PA or AP, sicker patients
more often AP); and the labels *mined* from reports, with misses and false alarms.
"""

from __future__ import annotations

import numpy as np

#: The 14 ChestX-ray14 findings, in the order of the slides' (and CheXNeXt's) Table 1.
FINDINGS: tuple[str, ...] = (
    "Atelectasis",
    "Cardiomegaly",
    "Consolidation",
    "Edema",
    "Effusion",
    "Emphysema",
    "Fibrosis",
    "Hernia",
    "Infiltration",
    "Mass",
    "Nodule",
    "Pleural thickening",
    "Pneumonia",
    "Pneumothorax",
)

#: Fraction of ChestX-ray14's 112,120 images carrying each finding (Wang et al., 2017, label counts).
CHESTXRAY14_PREVALENCE: dict[str, float] = {
    "Atelectasis": 11559 / 112120,
    "Cardiomegaly": 2776 / 112120,
    "Consolidation": 4667 / 112120,
    "Edema": 2303 / 112120,
    "Effusion": 13317 / 112120,
    "Emphysema": 2516 / 112120,
    "Fibrosis": 1686 / 112120,
    "Hernia": 227 / 112120,
    "Infiltration": 19894 / 112120,
    "Mass": 5782 / 112120,
    "Nodule": 6331 / 112120,
    "Pleural thickening": 3385 / 112120,
    "Pneumonia": 1431 / 112120,
    "Pneumothorax": 5302 / 112120,
}

_INDEX = {name: i for i, name in enumerate(FINDINGS)}

#: Chronic findings persist over a patient's images, same size and place; acute ones come and go.
_CHRONIC = ("Cardiomegaly", "Emphysema", "Fibrosis", "Hernia", "Mass", "Nodule", "Pleural thickening")

#: Correlations of the latent Gaussian variables behind the labels (a Gaussian copula): the
#: co-occurrences radiologists expect, strongest for consolidation with pneumonia.
_CORRELATIONS = {
    ("Consolidation", "Pneumonia"): 0.8,
    ("Infiltration", "Pneumonia"): 0.4,
    ("Consolidation", "Infiltration"): 0.3,
    ("Cardiomegaly", "Effusion"): 0.4,
    ("Cardiomegaly", "Edema"): 0.45,
    ("Edema", "Effusion"): 0.5,
    ("Atelectasis", "Effusion"): 0.4,
    ("Atelectasis", "Consolidation"): 0.3,
    ("Edema", "Infiltration"): 0.2,
    ("Mass", "Nodule"): 0.3,
    ("Emphysema", "Pneumothorax"): 0.3,
    ("Fibrosis", "Pleural thickening"): 0.3,
}

#: Findings that a report miner confuses (a true consolidation mined as pneumonia, ...).
_CONFUSED = {
    "Atelectasis": ("Consolidation", "Effusion"),
    "Consolidation": ("Pneumonia", "Infiltration", "Atelectasis"),
    "Edema": ("Infiltration", "Effusion"),
    "Effusion": ("Pleural thickening", "Atelectasis"),
    "Infiltration": ("Pneumonia", "Consolidation", "Edema"),
    "Mass": ("Nodule",),
    "Nodule": ("Mass",),
    "Pleural thickening": ("Effusion",),
    "Pneumonia": ("Consolidation", "Infiltration"),
}

#: Findings that bring a patient to a bedside (AP) film more often than to the PA stand.
_ACUTE_FOR_VIEW = ("Consolidation", "Edema", "Effusion", "Pneumonia", "Pneumothorax", "Atelectasis")


# ----------------------------------------------------------------------------------------
# Who is ill with what: true labels, views, mined labels
# ----------------------------------------------------------------------------------------


def _latent_covariance() -> np.ndarray:
    """(14, 14) correlation matrix of the latent variables whose thresholds give the labels."""
    cov = np.eye(len(FINDINGS))
    for (first, second), rho in _CORRELATIONS.items():
        cov[_INDEX[first], _INDEX[second]] = cov[_INDEX[second], _INDEX[first]] = rho
    return cov


def _draw_true_labels(rng, patient_of: np.ndarray, n_patients: int, prevalence: np.ndarray) -> np.ndarray:
    """(N, 14) uint8 truth: a Gaussian copula with the co-occurrences above and exact marginals.

    Each image's latent vector mixes its patient's (weight 1 for chronic findings, 0.4 for acute
    ones) with its own, so chronic findings are the same on all of a patient's images.
    """
    from scipy.special import ndtri  # the standard normal quantile function

    chol = np.linalg.cholesky(_latent_covariance())
    z_patient = rng.standard_normal((n_patients, len(FINDINGS))) @ chol.T
    z_image = rng.standard_normal((len(patient_of), len(FINDINGS))) @ chol.T
    persistence = np.array([1.0 if name in _CHRONIC else 0.4 for name in FINDINGS])
    z = np.sqrt(persistence) * z_patient[patient_of] + np.sqrt(1 - persistence) * z_image
    return (z < ndtri(prevalence)).astype(np.uint8)


def _draw_views(rng, truth: np.ndarray) -> np.ndarray:
    """(N,) "PA"/"AP": 30 % AP, 60 % for patients with an acute finding (bedside films)."""
    acute = truth[:, [_INDEX[name] for name in _ACUTE_FOR_VIEW]].any(axis=1)
    return np.where(rng.random(len(truth)) < np.where(acute, 0.6, 0.3), "AP", "PA")


def _mine_labels(rng, truth: np.ndarray, rate: float) -> np.ndarray:
    """The labels a report-mining pipeline would give: on average a fraction ``rate`` of entries wrong.

    Each finding gets a share of the errors that grows with its prevalence; half of its errors
    are misses (a negation or hedge misread) and half false alarms, so the mined prevalence
    stays close to the true one. False alarms fall five times more often on images carrying a
    finding that reports confuse with it (a true consolidation mined as pneumonia).
    """
    if rate == 0:
        return truth.copy()
    n, k = truth.shape
    prevalence = truth.mean(axis=0)
    share = (prevalence + 0.01) / (prevalence + 0.01).sum()
    errors = rate * k * share  # expected fraction of wrong entries, per finding
    miss = np.minimum(errors / 2 / np.maximum(prevalence, 1e-12), 0.5)
    false_alarm = np.clip((errors - prevalence * miss) / np.maximum(1 - prevalence, 1e-12), 0, 1)

    confusable = np.zeros((k, k))
    for source, targets in _CONFUSED.items():
        confusable[_INDEX[source], [_INDEX[t] for t in targets]] = 1
    related = (truth @ confusable) > 0
    weight = 1 + 4 * related
    negative = truth == 0
    mean_weight = np.maximum((weight * negative).sum(axis=0), 1) / np.maximum(negative.sum(axis=0), 1)
    p_flip = np.where(negative, np.minimum(false_alarm * weight / mean_weight, 1), miss)
    flip = rng.random((n, k)) < p_flip
    return (truth ^ flip).astype(np.uint8)
