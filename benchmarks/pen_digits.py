"""How well the MNIST models read real pen-drawn digits of writers held out of their training.

    uv run python benchmarks/pen_digits.py --data-dir ../shared/data [--models mnist_cnn ...] [--quick]

Each held-out writer's digit is drawn on the canvas as the app draws it (models.strokes, the
canvas's own path) at every size from 30% to 90% of the canvas tall and every brush width the
slider offers (3 to 15 hundredths of the canvas side), and every model reads it. Prints, per
model, the accuracy at the default drawing (70% tall, default brush) and a table of size x brush,
then how long strokes_to_mnist takes for one drawing of 200 points.
Goals: >= 99.0% at 70% with the default brush, >= 98.5% everywhere in the table; <= 1 ms.

The held-out writers are those of the model's card (its training's seed and writer count), so
that no figure is measured on a writer the model learned from; a card from before pen training
uses `--writers-held-out` and `--seed`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import models
from models import pendigits
from models.datasets import DEFAULT_ROOT
from models.registry import DRAWN, for_dataset
from models.strokes import BRUSHES, DEFAULT_BRUSH, SLIDER_HUNDREDTHS, strokes_to_mnist

SIZES = [round(0.3 + 0.1 * i, 1) for i in range(7)]
SLIDER = [hundredths / 100 for hundredths in SLIDER_HUNDREDTHS]


def accuracy(classifier: models.Classifier, digits: list[pendigits.PenDigit], size: float, brush: float) -> float:
    images = [strokes_to_mnist(pendigits.to_canvas(digit, size), brush) for digit in digits]
    predicted = np.concatenate([classifier.predict(images[i : i + 500]).argmax(1) for i in range(0, len(images), 500)])
    return float((predicted == np.array([digit.label for digit in digits])).mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--models", nargs="+", default=[m for m in for_dataset(DRAWN.name) if m in models.available()])
    parser.add_argument("--writers-held-out", type=int, default=pendigits.HELD_OUT_WRITERS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="sizes 30/50/70/90%% and brushes 3/7.5/15 only")
    args = parser.parse_args()
    sizes = [0.3, 0.5, 0.7, 0.9] if args.quick else SIZES
    brushes = [BRUSHES[0], DEFAULT_BRUSH, BRUSHES[1]] if args.quick else SLIDER

    digits = pendigits.load(args.data_dir)
    for name in args.models:
        classifier = models.load(name, "cpu")
        writers = pendigits.unseen_by(digits, classifier.card.training, args.writers_held_out, args.seed)
        default = accuracy(classifier, writers, 0.7, DEFAULT_BRUSH)
        print(f"\n{name}: {default:.2%} on {len(writers)} digits of writers {pendigits.writers(writers)}, "
              f"70% tall, default brush")  # fmt: skip
        print("size \\ brush " + "".join(f"{b * 100:>7.1f}" for b in brushes))
        worst = 1.0
        for size in sizes:
            row = [accuracy(classifier, writers, size, brush) for brush in brushes]
            worst = min(worst, *row)
            print(f"{size:>11.0%}  " + "".join(f"{value * 100:>7.2f}" for value in row), flush=True)
        print(f"lowest in the table: {worst:.2%}")

    drawing = [np.column_stack([np.linspace(0.2, 0.8, 200), 0.5 + 0.3 * np.sin(np.linspace(0, 6, 200))])]
    strokes_to_mnist(drawing, DEFAULT_BRUSH)
    started = time.perf_counter()
    for _ in range(500):
        strokes_to_mnist(drawing, DEFAULT_BRUSH)
    print(f"\nstrokes_to_mnist, one drawing of 200 points: {(time.perf_counter() - started) / 500 * 1000:.2f} ms")


if __name__ == "__main__":
    main()
