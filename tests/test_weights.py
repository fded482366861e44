import numpy as np
import pytest
import torch

import models
from models import datasets, weights
from models.classifier import build_network
from models.registry import spec


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_save_and_load_round_trip(tmp_path, dtype):
    torch.manual_seed(1)
    original = build_network(spec("mnist_cnn"))
    weights.save(original, tmp_path / "w.safetensors", dtype)
    restored = build_network(spec("mnist_cnn"))
    weights.load_into(restored, tmp_path / "w.safetensors", "retrain")
    for key, value in original.state_dict().items():
        expected = value.to(dtype).to(value.dtype)
        assert torch.equal(restored.state_dict()[key], expected), key


def test_half_precision_file_is_half_the_size(tmp_path):
    network = build_network(spec("mnist_cnn"))
    weights.save(network, tmp_path / "full.safetensors", torch.float32)
    weights.save(network, tmp_path / "half.safetensors", torch.float16)
    full, half = ((tmp_path / name).stat().st_size for name in ("full.safetensors", "half.safetensors"))
    assert half < 0.51 * full


# Issue targets on the 10,000 test images; mnist_cnn's is the paper's CNN's, improved.
TARGETS = {
    "mnist_cnn": 0.994,
    "resnet18_mnist": 0.995,
    "vit_mnist": 0.985,
    "resnet18_cifar10": 0.93,
    "vit_cifar10": 0.80,
}


@pytest.mark.parametrize("name", list(TARGETS))
def test_shipped_weights_reach_their_card_on_real_test_images(shared_data, name):
    if name not in models.available():
        if name == "mnist_cnn":
            pytest.fail("weights/mnist_cnn.safetensors is not in the repository")
        pytest.skip(f"weights/{name}.safetensors is not trained yet")
    classifier = models.load(name, device="cpu")
    test_set = datasets.load(classifier.dataset, "test", shared_data)
    picks = np.arange(0, len(test_set.labels), 20)  # 500 images spread over the test set
    predicted = classifier.predict([test_set.images[i] for i in picks]).argmax(axis=1)
    accuracy = (predicted == test_set.labels[picks]).mean()
    card_accuracy = classifier.card["test"]["accuracy"]
    assert card_accuracy >= TARGETS[name]
    assert accuracy >= card_accuracy - 0.02, f"{accuracy:.3f} on 500 test images, the card says {card_accuracy:.4f}"
