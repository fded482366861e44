"""Unfamiliarity: every method separates a known outlier cluster, thresholds flag the share asked
for, what a method learned survives its file, and the shipped models flag scribbles but not digits."""

import gc
import weakref

import numpy as np
import pytest
import torch
from torch import nn

import models
from models import features as features_module
from models import unfamiliarity
from models.card import UnfamiliarSet
from models.errors import WeightsError
from models.features import WithFeatures, stage_statistics
from models.normalize import FromPixels
from models.registry import CIFAR10, MNIST, DatasetSpec
from models.strokes import strokes_to_mnist
from tests.conftest import SEVEN
from training import outliers
from training import unfamiliarity as fitting
from training.metrics import auroc

FEATURE_METHODS = ["mahalanobis", "nearest-neighbour"]
STAGE_METHODS = ["mahalanobis+early-stage", "nearest-neighbour+early-stage"]


def clusters(seed: int, count: int, centre_shift: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Three tight clusters of 16-dimensional ReLU-like features, one per class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count)
    centres = np.abs(np.random.default_rng(99).normal(0, 3, (3, 16)))
    features = np.maximum(centres[labels] + centre_shift + rng.normal(0, 0.5, (count, 16)), 0)
    return torch.tensor(features, dtype=torch.float32), torch.tensor(labels)


def logits_of(features: torch.Tensor) -> torch.Tensor:
    return features[:, :3]


def stage_of(features: torch.Tensor, shift: float = 0.0) -> torch.Tensor:
    """Early-stage statistics that follow the features: half their width, moved by `shift`."""
    return features[:, :8] * 0.5 + shift


@pytest.mark.parametrize("name", FEATURE_METHODS)
def test_a_feature_method_separates_an_outlier_cluster(name):
    train, labels = clusters(0, 3000)
    held_out, _ = clusters(1, 1000)
    outliers_, _ = clusters(2, 500, centre_shift=4.0)
    score = unfamiliarity.method(name)
    score.fit(train, labels)
    familiar = score.score(logits_of(held_out), held_out).numpy()
    strange = score.score(logits_of(outliers_), outliers_).numpy()
    assert auroc(familiar, strange) > 0.99
    threshold = unfamiliarity.threshold_for(familiar, 0.05)
    assert (familiar > threshold).mean() == pytest.approx(0.05, abs=0.002)
    assert (strange > threshold).mean() > 0.95


def test_the_nearest_neighbour_keeps_unit_prototypes_that_cover_the_training_features():
    train, labels = clusters(0, 3000)
    score = unfamiliarity.method("nearest-neighbour")
    score.fit(train, labels)
    bank = score.state()["bank"].float()
    assert bank.shape == (1000, 16)  # fewer than the pictures it learned from
    assert torch.allclose(bank.norm(dim=1), torch.ones(1000), atol=1e-3)
    # Every training feature lies close to a prototype: closer than a feature of another cluster.
    assert score.score(logits_of(train), train).max() < 0.03
    assert score.score(logits_of(train), train + torch.tensor([8.0] + [0.0] * 15)).min() > 0.04


def test_the_logit_methods_score_doubt():
    sure = torch.tensor([[10.0, 0.0, 0.0]])
    torn = torch.tensor([[1.0, 1.0, 0.0]])
    for name in ("max-softmax", "energy"):
        score = unfamiliarity.method(name)
        assert score.score(torn, torn) > score.score(sure, sure), name


@pytest.mark.parametrize("name", STAGE_METHODS)
def test_an_early_stage_method_flags_strangers_seen_early_and_strangers_seen_late(name):
    """Outliers whose penultimate features look familiar but whose early statistics do not, and
    the other way round: the sum catches both, where the late part alone misses the first."""
    train, labels = clusters(0, 3000)
    held_out, _ = clusters(1, 1000)
    early_strangers = clusters(5, 500)[0], stage_of(clusters(6, 500)[0], shift=4.0)
    late_strangers = clusters(7, 500, centre_shift=8.0)[0], stage_of(clusters(8, 500)[0])
    score = unfamiliarity.method(name)
    score.fit(train, labels, stage_of(train))
    familiar = score.score(logits_of(held_out), held_out, stage_of(held_out)).numpy()
    late_only = unfamiliarity.method(name.removesuffix("+early-stage"))
    late_only.fit(train, labels)
    missed = late_only.score(logits_of(early_strangers[0]), early_strangers[0]).numpy()
    assert auroc(late_only.score(logits_of(held_out), held_out).numpy(), missed) < 0.7
    for features, stage in (early_strangers, late_strangers):
        strange = score.score(logits_of(features), features, stage).numpy()
        assert auroc(familiar, strange) > 0.99
    with pytest.raises(ValueError, match="with_stage"):
        score.score(logits_of(held_out), held_out)


