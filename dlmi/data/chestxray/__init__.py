"""SIMULATED frontal chest radiographs with the 14 ChestX-ray14 findings, lesion masks and known truth.

The chest case study of the course (slides, section 2.7: CheXNeXt, Rajpurkar et al., *PLoS
Medicine* 2018) rests on ChestX-ray14 (Wang et al., 2017), which cannot be downloaded here.
``simulate_chest_xrays`` draws a stand-in. **Nothing here is patient data**: every patient,
film and label comes from a random model, seeded, so the same call returns the same bytes, and
every pixel has a known cause — a model's mistakes can be traced to the image, the label or
the split.

How an image is made (vectorised over the batch with numpy)
    1. A *patient* is drawn: thorax width, lung height, diaphragm domes (the right higher),
       heart size (cardiothoracic ratio) and shape, mediastinum and aortic knob, ribs,
       clavicles, the pattern of lung vessels, and the *chronic* findings (cardiomegaly,
       emphysema, fibrosis, hernia, mass, nodule, pleural thickening) with their size and place.
    2. Each of the patient's *films* gets its own acquisition — PA (standing) or AP (bedside:
       heart magnified 8–16 %, shallower inspiration, more blur and noise), small rotation,
       shift and zoom, inspiration depth, exposure, contrast, blur, noise — and its own
       *acute* findings (atelectasis, consolidation, oedema, effusion, infiltration,
       pneumonia, pneumothorax).
    3. Anatomy is drawn as X-ray *attenuation*: soft tissue, minus the air of the lungs, plus
       bones and vessels; each finding adds or removes attenuation where its radiological sign
       lies (``_draw_<finding>``: a meniscus at a blunted costophrenic angle, a lucent rim
       without markings behind a pleural line, a lobe bounded by a fissure, ...), and that
       region is its mask. The detector maps attenuation to brightness: bright = dense.
    4. The labels a model is trained on are *mined* from the truth with errors, as a
       report-mining pipeline makes them (``label_noise``): misses and false alarms in equal
       numbers per finding, false alarms favouring findings that reports confuse.

Realism of the labels
    With the default prevalence (``CHESTXRAY14_PREVALENCE``, ChestX-ray14's label counts),
    half the images have no finding, a third one, an eighth two (ChestX-ray14: 54 %, 28 %,
    13 %), and 38 % of films are AP. Findings co-occur as radiologists expect (effusion with
    cardiomegaly and oedema, consolidation with pneumonia), and sicker patients get more AP
    films — a shortcut a model can learn. At the default ``label_noise=0.03`` about a third of
    the true findings are missed by the mined labels and as many mined labels are false: heavy,
    but audits of ChestX-ray14 found its labels often wrong (Oakden-Rayner, *Academic
    Radiology* 2020).

What is not modelled
    Lateral views; tubes, lines, pacemakers and text markers; age, sex, breast shadows and
    scapulae; air bronchograms, Kerley lines and lobar anatomy beyond a horizontal fissure;
    differences between hospitals and detectors. The anatomy is schematic: it reads as a
    chest radiograph, but a radiologist would not take it for a real one.

Calibration (``dlmi.recipes.cnn_baseline_aucs``: 1,500 patients, about 3,000 films at 64 × 64, each finding
in 10 % of films, patient-level 75/25 split, ``SimpleCNN2d`` trained 8 epochs on the mined
labels, AUC against the true labels; 30-40 s of one CPU core). Easy signs (cardiomegaly,
effusion, mass, pneumothorax) score high and subtle ones (infiltration, nodule, pneumonia)
lower, a spread like CheXNeXt's; the order differs in places — a nodule of 1-2 pixels is
harder here than at full resolution, emphysema easier::

    finding              CNN, simulated films    CheXNeXt, ChestX-ray14
                         mean (SD), seeds 0-2    (slides, Table 1)
    Atelectasis          0.83 (0.04)             0.862
    Cardiomegaly         0.97 (0.00)             0.831
    Consolidation        0.94 (0.01)             0.893
    Edema                0.95 (0.01)             0.924
    Effusion             0.97 (0.01)             0.901
    Emphysema            0.90 (0.01)             0.704
    Fibrosis             0.85 (0.06)             0.806
    Hernia               0.95 (0.03)             0.851
    Infiltration         0.74 (0.03)             0.721
    Mass                 0.92 (0.01)             0.909
    Nodule               0.74 (0.00)             0.894
    Pleural thickening   0.83 (0.04)             0.798
    Pneumonia            0.83 (0.01)             0.851
    Pneumothorax         0.96 (0.02)             0.944
    mean                 0.88                    0.849

Quick use::

    from dlmi.data import patient_split, simulate_chest_xrays
    from dlmi.viz import show_chest_xrays

    data = simulate_chest_xrays(500, rng=0)          # about 1,000 films of 64 × 64
    show_chest_xrays(data, idx=range(8))
    train, tune, test = patient_split(data.patient_ids, data.labels, (0.7, 0.1, 0.2))

Coordinates are normalised: ``x`` from -1 (image left, the patient's right) to +1 (image right,
the patient's left) and ``y`` from -1 (top) to +1 (bottom); the heart lies at ``x > 0``.

Layout of the subpackage (each module imports only the ones before it)
    ``labels``: the findings, their prevalence and co-occurrences, views, mined labels.
    ``anatomy``: patients, acquisitions, the canvas and the normal anatomy (imports no other module).
    ``signs``: the fourteen findings' parameters (``_sample_<finding>``) and signs (``_draw_<finding>``).
    ``render``: attenuation, detector and the threaded renderer.
    ``__init__``: ``ChestXrays``, ``simulate_chest_xrays`` and its argument checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Mapping, Sequence

import numpy as np

from ...validation import as_array, check_scalar, rng_argument, seed_from
from .labels import _INDEX, CHESTXRAY14_PREVALENCE, FINDINGS, _draw_true_labels, _draw_views, _mine_labels
from .render import AIR, _render
from .signs import _image_parameters

__all__ = ["AIR", "CHESTXRAY14_PREVALENCE", "FINDINGS", "ChestXrays", "simulate_chest_xrays"]


@dataclass(frozen=True)
class ChestXrays:
    """Simulated chest radiographs with their labels, ground truth and lesion masks.

    ``N`` images of ``size`` × ``size`` pixels, 14 findings in the order of ``findings``.

    Attributes
    ----------
    images : (N, 1, size, size) float32 in [0, 1], bright = dense.
    labels : (N, 14) uint8, the labels *mined from reports*: noisy, what a model is trained on.
    true_labels : (N, 14) uint8, the truth; ``true_labels[i, k] == 1`` iff ``masks[i, k]`` is non-empty.
    masks : (N, 14, size, size) bool, where each finding's sign lies, or ``None`` if not asked for.
    patient_ids : (N,) int64, the patient each image belongs to (several images per patient).
    view : (N,) str, ``"PA"`` (standing, posteroanterior) or ``"AP"`` (bedside, anteroposterior).
    findings : the 14 finding names.
    """

    images: np.ndarray
    labels: np.ndarray
    true_labels: np.ndarray
    masks: np.ndarray | None
    patient_ids: np.ndarray
    view: np.ndarray
    findings: tuple[str, ...] = FINDINGS

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:
        n, _, size, _ = self.images.shape
        return (f"ChestXrays({n} simulated images of {size}x{size}, {len(np.unique(self.patient_ids))} patients, "
                f"{int(self.true_labels.sum())} true findings)")

    def prevalence(self):
        """Per finding: true and mined prevalence and the label disagreement, as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(
            {
                "true prevalence": self.true_labels.mean(axis=0),
                "mined prevalence": self.labels.mean(axis=0),
                "label disagreement": (self.labels != self.true_labels).mean(axis=0),
            },
            index=pd.Index(self.findings, name="finding"),
        )


