"""Pen-drawn digits as a phone photographs them on paper: dark ink of a chosen width on light,
unevenly lit paper, with sensor noise, saved as JPEG; and the paper lying turned on a dark desk.
For measuring the path a user's photo of a digit takes to the digit models
(models.preprocess.photo_to_mnist)."""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from models import pendigits

SIDE = 480  # the photo's side, in pixels
HEIGHT = 0.6  # the digit's height, of the photo's side
DESK = (60, 50, 35)  # a dark wooden desk


def photographed(
    digit: pendigits.PenDigit,
    pen: float,
    light: float,
    rng: np.random.Generator,
    desk: Literal["around", "side"] | None = None,
) -> Image.Image:
    """The digit written `pen` wide (a share of its height: 0.015 a ballpoint, 0.1 a marker) on paper
    whose brightness changes by `light` levels from one side to the other, in a random direction;
    with `desk` "around", the paper lies on a dark desk, turned by up to 10 degrees, with a tenth of
    the paper's side of desk around it; with "side", the desk shows along one side, a sixth of the
    paper's side wide."""
    rows, cols = np.mgrid[0:SIDE, 0:SIDE] / SIDE - 0.5
    angle = rng.uniform(0, 2 * np.pi)
    paper = rng.uniform(200, 230) + light * (cols * np.cos(angle) + rows * np.sin(angle))
    photo = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(photo)
    ink = int(rng.uniform(30, 80))
    width = max(1, round(pen * HEIGHT * SIDE))
    radius = width / 2
    for stroke in pendigits.to_canvas(digit, HEIGHT):
        points = [tuple(point) for point in stroke * SIDE]
        draw.line(points * (2 if len(points) == 1 else 1), fill=ink, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # a pen's round ends
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    blurred = np.asarray(photo.filter(ImageFilter.GaussianBlur(0.8)), np.float32)
    noisy = np.clip(blurred + rng.normal(0, 4, blurred.shape), 0, 255).astype(np.uint8)
    photo = Image.fromarray(noisy).convert("RGB")
    if desk == "around":
        photo = ImageOps.expand(photo, border=SIDE // 10, fill=DESK)
        photo = photo.rotate(rng.uniform(-10, 10), Image.Resampling.BILINEAR, fillcolor=DESK)
    elif desk == "side":
        sides = [0, 0, 0, 0]
        sides[rng.integers(4)] = SIDE // 6  # left, top, right or bottom
        photo = ImageOps.expand(photo, border=tuple(sides), fill=DESK)
    saved = io.BytesIO()
    photo.save(saved, "JPEG", quality=80)
    return Image.open(io.BytesIO(saved.getvalue()))
