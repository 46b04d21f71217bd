"""A convolution explorer in the spirit of CNN Explainer (notebook 08).

Pick a kernel (or type its 3×3 values), the input size, the kernel size, the stride and the
padding, then slide the window over the image: the figure shows the padded input with the
window on it, the kernel, the element-wise products with their sum, and the output map with
the pixel that sum becomes. Settings that cannot work (a kernel larger than the padded input,
a stride that does not tile it) are flagged in words, never raised.

``dlmi.conv.convolution_step`` is the pure function behind it (tests call it directly);
``ConvolutionFigure.update`` redraws in place; ``convolution_widget`` only adds the controls.
"""

from __future__ import annotations


import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..conv import KERNELS, ConvolutionStep, convolution_step, make_kernel, resize_image
from ..validation import as_array, check_choice
from ..viz import PALETTE, figure_image
from .live import LiveImage

__all__ = ["ConvolutionFigure", "convolution_widget"]

#: Kernels up to this size get their values written in the cells (3 × 25 numbers for 5×5);
#: beyond, writing them would cost more than the 100 ms an update may take.
_ANNOTATE_UP_TO = 5


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() and abs(value) < 1e4 else f"{value:.2g}"


class ConvolutionFigure:
    """Four panels: padded input with the window, kernel, products with their sum, output map.

    ``update(step)`` redraws the panels for a ``ConvolutionStep`` in place and returns a
    one-line readout ("output[1, 2] = Σ products = 3.5", or the problem).
    """

    def __init__(self, *, figsize: tuple[float, float] = (16.0, 4.6)):
        # fixed margins: recomputing a tight layout at every redraw would cost half of its time
        self.figure = Figure(figsize=figsize, layout="none")
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.subplots(1, 4, gridspec_kw={"width_ratios": [1.3, 0.8, 0.8, 1.1]})
        self.figure.subplots_adjust(left=0.01, right=0.99, bottom=0.03, top=0.83, wspace=0.12)
        titles = ("input (padding in grey)", "kernel", "window × kernel", "output (feature map)")
        self.images = []
        for ax, title in zip(self.axes, titles):
            self.images.append(ax.imshow(np.zeros((1, 1)), cmap="gray" if ax is not self.axes[1] else "coolwarm"))
            ax.set_title(title)
            ax.set(xticks=[], yticks=[])
            ax.grid(False)
        self.images[2].set_cmap("coolwarm")
        self.images[3].set_cmap("magma")
        self.padding_frame = Rectangle((0, 0), 1, 1, fill=False, edgecolor="0.6", linestyle="--", linewidth=1.5)
        self.window_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE[3], linewidth=3)
        self.pixel_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE[5], linewidth=3)
        self.axes[0].add_patch(self.padding_frame)
        self.axes[0].add_patch(self.window_box)
        self.axes[3].add_patch(self.pixel_box)
        self.readout = self.figure.suptitle(" ", fontsize=15)
        self._texts: list = []

    def _show(self, index: int, values: np.ndarray | None, *, symmetric: bool = False) -> None:
        """Put ``values`` in panel ``index`` (hide the panel for None), scaled to its range."""
        ax, image = self.axes[index], self.images[index]
        image.set_visible(values is not None)
        if values is None:
            return
        image.set_data(values)
        h, w = values.shape
        image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        ax.set(xlim=(-0.5, w - 0.5), ylim=(h - 0.5, -0.5))
        low, high = float(values.min()), float(values.max())
        if symmetric:
            bound = 1.6 * max(abs(low), abs(high), 1e-12)  # softened, so that the numbers stay readable
            image.set_clim(-bound, bound)
        else:
            image.set_clim(low, high if high > low else low + 1)

    def _annotate(self, index: int, values: np.ndarray, *, top: int = 0, left: int = 0) -> None:
        """Write ``values`` in the cells of panel ``index`` from cell (top, left) on."""
        image, symmetric = self.images[index], index in (1, 2)
        for (i, j), v in np.ndenumerate(values):
            # black on the diverging maps; on the dark-to-light ones, white over the dark half
            colour = "black" if symmetric or image.norm(v) >= 0.5 else "white"
            self._texts.append(self.axes[index].text(left + j, top + i, _fmt(v), ha="center", va="center",
                                                     fontsize=10, color=colour))

    def update(self, step: ConvolutionStep) -> str:
        """Draw ``step``; return the readout line."""
        if not isinstance(step, ConvolutionStep):
            raise TypeError(f"step must be a ConvolutionStep (from convolution_step), got {type(step).__name__}")
        for text in self._texts:
            text.remove()
        self._texts = []
        self._show(0, step.padded)
        size, pad = step.padded.shape[0], max(step.padding, 0)
        inner = size - 2 * pad
        self.padding_frame.set_bounds(pad - 0.5, pad - 0.5, inner, inner)
        self.padding_frame.set_visible(pad > 0)
        self._show(1, step.kernel, symmetric=True)
        self._show(2, step.products, symmetric=True)
        self._show(3, step.output)
        if step.problem is not None:
            self.window_box.set_visible(False)
            self.pixel_box.set_visible(False)
            self.axes[3].set_title("no output: invalid settings")
            text = f"✗ invalid: {step.problem}"
            self.readout.set_color(PALETTE[3])
        else:
            k = step.kernel.shape[0]
            self.window_box.set_visible(True)
            self.window_box.set_bounds(step.col * step.stride - 0.5, step.row * step.stride - 0.5, k, k)
            self.pixel_box.set_visible(True)
            self.pixel_box.set_bounds(step.col - 0.5, step.row - 0.5, 1, 1)
            if k <= _ANNOTATE_UP_TO:
                self._annotate(0, step.window, top=step.row * step.stride, left=step.col * step.stride)
                self._annotate(1, step.kernel)
                self._annotate(2, step.products)
            self._annotate(3, np.array([[step.value]]), top=step.row, left=step.col)
            h, w = step.output.shape
            self.axes[3].set_title(f"output {h}×{w}: (I − k + 2P)/S + 1")
            text = (f"output[{step.row}, {step.col}] = Σ window × kernel = {step.value:.4g}"
                    f"   (stride {step.stride}, padding {step.padding})")
            self.readout.set_color("black")
        self.readout.set_text(text if len(text) < 150 else text[:147] + "…")
        return text


