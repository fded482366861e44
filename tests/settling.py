"""Where widgets lie in their window once its layouts have settled, and a window with every toggle on:
for the tests of how the window is laid out."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget


def place(widget: QWidget) -> QRect:
    """Where a widget is in its window."""
    return QRect(widget.mapTo(widget.window(), widget.rect().topLeft()), widget.size())


def settled_place(qtbot, widget: QWidget) -> QRect:
    """Where a widget is once the layouts have settled after a change of fonts or toggles."""
    before = None
    for _ in range(20):
        qtbot.wait(25)
        now = (place(widget), widget.window().size())
        if now == before:
            return now[0]
        before = now
    raise AssertionError(f"the layout never settled: {before}")


def every_toggle_on(window) -> None:
    window.picker.compare.setChecked(True)
    window.commands["explain"].setChecked(True)
    window.commands["calibrated"].setChecked(True)
