"""Interactive figures for the notebooks: pure drawing code plus thin ipywidget builders.

One module per chapter (``dlmi.widgets.regression``, ...), imported on first use, so that
``import dlmi.widgets`` loads neither matplotlib nor ipywidgets.
"""

from __future__ import annotations

import importlib


def __getattr__(name: str):
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'dlmi.widgets' has no attribute {name!r}") from None
        raise
