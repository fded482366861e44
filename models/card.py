"""A model's weight card (weights/<name>.json): what the model is, how it was made and how well it does.

The one reader and writer of cards. Reading checks every field against the dataclasses below (with
models.typed_json), so that a damaged card is refused with a message naming the field rather than
failing later in the app; unknown keys are refused too, since writing the card back would drop
them. A card without `schema_version` (older ones) is read as version 1; one from a newer
visionlab is refused. The writer leaves out what is None and parts at their default, in the key
order cards have always had, so that a card written again differs only where its content does.
Torch-free, for the app's start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models import typed_json
from models.errors import WeightsError
from models.registry import ModelSpec

SCHEMA_VERSION = 5  # 2: pen_digits, the pen writers a run held out; 3: unfamiliarity; 4: feature_map; 5: train_seed

# The conditions that the numbers of a field meet.
_FRACTION = typed_json.checked(lambda x: 0 <= x <= 1, "between 0 and 1")
_COUNT = typed_json.checked(lambda x: x >= 0, "0 or more")
_POSITIVE = typed_json.checked(lambda x: x > 0, "greater than 0")


@dataclass(frozen=True)
class Reliability:
    """Confidence against accuracy in equal-width confidence bins, and the expected calibration error."""

    ece: float = field(metadata=_FRACTION)
    count: list[int] = field(metadata=_COUNT)
    confidence: list[float] = field(metadata=_FRACTION)
    accuracy: list[float] = field(metadata=_FRACTION)

    def _problems(self) -> Iterator[tuple[str, str]]:
        if not len(self.count) == len(self.confidence) == len(self.accuracy):
            yield "", "count, confidence and accuracy must have one value per bin each"


@dataclass(frozen=True)
class Calibration:
    """Temperature scaling: fitted on held-out data, or 1 (no change) where there was none."""

    temperature: float = field(default=1.0, metadata=_POSITIVE)
    fitted_on: str | None = field(default=None, metadata=typed_json.WRITE_NULL)  # null, as cards have always had it
    test_raw: Reliability | None = None
    test_calibrated: Reliability | None = None
    val_ece_raw: float | None = field(default=None, metadata=_FRACTION)
    val_ece_calibrated: float | None = field(default=None, metadata=_FRACTION)

    @property
    def fitted(self) -> bool:
        return self.fitted_on is not None


@dataclass(frozen=True)
class TestScores:
    __test__ = False  # not a pytest test class, whatever its name says

    accuracy: float = field(metadata=_FRACTION)
    macro_f1: float = field(metadata=_FRACTION)
    per_class_accuracy: list[float] = field(metadata=_FRACTION)
    confusion_matrix: list[list[int]] = field(metadata=_COUNT)  # rows: true classes, columns: predicted


@dataclass(frozen=True)
class PenScores:
    """Pen-drawn digits of writers held out of training, drawn as the canvas draws by default."""

    accuracy: float = field(metadata=_FRACTION)
    digits: int = field(metadata=_COUNT)
    writers: list[int]
    drawn: str  # how they were drawn, in words


@dataclass(frozen=True)
class UnfamiliarSet:
    """How the chosen score does on one set of pictures unlike the training data."""

    pictures: int = field(metadata=_COUNT)
    auroc: float = field(metadata=_FRACTION)  # against the familiar pictures held out
    flagged: float = field(metadata=_FRACTION)  # the share above the threshold


@dataclass(frozen=True)
class Unfamiliarity:
    """How the model tells a picture unlike its training data (models.unfamiliarity), and how well."""

    method: str
    threshold: float  # scores above it are unfamiliar
    fitted_on: str  # in words: what the method learned from, and the pictures the threshold was set on
    familiar_flagged: dict[str, float] = field(metadata=_FRACTION)  # familiar pictures held out, flagged
    unfamiliar: dict[str, UnfamiliarSet] = field(default_factory=dict)
    methods_auroc: dict[str, dict[str, float]] = field(default_factory=dict, metadata=_FRACTION)  # what chose it


@dataclass(frozen=True)
class FeatureMap:
    """The map of the test set in the model's penultimate features (models.data_map), and what it keeps."""

    method: str
    test_images: int = field(metadata=_COUNT)
    axes_kept: int = field(metadata=_POSITIVE)  # the space the nearest neighbours are found in
    variance_shown: float = field(metadata=_FRACTION)  # the share of the features' variance the map's two axes show
    variance_kept: float = field(metadata=_FRACTION)
    # Of each test image's 10 nearest neighbours by cosine in the full features, the share found
    # among its 10 nearest in the kept space (over 500 test images).
    neighbour_recall: float = field(metadata=_FRACTION)
    bytes: int = field(metadata=_COUNT)  # the stored map's size


