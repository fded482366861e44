"""Presentation mode: for the back row of a lecture hall, the whole application's fonts enlarged
and a black-on-white palette."""

from __future__ import annotations

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from app.theme import high_contrast

SCALE = 1.6
NORMAL = "visionlab_font_size"  # the application property that keeps the size to go back to
NORMAL_PALETTE = "visionlab_palette"  # and the palette


def set_fonts(on: bool) -> int:
    """Enlarge the application's font and switch to high contrast, or restore both; returns the
    point size now in use."""
    application = QApplication.instance()
    assert application is not None, "presentation mode needs the running application"
    normal = application.property(NORMAL) or QApplication.font().pointSize()
    application.setProperty(NORMAL, normal)
    palette = application.property(NORMAL_PALETTE)
    if palette is None:
        palette = QPalette(QApplication.palette())
        application.setProperty(NORMAL_PALETTE, palette)
    QApplication.setPalette(high_contrast(palette) if on else palette)
    size = round(normal * SCALE) if on else normal
    font = QFont(QApplication.font())
    font.setPointSize(size)
    QApplication.setFont(font)
    return size


def letters() -> float:
    """The application's letters as a multiple of the normal ones: SCALE in presentation mode, else 1."""
    application = QApplication.instance()
    normal = application.property(NORMAL) if application is not None else None
    return QApplication.font().pointSize() / normal if normal else 1.0
