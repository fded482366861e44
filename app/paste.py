"""Ctrl+V: a picture copied elsewhere (a photo on a web page, a screenshot) or picture files copied
in a file manager become "My images". A copied picture is saved as a PNG first, off the GUI thread,
so that it can be browsed, reopened and exported like any other file."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from app import tasks
from models.errors import ImageError
from models.registry import CACHE_DIR

PASTED = CACHE_DIR / "pasted"  # where copied pictures are kept


def paste(owner: QWidget, opened: Callable[[list[Path]], object], failed: Callable[[str], object]) -> None:
    """Hand `opened` the picture files the clipboard holds, or the file a copied picture was saved
    to; `failed` a message that says why there is none."""
    mime = QApplication.clipboard().mimeData()  # None where the clipboard is empty
    files = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime and mime.hasUrls() else []
    if files:
        opened(files)
        return
    image = QImage(QApplication.clipboard().image()) if mime and mime.hasImage() else QImage()
    if image.isNull():
        failed(
            "The clipboard holds no picture. Copy one first (in a web browser: right-click a picture, "
            "Copy Image), then paste it here."
        )
        return
    target = PASTED / f"pasted-{datetime.datetime.now():%Y%m%d-%H%M%S-%f}.png"

    def save(progress: object, cancelled: object) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):  # type: ignore[call-overload]  # PySide takes str, its stub says bytes
            raise ImageError(
                f"Could not save the pasted picture in {target.parent}; check that the folder is writable."
            )
        return target

    tasks.start(save, lambda path: opened([path]), failed, owner)
