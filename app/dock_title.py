"""A dock's title bar made of widgets, so that it follows the application's font: QDockWidget paints
its own title in the font of the moment the dock was made, which left the lab's and the inside
view's titles small in presentation mode."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget


class DockTitle(QWidget):
    """The dock's title with its float and close buttons. Presses on the title are left to the dock,
    which moves on a drag and floats or docks on a double click, as with its own title bar."""

    def __init__(self, dock: QDockWidget) -> None:
        super().__init__(dock)
        self.title = QLabel(dock.windowTitle())
        self.buttons: list[QToolButton] = []
        pixmap = QStyle.StandardPixmap
        for icon, tip, act in (
            (pixmap.SP_TitleBarNormalButton, "Float or dock", lambda: dock.setFloating(not dock.isFloating())),
            (pixmap.SP_TitleBarCloseButton, "Close", dock.close),
        ):
            button = QToolButton()
            button.setIcon(self.style().standardIcon(icon))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(act)
            self.buttons.append(button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 2, 2)
        layout.addWidget(self.title, 1)
        for button in self.buttons:
            layout.addWidget(button)
        self._fit_buttons()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._fit_buttons()
        super().changeEvent(event)

    def _fit_buttons(self) -> None:
        side = self.fontMetrics().height()
        for button in self.buttons:
            button.setIconSize(QSize(side, side))
