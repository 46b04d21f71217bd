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
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from numbers import Integral, Real
from types import SimpleNamespace
from typing import Mapping, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from ..validation import as_array, check_scalar, rng_argument, seed_from

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

_WORKERS = min(2, os.cpu_count() or 1)  # threads drawing chunks of images

AIR = 0.55  # attenuation that the air of a full-thickness lung removes from the soft tissue


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


# ----------------------------------------------------------------------------------------
# Patients and acquisitions: the parameters of every image, as (N,) arrays
# ----------------------------------------------------------------------------------------

_N_VESSEL_WAVES = 4


def _sample_patients(rng, n: int) -> dict[str, np.ndarray]:
    """Body shape of ``n`` patients, in normalised units (the image is 2 wide; 1 ≈ 19 cm)."""

    def u(low, high, shape=n):
        return rng.uniform(low, high, shape)

    width = u(0.72, 0.82)
    return {
        "half_width": width,  # midline to the inner margin of the ribs
        "body": width + u(0.1, 0.2),  # midline to the skin
        "apex": u(-0.84, -0.74),  # top of the lungs
        "dome": u(0.28, 0.38),  # top of the right hemidiaphragm; the left one sits lower
        "dome_gap": u(0.02, 0.07),
        "sulcus": u(0.14, 0.22),  # depth of the costophrenic recesses below the domes
        "ctr": u(0.38, 0.49),  # cardiothoracic ratio (normal: below 0.5)
        "mediastinum": u(0.08, 0.11),
        "knob": u(0.025, 0.055),  # aortic knob, bulging into the left lung
        "rib_spacing": u(0.125, 0.145),
        "rib_top": u(-0.93, -0.86),
        "clavicle": u(-0.56, -0.48),
        "hilum_a": u(0.15, 0.2),
        "hilum_y": u(-0.12, -0.02),
        "bubble": u(0.0, 0.07),  # gastric air under the left dome
        "vessel_freq": u(4.0, 10.0, (n, _N_VESSEL_WAVES)),
        "vessel_bend": rng.normal(0.0, 4.0, (n, _N_VESSEL_WAVES)),
        "vessel_phase": u(0.0, 2 * np.pi, (n, _N_VESSEL_WAVES)),
        "vessel_reach": u(0.35, 0.45),
        "air_gain": np.ones(n),
    }


def _sample_acquisitions(rng, view: np.ndarray) -> dict[str, np.ndarray]:
    """Per image: position, inspiration and detector settings; AP films magnify the heart."""
    n = len(view)
    ap = view == "AP"
    return {
        "rotation": np.clip(rng.normal(0.0, 0.035, n), -0.1, 0.1),  # radians
        "shift_x": rng.normal(0.0, 0.025, n),
        "shift_y": rng.normal(0.0, 0.025, n),
        "zoom": rng.uniform(0.94, 1.04, n),
        "inspiration": rng.normal(0.0, 0.025, n) - 0.05 * ap,  # domes move down (+) or up (-)
        "magnification": np.where(ap, rng.uniform(1.08, 1.16, n), 1.0),  # of the heart
        "exposure": rng.uniform(1.3, 1.7, n),
        "gamma": rng.uniform(0.85, 1.2, n),
        "blur": rng.uniform(0.3, 0.8, n) * (1 + 0.3 * ap),  # pixels, at 64 × 64
        "noise": rng.uniform(0.008, 0.02, n) * (1 + 0.4 * ap),
    }


# ----------------------------------------------------------------------------------------
# Drawing helpers
# ----------------------------------------------------------------------------------------


def _edge(f: np.ndarray, width: float) -> np.ndarray:
    """A soft step, 0 where ``f < -width/2``, 1 where ``f > width/2``, linear between."""
    step = f / width + 0.5
    return np.minimum(np.maximum(step, 0.0, out=step), 1.0, out=step)