@dataclass(frozen=True)
class Inference:
    """How the app answers, as the test figures were measured."""

    mirror_average: bool = False  # the mean of the logits for a picture and its mirror image
    single_view_test_accuracy: float | None = field(default=None, metadata=_FRACTION)


@dataclass(frozen=True)
class TrainingRun:
    """One run of `python -m training`; the defaults stand for what a card may not say."""

    command: str
    recipe: dict
    epochs: int = field(metadata=_COUNT)
    seed: int = 0  # picks the held-out images and pen writers, and the training's randomness but for train_seed
    train_seed: int | None = None  # the training's own randomness, where a run set it apart from seed
    val_size: int = field(default=0, metadata=_COUNT)
    data_dir: str | None = None
    train_images: int | None = field(default=None, metadata=_COUNT)
    device: str | None = None
    processes: int = field(default=1, metadata=_POSITIVE)
    precision: str | None = None
    date: str | None = None
    history: list[dict[str, int | float]] = field(default_factory=list)  # one record of numbers per epoch
    wall_time_s: float = field(default=0.0, metadata=_COUNT)
    images_per_s: float | None = field(default=None, metadata=_COUNT)
    weight_average: dict[str, int | float] | None = None  # the epochs averaged and their validation figures
    pen_writers_held_out: int | None = field(default=None, metadata=_COUNT)  # pen writers kept for validation
    init_from: InitFrom | None = None


@dataclass(frozen=True)
class InitFrom:
    """The weights a warm restart started from, and the run that made them."""

    weights: str
    training: TrainingRun | None = None


@dataclass(frozen=True)
class Storage:
    dtype: str
    bytes: int | None = field(default=None, metadata=_COUNT)
    top1_agreement_with_float32: float | None = field(default=None, metadata=_FRACTION)
    # The weight file's SHA-256: a file damaged since (flipped bits) or from another run is refused.
    sha256: str | None = None

    def _problems(self) -> Iterator[tuple[str, str]]:
        if self.sha256 is not None and (len(self.sha256) != 64 or set(self.sha256) - set("0123456789abcdef")):
            yield "sha256", "must be 64 lowercase hexadecimal digits"


@dataclass(frozen=True)
class Input:
    size: int = field(metadata=_POSITIVE)
    channels: int = field(metadata=_POSITIVE)


@dataclass(frozen=True)
class Normalization:
    mean: list[float]
    std: list[float] = field(metadata=_POSITIVE)


@dataclass(frozen=True)
class Card:
    """Everything weights/<name>.json says about a model; only model, dataset and classes are required."""

    model: str
    dataset: str
    classes: list[str]
    title: str = ""
    architecture: dict | None = None  # {"name": arch, **arch_options}
    parameters: int | None = field(default=None, metadata=_COUNT)
    test_set: str | None = None
    input: Input | None = None
    normalization: Normalization | None = None
    inference: Inference = Inference()
    test: TestScores | None = None
    pen_digits: PenScores | None = None
    calibration: Calibration = Calibration()
    unfamiliarity: Unfamiliarity | None = None
    feature_map: FeatureMap | None = None
    training: TrainingRun | None = None
    storage: Storage | None = None
    evaluated: str | None = None  # the date of the test figures
    schema_version: int = field(default=SCHEMA_VERSION, metadata=_POSITIVE)

    @property
    def temperature(self) -> float:
        return self.calibration.temperature

    def runs(self) -> list[TrainingRun]:
        """The training runs that made the model, first to last: a warm restart keeps the run it started from."""
        runs: list[TrainingRun] = []
        run = self.training
        while run is not None:
            runs.insert(0, run)
            run = run.init_from.training if run.init_from is not None else None
        return runs

    def training_length(self) -> tuple[str, float]:
        """The epochs of every run that made the model, as "25 + 25", and their wall time in seconds."""
        runs = self.runs()
        return " + ".join(str(run.epochs) for run in runs), sum(run.wall_time_s for run in runs)

    def _problems(self) -> Iterator[tuple[str, str]]:
        if self.test is None:
            return
        n = len(self.classes)
        if len(self.test.per_class_accuracy) != n:
            yield "test.per_class_accuracy", f"has {len(self.test.per_class_accuracy)} values for the {n} classes"
        matrix = self.test.confusion_matrix
        if len(matrix) != n or any(len(row) != n for row in matrix):
            yield "test.confusion_matrix", f"must be {n} x {n}, a row and a column for each of the {n} classes"


