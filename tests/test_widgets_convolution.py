"""The convolution explorer's pure functions: right numbers, and impossible settings flagged, not raised."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlmi.conv import KERNELS, x_image
from dlmi.widgets.convolution import ConvolutionFigure, ConvolutionStep, convolution_step, make_kernel, resize_image


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


def test_figure_update_returns_the_readout_and_marks_the_window():
    view = ConvolutionFigure()
    text = view.update(convolution_step(x_image(), KERNELS["X: crossing"], position=24))
    assert text.startswith("output[3, 3] = Σ window × kernel = 9")
    assert view.window_box.get_visible() and view.window_box.get_xy() == (2.5, 2.5)
    bad = view.update(convolution_step(np.ones((4, 4)), np.ones((7, 7))))
    assert bad.startswith("✗ invalid") and not view.window_box.get_visible()
    view.figure.canvas.draw()
    with pytest.raises(TypeError, match="ConvolutionStep"):
        view.update("step")
    assert isinstance(convolution_step(np.ones((3, 3)), np.ones((1, 1))), ConvolutionStep)