class _Canvas:
    """A chunk of ``n`` images: patient-frame coordinates (n, S, S), parameters as (n, 1, 1) arrays.

    ``x`` runs from the patient's right (image left, < 0) to the patient's left (image right,
    > 0) of the midline; ``a = |x|`` is the distance from it, so that one formula draws both
    sides; ``maps`` keeps the anatomy already drawn (lungs, heart) for the findings.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, p: dict[str, np.ndarray], eps: float):
        self.x, self.y, self.p, self.eps = x, y, p, eps
        self.a = np.abs(x)
        self.left = x > 0
        self.maps: dict[str, np.ndarray] = {}

    @classmethod
    def build(cls, params: dict[str, np.ndarray], rows: slice, size: int) -> "_Canvas":
        """Undo each image's shift, rotation and zoom: pixel centres → patient coordinates."""
        p = {k: v[rows].reshape(-1, *v.shape[1:], 1, 1).astype(np.float32) for k, v in params.items()}
        u = ((np.arange(size, dtype=np.float32) + 0.5) * (2 / size) - 1)
        col, row = u[None, None, :] - p["shift_x"], u[None, :, None] - p["shift_y"]
        cos, sin = np.cos(p["rotation"]), np.sin(p["rotation"])
        x = (cos * col + sin * row) / p["zoom"] - p["midline"]
        y = (cos * row - sin * col) / p["zoom"]
        return cls(x, y, p, eps=3.0 / size)

    def take(self, rows: np.ndarray) -> "_Canvas":
        sub = _Canvas(self.x[rows], self.y[rows], {k: v[rows] for k, v in self.p.items()}, self.eps)
        sub.maps = {k: v[rows] for k, v in self.maps.items()}
        return sub

    def side(self, right, left):
        """``right`` on the patient's right (image left), ``left`` on the other side."""
        return np.where(self.left, left, right)

    def on_side(self, side: np.ndarray) -> np.ndarray:
        """Where ``side`` is: -1 the patient's right, +1 the left, 0 both."""
        return (side == 0) | (self.left == (side > 0))


def _smooth_noise(rng, n: int, size: int, cells: int) -> np.ndarray:
    """(n, size, size) float32 smooth random field, mean 0, variance 1, features ``size/cells`` wide.

    White noise on a coarse ``cells`` × ``cells`` grid, interpolated by Gaussian bumps as two
    matrix products, ``U @ Z @ U.T`` — no per-pixel loop, no FFT.
    """
    centres = np.linspace(-1.2, 1.2, cells + 2)
    pixels = (np.arange(size) + 0.5) * (2 / size) - 1
    basis = np.exp(-0.5 * ((pixels[:, None] - centres[None, :]) / (2.4 / (cells + 1))) ** 2)
    basis /= np.sqrt((basis**2).sum(axis=1, keepdims=True))
    coarse = rng.standard_normal((n, cells + 2, cells + 2)).astype(np.float32)
    basis = basis.astype(np.float32)
    return basis @ coarse @ basis.T


