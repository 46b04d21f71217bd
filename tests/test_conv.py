"""dlmi.conv matches torch's conv2d and max_pool2d, and refuses impossible settings clearly."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlmi.conv import KERNELS, conv2d, max_pool2d, output_size, relu, x_image

CASES = [
    # (N, C, H, W, F, kh, kw, stride, padding)
    (1, 1, 5, 5, 1, 3, 3, 1, 0),
    (2, 3, 8, 8, 4, 3, 3, 1, 1),
    (2, 3, 9, 7, 5, 3, 3, 2, 1),
    (1, 2, 10, 10, 3, 5, 5, 3, 2),
    (3, 1, 7, 11, 2, 1, 1, 1, 0),
    (1, 4, 6, 6, 2, 6, 6, 1, 0),
    (2, 2, 12, 9, 3, 4, 2, (2, 1), (1, 0)),
    (1, 3, 28, 28, 8, 7, 7, 2, 3),
    (2, 1, 13, 13, 1, 4, 4, 4, 0),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
@pytest.mark.parametrize("bias", [False, True])
def test_conv2d_matches_torch_in_float32(case, bias):
    n, c, h, w, f, kh, kw, stride, padding = case
    rng = np.random.default_rng(hash(case) % 2**32)
    x = rng.normal(size=(n, c, h, w)).astype(np.float32)
    k = rng.normal(size=(f, c, kh, kw)).astype(np.float32)
    b = rng.normal(size=f).astype(np.float32) if bias else None
    got = conv2d(x, k, b, stride=stride, padding=padding)
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(k), None if b is None else torch.from_numpy(b),
                        stride=stride, padding=padding).numpy()
    assert got.dtype == np.float32
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_output_shape_follows_the_formula():
    x = np.zeros((1, 1, 64, 50))
    out = conv2d(x, np.zeros((6, 1, 5, 3)), stride=2, padding=1)
    assert out.shape == (1, 6, output_size(64, 5, 2, 1), output_size(50, 3, 2, 1)) == (1, 6, 31, 25)


def test_conv2d_on_one_image_and_one_kernel_by_hand():
    image = np.arange(16, dtype=np.float64).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, -1.0]])
    out = conv2d(image, kernel)
    # each output pixel: x[i, j] − x[i+1, j+1] = −5 everywhere (no kernel flip)
    np.testing.assert_array_equal(out, np.full((3, 3), -5.0))


def test_conv2d_keeps_float64_and_adds_bias():
    x = np.ones((1, 2, 4, 4))
    out = conv2d(x, np.ones((3, 2, 2, 2)), b=np.array([0.0, 1.0, -1.0]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out[0, :, 0, 0], [8.0, 9.0, 7.0])


def test_slides_x_filters_score_the_x_image():
    image = x_image()
    assert image.shape == (9, 9) and set(np.unique(image)) == {-1.0, 1.0}
    assert image[1, 1] == image[7, 1] == image[4, 4] == 1 and image[0, 0] == -1
    diag = conv2d(image, KERNELS["X: diagonal ↘"])
    # the ↘ filter matches the 3×3 patch centred on (2, 2), on the ↘ diagonal, perfectly: 9
    assert diag[1, 1] == 9
    assert conv2d(image, KERNELS["X: crossing"])[3, 3] == 9  # centre of the X
    assert conv2d(image, KERNELS["X: diagonal ↙"])[1, 5] == 9


@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (3, 1, 0), ((2, 3), (2, 1), (1, 1))])
def test_max_pool2d_matches_torch(kernel, stride, padding):
    x = np.random.default_rng(0).normal(size=(2, 3, 11, 10)).astype(np.float32)
    got = max_pool2d(x, kernel, stride, padding)
    expected = F.max_pool2d(torch.from_numpy(x), kernel, stride, padding).numpy()
    np.testing.assert_array_equal(got, expected)


def test_max_pool2d_on_one_image():
    image = np.array([[1, 2, 0, 0], [3, 4, 0, 9], [0, 0, 5, 5], [0, 1, 5, 6]], dtype=float)
    np.testing.assert_array_equal(max_pool2d(image), [[4, 9], [1, 6]])


def test_relu():
    np.testing.assert_array_equal(relu([-1.0, 0.0, 2.5]), [0.0, 0.0, 2.5])


@pytest.mark.parametrize("I, k, S, P, expected", [(64, 3, 1, 1, 64), (64, 3, 2, 1, 32), (7, 3, 1, 0, 5),
                                                  (224, 7, 2, 3, 112), (5, 5, 1, 0, 1), (6, 3, 2, 0, 2)])
def test_output_size(I, k, S, P, expected):
    assert output_size(I, k, S, P) == expected


def test_output_size_errors_name_the_problem():
    with pytest.raises(ValueError, match="larger than the padded input"):
        output_size(4, 7, 1, 1)
    with pytest.raises(ValueError, match="does not tile"):
        output_size(6, 3, 2, 0, exact=True)
    with pytest.raises(ValueError, match="stride"):
        output_size(6, 3, 0, 0)
    with pytest.raises(ValueError, match="padding"):
        output_size(6, 3, 1, -1)
    with pytest.raises(TypeError, match="kernel_size"):
        output_size(6, 2.5)


def test_conv2d_rejects_bad_input():
    with pytest.raises(ValueError, match="channels"):
        conv2d(np.zeros((1, 2, 5, 5)), np.zeros((1, 3, 3, 3)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="x and w must be"):
        conv2d(np.zeros((5, 5)), np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="one bias per kernel"):
        conv2d(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), b=np.zeros(3))
    with pytest.raises(ValueError, match="stride"):
        conv2d(np.zeros((5, 5)), np.zeros((3, 3)), stride=0)
    with pytest.raises(ValueError, match="dimension"):
        conv2d(np.zeros((1, 5, 5)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match="padding must be at most half"):
        max_pool2d(np.zeros((4, 4)), 2, padding=2)
