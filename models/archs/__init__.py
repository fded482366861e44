"""Architecture builders: name -> nn.Module for a given input shape and class count."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from torch import nn

from models.archs.mnist_cnn import MnistCNN
from models.archs.resnet import resnet18
from models.archs.vit import vit

if TYPE_CHECKING:
    from models.registry import ModelSpec

BUILDERS: dict[str, Callable[..., nn.Module]] = {
    "mnist_cnn": MnistCNN,
    "resnet18": resnet18,
    "vit": vit,
}

# Convolutional models run faster on CPU and GPU with NHWC tensors.
CHANNELS_LAST = {"mnist_cnn", "resnet18"}


def build(arch: str, *, channels: int, num_classes: int, image_size: int, **options) -> nn.Module:
    return BUILDERS[arch](channels=channels, num_classes=num_classes, image_size=image_size, **options)


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
