"""dlmi.widgets.convolution: the explorer's figure shows a dlmi.conv.convolution_step in place."""

import numpy as np
import pytest

from dlmi.conv import KERNELS, ConvolutionStep, convolution_step, x_image
from dlmi.widgets.convolution import ConvolutionFigure


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
