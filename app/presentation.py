"""Presentation mode: the whole application's fonts enlarged for the back row of a lecture hall."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

SCALE = 1.6
NORMAL = "visionlab_font_size"  # the application property that keeps the size to go back to


def set_fonts(on: bool) -> int:
    """Enlarge the application's font, or restore it; returns the point size now in use."""
    application = QApplication.instance()
    normal = application.property(NORMAL) or QApplication.font().pointSize()
    application.setProperty(NORMAL, normal)
    size = round(normal * SCALE) if on else normal
    font = QFont(QApplication.font())
    font.setPointSize(size)
    QApplication.setFont(font)
    return size
