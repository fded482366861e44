"""The registry's datasets as uint8 arrays, read from disk and downloaded on request.

Each dataset names its reader (`DatasetSpec.reader`, a key of READERS), which looks under a root folder:
- "idx": the official idx files in <root>/<source>/raw (torchvision's layout), as MNIST's.
- "class folders or python batches": an ImageFolder copy in <root>/<name>-jpeg/<split>/<class>/, then the
  pickled batches in torchvision's folder for the source (<root>/cifar-10-batches-py for CIFAR-10).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from models import registry, test_answers
from models.errors import ImageError, ModelError, UnknownModelError
from models.images import SUFFIXES, open_image
from models.registry import CACHE_DIR, DatasetSpec

SPLITS = ("train", "test")
DEFAULT_ROOT = Path(os.environ.get("VISIONLAB_DATA", CACHE_DIR / "data"))


class DatasetError(ModelError):
    """A dataset is missing, damaged, or could not be downloaded."""


class DatasetMissing(DatasetError):
    """A dataset's files are not where it was looked for."""


IDX_PREFIXES = {"train": "train", "test": "t10k"}  # the file names of each split of an idx dataset


@dataclass(frozen=True)
class ImageSet:
    spec: DatasetSpec
    split: str
    images: np.ndarray  # (N, H, W, C) uint8
    labels: np.ndarray  # (N,) int64
    source: str  # what the figures measured on it should be called

    def __len__(self) -> int:
        return len(self.labels)

    @cached_property
    def fingerprint(self) -> str:
        """Names this set's pixels and labels, to tell whether stored answers belong to it."""
        return test_answers.fingerprint(self.images, self.labels)


Reader = Callable[[DatasetSpec, Path, str], ImageSet | None]  # (spec, root, split) -> that split, or None if absent


def read_idx(path: Path, title: str) -> np.ndarray:
    """An idx file (the MNIST format), optionally gzipped, as a numpy array; `title` names its dataset in errors."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (OSError, EOFError) as error:  # unreadable, or a gzip file cut short
        raise DatasetError(f"{path} is damaged ({error}); delete it and download {title} again.") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise DatasetError(f"{path} is not an unsigned-byte idx file; delete it and download {title} again.")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise DatasetError(f"{path} is truncated ({body.size} of {int(np.prod(shape))} bytes); download {title} again.")
    return body.reshape(shape)


# torchvision's folder of pickled batches for a source (its base_folder), named here so that the
# data folder is found on the GUI thread without importing torchvision; a test checks they agree.
BATCH_FOLDERS = {"CIFAR10": "cifar-10-batches-py"}


def jpeg_folder(spec: DatasetSpec) -> str:
    """The folder of a dataset's JPEG copy, one class folder per split."""
    return f"{spec.name}-jpeg"


def set_folders(spec: DatasetSpec) -> dict[str, str]:
    """The folders in the data folder that may hold a dataset, each with what lies in it: torchvision's
    MNIST, the JPEG copy of CIFAR-10, torchvision's CIFAR-10 batches (which Download fetches)."""
    if spec.reader == "idx":
        return {spec.source: "raw"}
    batches = {BATCH_FOLDERS[spec.source]: "batches.meta"} if spec.source in BATCH_FOLDERS else {}
    return {jpeg_folder(spec): "test", **batches}


def data_folder(chosen: Path) -> Path:
    """The data folder, given it or a folder within one of its sets (MNIST, MNIST/raw,
    cifar10-jpeg/test): people pick the folder of the set they see as often as the one above it."""
    marks = {name: mark for spec in registry.DATASETS.values() for name, mark in set_folders(spec).items()}

    def is_set(folder: Path) -> bool:
        return folder.name in marks and (folder / marks[folder.name]).exists()

    if any(is_set(chosen / name) for name in marks):
        return chosen
    for within in [chosen, *chosen.parents][:3]:
        if is_set(within):
            return within.parent
    return chosen


