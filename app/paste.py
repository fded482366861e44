"""Ctrl+V, or a drop on the window: a picture copied or dragged from elsewhere (a photo on a web
page, a screenshot) or picture files from a file manager become "My images". A picture is saved
as a PNG first, off the GUI thread, so that it can be browsed, reopened and exported like any other
file."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMimeData, QObject
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from app import tasks
from models.errors import ImageError
from models.registry import CACHE_DIR

PASTED = CACHE_DIR / "pasted"  # where copied pictures are kept


def paste(owner: QWidget, opened: Callable[[list[Path]], object], failed: Callable[[str], object]) -> None:
    """Hand `opened` the picture files the clipboard holds, or the file a copied picture was saved
    to; `failed` a message that says why there is none."""
    nothing = (
        "The clipboard holds no picture. Copy one first (in a web browser: right-click a picture, "
        "Copy Image), then paste it here."
    )
    mime = QApplication.clipboard().mimeData()  # None where the clipboard is empty
    take(owner, mime, opened, lambda path: opened([path]), failed, nothing)


def can_take(mime: QMimeData) -> bool:
    """Whether a drag holds what take() may open, or say why not."""
    return mime.hasUrls() or mime.hasImage()


def take(
    owner: QObject,
    mime: QMimeData | None,
    files: Callable[[list[Path]], object],
    saved: Callable[[Path], object],
    failed: Callable[[str], object],
    nothing: str = "That holds no picture.",
) -> None:
    """Hand `files` the picture files `mime` (pasted or dropped) names, or `saved` the file a
    picture it holds was saved to; `failed` why there is neither: `nothing`, or what to do with a
    web address."""
    named = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()] if mime and mime.hasUrls() else []
    if named:
        files(named)
        return
    data = mime.imageData() if mime and mime.hasImage() else None
    image = data.toImage() if isinstance(data, QPixmap) else QImage(data) if isinstance(data, QImage) else QImage()
    if image.isNull():
        links = [url.toString() for url in mime.urls()] if mime and mime.hasUrls() else []
        failed(
            f"{links[0]} is an address on the web, not a picture on this computer. In the web browser, "
            "right-click the picture, Copy Image, and press Ctrl+V here; or save it and open the file."
            if links
            else nothing
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

    tasks.start(save, saved, failed, owner)
