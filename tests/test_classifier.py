import warnings

import numpy as np
import pytest
import torch
from PIL import Image

import models
from models.errors import DeviceError, ImageError, UnknownModelError, WeightsError


@pytest.fixture
def cnn(install_untrained):
    install_untrained("mnist_cnn")
    return models.load("mnist_cnn", device="cpu")


def images_of_every_kind() -> list:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 255, (40, 60, 3), dtype=np.uint8)
    return [
        Image.fromarray(rgb),
        Image.fromarray(rgb).convert("L"),
        Image.fromarray(rgb).convert("RGBA"),
        Image.fromarray(rgb).convert("P"),
        Image.new("L", (1, 1), 255),
        rng.integers(0, 255, (28, 28), dtype=np.uint8),
        rng.integers(0, 255, (28, 28, 1), dtype=np.uint8),
        rng.integers(0, 255, (300, 200, 3), dtype=np.uint8),
        rng.integers(0, 255, (32, 32, 4), dtype=np.uint8),
    ]


def test_predict_gives_probabilities_for_every_kind_of_image(cnn):
    images = images_of_every_kind()
    probabilities = cnn.predict(images)
    assert probabilities.shape == (len(images), 10)
    assert probabilities.dtype == np.float32
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert (probabilities >= 0).all()


def test_predict_is_deterministic(cnn):
    images = images_of_every_kind()
    assert np.array_equal(cnn.predict(images), cnn.predict(images))


def test_batch_and_single_predictions_agree(cnn):
    images = images_of_every_kind()
    batch = cnn.predict(images)
    singles = np.concatenate([cnn.predict([image]) for image in images])
    assert np.allclose(batch, singles, atol=1e-5)


def test_blank_canvas_can_be_predicted(cnn):
    from models.preprocess import ink_to_mnist

    probabilities = cnn.predict([ink_to_mnist(np.zeros((280, 280)))])
    assert np.isclose(probabilities.sum(), 1, atol=1e-5)


def test_classifier_describes_itself(cnn):
    assert cnn.name == "mnist_cnn"
    assert cnn.classes == tuple("0123456789")
    assert cnn.dataset == "mnist"
    assert cnn.device == torch.device("cpu")
    assert cnn.card.model == "mnist_cnn"


def test_calibrated_probabilities_use_the_card_temperature(install_untrained):
    install_untrained("mnist_cnn", temperature=3.0)
    classifier = models.load("mnist_cnn", device="cpu")
    image = [np.random.default_rng(3).integers(0, 255, (28, 28), dtype=np.uint8)]
    raw, calibrated = classifier.predict(image), classifier.predict(image, calibrated=True)
    softened = raw ** (1 / 3.0)  # softmax(logits / T), from softmax(logits)
    assert np.allclose(calibrated, softened / softened.sum(), atol=1e-5)
    assert calibrated.max() < raw.max()


@pytest.mark.parametrize("name", ["resnet18_cifar10", "vit_cifar10", "vit_mnist"])
def test_every_architecture_predicts(install_untrained, name):
    install_untrained(name)
    classifier = models.load(name, device="cpu")
    assert classifier.predict(images_of_every_kind()[:3]).shape == (3, 10)


@pytest.mark.parametrize("name", ["mnist_cnn", "resnet18_mnist", "vit_mnist", "resnet18_cifar10", "vit_cifar10"])
def test_traced_single_pictures_agree_with_the_network(install_untrained, name):
    install_untrained(name)
    classifier = models.load(name, device="cpu")
    images = images_of_every_kind()
    eager = np.concatenate([classifier.predict([image]) for image in images])
    with warnings.catch_warnings(record=True) as caught:
        assert classifier.trace()
    assert not caught, [str(warning.message) for warning in caught]  # deprecation notes included
    graph, through_graph = classifier.single, []
    classifier.single = lambda pixels: through_graph.append(len(pixels)) or graph(pixels)
    traced = np.concatenate([classifier.predict([image]) for image in images])
    assert through_graph == [1] * len(images)
    assert np.allclose(traced, eager, atol=1e-5)
    assert np.allclose(classifier.predict(images), eager, atol=1e-5)  # batches still go through the network
    assert through_graph == [1] * len(images)
    assert classifier.explain(images[0]).shape == (classifier.spec.dataset.image_size,) * 2


@pytest.mark.parametrize("name", ["resnet18_cifar10", "vit_cifar10", "resnet18_mnist"])
def test_photo_models_answer_and_explain_a_picture_and_its_mirror_image_alike(install_untrained, name):
    install_untrained(name)
    classifier = models.load(name, device="cpu")
    picture = np.random.default_rng(5).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    mirrored = picture[:, ::-1].copy()
    answers = classifier.predict([picture, mirrored])
    with torch.inference_mode():
        alone = [classifier.network(classifier.to_batch([image])) for image in (picture, mirrored)]
    top = int(answers[0].argmax())  # an untrained network's evidence for a class it does not favour may be nowhere
    heat, heat_of_mirrored = classifier.explain(picture, target=top), classifier.explain(mirrored, target=top)
    assert heat.max() == pytest.approx(1.0)
    if classifier.spec.dataset.mirror_invariant:  # the answer, and so its explanation, is the two views' mean
        assert np.allclose(answers[0], answers[1], atol=1e-5)
        assert np.allclose(answers[0], torch.softmax((alone[0] + alone[1]) / 2, 1).numpy(), atol=1e-5)
        assert np.allclose(heat, heat_of_mirrored[:, ::-1], atol=1e-4)
    else:  # a mirrored digit is another picture: a 2 is not an S
        assert not np.allclose(answers[0], answers[1], atol=1e-3)
        assert np.allclose(answers[0], torch.softmax(alone[0], 1).numpy(), atol=1e-5)
        assert not np.allclose(heat, heat_of_mirrored[:, ::-1], atol=1e-2)


