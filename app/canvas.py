"""The drawing canvas: smooth strokes with mouse, pen or touch, undo and redo, and the ink as an array."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QTabletEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

INK_SIZE = 280  # the ink is handed on at this size: ten times MNIST, plenty for canvas_to_mnist


class Stroke:
    def __init__(self, width: float, start: QPointF) -> None:
        self.width = width  # in units of the canvas side, so strokes scale with the window
        self.points = [start]

    def path(self, side: float) -> QPainterPath:
        """A smooth curve through the points: quadratic segments between midpoints."""
        points = [QPointF(p.x() * side, p.y() * side) for p in self.points]
        path = QPainterPath(points[0])
        if len(points) == 1:
            path.lineTo(points[0] + QPointF(0.01, 0))  # a dot
            return path
        for a, b in zip(points, points[1:]):
            path.quadTo(a, (a + b) / 2)
        path.lineTo(points[-1])
        return path


class DrawingCanvas(QWidget):
    """A square canvas; `inkChanged` fires on every pen movement and every edit."""

    inkChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.strokes: list[Stroke] = []
        # Undo and redo keep whole drawings, so that a Clear can be undone like a stroke.
        self.past: list[list[Stroke]] = []
        self.future: list[list[Stroke]] = []
        self.brush = 0.075  # fraction of the side; about an MNIST pen stroke
        self._drawing = False
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, False)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the mouse, a pen or a finger")

    # geometry: the canvas is the largest centred square in the widget
    def side(self) -> float:
        return float(min(self.width(), self.height()))

    def origin(self) -> QPointF:
        side = self.side()
        return QPointF((self.width() - side) / 2, (self.height() - side) / 2)

    def to_unit(self, position: QPointF) -> QPointF:
        p = (position - self.origin()) / self.side()
        return QPointF(min(max(p.x(), 0.0), 1.0), min(max(p.y(), 0.0), 1.0))

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
        self._drawing = False

    def clear(self) -> None:
        if self.strokes:
            self._edit([])

    def undo(self) -> None:
        if self.past:
            self.future.append(self.strokes)
            self.strokes = self.past.pop()
            self._changed()

    def redo(self) -> None:
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
    def paint_strokes(self, painter: QPainter, side: float, color: QColor) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            pen = QPen(color, stroke.width * side, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                       Qt.PenJoinStyle.RoundJoin)  # fmt: skip
            painter.setPen(pen)
            painter.drawPath(stroke.path(side))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        side = self.side()
        painter.translate(self.origin())
        painter.fillRect(QRectF(0, 0, side, side), QColor("black"))
        self.paint_strokes(painter, side, QColor("white"))
        if self.is_blank():
            painter.setPen(QColor(110, 110, 110))
            painter.drawText(QRectF(0, 0, side, side), Qt.AlignmentFlag.AlignCenter, "Draw a digit here")

    def ink(self, size: int = INK_SIZE) -> np.ndarray:
        """The drawing as a (size, size) uint8 array, white ink on black, however big the widget is."""
        image = QImage(size, size, QImage.Format.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        self.paint_strokes(painter, size, QColor("white"))
        painter.end()
        stride = image.bytesPerLine()
        array = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * size).reshape(size, stride)
        return array[:, :size].copy()
