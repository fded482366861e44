"""Where a picture lands among the test set, in what a model has made of it by its last layer.

The evaluation that writes a model's card projects the penultimate features of every test image
onto their first KEPT principal axes and stores that projection beside the weights. Its first two
axes are the map the app draws; all KEPT are the space the nearest neighbours are found in, so the
map needs neither the data set nor the full features. Features are scaled to unit length first:
in these networks the direction of the features says which class, their length mostly how
sure, and neighbours should look alike, not be alike in confidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import SafetensorError, safe_open
from safetensors.numpy import save_file

from models.errors import WeightsError

KEPT = 64  # principal axes kept for the neighbours; the map shows the first two
METHOD = "PCA of the penultimate features scaled to unit length"


def unit_length(features: np.ndarray) -> np.ndarray:
    """(N, D) features, each row scaled to length 1 (a row of zeros stays zero)."""
    features = np.asarray(features, dtype=np.float32)
    return features / np.maximum(np.linalg.norm(features, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class DataMap:
    """A test set placed in a model's feature space: stored points, and the projection that places new ones."""

    mean: np.ndarray  # (D,) the unit-length features' mean
    axes: np.ndarray  # (K, D) principal axes, largest variance first
    explained: np.ndarray  # (K,) the share of the variance along each axis
    coordinates: np.ndarray  # (N, K) each test image in the kept space
    labels: np.ndarray  # (N,) true classes
    predicted: np.ndarray  # (N,) the model's answers
    test_set: str  # the fingerprint of the test set (models.test_answers.fingerprint)
    weights: str  # the SHA-256 of the weight file whose features were mapped

    @property
    def points(self) -> np.ndarray:
        """(N, 2) each test image's place on the map."""
        return self.coordinates[:, :2]

    @property
    def mistakes(self) -> np.ndarray:
        """(N,) bool: the test images the model gets wrong."""
        return self.labels != self.predicted

    def project(self, features: np.ndarray) -> np.ndarray:
        """(M, D) penultimate features -> (M, K) coordinates in the kept space."""
        return (unit_length(features) - self.mean) @ self.axes.T

    def place(self, features: np.ndarray) -> np.ndarray:
        """(M, D) penultimate features -> (M, 2) places on the map."""
        return self.project(features)[:, :2]

    def neighbours(self, features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The k test images nearest to one picture's (D,) features: their indices, nearest first, and distances."""
        distances = np.linalg.norm(self.coordinates - self.project(np.asarray(features)[None])[0], axis=1)
        nearest = np.argpartition(distances, min(k, len(distances) - 1))[:k]
        nearest = nearest[np.argsort(distances[nearest], kind="stable")]
        return nearest, distances[nearest]


def fit(
    features: np.ndarray, labels: np.ndarray, predicted: np.ndarray, test_set: str, weights: str, kept: int = KEPT
) -> DataMap:
    """The map of a test set from its (N, D) penultimate features, by the weights of that SHA-256."""
    unit = unit_length(features)
    mean = unit.mean(axis=0)
    centred = unit - mean
    _, singular, axes = np.linalg.svd(centred, full_matrices=False)
    kept = min(kept, axes.shape[0])
    # An axis's sign is arbitrary: fix it so the same features always give the same map.
    axes = axes[:kept] * np.where(axes[:kept].sum(axis=1, keepdims=True) < 0, -1, 1)
    variance = singular**2
    explained = (variance[:kept] / variance.sum()).astype(np.float32)
    # Stored in float16 (models.data_map.save): the map is made of what the app will read back.
    coordinates = (centred @ axes.T).astype(np.float16).astype(np.float32)
    return DataMap(
        mean.astype(np.float32),
        axes.astype(np.float32),
        explained,
        coordinates,
        np.asarray(labels, dtype=np.int64),
        np.asarray(predicted, dtype=np.int64),
        test_set,
        weights,
    )


NEIGHBOURS = 10
SAMPLE = 500  # test images whose neighbours are compared: every image would take a sort of the whole set each


def neighbour_recall(features: np.ndarray, data_map: DataMap) -> float:
    """The share of each image's NEIGHBOURS nearest by cosine in the full features that are also
    among its nearest in the kept space, over SAMPLE test images: what keeping fewer axes costs."""
    k = NEIGHBOURS
    unit = unit_length(features)
    picks = np.random.default_rng(0).permutation(len(unit))[:SAMPLE]
    found = 0
    for index in picks:
        full = np.argsort(-(unit @ unit[index]), kind="stable")[1 : k + 1]
        distances = np.linalg.norm(data_map.coordinates - data_map.coordinates[index], axis=1)
        near = np.argsort(distances, kind="stable")[1 : k + 1]
        found += len(np.intersect1d(full, near))
    return found / (k * len(picks))


def save(path: Path, data_map: DataMap) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {
        "mean": data_map.mean,
        "axes": data_map.axes,
        "explained": data_map.explained,
        "coordinates": data_map.coordinates.astype(np.float16),
        "labels": data_map.labels.astype(np.uint8),
        "predicted": data_map.predicted.astype(np.uint8),
    }
    metadata = {"test_set": data_map.test_set, "weights": data_map.weights, "method": METHOD}
    save_file(tensors, str(path), metadata=metadata)


def load(path: Path) -> DataMap | None:
    """The stored map, or None where the evaluation wrote none; a damaged file raises WeightsError."""
    if not path.is_file():
        return None
    remedy = "write it again with `uv run python -m training.data_map <model>`"
    try:
        with safe_open(str(path), framework="numpy") as file:
            metadata = file.metadata() or {}
            tensors = {key: file.get_tensor(key) for key in file.keys()}
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsError(f"The data map {path} is damaged ({error}); {remedy}.") from None
    needed = ("mean", "axes", "explained", "coordinates", "labels", "predicted")
    missing = [key for key in needed if key not in tensors] + [
        key for key in ("test_set", "weights") if key not in metadata
    ]
    if missing:
        raise WeightsError(f"The data map {path} lacks {', '.join(missing)}; {remedy}.")
    mean, axes, coordinates = tensors["mean"], tensors["axes"], tensors["coordinates"]
    count = len(coordinates)
    if (
        axes.shape != (coordinates.shape[1], mean.shape[0])
        or not len(tensors["labels"]) == len(tensors["predicted"]) == count
    ):
        raise WeightsError(f"The data map {path} holds arrays whose shapes do not fit together; {remedy}.")
    return DataMap(
        mean.astype(np.float32),
        axes.astype(np.float32),
        tensors["explained"].astype(np.float32),
        coordinates.astype(np.float32),
        tensors["labels"].astype(np.int64),
        tensors["predicted"].astype(np.int64),
        metadata["test_set"],
        metadata["weights"],
    )


def check_fits(data_map: DataMap, path: Path, weights: str, features: int) -> None:
    """WeightsError unless the map was made from these very weights, with features of this width:
    after new training the map would place pictures by features it never saw."""
    if data_map.weights != weights or data_map.mean.shape[0] != features:
        raise WeightsError(
            f"The data map {path} was made for other weights; write it again with "
            "`uv run python -m training.data_map <model>`."
        )
