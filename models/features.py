"""What a network has made of a picture by its last layer: the features its classifier head reads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from models.normalize import FromPixels

BATCH = 250  # pictures per pass when many are read: what bounds one pass's memory


def head(network: nn.Module) -> nn.Linear:
    """The linear layer that turns a network's features into class scores: its last nn.Linear
    (MnistCNN's classifier[-1], ResNet18's fc, the ViT's mlp_head)."""
    linears = [module for module in network.modules() if isinstance(module, nn.Linear)]
    if not linears:
        raise TypeError(f"{type(network).__name__} has no linear layer to read features from.")
    return linears[-1]


class WithFeatures(nn.Module):
    """Observes a FromPixels network without editing it: uint8 pictures (N, H, W, C) -> its logits
    and the penultimate features (N, D) its head reads, from one forward pass.

    Where the dataset averages a picture with its mirror image, so are the features. A hook on the
    head catches its input for the length of one call. The app's threads share one network, so
    the hook keeps only what passes on the calling thread. (Not a threading.local: on a Qt thread,
    PySide drops the Python thread state after every slot, and freeing its locals there aborted
    the app with a double free.)
    """

    def __init__(self, from_pixels: FromPixels) -> None:
        super().__init__()
        self.from_pixels = from_pixels
        self.head = head(from_pixels.network)

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        caught: list[torch.Tensor] = []
        caller = threading.get_ident()

        def catch(_module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            if threading.get_ident() == caller:
                caught.append(inputs[0])

        hook = self.head.register_forward_pre_hook(catch)
        try:
            logits = self.from_pixels(pixels)
        finally:
            hook.remove()
        features = caught[0]
        if features.shape[0] != logits.shape[0]:  # the plain and mirrored halves of one batch
            features = features.reshape(2, logits.shape[0], -1).mean(0)
        return logits, features.flatten(1)


def in_batches(
    model: Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]],
    pictures: np.ndarray,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A WithFeatures model's logits and features for many (N, H, W, C) uint8 pictures, on the CPU in float32."""
    logits, features = [], []
    with torch.inference_mode():
        for start in range(0, len(pictures), BATCH):
            pixels = torch.from_numpy(np.array(pictures[start : start + BATCH])).to(device)  # a writable copy
            answer = model(pixels)
            logits.append(answer[0].float().cpu())
            features.append(answer[1].float().cpu())
    return torch.cat(logits), torch.cat(features)
