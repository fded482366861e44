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


class OwnImages(QObject):
    """`decoded` fires with a file's path when its picture (or the error it gave) is ready;
    `pruned` with the list before, and the files left out after a look at their headers showed
    they hold no picture."""

    decoded = Signal(object)
    pruned = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.files: list[Path] = []
        self.pictures: LRU[Path, Image.Image | ModelError] = LRU(KEPT_DECODED)
        self.decoding: set[Path] = set()
        self.check: tasks.Task | None = None  # the look at the headers of the files just opened

    def open(self, paths: list[Path]) -> list[Path]:
        """The picture files of these files and folders; ModelError says why there are none."""
        files: list[Path] = []
        found: list[Path] = []  # in folders, by their names: looked at before they count
        for path in paths:
            in_folder = image_files(path) if path.is_dir() else []
            files += in_folder if path.is_dir() else [path]
            found += in_folder
        if not files:
            raise ImageError(f"No {FORMATS} images there.")
        self.files = files
        self.pictures.clear()
        self._check(files, found)
        return files

    def _check(self, files: list[Path], found: list[Path]) -> None:
        """Read the header of every file found in a folder off the GUI thread, and leave out those
        that hold no picture (a text file named .png), so that the count is of pictures. A file
        opened by name stays, to say what is wrong with it when shown."""

        def done(unreadable: list[Path]) -> None:
            if self.files is files and unreadable:  # else another folder was opened meanwhile
                gone = set(unreadable)
                self.files = [path for path in files if path not in gone]
                self.pruned.emit(files, unreadable)

        def check(progress: object, cancelled: Callable[[], bool]) -> list[Path]:
            return [path for path in found if not cancelled() and not is_picture(path)]

        if self.check is not None:
            self.check.cancel()
        self.check = tasks.start(check, done, lambda message: None, self)

    def cancel_jobs(self) -> None:
        if self.check is not None:
            self.check.cancel()

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
