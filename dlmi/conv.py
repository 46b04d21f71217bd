"""Convolution and max pooling from scratch in numpy, the operations of a CNN layer.

What deep-learning libraries call *convolution* is a cross-correlation: the kernel slides over
the input without being flipped,

    out[n, f, i, j] = b[f] + Σ_c Σ_u Σ_v  x[n, c, i·S + u, j·S + v] · w[f, c, u, v],

with the input zero-padded by ``P`` pixels on each side. Along each spatial axis the output has

    O = ⌊(I − k + 2P) / S⌋ + 1

pixels (``output_size``). ``conv2d`` gathers every k×k window at once with
``numpy.lib.stride_tricks.sliding_window_view`` (the *im2col* idea) and turns the sum into one
matrix product, so it matches ``torch.nn.functional.conv2d`` to float precision.

>>> conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3))).shape
(1, 1, 3, 3)

:func:`convolution_step` shows the same sum one window at a time (the explorer of notebook 08),
with :func:`make_kernel` and :func:`resize_image` to choose its kernel and input size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .validation import as_array, check_choice, check_scalar

__all__ = ["KERNELS", "ConvolutionStep", "conv2d", "convolution_step", "make_kernel", "max_pool2d", "output_size",
           "relu", "resize_image", "x_image"]

#: 3×3 kernels of the slides: the three "X" feature detectors and the classic image filters.
KERNELS: dict[str, np.ndarray] = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float32),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float32),
    "edge detect": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32),
    "strong edge detect": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float32),
    "box blur": np.full((3, 3), 1 / 9, dtype=np.float32),
    "vertical edges (Sobel)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float32),
    "horizontal edges (Sobel)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float32),
    "X: diagonal ↘": np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=np.float32),
    "X: crossing": np.array([[1, -1, 1], [-1, 1, -1], [1, -1, 1]], dtype=np.float32),
    "X: diagonal ↙": np.array([[-1, -1, 1], [-1, 1, -1], [1, -1, -1]], dtype=np.float32),
}


def _pair(value, name: str, low: int) -> tuple[int, int]:
    """An int or a pair of ints, each ≥ ``low``, as a pair (rows, columns)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    for v in values:
        check_scalar(v, name, kind=Integral, low=low)
    return int(values[0]), int(values[1])


def output_size(input_size: int, kernel_size: int, stride: int = 1, padding: int = 0, *, exact: bool = False) -> int:
    """Pixels along one axis after a convolution or pooling: ⌊(I − k + 2P) / S⌋ + 1.

    Raises ``ValueError`` when the kernel is larger than the padded input. With ``exact=True``
    it also raises when the windows do not tile the padded input exactly, i.e. when
    (I − k + 2P) is not a multiple of S (torch silently drops the last rows and columns then).
    """
    check_scalar(input_size, "input_size", kind=Integral, low=1)
    check_scalar(kernel_size, "kernel_size", kind=Integral, low=1)
    check_scalar(stride, "stride", kind=Integral, low=1)
    check_scalar(padding, "padding", kind=Integral, low=0)
    span = input_size - kernel_size + 2 * padding
    if span < 0:
        raise ValueError(
            f"kernel_size={kernel_size} is larger than the padded input "
            f"(input_size + 2·padding = {input_size + 2 * padding}): there is no position for the window"
        )
    if exact and span % stride:
        raise ValueError(
            f"stride={stride} does not tile the padded input: (I − k + 2P)/S = {span}/{stride} is not an integer "
            f"(I={input_size}, k={kernel_size}, P={padding}); the last {span % stride} row(s) would be dropped"
        )
    return span // stride + 1


