"""A trained model ready to answer: load() builds it from its weight file and card."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import torch

from models import archs, card, data_map, test_answers, unfamiliarity, weights
from models.attack import attack
from models.card import Card
from models.data_map import DataMap
from models.device import resolve
from models.errors import ImageError, WeightsError
from models.explain import explain, feature_maps, filters, first_convolution, occlusion
from models.features import EARLY_STAGES, WithFeatures
from models.knobs import Knob, Settings, sweep_settings
from models.layers import Layers, layers_of
from models.normalize import FromPixels
from models.perturb import perturbed
from models.preprocess import ImageLike, to_native
from models.registry import ModelSpec, spec
from models.summary import as_text, summarize
from models.unfamiliarity import Scoring, Unfamiliarity, scored

log = logging.getLogger(__name__)

SWEEP_STEPS = 73  # a knob's range in steps: 5 degrees apart for a rotation


class Reading(NamedTuple):
    """What one pass through a model gives for a batch of pictures."""

    probabilities: np.ndarray  # (N, classes) float32, as predict gives them
    unfamiliarity: np.ndarray | None  # (N,) float32; None where the card names no method
    unfamiliar: np.ndarray | None  # (N,) bool: the score above the card's threshold
    features: np.ndarray  # (N, D) float32: what the classifier head read (models.features)


class Classifier:
    """A model in eval mode on its device, taking pictures and giving class probabilities."""

    def __init__(
        self, model_spec: ModelSpec, network: torch.nn.Module, card: Card, device: torch.device, weights_digest: str
    ) -> None:
        self.spec = model_spec
        self.weights_digest = weights_digest  # the SHA-256 of the weight file it was loaded from
        self.network = network
        self.from_pixels = FromPixels(network, model_spec.dataset)
        self.with_features = WithFeatures(self.from_pixels, EARLY_STAGES.get(model_spec.arch))
        self.card = card
        self.device = device
        self.single: torch.jit.ScriptModule | None = None  # a traced Scoring; see trace()
        self.test_answers: test_answers.TestAnswers | None = None  # as evaluated; see stored_answers()
        self.unfamiliarity_score: Unfamiliarity | None = None  # as the card names it; see unfamiliarity()
        self.data_map: DataMap | None = None  # its test set in its feature space, as evaluated

    @property
    def temperature(self) -> float:
        """The temperature that calibrated answers divide the logits by (1 where none was fitted)."""
        return self.card.temperature

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.spec.classes

    @property
    def dataset(self) -> str:
        return self.spec.dataset.name

    def pixels(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """Pictures of any size and mode -> the model's native uint8 batch (N, H, W, C) on the device."""
        if isinstance(images, (np.ndarray, str, bytes)) or not isinstance(images, Sequence):
            raise ImageError(
                f"predict takes a sequence of images (a list of PIL images or uint8 arrays), "
                f"got {type(images).__name__}; wrap a single image in a list."
            )
        if len(images) == 0:
            raise ImageError("predict was given an empty list of images.")
        native = np.stack([to_native(image, self.spec.dataset) for image in images])
        return torch.from_numpy(native).to(self.device)

    def to_batch(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """Pictures of any size and mode -> a normalized (N, C, H, W) float batch, the network's input."""
        return self.from_pixels.inputs(self.pixels(images))

    def trace(self) -> bool:
        """Trace and freeze the model for one picture at a time; predict then runs single pictures
        through that graph, and batches through the eager network.

        An eager forward pass takes the GIL back after every operator, so a busy GUI thread (the
        pen, the chart) made ResNet18 three times slower; the frozen graph runs whole in C++
        without the GIL, normalization and the unfamiliarity score included, with batch norm folded
        into the convolutions. Trace after the score is loaded. Says whether it worked; where it
        did not, the eager network simply stays in use. The graph holds its own copy of the
        weights, beside the eager network's.
        """
        dataset = self.spec.dataset
        shape = (1, dataset.image_size, dataset.image_size, dataset.channels)
        example = torch.randint(0, 256, shape, dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
        example = example.to(self.device)
        # torch.jit is deprecated in favour of torch.compile, which on the CPU keeps Python (and so
        # the GIL) between its kernels and needs a C++ compiler on the user's machine. The tracer's
        # doubts concern other batch sizes, which never reach the graph. (Filters are set, not
        # scoped: catch_warnings would touch every thread's warnings.)
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.\w+` is deprecated", category=FutureWarning)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        try:
            scoring = Scoring(self.with_features, self.unfamiliarity_score).eval()
            with torch.inference_mode():
                graph = torch.jit.freeze(torch.jit.trace(scoring, example))
                expected = scoring(example)
                for _ in range(3):  # the first calls of a frozen graph optimize it
                    traced = graph(example)
        except Exception:  # noqa: BLE001 - any failure leaves the eager network in place
            log.info("%s cannot be traced; it stays eager", self.name, exc_info=True)
            return False
        if not all(
            torch.allclose(t.float(), e.float(), rtol=1e-3, atol=1e-4) for t, e in zip(traced, expected, strict=True)
        ):
            log.info("%s stays eager: its traced graph answers differently", self.name)
            return False
        self.single = graph
        return True

    def outputs(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """uint8 pictures (N, H, W, C) on the device -> float32 logits (N, classes) and the
        penultimate features (N, D) their head read, from one pass."""
        logits, features, _ = self._scored(pixels, scores=False)
        return logits, features

    def observed(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """outputs(), and the early stage's statistics (N, 2C) from the same pass: all that an
        unfamiliarity method may learn from."""
        with torch.inference_mode():
            logits, features, stage = self.with_features.with_stage(pixels)
        return logits.float(), features.float(), stage.float()

    def _scored(self, pixels: torch.Tensor, scores: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """outputs(), and with `scores` each picture's unfamiliarity (None where the card names no method)."""
        score = self.unfamiliarity_score if scores else None
        unfamiliarity: torch.Tensor | None
        with torch.inference_mode():
            if self.single is not None and pixels.shape[0] == 1:
                logits, features, unfamiliarity = self.single(pixels)  # the graph scores as it goes
            else:
                logits, features, unfamiliarity = scored(self.with_features, score, pixels)
        kept = unfamiliarity.float() if score is not None and unfamiliarity is not None else None
        return logits.float(), features.float(), kept

    def logits(self, pixels: torch.Tensor) -> torch.Tensor:
        """uint8 pictures (N, H, W, C) on the device -> float32 logits (N, classes)."""
        return self.outputs(pixels)[0]

    def predict(self, images: Sequence[ImageLike], calibrated: bool = False) -> np.ndarray:
        """Class probabilities, (N, classes) float32, each row summing to 1.

        `calibrated` divides the logits by the temperature fitted on the validation split.
        """
        return self._probabilities(self.logits(self.pixels(images)), calibrated)

    def read(self, images: Sequence[ImageLike], calibrated: bool = False) -> Reading:
        """predict's probabilities and, from the same pass, each picture's unfamiliarity and features."""
        logits, features, scores = self._scored(self.pixels(images), scores=True)
        unfamiliarity = None if scores is None else scores.cpu().numpy()
        threshold = self.unfamiliarity_threshold
        unfamiliar = None if unfamiliarity is None or threshold is None else unfamiliarity > threshold
        return Reading(self._probabilities(logits, calibrated), unfamiliarity, unfamiliar, features.cpu().numpy())

    def _probabilities(self, logits: torch.Tensor, calibrated: bool) -> np.ndarray:
        if calibrated:
            logits = logits / self.temperature
        return torch.softmax(logits, dim=1).cpu().numpy()

    @property
    def unfamiliarity_threshold(self) -> float | None:
        """The score above which a picture is unfamiliar, fitted on familiar pictures held out of
        training; None where the card names no method."""
        return self.card.unfamiliarity.threshold if self.card.unfamiliarity is not None else None

    def unfamiliarity(self, images: Sequence[ImageLike]) -> np.ndarray:
        """How unlike the model's training data each picture is, (N,) float32, higher meaning less alike."""
        return self._unfamiliarity_and_flags(images)[0]

    def unfamiliar(self, images: Sequence[ImageLike]) -> np.ndarray:
        """Whether each picture is unlike the training data, (N,) bool: its score above the card's threshold."""
        return self._unfamiliarity_and_flags(images)[1]

    def _unfamiliarity_and_flags(self, images: Sequence[ImageLike]) -> tuple[np.ndarray, np.ndarray]:
        reading = self.read(images)
        if reading.unfamiliarity is None or reading.unfamiliar is None:
            fitted = self.card.unfamiliarity is not None
            problem = "unfamiliarity statistics did not load" if fitted else "card names no unfamiliarity method"
            raise WeightsError(
                f"{self.name}'s {problem}; fit one with `uv run python -m training.unfamiliarity {self.name}`."
            )
        return reading.unfamiliarity, reading.unfamiliar

    def stored_answers(self, test_set: str) -> np.ndarray | None:
        """The (N, classes) probabilities the evaluation stored for the test set of this fingerprint
        (models.test_answers); None where it stored none or evaluated a test set that differs."""
        return self.test_answers.for_test_set(test_set) if self.test_answers is not None else None

    def explain(self, image: ImageLike, target: int | None = None) -> np.ndarray:
        """Where the model looked for `target` (default: its top class), as a map of the native
        input size in 0-1: Grad-CAM for convolutional networks, attention rollout for the ViT."""
        pixels = self.pixels([image])
        if target is None:
            target = int(self.logits(pixels).argmax())
        mirror = self.spec.dataset.mirror_invariant
        return explain(self.network, self.spec.arch, self.from_pixels.inputs(pixels), target, mirror)

    @property
    def fill(self) -> float:
        """The pixel value that shows where a picture was moved away or covered: black around a
        digit, the photos' mean grey."""
        return 0.0 if self.spec.dataset.kind == "digits" else float(np.mean(self.spec.dataset.mean) * 255)

    def occlusion(
        self, image: ImageLike, target: int | None = None, abandon: Callable[[], bool] | None = None
    ) -> np.ndarray:
        """Where covering the picture costs `target` (default: the top class) most, (H, W) in 0-1;
        raises models.errors.Abandoned where `abandon()` says so before it is done."""
        return occlusion(self.predict, to_native(image, self.spec.dataset), target, self.fill, abandon)

    def sweep(
        self, image: ImageLike, knob: Knob, steps: int = SWEEP_STEPS, base: Settings | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """One knob of models.perturb turned through its whole range, the rest as `base` has them:
        the knob's values, and the (steps, classes) probabilities at each, asked as one batch."""
        values, settings = sweep_settings(knob, steps, base)
        pictures = perturbed(to_native(image, self.spec.dataset), settings, fill=self.fill)
        return values, self.predict(list(pictures))

    def attack(self, image: ImageLike, target: int | None = None, epsilon: float = 0.1) -> np.ndarray:
        """An adversarial picture (models.attack): the image in the model's native form (uint8,
        H x W x channels), changed by at most epsilon x 255 in any pixel, that the model takes for
        `target`, or for any class but its own answer where `target` is None."""
        if not 0 <= epsilon <= 1:
            raise ValueError(f"epsilon is a share of the pixel range, from 0 to 1; got {epsilon}.")
        if target is not None and not 0 <= target < len(self.classes):
            raise ValueError(f"{self.name} has classes 0 to {len(self.classes) - 1}; got target {target}.")
        return attack(self.from_pixels, to_native(image, self.spec.dataset), target, epsilon)

    def layer_summary(self) -> str:
        """Every layer's type, output shape and parameters, as a table in plain text."""
        # A fresh copy: the summary's hooks would also record passes that another thread makes
        # through the loaded network meanwhile.
        network = archs.build_network(self.spec).eval()
        dataset = self.spec.dataset
        layers = summarize(network, (dataset.channels, dataset.image_size, dataset.image_size))
        return as_text(layers, weights.parameter_count(network))

    def layers(self, image: ImageLike) -> Layers:
        """The picture on its way through the network: each stage's most active feature maps, or
        each transformer layer's attention (models.layers)."""
        return layers_of(self.network, self.spec.arch, self.to_batch([image]))

    def first_layer(self, image: ImageLike | None = None) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The first convolution's filters, and its responses to `image` where one is given;
        None for a network without convolutions."""
        if first_convolution(self.network) is None:
            return None
        maps = None if image is None else feature_maps(self.network, self.to_batch([image]))
        return filters(self.network), maps

    def __repr__(self) -> str:
        return f"Classifier({self.name!r}, device={self.device})"


def load(name: str, device: str | torch.device | None = None) -> Classifier:
    """Load a named model from weights/ onto a device (detected when None)."""
    model_spec = spec(name)
    target = resolve(device)
    hint = model_spec.train_command()
    network = archs.build_network(model_spec)
    weights_digest = weights.load_into(network, model_spec.weight_path, hint)
    model_card = card.read(model_spec.card_path, hint)
    card.check_belongs(model_card, model_spec)
    if model_card.storage is not None:
        weights.check_digest(model_spec.weight_path, weights_digest, model_card.storage.sha256, hint)
    network.eval().to(target)
    if model_spec.arch in archs.CHANNELS_LAST:
        network.to(memory_format=torch.channels_last)
    classifier = Classifier(model_spec, network, model_card, target, weights_digest)
    try:
        classifier.test_answers = test_answers.load(model_spec.answers_path, len(model_spec.dataset.classes))
    except WeightsError:
        # The model answers well without them; its mistakes are then scored when browsed.
        log.warning("%s: its stored test answers cannot be used", name, exc_info=True)
    try:
        stored = data_map.load(model_spec.map_path)
        if stored is not None:
            width = classifier.with_features.head.in_features
            data_map.check_fits(stored, model_spec.map_path, weights_digest, width)
        classifier.data_map = stored
    except WeightsError:
        # Only the map and the nearest neighbours are missing then.
        log.warning("%s: its data map cannot be used", name, exc_info=True)
    if model_card.unfamiliarity is not None:
        try:
            score = unfamiliarity.load(model_spec.unfamiliarity_path, model_card.unfamiliarity.method)
            dataset = model_spec.dataset
            blank = torch.zeros((1, dataset.image_size, dataset.image_size, dataset.channels), dtype=torch.uint8)
            score = score.to(target)  # beside the network, where the check runs it
            unfamiliarity.check_fits(score, model_spec.unfamiliarity_path, classifier.observed(blank.to(target)))
            classifier.unfamiliarity_score = score
        except WeightsError:
            # The model answers well without it; it only cannot say when a picture is unfamiliar.
            log.warning("%s: its unfamiliarity statistics cannot be used", name, exc_info=True)
    return classifier
