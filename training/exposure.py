"""Outlier exposure (Hendrycks et al., 2019): pictures unlike any class join every batch, and the model
learns to answer them with every class alike, so that its confidence on such pictures falls.

The pictures are drawings that are no digit for the digit models (training.exposure_drawings) and
pictures of no object for the photo models (training.exposure_pictures).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from models.pendigits import PenDigit
from models.registry import DRAWN, DatasetSpec
from training import exposure_drawings, exposure_pictures

SHARE = 4  # each batch of images is joined by a quarter as many outliers
POOL = 20_000  # pictures made once per run, drawn from at random


def pool(dataset: DatasetSpec, count: int, seed: int, digits: Sequence[PenDigit], photos: np.ndarray) -> torch.Tensor:
    """(count, C, H, W) uint8 outliers for `dataset`: drawings (pairs of `digits` among them) for the
    digit models, pictures (shuffled tiles of (N, H, W, C) `photos` among them) for the photo models."""
    if dataset is DRAWN:
        pictures = exposure_drawings.render(count, seed, digits)
    else:
        pictures = exposure_pictures.render(count, seed, photos)
    return torch.from_numpy(pictures.transpose(0, 3, 1, 2).copy())


def sample(outliers: torch.Tensor, batch: int, generator: torch.Generator) -> torch.Tensor:
    """A quarter of `batch` outliers drawn at random from the pool (N, C, H, W)."""
    chosen = torch.randint(len(outliers), (max(1, batch // SHARE),), generator=generator)
    return outliers[chosen]


def uniform_loss(logits: torch.Tensor) -> torch.Tensor:
    """Cross-entropy between the answer and the uniform distribution over the classes: log(K) at the least."""
    return -F.log_softmax(logits.float(), dim=1).mean(dim=1).mean()
