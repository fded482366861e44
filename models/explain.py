"""Where a model looked: Grad-CAM for convolutional networks, attention rollout for the ViT, and
occlusion sensitivity for any model. Every map is (H, W) in 0-1 at the input's size.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from models.errors import Abandoned
from models.knobs import Patch, Settings
from models.perturb import perturbed

# The convolutional stages Grad-CAM may read, deepest first. The deepest sees the whole digit or
# object, but a ResNet's last stage is 2x2 on a 28x28 digit, too coarse to point at anything:
# Grad-CAM takes the deepest stage whose maps are at least MIN_CAM_SIDE pixels across.
CAM_LAYERS = {"mnist_cnn": ["features.3"], "resnet18": ["layer4", "layer3", "layer2"]}
MIN_CAM_SIDE = 7


@contextmanager
def recording(modules: list[nn.Module]) -> Iterator[list[torch.Tensor]]:
    """Collect the outputs of `modules` during a forward pass made by this thread."""
    outputs: list[torch.Tensor] = []
    # Hooks belong to the module and fire in every thread: the app may score a test set with the
    # same network while it explains a drawing, and those batches must not land here.
    owner = threading.get_ident()

    def record(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        if threading.get_ident() == owner:
            outputs.append(output)

    handles = [m.register_forward_hook(record) for m in modules]
    try:
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def attention_softmaxes(network: nn.Module) -> list[nn.Module]:
    """The softmax of each attention layer of a vit-pytorch ViT, which keeps it, a module, as `attend`."""
    return [cast(nn.Module, module.attend) for module in network.modules() if type(module).__name__ == "Attention"]


def _normalized(heat: torch.Tensor, size: Sequence[int]) -> np.ndarray:
    """Upsample a (h, w) map to the input size and scale it into 0-1."""
    heat = F.interpolate(heat[None, None].float(), size=size, mode="bilinear", align_corners=False)[0, 0]
    heat = heat.clamp(min=0)
    top = heat.max()
    return (heat / top if top > 0 else heat).detach().cpu().numpy()


def grad_cam(network: nn.Module, batch: torch.Tensor, target: int, layers: list[nn.Module]) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) for one image: channels of a layer weighted by the mean
    gradient of the target class score, summed, and kept where positive. Of `layers`, the one
    run last whose maps are at least MIN_CAM_SIDE across is used (else the first run)."""
    with torch.enable_grad(), recording(layers) as outputs:
        score = network(batch)[0, target]
        activation = next((a for a in reversed(outputs) if min(a.shape[-2:]) >= MIN_CAM_SIDE), outputs[0])
        (gradient,) = torch.autograd.grad(score, activation)
    weights = gradient[0].mean(dim=(1, 2))
    heat = (weights[:, None, None] * activation[0]).sum(0)
    return _normalized(heat, batch.shape[-2:])


def rollout(attentions: list[torch.Tensor], grid: tuple[int, int]) -> torch.Tensor:
    """Attention rollout (Abnar and Zuidema, 2020) for one image.

    `attentions` holds one (heads, tokens, tokens) map per layer. Heads are averaged, the
    residual path added as the identity, and the layers multiplied. What the classifier reads
    is the class token where there is one (one token more than the grid has patches), else the
    mean of all tokens; its share of each patch is returned as a (grid) map.
    """
    tokens = attentions[0].shape[-1]
    joint = torch.eye(tokens)
    for attention in attentions:
        mixed = attention.mean(dim=0) + torch.eye(tokens)
        joint = (mixed / mixed.sum(dim=-1, keepdim=True)) @ joint
    patches = grid[0] * grid[1]
    read = joint[0, 1:] if tokens == patches + 1 else joint.mean(dim=0)
    return read.reshape(grid)


def attention_rollout(network: nn.Module, batch: torch.Tensor, target: int) -> np.ndarray:
    """Rollout of a vit-pytorch ViT's attention, each layer's attention first weighted by its
    gradient for the target class, keeping positive parts (Chefer et al., 2021)."""
    with torch.enable_grad(), recording(attention_softmaxes(network)) as outputs:
        logits = network(batch)
        gradients = torch.autograd.grad(logits[0, target], outputs)
    layers = [(g[0] * a[0]).clamp(min=0).detach() for a, g in zip(outputs, gradients, strict=True)]
    side = int(outputs[0].shape[-1] ** 0.5)  # 49 or 64 patches, and a class token where one pools: 7 or 8
    shares = rollout([a.cpu() for a in layers], (side, side))
    # The residual path gives every patch a share, so rollout maps are flat: what the model looked
    # at is what stands above the typical patch, and the lower half of the patches stays clear.
    return _normalized(shares - shares.median(), batch.shape[-2:])


