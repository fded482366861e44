"""The user's own pictures: which files are open, decoded off the GUI thread, the last few kept."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QObject, Signal

from app import tasks
from app.core.lru import LRU
from models.errors import ImageError, ModelError
from models.images import FORMATS, image_files, is_picture, open_image

log = logging.getLogger(__name__)
KEPT_DECODED = 8  # a large photo takes tens of MB decoded: only the last few shown are kept


def no_picture(files: int) -> str:
    """How many files named as pictures were left out, in words."""
    return "1 file that holds no picture" if files == 1 else f"{files} files that hold no picture"


class OwnImages(QObject):
    """`decoded` fires with a file's path when its picture (or the error it gave) is ready;
    `listed` with the files and how many were left out once opened folders have been walked,
    `refused` with the reason where they hold no picture."""

    decoded = Signal(object)
    listed = Signal(object, int)
    refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.files: list[Path] = []
        self.pictures: LRU[Path, Image.Image | ModelError] = LRU(KEPT_DECODED)
        self.decoding: set[Path] = set()
        self.walk: tasks.Task | None = None  # the walk through folders just opened

    def open(self, paths: list[Path]) -> list[Path] | None:
        """Files opened by name are the files on offer at once. Folders are walked off the GUI
        thread (a large tree takes seconds), their files' headers read so that a text file named
        .png does not count: None is returned, and `listed` or `refused` fires later."""
        if self.walk is not None:
            self.walk.cancel()
            self.walk = None
        if not any(path.is_dir() for path in paths):
            self._offer(list(paths))
            return self.files

        def walk(progress: object, cancelled: Callable[[], bool]) -> tuple[list[Path], int] | None:
            files, left_out = [], 0
            for path in paths:
                for found in image_files(path) if path.is_dir() else [path]:
                    if cancelled():
                        return None
                    if path.is_dir() and not is_picture(found):  # a file opened by name says what is wrong
                        left_out += 1
                    else:
                        files.append(found)
            return files, left_out

        def done(result: tuple[list[Path], int] | None) -> None:
            if result is None or task.cancelled:
                return
            files, left_out = result
            if not files:
                where = ", ".join(path.name or str(path) for path in paths)
                unreadable = f" (left out: {no_picture(left_out)})" if left_out else ""
                self.refused.emit(f"No {FORMATS} images in {where}{unreadable}. Choose a folder of pictures.")
                return
            self._offer(files)
            self.listed.emit(files, left_out)

        def failed(message: str) -> None:
            if not task.cancelled:
                self.refused.emit(message)

        task = self.walk = tasks.start(walk, done, failed, self)
        return None

    def _offer(self, files: list[Path]) -> None:
        self.files = files
        self.pictures.clear()

    def cancel_jobs(self) -> None:
        if self.walk is not None:
            self.walk.cancel()

    def pin(self, index: int) -> None:
        """File `index` is on show: it stays decoded whatever finishes decoding later."""
        self.pictures.pinned = self.files[index]

    def picture(self, index: int) -> Image.Image | None:
        """File `index` decoded, or None while it is being decoded (which this starts); the error it
        gave is raised."""
        path = self.files[index]
        found = self.pictures.get(path)
        if found is None:
            self._decode(path)
            return None
        if isinstance(found, ModelError):
            raise found
        return found

    def _decode(self, path: Path) -> None:
        """Decode off the GUI thread: a large PNG takes seconds."""
        if path in self.decoding:
            return
        self.decoding.add(path)

        def keep(result: Image.Image | ModelError) -> None:
            self.decoding.discard(path)
            if path in self.files:  # else another folder was opened meanwhile
                self.pictures.put(path, result)
                self.decoded.emit(path)

        tasks.start(lambda progress, cancelled: open_image(path), keep, lambda message: keep(ImageError(message)), self)
