"""Train a registered model, then measure it and write weights/<name>.safetensors and its card.

    uv run python -m training mnist_cnn --data-dir ~/data
    uv run torchrun --nproc-per-node 4 -m training resnet18_cifar10 --device cuda

Recipe flags default to the model's recipe in training/recipes.py; the card records the
command that repeats the run, every recipe flag spelled out.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import cast

import torch

from models import archs, card, datasets, pendigits, weights
from models.archs import build_network
from models.card import InitFrom, TestScores, TrainingRun
from models.device import resolve
from models.errors import ModelError
from models.registry import CACHE_DIR, MODELS, ModelSpec, spec
from training import data as training_data
from training import exposure, precision
from training.augment import POLICIES
from training.distributed import barrier, setup, teardown
from training.evaluate import evaluate
from training.loop import Runtime, train
from training.recipes import OPTIMIZERS, RECIPES, Recipe

FLAG_TYPES = {"int": int, "float": float, "str": str}
FLAG_CHOICES = {"optimizer": OPTIMIZERS, "augment": POLICIES}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m training", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", choices=sorted(MODELS))
    recipe = parser.add_argument_group("recipe (defaults: the model's entry in training/recipes.py)")
    for field in fields(Recipe):
        recipe.add_argument(
            f"--{field.name.replace('_', '-')}",
            type=FLAG_TYPES[cast(str, field.type)],  # recipes.py postpones annotations: a type is a name
            choices=FLAG_CHOICES.get(field.name),
            default=None,
        )
    parser.add_argument("--data-dir", type=Path, default=datasets.DEFAULT_ROOT, help="dataset folder")
    parser.add_argument("--no-download", dest="download", action="store_false", help="never download the dataset")
    parser.add_argument("--val-size", type=int, default=5000, help="training images held out for validation")
    parser.add_argument(
        "--pen-writers-held-out",
        type=int,
        default=pendigits.HELD_OUT_WRITERS,
        help="pen-digit writers whose digits all go to validation, with --pen-digits (default %(default)s of 30)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="picks the held-out images and pen writers, and by default the rest"
    )
    parser.add_argument(
        "--train-seed",
        type=int,
        default=None,
        help="the training's own randomness (first weights, batch order, augmentation, pen drawings), apart "
        "from the split: runs on the same held-out writers that differ by chance alone (default: --seed)",
    )
    parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: detected)")
    parser.add_argument(
        "--no-amp", dest="amp", action="store_false", help="train in float32 (always so on CPUs without hardware bf16)"
    )
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="start from this weight file (a warm restart); the card keeps the training that made it",
    )
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument("--stop-after", type=int, default=None, help="stop after this epoch; go on later with --resume")
    parser.add_argument(
        "--checkpoint-dir",
        type=Path,
        default=Path(os.environ.get("VISIONLAB_CHECKPOINTS", CACHE_DIR / "checkpoints")),
        help="where each epoch's checkpoint goes (default: $VISIONLAB_CHECKPOINTS or ~/.cache/visionlab/checkpoints)",
    )
    parser.add_argument("--out-dir", type=Path, default=None, help="where the weights and card go (default weights/)")
    parser.add_argument("--no-progress", dest="progress", action="store_false")
    return parser.parse_args(argv)


def recipe_from(args: argparse.Namespace) -> Recipe:
    chosen = {f.name: getattr(args, f.name) for f in fields(Recipe) if getattr(args, f.name) is not None}
    return replace(RECIPES[args.model], **chosen)


def command_line(args: argparse.Namespace, recipe: Recipe, world_size: int) -> str:
    """The command that repeats this run, with every recipe flag written out."""
    launcher = f"torchrun --nproc-per-node {world_size}" if world_size > 1 else "python"
    parts = [spec(args.model).train_command(launcher)]
    parts += [f"--{f.name.replace('_', '-')} {getattr(recipe, f.name)}" for f in fields(Recipe)]
    parts += [f"--data-dir {args.data_dir}", f"--val-size {args.val_size}", f"--seed {args.seed}"]
    if (apart := seed_apart(args)) is not None:
        parts.append(f"--train-seed {apart}")
    if recipe.pen_digits:
        parts.append(f"--pen-writers-held-out {args.pen_writers_held_out}")
    if args.device:
        parts.append(f"--device {args.device}")
    if not args.amp:
        parts.append("--no-amp")
    if args.compile:
        parts.append("--compile")
    if args.init_from:
        parts.append(f"--init-from {args.init_from}")
    return " ".join(parts)


def train_seed(args: argparse.Namespace) -> int:
    """The seed of the training's own randomness: --train-seed, or else --seed."""
    return args.seed if args.train_seed is None else args.train_seed


def seed_apart(args: argparse.Namespace) -> int | None:
    """--train-seed where it differs from --seed, else None: what the command, the card and the
    checkpoint's settings record, so that runs from before the flag read and resume as they were."""
    return None if train_seed(args) == args.seed else train_seed(args)


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    threads = torch.get_num_threads()
    return f"{device.type} ({os.cpu_count()} cores, {threads} thread{'s' if threads > 1 else ''})"


