"""The one training loop for every model: epochs, checkpoints and resume, mixed precision, DDP."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DistributedSampler
from tqdm import tqdm

from models.normalize import normalize
from models.registry import DatasetSpec
from training import checkpoint
from training.augment import augment, mix
from training.data import Split, TrainingData
from training.distributed import World, all_ranks_sum, barrier
from training.evaluate import predict_logits
from training.precision import autocast

OPTIMIZERS = ("sgd", "adamw")


@dataclass(frozen=True)
class Recipe:
    epochs: int
    batch_size: int
    lr: float
    optimizer: str = "sgd"  # "sgd" (Nesterov momentum) or "adamw"
    weight_decay: float = 5e-4
    momentum: float = 0.9
    warmup_epochs: float = 1.0
    label_smoothing: float = 0.0
    augment: str = "none"
    cutout: int = 0
    mixup: float = 0.0
    cutmix: float = 0.0
    clip_grad: float = 0.0


@dataclass(frozen=True)
class Runtime:
    device: torch.device
    world: World
    seed: int = 0
    init_from: str = ""  # the weight file the network started from; empty for a random start
    amp: bool = True
    channels_last: bool = False
    compile: bool = False
    progress: bool = True


def make_optimizer(model: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    # Weight decay on biases and normalization scales only hurts; it applies to weight matrices.
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if recipe.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=recipe.lr, momentum=recipe.momentum, nesterov=True)
    if recipe.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=recipe.lr, betas=(0.9, 0.999))
    raise ValueError(f"unknown optimizer {recipe.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


def warmup_cosine(total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    """Linear warm-up to the peak rate, then a cosine decay to zero."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def epoch_seed(seed: int, epoch: int, rank: int) -> int:
    """A seed of its own for every (run, epoch, process): a resumed epoch repeats exactly."""
    return int(np.random.SeedSequence([seed, epoch, rank]).generate_state(1)[0])


def validate(model: nn.Module, split: Split, spec: DatasetSpec, runtime: Runtime) -> dict[str, float]:
    logits = predict_logits(model, split, spec, runtime.device, amp=runtime.amp, channels_last=runtime.channels_last)
    labels = split.labels.numpy()
    loss = F.cross_entropy(torch.from_numpy(logits), split.labels).item()
    return {"val_loss": loss, "val_accuracy": float((logits.argmax(1) == labels).mean())}


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

    `stop_after` ends the run after that epoch, checkpointed, to be continued with `resume`.
    """
    device, world = runtime.device, runtime.world
    model.to(device)
    if runtime.channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = make_optimizer(model, recipe)
    sampler = DistributedSampler(
        range(len(data.train)), num_replicas=world.size, rank=world.rank, shuffle=True, seed=runtime.seed
    )
    steps_per_epoch = math.ceil(len(sampler) / recipe.batch_size)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        warmup_cosine(recipe.epochs * steps_per_epoch, round(recipe.warmup_epochs * steps_per_epoch)),
    )
    scaler = torch.amp.GradScaler(device.type, enabled=runtime.amp and device.type == "cuda")

    # Everything that shapes the run: a checkpoint made with other settings cannot continue it.
    settings = {
        "recipe": asdict(recipe),
        "seed": runtime.seed,
        "processes": world.size,
        "amp": runtime.amp,
        "train_images": len(data.train),
    }
    if runtime.init_from:  # only then, so that checkpoints from before this setting still resume
        settings["init_from"] = runtime.init_from
    state = {"epoch": 0, "history": [], "wall_time_s": 0.0, "images": 0}
    saved = checkpoint.load(checkpoint_dir, name) if resume else None
    if resume and saved is None and world.is_main:
        print(f"no checkpoint of {name} in {checkpoint_dir}; starting from epoch 1")
    if saved is not None:
        keys = settings.keys() | saved["settings"].keys()
        differences = sorted(key for key in keys if saved["settings"].get(key) != settings.get(key))
        if differences:
            then = {key: saved["settings"].get(key) for key in differences}
            now = {key: settings.get(key) for key in differences}
            raise SystemExit(
                f"The checkpoint in {checkpoint_dir} was made with other settings {then}; this run has {now}. "
                "Use the same command, or drop --resume."
            )
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        if scaler.is_enabled() and saved["scaler"]:
            scaler.load_state_dict(saved["scaler"])
        state = {key: saved[key] for key in state}
        if world.is_main:
            print(f"resumed {name} after epoch {state['epoch']} of {recipe.epochs}")

    net = DistributedDataParallel(model) if world.distributed else model
    if runtime.compile:
        net = torch.compile(net)
    num_classes = len(data.spec.classes)

    last_epoch = recipe.epochs if stop_after is None else min(recipe.epochs, stop_after)
    for epoch in range(state["epoch"], last_epoch):
        seed = epoch_seed(runtime.seed, epoch, world.rank)
        torch.manual_seed(seed)  # dropout and mixing weights
        generator = torch.Generator().manual_seed(seed)  # order of augmentations
        sampler.set_epoch(epoch)
        order = torch.tensor(list(sampler))
        net.train()
        started = time.perf_counter()
        seen = correct = 0
        loss_sum = 0.0
        batches = range(0, len(order), recipe.batch_size)
        bar = tqdm(
            batches,
            desc=f"{name} {epoch + 1}/{recipe.epochs}",
            disable=not (runtime.progress and world.is_main),
            leave=False,
            mininterval=2.0,
        )
        for start in bar:
            index = order[start : start + recipe.batch_size]
            images = augment(data.train.images[index].to(device), recipe.augment, generator, recipe.cutout)
            images = normalize(images, data.spec)
            if runtime.channels_last:
                images = images.contiguous(memory_format=torch.channels_last)
            labels = data.train.labels[index].to(device)
            targets = F.one_hot(labels, num_classes).float()
            images, targets = mix(images, targets, recipe.mixup, recipe.cutmix, generator)
            with autocast(device, runtime.amp):
                logits = net(images)
                loss = F.cross_entropy(logits.float(), targets, label_smoothing=recipe.label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            if recipe.clip_grad > 0:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(model.parameters(), recipe.clip_grad)
            scaler.step(optimizer)
            scaler.update()
            scheduler.step()

            seen += len(labels)
            loss_sum += loss.item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
            rate = seen / (time.perf_counter() - started)
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.4f}", img_s=f"{rate:.0f}")
        train_time = time.perf_counter() - started
        loss_sum, correct, seen = all_ranks_sum(world, loss_sum, correct, seen)

        record = {
            "epoch": epoch + 1,
            "train_loss": loss_sum / seen,
            "train_accuracy": correct / seen,
            "lr": scheduler.get_last_lr()[0],
            "epoch_time_s": round(train_time, 2),
            "images_per_s": round(seen / train_time, 1),
        }
        if world.is_main and data.val is not None:
            record.update(validate(model, data.val, data.spec, runtime))
        state["epoch"] = epoch + 1
        state["history"].append(record)
        state["wall_time_s"] += time.perf_counter() - started
        state["images"] += int(seen)
        if world.is_main:
            print(
                " ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in record.items()), flush=True
            )
            checkpoint.save(
                checkpoint_dir,
                name,
                {
                    **state,
                    "settings": settings,
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "scaler": scaler.state_dict(),
                },
            )
        barrier(world)

    train_seconds = sum(r["epoch_time_s"] for r in state["history"])
    return {
        "finished": state["epoch"] == recipe.epochs,
        "history": state["history"],
        "wall_time_s": round(state["wall_time_s"], 1),
        "images_per_s": round(state["images"] / max(train_seconds, 1e-9), 1),
    }
