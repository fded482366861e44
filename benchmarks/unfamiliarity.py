"""What telling unfamiliar pictures costs, and how well each shipped model does it.

    uv run python benchmarks/unfamiliarity.py [--models mnist_cnn ...] [--repeats 300] [--threads 1 2]

Times, per model and one picture at a time through the traced graph the app uses, the answer
of a copy traced without the score (Classifier.predict) and the answer with its unfamiliarity
score (Classifier.read, the score traced into the graph), in one run, and prints the ratio.
Two ways, since the two copies compete for the caches: turn about, one call of each, and in runs
of RUN calls of one copy as the app calls its one model for every movement of the pen; each at
every torch thread count asked for (the app's inference worker uses 1). Goal: <= 1.2.
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
import torch

import models
from models.classifier import Classifier
from models.unfamiliarity import METHODS

NAME = max(map(len, METHODS))  # the width of the method column: its longest name


RUN = 100  # calls in a row of one copy, measured in runs; the first few of each run warm it


def timed_ms(
    unscored: Classifier, classifier: Classifier, image: np.ndarray, repeats: int, run: int
) -> tuple[float, float]:
    """Median ms of predict without a score and of read with it, `run` calls of each in turn."""
    plain: list[float] = []
    scored: list[float] = []
    for _ in range(max(1, repeats // run)):
        for times, call in ((plain, unscored.predict), (scored, classifier.read)):
            for index in range(run):
                start = time.perf_counter()
                call([image])
                if index >= run // 10:
                    times.append(time.perf_counter() - start)
    return statistics.median(plain) * 1000, statistics.median(scored) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=None, help="default: every model with weights")
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2], help="torch threads within an operator")
    args = parser.parse_args()

    loaded = [models.load(name, "cpu") for name in args.models or models.available()]
    columns = f"{'threads':>7} {'calls':>10} {'predict ms':>10} {'+ score ms':>10} {'ratio':>6}"
    print(f"{'model':<18} {'method':<{NAME}} {columns}")
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
        method = classifier.unfamiliarity_score.name
        for threads in args.threads:
            torch.set_num_threads(threads)
            for _ in range(20):
                classifier.read([image])
                unscored.predict([image])
            for run, calls in ((1, "turn about"), (RUN, "in runs")):
                plain, scored = timed_ms(unscored, classifier, image, args.repeats, run)
                print(
                    f"{classifier.name:<18} {method:<{NAME}} {threads:>7} {calls:>10} "
                    f"{plain:>10.3f} {scored:>10.3f} {scored / plain:>6.2f}",
                    flush=True,
                )

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
