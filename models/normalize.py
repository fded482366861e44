"""Scale uint8 image batches to the normalized floats a model was trained on."""

import torch

from models.registry import DatasetSpec


def normalize(images: torch.Tensor, dataset: DatasetSpec) -> torch.Tensor:
    """(N, C, H, W) uint8 -> float32 with the dataset's mean and std, on the images' device."""
    mean = torch.tensor(dataset.mean, device=images.device).view(1, -1, 1, 1)
    std = torch.tensor(dataset.std, device=images.device).view(1, -1, 1, 1)
    return (images.float() / 255.0 - mean) / std
