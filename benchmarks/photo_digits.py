"""How well the MNIST models read photos of digits written on paper by writers held out of their training.

    uv run python benchmarks/photo_digits.py --data-dir ../shared/data [--models mnist_cnn ...] [--digits 300]

Each digit is photographed as training/paper_photos.py makes it (dark ink on paper, noise, JPEG)
with pens from a ballpoint's to a marker's width, on evenly lit paper, on paper whose brightness
changes by 60 levels across it, and on paper lying turned on a dark desk or with the desk along one
side (its brightness changing by 30 levels), and goes to each model
the way a user's photo of a digit does (models.preprocess.photo_to_mnist). Prints, per model, a
table of pen width x photo, then how long photo_to_mnist takes for one photo.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Literal

import numpy as np

import models
from models import pendigits
from models.datasets import DEFAULT_ROOT
from models.preprocess import photo_to_mnist
from models.registry import DRAWN, for_dataset
from training.paper_photos import photographed

PENS = [0.015, 0.03, 0.06, 0.1]  # of the digit's height: a ballpoint to a marker
SETTINGS: dict[str, tuple[int, Literal["around", "side"] | None]] = {  # the light's change, where a desk shows
    "even light": (0, None),
    "uneven light": (60, None),
    "on a desk": (30, "around"),
    "desk beside": (30, "side"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--models", nargs="+", default=[m for m in for_dataset(DRAWN.name) if m in models.available()])
    parser.add_argument("--digits", type=int, default=300, help="digits drawn at random from the held-out writers")
    args = parser.parse_args()

    digits = pendigits.load(args.data_dir)
    loaded = [models.load(name, "cpu") for name in args.models]
    # Writers none of the models learned from: the cards' held-out writers, where they agree.
    unseen = pendigits.unseen_by(digits, loaded[0].card.training)
    for classifier in loaded[1:]:
        theirs = set(pendigits.writers(pendigits.unseen_by(digits, classifier.card.training)))
        unseen = [digit for digit in unseen if digit.writer in theirs]
    rng = np.random.default_rng(0)
    picks = [unseen[i] for i in rng.choice(len(unseen), min(args.digits, len(unseen)), replace=False)]
    labels = np.array([digit.label for digit in picks])
    print(f"{len(picks)} digits of writers {pendigits.writers(picks)}, photographed on paper")

    inputs = {}
    for pen in PENS:
        for setting, (light, desk) in SETTINGS.items():
            photos = [photographed(digit, pen, light, rng, desk) for digit in picks]
            inputs[pen, setting] = [photo_to_mnist(photo) for photo in photos]
    for classifier in loaded:
        print(f"\n{classifier.name}\n{'pen':>10}  " + "".join(f"{setting:>14}" for setting in SETTINGS))
        for pen in PENS:
            row = [(classifier.predict(inputs[pen, setting]).argmax(1) == labels).mean() for setting in SETTINGS]
            print(f"{pen:>10.1%}  " + "".join(f"{value * 100:>13.2f}%" for value in row), flush=True)

    for pen in (PENS[0], PENS[-1]):
        photo = photographed(picks[0], pen, 60, rng)
        photo_to_mnist(photo)
        started = time.perf_counter()
        for _ in range(50):
            photo_to_mnist(photo)
        elapsed = (time.perf_counter() - started) / 50 * 1000
        print(f"photo_to_mnist, one {photo.width}x{photo.height} photo, pen {pen:.1%}: {elapsed:.1f} ms")


if __name__ == "__main__":
    main()
