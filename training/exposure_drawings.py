"""Drawings that are no digit, for outlier exposure (training.exposure) of the digit models.

They come from families of their own, made apart from the sets that training.outliers checks the
unfamiliarity score on (letters, symbols and other scripts from fonts, random-walk scribbles, noise,
photos): the checks then measure how far the lesson carries to kinds never trained on. Every drawing
goes through the canvas's own path (models.strokes), like the user's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from models import pendigits
from models.pendigits import PenDigit
from models.strokes import BRUSHES, strokes_to_mnist
from training.pen_data import JITTER, rotation

Strokes = list[np.ndarray]


def spiral(rng: np.random.Generator) -> Strokes:
    turns = rng.uniform(2.0, 4.0)  # fewer turns could pass for a 6 or a 0
    t = np.linspace(0, 1, 160)
    angle = 2 * math.pi * turns * t * rng.choice([-1, 1])
    radius = 0.04 + 0.46 * t
    return [0.5 + radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])]


def star(rng: np.random.Generator) -> Strokes:
    """A star polygon such as a pentagram, drawn in one closed line."""
    points, skip = [(5, 2), (7, 3)][rng.integers(2)]  # stars of more, shallower points draw a 0 at 28 pixels
    corners = 2 * math.pi * np.arange(points + 1) * skip / points
    return [0.5 + 0.45 * np.column_stack([np.sin(corners), -np.cos(corners)])]


def zigzag(rng: np.random.Generator) -> Strokes:
    teeth = int(rng.integers(5, 10))
    x = np.linspace(0.05, 0.95, 2 * teeth + 1)
    y = np.where(np.arange(len(x)) % 2 == 0, 0.35, 0.65) + rng.normal(0, 0.03, len(x))
    return [np.column_stack([x, y])]


def hatching(rng: np.random.Generator) -> Strokes:
    """A patch filled with back-and-forth lines, crossed by a second set where chosen."""
    drawn = []
    for _ in range(rng.integers(1, 3)):
        lines = int(rng.integers(6, 10))  # fewer draw a Z or a 2; more fill the patch at 28 pixels
        across = np.linspace(-0.4, 0.4, lines)
        half = np.sqrt(np.maximum(0.16 - across**2, 0.01)) * rng.uniform(0.6, 1.0)
        ends = np.stack([np.column_stack([-half, across]), np.column_stack([half, across])], axis=1)
        ends[1::2] = ends[1::2, ::-1]  # back and forth, as one pen stroke
        drawn.append(0.5 + ends.reshape(-1, 2) @ rotation(rng.uniform(0, math.pi)).T)
    return drawn


def loops(rng: np.random.Generator) -> Strokes:
    """A chain of four to seven joined loops, like a row of cursive l's."""
    count = int(rng.integers(4, 8))
    t = np.linspace(0, 2 * math.pi * count, 60 * count)
    size = 0.9 / (count + 1)
    x = 0.05 + size * (t / (2 * math.pi) + 0.8 * np.sin(t))
    y = 0.5 - size * 1.6 * np.cos(t)
    return [np.column_stack([x, y])]


def pair(rng: np.random.Generator, digits: Sequence[PenDigit]) -> Strokes:
    """Two pen-drawn digits side by side: a number, not a digit."""
    first, second = (digits[i] for i in rng.integers(len(digits), size=2))
    return pendigits.to_canvas(first, 0.4, (0.3, 0.5)) + pendigits.to_canvas(second, 0.4, (0.7, 0.5))


FAMILIES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "spiral": spiral,
    "star": star,
    "zigzag": zigzag,
    "hatching": hatching,
    "loops": loops,
}


def varied(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """The drawing turned to any angle, stretched and drawn with a shaky pen."""
    shape = rotation(rng.uniform(0, 2 * math.pi)) @ np.diag(rng.uniform(0.6, 1.0, 2))
    return [(stroke - 0.5) @ shape.T + 0.5 + rng.normal(0, JITTER, stroke.shape) for stroke in strokes]


def render(count: int, seed: int, digits: Sequence[PenDigit] = ()) -> np.ndarray:
    """(count, 28, 28, 1) uint8 drawings, the families taking turns; pairs of `digits` join them where given."""
    rng = np.random.default_rng(seed)
    makers = list(FAMILIES.values())
    if digits:
        makers.append(lambda generator: pair(generator, digits))
    drawings = []
    for index in range(count):
        strokes = makers[index % len(makers)](rng)
        if index % len(makers) < len(FAMILIES):  # a number of two digits keeps its own orientation
            strokes = varied(strokes, rng)
        drawings.append(strokes_to_mnist(strokes, float(rng.uniform(*BRUSHES))))
    return np.stack(drawings)[..., None] if drawings else np.zeros((0, 28, 28, 1), np.uint8)