# The order of the keys in a card file, where it is not that of the fields.
_FILE_ORDER: dict[type, tuple[str, ...]] = {
    Card: (
        "schema_version", "model", "title", "architecture", "parameters", "dataset", "test_set", "classes",
        "input", "normalization", "inference", "test", "pen_digits", "calibration", "unfamiliarity",
        "feature_map", "training", "storage", "evaluated",
    ),
    Calibration: ("temperature", "fitted_on", "val_ece_raw", "val_ece_calibrated", "test_raw", "test_calibrated"),
    Storage: ("dtype", "top1_agreement_with_float32", "bytes", "sha256"),
}  # fmt: skip


def to_dict(card: Card) -> dict[str, Any]:
    """The card as the JSON object of its file."""
    return typed_json.plain(card, _FILE_ORDER)


def _remedy(where: str | Path, retrain_hint: str | None) -> str:
    remedy = f"Restore it from git (git checkout -- {where})"
    return remedy + (f" or train the model again with: {retrain_hint}" if retrain_hint else ".")


def from_dict(data: object, where: str | Path, retrain_hint: str | None = None) -> Card:
    """A card from the JSON object of its file, every field checked; `where` names the file in messages."""
    remedy = _remedy(where, retrain_hint)
    if not isinstance(data, dict):
        raise WeightsError(f"The weight card {where} is not a JSON object. {remedy}")
    version = data.get("schema_version", 1)
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise WeightsError(
            f"The weight card {where} was written by a newer visionlab (card schema version {version}; this "
            f"visionlab reads up to version {SCHEMA_VERSION}). Update visionlab (git pull, then uv sync) to use it."
        )
    try:
        return typed_json.parse({"schema_version": 1, **data}, Card)  # the cards before versions were version 1
    except typed_json.Invalid as error:
        raise WeightsError(f"The weight card {where} is damaged: {error.path} {error.problem}. {remedy}") from None


def read(path: Path, retrain_hint: str) -> Card:
    """The card at `path`, with a message that says what to do where it is missing or damaged."""
    if not path.is_file():
        raise WeightsError(f"The weight card {path} is missing. {_remedy(path, retrain_hint)}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WeightsError(f"The weight card {path} cannot be read ({error}). {_remedy(path, retrain_hint)}") from None
    return from_dict(data, path, retrain_hint)


def write(path: Path, card: Card) -> None:
    """Write the card as indented JSON, creating its folder where needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_dict(card), indent=2) + "\n", encoding="utf-8")


def minimal(model_spec: ModelSpec, temperature: float | None = None) -> Card:
    """The smallest card that a registered model loads with: no figures, no training. A temperature
    given here counts as fitted, so that the app offers calibrated probabilities."""
    calibration = Calibration() if temperature is None else Calibration(temperature, fitted_on="set by hand")
    return Card(
        model=model_spec.name,
        dataset=model_spec.dataset.name,
        classes=list(model_spec.classes),
        title=model_spec.title,
        architecture={"name": model_spec.arch, **model_spec.arch_options},
        calibration=calibration,
    )


def check_belongs(card: Card, model_spec: ModelSpec) -> None:
    """The card must describe this very model: a copied or stale file is refused."""
    expected: dict[str, object] = {
        "model": model_spec.name,
        "dataset": model_spec.dataset.name,
        "classes": list(model_spec.classes),
    }
    if card.architecture is not None:  # weights of another variant (a stem stride, a ViT width) may fit the shapes
        expected["architecture"] = {"name": model_spec.arch, **model_spec.arch_options}
    wrong = [key for key, value in expected.items() if getattr(card, key) != value]
    if wrong:
        found = ", ".join(f"{key}={getattr(card, key)!r}" for key in wrong)
        raise WeightsError(
            f"The weight card {model_spec.card_path} does not belong to {model_spec.name} ({found}). "
            f"Train it again with: {model_spec.train_command()}"
        )
