"""Where does the network look? Class activation maps and how well they point at the lesion.

A network that ends with global average pooling and a linear layer (``model.features`` →
``model.head``) scores finding k as  y_k = Σ_c w_kc · mean_ij A_c(i, j) + b_k,  so the map

    CAM_k(i, j) = Σ_c w_kc A_c(i, j)

says how much each location adds to the score (Zhou et al., 2016; what CheXNeXt showed).
Grad-CAM (Selvaraju et al., 2017) replaces w_kc by the spatial mean of ∂y_k/∂A_c, which works
for any layer of any network, and keeps the positive part.

Because a simulator knows where each lesion is, a map can be *scored*: the **pointing game**
asks whether the map's maximum falls inside the lesion mask; the **energy inside** is the
share of the map's positive mass that lies in the mask. A map that knows nothing scores, on
average, the mask's share of the image (``chance_level``).
"""

from __future__ import annotations

from numbers import Integral
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .validation import as_array, check_scalar

__all__ = ["chance_level", "class_activation_map", "energy_inside", "grad_cam", "localisation_table",
           "pointing_game"]


def _check_model_input(model: nn.Module, x) -> torch.Tensor:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor):
        x = torch.as_tensor(as_array(x, "x", ndim=4, dtype=np.float32))
    if x.ndim != 4:
        raise ValueError(f"x must be a batch of images (B, C, H, W), got shape {tuple(x.shape)}")
    return x.to(next(model.parameters()).device, dtype=torch.float32)


