"""A picture's way through a network's layers: every stage's feature maps for the convolutional
networks, every layer's attention from the class token to the patches for the ViT.

Like vit-pytorch's Recorder, this observes the network through forward hooks for one pass and
leaves it as it was.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np
import torch
from torch import nn

from models.explain import attention_softmaxes, each_channel_in_unit_range, recording

TOP_CHANNELS = 8  # feature maps shown per stage: its most active channels


class StagePlan(NamedTuple):
    module: str  # the module whose output is the stage's maps
    title: str
    convolution: str | None  # the one convolution that made the maps, where the stage is one


# The stages a picture passes through, named as the summary names the modules. A ReLU stands for
# the convolution before it: the maps shown are what the next layer reads.
STAGES: dict[str, tuple[StagePlan, ...]] = {
    "mnist_cnn": (
        StagePlan("features.1", "convolution 1 (3x3) + ReLU", "features.0"),
        StagePlan("features.3", "convolution 2 (3x3) + ReLU", "features.2"),
        StagePlan("features.4", "max-pool 2x2", None),
    ),
    "resnet18": (
        StagePlan("relu", "stem: convolution 3x3 + ReLU", "conv1"),
        StagePlan("layer1", "stage 1: two residual blocks", None),
        StagePlan("layer2", "stage 2: two residual blocks", None),
        StagePlan("layer3", "stage 3: two residual blocks", None),
        StagePlan("layer4", "stage 4: two residual blocks", None),
    ),
}


@dataclass(frozen=True)
class FeatureStage:
    """One stage's response to the picture: its most active channels."""

    name: str  # the module, as models.summary names it
    title: str
    shape: tuple[int, int, int]  # the stage's whole output: channels, height, width
    channels: np.ndarray  # (k,) the channels shown, most active first
    activity: np.ndarray  # (k,) their mean activation
    maps: np.ndarray  # (k, H, W), each scaled to 0-1
    # (k, inputs, kh, kw): the kernels that made the maps, jointly in 0-1; None for a stage of many layers
    filters: np.ndarray | None


@dataclass(frozen=True)
class AttentionLayer:
    """One transformer layer's attention from what the classifier reads to every token."""

    layer: int
    weights: np.ndarray  # (heads, tokens) each row a probability distribution over the tokens
    grid: tuple[int, int]  # the patches' rows and columns
    class_token: bool  # the first token is the class token (else the classifier reads the mean of the tokens)

    @property
    def heads(self) -> np.ndarray:
        """Each head's attention to the patches, (heads, rows, columns)."""
        patches = self.weights[:, 1:] if self.class_token else self.weights
        return patches.reshape(-1, *self.grid)

    @property
    def mean(self) -> np.ndarray:
        """The heads' mean attention to the patches, (rows, columns)."""
        return self.heads.mean(axis=0)


@dataclass(frozen=True)
class Layers:
    """A picture's way through a network: feature stages for a convolutional one, attention for the ViT."""

    stages: list[FeatureStage]
    attention: list[AttentionLayer]


def feature_stages(network: nn.Module, arch: str, batch: torch.Tensor, top: int = TOP_CHANNELS) -> list[FeatureStage]:
    """Every stage of STAGES[arch] for the first picture of `batch` (the network's normalized input)."""
    plans = STAGES[arch]
    with ExitStack() as hooks, torch.inference_mode():
        caught = [hooks.enter_context(recording([network.get_submodule(plan.module)])) for plan in plans]
        network(batch[:1])
    # A module that runs more than once (a shared ReLU) answers with its last output.
    outputs = [recorded[-1][0].float() for recorded in caught]
    return [_stage(plan, output, network, top) for plan, output in zip(plans, outputs, strict=True)]


def _stage(plan: StagePlan, output: torch.Tensor, network: nn.Module, top: int) -> FeatureStage:
    activity = output.mean(dim=(1, 2))
    channels = activity.argsort(descending=True)[:top]
    maps = each_channel_in_unit_range(output[channels])
    kernels = None
    if plan.convolution is not None:
        weight = cast(nn.Conv2d, network.get_submodule(plan.convolution)).weight.detach()[channels].float()
        kernels = ((weight - weight.min()) / (weight.max() - weight.min()).clamp(min=1e-8)).cpu().numpy()
    shape = cast(tuple[int, int, int], tuple(output.shape))
    strength = activity[channels].cpu().numpy()
    return FeatureStage(plan.module, plan.title, shape, channels.cpu().numpy(), strength, maps, kernels)


def attention_layers(network: nn.Module, batch: torch.Tensor) -> list[AttentionLayer]:
    """Each layer of a vit-pytorch ViT: the attention of what its classifier reads (the class token,
    or the mean of the tokens where it pools them) to every token, for the first picture of `batch`."""
    with torch.inference_mode(), recording(attention_softmaxes(network)) as outputs:
        network(batch[:1])
    # vit-pytorch keeps a class token only where its classifier reads one; else it pools by the mean.
    class_token = cast(torch.Tensor, network.cls_token).shape[0] > 0
    layers = []
    for index, attention in enumerate(outputs):
        tokens = attention[0].float()  # (heads, tokens, tokens)
        weights = tokens[:, 0] if class_token else tokens.mean(dim=1)
        side = int((weights.shape[-1] - class_token) ** 0.5)
        layers.append(AttentionLayer(index, weights.cpu().numpy(), (side, side), class_token))
    return layers


def layers_of(network: nn.Module, arch: str, batch: torch.Tensor) -> Layers:
    """The first picture of `batch` on its way through the network."""
    if arch in STAGES:
        return Layers(feature_stages(network, arch, batch), [])
    return Layers([], attention_layers(network, batch))
