"""The one training loop for every model: epochs, checkpoints and resume, mixed precision, DDP."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypedDict, cast

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Dataset, DistributedSampler
from tqdm import tqdm  # tqdm ships no type hints

from models.normalize import normalize
from models.registry import DatasetSpec
from training import checkpoint, exposure, metrics
from training.augment import augment, mix
from training.averaging import WeightAverage
from training.checkpoint import CheckpointError
from training.data import Split, TrainingData
from training.distributed import World, all_ranks_agree, all_ranks_sum, barrier
from training.evaluate import predict_logits
from training.precision import autocast
from training.recipes import Recipe
from training.updater import Updater


@dataclass(frozen=True)
class Runtime:
    device: torch.device
    world: World
    seed: int = 0  # the training's own randomness
    split_seed: int | None = None  # the seed that picked the held-out data, where it differs
    init_from: str = ""  # the weight file the network started from; empty for a random start
    amp: bool = True
    channels_last: bool = False
    compile: bool = False
    progress: bool = True


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """A seed of its own for every (run, epoch, process): a resumed epoch repeats exactly."""
    return int(np.random.SeedSequence([seed, epoch, rank]).generate_state(1)[0])


def validate(model: nn.Module, split: Split, spec: DatasetSpec, runtime: Runtime) -> dict[str, float]:
    # Mirror-averaged where the app answers so, like the test figures the curves are shown beside.
    logits = predict_logits(
        model,
        split,
        spec,
        runtime.device,
        amp=runtime.amp,
        channels_last=runtime.channels_last,
        mirror=spec.mirror_invariant,
    ).answers
    loss = F.cross_entropy(torch.from_numpy(logits), split.labels).item()
    return {"val_loss": loss, "val_accuracy": metrics.accuracy(logits, split.labels.numpy())}


def train_one_epoch(
    model: nn.Module,
    data: TrainingData,
    recipe: Recipe,
    runtime: Runtime,
    updater: Updater,
    order: torch.Tensor,
    generator: torch.Generator,
    desc: str,
) -> tuple[float, int, int]:
    """One pass over `order` (this process's share of the training images), a batch at a time.

    Returns the summed loss, the number of correct answers and the number of images seen.
    """
    device, num_classes = runtime.device, len(data.spec.classes)
    batch_size = recipe.batch_size // runtime.world.size
    model.train()
    started = time.perf_counter()
    seen = correct = 0
    loss_sum = 0.0
    show = runtime.progress and runtime.world.is_main
    bar = tqdm(range(0, len(order), batch_size), desc=desc, disable=not show, leave=False, mininterval=2.0)
    for start in bar:
        index = order[start : start + batch_size]
        images = augment(data.train.images[index].to(device), recipe.augment, generator, recipe.cutout)
        images = normalize(images, data.spec)
        labels = data.train.labels[index].to(device)
        targets = F.one_hot(labels, num_classes).float()
        images, targets = mix(images, targets, recipe.mixup, recipe.cutmix, generator)
        if recipe.outliers > 0 and data.outliers is not None:
            unlike = exposure.sample(data.outliers, len(index), generator).to(device)
            images = torch.cat([images, normalize(augment(unlike, recipe.augment, generator), data.spec)])
        if runtime.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        with autocast(device, runtime.amp):
            answers = model(images)
            logits = answers[: len(labels)]
            # the training objective, label smoothing and mixing included: not comparable with val_loss
            loss = F.cross_entropy(logits.float(), targets, label_smoothing=recipe.label_smoothing)
            if len(answers) > len(labels):  # the outliers that joined the batch
                loss = loss + recipe.outliers * exposure.uniform_loss(answers[len(labels) :])
        updater.step(loss)

        seen += len(labels)
        loss_sum += loss.item() * len(labels)
        correct += (logits.argmax(1) == labels).sum().item()
        rate = seen / (time.perf_counter() - started)
        bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}", img_s=f"{rate:.0f}")
    return loss_sum, correct, seen


def as_line(record: dict[str, float]) -> str:
    """An epoch's record as one log line: key=value, floats to four places."""
    return " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items())


def check_settings(saved: dict[str, Any], settings: dict[str, Any], checkpoint_dir: Path) -> None:
    """Refuse a checkpoint made by a run that differs from this one in anything that shapes it.

    A recipe setting newer than the checkpoint counts as its default, which the run had.
    """
    defaults = {f.name: f.default for f in fields(Recipe)}
    saved = {**saved, "recipe": {**defaults, **saved.get("recipe", {})}}
    keys = settings.keys() | saved.keys()
    differences = sorted(key for key in keys if saved.get(key) != settings.get(key))
    if differences:
        then = {key: saved.get(key) for key in differences}
        now = {key: settings.get(key) for key in differences}
        raise CheckpointError(
            f"The checkpoint in {checkpoint_dir} was made with other settings {then}; this run has {now}. "
            "Use the same command, or drop --resume."
        )


class _Progress(TypedDict):
    """How far a run has come: what its checkpoint keeps besides the weights and optimizer."""

    epoch: int  # the epochs done
    history: list[dict[str, float]]  # one record per epoch
    wall_time_s: float
    images: int  # the images trained on, over all processes


def train(
    model: nn.Module,
    data: TrainingData,
    recipe: Recipe,
    runtime: Runtime,
    checkpoint_dir: Path,
    name: str,
    resume: bool = False,
    stop_after: int | None = None,
) -> dict:
    """Train `model` in place; return the history, wall time and throughput of the whole run.

    `recipe.batch_size` is the batch of one update over all processes, so that a recipe trains
    alike on one process or several. `stop_after` ends the run after that epoch, checkpointed,
    to be continued with `resume`.
    """
    device, world = runtime.device, runtime.world
    if recipe.batch_size % world.size:
        raise ValueError(f"--batch-size {recipe.batch_size} does not split evenly among {world.size} processes.")
    recipe.check()
    if device.type == "cuda":
        # Every batch but an epoch's last has the same shape, so cuDNN can time its algorithms once
        # and keep the fastest.
        torch.backends.cudnn.benchmark = True
    model.to(device)
    if runtime.channels_last:
        model.to(memory_format=torch.channels_last)
    average = WeightAverage(model) if recipe.swa_epochs else None
    # The sampler deals out indices and reads nothing but the length of its dataset: a range will do.
    indices = cast(Dataset[int], range(len(data.train)))
    sampler: DistributedSampler[int] = DistributedSampler(
        indices, num_replicas=world.size, rank=world.rank, shuffle=True, seed=runtime.seed
    )
    updater = Updater(model, recipe, math.ceil(len(sampler) * world.size / recipe.batch_size), device, runtime.amp)

    # Everything that shapes the run: a checkpoint made with other settings cannot continue it.
    settings: dict[str, Any] = {
        "recipe": asdict(recipe),
        "seed": runtime.seed,
        "processes": world.size,
        "amp": runtime.amp,
        "train_images": len(data.train),
    }
    if runtime.split_seed is not None:  # only then, as for init_from
        settings["split_seed"] = runtime.split_seed
    if runtime.init_from:  # only then, so that checkpoints from before this setting still resume
        settings["init_from"] = runtime.init_from
    state = _Progress(epoch=0, history=[], wall_time_s=0.0, images=0)
    saved = checkpoint.load(checkpoint_dir, name) if resume else None
    if resume and saved is None and world.is_main:
        print(f"no checkpoint of {name} in {checkpoint_dir}; starting from epoch 1")
    if saved is not None:
        check_settings(saved["settings"], settings, checkpoint_dir)
        try:
            model.load_state_dict(saved["model"])
            updater.load_state_dict(saved)
            if average is not None:
                average.load_state_dict(saved["average"])
        except (KeyError, RuntimeError, ValueError) as error:
            first_line = str(error).strip().splitlines()[0]
            raise CheckpointError(
                f"The checkpoint of {name} in {checkpoint_dir} does not fit the network or optimizer that the code "
                f"builds now ({first_line}). Drop --resume to start again."
            ) from None
        state = _Progress(
            epoch=saved["epoch"], history=saved["history"], wall_time_s=saved["wall_time_s"], images=saved["images"]
        )
        if world.is_main:
            print(f"resumed {name} after epoch {state['epoch']} of {recipe.epochs}")
    if not all_ranks_agree(world, state["epoch"]):
        raise CheckpointError(
            f"The processes found different checkpoints of {name}; on several machines, --checkpoint-dir must be "
            "a folder that all of them share."
        )

    trainable = DistributedDataParallel(model) if world.distributed else model
    if runtime.compile:
        trainable = cast(nn.Module, torch.compile(trainable))  # a module compiles to a module (OptimizedModule)

    last_epoch = recipe.epochs if stop_after is None else min(recipe.epochs, stop_after)
    for epoch in range(state["epoch"], last_epoch):
        seed = epoch_seed(runtime.seed, epoch, world.rank)
        torch.manual_seed(seed)  # dropout, RandAugment and mixing weights
        generator = torch.Generator().manual_seed(seed)  # crops, flips, cutout and mixing partners
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        started = time.perf_counter()
        desc = f"{name} {epoch + 1}/{recipe.epochs}"
        sums = train_one_epoch(trainable, data, recipe, runtime, updater, order, generator, desc)
        train_time = time.perf_counter() - started
        loss_sum, correct, seen = all_ranks_sum(world, *sums)
        if average is not None and epoch >= recipe.epochs - recipe.swa_epochs:
            average.add(model)

        record: dict[str, float] = {
            "epoch": epoch + 1,
            "train_loss": loss_sum / seen,
            "train_accuracy": correct / seen,
            "lr": updater.lr,
            "epoch_time_s": round(train_time, 2),
            "images_per_s": round(seen / train_time, 1),
        }
        if world.is_main and data.val is not None:
            record.update(validate(model, data.val, data.spec, runtime))
        if world.is_main and data.pen_val is not None:
            record["pen_val_accuracy"] = validate(model, data.pen_val, data.spec, runtime)["val_accuracy"]
        state["epoch"] = epoch + 1
        state["history"].append(record)
        state["wall_time_s"] += time.perf_counter() - started
        state["images"] += int(seen)
        if world.is_main:
            print(as_line(record), flush=True)
            averaged = {} if average is None else {"average": average.state_dict()}
            checkpoint.save(
                checkpoint_dir,
                name,
                {**state, "settings": settings, "model": model.state_dict(), **updater.state_dict(), **averaged},
            )
        barrier(world)

    run: dict[str, Any] = {"finished": state["epoch"] == recipe.epochs, "history": state["history"]}
    wall_time = state["wall_time_s"]
    if run["finished"] and average is not None and world.is_main:  # only the main process measures and saves
        started = time.perf_counter()
        average.copy_into(model, data.train, data.spec, device, recipe.batch_size, runtime.amp, runtime.channels_last)
        averaged_record: dict[str, float] = {"epochs": average.count}
        if data.val is not None:
            averaged_record.update(validate(model, data.val, data.spec, runtime))
        run["weight_average"] = averaged_record
        wall_time += time.perf_counter() - started
        print(f"weights averaged over the last {average.count} epochs: {as_line(averaged_record)}", flush=True)
    train_seconds = sum(r["epoch_time_s"] for r in state["history"])
    return {
        **run,
        "wall_time_s": round(wall_time, 1),
        "images_per_s": round(state["images"] / max(train_seconds, 1e-9), 1),
    }