def _last_linear(model: nn.Module) -> nn.Linear:
    for name in ("features", "head"):
        if not isinstance(getattr(model, name, None), nn.Module):
            raise TypeError(f"model needs .features and .head (global pooling → linear) for a CAM; it has no .{name}")
    linears = [m for m in model.head.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 1:
        raise TypeError("model.head must hold exactly one nn.Linear after global average pooling for a CAM")
    return linears[0]


def _upsample(maps: torch.Tensor, size: tuple[int, int]) -> np.ndarray:
    """(B, h, w) → (B, H, W) by bilinear interpolation, as numpy."""
    return F.interpolate(maps[:, None], size=size, mode="bilinear", align_corners=False)[:, 0].cpu().numpy()


@torch.no_grad()
def class_activation_map(model: nn.Module, x, target: int, *, upsample: bool = True) -> np.ndarray:
    """CAM of output ``target`` for images ``x`` (B, C, H, W): (B, H, W), or (B, h, w) at feature resolution.

    ``model`` must have ``.features`` (images → (B, C', h, w) maps) and ``.head`` (global
    average pooling → one linear layer), as ``dlmi.models`` networks do. Units: logit
    contribution per location (the map's mean plus the bias is the logit).
    """
    linear = _last_linear(model)
    check_scalar(target, "target", kind=Integral, low=0, high=linear.out_features - 1)
    x = _check_model_input(model, x)
    was_training = model.training
    model.eval()
    maps = model.features(x)
    model.train(was_training)
    cam = torch.einsum("c,bchw->bhw", linear.weight[target], maps)
    return _upsample(cam, tuple(x.shape[2:])) if upsample else cam.cpu().numpy()


def grad_cam(model: nn.Module, x, target: int, *, layer: nn.Module | None = None, upsample: bool = True) -> np.ndarray:
    """Grad-CAM of output ``target`` at ``layer`` (default ``model.features``): (B, H, W), ≥ 0.

    α_c = mean over (i, j) of ∂y_target/∂A_c(i, j);  map = ReLU(Σ_c α_c A_c), upsampled to the
    image size. Works for any network whose ``layer`` outputs (B, C, h, w) maps. The model's
    parameter gradients are left as they were.
    """
    x = _check_model_input(model, x)
    if layer is None:
        layer = getattr(model, "features", None)
        if not isinstance(layer, nn.Module):
            raise TypeError(f"{type(model).__name__} has no .features: pass layer=, the module whose output "
                            "maps Grad-CAM should weigh (e.g. the last convolutional block)")
    if not isinstance(layer, nn.Module):
        raise TypeError(f"layer must be a torch.nn.Module of model, got {type(layer).__name__}")
    captured: dict[str, torch.Tensor] = {}

    def keep(_module, _inputs, output):
        captured["maps"] = output

    handle = layer.register_forward_hook(keep)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            out = model(x)
            if out.ndim != 2:
                raise ValueError(f"model must output (B, n_outputs) scores, got shape {tuple(out.shape)}")
            check_scalar(target, "target", kind=Integral, low=0, high=out.shape[1] - 1)
            if "maps" not in captured or captured["maps"].ndim != 4:
                raise ValueError("layer must output (B, C, h, w) feature maps during model(x)")
            (gradient,) = torch.autograd.grad(out[:, target].sum(), captured["maps"])
    finally:
        handle.remove()
        model.train(was_training)
    maps = captured["maps"].detach()
    cam = torch.relu(torch.einsum("bc,bchw->bhw", gradient.mean(dim=(2, 3)), maps))
    return _upsample(cam, tuple(x.shape[2:])) if upsample else cam.cpu().numpy()


def _check_maps_masks(maps, masks) -> tuple[np.ndarray, np.ndarray]:
    maps = as_array(maps, "maps", ndim=(2, 3))
    masks = np.asarray(masks)
    if masks.dtype != bool:
        raise TypeError(f"masks must be boolean, got dtype {masks.dtype}")
    if maps.ndim == 2:
        maps, masks = maps[None], masks[None]
    if masks.shape != maps.shape:
        raise ValueError(f"maps and masks must have the same shape, got {maps.shape} and {masks.shape}")
    empty = ~masks.any(axis=(1, 2))
    if empty.any():
        raise ValueError(f"masks {np.flatnonzero(empty)[:10].tolist()} are empty: score only images with the finding")
    return maps, masks


def _dilate(masks: np.ndarray, tolerance: int) -> np.ndarray:
    if tolerance == 0:
        return masks
    from scipy.ndimage import binary_dilation

    disk = np.hypot(*np.mgrid[-tolerance:tolerance + 1, -tolerance:tolerance + 1]) <= tolerance
    return binary_dilation(masks, structure=disk[None])


def pointing_game(maps, masks, *, tolerance: int = 0) -> np.ndarray:
    """Whether each map's maximum lies in its lesion mask (grown by ``tolerance`` pixels): (B,) bool.

    ``maps`` (B, H, W) or (H, W) scores; ``masks`` the same shape, boolean, never empty.
    """
    maps, masks = _check_maps_masks(maps, masks)
    check_scalar(tolerance, "tolerance", kind=Integral, low=0)
    masks = _dilate(masks, tolerance)
    peak = maps.reshape(len(maps), -1).argmax(axis=1)
    return masks.reshape(len(masks), -1)[np.arange(len(maps)), peak]


def energy_inside(maps, masks) -> np.ndarray:
    """Share of each map's positive mass that lies inside its mask: (B,) in [0, 1].

    A map with no positive value scores the chance level (it points nowhere in particular).
    """
    maps, masks = _check_maps_masks(maps, masks)
    positive = np.clip(maps, 0.0, None)
    total = positive.sum(axis=(1, 2))
    inside = (positive * masks).sum(axis=(1, 2))
    return np.where(total > 0, inside / np.where(total > 0, total, 1.0), masks.mean(axis=(1, 2)))


def chance_level(masks, *, tolerance: int = 0) -> np.ndarray:
    """The score of a map that knows nothing: each mask's (grown by ``tolerance``) share of the image.

    It is the pointing-game hit rate of a uniformly random point, and the energy inside of a flat map.
    """
    masks = np.asarray(masks)
    _, masks = _check_maps_masks(np.zeros(masks.shape), masks)
    check_scalar(tolerance, "tolerance", kind=Integral, low=0)
    return _dilate(masks, tolerance).mean(axis=(1, 2))


def localisation_table(model: nn.Module, images, masks, true_labels, findings: Sequence[str], *,
                       method: str = "cam", tolerance: int = 0, max_per_finding: int = 100, batch_size: int = 64):
    """Per finding: how often the map of that finding points inside the true lesion, against chance.

    ``images`` (N, C, H, W), ``masks`` (N, K, H, W) bool, ``true_labels`` (N, K) 0/1. For each
    finding, up to ``max_per_finding`` images that truly have it are scored with the CAM
    (``method="cam"``) or Grad-CAM (``"grad-cam"``). Returns a ``pandas.DataFrame`` with columns
    ``n``, ``pointing game``, ``chance (pointing)``, ``energy inside``, ``chance (energy)``.
    """
    import pandas as pd

    if method not in ("cam", "grad-cam"):
        raise ValueError(f"method must be 'cam' or 'grad-cam', got {method!r}")
    images = as_array(images, "images", ndim=4, dtype=np.float32)
    true_labels = as_array(true_labels, "true_labels", ndim=2)
    masks = np.asarray(masks)
    if masks.shape[:2] != true_labels.shape or masks.shape[2:] != images.shape[2:]:
        raise ValueError(f"masks must be (N, K, H, W) = {(*true_labels.shape, *images.shape[2:])}, got {masks.shape}")
    findings = list(findings)
    if len(findings) != true_labels.shape[1]:
        raise ValueError(f"findings must name the {true_labels.shape[1]} columns, got {len(findings)} names")
    check_scalar(max_per_finding, "max_per_finding", kind=Integral, low=1)
    check_scalar(batch_size, "batch_size", kind=Integral, low=1)
    explain = class_activation_map if method == "cam" else grad_cam
    rows = []
    for k, name in enumerate(findings):
        idx = np.flatnonzero(true_labels[:, k] == 1)[:max_per_finding]
        if idx.size == 0:
            rows.append((name, 0, np.nan, np.nan, np.nan, np.nan))
            continue
        maps = np.concatenate([explain(model, images[idx[i:i + batch_size]], k)
                               for i in range(0, idx.size, batch_size)])
        lesion = masks[idx, k]
        rows.append((name, idx.size, pointing_game(maps, lesion, tolerance=tolerance).mean(),
                     chance_level(lesion, tolerance=tolerance).mean(), energy_inside(maps, lesion).mean(),
                     chance_level(lesion).mean()))
    columns = ["finding", "n", "pointing game", "chance (pointing)", "energy inside", "chance (energy)"]
    return pd.DataFrame(rows, columns=columns).set_index("finding")
