"""MedMNIST loader: the official layout loads, every kind of bad file is named and explained."""

import zipfile
from pathlib import Path

import numpy as np
import pytest

from dlmi.data import MEDMNIST_FILES, load_medmnist
from dlmi.data.medmnist import file_md5

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "medmnist"


def _write(path, n=(6, 2, 3), image_shape=(28, 28), label_columns=1, n_classes=2, dtype=np.uint8, **override):
    """A small .npz in the official MedMNIST layout, with arrays replaced by ``override``."""
    rng = np.random.default_rng(0)
    arrays = {}
    for split, count in zip(("train", "val", "test"), n):
        arrays[f"{split}_images"] = rng.integers(0, 256, (count, *image_shape)).astype(dtype)
        arrays[f"{split}_labels"] = rng.integers(0, n_classes, (count, label_columns)).astype(np.uint8)
    arrays.update(override)
    arrays = {k: v for k, v in arrays.items() if v is not None}
    np.savez(path, **arrays)
    return path


def test_loads_2d_grayscale_binary(tmp_path):
    path = _write(tmp_path / "toy.npz")
    images, labels = load_medmnist(path, "train")
    assert images.shape == (6, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (6,) and labels.dtype == np.int64
    with np.load(path) as raw:
        np.testing.assert_array_equal(images, raw["train_images"])
        np.testing.assert_array_equal(labels, raw["train_labels"][:, 0])
    assert load_medmnist(str(path), "test")[0].shape == (3, 28, 28)


def test_loads_3d_multilabel_and_ordinal_colour(tmp_path):
    volumes, labels = load_medmnist(_write(tmp_path / "vol.npz", image_shape=(28, 28, 28)), "val")
    assert volumes.shape == (2, 28, 28, 28)
    _, labels = load_medmnist(_write(tmp_path / "chest.npz", label_columns=14), "train")
    assert labels.shape == (6, 14) and set(np.unique(labels)) <= {0, 1}
    images, grades = load_medmnist(_write(tmp_path / "retina.npz", image_shape=(28, 28, 3), n_classes=5))
    assert images.shape == (6, 28, 28, 3) and grades.max() <= 4


def test_published_checksums_include_the_two_given_files():
    assert MEDMNIST_FILES["breastmnist.npz"].md5 == "750601b1f35ba3300ea97c75c52ff8f6"
    assert MEDMNIST_FILES["adrenalmnist3d.npz"].md5 == "bbd3c5a5576322bc4cdfea780653b1ce"
    assert len(MEDMNIST_FILES) == 18 and all(len(info.md5) == 32 for info in MEDMNIST_FILES.values())


def test_a_known_name_with_other_bytes_fails_its_checksum(tmp_path):
    path = _write(tmp_path / "breastmnist.npz")
    with pytest.raises(ValueError, match=r"breastmnist.npz: MD5 [0-9a-f]{32} differs from the published 7506"):
        load_medmnist(path)
    # without the checksum, the known sample counts still catch it
    with pytest.raises(ValueError, match="train should hold 546 images, got 6"):
        load_medmnist(path, check_md5=False)


def test_a_known_name_with_the_wrong_kind_of_images(tmp_path):
    path = _write(tmp_path / "adrenalmnist3d.npz", n=(1188, 98, 298), image_shape=(28, 28))
    with pytest.raises(ValueError, match="should be 3D with 1 channel"):
        load_medmnist(path, check_md5=False)


def test_missing_file_says_where_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_medmnist(tmp_path / "chestmnist.npz")
    message = str(info.value)
    for hint in ("chestmnist.npz does not exist", "medmnist.com", "zenodo.org/records/6496656",
                 "pip install medmnist", "download=True", "never downloads"):
        assert hint in message


@pytest.mark.parametrize(
    "override, match",
    [
        (dict(val_labels=None), r"missing \['val_labels'\]"),
        (dict(train_images=np.zeros((6, 28, 28), np.float32)), "train_images must be uint8, got float32"),
        (dict(train_images=np.zeros((6, 28, 20), np.uint8)), "square"),
        (dict(train_labels=np.zeros((5, 1), np.uint8)), r"with N = 6 images, got shape \(5, 1\)"),
        (dict(train_labels=np.zeros(6, np.uint8)), r"must be \(N, 1\) or \(N, K\)"),
        (dict(train_labels=np.zeros((6, 1), np.float32)), "must hold integers"),
        (dict(train_labels=-np.ones((6, 1), np.int16)), "negative labels"),
    ],
)
def test_bad_contents_name_the_file_and_the_problem(tmp_path, override, match):
    path = _write(tmp_path / "bad.npz", **override)
    with pytest.raises(ValueError, match=match) as info:
        load_medmnist(path, "train")
    assert "bad.npz" in str(info.value)


def test_pickled_objects_and_non_archives_are_refused(tmp_path):
    path = _write(tmp_path / "objects.npz", train_labels=np.array([[{"a": 1}]] * 6, dtype=object))
    with pytest.raises(ValueError, match="objects.npz: holds Python objects"):
        load_medmnist(path)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(ValueError, match="junk.npz: not a readable .npz"):
        load_medmnist(junk)


def _npy_with_header(header: bytes) -> bytes:
    """A version-1.0 ``.npy`` member whose header dictionary is ``header`` (damaged on purpose)."""
    header = header.ljust(118) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header


@pytest.mark.parametrize(
    "header, raw",
    [
        (b"{'descr': 'zz', 'fortran_order': False, 'shape': (6, 28, 28), }", "ValueError"),
        (b"{'descr': '|u1, 'fortran_order", "TokenError"),
    ],
)
def test_a_damaged_array_header_names_the_file(tmp_path, header, raw):
    good = _write(tmp_path / "good.npz")
    path = tmp_path / "damaged.npz"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.namelist():
            damaged = member == "train_images.npy"
            target.writestr(member, _npy_with_header(header) if damaged else source.read(member))
    match = rf"damaged.npz: not a readable .npz archive.*{raw}.*download damaged.npz again"
    with pytest.raises(ValueError, match=match):
        load_medmnist(path, "train")
    assert load_medmnist(path, "val")[0].shape == (2, 28, 28)  # the intact members still load


def test_a_directory_is_named_as_one(tmp_path):
    with pytest.raises(ValueError, match="path must be a .npz file, got the directory"):
        load_medmnist(tmp_path)


def test_a_known_name_in_other_case_is_still_checksummed(tmp_path):
    path = _write(tmp_path / "BreastMNIST.npz")
    with pytest.raises(ValueError, match=r"BreastMNIST.npz: MD5 [0-9a-f]{32} differs from the published 7506"):
        load_medmnist(path)


def test_bad_arguments(tmp_path):
    path = _write(tmp_path / "toy.npz")
    with pytest.raises(ValueError, match="split must be one of"):
        load_medmnist(path, "validation")
    with pytest.raises(TypeError, match="path must be a str or pathlib.Path"):
        load_medmnist(3)
    with pytest.raises(TypeError, match="check_md5"):
        load_medmnist(path, check_md5="yes")


@pytest.mark.skipif(not REAL.is_dir(), reason=f"real MedMNIST files not found at {REAL} (kept outside the project)")
@pytest.mark.parametrize(
    "name, shape, rate",
    [("breastmnist.npz", (28, 28), 0.73), ("adrenalmnist3d.npz", (28, 28, 28), 0.22)],
)
def test_real_files(name, shape, rate):
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    assert file_md5(path) == MEDMNIST_FILES[name].md5
    for split, count in zip(("train", "val", "test"), MEDMNIST_FILES[name].n_samples):
        images, labels = load_medmnist(path, split)
        assert images.shape == (count, *shape) and images.dtype == np.uint8
        assert labels.shape == (count,) and set(np.unique(labels)) == {0, 1}
    assert labels.mean() == pytest.approx(rate, abs=0.03)
    assert images.std() > 5  # not blank
