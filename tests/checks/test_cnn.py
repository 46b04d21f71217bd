"""The exercise checks of notebooks 08–09 accept right answers and explain wrong ones."""

import numpy as np
from scipy.stats import rankdata

from dlmi import checks


def conv_loops(image, kernel, stride=1, padding=0):
    image = np.pad(image, padding)
    k = kernel.shape[0]
    rows = (image.shape[0] - k) // stride + 1
    cols = (image.shape[1] - k) // stride + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            out[i, j] = (image[i * stride:i * stride + k, j * stride:j * stride + k] * kernel).sum()
    return out


def test_check_output_size(failure):
    assert checks.check_output_size(lambda I, k, S, P: (I - k + 2 * P) // S + 1)
    assert "2P" in failure(checks.check_output_size, lambda I, k, S, P: (I - k + P) // S + 1)


def test_check_conv2d(failure):
    assert checks.check_conv2d(conv_loops)
    assert "flipped" in failure(checks.check_conv2d, lambda x, w, s=1, p=0: conv_loops(x, w[::-1, ::-1], s, p))
    assert "stride=2" in failure(checks.check_conv2d, lambda x, w, s=1, p=0: conv_loops(x, w, 1, p))  # no stride
    failure(checks.check_conv2d, lambda x, w, s=1, p=0: conv_loops(x, w, s, 0))  # ignores the padding
    failure(checks.check_conv2d, lambda x, w, s=1, p=0: ...)


def test_check_max_pool(failure):
    def pool(image, size):
        h, w = image.shape[0] // size, image.shape[1] // size
        return image[:h * size, :w * size].reshape(h, size, w, size).max(axis=(1, 3))

    assert checks.check_max_pool(pool)
    failure(checks.check_max_pool, lambda image, size: pool(image, size) * 0 + image.mean())
    failure(checks.check_max_pool, lambda image, size: image[::size, ::size])


def test_check_auc(failure):
    def auc_ranks(y, s):
        r = rankdata(s)
        n1 = y.sum()
        return (r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))

    def auc_no_ties(y, s):
        pos, neg = s[y == 1], s[y == 0]
        return (pos[:, None] > neg[None, :]).mean()

    assert checks.check_auc(auc_ranks)
    assert "½" in failure(checks.check_auc, auc_no_ties)
    failure(checks.check_auc, lambda y, s: 1 - auc_ranks(y, s))


def test_check_dense_block_channels(failure):
    assert checks.check_dense_block_channels(lambda c, n, k: c + n * k)
    failure(checks.check_dense_block_channels, lambda c, n, k: n * k)


def test_check_pointing_game(failure):
    def right(cam, mask):
        return bool(mask[np.unravel_index(np.argmax(cam), cam.shape)])

    def transposed(cam, mask):
        i, j = np.unravel_index(np.argmax(cam), cam.shape)
        return bool(mask[j, i])

    assert checks.check_pointing_game(right)
    assert "rows first" in failure(checks.check_pointing_game, transposed)
    failure(checks.check_pointing_game, lambda cam, mask: bool((cam * mask).max() > 0.9))


def test_check_conv2d_explains_odd_returns_without_a_traceback(failure):
    assert "expected numbers" in failure(checks.check_conv2d, lambda x, w, s=1, p=0: [[1.0, 2.0], [3.0]])  # ragged
    assert "holds NaN, inf or None" in failure(checks.check_conv2d, lambda x, w, s=1, p=0: np.full((4, 5), None))


def test_check_conv2d_accepts_an_in_place_answer_and_prints_one_line(capsys):
    def conv_in_place(image, kernel, stride=1, padding=0):
        out = conv_loops(image, kernel, stride, padding)
        image *= 0  # scribbles on its input
        return out

    assert checks.check_conv2d(conv_in_place)
    assert capsys.readouterr().out.count("\n") == 1
