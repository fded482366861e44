"""A trained model ready to answer: load() builds it from its weight file and card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from models import archs, weights
from models.device import resolve
from models.errors import ImageError, WeightsError
from models.explain import explain
from models.normalize import normalize
from models.preprocess import ImageLike, to_native
from models.registry import ModelSpec, spec


class Classifier:
    """A model in eval mode on its device, taking pictures and giving class probabilities."""

    def __init__(self, model_spec: ModelSpec, network: torch.nn.Module, card: dict[str, Any], device: torch.device):
        self.spec = model_spec
        self.network = network
        self.card = card
        self.device = device
        self.temperature = float(card.get("calibration", {}).get("temperature", 1.0))

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.spec.classes

    @property
    def dataset(self) -> str:
        return self.spec.dataset.name

    def to_batch(self, images: Sequence[ImageLike]) -> torch.Tensor:
        """Pictures of any size and mode -> a normalized (N, C, H, W) float batch on the device."""
        if isinstance(images, (np.ndarray, str, bytes)) or not isinstance(images, Sequence):
            raise ImageError(
                f"predict takes a sequence of images (a list of PIL images or uint8 arrays), "
                f"got {type(images).__name__}; wrap a single image in a list."
            )
        if len(images) == 0:
            raise ImageError("predict was given an empty list of images.")
        native = np.stack([to_native(image, self.spec.dataset) for image in images])
        batch = torch.from_numpy(native).to(self.device).permute(0, 3, 1, 2)
        return normalize(batch, self.spec.dataset)

    def logits(self, batch: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return self.network(batch).float()

    def predict(self, images: Sequence[ImageLike], calibrated: bool = False) -> np.ndarray:
        """Class probabilities, (N, classes) float32, each row summing to 1.

        `calibrated` divides the logits by the temperature fitted on the validation split.
        """
        logits = self.logits(self.to_batch(images))
        if calibrated:
            logits = logits / self.temperature
        return torch.softmax(logits, dim=1).cpu().numpy()

    def explain(self, image: ImageLike, target: int | None = None, method: str = "auto") -> np.ndarray:
        """Where the model looked for `target` (default: its top class), as a map of the native
        input size in 0-1: Grad-CAM for convolutional networks, attention rollout for the ViT."""
        batch = self.to_batch([image])
        if target is None:
            target = int(self.logits(batch).argmax())
        return explain(self.network, self.spec.arch, batch, target, method)

    def __repr__(self) -> str:
        return f"Classifier({self.name!r}, device={self.device})"


def build_network(model_spec: ModelSpec) -> torch.nn.Module:
    dataset = model_spec.dataset
    return archs.build(
        model_spec.arch,
        channels=dataset.channels,
        num_classes=len(dataset.classes),
        image_size=dataset.image_size,
        **model_spec.arch_options,
    )


def check_card(model_spec: ModelSpec, card: dict[str, Any]) -> None:
    """The card must describe this very model: a copied or stale file is refused."""
    expected = {"model": model_spec.name, "dataset": model_spec.dataset.name, "classes": list(model_spec.classes)}
    wrong = [key for key, value in expected.items() if card.get(key) != value]
    if wrong:
        found = ", ".join(f"{key}={card.get(key)!r}" for key in wrong)
        raise WeightsError(
            f"The weight card {model_spec.card_path} does not belong to {model_spec.name} ({found}). "
            f"Train it again with: {model_spec.train_command()}"
        )


def load(name: str, device: str | torch.device | None = None) -> Classifier:
    """Load a named model from weights/ onto a device (detected when None)."""
    model_spec = spec(name)
    target = resolve(device)
    hint = model_spec.train_command()
    network = build_network(model_spec)
    weights.load_into(network, model_spec.weight_path, hint)
    card = weights.read_card(model_spec.card_path, f"uv run python -m training.evaluate {name}")
    check_card(model_spec, card)
    network.eval().to(target)
    if model_spec.arch in archs.CHANNELS_LAST:
        network.to(memory_format=torch.channels_last)
    return Classifier(model_spec, network, card, target)
