"""Export for slides: the input and its chart side by side, as one PNG."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget


def side_by_side(left: QPixmap, right: QPixmap, background: QColor) -> QPixmap:
    """Two pictures next to each other, each centred vertically."""
    height = max(left.height(), right.height())
    picture = QPixmap(left.width() + right.width(), height)
    picture.fill(background)
    painter = QPainter(picture)
    painter.drawPixmap(0, (height - left.height()) // 2, left)
    painter.drawPixmap(left.width(), (height - right.height()) // 2, right)
    painter.end()
    return picture


def ask_target(parent: QWidget, folder: Path) -> Path | None:
    """The file to export to, asked of the user; None when they cancel."""
    target, _ = QFileDialog.getSaveFileName(
        parent, "Export input and chart", str(folder / "visionlab.png"), "PNG image (*.png)"
    )
    return Path(target) if target else None


def export(source: QWidget, chart: QWidget, target: Path) -> str | None:
    """Write `source` and `chart` as they look now into `target`; a message for the user where it fails."""
    picture = side_by_side(source.grab(), chart.grab(), source.palette().window().color())
    if not picture.save(str(target), "PNG"):
        return f"Could not write {target}. Choose another folder."
    return None
