"""dlmi.viz: the course figure style (large enough for a lecture room, colour-blind safe), image encoding, and
the case studies' image figures."""

import itertools
import warnings

import matplotlib as mpl
import matplotlib.colors as mcolors
import numpy as np
import pytest

from dlmi import viz
from dlmi.data import brain, simulate_chest_xrays

# Machado, Oliveira & Fernandes (2009), severity 1, on linear RGB.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "typical vision": np.eye(3),
}


def _lab(color, matrix):
    """CIE L*a*b* (D65) of ``color`` as seen through the colour-vision ``matrix``."""
    srgb = np.asarray(mcolors.to_rgb(color))
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    linear = np.clip(np.asarray(matrix) @ linear, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def smallest_difference(colors):
    """Smallest CIE76 ΔE between two of ``colors``, over the simulated colour visions."""
    return min(
        np.linalg.norm(_lab(a, m) - _lab(b, m)) for m in CVD.values() for a, b in itertools.combinations(colors, 2)
    )


@pytest.fixture
def rc():
    with mpl.rc_context():
        mpl.rcdefaults()
        yield mpl.rcParams


def test_use_style_sets_large_fonts_and_thick_lines(rc):
    viz.use_style()
    assert rc["font.size"] >= 12
    assert rc["axes.titlesize"] >= 14 and rc["axes.labelsize"] >= 13
    assert rc["xtick.labelsize"] >= 11 and rc["ytick.labelsize"] >= 11 and rc["legend.fontsize"] >= 11
    assert rc["lines.linewidth"] >= 2


def test_use_style_cycle_stays_distinct_for_colour_blind_viewers(rc):
    viz.use_style()
    cycle = rc["axes.prop_cycle"].by_key()["color"]
    assert len(cycle) >= 6
    assert smallest_difference(cycle) > 12
    tab10 = list(mcolors.TABLEAU_COLORS.values())[:6]
    assert smallest_difference(tab10) < 12, "the measure must reject matplotlib's default (red/green) cycle"


def test_presentation_scales_sizes_and_restores_them(rc):
    viz.use_style()
    before = {key: rc[key] for key in ("font.size", "axes.titlesize", "lines.linewidth")}
    with viz.presentation(1.5):
        assert rc["font.size"] == pytest.approx(1.5 * before["font.size"])
        assert rc["axes.titlesize"] == pytest.approx(1.5 * before["axes.titlesize"])
        assert rc["lines.linewidth"] == pytest.approx(1.5 * before["lines.linewidth"])
    assert {key: rc[key] for key in before} == before


def test_presentation_handles_relative_sizes_and_bad_scales(rc):
    assert rc["axes.titlesize"] == "large"
    base = rc["font.size"]
    viz.presentation()  # called once: for the rest of the session
    assert rc["axes.titlesize"] == pytest.approx(1.3 * 1.2 * base)
    with pytest.raises(ValueError, match="scale"):
        viz.presentation(0)
    with pytest.raises(TypeError, match="scale"):
        viz.presentation("big")


def test_encode_image_round_trips_png_exactly_and_jpeg_closely():
    import io

    from PIL import Image

    rng = np.random.default_rng(0)
    pixels = np.zeros((40, 60, 4), dtype=np.uint8)
    pixels[..., :3] = rng.integers(0, 256, (40, 60, 3))
    pixels[..., 3] = 255
    png = viz.encode_image(pixels)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), pixels)  # lossless
    smooth = np.zeros_like(pixels)
    smooth[..., 0] = np.linspace(0, 255, 60)[None, :]
    smooth[..., 3] = 255
    jpeg = viz.encode_image(smooth, "jpeg")
    assert jpeg[:2] == b"\xff\xd8"
    decoded = np.asarray(Image.open(io.BytesIO(jpeg)), dtype=float)
    assert decoded.shape == (40, 60, 3) and np.abs(decoded - smooth[..., :3]).max() < 12


@pytest.mark.parametrize("pixels, message", [
    (np.zeros((4, 4, 3), np.uint8), "RGBA uint8"),
    (np.zeros((4, 4, 4), np.float32), "RGBA uint8"),
])
def test_encode_image_rejects_other_pixels(pixels, message):
    with pytest.raises(ValueError, match=message):
        viz.encode_image(pixels)


def test_encode_image_rejects_other_formats():
    with pytest.raises(ValueError, match="format"):
        viz.encode_image(np.zeros((4, 4, 4), np.uint8), "gif")


# ---------------------------------------------------------------- figures of the case studies' images


@pytest.fixture(scope="module")
def small():
    """A few subjects of every group at 6 mm, two sessions."""
    return brain.simulate_cohort(16, voxel_size=6, sessions=2, rng=3)


@pytest.fixture(scope="module")
def data():
    return simulate_chest_xrays(60, prevalence=0.2, rng=0)


