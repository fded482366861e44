"""Esc lets go of a slider: as the window's Clear key, it wiped the drawing of a lecturer who had
pressed it only to leave the control."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

Control = TypeVar("Control", bound=QWidget)


class EscapeLetsGo(QObject):
    """Takes Esc from the window's shortcut while its widget has the focus, and drops the focus."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        escape = isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape
        if escape and event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key goes to the widget, not to the shortcut
        elif escape and event.type() == QEvent.Type.KeyPress and isinstance(watched, QWidget):
            watched.clearFocus()
            return True
        return False


def lets_go_on_escape(widget: Control) -> Control:
    widget.installEventFilter(EscapeLetsGo(widget))
    return widget
