"""How much Classifier.predict adds to a bare forward pass, one image at a time.

    uv run python benchmarks/predict_latency.py [--models mnist_cnn ...] [--device cpu]

Prints, per model, the median time of the bare network forward on a prepared tensor and of
predict() on a raw uint8 image (conversion, normalization, forward, softmax, copy back), first
through the eager network, then through the frozen graph that the app traces (Classifier.trace).
Goals: predict <= 1.5x the bare forward; mnist_cnn predict < 2 ms on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import statistics
import time
from functools import partial

import numpy as np
import torch

import models


def median_ms(fn, repeats: int) -> float:
    for _ in range(max(5, repeats // 10)):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def forward(network: torch.nn.Module, batch: torch.Tensor) -> None:
    with torch.inference_mode():
        network(batch)
    if batch.device.type == "cuda":
        torch.cuda.synchronize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=None, help="default: every model with weights")
    parser.add_argument("--device", default=None)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    names = args.models or models.available()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(
        f"{'model':<18} {'device':<6} {'forward ms':>10} {'predict ms':>10} {'ratio':>6} {'traced ms':>10} {'ratio':>6}"
    )
    for name in names:
        classifier = models.load(name, args.device)
        spec = classifier.spec.dataset
        shape = (spec.image_size, spec.image_size) + ((3,) if spec.channels == 3 else ())
        image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
        bare = median_ms(partial(forward, classifier.network, classifier.to_batch([image])), args.repeats)
        full = median_ms(partial(classifier.predict, [image]), args.repeats)
        traced = median_ms(partial(classifier.predict, [image]), args.repeats) if classifier.trace() else float("nan")
        print(
            f"{name:<18} {classifier.device.type:<6} {bare:>10.3f} {full:>10.3f} {full / bare:>6.2f} "
            f"{traced:>10.3f} {traced / bare:>6.2f}"
        )


if __name__ == "__main__":
    main()
