import pytest
import torch

from dlmi.models import SimpleCNN2d, SimpleCNN3d, count_parameters


@pytest.mark.parametrize("size", [28, 64, 97])
def test_simple_cnn2d_takes_any_size_and_outputs_logits(size):
    net = SimpleCNN2d(in_channels=3, n_outputs=14)
    assert net(torch.randn(2, 3, size, size)).shape == (2, 14)


@pytest.mark.parametrize("shape", [(28, 28, 28), (23, 27, 23), (46, 55, 46)])
def test_simple_cnn3d_takes_any_size(shape):
    net = SimpleCNN3d(1, 2)
    assert net(torch.randn(2, 1, *shape)).shape == (2, 2)


def test_parameter_counts_and_freezing():
    net = SimpleCNN2d(1, 1)
    assert 50_000 < count_parameters(net) < 200_000
    for p in net.features.parameters():
        p.requires_grad = False
    assert count_parameters(net, trainable_only=True) == 128 + 1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="x must have shape"):
        SimpleCNN2d(1, 2)(torch.randn(2, 3, 28, 28))
    with pytest.raises(ValueError, match="x must have shape"):
        SimpleCNN3d(1, 2)(torch.randn(2, 1, 28, 28))
    with pytest.raises(ValueError, match="widths"):
        SimpleCNN2d(1, 2, widths=())
    with pytest.raises(ValueError, match="dropout"):
        SimpleCNN2d(1, 2, dropout=1.0)
    with pytest.raises(TypeError, match="n_outputs"):
        SimpleCNN2d(1, 2.0)
