"""Exercise checks: each ``check_*`` calls the student's code on prepared inputs and prints a verdict.

Checks live in one module per chapter (``dlmi/checks/linear.py``, ...); every public ``check_*``
of those modules is available here, e.g. ``dlmi.checks.check_sigmoid(fn)``. Each returns
``True`` when the answer is right, so a check cell reads ``assert check_sigmoid(sigmoid)``.
"""

from __future__ import annotations

import importlib
import pkgutil

from .core import call, check_function, compare, failed, passed, relative_error

__all__ = ["call", "check_function", "compare", "failed", "passed", "relative_error"]

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "core" and not _info.name.startswith("_"):
        _module = importlib.import_module(f"{__name__}.{_info.name}")
        for _name in dir(_module):
            if _name.startswith("check_") and callable(getattr(_module, _name)):
                globals()[_name] = getattr(_module, _name)
                __all__.append(_name)
