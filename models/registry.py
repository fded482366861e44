"""The named models the app offers, and the facts about their datasets.

This is the one place where class names, input sizes, normalization and architecture
settings are written down; training, evaluation and the app all read them from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from models.errors import UnknownModelError

WEIGHTS_DIR = Path(os.environ.get("VISIONLAB_WEIGHTS", Path(__file__).resolve().parents[1] / "weights"))
CACHE_DIR = Path.home() / ".cache" / "visionlab"  # downloaded datasets and training checkpoints


class Preparation(Enum):
    """What a picture still needs before a model sees it."""

    NONE = "none"  # a picture of the dataset's own kind: only resized to the model's input
    DRAWING = "drawing"  # the canvas's strokes: drawn into MNIST's box at MNIST's weight (models.strokes)
    PHOTO_OF_DIGIT = "photo of a digit"  # a photo or scan of a digit on paper: inverted where light, then as ink


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    classes: tuple[str, ...]
    image_size: int
    channels: int
    mean: tuple[float, ...]
    std: tuple[float, ...]
    kind: str  # what its pictures show, in a few words: "digits", "photos"
    reader: str  # how models.datasets finds and reads its files: a key of models.datasets.READERS
    source: str  # the torchvision dataset class whose files models.download fetches
    # What a user's own picture needs before this dataset's models see it.
    own_pictures: Preparation = Preparation.NONE
    # A mirror image shows the same class (a photo's cat, not a digit's 3): models then answer
    # with the mean of the logits for a picture and its mirror image, as their figures are measured.
    mirror_invariant: bool = False
    test_download_bytes: int = 0  # what fetching its test set takes (the app says so before it starts)
    # The change per pixel, in whole pixel levels, of the adversarial pictures the app first offers and
    # benchmarks/attacks.py measures: the customary budgets, 0.2 of the range for MNIST's digits
    # (Madry et al., 2018, took 0.3) and 8/255 for CIFAR-10's photos.
    attack_levels: int = 8


MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    classes=tuple(str(d) for d in range(10)),
    image_size=28,
    channels=1,
    mean=(0.1307,),
    std=(0.3081,),
    kind="digits",
    reader="idx",
    source="MNIST",
    own_pictures=Preparation.PHOTO_OF_DIGIT,
    test_download_bytes=1_648_877 + 4_542,  # t10k images and labels, gzipped
    attack_levels=51,
)

CIFAR10 = DatasetSpec(
    name="cifar10",
    title="CIFAR-10",
    classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    image_size=32,
    channels=3,
    mean=(0.4914, 0.4822, 0.4465),
    std=(0.2470, 0.2435, 0.2616),
    kind="photos",
    reader="class folders or python batches",
    source="CIFAR10",
    mirror_invariant=True,
    test_download_bytes=170_498_071,  # one tarball holds both splits
    attack_levels=8,
)

DATASETS = {spec.name: spec for spec in (MNIST, CIFAR10)}  # in the order the app offers them
DRAWN = MNIST  # the dataset whose models read the drawing canvas


@dataclass(frozen=True)
class ModelSpec:
    name: str
    arch: str
    dataset: DatasetSpec
    arch_options: dict = field(default_factory=dict)
    title: str = ""

    @property
    def weight_path(self) -> Path:
        return WEIGHTS_DIR / f"{self.name}.safetensors"

    @property
    def card_path(self) -> Path:
        return WEIGHTS_DIR / f"{self.name}.json"

    @property
    def answers_path(self) -> Path:
        """Its answers for every test image, as the evaluation that wrote the card measured them."""
        return WEIGHTS_DIR / f"{self.name}.answers.safetensors"

    @property
    def unfamiliarity_path(self) -> Path:
        """What its unfamiliarity score learned from the training data (models.unfamiliarity)."""
        return WEIGHTS_DIR / f"{self.name}.unfamiliarity.safetensors"

    @property
    def map_path(self) -> Path:
        """Its test set placed in its feature space (models.data_map)."""
        return WEIGHTS_DIR / f"{self.name}.map.safetensors"

    @property
    def classes(self) -> tuple[str, ...]:
        return self.dataset.classes

    def train_command(self, launcher: str = "python") -> str:
        return f"uv run {launcher} -m training {self.name}"


# ViT sizes chosen to fit the CPU training budget: 4x4 patches as in the paper, but deeper than
# its depth 2, and for CIFAR-10 wider than its dim 128 too: the paper's size underfits CIFAR-10.
# For CIFAR-10, mean pooling and no dropout converge faster in short schedules (Beyer et al.,
# "Better plain ViT baselines").
_VIT_MNIST = {"patch_size": 4, "dim": 128, "depth": 4, "heads": 4, "dim_head": 32, "mlp_dim": 256, "dropout": 0.1}
_VIT_CIFAR10 = {
    "patch_size": 4,
    "dim": 192,
    "depth": 6,
    "heads": 3,
    "dim_head": 64,
    "mlp_dim": 384,
    "dropout": 0.0,
    "pool": "mean",
}

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("mnist_cnn", "mnist_cnn", MNIST, title="MNIST CNN"),
        ModelSpec("resnet18_mnist", "resnet18", MNIST, {"stem_stride": 2}, title="ResNet18"),
        ModelSpec("vit_mnist", "vit", MNIST, _VIT_MNIST, title="ViT"),
        ModelSpec("resnet18_cifar10", "resnet18", CIFAR10, title="ResNet18"),
        ModelSpec("vit_cifar10", "vit", CIFAR10, _VIT_CIFAR10, title="ViT"),
    )
}


def spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise UnknownModelError(f"Unknown model {name!r}. Known models: {known}.") from None


def available() -> list[str]:
    """Names of the registered models whose weight files are present."""
    return [name for name, s in MODELS.items() if s.weight_path.is_file()]


def for_dataset(dataset: str) -> list[str]:
    """The registered models of a dataset, in the order the app offers them."""
    return [name for name, s in MODELS.items() if s.dataset.name == dataset]


def dataset(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownModelError(f"Unknown dataset {name!r}. Known datasets: {', '.join(DATASETS)}.") from None