# ----------------------------------------------------------------------------------------
# Public API
# ----------------------------------------------------------------------------------------


def _check_prevalence(prevalence) -> np.ndarray:
    """(14,) rates in [0, 1] from None (ChestX-ray14's), a number, a mapping or 14 numbers."""
    rates = np.array([CHESTXRAY14_PREVALENCE[name] for name in FINDINGS])
    if prevalence is None:
        return rates
    if isinstance(prevalence, Mapping):
        unknown = sorted(set(prevalence) - set(FINDINGS))
        if unknown:
            raise ValueError(f"prevalence has unknown findings {unknown}; the findings are {list(FINDINGS)}")
        for name, rate in prevalence.items():
            rates[_INDEX[name]] = check_scalar(rate, f"prevalence[{name!r}]", low=0.0, high=1.0)
        return rates
    if isinstance(prevalence, Real) and not isinstance(prevalence, bool):
        return np.full(len(FINDINGS), check_scalar(prevalence, "prevalence", low=0.0, high=1.0), dtype=float)
    rates = as_array(prevalence, "prevalence", ndim=1)
    if rates.shape != (len(FINDINGS),):
        raise ValueError(f"prevalence must hold one rate per finding (14), got shape {rates.shape}")
    if ((rates < 0) | (rates > 1)).any():
        raise ValueError(f"prevalence must hold rates in [0, 1], got {rates}")
    return rates


