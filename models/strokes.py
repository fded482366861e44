"""Pen strokes -> the 28x28 input MNIST's models read: the one path for the canvas, pen-digit training,
the tests and the benchmarks.

The strokes are drawn straight into MNIST's 20x20 box, their bounding box scaled to fit, with a
stroke weight in field pixels that does not depend on how large the digit was drawn: a small
digit drawn with a broad brush stays a digit, not a blob. The brush changes the weight only a
little (its fourth root), as MNIST's own pen weights vary little. The field is then shifted so
that the ink's centre of mass sits at its centre, as MNIST's was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image, ImageDraw

FIELD = 28  # MNIST's field
BOX = 20  # MNIST scaled each digit's bounding box into 20x20 pixels of the field
DEFAULT_BRUSH = 0.075  # of the canvas side: the canvas's default
SLIDER_HUNDREDTHS = range(3, 16)  # the canvas's brush slider: 3 to 15 hundredths of the canvas side
BRUSHES = (SLIDER_HUNDREDTHS[0] / 100, SLIDER_HUNDREDTHS[-1] / 100)  # of the canvas side: the slider's ends
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
    return min(max(weight, WEIGHT_RANGE[0]), WEIGHT_RANGE[1])


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


def draw_polyline(pen: ImageDraw.ImageDraw, xy: np.ndarray, width: int) -> None:
    """A polyline with round joints: the pixels of Pillow's `line(joint="curve")`, which the models
    learned from, drawn with the same primitives and the same arithmetic. Pillow works out each
    joint in Python, which took two thirds of strokes_to_mnist's time; this works out a stroke's
    joints together. A test keeps the two the same, pixel for pixel.
    """
    core, points = pen.draw, [tuple(point) for point in xy.tolist()]
    ink = core.draw_ink(255)
    core.draw_lines(points, ink, width)
    if width <= 4:  # Pillow's threshold: thinner lines get no joints
        return
    heading = [
        math.degrees(math.atan2(x1 - x0, y0 - y1)) % 360
        for (x0, y0), (x1, y1) in zip(points[:-1], points[1:], strict=True)
    ]
    corner, gaps = width / 2, width > 8  # Pillow covers the gaps a broad line leaves at a joint
    # Where each joint's gap-covering line ends (Pillow's coord_at_angle): half a width along the
    # heading turned one way (first, for a joint Pillow flips) or the other, rounded towards the
    # joint. math's cosine, as Pillow's: numpy's may differ in the last bit on some CPUs.
    half = width / 2 - 1
    reach = (
        [
            [(math.trunc(half * math.cos(r)), math.trunc(half * math.sin(r))) for r in map(math.radians, turned)]
            for turned in (((angle + 90) - 90, (angle - 90) - 90) for angle in heading)  # in Pillow's order
        ]
        if gaps
        else []
    )
    for i, ((x, y), before, after) in enumerate(zip(points[1:-1], heading[:-1], heading[1:], strict=True)):
        if before == after:
            continue
        flipped = (after > before and after - 180 > before) or (after < before and after + 180 > before)
        start, end = (after + 90, before + 90) if flipped else (before - 90, after - 90)
        core.draw_pieslice(
            ((x - corner + 1, y - corner + 1), (x + corner - 1, y + corner - 1)), start - 90, end - 90, ink, 1
        )
        if gaps:
            side = 0 if flipped else 1
            (dx0, dy0), (dx1, dy1) = reach[i][side], reach[i + 1][side]
            core.draw_lines(((x + dx0, y + dy0), (x, y), (x + dx1, y + dy1)), ink, 3)


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
            draw_polyline(pen, xy, max(1, round(2 * radius)))
        for x, y in (xy[0], xy[-1]):  # round caps, and a dot for a single point
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    pixels = np.asarray(picture.convert("F").reduce(SUPERSAMPLE))
    mass = pixels.sum()
    if mass <= 0:
        return np.zeros((FIELD, FIELD), np.uint8), None
    # The field's corner that puts the centre of mass at its centre. Python scalars: numpy's
    # overhead on two numbers would be a tenth of the whole.
    at = np.arange(size)
    top, left = (
        min(max(round(float(pixels.sum(axis=axis) @ at) / float(mass) - (FIELD - 1) / 2), 0), 2 * MARGIN)
        for axis in (1, 0)
    )
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
