"""Architecture builders: name -> nn.Module for a given input shape and class count."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from torch import nn

if TYPE_CHECKING:
    from models.registry import ModelSpec

# Builders are imported when first used: a process imports the modules of the architectures it
# builds and no others.
BUILDERS: dict[str, str] = {
    "mnist_cnn": "models.archs.mnist_cnn:MnistCNN",
    "resnet18": "models.archs.resnet:resnet18",
    "vit": "models.archs.vit:vit",
}

# Convolutional models run faster on CPU and GPU with NHWC tensors.
CHANNELS_LAST = {"mnist_cnn", "resnet18"}


def build(arch: str, *, channels: int, num_classes: int, image_size: int, **options: Any) -> nn.Module:
    module, builder = BUILDERS[arch].split(":")
    network: nn.Module = getattr(importlib.import_module(module), builder)(
        channels=channels, num_classes=num_classes, image_size=image_size, **options
    )
    return network


def build_network(model_spec: ModelSpec) -> nn.Module:
    """A registered model's network, untrained, for its dataset's input shape and classes."""
    dataset = model_spec.dataset
    return build(
        model_spec.arch,
        channels=dataset.channels,
        num_classes=len(dataset.classes),
        image_size=dataset.image_size,
        **model_spec.arch_options,
    )