def _check_images_per_patient(images_per_patient) -> tuple[int, int]:
    if isinstance(images_per_patient, Integral) and not isinstance(images_per_patient, bool):
        low = high = check_scalar(images_per_patient, "images_per_patient", kind=Integral, low=1)
        return int(low), int(high)
    if not (isinstance(images_per_patient, Sequence) and len(images_per_patient) == 2):
        raise TypeError(f"images_per_patient must be an int or a pair (low, high), got {images_per_patient!r}")
    low = check_scalar(images_per_patient[0], "images_per_patient[0]", kind=Integral, low=1)
    high = check_scalar(images_per_patient[1], "images_per_patient[1]", kind=Integral, low=low)
    return int(low), int(high)


def simulate_chest_xrays(
    n_patients: int,
    *,
    size: int = 64,
    images_per_patient: int | tuple[int, int] = (1, 3),
    label_noise: float = 0.03,
    prevalence: Mapping[str, float] | Sequence[float] | float | None = None,
    rng=0,
    with_masks: bool = True,
    seed: int | None = None,
) -> ChestXrays:
    """SIMULATED frontal chest radiographs, ChestX-ray14-like, with known truth and lesion masks.

    Parameters
    ----------
    n_patients : number of patients; each has ``images_per_patient`` images (a number, or a
        range ``(low, high)`` drawn uniformly, both ends included).
    size : image side in pixels (at least 32).
    label_noise : fraction of the (image, finding) labels that the simulated report miner gets
        wrong, on average; 0 gives ``labels == true_labels``.
    prevalence : fraction of images with each finding — ``None`` for ChestX-ray14's
        (``CHESTXRAY14_PREVALENCE``), one number for all, ``{name: rate}`` to change some, or
        14 numbers in the order of ``FINDINGS``. Findings co-occur as in practice (effusion
        with cardiomegaly and oedema, consolidation with pneumonia) whatever the rates.
    rng : an int seed (the same seed gives the same bytes; the labels do not depend on
        ``size``) or a Generator to draw one from; ``seed`` is its older name.
    with_masks : ``False`` skips the (N, 14, size, size) masks (``masks`` is then ``None``),
        which take 14 × the memory of the images, in bytes.

    Returns
    -------
    ChestXrays with ``images`` (N, 1, size, size) float32 in [0, 1], ``labels`` and
    ``true_labels`` (N, 14) uint8, ``masks`` (N, 14, size, size) bool, ``patient_ids`` (N,)
    and ``view`` (N,) ``"PA"``/``"AP"``.
    """
    check_scalar(n_patients, "n_patients", kind=Integral, low=1)
    check_scalar(size, "size", kind=Integral, low=32, high=1024)
    low, high = _check_images_per_patient(images_per_patient)
    check_scalar(label_noise, "label_noise", low=0.0, high=0.5)
    rates = _check_prevalence(prevalence)
    seed = seed_from(rng_argument(rng, seed))
    if not isinstance(with_masks, bool):
        raise TypeError(f"with_masks must be True or False, got {with_masks!r}")

    label_seed, image_seed = np.random.SeedSequence(int(seed)).spawn(2)
    label_rng = np.random.default_rng(label_seed)
    counts = label_rng.integers(low, high + 1, n_patients)
    patient_of = np.repeat(np.arange(n_patients), counts)
    truth = _draw_true_labels(label_rng, patient_of, n_patients, rates)
    view = _draw_views(label_rng, truth)
    labels = _mine_labels(label_rng, truth, label_noise)
    params = _image_parameters(label_rng, patient_of, n_patients, truth, view)
    images, masks = _render(params, truth, int(size), image_seed, with_masks)
    return ChestXrays(images=images, labels=labels, true_labels=truth, masks=masks,
                      patient_ids=patient_of.astype(np.int64), view=view)
