"""Normal anatomy of the simulated chest radiographs: patients, acquisitions and the structures drawn on a canvas.

Each patient's body shape and each film's acquisition as (N,) arrays of parameters; the
``_Canvas`` of a chunk of images (patient-frame coordinates and parameters); drawing helpers
(``_edge``, ``_smooth_noise``); and one function per structure — body, diaphragm, mediastinum,
lungs, heart, trachea, ribs, clavicles, spine, gastric bubble, vessels — each returning
attenuation or a soft mask (n, S, S).
"""

from __future__ import annotations

import numpy as np

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
