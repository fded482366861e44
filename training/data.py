"""Training data: a dataset decoded once into uint8 tensors and split into train, validation and test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models import datasets, pendigits
from models.normalize import normalize
from models.registry import DRAWN, DatasetSpec
from training import exposure, pen_data


@dataclass
class Split:
    images: torch.Tensor  # (N, C, H, W) uint8
    labels: torch.Tensor  # (N,) int64

    def __len__(self) -> int:
        return len(self.labels)


@dataclass
class TrainingData:
    spec: DatasetSpec
    train: Split
    val: Split | None
    test: Split
    test_source: str
    pen_val: Split | None = None  # pen-drawn digits of writers held out of training, as the canvas draws them
    pen_writers: tuple[int, ...] = ()  # those writers
    outliers: torch.Tensor | None = None  # (N, C, H, W) uint8 pictures unlike any class, for outlier exposure


def input_batches(
    split: Split, dataset: DatasetSpec, device: torch.device, batch_size: int, channels_last: bool = False
) -> Iterator[torch.Tensor]:
    """A split's images in order, as the network takes them (normalized, on the device), a batch at a time."""
    for start in range(0, len(split), batch_size):
        images = normalize(split.images[start : start + batch_size].to(device), dataset)
        yield images.contiguous(memory_format=torch.channels_last) if channels_last else images


def to_split(images: np.ndarray, labels: np.ndarray) -> Split:
    """(N, H, W, C) uint8 arrays -> a Split of (N, C, H, W) tensors."""
    return Split(torch.from_numpy(np.array(images.transpose(0, 3, 1, 2))), torch.from_numpy(np.array(labels)))


def hold_out(images: np.ndarray, labels: np.ndarray, val_size: int, seed: int) -> tuple[Split, Split | None]:
    """Split off `val_size` images, chosen by the seed, as the validation set."""
    if val_size <= 0:
        return to_split(images, labels), None
    if val_size >= len(labels):
        raise ValueError(f"--val-size {val_size} leaves no training images (the set has {len(labels)}).")
    order = np.random.default_rng(seed).permutation(len(labels))
    val, train = order[:val_size], np.sort(order[val_size:])
    return to_split(images[train], labels[train]), to_split(images[np.sort(val)], labels[np.sort(val)])


def load(
    dataset: str,
    root: Path | str,
    download: bool,
    val_size: int,
    seed: int,
    pen_digits: int = 0,
    pen_writers_held_out: int = 0,
    outliers: int = 0,
    pen_bend: float = 0.0,
    train_seed: int | None = None,
) -> TrainingData:
    """A dataset's splits. For the canvas's dataset, `pen_digits` drawings of each pen-drawn digit join
    training (bent by `pen_bend`), the digits of `pen_writers_held_out` writers, held out whole, are a
    second validation set; `outliers` pictures unlike any class (training.exposure) are a pool for
    outlier exposure. `seed` picks the held-out images and writers; the drawings and the pool are
    drawn by `train_seed` where one is given."""
    drawing_seed = seed if train_seed is None else train_seed
    train_set = datasets.load(dataset, "train", root, download)
    test_set = datasets.load(dataset, "test", root, download)
    train, val = hold_out(train_set.images, train_set.labels, val_size, seed)
    data = TrainingData(train_set.spec, train, val, to_split(test_set.images, test_set.labels), test_set.source)
    pen_train: list[pendigits.PenDigit] = []
    if train_set.spec is DRAWN and (pen_digits > 0 or pen_writers_held_out > 0):
        pen_train, pen_val = pen_data.load(root, download, pen_writers_held_out, seed)
        if pen_digits > 0:
            pen = to_split(*pen_data.render(pen_train, pen_digits, drawing_seed, pen_bend))
            data.train = Split(torch.cat([train.images, pen.images]), torch.cat([train.labels, pen.labels]))
        if pen_val:
            data.pen_val = to_split(*pen_data.render(pen_val, 0, seed))
            data.pen_writers = tuple(pendigits.writers(pen_val))
    if outliers > 0:
        photos = train.images.permute(0, 2, 3, 1).numpy()  # the training split's only: none held out for validation
        data.outliers = exposure.pool(train_set.spec, outliers, drawing_seed, pen_train, photos)
    return data
