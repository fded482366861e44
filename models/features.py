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


# The stage of each architecture whose output statistics the unfamiliarity score may read beside
# the penultimate features: pictures unlike any training picture (noise, photos to a digit model)
# stand out there before the later layers map them near a class. Each chosen by measurement against
# another stage of the same network (docs/models.md, "Unfamiliar pictures").
EARLY_STAGES = {"mnist_cnn": "features.3", "resnet18": "layer1", "vit": "transformer.layers.0.1"}


def stage_statistics(output: torch.Tensor) -> torch.Tensor:
    """Each channel's mean and standard deviation over the places of a stage's output: (N, 2C) from
    (N, C, H, W) maps or (N, tokens, C) tokens."""
    places = output.flatten(2) if output.ndim == 4 else output.transpose(1, 2)
    # Means as products with a vector of 1/count, and the deviation from the second moment: over the
    # CNN's 64 x 576 places of one picture torch.std took 0.3 ms, half the whole pass, mean() of the
    # values and their squares 46 us, and the products 15 us. The count is read as a number, so that
    # a traced graph holds the vector as a constant rather than making it on every call.
    count = int(places.shape[2])
    share = torch.full((count,), 1 / count, dtype=places.dtype, device=places.device)
    mean, square = places @ share, (places * places) @ share
    return torch.cat([mean, torch.addcmul(square, mean, mean, value=-1).clamp_min(0).sqrt()], 1)


class WithFeatures(nn.Module):
    """Observes a FromPixels network without editing it: uint8 pictures (N, H, W, C) -> its logits
    and the penultimate features (N, D) its head reads, from one forward pass; with_stage() also
    gives the statistics of an early stage's output (EARLY_STAGES) from the same pass.

    Where the dataset averages a picture with its mirror image, so are the features. Hooks catch
    what passes for the length of one call. The app's threads share one network, so the hooks
    keep only what passes on the calling thread. (Not a threading.local: on a Qt thread, PySide
    drops the Python thread state after every slot, and freeing its locals there aborted the app
    with a double free.)
    """

    def __init__(self, from_pixels: FromPixels, early_stage: str | None = None) -> None:
        super().__init__()
        self.from_pixels = from_pixels
        self.head = head(from_pixels.network)
        modules = dict(from_pixels.network.named_modules())
        if early_stage and early_stage not in modules:
            raise ValueError(f"The network has no module {early_stage!r} to observe; EARLY_STAGES names one.")
        self.stage = modules[early_stage] if early_stage else None

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, features, _ = self._observed(pixels, early=False)
        return logits, features

    def with_stage(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """forward's logits and features, and the early stage's statistics (N, 2C) from the same pass."""
        logits, features, stage = self._observed(pixels, early=True)
        if stage is None:
            raise ValueError("This network was observed without an early stage; name one of EARLY_STAGES.")
        return logits, features, stage

    def _observed(self, pixels: torch.Tensor, early: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        caller = threading.get_ident()
        caught: list[torch.Tensor] = []
        stage_caught: list[torch.Tensor] = []

        def catch(_module: nn.Module, inputs: tuple[torch.Tensor, ...]) -> None:
            if threading.get_ident() == caller:
                caught.append(inputs[0])

        def catch_stage(_module: nn.Module, _inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
            if threading.get_ident() == caller:
                stage_caught.append(stage_statistics(output))

        hooks = [self.head.register_forward_pre_hook(catch)]
        if early and self.stage is not None:
            hooks.append(self.stage.register_forward_hook(catch_stage))
        try:
            logits = self.from_pixels(pixels)
        finally:
            for hook in hooks:
                hook.remove()
        features = _one_per_picture(caught[0], len(logits))
        stage = _one_per_picture(stage_caught[0], len(logits)) if stage_caught else None
        return logits, features, stage


def _one_per_picture(observed: torch.Tensor, pictures: int) -> torch.Tensor:
    """(N, D) from what a pass saw: the plain and mirrored halves of a doubled batch averaged."""
    if observed.shape[0] != pictures:
        observed = observed.reshape(2, pictures, -1).mean(0)
    return observed.flatten(1)


def in_batches(
    model: Callable[[torch.Tensor], tuple[torch.Tensor, ...]], pictures: np.ndarray, device: torch.device
) -> tuple[torch.Tensor, ...]:
    """What a WithFeatures model gives (logits, features and what else it observes) for many
    (N, H, W, C) uint8 pictures, on the CPU in float32."""
    parts: list[list[torch.Tensor]] = []
    with torch.inference_mode():
        for start in range(0, len(pictures), BATCH):
            pixels = torch.from_numpy(np.array(pictures[start : start + BATCH])).to(device)  # a writable copy
            parts.append([output.float().cpu() for output in model(pixels)])
    return tuple(torch.cat(outputs) for outputs in zip(*parts, strict=True))
