"""dlmi.interpret: CAM equals the logit decomposition, Grad-CAM agrees with it, localisation scores are right."""

import numpy as np
import pytest
import torch
from torch import nn

import dlmi
from dlmi.interpret import (
    chance_level,
    class_activation_map,
    energy_inside,
    grad_cam,
    localisation_table,
    pointing_game,
)
from dlmi.models import DenseNetSmall, SimpleCNN2d


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def model():
    dlmi.seed_everything(0)
    net = DenseNetSmall(in_channels=1, n_outputs=3, block_config=(2, 2))
    # a few training steps so that batch-norm statistics and weights are not at their defaults
    x = torch.randn(16, 1, 32, 32)
    opt = torch.optim.SGD(net.parameters(), 0.01)
    for _ in range(2):
        opt.zero_grad()
        net(x).sum().backward()
        opt.step()
    return net.eval()


def test_cam_mean_plus_bias_is_the_logit(model):
    x = torch.randn(4, 1, 32, 32)
    cam = class_activation_map(model, x, target=1, upsample=False)
    with torch.no_grad():
        logits = model(x)
    bias = model.head[-1].bias[1].item()
    np.testing.assert_allclose(cam.mean(axis=(1, 2)) + bias, logits[:, 1].numpy(), rtol=1e-4, atol=1e-5)
    assert class_activation_map(model, x, 1).shape == (4, 32, 32)


def test_grad_cam_is_the_positive_part_of_cam_for_a_pooled_linear_head(model):
    x = torch.randn(3, 1, 32, 32)
    cam = class_activation_map(model, x, target=2, upsample=False)
    grads_before = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    gcam = grad_cam(model, x, target=2, upsample=False)
    h, w = cam.shape[1:]
    # ∂y/∂A_c(i, j) = w_c / (h w), so α_c = w_c / (h w): Grad-CAM = ReLU(CAM) / (h w)
    np.testing.assert_allclose(gcam, np.clip(cam, 0, None) / (h * w), rtol=1e-4, atol=1e-7)
    assert not model.training
    for before, p in zip(grads_before, model.parameters()):  # the caller's gradients are left alone
        assert (before is None and p.grad is None) or torch.equal(before, p.grad)
    assert any(g is not None for g in grads_before)


def test_grad_cam_asks_for_a_layer_when_the_model_has_no_features():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(2, 2))
    with pytest.raises(TypeError, match="has no .features: pass layer="):
        grad_cam(net, torch.randn(1, 1, 8, 8), target=0)
    assert grad_cam(net, torch.randn(1, 1, 8, 8), target=0, layer=net[0]).shape == (1, 8, 8)


def test_grad_cam_at_an_inner_layer_of_another_network():
    dlmi.seed_everything(1)
    net = SimpleCNN2d(1, 2, widths=(4, 8))
    maps = grad_cam(net, torch.randn(2, 1, 28, 28), target=0, layer=net.features[3])
    assert maps.shape == (2, 28, 28) and (maps >= 0).all()
    assert net.training  # the mode is restored


def test_cam_finds_where_a_planted_signal_is():
    """A linear probe on fixed features: the CAM of a bright square peaks on the square."""
    dlmi.seed_everything(0)
    net = DenseNetSmall(1, 1, growth_rate=8, block_config=(2,), init_features=8)
    x = torch.zeros(64, 1, 32, 32)
    y = torch.zeros(64, 1)
    rng = np.random.default_rng(0)
    corners = rng.integers(2, 24, size=(64, 2))
    for i in range(32):
        r, c = corners[i]
        x[i, 0, r:r + 6, c:c + 6] = 1.0
        y[i] = 1
    x += 0.1 * torch.randn_like(x)
    opt = torch.optim.Adam(net.parameters(), 1e-2)
    for _ in range(40):
        opt.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(net(x), y).backward()
        opt.step()
    masks = np.zeros((32, 32, 32), dtype=bool)
    for i in range(32):
        r, c = corners[i]
        masks[i, r:r + 6, c:c + 6] = True
    cams = class_activation_map(net, x[:32], 0)
    hits = pointing_game(cams, masks, tolerance=2)
    assert hits.mean() > 2 * chance_level(masks, tolerance=2).mean()
    assert hits.mean() > 0.6


def test_pointing_game_energy_and_chance_by_hand():
    maps = np.zeros((2, 4, 4))
    maps[0, 1, 2] = 5.0
    maps[0, 3, 3] = 1.0
    maps[1, 0, 0] = 2.0
    maps[1, 2, 2] = -9.0  # negative evidence does not count as energy
    masks = np.zeros((2, 4, 4), dtype=bool)
    masks[:, 1:3, 1:3] = True
    np.testing.assert_array_equal(pointing_game(maps, masks), [True, False])
    np.testing.assert_array_equal(pointing_game(maps, masks, tolerance=1), [True, False])  # (0, 0) is √2 away
    np.testing.assert_array_equal(pointing_game(maps, masks, tolerance=2), [True, True])
    np.testing.assert_allclose(energy_inside(maps, masks), [5 / 6, 0.0])
    np.testing.assert_allclose(chance_level(masks), [0.25, 0.25])
    assert chance_level(masks, tolerance=1)[0] == pytest.approx(12 / 16)  # a disk of radius 1 grows a 2×2 to 12
    flat = energy_inside(np.zeros((4, 4)), masks[0])
    np.testing.assert_allclose(flat, [0.25])


def test_random_maps_score_chance_on_average():
    rng = np.random.default_rng(0)
    masks = np.zeros((4000, 16, 16), dtype=bool)
    masks[:, 4:8, 2:10] = True
    hits = pointing_game(rng.random((4000, 16, 16)), masks)
    assert hits.mean() == pytest.approx(chance_level(masks).mean(), abs=0.02)


def test_localisation_table(model):
    rng = np.random.default_rng(0)
    images = rng.normal(size=(10, 1, 32, 32)).astype(np.float32)
    labels = np.zeros((10, 3))
    labels[:4, 0] = 1
    labels[5:, 2] = 1
    masks = np.zeros((10, 3, 32, 32), dtype=bool)
    masks[:4, 0, :8, :8] = True
    masks[5:, 2, 10:20, 10:20] = True
    table = localisation_table(model, images, masks, labels, ["a", "b", "c"], method="grad-cam")
    assert list(table.index) == ["a", "b", "c"]
    assert table.loc["a", "n"] == 4 and table.loc["b", "n"] == 0 and np.isnan(table.loc["b", "pointing game"])
    assert table.loc["c", "chance (pointing)"] == pytest.approx(100 / 1024)
    assert 0 <= table.loc["a", "energy inside"] <= 1


def test_bad_input_raises_clearly(model):
    with pytest.raises(ValueError, match="target"):
        class_activation_map(model, torch.randn(1, 1, 32, 32), target=3)
    with pytest.raises(TypeError, match=r"\.features"):
        class_activation_map(nn.Linear(3, 2), torch.randn(1, 1, 4, 4), 0)
    with pytest.raises(ValueError, match="empty"):
        pointing_game(np.zeros((2, 4, 4)), np.zeros((2, 4, 4), dtype=bool))
    with pytest.raises(TypeError, match="boolean"):
        pointing_game(np.zeros((4, 4)), np.ones((4, 4)))
    with pytest.raises(ValueError, match="same shape"):
        energy_inside(np.zeros((4, 4)), np.ones((3, 3), dtype=bool))
    with pytest.raises(ValueError, match="method"):
        localisation_table(model, np.zeros((1, 1, 8, 8)), np.ones((1, 3, 8, 8), bool), np.ones((1, 3)), "abc",
                           method="saliency")
