"""The image browser: the MNIST and CIFAR-10 test sets, and the user's own pictures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import tasks
from app.preview import PixelView, to_qimage
from models import datasets
from models.errors import ImageError, ModelError
from models.images import FORMATS, SUFFIXES, image_files, image_pixels, open_image
from models.preprocess import convert_mode
from models.registry import DATASETS

SOURCES = {**{name: f"{spec.title} test set" for name, spec in DATASETS.items()}, "files": "My images"}
THUMB = 56
MAX_THUMBNAIL_SOURCE = 4_000_000  # pixels: larger pictures get no thumbnail


class ThumbnailModel(QAbstractListModel):
    """Icons for the images at the given indices, made when the view first shows them.

    `thumbnail` may answer None for an icon still being made; it hands it over later with provide().
    """

    def __init__(self) -> None:
        super().__init__()
        self.thumbnail: Callable[[int], QPixmap | None] = lambda i: None
        self.tooltip: Callable[[int], str] = str
        self.indices = np.zeros(0, dtype=np.int64)
        self.cache: dict[int, QIcon] = {}

    def reset(
        self, indices: np.ndarray, thumbnail: Callable[[int], QPixmap | None], tooltip: Callable[[int], str]
    ) -> None:
        """Show other images of the same collection; icons already made are kept."""
        self.beginResetModel()
        self.indices, self.thumbnail, self.tooltip = indices, thumbnail, tooltip
        self.endResetModel()

    def forget(self) -> None:
        """The collection changed: icons made so far show other pictures."""
        self.cache = {}

    def provide(self, item: int, pixmap: QPixmap | None) -> None:
        """The icon of image `item`, made elsewhere; an empty one where it could not be made."""
        self.cache[item] = QIcon(pixmap) if pixmap is not None else QIcon()
        for row in np.flatnonzero(self.indices == item):
            self.dataChanged.emit(self.index(int(row)), self.index(int(row)), [Qt.ItemDataRole.DecorationRole])

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - the signature Qt calls
        return 0 if parent.isValid() else len(self.indices)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        item = int(self.indices[index.row()])
        if role == Qt.ItemDataRole.DecorationRole:
            if item not in self.cache:
                pixmap = self.thumbnail(item)
                if pixmap is None:
                    return QIcon()
                self.cache[item] = QIcon(pixmap)
            return self.cache[item]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        return None


class Browser(QWidget):
    """Pick an image; `currentChanged` fires with every new image, `datasetChanged` with the kind of input."""

    currentChanged = Signal()
    datasetChanged = Signal(str)

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.source = "mnist"
        self.sets: dict[str, datasets.ImageSet] = {}
        self.files: list[Path] = []
        self.opened: dict[Path, object] = {}  # path -> PIL image or the error it gave, least recently shown first
        self.decoding: set[Path] = set()
        self.thumbnails_pending: set[Path] = set()  # users' pictures whose icons are being made
        self.last_folder = Path.home()
        self.file_kind = "mnist"
        self.indices = np.zeros(0, dtype=np.int64)
        self.position = 0
        self.predictions: np.ndarray | None = None  # the selected model's answer for each image of the set
        self.confidence: np.ndarray | None = None  # and how sure it was
        self.cell: tuple[int, int] | None = None  # (true, predicted): one cell of a confusion matrix
        self.jobs: dict[str, tasks.Task] = {}  # dataset -> its reading or download, while it runs
        self.downloading: set[str] = set()
        self.rng = np.random.default_rng()

        self.source_box = QComboBox()
        for key, title in SOURCES.items():
            self.source_box.addItem(title, key)
        self.source_box.currentIndexChanged.connect(lambda: self.set_source(self.source_box.currentData()))
        self.files_button = QPushButton("Open Files…")
        self.files_button.clicked.connect(self.ask_files)
        self.folder_button = QPushButton("Open Folder…")
        self.folder_button.clicked.connect(self.ask_folder)
        self.kind_box = QComboBox()
        self.kind_box.addItem("as digits (MNIST)", "mnist")
        self.kind_box.addItem("as photos (CIFAR-10)", "cifar10")
        self.kind_box.setToolTip("Which models classify your own pictures")
        self.kind_box.currentIndexChanged.connect(self._kind_changed)

        self.view = PixelView(minimum=160)
        self.caption = QLabel("")
        self.caption.setObjectName("caption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.previous = QPushButton("◀ Previous")
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next = QPushButton("Next ▶")
        self.next.clicked.connect(lambda: self.step(1))
        self.random = QPushButton("Random")
        self.random.clicked.connect(self.pick_random)
        self.goto = QSpinBox()
        self.goto.setToolTip("Go to an image by its index in the set")
        self.goto.setKeyboardTracking(False)
        self.goto.valueChanged.connect(self.go_to)
        self.class_filter = QComboBox()
        self.class_filter.setToolTip("Show only images of one true class")
        self.class_filter.currentIndexChanged.connect(self._class_chosen)
        self.wrong_only = QCheckBox("Misclassified only, hardest first")
        self.wrong_only.setToolTip("The images the selected model gets wrong, the surest mistakes first")
        self.wrong_only.toggled.connect(self.refilter)

        self.thumbs = ThumbnailModel()
        self.grid = QListView()
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setGridSize(QSize(THUMB + 6, THUMB + 6))
        self.grid.setUniformItemSizes(True)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setModel(self.thumbs)
        self.grid.selectionModel().currentChanged.connect(self._grid_moved)
        self.grid.setMinimumHeight(2 * THUMB + 20)

        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setObjectName("browserMessage")
        self.download_button = QPushButton("Download")
        self.download_button.clicked.connect(self.start_download)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_download)
        self._build_layout()
        self.set_source("mnist")

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.source_box)
        top.addWidget(self.kind_box)
        top.addStretch(1)
        top.addWidget(self.files_button)
        top.addWidget(self.folder_button)

        image_page = QWidget()
        image_column = QVBoxLayout(image_page)
        image_column.setContentsMargins(0, 0, 0, 0)
        image_column.addWidget(self.view, 1)
        image_column.addWidget(self.caption)
        navigation = QHBoxLayout()
        for widget in (self.previous, self.next, self.random, QLabel("index"), self.goto):
            navigation.addWidget(widget)
        image_column.addLayout(navigation)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Class"))
        filters.addWidget(self.class_filter, 1)
        filters.addWidget(self.wrong_only)
        image_column.addLayout(filters)
        image_column.addWidget(self.grid)

        message_page = QWidget()
        message_column = QVBoxLayout(message_page)
        message_column.addStretch(1)
        message_column.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(self.download_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        message_column.addLayout(row)
        message_column.addStretch(1)

        self.pages = QStackedWidget()
        self.pages.addWidget(image_page)
        self.pages.addWidget(message_page)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pages, 1)

    # what is shown
    @property
    def dataset(self) -> str:
        """The kind of input on show: 'mnist' or 'cifar10'."""
        return self.file_kind if self.source == "files" else self.source

    def labels(self) -> np.ndarray | None:
        return self.sets[self.source].labels if self.source in self.sets else None

    def count(self) -> int:
        if self.source == "files":
            return len(self.files)
        return len(self.sets[self.source]) if self.source in self.sets else 0

    def current_index(self) -> int | None:
        return int(self.indices[self.position]) if len(self.indices) else None

    def current(self) -> tuple[object, int | None, str] | None:
        """(image, true label or None, preparation) of the image on show."""
        index = self.current_index()
        if index is None:
            return None
        if self.source == "files":
            image = self.open_file(self.files[index])
            if image is None:
                return None
            return image, None, "photo-digit" if self.file_kind == "mnist" else "none"
        image_set = self.sets[self.source]
        return image_set.images[index], int(image_set.labels[index]), "none"

    # sources
    def open_file(self, path: Path) -> Image.Image | None:
        """A user's picture once decoded (None until then), or the error it gave, raised."""
        found = self.opened.pop(path, None)
        if found is not None:
            self.opened[path] = found  # now the most recently shown
        if isinstance(found, ModelError):
            raise found
        return found

    def _decode(self, path: Path) -> None:
        """Decode a picture off the GUI thread (a large PNG takes seconds), then show it if still wanted."""
        if path in self.decoding:
            return
        self.decoding.add(path)

        def keep(result) -> None:
            self.decoding.discard(path)
            if path not in self.files:
                return  # another folder was opened meanwhile
            showing = self.files[self.current_index()] if self.source == "files" and len(self.indices) else None
            for old in [p for p in self.opened if p != showing][: max(len(self.opened) - 7, 0)]:
                del self.opened[old]  # the last few pictures shown stay decoded
            self.opened[path] = result
            if path == showing:
                self.show_position(self.position)

        tasks.start(lambda progress, cancelled: open_image(path), keep, lambda message: keep(ImageError(message)), self)

    def set_source(self, source: str) -> None:
        self.source = source
        # Positions in the old source mean nothing in this one: the new one opens at its start.
        self.indices = np.zeros(0, dtype=np.int64)
        self.thumbs.forget()
        self.source_box.blockSignals(True)
        self.source_box.setCurrentIndex(self.source_box.findData(source))
        self.source_box.blockSignals(False)
        self.kind_box.setVisible(source == "files")
        self.predictions = None
        self.cell = None
        self.wrong_only.setChecked(False)
        if source in ("mnist", "cifar10") and source not in self.sets:
            self.thumbs.reset(self.indices, self._thumbnail, self._tooltip)
            if source in self.downloading:
                self._show_download(source)
            elif source not in self.jobs:
                self._load(source)
            else:
                self._show_reading(source)
            self.datasetChanged.emit(self.dataset)  # the window offers this set's models and blanks the chart
            return
        self._source_ready()

    def _load(self, dataset: str) -> None:
        self._show_reading(dataset)
        self.jobs[dataset] = tasks.start(
            lambda progress, cancelled: datasets.load(dataset, "test", self.data_dir),
            lambda image_set: self._loaded(dataset, image_set),
            lambda message: self._missing(dataset, message),
            self,
        )

    def _show_reading(self, dataset: str) -> None:
        self.show_message(f"Reading the {SOURCES[dataset]} from {self.data_dir}…", download=False)

    def _loaded(self, dataset: str, image_set: datasets.ImageSet) -> None:
        self.jobs.pop(dataset, None)
        self.sets[dataset] = image_set
        if self.source == dataset:
            self._source_ready()

    def _missing(self, dataset: str, message: str) -> None:
        self.jobs.pop(dataset, None)
        self.downloading.discard(dataset)
        if self.source == dataset:
            self.show_message(message, download=True)

    def show_message(self, text: str, download: bool) -> None:
        self.message.setText(text)
        self.download_button.setVisible(download)
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.pages.setCurrentIndex(1)

    def _source_ready(self) -> None:
        self.pages.setCurrentIndex(0)
        classes = DATASETS[self.dataset].classes
        self.class_filter.blockSignals(True)
        self.class_filter.clear()
        self.class_filter.addItem("All classes", None)
        if self.source != "files":
            for index, name in enumerate(classes):
                self.class_filter.addItem(name, index)
        if self.cell is not None:  # a confusion cell asked for before the set was read
            self.class_filter.setCurrentIndex(self.class_filter.findData(self.cell[0]))
        self.class_filter.blockSignals(False)
        self.class_filter.setEnabled(self.source != "files")
        self.wrong_only.setEnabled(self.source != "files")
        self.goto.blockSignals(True)
        self.goto.setRange(0, max(self.count() - 1, 0))
        self.goto.blockSignals(False)
        self.datasetChanged.emit(self.dataset)
        self.refilter()

    # the user's pictures
    def ask_files(self) -> bool:
        pattern = " ".join(f"*{suffix}" for suffix in SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", str(self.last_folder), f"Images ({pattern})")
        return bool(paths) and self.open_paths([Path(p) for p in paths])

    def ask_folder(self) -> bool:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images", str(self.last_folder))
        return bool(folder) and self.open_paths([Path(folder)])

    def open_paths(self, paths: list[Path]) -> bool:
        """Show the images of these files and folders, or say why there is nothing to show."""
        files: list[Path] = []
        try:
            for path in paths:
                files += image_files(path) if path.is_dir() else [path]
        except ModelError as error:
            QMessageBox.information(self, "visionlab", str(error))
            return False
        if not files:
            QMessageBox.information(self, "visionlab", f"No {FORMATS} images there.")
            return False
        self.last_folder = paths[0] if paths[0].is_dir() else paths[0].parent
        self.files = files
        self.opened.clear()
        self.set_source("files")
        return True

    def _kind_changed(self) -> None:
        self.file_kind = self.kind_box.currentData()
        if self.source == "files":
            self._source_ready()

    # downloading
    def start_download(self) -> None:
        from models.download import download

        dataset = self.source
        self.downloading.add(dataset)
        self._show_download(dataset)
        self.jobs[dataset] = tasks.start(
            lambda progress, cancelled: download(dataset, self.data_dir, progress, cancelled),
            lambda _: self._downloaded(dataset),
            lambda message: self._missing(dataset, f"The download failed: {message}"),
            self,
            lambda done, total: self._download_progress(dataset, done, total),
        )

    def _show_download(self, dataset: str) -> None:
        self.show_message(f"Downloading the {SOURCES[dataset]} into {self.data_dir}…", download=False)
        self.progress.setRange(0, 0)  # until the next report says how far it got
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)

    def _downloaded(self, dataset: str) -> None:
        self.downloading.discard(dataset)
        self.jobs.pop(dataset, None)
        if self.source == dataset:
            self._load(dataset)

    def _download_progress(self, dataset: str, done: int, total: int) -> None:
        if self.source != dataset:
            return
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * done / total))
        self.progress.setFormat(f"{done / 1e6:.1f} MB")

    def cancel_download(self) -> None:
        if self.source in self.jobs:
            self.jobs[self.source].cancel()

    def cancel_jobs(self) -> None:
        for job in self.jobs.values():
            job.cancel()

    # moving around
    def refilter(self) -> None:
        """Recompute the images on offer from the class filter and the misclassified switch."""
        keep = np.arange(self.count())
        labels = self.labels()
        chosen = self.class_filter.currentData()
        if labels is not None and chosen is not None:
            keep = keep[labels[keep] == chosen]
        if labels is not None and self.predictions is not None and self.wrong_only.isChecked():
            keep = keep[self.predictions[keep] != labels[keep]]
            keep = keep[np.argsort(-self.confidence[keep], kind="stable")]  # the surest mistakes first
        if labels is not None and self.predictions is not None and self.cell is not None:
            keep = keep[self.predictions[keep] == self.cell[1]]
        current = self.current_index()
        self.indices = keep
        self.thumbs.reset(keep, self._thumbnail, self._tooltip)
        where = np.flatnonzero(keep == current) if current is not None else []
        self.show_position(int(where[0]) if len(where) else 0)

    def show_position(self, position: int) -> None:
        if not len(self.indices):
            self.view.set_array(None)
            self.caption.setText("No images match." if self.count() else "No images yet: open files or a folder.")
            self.currentChanged.emit()
            return
        self.position = position % len(self.indices)
        index = self.current_index()
        self.grid.setCurrentIndex(self.thumbs.index(self.position))
        self.goto.blockSignals(True)
        self.goto.setValue(index)
        self.goto.blockSignals(False)
        if self.source == "files" and self.files[index] not in self.opened:
            self.view.set_array(None)
            self.caption.setText(f"Opening {self.files[index].name}…")
            self._decode(self.files[index])
            self.currentChanged.emit()
            return
        try:
            image, label, _ = self.current()
        except ModelError as error:
            self.view.set_array(None)
            self.caption.setText(str(error))
            self.currentChanged.emit()
            return
        if isinstance(image, np.ndarray):
            self.view.set_array(image)
        else:
            self.view.set_qimage(to_qimage(np.asarray(convert_mode(image, "RGB", 255))))
        name = self.files[index].name if self.source == "files" else f"#{index}"
        truth = f" — true class: {DATASETS[self.dataset].classes[label]}" if label is not None else ""
        self.caption.setText(f"{name} ({self.position + 1} of {len(self.indices)}){truth}")
        self.currentChanged.emit()

    def _grid_moved(self, index: QModelIndex) -> None:
        """A click or a key (arrows, Home, End) moved the grid's highlight: show that image."""
        if index.isValid() and index.row() != self.position:
            self.show_position(index.row())

    def step(self, delta: int) -> None:
        if len(self.indices):
            self.show_position(self.position + delta)

    def pick_random(self) -> None:
        if len(self.indices):
            self.show_position(int(self.rng.integers(len(self.indices))))

    def go_to(self, index: int) -> None:
        """Show image `index` of the set, clearing filters that hide it."""
        if index >= self.count():
            return
        if index not in self.indices:
            self.class_filter.setCurrentIndex(0)
            self.wrong_only.setChecked(False)
            self.refilter()
        self.show_position(int(np.flatnonzero(self.indices == index)[0]))

    def _thumbnail(self, index: int) -> QPixmap | None:
        if self.source == "files":
            self._make_thumbnail(index, self.files[index])
            return None
        pixmap = QPixmap.fromImage(to_qimage(self.sets[self.source].images[index]))
        return pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)

    def _make_thumbnail(self, index: int, path: Path) -> None:
        """Decode a user's picture into an icon off the GUI thread: a folder of large PNGs would
        otherwise freeze the window while it scrolls."""
        if path in self.thumbnails_pending:
            return
        self.thumbnails_pending.add(path)

        def job(progress, cancelled) -> np.ndarray | None:
            if image_pixels(path) > MAX_THUMBNAIL_SOURCE:
                return None  # it shows when chosen
            return np.asarray(convert_mode(open_image(path, max_side=THUMB), "RGB", 255))

        def done(pixels: np.ndarray | None) -> None:
            self.thumbnails_pending.discard(path)
            if self.source == "files" and index < len(self.files) and self.files[index] == path:
                self.thumbs.provide(index, QPixmap.fromImage(to_qimage(pixels)) if pixels is not None else None)

        tasks.start(job, done, lambda message: done(None), self)

    def _tooltip(self, index: int) -> str:
        if self.source == "files":
            return str(self.files[index])
        label = int(self.sets[self.source].labels[index])
        return f"#{index}: {DATASETS[self.dataset].classes[label]}"

    # the selected model's answers on the whole set
    def needs_predictions(self) -> bool:
        return self.wrong_only.isChecked() or self.cell is not None

    def set_predictions(self, probabilities: np.ndarray | None) -> None:
        """The selected model's (N, classes) probabilities for the set, or None."""
        if probabilities is None:
            self.predictions = self.confidence = None
        else:
            self.predictions, self.confidence = probabilities.argmax(axis=1), probabilities.max(axis=1)
        self.refilter()

    def show_cell(self, dataset: str, true: int, predicted: int) -> None:
        """Only the test images of class `true` that the selected model takes for `predicted`."""
        if self.source != dataset:
            self.set_source(dataset)
        self.cell = (true, predicted)
        self.class_filter.blockSignals(True)
        self.class_filter.setCurrentIndex(max(self.class_filter.findData(true), 0))
        self.class_filter.blockSignals(False)
        self.refilter()

    def _class_chosen(self) -> None:
        self.cell = None
        self.refilter()
