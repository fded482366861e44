"""A photo's ink traced back to the line a pen drew, so that it can be drawn again as the canvas
draws: strokes at MNIST's pen weight (models.strokes), however thin the pen on the paper was.

A ballpoint's line, scaled with its digit into MNIST's 20x20 box, comes out a fraction of a pixel
wide and faint, unlike anything the digit models learned from: photographed pen digits of writers
they never saw, written with a pen 1.5% of the digit's height, were read at 44-66% by MNIST CNN
and ResNet18, and at 99.3% once traced (benchmarks/photo_digits.py).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from models.strokes import BOX

TRACE_SIDE = 64  # the ink's longer side while it is traced: three times the box, fine enough for a digit
INK_LEVEL = 0.4  # of the darkest ink: a pixel this dark or darker is on the pen's line
AHEAD = ((0, 1), (1, -1), (1, 0), (1, 1))  # (row, column) steps to the neighbours after a pixel, in reading order
LONGEST = 8 * TRACE_SIDE  # traced pixels: a digit's line is a few sides long; longer is texture or noise


class Trace(NamedTuple):
    """The line a pen drew (a one-pixel-wide skeleton of the ink), and how wide the pen drew it,
    in MNIST field pixels once the ink is scaled into the 20x20 box."""

    skeleton: np.ndarray
    width: float

    def strokes(self) -> list[np.ndarray]:
        """The line as pen strokes in canvas units (0-1, y down), for models.strokes to draw."""
        return skeleton_strokes(self.skeleton)


def traced(ink: np.ndarray) -> Trace | None:
    """The line a pen drew, from a 2-D ink picture (0-1, high where there is ink); None without ink,
    or where the ink is no one line a pen could draw (texture, noise)."""
    rows, cols = np.nonzero(ink > INK_LEVEL)
    if rows.size == 0:
        return None
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    # Each block's darkest pixel: averaging would fade the very lines that need tracing.
    block = -(-max(ink.shape) // TRACE_SIDE)
    if block > 1:
        padded = np.pad(ink, ((0, -ink.shape[0] % block), (0, -ink.shape[1] % block)))
        ink = padded.reshape(padded.shape[0] // block, block, padded.shape[1] // block, block).max(axis=(1, 3))
    mask = ink > INK_LEVEL
    skeleton = thinned(mask)
    if not skeleton.any() or skeleton.sum() > LONGEST:
        return None
    # The mask's area over the skeleton's length is the line's width, in traced pixels. The darkest
    # pixel of each block rounds a line up to whole traced pixels, by a third of a field pixel at
    # most: lines up to about 0.8 field pixels are measured under half MNIST's pen.
    width = mask.sum() / max(int(skeleton.sum()), 1) * BOX / max(mask.shape)
    return Trace(skeleton, float(width))


def thinned(mask: np.ndarray) -> np.ndarray:
    """A one-pixel-wide skeleton of a boolean mask (Zhang and Suen's thinning)."""
    image = np.pad(mask.astype(np.uint8), 1)
    while True:
        removed = False
        for step in (0, 1):
            p = image
            north, south = p[:-2, 1:-1], p[2:, 1:-1]
            east, west = p[1:-1, 2:], p[1:-1, :-2]
            ring = [north, p[:-2, 2:], east, p[2:, 2:], south, p[2:, :-2], west, p[:-2, :-2]]
            neighbours = sum(r.astype(np.int32) for r in ring)
            crossings = sum(((ring[i] == 0) & (ring[(i + 1) % 8] == 1)).astype(np.int32) for i in range(8))
            if step == 0:
                open_side = (north * east * south == 0) & (east * south * west == 0)
            else:
                open_side = (north * east * west == 0) & (north * south * west == 0)
            peel = (p[1:-1, 1:-1] == 1) & (neighbours >= 2) & (neighbours <= 6) & (crossings == 1) & open_side
            if peel.any():
                image[1:-1, 1:-1][peel] = 0
                removed = True
        if not removed:
            return image[1:-1, 1:-1].astype(bool)


def skeleton_strokes(skeleton: np.ndarray) -> list[np.ndarray]:
    """A skeleton as pen strokes in canvas units: a two-point stroke from each pixel to each of its
    neighbours ahead of it, so the canvas's pen traces every line once."""
    rows, cols = np.nonzero(skeleton)
    side = max(skeleton.shape)
    strokes: list[np.ndarray] = []
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        here = np.array([col, row], np.float64)
        ends = [here + (dc, dr) for dr, dc in AHEAD if _inked(skeleton, row + dr, col + dc)]
        strokes.extend(np.stack([here, end]) / side for end in ends)
        if not ends:
            strokes.append(here[None] / side)
    return strokes


def _inked(mask: np.ndarray, row: int, col: int) -> bool:
    return 0 <= row < mask.shape[0] and 0 <= col < mask.shape[1] and bool(mask[row, col])
