"""The grid of icons under the picture on show: one per picture the filters let through."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSize, Signal
from PySide6.QtWidgets import QListView, QWidget

from app.thumbnails import SIZE, ThumbnailModel

GRID_BATCH = 300  # icons laid out per turn of the event loop


class ImageGrid(QListView):
    """`moved` fires with the row the highlight moved to: by a click, a key (arrows, Home, End), or
    the browser following the picture on show."""

    moved = Signal(int)

    def __init__(self, thumbs: ThumbnailModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(SIZE, SIZE))
        self.setGridSize(QSize(SIZE + 6, SIZE + 6))
        self.setUniformItemSizes(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        # Ten thousand icons laid out at once held the window for a second after every new filter.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(GRID_BATCH)
        self.setModel(thumbs)
        self.selectionModel().currentChanged.connect(self._highlight_moved)
        self.setMinimumHeight(SIZE + 20)

    def _highlight_moved(self, index: QModelIndex) -> None:
        if index.isValid():
            self.moved.emit(index.row())
