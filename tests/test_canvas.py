"""The canvas: how it takes the pen and the keys (undo, redo, Esc), and how it paints: ink without seams,
the stroke under the pen as the finished one, and a heat map that shows on the ink and fades at its edge."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from app.actions import Tab
from app.canvas import UNDO_STEPS, DrawingCanvas
from app.preview import heat_image
from models.strokes import FieldPlacement, strokes_to_mnist
from tests.conftest import ONE, SEVEN, pen_strokes

SIDE = 500


def rgba(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine() // 4, 4)
    return rows[:, : image.width()].copy()


def pixels(image: QImage) -> np.ndarray:
    return rgba(image)[..., :3]  # RGB


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


def test_the_undo_history_is_bounded_and_still_undoes(qtbot):
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(200, 200)
    for k in range(UNDO_STEPS + 50):
        canvas.begin_stroke(QPointF(10 + k % 150, 20))
        canvas.end_stroke()
    assert len(canvas.past) == UNDO_STEPS
    for _ in range(UNDO_STEPS + 10):
        canvas.undo()
    assert len(canvas.strokes) == 50  # the oldest states are forgotten, the newest all undone
    canvas.redo()
    assert len(canvas.strokes) == 51


def test_esc_in_a_slider_lets_go_of_it_and_leaves_the_drawing(install_untrained, qtbot, open_window):
    """Esc is the window's Clear key: pressed to let go of the brush or a lab slider, it wiped the drawing."""
    window = open_window(start=False)
    window.windowHandle().requestActivate()
    qtbot.waitUntil(window.isActiveWindow)
    pen_strokes(window.canvas, ONE)
    window.show_lab(True)
    for slider in (window.drawing_tab.brush, window.lab.attack.epsilon):
        slider.setFocus()
        qtbot.waitUntil(slider.hasFocus)
        QTest.keyClick(slider, Qt.Key.Key_Escape)
        assert len(window.canvas.strokes) == 1 and not slider.hasFocus()
    QTest.keyClick(window, Qt.Key.Key_Escape)  # pressed again, away from any control, it clears
    assert window.canvas.is_blank()


def test_keys_clear_undo_and_redo(install_untrained, qtbot, open_window):
    window = open_window(start=False)
    window.windowHandle().requestActivate()  # shortcuts reach only the active window
    qtbot.waitUntil(window.isActiveWindow)
    pen_strokes(window.canvas, ONE + SEVEN)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 1
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert window.canvas.is_blank()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 2  # a clear is undone as a whole: no lost work
    window.tabs.setCurrentIndex(Tab.BROWSE.value)  # the drawing is out of sight: keys leave it alone
    QTest.keyClick(window, Qt.Key.Key_Escape)
    assert len(window.canvas.strokes) == 2
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.canvas.strokes) == 2


def picture(canvas, size: int = 168) -> np.ndarray:
    """What the canvas paints, at size x size pixels, as an array."""
    image = canvas.raster(size)
    stride = image.bytesPerLine()
    return np.frombuffer(image.constBits(), np.uint8, count=stride * size).reshape(size, stride)[:, :size].astype(int)


def test_the_model_input_is_independent_of_widget_size(qtbot):
    small, large = DrawingCanvas(), DrawingCanvas()
    for canvas, size in ((small, 300), (large, 700)):
        qtbot.addWidget(canvas)
        canvas.resize(size, size)
        canvas.show()
        pen_strokes(canvas, SEVEN)
    a, b = (strokes_to_mnist(c.as_drawing().strokes, c.as_drawing().brush).astype(int) for c in (small, large))
    assert a.max() == 255
    assert np.abs(a - b).mean() < 8  # the same drawing, up to rounding of the mouse positions


def test_the_stroke_under_the_pen_looks_as_the_finished_stroke(qtbot):
    """The stroke under the pen is painted a segment at a time; it must look as the whole stroke does."""
    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(400, 400)
    canvas.show()
    pen_strokes(canvas, ONE)
    side, (ox, oy) = canvas.side(), canvas.origin()
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(int(ox + 0.2 * side), int(oy + 0.3 * side)))
    for angle in np.linspace(0, 1.5 * np.pi, 40):
        x, y = 0.5 + 0.3 * np.cos(angle), 0.5 + 0.3 * np.sin(angle)
        QTest.mouseMove(canvas, QPoint(int(ox + x * side), int(oy + y * side)))
        picture(canvas)  # a repaint for every movement, as while drawing
    growing = picture(canvas)
    canvas.end_stroke()
    whole = picture(canvas)
    assert whole.max() == 255 and (whole > 0).mean() > 0.1
    # Antialiased edge pixels where segments meet are painted twice, a little brighter; nothing else differs.
    assert np.abs(growing - whole).max() < 128
    assert (growing != whole).sum() < 0.1 * (whole > 0).sum()


def test_a_photos_heat_map_tints_it_all_and_a_digits_glows_only_where_the_model_looked(qtbot):
    """The digits' glow, yellow at its hottest, vanished over a yellow photo."""
    from app.preview import PixelView

    heat = np.zeros((32, 32), np.float32)
    heat[8:16, 8:16] = 1.0
    view = PixelView()
    qtbot.addWidget(view)
    view.set_heat(heat)  # before its picture, as an answer may come
    view.set_array(np.full((32, 32, 3), (230, 200, 40), np.uint8))  # a yellow photo
    tint = rgba(view.overlay)
    cold, hot = tint[24, 24], tint[12, 12]
    assert cold[3] > 0 and cold[2] > cold[0]  # blue, over all of it
    assert hot[0] > 200 and hot[1] < 100  # red, not the photo's yellow
    view.set_array(np.zeros((32, 32), np.uint8))  # a digit
    glow = rgba(view.overlay)
    assert glow[24, 24, 3] == 0 and glow[12, 12, 3] > 0
