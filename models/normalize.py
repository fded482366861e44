"""Scale uint8 image batches to the normalized floats a model was trained on."""

import torch

from models.registry import DatasetSpec


def normalize(images: torch.Tensor, dataset: DatasetSpec) -> torch.Tensor:
    """(N, C, H, W) uint8 -> float32 with the dataset's mean and std, on the images' device."""
    mean = torch.tensor(dataset.mean, device=images.device).view(1, -1, 1, 1)
    std = torch.tensor(dataset.std, device=images.device).view(1, -1, 1, 1)
    return (images.float() / 255.0 - mean) / std


class FromPixels(torch.nn.Module):
    """A network that takes uint8 pictures as they come, (N, H, W, C), and gives its logits.

    Holding the normalization inside the module lets a traced graph hold it too.
    """

    def __init__(self, network: torch.nn.Module, dataset: DatasetSpec) -> None:
        super().__init__()
        self.network = network
        self.dataset = dataset

    def inputs(self, pixels: torch.Tensor) -> torch.Tensor:
        """uint8 (N, H, W, C) -> the network's normalized float input (N, C, H, W)."""
        return normalize(pixels.permute(0, 3, 1, 2), self.dataset)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.network(self.inputs(pixels))
