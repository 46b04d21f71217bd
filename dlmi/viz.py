"""Figures: one style for the course (readable from the back of a lecture room, colour-blind
safe), the figures of the case studies' images (``show_chest_xrays``, ``plot_brain_slices``) and the
reliability diagram of predicted probabilities (``reliability_diagram``)."""

from __future__ import annotations

from numbers import Integral
from typing import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.font_manager import FontProperties

from .validation import as_array, check_affine, check_choice, check_positive, check_scalar

#: Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#D55E00",  # vermillion
    "#CC79A7",  # purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

STYLE = {
    "figure.figsize": (8.0, 5.0),
    "figure.dpi": 100,
    "figure.autolayout": True,
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "lines.linewidth": 2.2,
    "lines.markersize": 7,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
}


def use_style() -> None:
    """Apply the course style to every later matplotlib figure."""
    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = mpl.cycler(color=PALETTE)


#: rcParams that ``presentation`` scales: text sizes, line widths and marker sizes.
_SCALED = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
    "figure.titlesize",
    "lines.linewidth",
    "lines.markersize",
)


class presentation:
    """Larger text and lines for a projector: ``scale`` times the current sizes.

    Call it once (``dlmi.viz.presentation()``) for the rest of the session, or use it as
    ``with dlmi.viz.presentation(1.5): ...`` for the figures drawn inside the block only.
    """

    def __init__(self, scale: float = 1.3):
        self.scale = float(check_positive(scale, "scale"))
        self._saved = {key: mpl.rcParams[key] for key in _SCALED}
        points = {
            key: FontProperties(size=value).get_size_in_points() if isinstance(value, str) else float(value)
            for key, value in self._saved.items()
        }
        mpl.rcParams.update({key: value * self.scale for key, value in points.items()})

    def __enter__(self) -> "presentation":
        return self

    def __exit__(self, *exc) -> None:
        mpl.rcParams.update(self._saved)


def encode_image(pixels, format: str = "png") -> bytes:
    """Image bytes of RGBA ``pixels`` (H, W, 4) uint8, e.g. ``figure.canvas.buffer_rgba()``.

    ``"png"`` is sharp (first displays, exports); ``"jpeg"`` is about 30 times faster to encode,
    for the frames a widget sends while a slider moves.
    """
    import io

    import numpy as np
    from PIL import Image

    check_choice(format, "format", ("png", "jpeg"))
    pixels = np.asarray(pixels)
    if pixels.ndim != 3 or pixels.shape[2] != 4 or pixels.dtype != np.uint8:
        raise ValueError(f"pixels must be RGBA uint8 of shape (H, W, 4), got {pixels.dtype} {pixels.shape}")
    image, buffer = Image.fromarray(pixels), io.BytesIO()
    if format == "png":
        image.save(buffer, format="png", compress_level=1)
    else:
        image.convert("RGB").save(buffer, format="jpeg", quality=90)
    return buffer.getvalue()


def figure_image(figure, format: str = "png") -> bytes:
    """Redraw a matplotlib ``figure`` on its Agg canvas and encode it (see :func:`encode_image`).

    No tight bounding box: a widget's figure has fixed margins, so that a redraw is quick.
    """
    figure.canvas.draw()
    return encode_image(figure.canvas.buffer_rgba(), format)


# --------------------------------------------------------------------------------------------
# Figures of the case studies' images
# --------------------------------------------------------------------------------------------


