"""Batch augmentations on uint8 image tensors, so no per-image PIL work runs in training.

Every function takes an (N, C, H, W) batch. Crops, flips, affine moves, cutout and mixing
partners are drawn from a torch.Generator; RandAugment and MixUp's Beta weights, which cannot
take one, from the global RNG. The loop seeds both every epoch, so a resumed run sees the same
augmentations as an uninterrupted one.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torchvision.transforms import v2


def random_crop(images: torch.Tensor, padding: int, generator: torch.Generator) -> torch.Tensor:
    """A random (H, W) window of each image after zero-padding it on every side."""
    n, _, h, w = images.shape
    padded = F.pad(images, (padding,) * 4)
    dy = torch.randint(0, 2 * padding + 1, (n,), generator=generator).to(images.device)
    dx = torch.randint(0, 2 * padding + 1, (n,), generator=generator).to(images.device)
    rows = (dy[:, None] + torch.arange(h, device=images.device))[:, None, :, None]
    cols = (dx[:, None] + torch.arange(w, device=images.device))[:, None, None, :]
    batch = torch.arange(n, device=images.device)[:, None, None, None]
    channels = torch.arange(images.shape[1], device=images.device)[None, :, None, None]
    return padded[batch, channels, rows, cols]


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror half of the images left to right."""
    flip = (torch.rand(images.shape[0], generator=generator) < 0.5).to(images.device)
    return torch.where(flip[:, None, None, None], images.flip(3), images)


def random_affine(
    images: torch.Tensor,
    generator: torch.Generator,
    degrees: float = 8.0,
    scale: tuple[float, float] = (0.9, 1.1),
    translate: float = 0.06,
) -> torch.Tensor:
    """Rotate, scale and shift each image a little, as handwriting varies; no flips for digits."""
    n = images.shape[0]
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(degrees)
    factor = scale[0] + torch.rand(n, generator=generator) * (scale[1] - scale[0])
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * translate * 2  # grid units span 2
    cos, sin = torch.cos(angle) / factor, torch.sin(angle) / factor
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta.to(images.device), list(images.shape), align_corners=False)
    warped = F.grid_sample(images.float(), grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    return warped.round().clamp(0, 255).to(torch.uint8)


def cutout(images: torch.Tensor, size: int, generator: torch.Generator) -> torch.Tensor:
    """Blank out one size x size square per image, its centre anywhere in the image."""
    n, _, h, w = images.shape
    cy = torch.randint(0, h, (n, 1, 1), generator=generator).to(images.device)
    cx = torch.randint(0, w, (n, 1, 1), generator=generator).to(images.device)
    ys = torch.arange(h, device=images.device)[None, :, None]
    xs = torch.arange(w, device=images.device)[None, None, :]
    low, high = -(size // 2), size - size // 2  # offsets from the centre, size of them
    inside = (ys - cy >= low) & (ys - cy < high) & (xs - cx >= low) & (xs - cx < high)
    return images.masked_fill(inside[:, None], 0)


def mix(
    images: torch.Tensor, targets: torch.Tensor, mixup: float, cutmix: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """MixUp or CutMix (one of the two per batch, at random) on float images and one-hot targets.

    Returns the mixed batch and soft targets; with both alphas 0 the batch is left alone.
    """
    modes = [(kind, alpha) for kind, alpha in (("mixup", mixup), ("cutmix", cutmix)) if alpha > 0]
    if not modes:
        return images, targets
    kind, alpha = modes[int(torch.randint(len(modes), (1,), generator=generator))]
    lam = float(torch.distributions.Beta(alpha, alpha).sample())  # global RNG, seeded per epoch by the loop
    order = torch.randperm(images.shape[0], generator=generator).to(images.device)
    if kind == "mixup":
        mixed = lam * images + (1 - lam) * images[order]
    else:
        _, _, h, w = images.shape
        ch, cw = int(h * math.sqrt(1 - lam)), int(w * math.sqrt(1 - lam))
        cy, cx = int(torch.randint(h, (1,), generator=generator)), int(torch.randint(w, (1,), generator=generator))
        y0, y1 = max(cy - ch // 2, 0), min(cy + ch // 2, h)
        x0, x1 = max(cx - cw // 2, 0), min(cx + cw // 2, w)
        mixed = images.clone()
        mixed[:, :, y0:y1, x0:x1] = images[order][:, :, y0:y1, x0:x1]
        lam = 1 - (y1 - y0) * (x1 - x0) / (h * w)
    return mixed, lam * targets + (1 - lam) * targets[order]


def rand_augment(images: torch.Tensor, group: int = 8) -> torch.Tensor:
    """RandAugment (two operations, magnitude 9), the same draw for each group of `group` images:
    one draw per image would cost as much as the training step itself on a CPU."""
    policy = v2.RandAugment(num_ops=2, magnitude=9)  # global RNG, seeded per epoch by the loop
    return torch.cat([policy(chunk) for chunk in images.split(group)])


POLICIES = ("affine", "crop-flip", "crop-flip-randaugment", "none")


def augment(images: torch.Tensor, policy: str, generator: torch.Generator, cutout_size: int = 0) -> torch.Tensor:
    """The named augmentation policy of a recipe, on a uint8 batch."""
    if policy == "affine":
        images = random_affine(images, generator)
    elif policy in ("crop-flip", "crop-flip-randaugment"):
        images = random_flip(random_crop(images, 4, generator), generator)
        if policy == "crop-flip-randaugment":
            images = rand_augment(images)
    elif policy != "none":
        raise ValueError(f"unknown augmentation {policy!r}; choose one of {', '.join(POLICIES)}")
    if cutout_size:
        images = cutout(images, cutout_size, generator)
    return images
