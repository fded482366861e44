"""Adversarial pictures: a change too small to notice that makes a model answer what we choose.

Both attacks work on the model's native picture (uint8, 28x28x1 or 32x32x3) and keep every pixel
within epsilon x 255 of it. The fast gradient sign method (Goodfellow et al., 2015) takes one step
of the whole epsilon along the sign of the loss gradient; where that is not enough, projected
gradient descent (Madry et al., 2018) takes many small steps from there, each projected back into
the box around the picture. Where that fails too, it starts again from random points in the box
(as Madry et al. do): a run can settle where the target is out of reach from its start. Pixels are
whole numbers in the box's integer bounds, so the picture returned is exactly the one that was
checked.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

STEPS = 40  # projected gradient steps at most, after the single fast step
RESTARTS = 2  # runs from random starts in the box, each of STEPS steps, where the first fails
# A restart begins only this soon after the attack began, and no step is taken after the deadline,
# so that a slow model keeps the user's wait near a second: ResNet18's three full runs took 4.9 s on
# a 2-core CPU, and its first run alone up to 3.4 s on a busy one.
RESTART_WITHIN_S = 0.5
DEADLINE_S = 1.2
STEP_SHARE = 0.15  # each step moves a pixel by this share of epsilon
CHECK_EVERY = 4  # steps between looks at whether the picture fools the model yet


def attack(from_pixels: nn.Module, native: np.ndarray, target: int | None, epsilon: float) -> np.ndarray:
    """A picture within epsilon x 255 of `native` in every pixel that `from_pixels` (a network taking
    (N, H, W, C) pixel values in 0-255) takes for `target`, or for any class but its answer to `native`
    where `target` is None. Where no such picture is found, the closest try is returned."""
    bound = math.floor(epsilon * 255 + 1e-6)  # whole pixel values: rounding cannot leave the box
    if bound <= 0:
        return native.copy()
    device = next(from_pixels.parameters()).device
    original = torch.tensor(native, dtype=torch.float32, device=device)[None]
    low, high = (original - bound).clamp(0, 255), (original + bound).clamp(0, 255)
    with torch.inference_mode():
        answer = int(from_pixels(original).argmax())
    aim = torch.tensor([answer if target is None else target], device=device)
    # Targeted: towards the target's class. Untargeted: away from the model's own answer.
    away = -1.0 if target is None else 1.0

    def loss_gradient(picture: torch.Tensor) -> torch.Tensor:
        picture = picture.detach().requires_grad_(True)
        with torch.enable_grad():
            loss = away * F.cross_entropy(from_pixels(picture), aim)
            (gradient,) = torch.autograd.grad(loss, picture)
        return gradient

    def fools(picture: torch.Tensor) -> bool:
        with torch.inference_mode():
            said = int(from_pixels(picture).argmax())
        return said != answer if target is None else said == target

    def step(picture: torch.Tensor, size: float) -> torch.Tensor:
        moved = picture - size * loss_gradient(picture).sign()
        return torch.minimum(torch.maximum(moved, low), high).round()

    def descend(picture: torch.Tensor) -> bool:
        """Projected gradient steps from `picture` (changed in place) until it fools the model; says whether it does."""
        for done in range(STEPS + 1):
            if done % CHECK_EVERY == 0 and fools(picture):
                return True
            if done == STEPS or time.perf_counter() - began > DEADLINE_S:
                break
            picture.copy_(step(picture, size))
        return fools(picture)

    began = time.perf_counter()
    size = max(1.0, STEP_SHARE * bound)
    generator = torch.Generator(device=device).manual_seed(0)
    first = step(original, bound)
    if descend(first):
        return as_native(first)
    for _ in range(RESTARTS):
        if time.perf_counter() - began > RESTART_WITHIN_S:
            break
        noise = torch.randint(-bound, bound + 1, original.shape, generator=generator, device=device)
        start = torch.minimum(torch.maximum(original + noise, low), high)
        if descend(start):
            return as_native(start)
    return as_native(first)


def as_native(picture: torch.Tensor) -> np.ndarray:
    return picture[0].to(torch.uint8).cpu().numpy()
