"""Colours that stay legible from the back of a lecture hall: text contrast by WCAG's formula, the
ink of figures taken from the palette (light or dark), and the high-contrast palette of presentation mode."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

WCAG_AA = 4.5  # the least contrast WCAG AA allows for text
SOFTENING = 0.3  # how far secondary text goes from the text colour towards the background


def ink(palette: QPalette | None = None) -> QColor:
    """The colour of text and axes in figures: the palette's own text colour, so that a dark
    desktop theme gets light figures."""
    return (palette or QApplication.palette()).color(QPalette.ColorRole.WindowText)


def soft_ink(palette: QPalette | None = None) -> QColor:
    """Secondary text: the text colour a little towards the background, still over 4.5:1."""
    palette = palette or QApplication.palette()
    text, background = ink(palette), palette.color(QPalette.ColorRole.Window)

    def between(a: int, b: int) -> int:
        return round(a + (b - a) * SOFTENING)

    return QColor(
        between(text.red(), background.red()),
        between(text.green(), background.green()),
        between(text.blue(), background.blue()),
    )


def luminance(colour: QColor) -> float:
    """WCAG's relative luminance of an opaque colour, 0 (black) to 1 (white)."""

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast(text: QColor, background: QColor) -> float:
    """WCAG's contrast ratio, from 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background`."""
    black, white = QColor(0, 0, 0), QColor(255, 255, 255)
    return black if contrast(black, background) >= contrast(white, background) else white


def high_contrast(palette: QPalette) -> QPalette:
    """Black on white for presentation mode, with a dark blue for what is selected."""
    palette = QPalette(palette)
    white, black, light = QColor(255, 255, 255), QColor(0, 0, 0), QColor(235, 235, 235)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        for role, colour in (
            (QPalette.ColorRole.Window, white),
            (QPalette.ColorRole.Base, white),
            (QPalette.ColorRole.AlternateBase, light),
            (QPalette.ColorRole.Button, light),
            (QPalette.ColorRole.WindowText, black),
            (QPalette.ColorRole.Text, black),
            (QPalette.ColorRole.ButtonText, black),
            (QPalette.ColorRole.ToolTipText, black),
            (QPalette.ColorRole.ToolTipBase, white),
            (QPalette.ColorRole.Highlight, QColor(0, 60, 140)),
            (QPalette.ColorRole.HighlightedText, white),
        ):
            palette.setColor(group, role, colour)
    return palette
