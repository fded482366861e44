"""Real digits drawn with a pen: the UCI pen-based digits (UNIPEN format), read as strokes by writer.

The training part of E. Alpaydin and F. Alimoglu's set (CC BY 4.0): 7,494 digits by 30 writers,
each written inside a 500x500 box of a tablet whose y axis points up. Recipes are chosen on
writers held out whole: a writer's digits are all in training or all in validation.
"""

from __future__ import annotations

import io
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.errors import ModelError

if TYPE_CHECKING:
    from models.card import TrainingRun

FILE = "pendigits-orig.tra"
FOLDER = "pendigits"
HELD_OUT_WRITERS = 6  # of the 30: whole writers kept out of training, the ones every pen figure is measured on
URL = "https://archive.ics.uci.edu/static/public/81/pen+based+recognition+of+handwritten+digits.zip"
TIMEOUT_S = 30


class PenDigitsError(ModelError):
    pass


@dataclass(frozen=True)
class PenDigit:
    strokes: tuple[np.ndarray, ...]  # (n, 2) tablet points, x right and y up
    label: int
    writer: int


def parse(text: str, source: str = FILE) -> list[PenDigit]:
    """The digits of a UNIPEN file; PenDigitsError names the line of anything it cannot read."""
    digits: list[PenDigit] = []
    label: int | None = None
    writer: int | None = None
    strokes: list[np.ndarray] = []
    points: list[tuple[float, float]] | None = None  # the stroke being read, between PEN_DOWN and PEN_UP

    def bad(number: int, what: str) -> PenDigitsError:
        return PenDigitsError(f"{source}, line {number}: {what}. Download the pen digits again.")

    def finish(number: int, end: bool = False) -> None:
        if label is None:
            return
        if points is not None:
            raise bad(number, "the file ends inside a stroke" if end else "a stroke is not ended by .PEN_UP")
        if not strokes:
            raise bad(number, f"digit {label} has no strokes")
        digits.append(PenDigit(tuple(strokes), label, writer if writer is not None else 0))

    number = 0
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split()
        if not words:
            continue
        if words[0] == ".SEGMENT":
            finish(number)
            strokes, writer = [], None
            quoted = line.split('"')
            if len(quoted) < 3 or not quoted[1].strip().isdigit():
                raise bad(number, "a .SEGMENT without a digit label in quotes")
            label = int(quoted[1])
        elif words[0] == ".COMMENT" and label is not None:
            if len(words) < 3 or not words[2].isdigit():
                raise bad(number, "a .COMMENT without the writer's number")
            writer = int(words[2])
        elif words[0] == ".PEN_DOWN":
            if label is None or points is not None:
                raise bad(number, ".PEN_DOWN outside a digit, or inside a stroke")
            points = []
        elif words[0] == ".PEN_UP":
            if points is None or not points:
                raise bad(number, ".PEN_UP without a stroke before it")
            strokes.append(np.asarray(points, dtype=np.float64))
            points = None
        elif points is not None:
            try:
                x, y = (float(word) for word in words)
            except ValueError:
                raise bad(number, f"{line.strip()!r} is not a point (two numbers)") from None
            points.append((x, y))
    finish(number, end=True)
    if not digits:
        raise PenDigitsError(f"{source} holds no digits. Download the pen digits again.")
    return digits


def to_canvas(digit: PenDigit, height: float = 0.7, centre: tuple[float, float] = (0.5, 0.5)) -> list[np.ndarray]:
    """The digit as drawn on a canvas: y pointing down, `height` of the canvas tall, around `centre`."""
    flipped = [stroke * np.array([1.0, -1.0]) for stroke in digit.strokes]
    everything = np.concatenate(flipped)
    low, high = everything.min(axis=0), everything.max(axis=0)
    scale = height / max(float(high[1] - low[1]), float(high[0] - low[0]) / 2, 1e-9)  # a wide "-" stays on the canvas
    middle = (low + high) / 2
    return [(stroke - middle) * scale + np.asarray(centre) for stroke in flipped]


def writers(digits: list[PenDigit]) -> list[int]:
    return sorted({digit.writer for digit in digits})


def split_writers(digits: list[PenDigit], held_out: int, seed: int) -> tuple[list[PenDigit], list[PenDigit]]:
    """(training, validation): `held_out` writers, chosen by the seed, give all their digits to validation."""
    everyone = writers(digits)
    if not 0 <= held_out < len(everyone):
        raise ValueError(f"Cannot hold out {held_out} of the {len(everyone)} pen-digit writers.")
    chosen = set(np.random.default_rng(seed).choice(everyone, size=held_out, replace=False).tolist())
    return [d for d in digits if d.writer not in chosen], [d for d in digits if d.writer in chosen]


def unseen_by(
    digits: list[PenDigit], run: TrainingRun | None, held_out: int = HELD_OUT_WRITERS, seed: int = 0
) -> list[PenDigit]:
    """The digits of the writers a model's training `run` held out; for a run that learned from no pen
    digits (every writer unseen), those of `held_out` writers chosen by `seed`. A run that learned from
    every writer's digits has none left unseen."""
    if run is not None and run.pen_writers_held_out:
        held_out, seed = run.pen_writers_held_out, run.seed
    elif run is not None and run.recipe.get("pen_digits"):
        raise PenDigitsError(
            f"{run.command!r} learned from the pen digits of every writer: none is left to measure it on. "
            f"Train with --pen-writers-held-out {HELD_OUT_WRITERS} to keep some writers unseen."
        )
    return split_writers(digits, held_out, seed)[1]


def download(root: Path) -> Path:
    """Fetch the UNIPEN file from UCI's archive into <root>/pendigits/."""
    target = root / FOLDER / FILE
    try:
        with urllib.request.urlopen(URL, timeout=TIMEOUT_S) as response:
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
    except (OSError, zipfile.BadZipFile) as error:
        raise PenDigitsError(
            f"Could not download the pen digits from {URL} ({error}). Check the internet connection, or copy "
            f"{FILE} into {target.parent} by hand."
        ) from None
    member = next((name for name in archive.namelist() if name.endswith(FILE)), None)
    if member is None:
        raise PenDigitsError(f"The archive from {URL} holds no {FILE}; copy it into {target.parent} by hand.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(archive.read(member))
    return target


def load(root: Path, allow_download: bool = False) -> list[PenDigit]:
    """The pen digits under <root>/pendigits/, fetched first where missing and `allow_download`."""
    path = Path(root).expanduser() / FOLDER / FILE
    if not path.is_file():
        if not allow_download:
            raise PenDigitsError(
                f"The pen digits are not in {path.parent}. Download them (training does, unless given "
                f"--no-download) or point --data-dir at a folder that holds {FOLDER}/{FILE}."
            )
        download(Path(root).expanduser())
    return parse(path.read_text(encoding="ascii", errors="replace"), str(path))
