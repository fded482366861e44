"""Inside the network: every stage's feature maps, every layer's attention, and the map of the test
set in a model's features with its nearest neighbours."""

import numpy as np
import pytest
import torch

from models import data_map
from models.archs import build, build_network
from models.errors import WeightsError
from models.layers import STAGES, attention_layers, feature_stages, layers_of
from models.normalize import normalize
from models.registry import spec
from models.summary import summarize


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18_mnist", "resnet18_cifar10"])
def test_feature_maps_have_the_shapes_the_summary_lists(name):
    model_spec = spec(name)
    dataset = model_spec.dataset
    torch.manual_seed(0)
    network = build_network(model_spec).eval()
    shape = (dataset.channels, dataset.image_size, dataset.image_size)
    summary = summarize(network, shape)
    picture = torch.randint(0, 256, (1, *shape), dtype=torch.uint8, generator=torch.Generator().manual_seed(1))
    stages = feature_stages(network, model_spec.arch, normalize(picture, dataset), top=5)
    assert [stage.name for stage in stages] == [plan.module for plan in STAGES[model_spec.arch]]
    for stage in stages:
        # A stage's output is that of the last layer run inside it (or of the layer itself).
        listed = [
            layer.output_shape
            for layer in summary
            if layer.name == stage.name or layer.name.startswith(stage.name + ".")
        ]
        assert stage.shape == listed[-1]
        assert stage.maps.shape == (5, *stage.shape[1:])
        assert stage.maps.min() >= 0 and stage.maps.max() <= 1
        assert np.all(np.diff(stage.activity) <= 0)  # the most active first
        if stage.filters is not None:
            convolution = network.get_submodule(
                next(p.convolution for p in STAGES[model_spec.arch] if p.module == stage.name)
            )
            assert stage.filters.shape == (5, *convolution.weight.shape[1:])
    assert stages[0].filters is not None and stages[-1].filters is None


def test_the_most_active_channels_are_the_ones_shown():
    network = build_network(spec("mnist_cnn")).eval()
    with torch.no_grad():  # channel 7 of the first convolution answers every pixel with 5, the rest with 0
        first = network.features[0]
        first.weight.zero_()
        first.bias.zero_()
        first.bias[7] = 5.0
        first.bias[3] = 1.0
    stage = feature_stages(network, "mnist_cnn", torch.zeros(1, 1, 28, 28), top=2)[0]
    assert list(stage.channels) == [7, 3]
    assert stage.activity == pytest.approx([5.0, 1.0])


@pytest.mark.parametrize("pool", ["cls", "mean"])
def test_attention_rows_sum_to_one_over_the_tokens(pool):
    torch.manual_seed(0)
    network = build("vit", channels=1, num_classes=10, image_size=28, patch_size=4, dim=32, depth=3, heads=2,
                    dim_head=8, mlp_dim=32, pool=pool).eval()  # fmt: skip
    layers = attention_layers(network, torch.randn(1, 1, 28, 28))
    assert [layer.layer for layer in layers] == [0, 1, 2]
    for layer in layers:
        assert layer.class_token == (pool == "cls")
        assert layer.weights.shape == (2, 49 + (pool == "cls"))
        assert layer.weights.sum(axis=1) == pytest.approx([1, 1], abs=1e-5)
        assert layer.heads.shape == (2, 7, 7) and layer.mean.shape == (7, 7)
    assert layers_of(network, "vit", torch.randn(1, 1, 28, 28)).stages == []


def clustered_features(count: int = 300, dimensions: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Three clusters of features in random directions, and their classes."""
    rng = np.random.default_rng(0)
    labels = np.arange(count) % 3
    centres = rng.normal(size=(3, dimensions)) * 4
    return centres[labels] + rng.normal(size=(count, dimensions)), labels


def test_the_projection_of_the_stored_features_reproduces_the_stored_points(tmp_path):
    features, labels = clustered_features()
    fitted = data_map.fit(features, labels, labels, "test set", "weights", kept=8)
    path = tmp_path / "m.map.safetensors"
    data_map.save(path, fitted)
    loaded = data_map.load(path)
    assert loaded is not None and loaded.test_set == "test set" and loaded.axes.shape == (8, 40)
    assert np.abs(loaded.place(features) - loaded.points).max() < 1e-2  # the points are stored in float16
    assert loaded.explained.sum() <= 1 and np.all(np.diff(loaded.explained) <= 0)
    # The map's two axes tell the three clusters apart.
    centres = np.stack([loaded.points[labels == k].mean(0) for k in range(3)])
    spread = max(loaded.points[labels == k].std(0).max() for k in range(3))
    assert min(np.linalg.norm(centres[a] - centres[b]) for a, b in [(0, 1), (0, 2), (1, 2)]) > 2 * spread


def test_the_nearest_neighbour_of_a_test_image_is_that_image():
    features, labels = clustered_features()
    fitted = data_map.fit(features, labels, labels, "test set", "weights", kept=16)
    for index in (0, 17, 299):
        nearest, distances = fitted.neighbours(features[index], 5)
        assert nearest[0] == index and distances[0] < 1e-2
        assert np.all(np.diff(distances) >= 0)
        assert np.all(labels[nearest] == labels[index])  # its neighbours are of its cluster


def test_a_damaged_map_says_how_to_make_it_again(tmp_path):
    path = tmp_path / "m.map.safetensors"
    assert data_map.load(path) is None
    path.write_bytes(b"not a safetensors file")
    with pytest.raises(WeightsError, match="training.data_map"):
        data_map.load(path)


def test_a_map_made_for_other_weights_is_refused(tmp_path):
    features, labels = clustered_features()
    fitted = data_map.fit(features, labels, labels, "test set", "a" * 64, kept=8)
    path = tmp_path / "m.map.safetensors"
    data_map.check_fits(fitted, path, "a" * 64, 40)
    with pytest.raises(WeightsError, match="other weights.*training.data_map"):
        data_map.check_fits(fitted, path, "b" * 64, 40)
    with pytest.raises(WeightsError, match="other weights"):
        data_map.check_fits(fitted, path, "a" * 64, 128)  # features of another width


@pytest.mark.parametrize("name", ["mnist_cnn", "vit_cifar10"])
def test_the_shipped_models_place_test_images_on_their_stored_points(shared_data, name):
    import models
    from models import datasets

    classifier = models.load(name, "cpu")
    if classifier.data_map is None:
        pytest.skip(f"{name} has no stored map; make it with uv run python -m training.data_map {name}")
    test = datasets.load(classifier.dataset, "test", shared_data)
    assert test.fingerprint == classifier.data_map.test_set
    features = classifier.read(list(test.images[:20])).features
    assert np.abs(classifier.data_map.place(features) - classifier.data_map.points[:20]).max() < 1e-2
    for index in range(20):
        assert classifier.data_map.neighbours(features[index], 1)[0][0] == index
