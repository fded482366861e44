"""A page that scrolls up and down where the screen is too short for it: a dock of large
presentation-mode letters would otherwise make the window taller than a projector's screen; and
a plot for such a page."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


class VerticalScroll(QScrollArea):
    """Holds `page` at its full width, and asks for no more height than SHORTEST: the rest scrolls."""

    SHORTEST = 200  # pixels: enough to see what the page is, on any screen

    def __init__(self, page: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.setWidget(page)
        self.setWidgetResizable(True)  # the page fills the height there is, and scrolls only past its least
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:
        least = self.page.minimumSizeHint()
        return QSize(least.width() + self.verticalScrollBar().sizeHint().width(), min(least.height(), self.SHORTEST))

    def sizeHint(self) -> QSize:
        wanted = self.page.sizeHint()
        return QSize(wanted.width() + self.verticalScrollBar().sizeHint().width(), wanted.height())


class LeastPlot(pg.PlotWidget):
    """A plot that asks for no more height than its least, and takes the room left over on a
    scrolling page. With pyqtgraph's hint of some 500 pixels it squeezed what stands above it; with
    its hint ignored, the page left out its least height and cut its axis off at the bottom."""

    def sizeHint(self) -> QSize:
        return QSize(super().sizeHint().width(), self.minimumHeight())