def _blur(images: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Gaussian blur of each (S, S) image with its own ``sigma`` (n, 1, 1) in pixels: ``B @ I @ B.T``."""
    size = images.shape[-1]
    offset = np.arange(size, dtype=np.float32)
    kernel = np.exp(-0.5 * ((offset[:, None] - offset[None, :]) / sigma) ** 2)
    kernel /= kernel.sum(axis=-1, keepdims=True)
    return kernel @ images @ np.swapaxes(kernel, -1, -2)


# ----------------------------------------------------------------------------------------
# Anatomy, one function per structure; each returns attenuation or a soft mask (n, S, S)
# ----------------------------------------------------------------------------------------


def _body(c: _Canvas) -> np.ndarray:
    """Soft tissue of the trunk, thickest at the midline; the shoulders widen it at the top."""
    half = c.p["body"] + 0.6 * np.clip(-0.55 - c.y, 0.0, None)
    return 0.78 * np.sqrt(np.clip(1 - (c.x / half) ** 2, 0.0, 1.0))


def _diaphragm(c: _Canvas) -> np.ndarray:
    """Height ``y`` of each hemidiaphragm above every column: domed, lowest in the costophrenic angles."""
    p = c.p
    peak = 0.45 * p["half_width"]
    dome = c.side(p["dome_right"], p["dome_left"])
    return dome + p["sulcus"] * ((c.a - peak) / (p["half_width"] - peak)) ** 2


def _mediastinum(c: _Canvas) -> np.ndarray:
    """Half-width of the mediastinum at each row; the aortic knob bulges into the left lung."""
    knob = c.p["knob"] * np.exp(-(((c.y + 0.42) / 0.08) ** 2))
    widening = 0.04 * np.clip((c.y - c.p["apex"]) / 0.6, 0.0, 1.0)  # from the thoracic inlet down
    return c.p["mediastinum"] + widening + np.where(c.left, knob, 0.0)


def _lungs(c: _Canvas) -> np.ndarray:
    """Both lung fields, a soft mask: half-ellipses with rounded apices, cut by the domed
    diaphragm below (sharp costophrenic angles) and by the mediastinum medially.

    Keeps ``rho`` (normalised radius of the lung ellipse, 1 on the chest wall) and
    ``below_diaphragm`` for the findings.
    """
    p = c.p
    centre = 0.3 * p["half_width"]
    rx = p["half_width"] - centre
    dome = c.side(p["dome_right"], p["dome_left"])
    ry = dome - p["apex"]
    rho = np.sqrt(((c.a - centre) / rx) ** 2 + ((c.y - dome) / ry) ** 2)
    floor = _diaphragm(c)
    lung = _edge((1 - rho) * rx, c.eps) * _edge(floor - c.y, c.eps) * _edge(c.a - _mediastinum(c), c.eps)
    c.maps.update(lung=lung, rho=rho, floor=floor)
    return lung


def _heart(c: _Canvas) -> np.ndarray:
    """Cardiac silhouette, a soft mask: from the vascular pedicle at the hila it widens down to
    the diaphragm, a third right of the midline (right atrium) and two-thirds left (left
    ventricle, image right); its widest span is ``ctr`` × the thoracic width (× the AP
    magnification)."""
    p = c.p
    width = p["ctr"] * 2 * p["half_width"] * p["magnification"]
    top = p["hilum_y"] + 0.06
    t = np.clip((c.y - top) / (p["dome_right"] - 0.02 - top), 0.0, 1.0)
    rise = np.sin(0.5 * np.pi * np.minimum(t / 0.8, 1.35))  # widest at 80 % of the way down
    left_border = p["mediastinum"] + (0.63 * width - p["mediastinum"]) * rise**0.7
    right_border = p["mediastinum"] + (0.37 * width - p["mediastinum"]) * rise**0.5
    border = c.side(right_border, left_border)
    heart = _edge(border - c.a, c.eps) * _edge(c.y - top, c.eps)
    c.maps["heart"] = heart
    return heart


def _trachea(c: _Canvas) -> np.ndarray:
    """Air column of the trachea down to the carina, then the two main bronchi (attenuation < 0)."""
    p = c.p
    carina = p["hilum_y"] - 0.16
    trachea = np.exp(-(((c.x + 0.01) / 0.03) ** 2)) * _edge(carina - c.y, 0.04)
    below = c.y - carina
    bronchi = np.exp(-(((c.a - 0.6 * below) / 0.022) ** 2)) * _edge(below, 0.02) * _edge(0.14 - below, 0.04)
    return -0.2 * np.maximum(trachea, bronchi)


def _ribs(c: _Canvas) -> np.ndarray:
    """Posterior ribs (arcs rising a little from the spine, then falling laterally) and fainter
    anterior ribs (running down towards the midline), inside the bony thorax."""
    p = c.p
    spacing, top, width = p["rib_spacing"], p["rib_top"], p["half_width"]
    depth = c.y - top
    posterior = (depth + 0.25 * c.a - 1.0 * c.a**2) / spacing
    anterior = (depth - 0.2 - 0.5 * (width - c.a)) / (1.15 * spacing)
    band = _edge(np.cos(2 * np.pi * posterior) - 0.15, 0.5) * _edge(posterior, 0.4) * _edge(10 - posterior, 0.6)
    band_anterior = _edge(np.cos(2 * np.pi * anterior) - 0.3, 0.5) * _edge(anterior, 0.4) * _edge(6 - anterior, 0.6)
    cage = _edge(width + 0.05 - c.a, c.eps) * _edge(c.a - 0.07, 0.04)
    above = _edge(c.maps["floor"] + 0.1 - c.y, 0.1)
    return cage * (0.075 * band + 0.035 * band_anterior * above * _edge(c.a - 0.3, 0.1))


def _clavicles(c: _Canvas) -> np.ndarray:
    """Two clavicles, from the sternal notch out and slightly up to the shoulders."""
    centre = c.p["clavicle"] - 0.35 * c.a + 0.1 * c.a**2
    return 0.22 * np.exp(-(((c.y - centre) / 0.045) ** 2)) * _edge(c.a - 0.06, 0.03) * _edge(0.8 - c.a, 0.08)


def _spine(c: _Canvas) -> np.ndarray:
    """Thoracic vertebral bodies with their disc spaces, seen faintly through the mediastinum."""
    discs = _edge(np.cos(2 * np.pi * (c.y - c.p["rib_top"]) / c.p["rib_spacing"]) + 0.7, 0.4)
    return 0.06 * _edge(0.075 - np.abs(c.x), c.eps) * discs


def _gastric_bubble(c: _Canvas) -> np.ndarray:
    """Air in the stomach under the left dome (attenuation < 0)."""
    p = c.p
    radius = p["bubble"] + 1e-3
    r = np.sqrt(((c.x - 0.38) / radius) ** 2 + ((c.y - p["dome_left"] - 0.09) / (0.6 * radius)) ** 2)
    return -0.3 * _edge((1 - r) * p["bubble"], c.eps)


def _vessels(c: _Canvas) -> np.ndarray:
    """Lung markings: branching, tapering vessels that fan out from each hilum and fade before
    the periphery. They are the zero lines of a sum of waves in the angle around the hilum,
    whose phase drifts with the distance — lines that bend and fork; dividing by the waves'
    slope turns the value into a distance, so each line has the same width along its course."""
    p = c.p
    dx, dy = c.a - p["hilum_a"], c.y - p["hilum_y"]
    r = np.sqrt(dx**2 + dy**2)
    angle = np.arctan2(dy, dx) + 2.5 * c.left.astype(np.float32)  # each lung its own stretch of waves
    wave, slope = np.zeros_like(r), np.zeros_like(r)
    for k in range(_N_VESSEL_WAVES):
        freq = p["vessel_freq"][:, k]
        phase = freq * angle + p["vessel_bend"][:, k] * r + p["vessel_phase"][:, k]
        wave += np.cos(phase)
        slope += freq * np.sin(phase)
    distance = r * np.abs(wave) / (np.abs(slope) + 1.0)  # from the nearest vessel's axis
    calibre = 0.004 + 0.018 * np.clip(1 - r / 0.8, 0.0, None)  # vessels taper outwards
    vessels = np.exp(-np.minimum((distance / calibre) ** 2, 30.0)) * np.exp(-r / p["vessel_reach"])
    hilum = np.exp(-np.minimum((dx / 0.07) ** 2 + (dy / 0.13) ** 2, 30.0))  # pulmonary arteries
    return 0.2 * vessels * _edge(r - 0.08, 0.1) + 0.12 * hilum


# ----------------------------------------------------------------------------------------
# Findings: for each, how its size and place are drawn (per patient for chronic findings,
# per image for acute ones) and how its radiological sign is drawn
# ----------------------------------------------------------------------------------------


def _sides(rng, n: int, both: float = 0.0) -> np.ndarray:
    """-1 (patient's right), +1 (left), or 0 (both) with probability ``both``."""
    side = rng.choice([-1.0, 1.0], n)
    return np.where(rng.random(n) < both, 0.0, side)


def _params(c: _Canvas, name: str) -> SimpleNamespace:
    """The parameters of finding ``name`` in the canvas, as attributes: ``q.side``, ``q.radius``."""
    prefix = name + "."
    return SimpleNamespace(**{k[len(prefix):]: v for k, v in c.p.items() if k.startswith(prefix)})


def _lung_point(c: _Canvas, side, along, down):
    """(x, y) of a point in the lung on ``side``: ``along`` from the mediastinum (0) to the chest
    wall (1), ``down`` from the apex (0) to the dome (1), kept inside the curved outline."""
    p = c.p
    dome = np.where(side > 0, p["dome_left"], p["dome_right"])
    y = p["apex"] + 0.12 + down * (dome - p["apex"] - 0.2)
    centre = 0.3 * p["half_width"]
    lateral = centre + (p["half_width"] - centre) * np.sqrt(np.clip(1 - ((y - dome) / (dome - p["apex"])) ** 2, 0, 1))
    medial = p["mediastinum"] + 0.08
    return side * (medial + along * np.maximum(lateral - 0.06 - medial, 0.0)), y


def _round_lesion(c: _Canvas, x0, y0, radius, lobulation, phase) -> tuple[np.ndarray, np.ndarray]:
    """Soft disc (n, S, S) of a round, slightly lobulated lesion, and its thickness (a sphere's chord)."""
    dx, dy = c.x - x0, c.y - y0
    scale = radius * (1 + lobulation * np.cos(3 * np.arctan2(dy, dx) + phase))
    r = np.sqrt(dx**2 + dy**2) / scale
    return _edge((1 - r) * radius, c.eps), np.sqrt(np.clip(1 - r**2, 0.0, 1.0))


def _sample_atelectasis(rng, n):
    return {"side": _sides(rng, n), "height": rng.uniform(0.12, 0.3, n), "slope": rng.uniform(-0.3, 0.3, n),
            "thickness": rng.uniform(0.02, 0.035, n), "lift": rng.uniform(0.02, 0.06, n)}


def _draw_atelectasis(c: _Canvas, rng) -> _Layer:
    """Plate-like atelectasis: a thin band of collapsed lung across the lower zone; the
    hemidiaphragm on its side is raised and the mediastinum pulled towards it (volume loss)."""
    p, q = c.p, _params(c, "Atelectasis")
    dome = np.where(q.side > 0, p["dome_left"], p["dome_right"])
    centre = dome - q.height + q.slope * (c.a - 0.5 * p["half_width"])
    band = np.exp(-(((c.y - centre) / q.thickness) ** 2)) * _edge(c.a - 0.2, 0.1)
    region = band * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=region, opacity=0.4 * region)


def _sample_cardiomegaly(rng, n):
    return {"ctr": rng.uniform(0.51, 0.6, n)}


def _draw_cardiomegaly(c: _Canvas, rng) -> _Layer:
    """Cardiomegaly: a heart wider than half the thorax (``ctr`` > 0.5, set in ``_volume_changes``);
    its region is the cardiac silhouette above the diaphragm."""
    return _Layer(region=c.maps["heart"] * _edge(c.maps["floor"] - c.y, c.eps))


def _sample_consolidation(rng, n):
    return {"side": _sides(rng, n), "lower": rng.random(n) < 0.6, "fissure": rng.uniform(-0.15, 0.0, n),
            "extent": rng.uniform(0.25, 0.45, n), "density": rng.uniform(0.6, 0.85, n)}


def _draw_consolidation(c: _Canvas, rng) -> _Layer:
    """Consolidation: a dense, homogeneous lobar opacity that hides the vessels — an upper lobe
    sharply bounded below by the horizontal fissure, or a lower lobe down to the diaphragm."""
    q = _params(c, "Consolidation")
    size = c.x.shape[-1]
    upper = _edge(q.fissure - c.y, c.eps)
    lower = _edge(c.y - (c.maps["floor"] - q.extent), 0.08)
    ragged = _edge(_smooth_noise(rng, len(c.x), size, 6) + 0.8, 0.8)
    region = np.where(q.lower, lower, upper) * ragged * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=region, opacity=q.density * region)


