"""Change the input, watch the answer: a drawing's strokes made bolder or thinner, the picture
rotated, shifted, scaled, blurred, noised, made brighter or flatter, or partly covered
(models/knobs.py), as many settings at once as there are pictures in a batch.

Pictures are the models' native uint8 (N, H, W, C). Settings at their neutral values give the
picture back unchanged, so that the sliders' resting place is exactly the plain answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from models.knobs import Settings

# The same noise at every call: the same knobs on the same picture give the same answer, so the
# bars stand still while the user moves another slider.
NOISE_SEED = 0


def perturbed(pictures: np.ndarray, settings: Sequence[Settings], fill: float = 0.0) -> np.ndarray:
    """Picture i changed by settings[i] (a single picture is used for every setting); `fill` is the
    pixel value that comes into view where the picture moved away (0 for digits on black)."""
    if pictures.ndim == 3:
        pictures = np.repeat(pictures[None], len(settings), axis=0)
    if len(pictures) != len(settings):
        raise ValueError(f"{len(pictures)} pictures and {len(settings)} settings; give one setting per picture.")
    out = pictures.copy()
    changed = [i for i, one in enumerate(settings) if not one.neutral]
    if not changed:
        return out
    chosen = [settings[i] for i in changed]
    batch = torch.from_numpy(pictures[changed]).permute(0, 3, 1, 2).float()
    batch = _restroked(batch, [one.stroke_width for one in chosen])
    batch = _moved(batch, chosen, fill)
    batch = _blurred(batch, [one.blur for one in chosen])
    batch = _toned(batch, chosen)
    generator = torch.Generator().manual_seed(NOISE_SEED)
    noise = torch.tensor([one.noise * 255 for one in chosen]).view(-1, 1, 1, 1)
    batch = batch + noise * torch.randn(batch.shape, generator=generator)
    batch = _covered(batch, chosen, fill)
    out[changed] = batch.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()
    return out


def _restroked(batch: torch.Tensor, widths: Sequence[float]) -> torch.Tensor:
    """Light ink grown (a 3x3 maximum, once per pixel of width) or worn away (a 3x3 minimum), a
    fraction of a pixel being the blend of the two nearest whole widths."""
    out = batch.clone()
    for width in sorted(set(widths) - {0.0}):
        rows = [i for i, w in enumerate(widths) if w == width]
        sign, whole = (1.0 if width > 0 else -1.0), math.floor(abs(width))
        part = batch[rows] * sign  # wearing away is growing the dark
        grown = [part]
        for _ in range(whole + 1):
            grown.append(F.max_pool2d(grown[-1], 3, stride=1, padding=1))
        share = abs(width) - whole
        out[rows] = sign * ((1 - share) * grown[whole] + share * grown[whole + 1])
    return out


def _moved(batch: torch.Tensor, settings: Sequence[Settings], fill: float) -> torch.Tensor:
    """Rotation about the centre, scaling and shifting, as one affine resampling."""
    if all(s.rotate == 0 and s.scale == 1 and s.shift_x == 0 and s.shift_y == 0 for s in settings):
        return batch
    matrices = []
    for s in settings:
        # Seen: a point p goes to scale * R p + t, R turning anticlockwise on a screen (y down) and t
        # the shift in grid units (the side is 2). affine_grid asks the inverse, from output to input.
        angle = math.radians(s.rotate)
        cos, sin = math.cos(angle) / s.scale, math.sin(angle) / s.scale
        tx, ty = 2 * s.shift_x, 2 * s.shift_y
        matrices.append([[cos, -sin, -(cos * tx - sin * ty)],
                         [sin, cos, -(sin * tx + cos * ty)]])  # fmt: skip
    grid = F.affine_grid(torch.tensor(matrices), list(batch.shape), align_corners=False)
    # Resampled around the fill value, so that what comes into view is the fill.
    return F.grid_sample(batch - fill, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill


def _blurred(batch: torch.Tensor, sigmas: Sequence[float]) -> torch.Tensor:
    """A Gaussian blur of each picture's own width, as one grouped convolution per sigma."""
    out = batch.clone()
    for sigma in sorted(set(sigmas) - {0.0}):
        rows = [i for i, s in enumerate(sigmas) if s == sigma]
        radius = max(1, math.ceil(3 * sigma))
        offsets = torch.arange(-radius, radius + 1, dtype=torch.float32)
        kernel = torch.exp(-(offsets**2) / (2 * sigma**2))
        kernel = kernel / kernel.sum()
        channels = batch.shape[1]
        part = F.pad(batch[rows], (radius,) * 4, mode="replicate")
        part = F.conv2d(part, kernel.view(1, 1, 1, -1).repeat(channels, 1, 1, 1), groups=channels)
        out[rows] = F.conv2d(part, kernel.view(1, 1, -1, 1).repeat(channels, 1, 1, 1), groups=channels)
    return out


def _toned(batch: torch.Tensor, settings: Sequence[Settings]) -> torch.Tensor:
    """Contrast about the picture's own mean, then brightness added."""
    contrast = torch.tensor([s.contrast for s in settings]).view(-1, 1, 1, 1)
    brightness = torch.tensor([s.brightness * 255 for s in settings]).view(-1, 1, 1, 1)
    mean = batch.mean(dim=(1, 2, 3), keepdim=True)
    return (batch - mean) * contrast + mean + brightness


def _covered(batch: torch.Tensor, settings: Sequence[Settings], fill: float) -> torch.Tensor:
    height, width = batch.shape[-2:]
    for i, s in enumerate(settings):
        if s.patch is not None:
            side = max(1, round(s.patch.side * min(height, width)))
            top = min(max(0, round(s.patch.y * height - side / 2)), height - side)
            left = min(max(0, round(s.patch.x * width - side / 2)), width - side)
            batch[i, :, top : top + side, left : left + side] = fill
    return batch
