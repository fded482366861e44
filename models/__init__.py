"""visionlab's models: architectures, weights, preprocessing and inference, without Qt.

`available()` and the registry load instantly; `load()` imports torch on first use so
that a GUI can show itself before torch has loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models.errors import DeviceError, ImageError, ModelError, UnknownModelError, WeightsError
from models.registry import MODELS, available, spec

if TYPE_CHECKING:
    import torch

    from models.classifier import Classifier

__all__ = [
    "MODELS",
    "Classifier",
    "DeviceError",
    "ImageError",
    "ModelError",
    "UnknownModelError",
    "WeightsError",
    "available",
    "load",
    "spec",
]


def load(name: str, device: str | torch.device | None = None) -> Classifier:
    """Load a named model onto a device; see models.classifier.load."""
    from models.classifier import load as load_classifier

    return load_classifier(name, device)


def __getattr__(attr: str) -> type:
    if attr == "Classifier":
        from models.classifier import Classifier

        return Classifier
    raise AttributeError(f"module 'models' has no attribute {attr!r}")
