"""Explanations: maps of the input's size in 0-1 whose peak falls where the answer comes from."""

import threading

import numpy as np
import pytest
import torch
from torch import nn

from models.archs import build_network
from models.explain import explain, grad_cam, recording, rollout
from models.registry import spec

REGION = (slice(4, 10), slice(16, 22))  # rows and columns the synthetic model looks at


class RegionFeatures(nn.Module):
    """Two feature maps: channel 0 sees only REGION, channel 1 everything else."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 1, bias=False)
        nn.init.ones_(self.conv.weight)
        mask = torch.zeros(1, 2, 28, 28)
        mask[0, 0][REGION] = 1
        mask[0, 1] = 1 - mask[0, 0]
        self.register_buffer("mask", mask)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv(x)) * self.mask


class RegionModel(nn.Module):
    """Class 1's score comes from channel 0 alone, so only REGION explains it; class 0's from channel 1."""

    def __init__(self) -> None:
        super().__init__()
        self.features = RegionFeatures()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.features(x)
        return torch.stack([maps[:, 1].sum((1, 2)) * 0.01, maps[:, 0].sum((1, 2))], dim=1)


def peak(heat: np.ndarray) -> tuple[int, int]:
    return np.unravel_index(np.argmax(heat), heat.shape)


def in_region(point: tuple[int, int]) -> bool:
    return REGION[0].start <= point[0] < REGION[0].stop and REGION[1].start <= point[1] < REGION[1].stop


def test_grad_cam_peaks_in_the_region_the_answer_depends_on():
    model = RegionModel().eval()
    image = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    heat = grad_cam(model, image, target=1, layers=[model.features])
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() == pytest.approx(1)
    assert in_region(peak(heat))


def test_grad_cam_follows_the_selected_class():
    model = RegionModel().eval()
    image = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    other = grad_cam(model, image, target=0, layers=[model.features])
    assert not in_region(peak(other))
    assert other[REGION].max() == 0


class CoarseRegionModel(nn.Module):
    """RegionModel's answer read through a 2x2 pooling stage, like a ResNet's last stage on a digit."""

    def __init__(self) -> None:
        super().__init__()
        self.features = RegionFeatures()
        self.coarse = nn.AvgPool2d(14)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.coarse(self.features(x))
        return torch.stack([maps[:, 1].sum((1, 2)) * 0.01, maps[:, 0].sum((1, 2))], dim=1)


def test_grad_cam_reads_the_deepest_stage_fine_enough_to_point():
    model = CoarseRegionModel().eval()
    image = torch.rand(1, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    heat = grad_cam(model, image, target=1, layers=[model.coarse, model.features])
    outside = heat.copy()
    outside[REGION] = 0
    assert in_region(peak(heat)) and outside.max() == 0  # the 28x28 stage, not the 2x2 one
    coarse = grad_cam(model, image, target=1, layers=[model.coarse])
    assert coarse[0:14, 14:28].min() > 0  # a 2x2 map lights a whole quadrant


def test_recording_ignores_forward_passes_of_other_threads():
    # The app scores a test set with the same network while it explains a drawing.
    model = RegionModel().eval()
    with recording([model]) as outputs:
        other = threading.Thread(target=model, args=(torch.rand(5, 1, 28, 28),))
        other.start()
        other.join()
        model(torch.rand(1, 1, 28, 28))
    assert [len(output) for output in outputs] == [1]


def test_rollout_without_a_class_token_reads_the_mean_of_all_tokens():
    tokens, attended = 16, 9  # a 4x4 grid and no class token
    attention = torch.full((2, tokens, tokens), 0.1 / (tokens - 1))
    attention[:, :, attended] = 0.9
    heat = rollout([attention], (4, 4))
    assert int(heat.argmax()) == attended


def test_rollout_follows_attention_to_one_patch():
    tokens, attended = 17, 6  # class token and a 4x4 grid; everyone looks at patch 6
    attention = torch.full((3, tokens, tokens), 0.1 / (tokens - 1))
    attention[:, :, 1 + attended] = 0.9
    heat = rollout([attention, attention], (4, 4))
    assert tuple(int(i) for i in np.unravel_index(int(heat.argmax()), (4, 4))) == (1, 2)


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18_cifar10", "vit_mnist", "vit_cifar10"])
def test_every_model_gets_a_map_of_its_input_size(name):
    model_spec = spec(name)
    torch.manual_seed(0)
    network = build_network(model_spec).eval()
    size = model_spec.dataset.image_size
    image = torch.randn(1, model_spec.dataset.channels, size, size)
    heat = explain(network, model_spec.arch, image, target=2)
    assert heat.shape == (size, size)
    assert 0 <= heat.min() and heat.max() <= 1
    if model_spec.arch == "vit":
        # The lower half of the patches is clear, not tinted by the share every patch gets through the residual path.
        assert np.mean(heat == 0) >= 0.3


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18_mnist", "vit_cifar10"])
def test_summary_accounts_for_every_parameter(name):
    from models.summary import as_text, summarize

    model_spec = spec(name)
    network = build_network(model_spec).eval()
    size = model_spec.dataset.image_size
    layers = summarize(network, (model_spec.dataset.channels, size, size))
    total = sum(p.numel() for p in network.parameters())
    assert sum(layer.parameters for layer in layers) == total
    assert layers[-1].output_shape == (10,)
    assert f"{total:,}" in as_text(layers, total)


def test_first_layer_filters_and_feature_maps():
    from models.explain import feature_maps, filters, first_convolution

    torch.manual_seed(0)
    network = build_network(spec("mnist_cnn")).eval()
    image = torch.zeros(1, 1, 28, 28)
    image[0, 0, 10:18, 13:15] = 3.0  # a short vertical stroke
    kernels = filters(network)
    maps = feature_maps(network, image)
    assert kernels.shape == (32, 3, 3) and maps.shape == (32, 26, 26)
    assert 0 <= maps.min() and maps.max() <= 1 and 0 <= kernels.min() and kernels.max() <= 1
    # the maps change where the stroke is (a filter that the stroke switches off stays flat)
    # and are flat far away from it
    assert (np.ptp(maps[:, 8:18, 11:15], axis=(1, 2)) > 0.1).mean() > 0.8
    assert np.ptp(maps[:, 0:5, 0:5], axis=(1, 2)).max() < 1e-6
    assert first_convolution(build_network(spec("vit_mnist"))) is None
