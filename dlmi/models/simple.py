"""Compact conv → batch-norm → ReLU → pool CNNs, 2D and 3D, that take any input size from 28 up."""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

import torch
from torch import nn

from ..validation import check_scalar


def _check_widths(widths: Sequence[int]) -> tuple[int, ...]:
    widths = tuple(widths)
    if not widths or not all(isinstance(w, Integral) and w > 0 for w in widths):
        raise ValueError(f"widths must be a non-empty sequence of positive integers, got {widths}")
    return widths


class _SimpleCNN(nn.Module):
    """conv → batch-norm → ReLU → max-pool blocks, global average pooling, dropout, linear."""

    conv: type[nn.Module]
    norm: type[nn.Module]
    pool: type[nn.Module]
    global_pool: type[nn.Module]

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, *, widths: Sequence[int] = (16, 32, 64, 128),
                 dropout: float = 0.0):
        super().__init__()
        check_scalar(in_channels, "in_channels", kind=Integral, low=1)
        check_scalar(n_outputs, "n_outputs", kind=Integral, low=1)
        check_scalar(dropout, "dropout", low=0.0, high=1.0, high_inclusive=False)
        widths = _check_widths(widths)
        layers: list[nn.Module] = []
        channels = in_channels
        for width in widths:
            layers += [self.conv(channels, width, 3, padding=1, bias=False), self.norm(width), nn.ReLU(inplace=True),
                       self.pool(2, ceil_mode=True)]
            channels = width
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(self.global_pool(1), nn.Flatten(), nn.Dropout(dropout), nn.Linear(channels, n_outputs))
        self.in_channels = in_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = 2 + (3 if self.conv is nn.Conv3d else 2)
        if x.ndim != expected or x.shape[1] != self.in_channels:
            raise ValueError(
                f"x must have shape (batch, {self.in_channels}, {'D, H, W' if expected == 5 else 'H, W'}), "
                f"got {tuple(x.shape)}"
            )
        return self.head(self.features(x))


class SimpleCNN2d(_SimpleCNN):
    """A compact 2D CNN: (B, C, H, W) → (B, n_outputs) logits, for any H, W ≥ 28.

    Four blocks of 3×3 convolution, batch-norm, ReLU and 2×2 max-pooling (16, 32, 64, 128
    channels by default, about 98 k parameters), then global average pooling and a linear layer.
    """

    conv, norm, pool, global_pool = nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.AdaptiveAvgPool2d


class SimpleCNN3d(_SimpleCNN):
    """The 3D twin of ``SimpleCNN2d``: (B, C, D, H, W) → (B, n_outputs) logits, for any size ≥ 28.

    Sized for few subjects on a CPU (8, 16, 32, 64 channels by default), like the 3D subject-level
    CNNs of Wen et al. (2020) but much smaller.
    """

    conv, norm, pool, global_pool = nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d, nn.AdaptiveAvgPool3d

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, *, widths: Sequence[int] = (8, 16, 32, 64),
                 dropout: float = 0.0):
        super().__init__(in_channels, n_outputs, widths=widths, dropout=dropout)


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters of ``model`` (only those with ``requires_grad`` if asked)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
