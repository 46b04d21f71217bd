"""DenseNet (Huang et al., CVPR 2017), the architecture of CheXNeXt (Rajpurkar et al., 2018).

Inside a *dense block* every layer receives the feature maps of all the layers before it,
concatenated, and adds ``growth_rate`` maps of its own:

    x_ℓ = H_ℓ([x_0, x_1, …, x_{ℓ−1}]),   H_ℓ = BN → ReLU → 1×1 conv (bn_size·k) → BN → ReLU → 3×3 conv (k),

so a block of L layers turns c₀ channels into c₀ + L·k. Between blocks a *transition*
(BN → ReLU → 1×1 conv that keeps a fraction ``compression`` of the channels → 2×2 average
pooling) halves the resolution. DenseNet-121 is growth rate 32, blocks of (6, 12, 24, 16)
layers and a 64-channel stem: 120 convolutions plus the classifier.

    model = densenet121(in_channels=1, n_outputs=14)   # CheXNeXt's network, about 7.0 M parameters
    small = DenseNetSmall(in_channels=1, n_outputs=14) # the same ideas, trainable on a CPU

Every network here has ``.features`` (image → last feature maps, after the final BN-ReLU) and
``.head`` (global average pooling → linear), so that class activation maps can be read off.
"""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

import torch
from torch import nn

from ..validation import check_scalar

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "DenseNetSmall", "Transition", "densenet121"]


class DenseLayer(nn.Module):
    """BN → ReLU → 1×1 conv → BN → ReLU → 3×3 conv: (B, C_in, H, W) → (B, growth_rate, H, W) new maps."""

    def __init__(self, in_channels: int, growth_rate: int, bn_size: int = 4, drop_rate: float = 0.0):
        super().__init__()
        width = bn_size * growth_rate
        self.layers = nn.Sequential(
            nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, width, kernel_size=1, bias=False),
            nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.Conv2d(width, growth_rate, kernel_size=3, padding=1, bias=False),
        )
        self.dropout = nn.Dropout(drop_rate) if drop_rate > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.layers(x))


class DenseBlock(nn.Module):
    """``n_layers`` dense layers, each fed every earlier map: (B, C, H, W) → (B, C + n_layers·k, H, W)."""

    def __init__(self, n_layers: int, in_channels: int, growth_rate: int, bn_size: int = 4, drop_rate: float = 0.0):
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels + i * growth_rate, growth_rate, bn_size, drop_rate) for i in range(n_layers)
        )
        self.out_channels = in_channels + n_layers * growth_rate

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = [x]
        for layer in self.layers:
            maps.append(layer(torch.cat(maps, dim=1)))  # the dense connectivity: all earlier maps in
        return torch.cat(maps, dim=1)


class Transition(nn.Sequential):
    """BN → ReLU → 1×1 conv → 2×2 average pooling: (B, C_in, H, W) → (B, C_out, H/2, W/2)."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__(
            nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False),
            nn.AvgPool2d(kernel_size=2, stride=2),
        )


class DenseNet(nn.Module):
    """A DenseNet-BC: stem, dense blocks joined by transitions, BN-ReLU, global pooling, linear.

    (B, in_channels, H, W) → (B, n_outputs) logits. Both stems divide the resolution by 4:
    ``small_inputs=False`` is the ImageNet one (7×7 conv stride 2, then 3×3 max pooling stride 2),
    for 224-pixel images; ``small_inputs=True`` two 3×3 convs (the first at full resolution, to
    keep small lesions; the second with stride 2) and a 2×2 max pooling, for 28–64-pixel
    images. Each transition halves the resolution again.
    """

    def __init__(self, in_channels: int = 1, n_outputs: int = 14, *, growth_rate: int = 32,
                 block_config: Sequence[int] = (6, 12, 24, 16), init_features: int = 64, bn_size: int = 4,
                 compression: float = 0.5, drop_rate: float = 0.0, small_inputs: bool = False):
        super().__init__()
        for name, value in (("in_channels", in_channels), ("n_outputs", n_outputs), ("growth_rate", growth_rate),
                            ("init_features", init_features), ("bn_size", bn_size)):
            check_scalar(value, name, kind=Integral, low=1)
        check_scalar(compression, "compression", low=0.0, high=1.0, low_inclusive=False)
        check_scalar(drop_rate, "drop_rate", low=0.0, high=1.0, high_inclusive=False)
        block_config = tuple(block_config)
        if not block_config or not all(isinstance(n, Integral) and n > 0 for n in block_config):
            raise ValueError(f"block_config must be a non-empty sequence of positive integers, got {block_config}")
        self.in_channels = in_channels
        if small_inputs:
            stem = [nn.Conv2d(in_channels, init_features, kernel_size=3, padding=1, bias=False),
                    nn.BatchNorm2d(init_features), nn.ReLU(inplace=True),
                    nn.Conv2d(init_features, init_features, kernel_size=3, stride=2, padding=1, bias=False),
                    nn.BatchNorm2d(init_features), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        else:
            stem = [nn.Conv2d(in_channels, init_features, kernel_size=7, stride=2, padding=3, bias=False),
                    nn.BatchNorm2d(init_features), nn.ReLU(inplace=True),
                    nn.MaxPool2d(kernel_size=3, stride=2, padding=1)]
        layers: list[nn.Module] = stem
        channels = init_features
        for i, n_layers in enumerate(block_config):
            block = DenseBlock(n_layers, channels, growth_rate, bn_size, drop_rate)
            layers.append(block)
            channels = block.out_channels
            if i < len(block_config) - 1:
                reduced = int(channels * compression)
                layers.append(Transition(channels, reduced))
                channels = reduced
        layers += [nn.BatchNorm2d(channels), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, n_outputs))
        self.n_features = channels
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight)
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"x must have shape (batch, {self.in_channels}, H, W), got {tuple(x.shape)}")
        return self.head(self.features(x))


class DenseNetSmall(DenseNet):
    """A DenseNet small enough to train on a CPU in a notebook: growth rate 16, blocks (4, 4).

    For 28–64-pixel images (small-input stem): a 64-pixel film meets the blocks at 16 and 8
    pixels, so its last feature maps — and its class activation maps — are 8 × 8. About 110 k
    parameters with one input channel and 14 outputs (densenet121: 7.0 M).
    """

    def __init__(self, in_channels: int = 1, n_outputs: int = 14, *, growth_rate: int = 16,
                 block_config: Sequence[int] = (4, 4), init_features: int = 16, bn_size: int = 4,
                 compression: float = 0.5, drop_rate: float = 0.0):
        super().__init__(in_channels, n_outputs, growth_rate=growth_rate, block_config=block_config,
                         init_features=init_features, bn_size=bn_size, compression=compression,
                         drop_rate=drop_rate, small_inputs=True)


def densenet121(in_channels: int = 1, n_outputs: int = 14, *, drop_rate: float = 0.0) -> DenseNet:
    """DenseNet-121 as in CheXNeXt: growth rate 32, blocks (6, 12, 24, 16), 64-channel ImageNet stem.

    7,978,856 parameters for 3 input channels and 1000 outputs (ImageNet, as torchvision's);
    about 6.96 M for 1 channel and 14 findings. Built for 224-pixel images (any size ≥ 32 runs).
    """
    return DenseNet(in_channels, n_outputs, growth_rate=32, block_config=(6, 12, 24, 16), init_features=64,
                    drop_rate=drop_rate)
