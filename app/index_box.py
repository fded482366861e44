"""The browser's box for the index of the picture to show."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QSpinBox, QWidget


class IndexBox(QSpinBox):
    """The index to go to. Enter goes there and Esc forgets what was typed; either way `left`
    fires, so that the keys go back to browsing rather than stay in the box."""

    left = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shown = 0  # the index on show, which Esc goes back to

    def show_index(self, index: int) -> None:
        self.shown = index
        with QSignalBlocker(self):
            self.setValue(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.show_index(self.shown)  # typed, not gone to: leaving must not go there either
            self.left.emit()
            return
        super().keyPressEvent(event)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.left.emit()
