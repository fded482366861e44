"""One weight update per batch: the optimizer, its learning-rate schedule and the gradient scaler."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import nn

from training.precision import low_precision
from training.recipes import OPTIMIZERS, Recipe


def make_optimizer(model: nn.Module, recipe: Recipe) -> torch.optim.Optimizer:
    # Weight decay on biases and normalization scales only hurts, so vectors are spared; every
    # tensor of two or more dimensions decays: weight matrices, kernels, and the ViT's position
    # embedding and class token.
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    groups = [{"params": decay, "weight_decay": recipe.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    if recipe.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=recipe.lr, momentum=recipe.momentum, nesterov=True)
    if recipe.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=recipe.lr, betas=(0.9, 0.999))
    raise ValueError(f"unknown optimizer {recipe.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")


def warmup_cosine(total_steps: int, warmup_steps: int, floor: float = 0.0) -> Callable[[int], float]:
    """Linear warm-up to the peak rate, then a cosine decay to `floor` times the peak by
    `total_steps`, where it stays."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps) if total_steps > warmup_steps else 1.0
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


class Updater:
    """Optimizer, learning-rate schedule and gradient scaler: one weight update per batch."""

    def __init__(self, model: nn.Module, recipe: Recipe, steps_per_epoch: int, device: torch.device, amp: bool) -> None:
        self.parameters = list(model.parameters())
        self.clip_grad = recipe.clip_grad
        self.optimizer = make_optimizer(model, recipe)
        decay_epochs = recipe.epochs - recipe.swa_epochs
        floor = recipe.swa_lr / recipe.lr if recipe.swa_epochs else 0.0
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            warmup_cosine(decay_epochs * steps_per_epoch, round(recipe.warmup_epochs * steps_per_epoch), floor),
        )
        # bf16 has float32's range, so only fp16 needs its loss scaled against underflow
        fp16 = amp and device.type == "cuda" and low_precision(device) == torch.float16
        self.scaler = torch.amp.GradScaler(device.type, enabled=fp16)

    def step(self, loss: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        if self.clip_grad > 0:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.parameters, self.clip_grad)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()

    @property
    def lr(self) -> float:
        return float(self.scheduler.get_last_lr()[0])  # a tensor only for an optimizer given a tensor rate

    def state_dict(self) -> dict[str, dict]:
        return {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
        }

    def load_state_dict(self, state: dict[str, dict]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        if self.scaler.is_enabled() and state["scaler"]:  # a CPU run saves a disabled scaler's empty state
            self.scaler.load_state_dict(state["scaler"])