def explain(network: nn.Module, arch: str, batch: torch.Tensor, target: int, mirror: bool = False) -> np.ndarray:
    """The heat map for one image: attention rollout for the ViT, Grad-CAM for the others.

    With `mirror`, for a model that answers with the mean of a picture and its mirror image, the
    map is the mean of the two views' maps, the mirrored one turned back.
    """
    if arch == "vit":
        heat_of = partial(attention_rollout, network, target=target)
    else:
        heat_of = partial(grad_cam, network, target=target, layers=[network.get_submodule(n) for n in CAM_LAYERS[arch]])
    heat = heat_of(batch)
    if not mirror:
        return heat
    mean = (heat + heat_of(batch.flip(-1))[:, ::-1]) / 2
    return mean / mean.max() if mean.max() > 0 else mean


OCCLUSION_SIDE = 0.25  # the hiding square's side, as a share of the picture's
OCCLUSION_STEPS = 13  # positions across and down: its centre from edge to edge
# Pictures asked about in one batch, a row's worth: between batches a newer question can stop the
# work, which takes 6-8 s for resnet18_cifar10 on a 2-core CPU (alike in batches of 12, 22, 43 or
# all 170), so that the next picture's bars wait half a second for it, not seconds.
OCCLUSION_BATCH = OCCLUSION_STEPS


def occlusion(
    predict: Callable[[list[np.ndarray]], np.ndarray],
    native: np.ndarray,
    target: int | None,
    fill: float,
    abandon: Callable[[], bool] | None = None,
) -> np.ndarray:
    """Occlusion sensitivity (Zeiler and Fergus, 2014): how far the target's probability (default: the
    top class's) falls as a grey square slides over the picture. It asks the model only for answers,
    so it works alike for every architecture. (H, W) in 0-1 at the picture's size. Raises Abandoned
    where `abandon()` says so between batches."""
    places = np.linspace(0, 1, OCCLUSION_STEPS)
    settings = [Settings(patch=Patch(x, y, OCCLUSION_SIDE)) for y in places for x in places]
    pictures = [native, *perturbed(native, settings, fill=fill)]
    answers = []
    for start in range(0, len(pictures), OCCLUSION_BATCH):
        if abandon is not None and abandon():
            raise Abandoned
        answers.append(predict(pictures[start : start + OCCLUSION_BATCH]))
    plain, *covered = np.concatenate(answers)
    if target is None:
        target = int(plain.argmax())
    drops = plain[target] - np.stack(covered)[:, target]
    grid = torch.from_numpy(drops.reshape(OCCLUSION_STEPS, OCCLUSION_STEPS).astype(np.float32))
    return _normalized(grid, native.shape[:2])


def first_convolution(network: nn.Module) -> nn.Conv2d | None:
    """The first convolution a picture meets: what the network looks for first."""
    return next((module for module in network.modules() if isinstance(module, nn.Conv2d)), None)


def _convolution_of(network: nn.Module) -> nn.Conv2d:
    """The first convolution, for callers that asked first_convolution() whether there is one."""
    layer = first_convolution(network)
    if layer is None:
        raise ValueError(f"{type(network).__name__} has no convolution to show")
    return layer


def feature_maps(network: nn.Module, batch: torch.Tensor) -> np.ndarray:
    """The first convolution's response to one image, (channels, H, W), each channel scaled to 0-1."""
    layer = _convolution_of(network)
    with torch.inference_mode(), recording([layer]) as outputs:
        network(batch)
    return each_channel_in_unit_range(outputs[0][0].float())


def filters(network: nn.Module) -> np.ndarray:
    """The first convolution's kernels averaged over input channels, (channels, k, k), each scaled to 0-1."""
    return each_channel_in_unit_range(_convolution_of(network).weight.detach().float().mean(dim=1))


def each_channel_in_unit_range(maps: torch.Tensor) -> np.ndarray:
    """(C, H, W) maps, each stretched to span 0 to 1: a faint channel is seen as well as a strong one."""
    low = maps.amin(dim=(1, 2), keepdim=True)
    span = (maps.amax(dim=(1, 2), keepdim=True) - low).clamp(min=1e-8)
    return ((maps - low) / span).cpu().numpy()
