"""Fit a model's unfamiliarity score, set its threshold, and write both beside its weights.

    uv run python -m training.unfamiliarity mnist_cnn --data-dir ../shared/data [--method mahalanobis]

Every method of models.unfamiliarity learns from training pictures' penultimate features, and
those that read it from an early stage's statistics too (for the digit models, training pen
writers drawn as the canvas draws them join MNIST's). The threshold is set on
one half of each familiar set held out of training (every other test picture, and for the digit
models half the pen writers held out), so that at most `--flag` of each half is flagged; the other
half measures it.
Every method is then scored against the unfamiliar sets of training.outliers, and the card records
the chosen method, its threshold and figures, and every method's AUROC: what the choice rested on.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

import models
from models import card, datasets, pendigits, unfamiliarity
from models.card import UnfamiliarSet
from models.classifier import Classifier
from models.datasets import DEFAULT_ROOT
from models.errors import ModelError
from models.features import in_batches
from models.registry import DRAWN
from training import metrics, outliers, pen_data

FIT_PICTURES = 12_000  # training pictures the methods learn from: enough for a 512 x 512 covariance
# Set on the held-out halves at 4%, the threshold flags at most 5% of the other halves with room to spare.
FLAG = 0.04
PROMISE = 0.05  # the most of any familiar checking half a chosen method may flag


Outputs = tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # logits, features, the early stage's statistics


def outputs(classifier: Classifier, pictures: np.ndarray) -> Outputs:
    """What every method may read of (N, H, W, C) uint8 pictures, as the app computes it."""
    logits, features, stage = in_batches(classifier.observed, pictures, classifier.device)
    return logits, features, stage


PEN_DRAWN = "pen-drawn digits"  # the familiar set of the digit models that is halved by writer
Halves = tuple[np.ndarray, np.ndarray]  # familiar pictures held out of training: (setting, checking)


def familiar_sets(classifier: Classifier, root: Path) -> tuple[np.ndarray, np.ndarray, dict[str, Halves]]:
    """(training pictures to learn from, their labels, {name: familiar pictures held out of training,
    halved}). One half sets the threshold, the other checks it: the test set's every other picture,
    and the pen digits' writers, half of them each, so that the check is on writers the threshold never saw."""
    train = datasets.load(classifier.dataset, "train", root)
    picks = np.random.default_rng(0).permutation(len(train))[:FIT_PICTURES]
    pictures, labels = train.images[picks], train.labels[picks]
    test = datasets.load(classifier.dataset, "test", root).images
    held_out = {f"{train.spec.title} test": (test[0::2], test[1::2])}
    if classifier.spec.dataset is DRAWN:
        digits = pendigits.load(root)
        unseen = pendigits.unseen_by(digits, classifier.card.training)
        unseen_writers = set(pendigits.writers(unseen))
        seen = [digit for digit in digits if digit.writer not in unseen_writers]
        drawn, drawn_labels = pen_data.render(seen, 0, 0)
        pictures, labels = np.concatenate([pictures, drawn]), np.concatenate([labels, drawn_labels])
        setting, checking = pendigits.split_writers(unseen, len(unseen_writers) // 2, 0)
        held_out[PEN_DRAWN] = (pen_data.render(setting, 0, 0)[0], pen_data.render(checking, 0, 0)[0])
    return pictures, labels, held_out


def unfamiliar_sets(classifier: Classifier, root: Path) -> dict[str, np.ndarray]:
    photos = datasets.load("cifar10", "test", root).images
    if classifier.spec.dataset.kind == "digits":
        return {name: make() for name, make in outliers.for_digit_models(photos)}
    digits = datasets.load("mnist", "test", root).images[..., 0]
    return {name: make() for name, make in outliers.for_photo_models(photos, digits)}


class Measured(NamedTuple):
    """One method fitted and measured: its score, threshold, familiar shares flagged and unfamiliar sets' figures."""

    score: unfamiliarity.Unfamiliarity
    threshold: float
    familiar_flagged: dict[str, float]
    unfamiliar: dict[str, UnfamiliarSet]


def measure(
    name: str,
    train: Outputs,
    labels: np.ndarray,
    familiar: dict[str, list[Outputs]],
    unfamiliar: dict[str, Outputs],
    flag: float,
) -> Measured:
    """Fit method `name` to the training features, set its threshold on the first half of each
    familiar set, and measure it on the second halves and on every unfamiliar set."""
    score = unfamiliarity.method(name)
    score.fit(train[1], torch.from_numpy(labels), train[2])
    scored = {set_name: [score.score(*half).numpy() for half in pair] for set_name, pair in familiar.items()}
    threshold = max(unfamiliarity.threshold_for(setting, flag) for setting, _ in scored.values())
    checking = np.concatenate([check for _, check in scored.values()])
    results = {}
    for set_name, output in unfamiliar.items():
        scores = score.score(*output).numpy()
        flagged = float((scores > threshold).mean())
        results[set_name] = UnfamiliarSet(len(scores), metrics.auroc(checking, scores), flagged)
    familiar_flagged = {set_name: float((check > threshold).mean()) for set_name, (_, check) in scored.items()}
    return Measured(score, threshold, familiar_flagged, results)


def best(every: dict[str, Measured]) -> str:
    """The method whose AUROC on the unfamiliar set it tells apart least well is highest (no kind of
    picture is favoured), among those that keep the threshold's promise on the checking halves
    (at most PROMISE of each flagged) where any does: a score that flags the user's own digits
    teaches that warnings mean nothing."""
    keeping = [name for name, measured in every.items() if max(measured.familiar_flagged.values()) <= PROMISE]
    return max(keeping or every, key=lambda name: min(result.auroc for result in every[name].unfamiliar.values()))


def report(measured: Measured) -> None:
    shares = ", ".join(f"{name} {share:.1%}" for name, share in measured.familiar_flagged.items())
    print(f"\n{measured.score.name}: threshold {measured.threshold:.4g}; familiar flagged {shares}")
    for name, result in measured.unfamiliar.items():
        print(f"  {name:<16} {result.pictures:>5} pictures  AUROC {result.auroc:.4f}  flagged {result.flagged:.1%}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a registered model name, e.g. mnist_cnn")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT, help="folder holding the datasets")
    parser.add_argument(
        "--method",
        choices=["best", *sorted(unfamiliarity.METHODS)],
        default="best",
        help=f"the method the card names; best: of those that flag at most {PROMISE * 100:g}%% of familiar "
        "pictures, the one whose lowest AUROC over the unfamiliar sets is highest",
    )
    parser.add_argument("--flag", type=float, default=FLAG, help="share of held-out familiar pictures to flag")
    args = parser.parse_args(argv)
    try:
        classifier = models.load(args.model, "cpu")
        pictures, labels, held_out = familiar_sets(classifier, args.data_dir)
        unfamiliar = unfamiliar_sets(classifier, args.data_dir)
    except (ModelError, ValueError) as error:
        sys.exit(str(error))

    print(f"{args.model}: learning from {len(pictures)} training pictures")
    train = outputs(classifier, pictures)
    familiar = {name: [outputs(classifier, half) for half in pair] for name, pair in held_out.items()}
    strange = {name: outputs(classifier, set_) for name, set_ in unfamiliar.items()}
    every = {name: measure(name, train, labels, familiar, strange, args.flag) for name in unfamiliarity.METHODS}
    for measured in every.values():
        report(measured)

    method = args.method if args.method != "best" else best(every)
    chosen = every[method]
    unfamiliarity.save(classifier.spec.unfamiliarity_path, chosen.score)
    halved = "every other test picture" + ("; half the unseen pen writers" if PEN_DRAWN in held_out else "")
    fitted_on = (
        f"{len(pictures)} training pictures; threshold flags {args.flag:.0%} of one half of each of "
        f"{', '.join(held_out)} ({halved}); figures on the other half"
    )
    methods_auroc = {
        name: {set_name: round(result.auroc, 4) for set_name, result in measured.unfamiliar.items()}
        for name, measured in every.items()
    }
    entry = card.Unfamiliarity(
        method, chosen.threshold, fitted_on, chosen.familiar_flagged, chosen.unfamiliar, methods_auroc
    )
    updated = replace(classifier.card, unfamiliarity=entry, schema_version=card.SCHEMA_VERSION)
    card.write(classifier.spec.card_path, updated)
    print(f"\nwrote {classifier.spec.unfamiliarity_path} and the card's unfamiliarity entry ({method})")


if __name__ == "__main__":
    main()