def test_available_lists_models_with_weight_files(install_untrained):
    assert models.available() == []
    install_untrained("vit_mnist")
    assert models.available() == ["vit_mnist"]


def test_unknown_model():
    with pytest.raises(UnknownModelError, match="Unknown model 'lenet'.*mnist_cnn"):
        models.load("lenet")


def test_missing_weight_file_names_the_training_command(weights_dir):
    with pytest.raises(WeightsError, match=r"missing.*uv run python -m training mnist_cnn"):
        models.load("mnist_cnn", device="cpu")


def test_truncated_weight_file(install_untrained):
    path = install_untrained("mnist_cnn")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="damaged"):
        models.load("mnist_cnn", device="cpu")


def test_garbage_weight_file(install_untrained):
    path = install_untrained("mnist_cnn")
    path.write_bytes(b"not a safetensors file at all")
    with pytest.raises(WeightsError, match="damaged"):
        models.load("mnist_cnn", device="cpu")


def test_weight_file_of_another_architecture(install_untrained):
    vit = install_untrained("vit_mnist")
    cnn = install_untrained("mnist_cnn")
    cnn.write_bytes(vit.read_bytes())
    with pytest.raises(WeightsError, match="does not fit this architecture"):
        models.load("mnist_cnn", device="cpu")


def test_card_of_another_model(install_untrained, weights_dir):
    install_untrained("mnist_cnn")
    install_untrained("vit_mnist")
    (weights_dir / "mnist_cnn.json").write_text((weights_dir / "vit_mnist.json").read_text())
    with pytest.raises(WeightsError, match="does not belong to mnist_cnn"):
        models.load("mnist_cnn", device="cpu")


def test_weights_of_another_variant_of_the_architecture(install_untrained, weights_dir):
    """A stride-1 ResNet18's weights fit the stride-2 one's shapes; the card tells them apart."""
    import json

    install_untrained("resnet18_mnist")
    card = json.loads((weights_dir / "resnet18_mnist.json").read_text())
    card["architecture"] = {"name": "resnet18"}
    (weights_dir / "resnet18_mnist.json").write_text(json.dumps(card))
    with pytest.raises(WeightsError, match="architecture"):
        models.load("resnet18_mnist", device="cpu")
    card["architecture"] = {"name": "resnet18", "stem_stride": 2}
    (weights_dir / "resnet18_mnist.json").write_text(json.dumps(card))
    assert models.load("resnet18_mnist", device="cpu").name == "resnet18_mnist"


def test_missing_card(install_untrained, weights_dir):
    install_untrained("mnist_cnn")
    (weights_dir / "mnist_cnn.json").unlink()
    with pytest.raises(
        WeightsError, match="card.*missing.*git checkout -- .*mnist_cnn.json.*python -m training mnist_cnn"
    ):
        models.load("mnist_cnn", device="cpu")


@pytest.mark.parametrize(
    "text, said",
    [
        ('{"model": "mnist_cnn",', "cannot be read"),
        ('["mnist_cnn"]', "is not a JSON object"),
        (
            '{"model": "mnist_cnn", "dataset": "mnist", "classes": [], "calibration": {"temperature": 0}}',
            "is damaged: calibration.temperature must be greater than 0, not 0",
        ),
    ],
)
def test_damaged_card(install_untrained, weights_dir, text, said):
    install_untrained("mnist_cnn")
    (weights_dir / "mnist_cnn.json").write_text(text)
    with pytest.raises(WeightsError, match=f"mnist_cnn.json {said}.*python -m training mnist_cnn"):
        models.load("mnist_cnn", device="cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_unavailable_device(install_untrained):
    install_untrained("mnist_cnn")
    with pytest.raises(DeviceError, match="CUDA device is not available.*cpu"):
        models.load("mnist_cnn", device="cuda")


def test_nonsense_device(install_untrained):
    install_untrained("mnist_cnn")
    with pytest.raises(DeviceError, match="not a device name"):
        models.load("mnist_cnn", device="abacus")


def test_a_device_is_named_in_either_case_as_the_device_menu_writes_it(install_untrained):
    install_untrained("mnist_cnn")
    assert models.load("mnist_cnn", device="CPU").device.type == "cpu"


@pytest.mark.parametrize(
    "bad",
    [
        Image.new("L", (5, 5)),
        np.zeros((28, 28), np.uint8),
        "digit.png",
        [],
        [np.zeros((28, 28), np.float64)],
        [b"\x89PNG"],
    ],
    ids=["bare image", "bare array", "path", "empty list", "float array", "bytes"],
)
def test_predict_refuses_what_is_not_a_list_of_images(cnn, bad):
    with pytest.raises(ImageError):
        cnn.predict(bad)


@pytest.mark.parametrize("name", ["mnist_cnn", "vit_mnist"])
def test_classifier_explains_its_answer(install_untrained, name):
    install_untrained(name)
    classifier = models.load(name, device="cpu")
    heat = classifier.explain(np.random.default_rng(0).integers(0, 255, (40, 40), dtype=np.uint8), target=4)
    assert heat.shape == (28, 28) and 0 <= heat.min() and heat.max() <= 1