def test_plot_brain_slices_returns_a_figure(small):
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = viz.plot_brain_slices(small.maps[0], small.affine, title="simulated",
                                      overlay=brain.atrophy_pattern(1.0, voxel_size=6))
    assert isinstance(fig, plt.Figure)
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert titles[0].startswith("axial") and titles[2] == "sagittal, x = -27 mm"
    assert fig.axes[0].get_xlabel() == "x (mm)"
    plt.close(fig)
    fig = viz.plot_brain_slices(small.mask.astype(float))
    assert fig.axes[0].get_xlabel() == "x (voxel)"
    plt.close(fig)
    with pytest.raises(ValueError, match="outside"):
        viz.plot_brain_slices(small.maps[0], cut=(500, 0, 0))
    for affine in (small.affine, None):  # checked before the mm -> voxel product
        with pytest.raises(ValueError, match=r"cut must hold 3 coordinates \(x, y, z\), got shape \(2,\)"):
            viz.plot_brain_slices(small.maps[0], affine, cut=(-20, 10))


def test_show_chest_xrays_outlines_the_findings(data):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig = viz.show_chest_xrays(data, idx=[0, 1, 2], ncols=2)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 3
    assert "Simulated" in fig._suptitle.get_text()
    outlined = sum(len(ax.collections) for ax in shown)
    assert outlined >= data.true_labels[:3].sum()
    plt.close(fig)
    for bad in ([10_000], [-1], [0.5], []):
        with pytest.raises(ValueError, match=rf"idx must be a non-empty list of image indices in \[0, {len(data)}\)"):
            viz.show_chest_xrays(data, idx=bad)
    with pytest.raises(TypeError, match="ChestXrays"):
        viz.show_chest_xrays(data.images)
    with pytest.raises(ValueError, match="with_masks=False"):
        viz.show_chest_xrays(simulate_chest_xrays(2, size=32, with_masks=False))



# ---------------------------------------------------------------- calibration


def test_reliability_diagram_draws_the_calibration_curve_of_each_version():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from dlmi.metrics import calibration_curve, expected_calibration_error

    rng = np.random.default_rng(0)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p ** 2).astype(int)  # over-confident where p is large
    ax = viz.reliability_diagram(y, {"before": p, "after": p ** 2}, n_bins=5, title="test")
    diagonal, before, after = ax.get_lines()
    assert np.array_equal(diagonal.get_xdata(), [0, 1]) and np.array_equal(diagonal.get_ydata(), [0, 1])
    prob_true, prob_pred = calibration_curve(y, p, n_bins=5)
    np.testing.assert_allclose(before.get_xdata(), prob_pred)
    np.testing.assert_allclose(before.get_ydata(), prob_true)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[1] == f"before (ECE {expected_calibration_error(y, p, n_bins=5):.3f})"
    assert labels[2].startswith("after (ECE") and ax.get_title() == "test"
    assert ax.get_xlabel() == "mean predicted probability" and ax.get_ylabel() == "observed share of positives"
    plt.close(ax.figure)


def test_reliability_diagram_error_bars_are_wilson_intervals_and_counts_sum_to_n():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    y = np.r_[np.ones(5), np.zeros(5), np.ones(9), np.zeros(1)].astype(int)
    p = np.r_[np.full(10, 0.45), np.full(10, 0.85)]  # two bins of 10 cases: 5 and 9 positives
    fig, ax = plt.subplots()
    assert viz.reliability_diagram(y, p, n_bins=2, ax=ax, errorbars=True, counts=True) is ax
    segments = np.concatenate([c.get_segments() for c in ax.collections])
    low, high = segments[0][:, 1].min(), segments[0][:, 1].max()
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)  # Wilson 95 % interval of 5 / 10
    assert segments[1][:, 1].min() < 0.9 < segments[1][:, 1].max() <= 1  # inside [0, 1], unlike a Wald interval
    histogram = fig.axes[1]
    assert sum(patch.get_path().vertices[:, 1].max() > 0 for patch in histogram.patches) == 1
    heights = np.histogram(p, bins=[0, 0.5, 1])[0]
    assert heights.sum() == 20 and histogram.get_ylim()[1] == 4 * heights.max()
    assert list(histogram.get_yticks()) == [0, heights.max()]
    plt.close(fig)


@pytest.mark.parametrize("n", [1, 3, 7, 10, 49, 1000])
def test_reliability_diagram_error_bars_reach_a_share_of_0_or_1(n):
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    p = np.r_[np.full(n, 0.05), np.full(n, 0.95)]  # bins with no positive, and with no negative
    ax = viz.reliability_diagram(y, p, n_bins=2, errorbars=True)
    (low_bin, high_bin), = [c.get_segments() for c in ax.collections]
    assert low_bin[:, 1].min() == pytest.approx(0, abs=1e-12) and 0 < low_bin[:, 1].max() < 1
    assert high_bin[:, 1].max() == pytest.approx(1, abs=1e-12) and 0 < high_bin[:, 1].min() < 1
    plt.close(ax.figure)


def test_reliability_diagram_rejects_bad_input():
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    plt.close("all")
    with pytest.raises(ValueError, match="at least one"):
        viz.reliability_diagram([0, 1], {})
    with pytest.raises(ValueError, match=r"y_prob must hold probabilities in \[0, 1\]"):
        viz.reliability_diagram([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match="y_true"):
        viz.reliability_diagram([0, 2], [0.5, 0.5])
    assert not plt.get_fignums()  # checked before any figure is drawn
