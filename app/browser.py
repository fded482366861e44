"""The image browser: a test set or the user's own pictures, one on show, filters and a grid of icons."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtCore import QEvent, QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import presentation
from app.core.selection import Selection, Show
from app.dataset_panel import DatasetPanel
from app.filter_bar import FilterBar
from app.image_grid import ImageGrid
from app.index_box import IndexBox
from app.labels import ElidedLabel
from app.own_images import OwnImages, no_picture
from app.preview import PixelView, to_qimage
from app.thumbnails import FileIcons, ThumbnailModel, array_icon
from models.datasets import ImageSet
from models.errors import ModelError
from models.images import SUFFIXES
from models.preprocess import ImageLike, convert_mode
from models.registry import DATASETS, DRAWN, Preparation

log = logging.getLogger(__name__)
OWN = "own pictures"  # the source that is not a test set
SOURCES = {**{name: f"{spec.title} test set" for name, spec in DATASETS.items()}, OWN: "My images"}


class ArrowButton(QPushButton):
    """A button as wide as its arrow and a margin, where the style would make it 80 pixels wide
    whatever it says."""

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self.text()) + 2 * metrics.height(), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()


class Browser(QWidget):
    """`currentChanged` fires with every new picture on show, `datasetChanged` with the kind of input,
    `answersWanted` when the filters start or stop needing a model's answers for the whole set."""

    currentChanged = Signal()
    datasetChanged = Signal(str)
    answersWanted = Signal()

    def __init__(self, data_dir: Path, last_folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = next(iter(DATASETS))
        self.own_kind = DRAWN.name  # the dataset whose models read the user's pictures
        self.last_folder = last_folder
        self.selection = Selection()
        self.selection.changed.connect(self._selection_changed)
        # What was asked of a set before it was read: (the set, the action), done once it is on show.
        self.pending: tuple[str, Callable[[], object]] | None = None
        self.rng = np.random.default_rng()
        self.panel = DatasetPanel(data_dir)
        self.panel.ready.connect(lambda name: self._source_ready() if name == self.source else None)
        self.own = OwnImages(self)
        self.own.decoded.connect(self._decoded)
        self.own.listed.connect(self._listed)
        self.own.refused.connect(self._refused)
        self.adding = 0  # pictures already open that a folder on its way is added after
        self.thumbs = ThumbnailModel(self)
        self.file_icons = FileIcons(self.thumbs, lambda: self.own.files, self)

        self.source_box = QComboBox()
        for key, title in SOURCES.items():
            self.source_box.addItem(title, key)
        self.source_box.activated.connect(lambda: self.set_source(self.source_box.currentData()))
        # One word each, as the arrows below: the File menu and the toolbar say the rest.
        self.files_button = QPushButton("Files…")
        self.files_button.setToolTip("Open image files as your own images (Ctrl+O)")
        self.files_button.clicked.connect(self.ask_files)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Open every image in a folder as your own images (Ctrl+Shift+O)")
        self.folder_button.clicked.connect(self.ask_folder)
        self.kind_box = QComboBox()
        for name, spec in DATASETS.items():
            self.kind_box.addItem(f"as {spec.kind} ({spec.title})", name)
        self.kind_box.setToolTip("Which models classify your own pictures")
        self.kind_box.currentIndexChanged.connect(self._kind_changed)

        self.view = PixelView(minimum=160)
        # A long file name must not widen the browser; cut in its middle, it keeps its end and the
        # "(2 of 5)" after it.
        self.caption = ElidedLabel(cut=Qt.TextElideMode.ElideMiddle)
        self.caption.setObjectName("caption")
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Arrows and a "#" for the index, not words: in presentation mode's letters the row of words
        # widened the window past a 1024-pixel projector.
        self.previous = ArrowButton("◀")
        self.previous.setToolTip("The previous image (Left)")
        self.previous.clicked.connect(lambda: self.selection.step(-1))
        self.next = ArrowButton("▶")
        self.next.setToolTip("The next image (Right)")
        self.next.clicked.connect(lambda: self.selection.step(1))
        self.random = QPushButton("Random")
        self.random.clicked.connect(lambda: self.selection.pick_random(self.rng))
        self.goto = IndexBox()
        self.goto.setPrefix("#")
        self.goto.setToolTip("Go to an image by its index in the set (Enter goes there, Esc leaves)")
        self.goto.setKeyboardTracking(False)
        self.goto.valueChanged.connect(self.selection.go_to)
        self.grid = ImageGrid(self.thumbs)
        self.grid.moved.connect(self._grid_moved)
        self.goto.left.connect(self.grid.setFocus)  # the arrow keys and shortcuts work again
        self.filters = FilterBar(self.selection)
        self.filters.answersWanted.connect(self.answersWanted)

        self._build_layout()
        self.set_source(self.source)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        widget: QWidget
        top.addWidget(self.source_box)
        top.addStretch(1)
        for widget in (self.files_button, self.folder_button):
            top.addWidget(widget)
        # On a row of its own: beside the others, in presentation letters, it widened the window
        # past a 1024-pixel projector whenever a dock was open.
        kind = QHBoxLayout()
        kind.addWidget(self.kind_box)
        kind.addStretch(1)
        image_page = QWidget()
        column = QVBoxLayout(image_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(self.caption)
        navigation = QHBoxLayout()
        for widget in (self.previous, self.next, self.random, self.goto):
            navigation.addWidget(widget)
        column.addLayout(navigation)
        column.addWidget(self.filters)
        column.addWidget(self.grid)
        self.pages = QStackedWidget()
        self.pages.addWidget(image_page)
        self.pages.addWidget(self.panel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(kind)
        layout.addWidget(self.pages, 1)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange and presentation.letters() != self.thumbs.scale:
            # Icons grow with presentation mode's letters: at 64 pixels their badges' letters were 7
            # pixels tall on a projector.
            self.thumbs.set_scale(presentation.letters())
            self.grid.fit_icons()
            if self.selection.current() is not None:
                self.grid.follow(self.selection.position)

    # what is shown
    @property
    def dataset(self) -> str:
        """The dataset whose models read the pictures on show."""
        return self.own_kind if self.source == OWN else self.source

    @property
    def test_set_on_show(self) -> bool:
        """A test set is on show, not the user's pictures: its pictures are the models' native input."""
        return self.source != OWN

    def test_set(self) -> ImageSet | None:
        """The test set on show; None for the user's pictures or a set not read yet."""
        return self.panel.sets.get(self.source) if self.test_set_on_show else None

    def current(self) -> tuple[ImageLike, int | None, Preparation] | None:
        """(picture, true label or None, what it still needs) of the picture on show; None while there
        is none. A file that cannot be read raises its ModelError."""
        index = self.selection.current()
        if index is None:
            return None
        if self.source == OWN:
            self.own.pin(index)
            picture = self.own.picture(index)
            return None if picture is None else (picture, None, DATASETS[self.own_kind].own_pictures)
        image_set = self.panel.sets[self.source]
        return image_set.images[index], int(image_set.labels[index]), Preparation.NONE

    # sources
    def set_source(self, source: str) -> None:
        """Show a test set (reading or offering to download it) or the user's pictures."""
        self.source = source
        self.source_box.setCurrentIndex(self.source_box.findData(source))
        self.kind_box.setVisible(source == OWN)
        self.thumbs.forget()
        if source != OWN and self.panel.test_set(source) is None:
            self.selection.reset(0)
            self.pages.setCurrentWidget(self.panel)
            self.datasetChanged.emit(self.dataset)  # the window offers this set's models and blanks the chart
            return
        self._source_ready()

    def _source_ready(self, position: int = 0) -> None:
        """The source's pictures on offer, the one at `position` on show."""
        self.pages.setCurrentIndex(0)
        own = self.source == OWN
        self.filters.set_classes(None if own else DATASETS[self.dataset].classes)
        image_set = None if own else self.panel.sets[self.source]
        count = len(self.own.files) if image_set is None else len(image_set)
        with QSignalBlocker(self.goto):
            self.goto.setRange(0, max(count - 1, 0))
        # The window hears of the new picture from `datasetChanged`: a `currentChanged` before it would
        # ask the last dataset's models about it, and the real question would wait behind theirs.
        with QSignalBlocker(self):
            self.selection.reset(count, None if image_set is None else image_set.labels)
            if 0 < position < count:
                self.selection.move_to(position)
        self.datasetChanged.emit(self.dataset)
        pending, self.pending = self.pending, None
        if pending is not None and pending[0] == self.source:
            pending[1]()
        self.answersWanted.emit()

    def ask_files(self) -> bool:
        pattern = " ".join(f"*{suffix}" for suffix in SUFFIXES)
        paths, _ = QFileDialog.getOpenFileNames(self, "Open images", str(self.last_folder), f"Images ({pattern})")
        return bool(paths) and self.open_paths([Path(p) for p in paths])

    def ask_folder(self) -> bool:
        folder = QFileDialog.getExistingDirectory(self, "Open a folder of images", str(self.last_folder))
        return bool(folder) and self.open_paths([Path(folder)])

    def open_paths(self, paths: list[Path], add: bool = False) -> bool:
        """Show the pictures of these files and folders, or say why there is nothing to show; with
        `add`, after the pictures already open, the first new one on show. Folders are walked off
        the GUI thread: their pictures show when that is done."""
        kept = list(self.own.files) if add else []
        try:
            files = self.own.open(kept + paths)
        except ModelError as error:
            self._refused(str(error))
            return False
        if not add:
            self.last_folder = paths[0] if paths[0].is_dir() else paths[0].parent
        self.adding = len(kept)
        if files is None:
            self.caption.setText(f"Looking for pictures in {', '.join(path.name for path in paths)}…")
        else:
            self._offer_own()
        return True

    def _listed(self, files: list[Path], left_out: int) -> None:
        self._offer_own()
        if left_out:
            self.filters.say(f"Left out {no_picture(left_out)}.")

    def _offer_own(self) -> None:
        self.set_source(OWN)
        if self.adding:
            self.selection.go_to(self.adding)

    def _refused(self, message: str) -> None:
        log.info("nothing to open: %s", message)
        self._describe_current()  # its caption again, not "Looking for pictures in…"
        QMessageBox.information(self, "visionlab", message)

    def _kind_changed(self) -> None:
        self.own_kind = self.kind_box.currentData()
        if self.source == OWN:  # the same picture, read by the other kind of model
            self._source_ready(self.selection.position)

    def _decoded(self, path: Path) -> None:
        index = self.selection.current()
        if self.source == OWN and index is not None and self.own.files[index] == path:
            self._show_current()

    # the picture on show
    def _selection_changed(self, offer_changed: bool) -> None:
        if offer_changed:
            self.filters.follow()  # a jump by index may have dropped the filters
            self.thumbs.show(self.selection.indices, self._icon, self._tooltip)
        self._show_current()

    def _show_current(self) -> None:
        self._describe_current()
        self.currentChanged.emit()

    def _describe_current(self) -> None:
        """The picture on show and its caption, without asking the models about it."""
        selection = self.selection
        index = selection.current()
        if index is None:
            self.view.set_array(None)
            self.caption.setText("No images match." if selection.count else "No images yet: open files or a folder.")
            return
        self.grid.follow(selection.position)
        self.goto.show_index(index)
        try:
            current = self.current()
        except ModelError as error:
            log.info("the picture on show cannot be used", exc_info=True)
            current = None
            self.caption.setText(str(error))
        if current is None:
            self.view.set_array(None)
            if self.source == OWN and self.own.files[index] in self.own.decoding:
                self.caption.setText(f"Opening {self.own.files[index].name}…")
        else:
            picture, label, _ = current
            if isinstance(picture, Image.Image):
                self.view.set_qimage(to_qimage(np.asarray(convert_mode(picture, "RGB", 255))))
            else:
                self.view.set_array(picture)
            name = self.own.files[index].name if self.source == OWN else f"#{index}"
            truth = f" — true class: {DATASETS[self.dataset].classes[label]}" if label is not None else ""
            self.caption.setText(f"{name} ({selection.position + 1} of {len(selection.indices)}){truth}")

    def _grid_moved(self, row: int) -> None:
        if row != self.selection.position:
            self.selection.move_to(row)

    def _icon(self, index: int) -> QPixmap | None:
        if self.source == OWN:
            self.file_icons.request(index, self.grid.devicePixelRatioF())
            return None
        image_set = self.panel.sets[self.source]
        classes = DATASETS[self.dataset].classes
        probabilities = self.selection.probabilities
        answer = classes[int(probabilities[index].argmax())] if probabilities is not None else None
        truth = classes[int(image_set.labels[index])]
        return array_icon(image_set.images[index], truth, answer, self.grid.devicePixelRatioF(), self.thumbs.scale)

    def _tooltip(self, index: int) -> str:
        if self.source == OWN:
            return str(self.own.files[index])
        classes = DATASETS[self.dataset].classes
        label = int(self.panel.sets[self.source].labels[index])
        probabilities = self.selection.probabilities
        if probabilities is None:
            return f"#{index}: {classes[label]}"
        answer = int(probabilities[index].argmax())
        return f"#{index}: {classes[label]}, taken for {classes[answer]} ({probabilities[index, answer]:.0%})"

    # filters that need a model's answers for the whole set
    def needs_answers(self) -> bool:
        return self.test_set_on_show and self.selection.filters.need_answers

    def set_answers(self, probabilities: np.ndarray | None, others: Sequence[np.ndarray] = ()) -> None:
        """The picked model's (N, classes) answers for the set on show, or None, and those of the
        set's other models where the filters compare them. Icons then show the model's answers."""
        known = self.selection.others
        if probabilities is self.selection.probabilities and [id(a) for a in others] == [id(a) for a in known]:
            return
        self.thumbs.forget()
        self.selection.set_answers(probabilities, others)

    def show_cell(self, dataset: str, true: int, predicted: int) -> None:
        """Only the test images of class `true` that the picked model takes for `predicted`."""
        self._with_set(dataset, lambda: self.filters.show_cell(true, predicted))

    def show_test_image(self, dataset: str, index: int) -> None:
        """Test image `index` of `dataset`, dropping filters that hide it (once the set is read)."""
        self._with_set(dataset, partial(self.selection.go_to, index))

    def _with_set(self, dataset: str, action: Callable[[], object]) -> None:
        """Show `dataset` and do `action` on it: now where it is read, else once it is."""
        if self.source != dataset:
            self.set_source(dataset)
        if dataset in self.panel.sets:
            action()
        else:
            self.pending = (dataset, action)

    def answers_failed(self) -> None:
        """The answers the filters need cannot be had: filter without them."""
        self.filters.set_show(Show.ALL)

    def cancel_jobs(self) -> None:
        self.panel.cancel_jobs()
        self.own.cancel_jobs()
