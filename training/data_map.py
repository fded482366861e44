"""Place a model's test set in its penultimate features and store the map beside its weights.

    uv run python -m training.data_map mnist_cnn --data-dir ../shared/data

training.evaluate writes the map with the card; this writes it again for shipped weights,
without measuring anything else.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

import models
from models import card, data_map, datasets, test_answers
from models.datasets import DEFAULT_ROOT
from models.errors import ModelError
from models.features import WithFeatures, in_batches
from models.normalize import FromPixels
from models.registry import ModelSpec


def write(network: nn.Module, model_spec: ModelSpec, pictures: np.ndarray, labels: np.ndarray, path: Path,
          weights: str, device: torch.device) -> card.FeatureMap:  # fmt: skip
    """Map the test set's (N, H, W, C) uint8 pictures as the app reads them, by the network of the
    weight file whose SHA-256 is `weights`; write the map to `path`, and return the card's entry for it."""
    with_features = WithFeatures(FromPixels(network, model_spec.dataset)).eval()
    logits, features = in_batches(with_features, pictures, device)
    test_set = test_answers.fingerprint(pictures, labels)
    mapped = data_map.fit(features.numpy(), labels, logits.argmax(1).numpy(), test_set, weights)
    data_map.save(path, mapped)
    return card.FeatureMap(
        method=data_map.METHOD,
        test_images=len(labels),
        axes_kept=mapped.axes.shape[0],
        variance_shown=round(float(mapped.explained[:2].sum()), 4),
        variance_kept=round(float(mapped.explained.sum()), 4),
        neighbour_recall=round(data_map.neighbour_recall(features.numpy(), mapped), 4),
        bytes=path.stat().st_size,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a registered model name, e.g. mnist_cnn")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT, help="folder holding the datasets")
    args = parser.parse_args(argv)
    try:
        classifier = models.load(args.model, "cpu")
        test = datasets.load(classifier.spec.dataset.name, "test", args.data_dir)
    except (ModelError, ValueError) as error:
        sys.exit(str(error))
    spec = classifier.spec
    network, digest = classifier.network, classifier.weights_digest
    entry = write(network, spec, test.images, test.labels, spec.map_path, digest, classifier.device)
    card.write(spec.card_path, replace(classifier.card, feature_map=entry, schema_version=card.SCHEMA_VERSION))
    print(
        f"{args.model}: wrote {spec.map_path} ({entry.bytes / 1e6:.2f} MB); the map's two axes show "
        f"{entry.variance_shown:.1%} of the variance, the {entry.axes_kept} kept {entry.variance_kept:.1%}; "
        f"neighbour recall {entry.neighbour_recall:.1%}"
    )


if __name__ == "__main__":
    main()
