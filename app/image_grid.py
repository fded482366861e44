"""The grid of icons under the picture on show: one per picture the filters let through."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from app.thumbnails import ThumbnailModel

GRID_BATCH = 300  # icons laid out per turn of the event loop
LAYOUT_TURNS = 60  # turns of the event loop to wait for a far icon's place: 18,000 icons


class ImageGrid(QListView):
    """`moved` fires with the row the highlight moved to: by a click, a key (arrows, Home, End), or
    the browser following the picture on show."""

    moved = Signal(int)

    def __init__(self, thumbs: ThumbnailModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setUniformItemSizes(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        # Ten thousand icons laid out at once held the window for a second after every new filter.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(GRID_BATCH)
        self.thumbs = thumbs
        self.setModel(thumbs)
        self.selectionModel().currentChanged.connect(self._highlight_moved)
        self.fit_icons()

    def fit_icons(self) -> None:
        """Cells and icons of the model's icon size (SIZE, or larger in presentation mode)."""
        side = self.thumbs.side
        self.setIconSize(QSize(side, side))
        self.setGridSize(QSize(side + 6, side + 6))
        self.setMinimumHeight(side + 20)

    def follow(self, row: int) -> None:
        """Highlight the icon of the picture on show and scroll it into view, once it has a place:
        laid out in batches, icon 8,376 of a new offer had none yet, and the grid stayed at its top."""
        self.setCurrentIndex(self.thumbs.index(row))
        self._scroll_to(row, LAYOUT_TURNS)

    def _scroll_to(self, row: int, turns: int) -> None:
        index = self.thumbs.index(row)
        if not index.isValid() or self.currentIndex() != index:
            return  # the highlight has moved on meanwhile
        place = self.visualRect(index)
        if place.isValid():
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        # Until it is in view: the scroll bar's range grows with each batch laid out, and a scroll
        # while it was short stopped thousands of pixels above the icon.
        if turns > 0 and not (place.isValid() and self.viewport().rect().contains(self.visualRect(index))):
            QTimer.singleShot(0, lambda: self._scroll_to(row, turns - 1))

    def _highlight_moved(self, index: QModelIndex) -> None:
        if index.isValid():
            self.moved.emit(index.row())
