"""The CNNs of the Alzheimer's disease case study (Wen et al., *Medical Image Analysis* 2020), at CPU size.

Wen et al. compared a 3D whole-brain CNN (here ``SimpleCNN3d``), a 3D ROI-based CNN on the
hippocampi (``ROICNN3d``) and a 2D slice-level ResNet pre-trained on ImageNet whose early layers
are frozen and last layers fine-tuned (``FineTunedCNN2d`` over a pre-trained ``SimpleCNN2d``).
"""

from __future__ import annotations

import copy
from numbers import Integral
from typing import Sequence

import torch
from torch import nn

from ..validation import check_scalar
from .simple import SimpleCNN2d, SimpleCNN3d


def freeze(module: nn.Module) -> nn.Module:
    """Stop gradients for every parameter of ``module``; returns it, so ``freeze(net.features)`` reads well."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    for parameter in module.parameters():
        parameter.requires_grad = False
    return module


class ROICNN3d(nn.Module):
    """3D ROI-based CNN: (B, R, D, H, W) crops of R regions → (B, n_outputs) logits.

    One ``SimpleCNN3d`` trunk, shared by every region of interest (in Wen et al. the left and
    the mirrored right hippocampus), reads each crop as a one-channel volume; the subject's
    logits are the mean of its regions' logits (a soft vote). Crops of 12 voxels and up.
    """

    def __init__(self, n_rois: int = 2, n_outputs: int = 1, *, widths: Sequence[int] = (8, 16, 32),
                 dropout: float = 0.0):
        super().__init__()
        self.n_rois = check_scalar(n_rois, "n_rois", kind=Integral, low=1)
        self.cnn = SimpleCNN3d(1, n_outputs, widths=widths, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 5 or x.shape[1] != self.n_rois:
            raise ValueError(f"x must have shape (batch, {self.n_rois} regions, D, H, W), got {tuple(x.shape)}")
        batch = x.shape[0]
        per_roi = self.cnn(x.reshape(batch * self.n_rois, 1, *x.shape[2:]))  # (B·R, n_outputs)
        return per_roi.reshape(batch, self.n_rois, -1).mean(dim=1)


class FineTunedCNN2d(nn.Module):
    """A pre-trained ``SimpleCNN2d`` with its first blocks frozen and a new head: (B, C, H, W) → (B, n_outputs).

    ``n_frozen_blocks`` of the conv → batch-norm → ReLU → pool blocks keep their pre-trained
    weights *and* their batch-norm statistics (they stay in evaluation mode even while the
    model trains); the later blocks are fine-tuned and the linear head is new, as Wen et al.
    froze the early layers of an ImageNet ResNet and fine-tuned its last ones. The pre-trained
    network is copied, never modified.
    """

    def __init__(self, pretrained: SimpleCNN2d, n_outputs: int = 1, *, n_frozen_blocks: int = 2,
                 dropout: float = 0.0):
        super().__init__()
        if not isinstance(pretrained, SimpleCNN2d):
            raise TypeError(f"pretrained must be a SimpleCNN2d, got {type(pretrained).__name__}")
        check_scalar(n_outputs, "n_outputs", kind=Integral, low=1)
        check_scalar(dropout, "dropout", low=0.0, high=1.0, high_inclusive=False)
        layers = list(copy.deepcopy(pretrained.features))
        per_block = 4  # conv, batch-norm, ReLU, max-pool
        n_blocks = len(layers) // per_block
        check_scalar(n_frozen_blocks, "n_frozen_blocks", kind=Integral, low=0, high=n_blocks)
        cut = n_frozen_blocks * per_block
        self.frozen = freeze(nn.Sequential(*layers[:cut]))
        self.tuned = nn.Sequential(*layers[cut:])
        channels = layers[-4].out_channels
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(dropout),
                                  nn.Linear(channels, n_outputs))
        self.in_channels = pretrained.in_channels
        self.n_frozen_blocks = n_frozen_blocks

    def train(self, mode: bool = True) -> "FineTunedCNN2d":
        """Switch to training mode, keeping the frozen blocks (and their batch-norm statistics) in evaluation mode."""
        super().train(mode)
        self.frozen.eval()
        return self

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"x must have shape (batch, {self.in_channels}, H, W), got {tuple(x.shape)}")
        return self.head(self.tuned(self.frozen(x)))
