"""What telling unfamiliar pictures costs, and how well each shipped model does it.

    uv run python benchmarks/unfamiliarity.py [--models mnist_cnn ...] [--repeats 300]

Times, per model and one picture at a time through the traced graph the app uses, the answer
of a copy traced without the score (Classifier.predict) and the answer with its unfamiliarity
score (Classifier.read, the score traced into the graph), in one run, alternating, and prints
the ratio. Goal: <= 1.2.
Then prints the figures that `python -m training.unfamiliarity` measured and wrote into each
card: the method, the share of familiar held-out pictures flagged (goal <= 5%), and per
unfamiliar set the AUROC (goal >= 0.98 for digit models, >= 0.95 for photo models) and the
share flagged (goal >= 90% for digit models, >= 80% for photo models); and every method's AUROC.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import models
from models.classifier import Classifier
from models.unfamiliarity import METHODS

NAME = max(map(len, METHODS))  # the width of the method column: its longest name


def timed_ms(unscored: Classifier, classifier: Classifier, image: np.ndarray, repeats: int) -> tuple[float, float]:
    """Median ms of predict without a score and of read with it, measured turn about."""
    plain, scored = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        unscored.predict([image])
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        classifier.read([image])
        scored.append(time.perf_counter() - start)
    return statistics.median(plain) * 1000, statistics.median(scored) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=None, help="default: every model with weights")
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    loaded = [models.load(name, "cpu") for name in args.models or models.available()]
    print(f"{'model':<18} {'method':<{NAME}} {'predict ms':>10} {'+ score ms':>10} {'ratio':>6}")
    for classifier in loaded:
        if classifier.unfamiliarity_score is None:
            print(f"{classifier.name:<18} no unfamiliarity method in its card")
            continue
        classifier.trace()
        unscored = models.load(classifier.name, "cpu")
        unscored.unfamiliarity_score = None
        unscored.trace()
        spec = classifier.spec.dataset
        image = np.random.default_rng(0).integers(0, 256, (spec.image_size, spec.image_size, spec.channels), np.uint8)
        for _ in range(20):
            classifier.read([image])
            unscored.predict([image])
        plain, scored = timed_ms(unscored, classifier, image, args.repeats)
        method = classifier.unfamiliarity_score.name
        print(f"{classifier.name:<18} {method:<{NAME}} {plain:>10.3f} {scored:>10.3f} {scored / plain:>6.2f}")

    for classifier in loaded:
        entry = classifier.card.unfamiliarity
        if entry is None:
            continue
        flagged = ", ".join(f"{name} {share:.1%}" for name, share in entry.familiar_flagged.items())
        print(f"\n{classifier.name}: {entry.method}, threshold {entry.threshold:.4g}; familiar flagged: {flagged}")
        print(f"  {'unfamiliar set':<16} {'pictures':>8} {'AUROC':>7} {'flagged':>8}")
        for name, result in entry.unfamiliar.items():
            print(f"  {name:<16} {result.pictures:>8} {result.auroc:>7.4f} {result.flagged:>8.1%}")
        sets = list(entry.unfamiliar)
        print(f"  {'AUROC by method:':<{NAME + 1}}" + "".join(f"{name[:13]:>14}" for name in sets))
        for method, aurocs in entry.methods_auroc.items():
            print(f"  {method:<{NAME + 1}}" + "".join(f"{aurocs.get(name, float('nan')):>14.4f}" for name in sets))


if __name__ == "__main__":
    main()
