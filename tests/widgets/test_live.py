"""dlmi.widgets.live: a widget's figure is one output, replaced in place by each redraw."""

import pytest

from dlmi.widgets.live import LiveImage

PNG, JPEG = b"\x89PNG\r\n\x1a\nfirst", b"\xff\xd8second"


class FakeHandle:
    def __init__(self, bundle):
        self.shown = [bundle]

    def update(self, bundle, raw=False):
        assert raw
        self.shown.append(bundle)


@pytest.fixture
def kernel_display(monkeypatch):
    """IPython's display as in a kernel: it returns a handle whose updates we record."""
    import IPython.display

    handles = []

    def display(obj, raw=False, display_id=False):
        if not isinstance(obj, dict):  # the widget box itself
            return None
        assert raw and display_id
        handles.append(FakeHandle(obj))
        return handles[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return handles


def test_live_image_replaces_its_output_in_place(kernel_display):
    image = LiveImage(PNG)
    image.update(JPEG, "jpeg")
    (handle,) = kernel_display  # one output, never a second one
    assert handle.shown == [{"image/png": PNG}, {"image/jpeg": JPEG}]
    assert (image.data, image.format) == (JPEG, "jpeg")


def test_live_image_outside_a_kernel_keeps_the_latest_picture(capsys):
    image = LiveImage(PNG)
    assert "image/png" in capsys.readouterr().out and image.handle is None
    image.update(JPEG, "jpeg")
    assert image.data == JPEG


def test_live_image_rejects_other_formats_and_non_bytes(kernel_display):
    with pytest.raises(ValueError, match="format"):
        LiveImage(PNG, "gif")
    with pytest.raises(TypeError, match="data must be image bytes"):
        LiveImage("not bytes")
    image = LiveImage(PNG)
    with pytest.raises(TypeError, match="data"):
        image.update(None)
    assert kernel_display[-1].shown == [{"image/png": PNG}]


@pytest.mark.parametrize("build, label", [("line_fit", "w1"), ("optimizer_race", ""), ("playground", "noise"),
                                          ("convolution", "stride")])
def test_each_widget_shows_its_figure_once_and_redraws_it_in_place(kernel_display, build, label):
    """Every widget displays one image output and, on a change, updates that output only."""
    import ipywidgets as widgets
    import numpy as np

    from dlmi.widgets import convolution, optimizers, playground, regression

    rng = np.random.default_rng(0)
    if build == "line_fit":
        x = rng.uniform(20, 120, 30)
        view = regression.LineFitFigure(x, 3 * x + rng.normal(0, 10, 30), w0_range=(-50, 50), w1_range=(0, 6),
                                        grid_size=20)
        box = regression.line_fit_widget(view, w1=1.0)
    elif build == "optimizer_race":
        box = optimizers.optimizer_race_widget()
    elif build == "playground":
        box = playground.playground_widget(steps_per_frame=2)
    else:
        box = convolution.convolution_widget(rng.random((12, 12)))
    (handle,) = kernel_display
    sliders, stack = [], [box]
    while stack:
        w = stack.pop()
        stack.extend(getattr(w, "children", ()))
        if isinstance(w, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)) and w.max > w.min:
            sliders.append(w)
    slider = next(w for w in sliders if w.description.startswith(label))
    slider.value = slider.max if slider.value != slider.max else slider.min
    assert len(kernel_display) == 1 and len(handle.shown) >= 2
    assert handle.shown[-1] != handle.shown[0]
    assert box.image.handle is handle