def _sample_edema(rng, n):
    return {"spread": rng.uniform(0.24, 0.34, n), "density": rng.uniform(0.1, 0.24, n)}


def _draw_edema(c: _Canvas, rng) -> _Layer:
    """Pulmonary oedema: a bilateral perihilar haze ('bat wings') fading towards the periphery."""
    p, q = c.p, _params(c, "Edema")
    r2 = (c.a - p["hilum_a"]) ** 2 + ((c.y - p["hilum_y"]) / 1.3) ** 2
    haze = np.exp(-r2 / q.spread**2) * c.maps["lung"]
    return _Layer(region=_edge(haze - 0.4, 0.1), opacity=q.density * haze)


def _sample_effusion(rng, n):
    return {"side": _sides(rng, n, both=0.35), "height": rng.uniform(0.02, 0.4, n),
            "meniscus": rng.uniform(0.3, 0.7, n)}


def _draw_effusion(c: _Canvas, rng) -> _Layer:
    """Pleural effusion: fluid at the base that blunts the costophrenic angle and climbs the
    chest wall in a meniscus (concave upwards); large ones hide the dome."""
    p, q = c.p, _params(c, "Effusion")
    dome = c.side(p["dome_right"], p["dome_left"])
    surface = dome - q.height + q.meniscus * (p["half_width"] - c.a) ** 2
    fluid = _edge(c.y - surface, 0.04) * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=fluid, opacity=0.95 * fluid)


