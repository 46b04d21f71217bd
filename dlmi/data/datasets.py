"""A torch ``Dataset`` over image arrays in memory, with optional light augmentation.

    images, labels = load_medmnist("breastmnist.npz", "train")
    train = ArrayDataset(images, labels, augment=True)          # x: (1, 28, 28) float in [0, 1]
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True)

    data = simulate_chest_xrays(500)
    chest = ArrayDataset(data.images, data.labels)               # multi-label: y (14,) float
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch.utils.data import Dataset

from ..validation import check_binary, check_choice, check_scalar, rng_argument, seed_from

TASKS = ("binary", "multi-class", "multi-label", "regression")


def _channels_first(images: np.ndarray) -> np.ndarray:
    """(N, C, H, W) or (N, C, D, H, W) from the layouts in use.

    (N, H, W) grayscale gets a channel; (N, H, W, 3) colour (MedMNIST) moves its channels
    first; (N, 1 or 3, H, W) is kept; any other (N, D, H, W) is a volume and gets a channel;
    (N, C, D, H, W) is kept.
    """
    if images.ndim == 3:
        return images[:, None]
    if images.ndim == 4:
        if images.shape[-1] in (1, 3) and images.shape[1] not in (1, 3):
            return np.moveaxis(images, -1, 1)
        if images.shape[1] in (1, 3):
            return images
        return images[:, None]
    if images.ndim == 5:
        return images
    raise ValueError(
        "images must be (N, H, W), (N, H, W, C), (N, C, H, W), (N, D, H, W) or (N, C, D, H, W), "
        f"got shape {images.shape}"
    )


def _infer_task(labels: np.ndarray) -> str:
    if labels.ndim == 2 and labels.shape[1] > 1:
        return "multi-label"
    values = np.unique(labels)
    if not np.array_equal(values, np.round(values)):
        return "regression"
    return "binary" if np.isin(values, (0, 1)).all() else "multi-class"


class ArrayDataset(Dataset):
    """Images and labels held in memory, served as float tensors ready for a CNN.

    Parameters
    ----------
    images : (N, H, W), (N, H, W, C), (N, C, H, W), (N, D, H, W) or (N, C, D, H, W); uint8
        (divided by 255) or float already in [0, 1].
    labels : (N,) or (N, 1) classes (0/1 for ``"binary"``) or values, or (N, K) multi-label 0/1;
        finite.
    task : ``"binary"`` and ``"multi-label"`` give float targets of shape (1,) and (K,) (for
        ``BCEWithLogitsLoss``), ``"multi-class"`` a long class index (for ``CrossEntropyLoss``;
        use it for ordinal grades too), ``"regression"`` a float of shape (1,). ``"auto"``
        picks one from the labels: several columns → multi-label, 0/1 → binary, other
        integers → multi-class, other numbers → regression.
    augment : draw a new small random transformation each time an item is read: a shift of up
        to ``max_shift`` of the image side, an in-plane rotation of up to ``max_rotation``
        degrees, and an intensity jitter (brightness ± ``jitter``, contrast × 1 ± ``jitter``).
        Use it for training sets only.
    rng : an int seed (or a numpy Generator to draw one from; ``seed`` is its older name) for
        the augmentation. In a ``DataLoader`` with ``num_workers > 0`` each worker draws from
        its own generator, seeded from ``rng`` and the worker's seed (which the loader changes
        every epoch), so workers never repeat each other's transformations.

    Each item is ``(x, y)`` with ``x`` float32 (C, H, W) or (C, D, H, W) in [0, 1].

    There is **no left–right flip**, on purpose: on a chest radiograph the heart lies on the
    patient's left (image right), and a flipped film shows situs inversus, not a normal chest;
    the same holds for most anatomy.
    """

    def __init__(self, images, labels, *, task: str = "auto", augment: bool = False, max_shift: float = 0.06,
                 max_rotation: float = 8.0, jitter: float = 0.1, rng=0, seed: int | None = None):
        images = np.asarray(images)
        if images.dtype == object or not (images.dtype == np.uint8 or np.issubdtype(images.dtype, np.floating)):
            raise TypeError(f"images must be uint8 or floating point, got dtype {images.dtype}")
        if images.size == 0:
            raise ValueError(f"images must hold at least one non-empty image, got shape {images.shape}")
        images = _channels_first(images)
        if images.dtype != np.uint8:
            if not np.isfinite(images).all() or images.min() < 0 or images.max() > 1:
                raise ValueError("float images must be finite and in [0, 1]; uint8 images are divided by 255")
        labels = np.asarray(labels)
        if labels.dtype == object or not (np.issubdtype(labels.dtype, np.number) or labels.dtype == bool):
            raise TypeError(f"labels must hold numbers, got dtype {labels.dtype}")
        if labels.ndim not in (1, 2) or len(labels) != len(images):
            raise ValueError(f"labels must be (N,) or (N, K) with N = {len(images)} images, got shape {labels.shape}")
        if not np.isfinite(labels).all():
            raise ValueError("labels contains NaN or infinite values")
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        check_choice(task, "task", ("auto", *TASKS))
        self.task = _infer_task(labels) if task == "auto" else task
        if self.task == "multi-label" and labels.ndim != 2:
            raise ValueError(f"task 'multi-label' needs labels of shape (N, K), got {labels.shape}")
        if self.task != "multi-label" and labels.ndim != 1:
            raise ValueError(f"task {self.task!r} needs labels of shape (N,), got {labels.shape}")
        if self.task in ("binary", "multi-label"):
            check_binary(labels, "labels")
        if self.task == "multi-class" and (labels.min() < 0 or not np.array_equal(labels, np.round(labels))):
            raise ValueError("task 'multi-class' needs integer class labels 0, 1, ...")
        if not isinstance(augment, bool):
            raise TypeError(f"augment must be True or False, got {augment!r}")
        self.max_shift = check_scalar(max_shift, "max_shift", low=0.0, high=0.5)
        self.max_rotation = check_scalar(max_rotation, "max_rotation", low=0.0, high=180.0)
        self.jitter = check_scalar(jitter, "jitter", low=0.0, high=1.0, high_inclusive=False)
        self._seed = seed_from(rng_argument(rng, seed))

        self.images = torch.from_numpy(np.ascontiguousarray(images))
        dtype = torch.long if self.task == "multi-class" else torch.float32
        self.labels = torch.as_tensor(labels, dtype=dtype)
        if self.task in ("binary", "regression"):
            self.labels = self.labels[:, None]
        self.augment = augment
        self.generator = torch.Generator().manual_seed(self._seed)
        self._worker_seed: int | None = None  # the loader worker's seed that self.generator follows

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x = self.images[index]
        x = x.float() / 255 if x.dtype == torch.uint8 else x.float()
        if self.augment:
            x = self._augment(x)
        return x, self.labels[index]

    def _generator(self) -> torch.Generator:
        """The main process's generator, or in a loader worker one seeded from ``rng`` and that worker.

        Each worker holds a copy of this dataset, generator included: left as it is, every
        worker would draw the same transformations as the others.
        """
        info = torch.utils.data.get_worker_info()
        if info is not None and info.seed != self._worker_seed:
            self._worker_seed = info.seed
            self.generator = torch.Generator().manual_seed(hash((self._seed, info.seed)) % 2**63)
        return self.generator

    def _uniform(self, bound: float, size: int = 1) -> torch.Tensor:
        return (2 * torch.rand(size, generator=self._generator()) - 1) * bound

    def _augment(self, x: torch.Tensor) -> torch.Tensor:
        """A random shift and in-plane rotation (edges repeated), then brightness and contrast."""
        angle = math.radians(float(self._uniform(self.max_rotation)))
        cos, sin = math.cos(angle), math.sin(angle)
        spatial = x.ndim - 1
        shift = self._uniform(2 * self.max_shift, spatial)  # grid units: the image spans 2
        if spatial == 2:
            theta = torch.tensor([[cos, -sin, shift[0]], [sin, cos, shift[1]]])
        else:  # (D, H, W): rotate in the (H, W) plane
            theta = torch.tensor([[cos, -sin, 0.0, shift[0]], [sin, cos, 0.0, shift[1]], [0.0, 0.0, 1.0, shift[2]]])
        grid = torch.nn.functional.affine_grid(theta[None], [1, *x.shape], align_corners=False)
        x = torch.nn.functional.grid_sample(x[None], grid, padding_mode="border", align_corners=False)[0]
        contrast = 1 + float(self._uniform(self.jitter))
        brightness = float(self._uniform(self.jitter))
        mean = x.mean()
        return ((x - mean) * contrast + mean + brightness).clamp(0.0, 1.0)
