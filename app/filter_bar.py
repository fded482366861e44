"""The test-set filters under the browsed picture: the true class, which images (the mistakes, the
least confident, where the models disagree), the confusion-matrix cell on show, and a line about
the answers the filters stand on."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.selection import Selection, Show
from app.labels import ElidedLabel


class FilterBar(QWidget):
    """Sets the selection's filters; `answersWanted` fires when they may need other answers."""

    answersWanted = Signal()

    def __init__(self, selection: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selection = selection
        self.classes: tuple[str, ...] = ()
        self.class_box = QComboBox()
        self.class_box.setToolTip("Show only images of one true class")
        self.class_box.currentIndexChanged.connect(self._class_changed)
        self.show_box = QComboBox()
        for show in Show:
            self.show_box.addItem(show.value, show)
        self.show_box.setToolTip(
            "Which images to offer: the model's mistakes (its surest first), its least confident answers, "
            "or the images the models of this set disagree on"
        )
        self.show_box.currentIndexChanged.connect(lambda: self._show_changed(self.show_box.currentData()))
        for box in (self.class_box, self.show_box):
            # As wide as ten letters at least, not as the longest choice: the list still shows each whole,
            # and the browser fits beside the chart and a dock on a 1024-pixel projector.
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        self.cell_note = QLabel("")
        self.show_all = QPushButton("Show All")
        self.show_all.setToolTip("Leave the confusion-matrix cell: every image of the set")
        self.show_all.clicked.connect(lambda: self.set_show(Show.ALL, keep_class=False))
        self.answers_note = ElidedLabel()
        self.answers_note.setObjectName("answersNote")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Class"))
        # The orders' names are the longer: shared alike, "Mistakes, surest first" lost its last
        # letters in presentation letters at 1024 pixels beside "All classes".
        row.addWidget(self.class_box, 2)
        row.addWidget(self.show_box, 3)
        column.addLayout(row)
        notes = QHBoxLayout()
        notes.addWidget(self.cell_note)
        notes.addWidget(self.show_all)
        notes.addWidget(self.answers_note, 1)
        column.addLayout(notes)
        self._show_cell_note()

    def set_classes(self, classes: tuple[str, ...] | None) -> None:
        """A new collection: these classes to filter by, or None for pictures without labels."""
        self.classes = classes or ()
        with QSignalBlocker(self.class_box):
            self.class_box.clear()
            self.class_box.addItem("All classes", None)
            for index, name in enumerate(self.classes):
                self.class_box.addItem(name, index)
        with QSignalBlocker(self.show_box):
            self.show_box.setCurrentIndex(0)
        self.class_box.setEnabled(classes is not None)
        self.show_box.setEnabled(classes is not None)
        self.answers_note.setText("")
        self._show_cell_note()

    def set_show(self, show: Show, keep_class: bool = True) -> None:
        """Offer all images, the mistakes, the least confident or the disagreements; a confusion
        cell is left, and with `keep_class` False so is the class filter."""
        with QSignalBlocker(self.show_box):
            self.show_box.setCurrentIndex(self.show_box.findData(show))
        if not keep_class:
            with QSignalBlocker(self.class_box):
                self.class_box.setCurrentIndex(0)
        self._show_changed(show)

    def show_cell(self, true: int, predicted: int) -> None:
        """Only the images of class `true` that the picked model takes for `predicted`."""
        with QSignalBlocker(self.class_box):
            self.class_box.setCurrentIndex(max(self.class_box.findData(true), 0))
        with QSignalBlocker(self.show_box):
            self.show_box.setCurrentIndex(0)
        self.selection.filter(true_class=true, show=Show.ALL, cell=(true, predicted))
        self._show_cell_note()
        self.answersWanted.emit()

    def follow(self) -> None:
        """Show the selection's filters as they are now: a jump by index may have dropped them."""
        filters = self.selection.filters
        with QSignalBlocker(self.class_box):
            self.class_box.setCurrentIndex(max(self.class_box.findData(filters.true_class), 0))
        with QSignalBlocker(self.show_box):
            self.show_box.setCurrentIndex(self.show_box.findData(filters.show))
        self._show_cell_note()

    def say(self, line: str) -> None:
        """What the answers behind the filters are: being scored, how many mistakes."""
        self.answers_note.setText(line)

    def _class_changed(self) -> None:
        self.selection.filter(true_class=self.class_box.currentData(), cell=None)
        self._show_cell_note()
        self.answersWanted.emit()

    def _show_changed(self, show: Show) -> None:
        self.selection.filter(show=show, cell=None, true_class=self.class_box.currentData())
        self._show_cell_note()
        self.answersWanted.emit()

    def _show_cell_note(self) -> None:
        """Say which confusion cell is on show, with a way out of it."""
        cell = self.selection.filters.cell if self.classes else None
        self.cell_note.setText(
            "" if cell is None else f"Only “{self.classes[cell[0]]}” taken for “{self.classes[cell[1]]}”"
        )
        self.cell_note.setVisible(cell is not None)
        self.show_all.setVisible(cell is not None)
