"""dlmi — the reusable code behind the notebooks of *Deep learning for medical imaging, Part 2*.

Submodules are imported on first use (``dlmi.linear``, ``dlmi.nn``, ...), so that
``import dlmi`` stays fast and does not load torch until a notebook needs it.
"""

from __future__ import annotations

import os

# OpenMP threads that wait by sleeping, not spinning: on a busy 2-core laptop, spinning torch
# threads can slow a small training step 20-fold. Read when torch is first imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from ._lazy import lazy_getattr
from .config import fast_mode, pick
from .config import seed as _env_seed
from .runtime import get_device, seed_everything

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "fast_mode",
    "get_device",
    "pick",
    "require_version",
    "seed_everything",
    "setup_notebook",
]


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split(".")[:3])
    except ValueError:
        raise ValueError(f"version must look like '1.2.3', got {version!r}") from None


def require_version(minimum: str) -> None:
    """Raise ``ImportError`` when the installed dlmi is older than ``minimum``."""
    if _version_tuple(__version__) < _version_tuple(minimum):
        raise ImportError(
            f"these notebooks need dlmi >= {minimum}, but dlmi {__version__} is installed: "
            "run `make lab` (or `pip install -e .`) from the repository root"
        )


def setup_notebook(min_version: str, seed: int | None = None) -> int:
    """What every notebook's set-up cell does: check the version, seed, apply the figure style.

    ``seed=None`` takes ``DLMI_SEED`` (default 0). Prints one line saying which mode, device and
    seed the notebook runs with, and returns the seed, from which the notebook draws everything.
    """
    require_version(min_version)
    if seed is None:
        seed = _env_seed()
    seed_everything(seed)
    from .viz import use_style

    use_style()
    mode = "fast mode (DLMI_FAST=1)" if fast_mode() else "full mode"
    print(f"dlmi {__version__} · {mode} · device: {get_device()} · seed {seed}")
    return int(seed)


#: ``dlmi.nn`` works without ``import dlmi.nn``: submodules are imported on first use.
__getattr__ = lazy_getattr(__name__)
