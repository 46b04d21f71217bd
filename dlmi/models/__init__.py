"""Torch networks for notebooks 08–10 and the real-data benchmarks, one module per family.

Every network returns logits, one per output; apply a sigmoid (binary, multi-label) or a
softmax (multi-class) outside.
"""

from .simple import SimpleCNN2d, SimpleCNN3d, count_parameters

__all__ = ["SimpleCNN2d", "SimpleCNN3d", "count_parameters"]
