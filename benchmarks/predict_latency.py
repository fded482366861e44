"""How much Classifier.predict adds to a bare forward pass, one image at a time.

    uv run python benchmarks/predict_latency.py [--models mnist_cnn ...] [--device cpu]

Prints, per model, the median time of the bare network forward on a prepared tensor and of
predict() on a raw uint8 image (conversion, normalization, forward, softmax, copy back).
Goals: predict <= 1.5x the bare forward; mnist_cnn predict < 2 ms on a 2-core CPU.
"""

from __future__ import annotations

import argparse
import statistics
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=None, help="default: every model with weights")
    parser.add_argument("--device", default=None)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()

    names = args.models or models.available()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'model':<18} {'device':<6} {'forward ms':>10} {'predict ms':>10} {'ratio':>6}")
    for name in names:
        classifier = models.load(name, args.device)
        spec = classifier.spec.dataset
        shape = (spec.image_size, spec.image_size) + ((3,) if spec.channels == 3 else ())
        image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
        batch = classifier.to_batch([image])

        def forward() -> None:
            with torch.inference_mode():
                classifier.network(batch)
            if batch.device.type == "cuda":
                torch.cuda.synchronize()

        bare = median_ms(forward, args.repeats)
        full = median_ms(lambda: classifier.predict([image]), args.repeats)
        print(f"{name:<18} {classifier.device.type:<6} {bare:>10.3f} {full:>10.3f} {full / bare:>6.2f}")


if __name__ == "__main__":
    main()
