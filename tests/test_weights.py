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


def test_shipped_mnist_cnn_reads_real_test_digits(shared_data):
    if "mnist_cnn" not in models.available():
        pytest.fail("weights/mnist_cnn.safetensors is not in the repository")
    test_set = datasets.load("mnist", "test", shared_data)
    classifier = models.load("mnist_cnn", device="cpu")
    picks = np.arange(0, 10000, 500)  # 20 digits spread over the test set
    predicted = classifier.predict([test_set.images[i] for i in picks]).argmax(axis=1)
    assert (predicted == test_set.labels[picks]).sum() >= 19
    assert classifier.card["test"]["accuracy"] >= 0.994