@pytest.mark.parametrize("name", FEATURE_METHODS + STAGE_METHODS)
def test_what_a_method_learned_survives_its_file(tmp_path, name):
    train, labels = clusters(0, 500)
    stage = clusters(1, 500)[0]
    score = unfamiliarity.method(name)
    score.fit(train, labels, stage)
    path = tmp_path / "stats.safetensors"
    unfamiliarity.save(path, score)
    again = unfamiliarity.load(path, name)
    # Equal to the rounding of the matrix products, whose kernels may differ with the memory they read.
    assert torch.allclose(
        again.score(logits_of(train), train, stage), score.score(logits_of(train), train, stage), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("name", ["mahalanobis", "mahalanobis+early-stage"])
def test_statistics_of_features_of_another_width_are_refused(tmp_path, name):
    train, labels = clusters(0, 500)
    stage = clusters(1, 500)[0]
    score = unfamiliarity.method(name)
    score.fit(train, labels, stage)
    logits = logits_of(train[:1])
    unfamiliarity.check_fits(score, tmp_path, (logits, train[:1], stage[:1]))
    with pytest.raises(WeightsError, match="other weights.*training.unfamiliarity"):
        unfamiliarity.check_fits(score, tmp_path, (logits, torch.zeros(1, 17), stage[:1]))
    if score.reads_stage:
        with pytest.raises(WeightsError, match="other weights"):
            unfamiliarity.check_fits(score, tmp_path, (logits, train[:1], torch.zeros(1, 17)))


def test_a_file_of_another_method_or_none_at_all_is_refused_with_the_fix(tmp_path):
    train, labels = clusters(0, 500)
    score = unfamiliarity.method("mahalanobis")
    score.fit(train, labels)
    path = tmp_path / "stats.safetensors"
    unfamiliarity.save(path, score)
    with pytest.raises(WeightsError, match="training.unfamiliarity"):
        unfamiliarity.load(path, "nearest-neighbour")
    with pytest.raises(WeightsError, match="missing"):
        unfamiliarity.load(tmp_path / "none.safetensors", "mahalanobis")
    assert unfamiliarity.load(tmp_path / "none.safetensors", "energy").name == "energy"  # learns nothing
    with pytest.raises(ValueError, match="methods are"):
        unfamiliarity.method("vibes")


def test_auroc_counts_ties_as_half():
    assert auroc(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 1.0
    assert auroc(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 0.0
    assert auroc(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0.5


def test_features_are_what_the_head_reads_with_the_logits_of_the_same_pass():
    torch.manual_seed(0)
    network = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 12), nn.ReLU(), nn.Linear(12, 10)).eval()
    pixels = torch.randint(0, 256, (4, 28, 28, 1), dtype=torch.uint8)
    from_pixels = FromPixels(network, MNIST)
    logits, features = WithFeatures(from_pixels)(pixels)
    expected = network[:3](from_pixels.inputs(pixels))
    assert torch.allclose(features, expected)
    assert torch.allclose(logits, from_pixels(pixels))
    # Observed, not edited: what reaches the head in a later call of the network is not kept.
    later: list[weakref.ref[torch.Tensor]] = []
    network[2].register_forward_hook(lambda _module, _inputs, output: later.append(weakref.ref(output)))
    network(from_pixels.inputs(pixels))
    gc.collect()
    assert later and later[0]() is None


def conv_model(dataset: DatasetSpec, count: int) -> tuple[nn.Sequential, FromPixels, torch.Tensor]:
    """A network of one 3x3 convolution to three maps and a head, and `count` random pictures of `dataset`."""
    torch.manual_seed(0)
    side, channels = dataset.image_size, dataset.channels
    network = nn.Sequential(nn.Conv2d(channels, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * (side - 2) ** 2, 10))
    pixels = torch.randint(0, 256, (count, side, side, channels), dtype=torch.uint8)
    return network.eval(), FromPixels(network, dataset), pixels


def test_the_early_stage_statistics_are_each_channels_mean_and_spread_from_the_same_pass(monkeypatch):
    network, from_pixels, pixels = conv_model(MNIST, 4)
    logits, features, stage = WithFeatures(from_pixels, "1").with_stage(pixels)
    maps = network[:2](from_pixels.inputs(pixels))
    assert stage.shape == (4, 6)
    assert torch.allclose(stage[:, :3], maps.mean((2, 3)))
    assert torch.allclose(stage[:, 3:], maps.flatten(2).std(2, correction=0), atol=1e-6)
    assert torch.allclose(logits, from_pixels(pixels))
    with monkeypatch.context() as patched:  # observed, not edited: a later call of the network works out no statistics
        patched.setattr(features_module, "stage_statistics", lambda output: pytest.fail("the stage is still observed"))
        network(from_pixels.inputs(pixels))
    tokens = torch.arange(24.0).reshape(1, 4, 6)  # (N, tokens, channels): over the tokens
    assert torch.allclose(stage_statistics(tokens)[0, :6], tokens[0].mean(0))


def test_a_mirror_averaged_model_observes_the_mean_of_both_views_statistics():
    network, from_pixels, pixels = conv_model(CIFAR10, 2)
    _, _, stage = WithFeatures(from_pixels, "1").with_stage(pixels)
    inputs = from_pixels.inputs(pixels)
    views = [stage_statistics(network[:2](view)) for view in (inputs, inputs.flip(-1))]
    assert torch.allclose(stage, (views[0] + views[1]) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="no module 'layer9'"):
        WithFeatures(from_pixels, "layer9")


def test_mahalanobis_scores_a_picture_alone_as_in_a_batch_and_refuses_a_damaged_precision(tmp_path):
    train, labels = clusters(0, 500)
    score = unfamiliarity.method("mahalanobis")
    score.fit(train, labels)
    batch = score.score(logits_of(train[:100]), train[:100])
    alone = torch.cat([score.score(logits_of(train[i : i + 1]), train[i : i + 1]) for i in range(100)])
    assert torch.allclose(batch, alone, rtol=1e-6)
    offsets = train[:5, None, :] - score.state()["means"][None]
    exact = torch.einsum("ncd,de,nce->nc", offsets, score.state()["precision"], offsets).min(dim=1).values
    assert torch.allclose(score.score(logits_of(train[:5]), train[:5]), exact, rtol=1e-4)
    path = tmp_path / "stats.safetensors"
    damaged = unfamiliarity.method("mahalanobis")
    damaged.means, damaged.precision = score.state()["means"], -torch.eye(16)  # no precision is negative
    unfamiliarity.save(path, damaged)
    with pytest.raises(WeightsError, match="damaged"):
        unfamiliarity.load(path, "mahalanobis")


@pytest.mark.parametrize("name", FEATURE_METHODS + STAGE_METHODS)
def test_the_traced_graph_scores_a_picture_as_the_eager_score_does(install_untrained, tmp_path, name):
    install_untrained("mnist_cnn")
    classifier = models.load("mnist_cnn", "cpu")
    pictures = torch.randint(0, 256, (60, 28, 28, 1), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    score = unfamiliarity.method(name)
    _, features, stage = classifier.observed(pictures)
    score.fit(features, torch.arange(60) % 10, stage)
    classifier.unfamiliarity_score = score
    eager = classifier.read(list(pictures[:3].numpy()))  # a batch: the eager network, scored after it
    assert classifier.trace()  # the score is traced into the graph with the network
    for index in range(3):
        single = classifier.read([pictures[index].numpy()])
        assert single.unfamiliarity is not None and eager.unfamiliarity is not None
        assert single.unfamiliarity[0] == pytest.approx(eager.unfamiliarity[index], rel=1e-3, abs=1e-4)
        assert np.allclose(single.features[0], eager.features[index], rtol=1e-3, atol=1e-4)
    classifier.unfamiliarity_score = None
    assert classifier.read([pictures[0].numpy()]).unfamiliarity is None  # no method, no score


@pytest.fixture(scope="module")
def digits():
    return models.load("mnist_cnn", device="cpu")


def test_the_shipped_digit_model_flags_scribbles_but_not_a_drawn_seven(digits):
    seven = strokes_to_mnist(SEVEN)[..., None]
    assert not digits.unfamiliar([seven])[0]
    scribbled = outliers.scribbles(40, seed=5)[..., None]
    flagged = digits.unfamiliar(list(scribbled))
    assert flagged.dtype == bool and flagged.shape == (40,)
    assert flagged.mean() >= 0.75
    scores = digits.unfamiliarity(list(scribbled))
    assert scores.dtype == np.float32 and np.array_equal(scores > digits.unfamiliarity_threshold, flagged)


def test_the_shipped_digit_model_rarely_flags_pen_digits_of_unseen_writers(digits, shared_data):
    from models import pendigits
    from training import pen_data

    unseen = pendigits.unseen_by(pendigits.load(shared_data), digits.card.training)
    pictures, _ = pen_data.render(unseen[::5], 0, 0)
    assert digits.unfamiliar(list(pictures)).mean() <= 0.08


def test_the_chosen_method_keeps_the_thresholds_promise_before_it_tells_strangers_apart():
    def measured(digits_flagged: float, lowest_auroc: float) -> fitting.Measured:
        strangers = {"noise": UnfamiliarSet(100, lowest_auroc, 0.9), "letters": UnfamiliarSet(100, 0.99, 0.95)}
        familiar = {"test": 0.04, "digits": digits_flagged}
        return fitting.Measured(unfamiliarity.method("energy"), 0.0, familiar, strangers)

    assert fitting.best({"sharp": measured(0.075, 0.97), "kept": measured(0.04, 0.96)}) == "kept"
    assert fitting.best({"sharp": measured(0.075, 0.97), "blunt": measured(0.08, 0.90)}) == "sharp"  # none keeps it
    assert fitting.best({"sharp": measured(0.03, 0.97), "kept": measured(0.04, 0.96)}) == "sharp"
