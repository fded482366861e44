"""Which CPU settings make training faster: images per second of the real training loop.

    uv run python benchmarks/training_throughput.py [--models resnet18_cifar10 ...] [--threads 1 2]

For each model and thread count, runs training.loop.train for two short epochs on generated
images, with its recipe (augmentation included), under each setting the loop offers: float32,
bf16 autocast, channels_last (for convolutional networks) and torch.compile. The figure is the
second epoch's rate, so warm-up and compilation are left out. Nothing is written outside a
temporary folder.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import tempfile
from dataclasses import replace
from pathlib import Path

import torch

from models import archs
from models.archs import build_network
from models.registry import MODELS, spec
from training.data import Split, TrainingData
from training.distributed import World
from training.loop import Runtime, train
from training.recipes import RECIPES


def generated_data(name: str, images: int) -> TrainingData:
    dataset = spec(name).dataset
    generator = torch.Generator().manual_seed(0)
    shape = (images, dataset.channels, dataset.image_size, dataset.image_size)
    pixels = torch.randint(0, 256, shape, dtype=torch.uint8, generator=generator)
    labels = torch.randint(0, len(dataset.classes), (images,), generator=generator)
    split = Split(pixels, labels)
    return TrainingData(dataset, split, None, split, "generated")


def settings(name: str) -> dict[str, dict[str, bool]]:
    convolutional = spec(name).arch in archs.CHANNELS_LAST
    chosen = {
        "float32": {"amp": False, "channels_last": False, "compile": False},
        "bf16": {"amp": True, "channels_last": False, "compile": False},
    }
    if convolutional:
        chosen["bf16 + channels_last"] = {"amp": True, "channels_last": True, "compile": False}
    chosen["bf16 + compile"] = {"amp": True, "channels_last": convolutional, "compile": True}
    return chosen


def images_per_second(name: str, images: int, setting: dict[str, bool]) -> float:
    torch.manual_seed(0)
    recipe = replace(RECIPES[name], epochs=2, warmup_epochs=0.5)
    runtime = Runtime(device=torch.device("cpu"), world=World(), progress=False, **setting)
    # train() prints a line per epoch; the table is the output here.
    with tempfile.TemporaryDirectory() as checkpoints, contextlib.redirect_stdout(io.StringIO()):
        run = train(build_network(spec(name)), generated_data(name, images), recipe, runtime, Path(checkpoints), name)
    return run["history"][-1]["images_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=sorted(MODELS), choices=sorted(MODELS))
    parser.add_argument("--threads", nargs="+", type=int, default=[os.cpu_count() or 1])
    parser.add_argument("--images", type=int, default=1024, help="generated training images per epoch")
    args = parser.parse_args()

    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}")
    print("| model | threads | setting | images/s | vs float32 |")
    print("| --- | --- | --- | --- | --- |")
    for name in args.models:
        for threads in args.threads:
            torch.set_num_threads(threads)
            baseline = None
            for label, setting in settings(name).items():
                rate = images_per_second(name, args.images, setting)
                baseline = baseline or rate
                print(f"| {name} | {threads} | {label} | {rate:.0f} | {rate / baseline:.2f}x |", flush=True)


if __name__ == "__main__":
    main()