def _find(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _idx_files(spec: DatasetSpec, root: Path, split: str) -> ImageSet | None:
    prefix = IDX_PREFIXES[split]
    raw = root / spec.source / "raw"  # torchvision's layout, named after its dataset class
    images, labels = _find(raw, f"{prefix}-images-idx3-ubyte"), _find(raw, f"{prefix}-labels-idx1-ubyte")
    if images is None or labels is None:
        return None
    x, y = read_idx(images, spec.title), read_idx(labels, spec.title)
    if len(x) != len(y):
        raise DatasetError(f"{images} and {labels} disagree on the number of images; download {spec.title} again.")
    return ImageSet(spec, split, x[..., None], y.astype(np.int64), f"{spec.title} {split} set")


def _decode(path: Path, size: int) -> np.ndarray:
    try:
        pixels = np.asarray(open_image(path).convert("RGB"), dtype=np.uint8)
    except ImageError as error:
        raise DatasetError(f"{path} cannot be read as an image ({error}); delete it or copy the set again.") from None
    if pixels.shape[:2] != (size, size):
        raise DatasetError(
            f"{path} is {pixels.shape[1]}x{pixels.shape[0]} pixels, not {size}x{size} like the rest of the set; "
            "delete it or copy the set again."
        )
    return pixels


def read_image_folder(folder: Path, classes: tuple[str, ...], size: int) -> tuple[np.ndarray, np.ndarray]:
    """All images of <folder>/<class>/*, each size x size, in class then file-name order.

    Decoded on this thread alone: each picture costs more Python than decoding, and a pool of
    threads for them took the GIL from the window's thread for 0.2 s at a time."""
    paths, labels = [], []
    for index, name in enumerate(classes):
        files = sorted(p for p in (folder / name).iterdir() if p.suffix.lower() in SUFFIXES)
        paths += files
        labels += [index] * len(files)
    if not paths:
        raise DatasetError(f"{folder} holds no images in its class folders; download the dataset again.")
    return np.stack([_decode(path, size) for path in paths]), np.asarray(labels, dtype=np.int64)


def _class_folders_or_python_batches(spec: DatasetSpec, root: Path, split: str) -> ImageSet | None:
    folder = root / jpeg_folder(spec) / split
    if folder.is_dir() and all((folder / name).is_dir() for name in spec.classes):
        images, labels = read_image_folder(folder, spec.classes, spec.image_size)
        return ImageSet(spec, split, images, labels, f"{spec.title} {split} set (JPEG copy)")
    import torchvision.datasets

    source = getattr(torchvision.datasets, spec.source)
    batches = root / source.base_folder
    if not batches.is_dir():
        return None
    # The batches are pickles: torchvision unpickles them only after their MD5 sums match the
    # official files'.
    try:
        data = source(str(root), train=split == "train", download=False)
    except RuntimeError:
        raise DatasetError(
            f"{batches} is incomplete or damaged (its files do not match the official "
            f"{spec.title} batches); delete that folder and download {spec.title} again."
        ) from None
    return ImageSet(
        spec, split, np.asarray(data.data), np.asarray(data.targets, dtype=np.int64), f"{spec.title} {split} set"
    )


READERS: dict[str, Reader] = {
    "idx": _idx_files,
    "class folders or python batches": _class_folders_or_python_batches,
}


def load(dataset: str, split: str, root: Path | str = DEFAULT_ROOT, download: bool = False) -> ImageSet:
    """One split of a dataset; with `download`, fetch it first when it is not under `root`."""
    try:
        spec = registry.dataset(dataset)
    except UnknownModelError as error:
        raise DatasetError(str(error)) from None
    if split not in SPLITS:
        raise DatasetError(f"Unknown split {split!r}; choose 'train' or 'test'.")
    root = Path(root).expanduser()
    read = READERS[spec.reader]
    found = read(spec, root, split)
    if found is None and download:
        from models.download import download as fetch

        fetch(dataset, root, splits=(split,))
        found = read(spec, root, split)
    if found is None:
        raise DatasetMissing(
            f"The {spec.title} {split} set is not in {root}. Download it (training does, unless given "
            f"--no-download; the app has a Download button) or point --data-dir (or VISIONLAB_DATA) at a "
            f"folder that holds it."
        )
    return found
