"""Pen-drawn digits as training and validation images, rendered through the canvas's own path.

Each training digit is drawn `copies` times as people draw on a canvas: at another size and place,
with another brush, slanted, turned, stretched and with a shaky pen; models.strokes renders every
drawing exactly as the app renders the user's. Validation writers are drawn once, as the app's
default would: 70% of the canvas tall, with the default brush.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from models import pendigits
from models.pendigits import PenDigit
from models.strokes import BRUSHES, DEFAULT_BRUSH, strokes_to_mnist

HEIGHTS = (0.3, 0.9)  # of the canvas: the sizes the app is measured at
SLANT = 0.25  # x shifts by up to this fraction of y
TURN_DEGREES = 10.0
STRETCH = (0.85, 1.15)  # of the width
JITTER = 0.004  # of the canvas side: a shaky hand
BEND_WAVES = 2  # sine waves summed in each axis of a bend


def rotation(angle: float) -> np.ndarray:
    """The 2x2 matrix that turns points (x, y) by `angle` radians."""
    cos, sin = math.cos(angle), math.sin(angle)
    return np.array([[cos, -sin], [sin, cos]])


def bent(strokes: list[np.ndarray], amount: float, rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes moved by a smooth random field, up to about `amount` of the drawing's size: the
    curves a hand gives a digit (elastic distortion, as Simard et al. 2003 did to MNIST's pixels)."""
    points = np.concatenate(strokes)
    corner = points.min(axis=0)
    size = max(float((points.max(axis=0) - corner).max()), 1e-6)
    # two waves for each axis, of half to one and a half cycles across the drawing, in any direction
    angles = rng.uniform(0, 2 * math.pi, (2, BEND_WAVES))
    cycles = rng.uniform(0.5, 1.5, (2, BEND_WAVES))
    waves = cycles[..., None] * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (axis, wave, 2)
    phases = rng.uniform(0, 2 * math.pi, (2, BEND_WAVES))

    def moved(stroke: np.ndarray) -> np.ndarray:
        across = (stroke - corner) / size
        shift = np.sin(2 * math.pi * np.einsum("nd,awd->naw", across, waves) + phases).sum(axis=-1)
        return stroke + amount * size / math.sqrt(BEND_WAVES) * shift

    return [moved(stroke) for stroke in strokes]


def drawn(digit: PenDigit, rng: np.random.Generator, bend: float = 0.0) -> tuple[list[np.ndarray], float]:
    """One way a person might draw this digit on the canvas: its strokes and the brush; with `bend`,
    its curves bent too (see `bent`)."""
    height = rng.uniform(*HEIGHTS)
    centre = (rng.uniform(0.5 - (1 - height) / 3, 0.5 + (1 - height) / 3),) * 2
    strokes = pendigits.to_canvas(digit, height, centre)
    angle = math.radians(rng.uniform(-TURN_DEGREES, TURN_DEGREES))
    shape = np.array([[1.0, -rng.uniform(-SLANT, SLANT)], [0.0, 1.0]]) @ np.diag([rng.uniform(*STRETCH), 1.0])
    shape = rotation(angle) @ shape
    middle = np.concatenate(strokes).mean(axis=0)
    moved = [(stroke - middle) @ shape.T + middle + rng.normal(0, JITTER, stroke.shape) for stroke in strokes]
    brush = float(rng.uniform(*BRUSHES))
    return (bent(moved, bend, rng) if bend > 0 else moved), brush


def render(digits: list[PenDigit], copies: int, seed: int, bend: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28, 1) uint8 images and their labels: each digit drawn `copies` times, bent by up to
    `bend` of its size, or once as the app's default draws it where `copies` is 0."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for digit in digits:
        if copies == 0:
            images.append(strokes_to_mnist(pendigits.to_canvas(digit), DEFAULT_BRUSH))
            labels.append(digit.label)
        for _ in range(copies):
            strokes, brush = drawn(digit, rng, bend)
            images.append(strokes_to_mnist(strokes, brush))
            labels.append(digit.label)
    if not images:
        return np.zeros((0, 28, 28, 1), np.uint8), np.zeros(0, np.int64)
    return np.stack(images)[..., None], np.asarray(labels, dtype=np.int64)


DRAWN_AS = "70% of the canvas tall, with the default brush"  # how validation writers are drawn


def load(root: Path | str, download: bool, writers_held_out: int, seed: int) -> tuple[list[PenDigit], list[PenDigit]]:
    """(training digits, validation digits): `writers_held_out` writers, chosen by the seed, held out whole."""
    return pendigits.split_writers(pendigits.load(Path(root), download), writers_held_out, seed)
