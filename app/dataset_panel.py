"""The test sets: read off the GUI thread, downloaded where missing, and the page that says so.

One reading or download per dataset, kept across changes of what the browser shows; a set once
read stays in memory. The page shows the progress, or what is missing, what a download takes,
and the choice of downloading it or choosing the folder that holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app import tasks
from app.labels import WrappingLabel
from models import datasets
from models.registry import DATASETS


class DatasetPanel(QWidget):
    """Holds the test sets read so far; `ready` fires with a dataset's name once it is read."""

    ready = Signal(str)

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.sets: dict[str, datasets.ImageSet] = {}
        self.jobs: dict[str, tasks.Task] = {}  # dataset -> its reading or download, while it runs
        self.downloading: set[str] = set()
        self.shown: str | None = None  # the dataset this page speaks of

        self.message = WrappingLabel()
        self.message.setObjectName("browserMessage")
        self.download_button = QPushButton("Download")
        self.download_button.clicked.connect(lambda: self.download(self.shown) if self.shown else None)
        self.folder_button = QPushButton("Choose Folder…")
        self.folder_button.setToolTip(
            "The folder that holds the datasets (MNIST, cifar10-jpeg or cifar-10-batches-py), or one of them"
        )
        self.folder_button.clicked.connect(self.ask_folder)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_download)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        column.addLayout(row)
        column.addStretch(1)

    def test_set(self, name: str) -> datasets.ImageSet | None:
        """The test set once read; until then None, and this page says what is happening."""
        self.shown = name
        if name in self.sets:
            return self.sets[name]
        if name in self.downloading:
            self._show_download(name)
        elif name not in self.jobs:
            self._read(name)
        else:
            self._show_reading(name)
        return None

    def _read(self, name: str) -> None:
        self._show_reading(name)
        folder = self.data_dir

        def read(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> datasets.ImageSet | None:
            try:
                image_set = datasets.load(name, "test", folder)
            except datasets.DatasetMissing:
                return None
            image_set.fingerprint  # noqa: B018 - hashed here, off the GUI thread, for the stored answers
            return image_set

        self._start(
            name, read, lambda image_set: self._read_done(name, image_set), lambda message: self._missing(name, message)
        )

    def _read_done(self, name: str, image_set: datasets.ImageSet | None) -> None:
        self.jobs.pop(name, None)
        if image_set is None:
            self._missing(name, self.not_there(name))
            return
        self.sets[name] = image_set
        self.ready.emit(name)

    def _start(
        self,
        name: str,
        job: tasks.Job[Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Run `name`'s read or download; its reports are dropped once another job for `name` took its
        place or another folder was chosen, so that they cannot speak of a folder no longer in use."""
        task: tasks.Task | None = None

        def current(callback: Callable[..., None]) -> Callable[..., None]:
            return lambda *args: callback(*args) if self.jobs.get(name) is task else None

        task = tasks.start(job, current(done), current(failed), self, current(progress) if progress else None)
        self.jobs[name] = task

    def not_there(self, name: str) -> str:
        """What the page says of a test set that is not in the data folder."""
        spec = DATASETS[name]
        size = spec.test_download_bytes / 1e6
        return (
            f"The {spec.title} test set ({spec.kind}) is not in {self.data_dir}.\n\n"
            f"Download it ({size:.1f} MB), or choose where it is: a folder named "
            f"{' or '.join(datasets.set_folders(spec))}, or the folder that holds it."
        )

    def ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose the folder that holds the datasets", str(self.data_dir))
        if folder:
            self.set_data_dir(Path(folder))

    def set_data_dir(self, folder: Path) -> None:
        """Look for the test sets in `folder` from now on, starting with the one this page speaks of."""
        self.cancel_jobs()
        self.jobs.clear()
        self.downloading.clear()
        self.data_dir = datasets.data_folder(folder.expanduser().resolve())
        if self.shown is not None:
            self.test_set(self.shown)

    def _missing(self, name: str, message: str) -> None:
        self.jobs.pop(name, None)
        self.downloading.discard(name)
        if self.shown == name:
            self._say(message, download=True)

    def _show_reading(self, name: str) -> None:
        self._say(f"Reading the {DATASETS[name].title} test set from {self.data_dir}…", download=False)

    def _say(self, text: str, download: bool) -> None:
        self.message.setText(text)
        self.download_button.setVisible(download)
        self.folder_button.setVisible(download)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def download(self, name: str) -> None:
        from models.download import download

        self.downloading.add(name)
        self._show_download(name)
        folder = self.data_dir
        self._start(
            name,
            lambda progress, cancelled: download(name, folder, progress, cancelled, splits=("test",)),
            lambda _: self._downloaded(name),
            lambda message: self._download_failed(name, message),
            lambda done, total: self._download_progress(name, done, total),
        )

    def _download_failed(self, name: str, message: str) -> None:
        cancelled = self.jobs[name].cancelled  # by the user: it did not fail
        self._missing(name, message if cancelled else f"The download failed: {message}")

    def _show_download(self, name: str) -> None:
        size = DATASETS[name].test_download_bytes / 1e6
        self._say(
            f"Downloading the {DATASETS[name].title} test set ({size:.1f} MB) into {self.data_dir}…", download=False
        )
        self.progress.setRange(0, 0)  # until the next report says how far it got
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)

    def _downloaded(self, name: str) -> None:
        self.downloading.discard(name)
        self.jobs.pop(name, None)
        if self.shown == name:
            self._read(name)

    def _download_progress(self, name: str, done: int, total: int) -> None:
        if self.shown != name:
            return
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        self.progress.setFormat(f"{done / 1e6:.1f} MB")

    def cancel_download(self) -> None:
        if self.shown in self.jobs:
            self.jobs[self.shown].cancel()

    def cancel_jobs(self) -> None:
        for job in self.jobs.values():
            job.cancel()