def convolution_widget(image, *, kernel: str = "edge detect", input_size: int | None = None, stride: int = 1,
                       padding: int = 0, view: ConvolutionFigure | None = None):
    """The explorer's controls over ``view`` (a new ``ConvolutionFigure`` by default) for ``image`` (H, W).

    Controls: kernel (the named ones and "custom", whose 3×3 values are typed in), input size
    (``image`` resampled), kernel size, stride, padding, and the window position with a play
    button. Every change calls ``convolution_step`` then ``view.update``. Returns the widget box.
    """
    import ipywidgets as widgets
    from IPython.display import display

    image = as_array(image, "image", ndim=2)
    view = view or ConvolutionFigure()
    names = [*KERNELS, "custom"]
    check_choice(kernel, "kernel", names)
    layout, style = {"width": "340px"}, {"description_width": "95px"}
    start = image.shape[0] if input_size is None else input_size
    kernel_box = widgets.Dropdown(options=names, value=kernel, description="kernel", layout=layout, style=style)
    size_box = widgets.IntSlider(value=start, min=3, max=max(32, start), description="input size", layout=layout,
                                 style=style)
    k_box = widgets.IntSlider(value=3, min=1, max=7, description="kernel size", layout=layout, style=style)
    stride_box = widgets.IntSlider(value=stride, min=1, max=4, description="stride", layout=layout, style=style)
    pad_box = widgets.IntSlider(value=padding, min=0, max=3, description="padding", layout=layout, style=style)
    position = widgets.IntSlider(value=0, min=0, max=0, description="position", layout=layout, style=style)
    play = widgets.Play(value=0, min=0, max=0, interval=400, description="slide the window")
    widgets.jslink((play, "value"), (position, "value"))
    custom = [widgets.FloatText(value=float(v), layout={"width": "60px"}) for v in KERNELS["sharpen"].ravel()]
    custom_grid = widgets.GridBox(custom, layout={"grid_template_columns": "repeat(3, 64px)"})
    readout = widgets.HTML()

    def current_step() -> ConvolutionStep:
        source = resize_image(image, size_box.value) if size_box.value != image.shape[0] else image
        if kernel_box.value == "custom":
            weights = np.array([box.value for box in custom]).reshape(3, 3)
            if k_box.value != 3:
                return ConvolutionStep(padded=np.pad(source, pad_box.value), kernel=weights, stride=stride_box.value,
                                       padding=pad_box.value, problem="the custom kernel is 3×3: set kernel size to 3")
        else:
            try:
                weights = make_kernel(kernel_box.value, k_box.value)
            except ValueError as exc:
                return ConvolutionStep(padded=np.pad(source, pad_box.value), kernel=np.zeros((k_box.value,) * 2),
                                       stride=stride_box.value, padding=pad_box.value, problem=str(exc))
        return convolution_step(source, weights, stride=stride_box.value, padding=pad_box.value,
                                position=min(position.value, 10**6))

    def refresh() -> str:
        step = current_step()
        last = max(step.n_positions - 1, 0)
        for control in (position, play):
            control.max = last
        return view.update(step)

    readout.value = f"<b>{refresh()}</b>"
    box = widgets.VBox([widgets.HBox([widgets.VBox([kernel_box, size_box, k_box, stride_box, pad_box]),
                                      widgets.VBox([widgets.HTML("custom 3×3 kernel:"), custom_grid,
                                                    position, play])]),
                        readout])
    display(box)
    box.image = LiveImage(figure_image(view.figure))

    def on_change(_change=None) -> None:
        readout.value = f"<b>{refresh()}</b>"
        box.image.update(figure_image(view.figure))

    for control in (kernel_box, size_box, k_box, stride_box, pad_box, position, *custom):
        control.observe(on_change, names="value")
    return box
