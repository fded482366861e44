"""A model's answers for every image of its test set, stored beside its weights by the evaluation
that wrote its card, so that the app can browse the model's mistakes without scoring anything.

Probabilities are kept in float16 (200 kB for 10,000 images of 10 classes); the test set they
belong to is named by a fingerprint of its pixels and labels, so that answers are never laid
over a test set that differs from the one evaluated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from models.errors import WeightsError
from models.registry import CACHE_DIR

SCORED = CACHE_DIR / "answers"  # answers the app scored itself, for test sets no evaluation saw


def fingerprint(images: np.ndarray, labels: np.ndarray) -> str:
    """A name for a test set: its (N, H, W, C) uint8 pixels and its labels, in order."""
    digest = hashlib.sha256()
    digest.update(str(images.shape).encode())
    digest.update(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.int64).tobytes())
    return digest.hexdigest()[:32]


@dataclass(frozen=True)
class TestAnswers:
    __test__ = False  # not a pytest test class, whatever its name
    probabilities: np.ndarray  # (N, classes) float32, rows summing to 1 (within float16 rounding)
    test_set: str  # the fingerprint of the test set they answer

    def for_test_set(self, test_set: str) -> np.ndarray | None:
        """The probabilities, if they belong to the test set of this fingerprint; None if it differs."""
        return self.probabilities if test_set == self.test_set else None


def save(path: Path, probabilities: np.ndarray, test_set: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({"probabilities": probabilities.astype(np.float16)}, str(path), metadata={"test_set": test_set})


def load(path: Path, classes: int) -> TestAnswers | None:
    """The stored answers over `classes` classes, or None where the evaluation wrote none; a damaged
    file, or one of a model with other classes, raises WeightsError."""
    if not path.is_file():
        return None
    problem = f"The stored test answers {path} are damaged"
    try:
        with safe_open(str(path), framework="numpy") as file:
            metadata = file.metadata() or {}
            probabilities = file.get_tensor("probabilities") if "probabilities" in file.keys() else None
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"{problem} ({error}); delete it, or write it again with training.evaluate.") from None
    test_set = metadata.get("test_set")
    if probabilities is None or probabilities.ndim != 2 or not isinstance(test_set, str):
        raise WeightsError(
            f"{problem}: it lacks its probabilities or its test set; write it again with training.evaluate."
        )
    if probabilities.shape[1] != classes:
        raise WeightsError(
            f"{path} holds answers over {probabilities.shape[1]} classes, not {classes}: another model's. "
            "Write it again with training.evaluate."
        )
    probabilities = probabilities.astype(np.float32)
    # float16 rounds a probability of 1 up by at most 2^-11.
    if not np.isfinite(probabilities).all() or (probabilities < 0).any() or (probabilities > 1 + 1e-3).any():
        raise WeightsError(f"{problem}: it holds probabilities that are not numbers from 0 to 1.")
    return TestAnswers(probabilities, test_set)


def scored_path(name: str, weights_digest: str, test_set: str) -> Path:
    """Where the answers that model `name`, with the weights of that SHA-256, gave a test set are kept once scored."""
    return SCORED / f"{name}-{weights_digest[:16]}-{test_set[:16]}.safetensors"