def _sample_emphysema(rng, n):
    return {"lower": rng.uniform(0.0, 0.04, n), "air": rng.uniform(1.0, 1.1, n)}


def _draw_emphysema(c: _Canvas, rng) -> _Layer:
    """Emphysema: hyperinflated, hyperlucent lungs with pruned vessels over low, flat domes
    (all set in ``_volume_changes``); its region is both lungs."""
    return _Layer(region=c.maps["lung"])


def _sample_fibrosis(rng, n):
    return {"density": rng.uniform(0.15, 0.3, n), "lift": rng.uniform(0.0, 0.04, n)}


def _draw_fibrosis(c: _Canvas, rng) -> _Layer:
    """Pulmonary fibrosis: a reticular (net-like) pattern in the lung bases and periphery, with
    volume loss (domes raised in ``_volume_changes``)."""
    p, q = c.p, _params(c, "Fibrosis")
    size = c.x.shape[-1]
    net = np.exp(-((_smooth_noise(rng, len(c.x), size, 14) / 0.35) ** 2))
    zone = _edge(c.y - p["hilum_y"] - 0.05, 0.3) * np.clip(c.a / p["half_width"], 0.0, 1.0) ** 1.5
    where = zone * c.maps["lung"]
    return _Layer(region=_edge(where - 0.35, 0.1), opacity=q.density * (0.3 + 0.7 * net) * where)


def _sample_hernia(rng, n):
    return {"x": rng.uniform(0.0, 0.15, n), "up": rng.uniform(0.04, 0.12, n), "radius": rng.uniform(0.1, 0.15, n),
            "level": rng.uniform(-0.2, 0.3, n)}