def conv2d(x, w, b=None, stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> np.ndarray:
    """2D convolution (cross-correlation) of a batch of images, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : (N, C, H, W) images, or one (H, W) image.
    w : (F, C, kh, kw) kernels, or one (kh, kw) kernel when ``x`` is one image.
    b : (F,) biases, or None.
    stride, padding : an int, or a pair (rows, columns); padding adds zeros on every side.

    Returns (N, F, H', W') — or (H', W') for one image — in the floating dtype of ``x`` and
    ``w`` together (float32 stays float32 when both are), with H' = ⌊(H − kh + 2P)/S⌋ + 1
    (``output_size``).
    """
    x = as_array(x, "x", ndim=(2, 4), dtype=None)
    w = as_array(w, "w", ndim=(2, 4), dtype=None)
    single = x.ndim == 2
    if single != (w.ndim == 2):
        raise ValueError(
            f"x and w must be (N, C, H, W) and (F, C, kh, kw), or one (H, W) image and one (kh, kw) kernel; "
            f"got shapes {x.shape} and {w.shape}"
        )
    if single:
        x, w = x[None, None], w[None, None]
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels but w expects {w.shape[1]} (w has shape {w.shape})")
    dtype = np.result_type(x, w)
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    output_size(x.shape[2], w.shape[2], sh, ph)  # raises when the kernel does not fit
    output_size(x.shape[3], w.shape[3], sw, pw)
    if b is not None:
        b = as_array(b, "b", ndim=1, dtype=None)
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"b must have one bias per kernel, shape ({w.shape[0]},), got {b.shape}")

    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    # windows[n, c, i, j, u, v] = padded[n, c, i·S + u, j·S + v]   (a view, no copy yet)
    windows = sliding_window_view(padded, w.shape[2:], axis=(2, 3))[:, :, ::sh, ::sw]
    # Σ over c, u, v as one matrix product: (N, H', W', C·kh·kw) @ (C·kh·kw, F)
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3])).astype(dtype, copy=False)
    if b is not None:
        out = out + b.astype(dtype, copy=False)
    out = np.ascontiguousarray(out.transpose(0, 3, 1, 2))
    return out[0, 0] if single else out


