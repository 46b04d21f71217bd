"""ArrayDataset: layouts become (C, ...) floats in [0, 1], targets fit their loss, augmentation is mild."""

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from dlmi.data import ArrayDataset


def _uint8(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)


@pytest.mark.parametrize(
    "shape, item_shape",
    [
        ((5, 28, 28), (1, 28, 28)),  # grayscale MedMNIST
        ((5, 28, 28, 3), (3, 28, 28)),  # colour MedMNIST, channels last
        ((5, 1, 64, 64), (1, 64, 64)),  # simulate_chest_xrays, channels first
        ((5, 28, 28, 28), (1, 28, 28, 28)),  # 3D MedMNIST volumes
    ],
)
def test_layouts_become_channels_first_floats(shape, item_shape):
    images = _uint8(shape)
    x, _ = ArrayDataset(images, np.zeros(5))[2]
    assert x.shape == item_shape and x.dtype == torch.float32
    raw = torch.from_numpy(images[2].astype(np.float32) / 255)
    expected = raw.permute(2, 0, 1) if shape[-1] == 3 else raw.reshape(item_shape)
    torch.testing.assert_close(x, expected)


def test_float_images_pass_through():
    images = np.random.default_rng(1).random((4, 1, 32, 32)).astype(np.float32)
    x, _ = ArrayDataset(images, np.zeros(4))[3]
    torch.testing.assert_close(x, torch.from_numpy(images[3]))


@pytest.mark.parametrize(
    "labels, task, dtype, shape",
    [
        (np.array([0, 1, 1, 0]), "binary", torch.float32, (1,)),
        (np.array([[0], [1], [1], [0]]), "binary", torch.float32, (1,)),
        (np.array([0, 3, 4, 2]), "multi-class", torch.long, ()),
        (np.eye(4, 14, dtype=np.uint8), "multi-label", torch.float32, (14,)),
        (np.array([61.5, 70.2, 80.0, 75.1]), "regression", torch.float32, (1,)),
    ],
)
def test_targets_fit_their_loss(labels, task, dtype, shape):
    dataset = ArrayDataset(_uint8((4, 28, 28)), labels)
    assert dataset.task == task
    _, y = dataset[1]
    assert y.dtype == dtype and tuple(y.shape) == shape


def test_task_can_be_forced_and_ordinal_grades_are_classes():
    dataset = ArrayDataset(_uint8((4, 28, 28)), np.array([0, 1, 1, 0]), task="multi-class")
    assert dataset[1][1].dtype == torch.long and int(dataset[1][1]) == 1


def test_batches_feed_a_cnn():
    from dlmi.models import SimpleCNN2d

    dataset = ArrayDataset(_uint8((10, 28, 28)), np.eye(10, 14), augment=True)
    x, y = next(iter(DataLoader(dataset, batch_size=4)))
    assert x.shape == (4, 1, 28, 28) and y.shape == (4, 14)
    assert SimpleCNN2d(1, 14)(x).shape == (4, 14)


def _heart_on_the_right(n=3, size=32):
    """Dark images with a bright block in the right half (as the heart on a radiograph)."""
    images = np.zeros((n, size, size), np.uint8)
    images[:, 10:24, 20:28] = 220
    return images


def test_augmentation_is_small_random_reproducible_and_never_flips():
    images = _heart_on_the_right()
    first = ArrayDataset(images, np.zeros(3), augment=True, rng=3)
    again = ArrayDataset(images, np.zeros(3), augment=True, rng=3)
    draws = [first[0][0] for _ in range(20)]
    torch.testing.assert_close(draws[0], again[0][0])
    assert not torch.equal(draws[0], draws[1])
    original = torch.from_numpy(images[0] / 255).float()
    columns = torch.arange(32.0)
    for x in draws:
        assert x.shape == (1, 32, 32) and 0 <= x.min() and x.max() <= 1
        centre = (x[0].sum(0) * columns).sum() / x[0].sum()
        assert centre > 19  # still in the right half: no left-right flip
        change = (x[0] - original).abs().mean()
        assert change < 0.2 and change < (x[0] - original.flip(-1)).abs().mean()  # nearer itself than its mirror
    plain = ArrayDataset(images, np.zeros(3))
    torch.testing.assert_close(plain[0][0][0], original)