def trained_by(path: Path, model: torch.nn.Module, model_spec: ModelSpec) -> TrainingRun:
    """Load a warm restart's starting weights into `model`; return the training that made them."""
    hint = model_spec.train_command()
    weights.load_into(model, path, hint)
    training = card.read(path.with_suffix(".json"), hint).training
    if training is None:
        raise ModelError(
            f"The card of {path} does not say how its weights were trained; a warm restart starts only "
            f"from weights that `python -m training` made. Train them with: {hint}"
        )
    return training


def check_split(earlier: TrainingRun, args: argparse.Namespace, recipe: Recipe) -> None:
    """A warm restart validates on images and pen writers its starting weights never learned from:
    both splits are drawn by the seed, so they must be the earlier run's."""
    kept = []
    if args.val_size and (earlier.val_size, earlier.seed) != (args.val_size, args.seed):
        kept.append(f"--val-size {earlier.val_size} --seed {earlier.seed}")
    pen_writers = (earlier.pen_writers_held_out, earlier.seed)
    held_out_now = recipe.pen_digits and args.pen_writers_held_out
    if held_out_now and earlier.recipe.get("pen_digits") and pen_writers != (args.pen_writers_held_out, args.seed):
        kept.append(f"--pen-writers-held-out {earlier.pen_writers_held_out or 0} --seed {earlier.seed}")
    if kept:
        raise ModelError(
            f"The weights in {args.init_from} were trained with {' and '.join(kept)}; a warm restart from "
            "them keeps that split, else its validation figures would count images they learned from."
        )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    model_spec = spec(args.model)
    recipe = recipe_from(args)
    try:
        recipe.check()  # before minutes of reading and drawing data
        world, device = setup(resolve(args.device))
        if not world.is_main:
            barrier(world)  # rank 0 downloads first; the others then read what it wrote
        data = training_data.load(
            model_spec.dataset.name,
            args.data_dir,
            args.download and world.is_main,
            args.val_size,
            args.seed,
            recipe.pen_digits,
            args.pen_writers_held_out if recipe.pen_digits else 0,
            exposure.POOL if recipe.outliers > 0 else 0,
            recipe.pen_bend,
            train_seed(args),
        )
        if world.is_main:
            barrier(world)
    except (ModelError, ValueError) as error:
        sys.exit(str(error))

    torch.manual_seed(train_seed(args))
    model = build_network(model_spec)
    earlier = None
    if args.init_from:
        try:
            earlier = trained_by(args.init_from, model, model_spec)
            check_split(earlier, args, recipe)
        except ModelError as error:
            sys.exit(str(error))
    runtime = Runtime(
        device=device,
        world=world,
        seed=train_seed(args),
        split_seed=None if seed_apart(args) is None else args.seed,
        init_from=str(args.init_from or ""),
        amp=args.amp and precision.helps(device),
        channels_last=model_spec.arch in archs.CHANNELS_LAST,
        compile=args.compile,
        progress=args.progress,
    )
    if world.is_main:
        print(
            f"{args.model}: {len(data.train)} training, {len(data.val) if data.val else 0} validation, "
            f"{len(data.test)} test images on {device_name(device)}; {recipe}"
        )
    try:
        run = train(model, data, recipe, runtime, args.checkpoint_dir, args.model, args.resume, args.stop_after)
    except (ModelError, ValueError) as error:
        sys.exit(str(error))
    if not run.pop("finished"):
        if world.is_main:
            print(f"stopped after epoch {run['history'][-1]['epoch']}; continue with the same command and --resume")
    elif world.is_main:
        training = TrainingRun(
            command=command_line(args, recipe, world.size),
            recipe=asdict(recipe),
            epochs=recipe.epochs,
            seed=args.seed,
            train_seed=seed_apart(args),
            val_size=args.val_size,
            data_dir=str(args.data_dir),
            train_images=len(data.train),
            device=device_name(device),
            processes=world.size,
            precision=precision.describe(device, runtime.amp),
            date=datetime.date.today().isoformat(),
            **run,
            pen_writers_held_out=args.pen_writers_held_out if data.pen_val is not None else None,
            init_from=InitFrom(str(args.init_from), earlier) if earlier is not None else None,
        )
        started = time.perf_counter()
        try:
            written = evaluate(model, model_spec, data, training, device, args.out_dir)
        except ModelError as error:
            sys.exit(
                f"{error} The trained network is in the last checkpoint in {args.checkpoint_dir}; "
                "the same command with --resume measures it again."
            )
        scores = cast(TestScores, written.test)  # evaluate() always measures the test set
        print(
            f"{args.model}: test accuracy {scores.accuracy:.4f}, macro-F1 {scores.macro_f1:.4f} "
            f"on {written.test_set}; evaluation took {time.perf_counter() - started:.0f} s"
        )
    teardown(world)


if __name__ == "__main__":
    main()
