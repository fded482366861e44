"""Export for slides: the input and its chart side by side, as one PNG."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFileDialog, QWidget

from app import tasks
from models.errors import ImageError


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


def file_name(*parts: str, now: datetime.datetime | None = None) -> str:
    """A name that says what was exported and when, so that exports do not overwrite each other:
    visionlab-mnist_cnn-7-20261201-141503.png."""
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    words = [re.sub(r"[^\w-]+", "_", part).strip("_") for part in ("visionlab", *parts, stamp)]
    return "-".join(word for word in words if word) + ".png"


def ask_target(parent: QWidget, folder: Path, name: str) -> Path | None:
    """The file to export to, asked of the user with `name` proposed; None when they cancel. It is
    a PNG whatever name was typed, and its name says so: ".png" is added where it is missing."""
    dialog = QFileDialog(parent, "Export input and chart", str(folder / name), "PNG image (*.png)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("png")  # added by the dialog, which then asks before replacing that file
    chosen = dialog.selectedFiles() if dialog.exec() else []
    if not chosen:
        return None
    path = Path(chosen[0])
    return path if path.suffix.lower() == ".png" else path.with_name(f"{path.name}.png")


def export(
    source: QWidget,
    shown: QRect,
    chart: QWidget,
    target: Path,
    done: Callable[[Path], object],
    failed: Callable[[str], object],
) -> None:
    """Write the part `shown` of `source` (the drawing or the picture, without the margin around
    it) and `chart`, as they look now, into `target`; `done` gets the path once written, `failed`
    a message for the user. The picture is taken now; encoding and writing it go off the GUI thread."""
    picture = side_by_side(source.grab(shown), chart.grab(), chart.palette().window().color()).toImage()

    def write(progress: object, cancelled: object) -> Path:
        if not picture.save(str(target), "PNG"):  # type: ignore[call-overload]  # PySide takes str, its stub says bytes
            raise ImageError(f"Could not write {target}. Choose another folder.")
        return target

    tasks.start(write, done, failed, source)
