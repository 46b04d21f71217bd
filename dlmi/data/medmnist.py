"""Load the official MedMNIST ``.npz`` files (Yang et al., *Scientific Data* 2023), checked.

MedMNIST v2 gathers 18 small, standardised medical image sets — 12 in 2D at 28 × 28
(ChestMNIST holds the 14 ChestX-ray14 labels), 6 in 3D at 28 × 28 × 28 — each one ``.npz``
with ``train_images``, ``train_labels``, ``val_images``, ``val_labels``, ``test_images`` and
``test_labels``, all ``uint8``. Nothing is downloaded here: ``load_medmnist`` reads a file
you already have, checks that it is what it claims to be, and says how to get it if it is
missing.

    images, labels = load_medmnist("data/breastmnist.npz", "train")   # (546, 28, 28), (546,)
"""

from __future__ import annotations

import functools
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..validation import check_choice

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class MedMNISTInfo:
    """What the MedMNIST v2 release says about one file: checksum, task, channels, classes, sizes."""

    md5: str
    task: str  # "binary-class", "multi-class", "multi-label", "ordinal-regression"
    n_channels: int
    n_classes: int  # for multi-label: the number of labels
    n_samples: tuple[int, int, int]  # train, val, test
    is_3d: bool = False


#: The 18 MedMNIST v2 files at 28 pixels, as listed in the ``medmnist`` package's ``info.py``
#: (v2.1.0; files from Zenodo record 6496656). Files with other names (the larger MedMNIST+
#: sizes, ``breastmnist_64.npz``, ...) are loaded with their structure checked but no checksum.
MEDMNIST_FILES: dict[str, MedMNISTInfo] = {
    "pathmnist.npz": MedMNISTInfo("a8b06965200029087d5bd730944a56c1", "multi-class", 3, 9, (89996, 10004, 7180)),
    "chestmnist.npz": MedMNISTInfo("02c8a6516a18b556561a56cbdd36c4a8", "multi-label", 1, 14, (78468, 11219, 22433)),
    "dermamnist.npz": MedMNISTInfo("0744692d530f8e62ec473284d019b0c7", "multi-class", 3, 7, (7007, 1003, 2005)),
    "octmnist.npz": MedMNISTInfo("c68d92d5b585d8d81f7112f81e2d0842", "multi-class", 1, 4, (97477, 10832, 1000)),
    "pneumoniamnist.npz": MedMNISTInfo("28209eda62fecd6e6a2d98b1501bb15f", "binary-class", 1, 2, (4708, 524, 624)),
    "retinamnist.npz": MedMNISTInfo("bd4c0672f1bba3e3a89f0e4e876791e4", "ordinal-regression", 3, 5, (1080, 120, 400)),
    "breastmnist.npz": MedMNISTInfo("750601b1f35ba3300ea97c75c52ff8f6", "binary-class", 1, 2, (546, 78, 156)),
    "bloodmnist.npz": MedMNISTInfo("7053d0359d879ad8a5505303e11de1dc", "multi-class", 3, 8, (11959, 1712, 3421)),
    "tissuemnist.npz": MedMNISTInfo("ebe78ee8b05294063de985d821c1c34b", "multi-class", 1, 8, (165466, 23640, 47280)),
    "organamnist.npz": MedMNISTInfo("866b832ed4eeba67bfb9edee1d5544e6", "multi-class", 1, 11, (34581, 6491, 17778)),
    "organcmnist.npz": MedMNISTInfo("0afa5834fb105f7705a7d93372119a21", "multi-class", 1, 11, (13000, 2392, 8268)),
    "organsmnist.npz": MedMNISTInfo("e5c39f1af030238290b9557d9503af9d", "multi-class", 1, 11, (13940, 2452, 8829)),
    "organmnist3d.npz": MedMNISTInfo("21f0a239e7f502e6eca33c3fc453c0b6", "multi-class", 1, 11, (972, 161, 610), True),
    "nodulemnist3d.npz": MedMNISTInfo("8755a7e9e05a4d9ce80a24c3e7a256f3", "binary-class", 1, 2, (1158, 165, 310), True),
    "adrenalmnist3d.npz": MedMNISTInfo("bbd3c5a5576322bc4cdfea780653b1ce", "binary-class", 1, 2, (1188, 98, 298), True),
    "fracturemnist3d.npz": MedMNISTInfo("6aa7b0143a6b42da40027a9dda61302f",
                                        "multi-class", 1, 3, (1027, 103, 240), True),
    "vesselmnist3d.npz": MedMNISTInfo("2ba5b80617d705141f3f85627108fce8",
                                      "binary-class", 1, 2, (1335, 192, 382), True),
    "synapsemnist3d.npz": MedMNISTInfo("1235b78a3cd6280881dd7850a78eadb6",
                                       "binary-class", 1, 2, (1230, 177, 352), True),
}

_KEYS = tuple(f"{split}_{kind}" for split in SPLITS for kind in ("images", "labels"))


def _where_to_get(path: Path) -> str:
    stem = path.name.split(".")[0].split("_")[0]
    return (
        f"{path} does not exist. dlmi never downloads data; get {path.name} yourself, then pass its path:\n"
        "  * from the MedMNIST website, https://medmnist.com, or its Zenodo record "
        f"(https://zenodo.org/records/6496656 for the 28-pixel v2 files), or\n"
        f"  * with the medmnist package: `pip install medmnist`, then in Python "
        f"`import medmnist; medmnist.INFO['{stem}']` shows the file, and "
        f"`getattr(medmnist, medmnist.INFO['{stem}']['python_class'])(split='train', download=True, root='<folder>')` "
        "downloads it into <folder>."
    )


