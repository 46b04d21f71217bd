"""Interactive figures for the notebooks: pure drawing code plus thin ipywidget builders.

One module per chapter (``dlmi.widgets.regression``, ...), imported on first use, so that
``import dlmi.widgets`` loads neither matplotlib nor ipywidgets.
"""

from __future__ import annotations

from .._lazy import lazy_getattr

__getattr__ = lazy_getattr(__name__)
