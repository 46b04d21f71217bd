"""Torch networks for notebooks 08–10 and the real-data benchmarks, one module per family.

Every network returns logits, one per output; apply a sigmoid (binary, multi-label) or a
softmax (multi-class) outside.
"""

from .brain import FineTunedCNN2d, ROICNN3d, freeze
from .densenet import DenseBlock, DenseLayer, DenseNet, DenseNetSmall, Transition, densenet121
from .simple import SimpleCNN2d, SimpleCNN3d, count_parameters

__all__ = ["DenseBlock", "DenseLayer", "DenseNet", "DenseNetSmall", "FineTunedCNN2d", "ROICNN3d", "SimpleCNN2d",
           "SimpleCNN3d", "Transition", "count_parameters", "densenet121", "freeze"]
