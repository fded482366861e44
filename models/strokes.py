"""Pen strokes -> the 28x28 input MNIST's models read: the one path for the canvas, pen-digit training,
the tests and the benchmarks.

The strokes are drawn straight into MNIST's 20x20 box, their bounding box scaled to fit, with a
stroke weight in field pixels that does not depend on how large the digit was drawn: a small
digit drawn with a broad brush stays a digit, not a blob. The brush changes the weight only a
little (its fourth root), as MNIST's own pen weights vary little. The field is then shifted so
that the ink's centre of mass sits at its centre, as MNIST's was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image, ImageDraw

FIELD = 28  # MNIST's field
BOX = 20  # MNIST scaled each digit's bounding box into 20x20 pixels of the field
DEFAULT_BRUSH = 0.075  # of the canvas side: the canvas's default
BRUSHES = (0.03, 0.15)  # of the canvas side: the canvas's brush slider, in steps of 0.01
WEIGHT = 2.2  # stroke width in field pixels at the default brush (chosen on held-out pen writers)
WEIGHT_RANGE = (1.8, 2.8)  # whatever the brush
SUPERSAMPLE = 4  # drawn at 4x, then averaged down: anti-aliased edges
MARGIN = 4  # field pixels around the field while drawing, so that centring never cuts ink
MIN_EXTENT = 0.02  # of the canvas side: a dot or a tiny tick is not blown up to fill the box
STEP = 0.5  # field pixels between the points drawn: finer detail than the field holds costs time only


@dataclass(frozen=True)
class Drawing:
    """What the canvas holds: strokes of (n, 2) x, y points in canvas units (0-1, y down), and the brush."""

    strokes: tuple[np.ndarray, ...]
    brush: float = DEFAULT_BRUSH


@dataclass(frozen=True)
class FieldPlacement:
    """Where the 28x28 field lies on the canvas, in canvas units: for laying a map of the model
    input back over the drawing."""

    left: float
    top: float
    side: float


def stroke_weight(brush: float) -> float:
    """The stroke width in field pixels for a brush (a fraction of the canvas side)."""
    weight = WEIGHT * (max(brush, 1e-6) / DEFAULT_BRUSH) ** 0.25
    return float(np.clip(weight, *WEIGHT_RANGE))


def _points(strokes: Sequence[ArrayLike]) -> list[np.ndarray]:
    arrays = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    return [points for points in arrays if len(points) and np.isfinite(points).all()]


def resample(xy: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` along a polyline, its ends kept: a pen at 60 Hz gives many per pixel."""
    lengths = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
    if lengths[-1] <= step:
        return xy[[0, -1]]
    at = np.append(np.arange(0.0, lengths[-1], step), lengths[-1])
    return np.column_stack([np.interp(at, lengths, xy[:, 0]), np.interp(at, lengths, xy[:, 1])])


def place_strokes(
    strokes: Sequence[ArrayLike], brush: float = DEFAULT_BRUSH
) -> tuple[np.ndarray, FieldPlacement | None]:
    """strokes_to_mnist's result, and where the field lies on the canvas (None for no ink)."""
    points = _points(strokes)
    if not points:
        return np.zeros((FIELD, FIELD), np.uint8), None
    everything = np.concatenate(points)
    low, high = everything.min(axis=0), everything.max(axis=0)
    centre = (low + high) / 2
    weight = stroke_weight(brush)
    scale = (BOX - weight) / max(float((high - low).max()), MIN_EXTENT)  # field pixels per canvas unit
    size = FIELD + 2 * MARGIN
    picture = Image.new("L", (size * SUPERSAMPLE, size * SUPERSAMPLE), 0)
    pen = ImageDraw.Draw(picture)
    radius = weight * SUPERSAMPLE / 2
    for stroke in points:
        # Canvas units -> supersampled pixels, the bounding box's centre at the drawing's centre.
        xy = resample(((stroke - centre) * scale + size / 2) * SUPERSAMPLE, STEP * SUPERSAMPLE)
        if len(xy) > 1:
            pen.line([tuple(p) for p in xy], fill=255, width=max(1, round(2 * radius)), joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps, and a dot for a single point
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    pixels = np.asarray(picture, np.float32).reshape(size, SUPERSAMPLE, size, SUPERSAMPLE).mean(axis=(1, 3))
    mass = pixels.sum()
    if mass <= 0:
        return np.zeros((FIELD, FIELD), np.uint8), None
    rows, cols = np.indices(pixels.shape)
    com = np.array([(rows * pixels).sum(), (cols * pixels).sum()]) / mass
    top, left = np.clip(np.round(com - (FIELD - 1) / 2).astype(int), 0, 2 * MARGIN)
    field = np.round(pixels[top : top + FIELD, left : left + FIELD]).astype(np.uint8)
    # Field pixel p lies at canvas point centre + (p + offset - size / 2) / scale.
    origin = centre + (np.array([left, top]) - size / 2) / scale
    return field, FieldPlacement(float(origin[0]), float(origin[1]), FIELD / scale)


def strokes_to_mnist(strokes: Sequence[ArrayLike], brush: float = DEFAULT_BRUSH) -> np.ndarray:
    """Pen strokes as MNIST's models read digits: a (28, 28) uint8 array, light ink on black.

    `strokes` is a sequence of (n, 2) arrays of x, y points in canvas units (0 to 1, y pointing
    down); `brush` is the pen's width as a fraction of the canvas side. A blank canvas, a dot
    or a straight line give a valid input too.
    """
    return place_strokes(strokes, brush)[0]