def test_augmentation_of_volumes():
    dataset = ArrayDataset(_uint8((2, 16, 16, 16)), np.array([0, 1]), augment=True)
    x, _ = dataset[0]
    assert x.shape == (1, 16, 16, 16) and 0 <= x.min() and x.max() <= 1


@pytest.mark.parametrize(
    "images, labels, kwargs, error, match",
    [
        (np.full((3, 8, 8), 2.0), np.zeros(3), {}, ValueError, r"float images must be finite and in \[0, 1\]"),
        (np.zeros((3, 8, 8), np.int32), np.zeros(3), {}, TypeError, "uint8 or floating"),
        (np.zeros((3, 8, 8), np.uint8), np.zeros(4), {}, ValueError, "N = 3 images"),
        (np.zeros((3, 8, 8), np.uint8), np.array(["a", "b", "c"]), {}, TypeError, "labels must hold numbers"),
        (np.zeros((3, 8), np.uint8), np.zeros(3), {}, ValueError, "images must be"),
        (np.zeros((3, 8, 8), np.uint8), np.zeros(3), {"task": "ordinal"}, ValueError, "task must be one of"),
        (np.zeros((3, 8, 8), np.uint8), np.zeros(3), {"task": "multi-label"}, ValueError, r"labels of shape \(N, K\)"),
        (np.zeros((3, 8, 8), np.uint8), np.array([0, -1, 2]), {"task": "multi-class"}, ValueError, "integer class"),
        (np.zeros((3, 8, 8), np.uint8), np.zeros(3), {"max_rotation": -1.0}, ValueError, "max_rotation"),
        (np.zeros((3, 8, 8), np.uint8), np.zeros(3), {"augment": 1}, TypeError, "augment"),
        (np.zeros((3, 8, 8), np.uint8), np.array([1, 2, 1]), {"task": "binary"}, ValueError,
         r"labels must hold binary labels 0 and 1, got values \{1, 2\}"),
        (np.zeros((3, 8, 8), np.uint8), np.full((3, 2), 2), {}, ValueError, "labels must hold binary labels"),
        (np.zeros((3, 8, 8), np.uint8), np.array([0.5, np.nan, 1.5]), {}, ValueError,
         "labels contains NaN or infinite values"),
        (np.zeros((0, 8, 8), np.float32), np.zeros(0), {}, ValueError,
         r"images must hold at least one non-empty image, got shape \(0, 8, 8\)"),
        (np.zeros((0, 8, 8), np.uint8), np.zeros(0), {}, ValueError, "images must hold at least one"),
    ],
)
def test_bad_input_is_named(images, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        ArrayDataset(images, labels, **kwargs)


def test_loader_workers_draw_different_augmentations_and_repeat_with_the_loader_seed():
    """Each worker holds a copy of the dataset: without a generator of its own, the workers would
    draw the same transformations in the same order (items 0 and 1, read by two workers, alike)."""
    image = np.tile(np.linspace(0, 1, 24, dtype=np.float32), (24, 1))
    dataset = ArrayDataset(np.stack([image] * 8), np.zeros(8), augment=True, max_rotation=30.0, rng=0)

    def epoch(seed):
        loader = torch.utils.data.DataLoader(dataset, batch_size=1, num_workers=2,
                                             generator=torch.Generator().manual_seed(seed))
        return torch.cat([x for x, _ in loader]).numpy()

    first = epoch(5)
    assert not np.allclose(first[0], first[1])  # worker 0 and worker 1, same image
    np.testing.assert_array_equal(first, epoch(5))  # the loader's seed fixes the whole epoch
    assert not np.allclose(first, epoch(6))
