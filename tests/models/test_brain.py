"""The CNNs of the Alzheimer case study: ROI CNN with shared weights, fine-tuning with frozen blocks."""

import copy

import pytest
import torch
from torch import nn

import dlmi
from dlmi.models import FineTunedCNN2d, ROICNN3d, SimpleCNN2d, count_parameters, freeze


def test_roi_cnn_is_a_soft_vote_of_one_shared_network():
    dlmi.seed_everything(0)
    net = ROICNN3d(2, 3, widths=(4, 8)).eval()
    x = torch.randn(5, 2, 8, 12, 9)
    out = net(x)
    assert out.shape == (5, 3)
    per_side = [net.cnn(x[:, k:k + 1]) for k in range(2)]
    torch.testing.assert_close(out, (per_side[0] + per_side[1]) / 2)
    torch.testing.assert_close(net(x.flip(1)), out)  # the order of the regions does not matter


def test_roi_cnn_names_bad_input():
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 2 regions"):
        ROICNN3d(2)(torch.randn(2, 3, 8, 8, 8))
    with pytest.raises(TypeError, match="n_rois"):
        ROICNN3d(2.0)
    with pytest.raises(ValueError, match="n_rois"):
        ROICNN3d(0)


def test_freeze_stops_gradients_and_returns_the_module():
    layer = nn.Linear(3, 2)
    assert freeze(layer) is layer
    assert count_parameters(layer, trainable_only=True) == 0
    with pytest.raises(TypeError, match="module"):
        freeze("not a module")


def _pretrained():
    dlmi.seed_everything(0)
    net = SimpleCNN2d(1, 14, widths=(4, 8, 16, 32))
    net.train()
    with torch.no_grad():  # give the batch-norm layers non-trivial running statistics
        net(torch.randn(8, 1, 32, 32) * 3 + 1)
    return net.eval()


def test_fine_tuning_freezes_the_first_blocks_and_replaces_the_head():
    pretrained = _pretrained()
    net = FineTunedCNN2d(pretrained, 1, n_frozen_blocks=2)
    assert net(torch.randn(3, 1, 40, 35)).shape == (3, 1)
    assert all(not p.requires_grad for p in net.frozen.parameters())
    assert all(p.requires_grad for p in [*net.tuned.parameters(), *net.head.parameters()])
    frozen_count = sum(p.numel() for p in pretrained.features[:8].parameters())
    assert count_parameters(net) - count_parameters(net, trainable_only=True) == frozen_count
    assert net.head[-1].out_features == 1 and net.head[-1].in_features == 32
    torch.testing.assert_close(net.frozen[0].weight, pretrained.features[0].weight)


def test_frozen_blocks_keep_their_weights_and_statistics_while_training():
    pretrained = _pretrained()
    reference = copy.deepcopy(pretrained.state_dict())
    net = FineTunedCNN2d(pretrained, 1, n_frozen_blocks=2)
    frozen_before = copy.deepcopy(net.frozen.state_dict())
    tuned_stats_before = net.tuned[1].running_mean.clone()
    net.train()
    assert not net.frozen.training and net.tuned.training
    optimizer = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(net(torch.randn(8, 1, 32, 32)), torch.ones(8, 1)).backward()
        optimizer.step()
    for key, value in net.frozen.state_dict().items():
        torch.testing.assert_close(value, frozen_before[key])  # weights and running statistics
    assert not torch.allclose(net.tuned[1].running_mean, tuned_stats_before)  # the tuned blocks do adapt
    for key, value in pretrained.state_dict().items():
        torch.testing.assert_close(value, reference[key])  # the pre-trained network is never modified


@pytest.mark.parametrize("n_frozen", [0, 4])
def test_fine_tuning_from_nothing_frozen_to_everything_frozen(n_frozen):
    net = FineTunedCNN2d(_pretrained(), 2, n_frozen_blocks=n_frozen)
    assert net(torch.randn(2, 1, 28, 28)).shape == (2, 2)
    trainable = count_parameters(net, trainable_only=True)
    assert (trainable == 32 * 2 + 2) == (n_frozen == 4)


def test_fine_tuning_names_bad_arguments():
    with pytest.raises(TypeError, match="pretrained must be a SimpleCNN2d"):
        FineTunedCNN2d(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="n_frozen_blocks"):
        FineTunedCNN2d(_pretrained(), n_frozen_blocks=5)
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 1, H, W\)"):
        FineTunedCNN2d(_pretrained())(torch.randn(2, 3, 32, 32))
