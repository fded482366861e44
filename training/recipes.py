"""Training recipes: what a run is made of, and each registered model's default; every field is also a
command-line flag."""

from __future__ import annotations

from dataclasses import dataclass

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
    # Stochastic weight averaging: the last swa_epochs train at the constant rate swa_lr, and the
    # run ends with the mean of their weights; the rate falls from lr to swa_lr before them.
    swa_epochs: int = 0
    swa_lr: float = 0.0
    # Drawings of each pen-drawn training digit added to the training set (digit datasets only).
    pen_digits: int = 0
    # Those drawings' strokes bent by a smooth random field, up to about this share of their size.
    pen_bend: float = 0.0
    # Outlier exposure's weight: pictures unlike any class (training.exposure) join every batch,
    # trained towards answering every class alike.
    outliers: float = 0.0

    def check(self) -> None:
        """Refuse settings that would train otherwise than they say."""
        if not 0 <= self.swa_epochs <= self.epochs:
            raise ValueError(f"--swa-epochs {self.swa_epochs} must lie between 0 and --epochs {self.epochs}.")
        if self.swa_epochs and self.swa_lr <= 0:
            raise ValueError(
                f"Weight averaging needs a learning rate to explore with: --swa-lr above 0, not {self.swa_lr}."
            )
        if self.swa_epochs and self.warmup_epochs > self.epochs - self.swa_epochs:
            raise ValueError(
                f"--warmup-epochs {self.warmup_epochs} would run into the {self.swa_epochs} averaged epochs, which "
                f"train at the constant --swa-lr; use --warmup-epochs {self.epochs - self.swa_epochs} or less."
            )
        if not 0 <= self.pen_bend <= 0.5:
            raise ValueError(f"--pen-bend is a share of a drawing's size, from 0 to 0.5, not {self.pen_bend}.")
        if self.outliers < 0:
            raise ValueError(f"--outliers is a loss weight, 0 or more, not {self.outliers}.")


RECIPES: dict[str, Recipe] = {
    "mnist_cnn": Recipe(epochs=30, batch_size=128, lr=0.05, weight_decay=5e-4, augment="affine", pen_digits=6),
    "resnet18_mnist": Recipe(
        epochs=12,
        batch_size=256,
        lr=0.1,
        weight_decay=5e-4,
        warmup_epochs=0.5,
        label_smoothing=0.1,
        augment="affine",
        pen_digits=4,
    ),
    "vit_mnist": Recipe(
        epochs=36,
        batch_size=256,
        lr=2e-3,
        optimizer="adamw",
        weight_decay=0.05,
        label_smoothing=0.1,
        augment="affine",
        clip_grad=1.0,
        pen_digits=8,
        pen_bend=0.03,
        outliers=0.5,
    ),
    "resnet18_cifar10": Recipe(
        epochs=200,
        batch_size=256,
        lr=0.2,
        weight_decay=5e-4,
        warmup_epochs=3,
        label_smoothing=0.1,
        augment="crop-flip",
        cutmix=1.0,
    ),
    "vit_cifar10": Recipe(
        epochs=80,
        batch_size=256,
        lr=2e-3,
        optimizer="adamw",
        weight_decay=0.05,
        warmup_epochs=5,
        label_smoothing=0.1,
        augment="crop-flip-randaugment",
        clip_grad=1.0,
    ),
}