def _draw_hernia(c: _Canvas, rng) -> _Layer:
    """Hiatus hernia: a rounded retrocardiac opacity above the diaphragm, often with an
    air-fluid level (gas above a flat fluid surface)."""
    p, q = c.p, _params(c, "Hernia")
    centre_y = p["dome_left"] - q.up
    disc, thickness = _round_lesion(c, q.x, centre_y, q.radius, 0.0, 0.0)
    gas = disc * _edge(centre_y + q.level * q.radius - c.y, c.eps)
    return _Layer(region=disc, density=0.25 * thickness * disc - 0.4 * gas)


def _sample_infiltration(rng, n):
    return {"side": _sides(rng, n, both=0.4), "along": rng.uniform(0.2, 0.8, n), "down": rng.uniform(0.2, 0.8, n),
            "density": rng.uniform(0.07, 0.15, n)}


def _draw_infiltration(c: _Canvas, rng) -> _Layer:
    """Infiltration: faint, ill-defined patches scattered through one or both lungs (one patch
    at least, centred at a drawn point, so that no positive image is left without a sign)."""
    q = _params(c, "Infiltration")
    x0, y0 = _lung_point(c, np.where(q.side == 0, np.sign(c.x), q.side), q.along, q.down)
    seed = 1.5 * np.exp(-((c.x - x0) ** 2 + (c.y - y0) ** 2) / 0.15**2)
    patches = _edge(_smooth_noise(rng, len(c.x), c.x.shape[-1], 7) + seed - 0.4, 1.0)
    where = patches * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=_edge(where - 0.45, 0.1), opacity=q.density * where)


def _sample_mass(rng, n):
    return {"side": _sides(rng, n), "along": rng.uniform(0.2, 0.9, n), "down": rng.uniform(0.1, 0.85, n),
            "radius": rng.uniform(0.1, 0.16, n), "lobulation": rng.uniform(0.0, 0.15, n),
            "phase": rng.uniform(0, 2 * np.pi, n)}


def _draw_mass(c: _Canvas, rng) -> _Layer:
    """Mass: a round or lobulated opacity larger than 3 cm."""
    q = _params(c, "Mass")
    x0, y0 = _lung_point(c, q.side, q.along, q.down)
    disc, thickness = _round_lesion(c, x0, y0, q.radius, q.lobulation, q.phase)
    return _Layer(region=disc, density=0.3 * (0.5 * disc + 0.5 * thickness))


def _sample_nodule(rng, n):
    return {"side": _sides(rng, n), "along": rng.uniform(0.1, 0.95, n), "down": rng.uniform(0.05, 0.9, n),
            "radius": rng.uniform(0.04, 0.065, n)}


def _draw_nodule(c: _Canvas, rng) -> _Layer:
    """Nodule: a small round opacity, under 3 cm."""
    q = _params(c, "Nodule")
    x0, y0 = _lung_point(c, q.side, q.along, q.down)
    disc, thickness = _round_lesion(c, x0, y0, q.radius, 0.0, 0.0)
    return _Layer(region=disc, density=0.4 * (0.5 * disc + 0.5 * thickness))


def _sample_pleural_thickening(rng, n):
    return {"side": _sides(rng, n, both=0.3), "apical": rng.random(n) < 0.4, "thickness": rng.uniform(0.06, 0.11, n),
            "top": rng.uniform(0.1, 0.4, n), "length": rng.uniform(0.3, 0.6, n)}


def _draw_pleural_thickening(c: _Canvas, rng) -> _Layer:
    """Pleural thickening: a band of soft tissue along the inside of the chest wall, or an
    apical cap over the lung apex."""
    p, q = c.p, _params(c, "Pleural thickening")
    rx = 0.7 * p["half_width"]
    band = _edge(c.maps["rho"] - (1 - q.thickness / rx), c.eps)
    top = p["apex"] + q.top * (c.maps["floor"] - p["apex"])
    bottom = p["apex"] + (q.top + q.length) * (c.maps["floor"] - p["apex"])
    lateral = _edge(c.y - top, 0.05) * _edge(bottom - c.y, 0.05)
    apical = _edge(p["apex"] + 0.15 - c.y, 0.05)
    region = band * np.where(q.apical, apical, lateral) * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=region, opacity=0.9 * region)


def _sample_pneumonia(rng, n):
    return {"side": _sides(rng, n, both=0.15), "along": rng.uniform(0.35, 0.85, n), "down": rng.uniform(0.45, 0.9, n),
            "spread": rng.uniform(0.2, 0.3, n), "density": rng.uniform(0.15, 0.27, n)}


