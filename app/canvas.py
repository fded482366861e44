"""The drawing canvas: smooth strokes with mouse, pen or touch, undo and redo, and the ink as an array."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen, QTabletEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout, QWidget

from app.escape import lets_go_on_escape
from app.preview import heat_image
from models.strokes import DEFAULT_BRUSH, SLIDER_HUNDREDTHS, Drawing, FieldPlacement

# The empty canvas's invitation: soft, yet legible on black by WCAG AA (grey 110 gave 4.1:1).
HINT = QColor(140, 140, 140)
CURVE_STEPS = (0.25, 0.5, 0.75, 1.0)  # where each quadratic segment is sampled
UNDO_STEPS = 200
HEAT_FEATHER = 2  # pixels of the model's input over which a heat map fades out at its edge
HEAT_INK_OPACITY = 0.55


class Stroke:
    """Points in units of the canvas side (0-1), so that strokes scale with the window."""

    def __init__(self, width: float, start: tuple[float, float]) -> None:
        self.width = width
        self.points = [start]

    def polyline(self, side: float, start: int = 0, stop: int | None = None, tail: bool = True) -> list[QPointF]:
        """Points close along a smooth curve through the points: quadratic segments between midpoints.

        Segment i bends at point i and ends halfway to point i + 1, so it never changes once that
        point exists; `start` and `stop` pick segments, `tail` adds the straight run to the last point.
        """
        stop = len(self.points) - 1 if stop is None else stop
        first = max(start - 1, 0)  # only the points these segments need: a stroke can grow long
        points = [QPointF(x * side, y * side) for x, y in self.points[first : stop + 1]]
        ends = [(a + b) / 2 for a, b in itertools.pairwise(points)]
        if start == 0:
            ends.insert(0, points[0])
        line = ends[:1]
        for i, (begin, end) in enumerate(itertools.pairwise(ends)):
            bend = points[start - first + i]
            line += [begin * (1 - t) ** 2 + bend * 2 * t * (1 - t) + end * t**2 for t in CURVE_STEPS]
        if tail:
            last = QPointF(self.points[-1][0] * side, self.points[-1][1] * side)
            line += [last + QPointF(0.01, 0.0)] if len(self.points) == 1 else [last]  # one point makes a dot
            if len(line) == 1:
                line.insert(0, last)
        return line


def fill_seams(image: QImage) -> QImage:
    """Make ink of every pixel that lies between two fully inked pixels, across or up and down.

    Where two antialiased edges meet inside the ink (a stroke that doubles back on itself), each
    leaves the pixels they share partly covered, and a thin dark ring shows inside the ink; a
    true edge always has unlinked pixels on one side, so it is left as drawn.
    """
    side = image.width()
    pixels = np.frombuffer(image.bits(), dtype=np.uint8).reshape(image.height(), image.bytesPerLine())[:, :side]
    across = np.minimum(pixels[1:-1, :-2], pixels[1:-1, 2:])
    down = np.minimum(pixels[:-2, 1:-1], pixels[2:, 1:-1])
    between = np.maximum(across, down)
    inner = pixels[1:-1, 1:-1]
    np.copyto(inner, 255, where=between == 255)
    return image


class DrawingCanvas(QWidget):
    """A square canvas; `inkChanged` fires on every pen movement and every edit."""

    inkChanged = Signal()
    strokeFinished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[Stroke] = []
        # Undo and redo keep whole drawings, so that a Clear can be undone like a stroke; the
        # oldest are forgotten beyond UNDO_STEPS, or an hour of drawing would keep every state.
        self.past: deque[list[Stroke]] = deque(maxlen=UNDO_STEPS)
        self.future: deque[list[Stroke]] = deque(maxlen=UNDO_STEPS)
        self.brush = DEFAULT_BRUSH  # fraction of the side
        self._drawing = False
        self._settled: dict[int, tuple[tuple[Stroke, ...], QImage]] = {}  # side -> (strokes, picture)
        # side -> (stroke under the pen, segments drawn, settled picture beneath, picture with them)
        self._growing: dict[int, tuple[Stroke, int, QImage, QImage]] = {}
        self.overlay: tuple[QImage, FieldPlacement] | None = None  # heat map, and where its field lies
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, False)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the mouse, a pen or a finger")

    # geometry: the canvas is the largest centred square in the widget
    def side(self) -> float:
        return float(min(self.width(), self.height()))

    def origin(self) -> tuple[float, float]:
        side = self.side()
        return (self.width() - side) / 2, (self.height() - side) / 2

    def shown_rect(self) -> QRect:
        """The square the drawing fills, without the margin beside it."""
        (ox, oy), side = self.origin(), int(self.side())
        return QRect(int(ox), int(oy), side, side)

    def to_unit(self, position: QPointF) -> tuple[float, float]:
        (ox, oy), side = self.origin(), self.side()
        x, y = (position.x() - ox) / side, (position.y() - oy) / side
        return min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)

    def sizeHint(self) -> QSize:
        return QSize(480, 480)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # editing
    def _edit(self, strokes: list[Stroke]) -> None:
        self.past.append(self.strokes)
        self.future.clear()
        self.strokes = strokes
        self._changed()

    def begin_stroke(self, position: QPointF) -> None:
        self._drawing = True
        self._edit([*self.strokes, Stroke(self.brush, self.to_unit(position))])

    def extend_stroke(self, position: QPointF) -> None:
        if self._drawing:
            self.strokes[-1].points.append(self.to_unit(position))
            self._changed()

    def end_stroke(self) -> None:
        if self._drawing:
            self._drawing = False
            self.update()
            self.strokeFinished.emit()

    @property
    def drawing(self) -> bool:
        """True while the pen is down."""
        return self._drawing

    def clear(self) -> None:
        self.end_stroke()
        if self.strokes:
            self._edit([])

    def undo(self) -> None:
        self.end_stroke()
        if self.past:
            self.future.append(self.strokes)
            self.strokes = self.past.pop()
            self._changed()

    def redo(self) -> None:
        self.end_stroke()
        if self.future:
            self.past.append(self.strokes)
            self.strokes = self.future.pop()
            self._changed()

    def set_brush(self, fraction: float) -> None:
        self.brush = fraction

    def is_blank(self) -> bool:
        return not self.strokes

    def _changed(self) -> None:
        self.update()
        self.inkChanged.emit()

    # input
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.begin_stroke(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.extend_stroke(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.end_stroke()

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self.begin_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletMove:
            self.extend_stroke(event.position())
        elif kind == QTabletEvent.Type.TabletRelease:
            self.end_stroke()
        event.accept()

    # output
    def raster(self, size: int) -> QImage:
        """The drawing at size x size pixels, white on black.

        Finished strokes are drawn once per size and kept, and so
        are the settled segments of the stroke under the pen: each pen movement draws one new
        segment and the short run to the pen, however long the stroke has grown.
        """
        settled = tuple(self.strokes[:-1] if self._drawing else self.strokes)
        cached = self._settled.get(size)
        if cached is None or cached[0] != settled:
            if len(self._settled) > 2:  # sizes left behind by resizing the window
                self._settled.clear()
                self._growing.clear()
            picture = QImage(size, size, QImage.Format.Format_Grayscale8)
            picture.fill(0)
            fill_seams(self._draw(picture, [(stroke, stroke.polyline(size)) for stroke in settled], size))
            self._settled[size] = cached = (settled, picture)
        if not self._drawing:
            return cached[1]
        stroke = self.strokes[-1]
        growing = self._growing.get(size)
        if growing is None or growing[0] is not stroke or growing[2] is not cached[1]:
            growing = (stroke, 0, cached[1], cached[1].copy())
        _, drawn, beneath, picture = growing
        ready = len(stroke.points) - 1
        if ready > drawn:
            self._draw(picture, [(stroke, stroke.polyline(size, drawn, ready, tail=False))], size)
        self._growing[size] = (stroke, ready, beneath, picture)
        return self._draw(picture.copy(), [(stroke, stroke.polyline(size, ready, ready))], size)

    @staticmethod
    def _draw(image: QImage, strokes: list[tuple[Stroke, list[QPointF]]], size: int) -> QImage:
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke, line in strokes:
            pen = QPen(QColor("white"), stroke.width * size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                       Qt.PenJoinStyle.RoundJoin)  # fmt: skip
            painter.setPen(pen)
            path = QPainterPath(line[0])
            for point in line[1:]:
                path.lineTo(point)
            painter.drawPath(path)
        painter.end()
        return image

    def set_heat(self, heat: np.ndarray | None, placement: FieldPlacement | None = None) -> None:
        """Lay a map of the model input (28x28) over the drawing, where that input came from."""
        if heat is None or placement is None:
            if self.overlay is None:
                return  # nothing to take away: spare the repaint, which costs most while drawing
            self.overlay = None
        else:
            self.overlay = (heat_image(heat, feather=HEAT_FEATHER), placement)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        side = int(self.side())
        painter.translate(*self.origin())
        if self.overlay is not None:
            # Grey ink under the heat: on white ink the heat's colours would wash out.
            painter.fillRect(0, 0, side, side, Qt.GlobalColor.black)
            painter.setOpacity(HEAT_INK_OPACITY)
        painter.drawImage(0, 0, self.raster(side))
        painter.setOpacity(1.0)
        if self.overlay is not None:
            picture, field = self.overlay
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.setClipRect(0, 0, side, side)
            painter.drawImage(
                QRectF(field.left * side, field.top * side, field.side * side, field.side * side), picture
            )
        if self.is_blank():
            painter.setPen(HINT)
            painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, "Draw a digit here")

    def as_drawing(self) -> Drawing:
        """The strokes, as the models read them (models.strokes), with the mean brush they were drawn with."""
        strokes = tuple(np.asarray(stroke.points, dtype=np.float64) for stroke in self.strokes)
        brush = float(np.mean([stroke.width for stroke in self.strokes])) if self.strokes else self.brush
        return Drawing(strokes, brush)


class DrawingTab(QWidget):
    """The canvas, and below it the brush size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = DrawingCanvas()
        self.brush = lets_go_on_escape(QSlider(Qt.Orientation.Horizontal))
        self.brush.setRange(SLIDER_HUNDREDTHS[0], SLIDER_HUNDREDTHS[-1])
        self.brush.setValue(round(self.canvas.brush * 100))
        self.brush.setToolTip("Brush size")
        self.brush.valueChanged.connect(lambda value: self.canvas.set_brush(value / 100))
        column = QVBoxLayout(self)
        column.addWidget(self.canvas, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Brush"))
        row.addWidget(self.brush, 1)
        column.addLayout(row)
