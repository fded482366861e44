"""What the model sees, the lab's knobs and square applied, with the square's outline where the
user drags it to hide a part of the input from the models."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QSlider, QWidget

from app.escape import lets_go_on_escape
from app.preview import PixelView
from models.knobs import Patch

SIDES = (10, 60)  # the square's side, in hundredths of the picture's
DEFAULT_SIDE = 25


class PatchView(PixelView):
    """A press puts the square's centre there and a drag moves it; `moved` carries the Patch."""

    moved = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(96, parent)
        self.patch: Patch | None = None
        self.side = DEFAULT_SIDE / 100
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Press or drag on the picture to cover that part of it")

    def place(self, patch: Patch | None) -> None:
        self.patch = patch
        self.update()
        self.moved.emit(patch)

    def set_side(self, side: float) -> None:
        self.side = side
        if self.patch is not None:
            self.place(Patch(self.patch.x, self.patch.y, side))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._drag(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._drag(event.position())

    def _drag(self, where: QPointF) -> None:
        shown = self.shown_rect()
        if shown.width() <= 0 or self.pixmap is None:
            return
        x = min(max((where.x() - shown.x()) / shown.width(), 0.0), 1.0)
        y = min(max((where.y() - shown.y()) / shown.height(), 0.0), 1.0)
        self.place(Patch(x, y, self.side))

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.patch is None or self.pixmap is None:
            return
        shown = self.shown_rect()
        side = self.patch.side * shown.width()
        square = QRectF(
            shown.x() + self.patch.x * shown.width() - side / 2,
            shown.y() + self.patch.y * shown.height() - side / 2,
            side,
            side,
        ).intersected(QRectF(shown))
        # An outline only: the picture shows the square as the models see it, in their fill. Dashes
        # of white over black show on a white photo and on a digit's black alike.
        painter = QPainter(self)
        painter.setPen(QPen(Qt.GlobalColor.black, 2))
        painter.drawRect(square)
        painter.setPen(QPen(Qt.GlobalColor.white, 2, Qt.PenStyle.DashLine))
        painter.drawRect(square)


class PatchControls(QWidget):
    """The view, a slider for the square's side and a button that takes the square away."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = PatchView()
        self.size_slider = lets_go_on_escape(QSlider(Qt.Orientation.Horizontal))
        self.size_slider.setRange(*SIDES)
        self.size_slider.setValue(DEFAULT_SIDE)
        self.size_slider.setObjectName("patch_side")
        self.size_slider.valueChanged.connect(lambda value: self.view.set_side(value / 100))
        self.remove = QPushButton("Remove the Square")  # short: the lab must fit beside the chart at 1024 pixels
        self.remove.clicked.connect(lambda: self.view.place(None))
        hint = QLabel("What the model sees. Cover part of it: press or drag on the picture.")
        hint.setWordWrap(True)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.view, 0, 0, 3, 1)
        grid.addWidget(hint, 0, 1, 1, 2)
        grid.addWidget(QLabel("Square"), 1, 1)
        grid.addWidget(self.size_slider, 1, 2)
        grid.addWidget(self.remove, 2, 1, 1, 2)
        grid.setColumnStretch(2, 1)