def show_chest_xrays(
    data,
    idx: Sequence[int] | None = None,
    *,
    n: int = 8,
    ncols: int = 4,
    outlines: bool = True,
    title: str = "Simulated chest radiographs (not patient data)",
):
    """A grid of images, each with its true findings listed and their masks outlined.

    ``idx`` picks the images (default: the first ``n``). Under each image: the true findings,
    in the colour of their outline, then, in italics, what the mined labels got wrong
    ("missed: ..." for a true finding the label lacks, "false: ..." for a label with no
    finding). Returns the figure.
    """
    import matplotlib.pyplot as plt

    from .data.chestxray import ChestXrays

    if not isinstance(data, ChestXrays):
        raise TypeError(f"data must be the ChestXrays returned by simulate_chest_xrays, got {type(data).__name__}")
    if idx is None:
        check_scalar(n, "n", kind=Integral, low=1)
        idx = np.arange(min(n, len(data)))
    idx = np.atleast_1d(np.asarray(idx))
    if idx.ndim != 1 or idx.size == 0 or idx.dtype.kind not in "iu" or idx.min() < 0 or idx.max() >= len(data):
        raise ValueError(f"idx must be a non-empty list of image indices in [0, {len(data)}), got {idx.tolist()}")
    check_scalar(ncols, "ncols", kind=Integral, low=1)
    if outlines and data.masks is None:
        raise ValueError("these images were simulated with with_masks=False: pass outlines=False")

    colours = plt.get_cmap("tab20")(np.linspace(0, 1, 20))[[0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 1, 3, 5, 7]]
    ncols = min(ncols, len(idx))
    nrows = -(-len(idx) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 4.4 * nrows), squeeze=False)
    for ax in axes.flat[len(idx):]:
        ax.set_visible(False)
    for ax, i in zip(axes.flat, idx):
        ax.imshow(data.images[i, 0], cmap="gray", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[], title=f"#{i} · patient {data.patient_ids[i]} · {data.view[i]}")
        ax.grid(False)
        found = np.flatnonzero(data.true_labels[i])
        for k in found if outlines else ():
            ax.contour(data.masks[i, k], levels=[0.5], colors=[colours[k]], linewidths=1.2)
        lines = [f"{data.findings[k]}" for k in found] or ["no finding"]
        missed = [data.findings[k] for k in np.flatnonzero(data.true_labels[i] & ~data.labels[i])]
        false = [data.findings[k] for k in np.flatnonzero(data.labels[i] & ~data.true_labels[i])]
        notes = ([f"missed: {', '.join(missed)}"] if missed else []) + ([f"false: {', '.join(false)}"] if false else [])
        colours_of_lines = [colours[k] for k in found] or ["black"]
        for row, (text, colour) in enumerate(zip(lines + notes, colours_of_lines + ["#D55E00"] * len(notes))):
            ax.text(0.0, -0.04 - 0.075 * row, text, transform=ax.transAxes, va="top", fontsize=10, color=colour,
                    style="italic" if row >= len(lines) else "normal")
    fig.suptitle(title)
    return fig