def file_md5(path) -> str:
    """MD5 hex digest of a file, read in 1 MiB blocks (remembered while the file is unchanged)."""
    stat = Path(path).stat()
    return _md5(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _md5(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_images(images: np.ndarray, name: str, where: str, info: MedMNISTInfo | None) -> None:
    if images.dtype != np.uint8:
        raise ValueError(f"{where}: {name} must be uint8, got {images.dtype}")
    rgb = images.ndim == 4 and images.shape[-1] == 3
    if images.ndim not in (3, 4) or images.shape[1] != images.shape[2] or images.shape[1] < 8:
        raise ValueError(
            f"{where}: {name} must be (N, H, W) grayscale, (N, H, W, 3) colour or (N, D, H, W) volumes, "
            f"square and at least 8 pixels wide, got shape {images.shape}"
        )
    if info is not None:
        is_3d = images.ndim == 4 and not rgb
        if is_3d != info.is_3d or (3 if rgb else 1) != info.n_channels:
            kind = f"{'3D' if info.is_3d else '2D'} with {info.n_channels} channel(s)"
            raise ValueError(f"{where}: {name} should be {kind}, got shape {images.shape}")


def _check_labels(labels: np.ndarray, name: str, where: str, n: int, info: MedMNISTInfo | None) -> None:
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{where}: {name} must hold integers, got dtype {labels.dtype}")
    if labels.ndim != 2 or labels.shape[0] != n:
        raise ValueError(f"{where}: {name} must be (N, 1) or (N, K) with N = {n} images, got shape {labels.shape}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{where}: {name} holds negative labels")
    if info is None:
        return
    columns = info.n_classes if info.task == "multi-label" else 1
    if labels.shape[1] != columns:
        raise ValueError(f"{where}: {name} should have {columns} column(s) ({info.task}), got {labels.shape[1]}")
    top = 1 if info.task == "multi-label" else info.n_classes - 1
    if labels.size and labels.max() > top:
        raise ValueError(f"{where}: {name} should hold labels 0..{top}, found {labels.max()}")


def load_medmnist(path, split: str = "train", *, check_md5: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one split of an official MedMNIST ``.npz`` file.

    Parameters
    ----------
    path : the ``.npz`` file (``breastmnist.npz``, ``adrenalmnist3d.npz``, ...).
    split : ``"train"``, ``"val"`` or ``"test"``.
    check_md5 : compare the file's MD5 with the published one (``MEDMNIST_FILES``); files
        whose name is not there are not checksummed, only checked for structure.

    Returns
    -------
    images : uint8, (N, H, W) grayscale, (N, H, W, 3) colour or (N, D, H, W) 3D volumes.
    labels : int64, (N,) for binary, multi-class and ordinal tasks; (N, K) 0/1 for multi-label
        files (ChestMNIST: K = 14).

    Every key, shape and dtype of the file is checked (the six arrays of the official layout),
    and sample counts, channels and label ranges against ``MEDMNIST_FILES`` for known files;
    a problem raises ``ValueError`` naming the file and what is wrong. The file is read with
    ``allow_pickle=False``: it cannot run code.
    """
    if not isinstance(path, (str, Path)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    check_choice(split, "split", SPLITS)
    if not isinstance(check_md5, bool):
        raise TypeError(f"check_md5 must be True or False, got {check_md5!r}")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path must be a .npz file, got the directory {path}; pass the file inside it")
    if not path.is_file():
        raise FileNotFoundError(_where_to_get(path))
    info = MEDMNIST_FILES.get(path.name.lower())
    if check_md5 and info is not None:
        md5 = file_md5(path)
        if md5 != info.md5:
            raise ValueError(
                f"{path}: MD5 {md5} differs from the published {info.md5} of {path.name}: the file is "
                "damaged, truncated or not the official one; download it again (or pass check_md5=False "
                "if you changed it on purpose)"
            )
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path}: not a readable .npz archive (not a zip file); download {path.name} again")
    try:
        with np.load(path, allow_pickle=False) as archive:
            present = sorted(archive.files)
            missing = [key for key in _KEYS if key not in present]
            if not missing:
                images, labels = archive[f"{split}_images"], archive[f"{split}_labels"]
    except MemoryError:
        raise
    except Exception as exc:  # whatever a damaged member raises: BadZipFile, TokenError, a bad header
        if isinstance(exc, ValueError) and "allow_pickle" in str(exc):
            raise ValueError(f"{path}: holds Python objects (pickled arrays), which are not loaded") from None
        raise ValueError(
            f"{path}: not a readable .npz archive, the file is damaged ({type(exc).__name__}: {exc}); "
            f"download {path.name} again (https://medmnist.com)"
        ) from exc
    if missing:
        raise ValueError(f"{path}: not a MedMNIST file, missing {missing}; it holds {present}")

    _check_images(images, f"{split}_images", str(path), info)
    _check_labels(labels, f"{split}_labels", str(path), len(images), info)
    if info is not None:
        expected = info.n_samples[SPLITS.index(split)]
        if len(images) != expected:
            raise ValueError(f"{path}: {split} should hold {expected} images, got {len(images)}")
    labels = labels.astype(np.int64)
    return images, (labels[:, 0] if labels.shape[1] == 1 else labels)
