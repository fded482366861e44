"""How the canvas paints: ink without seams, and a heat map that shows on the ink and fades at its edge."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage

from app.canvas import DrawingCanvas
from app.preview import heat_image
from models.strokes import FieldPlacement

SIDE = 500


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, : image.width(), 2::-1].copy()  # RGB


def scribble(canvas: DrawingCanvas, seed: int) -> None:
    """A stroke that doubles back on itself again and again, as a child's scribble does."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(10, 80))
    turn = np.linspace(0, rng.uniform(2, 12) * np.pi, count)
    xs = 0.5 + 0.3 * np.sin(turn) + rng.normal(0, 0.003, count)
    ys = 0.5 + rng.uniform(0, 0.1) * np.cos(turn * rng.uniform(0.1, 2)) + rng.normal(0, 0.003, count)
    canvas.begin_stroke(QPointF(xs[0] * SIDE, ys[0] * SIDE))
    for x, y in zip(xs[1:], ys[1:], strict=True):
        canvas.extend_stroke(QPointF(x * SIDE, y * SIDE))
    canvas.end_stroke()


def inside_the_ink(ink: np.ndarray, margin: int = 4) -> np.ndarray:
    """The pixels at least `margin` pixels from any pixel that is not ink."""
    inside = ink >= 128
    for dy in range(-margin, margin + 1):
        for dx in range(-margin, margin + 1):
            inside &= np.roll(np.roll(ink >= 128, dy, 0), dx, 1)
    return inside


@pytest.mark.parametrize("seed", range(40))
def test_ink_that_doubles_back_has_no_dark_rings(qtbot, seed):
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(SIDE, SIDE)
    scribble(canvas, seed)
    ink = pixels(canvas.raster(SIDE))[..., 0]
    assert ink[inside_the_ink(ink)].min() >= 250


def test_the_heat_map_shows_on_the_ink_and_fades_out_at_its_edge(qtbot):
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(SIDE, SIDE)
    canvas.show()
    canvas.begin_stroke(QPointF(100, 250))
    canvas.extend_stroke(QPointF(400, 250))
    canvas.end_stroke()
    # The field ends short of the canvas's bottom, as it does for a digit drawn high.
    canvas.set_heat(np.ones((28, 28), np.float32), FieldPlacement(0.0, 0.0, 0.9))
    shown = pixels(canvas.grab().toImage())
    under_ink = shown[250, 250]
    assert under_ink[0] > under_ink[2] + 60  # warm, not the white of bare ink
    column = shown[:, 250].astype(int).sum(axis=1)
    bottom = int(0.9 * SIDE)
    assert abs(column[bottom - 3] - column[bottom + 3]) < 40  # no hard edge where the field ends


def test_a_feathered_heat_map_is_clear_at_its_border():
    image = heat_image(np.ones((28, 28), np.float32), feather=2)  # kept: the array below reads its memory
    alpha = np.frombuffer(image.constBits(), np.uint8).reshape(28, 28, 4)[..., 3]
    assert alpha[0].max() == 0 < alpha[1].max() < alpha[2].max() < alpha[14, 14] == alpha[3, 14]


def test_the_empty_canvas_invites_drawing_in_letters_legible_on_its_black(qtbot):
    from PySide6.QtGui import QColor

    from app.theme import WCAG_AA, contrast

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(SIDE, SIDE)
    canvas.show()
    qtbot.waitExposed(canvas)
    shown = pixels(canvas.grab().toImage())
    brightest = shown.max(axis=2).max()  # the letters, drawn in one grey on the black field
    assert brightest > 0
    assert contrast(QColor(int(brightest), int(brightest), int(brightest)), QColor("black")) >= WCAG_AA
