"""dlmi.models.densenet: the DenseNet-121 of CheXNeXt, its parameter count, and a small trainable one."""

import numpy as np
import pytest
import torch
from torch import nn

import dlmi
from dlmi.models import DenseBlock, DenseNet, DenseNetSmall, Transition, count_parameters, densenet121


pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_densenet121_has_the_published_parameter_count():
    # torchvision's densenet121 (ImageNet: 3 channels, 1000 classes) has 7,978,856 parameters
    assert count_parameters(densenet121(in_channels=3, n_outputs=1000)) == 7_978_856
    # CheXNeXt: 14 findings; the classifier shrinks from 1024·1000 + 1000 to 1024·14 + 14
    assert count_parameters(densenet121(in_channels=3, n_outputs=14)) == 7_978_856 - 1_025_000 + 14_350
    # one grey channel: the 7×7 stem has 64·7·7·2 fewer weights
    assert count_parameters(densenet121(in_channels=1, n_outputs=14)) == 6_968_206 - 64 * 49 * 2


def test_densenet121_has_120_convolutions_and_1024_features():
    model = densenet121()
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) == 120
    assert model.n_features == 1024
    blocks = [m for m in model.features if isinstance(m, DenseBlock)]
    assert [len(b.layers) for b in blocks] == [6, 12, 24, 16]
    assert [b.out_channels for b in blocks] == [64 + 6 * 32, 128 + 12 * 32, 256 + 24 * 32, 512 + 16 * 32]


def test_densenet121_forward_on_a_small_image():
    model = densenet121(in_channels=1, n_outputs=14).eval()
    with torch.no_grad():
        out = model(torch.randn(2, 1, 64, 64))
    assert out.shape == (2, 14) and torch.isfinite(out).all()


def test_dense_block_concatenates_every_earlier_map():
    block = DenseBlock(n_layers=3, in_channels=5, growth_rate=4)
    x = torch.randn(2, 5, 8, 8)
    out = block(x)
    assert out.shape == (2, 5 + 3 * 4, 8, 8) == (2, block.out_channels, 8, 8)
    assert torch.equal(out[:, :5], x)  # the input passes through untouched
    assert block.layers[2].layers[0].num_features == 5 + 2 * 4  # layer 3 sees the input and 2 earlier outputs


def test_transition_halves_resolution_and_compresses():
    out = Transition(20, 10)(torch.randn(1, 20, 16, 16))
    assert out.shape == (1, 10, 8, 8)


def test_small_densenet_features_head_and_sizes():
    model = DenseNetSmall(in_channels=1, n_outputs=14)
    for size in (28, 64):
        maps = model.features(torch.randn(2, 1, size, size))
        assert maps.shape[1] == model.n_features and maps.shape[2] == size // 8  # stem ÷4, one transition ÷2
    assert model(torch.randn(3, 1, 32, 32)).shape == (3, 14)
    assert count_parameters(model) < 150_000


def test_small_densenet_learns_a_toy_task():
    dlmi.seed_everything(0)
    x = torch.randn(32, 1, 16, 16)
    y = (x[:, :, 4:12, 4:12].mean(dim=(1, 2, 3)) > 0).float()[:, None]
    x[:, :, 4:12, 4:12] *= 3
    model = DenseNetSmall(1, 1, growth_rate=4, block_config=(2,), init_features=8)
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    loss_fn = nn.BCEWithLogitsLoss()
    first = loss_fn(model(x), y).item()
    for _ in range(25):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first


def test_bad_arguments_raise_clearly():
    with pytest.raises(ValueError, match="block_config"):
        DenseNet(block_config=())
    with pytest.raises(ValueError, match="compression"):
        DenseNet(compression=0.0)
    with pytest.raises(TypeError, match="growth_rate"):
        DenseNet(growth_rate=1.5)
    with pytest.raises(ValueError, match="x must have shape"):
        DenseNetSmall(in_channels=1)(torch.randn(2, 3, 32, 32))


def test_notebook_09_gpu_configuration_trains_and_explains_on_the_cpu():
    """What notebook 09 trains when a GPU is present — DenseNet-121 on 128-pixel films, Adam at
    3e-3, 14 sigmoid outputs, CAMs — run for one epoch on a few films on the CPU."""
    from dlmi.data import simulate_chest_xrays
    from dlmi.interpret import class_activation_map
    from dlmi.train import fit, predict, tensor_loader

    dlmi.seed_everything(0)
    data = simulate_chest_xrays(4, size=128, seed=0)
    X, y = (data.images - data.images.mean()) / data.images.std(), data.labels.astype(np.float32)
    model = densenet121(1, 14)
    history = fit(model, tensor_loader(X, y, batch_size=4, shuffle=True, seed=0), tensor_loader(X, y, batch_size=8),
                  loss_fn=nn.BCEWithLogitsLoss(), optimizer=torch.optim.Adam(model.parameters(), lr=3e-3),
                  epochs=1, device="cpu", progress=False)
    assert np.isfinite(history["train_loss"]).all() and np.isfinite(history["val_loss"]).all()
    scores, targets = predict(model, tensor_loader(X, y, batch_size=8))
    assert scores.shape == targets.shape == (len(X), 14) and np.isfinite(scores).all()
    cams = class_activation_map(model, X[:2], target=1)
    assert cams.shape == (2, 128, 128) and np.isfinite(cams).all()
