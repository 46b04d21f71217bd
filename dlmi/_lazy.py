"""Lazy package attributes: submodules and named exports are imported on first use."""

from __future__ import annotations

import importlib
from typing import Callable, Mapping


def lazy_getattr(package: str, exports: Mapping[str, str] | None = None) -> Callable[[str], object]:
    """A module-level ``__getattr__`` for ``package``.

    ``exports`` maps a public name to the submodule that defines it (``{"fit": "train"}``); any
    other name is imported as a submodule of ``package``, or raises ``AttributeError``.
    """
    exports = dict(exports or {})

    def __getattr__(name: str):
        if name in exports:
            return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{package}.{name}":
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            raise

    return __getattr__
