"""A widget's figure as an ordinary notebook output that its controls redraw in place.

The first picture stays in the notebook as a plain image output, so a headless run, an HTML or a
PDF export shows the widget's default state; in a live kernel each redraw replaces it through
its display id, so the figure is shown once, under its controls.
"""

from __future__ import annotations

from ..validation import check_choice


def _bundle(data: bytes, format: str) -> dict[str, bytes]:
    check_choice(format, "format", ("png", "jpeg"))
    if not isinstance(data, bytes):
        raise TypeError(f"data must be image bytes, got {type(data).__name__}")
    return {f"image/{format}": data}


class LiveImage:
    """Display ``data`` (PNG or JPEG bytes) now; :meth:`update` replaces it where it stands.

    Outside a kernel (a plain Python session, the unit tests) there is nothing to replace and
    :meth:`update` only records the latest picture in ``data``.
    """

    def __init__(self, data: bytes, format: str = "png"):
        from IPython.display import display

        self.data, self.format = data, format
        self.handle = display(_bundle(data, format), raw=True, display_id=True)

    def update(self, data: bytes, format: str = "png") -> None:
        bundle = _bundle(data, format)
        self.data, self.format = data, format
        if self.handle is not None:
            self.handle.update(bundle, raw=True)
