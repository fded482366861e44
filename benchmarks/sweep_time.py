"""How long the confidence lab's sweep takes: one knob through its 73 steps as one batch
(Classifier.sweep), for every model and knob, the median of five runs on this machine.

    uv run python benchmarks/sweep_time.py [--models ...] [--repeats 5]

Goal: <= 0.5 s for the digit models.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import models
from models.knobs import Knob
from models.preprocess import strokes_to_mnist
from models.registry import available, spec


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=available())
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    seven = strokes_to_mnist([np.array([[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]])])[..., None]
    photo = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    for name in arguments.models:
        classifier = models.load(name, device="cpu")
        picture = seven if spec(name).dataset.channels == 1 else photo
        classifier.sweep(picture, Knob.ROTATE)  # the first batch of a size sets up its kernels
        times = {}
        for knob in Knob:
            runs = []
            for _ in range(arguments.repeats):
                start = time.perf_counter()
                classifier.sweep(picture, knob)
                runs.append(time.perf_counter() - start)
            times[knob] = float(np.median(runs))
        slowest = max(times, key=lambda knob: times[knob])
        print(
            f"{name}: a 73-step sweep in {min(times.values()):.2f}-{max(times.values()):.2f} s "
            f"(slowest: {slowest.title.lower()})"
        )


if __name__ == "__main__":
    main()
