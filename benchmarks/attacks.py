"""Targeted adversarial pictures (Classifier.attack) on test pictures: how often each model is fooled
into answering a class chosen at random, and how long each picture takes on this machine.

    uv run python benchmarks/attacks.py --data-dir ../shared/data [--pictures 200] [--models ...]

Epsilon is each dataset's attack_levels (models/registry.py): 0.2 of the pixel range (51/255) for the
digit models and 8/255 for the photo models.
Goals: >= 95% fooled, <= 1.5 s per picture, for every model.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import models
from models import datasets
from models.registry import available, spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--pictures", type=int, default=200)
    parser.add_argument("--models", nargs="+", default=available())
    arguments = parser.parse_args()
    for name in arguments.models:
        classifier = models.load(name, device="cpu")
        dataset = spec(name).dataset
        epsilon = dataset.attack_levels / 255
        test_set = datasets.load(dataset.name, "test", arguments.data_dir)
        rng = np.random.default_rng(0)
        chosen = rng.choice(len(test_set.labels), arguments.pictures, replace=False)
        fooled, seconds = 0, []
        for index in chosen:
            picture, label = test_set.images[index], int(test_set.labels[index])
            target = int((label + rng.integers(1, 10)) % 10)
            start = time.perf_counter()
            fooling = classifier.attack(picture, target=target, epsilon=epsilon)
            seconds.append(time.perf_counter() - start)
            fooled += int(classifier.predict([fooling])[0].argmax()) == target
        print(
            f"{name}: epsilon {dataset.attack_levels}/255, {fooled / len(chosen) * 100:.1f}% of "
            f"{len(chosen)} test pictures taken for a random other class; "
            f"{np.mean(seconds):.2f} s per picture on average, {np.max(seconds):.2f} s at most"
        )


if __name__ == "__main__":
    main()
