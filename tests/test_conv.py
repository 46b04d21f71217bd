"""dlmi.conv matches torch's conv2d and max_pool2d, and refuses impossible settings clearly."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlmi.conv import (KERNELS, conv2d, convolution_step, make_kernel, max_pool2d, output_size, relu,
                       resize_image, x_image)

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


# --------------------------------------------------------------------------- one window at a time
def test_step_shows_the_window_products_and_sum_of_one_output_pixel():
    image = np.arange(25, dtype=float).reshape(5, 5)
    kernel = make_kernel("sharpen")
    step = convolution_step(image, kernel, stride=1, padding=1, position=7)
    assert step.problem is None
    assert step.padded.shape == (7, 7) and step.output.shape == (5, 5) and step.n_positions == 25
    assert (step.row, step.col) == (1, 2)
    np.testing.assert_array_equal(step.window, step.padded[1:4, 2:5])
    np.testing.assert_array_equal(step.products, step.window * kernel)
    assert step.value == pytest.approx(step.products.sum()) == pytest.approx(step.output[1, 2])
    expected = F.conv2d(torch.tensor(image)[None, None], torch.tensor(kernel)[None, None], padding=1)[0, 0].numpy()
    np.testing.assert_allclose(step.output, expected)


def test_position_moves_by_the_stride_and_wraps_around():
    image = np.random.default_rng(0).random((7, 7))
    step = convolution_step(image, np.ones((3, 3)), stride=2, position=3)  # 3×3 output: row 1, col 0
    assert (step.row, step.col) == (1, 0)
    np.testing.assert_array_equal(step.window, image[2:5, 0:3])
    wrapped = convolution_step(image, np.ones((3, 3)), stride=2, position=3 + 9)
    assert (wrapped.row, wrapped.col) == (1, 0)


def test_x_filter_scores_nine_on_the_x():
    step = convolution_step(x_image(), KERNELS["X: diagonal ↘"], position=8)  # output (1, 1)
    assert step.value == 9.0 and step.output.shape == (7, 7)


@pytest.mark.parametrize("size, k, stride, padding, words", [
    (4, 7, 1, 0, "larger than the padded input"),
    (8, 3, 2, 0, "does not tile"),
    (8, 3, 0, 0, "stride"),
    (8, 3, 1, -1, "padding"),
])
def test_impossible_settings_are_flagged_not_raised(size, k, stride, padding, words):
    step = convolution_step(np.ones((size, size)), np.ones((k, k)), stride=stride, padding=padding)
    assert step.problem is not None and words in step.problem
    assert step.output is None and step.value is None and step.n_positions == 0


def test_non_square_kernel_is_flagged():
    step = convolution_step(np.ones((5, 5)), np.ones((2, 3)))
    assert "square" in step.problem


def test_wrongly_typed_arguments_still_raise():
    with pytest.raises(TypeError, match="stride"):
        convolution_step(np.ones((5, 5)), np.ones((3, 3)), stride=1.5)
    with pytest.raises(ValueError, match="image"):
        convolution_step(np.ones(5), np.ones((3, 3)))


def test_make_kernel_sizes():
    assert make_kernel("identity", 5)[2, 2] == 1 and make_kernel("identity", 5).sum() == 1
    assert make_kernel("box blur", 4).sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(make_kernel("edge detect"), KERNELS["edge detect"])
    with pytest.raises(ValueError, match="3×3"):
        make_kernel("sharpen", 5)
    with pytest.raises(ValueError, match="name"):
        make_kernel("blurry")


def test_resize_image_averages_blocks_and_repeats_pixels():
    image = np.arange(16, dtype=float).reshape(4, 4)
    np.testing.assert_allclose(resize_image(image, 2), [[2.5, 4.5], [10.5, 12.5]])
    up = resize_image(np.array([[0.0, 1.0], [2.0, 3.0]]), 4)
    np.testing.assert_array_equal(up[:2, :2], 0.0)
    np.testing.assert_array_equal(up[2:, 2:], 3.0)
    assert resize_image(np.random.default_rng(0).random((64, 64)), 9).shape == (9, 9)