def _draw_pneumonia(c: _Canvas, rng) -> _Layer:
    """Pneumonia: patchy, fluffy airspace opacity gathered in one zone, often with consolidation."""
    q = _params(c, "Pneumonia")
    x0, y0 = _lung_point(c, np.where(q.side == 0, np.sign(c.x), q.side), q.along, q.down)
    zone = np.exp(-((c.x - x0) ** 2 + (c.y - y0) ** 2) / q.spread**2)
    patches = _edge(_smooth_noise(rng, len(c.x), c.x.shape[-1], 10) + 0.5, 1.0)
    where = zone * patches * c.maps["lung"] * c.on_side(q.side)
    return _Layer(region=_edge(where - 0.35, 0.1), opacity=q.density * where)


def _sample_pneumothorax(rng, n):
    return {"side": _sides(rng, n), "depth": rng.uniform(0.12, 0.28, n), "extent": rng.uniform(0.5, 0.9, n)}


def _draw_pneumothorax(c: _Canvas, rng) -> _Layer:
    """Pneumothorax: air between lung and chest wall, rising to the apex — a peripheral band,
    darker than lung and empty of markings, bounded by the thin white visceral pleural line."""
    p, q = c.p, _params(c, "Pneumothorax")
    rho, lung = c.maps["rho"], c.maps["lung"] * c.on_side(q.side)
    upper = _edge(p["apex"] + q.extent * (c.maps["floor"] - p["apex"]) - c.y, 0.05)
    region = _edge(rho - (1 - q.depth), c.eps) * upper * lung
    pleura = np.exp(-((((rho - (1 - q.depth)) * p["half_width"]) / 0.012) ** 2)) * upper * lung
    return _Layer(region=region, opacity=-0.25 * region, density=0.1 * pleura, vessels=1 - region)


_SAMPLE = {name: globals()[f"_sample_{name.lower().replace(' ', '_')}"] for name in FINDINGS}
_DRAW = {name: globals()[f"_draw_{name.lower().replace(' ', '_')}"] for name in FINDINGS}


def _volume_changes(p: dict[str, np.ndarray], truth: np.ndarray) -> None:
    """Findings that move anatomy rather than add a shadow (in place, on the (N,) parameters)."""
    has = {name: truth[:, _INDEX[name]].astype(bool) for name in FINDINGS}
    p["ctr"] = np.where(has["Cardiomegaly"], p["Cardiomegaly.ctr"], p["ctr"])
    # emphysema: hyperinflation lowers and flattens the domes, widens the chest, narrows the heart
    lower = np.where(has["Emphysema"], p["Emphysema.lower"], 0.0)
    p["dome_right"] = p["dome_right"] + lower
    p["dome_left"] = p["dome_left"] + lower
    p["sulcus"] = np.where(has["Emphysema"], 0.75 * p["sulcus"], p["sulcus"])
    p["half_width"] = np.where(has["Emphysema"], 1.02 * p["half_width"], p["half_width"])
    p["air_gain"] = np.where(has["Emphysema"], p["Emphysema.air"], 1.0)
    p["vessel_reach"] = np.where(has["Emphysema"], 0.8 * p["vessel_reach"], p["vessel_reach"])
    p["ctr"] = np.where(has["Emphysema"] & ~has["Cardiomegaly"], 0.95 * p["ctr"], p["ctr"])
    # fibrosis shrinks both lungs; atelectasis one, pulling the mediastinum towards it
    lift = np.where(has["Fibrosis"], p["Fibrosis.lift"], 0.0)
    side = np.where(has["Atelectasis"], p["Atelectasis.side"], 0.0)
    collapse = np.where(has["Atelectasis"], p["Atelectasis.lift"], 0.0)
    p["dome_right"] = p["dome_right"] - lift - collapse * (side < 0)
    p["dome_left"] = p["dome_left"] - lift - collapse * (side > 0)
    p["midline"] = 0.3 * collapse * side


# ----------------------------------------------------------------------------------------
# Putting an image together
# ----------------------------------------------------------------------------------------


@dataclass
class _Layer:
    """What a finding does to its images (n, S, S): where it is, and how it changes attenuation.

    ``opacity`` is the fraction of the lung's air it replaces (fluid, pus, collapse; < 0 adds
    air), ``density`` attenuation it adds wherever it lies, ``vessels`` a factor on the lung
    markings (0 where a pneumothorax leaves no lung).
    """

    region: np.ndarray
    opacity: np.ndarray | None = None
    density: np.ndarray | None = None
    vessels: np.ndarray | None = None


