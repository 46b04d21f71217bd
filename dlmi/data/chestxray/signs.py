"""The fourteen findings of the simulated chest radiographs: their parameters and their radiological signs.

For each finding, ``_sample_<finding>`` draws its size and place (per patient for chronic
findings, per image for acute ones) and ``_draw_<finding>`` draws its sign on a canvas as a
``_Layer`` (region, opacity, density, vessels); ``_volume_changes`` applies the findings that
move anatomy rather than add a shadow; ``_image_parameters`` gathers every image's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .anatomy import _Canvas, _edge, _sample_acquisitions, _sample_patients, _smooth_noise
from .labels import _CHRONIC, _INDEX, FINDINGS

# ----------------------------------------------------------------------------------------
# What a finding does to an image
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
# Every image's parameters
# ----------------------------------------------------------------------------------------


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
