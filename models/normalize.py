"""Scale uint8 image batches to the normalized floats a model was trained on."""

import torch

from models.registry import DatasetSpec


def normalize(images: torch.Tensor, dataset: DatasetSpec) -> torch.Tensor:
    """(N, C, H, W) uint8 -> float32 with the dataset's mean and std, on the images' device."""
    mean = torch.tensor(dataset.mean, device=images.device).view(1, -1, 1, 1)
    std = torch.tensor(dataset.std, device=images.device).view(1, -1, 1, 1)
    return (images.float() / 255.0 - mean) / std


def mirror_views(network: torch.nn.Module, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The network's logits for each input alone, and their mean with its mirror image's, from one batch.

    Where a mirror image keeps the class, the two views make different mistakes, and their mean
    is right more often than either; a card's `inference` entry gives the test accuracy of both.
    """
    plain, mirrored = network(torch.cat([inputs, inputs.flip(-1)])).chunk(2)
    return plain, (plain + mirrored) / 2


def mirror_averaged(network: torch.nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """The mean of the network's logits for each input and its mirror image."""
    return mirror_views(network, inputs)[1]


class FromPixels(torch.nn.Module):
    """A network that takes uint8 pictures as they come, (N, H, W, C), and gives its logits,
    averaged with its mirror image's where the dataset allows it.

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
        inputs = self.inputs(pixels)
        if self.dataset.mirror_invariant:
            return mirror_averaged(self.network, inputs)
        return self.network(inputs)
