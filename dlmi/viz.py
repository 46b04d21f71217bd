"""One figure style for the course: readable from the back of a lecture room, colour-blind safe."""

from __future__ import annotations

import matplotlib as mpl
from matplotlib.font_manager import FontProperties

from .validation import check_choice, check_positive

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