def _attenuation(c: _Canvas, truth: np.ndarray, rng, masks: np.ndarray | None) -> np.ndarray:
    """(n, S, S) attenuation of a chunk of images; fills ``masks`` (n, 14, S, S) if given."""
    lung, heart = _lungs(c), _heart(c)
    opacity = np.zeros_like(lung)
    density = np.zeros_like(lung)
    vessel_gain = np.ones_like(lung)
    for k, name in enumerate(FINDINGS):
        rows = np.flatnonzero(truth[:, k])
        if rows.size == 0:
            continue
        layer = _DRAW[name](c.take(rows), rng)
        for total, change in ((opacity, layer.opacity), (density, layer.density)):
            if change is not None:
                total[rows] += change
        if layer.vessels is not None:
            vessel_gain[rows] *= layer.vessels
        if masks is not None:
            masks[rows, k] = _nonempty(layer.region)
    depth = 0.6 + 0.4 * np.sqrt(np.clip(1 - c.maps["rho"] ** 2, 0.0, 1.0))  # thicker lung, more air
    air = AIR * c.p["air_gain"] * depth * lung * (1 - 0.85 * heart) * (1 - np.clip(opacity, -1.0, 1.0))
    markings = _vessels(c) * lung * vessel_gain * (1 - np.clip(opacity, 0.0, 1.0))
    bones = _ribs(c) + _clavicles(c) + _spine(c)
    soft = _body(c) + _trachea(c) + _gastric_bubble(c)
    return soft - air + markings + bones + density


def _nonempty(region: np.ndarray) -> np.ndarray:
    """``region > 0.5``, or its strongest pixel where nothing passes: a drawn finding is never maskless."""
    mask = region > 0.5
    empty = ~mask.any(axis=(1, 2))
    if empty.any():
        flat = region[empty].reshape(int(empty.sum()), -1)
        strongest = np.zeros_like(flat, dtype=bool)
        strongest[np.arange(len(flat)), flat.argmax(axis=1)] = True
        mask[empty] = strongest.reshape(-1, *region.shape[1:])
    return mask


def _detector(attenuation: np.ndarray, c: _Canvas, rng) -> np.ndarray:
    """Film response: brightness ``1 - exp(-k·attenuation)`` (bright = dense), contrast (gamma),
    blur and noise, clipped to [0, 1]."""
    p, size = c.p, attenuation.shape[-1]
    k = p["exposure"]
    image = (1 - np.exp(-k * np.clip(attenuation, 0.0, None))) ** p["gamma"]
    image = _blur(image, p["blur"] * size / 64)
    image += p["noise"] * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(image, 0.0, 1.0)


def _render(params: dict[str, np.ndarray], truth: np.ndarray, size: int, seed: np.random.SeedSequence,
            with_masks: bool):
    """Images (N, 1, S, S) float32 and masks (N, 14, S, S) bool, drawn in chunks of about 0.5 M
    pixels, two chunks at a time (numpy releases the GIL; BLAS is kept to one thread each);
    each chunk has its own random stream, so the result does not depend on the threads' timing."""
    n = len(truth)
    images = np.empty((n, 1, size, size), dtype=np.float32)
    masks = np.zeros((n, len(FINDINGS), size, size), dtype=bool) if with_masks else None
    chunk = max(8, 2**19 // size**2)
    starts = range(0, n, chunk)

    def draw(start: int, chunk_seed: np.random.SeedSequence) -> None:
        rows = slice(start, min(start + chunk, n))
        rng = np.random.default_rng(chunk_seed)
        canvas = _Canvas.build(params, rows, size)
        attenuation = _attenuation(canvas, truth[rows], rng, None if masks is None else masks[rows])
        images[rows, 0] = _detector(attenuation, canvas, rng)

    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        list(pool.map(draw, starts, seed.spawn(len(starts))))
    return images, masks


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


def _image_parameters(rng, patient_of: np.ndarray, n_patients: int, truth: np.ndarray,
                      view: np.ndarray) -> dict[str, np.ndarray]:
    """Every image's (N,) parameters: its patient's anatomy, its acquisition, its findings' geometry."""
    p = {k: v[patient_of] for k, v in _sample_patients(rng, n_patients).items()}
    p.update(_sample_acquisitions(rng, view))
    for name in FINDINGS:
        lesion = _SAMPLE[name](rng, n_patients) if name in _CHRONIC else _SAMPLE[name](rng, len(patient_of))
        for key, value in lesion.items():
            p[f"{name}.{key}"] = value[patient_of] if name in _CHRONIC else value
    p["dome_right"] = p["dome"] + p["inspiration"]
    p["dome_left"] = p["dome_right"] + p["dome_gap"]
    _volume_changes(p, truth)
    return p


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