def plot_brain_slices(volume, affine=None, *, cut=None, overlay=None, title: str | None = None,
                      cmap: str = "gray", vmin: float | None = None, vmax: float | None = None,
                      overlay_cmap: str = "autumn", overlay_label: str = "",
                      overlay_threshold: float = 0.1, label: str = "gray matter"):
    """Axial, coronal and sagittal slices of a volume (D, H, W) through one point.

    ``affine`` (4, 4) voxel -> MNI mm, to cut at ``cut`` = (x, y, z) in mm (default: through
    the left hippocampus) and label the axes in mm; without it ``cut`` is a voxel index
    (default: the centre) and the axes are voxel indices. ``overlay``, a volume of the same
    shape (an atrophy map, a weight map), is drawn over the image where its magnitude exceeds
    ``overlay_threshold`` times its maximum.
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from .data.brain import ATROPHY_REGIONS

    volume = as_array(volume, "volume", ndim=3)
    if overlay is not None:
        overlay = as_array(overlay, "overlay", ndim=3)
        if overlay.shape != volume.shape:
            raise ValueError(f"overlay must have the volume's shape {volume.shape}, got {overlay.shape}")
    if cut is not None:
        cut = as_array(cut, "cut", ndim=1)
        if cut.shape != (3,):
            raise ValueError(f"cut must hold 3 coordinates (x, y, z), got shape {cut.shape}")
    if affine is not None:
        affine = check_affine(affine, axis_aligned=True)
        point = np.array(ATROPHY_REGIONS["hippocampus"]["centre"], float) if cut is None else cut
        index = np.round(np.linalg.inv(affine)[:3] @ np.r_[point, 1.0]).astype(int)
    else:
        index = np.array(volume.shape) // 2 if cut is None else cut.astype(int)
    if np.any(index < 0) or np.any(index >= volume.shape):
        raise ValueError(f"cut falls outside the volume (voxel {index.tolist()} of {volume.shape})")

    def extent(axis: int) -> tuple[float, float]:
        if affine is None:
            return -0.5, volume.shape[axis] - 0.5
        ends = affine[axis, axis] * (np.array([-0.5, volume.shape[axis] - 0.5])) + affine[axis, 3]
        return float(ends.min()), float(ends.max())

    names = ("x", "y", "z")
    unit = " (mm)" if affine is not None else " (voxel)"
    views = (("axial", 2, (0, 1)), ("coronal", 1, (0, 2)), ("sagittal", 0, (1, 2)))
    vmin = float(np.min(volume)) if vmin is None else vmin
    vmax = float(np.max(volume)) if vmax is None else vmax
    if overlay is not None:
        top = float(np.abs(overlay).max())
        hidden = np.abs(overlay) <= overlay_threshold * top  # show only the overlay's strong part
        overlay = np.ma.masked_array(overlay, hidden)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4), layout="constrained")
    for ax, (name, axis, (a, b)) in zip(axes, views):
        take = [slice(None)] * 3
        take[axis] = index[axis]
        box = (*extent(a), *extent(b))
        image = ax.imshow(volume[tuple(take)].T, origin="lower", cmap=cmap, vmin=vmin, vmax=vmax,
                          extent=box, interpolation="nearest")
        if overlay is not None:
            layer = ax.imshow(overlay[tuple(take)].T, origin="lower", cmap=overlay_cmap, alpha=0.8,
                              extent=box, interpolation="nearest", vmin=0.0 if top > 0 else None)
        where = (f"{affine[axis, axis] * index[axis] + affine[axis, 3]:.0f} mm" if affine is not None
                 else f"{index[axis]}")
        ax.set_title(f"{name}, {names[axis]} = {where}")
        ax.set_xlabel(names[a] + unit)
        ax.set_ylabel(names[b] + unit)
        ax.grid(False)
    fig.colorbar(image, ax=axes, shrink=0.85, label=label)
    if overlay is not None:
        fig.colorbar(layer, ax=axes, shrink=0.85, label=overlay_label)
    if title:
        fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------------------------
# Calibration
# --------------------------------------------------------------------------------------------


def reliability_diagram(y_true, y_prob, *, n_bins: int = 10, strategy: str = "uniform", ax=None,
                        errorbars: bool = False, counts: bool = False, title: str | None = None):
    """The reliability diagram of probabilities against 0/1 outcomes, on ``ax`` (a new figure if None).

    ``y_true`` (n,) 0/1; ``y_prob`` (n,) probabilities of label 1, or a mapping name → (n,) to
    draw several versions of the same cases (before and after recalibration) on one diagram.
    Per bin of ``dlmi.metrics.calibration_curve`` (``n_bins``, ``strategy``), the share of
    positives against the mean predicted probability; the diagonal is perfect calibration and
    each legend entry gives the ECE (``dlmi.metrics.expected_calibration_error``, equal-width
    bins). ``errorbars``: each point's 95 % Wilson interval for the share of positives (a bin of
    few cases is uncertain); ``counts``: a histogram of the probabilities (cases per bin) along
    the bottom, on a second y axis. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    from .metrics import _probability_bins, calibration_curve, expected_calibration_error  # scipy: on first use

    curves = dict(y_prob) if isinstance(y_prob, Mapping) else {None: y_prob}
    if not curves:
        raise ValueError("y_prob must hold at least one array of probabilities")
    drawn = []  # (name, probabilities, prob_true, prob_pred, cases per non-empty bin, ECE), checked before drawing
    for name, p in curves.items():
        prob_true, prob_pred = calibration_curve(y_true, p, n_bins=n_bins, strategy=strategy)
        p = as_array(p, "y_prob", ndim=1)
        n = np.bincount(_probability_bins(p, n_bins, strategy), minlength=n_bins)
        drawn.append((name, p, prob_true, prob_pred, n[n > 0], expected_calibration_error(y_true, p, n_bins=n_bins)))
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 6))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1.5, label="perfectly calibrated")
    histogram, tallest = (ax.twinx() if counts else None), 0.0
    z = 1.96  # the 95 % normal quantile of the Wilson interval
    for (name, p, prob_true, prob_pred, n, ece), colour in zip(drawn, mpl.rcParams["axes.prop_cycle"].by_key()["color"]):
        if errorbars:
            centre = (prob_true + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
            half = z / (1 + z ** 2 / n) * np.sqrt(prob_true * (1 - prob_true) / n + z ** 2 / (4 * n ** 2))
            below, above = prob_true - (centre - half), centre + half - prob_true  # 0 at a share of 0 or 1, to rounding
            ax.errorbar(prob_pred, prob_true, yerr=[np.maximum(below, 0), np.maximum(above, 0)],
                        fmt="none", ecolor=colour, alpha=0.5, capsize=3, linewidth=1.2)
        ax.plot(prob_pred, prob_true, marker="o", color=colour,
                label=f"ECE {ece:.3f}" if name is None else f"{name} (ECE {ece:.3f})")
        if histogram is not None:
            edges = (np.linspace(0, 1, n_bins + 1) if strategy == "uniform"
                     else np.percentile(p, np.linspace(0, 100, n_bins + 1)))
            tallest = max(tallest, histogram.hist(p, bins=edges, histtype="step", color=colour, linewidth=1.2,
                                                  alpha=0.7)[0].max())
    if histogram is not None:
        histogram.set_ylim(0, 4 * tallest)  # the bars fill the bottom quarter, below most of the curve
        histogram.set_yticks([0, tallest])
        histogram.set_ylabel("cases per bin", loc="bottom")
        histogram.grid(False)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="mean predicted probability", ylabel="observed share of positives",
           title=title if title is not None else "Reliability diagram")
    ax.legend(loc="upper left")
    return ax