def max_pool2d(x, kernel_size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> np.ndarray:
    """Max pooling of (N, C, H, W) images (or one (H, W) image), as ``torch.nn.functional.max_pool2d``.

    Each output pixel is the largest value in its k×k window; ``stride`` defaults to
    ``kernel_size`` (non-overlapping windows). Padding counts as −∞ and may be at most half
    the kernel size, as in torch.
    """
    x = as_array(x, "x", ndim=(2, 4), dtype=None)
    single = x.ndim == 2
    if single:
        x = x[None, None]
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = _pair(kernel_size if stride is None else stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError(f"padding must be at most half of kernel_size, got padding={padding}, kernel_size={kernel_size}")
    output_size(x.shape[2], kh, sh, ph)  # raises when the window does not fit
    output_size(x.shape[3], kw, sw, pw)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf) if ph or pw else x
    windows = sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    out = windows.max(axis=(4, 5))
    return out[0, 0] if single else out


def relu(x) -> np.ndarray:
    """max(0, x) element-wise: the non-linearity after each convolution."""
    x = as_array(x, "x", dtype=None)
    return np.maximum(x, 0)


def x_image(size: int = 9, border: int = 1) -> np.ndarray:
    """The slides' "X": a (size, size) float32 image of −1 with +1 on both diagonals.

    ``border`` pixels of −1 frame the X (the 9×9 X of the slides has a 1-pixel frame).
    """
    check_scalar(size, "size", kind=Integral, low=3)
    check_scalar(border, "border", kind=Integral, low=0, high=(size - 3) // 2)
    image = -np.ones((size, size), dtype=np.float32)
    inner = np.arange(border, size - border)
    image[inner, inner] = 1
    image[inner, size - 1 - inner] = 1
    return image


# --------------------------------------------------------------------------- one window at a time
# What the convolution explorer of notebook 08 (dlmi.widgets.convolution) shows.

def make_kernel(name: str, size: int = 3) -> np.ndarray:
    """The kernel ``name`` as a (size, size) float64 array.

    "identity" and "box blur" exist for any size; the kernels of ``dlmi.conv.KERNELS`` are 3×3
    and raise ``ValueError`` for another size.
    """
    check_choice(name, "name", tuple(KERNELS))
    check_scalar(size, "size", kind=Integral, low=1)
    if name == "identity":
        kernel = np.zeros((size, size))
        kernel[size // 2, size // 2] = 1.0
        return kernel
    if name == "box blur":
        return np.full((size, size), 1.0 / size**2)
    if size != 3:
        raise ValueError(f"the {name!r} kernel is 3×3; kernel size {size} needs 'identity' or 'box blur'")
    return KERNELS[name].astype(np.float64)


def resize_image(image, size: int) -> np.ndarray:
    """``image`` (H, W) resampled to (size, size): each output pixel is the mean of the input pixels it
    overlaps (a box filter, so upsampling blends neighbouring pixels rather than repeating them)."""
    image = as_array(image, "image", ndim=2)
    check_scalar(size, "size", kind=Integral, low=1)
    rows = np.linspace(0, image.shape[0], size + 1)
    cols = np.linspace(0, image.shape[1], size + 1)
    out = np.empty((size, size))
    for i in range(size):
        r0, r1 = int(rows[i]), max(int(rows[i]) + 1, int(np.ceil(rows[i + 1])))
        for j in range(size):
            c0, c1 = int(cols[j]), max(int(cols[j]) + 1, int(np.ceil(cols[j + 1])))
            out[i, j] = image[r0:r1, c0:c1].mean()
    return out


@dataclass(frozen=True)
class ConvolutionStep:
    """One position of the window: everything the explorer shows.

    ``padded`` (H + 2P, W + 2P) input with its zeros; ``kernel`` (k, k); ``output`` the whole
    (H', W') map; ``row``, ``col`` the output pixel computed here and ``window`` (k, k) the
    patch under the kernel for it, ``products`` = window · kernel element-wise and ``value``
    their sum (= ``output[row, col]``). When the settings are impossible, ``problem`` says why
    and ``output``, ``window``, ``products`` and ``value`` are None.
    """

    padded: np.ndarray
    kernel: np.ndarray
    stride: int
    padding: int
    output: np.ndarray | None = None
    row: int = 0
    col: int = 0
    window: np.ndarray | None = None
    products: np.ndarray | None = None
    value: float | None = None
    problem: str | None = None

    @property
    def n_positions(self) -> int:
        """How many output pixels (window positions) there are; 0 when the settings are impossible."""
        return 0 if self.output is None else self.output.size


def convolution_step(image, kernel, *, stride: int = 1, padding: int = 0, position: int = 0) -> ConvolutionStep:
    """The convolution of ``image`` (H, W) by ``kernel`` (k, k), seen at output pixel ``position``.

    ``position`` counts output pixels in reading order (row by row) and wraps around, so a
    slider or a "play" button can sweep it. Impossible settings give a step whose ``problem``
    explains them instead of an exception; only wrongly typed arguments raise.
    """
    image = as_array(image, "image", ndim=2)
    kernel = as_array(kernel, "kernel", ndim=2)
    check_scalar(stride, "stride", kind=Integral)
    check_scalar(padding, "padding", kind=Integral)
    check_scalar(position, "position", kind=Integral, low=0)
    padded = np.pad(image, max(padding, 0))
    base = ConvolutionStep(padded=padded, kernel=kernel, stride=stride, padding=padding)
    if kernel.shape[0] != kernel.shape[1]:
        return replace(base, problem=f"the kernel must be square, got shape {kernel.shape}")
    try:
        for axis in (0, 1):
            output_size(image.shape[axis], kernel.shape[axis], stride, padding, exact=True)
    except ValueError as exc:
        return replace(base, problem=str(exc))
    output = conv2d(image, kernel, stride=stride, padding=padding)
    row, col = divmod(position % output.size, output.shape[1])
    k = kernel.shape[0]
    window = padded[row * stride: row * stride + k, col * stride: col * stride + k]
    products = window * kernel
    return ConvolutionStep(padded=padded, kernel=kernel, stride=stride, padding=padding, output=output, row=row,
                           col=col, window=window, products=products, value=float(products.sum()))
